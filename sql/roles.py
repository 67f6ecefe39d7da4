"""Least-privilege PostgreSQL roles (README "Database roles").

Three roles, each with only what it needs:

- the **owner** (``spartan_owner``) owns the schema and every table: migrations and restores
  run as it, and it hands out the rights below;
- the **web** (``spartan_web``) reads everything and writes only the tables of its users:
  accounts, sessions, API tokens, embed links and watchlists;
- the **sidecar** (``spartan_sidecar``) reads everything (its backups dump the whole schema)
  and writes the market data and the station's bookkeeping, but no user's records.

Neither the web nor the sidecar may create anything in the schema. The roles themselves, with
their passwords, and the rights on the database (CONNECT; TEMPORARY for the sidecar's ``COPY``
staging tables) are made by a superuser: ``deploy/postgres/10-spartan-roles.sh``, which compose
runs when the database volume is first created. The grants here are the owner's to give, so
``python -m jobs roles --apply`` runs as the owner, after migrating (as every command does);
default privileges give the tables of later migrations the same rights.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Table, text

from sql.schema_boards import board_panels, boards
from sql.schema_users import api_tokens, embed_links, user_sessions, users
from sql.schema_watchlists import watchlist_items, watchlists

# The tables the web writes (sql/users.py, sessions.py, tokens.py, embed_links.py, watchlists.py,
# boards.py): every table of the users' own schema modules (tests/unit/test_roles_tables.py).
WEB_TABLES: tuple[Table, ...] = (
    users,
    user_sessions,
    api_tokens,
    embed_links,
    watchlists,
    watchlist_items,
    boards,
    board_panels,
)
# Alembic's bookkeeping: written by the owner alone.
VERSION_TABLE = "alembic_version"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RolesError(ValueError):
    """A role or schema name the grants cannot be written for."""


@dataclass(frozen=True)
class Roles:
    owner: str = "spartan_owner"
    web: str = "spartan_web"
    sidecar: str = "spartan_sidecar"

    def __post_init__(self) -> None:
        for kind, name in (("owner", self.owner), ("web", self.web), ("sidecar", self.sidecar)):
            if not _IDENTIFIER.match(name):
                raise RolesError(f"the {kind} role must be a plain lower-case identifier, got {name!r}")
        if len({self.owner, self.web, self.sidecar}) != 3:
            raise RolesError("the owner, web and sidecar roles must be three different roles")


def _q(name: str) -> str:
    return f'"{name}"'


def grant_statements(schema: str, roles: Roles, web_sequences: list[str]) -> list[str]:
    """The owner's GRANT/REVOKE statements for ``schema``, idempotent: every right of the web
    and the sidecar on it is first taken away, then given exactly. ``web_sequences``: the
    sequences behind the ids of the web's tables (``pg_get_serial_sequence``)."""
    if not _IDENTIFIER.match(schema):
        raise RolesError(f"the schema must be a plain lower-case identifier, got {schema!r}")
    s, web, sidecar, owner = _q(schema), _q(roles.web), _q(roles.sidecar), _q(roles.owner)
    both = f"{web}, {sidecar}"
    web_tables = ", ".join(f"{s}.{_q(t.name)}" for t in WEB_TABLES)
    owner_only = f"{web_tables}, {s}.{_q(VERSION_TABLE)}"
    statements = [
        f"REVOKE ALL ON SCHEMA {s} FROM PUBLIC, {both}",
        f"GRANT USAGE ON SCHEMA {s} TO {both}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC, {both}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM PUBLIC, {both}",
        # The web: reads everything, writes its users' records.
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {web}",
        f"GRANT INSERT, UPDATE, DELETE ON {web_tables} TO {web}",
        # The sidecar: reads everything (a backup dumps it all), writes all but the users' and
        # Alembic's tables; its sequences are read by pg_dump too.
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {sidecar}",
        f"REVOKE INSERT, UPDATE, DELETE ON {owner_only} FROM {sidecar}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {sidecar}",
    ]
    if web_sequences:
        listed = ", ".join(f"{s}.{_q(name)}" for name in web_sequences)
        statements.append(f"GRANT USAGE, SELECT ON SEQUENCE {listed} TO {web}")
    # Tables and sequences of later migrations (made by the owner): readable by both, written by
    # the sidecar. A later table of the web's gets its writes when this is run again (compose's
    # migrate service runs it at every start).
    defaults = f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s}"
    statements += [
        f"{defaults} REVOKE ALL ON TABLES FROM {both}",
        f"{defaults} REVOKE ALL ON SEQUENCES FROM {both}",
        f"{defaults} GRANT SELECT ON TABLES TO {web}",
        f"{defaults} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {sidecar}",
        f"{defaults} GRANT USAGE, SELECT ON SEQUENCES TO {sidecar}",
    ]
    return statements


def web_sequences(conn: Connection, schema: str) -> list[str]:
    """The sequences behind the autoincrement ids of the web's tables, as PostgreSQL names them."""
    found = []
    for table in WEB_TABLES:
        column = table.autoincrement_column
        if column is None:
            continue
        qualified = f'"{schema}"."{table.name}"'
        name = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": qualified, "c": column.name}).scalar()
        if name:
            found.append(name.rsplit(".", 1)[-1].strip('"'))
    return found


def missing_roles(conn: Connection, roles: Roles) -> list[str]:
    names = [roles.owner, roles.web, roles.sidecar]
    present = set(conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:n)"), {"n": names}).scalars())
    return [name for name in names if name not in present]


def apply_grants(conn: Connection, schema: str, roles: Roles) -> list[str]:
    """Run the grants on ``conn`` (as the schema's owner, in the caller's transaction); returns
    them. Refuses when a role is missing or the connection is not the owner's."""
    missing = missing_roles(conn, roles)
    if missing:
        raise RolesError(
            f"role(s) {', '.join(missing)} do not exist: a superuser creates them first "
            "(deploy/postgres/10-spartan-roles.sh)"
        )
    owner = conn.execute(text("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = :s"), {"s": schema})
    owner_name = owner.scalar()
    if owner_name is None:
        raise RolesError(f"schema {schema!r} does not exist: migrate first")
    if owner_name.strip('"') != roles.owner:
        raise RolesError(f"schema {schema!r} is owned by {owner_name}, not by the owner role {roles.owner!r}")
    user, superuser = conn.execute(text("SELECT rolname, rolsuper FROM pg_roles WHERE rolname = current_user")).one()
    if user != roles.owner and not superuser:
        raise RolesError(f"connected as {user}: grants are given by the owner role {roles.owner!r} (or a superuser)")
    statements = grant_statements(schema, roles, web_sequences(conn, schema))
    for statement in statements:
        conn.execute(text(statement))
    return statements
