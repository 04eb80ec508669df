"""The board's invoicing pages: run preview and creation, a single invoice, credit notes, billing settings."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from core.text import money
from models import AuditLog
from models.billing import BillingSettings, Charge, Invoice, InvoiceLine, InvoiceRun
from models.register import Ownership
from tests.factories.billing import make_billing, make_contract, make_invoice, make_unit

HX = {"HX-Request": "true"}


def words_of(value: str) -> str:
    return re.sub(r"[\s\xa0\u202f]+", " ", value)


def text(response) -> str:
    """The page's words, without tags, entities decoded and spaces collapsed."""
    return words_of(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


@pytest.fixture
def sek(app):
    """An amount as the pages print it (the |money filter in English)."""

    def formatted(minor_units: int) -> str:
        with app.test_request_context():
            return words_of(money(minor_units, "SEK"))

    return formatted


@pytest.fixture
def board(login_as, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 11, 20, 9, 0))
    return login_as("board")


@pytest.fixture
def billed(alpha, make_person):
    """Two owned units with charges, one without a main owner, and a contract; alpha is in SEK."""
    make_billing(alpha, reference_standard=BillingSettings.SE_OCR, payment_terms_days=10)
    units = {}
    for number, surname, amounts in (("11", "Andersson", (416700, 25000)), ("12", "Berg", (300000,))):
        unit = units[number] = make_unit(alpha, number)
        owner = make_person(alpha, surname=surname, given_name="Anna")
        Ownership.create(unit=unit, person=owner, is_main=True)
        for position, amount in enumerate(amounts):
            Charge.create(
                association=alpha, unit=unit, description=f"Charge {position}", amount=amount, position=position
            )
    orphan = units["13"] = make_unit(alpha, "13")
    Charge.create(association=alpha, unit=orphan, description="Monthly fee", amount=1000)
    tenant = make_person(alpha, surname="Carlsson", given_name="Cid")
    make_contract(alpha, make_unit(alpha, "P7"), [tenant], number="P-7", rent=80000)
    return units


# --- runs ----------------------------------------------------------------------------------


def test_runs_page_offers_the_month_form(client, board, billed):
    page = client.get("/alpha/admin/invoice-runs")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'type="month"' in body and 'value="2026-12"' in body  # next month, preselected
    assert "No invoices have been created with a run yet." in text(page)


def test_preview_lists_every_invoice_skipped_ones_and_the_grand_total(client, board, billed, sek):
    page = client.get("/alpha/admin/invoice-runs/preview?period=2026-12&issue_date=2026-11-25")
    assert page.status_code == 200
    words = text(page)
    assert "Invoices for December 2026" in words
    assert "Anna Andersson" in words and "Anna Berg" in words and "Cid Carlsson" in words
    assert "Contract P-7" in words and "Rent" in words
    assert sek(441700) in words  # 4167 + 250 for unit 11
    assert f"Grand total {sek(821700)}" in words  # 4417 + 3000 + 800
    assert "1 skipped" in words and "no current main owner" in words and "House A – 13" in words
    assert "Create all 3 invoices" in words
    assert "5 Dec 2026" in words  # the due date: 25 Nov + 10 days
    assert Invoice.select().count() == 0
    partial = client.get("/alpha/admin/invoice-runs/preview?period=2026-12", headers=HX)
    assert partial.get_data(as_text=True).lstrip().startswith('<div id="run-preview"')


def test_preview_refuses_a_bad_month(client, board, billed):
    page = client.get("/alpha/admin/invoice-runs/preview?period=December")
    assert page.status_code == 422
    assert "Choose a month, written like 2026-12." in text(page)


def test_create_makes_the_previewed_invoices_once(client, board, billed, sek):
    response = client.submit(
        "/alpha/admin/invoice-runs", {"period": "2026-12", "issue_date": "2026-11-25"}, follow_redirects=True
    )
    assert response.status_code == 200
    words = text(response)
    assert f"3 invoices were created for December 2026, {sek(821700)} in all." in words
    invoices = list(Invoice.select().order_by(Invoice.number))
    assert [i.recipient_name for i in invoices] == ["Anna Andersson", "Anna Berg", "Cid Carlsson"]
    assert sum(i.total for i in invoices) == 821700
    assert all(i.issue_date == dt.date(2026, 11, 25) and i.due_date == dt.date(2026, 12, 5) for i in invoices)
    run = InvoiceRun.get()
    assert (run.invoice_count, run.total) == (3, 821700)
    assert f"December 2026 3 {sek(821700)}" in words  # the past runs table

    again = client.submit("/alpha/admin/invoice-runs", {"period": "2026-12"}, follow_redirects=True)
    assert "Nothing new was created: the invoices for December 2026 already exist." in text(again)
    assert Invoice.select().count() == 3 and InvoiceRun.select().count() == 1
    assert AuditLog.select().where(AuditLog.action == "billing.run_created").count() == 2

    preview = text(client.get("/alpha/admin/invoice-runs/preview?period=2026-12"))
    assert "3 invoices of this month were already created by an earlier run" in preview
    assert "Nothing is left to create." in preview


def test_an_issue_date_past_what_a_due_date_can_hold_is_refused(client, board, billed):
    preview = client.get("/alpha/admin/invoice-runs/preview?period=2026-12&issue_date=9999-12-31")
    assert preview.status_code == 422
    assert "Give a date between the years 2000 and 2200." in text(preview)
    create = client.submit("/alpha/admin/invoice-runs", {"period": "2026-12", "issue_date": "9999-12-31"})
    assert create.status_code == 422
    assert InvoiceRun.select().count() == 0


def test_create_without_a_month_is_refused(client, board, billed):
    response = client.submit("/alpha/admin/invoice-runs", {"period": ""})
    assert response.status_code == 422
    assert "Choose the month to invoice." in text(response)
    assert InvoiceRun.select().count() == 0


def test_a_month_with_nothing_to_invoice_creates_no_run(client, board, alpha):
    response = client.submit("/alpha/admin/invoice-runs", {"period": "2026-12"}, follow_redirects=True)
    assert "There is nothing to invoice for December 2026" in text(response)
    assert InvoiceRun.select().count() == 0


def test_a_large_preview_renders_quickly_enough_to_use(client, board, alpha, make_person):
    """2,000 units: a compact table (no timing assert here; bench/ measures). Only checks it is all there."""
    make_billing(alpha)
    from models import Person
    from models.register import Building, Unit

    building = Building.create(association=alpha, name="Big")
    units = [
        {"association": alpha.id, "building": building.id, "number": str(n), "share_numerator": 1} for n in range(2000)
    ]
    Unit.insert_many(units).execute()
    ids = [u.id for u in Unit.select(Unit.id).where(Unit.building == building)]
    Person.insert_many([{"association": alpha.id, "surname": f"Owner{n}"} for n in range(2000)]).execute()
    people = [p.id for p in Person.select(Person.id).where(Person.surname.startswith("Owner"))]
    Ownership.insert_many(
        [{"unit": u, "person": p, "is_main": True} for u, p in zip(ids, people, strict=True)]
    ).execute()
    Charge.insert_many(
        [{"association": alpha.id, "unit": u, "description": "Fee", "amount": 100000} for u in ids]
    ).execute()
    page = client.get("/alpha/admin/invoice-runs/preview?period=2026-12")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.count("<tr>") == 2000 + 2  # header, rows, footer
    assert "Create all 2000 invoices" in body


# --- a single invoice ------------------------------------------------------------------------


def invoice_form(person_id, **fields):
    values = {"recipient": str(person_id), "unit": "", "period": "", "issue_date": "2026-11-20", "due_date": ""}
    values["message"] = ""
    for n in range(6):
        values[f"lines-{n}-description"] = ""
        values[f"lines-{n}-amount"] = ""
        values[f"lines-{n}-vat"] = ""
    values.update(fields)
    return values


def test_manual_invoice_with_amounts_typed_in_the_currency(client, board, alpha, make_person):
    make_billing(alpha, reference_standard=BillingSettings.RF, payment_terms_days=30)
    person = make_person(alpha, surname="Dahl", given_name="Dan", street="Gatan 2", postcode="111 22", city="Sthlm")
    unit = make_unit(alpha, "21")
    page = client.get("/alpha/admin/invoices/new")
    assert page.status_code == 200 and "Dahl Dan" in text(page)
    response = client.submit(
        "/alpha/admin/invoices/new",
        invoice_form(
            person.id,
            unit=str(unit.id),
            period="2026-12",
            message="Key replacement",
            **{"lines-0-description": "New key", "lines-0-amount": "1 234,50", "lines-2-description": "Lock"},
            **{"lines-2-amount": "99.5"},
        ),
    )
    assert response.status_code == 302, text(response)[:3000]
    invoice = Invoice.get()
    assert (invoice.total, invoice.unit_id, invoice.message) == (133400, unit.id, "Key replacement")
    assert (invoice.period_start, invoice.period_end) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert invoice.due_date == dt.date(2026, 12, 20)
    assert invoice.reference.startswith("RF") and invoice.recipient_address == "Gatan 2\n111 22 Sthlm"
    assert [(x.description, x.amount) for x in invoice.lines.order_by(InvoiceLine.position)] == [
        ("New key", 123450),
        ("Lock", 9950),
    ]
    assert AuditLog.select().where(AuditLog.action == "billing.invoice_created").count() == 1


def test_manual_invoice_with_bad_amounts_is_refused_per_field(client, board, alpha, make_person):
    make_billing(alpha)
    person = make_person(alpha)
    response = client.submit(
        "/alpha/admin/invoices/new",
        invoice_form(
            person.id,
            **{
                "lines-0-description": "Key",
                "lines-0-amount": "12,345",
                "lines-1-description": "",
                "lines-1-amount": "50",
            },
            **{"lines-2-description": "Lock", "lines-2-amount": "ten"},
        ),
    )
    assert response.status_code == 422
    words = text(response)
    assert (
        words.count("Type an amount like 1 234.50.") == 2
    )  # three decimals; not a number (the example in the page's decimal sign)
    assert "Say what the amount is for." in words
    body = response.get_data(as_text=True)
    assert 'value="12,345"' in body and 'value="ten"' in body  # what was typed stays
    assert 'aria-invalid="true"' in body or "has-error" in body
    assert Invoice.select().count() == 0


def test_manual_invoice_needs_a_recipient_and_a_line(client, board, alpha, make_person):
    make_billing(alpha)
    response = client.submit("/alpha/admin/invoices/new", invoice_form(""))
    assert response.status_code == 422
    words = text(response)
    assert "Choose who the invoice is for." in words
    assert "Fill in at least one line" in words


def test_manual_invoice_refuses_dates_out_of_range(client, board, alpha, make_person):
    make_billing(alpha)
    person = make_person(alpha, "far@alpha.example")
    line = {"lines-0-description": "Key", "lines-0-amount": "100"}
    for dates in ({"issue_date": "9999-12-31"}, {"due_date": "9999-12-31"}):
        response = client.submit("/alpha/admin/invoices/new", invoice_form(person.id, **line, **dates))
        assert response.status_code == 422
        assert "Give a date between the years 2000 and 2200." in text(response)
    assert Invoice.select().count() == 0


def test_manual_invoice_refuses_someone_of_another_association(client, board, alpha, make_association, make_person):
    make_billing(alpha)
    stranger = make_person(make_association("beta"))
    response = client.submit(
        "/alpha/admin/invoices/new",
        invoice_form(stranger.id, **{"lines-0-description": "Fee", "lines-0-amount": "10"}),
    )
    assert response.status_code == 422 and "Choose who the invoice is for." in text(response)
    assert Invoice.select().count() == 0


def test_vat_is_asked_only_when_registered(client, board, alpha, make_person):
    make_billing(alpha, vat_registered=False)
    assert "lines-0-vat" not in client.get("/alpha/admin/invoices/new").get_data(as_text=True)
    BillingSettings.update(vat_registered=True).execute()
    assert "lines-0-vat" in client.get("/alpha/admin/invoices/new").get_data(as_text=True)
    person = make_person(alpha)
    bad = client.submit(
        "/alpha/admin/invoices/new",
        invoice_form(person.id, **{"lines-0-description": "Office", "lines-0-amount": "100", "lines-0-vat": "250"}),
    )
    assert bad.status_code == 422 and "Type the VAT rate in percent, from 0 to 100." in text(bad)
    good = client.submit(
        "/alpha/admin/invoices/new",
        invoice_form(person.id, **{"lines-0-description": "Office", "lines-0-amount": "100", "lines-0-vat": "25"}),
    )
    assert good.status_code == 302
    assert (Invoice.get().vat_total, Invoice.get().total) == (2500, 12500)


# --- credit notes ------------------------------------------------------------------------------


def test_credit_note_confirmation_then_creation(client, board, alpha, make_person, sek):
    make_billing(alpha)
    original = make_invoice(alpha, make_person(alpha), lines=[("Monthly fee", 416700, 0), ("Water", 25000, 0)])
    page = client.get(f"/alpha/admin/invoices/{original.id}/credit")
    assert page.status_code == 200
    words = text(page)
    assert f"Credit invoice {original.number}" in words
    assert f"Are you sure? A credit note of {sek(-441700)} will be created." in words
    assert f"Monthly fee {sek(-416700)}" in words
    assert Invoice.select().count() == 1  # the GET changed nothing

    response = client.submit(f"/alpha/admin/invoices/{original.id}/credit", {"reason": "Sold before December"})
    assert response.status_code == 302
    note = Invoice.get(Invoice.kind == Invoice.CREDIT_NOTE)
    assert (note.total, note.credits_id, note.message) == (-441700, original.id, "Sold before December")
    assert Invoice.get_by_id(original.id).credited_total == 441700
    assert AuditLog.select().where(AuditLog.action == "billing.credit_note_created").count() == 1

    again = client.get(f"/alpha/admin/invoices/{original.id}/credit")
    assert f"Invoice {original.number} is already fully credited." in text(again)
    refused = client.submit(f"/alpha/admin/invoices/{original.id}/credit", {"reason": ""})
    assert refused.status_code == 409
    assert Invoice.select().count() == 2
    of_note = client.get(f"/alpha/admin/invoices/{note.id}/credit")
    assert "This is a credit note: it cannot be credited." in text(of_note)


def test_credit_note_of_another_association_is_404(client, board, make_association, make_person):
    beta = make_association("beta")
    theirs = make_invoice(beta, make_person(beta))
    assert client.get(f"/alpha/admin/invoices/{theirs.id}/credit").status_code == 404
    assert (
        client.submit(
            f"/alpha/admin/invoices/{theirs.id}/credit", {}, form_page="/alpha/admin/invoice-runs"
        ).status_code
        == 404
    )
    assert Invoice.get_by_id(theirs.id).credited_total == 0


# --- billing settings ------------------------------------------------------------------------


def settings_form(**fields):
    values = {
        "payee_name": "Alpha Housing",
        "payee_address": "Storgatan 1\n111 22 Stockholm",
        "org_number": "769600-1234",
        "vat_number": "",
        "iban": "",
        "bic": "",
        "bankgiro": "",
        "account_number": "",
        "reference_standard": "se_ocr",
        "payment_terms_days": "14",
        "next_invoice_number": "1001",
        "invoice_footer": "",
    }
    values.update(fields)
    return values


def test_settings_save_and_normalise(client, board, alpha):
    page = client.get("/alpha/admin/billing")
    assert page.status_code == 200 and "Swedish OCR number" in text(page)
    response = client.submit(
        "/alpha/admin/billing",
        settings_form(iban="se45 5000 0000 0583 9825 7466", bankgiro="5050-1055", bic="eskdse2x", vat_registered="y"),
    )
    assert response.status_code == 302
    settings = BillingSettings.get(BillingSettings.association == alpha)
    assert (settings.iban, settings.bankgiro, settings.bic) == ("SE4550000000058398257466", "50501055", "ESKDSE2X")
    assert settings.vat_registered and settings.next_invoice_number == 1001 and settings.payment_terms_days == 14
    assert settings.reference_standard == "se_ocr"
    assert AuditLog.select().where(AuditLog.action == "billing.settings_changed").count() == 1


def test_settings_refuse_a_bad_iban_and_bankgiro(client, board, alpha):
    make_billing(alpha, iban="EE382200221020145685")
    response = client.submit(
        "/alpha/admin/billing",
        settings_form(iban="SE45 5000 0000 0583 9825 7467", bankgiro="5050-1056", payment_terms_days="-3"),
    )
    assert response.status_code == 422
    words = text(response)
    assert "This is not a valid IBAN" in words
    assert "This is not a valid bankgiro number" in words
    assert "Give a number of days from 0 to 365." in words
    assert BillingSettings.get(BillingSettings.association == alpha).iban == "EE382200221020145685"


def test_settings_refuse_an_unknown_reference_standard(client, board, alpha):
    response = client.submit("/alpha/admin/billing", settings_form(reference_standard="xx"))
    assert response.status_code == 422
