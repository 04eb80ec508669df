"""Late interest (issue 13 item 2): what an overdue invoice costs, day by day, and how it was worked out.

Interest runs on the overdue principal (what is still owed on the invoice) for each day after the due
date, once the invoice is still unpaid when the grace days are over, at the yearly rate in force that
day, divided by the days of that day's year (actual/actual: 365, or 366 in a leap year). Money paid or
credited on a day stops interest on it from that day on (the rules in full are below, before Rates).
The exact sum is kept as a fraction and rounded half up to a whole minor unit once per invoice and
charge, so no rounding piles up day by day. A charge covers
days first..last of one invoice and never overlaps another charge of it: no day is charged twice.

The working is stored with each charge (InterestCharge.calculation) as pieces: stretches of days with
the same principal and rate. Statements show them; `pieces_of` reads them back.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import peewee as pw

from core import clock
from models.billing import InstalmentPlan, InterestCharge, Invoice, Payment, ReferenceRate
from models.register import Person


@dataclass(frozen=True)
class Piece:
    """Days first..last (inclusive) at one principal (minor units) and one yearly rate (basis points)."""

    first: dt.date
    last: dt.date
    principal: int
    rate: int
    year_days: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def exact(self) -> Fraction:
        """days × principal × rate / (10,000 × days in the year), in minor units, unrounded."""
        return Fraction(self.days * self.principal * self.rate, 10_000 * self.year_days)

    def as_json(self) -> dict:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "days": self.days,
            "principal": self.principal,
            "rate": self.rate,
            "year_days": self.year_days,
            "exact": f"{self.exact.numerator}/{self.exact.denominator}",
        }


def round_half_up(amount: Fraction) -> int:
    """A fraction of minor units to a whole one, halves away from zero (interest is never negative here)."""
    whole, rest = divmod(amount.numerator, amount.denominator)
    return whole + (1 if 2 * rest >= amount.denominator else 0)


def dump(pieces: list[Piece]) -> str:
    """The calculation column's text for these pieces."""
    return json.dumps([piece.as_json() for piece in pieces], separators=(",", ":"))


def pieces_of(calculation: str) -> list[Piece]:
    """The pieces a charge's calculation column holds, in order."""
    return [
        Piece(
            first=dt.date.fromisoformat(item["from"]),
            last=dt.date.fromisoformat(item["to"]),
            principal=int(item["principal"]),
            rate=int(item["rate"]),
            year_days=int(item["year_days"]),
        )
        for item in json.loads(calculation or "[]")
    ]


# --- the rules: which days bear interest, at what rate, on what principal ---------------------------
#
# Conventions (README "Late interest" says the same in the board's words):
# - Money that settles an invoice on day D (a payment's paid_on, a credit note's issue date) stops interest
#   on that amount from day D on: the day of payment bears no interest on what was paid that day.
# - Grace: an invoice settled by the end of due date + grace days bears no interest at all. One still open
#   then bears interest from the day after its due date (the grace is a tolerance, not free days), which is
#   the common statutory reading. A run charges an invoice only once its grace is over on `through`.
# - The rate of a day is the fixed yearly rate, or the reference rate in force that day (the row with the
#   latest valid_from on or before it) plus the margin, never below zero; no reference row: no interest
#   that day (the preview says which days). Days are counted actual/actual: a day is 1/365 of the yearly
#   rate, or 1/366 in a leap year.
# - No interest on interest: interest invoices bear none, and an invoice carrying interest as a line bears
#   interest only on the rest (money paid on it settles the interest first).
# - Instalment plans: with interest_during_plan, the unpaid instalments of a plan that was kept (active or
#   completed) bear interest from the day the plan was made, even before they fall due, as the debt moved
#   into it would have; otherwise an instalment is an invoice like any other. The debt moved into a plan
#   stops bearing interest the day it moves (its credit note settles it).

DAY = dt.timedelta(days=1)


def year_days(day: dt.date) -> int:
    """Days in the day's year: the divisor of actual/actual."""
    return 366 if calendar.isleap(day.year) else 365


@dataclass(frozen=True)
class Rates:
    """The yearly rate in force on each day (basis points): a fixed one, or reference rows plus a margin."""

    fixed: int | None = None
    starts: tuple[dt.date, ...] = ()  # the reference rows' valid_from, ascending
    values: tuple[int, ...] = ()
    margin: int = 0

    @classmethod
    def of(cls, settings, rows: list[tuple[dt.date, int]]) -> Rates | None:
        """The association's rule (None: no late interest); rows are (valid_from, rate) of its reference rate."""
        if settings.interest_mode == settings.INTEREST_FIXED:
            return cls(fixed=settings.interest_rate)
        if settings.interest_mode == settings.INTEREST_REFERENCE:
            rows = sorted(rows)
            return cls(
                starts=tuple(day for day, _ in rows),
                values=tuple(rate for _, rate in rows),
                margin=settings.interest_margin,
            )
        return None

    def on(self, day: dt.date) -> int | None:
        """The rate of the day, never below zero; None when no reference rate is in force yet."""
        if self.fixed is not None:
            return max(self.fixed, 0)
        index = bisect.bisect_right(self.starts, day) - 1
        return None if index < 0 else max(self.values[index] + self.margin, 0)

    def changes_in(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Days after `first` up to `last` on which a new rate comes into force."""
        if self.fixed is not None:
            return []
        return list(self.starts[bisect.bisect_right(self.starts, first) : bisect.bisect_right(self.starts, last)])


@dataclass(frozen=True)
class Debt:
    """What one invoice owes, as interest sees it: its total, the interest it carries as lines (which bears
    none) and the money that settled it, as (day, amount) of payments and credit notes."""

    total: int
    settlements: tuple[tuple[dt.date, int], ...] = ()
    carried: int = 0

    def principal_on(self, day: dt.date) -> int:
        """What bears interest on the day: the total less what settled it up to and including the day, and
        never the interest it carries (paid first)."""
        settled = sum(amount for when, amount in self.settlements if when <= day)
        return max(0, min(self.total - settled, self.total - self.carried))


def interest_start(
    debt: Debt, due_date: dt.date, grace_days: int, through: dt.date, plan_day: dt.date | None = None
) -> dt.date | None:
    """The first day the invoice bears interest, or None: settled within the grace, or the grace not over
    on `through` yet. `plan_day`: the day the kept plan it is an instalment of was made (during_plan)."""
    if plan_day is not None:
        return plan_day
    grace_end = due_date + dt.timedelta(days=max(grace_days, 0))
    if through < grace_end or debt.principal_on(grace_end) <= 0:
        return None
    return due_date + DAY


def work_out(
    debt: Debt, first: dt.date, last: dt.date, rates: Rates
) -> tuple[list[Piece], list[tuple[dt.date, dt.date]]]:
    """The pieces of days first..last: stretches of one principal, rate and year length, days that bear
    nothing left out. Also the stretches owing money but without a rate in force (no reference row).

    Works on the days where something changes (a settlement, a new rate, a new year), not day by day."""
    if first > last:
        return [], []
    cuts = {first}
    cuts.update(when for when, _ in debt.settlements if first < when <= last)
    cuts.update(rates.changes_in(first, last))
    cuts.update(dt.date(year, 1, 1) for year in range(first.year + 1, last.year + 1))
    ordered = sorted(cuts)
    pieces: list[Piece] = []
    missing: list[tuple[dt.date, dt.date]] = []
    for index, start in enumerate(ordered):
        end = ordered[index + 1] - DAY if index + 1 < len(ordered) else last
        principal = debt.principal_on(start)
        if principal <= 0:
            continue
        rate = rates.on(start)
        if rate is None:
            if missing and missing[-1][1] == start - DAY:
                missing[-1] = (missing[-1][0], end)
            else:
                missing.append((start, end))
            continue
        if rate == 0:
            continue
        length = year_days(start)
        previous = pieces[-1] if pieces else None
        if (
            previous
            and previous.last == start - DAY
            and (previous.principal, previous.rate, previous.year_days)
            == (
                principal,
                rate,
                length,
            )
        ):
            pieces[-1] = Piece(previous.first, end, principal, rate, length)
        else:
            pieces.append(Piece(start, end, principal, rate, length))
    return pieces, missing


def amount_of(pieces: list[Piece]) -> int:
    """A charge's amount: the exact sum of its pieces, rounded half up once."""
    return round_half_up(sum((piece.exact for piece in pieces), Fraction(0)))


# --- every overdue invoice of an association, in a constant number of queries ----------------------


@dataclass
class InvoiceInterest:
    """One invoice's interest for its days not charged yet, up to a day."""

    invoice_id: int
    number: int
    person_id: int
    person_name: str
    unit_id: int | None
    due_date: dt.date
    pieces: list[Piece]
    missing: list[tuple[dt.date, dt.date]]  # owing, but no reference rate in force

    @cached_property
    def amount(self) -> int:
        """The charge: the exact sum of the pieces, rounded half up once (worked out once)."""
        return amount_of(self.pieces)

    @property
    def first_day(self) -> dt.date:
        return self.pieces[0].first

    @property
    def last_day(self) -> dt.date:
        return self.pieces[-1].last

    @property
    def days(self) -> int:
        return sum(piece.days for piece in self.pieces)


def overdue_interest(association, settings, through: dt.date) -> list[InvoiceInterest]:
    """Interest on each of the association's invoices for the days up to `through` that no charge covers
    yet, by person (in the language's name order) and due date. Invoices owing nothing more are left out,
    unless they owe money on days without a reference rate (for the preview to say so).

    Seven queries, whatever the number of invoices: invoices, payments, credit notes, charges made,
    interest carried as lines, reference rates and plans come in bulk."""
    rates = Rates.of(settings, _reference_rows(association))
    if rates is None:
        return []
    candidates = _candidates(association, settings, through)
    rows = list(candidates.tuples())
    if not rows:
        return []
    ids = candidates.select(Invoice.id).order_by()
    settlements = _settlements(association, ids)
    covered = dict(
        InterestCharge.select(InterestCharge.invoice, pw.fn.MAX(InterestCharge.last_day))
        .where((InterestCharge.association == association) & InterestCharge.invoice.in_(ids))
        .group_by(InterestCharge.invoice)
        .tuples()
    )
    carried = dict(
        InterestCharge.select(InterestCharge.charged_on, pw.fn.SUM(InterestCharge.amount))
        .where((InterestCharge.association == association) & InterestCharge.charged_on.in_(ids))
        .group_by(InterestCharge.charged_on)
        .tuples()
    )
    found = []
    for invoice_id, number, person_id, given, surname, unit_id, due, total, plan_state, plan_made in rows:
        debt = Debt(int(total), tuple(settlements.get(invoice_id, ())), int(carried.get(invoice_id) or 0))
        plan_day = None
        if plan_made is not None and plan_state != InstalmentPlan.CANCELLED and settings.interest_during_plan:
            plan_day = clock.to_local(plan_made, association).date()
        start = interest_start(debt, due, settings.interest_grace_days, through, plan_day)
        if start is None:
            continue
        if invoice_id in covered:
            start = max(start, covered[invoice_id] + DAY)
        pieces, missing = work_out(debt, start, through, rates)
        if pieces or missing:
            name = f"{given} {surname}".strip()
            found.append(InvoiceInterest(invoice_id, number, person_id, name, unit_id, due, pieces, missing))
    return found


def _reference_rows(association) -> list[tuple[dt.date, int]]:
    return list(
        ReferenceRate.select(ReferenceRate.valid_from, ReferenceRate.rate)
        .where(ReferenceRate.association == association)
        .order_by(ReferenceRate.valid_from)
        .tuples()
    )


def _candidates(association, settings, through: dt.date) -> pw.ModelSelect:
    """Invoices that may bear interest on some day up to `through`: overdue by then, and either still open
    or settled after their due date (the days before that bear interest). With interest during a plan,
    every instalment of a plan too."""
    original = Invoice.alias()
    late_payments = (
        Payment.select(Payment.invoice)
        .join(original, on=(Payment.invoice == original.id))
        .where((Payment.association == association) & (Payment.paid_on > original.due_date))
    )
    credit = Invoice.alias()
    late_credits = (
        credit.select(credit.credits)
        .join(original, on=(credit.credits == original.id))
        .where(
            (credit.association == association)
            & (credit.kind == Invoice.CREDIT_NOTE)
            & (credit.issue_date > original.due_date)
        )
    )
    still_open = (Invoice.total - Invoice.paid_total - Invoice.credited_total) > 0
    bears = (Invoice.due_date < through) & (still_open | Invoice.id.in_(late_payments) | Invoice.id.in_(late_credits))
    if settings.interest_during_plan:
        bears |= Invoice.plan.is_null(False) & (Invoice.purpose == Invoice.INSTALMENT)
    return (
        Invoice.select(
            Invoice.id,
            Invoice.number,
            Invoice.recipient,
            Person.given_name,
            Person.surname,
            Invoice.unit,
            Invoice.due_date,
            Invoice.total,
            InstalmentPlan.state,
            InstalmentPlan.created_at,
        )
        .join(Person, on=(Invoice.recipient == Person.id))
        .switch(Invoice)
        .join(InstalmentPlan, pw.JOIN.LEFT_OUTER, on=(Invoice.plan == InstalmentPlan.id))
        .where(
            (Invoice.association == association)
            & (Invoice.kind == Invoice.INVOICE)
            & (Invoice.purpose != Invoice.INTEREST)
            & (Invoice.total > 0)
            & bears
        )
        .order_by(*Person.name_order(), Invoice.due_date, Invoice.number)
    )


def _settlements(association, ids) -> dict[int, list[tuple[dt.date, int]]]:
    """Per invoice, the money that settled it: its payments (paid_on) and its credit notes (issue date)."""
    found: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    payments = (
        Payment.select(Payment.invoice, Payment.paid_on, Payment.amount)
        .where((Payment.association == association) & Payment.invoice.in_(ids))
        .tuples()
    )
    for invoice_id, day, amount in payments:
        found[invoice_id].append((day, int(amount)))
    credits = (
        Invoice.select(Invoice.credits, Invoice.issue_date, Invoice.total)
        .where((Invoice.association == association) & (Invoice.kind == Invoice.CREDIT_NOTE) & Invoice.credits.in_(ids))
        .tuples()
    )
    for invoice_id, day, total in credits:
        found[invoice_id].append((day, -int(total)))  # a credit note's total is negative
    return found
