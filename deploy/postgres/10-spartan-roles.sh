#!/bin/sh
# The station's three PostgreSQL roles (README "Database roles"), made by a superuser:
#   spartan_owner    owns the schema: migrations and restores (compose's `migrate` service)
#   spartan_web      the web: reads, writes only its users' tables
#   spartan_sidecar  the scheduler: writes the data (and may use temporary tables, for COPY)
# The table rights are the owner's to give: `python -m jobs roles --apply`, which compose's
# migrate service runs after every migration (sql/roles.py).
#
# compose mounts this under /docker-entrypoint-initdb.d/, so postgres runs it when its volume is
# first created. Idempotent: on an existing database run it again by hand, e.g.
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-spartan-roles.sh
# which also hands tables made before the roles existed to spartan_owner. Passwords come from
# SPARTAN_DB_OWNER_PASSWORD, SPARTAN_DB_WEB_PASSWORD and SPARTAN_DB_SIDECAR_PASSWORD; connects
# as POSTGRES_USER to POSTGRES_DB (PGHOST/PGPORT as usual for psql).
set -eu
: "${SPARTAN_DB_OWNER_PASSWORD:?set SPARTAN_DB_OWNER_PASSWORD}"
: "${SPARTAN_DB_WEB_PASSWORD:?set SPARTAN_DB_WEB_PASSWORD}"
: "${SPARTAN_DB_SIDECAR_PASSWORD:?set SPARTAN_DB_SIDECAR_PASSWORD}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v schema="${SPARTAN_DB_SCHEMA:-spartan_research}" \
    -v owner_password="$SPARTAN_DB_OWNER_PASSWORD" \
    -v web_password="$SPARTAN_DB_WEB_PASSWORD" \
    -v sidecar_password="$SPARTAN_DB_SIDECAR_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I', name)
  FROM unnest(ARRAY['spartan_owner', 'spartan_web', 'spartan_sidecar']) AS name
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec
ALTER ROLE spartan_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE spartan_web LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'web_password';
ALTER ROLE spartan_sidecar LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'sidecar_password';

-- The database: no right for PUBLIC; connecting for the three, temporary tables for the sidecar
-- (its writes COPY through a staging table); creating schemas for the owner alone.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO spartan_web', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO spartan_sidecar', current_database()) \gexec
-- (A restore sets the schema in place aside and recreates it.)
SELECT format('GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO spartan_owner', current_database()) \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- The station's schema, owned by spartan_owner; tables made before the roles existed (an older
-- volume, where the superuser migrated) are handed over, their sequences with them.
SELECT format('CREATE SCHEMA %I AUTHORIZATION spartan_owner', :'schema')
 WHERE NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :'schema') \gexec
SELECT format('ALTER SCHEMA %I OWNER TO spartan_owner', :'schema') \gexec
SELECT format('ALTER TABLE %I.%I OWNER TO spartan_owner', schemaname, tablename)
  FROM pg_tables WHERE schemaname = :'schema' AND tableowner <> 'spartan_owner' \gexec
SQL
echo "spartan roles: spartan_owner, spartan_web, spartan_sidecar ready (schema ${SPARTAN_DB_SCHEMA:-spartan_research})"
