"""Response deadlines (F2): hours and working days in the association's time zone, the board's own rules, overdue."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from blueprints.faults import reporting, workflow
from models import Association
from models.faults import FaultDeadline, FaultReport

R = FaultReport
STOCKHOLM = ZoneInfo("Europe/Stockholm")  # alpha's time zone; UTC+1 in early March, UTC+2 from 29 March 2026


def local(*args) -> dt.datetime:
    """A Stockholm wall-clock time as the aware UTC moment the clock is set to."""
    return dt.datetime(*args, tzinfo=STOCKHOLM).astimezone(dt.UTC)


def as_local(naive_utc: dt.datetime) -> dt.datetime:
    return naive_utc.replace(tzinfo=dt.UTC).astimezone(STOCKHOLM).replace(tzinfo=None)


def test_an_urgent_report_is_due_in_24_hours(app, in_request, make_report, frozen_clock):
    frozen_clock.set(local(2026, 3, 6, 16, 30))  # Friday afternoon: hours run through the weekend
    report = make_report(severity=R.URGENT)
    assert as_local(report.deadline_at) == dt.datetime(2026, 3, 7, 16, 30)


def test_a_normal_report_is_due_in_five_working_days(app, in_request, make_report, frozen_clock):
    frozen_clock.set(local(2026, 3, 2, 10, 0))  # Monday
    report = make_report(severity=R.NORMAL)
    assert as_local(report.deadline_at) == dt.datetime(2026, 3, 9, 10, 0)  # next Monday


def test_a_report_on_friday_afternoon_skips_the_weekend(app, in_request, make_report, frozen_clock):
    frozen_clock.set(local(2026, 3, 6, 15, 0))  # Friday 15:00
    assert as_local(make_report(severity=R.NORMAL).deadline_at) == dt.datetime(2026, 3, 13, 15, 0)
    assert as_local(make_report(severity=R.LOW).deadline_at) == dt.datetime(2026, 3, 20, 15, 0)


def test_a_report_on_saturday_counts_from_monday(app, in_request, fault_world, make_report, frozen_clock):
    FaultDeadline.create(association=fault_world.alpha, severity=R.NORMAL, amount=1, unit=FaultDeadline.WORKING_DAYS)
    frozen_clock.set(local(2026, 3, 7, 11, 0))  # Saturday
    assert as_local(make_report().deadline_at) == dt.datetime(2026, 3, 9, 11, 0)  # Monday
    frozen_clock.set(local(2026, 3, 8, 11, 0))  # Sunday
    assert as_local(make_report().deadline_at) == dt.datetime(2026, 3, 9, 11, 0)


def test_working_days_are_counted_in_the_associations_time_zone(app, make_association):
    """Friday 23:30 UTC is already Saturday in Stockholm, and Saturday morning in Tokyo."""
    friday_night_utc = dt.datetime(2026, 3, 6, 23, 30)
    rules = dict(severity=R.NORMAL, amount=1, unit=FaultDeadline.WORKING_DAYS)
    stockholm = make_association("stock", timezone="Europe/Stockholm")
    london = make_association("london", timezone="Europe/London")
    FaultDeadline.create(association=stockholm, **rules)
    FaultDeadline.create(association=london, **rules)

    # In London it is still Friday: one working day is Monday, same time.
    assert workflow.deadline_for(london, R.NORMAL, friday_night_utc) == dt.datetime(2026, 3, 9, 23, 30)
    # In Stockholm it is Saturday 00:30: one working day is Monday 00:30 local, Sunday 23:30 UTC.
    assert workflow.deadline_for(stockholm, R.NORMAL, friday_night_utc) == dt.datetime(2026, 3, 8, 23, 30)


def test_a_deadline_across_the_change_to_summer_time_keeps_the_wall_clock(app, alpha):
    reported = local(2026, 3, 27, 10, 0).replace(tzinfo=None)  # Friday 10:00, UTC+1
    due = workflow.deadline_for(alpha, R.NORMAL, reported)
    assert as_local(due) == dt.datetime(2026, 4, 3, 10, 0)  # Friday 10:00, UTC+2
    assert due - reported == dt.timedelta(days=7, hours=-1)


def test_the_boards_own_deadlines_replace_the_defaults(app, in_request, fault_world, make_report, frozen_clock):
    alpha = fault_world.alpha
    FaultDeadline.create(association=alpha, severity=R.URGENT, amount=4, unit=FaultDeadline.HOURS)
    FaultDeadline.create(association=alpha, severity=R.NORMAL, amount=2, unit=FaultDeadline.WORKING_DAYS)
    # Another association's rules change nothing here.
    FaultDeadline.create(association=fault_world.beta, severity=R.LOW, amount=1, unit=FaultDeadline.HOURS)
    frozen_clock.set(local(2026, 3, 5, 9, 0))  # Thursday

    assert as_local(make_report(severity=R.URGENT).deadline_at) == dt.datetime(2026, 3, 5, 13, 0)
    assert as_local(make_report(severity=R.NORMAL).deadline_at) == dt.datetime(2026, 3, 9, 9, 0)
    assert as_local(make_report(severity=R.LOW).deadline_at) == dt.datetime(2026, 3, 19, 9, 0)  # default: 10
    assert workflow.deadline_rules(alpha)[R.LOW] == workflow.DEFAULT_DEADLINES[R.LOW]


def test_a_request_gets_a_deadline_too(app, in_request, make_report, frozen_clock):
    frozen_clock.set(local(2026, 3, 2, 10, 0))
    request = make_report(kind=R.REQUEST, responsible=R.ADMINISTRATION, severity=R.NORMAL)
    assert as_local(request.deadline_at) == dt.datetime(2026, 3, 9, 10, 0)


# --- overdue ---------------------------------------------------------------------------------


def _overdue_titles(association: Association) -> set[str]:
    now = workflow.clock.utcnow_naive()
    return {r.title for r in FaultReport.of(association).where(workflow.overdue_expression(now))}


def test_an_open_report_past_its_deadline_is_overdue(app, in_request, fault_world, make_report, frozen_clock):
    frozen_clock.set(local(2026, 3, 2, 10, 0))
    urgent = make_report(severity=R.URGENT, title="Burst pipe")
    normal = make_report(severity=R.NORMAL, title="Dripping tap")
    assert not workflow.is_overdue(urgent) and _overdue_titles(fault_world.alpha) == set()

    frozen_clock.advance(dt.timedelta(hours=24))  # exactly at the deadline: not yet late
    assert not workflow.is_overdue(urgent)
    frozen_clock.advance(dt.timedelta(minutes=1))
    assert workflow.is_overdue(urgent) and not workflow.is_overdue(normal)
    assert _overdue_titles(fault_world.alpha) == {"Burst pipe"}

    # Work on it that has not closed it leaves it overdue; closing it ends that.
    reporting.change_status(urgent, R.IN_PROGRESS, fault_world.board)
    assert workflow.is_overdue(FaultReport.get_by_id(urgent.id))
    reporting.change_status(urgent, R.RESOLVED, fault_world.board, note="Fixed.")
    assert not workflow.is_overdue(FaultReport.get_by_id(urgent.id))
    assert _overdue_titles(fault_world.alpha) == set()


@pytest.mark.parametrize("status", [R.RESOLVED, R.REJECTED])
def test_a_closed_report_is_never_overdue(app, in_request, fault_world, make_report, frozen_clock, status):
    report = make_report(severity=R.URGENT)
    reporting.change_status(report, status, fault_world.board, note="Done.")
    frozen_clock.advance(dt.timedelta(days=30))
    assert not workflow.is_overdue(FaultReport.get_by_id(report.id))
