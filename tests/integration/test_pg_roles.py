"""Least privilege for real, on a PostgreSQL server of the test's own (never the shared one):
compose's init script makes the three roles, the owner migrates and grants
(`python -m jobs roles --apply`), the sidecar's role seeds the data, and the web's role reads,
writes its users' tables and can neither write market data nor create anything."""

from __future__ import annotations

import os
import secrets
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import FRED_CATALOG, ROOT
from tests.fixtures.own_postgres import own_postgres

INIT_SCRIPT = ROOT / "deploy" / "postgres" / "10-spartan-roles.sh"
SCHEMA = "spartan_research"
DATABASE = "spartan"
PASSWORDS = {role: secrets.token_hex(12) for role in ("owner", "web", "sidecar")}
INSUFFICIENT_PRIVILEGE = "42501"


@pytest.fixture(scope="module")
def server():
    with own_postgres() as pg:
        admin = sa.create_engine(
            pg.url().replace("postgresql://", "postgresql+psycopg2://"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
        admin.dispose()
        for _ in range(2):  # idempotent: compose runs it once, an operator may run it again
            _run_init_script(pg)
        yield pg


def _run_init_script(pg) -> None:
    """deploy/postgres/10-spartan-roles.sh as postgres's entrypoint runs it, over TCP here."""
    env = {
        **os.environ,
        "PATH": f"{pg.bin_dir}:{os.environ['PATH']}",
        "PGHOST": pg.host,
        "PGPORT": str(pg.port),
        "PGPASSWORD": pg.password,
        "POSTGRES_USER": pg.superuser,
        "POSTGRES_DB": DATABASE,
        "SPARTAN_DB_SCHEMA": SCHEMA,
        **{f"SPARTAN_DB_{role.upper()}_PASSWORD": password for role, password in PASSWORDS.items()},
    }
    done = subprocess.run(["sh", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _env(server, tmp_path, role: str) -> dict[str, str]:
    return {
        "SPARTAN_DATABASE_URL": server.url(f"spartan_{role}", PASSWORDS[role], DATABASE),
        "SPARTAN_DB_SCHEMA": SCHEMA,
        "SPARTAN_VAR_DIR": str(tmp_path / role),
        "SPARTAN_SOURCES_FILE": str(FRED_CATALOG),
        "SPARTAN_PAGE_WARM_SECONDS": "0",
    }


def _store(server, tmp_path, role: str):
    from config.settings import load_settings
    from sql.store import configure

    return configure(load_settings(_env(server, tmp_path, role)))


def _denied(engine: sa.Engine, statement: str) -> None:
    with pytest.raises(sa.exc.ProgrammingError) as caught, engine.begin() as conn:
        conn.execute(sa.text(statement))
    assert caught.value.orig.pgcode == INSUFFICIENT_PRIVILEGE, caught.value


@pytest.fixture(scope="module")
def seeded(server, tmp_path_factory):
    """Migrated and granted by the owner through the CLI, then demo data written by the sidecar."""
    from config.catalog import load_catalog
    from jobs.__main__ import main
    from jobs.demo import seed_demo

    tmp_path = tmp_path_factory.mktemp("roles")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _env(server, tmp_path, "owner").items():
            mp.setenv(name, value)
        assert main(["roles", "--apply"]) == 0
        assert main(["roles", "--apply"]) == 0  # compose's migrate service runs it at every start
    sidecar = _store(server, tmp_path, "sidecar")
    written = seed_demo(sidecar, load_catalog(sidecar.settings))
    assert written["treasury_yields"] > 0
    sidecar.engine.dispose()
    return tmp_path, written


def test_the_owner_migrates_and_nobody_else_may_create_anything(server, seeded):
    tmp_path, _ = seeded
    for role in ("web", "sidecar"):
        engine = _store(server, tmp_path, role).engine
        with engine.connect() as conn:
            assert not conn.execute(sa.text("SELECT has_database_privilege(current_database(), 'CREATE')")).scalar()
            assert not conn.execute(sa.text(f"SELECT has_schema_privilege('{SCHEMA}', 'CREATE')")).scalar()
            assert not conn.execute(sa.text("SELECT has_schema_privilege('public', 'CREATE')")).scalar()
            assert not conn.execute(
                sa.text("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
            ).scalar()
        _denied(engine, f'CREATE TABLE "{SCHEMA}".sneaky (x int)')
        _denied(engine, "CREATE TABLE public.sneaky (x int)")
        _denied(engine, f'ALTER TABLE "{SCHEMA}".treasury_yields ADD COLUMN sneaky int')
        _denied(engine, f'DROP TABLE "{SCHEMA}".treasury_yields')
        _denied(engine, f'UPDATE "{SCHEMA}".alembic_version SET version_num = version_num')
        engine.dispose()


def test_the_web_reads_the_data_and_writes_only_its_users_tables(server, seeded):
    from sql import embed_links, sessions, tokens, users, watchlists
    from sql.migrate import upgrade

    tmp_path, written = seeded
    store = _store(server, tmp_path, "web")
    engine = store.engine
    upgrade(store.settings, engine)  # the web migrates at start (create_app): at head, a no-op it may run
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM treasury_yields")).scalar() == written["treasury_yields"]
    user = users.add_user(engine, "alice", "correct horse battery", "admin")
    token = sessions.open_session(engine, user.id, timedelta(hours=1))
    assert sessions.session_user(engine, token).username == "alice"
    listed = watchlists.create_watchlist(engine, user.id, "Rates")
    assert watchlists.add_item(engine, listed.id, user.id, "series", "DGS10")
    record, secret = tokens.create_token(engine, "alice", "notebook")
    assert tokens.token_user(engine, secret)[0].username == "alice"
    link = embed_links.create_link(engine, user.id, "/rates", datetime.now(UTC) + timedelta(days=1))
    embed_links.revoke_link(engine, link.id)
    tokens.revoke_token(engine, record.id)
    watchlists.delete_watchlist(engine, listed.id, user.id)
    sessions.revoke_session(engine, token)
    users.add_user(engine, "bob", "correct horse battery")
    users.set_role(engine, "bob", "admin")
    users.remove_user(engine, "bob")
    # Market data and the station's bookkeeping: read-only to the web.
    _denied(engine, "INSERT INTO treasury_yields SELECT * FROM treasury_yields LIMIT 1")
    _denied(engine, "UPDATE treasury_yields SET source = source")
    _denied(engine, "DELETE FROM treasury_yields")
    _denied(engine, "TRUNCATE treasury_yields")
    _denied(engine, "UPDATE dataset_versions SET version = version + 1")
    _denied(engine, "DELETE FROM sidecar_status")
    _denied(engine, "CREATE TEMPORARY TABLE scratch (x int)")
    engine.dispose()


def test_the_sidecar_writes_data_but_no_users_record(server, seeded):
    tmp_path, _ = seeded
    engine = _store(server, tmp_path, "sidecar").engine
    with engine.begin() as conn:
        assert conn.execute(sa.text("UPDATE treasury_yields SET source = source")).rowcount > 0
        assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() >= 0  # readable: backups dump it
    _denied(
        engine,
        "INSERT INTO users (username, role, created_at, disabled, failed_attempts) VALUES ('mallory', 'admin', now(), false, 0)",
    )
    _denied(engine, "UPDATE users SET role = 'admin'")
    _denied(engine, "DELETE FROM user_sessions")
    engine.dispose()


def test_the_sidecar_runs_a_whole_preload_and_refresh_under_its_role(server, seeded, httpserver):
    """Everything a download run writes (data, download log, source health, versions, stats,
    quality, the search index, its status row) is within the sidecar's rights."""
    from config.catalog import load_catalog
    from config.settings import load_settings
    from jobs import commands
    from sql.store import configure
    from tests.conftest import serve_fred

    tmp_path, _ = seeded
    env = {**_env(server, tmp_path, "sidecar"), "SPARTAN_FRED_BASE_URL": serve_fred(httpserver)}
    store = configure(load_settings(env))
    catalog = load_catalog(store.settings)
    assert commands.preload(store, catalog, show_progress=False, report=False) == 0
    assert commands.refresh(store, catalog) == 0
    with store.engine.connect() as conn:
        logged = conn.execute(sa.text("SELECT count(DISTINCT run_kind) FROM download_log")).scalar()
    assert logged == 2  # both runs logged their downloads
    store.engine.dispose()


def test_tables_of_later_migrations_get_the_same_rights(server, seeded):
    tmp_path, _ = seeded
    owner = _store(server, tmp_path, "owner").engine
    with owner.begin() as conn:
        conn.execute(sa.text(f'CREATE TABLE "{SCHEMA}".later_dataset (id serial PRIMARY KEY, v int)'))
    sidecar = _store(server, tmp_path, "sidecar").engine
    with sidecar.begin() as conn:
        conn.execute(sa.text("INSERT INTO later_dataset (v) VALUES (1)"))
    web = _store(server, tmp_path, "web").engine
    with web.connect() as conn:
        assert conn.execute(sa.text("SELECT v FROM later_dataset")).scalar() == 1
    _denied(web, "INSERT INTO later_dataset (v) VALUES (2)")
    with owner.begin() as conn:
        conn.execute(sa.text(f'DROP TABLE "{SCHEMA}".later_dataset'))
    for engine in (owner, sidecar, web):
        engine.dispose()


def test_the_printed_grants_refuse_bad_names_and_a_schema_of_another_owner(server, seeded, capsys, monkeypatch):
    from jobs.__main__ import main
    from sql.roles import Roles, RolesError

    tmp_path, _ = seeded
    with pytest.raises(RolesError, match="plain lower-case identifier"):
        Roles(web='web"; DROP TABLE users; --')
    with pytest.raises(RolesError, match="three different roles"):
        Roles(web="spartan_sidecar")
    for name, value in _env(server, tmp_path, "owner").items():
        monkeypatch.setenv(name, value)
    assert main(["roles"]) == 0
    printed = capsys.readouterr().out
    assert f'ALTER DEFAULT PRIVILEGES FOR ROLE "spartan_owner" IN SCHEMA "{SCHEMA}"' in printed
    assert '"users_id_seq"' in printed and '"watchlists_id_seq"' in printed
    # The web's role is no owner: it may not hand out rights.
    for name, value in _env(server, tmp_path, "web").items():
        monkeypatch.setenv(name, value)
    assert main(["roles", "--apply"]) == 1
    assert "connected as spartan_web: grants are given by the owner role 'spartan_owner'" in capsys.readouterr().err


def test_the_sidecar_backs_up_and_the_owner_restores_then_grants_again(server, seeded, monkeypatch):
    """The daily backup runs as the sidecar (pg_dump reads every table); a restore runs as the
    owner and brings back tables without grants (pg_restore --no-privileges): `jobs roles
    --apply` after it gives the web and the sidecar their rights again."""
    from jobs.__main__ import main
    from jobs.backup import create_backup, restore_backup

    tmp_path, written = seeded
    monkeypatch.setenv("PATH", f"{server.bin_dir}:{os.environ['PATH']}")  # pg_dump of the server's version
    sidecar = _store(server, tmp_path, "sidecar")
    backup = create_backup(sidecar, tmp_path / "backups")
    sidecar.engine.dispose()
    owner = _store(server, tmp_path, "owner")
    restore_backup(owner, backup.path)
    owner.engine.dispose()
    for name, value in _env(server, tmp_path, "owner").items():
        monkeypatch.setenv(name, value)
    assert main(["roles", "--apply"]) == 0
    web = _store(server, tmp_path, "web").engine
    with web.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM treasury_yields")).scalar() == written["treasury_yields"]
    _denied(web, "DELETE FROM treasury_yields")
    web.dispose()


def test_the_init_script_hands_tables_of_an_older_volume_to_the_owner(server, seeded):
    """Before the roles, the superuser migrated: run again on such a volume, the script makes
    the owner own those tables, so it can migrate and grant on them."""
    admin = sa.create_engine(server.url(database=DATABASE).replace("postgresql://", "postgresql+psycopg2://"))
    owner_of = sa.text("SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = 'older_table'")
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE TABLE "{SCHEMA}".older_table (id serial PRIMARY KEY)'))
        assert conn.execute(owner_of, {"s": SCHEMA}).scalar() == server.superuser
    _run_init_script(server)
    with admin.begin() as conn:
        assert conn.execute(owner_of, {"s": SCHEMA}).scalar() == "spartan_owner"
        conn.execute(sa.text(f'DROP TABLE "{SCHEMA}".older_table'))
    admin.dispose()


def test_the_init_script_refuses_to_run_without_the_role_passwords():
    env = {"PATH": os.environ["PATH"], "SPARTAN_DB_OWNER_PASSWORD": "x", "SPARTAN_DB_WEB_PASSWORD": "y"}
    done = subprocess.run(["sh", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "set SPARTAN_DB_SIDECAR_PASSWORD" in done.stderr


def test_a_role_that_may_not_migrate_says_who_must_when_the_schema_is_behind(server, seeded):
    from sql.migrate import MigrationRightsError, upgrade

    tmp_path, _ = seeded
    owner = _store(server, tmp_path, "owner").engine
    with owner.begin() as conn:
        head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0014'"))
    try:
        web = _store(server, tmp_path, "web")
        with pytest.raises(MigrationRightsError, match="role 'spartan_web' may not: run `python -m jobs migrate`"):
            upgrade(web.settings, web.engine)
        web.engine.dispose()
    finally:
        with owner.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        owner.dispose()
