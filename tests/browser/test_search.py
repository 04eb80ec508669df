"""The quick search on a phone (360×740) and on a wide screen: the header keeps its shape, results
follow the typing, and the found words are marked."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from blueprints.documents.search_views import index_document
from models.documents import Document, Folder
from tests.browser.test_signup_flow import log_in


def _publish(alpha, key: str, title: str, body: str) -> None:
    folder = Folder.get((Folder.association == alpha) & (Folder.key == key))
    document = Document.create(association=alpha, folder=folder, title=title, body=body, state=Document.PUBLISHED)
    index_document(document.id)


def test_a_tenant_searches_from_the_phone_header(page, live_server, alpha, make_user, shots_dir):
    make_user(alpha, "tenant@alpha.example", "tenant")
    _publish(alpha, "notice_board", "Städdag i östra trapphuset", "Vi städar gården på lördag klockan tio.")
    _publish(alpha, "board", "Styrelsens städbudget", "Hemligt: städfirman kostar mer.")

    log_in(page, "tenant@alpha.example")
    # The header holds the name, the search link and "Log out" without scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.locator(".top-search")).to_be_hidden()
    link = page.get_by_role("link", name="Search")
    assert link.bounding_box()["height"] >= 44
    link.click()
    expect(page).to_have_url(re.compile(r"/alpha/search$"))

    page.get_by_label("Search titles, texts and attached files").press_sequentially("stad", delay=40)
    results = page.locator("#search-results")
    expect(results).to_contain_text("1 result")
    expect(results.locator("mark").first).to_have_text("städar")  # in the text, beside the title
    expect(results).not_to_contain_text("Styrelsens")
    expect(page).to_have_url(re.compile(r"/alpha/search\?q=stad$"))
    page.screenshot(path=shots_dir / "search-360.png", full_page=True)

    results.get_by_role("link", name="Städdag i östra trapphuset").click()
    expect(page.locator("h1")).to_have_text("Städdag i östra trapphuset")


def test_the_wide_header_holds_the_search_box(new_context, live_server, alpha, make_user, shots_dir):
    make_user(alpha, "member@alpha.example", "member")
    _publish(alpha, "minutes", "Protokoll från årsstämman", "Stämman valde en ny styrelse.")
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(page, "member@alpha.example")
    expect(page.locator(".top-search-link")).to_be_hidden()
    box = page.locator("#top-q")
    box.fill("arsstamman")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/alpha/search\?q=arsstamman$"))
    expect(page.locator("#search-results")).to_contain_text("Protokoll från årsstämman")
    page.screenshot(path=shots_dir / "search-wide.png")
