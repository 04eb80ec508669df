"""What the board's invoice list, invoice page and residents page read (SPEC B4), in a constant number of queries.

Everything starts from Invoice.visible_to(membership) / Contract.visible_to(membership): the board
(invoices.view_all) sees its own association's rows and nothing else. The invoice list is two queries whatever the
filter: one aggregate (count, total and outstanding per status, from which the number of matches
follows) and one page of rows with only the columns the list shows.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import peewee as pw
from flask import current_app

from blueprints.register.directory import Row, Search, attach_unit_numbers, search_condition
from core.text import fold
from models import Membership, Person, User
from models import permissions as perms
from models.billing import (
    AllocationUndo,
    BillingSettings,
    Contract,
    ContractParty,
    Invoice,
    InvoiceLine,
    Payment,
    Receipt,
)
from models.db import PreparedSelect, first_or_404, like, like_pattern, loaded
from models.register import Building, Unit

PAGE = 50
MAX_PAGE = 10_000
RESIDENT_INVOICES = 24  # the newest invoices shown in a resident's billing details
STATUS_ORDER = (Invoice.OVERDUE, Invoice.OPEN, Invoice.PARTLY_PAID, Invoice.PAID, Invoice.CREDITED)
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


# --- amounts as SQL ---------------------------------------------------------------------------

OPEN_AMOUNT = Invoice.total - Invoice.paid_total - Invoice.credited_total
# What is still to pay, never below zero (a credit note's negative total owes nothing).
OUTSTANDING = pw.Case(None, ((OPEN_AMOUNT > 0, OPEN_AMOUNT),), 0)


def status_case(today: dt.date) -> pw.Case:
    """Invoice.status_on(today) as one SQL expression, for totals and the CSV.

    Written as status_on reads (the first branch that holds wins) rather than by joining the five
    with_status conditions, each of which repeats the others' negations: this runs on every invoice
    of a year for the totals, and the short form costs a third. The tests compare it with status_on.
    """
    credited = (Invoice.kind == Invoice.CREDIT_NOTE) | (
        (Invoice.credited_total > 0) & (Invoice.credited_total >= Invoice.total)
    )
    return pw.Case(
        None,
        (
            (credited, Invoice.CREDITED),
            ((Invoice.paid_total + Invoice.credited_total) >= Invoice.total, Invoice.PAID),
            (Invoice.due_date < today, Invoice.OVERDUE),
            (Invoice.paid_total > 0, Invoice.PARTLY_PAID),
        ),
        Invoice.OPEN,
    )


# --- the filter -------------------------------------------------------------------------------


@dataclass
class Filters:
    """The invoice list's filter, read from the query string; unknown values are ignored, not errors."""

    period: str = ""  # "2026-12"
    status: str = ""
    unit: str = ""  # a unit number as typed
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        period = (args.get("period") or "").strip()
        match = _PERIOD.match(period)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            period = ""
        status = args.get("status") or ""
        return cls(
            period=period,
            status=status if status in Invoice.STATUSES else "",
            unit=(args.get("unit") or "").strip()[:40],
            q=(args.get("q") or "").strip()[:100],
            page=max(1, min(args.get("page", 1, type=int) or 1, MAX_PAGE)),
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.period or self.status or self.unit or self.q)

    def args(self, **changes) -> dict:
        """The query string of this filter with `changes`, empty values left out (for links)."""
        values = {"period": self.period, "status": self.status, "unit": self.unit, "q": self.q, "page": self.page}
        values.update(changes)
        if values.get("page") == 1:
            values["page"] = None
        return {key: value for key, value in values.items() if value}

    @property
    def month(self) -> tuple[dt.date, dt.date] | None:
        if not self.period:
            return None
        year, month = (int(part) for part in self.period.split("-"))
        first = dt.date(year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return first, last


def _units_where(association, condition: pw.Expression) -> pw.ModelSelect:
    """The ids of the association's units matching `condition` (a subquery: the (association, unit) index
    finds their invoices, where a join would test the unit of every invoice of the year)."""
    return Unit.select(Unit.id).where((Unit.association == association) & condition)


@dataclass
class Bound:
    """A filter as the SQL binds it: the values in _filtered's order, and the shape (what the SQL's
    text depends on: which filters are given, the status, how each searched word is compared)."""

    values: tuple
    shape: dict


def bind(membership: Membership, filters: Filters, today: dt.date) -> Bound:
    first, last = filters.month or (None, None)
    values = [membership.association.id, membership.user_id, today.isoformat()]
    values += [first and first.isoformat(), last and last.isoformat(), filters.unit.lower()]
    words = []
    for term in filters.q.split()[:5]:
        # Every word must match the recipient's name, the unit number, the reference or the invoice number;
        # LOWER on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for ASCII.
        values.append(like_pattern(term.lower()))
        values.append(like_pattern(fold(term)))  # the recipient's name in the register, accents aside
        compact = re.sub(r"\s", "", term).lower()
        if len(compact) >= 3:
            values.append(like_pattern(compact))
        digits = term.lstrip("#")
        by_number = digits.isascii() and digits.isdigit() and len(digits) <= 9  # "²" is a digit to isdigit()
        if by_number:
            values.append(int(digits))
        words.append((len(compact) >= 3, by_number))
    shape = dict(
        granted=membership.role.permission_set & VIEW_ALL,
        by_month=first is not None,
        status=filters.status,
        by_unit=bool(filters.unit),
        words=tuple(words),
    )
    return Bound(tuple(values), shape)


def _filtered(
    association, user, today, first, last, unit, *searched, granted, by_month, status, by_unit, words,
    columns, with_unit,
) -> pw.ModelSelect:  # fmt: skip
    """The association's invoices matching the filter (the values may be PreparedSelect markers)."""
    rule = Invoice.seen_by(granted, association, user)  # Invoice.visible_to's
    query = Invoice.of(association).select(*columns)
    if rule is not None:
        query = query.where(rule)
    if with_unit:
        query = query.join_from(Invoice, Unit, pw.JOIN.LEFT_OUTER, on=(Invoice.unit == Unit.id))
    if by_month:
        # The billing period the invoice is for; an invoice without one counts in the month it was issued.
        query = query.where(
            Invoice.period_start.between(first, last)
            | (Invoice.period_start.is_null() & Invoice.issue_date.between(first, last))
        )
    if status:
        query = query.where(Invoice.with_status(status, today))
    if by_unit:
        query = query.where(Invoice.unit.in_(_units_where(association, pw.fn.LOWER(Unit.number) == unit)))
    searched = iter(searched)
    for by_reference, by_number in words:
        pattern, folded = next(searched), next(searched)
        in_units = _units_where(association, like(pw.fn.LOWER(Unit.number), pattern))
        # The recipient's name as the register holds it now, without regard to accents ("cerny": Černý).
        named = Person.select(Person.id).where((Person.association == association) & like(Person.search_name, folded))
        matches = like(pw.fn.LOWER(Invoice.recipient_name), pattern) | Invoice.recipient.in_(named)
        matches |= Invoice.unit.in_(in_units)
        if by_reference:
            matches |= like(pw.fn.LOWER(Invoice.reference), next(searched))
        if by_number:
            matches |= Invoice.number == next(searched)
        query = query.where(matches)
    return query


def filtered(
    membership: Membership, filters: Filters, today: dt.date, *columns, with_unit: bool = True
) -> pw.ModelSelect:
    """The association's invoices matching the filter, with the unit joined for its number when `with_unit`."""
    bound = bind(membership, filters, today)
    return _filtered(*bound.values, columns=columns, with_unit=with_unit, **bound.shape)


VIEW_ALL = frozenset({perms.INVOICES_VIEW_ALL})  # the permission Invoice.seen_by reads


# --- the invoice list ---------------------------------------------------------------------------


@dataclass
class StatusTotal:
    status: str  # "" for the sum of all statuses
    currency: str
    count: int
    total: int
    outstanding: int


@dataclass
class InvoiceList:
    rows: list[Invoice]
    page: int
    matching: int
    totals: list[StatusTotal]  # per status (in STATUS_ORDER) and currency, only those with invoices

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE))

    @property
    def sums(self) -> list[StatusTotal]:
        """All statuses together, one per currency (an association normally has one)."""
        by_currency: dict[str, StatusTotal] = {}
        for t in self.totals:
            s = by_currency.setdefault(t.currency, StatusTotal("", t.currency, 0, 0, 0))
            s.count, s.total, s.outstanding = s.count + t.count, s.total + t.total, s.outstanding + t.outstanding
        return list(by_currency.values())


LIST_COLUMNS = (
    Invoice.id,
    Invoice.number,
    Invoice.kind,
    Invoice.period_start,
    Invoice.period_end,
    Invoice.issue_date,
    Invoice.due_date,
    Invoice.recipient_name,
    Invoice.reference,
    Invoice.currency,
    Invoice.total,
    Invoice.paid_total,
    Invoice.credited_total,
    Invoice.unit,
    Unit.id,
    Unit.number,
)
EXPORT_COLUMNS = tuple(c for c in LIST_COLUMNS if c.model is Invoice and c is not Invoice.unit)
# Newest first. The id breaks ties (numbers are given in the order invoices are made): with it the
# (association, issue_date) index, which ends in the row id, yields the page without sorting the year.
ORDER = (Invoice.issue_date.desc(), Invoice.id.desc())


class TotalsCache:
    """(association, revision, today, filter) -> totals, per app (so per database), least recently used out.

    Summing a year of invoices per status takes the database ~30 ms for 24,000 of them, on every
    page and keystroke of the board's list. The sums change only when an invoice is created or a
    payment recorded or removed, and each of those raises the association's billing revision in
    the same transaction; totals computed at the same revision are still right.
    """

    KEPT = 256

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, list[StatusTotal]] = OrderedDict()

    @classmethod
    def of_app(cls) -> TotalsCache:
        return current_app.extensions.setdefault("porch.invoice_totals", cls())

    def get(self, key: tuple) -> list[StatusTotal] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple, totals: list[StatusTotal]) -> None:
        with self.lock:
            self.entries[key] = totals
            while len(self.entries) > self.KEPT:
                self.entries.popitem(last=False)


def status_totals(membership: Membership, filters: Filters, today: dt.date) -> list[StatusTotal]:
    """Count, total and outstanding per status (and currency) for the filter (the board sees every invoice)."""
    association = membership.association
    cache = TotalsCache.of_app()
    key = (association.id, BillingSettings.revision_of(association), today, filters.period, filters.status,
           filters.unit, filters.q)  # fmt: skip
    totals = cache.get(key)
    if totals is None:
        totals = _sum_by_status(membership, filters, today)
        cache.put(key, totals)
    return totals


def _sum_by_status(membership: Membership, filters: Filters, today: dt.date) -> list[StatusTotal]:
    """One aggregate query."""
    status = status_case(today)
    query = (
        filtered(
            membership,
            filters,
            today,
            status.alias("status"),
            Invoice.currency,
            pw.fn.COUNT(Invoice.id).alias("count"),
            pw.fn.SUM(Invoice.total).alias("total"),
            pw.fn.SUM(OUTSTANDING).alias("outstanding"),
            with_unit=False,
        )
        # By position: PostgreSQL would not see the CASE (with its bound dates) as the selected one.
        .group_by(pw.SQL("1"), pw.SQL("2"))
        .order_by()
    )
    found = [
        StatusTotal(row["status"], row["currency"], row["count"], int(row["total"] or 0), int(row["outstanding"] or 0))
        for row in query.dicts()
    ]
    return sorted(found, key=lambda t: (STATUS_ORDER.index(t.status), t.currency))


def invoice_list(membership: Membership, filters: Filters, today: dt.date) -> InvoiceList:
    """One page of the filtered invoices, newest first, with the totals per status (two queries)."""
    totals = status_totals(membership, filters, today)
    matching = sum(t.count for t in totals)
    page = min(filters.page, max(1, -(-matching // PAGE)))  # past the end: the last page
    rows = []
    if matching:
        bound = bind(membership, filters, today)
        rows = [_listed(row) for row in _INVOICE_PAGE(PAGE, (page - 1) * PAGE, *bound.values, **bound.shape)]
    return InvoiceList(rows=rows, page=page, matching=matching, totals=totals)


def _invoice_page_query(limit, offset, *values, **shape) -> pw.ModelSelect:
    columns = (*EXPORT_COLUMNS, Invoice.unit, Unit.number.alias("unit_number"))
    query = _filtered(*values, columns=columns, with_unit=True, **shape)
    return query.order_by(*ORDER).limit(limit).offset(offset).dicts()


# Every page of the board's invoice list and each keystroke of its search: built once per shape.
_INVOICE_PAGE = PreparedSelect(_invoice_page_query)


def _listed(row: dict) -> Invoice:
    """A list row with its unit (number only), made by hand: peewee's joined rows cost twice as much."""
    listed_values = tuple(row.values())  # everything its list row shows but the status: its rendered row's key
    unit_number = row.pop("unit_number")
    invoice = loaded(Invoice, **row)
    invoice.listed_values = listed_values
    if invoice.unit_id is not None:
        invoice.unit = loaded(Unit, id=invoice.unit_id, number=unit_number)
    return invoice


def export_rows(membership: Membership, filters: Filters, today: dt.date):
    """Every invoice matching the filter, newest first, as dicts (the CSV export; no model per row)."""
    columns = (*EXPORT_COLUMNS, Unit.number.alias("unit_number"), status_case(today).alias("status"))
    return filtered(membership, filters, today, *columns).order_by(*ORDER).dicts().iterator()


def billed_unit(membership: Membership, unit_id: int) -> Unit:
    """A unit of the association with its building, for the billing board's pages: whoever manages
    invoices bills every unit (Unit.visible_to is about opening the unit's own page); else 404."""
    return first_or_404(Unit.of(membership.association).select(Unit, Building).join(Building).where(Unit.id == unit_id))


# --- one invoice -------------------------------------------------------------------------------


@dataclass
class InvoicePage:
    invoice: Invoice
    unit: Unit | None
    lines: list[InvoiceLine]
    payments: list[Payment]
    credit_notes: list[Invoice]  # against this invoice
    credited: Invoice | None  # the invoice this credit note is against

    @property
    def shows_vat(self) -> bool:
        return any(line.vat_rate or line.vat_amount for line in self.lines)


def invoice_page(membership: Membership, invoice_id: int) -> InvoicePage:
    """An invoice of the association with its lines, payments and credit notes; else 404."""
    association = membership.association
    invoice = first_or_404(
        Invoice.visible_to(membership)
        .select(Invoice, Unit)
        .join_from(Invoice, Unit, pw.JOIN.LEFT_OUTER, on=(Invoice.unit == Unit.id))
        .where(Invoice.id == invoice_id)
    )
    unit = invoice.unit if invoice.unit_id is not None else None
    lines = list(
        InvoiceLine.select().where(InvoiceLine.invoice == invoice.id).order_by(InvoiceLine.position, InvoiceLine.id)
    )
    credit_notes = list(
        Invoice.of(association).where(Invoice.credits == invoice.id).order_by(Invoice.issue_date, Invoice.number)
    )
    credited = None
    if invoice.credits_id is not None:
        credited = Invoice.of(association).where(Invoice.id == invoice.credits_id).first()
    return InvoicePage(
        invoice=invoice,
        unit=unit,
        lines=lines,
        payments=payments_of(invoice),
        credit_notes=credit_notes,
        credited=credited,
    )


def payments_of(invoice: Invoice) -> list[Payment]:
    """The invoice's payments, oldest first, with who recorded them and the money each is part of (one query)."""
    return list(
        Payment.select(Payment, User, Receipt)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Payment.recorded_by == User.id))
        .join_from(Payment, Receipt, pw.JOIN.LEFT_OUTER, on=(Payment.receipt == Receipt.id))
        .where((Payment.association == invoice.association_id) & (Payment.invoice == invoice.id))
        .order_by(Payment.paid_on, Payment.id)
    )


def undos_of(invoice: Invoice) -> list[AllocationUndo]:
    """The allocations taken back from the invoice, oldest first, with who took them back (one query)."""
    return list(
        AllocationUndo.select(AllocationUndo, User)
        .join(User, pw.JOIN.LEFT_OUTER, on=(AllocationUndo.undone_by == User.id))
        .where((AllocationUndo.association == invoice.association_id) & (AllocationUndo.invoice == invoice.id))
        .order_by(AllocationUndo.undone_at, AllocationUndo.id)
    )


def payment_in(membership: Membership, payment_id: int) -> Payment:
    """A payment on an invoice of this association (through the board's view of invoices); else 404."""
    invoices = Invoice.visible_to(membership).select(Invoice.id)
    return first_or_404(
        Payment.visible_to(membership).where((Payment.id == payment_id) & Payment.invoice.in_(invoices))
    )


# --- residents ---------------------------------------------------------------------------------


@dataclass
class Owing:
    """A person's invoices summed: what is still to pay, and how much of it is overdue."""

    outstanding: int = 0
    overdue: int = 0
    open_count: int = 0


@dataclass
class ResidentRow:
    row: Row  # the person with their current units
    owing: Owing


@dataclass
class ResidentList:
    rows: list[ResidentRow]
    page: int
    more: bool


def _owing_of(membership: Membership, person_ids: list[int], today: dt.date) -> dict[int, Owing]:
    """Outstanding and overdue sums per recipient for these people: one aggregate query."""
    if not person_ids:
        return {}
    association = membership.association
    rows = _OWING(
        association.id,
        membership.user_id,
        today.isoformat(),
        *person_ids,
        granted=membership.role.permission_set & VIEW_ALL,
        people_count=len(person_ids),
    )
    return {
        row["recipient"]: Owing(int(row["outstanding"] or 0), int(row["overdue"] or 0), row["open_count"])
        for row in rows
    }


def _owing_query(association, user, today, *people, granted, people_count) -> pw.ModelSelect:
    # people_count: one SQL text per number of people (each is a marker).
    overdue = pw.Case(None, ((Invoice.due_date < today, OPEN_AMOUNT),), 0)
    rule = Invoice.seen_by(granted, association, user)  # Invoice.visible_to's
    query = Invoice.of(association) if rule is None else Invoice.of(association).where(rule)
    return (
        query.select(
            Invoice.recipient,
            pw.fn.SUM(OPEN_AMOUNT).alias("outstanding"),
            pw.fn.SUM(overdue).alias("overdue"),
            pw.fn.COUNT(Invoice.id).alias("open_count"),
        )
        .where(Invoice.recipient.in_(people) & (Invoice.kind == Invoice.INVOICE) & (OPEN_AMOUNT > 0))
        .group_by(Invoice.recipient)
        .order_by()
        .dicts()
    )


def resident_list(membership: Membership, q: str, page: int, today: dt.date) -> ResidentList:
    """One page of the register's people (search by name or unit) with what each owes: three queries."""
    association = membership.association
    page = max(1, min(page, MAX_PAGE))
    search = Search.of(q)
    values = (association.id, today.isoformat(), PAGE + 1, (page - 1) * PAGE, *search.values)
    people = _RESIDENT_PAGE(*values, with_digits=search.with_digits)
    more = len(people) > PAGE
    rows = [Row(person=p, state="") for p in people[:PAGE]]
    attach_unit_numbers(rows, today)
    owing = _owing_of(membership, [r.person.id for r in rows], today)
    return ResidentList(
        rows=[ResidentRow(row=r, owing=owing.get(r.person.id, Owing())) for r in rows], page=page, more=more
    )


def _resident_page_query(association, today, limit, offset, *search, with_digits) -> pw.ModelSelect:
    columns = (Person.id, Person.given_name, Person.surname, Person.email, Person.association)
    query = Person.of(association).select(*columns)
    if with_digits:
        query = query.where(search_condition(association, today, search, with_digits))
    return query.order_by(*Person.name_order()).limit(limit).offset(offset)


# Every page of the residents' accounts and each keystroke of its search: built once per shape.
_RESIDENT_PAGE = PreparedSelect(_resident_page_query)
_OWING = PreparedSelect(_owing_query)


@dataclass
class ResidentBilling:
    person: Person
    contracts: list[Contract]
    invoices: list[Invoice]
    more_invoices: bool
    owing: Owing


def resident_billing(membership: Membership, person_id: int, today: dt.date) -> ResidentBilling:
    """A person's contracts, newest invoices (theirs, or on their contracts) and sums; 404 if not in the register."""
    person = Person.get_visible(membership, person_id)
    contracts = list(
        Contract.visible_to(membership)
        .select(Contract, Unit)
        .join_from(Contract, Unit)
        .where(Contract.id.in_(ContractParty.select(ContractParty.contract).where(ContractParty.person == person.id)))
        .order_by(pw.Case(Contract.status, ((Contract.ACTIVE, 0), (Contract.TERMINATED, 1)), 2), Contract.number)
    )
    theirs = Invoice.recipient == person.id
    if contracts:
        theirs |= Invoice.contract.in_([c.id for c in contracts])
    invoices = list(
        Invoice.visible_to(membership)
        .select(*LIST_COLUMNS)
        .join_from(Invoice, Unit, pw.JOIN.LEFT_OUTER, on=(Invoice.unit == Unit.id))
        .where(theirs)
        .order_by(*ORDER)
        .limit(RESIDENT_INVOICES + 1)
    )
    sums = (
        Invoice.visible_to(membership)
        .select(
            pw.fn.SUM(OPEN_AMOUNT).alias("outstanding"),
            pw.fn.SUM(pw.Case(None, ((Invoice.due_date < today, OPEN_AMOUNT),), 0)).alias("overdue"),
            pw.fn.COUNT(Invoice.id).alias("open_count"),
        )
        .where(theirs & (Invoice.kind == Invoice.INVOICE) & (OPEN_AMOUNT > 0))
        .dicts()
        .get()
    )
    return ResidentBilling(
        person=person,
        contracts=contracts,
        invoices=invoices[:RESIDENT_INVOICES],
        more_invoices=len(invoices) > RESIDENT_INVOICES,
        owing=Owing(int(sums["outstanding"] or 0), int(sums["overdue"] or 0), sums["open_count"] or 0),
    )
