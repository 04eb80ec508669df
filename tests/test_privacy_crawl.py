"""No page a resident can reach shows any part of a personal or company id (issue 17, item 4; SPEC R2).

With the demo loaded, each non-board demo account (owners and a tenant in Swedish, Czech and Estonian)
walks every page it can reach from its home and menu pages, following links and the URLs htmx loads
(hx-get), and no page may hold the leading part of any demo person's id: a masked "19610412-****"
still gives the birth date and, in a Czech id, the sex.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

from models import Person
from tests.helpers import Client

NON_BOARD = ["owner@solrosen.example", "tenant@solrosen.example", "owner@nakopci.example", "owner@kase5.example"]
LINK = re.compile(r'(?:href|hx-get)="([^"]+)"')
MAX_PAGES = 400


def id_fragments() -> dict[str, str]:
    """fragment -> whose: what a masked id left visible, and its first six digits (the birth date)."""
    found = {}
    for person in Person.select().where(Person.personal_id != ""):
        value = person.personal_id
        found[value[: max(0, len(value) - 4)]] = value
        digits = re.sub(r"\D", "", value)
        found[digits[:6]] = value
    return {fragment: value for fragment, value in found.items() if len(fragment) >= 6}


def crawl(client: Client, start: list[str]):
    """Every same-site GET page reachable from `start`: (path, text)."""
    seen, queue = set(), deque(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or not response.mimetype.startswith(("text/", "application/json")):
            continue
        body = response.get_data(as_text=True)
        yield path, body
        for link in LINK.findall(body):
            target = urlsplit(urljoin("http://porch.test" + path, link.replace("&amp;", "&")))
            if target.netloc not in ("", "porch.test") or not target.path.startswith("/"):
                continue
            if target.path.startswith(("/static/", "/logout")) or target.path.endswith((".pdf", "/pdf")):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))


def test_no_page_a_resident_reaches_shows_a_personal_id(app, new_client, login, outbox):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    fragments = id_fragments()
    assert len(fragments) >= 8, "the demo should hold personal ids to look for"
    for email in NON_BOARD:
        client = new_client()
        login(client, email, password="demo-password")
        slug = email.split("@")[1].split(".")[0]
        pages = 0
        for path, body in crawl(client, [f"/{slug}/", f"/{slug}/menu"]):
            pages += 1
            for fragment, whole in fragments.items():
                assert fragment not in body, f"{email} sees {fragment!r} (of {whole!r}) on {path}"
        assert pages >= 8, f"{email} reached only {pages} pages: the crawl is not walking the portal"
