"""The settlement's pages (issue 14 item 5): the board enters costs and keys, sees the preview reconcile, runs
the year once; each unit's statement PDF reads back with pdftotext, is mailed to its owner, and is refused
(404) to another unit's owner. Hostile service names stay inert."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from models.billing import Invoice, Receipt, Service, Settlement, SettlementCost, SettlementKey, SettlementUnit
from models.db import transaction
from models.register import Ownership
from tests.blueprints.billing.test_settlement import YEAR, add_cost, advance
from tests.factories.billing import make_billing, make_unit
from tests.factories.register import make_owner, make_person

HOSTILE = '<script>alert("x")</script>'


def text(response) -> str:
    words = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    return re.sub(r"[\s\xa0\u202f]+", " ", words)


@pytest.fixture
def board(app, login_as, frozen_clock, alpha):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; these are about the settlement
    frozen_clock.set(dt.datetime(YEAR + 1, 2, 15, 9, 0))
    make_billing(alpha)
    return login_as("board")


@pytest.fixture
def house(app, board, alpha, make_user):
    """Two flats with owners (one with an account and mail, one without mail) and water advances."""
    water = Service.create(association=alpha, name="Water", position=1)
    first = make_unit(alpha, "1", area=Decimal("40"))
    second = make_unit(alpha, "2", area=Decimal("60"))
    owner_user = make_user(alpha, "owner1@alpha.example", "member")
    owner = owner_user.people.get()
    make_owner(first, owner)
    quiet = make_person(alpha, given_name="Quiet", surname="Owner")
    make_owner(second, quiet)
    for month in range(1, 13):
        advance(alpha, first, owner, water, 1000, month=month)
        advance(alpha, second, quiet, water, 1000, month=month)
    return {"water": water, "first": first, "second": second, "owner": owner, "quiet": quiet}


def start(client) -> Settlement:
    response = client.post("/alpha/admin/settlements", data={"year": YEAR})
    assert response.status_code == 302
    return Settlement.get(Settlement.year == YEAR)


def test_the_board_settles_a_year_from_the_pages(client, house, outbox):
    settlement = start(client)
    assert client.post("/alpha/admin/settlements", data={"year": YEAR}).status_code == 422  # one per year
    page = f"/alpha/admin/settlements/{settlement.id}"
    refused = client.post(
        f"{page}/costs", data={"service": house["water"].id, "amount": "300", "kind_1": "area", "percent_1": "60"}
    )
    assert refused.status_code == 422 and "must add up to 100" in text(refused), re.findall(
        r"class=\"error\"[^>]*>([^<]*)", refused.get_data(as_text=True)
    )
    refused = client.post(
        f"{page}/costs",
        data={"service": house["water"].id, "amount": "300", "kind_1": "consumption", "percent_1": "100"},
    )
    assert refused.status_code == 422 and "Say which meters" in text(refused)
    added = client.post(
        f"{page}/costs",
        data={
            "service": house["water"].id,
            "amount": "300",
            "kind_1": "area",
            "percent_1": "50",
            "kind_2": "equal",
            "percent_2": "50",
        },
    )
    assert added.status_code == 302
    words = text(client.get(page))
    # 30 000 cents: area 40:60 of 15 000 -> 6 000 / 9 000, equal 7 500 each -> 13 500 and 16 500.
    assert "The units' shares add up to the costs exactly." in words
    assert "135.00" in words and "165.00" in words and "300.00" in words
    assert "rounded down to the cent" in words  # the rule is stated
    confirm = client.get(f"{page}/run")
    assert "Settle and send the statements" in text(confirm)
    assert client.post(f"{page}/run").status_code == 302
    settlement = Settlement.get_by_id(settlement.id)
    assert settlement.state == Settlement.DONE and settlement.delivered_at is not None
    rows = {row.unit_id: row for row in SettlementUnit.select()}
    first, second = rows[house["first"].id], rows[house["second"].id]
    assert (first.costs, first.advances, first.difference) == (13_500, 12_000, -1_500)
    assert (second.costs, second.advances, second.difference) == (16_500, 12_000, -4_500)
    assert Invoice.get_by_id(first.invoice_id).purpose == Invoice.SETTLEMENT
    (mail,) = outbox.rows(kind="settlement")  # the second owner has no address
    assert mail.to_address == "owner1@alpha.example"
    words = text(client.get(page))
    assert "Deadline met" in words and "Not mailed: no address" in words and "Mailed" in words
    # A second run creates nothing and mails nothing.
    assert client.post(f"{page}/run").status_code == 302
    assert SettlementUnit.select().count() == 2 and len(outbox.rows(kind="settlement")) == 1
    assert Invoice.select().where(Invoice.purpose == Invoice.SETTLEMENT).count() == 2


def test_the_statement_pdf_reads_back_and_only_the_units_owner_and_the_board_get_it(
    app, client, house, outbox, alpha, new_client, login, make_user
):
    settlement = start(client)
    water = house["water"]
    add_cost(settlement, water, 20_000, (SettlementKey.AREA, 100))
    assert client.post(f"/alpha/admin/settlements/{settlement.id}/run").status_code == 302
    rows = {row.unit_id: row for row in SettlementUnit.select()}
    first = rows[house["first"].id]
    url = f"/alpha/settlements/{settlement.id}/statements/{first.id}"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    words = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True).stdout
    words = re.sub(r"\s+", " ", words.decode())
    assert f"Settlement of services {YEAR}" in words and "Flat 1" in words and "Water" in words
    assert "80.00" in words and "120.00" in words  # share 40/100 of 200.00, advances 12 × 10.00
    assert "Result: you get SEK 40.00 back." in words, words
    assert Receipt.get_by_id(first.receipt_id).source == Receipt.SETTLEMENT
    owner_client = new_client()
    login(owner_client, "owner1@alpha.example")
    assert owner_client.get(url).status_code == 200
    other = rows[house["second"].id]
    assert owner_client.get(f"/alpha/settlements/{settlement.id}/statements/{other.id}").status_code == 404
    stranger = make_user(alpha, "stranger@alpha.example", "member")
    assert stranger
    stranger_client = new_client()
    login(stranger_client, "stranger@alpha.example")
    assert stranger_client.get(url).status_code == 404
    # The mail carries the same PDF.
    (mail,) = outbox.rows(kind="settlement")
    assert mail.attachment_name == f"settlement-{YEAR}-1.pdf"


def test_a_key_nobody_has_a_share_of_is_refused_with_the_services_name(client, house):
    settlement = start(client)
    add_cost(settlement, house["water"], 20_000, (SettlementKey.CONSUMPTION, 100, "heat"))
    words = text(client.get(f"/alpha/admin/settlements/{settlement.id}"))
    assert "cannot be run yet" in words and "Water: no unit has a share" in words
    client.post(f"/alpha/admin/settlements/{settlement.id}/run")
    assert Settlement.get_by_id(settlement.id).state == Settlement.DRAFT


def test_hostile_service_names_are_inert_and_the_preview_costs_few_queries(client, house, alpha):
    Service.update(name=HOSTILE).where(Service.id == house["water"].id).execute()
    settlement = start(client)
    add_cost(settlement, house["water"], 20_000, (SettlementKey.AREA, 100))
    page = f"/alpha/admin/settlements/{settlement.id}"
    body = client.get(page).get_data(as_text=True)
    assert HOSTILE not in body and "&lt;script&gt;" in body
    with count_queries() as few:
        client.get(page)
    for number in range(3, 40):
        unit = make_unit(alpha, str(number), area=Decimal("50"))
        owner = make_person(alpha)
        make_owner(unit, owner)
        advance(alpha, unit, owner, house["water"], 500)
    with count_queries() as many:
        assert client.get(page).status_code == 200
    assert many.count == few.count


def test_another_associations_settlement_is_404(client, board, make_association):
    beta = make_association("beta")
    other = Settlement.create(
        association=beta,
        year=YEAR,
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
        deadline=dt.date(YEAR + 1, 4, 30),
    )
    assert client.get(f"/alpha/admin/settlements/{other.id}").status_code == 404
    assert client.post(f"/alpha/admin/settlements/{other.id}/run").status_code == 404


def test_the_ledger_names_the_settlements_invoice_and_credit(client, house, outbox):
    """The owner who paid too much sees a credit from the settlement; the one who paid too little an invoice."""
    settlement = start(client)
    page = f"/alpha/admin/settlements/{settlement.id}"
    data = {"service": house["water"].id, "amount": "220", "kind_1": "area", "percent_1": "100"}
    assert client.post(f"{page}/costs", data=data).status_code == 302
    assert client.post(f"{page}/run").status_code == 302  # 88.00 and 132.00 of 120.00 advances each
    credited = text(client.get(f"/alpha/admin/people/{house['owner'].id}/balance"))
    assert "Credit from the settlement of services" in credited and "recorded by hand" not in credited
    owing = text(client.get(f"/alpha/admin/people/{house['quiet'].id}/balance"))
    assert "Settlement of services, invoice" in owing


def test_after_a_sale_the_seller_keeps_the_statement_and_the_buyer_does_not_get_it(
    client, house, outbox, alpha, new_client, login, make_user
):
    """The statement is addressed to the main owner at the year's end, like an invoice: not to today's."""
    first = house["first"]
    Ownership.update(ended_on=dt.date(YEAR + 1, 2, 1)).where(Ownership.unit == first.id).execute()
    buyer = make_user(alpha, "buyer@alpha.example", "member")
    make_owner(first, buyer.people.get(), started_on=dt.date(YEAR + 1, 2, 1))
    settlement = start(client)
    add_cost(settlement, house["water"], 20_000, (SettlementKey.AREA, 100))
    assert client.post(f"/alpha/admin/settlements/{settlement.id}/run").status_code == 302
    row = SettlementUnit.get(SettlementUnit.unit == first.id)
    url = f"/alpha/settlements/{settlement.id}/statements/{row.id}"
    seller, purchaser = new_client(), new_client()
    login(seller, "owner1@alpha.example")
    login(purchaser, "buyer@alpha.example")
    answer = seller.get(url)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "private, no-store"
    assert purchaser.get(url).status_code == 404
    alpha.tabs = "contact members units"  # the invoices tab switched off: no statements for residents either
    alpha.save()
    assert seller.get(url).status_code == 404


def test_a_change_that_meets_a_run_started_meanwhile_writes_nothing(client, house):
    """The page checked "draft" before the run began; the change's own transaction finds it run and stops."""
    from blueprints.billing import settlement_views

    settlement = start(client)
    seen_as_draft = Settlement.get_by_id(settlement.id)
    Settlement.update(state=Settlement.RUNNING).where(Settlement.id == settlement.id).execute()  # the run began
    with pytest.raises(settlement_views._RunMeanwhileError), transaction():
        settlement_views._hold_draft(seen_as_draft)
        SettlementCost.create(settlement=settlement, service=house["water"], amount=100)
    assert SettlementCost.select().count() == 0
    Settlement.update(state=Settlement.DRAFT).where(Settlement.id == settlement.id).execute()
    with transaction():
        settlement_views._hold_draft(seen_as_draft)  # a draft is held without a word
