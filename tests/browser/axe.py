"""axe-core on every page the browser tests load, and a failure on a serious or critical violation.

axe-core is the npm package in tests/browser/node_modules (`make test` installs it from
package-lock.json); it is put into the page under test by Playwright, never served by the app.

How a page gets checked without the test asking for it: an `AxeWatch` follows the pages of the
contexts it is given. A page's main frame navigating (a goto, a clicked link, a submitted form, a
redirect, a pushed htmx URL) or an htmx request finishing marks the page as changed; before the
test's next Playwright call, and once more when the test ends, every changed page is checked. So
each document a test reaches is checked before the test can act on it, let alone leave it.

"Before the next Playwright call" needs a hook into Playwright's sync API: every sync call goes
through `SyncBase._sync`, which `scan_before_each_call()` wraps. If a Playwright upgrade moves it,
that function fails at once, and so does test_axe.py; nothing is skipped in silence.

A check runs axe-core once per document state: the same URL with the same markup is not checked
again. It waits until htmx has settled and finite animations and transitions have ended (a fading
htmx indicator would otherwise be measured half-transparent), and keeps the violations whose
impact is serious or critical.

axe-core reaches the page past the app's Content-Security-Policy (no inline scripts) through the
DevTools protocol: a watched context starts every document with it as an init script (sent once
per context, not 650 kB per check), and `page.evaluate` puts it in where that did not run
(JavaScript off). Pages with JavaScript off get scripts back for the moment of the check:
axe-core's own timers need them, and the scripts the page itself carried were already skipped
when it loaded.

Only contexts opened through the `new_context` fixture are watched (it knows their options); a
test that opens one straight from `browser` fails, saying so, rather than going unchecked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import greenlet
from playwright._impl._sync_base import SyncBase
from playwright.sync_api import Browser, BrowserContext, Error, Page

AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
SNIPPET_CHARS = 240

# What the document is, and a fingerprint of its markup (its length and FNV-1a hash).
_STATE_JS = """() => {
  const html = document.documentElement ? document.documentElement.outerHTML : "";
  let hash = 0x811c9dc5;
  for (let i = 0; i < html.length; i++) {
    hash = Math.imul(hash ^ html.charCodeAt(i), 0x01000193);
  }
  return {type: document.contentType, markup: `${html.length}:${hash >>> 0}`};
}"""

# Before a check (at most 2 s): htmx has swapped and settled what it was loading, and finite
# animations and CSS transitions have ended (contrast is measured on what people end up seeing).
_SETTLE_JS = """async () => {
  const until = Date.now() + 2000;
  const pause = ms => new Promise(resolve => setTimeout(resolve, ms));
  while (document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling") && Date.now() < until) {
    await pause(20);
  }
  const moving = document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null));
  await Promise.race([Promise.all(moving), pause(Math.max(0, until - Date.now()))]);
}"""

# What Playwright says when a page navigates (or closes) in the middle of an evaluation.
_MOVED_ON = ("context was destroyed", "Cannot find context", "Frame was detached", "has been closed")

_RUN_JS = """async impacts => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html})),
  }));
}"""


@functools.cache
def axe_source() -> str:
    """axe-core's script, read once per test run."""
    if not AXE_JS.exists():
        raise RuntimeError(
            f"axe-core is missing ({AXE_JS}). Install it with `npm ci --prefix tests/browser` (`make test` does)."
        )
    return AXE_JS.read_text(encoding="utf-8") + "\n;void 0"


@dataclass
class Violation:
    url: str
    rule: str
    impact: str
    help: str
    help_url: str
    nodes: list[dict] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"{self.rule} ({self.impact}): {self.help}", f"  {self.help_url.split('?')[0]}"]
        for node in self.nodes:
            html = " ".join(node["html"].split())
            if len(html) > SNIPPET_CHARS:
                html = html[: SNIPPET_CHARS - 1] + "…"
            lines.append(f"  - {' '.join(node['target'])}")
            lines.append(f"    {html}")
        return "\n".join(lines)


def report(violations: list[Violation]) -> str:
    """The violations, grouped by the URL they were found on."""
    lines = [f"axe-core found {len(violations)} serious or critical accessibility violation(s):"]
    url = None
    for violation in violations:
        if violation.url != url:
            url = violation.url
            lines.append(f"\non {url}")
        lines.extend("  " + line for line in violation.describe().splitlines())
    return "\n".join(lines)


def check_page(page: Page, *, scripts_off: bool = False) -> list[Violation]:
    """Run axe-core on the page as it is now; the serious and critical violations."""
    url = page.url
    if scripts_off:
        # The page's own scripts were skipped when it loaded; axe-core's timers need scripts on.
        # (A session changes the setting only when its own idea of it changes: off first, then on.)
        session = page.context.new_cdp_session(page)
        session.send("Emulation.setScriptExecutionDisabled", {"value": True})
        session.send("Emulation.setScriptExecutionDisabled", {"value": False})
    try:
        page.evaluate(_SETTLE_JS)
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(axe_source())
        found = page.evaluate(_RUN_JS, list(FAILING_IMPACTS))
    finally:
        if scripts_off:
            session.send("Emulation.setScriptExecutionDisabled", {"value": True})
            session.detach()
    return [Violation(url, v["id"], v["impact"], v["help"], v["helpUrl"], v["nodes"]) for v in found]


class AxeWatch:
    """Checks each page of the watched contexts after it loads, before the test acts on it again."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.violations: list[Violation] = []
        self.unwatched = False  # a context was opened some other way than through watch()
        self.checked: list[str] = []  # the URLs checked, in order (a URL again if its markup changed)
        self._contexts: dict[BrowserContext, bool] = {}  # context -> scripts off
        self._pages: dict[Page, bool] = {}  # page -> changed since its last check
        self._seen: set[tuple[str, str]] = set()  # (url, fingerprint of the markup) already checked
        self._reported: set[tuple[str, ...]] = set()  # (url, rule, element) already reported
        self._busy = False
        self._stopped = False
        self._greenlet = greenlet.getcurrent()  # the test's own; Playwright runs event handlers in others

    def watch(self, context: BrowserContext, *, scripts_off: bool = False) -> None:
        self._contexts[context] = scripts_off
        if not scripts_off:
            context.add_init_script(axe_source())
        context.on("page", self._follow)

    def _follow(self, page: Page) -> None:
        if page in self._pages:
            return
        self._pages[page] = True

        def changed(*_args) -> None:
            self._pages[page] = True

        page.on("framenavigated", lambda frame: changed() if frame.parent_frame is None else None)
        page.on("requestfinished", lambda request: changed() if request.headers.get("hx-request") else None)
        page.on("close", lambda _page: self._pages.pop(page, None))

    def before_call(self) -> None:
        """Check the pages that changed since the last Playwright call (called before each one)."""
        if self._busy or self._stopped or greenlet.getcurrent() is not self._greenlet:
            return
        self._busy = True
        try:
            for context in self.browser.contexts:
                if context not in self._contexts:
                    self.unwatched = True
                    continue
                for page in context.pages:
                    self._follow(page)
            for page, changed in list(self._pages.items()):
                if changed and not page.is_closed():
                    self._pages[page] = False
                    self._check(page)
        finally:
            self._busy = False

    def finish(self) -> None:
        """Check the pages still open as they are at the end of the test; then check no more."""
        for page in self._pages:
            self._pages[page] = True
        self.before_call()
        self.stop()

    def stop(self) -> None:
        """Check nothing more (closing the browsers afterwards is no page to check)."""
        self._stopped = True

    def take(self) -> list[Violation]:
        """The violations found so far; forgotten here, so they fail nothing (for test_axe.py)."""
        violations, self.violations = self.violations, []
        return violations

    def _check(self, page: Page) -> None:
        url = page.url
        if not url.startswith(("http://", "https://")):
            return
        try:
            page.wait_for_load_state("domcontentloaded")
            state = page.evaluate(_STATE_JS)
            if state["type"] != "text/html":
                return  # a PDF, an image
            key = (url, state["markup"])
            if key in self._seen:
                return
            found = check_page(page, scripts_off=self._contexts.get(page.context, False))
        except Error as error:
            if page.is_closed() or any(sign in error.message for sign in _MOVED_ON):
                self._pages[page] = True  # it moved on while being checked: the next document gets checked
                return
            raise
        self._seen.add(key)
        self.checked.append(url)
        for violation in found:  # an element already reported on this URL is not reported again
            violation.nodes = [node for node in violation.nodes if self._new((url, violation.rule, *node["target"]))]
            if violation.nodes:
                self.violations.append(violation)

    def _new(self, key: tuple[str, ...]) -> bool:
        if key in self._reported:
            return False
        self._reported.add(key)
        return True


_watch: AxeWatch | None = None


def active(watch: AxeWatch | None) -> None:
    """Make `watch` the one whose pages are checked before Playwright calls (None: none)."""
    global _watch
    _watch = watch


def scan_before_each_call() -> Callable[[], None]:
    """Wrap Playwright's sync call so the active watch checks changed pages first; returns the undo."""
    original = getattr(SyncBase, "_sync", None)
    if original is None:
        raise RuntimeError("playwright._impl._sync_base.SyncBase._sync is gone: tests/browser/axe.py needs updating")

    @functools.wraps(original)
    def _sync(self, awaitable):
        __tracebackhide__ = True
        if _watch is not None:
            _watch.before_call()
        return original(self, awaitable)

    SyncBase._sync = _sync

    def undo() -> None:
        SyncBase._sync = original

    return undo
