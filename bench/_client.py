"""The load driver for bench/pages.py: a standard-library HTTP client and a timed run.

`Browser` is one visitor: a persistent http.client connection (reopened when the
server closes it, as gunicorn's sync worker does after every response) and a
cookie jar. `drive()` runs many browsers in threads against one page for a fixed
time; pages.py calls it in a separate process so that the client never shares a
GIL with the server or with the code that prints the results.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

PASSWORD = "demo-password"
# What reusing a kept-alive connection the server has meanwhile closed raises.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One visitor: a keep-alive connection to the server and the cookies it has set."""

    def __init__(self, host: str, port: int, timeout: float = 30.0):
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def close(self) -> None:
        self.connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, urlencode(fields).encode(), headers)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        headers = {**(headers or {}), **self._cookie_header()}
        reused = self.connection.sock is not None
        try:
            response = self._send(method, path, body, headers)
        except STALE_CONNECTION:
            self.connection.close()
            if not reused:
                raise
            # The server closed the idle connection before reading the request: send it again.
            response = self._send(method, path, body, headers)
        self._remember_cookies(response.headers)
        return response

    def _send(self, method: str, path: str, body: bytes | None, headers: dict) -> Response:
        self.connection.request(method, path, body=body, headers=headers)
        raw = self.connection.getresponse()
        return Response(raw.status, raw.headers, raw.read())

    def _cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    def _remember_cookies(self, headers: http.client.HTTPMessage) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            name, _, value = line.split(";", 1)[0].strip().partition("=")
            if value and "max-age=0" not in line.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)

    def log_in(self, slug: str, email: str, password: str = PASSWORD) -> None:
        """GET the portal's login page for the CSRF token, then POST the form."""
        path = f"/{slug}/login"
        page = self.get(path)
        token = parse_page(page.text).csrf_token
        if page.status != 200 or not token:
            raise RuntimeError(f"GET {path} gave {page.status} without a csrf_token input")
        fields = {"csrf_token": token, "email": email, "password": password, "next": ""}
        answer = self.post_form(path, fields)
        if answer.status != 302:
            raise RuntimeError(f"logging in as {email} gave {answer.status}, expected a 302 redirect")


# --- Reading pages -------------------------------------------------------------


@dataclass
class PageLinks:
    """What a page asks the browser to fetch next, and its CSRF token."""

    csrf_token: str | None = None
    assets: list[tuple[str, str]] = field(default_factory=list)  # (kind, url)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = PageLinks()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        rel = set(attributes.get("rel", "").lower().split())
        if tag == "input" and attributes.get("name") == "csrf_token":
            self.links.csrf_token = self.links.csrf_token or attributes.get("value")
        elif tag == "link" and "stylesheet" in rel and attributes.get("href"):
            kind = "print stylesheet" if attributes.get("media") == "print" else "stylesheet"
            self.links.assets.append((kind, attributes["href"]))
        elif tag == "link" and "icon" in rel and attributes.get("href"):
            self.links.assets.append(("icon", attributes["href"]))
        elif tag == "script" and attributes.get("src"):
            self.links.assets.append(("script", attributes["src"]))


def parse_page(html: str) -> PageLinks:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.links


# --- Timed runs ----------------------------------------------------------------


@dataclass
class PageRun:
    """Every sample of one page's run; pages.py summarises it."""

    path: str
    clients: int
    elapsed: float = 0.0
    client_cpu: float = 0.0  # CPU seconds the whole load process used while measuring
    latencies: list[float] = field(default_factory=list)  # seconds, every response
    queries: list[int] = field(default_factory=list)  # X-Query-Count, where sent
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # exceptions by type

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        return self.requests - self.statuses[200] + sum(self.failures.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def latency_ms(self, percent: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1] * 1000

    @property
    def queries_max(self) -> int | None:
        return max(self.queries) if self.queries else None

    @property
    def queries_typical(self) -> int | None:
        return Counter(self.queries).most_common(1)[0][0] if self.queries else None


def drive(
    address: tuple[str, int],
    path: str,
    *,
    accounts: list[str | None],
    slug: str,
    seconds: float,
    warmup: float,
    paths: list[str] | None = None,
) -> PageRun:
    """One thread per account (None: anonymous) requests `path` over and over for `seconds`.

    `paths`, if given, holds each account's own path instead (its own unit, its own invoice).
    Each client logs in first (unless anonymous) and warms up for `warmup`
    seconds; then all start together and only what follows is measured.
    """
    run = PageRun(path=path, clients=len(accounts))
    go = threading.Barrier(len(accounts) + 1)
    clients = [_Client(Browser(*address), email, go) for email in accounts]
    own = paths or [path] * len(accounts)
    threads = [
        threading.Thread(target=c.run, args=(slug, own_path, warmup, seconds), daemon=True)
        for c, own_path in zip(clients, own, strict=True)
    ]
    for thread in threads:
        thread.start()
    try:
        go.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join()
        raise RuntimeError(next(c.setup_error for c in clients if c.setup_error)) from None
    start, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    run.elapsed = time.perf_counter() - start
    run.client_cpu = time.process_time() - cpu
    for client in clients:
        client.add_to(run)
    return run


class _Client:
    """One thread's browser and the samples it took."""

    def __init__(self, browser: Browser, email: str | None, go: threading.Barrier):
        self.browser, self.email, self.go = browser, email, go
        self.setup_error: str | None = None
        self.sample = PageRun(path="", clients=1)

    def run(self, slug: str, path: str, warmup: float, seconds: float) -> None:
        try:
            self._set_up(slug, path, warmup)
            self.go.wait()
        except threading.BrokenBarrierError:
            return  # another client could not log in
        except Exception as error:  # noqa: BLE001 - any failure must release the others
            self.setup_error = f"{type(error).__name__}: {error}"
            self.go.abort()
            return
        try:
            self._measure(path, time.perf_counter() + seconds)
        finally:
            self.browser.close()

    def _set_up(self, slug: str, path: str, warmup: float) -> None:
        if self.email:
            self.browser.log_in(slug, self.email)
        until = time.perf_counter() + warmup
        while time.perf_counter() < until:
            self.browser.get(path)

    def _measure(self, path: str, deadline: float) -> None:
        sample = self.sample
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = self.browser.get(path)
            except (OSError, http.client.HTTPException) as error:
                sample.failures[type(error).__name__] += 1
                self.browser.close()
                continue
            sample.latencies.append(time.perf_counter() - started)
            sample.statuses[response.status] += 1
            count = response.headers.get("X-Query-Count")
            if count is not None:
                sample.queries.append(int(count))

    def add_to(self, run: PageRun) -> None:
        run.latencies += self.sample.latencies
        run.queries += self.sample.queries
        run.statuses += self.sample.statuses
        run.failures += self.sample.failures


def ignore_interrupts() -> None:
    """Pool initializer: Ctrl-C is for pages.py, which then ends this process."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
