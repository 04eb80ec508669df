"""The route check job against a real HTTP server on loopback: a page that answers, one that is gone, one
that refuses HEAD but answers GET, a redirect, and an address where nobody answers; routes checked within a
day are not asked again, and `flask jobs tick` runs it."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import threading

import pytest

from jobs import listing_checks
from models.listings import SeekerRoute
from tests.factories.listings import make_route


class Handler(http.server.BaseHTTPRequestHandler):
    asked: list = []

    def _answer(self, body: bool):
        Handler.asked.append((self.command, self.path))
        if self.path == "/apply":
            self._send(200, body)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/apply")
            self.end_headers()
        elif self.path == "/get-only" and self.command == "HEAD":
            self._send(405, body)
        elif self.path == "/get-only":
            self._send(200, body)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        else:
            self._send(404, body)

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def do_HEAD(self):  # noqa: N802
        self._answer(False)

    def log_message(self, *args):
        pass


@pytest.fixture
def web(app):
    app.config["LISTING_CHECK_PRIVATE_ADDRESSES"] = True  # the page server below is on loopback
    Handler.asked = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def route(association, url, **fields):
    return make_route(association, SeekerRoute.WEBSITE, url=url, **fields)


def test_each_website_route_gets_what_its_page_answered(app, alpha, web, frozen_clock):
    frozen_clock.set(dt.datetime(2027, 3, 2, 3, 0, tzinfo=dt.UTC))
    routes = {
        "fine": route(alpha, f"{web}/apply", housing_type="family"),
        "gone": route(alpha, f"{web}/nothing-here", housing_type="youth"),
        "get_only": route(alpha, f"{web}/get-only", housing_type="senior"),
        "moved": route(alpha, f"{web}/moved"),
    }
    from tests.factories.register import make_building

    routes["loop"] = route(alpha, f"{web}/loop", building=make_building(alpha, "Loop House"))
    routes["nobody"] = route(alpha, f"http://127.0.0.1:{closed_port()}/", building=make_building(alpha, "Empty"))
    make_route(alpha, SeekerRoute.PHONE, phone="+45 70 00 00 00", building=make_building(alpha, "Phone House"))
    with app.app_context():
        assert listing_checks.check_routes() == 6
    status = {name: SeekerRoute.get_by_id(r.id).check_status for name, r in routes.items()}
    assert status["fine"] == "" and status["moved"] == "" and status["get_only"] == ""
    assert status["gone"] == "HTTP 404"
    assert status["loop"].startswith("HTTP 30") and "too many redirects" in status["loop"]
    assert status["nobody"].startswith("no answer")
    assert ("HEAD", "/get-only") in Handler.asked and ("GET", "/get-only") in Handler.asked
    assert all(SeekerRoute.get_by_id(r.id).checked_at == dt.datetime(2027, 3, 2, 3, 0) for r in routes.values())


def test_a_route_is_asked_again_only_after_a_day(app, alpha, web, frozen_clock):
    frozen_clock.set(dt.datetime(2027, 3, 2, 3, 0, tzinfo=dt.UTC))
    route(alpha, f"{web}/apply")
    with app.app_context():
        assert listing_checks.check_routes() == 1
        frozen_clock.advance(dt.timedelta(hours=23))
        assert listing_checks.check_routes() == 0
        frozen_clock.advance(dt.timedelta(hours=2))
        assert listing_checks.check_routes() == 1
    assert len([a for a in Handler.asked if a[1] == "/apply"]) == 2


def test_jobs_tick_checks_the_routes_due(app, alpha, web, frozen_clock):
    frozen_clock.set(dt.datetime(2027, 3, 2, 3, 0, tzinfo=dt.UTC))
    gone = route(alpha, f"{web}/nothing-here")
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert result.exit_code == 0, result.output
    assert "1 seeker route(s) checked" in result.output
    assert SeekerRoute.get_by_id(gone.id).check_status == "HTTP 404"
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert "0 seeker route(s) checked" in result.output


def test_a_route_to_this_machine_or_a_private_network_is_not_asked(app, alpha, web, frozen_clock):
    """A board member's route must not make Porch knock on internal services, directly or by a redirect."""
    app.config["LISTING_CHECK_PRIVATE_ADDRESSES"] = False
    frozen_clock.set(dt.datetime(2027, 3, 2, 3, 0, tzinfo=dt.UTC))
    inward = route(alpha, f"{web}/apply")
    private = route(alpha, "http://10.0.0.1/admin", housing_type="youth")
    with app.app_context():
        assert listing_checks.check_routes() == 2
    assert SeekerRoute.get_by_id(inward.id).check_status == "not a public address"
    assert SeekerRoute.get_by_id(private.id).check_status == "not a public address"
    assert Handler.asked == []
