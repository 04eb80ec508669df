"""A house that votes: four flats, joint owners, a proxy, a tenant and the board, as accounts that log in.

Flat 1 (share 3/10) is owned jointly by Anna and Ben, flat 2 (4/10) by Cilla, whose proxy is Dan, flat 3
(2/10) by Eva, flat 4 (1/10) by Anna alone. Tina rents flat 3 (a tenant: no vote permission). Beta is
another association with its own board.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from models import Membership
from models.register import Ownership, Residency, VotingProxy
from tests.factories.register import make_unit
from tests.factories.votes import make_vote


@pytest.fixture
def house(app, alpha, make_user, make_association, outbox):
    def person(user):
        return Membership.get(Membership.user == user, Membership.association == alpha).person

    users = {
        name: make_user(alpha, f"{name}@alpha.example", role)
        for name, role in (("anna", "member"), ("ben", "member"), ("cilla", "member"), ("dan", "member"),
                           ("eva", "member"), ("tina", "tenant"), ("board", "board"))
    }  # fmt: skip
    people = {name: person(user) for name, user in users.items()}
    units = {
        "1": make_unit(alpha, "1", share=(3, 10)),
        "2": make_unit(alpha, "2", share=(4, 10)),
        "3": make_unit(alpha, "3", share=(2, 10)),
        "4": make_unit(alpha, "4", share=(1, 10)),
    }
    Ownership.create(unit=units["1"], person=people["anna"], share_numerator=1, share_denominator=2, is_main=True)
    Ownership.create(unit=units["1"], person=people["ben"], share_numerator=1, share_denominator=2)
    Ownership.create(unit=units["2"], person=people["cilla"], is_main=True)
    Ownership.create(unit=units["3"], person=people["eva"], is_main=True)
    Ownership.create(unit=units["4"], person=people["anna"], is_main=True)
    Residency.create(unit=units["3"], person=people["tina"], role=Residency.TENANT)
    VotingProxy.create(
        unit=units["2"], person=people["dan"], start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31)
    )
    beta = make_association("beta")
    outsider = make_user(beta, "board@beta.example", "board")
    return SimpleNamespace(alpha=alpha, beta=beta, users=users, people=people, units=units, outsider=outsider)


@pytest.fixture
def new_vote(app):
    """make_vote() in a request context of its own (starting reads the app's settings and translates),
    so the test client's requests keep theirs."""

    def make(association, *args, **kwargs):
        with app.test_request_context():
            return make_vote(association, *args, **kwargs)

    return make
