"""A register to mail (mass mail's tests): owners and tenants in two buildings, people without an address,
one whose address bounced, and a member whose address is only on their account."""

from __future__ import annotations

import datetime as dt
import re

from models import Person
from models.register import Residency
from tests.factories import portal, register


def make_people(alpha) -> dict[str, Person]:
    """Ann owns A1, Bo rents B1, Cy owns A2 and has no address, Di's address bounced, Eve is a member whose
    address is only on her account; the board member (board@alpha.example) is in the register too."""
    house_a = register.make_building(alpha, "House A")
    house_b = register.make_building(alpha, "House B")
    a1 = register.make_unit(alpha, "A1", building=house_a)
    a2 = register.make_unit(alpha, "A2", building=house_a)
    b1 = register.make_unit(alpha, "B1", building=house_b)
    found = {
        "ann": register.make_person(alpha, "ann@example.com", given_name="Ann", surname="Andersson"),
        "bo": register.make_person(alpha, "bo@example.com", role="tenant", given_name="Bo", surname="Berg"),
        "cy": register.make_person(alpha, "", given_name="Cy", surname="Carlsson"),
        "di": register.make_person(
            alpha,
            "di@example.com",
            given_name="Di",
            surname="Dahl",
            email_bounced_at=dt.datetime(2026, 2, 1, 12, 0),
            email_bounce_reason="5.1.1 user unknown",
        ),
    }
    register.make_owner(a1, found["ann"])
    register.make_owner(a2, found["cy"])
    register.make_resident(b1, found["bo"], role=Residency.TENANT)
    eve_user = portal.make_user(alpha, "eve@example.com", "member")
    eve = Person.get(Person.user == eve_user)
    Person.update(email="", given_name="Eve", surname="Ek").where(Person.id == eve.id).execute()
    found["eve"] = Person.get_by_id(eve.id)
    board_user = portal.make_user(alpha, "board@alpha.example", "board")
    found["board"] = Person.get(Person.user == board_user)
    Person.update(given_name="Bea", surname="Board").where(Person.id == found["board"].id).execute()
    return found


def checkboxes(page: str) -> dict[str, str]:
    """Each listed person's name -> "checked", "disabled" or "" (as the recipients list shows them)."""
    found = {}
    for box, name in re.findall(r'(<input type="checkbox" name="person"[^>]*>)\s*<span><strong>([^<]+)</strong>', page):
        found[name] = "disabled" if "disabled" in box else "checked" if "checked" in box else ""
    return found
