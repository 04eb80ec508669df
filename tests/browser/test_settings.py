"""The board edits the portal settings: a picture uploaded mid-edit loses nothing typed (issue 17, item 8),
with JavaScript (the welcome picture by htmx) and without it (the logo, a whole-page post)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from models import Association
from tests.blueprints.portal.pictures import picture_bytes
from tests.browser.test_register import log_in

DRAFT = "Spring cleaning on Saturday at 10."


def test_uploading_pictures_keeps_the_unsaved_welcome_text(new_context, alpha, make_user, tmp_path, shots_dir):
    make_user(alpha, "board@example.com", "board")
    logo = tmp_path / "logo.png"
    logo.write_bytes(picture_bytes((213, 160), "PNG"))
    page = new_context().new_page()
    log_in(page, "board@example.com")
    page.goto("/alpha/admin/settings")

    welcome = page.get_by_label("Welcome text", exact=True)
    welcome.fill(DRAFT)
    # With htmx, a welcome-text picture replaces only its panel.
    page.get_by_label("Picture to put in the welcome text").set_input_files(str(logo))
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_label("Copy this line into the welcome text:")).to_have_value(
        re.compile(r"^!\[\]\(/alpha/media/image-")
    )
    expect(welcome).to_have_value(DRAFT)

    # The logo posts the whole page and gets it back with the draft still in place.
    page.get_by_label("New logo").set_input_files(str(logo))
    page.locator("#picture-logo").get_by_role("button", name="Upload").click()
    expect(page.get_by_text("The new logo is saved.")).to_be_visible()
    expect(page.get_by_text("Your other changes are not saved yet")).to_be_visible()
    expect(page.get_by_label("Welcome text", exact=True)).to_have_value(DRAFT)
    expect(page.locator("#picture-logo img")).to_be_visible()
    assert Association.get_by_id(alpha.id).welcome_text != DRAFT  # not saved until the board says so

    # Currency and time zone are lists.
    expect(page.get_by_label("Time zone")).to_have_value(alpha.timezone)
    page.get_by_label("Time zone").select_option("Europe/Prague")
    page.screenshot(path=shots_dir / "settings-360.png", full_page=True)
    page.get_by_role("button", name="Save settings").last.click()
    expect(page.get_by_text("The settings are saved.")).to_be_visible()
    saved = Association.get_by_id(alpha.id)
    assert (saved.welcome_text, saved.timezone) == (DRAFT, "Europe/Prague")


def test_without_javascript_removing_the_logo_asks_on_the_page(new_context, alpha, make_user, tmp_path):
    make_user(alpha, "board@example.com", "board")
    Association.update(logo=None).where(Association.id == alpha.id).execute()
    logo = tmp_path / "logo.png"
    logo.write_bytes(picture_bytes((200, 80), "PNG"))
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "board@example.com")
    page.goto("/alpha/admin/settings")
    page.get_by_label("New logo").set_input_files(str(logo))
    page.locator("#picture-logo").get_by_role("button", name="Upload").click()
    expect(page.get_by_text("The new logo is saved.")).to_be_visible()

    page.get_by_label("Contact details").fill("Call 070-123 45 67")
    page.locator("#picture-logo").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Remove the logo?")).to_be_visible()
    expect(page.get_by_label("Contact details")).to_have_value("Call 070-123 45 67")
    page.locator("#picture-logo").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("The logo is removed.")).to_be_visible()
    expect(page.get_by_label("Contact details")).to_have_value("Call 070-123 45 67")
    assert Association.get_by_id(alpha.id).logo is None
