"""Making a report (F1): what is checked, what is saved with it."""

from __future__ import annotations

import pytest

from blueprints.faults import reporting
from blueprints.faults.workflow import WorkflowError
from models import AuditLog, Membership, OutboundEmail
from models.faults import FaultAttachment, FaultEvent, FaultReport
from tests.blueprints.faults.conftest import jpeg_bytes, upload

R = FaultReport


def attempt(world, user, association=None, **fields):
    """reporting.report with a valid fault in unit A1 unless fields say otherwise."""
    association = association or world.alpha
    values = dict(
        kind=R.FAULT,
        place=R.IN_UNIT,
        unit_id=world.units["A1"].id,
        building_id=None,
        area="",
        responsible="",
        category="plumbing",
        severity=R.NORMAL,
        title="Dripping tap",
        details="",
        contact_phone="",
        contact_email="",
        files=(),
    )
    values.update(fields)
    return reporting.report(association, user, world.membership(user, association), **values)


def refused_field(world, user, **fields) -> str:
    before = FaultReport.select().count()
    with pytest.raises(WorkflowError) as refused:
        attempt(world, user, **fields)
    assert str(refused.value)  # a sentence for the form
    assert FaultReport.select().count() == before  # nothing saved
    return refused.value.field


@pytest.fixture
def world(app, in_request, fault_world, outbox):
    return fault_world


def test_a_fault_in_my_unit_is_saved_with_its_history_deadline_and_files(world, frozen_clock):
    report = attempt(
        world,
        world.owner,
        title="  Dripping   tap  ",
        details="Kitchen, left tap.",
        contact_phone="+46 70 123 45 67",
        contact_email="owner@alpha.example",
        severity=R.URGENT,
        files=[upload(jpeg_bytes(), "tap.jpg")],
    )

    stored = FaultReport.get_by_id(report.id)
    assert (stored.title, stored.details, stored.status) == ("Dripping tap", "Kitchen, left tap.", R.NEW)
    assert (stored.unit_id, stored.building_id) == (world.units["A1"].id, world.house_a.id)
    assert stored.reporter_id == world.owner.id
    assert stored.reporter_person_id == world.membership(world.owner).person_id
    assert (stored.contact_phone, stored.contact_email) == ("+46 70 123 45 67", "owner@alpha.example")
    assert stored.created_at == frozen_clock.now.replace(tzinfo=None)
    assert (stored.deadline_at - stored.created_at).total_seconds() == 24 * 3600
    [created] = FaultEvent.select().where(FaultEvent.report == report)
    assert (created.kind, created.to_status, created.actor_id) == (FaultEvent.CREATED, R.NEW, world.owner.id)
    [photo] = FaultAttachment.select().where(FaultAttachment.report == report)
    assert photo.event_id == created.id and photo.original_name == "tap.jpg"
    assert AuditLog.get(AuditLog.action == "faults.reported").actor_id == world.owner.id
    assert OutboundEmail.select().where(OutboundEmail.kind == "fault_new").count() == 1  # the board


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"category": "ghosts"}, "category"),
        ({"kind": "complaint"}, "kind"),
        ({"place": "garden"}, "place"),
        ({"unit_id": None}, "unit_id"),
        ({"unit_id": "abc"}, "unit_id"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"details": "x" * 10_001}, "details"),
        ({"place": R.COMMON_AREA, "building_id": None, "area": "Laundry"}, "building_id"),
        ({"kind": R.REQUEST, "responsible": ""}, "responsible"),
        ({"kind": R.REQUEST, "responsible": "the king"}, "responsible"),
    ],
)
def test_bad_input_is_refused_on_its_field(world, fields, field):
    assert refused_field(world, world.owner, **fields) == field


def test_a_title_of_200_characters_is_fine(world):
    assert len(attempt(world, world.owner, title="x" * 200).title) == 200


def test_a_resident_reports_only_in_their_own_unit(world):
    assert refused_field(world, world.owner, unit_id=world.units["A2"].id) == "unit_id"
    assert refused_field(world, world.tenant, unit_id=world.units["A1"].id) == "unit_id"
    assert refused_field(world, world.owner, unit_id=world.beta_unit.id) == "unit_id"  # another association
    assert attempt(world, world.tenant, unit_id=world.units["A2"].id).unit_id == world.units["A2"].id


def test_a_common_area_or_building_only_of_their_own_building(world):
    common = dict(place=R.COMMON_AREA, area="Bike room")
    assert refused_field(world, world.owner, building_id=world.house_b.id, **common) == "building_id"
    assert refused_field(world, world.owner, building_id=world.beta_house.id, **common) == "building_id"
    assert refused_field(world, world.owner, place=R.COMMON_AREA, building_id=world.house_a.id) == "area"
    assert refused_field(world, world.member, place=R.WHOLE_BUILDING, building_id=world.house_a.id) == "building_id"

    report = attempt(world, world.tenant, building_id=world.house_a.id, **common)
    assert (report.place, report.building_id, report.unit_id, report.area) == (
        R.COMMON_AREA,
        world.house_a.id,
        None,
        "Bike room",
    )
    whole = attempt(world, world.far_owner, place=R.WHOLE_BUILDING, building_id=world.house_b.id, area="ignored")
    assert (whole.building_id, whole.area) == (world.house_b.id, "")


def test_a_resolver_reports_anywhere_in_the_association(world):
    assert attempt(world, world.board, unit_id=world.units["B1"].id).unit_id == world.units["B1"].id
    assert attempt(world, world.board, place=R.WHOLE_BUILDING, building_id=world.house_b.id).building_id
    assert refused_field(world, world.board, unit_id=world.beta_unit.id) == "unit_id"


def test_an_archived_unit_cannot_get_new_reports(world):
    from core import clock
    from models.register import Unit

    Unit.update(archived_at=clock.utcnow_naive()).where(Unit.id == world.units["A1"].id).execute()
    assert refused_field(world, world.owner) == "unit_id"


def test_a_request_goes_to_a_responsible_role_without_a_place(world):
    request = attempt(world, world.member, kind=R.REQUEST, responsible=R.ACCOUNTS, unit_id=world.units["B1"].id)
    assert (request.kind, request.responsible, request.unit_id) == (R.REQUEST, R.ACCOUNTS, None)


def test_a_role_without_the_report_permission_cannot_report(world):
    role = world.alpha.role("tenant")
    role.permissions = ""
    role.save()
    with pytest.raises(WorkflowError):
        attempt(world, world.tenant, unit_id=world.units["A2"].id)
    assert FaultReport.select().count() == 0


def test_a_report_belongs_to_the_association_it_was_made_in(world):
    report = attempt(world, world.beta_owner, world.beta, unit_id=world.beta_unit.id)
    assert report.association_id == world.beta.id
    assert Membership.get(Membership.user == world.beta_owner).person_id == report.reporter_person_id
    assert FaultReport.of(world.alpha).count() == 0


# --- demo data -------------------------------------------------------------------------------


def test_the_demo_has_every_kind_of_report_in_both_associations(app):
    from blueprints.faults import attachments, workflow
    from demo.faults import load_faults
    from demo.people import load_people
    from demo.portal import load_associations
    from demo.register import load_register
    from models import Association, User

    with app.app_context():
        for _ in (*load_associations(), *load_register(), *load_people()):
            pass
        lines = list(load_faults())
        assert len(lines) == 3 and all("overdue" in line for line in lines)
        for slug in ("solrosen", "nakopci"):
            association = Association.get(Association.slug == slug)
            reports = list(FaultReport.of(association))
            board = User.get(User.email == f"board@{slug}.example")
            assert {r.status for r in reports} >= {R.NEW, R.IN_PROGRESS, R.RESOLVED, R.REJECTED}
            assert {r.kind for r in reports} == {R.FAULT, R.REQUEST}
            assert any(workflow.is_overdue(r) for r in reports)
            assert any(r.assignee_id == board.id for r in reports)
            events = FaultEvent.select().join(FaultReport).where(FaultReport.association == association)
            assert {e.kind for e in events} == {"created", "status", "assigned", "comment"}
            photos = list(FaultAttachment.select().join(FaultReport).where(FaultReport.association == association))
            assert len(photos) >= 3 and all(p.is_image for p in photos)
            assert all(attachments.path(p.report, p).is_file() for p in photos)
            # The owner can see their own reports; the history is in the past, in order.
            owner = User.get(User.email == f"owner@{slug}.example")
            membership = Membership.get(Membership.user == owner, Membership.association == association)
            membership.association = association
            assert FaultReport.visible_to(membership).count() >= 4
            assert all(e.created_at >= e.report.created_at for e in events)

        assert list(load_faults()) == [
            "Brf Solrosen: fault reports exist; left as they are.",
            "SVJ Na Kopci: fault reports exist; left as they are.",
            "Korteriühistu Kase 5: fault reports exist; left as they are.",
        ]
        assert OutboundEmail.select().count() == 0  # history, not news
