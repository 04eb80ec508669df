"""Queries every page of a kind runs are read by an index, not by scanning the association (SQLite's plans)."""

import peewee as pw
import pytest

from blueprints.billing.plans import _has_open_instalment
from models.billing import InstalmentPlan
from models.community import Thread
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


def test_a_plans_open_instalments_are_asked_for_by_the_invoices_plan_index():
    # As a list of every plan's open instalments, SQLite read the whole invoice table on each balance page.
    kept = (InstalmentPlan.association == 1) & (InstalmentPlan.state == InstalmentPlan.ACTIVE)
    found = plan(InstalmentPlan.select(InstalmentPlan.id).where(kept & _has_open_instalment()))
    assert "USING INDEX invoice_plan_id (plan_id=?)" in found and "SCAN" not in found


def test_one_thread_is_checked_against_its_own_document_and_vote():
    # As lists of every readable document's and vote's id, SQLite built both to open a single thread.
    found = plan(Thread.select(Thread.id).where((Thread.id == 1) & Thread.readable_by(1)))
    assert "CORRELATED SCALAR SUBQUERY" in found and "SCAN" not in found
    assert "SEARCH t2 USING INDEX document_folder_id" not in found
