"""Paper ballots on a phone (360×740): the board records one with its scan, sees it counted, and checks a
spreadsheet batch before storing it. axe-core checks every page on the way (conftest)."""

from __future__ import annotations

from playwright.sync_api import expect

from models.register import Ownership
from models.votes import Ballot
from tests.browser.test_register import log_in
from tests.factories.register import make_unit
from tests.factories.votes import make_vote

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_board_records_paper_ballots_one_by_one_and_from_a_spreadsheet(
    app, new_context, alpha, make_user, make_person, tmp_path
):
    make_user(alpha, "board@example.com", "board")
    one, two, three = (make_unit(alpha, n) for n in ("1", "2", "3"))
    for unit, name in ((one, "Anna"), (two, "Ben"), (three, "Cilla")):
        Ownership.create(unit=unit, person=make_person(alpha, given_name=name, surname="Berg"), is_main=True)
    with app.test_request_context():
        vote = make_vote(alpha, "Paint the stairwell?", ("Light grey", "Warm white"))

    page = new_context().new_page()
    log_in(page, "board@example.com")
    page.goto(f"/alpha/votes/{vote.id}")
    page.get_by_role("link", name="Record paper ballots").click()
    expect(page.get_by_role("heading", name="Record a paper ballot")).to_be_visible()
    page.get_by_label("Unit").select_option(value=str(one.id))  # "Flat 1, House A"
    page.get_by_label("Warm white").check()
    scan = tmp_path / "ballot.pdf"
    scan.write_bytes(SCAN)
    page.get_by_label("Scan of the ballot").set_input_files(str(scan))
    page.get_by_role("button", name="Record the ballot").click()
    expect(page.locator("main")).to_contain_text("Warm white")
    assert Ballot.get(Ballot.unit == one.id).channel == Ballot.PAPER

    page.get_by_role("link", name="Record many at once from a spreadsheet").click()
    rows = tmp_path / "ballots.csv"
    day = alpha.today().isoformat()
    rows.write_text(f"unit,choice,received\n2,Light grey,{day}\n3,Maybe,{day}\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(rows))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("Maybe")  # the refused row, with its row and column
    assert Ballot.select().count() == 1  # nothing stored while one row is wrong
