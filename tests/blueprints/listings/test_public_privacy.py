"""An anonymous crawl of every public listing page and feed of a world with tenants, owners, board members
and contact messages: no person's name, e-mail address or phone number appears anywhere, except the
landlord's own route contact (the number a seeker is meant to call)."""

from __future__ import annotations

import datetime as dt
import re

from models.listings import ContactMessage, Offer, SeekerRoute
from tests.blueprints.listings.public_world import add_photo, world
from tests.factories.listings import make_applicant, make_route
from tests.factories.portal import make_user
from tests.factories.register import make_owner, make_person, make_resident

SECRETS = (
    "Tove",
    "Tenantsen",
    "tenant.person@example.org",
    "Olaf",
    "Ownerby",
    "olaf.owner@example.org",
    "+45 11 22 33 44",
    "Hanne",
    "Householder",
    "+45 55 66 77 88",
    "Sofie",
    "Seekersen",
    "sofie@seeker.example",
    "+45 20 30 40 50",
    "I have a cat",
    "board@alpha.example",
    "Bodil Boardsen",
    "letting@alpha.example",
    "Asger",
    "Applicantsen",
    "asger@applicant.example",
    "Ingrid",
    "ingrid@applicant.example",
)


def crawl(client, start_paths):
    """Every same-site page reachable from the start pages (links, images, forms), anonymously."""
    seen, queue, bodies = set(), list(start_paths), {}
    while queue:
        path = queue.pop()
        if path in seen or not path.startswith("/") or path.startswith("/static/"):
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200:
            continue
        body = response.get_data(as_text=not response.mimetype.startswith("image/"))
        bodies[path] = body
        if isinstance(body, str):
            for link in re.findall(r'(?:href|src|action)="([^"#]+)"', body):
                link = link.replace("&amp;", "&").replace("http://localhost", "")
                if ("/homes" in link or "/waiting-list" in link) and "/login" not in link:
                    queue.append(link)
    return bodies


def test_no_persons_data_on_any_public_page(client, app):
    made = world()
    association = made.association
    let = made.homes["let"]
    owner = make_person(
        association, "olaf.owner@example.org", given_name="Olaf", surname="Ownerby", phone_mobile="+45 11 22 33 44"
    )
    make_owner(let.unit, owner)
    make_owner(made.homes["family"].unit, owner, started_on=dt.date(2000, 1, 1))  # a vacant unit still has an owner
    household = make_person(association, given_name="Hanne", surname="Householder", phone_home="+45 55 66 77 88")
    make_resident(made.homes["middle"].unit, household, start_date=dt.date(2010, 1, 1), end_date=dt.date(2020, 1, 1))
    make_user(association, "board@alpha.example", "board", name="Bodil Boardsen")
    ContactMessage.create(
        association=association,
        vacancy=made.homes["small"],
        name="Sofie Seekersen",
        email="sofie@seeker.example",
        phone="+45 20 30 40 50",
        message="I have a cat",
        sender_key="k" * 64,
    )
    # Applicants on the waiting list, one of them offered a listed home.
    applicant = make_applicant(association, "Asger Applicantsen", email="asger@applicant.example")
    Offer.create(
        association=association, vacancy=made.homes["small"], applicant=applicant, deadline=dt.datetime(2099, 1, 1)
    )
    make_applicant(association, "Ingrid Internalsen", email="ingrid@applicant.example", internal=True)
    make_route(association, SeekerRoute.FORM, email="letting@alpha.example", building=made.north)
    make_route(association, SeekerRoute.PHONE, phone="+45 70 00 00 00")
    for vacancy in made.homes.values():
        add_photo(app, vacancy)
    bodies = crawl(client, ["/alpha/homes", "/homes", "/homes.json", "/homes.atom", "/homes.json?association=alpha"])
    pages = [path for path in bodies if "/homes/" in path and "photos" not in path and "contact" not in path]
    assert len(pages) >= 4  # every listed home's page was reached
    assert any("/contact" in path for path in bodies) and any("/photos/" in path for path in bodies)
    assert "/alpha/waiting-list" in bodies and "/alpha/waiting-list/link" in bodies
    for path, body in bodies.items():
        if isinstance(body, bytes):
            continue
        for secret in SECRETS:
            assert secret not in body, f"{secret!r} on {path}"
    assert any("+45 70 00 00 00" in body for body in bodies.values() if isinstance(body, str))  # the landlord's number
