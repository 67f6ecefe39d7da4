"""Row counts and content checksums of every table of the station's schema, as a backup's
manifest records them and a restore compares them (jobs/backup.py).

The tables are the ones the database holds (reflected, the Alembic version table included),
not the code's schema: a backup of an older revision is fingerprinted as it is. Rows are read
in primary-key order (every column for a table without one), text compared byte-wise
(``COLLATE "C"`` on PostgreSQL), so two copies of one table give one checksum whatever the
server's locale or the physical order of the rows.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, MetaData, String, text

# Rows fetched at a time: the checksum streams, it never holds a table in memory.
_BATCH = 5000
_NULL = "\\N"


def _value(value) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _order_by(conn: Connection, table, quote) -> str:
    keys = list(table.primary_key.columns) or list(table.columns)
    collate = ' COLLATE "C"' if conn.dialect.name == "postgresql" else ""
    return ", ".join(quote(c.name) + (collate if isinstance(c.type, String) else "") for c in keys)


def table_fingerprints(conn: Connection, schema: str | None = None) -> dict[str, dict[str, object]]:
    """``{table: {"rows": n, "checksum": sha256 hex}}`` for every table of ``schema`` (None: the
    SQLite database's), by table name, as ``conn`` sees them (one transaction: one snapshot)."""
    reflected = MetaData()
    reflected.reflect(conn, schema=schema)
    quote = conn.dialect.identifier_preparer.quote
    out: dict[str, dict[str, object]] = {}
    for table in sorted(reflected.tables.values(), key=lambda t: t.name):
        columns = sorted(table.columns, key=lambda c: c.name)
        name = f"{quote(schema)}.{quote(table.name)}" if schema else quote(table.name)
        listed = ", ".join(quote(c.name) for c in columns)
        query = text(f"SELECT {listed} FROM {name} ORDER BY {_order_by(conn, table, quote)}")
        digest = hashlib.sha256("\t".join(c.name for c in columns).encode() + b"\n")
        rows = 0
        result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)
        for batch in result.partitions(_BATCH):
            for row in batch:
                digest.update("\t".join(map(_value, row)).encode() + b"\n")
            rows += len(batch)
        out[table.name] = {"rows": rows, "checksum": digest.hexdigest()}
    return out


def differences(expected: dict[str, dict], found: dict[str, dict]) -> list[str]:
    """What differs between two fingerprints, one line per table (empty: they are equal)."""
    lines = []
    for name in sorted(set(expected) | set(found)):
        want, got = expected.get(name), found.get(name)
        if want is None:
            lines.append(f"{name}: not in the backup's manifest ({got['rows']} rows restored)")
        elif got is None:
            lines.append(f"{name}: missing after the restore (the manifest has {want['rows']} rows)")
        elif want["rows"] != got["rows"]:
            lines.append(f"{name}: {got['rows']} rows restored, the manifest has {want['rows']}")
        elif want["checksum"] != got["checksum"]:
            lines.append(f"{name}: same rows, but its checksum differs from the manifest's")
    return lines
