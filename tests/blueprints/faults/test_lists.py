"""The fault lists (F4): open, closed, all and mine; filters; overdue first; pages; the empty state."""

from __future__ import annotations

import datetime as dt
import html
import re

from models.faults import FaultReport

R = FaultReport
HX = {"HX-Request": "true"}


def put(world, title: str, *, reporter=None, unit="A1", age_hours: float = 1, due_in_hours: float = 48, **fields):
    """A report written straight to the database (the lists only read it): `age_hours` old."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    values = dict(
        association=world.alpha,
        title=title,
        reporter=reporter or world.owner,
        unit=world.units[unit] if unit else None,
        building=world.units[unit].building_id if unit else world.house_a,
        created_at=now - dt.timedelta(hours=age_hours),
        deadline_at=now + dt.timedelta(hours=due_in_hours),
    )
    values.update(fields)
    return FaultReport.create(**values)


def titles(response) -> list[str]:
    """The report titles in the order the list shows them."""
    assert response.status_code == 200
    found = re.findall(r"<strong>([^<]+)</strong></a><br>", response.get_data(as_text=True))
    return [html.unescape(title) for title in found]


def test_tabs_show_open_closed_all_and_mine(client, login, fault_world):
    put(fault_world, "Open tap")
    put(fault_world, "Fixed lamp", status="resolved")
    put(fault_world, "Refused wish", status="rejected")
    put(fault_world, "Board's own", reporter=fault_world.board, unit=None, place="building")
    login(client, "board@alpha.example")
    assert set(titles(client.get("/alpha/faults"))) == {"Open tap", "Board's own"}
    assert set(titles(client.get("/alpha/faults?tab=closed"))) == {"Fixed lamp", "Refused wish"}
    assert len(titles(client.get("/alpha/faults?tab=all"))) == 4
    assert titles(client.get("/alpha/faults?tab=mine")) == ["Board's own"]


def test_filters_by_building_category_severity_and_assignee(client, login, fault_world):
    put(fault_world, "Leak in A", category="plumbing", severity="urgent", assignee=fault_world.board)
    put(fault_world, "Lift in B", unit="B1", category="lift")
    put(fault_world, "Door in B", unit=None, building=fault_world.house_b, place="building", category="doors_locks")
    login(client, "board@alpha.example")
    assert titles(client.get(f"/alpha/faults?building={fault_world.house_a.id}")) == ["Leak in A"]
    assert set(titles(client.get(f"/alpha/faults?building={fault_world.house_b.id}"))) == {"Lift in B", "Door in B"}
    assert titles(client.get("/alpha/faults?category=lift")) == ["Lift in B"]
    assert titles(client.get("/alpha/faults?severity=urgent")) == ["Leak in A"]
    assert titles(client.get(f"/alpha/faults?assignee={fault_world.board.id}")) == ["Leak in A"]
    assert set(titles(client.get("/alpha/faults?assignee=none"))) == {"Lift in B", "Door in B"}
    page = client.get("/alpha/faults?category=heating").get_data(as_text=True)
    assert "No report matches these filters." in page
    # Nonsense in the query string is ignored, not an error.
    assert len(titles(client.get("/alpha/faults?category=x&severity=y&assignee=z&tab=w&page=-3"))) == 3


def test_the_filter_form_works_without_and_with_htmx(client, login, fault_world):
    put(fault_world, "Leak", category="plumbing")
    login(client, "board@alpha.example")
    page = client.get("/alpha/faults").get_data(as_text=True)
    assert 'method="get" action="/alpha/faults"' in page
    assert 'hx-get="/alpha/faults" hx-trigger="change" hx-target="#fault-list"' in page and 'hx-push-url="true"' in page
    part = client.get("/alpha/faults?category=plumbing", headers=HX).get_data(as_text=True)
    assert part.lstrip().startswith('<div id="fault-list">') and "<html" not in part and "Leak" in part


def test_overdue_reports_come_first_and_are_marked(client, login, fault_world):
    put(fault_world, "New and on time", age_hours=1, due_in_hours=24)
    put(fault_world, "Old and late", age_hours=100, due_in_hours=-2)
    put(fault_world, "Older, on time", age_hours=50, due_in_hours=5)
    put(fault_world, "Late but closed", age_hours=200, due_in_hours=-100, status="resolved")
    login(client, "board@alpha.example")
    response = client.get("/alpha/faults?tab=all")
    assert titles(response) == ["Old and late", "New and on time", "Older, on time", "Late but closed"]
    page = response.get_data(as_text=True)
    assert page.count('<span class="state state-overdue">Overdue</span>') == 1
    assert page.count("fault-row overdue") == 1


def test_a_row_shows_place_status_severity_and_deadline(client, login, fault_world):
    put(fault_world, "Stair light", unit=None, place="common_area", building=fault_world.house_a, area="Stairwell")
    put(fault_world, "Roof", unit=None, place="building", building=fault_world.house_b, severity="urgent")
    put(fault_world, "Question", unit=None, kind="request", responsible="repairs", status="in_progress")
    login(client, "board@alpha.example")
    page = client.get("/alpha/faults").get_data(as_text=True)
    assert "Stairwell (common area), House A" in page
    assert "The whole building House B" in page
    assert "Request to repairs and maintenance" in page
    assert '<span class="state state-fault-in_progress">In progress</span>' in page
    assert '<span class="severity severity-urgent">Urgent</span>' in page
    assert "Due " in page


def test_the_list_is_paginated(client, login, fault_world):
    for number in range(51):
        put(fault_world, f"Report {number:02d}", age_hours=100 - number)
    login(client, "board@alpha.example")
    first = client.get("/alpha/faults")
    assert len(titles(first)) == 50 and titles(first)[0] == "Report 50"
    assert 'href="/alpha/faults?page=2">Next page' in first.get_data(as_text=True)
    second = client.get("/alpha/faults?page=2")
    assert titles(second) == ["Report 00"]
    assert "Previous page" in second.get_data(as_text=True)


def test_empty_states(client, login, fault_world):
    login(client, "owner@alpha.example")
    assert "No open reports. Everything is in order." in client.get("/alpha/faults").get_data(as_text=True)
    assert "No closed reports yet." in client.get("/alpha/faults?tab=closed").get_data(as_text=True)
    assert "You have not reported anything yet." in client.get("/alpha/faults?tab=mine").get_data(as_text=True)
    assert "No reports yet." in client.get("/alpha/faults?tab=all").get_data(as_text=True)


def test_residents_see_only_what_they_may(client, login, fault_world):
    put(fault_world, "In my unit", unit="A1", reporter=fault_world.owner)
    put(fault_world, "In the neighbour's unit", unit="A3", reporter=fault_world.neighbour)
    put(
        fault_world,
        "Laundry in my house",
        unit=None,
        place="common_area",
        area="Laundry",
        reporter=fault_world.neighbour,
    )
    put(fault_world, "In the other house", unit="B1", reporter=fault_world.far_owner)
    put(fault_world, "To the administration", unit=None, kind="request", responsible="administration",
        reporter=fault_world.neighbour)  # fmt: skip
    login(client, "owner@alpha.example")
    assert set(titles(client.get("/alpha/faults?tab=all"))) == {"In my unit", "Laundry in my house"}
    login(client, "neighbour@alpha.example")
    assert set(titles(client.get("/alpha/faults?tab=all"))) == {
        "In the neighbour's unit",
        "Laundry in my house",
        "To the administration",
    }


def test_a_row_drawn_before_shows_what_changed_since(client, login, fault_world, frozen_clock):
    """The rendered rows are kept (core.rendering.cached_row): every change a row shows must still reach it."""
    frozen_clock.set(dt.datetime.now(dt.UTC))
    report = put(fault_world, "Dripping tap", due_in_hours=2)
    login(client, "board@alpha.example")
    before = client.get("/alpha/faults").get_data(as_text=True)
    assert '<span class="state state-fault-new">New</span>' in before and "· Handled by" not in before

    FaultReport.update(status="in_progress", assignee=fault_world.board).where(R.id == report.id).execute()
    changed = client.get("/alpha/faults").get_data(as_text=True)
    assert '<span class="state state-fault-in_progress">In progress</span>' in changed
    assert "· Handled by board" in changed

    fault_world.board.name = "Bea <Board>"
    fault_world.board.save()
    fault_world.house_a.name = "House Alpha"
    fault_world.house_a.save()
    renamed = client.get("/alpha/faults").get_data(as_text=True)
    assert "· Handled by Bea &lt;Board&gt;" in renamed and "Flat A1, House Alpha" in renamed

    frozen_clock.advance(dt.timedelta(hours=3))  # nothing in the database changes: only the time passes
    late = client.get("/alpha/faults").get_data(as_text=True)
    assert late.count('<span class="state state-overdue">Overdue</span>') == 1 and "fault-row overdue" in late

    type(fault_world.board).update(ui_language="sv").where(type(fault_world.board).id == fault_world.board.id).execute()
    swedish = client.get("/alpha/faults").get_data(as_text=True)
    assert '<span class="state state-overdue">Försenad</span>' in swedish
