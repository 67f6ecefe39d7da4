"""Alembic environment: migrations run on a connection handed over by sql.migrate."""

from alembic import context

from sql.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `python -m jobs migrate` (sql.migrate.upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table_schema=config.attributes.get("db_schema"),
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
