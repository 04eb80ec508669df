"""A fault from a phone (360×740): a resident reports it with a photo; a board member, in another
browser, assigns it to themself and resolves it; the resident's page, left open, shows the new status
when its status part refreshes in place."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import Page, expect

from models import Person
from models.faults import FaultAttachment, FaultReport
from models.register import Building, Ownership, Unit
from tests.helpers import PASSWORD

MIN_TAP = 44


def log_in(page: Page, email: str) -> None:
    page.goto("/alpha/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/alpha/$"))


def a_photo(folder) -> str:
    path = folder / "dripping-tap.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 90, 160)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_a_fault_from_report_to_resolved(page, new_context, alpha, make_user, outbox, tmp_path, shots_dir):
    make_user(alpha, "owner@alpha.example", "member")
    make_user(alpha, "board@alpha.example", "board")
    building = Building.create(association=alpha, name="Storgatan 5")
    unit = Unit.create(association=alpha, building=building, number="1102", share_numerator=1, share_denominator=1)
    Ownership.create(unit=unit, person=Person.get(Person.email == "owner@alpha.example"), is_main=True)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    # The resident reports the fault with a photo.
    log_in(page, "owner@alpha.example")
    faults_tab = page.locator("nav.tabs").get_by_role("link", name="Faults")
    assert faults_tab.bounding_box()["height"] >= MIN_TAP
    faults_tab.click()
    expect(page.get_by_text("No open reports.")).to_be_visible()
    page.get_by_role("link", name="Report a fault").click()
    expect(page.get_by_label("Where is the fault?")).to_have_value(f"unit:{unit.id}")
    expect(page.get_by_label("Your e-mail")).to_have_value("owner@alpha.example")
    expect(page.get_by_label("Who is it for?")).to_be_hidden()  # the request's part, until it is chosen
    page.get_by_label("Short description").fill("The kitchen tap drips")
    page.get_by_label("Details").fill("Day and night, since Monday.")
    page.get_by_label("What kind of fault?").select_option("plumbing")
    page.get_by_label("Photos or files").set_input_files(a_photo(tmp_path))
    page.screenshot(path=shots_dir / "fault-report-form-360.png", full_page=True)
    page.get_by_role("button", name="Send").click()

    expect(page).to_have_url(re.compile(r"/alpha/faults/\d+$"))
    report = FaultReport.get(FaultReport.title == "The kitchen tap drips")
    assert FaultAttachment.select().where(FaultAttachment.report == report).count() == 1
    badge = page.locator("#report-status .status-badge")
    expect(badge).to_have_text("New")
    photo = page.locator(".fault-photos img")
    expect(photo).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", photo.element_handle()) == 320  # served after the check
    page.evaluate("window.leftOpen = true")  # gone if the page were loaded again
    page.screenshot(path=shots_dir / "fault-report-new-360.png", full_page=True)

    # A board member, in another browser, takes it and resolves it.
    board = new_context().new_page()
    log_in(board, "board@alpha.example")
    board.get_by_role("link", name=re.compile("^Faults")).click()
    expect(board.locator("nav.tabs .count")).to_have_text("1 open")  # open reports the board can handle
    board.screenshot(path=shots_dir / "fault-list-board-360.png", full_page=True)
    board.get_by_role("link", name="The kitchen tap drips").click()
    expect(board.locator("#report-status")).to_contain_text("Nobody yet")
    expect(board.locator("nav.tabs .count")).to_have_text("1 open")
    board.evaluate("window.boardStayed = true")  # gone if the page were loaded again
    board.get_by_label("Handled by").select_option(label="board")
    board.get_by_role("button", name="Assign").click()
    expect(board.locator("#report-status .assignee")).to_have_text("board")
    expect(board.locator("#report-status")).to_contain_text("The report is assigned.")
    board.get_by_label("Note").fill("New washer fitted.")
    board.get_by_role("button", name="Mark as resolved").click()
    expect(board.locator("#report-status .status-badge")).to_have_text("Resolved")
    expect(board.get_by_label("Note")).to_have_count(0)  # a closed report has no status form left
    # The tab bar's count follows the change in place (issue 17, item 10): nothing open is left.
    expect(board.locator("nav.tabs .count")).to_have_count(0)
    expect(board.locator("nav.tabs a[aria-current=page]")).to_contain_text("Faults")
    assert board.evaluate("window.boardStayed") is True
    board.screenshot(path=shots_dir / "fault-report-board-360.png", full_page=True)

    # The resident's page shows it without being reloaded.
    expect(badge).to_have_text("Resolved", timeout=15_000)
    expect(page.locator("#report-status")).to_contain_text("New washer fitted.")
    assert page.evaluate("window.leftOpen") is True
    expect(page.locator("#report-status")).not_to_have_attribute("hx-trigger", re.compile("every"))
    page.screenshot(path=shots_dir / "fault-report-resolved-360.png", full_page=True)
    assert FaultReport.get_by_id(report.id).status == "resolved"
    assert not problems, problems
