"""Browser fixtures: the test app on a real port, and headless Chromium driven by Playwright.

`live_server` serves the test `app` (and points BASE_URL at itself, so mailed
links work); `page` is a phone-sized tab (360×740) whose relative URLs go to
the live server; `new_context(**options)` opens another browser (a context
with its own cookies), e.g. with JavaScript off or a desktop viewport.

axe-core checks every page these browsers load (see axe.py): each document, before
the test's next Playwright call and once more at its end. A serious or critical
violation fails the test, with the rule, the elements and the URL. `axe_watch`
is the test's watch, for a test that wants to look at what was found.

Every test in this folder is marked `browser`.

Playwright's sync API and the rest of the suite: between two sync calls
Playwright leaves its event loop marked as running in this thread (see
wait_for_future() in playwright/_impl/_greenlets.py). A later test that runs
asyncio in the main thread (asyncio.run(), loop.run_until_complete()) would
then fail with "cannot be called from a running event loop". So the loop is
marked as running only while a browser test (or the browser's own start and
stop) runs, and cleared otherwise.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.browser import axe
from tests.helpers import free_port

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 10_000
SHOTS_DIR = Path("/tmp/porch-shots")

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


AXE_WATCH = pytest.StashKey[axe.AxeWatch]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test that passed still fails if axe-core found a serious or critical violation on its pages."""
    watch = item.stash.get(AXE_WATCH, None)
    try:
        result = yield
    except BaseException:
        if watch is not None:
            watch.stop()
            if watch.violations:
                item.add_report_section("call", "axe-core", axe.report(watch.violations))
        raise
    if watch is not None:
        watch.finish()
        if watch.violations:
            pytest.fail(axe.report(watch.violations), pytrace=False)
        if watch.unwatched:
            pytest.fail("A browser context was opened without `new_context`: axe-core did not check its pages.")
    return result


# --- the app on a real port ------------------------------------------------------------


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 in a thread; yields its base URL."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    base_url = f"http://127.0.0.1:{port}"
    app.config["BASE_URL"] = base_url  # links in mails point here
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"live-server-{port}", daemon=True
    )
    thread.start()
    yield base_url
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- Chromium ---------------------------------------------------------------------------


class _PlaywrightLoop:
    """Marks Playwright's event loop as running in this thread only while it is used."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop

    def enter(self) -> None:
        asyncio._set_running_loop(self.loop)

    def leave(self) -> None:
        asyncio._set_running_loop(None)


@pytest.fixture(scope="session")
def _playwright():
    playwright = sync_playwright().start()
    loop = _PlaywrightLoop(playwright._loop)
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except BaseException:
        playwright.stop()
        loop.leave()
        raise
    loop.leave()
    yield browser, loop
    loop.enter()
    try:
        browser.close()
    finally:
        playwright.stop()
        loop.leave()


@pytest.fixture(scope="session")
def browser(_playwright):
    return _playwright[0]


@pytest.fixture(autouse=True)
def _playwright_loop(_playwright):
    """Each browser test runs with Playwright's loop marked as running, and ends without it."""
    loop = _playwright[1]
    loop.enter()
    yield
    loop.leave()


@pytest.fixture(scope="session")
def _axe_before_calls(_playwright):
    """Playwright's sync calls check the pages that changed first (see axe.py)."""
    axe.axe_source()  # fails at once, saying how to install it, if axe-core is missing
    undo = axe.scan_before_each_call()
    yield
    undo()


@pytest.fixture(autouse=True)
def axe_watch(request, browser, _axe_before_calls):
    """This test's axe-core watch over the contexts `new_context` opens (and over no other: see axe.py)."""
    watch = axe.AxeWatch(browser)
    request.node.stash[AXE_WATCH] = watch
    axe.active(watch)
    yield watch
    axe.active(None)


@pytest.fixture
def new_context(browser, live_server, axe_watch):
    """Open a browser context: phone-sized, relative URLs go to the live server; options override.

    axe-core checks every page it loads."""
    contexts = []

    def make(**options):
        options = {"viewport": PHONE, "base_url": live_server, **options}
        context = browser.new_context(**options)
        axe_watch.watch(context, scripts_off=options.get("java_script_enabled") is False)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture(scope="session")
def shots_dir():
    """Where screenshots for people to look at go (not compared by the tests)."""
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SHOTS_DIR
