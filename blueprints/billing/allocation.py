"""Money received and what it settles (issue 13 item 3).

A Receipt is money that came in from a payer: a booked bank credit or one the board recorded by
hand. It is spent on invoices by allocations, which are Payment rows pointing at it; what is not
spent is the payer's credit, and settles their next invoice.

The order is the one residents and boards expect: first the invoice the payment names (its
reference, or the board's or payer's choice), then the payer's oldest open invoice by due date, and
what is left stays as credit. Every sum changes in SQL with its bound in the WHERE clause
(`paid_total + amount <= total - credited`, `allocated + amount <= amount`), so two allocations at
once can neither overpay an invoice nor spend the same money twice.

Taking an allocation back (`undo`) needs a reason: the Payment row goes, an AllocationUndo keeps
what it was and why, and the money is the payer's credit again.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from blueprints.billing import references
from core.audit import audit
from core.text import lazy_gettext as _l
from models.billing import AllocationUndo, BankTransaction, BillingSettings, Invoice, Payment, Receipt
from models.db import transaction
from models.portal import Association, User
from models.register import Person

REASON_MAX = 200

_OPEN = Invoice.total - Invoice.paid_total - Invoice.credited_total


class AllocationError(ValueError):
    """An allocation the rules refuse; `message` is shown to the board."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- reading --------------------------------------------------------------------------------


def invoice_named_by(association: Association, reference: str) -> Invoice | None:
    """The association's invoice whose payment reference is `reference` as a payer typed it (spaces,
    case and the bank's leading zeros aside), or None. Credit notes are never named."""
    text = references.normalize(reference)
    if not text:
        return None
    candidates = {text, text.lstrip("0") or "0"}
    found = (
        Invoice.of(association)
        .where(Invoice.reference.in_(sorted(candidates)) & (Invoice.kind == Invoice.INVOICE))
        .order_by(Invoice.id)
        .first()
    )
    return found


def open_invoices(person: Person | int) -> pw.ModelSelect:
    """The person's invoices with something left to pay, oldest due date first: what money settles."""
    return (
        Invoice.select()
        .where((Invoice.recipient == person) & (Invoice.kind == Invoice.INVOICE) & (_OPEN > 0))
        .order_by(Invoice.due_date, Invoice.number)
    )


def credit_of(person: Person | int) -> int:
    """What the person has paid and not yet spent on an invoice (minor units, never negative)."""
    left = Receipt.select(pw.fn.SUM(Receipt.amount - Receipt.allocated)).where(Receipt.person == person).scalar()
    return int(left or 0)


def receipts_with_credit(person: Person | int) -> pw.ModelSelect:
    """The person's receipts not spent in full, oldest first (credit is spent in the order it came)."""
    return (
        Receipt.select()
        .where((Receipt.person == person) & (Receipt.allocated < Receipt.amount))
        .order_by(Receipt.received_on, Receipt.id)
    )


# --- receiving and spending -------------------------------------------------------------------


def receive(
    person: Person,
    amount: int,
    received_on: dt.date,
    *,
    first: Invoice | None = None,
    reference: str = "",
    note: str = "",
    source: str = Receipt.MANUAL,
    bank_file=None,
    user: User | None = None,
    settle_others: bool = True,
) -> Receipt:
    """Book money from `person` and spend it: on `first` (the invoice its reference named, or the one
    the board or payer chose), then, unless settle_others is False, on the person's oldest open
    invoices; the rest stays as their credit. Returns the receipt with its allocations made."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise AllocationError(_l("Enter an amount greater than zero."))
    if first is not None and first.association_id != person.association_id:
        raise AllocationError(_l("The invoice belongs to another association."))
    association = person.association
    with transaction():
        receipt = Receipt.create(
            association=person.association_id,
            person=person.id,
            amount=amount,
            currency=association.currency,
            received_on=received_on,
            reference=(reference or "")[:140],
            note=(note or "")[:200],
            source=source,
            bank_file=bank_file,
            recorded_by=user.id if user is not None else None,
        )
        if first is not None:
            allocate(receipt, first, user=user)
        if settle_others:
            for invoice in open_invoices(person.id):
                if receipt.credit <= 0:
                    break
                allocate(receipt, invoice, user=user)
        audit(
            "billing.money_received",
            actor=user,
            association=association,
            target=f"person {person.id}",
            amount=amount,
            received_on=received_on.isoformat(),
            receipt=receipt.id,
            source=source,
        )
    return receipt


def allocate(
    receipt: Receipt, invoice: Invoice, amount: int | None = None, *, user: User | None = None
) -> Payment | None:
    """Spend up to `amount` (default: all it can) of the receipt's credit on the invoice: no more than the
    credit left and the invoice's open amount. Returns the allocation, or None when nothing could go."""
    if invoice.kind != Invoice.INVOICE:
        raise AllocationError(_l("A credit note is not paid: choose an invoice."))
    if invoice.association_id != receipt.association_id:
        raise AllocationError(_l("The invoice belongs to another association."))
    with transaction():
        current = Receipt.get_by_id(receipt.id)
        open_amount = Invoice.select(_OPEN.alias("open")).where(Invoice.id == invoice.id).scalar() or 0
        wanted = min(current.credit, max(open_amount, 0), amount if amount is not None else current.credit)
        if wanted <= 0:
            receipt.allocated = current.allocated
            return None
        spent = (
            Receipt.update(allocated=Receipt.allocated + wanted)
            .where((Receipt.id == receipt.id) & (Receipt.allocated + wanted <= Receipt.amount))
            .execute()
        )
        settled = (
            Invoice.update(paid_total=Invoice.paid_total + wanted)
            .where((Invoice.id == invoice.id) & (_OPEN >= wanted))
            .execute()
        )
        if not (spent and settled):  # someone else spent it a moment ago: take nothing
            raise AllocationError(_l("The payment or the invoice changed meanwhile; try again."))
        payment = Payment.create(
            association=receipt.association_id,
            invoice=invoice.id,
            receipt=receipt.id,
            amount=wanted,
            # Money paid before its invoice existed settles it on the invoice's issue day.
            paid_on=max(receipt.received_on, invoice.issue_date),
            reference=receipt.reference[:35],
            note=receipt.note,
            source=receipt.source if receipt.received_on >= invoice.issue_date else Payment.CREDIT,
            recorded_by=user.id if user is not None else None,
        )
        BillingSettings.bump(receipt.association_id)
    receipt.allocated = current.allocated + wanted
    invoice.paid_total = Invoice.select(Invoice.paid_total).where(Invoice.id == invoice.id).scalar()
    return payment


def settle_from_credit(person: Person | int, *, user: User | None = None) -> list[Payment]:
    """Spend the person's credit on their open invoices, oldest money on the oldest invoice first
    (after an invoice run, or when the board asks). Returns the allocations made."""
    made = []
    with transaction():
        invoices = list(open_invoices(person))
        for receipt in receipts_with_credit(person):
            for invoice in invoices:
                if receipt.credit <= 0:
                    break
                if invoice.outstanding <= 0:
                    continue
                payment = allocate(receipt, invoice, user=user)
                if payment is not None:  # allocate() read the invoice's new paid total back
                    made.append(payment)
    return made


def people_with_credit(association: Association | int) -> pw.ModelSelect:
    """The ids of the association's people holding unspent money (a subquery)."""
    return (
        Receipt.select(Receipt.person)
        .where((Receipt.association == association) & (Receipt.allocated < Receipt.amount))
        .distinct()
    )


def settle_credits(association: Association | int, people=None, *, user: User | None = None) -> int:
    """Spend every credit of the association (or of `people`, ids) on open invoices; returns the number of
    allocations. Invoicing calls it after it creates invoices: an overpayment settles the next invoice."""
    holders = [pid for (pid,) in people_with_credit(association).tuples()]
    if people is not None:
        holders = sorted(set(holders) & set(people))
    return sum(len(settle_from_credit(person_id, user=user)) for person_id in holders)


# --- taking back ------------------------------------------------------------------------------


def undo(payment: Payment, reason: str, *, user: User | None = None) -> AllocationUndo:
    """Take an allocation back with the board's reason: the invoice owes it again and the money is the
    payer's credit (a payment recorded before receipts existed gets a receipt to hold it)."""
    reason = (reason or "").strip()
    if not reason:
        raise AllocationError(_l("Say why the payment is taken back."))
    if len(reason) > REASON_MAX:
        raise AllocationError(_l("The reason can be at most %(max)d characters.", max=REASON_MAX))
    invoice = Invoice.get_by_id(payment.invoice_id)
    with transaction():
        if not Payment.delete().where(Payment.id == payment.id).execute():
            raise AllocationError(_l("This payment was already taken back."))
        Invoice.update(paid_total=Invoice.paid_total - payment.amount).where(Invoice.id == invoice.id).execute()
        receipt_id = payment.receipt_id
        if receipt_id is None:  # its own receipt, made now: the money stays the recipient's
            receipt_id = Receipt.create(
                association=payment.association_id,
                person=invoice.recipient_id,
                amount=payment.amount,
                allocated=0,
                currency=invoice.currency,
                received_on=payment.paid_on,
                reference=payment.reference,
                note=payment.note,
                source=payment.source if payment.source != Payment.CREDIT else Payment.MANUAL,
                recorded_by=payment.recorded_by_id,
            ).id
        else:
            Receipt.update(allocated=Receipt.allocated - payment.amount).where(Receipt.id == receipt_id).execute()
        BillingSettings.bump(payment.association_id)
        undone = AllocationUndo.create(
            association=payment.association_id,
            invoice=invoice.id,
            receipt=receipt_id,
            amount=payment.amount,
            paid_on=payment.paid_on,
            reason=reason,
            undone_by=user.id if user is not None else None,
        )
        audit(
            "billing.allocation_undone",
            actor=user,
            association=invoice.association,
            target=f"invoice {invoice.number}",
            amount=payment.amount,
            reason=reason,
            payment=payment.id,
        )
    return undone


def void_receipt(receipt: Receipt, reason: str, *, user: User | None = None) -> BankTransaction | None:
    """Undo money booked by mistake (a typo, a credit booked to the wrong payer, money the bank sent back):
    every allocation is taken back with the reason, and the receipt goes. A bank credit returns to the
    bank queue, where the board books it right or leaves it unbooked with a reason; returns its
    transaction then (None for money recorded by hand)."""
    reason = (reason or "").strip()
    if not reason:
        raise AllocationError(_l("Say why the money is undone."))
    if len(reason) > REASON_MAX:
        raise AllocationError(_l("The reason can be at most %(max)d characters.", max=REASON_MAX))
    with transaction():
        for payment in Payment.select().where(Payment.receipt == receipt.id).order_by(Payment.id):
            undo(payment, reason, user=user)
        transaction_row = BankTransaction.get_or_none(BankTransaction.receipt == receipt.id)
        if transaction_row is not None:  # back to the queue, as it came from the bank
            BankTransaction.update(
                receipt=None, state=BankTransaction.UNMATCHED, person=None, invoice=None, handled_by=None,
                handled_at=None,
            ).where(BankTransaction.id == transaction_row.id).execute()  # fmt: skip
        if not Receipt.delete().where((Receipt.id == receipt.id) & (Receipt.allocated == 0)).execute():
            raise AllocationError(_l("The money was spent again meanwhile; try again."))
        BillingSettings.bump(receipt.association_id)
        audit(
            "billing.receipt_voided",
            actor=user,
            association=receipt.association,
            target=f"person {receipt.person_id}",
            amount=receipt.amount,
            received_on=receipt.received_on.isoformat(),
            reason=reason,
            to_queue=transaction_row is not None,
        )
    return transaction_row
