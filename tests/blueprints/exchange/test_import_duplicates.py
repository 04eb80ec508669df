"""Likely duplicate people (same name and birth date or address, other e-mail) and their merge: everything
of the duplicate moves to the kept entry, history still adds up, the merge is audit-logged."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from blueprints.exchange import duplicates
from models import AuditLog, Person
from models.billing import ContractParty, Invoice, Payment
from models.register import Ownership, Residency
from tests.factories.billing import make_contract, make_invoice, make_payment

TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("personal_id", "language", "born"),
    [
        ("755101/1234", "cs", dt.date(1975, 1, 1)),  # a woman: month + 50
        ("0452150123", "cs", dt.date(2004, 2, 15)),
        ("19800101-1234", "sv", dt.date(1980, 1, 1)),
        ("800161-1234", "sv", dt.date(1980, 1, 1)),  # samordningsnummer: day + 60
        ("010203-1234", "da", dt.date(2003, 2, 1)),
        ("38001085718", "et", dt.date(1980, 1, 8)),
        ("556677-8899", "sv", None),  # a company: no such day
    ],
)
def test_birth_dates_from_personal_ids(personal_id, language, born):
    assert duplicates.birth_date(personal_id, language, TODAY) == born


@pytest.fixture
def twins(alpha, make_person, make_unit, frozen_clock):
    """Jana Nováková twice: from the owners' list (with her id) and from the residents' list (another address
    and e-mail), each with a unit, invoices and payments; and a namesake born another day."""
    alpha.locale = "cs"
    alpha.save()
    owner = make_person(alpha, "jana@example.cz", given_name="Jana", surname="Nováková", personal_id="755101/1234",
                        street="Lipová 12", postcode="110 00")  # fmt: skip
    again = make_person(alpha, "jana.novakova@post.cz", given_name="Jana", surname="Novakova",
                        street="Lipová 12", postcode="11000", phone_mobile="+420 777 000 111")  # fmt: skip
    make_person(alpha, "jn@example.cz", given_name="Jana", surname="Nováková", personal_id="905101/0001")
    unit1, unit2 = make_unit(alpha, "1"), make_unit(alpha, "2")
    Ownership.create(unit=unit1, person=owner, is_main=True)
    Ownership.create(unit=unit2, person=again, is_main=True)
    Residency.create(unit=unit2, person=again)
    contract = make_contract(alpha, unit2, [owner, again])
    invoices = [make_invoice(alpha, owner, unit=unit1), make_invoice(alpha, again, unit=unit2),
                make_invoice(alpha, again, unit=unit2)]  # fmt: skip
    make_payment(invoices[1], 1000)
    return owner, again, contract


def in_english(login_as, role: str = "board"):
    """Log in as `role`, reading the pages in English (the association's language is Czech here, for the
    Czech personal ids' birth dates, and its pages are translated)."""
    from models.portal import User

    user = login_as(role)
    User.update(ui_language="en").execute()
    return user


def test_likely_duplicates_are_listed_for_the_board(client, login_as, twins):
    owner, again, _contract = twins
    pairs = duplicates.likely_duplicates(owner.association)
    assert [({p.first.id, p.second.id}, p.reason) for p in pairs] == [({owner.id, again.id}, "address")]
    first, second = pairs[0].first.id, pairs[0].second.id
    in_english(login_as)
    page = client.get("/alpha/admin/import/duplicates").get_data(as_text=True)
    assert "Same name and address" in page
    assert f"/alpha/admin/import/duplicates/{first}/{second}" in page


def test_merge_moves_everything_and_keeps_history(client, login_as, twins):
    owner, again, contract = twins
    totals_before = [(i.number, i.total, i.paid_total, i.recipient_name) for i in Invoice.select().order_by(Invoice.id)]
    login_as("board")
    path = f"/alpha/admin/import/duplicates/{owner.id}/{again.id}"
    page = client.get(path).get_data(as_text=True)
    assert "invoice: 2" in page and "ownership: 1" in page
    response = client.submit(path, {"kept": str(owner.id)})
    assert response.status_code == 302
    assert Person.get_or_none(Person.id == again.id) is None
    kept = Person.get_by_id(owner.id)
    assert kept.phone_mobile == "+420 777 000 111" and kept.email == "jana@example.cz"  # empty fields filled
    assert sorted(o.unit.number for o in Ownership.select().where(Ownership.person == owner)) == ["1", "2"]
    assert Residency.get().person_id == owner.id
    assert [p.person_id for p in ContractParty.select().where(ContractParty.contract == contract)] == [owner.id]
    # The invoices add up as before, each with the name it was sent to; the payment is still there.
    assert [(i.number, i.total, i.paid_total, i.recipient_name) for i in Invoice.select().order_by(Invoice.id)] == (
        totals_before
    )
    assert {i.recipient_id for i in Invoice.select()} == {owner.id}
    assert Payment.select().count() == 1
    log = AuditLog.get(AuditLog.action == "exchange.people_merged")
    detail = json.loads(log.detail)
    assert detail["merged"] == again.id and detail["moved"]["invoice"] == 2
    assert "755101" not in log.detail  # no personal id in the log


def test_two_accounts_are_not_merged(client, login_as, twins, make_user):
    owner, again, _contract = twins
    from models.portal import User

    Person.update(user=User.create(email="a@x.example")).where(Person.id == owner.id).execute()
    Person.update(user=User.create(email="b@x.example")).where(Person.id == again.id).execute()
    in_english(login_as)
    response = client.submit(f"/alpha/admin/import/duplicates/{owner.id}/{again.id}", {"kept": str(owner.id)})
    assert response.status_code == 422 and "Both entries have an account" in response.get_data(as_text=True)
    assert Person.get_or_none(Person.id == again.id) is not None


def test_every_foreign_key_to_person_is_found():
    tables = {fk.model._meta.table_name for fk in duplicates.references_to_person()}
    assert {"ownership", "residency", "invoice", "contract_party", "receipt", "voting_proxy"} <= tables
