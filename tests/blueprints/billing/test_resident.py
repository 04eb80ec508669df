"""The residents' Contracts and Invoices: their own rows only, rows that open in place, words, money,
months in the user's language, empty states, pages, and a constant number of queries."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from models import Person, User
from models.billing import BillingSettings, Contract, Invoice
from models.mail import PdfOrder
from models.register import Unit
from tests.factories.billing import make_billing, make_contract, make_invoice, make_payment, make_unit

HX = {"HX-Request": "true"}


@pytest.fixture
def world(alpha, login_as, make_person):
    """The signed-in owner of unit 1102 and a neighbour in 1103, each with a contract; SEK, bankgiro + OCR."""
    user = login_as("member", "owner@alpha.example")
    me = Person.get(Person.user == user)
    me.given_name, me.surname = "Olga", "Owner"
    me.save()
    neighbour = make_person(alpha, email="neighbour@alpha.example", given_name="Nils", surname="Neighbour")
    unit = make_unit(alpha, "1102")
    other_unit = make_unit(alpha, "1103")
    make_billing(alpha, bankgiro="50501055", iban="", bic="", reference_standard=BillingSettings.SE_OCR)

    class World:
        pass

    w = World()
    w.alpha, w.user, w.me, w.neighbour, w.unit, w.other_unit = alpha, user, me, neighbour, unit, other_unit
    return w


def words_of(markup: str) -> str:
    """Markup's words, without tags, spaces collapsed (no-break spaces as plain ones), and a space
    after a currency code whether or not the locale's format has one ("SEK6,500.00" -> "SEK 6,500.00")."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).replace("\xa0", " ").replace("\u202f", " ").split())
    return re.sub(r"\b([A-Z]{3})(\d)", r"\1 \2", words)


def text(response) -> str:
    return words_of(response.get_data(as_text=True))


def row_text(response, kind: str, row_id: int) -> str:
    """The words of one row's summary in a list (kind: "invoice" or "contract")."""
    body = response.get_data(as_text=True)
    match = re.search(rf'id="{kind}-row-{row_id}".*?<summary>(.*?)</summary>', body, flags=re.S)
    assert match, f"no {kind} row {row_id}"
    return words_of(match.group(1))


def row_parts(response, kind: str, row_id: int) -> tuple[str, str]:
    """The markup of one row's summary and of what the row shows when opened."""
    body = response.get_data(as_text=True)
    match = re.search(rf'id="{kind}-row-{row_id}".*?<summary>(.*?)</summary>(.*?)</details>', body, flags=re.S)
    assert match, f"no {kind} row {row_id}"
    return match.group(1), match.group(2)


def row_ids(response, kind: str) -> list[int]:
    return [int(i) for i in re.findall(rf'id="{kind}-row-(\d+)"', response.get_data(as_text=True))]


# --- contracts -------------------------------------------------------------------------------


def test_a_resident_sees_their_own_contracts_and_not_the_neighbours(client, world):
    home = make_contract(world.alpha, world.unit, [world.me], "100-1")
    parking = make_contract(
        world.alpha, world.unit, [world.me], "P-7", category=Contract.PARKING, status=Contract.TERMINATED
    )
    theirs = make_contract(world.alpha, world.other_unit, [world.neighbour], "200-1")

    response = client.get("/alpha/contracts")
    assert response.status_code == 200
    assert row_ids(response, "contract") == [home.id, parking.id]  # in force first
    # A row reads as a sentence before it is opened: what, status and since when (issue 17, item 9).
    assert row_text(response, "contract", home.id) == "Contract 100-1 Flat 1102 — home, active , from 1 Jan 2024"
    assert (
        row_text(response, "contract", parking.id) == "Contract P-7 Flat 1102 — parking, terminated , from 1 Jan 2024"
    )
    assert "200-1" not in text(response)
    body = response.get_data(as_text=True)
    # The row opens without JavaScript; htmx loads its details on the first open; the opened row links to
    # the page (the summary holds text only).
    assert f'hx-get="/alpha/contracts/{home.id}" hx-trigger="toggle once" hx-target="find .bill-more"' in body
    assert f'<a href="/alpha/contracts/{home.id}">' in body
    summary, opened = row_parts(response, "contract", home.id)
    assert "<a " not in summary
    assert f'<a href="/alpha/contracts/{home.id}">' in opened

    for headers in ({}, HX):
        assert client.get(f"/alpha/contracts/{theirs.id}", headers=headers).status_code == 404
        assert client.get("/alpha/contracts/999999", headers=headers).status_code == 404


def test_contract_details_as_a_partial_for_htmx_and_a_page_without(client, world):
    contract = make_contract(
        world.alpha, world.unit, [world.me, world.neighbour], "100-1", rent=650000, notice_months=3
    )

    part = client.get(f"/alpha/contracts/{contract.id}", headers=HX)
    assert part.status_code == 200
    assert "<html" not in part.get_data(as_text=True)
    words = text(part)
    for expected in (
        "Type 2 rooms and kitchen",
        "Notice period 3 months",
        "Renewal Until further notice",
        "Start date 1 Jan 2024",
        "End date No end date",
        "Monthly rent SEK 6,500.00",
        "Unit Flat 1102, House A",
        "Parties Nils Neighbour Olga Owner",
    ):
        assert expected in words, expected

    page = client.get(f"/alpha/contracts/{contract.id}")
    assert page.status_code == 200
    assert page.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")
    assert "Contract 100-1 Home · Active" in text(page)
    assert "Monthly rent SEK 6,500.00" in text(page)
    assert "HX-Request" in page.headers["Vary"]


def test_a_fixed_term_contract_shows_its_end_and_renewal(client, world):
    contract = make_contract(
        world.alpha,
        world.unit,
        [world.me],
        "100-2",
        renewal=Contract.RENEWS,
        renewal_months=12,
        end_date=dt.date(2026, 12, 31),
        notice_months=1,
        rent_vat_rate=2500,
    )
    words = text(client.get(f"/alpha/contracts/{contract.id}", headers=HX))
    assert "Renewal Renews automatically, by 12 months" in words
    assert "End date 31 Dec 2026" in words
    assert "Notice period 1 month" in words
    assert "plus VAT 25%" in words


def test_a_board_member_lists_only_their_own_contracts_but_opens_anyones(client, alpha, make_user, login, world):
    theirs = make_contract(alpha, world.other_unit, [world.neighbour], "200-1")
    make_user(alpha, "board@alpha.example", "board")
    login(client, "board@alpha.example")
    listing = client.get("/alpha/contracts")
    assert "200-1" not in text(listing)
    assert "You have no contracts with the association." in text(listing)
    assert client.get(f"/alpha/contracts/{theirs.id}", headers=HX).status_code == 200


def test_no_contracts(client, world):
    response = client.get("/alpha/contracts")
    assert response.status_code == 200
    assert "You have no contracts with the association." in text(response)


def test_the_pages_are_gone_when_the_association_hides_their_tabs(client, world):
    contract = make_contract(world.alpha, world.unit, [world.me])
    invoice = make_invoice(world.alpha, world.me)
    world.alpha.tabs = "contact members units faults"
    world.alpha.save()
    for path in (
        "/alpha/contracts",
        f"/alpha/contracts/{contract.id}",
        "/alpha/invoices",
        f"/alpha/invoices/{invoice.id}",
    ):
        assert client.get(path).status_code == 404, path


# --- invoices: the list ---------------------------------------------------------------------


def test_a_resident_sees_their_own_invoices_newest_first_and_not_the_neighbours(client, world):
    older = make_invoice(
        world.alpha, world.me, issue_date=dt.date(2026, 10, 15), period=(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    )
    newer = make_invoice(world.alpha, world.me)
    theirs = make_invoice(world.alpha, world.neighbour, unit=world.other_unit)
    # An invoice on a contract that names the resident, addressed to someone else, is theirs to see too.
    shared = make_contract(world.alpha, world.unit, [world.me, world.neighbour])
    on_contract = make_invoice(world.alpha, world.neighbour, contract=shared, issue_date=dt.date(2026, 9, 15))

    response = client.get("/alpha/invoices")
    assert response.status_code == 200
    assert row_ids(response, "invoice") == [newer.id, older.id, on_contract.id]
    assert str(theirs.number) not in text(response)
    body = response.get_data(as_text=True)
    assert f'hx-get="/alpha/invoices/{newer.id}" hx-trigger="toggle once" hx-target="find .bill-more"' in body
    summary, opened = row_parts(response, "invoice", newer.id)
    assert "<a " not in summary  # text only; the opened row links to the page
    assert f'<a href="/alpha/invoices/{newer.id}">' in opened

    for headers in ({}, HX):
        assert client.get(f"/alpha/invoices/{theirs.id}", headers=headers).status_code == 404
        assert client.get("/alpha/invoices/999999", headers=headers).status_code == 404
        assert client.get(f"/alpha/invoices/{on_contract.id}", headers=headers).status_code == 200


def test_the_row_shows_number_month_amount_due_date_and_status(client, world, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 11, 25, 9, 0))
    invoice = make_invoice(world.alpha, world.me, number=1252012)
    response = client.get("/alpha/invoices")
    assert (
        row_text(response, "invoice", invoice.id) == "Invoice 1252012 December 2026 SEK 4,167.00 Due 30 Nov 2026 Open"
    )


def test_the_row_names_its_unit_or_contract_and_what_is_left(client, world, frozen_clock):
    """Issue 17, item 6: "Flat 1102", "Garage G1 (contract P-7)" and "SEK 3,167.00 left" before a row is opened."""
    frozen_clock.set(dt.datetime(2026, 11, 25, 9, 0))
    garage = make_unit(world.alpha, "G1", kind=Unit.GARAGE)
    parking = make_contract(world.alpha, garage, [world.me], "P-7", category=Contract.PARKING)
    flat_invoice = make_invoice(world.alpha, world.me, unit=world.unit)
    make_payment(flat_invoice, 100000)
    garage_invoice = make_invoice(world.alpha, world.me, unit=garage, contract=parking)
    paid = make_invoice(world.alpha, world.me, unit=world.unit)
    make_payment(paid, 416700)

    response = client.get("/alpha/invoices")
    flat_row = row_text(response, "invoice", flat_invoice.id)
    assert "Flat 1102 December 2026" in flat_row
    assert "SEK 4,167.00 SEK 3,167.00 left" in flat_row
    garage_row = row_text(response, "invoice", garage_invoice.id)
    assert "Garage G1 (contract P-7) December 2026" in garage_row
    assert "left" not in garage_row  # nothing paid yet: the total is what is left
    assert "left" not in row_text(response, "invoice", paid.id)


def test_status_words_follow_payments_credit_and_the_clock(client, world, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 11, 25, 9, 0))
    due_later, due_past = dt.date(2026, 11, 30), dt.date(2026, 11, 20)
    open_one = make_invoice(world.alpha, world.me, due_date=due_later)
    partly = make_invoice(world.alpha, world.me, due_date=due_later)
    make_payment(partly, 100000)
    paid = make_invoice(world.alpha, world.me, due_date=due_past)
    make_payment(paid, 416700)
    overdue = make_invoice(world.alpha, world.me, due_date=due_past)
    partly_late = make_invoice(world.alpha, world.me, due_date=due_past)
    make_payment(partly_late, 100000)
    credited = make_invoice(world.alpha, world.me, due_date=due_past, credited_total=416700)
    note = make_invoice(
        world.alpha, world.me, lines=[("Credit for invoice", -416700, 0)], kind=Invoice.CREDIT_NOTE, credits=credited
    )

    response = client.get("/alpha/invoices")
    status = {i: row_text(response, "invoice", i).rsplit(" ", 1)[-1] for i in row_ids(response, "invoice")}
    assert status[open_one.id] == "Open"
    assert row_text(response, "invoice", partly.id).endswith("Partly paid")
    assert status[paid.id] == "Paid"
    assert status[overdue.id] == "Overdue"
    assert status[partly_late.id] == "Overdue"
    assert status[credited.id] == "Credited"
    assert status[note.id] == "Credited"
    assert "Credit note" in row_text(response, "invoice", note.id)
    body = response.get_data(as_text=True)
    assert 'class="state state-invoice-overdue">Overdue<' in body  # a word and a colour

    # A week later the open one is overdue too.
    frozen_clock.set(dt.datetime(2026, 12, 2, 9, 0))
    response = client.get("/alpha/invoices")
    assert row_text(response, "invoice", open_one.id).endswith("Overdue")


def test_the_balance_sums_what_is_left_and_what_is_overdue(client, world, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 11, 25, 9, 0))
    make_invoice(world.alpha, world.me, due_date=dt.date(2026, 11, 30))  # 4,167 open
    late = make_invoice(world.alpha, world.me, due_date=dt.date(2026, 11, 20))
    make_payment(late, 100000)  # 3,167 overdue
    paid = make_invoice(world.alpha, world.me, due_date=dt.date(2026, 11, 20))
    make_payment(paid, 416700)
    make_invoice(world.alpha, world.me, due_date=dt.date(2026, 11, 20), credited_total=416700)
    make_invoice(world.alpha, world.neighbour, due_date=dt.date(2026, 11, 20))  # not theirs

    words = text(client.get("/alpha/invoices"))
    assert "Left to pay SEK 7,334.00" in words
    assert "Of which overdue SEK 3,167.00" in words


def test_all_paid(client, world):
    paid = make_invoice(world.alpha, world.me)
    make_payment(paid, paid.total)
    words = text(client.get("/alpha/invoices"))
    assert "Nothing left to pay. Thank you!" in words
    assert "Of which overdue" not in words


def test_no_invoices(client, world):
    make_invoice(world.alpha, world.neighbour)
    words = text(client.get("/alpha/invoices"))
    assert "You have no invoices yet." in words
    assert "Left to pay" not in words and "Nothing left to pay" not in words


def test_pages_of_24_newest_first(client, world):
    start = dt.date(2024, 1, 15)
    made = []
    for month in range(30):
        issue = (start.replace(day=1) + dt.timedelta(days=32 * month)).replace(day=15)
        made.append(make_invoice(world.alpha, world.me, issue_date=issue, due_date=issue + dt.timedelta(days=15)))
    newest_first = [invoice.id for invoice in reversed(made)]

    first = client.get("/alpha/invoices")
    assert row_ids(first, "invoice") == newest_first[:24]
    assert '<a href="/alpha/invoices?page=2">Older invoices</a>' in first.get_data(as_text=True)
    assert "Newer invoices" not in text(first)

    second = client.get("/alpha/invoices?page=2")
    assert row_ids(second, "invoice") == newest_first[24:]
    assert '<a href="/alpha/invoices">Newer invoices</a>' in second.get_data(as_text=True)
    assert "Older invoices" not in text(second)

    beyond = client.get("/alpha/invoices?page=7")
    assert beyond.status_code == 200
    assert "There are no older invoices." in text(beyond)
    for bad in ("abc", "0", "-3", "99999999999999999999"):
        response = client.get(f"/alpha/invoices?page={bad}")
        assert response.status_code == 200, bad
    assert row_ids(client.get("/alpha/invoices?page=abc"), "invoice") == newest_first[:24]
    assert row_ids(client.get("/alpha/invoices?page=-3"), "invoice") == newest_first[:24]


@pytest.mark.parametrize(
    ("language", "months", "amount"),
    [
        ("en", ("March 2026", "October 2026"), "SEK 4,167.00"),
        ("sv", ("Mars 2026", "Oktober 2026"), "4 167,00 kr"),
        ("cs", ("Březen 2026", "Říjen 2026"), "4 167,00 SEK"),
    ],
)
def test_months_and_amounts_in_the_users_language(client, world, language, months, amount):
    User.update(ui_language=language).where(User.id == world.user.id).execute()
    march = make_invoice(world.alpha, world.me, period=(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    october = make_invoice(world.alpha, world.me, period=(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
    odd = make_invoice(world.alpha, world.me, period=(dt.date(2026, 3, 15), dt.date(2026, 4, 14)))
    response = client.get("/alpha/invoices")
    assert months[0] in row_text(response, "invoice", march.id)
    assert months[1] in row_text(response, "invoice", october.id)
    assert amount in row_text(response, "invoice", march.id)
    assert "2026" in row_text(response, "invoice", odd.id) and months[0] not in row_text(response, "invoice", odd.id)


def test_amounts_are_in_the_associations_currency(client, make_association, make_user, make_person, login):
    prague = make_association("praha", currency="CZK", locale="cs", timezone="Europe/Prague")
    user = make_user(prague, "vlastnik@praha.example", "member")
    User.update(ui_language="cs").where(User.id == user.id).execute()
    make_billing(prague, iban="CZ6508000000192000145399", bic="GIBACZPX", reference_standard=BillingSettings.CZ_VS)
    me = Person.get(Person.user == user)
    invoice = make_invoice(prague, me, lines=[("Záloha", 350050, 0)], reference="20261201")
    login(client, user.email)
    response = client.get("/praha/invoices")
    assert "3 500,50 Kč" in row_text(response, "invoice", invoice.id)
    details = text(client.get(f"/praha/invoices/{invoice.id}", headers=HX))
    assert "CZ65 0800 0000 1920 0014 5399" in details
    assert "20261201" in details


# --- invoices: the details -------------------------------------------------------------------


def test_invoice_details_show_lines_reference_account_payments_and_what_is_left(client, world, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 11, 25, 9, 0))
    invoice = make_invoice(
        world.alpha,
        world.me,
        lines=[("Monthly fee", 400000, 0), ("Water advance", 16700, 0)],
        reference="125201293",
        message="Thank you for paying on time.",
    )
    make_payment(invoice, 100000, paid_on=dt.date(2026, 11, 20))

    part = client.get(f"/alpha/invoices/{invoice.id}", headers=HX)
    assert part.status_code == 200
    body = part.get_data(as_text=True)
    assert "<html" not in body
    words = text(part)
    for expected in (
        "Period 1 Dec 2026 – 31 Dec 2026",
        "Message Thank you for paying on time.",
        "Due date 30 Nov 2026",
        "Amount to pay SEK 3,167.00",
        "Status Partly paid",
        "Monthly fee SEK 4,000.00",
        "Water advance SEK 167.00",
        "Total SEK 4,167.00",
        "OCR number 125201293",
        "Bankgiro 5050-1055",
        "20 Nov 2026 SEK 1,000.00",
        "Still to pay: SEK 3,167.00",
    ):
        assert expected in words, expected
    assert "VAT" not in words  # no line carries any

    page = client.get(f"/alpha/invoices/{invoice.id}")
    assert page.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")
    assert f"Invoice {invoice.number} December 2026" in text(page)
    assert "OCR number 125201293" in text(page)


def test_vat_is_shown_when_a_line_carries_it(client, world):
    make_billing(world.alpha, iban="SE4550000000058398257466", bic="ESSESESS", bankgiro="")
    invoice = make_invoice(world.alpha, world.me, lines=[("Parking", 80000, 2500), ("Monthly fee", 400000, 0)])
    words = text(client.get(f"/alpha/invoices/{invoice.id}", headers=HX))
    assert "Text VAT Amount" in words
    assert "Parking SEK 200.00 25% SEK 1,000.00" in words
    assert "Of which VAT SEK 200.00" in words
    assert "Total SEK 5,000.00" in words
    assert "IBAN SE45 5000 0000 0583 9825 7466" in words
    assert "BIC ESSESESS" in words
    assert "Bankgiro" not in words


def test_credit_notes_show_against_their_invoice_and_the_other_way(client, world):
    invoice = make_invoice(world.alpha, world.me, credited_total=416700)
    note = make_invoice(
        world.alpha, world.me, lines=[("Wrong fee", -416700, 0)], kind=Invoice.CREDIT_NOTE, credits=invoice
    )
    words = text(client.get(f"/alpha/invoices/{invoice.id}", headers=HX))
    assert f"Credit notes Credit note {note.number} · 15 Nov 2026 -SEK 4,167.00" in words
    assert "Nothing left to pay on this invoice." in words
    assert "Status Credited" in words
    note_words = text(client.get(f"/alpha/invoices/{note.id}", headers=HX))
    assert f"Credits Invoice {invoice.number}" in note_words
    assert "Amount to pay" not in note_words  # nothing to pay on a credit note
    assert f"Credit note {note.number}" in text(client.get(f"/alpha/invoices/{note.id}"))


def test_the_details_offer_the_pdf_and_show_only_ones_own_order(client, world, alpha, make_user):
    invoice = make_invoice(world.alpha, world.me)
    board = make_user(alpha, "board@alpha.example", "board")
    PdfOrder.create(association=alpha, user=board, invoice=invoice, to_address=board.email, state=PdfOrder.FAILED)
    words = text(client.get(f"/alpha/invoices/{invoice.id}", headers=HX))
    assert "Order PDF" in words
    assert "Failed" not in words  # the board's order is the board's

    PdfOrder.create(association=alpha, user=world.user, invoice=invoice, to_address=world.user.email, state="sent")
    words = text(client.get(f"/alpha/invoices/{invoice.id}", headers=HX))
    assert "Sent" in words or "sent" in words


def test_a_board_member_opens_anyones_invoice_but_lists_their_own(client, alpha, make_user, login, world):
    theirs = make_invoice(alpha, world.neighbour)
    make_user(alpha, "board@alpha.example", "board")
    login(client, "board@alpha.example")
    assert "You have no invoices yet." in text(client.get("/alpha/invoices"))
    assert client.get(f"/alpha/invoices/{theirs.id}", headers=HX).status_code == 200


def test_another_associations_member_gets_nothing(client, world, make_association, make_user, login):
    invoice = make_invoice(world.alpha, world.me)
    contract = make_contract(world.alpha, world.unit, [world.me])
    beta = make_association("beta")
    make_user(beta, "board@beta.example", "board")
    login(client, "board@beta.example")
    for path in (f"/alpha/invoices/{invoice.id}", f"/alpha/contracts/{contract.id}", "/alpha/invoices"):
        assert client.get(path).status_code == 403, path
    for path in (f"/beta/invoices/{invoice.id}", f"/beta/contracts/{contract.id}"):
        assert client.get(path).status_code == 404, path


# --- a constant number of queries -------------------------------------------------------------


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries_for(client, path, **headers) -> int:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return int(response.headers["X-Query-Count"])


def add_invoices(world, n, start=dt.date(2023, 1, 15)):
    for i in range(n):
        invoice = make_invoice(
            world.alpha,
            world.me if i % 4 else world.neighbour,  # the neighbour's are in the tables, not in the list
            unit=world.unit,
            issue_date=start + dt.timedelta(days=31 * i),
            due_date=start + dt.timedelta(days=31 * i + 15),
            lines=[("Monthly fee", 400000, 0), ("Water", 16700, 2500)],
        )
        if i % 3 == 0:
            make_payment(invoice, 100000)


def test_the_lists_cost_the_same_for_3_and_40_rows(client, world):
    add_invoices(world, 3)
    for i in range(2):
        make_contract(world.alpha, world.unit, [world.me], f"100-{i}")
    few = {path: queries_for(client, path) for path in ("/alpha/invoices", "/alpha/contracts")}
    add_invoices(world, 37, start=dt.date(2020, 1, 15))
    for i in range(2, 15):
        make_contract(world.alpha, world.unit, [world.me], f"100-{i}")
    many = {path: queries_for(client, path) for path in ("/alpha/invoices", "/alpha/contracts")}
    assert many == few
    assert queries_for(client, "/alpha/invoices?page=2") == few["/alpha/invoices"]
    # The session and the page's rows (+ the balance for invoices); nothing per row.
    assert few["/alpha/invoices"] <= 3 and few["/alpha/contracts"] <= 2


def test_a_rows_details_cost_the_same_however_many_lines_and_payments(client, world):
    small = make_invoice(world.alpha, world.me)
    big = make_invoice(world.alpha, world.me, lines=[(f"Line {i}", 1000 * i, 2500 if i % 2 else 0) for i in range(30)])
    for _i in range(12):
        make_payment(big, 100)
    assert queries_for(client, f"/alpha/invoices/{small.id}", **HX) == queries_for(
        client, f"/alpha/invoices/{big.id}", **HX
    )
    one = make_contract(world.alpha, world.unit, [world.me], "1")
    crowd = make_contract(world.alpha, world.unit, [world.me, world.neighbour], "2")
    assert queries_for(client, f"/alpha/contracts/{one.id}", **HX) == queries_for(
        client, f"/alpha/contracts/{crowd.id}", **HX
    )
