"""Queries every page of a kind runs are read by an index, not by scanning the association (SQLite's plans)."""

import peewee as pw
import pytest

from models.db import db
from models.portal import _holders_query


@pytest.fixture(autouse=True)
def _sqlite_only():
    if not isinstance(db.obj, pw.SqliteDatabase):
        pytest.skip("SQLite's EXPLAIN QUERY PLAN; PostgreSQL plans by its own statistics")


def plan(query) -> str:
    sql, params = query.sql()
    return " | ".join(row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))


def test_who_holds_the_boards_roles_is_read_by_association_and_role(alpha):
    # Two roles (the board and the administrators): by the association's index alone SQLite read every member.
    assert "membership_association_id_role_id (association_id=? AND role_id=?)" in plan(
        _holders_query(alpha.id, 1, 2, role_count=2)
    )
