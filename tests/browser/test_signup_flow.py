"""Residents' flows in a real browser on a phone (360×740): sign-up to Swedish, no-JS forms, CSP."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from models import Person, User
from tests.helpers import PASSWORD, link_in, text_of

MIN_TAP = 44  # px: the smallest comfortable touch target
DESKTOP = {"width": 1280, "height": 800}


def log_in(page: Page, email: str, password: str = PASSWORD, slug: str = "alpha") -> None:
    page.goto(f"/{slug}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/{slug}/$"))


def test_signup_activate_login_switch_to_swedish(page, live_server, alpha, make_person, smtp_server, shots_dir):
    make_person(alpha, email="maja@example.com", given_name="Maja", surname="Lind")

    page.goto("/alpha/signup")
    page.get_by_label("E-mail address").fill("maja@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("I have read and accept how my personal data is handled.").check()
    page.screenshot(path=shots_dir / "signup-360.png", full_page=True)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()

    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "maja@example.com"
    path = link_in(mail, "/activate/")
    assert live_server + path in text_of(mail)  # the mailed link points at this server

    page.goto(live_server + path)
    page.get_by_role("button", name="Activate my account").click()
    expect(page).to_have_url(re.compile(r"/alpha/login"))
    expect(page.get_by_text("Your account is active. You can log in now.")).to_be_visible()
    assert User.get(User.email == "maja@example.com").state == User.ACTIVE

    page.get_by_label("E-mail address").fill("maja@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/alpha/$"))
    expect(page.get_by_role("heading", name="Welcome to alpha")).to_be_visible()

    # On a phone the navigation is a tab bar along the bottom of the screen, with big targets.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    nav_box = nav.bounding_box()
    assert abs(nav_box["y"] + nav_box["height"] - 740) <= 1, nav_box
    # On a phone the tab says "Account" (five places share 360 px); wide screens say "My account".
    account_link = nav.get_by_role("link", name="Account", exact=True)
    assert account_link.bounding_box()["height"] >= MIN_TAP
    account_link.click()
    expect(page).to_have_url(re.compile(r"/alpha/account$"))
    expect(page.get_by_role("heading", name="My account", exact=True)).to_be_visible()

    page.get_by_label("Language").select_option(label="Svenska")
    page.get_by_role("button", name="Save my details").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Konto", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Mitt konto", exact=True)).to_be_visible()
    assert User.get(User.email == "maja@example.com").ui_language == "sv"
    page.screenshot(path=shots_dir / "account-sv-360.png", full_page=True)

    nav.get_by_role("link", name="Hem").click()
    expect(page).to_have_url(re.compile(r"/alpha/$"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(nav.get_by_role("link", name="Hem")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    page.screenshot(path=shots_dir / "home-sv-360.png")


def test_form_works_with_javascript_disabled(new_context, alpha, make_user):
    user = make_user(alpha, "ola@example.com")
    page = new_context(java_script_enabled=False).new_page()

    log_in(page, "ola@example.com")
    page.goto("/alpha/account")
    page.get_by_label("Name").fill("Ola Nordin")
    page.get_by_label("Phone (mobile)").fill("+46 70-123 45 67")
    page.get_by_label("Phone (home)").fill("08-555 123 45")
    page.get_by_role("button", name="Save my details").click()

    expect(page).to_have_url(re.compile(r"/alpha/account$"))
    expect(page.get_by_text("Your details are saved.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Ola Nordin")
    expect(page.get_by_label("Phone (mobile)")).to_have_value("+46 70-123 45 67")
    expect(page.get_by_label("Phone (home)")).to_have_value("08-555 123 45")

    saved = User.get_by_id(user.id)
    assert (saved.name, saved.phone_mobile, saved.phone_home) == ("Ola Nordin", "+46 70-123 45 67", "08-555 123 45")
    person = Person.get(Person.user == user)
    assert (person.phone_mobile, person.phone_home) == ("+46 70-123 45 67", "08-555 123 45")


def test_no_console_errors_and_csp_clean(page, alpha, make_user):
    make_user(alpha, "board@example.com", "board")
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))

    log_in(page, "board@example.com")
    assert page.evaluate("typeof htmx") == "object"
    expect(page.get_by_role("heading", name="Welcome to alpha")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_role("heading", name="My account", exact=True)).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Menu").click()
    page.get_by_role("main").get_by_role("link", name="Mail", exact=True).click()
    expect(page).to_have_url(re.compile(r"/alpha/admin/mail$"))
    expect(page.get_by_role("heading", name="Mail from the portal")).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"

    assert problems == []


def test_login_and_home_on_a_wide_screen(new_context, alpha, make_user, shots_dir):
    make_user(alpha, "wide@example.com")
    page = new_context(viewport=DESKTOP).new_page()

    page.goto("/alpha/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.screenshot(path=shots_dir / "login-1280.png")

    log_in(page, "wide@example.com")
    expect(page.get_by_role("heading", name="Welcome to alpha")).to_be_visible()
    page.screenshot(path=shots_dir / "home-1280.png")
