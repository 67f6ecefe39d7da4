"""The SQLAlchemy metadata every table of the station is defined on (sql/schema.py,
sql/schema_station.py), with the naming convention of its keys and indexes."""

from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    }
)
