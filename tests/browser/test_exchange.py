"""What enters and leaves an association, in a phone's browser (issue 16): the board imports an owners list
and makes an API token, exports the whole association and opens a person's erasure; a member makes a file
of their own data. Every page passes axe-core (the axe_watch fixture checks each one the test reaches)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from models import Person
from models.exchange import ApiToken
from models.register import Unit
from tests.blueprints.exchange.test_import_pages import OWNERS_CSV
from tests.browser.test_register import log_in


def test_the_board_imports_makes_a_token_and_exports_everything(
    new_context, alpha, make_user, tmp_path, shots_dir, outbox
):
    make_user(alpha, "admin@example.com", "administrator")
    owners = tmp_path / "owners.csv"
    owners.write_text(OWNERS_CSV, encoding="utf-8")
    page = new_context().new_page()
    log_in(page, "admin@example.com")

    page.goto("/alpha/admin/import")
    page.get_by_label("What the file holds").select_option("ownership")
    page.get_by_label("The file (CSV or XLSX)").set_input_files(str(owners))
    page.get_by_role("button", name="Read the file").click()
    page.get_by_role("button", name="Save the columns and check the rows").click()
    expect(page.get_by_text("Checked: ready to apply").first).to_be_visible()
    page.screenshot(path=shots_dir / "import-checked-360.png", full_page=True)
    page.get_by_role("button", name="Apply the import").click()
    expect(page.get_by_text("Applied").first).to_be_visible()
    assert Unit.of(alpha).count() == 2

    page.goto("/alpha/admin/api-tokens")
    page.get_by_label("Name").fill("Accounting <sync>")
    page.get_by_role("checkbox", name=re.compile("Write the register")).check()
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_label("Token")).to_have_value(re.compile(r".{20,}"))
    assert ApiToken.get(ApiToken.association == alpha).name == "Accounting <sync>"
    expect(page.get_by_text("Accounting <sync>").first).to_be_visible()  # shown as typed, inert

    page.goto("/alpha/admin/leaving")
    page.get_by_role("button", name="Export everything").click()
    expect(page.get_by_role("link", name="Download the file")).to_be_visible(timeout=20_000)
    page.screenshot(path=shots_dir / "leaving-360.png", full_page=True)

    leaver = Person.create(association=alpha, given_name="Lea", surname="Left", email="lea@example.com")
    page.goto(f"/alpha/people/{leaver.id}/erase")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lea Left")


def test_a_member_makes_a_file_of_their_own_data(new_context, alpha, make_user, outbox):
    make_user(alpha, "member@example.com", "member")
    page = new_context().new_page()
    log_in(page, "member@example.com")
    page.goto("/alpha/account/my-data")
    page.get_by_role("button", name="Make a file of my data").click()
    expect(page.get_by_role("link", name="Download the file")).to_be_visible(timeout=20_000)
