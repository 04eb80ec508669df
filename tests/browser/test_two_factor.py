"""Two-factor authentication on a phone (360×740): a board member whose association guards the settings
is led to set up an authenticator app (the key read off the page, the code computed as the app would),
keeps the recovery codes and goes on to the settings; another browser gives the code on the step-up page.
axe-core checks the set-up, recovery-code and step-up pages."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from models import SecondFactor
from tests.browser.test_register import log_in
from tests.factories.two_factor import current_code


def test_a_board_member_sets_up_an_app_and_steps_up_in_another_browser(new_context, alpha, make_user, shots_dir):
    alpha.second_factor_permissions = "settings.manage"
    alpha.save()
    make_user(alpha, "board@example.com", "board")

    phone = new_context().new_page()
    log_in(phone, "board@example.com")
    phone.goto("/alpha/admin/settings")
    expect(phone.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    expect(phone.get_by_text("Alpha Housing asks for a second factor before this")).to_be_visible()
    phone.get_by_role("link", name="Set up an authenticator app").click()

    expect(phone.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    secret = phone.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    phone.screenshot(path=shots_dir / "two-factor-setup-360.png", full_page=True)
    phone.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    phone.get_by_role("button", name="Confirm").click()

    expect(phone.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(phone.locator(".recovery-codes li")).to_have_count(10)
    phone.screenshot(path=shots_dir / "two-factor-recovery-codes-360.png", full_page=True)
    phone.get_by_role("link", name="I have kept them: continue").click()
    expect(phone.get_by_role("heading", name="Portal settings")).to_be_visible()

    # Another browser: the password, then the code once for the session.
    laptop = new_context().new_page()
    log_in(laptop, "board@example.com")
    laptop.goto("/alpha/admin/settings")
    expect(laptop.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    laptop.screenshot(path=shots_dir / "two-factor-verify-360.png", full_page=True)
    laptop.get_by_label("Code", exact=True).fill(current_code(SecondFactor.get()))
    laptop.get_by_role("button", name="Confirm").click()
    expect(laptop.get_by_role("heading", name="Portal settings")).to_be_visible()
    laptop.goto("/alpha/account/two-factor")
    expect(laptop.get_by_text("10 codes left.")).to_be_visible()
