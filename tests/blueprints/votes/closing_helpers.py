"""A house that votes, for the tests of closing, reminders and the protocol: three flats whose shares add up
to one, their owners with addresses, a voting proxy; and reading a PDF back as its reader would."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from blueprints.votes import ballots
from models import Membership
from models.register import VotingProxy
from tests.factories.register import make_owner, make_person, make_unit
from tests.factories.votes import option


@pytest.fixture
def house(app, alpha, outbox):  # an online ballot mails its receipt
    """Flat 1 (3/10) owned jointly by Anna and Ben; flat 2 (2/10) by Cilla, with Dan as its proxy; flat 3
    (5/10) by Eva. Everyone has an address; Eva reads Czech."""
    people = {
        name: make_person(alpha, email=f"{name}@alpha.example", given_name=name.title(), surname=surname)
        for name, surname in (("anna", "Alm"), ("ben", "Berg"), ("cilla", "Cedar"), ("dan", "Dahl"), ("eva", "Ek"))
    }
    people["eva"].invoice_language = "cs"
    people["eva"].save()
    one, two, three = (make_unit(alpha, n, share=s) for n, s in (("1", (3, 10)), ("2", (2, 10)), ("3", (5, 10))))
    make_owner(one, people["anna"], share=(1, 2))
    make_owner(one, people["ben"], share=(1, 2), is_main=False)
    make_owner(two, people["cilla"])
    make_owner(three, people["eva"])
    VotingProxy.create(unit=two, person=people["dan"], start_date=dt.date(2026, 1, 1), end_date=dt.date(2027, 12, 31))
    return dict(people, one=one, two=two, three=three)


def member(person) -> Membership:
    """The person as the casting service sees a member (a membership not saved: no account is needed)."""
    return Membership(person=person.id, association=person.association, user=None)


def cast(vote, person, unit, label):
    return ballots.cast(vote, member(person), unit.id, option(vote, label).id)


def pdf_text(body: bytes) -> str:
    """The PDF's words as pdftotext reads them, whitespace collapsed (a line break is a space)."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())
