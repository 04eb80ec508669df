"""Payments against invoices: recording one and taking back a mistaken one (issue 4 item 5).

An invoice keeps the sum of its payments in `paid_total`, so its status and
the board's totals are one SQL expression. That sum only ever changes here,
in SQL (`paid_total = paid_total + amount`), in the same transaction as the
payment row: two board members recording at once cannot lose one another's
payment, and the check "no more than is outstanding" is part of the UPDATE
itself, so it cannot be raced either.

A payment recorded here is money received for this one invoice: it is booked
as a Receipt of the invoice's recipient spent wholly on the invoice, so the
ledger reads every payment the same way. Money that should settle several
invoices or stay as credit is received on the person's account instead
(allocation.receive); here an overpayment is refused, naming that way.
"""

from __future__ import annotations

import datetime as dt

from core import clock
from core.audit import audit
from core.text import lazy_gettext as _l
from core.text import money
from models.billing import BillingSettings, Invoice, Payment, Receipt
from models.db import transaction
from models.portal import User

REFERENCE_MAX = 35
NOTE_MAX = 200


class PaymentError(ValueError):
    """A payment the rules refuse; `message` is shown to the user, next to form `field` if set."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def record_payment(
    invoice: Invoice,
    amount: int,
    paid_on: dt.date,
    *,
    reference: str = "",
    note: str = "",
    user: User | None = None,
) -> Payment:
    """Record money received against an invoice (full or partial) and raise its paid total.

    Refuses: a credit note, an amount that is not a positive whole number of
    minor units, more than is still outstanding, a date in the future, and a
    reference or note too long to keep.
    """
    if invoice.kind == Invoice.CREDIT_NOTE:
        raise PaymentError(_l("A credit note is not paid: record the payment on the invoice."))
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise PaymentError(_l("Enter an amount greater than zero."), "amount")
    if paid_on > clock.today(invoice.association.timezone):
        raise PaymentError(_l("The payment date cannot be in the future."), "paid_on")
    if paid_on.year < 2000:  # a mistyped year, not a payment
        raise PaymentError(_l("Give a date between the years 2000 and 2200."), "paid_on")
    reference, note = (reference or "").strip(), (note or "").strip()
    if len(reference) > REFERENCE_MAX:
        raise PaymentError(_l("The reference can be at most %(max)d characters.", max=REFERENCE_MAX), "reference")
    if len(note) > NOTE_MAX:
        raise PaymentError(_l("The note can be at most %(max)d characters.", max=NOTE_MAX), "note")
    with transaction():
        raised = (
            Invoice.update(paid_total=Invoice.paid_total + amount)
            .where(
                (Invoice.id == invoice.id)
                & (Invoice.kind == Invoice.INVOICE)
                & (Invoice.total - Invoice.paid_total - Invoice.credited_total >= amount)
            )
            .execute()
        )
        if not raised:
            raise _too_much(invoice)
        BillingSettings.bump(invoice.association_id)
        receipt = Receipt.create(
            association=invoice.association_id,
            person=invoice.recipient_id,
            amount=amount,
            allocated=amount,
            currency=invoice.currency,
            received_on=paid_on,
            reference=reference,
            note=note,
            source=Receipt.MANUAL,
            recorded_by=user.id if user is not None else None,
        )
        payment = Payment.create(
            association=invoice.association_id,
            invoice=invoice.id,
            receipt=receipt.id,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            note=note,
            source=Payment.MANUAL,
            recorded_by=user.id if user is not None else None,
        )
        audit(
            "billing.payment_recorded",
            actor=user,
            association=invoice.association,
            target=f"invoice {invoice.number}",
            amount=amount,
            paid_on=paid_on.isoformat(),
            payment=payment.id,
        )
    _refresh(invoice)
    return payment


def _too_much(invoice: Invoice) -> PaymentError:
    """The refusal of an amount above what is owed, saying how much is (read again: it may have changed)."""
    current = Invoice.get_by_id(invoice.id)
    if current.outstanding <= 0:
        return PaymentError(_l("This invoice is already settled: nothing is left to pay."), "amount")
    return PaymentError(
        _l(
            "The amount is more than is still to pay (%(outstanding)s). Record at most that here; "
            "to keep the rest as credit, record the money on the payer's account.",
            outstanding=money(current.outstanding, current.currency),
        ),
        "amount",
    )


def delete_payment(payment: Payment, user: User | None = None) -> Invoice:
    """Remove a payment recorded by mistake and lower its invoice's paid total; returns the invoice, reloaded.

    A payment recorded by hand goes with its receipt when it was the receipt's only use; money from a
    bank file or spent on several invoices is real money received, and is taken back with a reason
    instead (allocation.undo), so it stays the payer's credit."""
    invoice = Invoice.get_by_id(payment.invoice_id)
    receipt = Receipt.get_or_none(Receipt.id == payment.receipt_id) if payment.receipt_id else None
    if receipt is not None and (receipt.source != Receipt.MANUAL or receipt.amount != payment.amount):
        raise PaymentError(_l("This payment is part of money received: take it back with a reason instead."))
    with transaction():
        removed = Payment.delete().where(Payment.id == payment.id).execute()
        if not removed:  # someone else deleted it a moment ago: nothing to take back
            return invoice
        if receipt is not None:
            Receipt.delete().where(Receipt.id == receipt.id).execute()
        Invoice.update(paid_total=Invoice.paid_total - payment.amount).where(Invoice.id == invoice.id).execute()
        BillingSettings.bump(invoice.association_id)
        audit(
            "billing.payment_deleted",
            actor=user,
            association=invoice.association,
            target=f"invoice {invoice.number}",
            amount=payment.amount,
            paid_on=payment.paid_on.isoformat() if payment.paid_on else "",
            payment=payment.id,
        )
    _refresh(invoice)
    return invoice


def _refresh(invoice: Invoice) -> None:
    """Read the sums SQL changed back into the caller's object."""
    paid, credited = (
        Invoice.select(Invoice.paid_total, Invoice.credited_total).where(Invoice.id == invoice.id).tuples().get()
    )
    invoice.paid_total, invoice.credited_total = paid, credited
