"""records.py: rows of units, people, ownership and residents checked by the register's own rules and
created or updated idempotently, without committing (the caller's transaction decides)."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.exchange import records
from models.db import transaction
from models.register import Building, Ownership, Person, Residency, Unit


@pytest.fixture(autouse=True)
def _context(app):
    """The forms that check rows read the app's settings, as `flask import` and the pages have them."""
    with app.app_context():
        yield


def _upsert(association, kind, rows):
    with transaction():
        return records.upsert(association, kind, rows)


def _actions(outcomes):
    return [outcome.action for outcome in outcomes]


UNITS = [
    {"building": "Lipová 12", "unit": "1", "kind": "byt", "area": "64,5", "share": "6450/100000", "rooms": "3"},
    {"building": "Lipová 12", "unit": "2", "kind": "flat", "area": 51.0, "share": "5100/100000"},
    {"building": "Garáže", "unit": "G1", "kind": "Garáž", "share": "450/100000", "building_street": "Lipová 14"},
]


def test_units_are_created_then_left_unchanged_then_changed(alpha):
    assert _actions(_upsert(alpha, "units", UNITS)) == ["created"] * 3
    unit = Unit.get(Unit.number == "1")
    assert (unit.kind, unit.area, unit.rooms, unit.share_numerator, unit.share_denominator) == (
        Unit.FLAT, 64.5, 3, 6450, 100000,
    )  # fmt: skip
    assert Unit.get(Unit.number == "G1").kind == Unit.GARAGE
    assert Building.get(Building.name == "Garáže").street == "Lipová 14"
    assert _actions(_upsert(alpha, "units", UNITS)) == ["unchanged"] * 3
    changed = _upsert(alpha, "units", [{"building": "lipová 12", "unit": "1", "area": "65", "floor": ""}])
    assert changed[0].action == "changed"
    assert changed[0].changes == {"area": ("64.5", "65")}
    assert Unit.get(Unit.number == "1").area == 65  # the empty floor cleared nothing; the building matched by name
    assert Building.select().count() == 2


def test_a_unit_row_is_checked_by_the_unit_form(alpha):
    outcomes = _upsert(
        alpha,
        "units",
        [
            {"building": "A", "unit": "1", "share": "3/2"},
            {"building": "A", "unit": "2"},
            {"building": "A", "unit": "3", "share": "1/10", "rooms": "many", "kind": "castle"},
            {"unit": "4", "share": "1/10"},
        ],
    )
    assert _actions(outcomes) == ["invalid"] * 4
    assert outcomes[0].errors[0].field == "share" and "cannot be more than 1" in outcomes[0].errors[0].message
    assert outcomes[1].errors[0].field == "share"  # a new unit needs its share
    assert {error.field for error in outcomes[2].errors} == {"rooms", "kind"}
    assert outcomes[3].errors[0].field == "building"
    assert Unit.select().count() == 0


PEOPLE = [
    {"personal_id": "800101-1234", "surname": "Nováková", "given_name": "Jana", "email": "Jana@Example.cz"},
    {"email": "petr@example.cz", "name": "Petr Svoboda", "phone_mobile": "+420 777 123 456", "country": "cz"},
]


def test_people_matched_by_personal_id_then_email(alpha):
    assert _actions(_upsert(alpha, "people", PEOPLE)) == ["created", "created"]
    jana = Person.get(Person.surname == "Nováková")
    assert (jana.email, jana.invoice_by_email, jana.search_name) == ("jana@example.cz", True, "jana novakova")
    petr = Person.get(Person.surname == "Svoboda")
    assert (petr.given_name, petr.country) == ("Petr", "CZ")
    assert _actions(_upsert(alpha, "people", PEOPLE)) == ["unchanged", "unchanged"]
    # The id written another way is the same person; her new address replaces the old one.
    outcome = records.upsert_one(alpha, "people", {"personal_id": "8001011234", "email": "jana@new.example"})
    assert outcome.action == "changed" and outcome.changes == {"email": ("jana@example.cz", "jana@new.example")}
    assert Person.select().count() == 2


def _people_in(association, rows):
    return [Person.create(association=association, given_name="X", surname=f"Person {n}", **row)
            for n, row in enumerate(rows)]  # fmt: skip


def test_a_few_rows_find_people_written_any_way_the_keys_allow(alpha):
    """A push of a few rows looks people up with a LIKE pattern instead of reading the register: letters that
    upper() or lower() make of other characters (ﬁ → FI, the Kelvin sign → k) must still be found."""
    people = _people_in(alpha, [
        {"personal_id": "ﬁ 800101/1234", "email": "one@example.cz"},
        {"personal_id": "", "email": " Kelvin\u212a@Example.cz"},
        {"personal_id": "", "email": "100%_sure@example.cz"},
        {"personal_id": "ıd-77", "email": "four@example.cz"},
    ])  # fmt: skip
    rows = [{"personal_id": "FI8001011234"}, {"email": "kelvink@example.cz"}, {"email": "100%_SURE@example.cz"},
            {"personal_id": "ID 77"}]  # fmt: skip
    for person, row in zip(people, rows, strict=True):
        outcome = records.upsert_one(alpha, "people", {**row, "surname": person.surname, "given_name": "X"})
        assert outcome.id == person.id and outcome.action in ("unchanged", "changed"), (row, outcome.errors)
    # A pattern only narrows: "100x_sure…" is not "100%_sure…", and an id with more digits is someone else.
    assert records.upsert_one(alpha, "people", {"email": "100x_sure@example.cz", "surname": "New"}).action == "created"
    assert records.upsert_one(alpha, "people", {"personal_id": "FI80010112345", "surname": "New"}).action == "created"


def test_a_few_rows_match_the_oldest_of_two_people_with_one_address(alpha):
    older, newer = _people_in(
        alpha, [{"email": "shared@example.cz"}, {"email": "shared@example.cz", "personal_id": "7001011234"}]
    )
    # The first row reads the newer person (by id); the second must still find the older one by the address.
    outcomes = _upsert(
        alpha,
        "people",
        [
            {"personal_id": "700101-1234", "surname": newer.surname, "given_name": "X"},
            {"email": "SHARED@example.cz", "surname": older.surname, "given_name": "X"},
        ],
    )
    assert [(o.action, o.id) for o in outcomes] == [("unchanged", newer.id), ("unchanged", older.id)]


def test_the_letters_that_other_characters_become_are_all_named():
    """values.py's LIKE patterns let anything stand for these letters; a Python with new case mappings adds some."""
    from blueprints.exchange import values

    others = [chr(code) for code in range(0x80, 0x110000)]
    assert {c for o in others for c in o.upper() if c.isascii() and c.isalnum()} == set(values.UPPER_MADE_ELSEWHERE)
    assert {c for o in others for c in o.lower() if c.isascii()} == set(values.LOWER_MADE_ELSEWHERE)


def test_a_person_row_is_checked_by_the_person_form(alpha):
    outcomes = _upsert(
        alpha,
        "people",
        [
            {"personal_id": "=cmd|' /C calc'!A0", "surname": "X"},
            {"email": "not-an-address", "surname": "Y"},
            {"surname": "Nobody"},
            {"email": "z@example.cz", "surname": "Z", "invoice_language": "klingon"},
        ],
    )
    assert _actions(outcomes) == ["invalid"] * 4
    assert [outcome.errors[0].field for outcome in outcomes] == ["personal_id", "email", "personal_id",
                                                                 "invoice_language"]  # fmt: skip
    assert Person.select().count() == 0


def test_hostile_text_is_stored_as_typed(alpha):
    outcome = records.upsert_one(
        alpha, "people", {"email": "h@example.cz", "surname": "<script>alert(1)</script>", "given_name": "=1+1"}
    )
    assert outcome.action == "created"
    assert Person.get_by_id(outcome.id).surname == "<script>alert(1)</script>"


OWNERS = [
    # One spreadsheet row per owner: the unit, the person and the owner's share, as SVJ boards keep them.
    {"building": "A", "unit": "1", "share": "1/2", "personal_id": "1", "name": "Eva Malá", "owner_share": "1/2",
     "main": "ano"},
    {"building": "A", "unit": "1", "personal_id": "2", "name": "Jan Malý", "owner_share": "1/2"},
    {"building": "A", "unit": "2", "share": "1/2", "email": "o@example.cz", "surname": "Owner"},
]  # fmt: skip


def test_ownership_rows_make_units_people_and_owners(alpha, frozen_clock):
    outcomes = _upsert(alpha, "ownership", OWNERS)
    assert _actions(outcomes) == ["created"] * 3, [o.errors for o in outcomes]
    unit1 = Unit.get(Unit.number == "1")
    owners = {o.person.surname: (o.share_numerator, o.share_denominator, o.is_main) for o in unit1.ownerships}
    assert owners == {"Malá": (1, 2, True), "Malý": (1, 2, False)}
    assert Ownership.get(Ownership.unit == Unit.get(Unit.number == "2")).is_main  # a sole owner is the main one
    assert _actions(_upsert(alpha, "ownership", OWNERS)) == ["unchanged"] * 3
    assert Ownership.select().count() == 3 and Person.select().count() == 3


def test_owners_must_add_up_to_one(alpha, frozen_clock):
    _upsert(alpha, "ownership", OWNERS)
    # A third owner of unit 1 without the others' shares changing: 3/2 in all, so nothing of unit 1 is written.
    outcomes = _upsert(
        alpha,
        "ownership",
        [{"building": "A", "unit": "1", "personal_id": "3", "name": "Ota Třetí", "owner_share": "1/2"}],  # fmt: skip
    )
    assert outcomes[0].action == "invalid"
    assert outcomes[0].errors[0].field == "owner_share" and "add up to 3/2" in outcomes[0].errors[0].message
    # Ending a former owner's share and giving the new one's makes it whole again.
    outcomes = _upsert(
        alpha,
        "ownership",
        [
            {"building": "A", "unit": "1", "personal_id": "2", "ended_on": "1.3.2026"},
            {
                "building": "A",
                "unit": "1",
                "personal_id": "3",
                "name": "Ota Třetí",
                "owner_share": "1/2",
                "started_on": "2026-03-01",
            },
        ],  # fmt: skip
    )
    assert _actions(outcomes) == ["changed", "created"], [o.errors for o in outcomes]
    assert outcomes[0].changes == {"ended_on": ("", "2026-03-01")}
    unit1 = Unit.get(Unit.number == "1")
    current = {o.person.surname for o in unit1.ownerships if o.is_current(dt.date(2026, 3, 2))}
    assert current == {"Malá", "Třetí"}
    assert Ownership.select().count() == 4  # the former owner stays as the unit's history


def test_unknown_unit_or_person_is_named(alpha, frozen_clock):
    _upsert(alpha, "units", UNITS)
    outcomes = _upsert(
        alpha,
        "ownership",
        [
            {"building": "Lipová 12", "unit": "9", "personal_id": "1"},
            {"building": "Lipová 12", "unit": "1", "personal_id": "404"},
        ],  # fmt: skip
    )
    assert [(o.errors[0].field, o.errors[0].message) for o in outcomes] == [
        ("unit", "The register has no unit 9 in Lipová 12."),
        ("personal_id", "No one in the register has this personal id or e-mail address."),
    ]


def test_residents_found_by_name_within_their_unit(alpha, frozen_clock):
    _upsert(alpha, "units", UNITS)
    rows = [
        {"building": "Lipová 12", "unit": "1", "name": "Karel Nájemník", "email": "k@example.cz", "role": "nájemník",
         "start_date": "1.2.2026"},
        {"building": "Lipová 12", "unit": "1", "name": "Mia Nájemníková", "role": "household"},
    ]  # fmt: skip
    assert _actions(_upsert(alpha, "residents", rows)) == ["created", "created"]
    assert {(r.person.given_name, r.role) for r in Residency.select()} == {
        ("Karel", Residency.TENANT), ("Mia", Residency.HOUSEHOLD),
    }  # fmt: skip
    assert _actions(_upsert(alpha, "residents", rows)) == ["unchanged", "unchanged"]
    assert Person.select().count() == 2
    outcome = records.upsert_one(
        alpha, "residents", {"building": "Lipová 12", "unit": "1", "email": "k@example.cz", "end_date": "2026-12-31"}
    )
    assert outcome.action == "changed" and Residency.select().count() == 2


def test_dry_run_keeps_nothing(alpha, frozen_clock):
    outcomes = records.dry_run(alpha, "ownership", OWNERS)
    assert _actions(outcomes) == ["created"] * 3
    assert (Unit.select().count(), Person.select().count(), Ownership.select().count()) == (0, 0, 0)


@pytest.mark.parametrize("kind", ["bills"])
def test_an_unknown_kind_is_refused(alpha, kind):
    with pytest.raises(records.UnknownKindError):
        records.upsert(alpha, kind, [{}])


# --- the books ----------------------------------------------------------------------------------------


@pytest.fixture
def owned(alpha, frozen_clock):
    """Unit 1 of Lipová 12 owned by Eva Malá (personal id 1), unit 2 by Jan (2)."""
    rows = [
        {"building": "Lipová 12", "unit": "1", "share": "1/2", "personal_id": "1", "name": "Eva Malá"},
        {"building": "Lipová 12", "unit": "2", "share": "1/2", "personal_id": "2", "name": "Jan Malý"},
    ]
    assert _actions(_upsert(alpha, "ownership", rows)) == ["created", "created"]
    return alpha


INVOICES = [
    {"number": "2026001", "building": "Lipová 12", "unit": "1", "period": "2026-01", "issue_date": "1.1.2026",
     "due_date": "15.1.2026", "amount": "2 450,00", "description": "Záloha na služby"},
    {"number": "2026002", "building": "Lipová 12", "unit": "2", "period": "01/2026", "issue_date": "2026-01-01",
     "amount": "1800", "reference": "2026002"},
]  # fmt: skip
PAYMENTS = [
    {"invoice": "2026001", "amount": "2450", "paid_on": "10.1.2026"},
    {"reference": "2026002", "amount": "900", "paid_on": "2026-01-20"},
    {"reference": "2026002", "amount": "900", "paid_on": "2026-01-20", "payment_reference": "<b>2nd</b>"},
]


def test_invoices_go_to_the_main_owner_and_are_never_changed(owned):
    from models.billing import Invoice, InvoiceLine

    assert _actions(_upsert(owned, "invoices", INVOICES)) == ["created", "created"]
    first = Invoice.get(Invoice.number == 2026001)
    assert (first.recipient.surname, first.total, first.due_date, first.period_end) == (
        "Malá", 245000, dt.date(2026, 1, 15), dt.date(2026, 1, 31),
    )  # fmt: skip
    assert first.reference  # made as Porch makes references
    assert InvoiceLine.get(InvoiceLine.invoice == first).description == "Záloha na služby"
    assert Invoice.get(Invoice.number == 2026002).due_date == dt.date(2026, 1, 15)  # the settings' 14 days
    assert _actions(_upsert(owned, "invoices", INVOICES)) == ["unchanged", "unchanged"]
    outcome = records.upsert_one(owned, "invoices", dict(INVOICES[0], amount="2500"))
    assert outcome.action == "invalid" and outcome.errors[0].field == "amount"
    assert Invoice.get(Invoice.number == 2026001).total == 245000


def test_payments_are_booked_once_and_never_above_what_is_owed(owned):
    from models.billing import Invoice, Payment, Receipt

    _upsert(owned, "invoices", INVOICES)
    assert _actions(_upsert(owned, "payments", PAYMENTS)) == ["created"] * 3
    assert Invoice.get(Invoice.number == 2026002).paid_total == 180000
    assert Receipt.select().count() == 3
    assert _actions(_upsert(owned, "payments", PAYMENTS)) == ["unchanged"] * 3
    assert Payment.select().count() == 3
    outcome = records.upsert_one(owned, "payments", {"invoice": "2026001", "amount": "1", "paid_on": "2026-02-01"})
    assert outcome.action == "invalid" and outcome.errors[0].field == "amount"
    future = records.upsert_one(owned, "payments", {"invoice": "2026001", "amount": "1", "paid_on": "2027-01-01"})
    assert future.errors[0].field == "paid_on"


def test_contracts_and_charges(owned):
    from models.billing import Charge, Contract, ContractParty

    row = {"number": "N-7", "building": "Lipová 12", "unit": "2", "email": "t@example.cz", "name": "Tom Tenant",
           "start_date": "1.3.2025", "rent": "12 000", "category": "byt", "status": "aktivní"}  # fmt: skip
    assert records.upsert_one(owned, "contracts", row).action == "created"
    contract = Contract.get(Contract.number == "N-7")
    assert (contract.rent, contract.category, contract.start_date) == (1200000, Contract.HOME, dt.date(2025, 3, 1))
    assert [p.person.surname for p in ContractParty.select()] == ["Tenant"]
    assert records.upsert_one(owned, "contracts", row).action == "unchanged"
    changed = records.upsert_one(owned, "contracts", dict(row, rent="12500"))
    assert changed.action == "changed" and changed.changes == {"rent": ("1200000", "1250000")}
    bad = records.upsert_one(owned, "contracts", dict(row, number="N-8", renewal="fixed"))
    assert bad.errors[0].field == "end_date"
    charge = {"building": "Lipová 12", "unit": "1", "description": "Fond oprav", "amount": "1 500",
              "valid_from": "1.1.2026"}  # fmt: skip
    assert records.upsert_one(owned, "charges", charge).action == "created"
    assert records.upsert_one(owned, "charges", charge).action == "unchanged"
    assert records.upsert_one(owned, "charges", dict(charge, amount="1600")).action == "changed"
    assert Charge.get().amount == 160000
    assert records.upsert_one(owned, "charges", dict(charge, amount="-1")).errors[0].field == "amount"
