"""The fault pages (F1–F3): the report form, the report page and its forms, downloads, deadlines, the tab switch."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from models import AuditLog
from models.faults import FaultAttachment, FaultDeadline, FaultEvent, FaultReport
from tests.blueprints.faults.conftest import jpeg_bytes

R = FaultReport
HX = {"HX-Request": "true"}


@pytest.fixture
def new_report(app, make_report):
    """new_report(user, **fields): a report made through the service, outside any page's request."""

    def make(user=None, **fields) -> FaultReport:
        with app.test_request_context():
            return make_report(user, **fields)

    return make


def form(**fields) -> dict:
    values = {"kind": "fault", "place": "", "title": "", "details": "", "severity": "normal", "category": "other"}
    values["responsible"] = "administration"
    values.update(fields)
    return values


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the report form ------------------------------------------------------------------------


def test_the_form_offers_my_units_and_buildings_and_my_contact_details(client, login, fault_world):
    login(client, "owner@alpha.example")
    page = text(client.get("/alpha/faults/new"))
    assert f'value="unit:{fault_world.units["A1"].id}" selected' in page  # the only unit: chosen already
    assert "Flat A2" not in page and "House B" not in page
    assert "A common area of House A" in page and "The whole building House A" in page
    assert 'value="owner@alpha.example"' in page
    assert 'enctype="multipart/form-data"' in page and 'accept="image/*,application/pdf"' in page


ON_CALL = "**Call 08-520 200 00** day and night: water leaking, no heating, someone stuck in the lift."


def test_the_on_call_text_is_on_the_form_for_urgent_faults_and_on_an_urgent_report(client, login, fault_world, outbox):
    """F5: choosing "urgent" shows whom to call before sending (CSS shows the box once urgent is chosen);
    the urgent report's page (the confirmation) shows it again; a normal one does not."""
    fault_world.alpha.on_call_text = ON_CALL
    fault_world.alpha.save()
    login(client, "owner@alpha.example")
    page = text(client.get("/alpha/faults/new"))
    assert 'class="panel on-call"' in page and "<strong>Call 08-520 200 00</strong>" in page
    assert page.index('name="severity"') < page.index('class="panel on-call"') < page.rindex('type="submit"')
    urgent = client.submit(
        "/alpha/faults/new",
        form(place=f"unit:{fault_world.units['A1'].id}", title="Water everywhere", severity="urgent"),
    )
    assert "Call 08-520 200 00" in text(client.get(urgent.location))
    normal = client.submit(
        "/alpha/faults/new", form(place=f"unit:{fault_world.units['A1'].id}", title="A squeaky door", severity="normal")
    )
    assert "Call 08-520 200 00" not in text(client.get(normal.location))


def test_without_an_on_call_text_the_form_has_no_empty_box(client, login, fault_world):
    login(client, "owner@alpha.example")
    assert "on-call" not in text(client.get("/alpha/faults/new"))


def test_a_handler_may_choose_any_unit(client, login, fault_world):
    login(client, "board@alpha.example")
    page = text(client.get("/alpha/faults/new"))
    assert "Flat A2" in page and "Flat B1" in page and "The whole building House B" in page


def test_reporting_a_fault_with_a_photo_opens_its_page(client, login, fault_world, outbox):
    login(client, "owner@alpha.example")
    response = client.submit(
        "/alpha/faults/new",
        form(
            place=f"unit:{fault_world.units['A1'].id}",
            title="Window will not close",
            details="Since the storm.",
            severity="urgent",
            category="doors_locks",
            contact_phone="070-123 45 67",
            files=(io.BytesIO(jpeg_bytes()), "window.jpg"),
        ),
    )
    assert response.status_code == 302
    report = FaultReport.get(FaultReport.title == "Window will not close")
    assert response.location.endswith(f"/alpha/faults/{report.id}")
    assert (report.unit_id, report.severity, report.category) == (fault_world.units["A1"].id, "urgent", "doors_locks")
    assert report.contact_phone == "070-123 45 67"
    photo = FaultAttachment.get(FaultAttachment.report == report)
    page = text(client.get(response.location))
    assert "your report is sent" in page and "Window will not close" in page and "Since the storm." in page
    assert f"/alpha/faults/{report.id}/files/{photo.id}" in page
    assert "Flat A1, House A" in page and "Urgent" in page


def test_a_request_goes_to_the_chosen_role(client, login, fault_world, outbox):
    login(client, "tenant@alpha.example")
    response = client.submit(
        "/alpha/faults/new", form(kind="request", responsible="accounts", title="Wrong amount on my invoice")
    )
    assert response.status_code == 302
    report = FaultReport.get(FaultReport.title == "Wrong amount on my invoice")
    assert (report.kind, report.responsible) == ("request", "accounts")
    assert "Request to accounts and payments" in text(client.get(response.location))


def test_a_report_without_a_title_is_refused_and_keeps_what_was_typed(client, login, fault_world):
    login(client, "owner@alpha.example")
    response = client.submit(
        "/alpha/faults/new",
        form(
            place=f"unit:{fault_world.units['A1'].id}",
            details="Water on the floor",
            files=(io.BytesIO(jpeg_bytes()), "floor.jpg"),
        ),
    )
    assert response.status_code == 422
    page = text(response)
    assert "Describe the problem in a few words." in page
    assert "Water on the floor" in page
    assert "Choose your photos and files again" in page
    assert FaultReport.select().count() == 0 and FaultAttachment.select().count() == 0


def test_a_unit_that_is_not_mine_is_refused(client, login, fault_world):
    login(client, "owner@alpha.example")
    response = client.submit(
        "/alpha/faults/new", form(place=f"unit:{fault_world.units['A2'].id}", title="Noise next door")
    )
    assert response.status_code == 422
    page = text(response)
    assert "You can report faults only in your own unit." in page
    assert 'value="Noise next door"' in page
    assert FaultReport.select().count() == 0


def test_a_common_area_needs_its_name(client, login, fault_world):
    login(client, "owner@alpha.example")
    place = f"area:{fault_world.house_a.id}"
    response = client.submit("/alpha/faults/new", form(place=place, title="Lamp out"))
    assert response.status_code == 422
    assert "Say which common area" in text(response)
    assert f'value="{place}" selected' in text(response)
    assert FaultReport.select().count() == 0


def test_a_file_that_is_not_a_picture_is_refused_on_the_form(client, login, fault_world):
    login(client, "owner@alpha.example")
    response = client.submit(
        "/alpha/faults/new",
        form(
            place=f"unit:{fault_world.units['A1'].id}",
            title="Tap",
            files=(io.BytesIO(b"MZ not a picture"), "virus.jpg"),
        ),
    )
    assert response.status_code == 422
    assert "virus.jpg is not a picture or PDF." in text(response)
    assert FaultReport.select().count() == 0


# --- the report page ----------------------------------------------------------------------------


def test_contact_details_are_shown_to_handlers_only(client, login, fault_world, new_report):
    report = new_report(fault_world.owner, place="common_area", building_id=fault_world.house_a.id, area="Laundry")
    FaultReport.update(contact_phone="070-555").where(FaultReport.id == report.id).execute()
    login(client, "neighbour@alpha.example")
    page = text(client.get(f"/alpha/faults/{report.id}"))
    assert "Laundry (common area), House A" in page and "070-555" not in page
    assert "owner@alpha.example" not in page  # the reporter has no name: not their address either
    login(client, "board@alpha.example")
    assert "070-555" in text(client.get(f"/alpha/faults/{report.id}"))


def test_a_handler_assigns_and_resolves_without_javascript(client, login, fault_world, new_report, outbox):
    report = new_report(fault_world.owner)
    login(client, "board@alpha.example")
    page = f"/alpha/faults/{report.id}"
    response = client.submit(f"{page}/assign", {"assignee": str(fault_world.board.id)}, form_page=page)
    assert response.status_code == 302 and response.location.endswith(page)
    response = client.submit(f"{page}/status", {"to_status": "resolved", "note": "New washer fitted."}, form_page=page)
    assert response.status_code == 302
    stored = FaultReport.get_by_id(report.id)
    assert (stored.status, stored.assignee_id) == ("resolved", fault_world.board.id)
    html = text(client.get(page))
    assert "The report is now resolved." in html and "New washer fitted." in html
    assert 'class="state state-fault-resolved">Resolved' in html
    assert "gave it to board" in html


def test_status_changes_swap_in_place_with_htmx(client, login, fault_world, new_report, outbox):
    report = new_report(fault_world.owner)
    login(client, "board@alpha.example")
    page = f"/alpha/faults/{report.id}"
    token = client.csrf(page)
    response = client.post(f"{page}/status", data={"csrf_token": token, "to_status": "in_progress"}, headers=HX)
    assert response.status_code == 200
    html = text(response)
    assert html.startswith('\n<section id="report-status"') or html.lstrip().startswith('<section id="report-status"')
    assert "<html" not in html
    assert 'id="report-actions" class="report-actions" hx-swap-oob="true"' in html
    assert "In progress" in html and 'hx-trigger="every 5s"' in html
    response = client.post(f"{page}/status", data={"csrf_token": token, "to_status": "resolved"}, headers=HX)
    assert "Resolved" in text(response)
    assert "hx-trigger" not in text(response)  # closed: the polling stops


def test_rejecting_needs_a_note(client, login, fault_world, new_report):
    report = new_report(fault_world.owner)
    login(client, "board@alpha.example")
    page = f"/alpha/faults/{report.id}"
    response = client.submit(f"{page}/status", {"to_status": "rejected", "note": "  "}, form_page=page)
    assert response.status_code == 422
    assert "Say why the report is rejected." in text(response)
    assert FaultReport.get_by_id(report.id).status == "new"


def test_residents_cannot_change_the_status(client, login, fault_world, new_report):
    report = new_report(fault_world.owner)
    login(client, "owner@alpha.example")
    page = f"/alpha/faults/{report.id}"
    assert "Change the status" not in text(client.get(page))
    response = client.submit(f"{page}/status", {"to_status": "resolved"}, form_page=page)
    assert response.status_code == 403
    assert client.submit(f"{page}/assign", {"assignee": "none"}, form_page=page).status_code == 403
    assert FaultReport.get_by_id(report.id).status == "new"


def test_the_reporter_reopens_a_closed_report_and_a_neighbour_cannot(client, login, fault_world, new_report, outbox):
    from blueprints.faults import reporting

    report = new_report(fault_world.owner, place="common_area", building_id=fault_world.house_a.id, area="Stairs")
    with client.application.test_request_context():
        reporting.change_status(report, "resolved", fault_world.board, note="Fixed.")
    page = f"/alpha/faults/{report.id}"
    login(client, "neighbour@alpha.example")
    assert "Reopen" not in text(client.get(page))
    assert client.submit(f"{page}/status", {"to_status": "reopened"}, form_page=page).status_code == 403
    login(client, "owner@alpha.example")
    assert "Reopen: it is not fixed" in text(client.get(page))
    response = client.submit(f"{page}/status", {"to_status": "reopened"}, form_page=page)
    assert response.status_code == 302
    assert FaultReport.get_by_id(report.id).status == "reopened"


def test_everyone_who_sees_it_can_comment_with_a_photo(client, login, fault_world, new_report):
    report = new_report(fault_world.owner, place="building", building_id=fault_world.house_a.id)
    login(client, "neighbour@alpha.example")
    page = f"/alpha/faults/{report.id}"
    response = client.submit(
        f"{page}/comment",
        {"text": "Same on the third floor.", "files": (io.BytesIO(jpeg_bytes()), "third.jpg")},
        form_page=page,
    )
    assert response.status_code == 302
    event = FaultEvent.get(FaultEvent.kind == "comment")
    photo = FaultAttachment.get(FaultAttachment.event == event)
    html = text(client.get(page))
    assert "Same on the third floor." in html and f"{page}/files/{photo.id}" in html


def test_an_empty_comment_is_refused_in_place(client, login, fault_world, new_report):
    report = new_report(fault_world.owner)
    login(client, "owner@alpha.example")
    page = f"/alpha/faults/{report.id}"
    response = client.post(f"{page}/comment", data={"csrf_token": client.csrf(page), "text": " "}, headers=HX)
    assert response.status_code == 422
    assert "Write a comment first." in text(response)
    assert FaultEvent.select().where(FaultEvent.kind == "comment").count() == 0


def test_the_status_part_polls_while_open(client, login, fault_world, new_report):
    report = new_report(fault_world.owner)
    login(client, "owner@alpha.example")
    part = text(client.get(f"/alpha/faults/{report.id}", headers=HX))
    assert part.lstrip().startswith('<section id="report-status"') and "<html" not in part
    assert f'hx-get="/alpha/faults/{report.id}" hx-trigger="every 5s"' in part
    FaultReport.update(status="resolved").where(FaultReport.id == report.id).execute()
    assert "hx-trigger" not in text(client.get(f"/alpha/faults/{report.id}", headers=HX))


# --- attachments --------------------------------------------------------------------------------


def test_a_photo_is_shown_inline_and_a_pdf_downloads(client, login, fault_world, new_report, make_upload):
    pdf = make_upload(b"%PDF-1.4\n%%EOF\n", "Offer från firman.pdf", "application/pdf")
    report = new_report(fault_world.owner, files=[make_upload(filename="kök.jpg"), pdf])
    photo, document = FaultAttachment.select().order_by(FaultAttachment.is_image.desc(), FaultAttachment.id)
    login(client, "owner@alpha.example")
    response = client.get(f"/alpha/faults/{report.id}/files/{photo.id}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "k%C3%B6k.jpg" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"].startswith("private")
    assert response.data[:3] == b"\xff\xd8\xff"
    response = client.get(f"/alpha/faults/{report.id}/files/{document.id}")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data.startswith(b"%PDF-")


# --- deadlines ------------------------------------------------------------------------------------


def test_the_board_sets_the_deadlines(client, login, fault_world, new_report, frozen_clock):
    login(client, "board@alpha.example")
    page = text(client.get("/alpha/faults/deadlines"))
    assert 'name="urgent_amount" type="number" value="24"' in page or 'value="24"' in page
    fields = {
        "urgent_amount": "4",
        "urgent_unit": "hours",
        "normal_amount": "2",
        "normal_unit": "working_days",
        "low_amount": "15",
        "low_unit": "working_days",
    }
    response = client.submit("/alpha/faults/deadlines", fields)
    assert response.status_code == 302
    rules = {row.severity: (row.amount, row.unit) for row in FaultDeadline.select()}
    assert rules == {"urgent": (4, "hours"), "normal": (2, "working_days"), "low": (15, "working_days")}
    assert AuditLog.get(AuditLog.action == "faults.deadlines_changed").actor_id == fault_world.board.id
    report = new_report(fault_world.owner, severity="urgent")
    assert report.deadline_at == frozen_clock.now.replace(tzinfo=None) + dt.timedelta(hours=4)
    assert "Changed the deadlines" in text(client.get("/alpha/admin/audit"))


def test_a_bad_deadline_is_refused(client, login, fault_world):
    login(client, "board@alpha.example")
    fields = {"urgent_amount": "0", "urgent_unit": "hours", "normal_amount": "x", "normal_unit": "working_days"}
    response = client.submit("/alpha/faults/deadlines", {**fields, "low_amount": "5", "low_unit": "weeks"})
    assert response.status_code == 422
    page = text(response)
    assert "Enter a number from 1 to 999." in page and "Not a valid choice" in page
    assert FaultDeadline.select().count() == 0


# --- the tab and the menu -------------------------------------------------------------------------


def test_a_switched_off_tab_is_gone_for_everyone(client, login, fault_world, new_report):
    report = new_report(fault_world.owner)
    fault_world.alpha.tabs = "contact members units"
    fault_world.alpha.save()
    for email in ("owner@alpha.example", "board@alpha.example"):
        login(client, email)
        for path in ("/alpha/faults", "/alpha/faults/new", f"/alpha/faults/{report.id}", "/alpha/faults/deadlines"):
            assert client.get(path).status_code == 404, (email, path)
        for path in ("/alpha/", "/alpha/menu"):
            assert "/alpha/faults" not in text(client.get(path))


def test_the_menu_counts_open_reports_for_resolvers_only(client, login, fault_world, new_report, outbox):
    new_report(fault_world.owner)
    new_report(fault_world.owner, kind="request", responsible="administration", title="Key")
    closed = new_report(fault_world.owner, title="Old")
    FaultReport.update(status="resolved").where(FaultReport.id == closed.id).execute()
    login(client, "board@alpha.example")
    home = text(client.get("/alpha/"))
    assert '<span class="count">2<span class="visually-hidden"> open</span></span>' in home
    assert "/alpha/faults/deadlines" in text(client.get("/alpha/menu"))
    login(client, "owner@alpha.example")
    home = text(client.get("/alpha/"))
    assert 'href="/alpha/faults"' in home and 'class="count"' not in home
    assert "/alpha/faults/deadlines" not in text(client.get("/alpha/menu"))


def test_a_status_change_in_place_tells_the_tab_bar_to_fetch_its_count(client, login, fault_world, new_report, outbox):
    """Issue 17, item 10: the count follows an in-place change, through HX-Trigger and GET /tab-bar."""
    report = new_report(fault_world.owner)
    new_report(fault_world.owner, title="Another")
    login(client, "board@alpha.example")
    on_the_report = {"HX-Request": "true", "HX-Current-URL": f"http://localhost/alpha/faults/{report.id}"}
    bar = text(client.get("/alpha/tab-bar", headers=on_the_report))
    assert bar.lstrip().startswith('<nav class="tabs" id="tab-bar"') and "<html" not in bar
    assert '<span class="count">2<span' in bar
    assert re.search(r'<a href="/alpha/faults" class="phone" aria-current="page">', bar)  # still its page's tab

    changed = client.submit(
        f"/alpha/faults/{report.id}/status",
        {"to_status": "resolved", "note": "Fixed."},
        form_page=f"/alpha/faults/{report.id}",
        headers={"HX-Request": "true"},
    )
    assert changed.status_code == 200 and changed.headers["HX-Trigger"] == "porch:counts-changed"
    assert '<span class="count">1<span' in text(client.get("/alpha/tab-bar", headers=on_the_report))
    # On a page that shows no count (its query is skipped there), the fetched bar shows none either.
    elsewhere = {"HX-Request": "true", "HX-Current-URL": "http://localhost/alpha/account"}
    assert 'class="count"' not in text(client.get("/alpha/tab-bar", headers=elsewhere))
