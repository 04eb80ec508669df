"""The waiting list in a browser (issue 15 item 4), axe-core on every page: a seeker on a phone (360×740)
signs up from the homes page, and the board (1280×800) sees the list and offers a home to the next in line.
Screenshots for people to look at."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from models.listings import Applicant
from tests.blueprints.listings.public_world import world
from tests.factories.listings import make_applicant
from tests.factories.portal import make_user
from tests.helpers import PASSWORD


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def test_a_seeker_signs_up_and_the_board_offers_a_home(page, app, live_server, outbox, shots_dir, new_context):
    made = world()
    make_applicant(made.association, "Karen <b>Poulsen</b>", housing_types="family senior youth")
    make_user(made.association, "board@alpha.example", "board")

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/alpha/homes")
    page.get_by_role("link", name=re.compile("waiting list", re.I)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("waiting list")
    no_sideways_scroll(page)
    page.get_by_label("Your name").fill("Mette Hansen")
    page.get_by_label("Your e-mail address").fill("mette@seeker.example")
    page.get_by_label("Your birth date").fill("1994-04-02")
    page.get_by_label("Family home").check()
    page.screenshot(path=shots_dir / "waiting-signup-360.png", full_page=True)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert outbox.rows(to_address="mette@seeker.example"), "the confirmation mail"
    assert Applicant.get(Applicant.email == "mette@seeker.example").status == Applicant.PENDING

    board = new_context(viewport={"width": 1280, "height": 800}).new_page()
    board.goto("/alpha/login")
    board.get_by_label("E-mail address").fill("board@alpha.example")
    board.get_by_label("Password", exact=True).fill(PASSWORD)
    board.get_by_role("button", name="Log in").click()
    board.goto("/alpha/board/waiting-list")
    expect(board.get_by_text("Karen <b>Poulsen</b>")).to_be_visible()  # a name shown as typed, inert
    family = made.homes["family"]
    board.goto(f"/alpha/board/vacancies/{family.id}/offers")
    board.get_by_role("button", name=re.compile("Offer the home to the next")).click()
    expect(board.get_by_text("Waiting for an answer")).to_be_visible()
    board.screenshot(path=shots_dir / "waiting-offers-1280.png", full_page=True)
