"""The board follows up debts on a phone (360×740): the payment grid scrolls its months sideways inside its
frame while the unit column and the month row stay in view, and the page itself does not; the debtors list
sends a reminder after naming who gets it; a debtor's instalment plan is previewed in place and made."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from models import Person
from models.billing import DebtReminder, InstalmentPlan
from tests.browser.test_signup_flow import log_in
from tests.factories.billing import make_billing, make_invoice, make_payment, make_unit


def debts_world(alpha, make_user, make_person):
    """Twelve units with a year of dues (some paid), and Dana, who owes for two months."""
    make_billing(alpha)
    make_user(alpha, "board@alpha.example", "board")
    today = alpha.today()
    dana = make_person(alpha, email="dana@example.org", given_name="Dana", surname="Debtor")
    owner = make_person(alpha, given_name="Olle", surname="Owner")
    for n in range(1, 13):
        unit = make_unit(alpha, f"{n}")
        for month in range(1, 13):
            due = dt.date(today.year, month, 1) + dt.timedelta(days=14)
            person = dana if n == 1 and month in (1, 2) else owner
            invoice = make_invoice(alpha, person, unit=unit, lines=[("Fee", 41670 + n, 0)],
                                   issue_date=due - dt.timedelta(days=14), due_date=due)  # fmt: skip
            if person is owner and (n + month) % 4 and due < today:
                make_payment(invoice, invoice.total, due - dt.timedelta(days=2))
    return dana


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def test_the_grid_scrolls_its_months_and_keeps_the_units_in_view(page, app, alpha, make_user, make_person, shots_dir):
    debts_world(alpha, make_user, make_person)
    log_in(page, "board@alpha.example")
    page.goto("/alpha/admin/payment-grid")
    expect(page.get_by_role("heading", name="Payment grid")).to_be_visible()
    grid = page.locator(".grid-wrap")
    expect(grid.locator("tbody tr").first.locator("th")).to_contain_text("1")
    expect(grid).to_contain_text("✓ paid")
    expect(grid).to_contain_text("✗ unpaid")
    expect(page.locator(".grid-legend-list")).to_contain_text("nothing fell due that month")
    no_sideways_scroll(page)
    assert grid.evaluate("el => el.scrollWidth > el.clientWidth")  # the months scroll inside the frame
    unit_cell = grid.locator("tbody tr").nth(3).locator("th")
    month_cell = grid.locator("thead th").nth(6)
    grid.evaluate("el => { el.scrollLeft = 600; el.scrollTop = 200; }")
    page.wait_for_timeout(100)
    frame = grid.bounding_box()
    # The months moved under the unit column, which stays at the frame's left; the month row at its top.
    assert abs(unit_cell.bounding_box()["x"] - frame["x"]) < 2
    assert abs(month_cell.bounding_box()["y"] - frame["y"]) < 2
    assert grid.evaluate("el => el.scrollLeft") > 0 and grid.evaluate("el => el.scrollTop") > 0
    page.screenshot(path=str(shots_dir / "payment-grid-360.png"))
    # Another year swaps the grid in place (htmx) and the address follows.
    page.get_by_label("Year").select_option(str(alpha.today().year + 1))
    expect(page).to_have_url(f"{page.url.split('?')[0]}?year={alpha.today().year + 1}")
    expect(page.locator(".grid-wrap tfoot")).not_to_contain_text("unpaid")


def test_the_board_reminds_a_debtor_and_makes_a_plan(page, app, alpha, make_user, make_person, outbox, shots_dir):
    dana = debts_world(alpha, make_user, make_person)
    log_in(page, "board@alpha.example")
    page.goto("/alpha/admin/debtors?sort=name")
    no_sideways_scroll(page)
    page.screenshot(path=str(shots_dir / "debtors-360.png"), full_page=True)
    page.get_by_label("Choose Dana Debtor").check()
    page.get_by_role("button", name="Remind the ticked debtors").click()
    expect(page.get_by_role("heading", name="1 debtor gets a reminder")).to_be_visible()
    page.get_by_role("button", name="Send 1 reminder").click()
    expect(page.locator(".flashes")).to_contain_text("1 reminder is on its way")
    assert DebtReminder.select().where(DebtReminder.person == dana.id).count() == 1

    page.goto(f"/alpha/admin/debtors/{dana.id}")
    no_sideways_scroll(page)
    page.get_by_role("link", name="Make an instalment plan").click()
    page.get_by_label("Number of instalments").fill("4")
    page.get_by_role("button", name="Preview the schedule").click()
    schedule = page.locator(".plan-schedule")
    expect(schedule).to_contain_text("Total")
    expect(schedule.locator("tbody tr")).to_have_count(4)
    no_sideways_scroll(page)
    page.screenshot(path=str(shots_dir / "plan-preview-360.png"))
    page.get_by_role("button", name="Make the plan of 4 instalments").click()
    expect(page.get_by_role("heading", name="Instalment plan")).to_be_visible()
    expect(page.locator(".plan-instalments tbody tr")).to_have_count(4)
    expect(page.locator(".plan-instalments")).to_contain_text("Open")
    no_sideways_scroll(page)
    page.screenshot(path=str(shots_dir / "plan-360.png"), full_page=True)
    plan = InstalmentPlan.get()
    assert plan.person_id == dana.id and plan.total == 2 * 41671
    assert Person.get_by_id(dana.id).full_name == "Dana Debtor"
