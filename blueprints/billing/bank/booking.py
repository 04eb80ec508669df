"""A bank file's matched credits booked in bulk, exactly as allocation.receive books one credit.

allocation.receive makes a receipt and spends it: on the invoice the payment named, then on the payer's open
invoices oldest due first, the rest staying as the payer's credit; each allocation is a Payment paid on the
later of the day the money came and the invoice's issue day (settled "from credit" when the money came
first). It makes a dozen statements per credit, which for a year's statement of 10,000 credits is a minute.
Here the same rules run in memory over the invoices the matcher loaded, and the rows are written in bulk:
one statement per receipt (its id is needed), a few for all the allocations, and one bounded UPDATE per
500 invoices — which, like allocation's, refuses to pay any invoice more than it still owes, so money that
someone else recorded meanwhile makes the booking fail and roll back instead of overpaying.

tests/blueprints/billing/bank/test_booking.py books the same credits both ways and compares every row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from blueprints.billing.bank.matching import InvoiceInfo
from core import clock
from core.text import lazy_gettext as _l
from models.billing import BillingSettings, Invoice, Payment, Receipt
from models.db import db
from models.portal import Association, User

_OPEN = Invoice.total - Invoice.paid_total - Invoice.credited_total
_MAX_PARAMETERS = 30_000
INVOICES_PER_UPDATE = 500


class BookingConflictError(ValueError):
    """An invoice was paid or credited meanwhile: nothing of the file is booked."""

    def __init__(self):
        self.message = _l("Some invoices changed while the file was being booked; nothing is booked. Book it again.")
        super().__init__(str(self.message))


@dataclass(frozen=True)
class Credit:
    """Money from a payer to book: who, how much, the day it came, and the invoice it named."""

    person_id: int
    amount: int
    received_on: dt.date
    first: InvoiceInfo | None
    reference: str = ""
    note: str = ""


def book_credits(
    association: Association,
    invoices: dict[int, InvoiceInfo],
    credits: list[Credit],
    *,
    bank_file_id: int,
    user: User | None,
) -> list[int]:
    """Receipts for the credits, spent as allocation.receive spends them; their ids, in the credits' order.
    `invoices` holds every open invoice of the association (and those the credits name), as the matcher read
    them in this transaction. Call inside transaction()."""
    if not credits:
        return []
    spent = _allocate(invoices, credits)
    now = clock.utcnow_naive()
    recorded_by = user.id if user is not None else None
    receipt_ids = _insert_returning_ids(
        Receipt,
        [
            dict(
                association=association.id,
                person=credit.person_id,
                amount=credit.amount,
                allocated=sum(amount for _info, amount in spent[index]),
                currency=association.currency,
                received_on=credit.received_on,
                reference=credit.reference[:140],
                note=credit.note[:200],
                source=Receipt.BANK_FILE,
                bank_file=bank_file_id,
                recorded_by=recorded_by,
                created_at=now,
            )  # fmt: skip
            for index, credit in enumerate(credits)
        ],
    )
    payments, paid = [], defaultdict(int)
    for index, credit in enumerate(credits):
        for info, amount in spent[index]:
            paid[info.id] += amount
            # As allocation.allocate: money that came before its invoice settles it on the issue day, from credit.
            early = credit.received_on < info.issue_date
            payments.append(
                dict(
                    association=association.id, invoice=info.id, receipt=receipt_ids[index], amount=amount,
                    paid_on=max(credit.received_on, info.issue_date), reference=credit.reference[:35],
                    note=credit.note[:200], source=Payment.CREDIT if early else Payment.BANK_FILE,
                    recorded_by=recorded_by, created_at=now,
                )
            )  # fmt: skip
    insert_many(Payment, payments)
    _raise_paid_totals(paid)
    if paid:
        BillingSettings.bump(association.id)
    return receipt_ids


def _allocate(invoices: dict[int, InvoiceInfo], credits: list[Credit]) -> list[list[tuple[InvoiceInfo, int]]]:
    """What each credit pays of which invoice: the named one, then the payer's oldest open ones, in the order
    the credits came (a later credit finds what an earlier one left)."""
    left_open = {invoice_id: info.outstanding for invoice_id, info in invoices.items()}
    oldest_first: dict[int, list[InvoiceInfo]] = defaultdict(list)
    for info in invoices.values():
        if info.outstanding > 0:
            oldest_first[info.recipient_id].append(info)
    for owed in oldest_first.values():
        owed.sort(key=lambda info: (info.due_date, info.number))
    spent = []
    for credit in credits:
        left, made = credit.amount, []
        candidates = ([credit.first] if credit.first is not None else []) + oldest_first.get(credit.person_id, [])
        for info in candidates:
            if left <= 0:
                break
            amount = min(left, left_open.get(info.id, 0))
            if amount <= 0:
                continue
            left_open[info.id] -= amount
            left -= amount
            made.append((info, amount))
        spent.append(made)
    return spent


def _raise_paid_totals(paid: dict[int, int]) -> None:
    """Each invoice's paid total up by what it received, never past what it owes (else the booking fails)."""
    items = sorted(paid.items())
    for start in range(0, len(items), INVOICES_PER_UPDATE):
        chunk = items[start : start + INVOICES_PER_UPDATE]
        amount = pw.Case(Invoice.id, chunk)
        changed = (
            Invoice.update(paid_total=Invoice.paid_total + amount)
            .where(Invoice.id.in_([invoice_id for invoice_id, _amount in chunk]) & (_OPEN >= amount))
            .execute()
        )
        if changed != len(chunk):
            raise BookingConflictError()


def _insert_returning_ids(model: type[pw.Model], rows: list[dict]) -> list[int]:
    """Insert rows one statement each, the statement built once, and return their ids in order (a multi-row
    INSERT … RETURNING gives no order to rely on). Needs RETURNING: PostgreSQL, or SQLite 3.35 and later."""
    fields, columns = _columns(model, rows[0])
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({_marks(len(fields))}) RETURNING "id"'
    database = db.obj
    ids = []
    for row in rows:
        cursor = database.execute_sql(sql, [field.db_value(row[field.name]) for field in fields])
        ids.append(cursor.fetchone()[0])
    return ids


def insert_many(model: type[pw.Model], rows: list[dict]) -> None:
    """Insert rows (all with the same keys) in as few statements as the parameter limit allows, the SQL
    written here: peewee's query building costs more than SQLite's work on thousands of rows."""
    if not rows:
        return
    fields, columns = _columns(model, rows[0])
    per_statement = max(1, _MAX_PARAMETERS // len(fields))
    one_row = f"({_marks(len(fields))})"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES {", ".join([one_row] * len(chunk))}'
        db.obj.execute_sql(sql, [field.db_value(row[field.name]) for row in chunk for field in fields])


def _columns(model: type[pw.Model], row: dict) -> tuple[list[pw.Field], str]:
    fields = [model._meta.fields[name] for name in row]
    return fields, ", ".join(f'"{field.column_name}"' for field in fields)


def _marks(count: int) -> str:
    return ", ".join([db.obj.param] * count)
