"""The README's least-privilege PostgreSQL set-up works: a role with CONNECT and TEMPORARY on
the database and USAGE, CREATE on a schema an administrator made (no CREATE on the database)
migrates, writes with COPY through temporary staging tables, and reads."""

from __future__ import annotations

import secrets
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, REDIS_URL, drop_backend, make_settings

pytestmark = pytest.mark.skipif(not (PG_URL and REDIS_URL), reason="SPARTAN_TEST_DATABASE_URL/REDIS_URL not set")


def test_a_role_with_only_the_readme_rights_migrates_writes_and_reads(tmp_path):
    from config.catalog import load_catalog
    from jobs.demo import seed_demo
    from sql.migrate import upgrade
    from sql.store import configure

    admin_url = make_settings(tmp_path / "admin", "postgres").database_url  # with the station's driver
    admin = sa.create_engine(admin_url)
    role, schema, password = f"spartan_t_{uuid.uuid4().hex[:10]}", f"t_{uuid.uuid4().hex[:12]}", secrets.token_hex(12)
    with admin.begin() as conn:
        database = conn.execute(sa.text("SELECT current_database()")).scalar()
        can_create = conn.execute(sa.text("SELECT has_database_privilege('public', current_database(), 'CREATE')"))
        if can_create.scalar():
            pytest.skip("every role may create schemas in this database: nothing to prove")
        conn.execute(sa.text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"))
        conn.execute(sa.text(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{role}"'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(sa.text(f'GRANT USAGE, CREATE ON SCHEMA "{schema}" TO "{role}"'))
    url = sa.engine.make_url(admin_url).set(username=role, password=password)
    settings = make_settings(
        tmp_path, "postgres", SPARTAN_DATABASE_URL=url.render_as_string(hide_password=False), SPARTAN_DB_SCHEMA=schema
    )
    store = configure(settings)
    try:
        with store.engine.connect() as conn:
            assert not conn.execute(sa.text("SELECT has_database_privilege(current_database(), 'CREATE')")).scalar()
        upgrade(settings, store.engine)
        upgrade(settings, store.engine)  # every start migrates: the existing schema is left alone
        written = seed_demo(store, load_catalog(settings))
        assert written["treasury_yields"] > 0
        with store.engine.connect() as conn:
            rows = conn.execute(sa.text(f'SELECT count(*) FROM "{schema}".treasury_yields')).scalar()
        assert rows == written["treasury_yields"]
    finally:
        store.engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()
        drop_backend(settings.__class__(**{**settings.__dict__, "database_url": admin_url}))
