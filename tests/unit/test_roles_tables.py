"""The web's database role may write exactly the tables of the users' own data (sql/roles.py):
a table added to those schema modules without a grant made the web fail on PostgreSQL with
least-privilege roles (boards, found by CI)."""

from __future__ import annotations

from sqlalchemy import Table

from sql import roles, schema_boards, schema_users, schema_watchlists


def test_every_table_of_the_users_own_data_is_writable_by_the_web():
    own = {
        value.name
        for module in (schema_users, schema_watchlists, schema_boards)
        for value in vars(module).values()
        if isinstance(value, Table)
    }
    assert {"users", "boards", "board_panels", "watchlists"} <= own
    assert {table.name for table in roles.WEB_TABLES} == own
