"""The axe-core check itself: it finds violations on pages reached every way a test reaches one (goto,
a clicked link, a submitted form; with JavaScript on or off; under the app's Content-Security-Policy),
says what and where, and fails the test.

Most pages here are made up: Playwright answers the requests for /axe-check/… itself, on the live
server's origin, so nothing is added to the app.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser import axe

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""

# Two violations axe-core calls serious or worse: a link inside <summary> and an image without a text.
BROKEN = """<details><summary><a href="/axe-check/elsewhere">Open</a> the row</summary><p>Details</p></details>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">"""

PAGES = {
    "/axe-check/start": PAGE.format(title="Start", head="", body='<p><a href="/axe-check/form">To the form</a></p>'),
    "/axe-check/form": PAGE.format(
        title="Form",
        head="",
        body='<form method="post" action="/axe-check/broken"><button>Send</button></form>',
    ),
    "/axe-check/broken": PAGE.format(
        title="Broken", head="", body=BROKEN + '<p><a id="onwards" href="/axe-check/end">Onwards</a></p>'
    ),
    "/axe-check/end": PAGE.format(title="End", head="", body="<p>The end.</p>"),
    # A script that marks the page when it runs (it must not, with JavaScript off).
    "/axe-check/scripted": PAGE.format(title="Scripted", head='<script src="/axe-check/mark.js"></script>', body=""),
}


def serve_made_up_pages(page: Page) -> None:
    def answer(route: Route) -> None:
        path = "/" + route.request.url.split("/", 3)[3].split("?")[0]
        if path == "/axe-check/mark.js":
            route.fulfill(content_type="text/javascript", body="document.documentElement.dataset.ran = 'yes';")
        elif path in PAGES:
            route.fulfill(content_type="text/html; charset=utf-8", body=PAGES[path])
        else:
            route.fulfill(status=404, content_type="text/plain", body="not made up")

    page.route(re.compile(r"/axe-check/"), answer)


def test_pages_reached_by_link_and_form_are_checked_before_the_test_moves_on(page, axe_watch):
    serve_made_up_pages(page)
    page.goto("/axe-check/start")
    page.get_by_role("link", name="To the form").click()
    page.get_by_role("button", name="Send").click()  # a POST answered by the broken page
    page.get_by_role("link", name="Onwards").click()  # straight on: the broken page is checked first
    expect(page.get_by_role("heading", name="End")).to_be_visible()
    axe_watch.finish()  # and the page the test ends on

    paths = [url.split("/", 3)[3] for url in axe_watch.checked]
    assert paths == ["axe-check/start", "axe-check/form", "axe-check/broken", "axe-check/end"]
    found = axe_watch.take()
    assert {(v.rule, v.url.split("/", 3)[3]) for v in found} == {
        ("nested-interactive", "axe-check/broken"),
        ("image-alt", "axe-check/broken"),
    }
    assert all(v.impact in ("serious", "critical") for v in found)


def test_the_report_names_rule_help_elements_and_url(page, axe_watch):
    serve_made_up_pages(page)
    page.goto("/axe-check/broken")
    axe_watch.finish()
    message = axe.report(axe_watch.take())
    assert "axe-core found 2 serious or critical accessibility violation(s)" in message
    assert re.search(r"on http://127\.0\.0\.1:\d+/axe-check/broken\n", message)
    assert "nested-interactive (serious): Interactive controls must not be nested" in message
    assert "image-alt (critical): Images must have alternative text" in message
    assert re.search(r"\n\s+https://dequeuniversity\.com/rules/axe/4\.\d+/nested-interactive\n", message)
    assert "  - summary\n" in message  # the element's selector, then its markup
    assert '<summary><a href="/axe-check/elsewhere">Open</a> the row</summary>' in message


def test_without_javascript_too_and_the_page_stays_without_it(new_context, axe_watch):
    page = new_context(java_script_enabled=False).new_page()
    serve_made_up_pages(page)
    page.goto("/axe-check/broken")
    page.goto("/axe-check/scripted")  # the broken page is checked before this
    assert sorted(v.rule for v in axe_watch.take()) == ["image-alt", "nested-interactive"]
    assert page.evaluate("document.documentElement.dataset.ran") is None  # scripts stayed off
    assert page.evaluate("typeof window.axe") == "object"  # the scripted page was checked too, at its end
    assert axe_watch.checked[-1].endswith("/axe-check/scripted")


def test_a_page_of_the_app_under_its_content_security_policy(page, live_server, axe_watch):
    response = page.goto("/alpha/login")
    assert "script-src" in response.headers["content-security-policy"]
    assert axe.check_page(page) == []
    page.locator("main").evaluate("(main, html) => main.insertAdjacentHTML('beforeend', html)", BROKEN)
    assert sorted(v.rule for v in axe.check_page(page)) == ["image-alt", "nested-interactive"]
    page.locator("main details, main img").evaluate_all("nodes => nodes.forEach(node => node.remove())")


@pytest.mark.xfail(raises=pytest.fail.Exception, strict=True, reason="the check must fail this test")
def test_a_violation_fails_the_test(page):
    serve_made_up_pages(page)
    page.goto("/axe-check/broken")  # nothing else: the check at the end of the test finds it


@pytest.mark.xfail(raises=pytest.fail.Exception, strict=True, reason="an unchecked context must fail this test")
def test_a_context_opened_without_new_context_fails_the_test(browser, live_server):
    context = browser.new_context(base_url=live_server)
    try:
        context.new_page().goto("/alpha/login")
    finally:
        context.close()
