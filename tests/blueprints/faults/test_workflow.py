"""The workflow of a report (F2): transitions, history, assignment, comments; and who sees what (F5)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from blueprints.faults import reporting
from blueprints.faults.workflow import TRANSITIONS, WorkflowError
from models import AuditLog
from models.faults import FaultEvent, FaultReport

R = FaultReport
ALLOWED = [(a, b) for a in R.STATUSES for b in sorted(TRANSITIONS[a])]
REFUSED = [(a, b) for a, b in itertools.product(R.STATUSES, R.STATUSES) if b not in TRANSITIONS[a]]


def test_the_table_covers_every_status():
    assert set(TRANSITIONS) == set(R.STATUSES)
    assert len(ALLOWED) + len(REFUSED) == len(R.STATUSES) ** 2
    assert (R.NEW, R.RESOLVED) in ALLOWED and (R.RESOLVED, R.IN_PROGRESS) in REFUSED


def _in_status(report: FaultReport, status: str) -> FaultReport:
    FaultReport.update(status=status).where(FaultReport.id == report.id).execute()
    return FaultReport.get_by_id(report.id)


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_every_allowed_transition_works_and_is_recorded(
    app, in_request, fault_world, make_report, outbox, frozen_clock, from_status, to_status
):
    report = _in_status(make_report(), from_status)
    frozen_clock.advance(dt.timedelta(hours=3))

    event = reporting.change_status(report, to_status, fault_world.board, note="Plumber booked.")

    stored = FaultReport.get_by_id(report.id)
    assert stored.status == to_status
    assert (stored.closed_at is not None) == (to_status in R.CLOSED_STATUSES)
    event = FaultEvent.get_by_id(event.id)
    assert (event.kind, event.from_status, event.to_status) == (FaultEvent.STATUS, from_status, to_status)
    assert event.actor_id == fault_world.board.id
    assert event.created_at == frozen_clock.now.replace(tzinfo=None)
    assert event.text == "Plumber booked."
    audit = AuditLog.get(AuditLog.action == "faults.status_changed")
    assert audit.actor_id == fault_world.board.id and audit.target.startswith(f"#{report.id} ")


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_every_other_transition_is_refused_and_nothing_changes(
    app, in_request, fault_world, make_report, outbox, from_status, to_status
):
    report = _in_status(make_report(), from_status)
    events_before = FaultEvent.select().where(FaultEvent.report == report).count()

    with pytest.raises(WorkflowError) as refused:
        reporting.change_status(report, to_status, fault_world.board, note="Because.")

    assert str(refused.value)  # a sentence for the user
    assert FaultReport.get_by_id(report.id).status == from_status
    assert FaultEvent.select().where(FaultEvent.report == report).count() == events_before
    assert not AuditLog.select().where(AuditLog.action == "faults.status_changed").exists()


def test_an_unknown_status_is_refused(app, in_request, fault_world, make_report):
    report = make_report()
    with pytest.raises(WorkflowError):
        reporting.change_status(report, "deleted", fault_world.board)
    assert FaultReport.get_by_id(report.id).status == R.NEW


def test_rejecting_needs_a_note(app, in_request, fault_world, make_report, outbox):
    report = make_report()
    with pytest.raises(WorkflowError, match="why"):
        reporting.change_status(report, R.REJECTED, fault_world.board, note="  ")
    assert FaultReport.get_by_id(report.id).status == R.NEW
    assert outbox.rows(kind="fault_closed") == []


def test_the_history_tells_the_whole_story_with_actors_and_times(
    app, in_request, fault_world, make_report, outbox, frozen_clock
):
    start = frozen_clock.now.replace(tzinfo=None)
    report = make_report(fault_world.owner)
    frozen_clock.advance(dt.timedelta(minutes=10))
    reporting.assign(report, fault_world.board.id, fault_world.board)
    frozen_clock.advance(dt.timedelta(minutes=10))
    reporting.change_status(report, R.IN_PROGRESS, fault_world.board)
    frozen_clock.advance(dt.timedelta(minutes=10))
    reporting.comment(report, fault_world.owner, "It is worse today.")
    frozen_clock.advance(dt.timedelta(minutes=10))
    reporting.change_status(report, R.RESOLVED, fault_world.board, note="New washer fitted.")
    frozen_clock.advance(dt.timedelta(minutes=10))
    reporting.change_status(report, R.REOPENED, fault_world.owner, note="Dripping again.")

    history = [
        (e.kind, e.from_status, e.to_status, e.actor_id, e.created_at)
        for e in FaultEvent.select().where(FaultEvent.report == report).order_by(FaultEvent.id)
    ]
    owner, board = fault_world.owner.id, fault_world.board.id
    minutes = [start + dt.timedelta(minutes=10 * i) for i in range(6)]
    assert history == [
        (FaultEvent.CREATED, "", R.NEW, owner, minutes[0]),
        (FaultEvent.ASSIGNED, "", "", board, minutes[1]),
        (FaultEvent.STATUS, R.NEW, R.IN_PROGRESS, board, minutes[2]),
        (FaultEvent.COMMENT, "", "", owner, minutes[3]),
        (FaultEvent.STATUS, R.IN_PROGRESS, R.RESOLVED, board, minutes[4]),
        (FaultEvent.STATUS, R.RESOLVED, R.REOPENED, owner, minutes[5]),
    ]
    stored = FaultReport.get_by_id(report.id)
    assert stored.responded_at == minutes[2]  # the first change by a resolver
    assert stored.closed_at is None and stored.is_open
    assert stored.updated_at == minutes[5]


def test_assigning_only_to_a_handler_of_this_association(app, in_request, fault_world, make_report, outbox):
    report = make_report()
    for stranger in (fault_world.tenant, fault_world.owner, fault_world.outsider):
        with pytest.raises(WorkflowError) as refused:
            reporting.assign(report, stranger.id, fault_world.board)
        assert refused.value.field == "assignee"
    assert FaultReport.get_by_id(report.id).assignee_id is None

    reporting.assign(report, fault_world.board.id, fault_world.owner)
    assert FaultReport.get_by_id(report.id).assignee_id == fault_world.board.id
    event = reporting.assign(report, None, fault_world.board)
    assert FaultReport.get_by_id(report.id).assignee_id is None
    assert event.kind == FaultEvent.ASSIGNED and event.assignee_id is None


def test_a_comment_needs_words_or_a_photo(app, in_request, fault_world, make_report, make_upload):
    report = make_report()
    with pytest.raises(WorkflowError) as refused:
        reporting.comment(report, fault_world.tenant, "   ")
    assert refused.value.field == "text"

    event = reporting.comment(report, fault_world.tenant, "", files=[make_upload()])
    assert event.kind == FaultEvent.COMMENT and event.text == ""
    assert [a.report_id for a in event.attachments] == [report.id]


# --- privacy (F5) ----------------------------------------------------------------------------


def _visible_titles(world, user, association=None) -> set[str]:
    association = association or world.alpha
    membership = world.membership(user, association)
    membership.association = association
    return {r.title for r in FaultReport.visible_to(membership)}


@pytest.fixture
def reports(app, in_request, fault_world, make_report, outbox):
    """One of each: a fault in A1 (owner's), in A2 (tenant's), a common area of each house, two requests."""
    w = fault_world
    make_report(w.owner, title="A1 tap")
    make_report(w.tenant, title="A2 window")
    make_report(w.tenant, place=R.COMMON_AREA, building_id=w.house_a.id, area="Laundry", title="A laundry")
    make_report(w.far_owner, place=R.WHOLE_BUILDING, building_id=w.house_b.id, title="B roof")
    make_report(w.owner, kind=R.REQUEST, responsible=R.ACCOUNTS, title="Owner's invoice question")
    make_report(w.tenant, kind=R.REQUEST, responsible=R.REPAIRS, title="Tenant asks for a key")
    make_report(w.beta_owner, w.beta, unit_id=w.beta_unit.id, title="Beta leak")
    return w


def test_a_unit_owner_sees_their_unit_their_building_and_their_own_requests(reports):
    assert _visible_titles(reports, reports.owner) == {"A1 tap", "A laundry", "Owner's invoice question"}


def test_a_tenant_of_another_unit_does_not_see_the_owners_fault(reports):
    assert _visible_titles(reports, reports.tenant) == {"A2 window", "A laundry", "Tenant asks for a key"}


def test_a_resident_of_the_same_building_sees_the_common_area_not_other_units(reports):
    # neighbour owns A2 (let to the tenant) and A3: A2's fault is theirs, A1's is not.
    assert _visible_titles(reports, reports.neighbour) == {"A2 window", "A laundry"}
    # B1's owner lives in the other house: only that house.
    assert _visible_titles(reports, reports.far_owner) == {"B roof"}


def test_a_member_without_a_unit_sees_nothing(reports):
    assert _visible_titles(reports, reports.member) == set()


def test_a_request_is_seen_by_its_sender_and_the_responsible_role_only(reports, make_association):
    w = reports
    # The board holds every responsible permission and resolves faults: all of alpha, nothing of beta.
    assert _visible_titles(w, w.board) == {
        "A1 tap",
        "A2 window",
        "A laundry",
        "B roof",
        "Owner's invoice question",
        "Tenant asks for a key",
    }
    # A role that only handles repairs sees the repairs request, not the one to accounts.
    from models import Membership, Role
    from models import permissions as perms

    repairs = Role.create(association=w.alpha, name="Caretaker", permissions=perms.FAULTS_RESOLVE)
    Membership.update(role=repairs).where(Membership.user == w.member).execute()
    seen = _visible_titles(w, w.member)
    assert "Tenant asks for a key" in seen and "Owner's invoice question" not in seen


def test_another_association_sees_none_of_it(reports):
    assert _visible_titles(reports, reports.outsider, reports.beta) == {"Beta leak"}
    assert _visible_titles(reports, reports.beta_owner, reports.beta) == {"Beta leak"}


def test_a_former_tenant_keeps_their_own_reports_only(reports, make_report):
    from models import Membership
    from models.register import Residency

    make_report(reports.owner, place=R.COMMON_AREA, building_id=reports.house_a.id, area="Hall", title="Hall light")
    assert "Hall light" in _visible_titles(reports, reports.tenant)
    person = Membership.get(Membership.user == reports.tenant).person
    last_day = reports.alpha.today() - dt.timedelta(days=1)
    Residency.update(end_date=last_day).where(Residency.person == person).execute()

    assert _visible_titles(reports, reports.tenant) == {"A2 window", "A laundry", "Tenant asks for a key"}
