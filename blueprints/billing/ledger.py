"""A person's or a unit's ledger and balance statement (SPEC B5, issue 13 item 1).

The ledger is every entry that changes what someone owes, in date order with a running balance
(positive: owed; negative: credit):

- an invoice is a debit on its issue date (an interest invoice is labelled late interest; an
  invoice carrying interest as a line says how much of it is interest);
- a credit note is a credit on its issue date (a write-off or a debt moved into an instalment plan
  says so);
- money received (a Receipt) is a credit of its full amount on the day it came, with what it settled
  as detail and any credit left; a payment from before receipts existed is its own credit;
- money of this person spent on someone else's invoice is a debit, and someone else's money spent on
  this person's invoice a credit, on the allocation's day: the balance then always equals what the
  person's invoices still owe less the credit they hold;
- an allocation the board took back is shown with its reason; it moves no money (the money became
  the payer's credit again), so it leaves the balance as it was.

A unit's ledger holds the invoices raised on the unit and the allocations that paid them.

A statement covers the days first..last: the balance before them (opening), what was invoiced, the
late interest charged (interest invoices and interest lines), what was paid and what was credited
in them, and the closing balance, which always equals opening + invoiced + interest − paid −
credited. What is owed at the end is split into overdue and not yet due (judged on the last day, or
today if that comes first), less any credit.

Everything is read in five queries whatever the history (PreparedSelect: a resident's page and the
reminders read them often).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import peewee as pw
from babel.numbers import format_currency
from flask_babel import format_date, get_locale

from blueprints.billing import interest as interest_pieces
from blueprints.billing import money
from core import clock
from core.text import gettext as _
from models.billing import AllocationUndo, InterestCharge, Invoice, Payment, Receipt
from models.db import PreparedSelect
from models.portal import User
from models.register import Person

# --- entries ----------------------------------------------------------------------------------

INVOICE, INTEREST, INSTALMENT, CREDIT_NOTE = "invoice", "interest", "instalment", "credit_note"
RECEIPT, PAYMENT, PAID_BY_OTHER, PAID_FOR_OTHER, UNDO = (
    "receipt", "payment", "paid_by_other", "paid_for_other", "undo",
)  # fmt: skip
# Within a day: what is owed first, then what paid it; a note on a taken-back allocation last.
# Invoices and credit notes of one day in the order they were numbered: a plan's "moved into the plan"
# credit notes come before its instalments, so the running balance never jumps by the plan's total.
_DAY_ORDER = {INVOICE: 0, INTEREST: 0, INSTALMENT: 0, CREDIT_NOTE: 0, RECEIPT: 2, PAYMENT: 2,
              PAID_BY_OTHER: 2, PAID_FOR_OTHER: 2, UNDO: 3}  # fmt: skip


@dataclass
class Charge:
    """One late-interest charge: interest on one overdue invoice for days first..last."""

    id: int
    invoice_id: int  # the overdue invoice
    invoice_number: int
    first_day: dt.date
    last_day: dt.date
    amount: int
    carried_by: int  # the invoice that charged it (an interest invoice, or one with an interest line)


@dataclass
class Allocation:
    """What part of a receipt settled which invoice."""

    invoice_id: int
    invoice_number: int
    amount: int
    paid_on: dt.date
    source: str
    others: bool  # the invoice is addressed to someone else


@dataclass
class Entry:
    day: dt.date
    kind: str
    debit: int = 0
    credit: int = 0
    number: int | None = None  # the invoice's or credit note's number; the invoice paid, for payments
    invoice_id: int | None = None
    receipt_id: int | None = None  # a receipt's own id (the board may undo it)
    purpose: str = ""
    due_date: dt.date | None = None
    period: tuple[dt.date, dt.date] | None = None
    interest: int = 0  # of the debit, late interest (an interest invoice: all of it)
    charges: list[Charge] = field(default_factory=list)
    source: str = ""  # receipts and payments: manual, bank_file, credit
    reference: str = ""
    note: str = ""
    allocations: list[Allocation] = field(default_factory=list)
    credit_left: int = 0  # a receipt's money not spent on any invoice (today)
    reason: str = ""  # a taken-back allocation's
    undone_amount: int = 0
    undone_by: str = ""
    balance: int = 0  # running, after this entry
    order: tuple = ()

    @property
    def moves_money(self) -> bool:
        return self.kind != UNDO

    @property
    def label(self) -> str:
        """What the entry is, in the reader's language."""
        number = self.number
        if self.kind == INTEREST:
            return _("Late interest, invoice %(number)s", number=number)
        if self.kind == INSTALMENT:
            return _("Instalment, invoice %(number)s", number=number)
        if self.kind == INVOICE:
            if self.purpose == Invoice.SETTLEMENT:
                return _("Settlement of services, invoice %(number)s", number=number)
            return _("Invoice %(number)s", number=number)
        if self.kind == CREDIT_NOTE:
            if self.purpose == Invoice.WRITE_OFF:
                return _("Write-off, credit note %(number)s", number=number)
            if self.purpose == Invoice.INTO_PLAN:
                return _("Moved to instalment plan, credit note %(number)s", number=number)
            return _("Credit note %(number)s", number=number)
        if self.kind == RECEIPT:
            if self.source == Receipt.BANK_FILE:
                return _("Payment received (bank file)")
            if self.source == Receipt.SETTLEMENT:
                return _("Credit from the settlement of services")
            return _("Payment received (recorded by hand)")
        if self.kind == PAYMENT:
            return _("Payment on invoice %(number)s", number=number)
        if self.kind == PAID_BY_OTHER:
            return _("Paid by another payer, invoice %(number)s", number=number)
        if self.kind == PAID_FOR_OTHER:
            return _("Payment towards another person's invoice %(number)s", number=number)
        return _("Payment of invoice %(number)s taken back", number=number)


# --- periods ----------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
MIN_YEAR, MAX_YEAR = 2000, 2200
MAX_DAYS = 366 * 20  # a from–to of at most twenty years


@dataclass(frozen=True)
class Period:
    """The days a statement covers, and how the chooser names them: "2026", "2026-Q1", "2026-03",
    or "" for from–to."""

    first: dt.date
    last: dt.date
    key: str = ""

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = dt.date(year, 3 * quarter - 2, 1)
        return cls(first, _month_end(dt.date(year, 3 * quarter, 1)), f"{year:04d}-Q{quarter}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        return cls(first, _month_end(first), f"{year:04d}-{month:02d}")

    @classmethod
    def parse(cls, key: str) -> Period | None:
        """The period a chooser's value names, or None for anything else."""
        key = (key or "").strip()
        if match := _YEAR.match(key):
            year = int(match.group(1))
            return cls.year(year) if MIN_YEAR <= year <= MAX_YEAR else None
        if match := _QUARTER.match(key):
            year = int(match.group(1))
            return cls.quarter(year, int(match.group(2))) if MIN_YEAR <= year <= MAX_YEAR else None
        if match := _MONTH.match(key):
            year, month = int(match.group(1)), int(match.group(2))
            return cls.month(year, month) if MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12 else None
        return None

    @classmethod
    def between(cls, first: dt.date, last: dt.date) -> Period | None:
        """first..last as typed, if it is a period at all (in order, within the years kept, not too long)."""
        if first > last or first.year < MIN_YEAR or last.year > MAX_YEAR or (last - first).days > MAX_DAYS:
            return None
        return cls(first, last)

    @classmethod
    def from_args(cls, args, today: dt.date) -> tuple[Period, bool]:
        """The period a GET form asks for (`from` and `to`, else `period`), or this year; and whether
        what was asked was understood (False: the default is shown instead)."""
        start, end = _date(args.get("from")), _date(args.get("to"))
        if start is not None and end is not None:
            period = cls.between(start, end)
            return (period, True) if period else (cls.year(today.year), False)
        key = args.get("period") or ""
        if key:
            period = cls.parse(key)
            return (period, True) if period else (cls.year(today.year), False)
        if args.get("from") or args.get("to"):
            return cls.year(today.year), False
        return cls.year(today.year), True

    @property
    def args(self) -> dict:
        """The query string that asks for this period again."""
        return {"period": self.key} if self.key else {"from": self.first.isoformat(), "to": self.last.isoformat()}

    @property
    def scope(self) -> str:
        """first:last, as a PDF order keeps it."""
        return f"{self.first.isoformat()}:{self.last.isoformat()}"

    def label(self, *, in_sentence: bool = False) -> str:
        """The period in the reader's language: "2026", "Q1 2026", "March 2026", or a range of dates. A month
        stands capitalised on its own (a list, a heading line) and as the language writes it mid-sentence
        ("Kontoutdrag för december 2026")."""
        if self.key and _YEAR.match(self.key):
            return self.key
        if self.key and (match := _QUARTER.match(self.key)):
            return _("Q%(quarter)s %(year)s", quarter=match.group(2), year=match.group(1))
        if self.key and _MONTH.match(self.key):
            name = format_date(self.first, "LLLL y")
            return name if in_sentence else name[:1].upper() + name[1:]
        return f"{format_date(self.first, 'medium')} – {format_date(self.last, 'medium')}"


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def period_choices(today: dt.date, chosen: Period | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The chooser's options, grouped: the last five years, the last eight quarters, the last eighteen
    months (and the chosen one, if older); no query."""
    groups = _choices(today, str(get_locale()))
    if chosen is not None and chosen.key and all(chosen.key != key for _g, options in groups for key, _l in options):
        (label, years), *rest = groups
        groups = [(label, [*years, (chosen.key, chosen.label())]), *rest]
    return groups


@functools.lru_cache(maxsize=64)
def _choices(today: dt.date, locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The chooser's usual options in a language (thirty dates named: made once a day per language)."""
    years = [Period.year(today.year - i) for i in range(5)]
    quarter = (today.month - 1) // 3 + 1
    quarters = []
    for i in range(8):
        index = today.year * 4 + quarter - 1 - i
        quarters.append(Period.quarter(index // 4, index % 4 + 1))
    months = []
    for i in range(18):
        index = today.year * 12 + today.month - 1 - i
        months.append(Period.month(index // 12, index % 12 + 1))
    groups = [(_("Years"), years), (_("Quarters"), quarters), (_("Months"), months)]
    return [(label, [(p.key, p.label()) for p in periods]) for label, periods in groups]


# --- the statement ----------------------------------------------------------------------------


@dataclass
class Statement:
    """A ledger's figures for a period; closing = opening + invoiced + interest − paid − credited,
    and closing = overdue + not_yet_due − credit."""

    currency: str
    period: Period
    judged_on: dt.date  # the day overdue is judged on: the period's last day, or today if earlier
    opening: int = 0
    invoiced: int = 0
    interest: int = 0
    paid: int = 0
    credited: int = 0
    closing: int = 0
    overdue: int = 0
    not_yet_due: int = 0
    credit: int = 0
    entries: list[Entry] = field(default_factory=list)  # the period's, with the running balance
    charges: list[Charge] = field(default_factory=list)  # late interest charged in the period
    earlier_entries: int = 0  # how many entries the opening balance sums

    @property
    def adds_up(self) -> bool:
        return (
            self.opening + self.invoiced + self.interest - self.paid - self.credited == self.closing
            and self.overdue + self.not_yet_due - self.credit == self.closing
        )

    @property
    def empty(self) -> bool:
        return not self.entries and not self.opening and not self.closing


def person_statement(person: Person, period: Period, today: dt.date) -> Statement:
    """The person's ledger and statement for the period (five queries)."""
    values = (person.association_id, person.id)
    rows = _Rows(
        invoices=_PERSON_INVOICES(*values),
        receipts=_PERSON_RECEIPTS(*values),
        payments=_PERSON_PAYMENTS(*values),
        charges=_PERSON_CHARGES(*values),
        undos=_PERSON_UNDOS(*values),
    )
    return _statement(rows, person.association, period, today, person_id=person.id)


def unit_statement(unit, period: Period, today: dt.date) -> Statement:
    """The ledger of the invoices raised on the unit and the allocations that paid them (four queries)."""
    values = (unit.association_id, unit.id)
    rows = _Rows(
        invoices=_UNIT_INVOICES(*values),
        receipts=[],
        payments=_UNIT_PAYMENTS(*values),
        charges=_UNIT_CHARGES(*values),
        undos=_UNIT_UNDOS(*values),
    )
    return _statement(rows, unit.association, period, today, person_id=None)


@dataclass
class _Rows:
    invoices: list[dict]
    receipts: list[dict]
    payments: list[dict]
    charges: list[dict]
    undos: list[dict]

    def until(self, last: dt.date) -> _Rows:
        """The rows dated up to `last` (a charge goes with the invoice that carries it; an allocation taken
        back is cut by the day it was taken back, once the entries know it)."""
        return _Rows(
            invoices=[row for row in self.invoices if row["issue_date"] <= last],
            receipts=[row for row in self.receipts if row["received_on"] <= last],
            payments=[row for row in self.payments if row["paid_on"] <= last],
            charges=self.charges,
            undos=self.undos,
        )


def _statement(rows: _Rows, association, period: Period, today: dt.date, *, person_id: int | None) -> Statement:
    rows = rows.until(period.last)
    charges = _charges(rows.charges)
    entries = [e for e in _entries(rows, charges, person_id, association) if e.day <= period.last]
    entries.sort(key=lambda e: e.order)
    statement = Statement(currency=association.currency, period=period, judged_on=min(period.last, today))
    balance = 0
    for entry in entries:
        balance += entry.debit - entry.credit
        entry.balance = balance
        if entry.day < period.first:
            if entry.moves_money:
                statement.opening = balance
                statement.earlier_entries += 1
            continue
        statement.entries.append(entry)
        if entry.kind in (INVOICE, INTEREST, INSTALMENT):
            statement.invoiced += entry.debit - entry.interest
            statement.interest += entry.interest
            statement.charges.extend(entry.charges)
        elif entry.kind == CREDIT_NOTE:
            statement.credited += entry.credit
        elif entry.kind in (RECEIPT, PAYMENT, PAID_BY_OTHER, PAID_FOR_OTHER):
            statement.paid += entry.credit - entry.debit
    statement.closing = balance
    _split_owed(statement, rows)
    return statement


def _charges(rows: list[dict]) -> dict[int, list[Charge]]:
    """The interest charges by the invoice that carries them."""
    by_carrier: dict[int, list[Charge]] = {}
    for row in rows:
        charge = Charge(
            id=row["id"],
            invoice_id=row["invoice"],
            invoice_number=row["invoice_number"],
            first_day=row["first_day"],
            last_day=row["last_day"],
            amount=row["amount"],
            carried_by=row["charged_on"],
        )
        by_carrier.setdefault(charge.carried_by, []).append(charge)
    return by_carrier


def _entries(rows: _Rows, charges: dict[int, list[Charge]], person_id: int | None, association) -> list[Entry]:
    entries: list[Entry] = []
    numbers = {row["id"]: row["number"] for row in rows.invoices}
    for row in rows.invoices:
        entries.append(_invoice_entry(row, charges.get(row["id"], [])))
    allocations: dict[int, list[Allocation]] = {}
    for row in rows.payments:
        payment = _payment_entry(row, person_id, numbers, allocations)
        if payment is not None:
            entries.append(payment)
    for row in rows.receipts:
        spent = allocations.get(row["id"], [])
        entries.append(
            Entry(
                day=row["received_on"],
                kind=RECEIPT,
                receipt_id=row["id"],
                credit=row["amount"],
                source=row["source"],
                reference=row["reference"],
                note=row["note"],
                allocations=sorted(spent, key=lambda a: (a.paid_on, a.invoice_number)),
                credit_left=row["amount"] - row["allocated"],
                order=(row["received_on"], _DAY_ORDER[RECEIPT], 0, row["id"]),
            )
        )
    for row in rows.undos:
        day = clock.to_local(row["undone_at"], association).date()
        entries.append(
            Entry(
                day=day,
                kind=UNDO,
                number=row["invoice_number"],
                invoice_id=row["invoice"],
                undone_amount=row["amount"],
                reason=row["reason"],
                undone_by=row["undone_by_name"] or "",
                order=(day, _DAY_ORDER[UNDO], 0, row["id"]),
            )
        )
    return entries


def _invoice_entry(row: dict, charges: list[Charge]) -> Entry:
    credit_note = row["kind"] == Invoice.CREDIT_NOTE
    purpose = row["purpose"]
    if credit_note:
        kind = CREDIT_NOTE
    elif purpose == Invoice.INTEREST:
        kind = INTEREST
    elif purpose == Invoice.INSTALMENT:
        kind = INSTALMENT
    else:
        kind = INVOICE
    total = row["total"]
    entry = Entry(
        day=row["issue_date"],
        kind=kind,
        debit=max(total, 0),
        credit=max(-total, 0),
        number=row["number"],
        invoice_id=row["id"],
        purpose=purpose,
        due_date=None if credit_note else row["due_date"],
        period=(row["period_start"], row["period_end"]) if row["period_start"] else None,
        charges=sorted(charges, key=lambda c: (c.first_day, c.invoice_number)),
        order=(row["issue_date"], _DAY_ORDER[kind], row["number"], row["id"]),
    )
    if kind == INTEREST:
        entry.interest = entry.debit
    elif not credit_note:
        # An interest line on an ordinary invoice: the statement counts it as late interest.
        entry.interest = min(sum(c.amount for c in charges), entry.debit)
    return entry


def _payment_entry(
    row: dict, person_id: int | None, numbers: dict[int, int], allocations: dict[int, list[Allocation]]
) -> Entry | None:
    """The ledger's entry for an allocation, if it is one on its own (else it is a receipt's detail)."""
    receipt_id, payer = row["receipt"], row["payer"]
    ours = row["invoice"] in numbers  # an invoice of this ledger
    base = dict(
        day=row["paid_on"],
        number=row["invoice_number"],
        invoice_id=row["invoice"],
        source=row["source"],
        reference=row["reference"],
        note=row["note"],
        order=(row["paid_on"], _DAY_ORDER[PAYMENT], 1, row["id"]),
    )
    if receipt_id is not None and person_id is not None and payer == person_id:
        allocations.setdefault(receipt_id, []).append(
            Allocation(
                invoice_id=row["invoice"],
                invoice_number=row["invoice_number"],
                amount=row["amount"],
                paid_on=row["paid_on"],
                source=row["source"],
                others=not ours,
            )
        )
        if ours:
            return None  # the receipt counted this money when it came
        return Entry(kind=PAID_FOR_OTHER, debit=row["amount"], **base)
    if not ours:
        return None
    if receipt_id is None or person_id is None:
        # A payment from before receipts existed; or, in a unit's ledger, every allocation.
        return Entry(kind=PAYMENT, credit=row["amount"], **base)
    return Entry(kind=PAID_BY_OTHER, credit=row["amount"], **base)


def _split_owed(statement: Statement, rows: _Rows) -> None:
    """What the invoices still owed at the end of the period, overdue or not yet due, and the credit
    that is the rest of the closing balance."""
    left: dict[int, int] = {}
    due: dict[int, dt.date] = {}
    for row in rows.invoices:
        if row["kind"] == Invoice.INVOICE:
            left[row["id"]] = row["total"]
            due[row["id"]] = row["due_date"]
    for row in rows.invoices:
        if row["kind"] == Invoice.CREDIT_NOTE and row["credits"] in left:
            left[row["credits"]] += row["total"]  # negative
    for row in rows.payments:
        if row["invoice"] in left:
            left[row["invoice"]] -= row["amount"]
    for invoice_id, amount in left.items():
        if amount <= 0:
            continue
        if due[invoice_id] < statement.judged_on:
            statement.overdue += amount
        else:
            statement.not_yet_due += amount
    statement.credit = statement.overdue + statement.not_yet_due - statement.closing


# --- queries ------------------------------------------------------------------------------------

INVOICE_COLUMNS = (
    Invoice.id,
    Invoice.number,
    Invoice.kind,
    Invoice.purpose,
    Invoice.credits,
    Invoice.issue_date,
    Invoice.due_date,
    Invoice.period_start,
    Invoice.period_end,
    Invoice.total,
)


# Every row of the ledger, whatever its date: the period is cut in Python (_Rows.until). A date bound in
# SQL would lead SQLite to the association's (association, issue_date) index, a year of every invoice,
# instead of the recipient's or the unit's few.


def _person_invoice_ids(association, person) -> pw.ModelSelect:
    return Invoice.select(Invoice.id).where((Invoice.association == association) & (Invoice.recipient == person))


def _person_receipt_ids(association, person) -> pw.ModelSelect:
    return Receipt.select(Receipt.id).where((Receipt.association == association) & (Receipt.person == person))


def _unit_invoice_ids(association, unit) -> pw.ModelSelect:
    return Invoice.select(Invoice.id).where((Invoice.association == association) & (Invoice.unit == unit))


def _invoices_query(association, who, *, ids) -> pw.ModelSelect:
    return Invoice.select(*INVOICE_COLUMNS).where(Invoice.id.in_(ids(association, who))).dicts()


def _person_invoices(association, person) -> pw.ModelSelect:
    return _invoices_query(association, person, ids=_person_invoice_ids)


def _unit_invoices(association, unit) -> pw.ModelSelect:
    return _invoices_query(association, unit, ids=_unit_invoice_ids)


def _person_receipts(association, person) -> pw.ModelSelect:
    return (
        Receipt.select(
            Receipt.id,
            Receipt.amount,
            Receipt.allocated,
            Receipt.received_on,
            Receipt.reference,
            Receipt.note,
            Receipt.source,
        )
        .where(Receipt.id.in_(_person_receipt_ids(association, person)))
        .dicts()
    )


def _payments_query(condition) -> pw.ModelSelect:
    return (
        Payment.select(
            Payment.id,
            Payment.invoice,
            Payment.receipt,
            Payment.amount,
            Payment.paid_on,
            Payment.source,
            Payment.reference,
            Payment.note,
            Invoice.number.alias("invoice_number"),
            Receipt.person.alias("payer"),
        )
        .join_from(Payment, Invoice, on=(Payment.invoice == Invoice.id))
        .join_from(Payment, Receipt, pw.JOIN.LEFT_OUTER, on=(Payment.receipt == Receipt.id))
        .where(condition)
        .dicts()
    )


def _person_payments(association, person) -> pw.ModelSelect:
    # Two indexed lookups in a UNION: "invoice IN … OR receipt IN …" could read every payment.
    on_invoices = Payment.select(Payment.id).where(Payment.invoice.in_(_person_invoice_ids(association, person)))
    from_receipts = Payment.select(Payment.id).where(Payment.receipt.in_(_person_receipt_ids(association, person)))
    return _payments_query(Payment.id.in_(on_invoices | from_receipts))


def _unit_payments(association, unit) -> pw.ModelSelect:
    invoices = _unit_invoice_ids(association, unit)
    return _payments_query(Payment.invoice.in_(invoices))


def _charges_query(carriers) -> pw.ModelSelect:
    return (
        InterestCharge.select(
            InterestCharge.id,
            InterestCharge.invoice,
            InterestCharge.first_day,
            InterestCharge.last_day,
            InterestCharge.amount,
            InterestCharge.charged_on,
            Invoice.number.alias("invoice_number"),
        )
        .join_from(InterestCharge, Invoice, on=(InterestCharge.invoice == Invoice.id))
        .where(InterestCharge.charged_on.in_(carriers))
        .dicts()
    )


def _person_charges(association, person) -> pw.ModelSelect:
    return _charges_query(_person_invoice_ids(association, person))


def _unit_charges(association, unit) -> pw.ModelSelect:
    return _charges_query(_unit_invoice_ids(association, unit))


def _undos_query(condition) -> pw.ModelSelect:
    return (
        AllocationUndo.select(
            AllocationUndo.id,
            AllocationUndo.invoice,
            AllocationUndo.amount,
            AllocationUndo.reason,
            AllocationUndo.undone_at,
            Invoice.number.alias("invoice_number"),
            User.name.alias("undone_by_name"),
        )
        .join_from(AllocationUndo, Invoice, on=(AllocationUndo.invoice == Invoice.id))
        .join_from(AllocationUndo, User, pw.JOIN.LEFT_OUTER, on=(AllocationUndo.undone_by == User.id))
        .where(condition)
        .dicts()
    )


def _person_undos(association, person) -> pw.ModelSelect:
    return _undos_query(AllocationUndo.invoice.in_(_person_invoice_ids(association, person)))


def _unit_undos(association, unit) -> pw.ModelSelect:
    return _undos_query(AllocationUndo.invoice.in_(_unit_invoice_ids(association, unit)))


# A resident's balance page, the board's person page and every reminder's PDF: built once.
_PERSON_INVOICES = PreparedSelect(_person_invoices)
_PERSON_RECEIPTS = PreparedSelect(_person_receipts)
_PERSON_PAYMENTS = PreparedSelect(_person_payments)
_PERSON_CHARGES = PreparedSelect(_person_charges)
_PERSON_UNDOS = PreparedSelect(_person_undos)
_UNIT_INVOICES = PreparedSelect(_unit_invoices)
_UNIT_PAYMENTS = PreparedSelect(_unit_payments)
_UNIT_CHARGES = PreparedSelect(_unit_charges)
_UNIT_UNDOS = PreparedSelect(_unit_undos)


# --- one interest charge's working ----------------------------------------------------------------


@dataclass
class Working:
    """How one late-interest charge was worked out: its pieces (days × rate × principal ÷ days of the
    year), their exact sum and the amount charged (the sum rounded half up)."""

    charge: InterestCharge
    invoice: Invoice  # the overdue invoice
    pieces: list[interest_pieces.Piece]

    @property
    def exact(self):
        return sum((piece.exact for piece in self.pieces), start=Fraction(0))

    @property
    def rounded(self) -> int:
        return interest_pieces.round_half_up(self.exact)


def working(charge: InterestCharge, invoice: Invoice) -> Working:
    return Working(charge=charge, invoice=invoice, pieces=interest_pieces.pieces_of(charge.calculation))


def charge_workings(association, charge_ids: list[int]) -> list[Working]:
    """The workings of these interest charges of the association, with their overdue invoices (one query)."""
    if not charge_ids:
        return []
    rows = (
        InterestCharge.select(InterestCharge, Invoice)
        .join_from(InterestCharge, Invoice, on=(InterestCharge.invoice == Invoice.id))
        .where((InterestCharge.association == association) & InterestCharge.id.in_(charge_ids))
        .order_by(InterestCharge.first_day, Invoice.number, InterestCharge.id)
    )
    return [working(row, row.invoice) for row in rows]


def exact_amount(amount: Fraction, currency: str) -> str:
    """An exact amount of minor units as money with two more decimals than the currency has (a piece of
    interest before rounding: "6.7945 €")."""
    digits = money.exponent(currency)
    value = (Decimal(amount.numerator) / Decimal(amount.denominator)).scaleb(-digits)
    value = value.quantize(Decimal(1).scaleb(-(digits + 2)), rounding=ROUND_HALF_UP)
    formatted = format_currency(value, currency, locale=str(get_locale()), decimal_quantization=False)
    return _CODE_BEFORE_DIGITS.sub("\\1\u00a0", formatted)  # "SEK 0.8329", as core.text.money writes it


_CODE_BEFORE_DIGITS = re.compile(r"^(-?[A-Z]{3})(?=\d)")
