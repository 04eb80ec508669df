"""The self-check's look at the seekers' website routes (L5): `rq cron` daily, `flask jobs tick` without Redis.

Each website route's page is asked (HEAD, then GET when a server will not answer HEAD) with a short timeout
and a few redirects, and what came back is stored on the route: "" for a page that answers (2xx, or a 3xx
left after the redirects), else what went wrong in words ("HTTP 404", "no answer"). A route is asked again
only when its last check is more than a day old, so a tick every minute costs one query; a page is never
asked while a board member loads the self-check."""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request

from flask import current_app

from core import clock
from jobs import job_context
from models.listings import SeekerRoute

TIMEOUT = 5  # seconds per request: a landlord's page that takes longer loses seekers anyway
MAX_REDIRECTS = 4
AGAIN_AFTER = dt.timedelta(days=1)
PER_RUN = 50  # a tick never waits on more than this many pages (oldest checks first)
USER_AGENT = "Porch listing check (+https://porch.example/homes)"


class _InwardAddressError(OSError):
    """The page's address is on this machine or its private network: a board member's route must not
    make Porch knock on internal services."""


def _check_public(url: str) -> None:
    """Refuse a URL whose host resolves to a loopback, private, link-local or reserved address (the tests'
    own page server is on loopback: LISTING_CHECK_PRIVATE_ADDRESSES lets them through)."""
    if current_app.config.get("LISTING_CHECK_PRIVATE_ADDRESSES"):
        return
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        return  # the request itself says "address not found"
    for address in found:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise _InwardAddressError("not a public address")


class _FewRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_public(newurl)  # a public page may not send the check inward either
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_FewRedirects)
_OPENER.addheaders = [("User-Agent", USER_AGENT)]


def check_routes() -> int:
    """Ask the pages of the website routes not checked for a day; the number of routes checked."""
    with job_context():
        now = clock.utcnow_naive()
        due = list(
            SeekerRoute.select()
            .where(
                (SeekerRoute.kind == SeekerRoute.WEBSITE)
                & (SeekerRoute.url != "")
                & (SeekerRoute.checked_at.is_null() | (SeekerRoute.checked_at < now - AGAIN_AFTER))
            )
            .order_by(SeekerRoute.checked_at.is_null(False), SeekerRoute.checked_at, SeekerRoute.id)
            .limit(PER_RUN)
        )
        for route in due:
            status = page_status(route.url)
            SeekerRoute.update(checked_at=clock.utcnow_naive(), check_status=status[:120]).where(
                SeekerRoute.id == route.id
            ).execute()
        return len(due)


def page_status(url: str) -> str:
    """ "" when the page answers; else what went wrong, in words the board reads on the self-check."""
    status = _ask(url, "HEAD")
    # Some servers refuse HEAD (405, 501) or mishandle it; a GET is what a seeker's browser sends.
    if status:
        status = _ask(url, "GET")
    return status


def _ask(url: str, method: str) -> str:
    request = urllib.request.Request(url, method=method)
    try:
        _check_public(url)
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            if method == "GET":
                response.read(1024)  # the page starts: a server that sends headers and then fails is caught
            return "" if 200 <= response.status < 400 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:  # more redirects than we follow, or a redirect without a Location
            return f"HTTP {error.code} (too many redirects)"
        return f"HTTP {error.code}"
    except urllib.error.URLError as error:
        return _words(error.reason)
    except TimeoutError:
        return "no answer"
    except (http.client.HTTPException, ConnectionError, OSError, ValueError) as error:
        return _words(error)


def _words(reason) -> str:
    """A network error as a short phrase (stored, shown to the board as it is)."""
    if isinstance(reason, TimeoutError):
        return "no answer"
    if isinstance(reason, _InwardAddressError):
        return "not a public address"
    if isinstance(reason, ConnectionRefusedError):
        return "no answer (connection refused)"
    if isinstance(reason, socket.gaierror):
        return "address not found"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "certificate not valid"
    if isinstance(reason, ssl.SSLError):
        return "secure connection failed"
    text = str(reason).strip() or reason.__class__.__name__
    return text[:120]
