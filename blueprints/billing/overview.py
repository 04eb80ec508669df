"""The board's overview of who paid (SPEC B10, issue 13 item 6): the unit × month payment grid and the
debtors list, as the pages and their CSV/XLSX exports read them.

The grid for a year has a row per unit and a column per month. A cell holds what fell due that month
(the unit's invoices with their due date in it, less what credit notes took off them), how much of that
is settled, how much of it is still open past its due date, and what was paid that month (allocations
with their paid_on in it, whichever month the invoice fell due). Its marker says how the month's dues
stand: paid, partly paid, unpaid, not yet due, or nothing due. Everything is summed in SQL, grouped by
unit and day (added up into months in Python), so a page costs the same number of queries for 10 units
or 2,000; the bottom row's sums over every unit are kept per billing revision (MonthsCache).

A debtor is a person with invoices past their due date and not paid; the list gives their overdue amount
split by how long it has been overdue (0–30, 31–60, 61–90 and over 90 days, by due date), since when,
whether a plan is kept, and when they were last reminded: one aggregate query for the association.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import peewee as pw
from flask import current_app

from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import Association, Person, User
from models.billing import BillingSettings, DebtReminder, InstalmentPlan, Invoice, Payment
from models.db import PreparedSelect, db
from models.mail import OutboundEmail
from models.register import Building, Unit

MONTHS = 12
UNITS_PER_PAGE = 50

# How a cell's dues stand: a symbol and a word, never a colour alone.
PAID, PARTLY, UNPAID, LATER, NONE = "paid", "partly", "unpaid", "later", "none"
SYMBOLS = {PAID: "✓", PARTLY: "!", UNPAID: "✗", LATER: "○", NONE: "–"}
# The word in each cell (short: a phone shows a dozen cells), and what the legend says of it.
MARKERS = {
    PAID: _lp("payment grid", "paid"),
    PARTLY: _lp("payment grid", "partly"),
    UNPAID: _lp("payment grid", "unpaid"),
    LATER: _lp("payment grid", "later"),
    NONE: _lp("payment grid", "nothing"),
}
LEGEND = {
    PAID: _l("everything that fell due that month is paid"),
    PARTLY: _l("part is paid, the rest is overdue"),
    UNPAID: _l("nothing is paid and it is overdue"),
    LATER: _l("not paid yet, but not yet due either"),
    NONE: _l("nothing fell due that month"),
}

_OPEN = Invoice.total - Invoice.paid_total - Invoice.credited_total


# --- the grid -------------------------------------------------------------------------------------


@dataclass
class Cell:
    due: int = 0  # fell due this month, credits taken off
    settled: int = 0  # of that, paid
    overdue: int = 0  # of that, still open after its due date
    paid: int = 0  # received this month for the unit's invoices

    def add(self, other: Cell) -> None:
        self.due += other.due
        self.settled += other.settled
        self.overdue += other.overdue
        self.paid += other.paid

    @property
    def marker(self) -> str:
        if self.due <= 0:
            return NONE
        if self.settled >= self.due:
            return PAID
        if self.overdue > 0:
            return PARTLY if self.settled > 0 else UNPAID
        return LATER

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.marker]


@dataclass
class GridRow:
    unit_id: int
    building: str
    number: str
    cells: list[Cell]

    @property
    def total(self) -> Cell:
        total = Cell()
        for cell in self.cells:
            total.add(cell)
        return total


@dataclass
class Grid:
    year: int
    rows: list[GridRow]
    months: list[Cell]  # every unit of the grid (not only this page's), per month
    page: int = 1
    more: bool = False
    unit_count: int = 0

    @property
    def total(self) -> Cell:
        total = Cell()
        for cell in self.months:
            total.add(cell)
        return total

    @property
    def pages(self) -> int:
        return max(1, -(-self.unit_count // UNITS_PER_PAGE))

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * UNITS_PER_PAGE + 1

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.rows) - 1


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _grid_units(association, first, building, *, by_building: bool) -> pw.ModelSelect:
    """The units the grid shows: those not archived before the year began, optionally of one building."""
    where = (Unit.association == association) & (Unit.archived_at.is_null() | (Unit.archived_at >= first))
    if by_building:
        where &= Unit.building == building
    return Unit.select(Unit.id).where(where)


# The sums are grouped by (unit and) day rather than by month: the invoices of a run share their due
# date, so a day is as few rows as a month, and a date groups the same on SQLite and PostgreSQL, where a
# month would need each one's own function. Python adds the days up into months, and tells an overdue
# day from one not yet due without the SQL depending on today.


def _dues(association, first, last, *rest, by_unit: bool, by_building: bool, page_units: int) -> pw.ModelSelect:
    """What fell due per (unit and) day of the year: the invoices' totals less credits, and what of that is
    paid. `rest`: the building (if by_building), then the page's unit ids (page_units; none: every unit)."""
    building = rest[0] if by_building else None
    units = rest[1:] if by_building else rest
    left = Invoice.total - Invoice.credited_total
    settled = pw.Case(None, ((Invoice.paid_total >= left, left),), Invoice.paid_total)
    where = (
        (Invoice.association == association)
        & (Invoice.kind == Invoice.INVOICE)
        & (Invoice.due_date >= first)
        & (Invoice.due_date <= last)
    )
    where &= (
        Invoice.unit.in_(list(units))
        if page_units
        else Invoice.unit.in_(_grid_units(association, first, building, by_building=by_building))
    )
    keys = [Invoice.unit, Invoice.due_date] if by_unit else [Invoice.due_date]
    return (
        Invoice.select(*keys, pw.fn.SUM(left).alias("due"), pw.fn.SUM(settled).alias("settled"))
        .where(where)
        .group_by(*keys)
        .order_by()
        .tuples()
    )


def _receipts(association, first, last, *rest, by_unit: bool, by_building: bool, page_units: int) -> pw.ModelSelect:
    """What was paid per (unit and) day of the year for the grid's units' invoices."""
    building = rest[0] if by_building else None
    units = rest[1:] if by_building else rest
    keys = [Invoice.unit, Payment.paid_on] if by_unit else [Payment.paid_on]
    query = Payment.select(*keys, pw.fn.SUM(Payment.amount).alias("paid")).join(
        Invoice, on=(Payment.invoice == Invoice.id)
    )
    in_year = (Payment.paid_on >= first) & (Payment.paid_on <= last)
    if page_units:
        # A page's fifty units: from their invoices to their payments (both indexed), not through the
        # year's payments of the whole association.
        where = (Invoice.association == association) & Invoice.unit.in_(list(units)) & in_year
    else:
        grid_units = _grid_units(association, first, building, by_building=by_building)
        where = (Payment.association == association) & in_year & Invoice.unit.in_(grid_units)
    return query.where(where).group_by(*keys).order_by().tuples()


# Built once per shape: the grid's page runs them on every request.
_DUES = PreparedSelect(_dues)
_RECEIPTS = PreparedSelect(_receipts)


def _cells(association, year, today, building, unit_ids, *, by_unit: bool) -> dict:
    """(unit id, month) -> Cell, or month -> Cell when not by_unit: two aggregate queries."""
    shape = dict(by_unit=by_unit, by_building=bool(building), page_units=len(unit_ids))
    values = (association.id, f"{year:04d}-01-01", f"{year:04d}-12-31", *([building] if building else []), *unit_ids)
    found: dict = {}
    for *unit, day, due, settled in _DUES(*values, **shape):
        day, due, settled = _as_date(day), int(due or 0), int(settled or 0)
        cell = found.setdefault((unit[0], day.month) if by_unit else day.month, Cell())
        cell.due += due
        cell.settled += settled
        if day < today:
            cell.overdue += due - settled
    for *unit, day, paid in _RECEIPTS(*values, **shape):
        key = (unit[0], _as_date(day).month) if by_unit else _as_date(day).month
        found.setdefault(key, Cell()).paid += int(paid or 0)
    return found


class MonthsCache:
    """(association, billing revision, year, today, building) -> the grid's month totals, per app.

    Summing a year of every unit's invoices and payments takes the database ~40 ms for 2,000 units, on
    every page of the grid. Those sums change only when an invoice is made or a payment recorded or
    taken back, and each of those raises the association's billing revision (as for the invoice list's
    totals, board_queries.TotalsCache): sums made at the same revision are still right.
    """

    KEPT = 64

    def __init__(self):
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, list[Cell]] = OrderedDict()

    @classmethod
    def of_app(cls) -> MonthsCache:
        return current_app.extensions.setdefault("porch.payment_grid_months", cls())

    def get(self, key: tuple) -> list[Cell] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple, months: list[Cell]) -> None:
        with self.lock:
            self.entries[key] = months
            while len(self.entries) > self.KEPT:
                self.entries.popitem(last=False)


def month_totals(association: Association, year: int, today: dt.date, building: int | None) -> list[Cell]:
    """Every grid unit's sums per month (the grid's bottom row): from the cache while the revision holds."""
    cache = MonthsCache.of_app()
    key = (association.id, BillingSettings.revision_of(association), year, today, building)
    months = cache.get(key)
    if months is None:
        found = _cells(association, year, today, building, (), by_unit=False)
        months = [found.get(m, Cell()) for m in range(1, MONTHS + 1)]
        cache.put(key, months)
    # Copies: a page adds its own sums to what it reads.
    return [Cell(c.due, c.settled, c.overdue, c.paid) for c in months]


def _unit_rows(association, year, building, *, limit=None, offset=0) -> list[tuple]:
    query = (
        Unit.select(Unit.id, Building.name, Unit.number)
        .join(Building)
        .where(Unit.id.in_(_grid_units(association, dt.date(year, 1, 1), building, by_building=bool(building))))
        .order_by(*Unit.natural_order(), Unit.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(query.tuples())


def _rows(units: list[tuple], cells: dict) -> list[GridRow]:
    return [
        GridRow(unit_id, building_name, number, [cells.get((unit_id, m), Cell()) for m in range(1, MONTHS + 1)])
        for unit_id, building_name, number in units
    ]


def payment_grid(
    association: Association, year: int, today: dt.date, *, building: int | None = None, page: int = 1
) -> Grid:
    """One page of the grid (UNITS_PER_PAGE units in the register's order) with the month totals of every
    unit of the grid: five queries whatever the number of units (their count, the page's units, two for
    the page's cells, the billing revision), two more when the month totals are not cached."""
    first = dt.date(year, 1, 1)
    unit_count = _grid_units(association, first, building, by_building=bool(building)).count()
    page = max(1, min(page, max(1, -(-unit_count // UNITS_PER_PAGE))))
    units = _unit_rows(association, year, building, limit=UNITS_PER_PAGE, offset=(page - 1) * UNITS_PER_PAGE)
    cells = _cells(association, year, today, building, [u[0] for u in units], by_unit=True) if units else {}
    return Grid(
        year=year,
        rows=_rows(units, cells),
        months=month_totals(association, year, today, building),
        page=page,
        more=page * UNITS_PER_PAGE < unit_count,
        unit_count=unit_count,
    )


def whole_grid(association: Association, year: int, today: dt.date, *, building: int | None = None) -> Grid:
    """Every unit's row (the exports): four queries."""
    units = _unit_rows(association, year, building)
    cells = _cells(association, year, today, building, (), by_unit=True)
    rows = _rows(units, cells)
    months = [Cell() for _ in range(MONTHS)]
    for row in rows:
        for index, cell in enumerate(row.cells):
            months[index].add(cell)
    return Grid(year=year, rows=rows, months=months, unit_count=len(rows))


def years_with_invoices(association: Association, today: dt.date) -> list[int]:
    """The years the year switch offers: from the first invoice's issue year (read from the index) to next year."""
    first = Invoice.select(pw.fn.MIN(Invoice.issue_date)).where(Invoice.association == association).scalar()
    start = min(_as_date(first).year if first else today.year, today.year)
    return list(range(today.year + 1, start - 1, -1))


# --- debtors ----------------------------------------------------------------------------------------

# Days overdue, counted from the due date: the first bucket holds 1–30 days (an invoice is overdue the
# day after it falls due); the last has no end.
BUCKETS = ("0-30", "31-60", "61-90", "90+")
BUCKET_LABELS = {
    "0-30": _l("0–30 days"),
    "31-60": _l("31–60 days"),
    "61-90": _l("61–90 days"),
    "90+": _l("Over 90 days"),
}
BUCKET_DAYS = (30, 60, 90)  # the last day of each bounded bucket

# Sort orders: the largest debt first, by name, the oldest debt first, the longest unreminded first.
BY_AMOUNT, BY_NAME, BY_AGE, BY_REMINDER = "amount", "name", "age", "reminded"
SORTS = {
    BY_AMOUNT: _l("Amount"),
    BY_NAME: _l("Name"),
    BY_AGE: _l("Overdue since"),
    BY_REMINDER: _l("Last reminder"),
}
NO_ADDRESS, BOUNCED = "no_address", "bounced"
UNREACHABLE = {
    NO_ADDRESS: _l("No e-mail address"),
    BOUNCED: _l("Mail to the address came back"),
}


def bucket_of(days_overdue: int) -> str:
    """The bucket of an invoice overdue by this many days (1 or more)."""
    for key, last_day in zip(BUCKETS, BUCKET_DAYS, strict=False):
        if days_overdue <= last_day:
            return key
    return BUCKETS[-1]


@dataclass
class Debtor:
    person_id: int
    name: str
    sort_key: bytes
    overdue: int
    buckets: dict[str, int]
    since: dt.date  # the oldest overdue invoice's due date
    last_reminder: dt.datetime | None
    plan_active: bool
    address: str  # where a reminder goes; "" when none
    unreachable: str | None = None  # NO_ADDRESS or BOUNCED

    def days_overdue(self, today: dt.date) -> int:
        return (today - self.since).days

    @property
    def unreachable_label(self) -> str:
        return str(UNREACHABLE[self.unreachable]) if self.unreachable else ""


def reminder_address(email: str | None, bounced_at, user_email: str | None, user_state: str | None) -> tuple:
    """(address, why not reachable) of a person: their own address, else that of their account in use."""
    own = (email or "").strip()
    if own:
        return (own, None) if bounced_at is None else ("", BOUNCED)
    if user_email and user_state == User.ACTIVE:
        return user_email, None
    return "", NO_ADDRESS


def _debtors_query(association, today, day30, day60, day90) -> pw.ModelSelect:
    def bucket(condition):
        return pw.fn.SUM(pw.Case(None, ((condition, _OPEN),), 0))

    reminded = (
        DebtReminder.select(DebtReminder.person, pw.fn.MAX(DebtReminder.sent_at).alias("last"))
        .where(DebtReminder.association == association)
        .group_by(DebtReminder.person)
        .alias("reminded")
    )
    kept = (
        InstalmentPlan.select(InstalmentPlan.person, pw.fn.COUNT(InstalmentPlan.id).alias("kept"))
        .where((InstalmentPlan.association == association) & (InstalmentPlan.state == InstalmentPlan.ACTIVE))
        .group_by(InstalmentPlan.person)
        .alias("kept_plans")
    )
    return (
        Invoice.select(
            Person.id,
            Person.given_name,
            Person.surname,
            Person.sort_key,
            Person.email,
            Person.email_bounced_at,
            User.email.alias("user_email"),
            User.state.alias("user_state"),
            pw.fn.SUM(_OPEN).alias("overdue"),
            bucket(Invoice.due_date >= day30).alias("b0"),
            bucket((Invoice.due_date < day30) & (Invoice.due_date >= day60)).alias("b1"),
            bucket((Invoice.due_date < day60) & (Invoice.due_date >= day90)).alias("b2"),
            bucket(Invoice.due_date < day90).alias("b3"),
            pw.fn.MIN(Invoice.due_date).alias("since"),
            pw.fn.MAX(reminded.c.last).alias("last_reminder"),
            pw.fn.MAX(kept.c.kept).alias("plans"),
        )
        .join(Person, on=(Invoice.recipient == Person.id))
        .join(User, pw.JOIN.LEFT_OUTER, on=(Person.user == User.id))
        .join(reminded, pw.JOIN.LEFT_OUTER, on=(reminded.c.person_id == Person.id))
        .join(kept, pw.JOIN.LEFT_OUTER, on=(kept.c.person_id == Person.id))
        .where(
            (Invoice.association == association)
            & (Invoice.kind == Invoice.INVOICE)
            & (_OPEN > 0)
            & (Invoice.due_date < today)
        )
        .group_by(Person.id, User.id)
        .order_by()
        .dicts()
    )


_DEBTORS = PreparedSelect(_debtors_query)


def _as_datetime(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _debtor(row: dict) -> Debtor:
    address, unreachable = reminder_address(row["email"], row["email_bounced_at"], row["user_email"], row["user_state"])
    return Debtor(
        person_id=row["id"],
        name=f"{row['given_name']} {row['surname']}".strip(),
        sort_key=bytes(row["sort_key"] or b""),
        overdue=int(row["overdue"] or 0),
        buckets={key: int(row[f"b{i}"] or 0) for i, key in enumerate(BUCKETS)},
        since=_as_date(row["since"]),
        last_reminder=_as_datetime(row["last_reminder"]),
        plan_active=bool(row["plans"]),
        address=address,
        unreachable=unreachable,
    )


def _bucket_days(today: dt.date) -> list[str]:
    return [(today - dt.timedelta(days=n)).isoformat() for n in BUCKET_DAYS]


def all_debtors(association: Association, today: dt.date) -> list[Debtor]:
    """Everyone with overdue debt in the association, largest debt first: one query."""
    found = [_debtor(row) for row in _DEBTORS(association.id, today.isoformat(), *_bucket_days(today))]
    return sort_debtors(found, BY_AMOUNT)


def sort_debtors(debtors: list[Debtor], order: str) -> list[Debtor]:
    if order == BY_NAME:
        return sorted(debtors, key=lambda d: (d.sort_key, d.person_id))
    if order == BY_AGE:
        return sorted(debtors, key=lambda d: (d.since, -d.overdue, d.person_id))
    if order == BY_REMINDER:  # never reminded first, then the longest ago
        return sorted(debtors, key=lambda d: (d.last_reminder is not None, d.last_reminder or dt.datetime.min,
                                              -d.overdue, d.person_id))  # fmt: skip
    return sorted(debtors, key=lambda d: (-d.overdue, d.sort_key, d.person_id))


@dataclass
class BucketTotal:
    key: str
    amount: int = 0
    people: int = 0

    @property
    def label(self) -> str:
        return str(BUCKET_LABELS[self.key])


@dataclass
class DebtorList:
    rows: list[Debtor]  # this page's
    matching: int  # debtors the filter keeps
    page: int
    totals: list[BucketTotal]  # every debtor's, per bucket
    overdue: int  # every debtor's
    people: int
    filtered: list[Debtor] = field(default_factory=list)  # every debtor the filter keeps, in order

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // DEBTORS_PER_PAGE))


DEBTORS_PER_PAGE = 50


def _debtor_order(d, order: str) -> list:
    """The SQL of sort_debtors(): the same keys in the same order (sort keys compare bytewise on both
    backends, and a missing one sorts first, as b"" does)."""
    name = pw.fn.COALESCE(d.c.sort_key, pw.Value(b"", converter=False))
    if order == BY_NAME:
        return [name, d.c.id]
    if order == BY_AGE:
        return [d.c.since, d.c.overdue.desc(), d.c.id]
    if order == BY_REMINDER:
        never = pw.Case(None, ((d.c.last_reminder.is_null(), 0),), 1)
        return [never, d.c.last_reminder, d.c.overdue.desc(), d.c.id]
    return [d.c.overdue.desc(), name, d.c.id]


def _debtor_page_query(association, today, day30, day60, day90, offset, *, order: str, bucket: str, paged: bool):
    """The debtors the filter keeps in the list's order, a page of them when `paged`, each row carrying
    every debtor's totals (per bucket, in all) and how many the filter keeps: window sums over the grouped
    debts, so the page and its totals come from one pass over the invoices."""
    d = _debtors_query(association, today, day30, day60, day90).alias("d")
    totals = [pw.fn.SUM(d.c.overdue).over().alias("all_overdue"), pw.fn.COUNT(pw.SQL("*")).over().alias("people")]
    for i in range(len(BUCKETS)):
        column = getattr(d.c, f"b{i}")
        totals.append(pw.fn.SUM(column).over().alias(f"t{i}"))
        totals.append(pw.fn.SUM(pw.Case(None, ((column > 0, 1),), 0)).over().alias(f"n{i}"))
    everyone = pw.Select(from_list=[d], columns=[getattr(d.c, name) for name in _DEBTOR_COLUMNS] + totals).alias("e")
    kept = pw.Select(
        from_list=[everyone],
        columns=[pw.SQL("e.*"), pw.fn.COUNT(pw.SQL("*")).over().alias("matching")],
    )
    if bucket in BUCKETS:
        kept = kept.where(getattr(everyone.c, f"b{BUCKETS.index(bucket)}") > 0)
    kept = kept.order_by(*_debtor_order(everyone, order))
    if paged:
        kept = kept.limit(DEBTORS_PER_PAGE).offset(offset)
    return kept.bind(db).dicts()  # bound, as a model's query is: its SQL in the database's own dialect


_DEBTOR_COLUMNS = ("id", "given_name", "surname", "sort_key", "email", "email_bounced_at", "user_email",
                   "user_state", "overdue", "b0", "b1", "b2", "b3", "since", "last_reminder", "plans")  # fmt: skip
_DEBTOR_PAGE = PreparedSelect(_debtor_page_query)


def debtor_list(
    association: Association, today: dt.date, *, order: str, bucket: str, page: int, whole: bool = False
) -> DebtorList:
    """The debtors the filter keeps (people with overdue debt in `bucket`, "" for all), sorted, a page at a
    time (every one of them when `whole`, for exports and "remind everyone listed"), with every debtor's
    totals per bucket: one query; one or two more only when the page asked for lies past the last (the list
    shrank) or nobody is in the bucket (the totals are still everyone's)."""
    order = order if order in SORTS else BY_AMOUNT
    bucket = bucket if bucket in BUCKETS else ""
    values = [association.id, today.isoformat(), *_bucket_days(today)]
    page = max(1, page)
    rows = _DEBTOR_PAGE(*values, (page - 1) * DEBTORS_PER_PAGE, order=order, bucket=bucket, paged=not whole)
    if not rows and page > 1:  # past the last page (the list shrank): show the last one
        matching = _DEBTOR_PAGE(*values, 0, order=order, bucket=bucket, paged=True)
        if matching:
            page = max(1, -(-matching[0]["matching"] // DEBTORS_PER_PAGE))
            rows = _DEBTOR_PAGE(*values, (page - 1) * DEBTORS_PER_PAGE, order=order, bucket=bucket, paged=True)
    if not rows and bucket:  # nobody in this bucket: the totals still count everyone
        head = _DEBTOR_PAGE(*values, 0, order=order, bucket="", paged=True)[:1]
    else:
        head = rows[:1]
    first = head[0] if head else {}
    debtors = [_debtor(row) for row in rows]
    totals = [
        BucketTotal(key, int(first.get(f"t{i}") or 0), int(first.get(f"n{i}") or 0)) for i, key in enumerate(BUCKETS)
    ]
    return DebtorList(
        rows=debtors if not whole else debtors[:DEBTORS_PER_PAGE],
        matching=int(rows[0]["matching"]) if rows else 0,
        page=page if rows else 1,
        totals=totals,
        overdue=int(first.get("all_overdue") or 0),
        people=int(first.get("people") or 0),
        filtered=debtors if whole else [],
    )


def debtor_of(association: Association, person_id: int, today: dt.date) -> Debtor | None:
    """One person as the debtors list has them, or None when nothing of theirs is overdue."""
    return next((d for d in all_debtors(association, today) if d.person_id == person_id), None)


@dataclass
class PersonDebt:
    """A person's page on the debtors list: what is overdue (each invoice, by bucket), what is open but
    not yet due, their plans and the reminders sent to them."""

    person: Person
    overdue_invoices: list[Invoice]
    not_yet_due: int
    buckets: dict[str, int]
    address: str
    unreachable: str | None
    plans: list[InstalmentPlan]
    reminders: list[DebtReminder]

    @property
    def overdue(self) -> int:
        return sum(invoice.outstanding for invoice in self.overdue_invoices)

    @property
    def unreachable_label(self) -> str:
        return str(UNREACHABLE[self.unreachable]) if self.unreachable else ""


def person_debt(person: Person, today: dt.date) -> PersonDebt:
    """A person's debt for their page: five queries."""
    open_invoices = list(
        Invoice.select()
        .where((Invoice.recipient == person.id) & (Invoice.kind == Invoice.INVOICE) & (_OPEN > 0))
        .order_by(Invoice.due_date, Invoice.number)
    )
    overdue = [invoice for invoice in open_invoices if invoice.due_date < today]
    buckets = dict.fromkeys(BUCKETS, 0)
    for invoice in overdue:
        buckets[bucket_of((today - invoice.due_date).days)] += invoice.outstanding
    user = User.get_or_none(User.id == person.user_id) if person.user_id else None
    address, unreachable = reminder_address(
        person.email, person.email_bounced_at, user.email if user else None, user.state if user else None
    )
    reminders = list(
        DebtReminder.select(DebtReminder, OutboundEmail)
        .join(OutboundEmail, pw.JOIN.LEFT_OUTER, on=(DebtReminder.email == OutboundEmail.id))
        .where(DebtReminder.person == person.id)
        .order_by(DebtReminder.sent_at.desc(), DebtReminder.id.desc())
    )
    plans = list(
        InstalmentPlan.select()
        .where(InstalmentPlan.person == person.id)
        .order_by(InstalmentPlan.created_at.desc(), InstalmentPlan.id.desc())
    )
    return PersonDebt(
        person=person,
        overdue_invoices=overdue,
        not_yet_due=sum(invoice.outstanding for invoice in open_invoices if invoice.due_date >= today),
        buckets=buckets,
        address=address,
        unreachable=unreachable,
        plans=plans,
        reminders=reminders,
    )
