"""Votes on a phone (360×740): two owners in two browsers vote on a share-weighted poll with live results;
the first sees the pie change after the second casts, without reloading (the results poll every 5 s). The
board's draft form, the list and the vote page pass axe-core; screenshots at 360×740 and 1280×800."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from models.register import Ownership
from tests.browser.test_register import log_in
from tests.factories.register import make_unit
from tests.factories.votes import make_vote

SHOTS = Path("/tmp/shots-polls")


def person_of(user):
    from models import Membership

    return Membership.get(Membership.user == user).person


def test_two_owners_vote_and_the_first_sees_the_pie_change(app, new_context, alpha, make_user, outbox):
    SHOTS.mkdir(parents=True, exist_ok=True)
    anna, cilla = make_user(alpha, "anna@example.com", "member"), make_user(alpha, "cilla@example.com", "member")
    make_user(alpha, "board@example.com", "board")
    one, two = make_unit(alpha, "1", share=(3, 10)), make_unit(alpha, "2", share=(4, 10))
    Ownership.create(unit=one, person=person_of(anna), is_main=True)
    Ownership.create(unit=two, person=person_of(cilla), is_main=True)
    with app.test_request_context():
        vote = make_vote(
            alpha, "New bicycle racks in the yard?", ("Yes, three racks", "No"), body="The quote: **4 200 kr**."
        )

    first = new_context().new_page()
    log_in(first, "anna@example.com")
    first.get_by_role("link", name="Votes").first.click()
    expect(first.get_by_role("heading", name="Votes", exact=True)).to_be_visible()
    expect(first.locator(".vote-list")).to_contain_text("Not yet voted")
    first.get_by_role("link", name="New bicycle racks in the yard?").click()
    expect(first.get_by_role("heading", name="New bicycle racks in the yard?")).to_be_visible()
    first.evaluate("window.porchMarker = 'same page'")
    ballot = first.locator(f"#ballot-{one.id}")
    ballot.get_by_label("Yes, three racks").check()
    ballot.get_by_role("button", name="Cast the ballot").click()
    expect(first.locator(f"#ballot-{one.id}")).to_contain_text("Cast. Your receipt:")
    expect(first.locator(".pie-legend")).to_contain_text("1. Yes, three racks 100.00 %")

    second = new_context().new_page()
    log_in(second, "cilla@example.com")
    second.goto(f"/alpha/votes/{vote.id}")
    second.locator(f"#ballot-{two.id}").get_by_label("No").check()
    second.locator(f"#ballot-{two.id}").get_by_role("button", name="Cast the ballot").click()
    expect(second.locator(f"#ballot-{two.id}")).to_contain_text("You voted “No”")

    # Anna's page fetches the results again within 5 s: 3/10 against 4/10 of the shares.
    expect(first.locator(".pie-legend")).to_contain_text("2. No 57.14 %", timeout=12_000)
    expect(first.locator("svg.pie path.slice")).to_have_count(2)
    assert first.evaluate("window.porchMarker") == "same page"
    expect(first.locator("#results .turnout")).to_contain_text("2 of 2 units")
    first.screenshot(path=SHOTS / "vote-360.png", full_page=True)

    wide = new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(wide, "anna@example.com")
    wide.goto(f"/alpha/votes/{vote.id}")
    expect(wide.locator(".pie-legend")).to_contain_text("57.14 %")
    wide.screenshot(path=SHOTS / "vote-1280.png", full_page=True)


def test_the_board_drafts_a_per_rollam_vote_and_the_law_fills_its_rule(new_context, alpha, make_user):
    SHOTS.mkdir(parents=True, exist_ok=True)
    make_user(alpha, "board@example.com", "board")
    page = new_context().new_page()
    log_in(page, "board@example.com")
    page.goto("/alpha/votes")
    page.get_by_role("link", name="New per-rollam vote").click()
    expect(page.get_by_role("heading", name="New per-rollam vote")).to_be_visible()
    page.get_by_label("Short title").fill("Accounts 2025")
    page.get_by_label("The law it follows").select_option(value="cz")
    # With htmx the rule swaps in place: Czech law counts from all shares.
    expect(page.locator("#rule-fields")).to_contain_text("Civil Code §1211–1214")
    expect(page.get_by_label("Percentage of all shares")).to_be_checked()
    expect(page.get_by_label("Short title")).to_have_value("Accounts 2025")
    page.screenshot(path=SHOTS / "per-rollam-form-360.png", full_page=True)
    page.get_by_label("Proposed resolution").fill("The owners approve the accounts for 2025.")
    page.get_by_label("Voting ends").fill("2099-04-30T18:00")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("heading", name="Accounts 2025")).to_be_visible()
    expect(page.locator(".vote-facts")).to_contain_text(re.compile("Draft"))
    page.get_by_role("link", name="Edit the draft").click()
    expect(page.get_by_label("Short title")).to_have_value("Accounts 2025")
