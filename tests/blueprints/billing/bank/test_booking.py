"""Booking a file's credits in bulk spends them exactly as allocation.receive spends one credit at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.billing import allocation
from blueprints.billing.bank import booking
from blueprints.billing.bank.matching import Matcher
from models.billing import BillingSettings, Invoice, Payment, Receipt
from models.db import db
from tests.factories.billing import make_billing, make_invoice, make_payment


@pytest.fixture
def ledger(app, alpha, make_person, make_user, frozen_clock):
    """Three payers with invoices of several due and issue days, one partly paid, one credit note."""
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha, reference_standard=BillingSettings.EE)
    board = make_user(alpha, "board@alpha.example", "board")
    anna, bo, cia = (make_person(alpha, given_name=n, surname="Payer") for n in ("Anna", "Bo", "Cia"))

    def bill(person, number, amount, due, issued=None):
        issued = issued or due - dt.timedelta(days=14)
        return make_invoice(alpha, person, lines=[("Fee", amount, 0)], number=number, issue_date=issued, due_date=due)

    invoices = {
        "a_oct": bill(anna, 10, 10000, dt.date(2026, 10, 31)),
        "a_nov": bill(anna, 11, 10000, dt.date(2026, 11, 30)),
        "a_dec": bill(anna, 12, 10000, dt.date(2026, 12, 31)),
        "b_nov": bill(bo, 20, 30000, dt.date(2026, 11, 30)),
        "b_jan": bill(bo, 21, 5000, dt.date(2027, 1, 31), issued=dt.date(2027, 1, 10)),  # issued after the money
        "c_nov": bill(cia, 30, 7000, dt.date(2026, 11, 30)),
    }
    make_payment(invoices["b_nov"], 12000)
    make_invoice(alpha, cia, lines=[("Back", -2000, 0)], kind=Invoice.CREDIT_NOTE, number=31)
    return alpha, board, (anna, bo, cia), invoices


def credits_of(people, invoices, infos):
    anna, bo, cia = people
    day = dt.date(2026, 12, 15)
    return [
        booking.Credit(anna.id, 15000, day, infos[invoices["a_dec"].id], "10016", "Dec and more"),  # named, then oldest
        booking.Credit(anna.id, 30000, day, infos[invoices["a_nov"].id], "", "overpaid"),  # the rest stays as credit
        booking.Credit(bo.id, 25000, day, infos[invoices["b_jan"].id], "RF", "early"),  # before its invoice was issued
        booking.Credit(cia.id, 7000, day, infos[invoices["c_nov"].id], "", "exact"),
        booking.Credit(cia.id, 500, day, infos[invoices["c_nov"].id], "", "paid already: credit"),
    ]


def snapshot(association):
    receipts = list(Receipt.select().where(Receipt.association == association).order_by(Receipt.id))
    index = {receipt.id: n for n, receipt in enumerate(receipts)}
    return (
        [
            (r.person_id, r.amount, r.allocated, r.received_on, r.reference, r.note, r.source, r.currency)
            for r in receipts
        ],
        sorted(
            (index[p.receipt_id], p.invoice.number, p.amount, p.paid_on, p.source, p.reference, p.note)
            for p in Payment.select().where(Payment.receipt.is_null(False))
        ),
        sorted((i.number, i.paid_total) for i in Invoice.select()),
    )


def test_bulk_booking_spends_credits_as_allocation_receive_does(app, ledger):
    association, board, people, invoices = ledger
    with app.app_context():
        matcher = Matcher(association, BillingSettings.for_association(association))
        credits = credits_of(people, invoices, matcher.by_id)
        with db.atomic() as one_by_one:
            for credit in credits:
                first = Invoice.get_by_id(credit.first.id)
                person = first.recipient
                allocation.receive(person, credit.amount, credit.received_on, first=first, reference=credit.reference,
                                   note=credit.note, source=Receipt.BANK_FILE, user=board)  # fmt: skip
            expected = snapshot(association)
            one_by_one.rollback()
        with db.atomic() as bulk:
            ids = booking.book_credits(association, matcher.by_id, credits, bank_file_id=None, user=board)
            found = snapshot(association)
            bulk.rollback()
    assert len(ids) == len(credits)
    assert found == expected
    receipts, payments, paid = expected
    assert receipts[1][2] == 15000 and receipts[4][2] == 0  # Anna's overpayment keeps 150.00 as credit, Cia's all
    assert ("credit", 21) in {(p[4], p[1]) for p in payments}  # Bo's money settles January's invoice from credit


def test_an_invoice_paid_meanwhile_fails_the_whole_booking(app, ledger):
    association, board, people, invoices = ledger
    with app.app_context():
        matcher = Matcher(association, BillingSettings.for_association(association))
        credits = credits_of(people, invoices, matcher.by_id)
        make_payment(invoices["c_nov"], 7000)  # recorded by hand after the matcher read the invoices
        with pytest.raises(booking.BookingConflictError), db.atomic():
            booking.book_credits(association, matcher.by_id, credits, bank_file_id=None, user=board)
    assert Receipt.select().count() == 0 and Invoice.get_by_id(invoices["a_oct"].id).paid_total == 0
