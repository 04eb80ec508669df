"""Money received and what it settles: the named invoice first, then the oldest, the rest as credit;
credit settles the next invoice; an allocation is taken back only with a reason."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.billing import allocation
from blueprints.billing.allocation import AllocationError
from models.billing import AllocationUndo, Invoice, Payment, Receipt
from tests.factories.billing import make_billing, make_invoice, make_payment


@pytest.fixture
def debtor(app, alpha, make_person, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 12, 20, 9))
    make_billing(alpha)
    return make_person(alpha, given_name="Dana", surname="Debtor")


def _invoice(alpha, person, due, amount=10000, **fields):
    return make_invoice(
        alpha, person, lines=[("Fee", amount, 0)], issue_date=due - dt.timedelta(days=14), due_date=due, **fields
    )


def paid(invoice) -> int:
    return Invoice.get_by_id(invoice.id).paid_total


def test_named_invoice_first_then_oldest_then_credit(app, alpha, debtor):
    october = _invoice(alpha, debtor, dt.date(2026, 10, 31))
    november = _invoice(alpha, debtor, dt.date(2026, 11, 30))
    december = _invoice(alpha, debtor, dt.date(2026, 12, 31), reference="777")
    with app.app_context():
        receipt = allocation.receive(debtor, 25000 + 1234, dt.date(2026, 12, 18), first=december)
    assert paid(december) == 10000  # named first, although the newest
    assert (paid(october), paid(november)) == (10000, 5000 + 1234)
    assert Receipt.get_by_id(receipt.id).credit == 0


def test_overpayment_stays_as_credit_and_settles_the_next_invoice(app, alpha, debtor):
    first = _invoice(alpha, debtor, dt.date(2026, 11, 30))
    with app.app_context():
        allocation.receive(debtor, 13000, dt.date(2026, 12, 1))
        assert paid(first) == 10000 and allocation.credit_of(debtor) == 3000
        following = _invoice(alpha, debtor, dt.date(2027, 1, 31))
        made = allocation.settle_credits(alpha)
    assert made == 1 and paid(following) == 3000 and allocation.credit_of(debtor) == 0
    settled = Payment.get(Payment.invoice == following)
    assert settled.source == Payment.CREDIT and settled.paid_on == following.issue_date


def test_undo_needs_a_reason_and_returns_the_money_to_credit(app, alpha, debtor, make_user):
    board = make_user(alpha, "board@alpha.example", "board")
    invoice = _invoice(alpha, debtor, dt.date(2026, 11, 30))
    with app.app_context():
        allocation.receive(debtor, 10000, dt.date(2026, 12, 1))
        payment = Payment.get(Payment.invoice == invoice)
        with pytest.raises(AllocationError):
            allocation.undo(payment, "  ", user=board)
        allocation.undo(payment, "Paid by the neighbour by mistake", user=board)
        with pytest.raises(AllocationError):
            allocation.undo(payment, "twice", user=board)
    assert paid(invoice) == 0 and allocation.credit_of(debtor) == 10000
    assert AllocationUndo.get().reason == "Paid by the neighbour by mistake"


def test_a_payment_from_before_receipts_is_undone_into_credit(app, alpha, debtor):
    invoice = _invoice(alpha, debtor, dt.date(2026, 11, 30))
    legacy = make_payment(invoice, 4000)
    with app.app_context():
        allocation.undo(legacy, "Wrong invoice")
    assert paid(invoice) == 0 and allocation.credit_of(debtor) == 4000


def test_reference_is_found_as_a_payer_typed_it(app, alpha, debtor):
    invoice = _invoice(alpha, debtor, dt.date(2026, 11, 30), reference="RF18539007547034")
    with app.app_context():
        assert allocation.invoice_named_by(alpha, "rf18 5390 0754 7034") == invoice
        assert allocation.invoice_named_by(alpha, "") is None
        assert allocation.invoice_named_by(alpha, "RF00") is None


def test_money_booked_by_mistake_is_undone_with_a_reason_and_its_history_kept(app, alpha, debtor, make_user):
    """A typo (20,000.00 for 200.00): every allocation is taken back, the credit and the receipt go."""
    board = make_user(alpha, "board@alpha.example", "board")
    first = _invoice(alpha, debtor, dt.date(2026, 11, 30))
    second = _invoice(alpha, debtor, dt.date(2026, 12, 31))
    with app.app_context():
        receipt = allocation.receive(debtor, 2_000_000, dt.date(2026, 12, 1), user=board)
        assert paid(first) == paid(second) == 10000 and allocation.credit_of(debtor) == 2_000_000 - 20000
        with pytest.raises(AllocationError):
            allocation.void_receipt(receipt, " ", user=board)
        assert allocation.void_receipt(receipt, "Typed 20,000 for 200", user=board) is None  # by hand: no queue
    assert paid(first) == paid(second) == 0 and allocation.credit_of(debtor) == 0
    assert not Receipt.select().where(Receipt.id == receipt.id).exists()
    kept = list(AllocationUndo.select().order_by(AllocationUndo.id))
    assert [(u.amount, u.reason, u.receipt_id) for u in kept] == [(10000, "Typed 20,000 for 200", None)] * 2


def test_a_bank_credit_undone_goes_back_to_the_bank_queue(app, alpha, debtor):
    from models.billing import BankFile, BankTransaction

    invoice = _invoice(alpha, debtor, dt.date(2026, 11, 30))
    with app.app_context():
        bank_file = BankFile.create(association=alpha, format=BankFile.CAMT053, sha256="0" * 64, state=BankFile.BOOKED)
        receipt = allocation.receive(debtor, 10000, dt.date(2026, 12, 1), source=Receipt.BANK_FILE, bank_file=bank_file)
        entry = BankTransaction.create(
            association=alpha, file=bank_file, key="k1", booked_on=dt.date(2026, 12, 1), amount=10000,
            currency=alpha.currency, state=BankTransaction.BOOKED, person=debtor, invoice=invoice, receipt=receipt,
        )  # fmt: skip
        queued = allocation.void_receipt(receipt, "Another resident's payment")
    assert queued.id == entry.id and paid(invoice) == 0
    back = BankTransaction.get_by_id(entry.id)
    assert (back.state, back.receipt_id, back.person_id) == (BankTransaction.UNMATCHED, None, None)
