"""Mail about reports (F3), through the real SMTP server: who gets it, once, in their language, with a link."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from flask import url_for

from blueprints.faults import notifications, reporting
from models import Membership, OutboundEmail, Role, User
from models import permissions as perms
from models.faults import FaultReport
from models.register import Residency
from tests.helpers import text_of

R = FaultReport


@pytest.fixture
def world(app, in_request, fault_world, make_user, smtp_server):
    """fault_world plus two more handlers: an administrator (Czech) and a caretaker who only resolves faults."""
    w = fault_world
    w.admin = make_user(w.alpha, "admin@alpha.example", "administrator")
    w.caretaker = make_user(w.alpha, "caretaker@alpha.example", "member")
    caretaker_role = Role.create(association=w.alpha, name="Caretaker", permissions=perms.FAULTS_RESOLVE)
    Membership.update(role=caretaker_role).where(Membership.user == w.caretaker).execute()
    User.update(ui_language="sv").where(User.id == w.board.id).execute()
    User.update(ui_language="cs").where(User.id == w.admin.id).execute()
    return w


def page_of(report) -> str:
    """The report's page, as mail links to it."""
    path = url_for("faults.report_page", slug=report.association.slug, report_id=report.id)
    assert str(report.id) in path
    return "http://porch.test" + path


def recipients(messages) -> Counter:
    return Counter(m["To"] for m in messages)


def languages(messages) -> dict[str, str]:
    """Each delivered mail's language: that of the outbox row it was sent from (and its header, if kept)."""
    found = {}
    for message in messages:
        row = OutboundEmail.get_by_id(int(message["X-Porch-Outbox-Id"]))
        assert message["Content-Language"] in (None, row.language)
        found[message["To"]] = row.language
    return found


def test_a_new_fault_goes_to_every_resolver_once_each_in_their_language(world, make_report, smtp_server):
    report = make_report(world.owner, title="Water on the floor")

    messages = smtp_server.wait_for(3)
    assert recipients(messages) == Counter(
        {"board@alpha.example": 1, "admin@alpha.example": 1, "caretaker@alpha.example": 1}
    )
    assert languages(messages) == {
        "board@alpha.example": "sv",
        "admin@alpha.example": "cs",
        "caretaker@alpha.example": "en",  # no choice of their own: the association's language
    }
    rows = OutboundEmail.select().where(OutboundEmail.kind == "fault_new")
    assert {(r.to_address, r.language) for r in rows} == set(languages(messages).items())
    english = next(m for m in messages if m["To"] == "caretaker@alpha.example")
    assert "Water on the floor" in english["Subject"]
    assert "Flat A1" in text_of(english)
    # The unit is named in each reader's language (issue 17, item 8).
    swedish = next(m for m in messages if m["To"] == "board@alpha.example")
    assert "Lägenhet A1" in text_of(swedish)
    assert page_of(report) in text_of(english).split()


def test_a_new_report_never_reaches_people_who_cannot_see_it(world, make_report, smtp_server):
    make_report(world.tenant, title="Window will not close")
    smtp_server.wait_for(3)
    reached = set(recipients(smtp_server.messages))
    # Not the reporter, another unit's tenant or owner, a plain member, nor another association's board.
    for address in (
        "tenant@alpha.example",
        "owner@alpha.example",
        "neighbour@alpha.example",
        "member@alpha.example",
        "outsider@beta.example",
        "owner@beta.example",
    ):
        assert address not in reached


def test_a_resolver_whose_membership_ended_or_account_is_disabled_is_not_mailed(world, make_report, smtp_server):
    yesterday = world.alpha.today() - dt.timedelta(days=1)
    Membership.update(valid_to=yesterday).where(Membership.user == world.admin).execute()
    User.update(state=User.DISABLED).where(User.id == world.caretaker.id).execute()

    make_report(world.owner)

    assert set(recipients(smtp_server.wait_for(1))) == {"board@alpha.example"}
    assert OutboundEmail.select().count() == 1


def test_a_request_goes_only_to_the_responsible_role(world, make_report, smtp_server):
    make_report(world.owner, kind=R.REQUEST, responsible=R.ACCOUNTS, title="Why two invoices?")
    # Accounts: board and administrator hold invoices.view_all; the caretaker only resolves faults.
    assert set(recipients(smtp_server.wait_for(2))) == {"board@alpha.example", "admin@alpha.example"}

    smtp_server.messages.clear()
    make_report(world.tenant, kind=R.REQUEST, responsible=R.REPAIRS, title="Spare key")
    assert set(recipients(smtp_server.wait_for(3))) == {
        "board@alpha.example",
        "admin@alpha.example",
        "caretaker@alpha.example",
    }


def test_a_resolver_who_reports_a_fault_is_not_told_about_it(world, make_report, smtp_server):
    make_report(world.board, place=R.WHOLE_BUILDING, building_id=world.house_b.id, title="Roof")
    assert set(recipients(smtp_server.wait_for(2))) == {"admin@alpha.example", "caretaker@alpha.example"}


def test_with_an_assignee_only_the_assignee_hears_of_it(world, make_report, smtp_server):
    report = make_report(world.owner)
    smtp_server.wait_for(3)
    smtp_server.messages.clear()
    FaultReport.update(assignee=world.caretaker).where(FaultReport.id == report.id).execute()

    from models.db import transaction

    with transaction():
        notifications.new_report(FaultReport.get_by_id(report.id))

    assert set(recipients(smtp_server.wait_for(1))) == {"caretaker@alpha.example"}


def test_the_new_assignee_is_told_in_their_language(world, make_report, smtp_server):
    report = make_report(world.owner, title="Lift stuck")
    smtp_server.wait_for(3)
    smtp_server.messages.clear()

    reporting.assign(report, world.admin.id, world.board)

    [message] = smtp_server.wait_for(1)
    assert languages([message]) == {"admin@alpha.example": "cs"}
    assert OutboundEmail.get(OutboundEmail.kind == "fault_assigned").to_address == "admin@alpha.example"
    assert page_of(report) in text_of(message).split()


def test_taking_a_report_yourself_sends_no_mail(world, make_report, smtp_server):
    report = make_report(world.owner)
    smtp_server.wait_for(3)
    reporting.assign(report, world.board.id, world.board)
    assert not OutboundEmail.select().where(OutboundEmail.kind == "fault_assigned").exists()


def test_on_close_the_reporter_and_commenters_are_told_once_each_not_the_closer(world, make_report, smtp_server):
    w = world
    report = make_report(w.tenant, place=R.COMMON_AREA, building_id=w.house_a.id, area="Laundry", title="Dryer")
    smtp_server.wait_for(3)
    smtp_server.messages.clear()
    User.update(ui_language="sv").where(User.id == w.neighbour.id).execute()
    reporting.comment(report, w.neighbour, "Mine too.")
    reporting.comment(report, w.neighbour, "Still broken.")
    reporting.comment(report, w.owner, "Same here.")
    reporting.comment(report, w.tenant, "Thanks all.")  # the reporter commenting: still one mail
    reporting.comment(report, w.board, "On it.")
    reporting.comment(report, w.admin, "Ordered a part.")

    reporting.change_status(report, R.RESOLVED, w.board, note="New drum belt fitted.")

    messages = smtp_server.wait_for(4)
    assert recipients(messages) == Counter(
        {
            "tenant@alpha.example": 1,
            "neighbour@alpha.example": 1,
            "owner@alpha.example": 1,
            "admin@alpha.example": 1,
        }
    )
    assert languages(messages)["neighbour@alpha.example"] == "sv"
    assert languages(messages)["admin@alpha.example"] == "cs"
    tenant_mail = next(m for m in messages if m["To"] == "tenant@alpha.example")
    assert "New drum belt fitted." in text_of(tenant_mail)
    assert page_of(report) in text_of(tenant_mail).split()


def test_on_close_nobody_who_can_no_longer_see_it_is_told(world, make_report, smtp_server):
    w = world
    report = make_report(w.neighbour, place=R.COMMON_AREA, building_id=w.house_a.id, area="Hall", title="Hall door")
    reporting.comment(report, w.tenant, "It slams.")
    reporting.comment(report, w.owner, "Yes.")
    smtp_server.wait_for(3)
    smtp_server.messages.clear()
    # The tenant moved out and the owner's account was disabled since they commented.
    tenant_person = Membership.get(Membership.user == w.tenant).person
    Residency.update(end_date=w.alpha.today() - dt.timedelta(days=1)).where(Residency.person == tenant_person).execute()
    User.update(state=User.DISABLED).where(User.id == w.owner.id).execute()

    reporting.change_status(report, R.REJECTED, w.admin, note="Works as designed.")

    assert set(recipients(smtp_server.wait_for(1))) == {"neighbour@alpha.example"}
    assert OutboundEmail.select().where(OutboundEmail.kind == "fault_closed").count() == 1


def test_can_see_follows_the_privacy_rule(world, make_report):
    w = world
    unit_fault = make_report(w.owner)
    assert notifications.can_see(unit_fault, w.owner)
    assert notifications.can_see(unit_fault, w.board)
    assert not notifications.can_see(unit_fault, w.tenant)
    assert not notifications.can_see(unit_fault, w.neighbour)
    assert not notifications.can_see(unit_fault, w.outsider)  # a board, of another association
    assert not notifications.can_see(unit_fault, w.beta_owner)


def test_a_refused_report_sends_nothing(world, smtp_server):
    with pytest.raises(reporting.WorkflowError):
        reporting.report(
            world.alpha,
            world.owner,
            world.membership(world.owner),
            kind=R.FAULT,
            place=R.IN_UNIT,
            unit_id=world.units["A3"].id,  # not theirs
            building_id=None,
            area="",
            responsible="",
            category="other",
            severity=R.NORMAL,
            title="Not mine",
            details="",
            contact_phone="",
            contact_email="",
            files=(),
        )
    assert OutboundEmail.select().count() == 0 and smtp_server.messages == []
