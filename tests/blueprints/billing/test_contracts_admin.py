"""The board's contracts and recurring charges: forms, errors, termination, deletion, scoping and query counts."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re

import pytest

from models import AuditLog, Person
from models.billing import Charge, Contract, ContractParty, InvoiceLine
from models.register import Building, Unit
from tests.factories.billing import make_billing, make_contract, make_invoice, make_unit
from tests.factories.register import person_row


def text(response) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def contract_data(for_unit: Unit, people: list[Person], **changes) -> dict:
    data = {
        "unit": str(for_unit.id),
        "number": "100-1",
        "category": Contract.HOME,
        "type_label": "2 rooms and kitchen",
        "status": Contract.ACTIVE,
        "start_date": "2026-01-01",
        "end_date": "",
        "notice_months": "3",
        "renewal": Contract.INDEFINITE,
        "renewal_months": "",
        "rent": "6 500",
        "rent_vat": "",
        "note": "",
        "parties": [str(p.id) for p in people],
    }
    data.update(changes)
    return data


@pytest.fixture
def board(login_as):
    return login_as("board")


@pytest.fixture
def unit(app, alpha):
    return make_unit(alpha, "1001")


@pytest.fixture
def tenant(app, alpha, make_person):
    return make_person(alpha, "anna@alpha.example", given_name="Anna", surname="Svensson")


# --- contracts ---------------------------------------------------------------------------


def test_board_adds_a_contract_with_its_people(client, alpha, board, unit, tenant, make_person):
    other = make_person(alpha, given_name="Bo", surname="Berg")
    form = client.get("/alpha/admin/contracts/new")
    assert form.status_code == 200
    assert "House A · 1001" in text(form)
    assert "Svensson Anna · anna@alpha.example" in text(form)

    data = contract_data(unit, [tenant, other], rent="6 500,50", renewal=Contract.RENEWS, renewal_months="12")
    response = client.submit("/alpha/admin/contracts/new", data, form_page="/alpha/admin/contracts/new")
    contract = Contract.get(Contract.number == "100-1")
    assert response.status_code == 302
    assert response.location.endswith(f"/alpha/admin/contracts/{contract.id}")
    assert (contract.unit_id, contract.category, contract.type_label) == (unit.id, "home", "2 rooms and kitchen")
    assert contract.rent == 650050  # SEK has two decimals: minor units
    assert contract.rent_vat_rate == 0
    assert (contract.renewal, contract.renewal_months, contract.notice_months) == ("renews", 12, 3)
    assert contract.start_date == dt.date(2026, 1, 1) and contract.end_date is None
    assert {p.person_id for p in contract.parties} == {tenant.id, other.id}
    assert AuditLog.get(AuditLog.action == "billing.contract_created").target == "contract 100-1"

    page = client.get(response.location)
    assert "Contract 100-1 saved" not in text(page)
    assert "Contract 100-1 is added." in text(page)
    assert 'value="6500.50"' in page.get_data(as_text=True)  # shown as it can be typed again


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": "2025-12-31"}, "The end date cannot be before the start date."),
        ({"rent": "6 500,505"}, "Give an amount in SEK with at most 2 decimals, like 1 234.50."),
        ({"rent": "six thousand"}, "Give an amount in SEK with at most 2 decimals"),
        ({"rent": "-10"}, "The amount cannot be below zero."),
        ({"parties": []}, "Name at least one person on a home or commercial contract."),
        ({"number": " "}, "Give the contract a number."),
        ({"unit": "0"}, "Choose the unit."),
        ({"start_date": ""}, "Give the first day of the contract."),
        ({"renewal": Contract.RENEWS}, "Give by how many months the contract renews."),
        ({"renewal": Contract.FIXED}, "A fixed-term contract needs an end date."),
        ({"status": Contract.TERMINATED}, "Give the last day of a terminated or ended contract."),
    ],
)
def test_a_contract_with_a_mistake_is_refused(client, board, unit, tenant, changes, message):
    data = contract_data(unit, [tenant], **changes)
    response = client.submit("/alpha/admin/contracts/new", data)
    assert response.status_code == 422
    assert message in text(response)
    assert not Contract.select().exists()


def test_a_parking_contract_needs_no_party(client, board, unit):
    data = contract_data(unit, [], category=Contract.PARKING, number="P-12", rent="450")
    assert client.submit("/alpha/admin/contracts/new", data).status_code == 302
    assert Contract.get(Contract.number == "P-12").rent == 45000


def test_contract_numbers_are_unique_per_association(client, alpha, board, unit, tenant, make_association):
    make_contract(alpha, unit, [tenant], number="100-1")
    beta = make_association("beta")
    make_contract(beta, make_unit(beta, "1"), [], number="200-1")

    taken = client.submit("/alpha/admin/contracts/new", contract_data(unit, [tenant], number="100-1"))
    assert taken.status_code == 422
    assert "Another contract already has this number." in text(taken)
    assert Contract.select().where(Contract.number == "100-1").count() == 1

    elsewhere = client.submit("/alpha/admin/contracts/new", contract_data(unit, [tenant], number="200-1"))
    assert elsewhere.status_code == 302  # another association's number is no clash


def test_another_associations_unit_or_person_cannot_be_chosen(
    client, board, unit, tenant, make_association, make_person
):
    beta = make_association("beta")
    their_unit = make_unit(beta, "9")
    their_person = make_person(beta, given_name="Eve")
    wrong_unit = client.submit("/alpha/admin/contracts/new", contract_data(their_unit, [tenant]))
    wrong_person = client.submit("/alpha/admin/contracts/new", contract_data(unit, [their_person]))
    assert (wrong_unit.status_code, wrong_person.status_code) == (422, 422)
    assert not Contract.select().exists()


def test_an_archived_unit_is_not_offered(client, alpha, board, unit):
    archived = make_unit(alpha, "77")
    Unit.update(archived_at=dt.datetime(2025, 1, 1)).where(Unit.id == archived.id).execute()
    page = text(client.get("/alpha/admin/contracts/new"))
    assert "House A · 1001" in page and "House A · 77" not in page


def test_rent_vat_only_when_vat_registered(client, alpha, board, unit, tenant):
    data = contract_data(unit, [tenant], rent_vat="25")
    assert "VAT on the rent" not in text(client.get("/alpha/admin/contracts/new"))
    assert client.submit("/alpha/admin/contracts/new", data).status_code == 302
    assert Contract.get().rent_vat_rate == 0  # ignored: the association charges no VAT

    make_billing(alpha, vat_registered=True)
    assert "VAT on the rent (%)" in text(client.get("/alpha/admin/contracts/new"))
    bad = client.submit("/alpha/admin/contracts/new", contract_data(unit, [tenant], number="2", rent_vat="125"))
    assert bad.status_code == 422
    assert "Give the VAT rate in percent, from 0 to 100" in text(bad)
    good = client.submit("/alpha/admin/contracts/new", contract_data(unit, [tenant], number="3", rent_vat="12,5"))
    assert good.status_code == 302
    assert Contract.get(Contract.number == "3").rent_vat_rate == 1250


def test_board_edits_a_contract_and_its_parties(client, alpha, board, unit, tenant, make_person):
    contract = make_contract(alpha, unit, [tenant])
    newcomer = make_person(alpha, given_name="Cecilia", surname="Ek")
    path = f"/alpha/admin/contracts/{contract.id}"
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="100-1"' in html and 'value="6500.00"' in html
    assert f'name="parties" value="{tenant.id}" checked' in html

    data = contract_data(unit, [newcomer], number="100-2", rent="7000", type_label="3 rooms and kitchen")
    response = client.submit(path, data)
    assert response.status_code == 302
    contract = Contract.get_by_id(contract.id)
    assert (contract.number, contract.rent, contract.type_label) == ("100-2", 700000, "3 rooms and kitchen")
    assert [p.person_id for p in contract.parties] == [newcomer.id]  # Anna unticked, Cecilia added
    assert AuditLog.get(AuditLog.action == "billing.contract_edited").target == "contract 100-2"

    same_number = client.submit(path, contract_data(unit, [newcomer], number="100-2", rent="7000"))
    assert same_number.status_code == 302  # keeping its own number is no clash


def test_board_terminates_a_contract(client, alpha, board, unit, tenant):
    contract = make_contract(alpha, unit, [tenant], start_date=dt.date(2024, 1, 1))
    path = f"/alpha/admin/contracts/{contract.id}/terminate"

    early = client.submit(path, {"last_day": "2023-12-31"}, form_page=f"/alpha/admin/contracts/{contract.id}")
    assert early.status_code == 422
    assert "The last day cannot be before the contract's start date" in text(early)
    assert Contract.get_by_id(contract.id).status == Contract.ACTIVE

    missing = client.submit(path, {"last_day": ""}, form_page=f"/alpha/admin/contracts/{contract.id}")
    assert missing.status_code == 422 and "Give the last day." in text(missing)

    done = client.submit(path, {"last_day": "2026-06-30"}, form_page=f"/alpha/admin/contracts/{contract.id}")
    assert done.status_code == 302
    contract = Contract.get_by_id(contract.id)
    assert (contract.status, contract.end_date) == (Contract.TERMINATED, dt.date(2026, 6, 30))
    assert AuditLog.get(AuditLog.action == "billing.contract_terminated").target == "contract 100-1"
    assert "Terminated" in text(client.get(done.location))


def test_board_deletes_a_contract_without_invoices(client, alpha, board, unit, tenant):
    contract = make_contract(alpha, unit, [tenant])
    Charge.create(association=alpha, contract=contract, description="Parking", amount=50000)
    path = f"/alpha/admin/contracts/{contract.id}/delete"
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "Delete contract 100-1?" in text(confirm)
    assert Contract.select().count() == 1  # asking deletes nothing

    response = client.submit(path, {})
    assert response.status_code == 302 and response.location.endswith("/alpha/admin/contracts")
    assert not Contract.select().exists()
    assert not ContractParty.select().exists() and not Charge.select().exists()
    assert AuditLog.get(AuditLog.action == "billing.contract_deleted").target == "contract 100-1"


def test_a_contract_with_invoices_is_not_deleted(client, alpha, board, unit, tenant):
    contract = make_contract(alpha, unit, [tenant])
    make_invoice(alpha, tenant, unit=unit, contract=contract)
    path = f"/alpha/admin/contracts/{contract.id}/delete"
    page = text(client.get(path))
    assert "cannot be deleted: 1 invoice was made on it" in page
    assert "Terminate it instead" in page
    refused = client.submit(path, {}, form_page=f"/alpha/admin/contracts/{contract.id}")
    assert refused.status_code == 409
    assert Contract.select().count() == 1


# --- the contract list --------------------------------------------------------------------------


def test_the_contract_list_filters_and_searches(client, alpha, board, unit, tenant, make_person):
    garage = make_unit(alpha, "G7")
    bo = make_person(alpha, given_name="Bo", surname="Berg")
    home = make_contract(alpha, unit, [tenant], number="100-1")
    make_contract(alpha, garage, [bo], number="P-7", category=Contract.PARKING)
    make_contract(alpha, unit, [bo], number="100-0", status=Contract.ENDED, end_date=dt.date(2023, 12, 31))

    everything = text(client.get("/alpha/admin/contracts"))
    assert all(number in everything for number in ("100-1", "P-7", "100-0"))
    assert "Anna Svensson" in everything and "6,500.00" in everything
    assert f'href="/alpha/admin/contracts/{home.id}"' in client.get("/alpha/admin/contracts").get_data(as_text=True)

    def numbers(query: str, **headers) -> set[str]:
        page = text(client.get(f"/alpha/admin/contracts?{query}", headers=headers))
        return {n for n in ("100-1", "P-7", "100-0") if n in page}

    assert numbers("status=active") == {"100-1", "P-7"}
    assert numbers("category=parking") == {"P-7"}
    assert numbers("q=Berg") == {"P-7", "100-0"}
    assert numbers("q=G7") == {"P-7"}
    assert numbers("q=100-1") == {"100-1"}
    assert numbers("status=ended&q=Berg") == {"100-0"}
    assert "No contract matches these filters." in text(client.get("/alpha/admin/contracts?q=nobody"))

    part = client.get("/alpha/admin/contracts?q=Berg", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert part.startswith('<div id="contract-list"') and "<html" not in part


# --- charges -------------------------------------------------------------------------------


def test_board_adds_a_unit_charge_in_minor_units(client, alpha, board, unit):
    alpha.currency = "EUR"
    alpha.save()
    path = f"/alpha/admin/units/{unit.id}/charges"
    assert "No monthly charges yet." in text(client.get(path))

    response = client.submit(path, {"description": "Monthly fee", "amount": "1 234,50", "vat_rate": "25"})
    assert response.status_code == 302 and response.location.endswith(path)
    charge = Charge.get()
    assert (charge.unit_id, charge.contract_id, charge.amount, charge.vat_rate) == (unit.id, None, 123450, 0)
    assert AuditLog.get(AuditLog.action == "billing.charge_added").target == "unit 1001: Monthly fee"

    client.submit(path, {"description": "Water advance", "amount": "15.5", "valid_from": "2020-01-01"})
    page = text(client.get(path))
    assert "Monthly fee" in page and "€1,234.50" in page and "€15.50" in page
    assert "Total per month €1,250.00" in page
    assert "VAT" not in page  # not registered for VAT: no rate asked, none shown


def test_adding_a_charge_with_htmx_swaps_the_list(client, board, unit):
    path = f"/alpha/admin/units/{unit.id}/charges"
    response = client.submit(path, {"description": "Parking", "amount": "450"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert '<section id="charges" class="charges" hx-target="this" hx-swap="outerHTML">' in html
    assert "“Parking” is added." in text(response) and "450.00" in text(response)

    bad = client.submit(path, {"description": "", "amount": "0"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "<html" not in bad.get_data(as_text=True)
    assert "The amount must be more than zero." in text(bad)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": "Fee", "amount": "0"}, "The amount must be more than zero."),
        ({"description": "Fee", "amount": ""}, "Give the amount."),
        ({"description": "Fee", "amount": "12,345"}, "Give an amount in EUR with at most 2 decimals"),
        ({"description": "Fee", "amount": "abc"}, "Give an amount in EUR"),
        ({"description": "", "amount": "10"}, "Say what the charge is for"),
        (
            {"description": "Fee", "amount": "10", "valid_from": "2026-05-01", "valid_to": "2026-04-30"},
            "The last day cannot be before the first day.",
        ),
    ],
)
def test_a_charge_with_a_mistake_is_refused(client, alpha, board, unit, data, message):
    alpha.currency = "EUR"
    alpha.save()
    response = client.submit(f"/alpha/admin/units/{unit.id}/charges", data)
    assert response.status_code == 422
    assert message in text(response)
    assert not Charge.select().exists()


def test_a_currency_without_decimals_refuses_them(client, alpha, board, unit):
    alpha.currency = "ISK"
    alpha.save()
    path = f"/alpha/admin/units/{unit.id}/charges"
    refused = client.submit(path, {"description": "Fee", "amount": "100,5"})
    assert refused.status_code == 422 and "Give a whole amount in ISK" in text(refused)
    assert client.submit(path, {"description": "Fee", "amount": "12 000"}).status_code == 302
    assert Charge.get().amount == 12000


def test_charges_carry_vat_when_vat_registered(client, alpha, board, unit):
    make_billing(alpha, vat_registered=True)
    path = f"/alpha/admin/units/{unit.id}/charges"
    bad = client.submit(path, {"description": "Garage", "amount": "100", "vat_rate": "twenty"})
    assert bad.status_code == 422 and "Give the VAT rate in percent" in text(bad)
    assert client.submit(path, {"description": "Garage", "amount": "100", "vat_rate": "25"}).status_code == 302
    assert Charge.get().vat_rate == 2500
    page = text(client.get(path))
    assert "VAT 25 %" in page and "Total per month SEK 125.00" in page


def test_contract_charges_add_to_the_rent(client, alpha, board, unit, tenant):
    contract = make_contract(alpha, unit, [tenant], rent=650000)
    path = f"/alpha/admin/contracts/{contract.id}/charges"
    assert client.submit(path, {"description": "Parking", "amount": "300"}).status_code == 302
    charge = Charge.get()
    assert (charge.contract_id, charge.unit_id, charge.amount) == (contract.id, None, 30000)
    assert AuditLog.get(AuditLog.action == "billing.charge_added").target == "contract 100-1: Parking"
    page = text(client.get(path))
    assert "Rent SEK 6,500.00" in page and "Total per month SEK 6,800.00" in page
    assert "Parking" not in text(client.get(f"/alpha/admin/units/{unit.id}/charges"))  # the contract's, not the unit's


def test_board_deletes_a_charge_after_confirming(client, alpha, board, unit, tenant):
    charge = Charge.create(association=alpha, unit=unit, description="Water advance", amount=20000)
    invoice = make_invoice(alpha, tenant, unit=unit)
    InvoiceLine.update(charge=charge).where(InvoiceLine.invoice == invoice).execute()
    path = f"/alpha/admin/charges/{charge.id}/delete"
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Delete “Water advance”?" in text(confirm)
    assert Charge.select().count() == 1

    response = client.submit(path, {})
    assert response.status_code == 302 and response.location.endswith(f"/alpha/admin/units/{unit.id}/charges")
    assert not Charge.select().exists()
    line = InvoiceLine.get(InvoiceLine.invoice == invoice)
    assert line.charge_id is None and line.description == "Monthly fee"  # the invoice keeps its line
    assert AuditLog.get(AuditLog.action == "billing.charge_deleted").target == "unit 1001: Water advance"

    contract = make_contract(alpha, unit, [tenant])
    on_contract = Charge.create(association=alpha, contract=contract, description="Parking", amount=100)
    back = client.submit(f"/alpha/admin/charges/{on_contract.id}/delete", {})
    assert back.location.endswith(f"/alpha/admin/contracts/{contract.id}/charges")


def test_the_charges_overview_flags_units_without_charges(client, alpha, board, unit, tenant, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 3, 2, 9, 0))
    bare = make_unit(alpha, "1002")
    let = make_unit(alpha, "1003")
    ended = make_unit(alpha, "1004")
    Charge.create(association=alpha, unit=unit, description="Fee", amount=416700)
    Charge.create(association=alpha, unit=unit, description="Old", amount=999, valid_to=dt.date(2026, 2, 28))
    Charge.create(association=alpha, unit=bare, description="Later", amount=500, valid_from=dt.date(2026, 4, 1))
    contract = make_contract(alpha, let, [tenant], rent=650000)
    Charge.create(association=alpha, contract=contract, description="Parking", amount=30000)
    make_contract(alpha, ended, [tenant], number="9", end_date=dt.date(2026, 2, 28), status=Contract.TERMINATED)

    page = client.get("/alpha/admin/charges")
    assert page.status_code == 200
    rows = {
        number: text_of_row
        for number, text_of_row in re.findall(
            r'<li class="row overview-row">.*?<strong>(\w+)</strong>(.*?)</li>', page.get_data(as_text=True), re.S
        )
    }
    assert "4,167.00" in rows["1001"] and "No charges" not in rows["1001"]
    assert "No charges" in page.get_data(as_text=True).split("1002")[0].rsplit("<li", 1)[1]
    assert "Contracts (1)" in rows["1003"] and "6,800.00" in rows["1003"]
    assert "2 units have no charges and no running contract this month." in text(page)
    assert "March 2026" in text(page)


# --- who may, and whose rows -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["tenant", "member"])
def test_residents_are_refused(client, alpha, login_as, unit, tenant, role):
    login_as(role)
    contract = make_contract(alpha, unit, [tenant])
    charge = Charge.create(association=alpha, unit=unit, description="Fee", amount=100)
    for path in (
        "/alpha/admin/contracts",
        "/alpha/admin/contracts/new",
        f"/alpha/admin/contracts/{contract.id}",
        f"/alpha/admin/contracts/{contract.id}/delete",
        f"/alpha/admin/contracts/{contract.id}/charges",
        f"/alpha/admin/units/{unit.id}/charges",
        f"/alpha/admin/charges/{charge.id}/delete",
        "/alpha/admin/charges",
    ):
        assert client.get(path).status_code == 403, path
    assert client.submit(f"/alpha/admin/charges/{charge.id}/delete", {}, form_page="/alpha/").status_code == 403
    assert Charge.select().count() == 1


def test_another_associations_rows_are_404(client, board, make_association, make_person):
    beta = make_association("beta")
    their_unit = make_unit(beta, "1")
    person = make_person(beta)
    contract = make_contract(beta, their_unit, [person])
    charge = Charge.create(association=beta, unit=their_unit, description="Fee", amount=100)
    on_contract = Charge.create(association=beta, contract=contract, description="Parking", amount=100)
    for path in (
        f"/alpha/admin/contracts/{contract.id}",
        f"/alpha/admin/contracts/{contract.id}/delete",
        f"/alpha/admin/contracts/{contract.id}/charges",
        f"/alpha/admin/units/{their_unit.id}/charges",
        f"/alpha/admin/charges/{charge.id}/delete",
        f"/alpha/admin/charges/{on_contract.id}/delete",
    ):
        assert client.get(path).status_code == 404, path
    posts = {
        f"/alpha/admin/contracts/{contract.id}/terminate": {"last_day": "2026-06-30"},
        f"/alpha/admin/contracts/{contract.id}/delete": {},
        f"/alpha/admin/units/{their_unit.id}/charges": {"description": "Sneaky", "amount": "1"},
        f"/alpha/admin/charges/{charge.id}/delete": {},
    }
    for path, data in posts.items():
        assert client.submit(path, data, form_page="/alpha/admin/contracts").status_code == 404, path
    assert Contract.get_by_id(contract.id).status == Contract.ACTIVE
    assert Charge.select().count() == 2


# --- a constant number of queries --------------------------------------------------------------


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path, **kwargs) -> int:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    return int(response.headers["X-Query-Count"])


def add_contracts(alpha, start: int, count: int) -> None:
    """`count` units, each with a contract naming its own person and a charge, in bulk."""
    building = Building.get_or_create(association=alpha, name="Block")[0]
    role = alpha.role("member")
    numbers = range(start, start + count)
    Person.insert_many([person_row(alpha, "Tenant", f"No{i}", role=role.id) for i in numbers]).execute()
    Unit.insert_many(
        [
            dict(association=alpha.id, building=building.id, number=f"B{i}", share_numerator=1, share_denominator=1)
            for i in numbers
        ]
    ).execute()
    people = {p.surname: p.id for p in Person.of(alpha).where(Person.surname.startswith("No"))}
    units = {u.number: u.id for u in Unit.of(alpha)}
    Contract.insert_many(
        [
            dict(association=alpha.id, unit=units[f"B{i}"], number=f"C{i}", start_date=dt.date(2025, 1, 1), rent=1000)
            for i in numbers
        ]
    ).execute()
    contracts = {c.number: c.id for c in Contract.of(alpha)}
    ContractParty.insert_many([dict(contract=contracts[f"C{i}"], person=people[f"No{i}"]) for i in numbers]).execute()
    Charge.insert_many(
        [dict(association=alpha.id, unit=units[f"B{i}"], description="Fee", amount=100 * i) for i in numbers]
        + [dict(association=alpha.id, contract=contracts[f"C{i}"], description="Parking", amount=50) for i in numbers]
    ).execute()


@pytest.mark.parametrize(
    "path",
    [
        "/alpha/admin/contracts",
        "/alpha/admin/contracts?q=No1&status=active&category=home",
        "/alpha/admin/contracts?page=2",
        "/alpha/admin/charges",
        "/alpha/admin/charges?q=B1",
        "/alpha/admin/charges?page=2",
    ],
)
def test_the_lists_cost_the_same_queries_however_many_rows(client, alpha, board, path):
    add_contracts(alpha, 1, 55)  # page 2 needs more than 50 rows
    few = queries(client, path)
    add_contracts(alpha, 56, 150)
    many = queries(client, path)
    assert many == few
    assert many <= 10
    assert queries(client, path, headers={"HX-Request": "true"}) == many


def test_the_charges_page_costs_the_same_queries_however_many_charges(client, alpha, board, unit):
    path = f"/alpha/admin/units/{unit.id}/charges"
    Charge.create(association=alpha, unit=unit, description="Fee", amount=100)
    few = queries(client, path)
    Charge.insert_many(
        [dict(association=alpha.id, unit=unit.id, description=f"Line {i}", amount=100 + i) for i in range(40)]
    ).execute()
    assert queries(client, path) == few
