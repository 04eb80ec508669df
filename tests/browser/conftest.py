"""Browser fixtures: the test app on a real port, and headless Chromium driven by Playwright.

`live_server` serves the test `app` (and points BASE_URL at itself, so mailed
links work); `page` is a phone-sized tab (360×740) whose relative URLs go to
the live server; `new_context(**options)` opens another browser (a context
with its own cookies), e.g. with JavaScript off or a desktop viewport.

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


@pytest.fixture
def new_context(browser, live_server):
    """Open a browser context: phone-sized, relative URLs go to the live server; options override."""
    contexts = []

    def make(**options):
        options = {"viewport": PHONE, "base_url": live_server, **options}
        context = browser.new_context(**options)
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
