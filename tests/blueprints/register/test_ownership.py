"""Ownership (R3, seed 004 §4.7 and §4.14): shares add up to 1, one main owner, changes keep history."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from blueprints.register import ownership as rules
from models import AuditLog, Person
from models.register import Ownership, UnitFileEntry


def owner_rows(*rows) -> dict:
    """Form fields for owner rows: (person id or 0, share, is_main[, new name, new e-mail])."""
    data = {}
    for i, (person, share, main, *new) in enumerate(rows):
        data[f"owners-{i}-person"] = str(person)
        data[f"owners-{i}-share"] = share
        if main:
            data[f"owners-{i}-is_main"] = "y"
        if new:
            data[f"owners-{i}-new_name"], data[f"owners-{i}-new_email"] = new
    return data


@pytest.fixture
def board(login_as):
    return login_as("board")


@pytest.fixture
def unit(alpha, make_unit):
    return make_unit(alpha, "12", share=(6542, 100000))


def current_owners(unit, on):
    return {(o.person.full_name, o.share, o.is_main) for o in rules.current_ownerships(unit, on)}


def test_shares_that_do_not_add_up_are_refused_and_nothing_is_saved(client, alpha, board, unit, make_person):
    anna = make_person(alpha, given_name="Anna", surname="Berg")
    olle = make_person(alpha, given_name="Olle", surname="Berg")
    response = client.submit(
        f"/alpha/units/{unit.id}/owners", owner_rows((anna.id, "1/2", True), (olle.id, "1/3", False))
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "shares add up to 5/6, not 1." in page
    assert 'value="1/3"' in page  # what was typed stays on the form
    assert Ownership.select().count() == 0


def test_owners_with_halves_are_saved(client, alpha, board, unit, make_person):
    anna = make_person(alpha, given_name="Anna", surname="Berg")
    olle = make_person(alpha, given_name="Olle", surname="Berg")
    response = client.submit(
        f"/alpha/units/{unit.id}/owners", owner_rows((anna.id, "1/2", False), (olle.id, "1/2", True))
    )
    assert response.status_code == 302
    today = alpha.today()
    assert current_owners(unit, today) == {("Anna Berg", Fraction(1, 2), False), ("Olle Berg", Fraction(1, 2), True)}
    page = client.get(f"/alpha/units/{unit.id}").get_data(as_text=True)
    assert "Olle Berg" in page and "Main owner" in page


@pytest.mark.parametrize(
    ("mains", "message"),
    [((False, False), "Mark exactly one of the owners as the main owner"), ((True, True), "Mark exactly one")],
)
def test_exactly_one_main_owner(client, alpha, board, unit, make_person, mains, message):
    anna = make_person(alpha, given_name="Anna", surname="Berg")
    olle = make_person(alpha, given_name="Olle", surname="Berg")
    rows = owner_rows((anna.id, "1/2", mains[0]), (olle.id, "1/2", mains[1]))
    response = client.submit(f"/alpha/units/{unit.id}/owners", rows)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Ownership.select().count() == 0


def test_a_share_of_zero_or_above_one_for_an_owner_is_refused(client, alpha, board, unit, make_person):
    anna = make_person(alpha, given_name="Anna", surname="Berg")
    for share, message in (("0", "A share must be more than 0."), ("3/2", "A share cannot be more than 1")):
        response = client.submit(f"/alpha/units/{unit.id}/owners", owner_rows((anna.id, share, True)))
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert Ownership.select().count() == 0


def test_change_of_owner_ends_the_old_ownership_on_the_date_and_keeps_history(
    client, alpha, board, unit, make_person, make_owner
):
    seller = make_person(alpha, given_name="Sven", surname="Säljare")
    make_owner(unit, seller, started_on=dt.date(2010, 5, 1))
    buyer = make_person(alpha, given_name="Karin", surname="Köpare")
    day = dt.date(2026, 2, 15)

    response = client.submit(
        f"/alpha/units/{unit.id}/change-owner",
        {"date": day.isoformat(), "note": "Sold", **owner_rows((buyer.id, "1", False))},
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    old = Ownership.get(Ownership.person == seller)
    new = Ownership.get(Ownership.person == buyer)
    assert old.ended_on == day and old.started_on == dt.date(2010, 5, 1)
    assert new.started_on == day and new.ended_on is None and new.is_main  # a sole owner is the main owner
    assert current_owners(unit, day - dt.timedelta(days=1)) == {("Sven Säljare", 1, True)}
    assert current_owners(unit, day) == {("Karin Köpare", 1, True)}
    entry = UnitFileEntry.get(UnitFileEntry.unit == unit)
    assert entry.kind == UnitFileEntry.OWNER_CHANGE and entry.happened_on == day
    assert "Sven Säljare → Karin Köpare" in entry.text
    assert AuditLog.select().where(AuditLog.action == "register.owner_changed").count() == 1

    history = client.get(f"/alpha/units/{unit.id}/history").get_data(as_text=True)
    assert "Sven Säljare" in history and "Karin Köpare" in history and "Past" in history


def test_change_of_owner_to_a_new_person_typed_in(client, alpha, board, unit, make_person, make_owner):
    make_owner(unit, make_person(alpha, given_name="Sven", surname="Säljare"), started_on=dt.date(2010, 5, 1))
    rows = owner_rows((0, "1/2", True, "Lena Nyström", "lena@example.com"), (0, "1/2", False, "Per Nyström", ""))
    response = client.submit(f"/alpha/units/{unit.id}/change-owner", {"date": "2026-02-01", **rows})
    assert response.status_code == 302, response.get_data(as_text=True)
    lena = Person.get(Person.email == "lena@example.com")
    assert (lena.given_name, lena.surname, lena.association_id) == ("Lena", "Nyström", alpha.id)
    assert current_owners(unit, dt.date(2026, 2, 1)) == {
        ("Lena Nyström", Fraction(1, 2), True),
        ("Per Nyström", Fraction(1, 2), False),
    }


def test_change_of_owner_before_the_last_change_is_refused(client, alpha, board, unit, make_person, make_owner):
    seller = make_person(alpha, given_name="Sven", surname="Säljare")
    make_owner(unit, seller, started_on=dt.date(2024, 5, 1))
    buyer = make_person(alpha, given_name="Karin", surname="Köpare")
    response = client.submit(
        f"/alpha/units/{unit.id}/change-owner", {"date": "2024-05-01", **owner_rows((buyer.id, "1", True))}
    )
    assert response.status_code == 422
    assert "a new change must come after that day" in response.get_data(as_text=True)
    assert Ownership.select().count() == 1 and Ownership.get().ended_on is None


def test_the_main_owner_is_always_a_current_owner(alpha, app, unit, make_person, make_owner, make_user):
    actor = make_user(alpha, "b@example.com", "board")
    seller = make_person(alpha, given_name="Sven", surname="Säljare")
    make_owner(unit, seller, started_on=dt.date(2020, 1, 1))
    anna, olle = make_person(alpha, given_name="Anna"), make_person(alpha, given_name="Olle")
    with app.test_request_context():
        with pytest.raises(rules.RegisterError):
            rules.change_owner(
                unit,
                [rules.OwnerChoice(anna, Fraction(1, 2)), rules.OwnerChoice(olle, Fraction(1, 2))],
                dt.date(2026, 1, 1),
                actor,
            )
        rules.change_owner(
            unit,
            [rules.OwnerChoice(anna, Fraction(1, 2)), rules.OwnerChoice(olle, Fraction(1, 2), is_main=True)],
            dt.date(2026, 1, 1),
            actor,
        )
    for day in (dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2030, 1, 1)):
        current = rules.current_ownerships(unit, day)
        assert [o.person_id for o in current if o.is_main] in ([seller.id], [olle.id])
        assert sum(o.share for o in current) == 1


def test_parse_share():
    assert rules.parse_share("6542/100000") == Fraction(6542, 100000)
    assert rules.parse_share_terms(" 6542 / 100000 ") == (6542, 100000)
    assert rules.parse_share("1") == 1
    for bad in ("0", "0/5", "3/2", "1/0", "abc", "0.5", "-1/2", ""):
        with pytest.raises(rules.RegisterError):
            rules.parse_share(bad)
