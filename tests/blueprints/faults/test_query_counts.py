"""The fault list and a report page cost the same number of queries however many reports and events."""

from __future__ import annotations

import datetime as dt

import pytest

from models.faults import FaultAttachment, FaultEvent, FaultReport


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return int(response.headers["X-Query-Count"])


def add_reports(world, n):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for i in range(n):
        FaultReport.create(
            association=world.alpha,
            title=f"Report {i}",
            reporter=world.owner,
            unit=world.units["A1"] if i % 3 else None,
            building=world.house_a if i % 2 else world.house_b,
            place="unit" if i % 3 else "common_area",
            area="Laundry",
            assignee=world.board if i % 2 else None,
            deadline_at=now + dt.timedelta(hours=(-5 if i % 4 == 0 else 5)),
        )


def add_events(report, world, n):
    for i in range(n):
        actor = world.board if i % 2 else world.owner
        event = FaultEvent.create(report=report, actor=actor, kind="comment", text=f"Comment {i}")
        if i % 5 == 0:
            FaultAttachment.create(
                report=report, event=event, stored_name="x.jpg", content_type="image/jpeg", is_image=True
            )


@pytest.mark.parametrize("email", ["board@alpha.example", "owner@alpha.example"])
def test_the_list_costs_the_same_for_5_and_60_reports(client, login, fault_world, email):
    login(client, email)
    add_reports(fault_world, 5)
    few = {tab: queries(client, f"/alpha/faults?tab={tab}") for tab in ("open", "all", "mine")}
    htmx_few = queries(client, "/alpha/faults?category=other", **{"HX-Request": "true"})
    add_reports(fault_world, 55)
    assert {tab: queries(client, f"/alpha/faults?tab={tab}") for tab in ("open", "all", "mine")} == few
    assert queries(client, "/alpha/faults?category=other", **{"HX-Request": "true"}) == htmx_few
    # The session, the page of reports, the buildings for the filter; a resolver's menu count and assignees.
    assert max(few.values()) <= 6


@pytest.mark.parametrize("email", ["board@alpha.example", "owner@alpha.example"])
def test_a_report_page_costs_the_same_for_1_and_20_events(client, login, fault_world, email):
    add_reports(fault_world, 1)
    report = FaultReport.get()
    login(client, email)
    add_events(report, fault_world, 1)
    few = queries(client, f"/alpha/faults/{report.id}")
    part = queries(client, f"/alpha/faults/{report.id}", **{"HX-Request": "true"})
    add_events(report, fault_world, 19)
    assert queries(client, f"/alpha/faults/{report.id}") == few
    assert queries(client, f"/alpha/faults/{report.id}", **{"HX-Request": "true"}) == part
    # The session, the report with its place and people, its events, its files; a resolver's handlers (roles,
    # memberships) and the menu count.
    assert few <= 7
