"""`python -m jobs roles [--apply]`: the least-privilege grants of sql/roles.py, printed as SQL
for a DBA to read or run, or applied on the spot as the schema's owner."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import Engine

from config.settings import Settings
from sql.roles import Roles, RolesError, apply_grants, grant_statements, web_sequences


def add_parser(sub) -> None:
    p = sub.add_parser(
        "roles",
        help="print (or --apply) the GRANTs of the owner, web and sidecar database roles",
        description="PostgreSQL only. Migrates first, as every command does, then prints the owner's GRANT, "
        "REVOKE and ALTER DEFAULT PRIVILEGES statements for SPARTAN_DB_SCHEMA: the web reads everything and "
        "writes only its users' tables, the sidecar writes the data, neither may create tables. With --apply, "
        "runs them in one transaction (connect as the owner role). The roles themselves are made by a "
        "superuser beforehand (deploy/postgres/10-spartan-roles.sh). Exit code 1 when refused.",
    )
    p.add_argument("--apply", action="store_true", help="run the statements instead of printing them")
    defaults = Roles()
    p.add_argument("--owner", default=defaults.owner, help=f"the owner role (default {defaults.owner})")
    p.add_argument("--web", default=defaults.web, help=f"the web's role (default {defaults.web})")
    p.add_argument("--sidecar", default=defaults.sidecar, help=f"the sidecar's role (default {defaults.sidecar})")


def run(settings: Settings, engine: Engine, args: argparse.Namespace) -> int:
    if not settings.is_postgres:
        print("roles: SQLite has no roles; this is for a PostgreSQL SPARTAN_DATABASE_URL", file=sys.stderr)
        return 1
    try:
        roles = Roles(owner=args.owner, web=args.web, sidecar=args.sidecar)
        with engine.begin() as conn:
            if args.apply:
                statements = apply_grants(conn, settings.db_schema, roles)
            else:
                statements = grant_statements(settings.db_schema, roles, web_sequences(conn, settings.db_schema))
    except RolesError as exc:
        print(f"roles: {exc}", file=sys.stderr)
        return 1
    if args.apply:
        print(f"roles: {len(statements)} statements applied on schema {settings.db_schema}")
    else:
        print("\n".join(f"{statement};" for statement in statements))
    return 0
