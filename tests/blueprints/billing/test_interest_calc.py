"""Late interest worked out by interest.py equals a reference computed here day by day, independently:
rate changes mid-period, leap years, partial payments, credit notes, the grace period, plans.

The reference walks every single day: the principal that day is the total less what was paid or
credited on or before it, the rate that day is the fixed one or the latest reference row plus the
margin (never below zero), a day is 1/366 of the yearly rate in a leap year and 1/365 otherwise; the
exact sum is rounded half up once.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from blueprints.billing import interest
from blueprints.billing.interest import Debt, Rates

ONE_DAY = dt.timedelta(days=1)


def days_in_year(day: dt.date) -> int:
    return (dt.date(day.year + 1, 1, 1) - dt.date(day.year, 1, 1)).days


def reference_rate(day, fixed, table, margin):
    if fixed is not None:
        return max(fixed, 0)
    in_force = [rate for since, rate in sorted(table) if since <= day]
    return max(in_force[-1] + margin, 0) if in_force else None


def reference_exact(total, settled, first, last, rate_of, carried=0) -> Fraction:
    """Sum over each day first..last of principal × rate / (10,000 × days of the year)."""
    exact = Fraction(0)
    day = first
    while day <= last:
        paid = sum(amount for when, amount in settled if when <= day)
        principal = max(0, min(total - paid, total - carried))
        rate = rate_of(day)
        if principal > 0 and rate:
            exact += Fraction(principal * rate, 10_000 * days_in_year(day))
        day += ONE_DAY
    return exact


def reference_amount(total, settled, due, grace, through, rate_of, carried=0, plan_day=None) -> int:
    if plan_day is not None:
        first = plan_day
    else:
        end_of_grace = due + dt.timedelta(days=grace)
        if through < end_of_grace:
            return 0
        if total - sum(amount for when, amount in settled if when <= end_of_grace) <= 0:
            return 0  # settled within the grace
        first = due + ONE_DAY
    return math.floor(reference_exact(total, settled, first, through, rate_of, carried) + Fraction(1, 2))


def worked_out(total, settled, due, grace, through, rates, carried=0, plan_day=None):
    debt = Debt(total, tuple(settled), carried)
    start = interest.interest_start(debt, due, grace, through, plan_day)
    if start is None:
        return 0, []
    pieces, _missing = interest.work_out(debt, start, through, rates)
    return interest.amount_of(pieces), pieces


days = st.integers(min_value=-40, max_value=500)
amounts = st.integers(min_value=1, max_value=2_000_000)
due_dates = st.dates(min_value=dt.date(2027, 6, 1), max_value=dt.date(2029, 3, 31))  # around 2028, a leap year


@st.composite
def cases(draw):
    due = draw(due_dates)
    total = draw(amounts)
    settled = []
    for offset in draw(st.lists(days, max_size=4)):
        settled.append((due + dt.timedelta(days=offset), draw(st.integers(1, max(1, total // 2)))))
    if draw(st.booleans()):  # a credit note for part of it
        settled.append((due + dt.timedelta(days=draw(days)), draw(st.integers(1, total))))
    grace = draw(st.integers(0, 30))
    through = due + dt.timedelta(days=draw(st.integers(-5, 600)))
    if draw(st.booleans()):
        fixed, table, margin = draw(st.integers(-100, 3000)), [], 0
    else:
        fixed = None
        starts = draw(st.lists(st.integers(-200, 600), min_size=0, max_size=5, unique=True))
        table = [(due + dt.timedelta(days=s), draw(st.integers(-100, 600))) for s in starts]
        margin = draw(st.integers(0, 1000))
    return total, settled, due, grace, through, fixed, table, margin


@settings(max_examples=400, deadline=None)
@given(cases())
def test_interest_equals_the_day_by_day_reference(case):
    total, settled, due, grace, through, fixed, table, margin = case
    rates = (
        Rates(fixed=fixed)
        if fixed is not None
        else Rates(starts=tuple(d for d, _ in sorted(table)), values=tuple(r for _, r in sorted(table)), margin=margin)
    )
    amount, pieces = worked_out(total, settled, due, grace, through, rates)

    def rate_of(day):
        return reference_rate(day, fixed, table, margin)

    assert amount == reference_amount(total, settled, due, grace, through, rate_of)
    # The pieces: in order, never overlapping, within the days that can bear interest, each a real stretch.
    for before, after in zip(pieces, pieces[1:], strict=False):
        assert before.last < after.first
    for piece in pieces:
        assert due < piece.first <= piece.last <= through and piece.principal > 0 and piece.rate > 0
        assert piece.year_days == days_in_year(piece.first) == days_in_year(piece.last)


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(0, 400))
def test_carried_interest_and_plans_match_the_reference(case, carried_part):
    total, settled, due, grace, through, fixed, table, margin = case
    rates = Rates(fixed=max(fixed or 0, 1))
    carried = min(carried_part, total)
    plan_day = due - dt.timedelta(days=30)
    for plan in (None, plan_day):
        amount, _pieces = worked_out(total, settled, due, grace, through, rates, carried, plan)
        expected = reference_amount(total, settled, due, grace, through, lambda d: rates.fixed, carried, plan)
        assert amount == expected


def test_a_rate_change_mid_period_and_a_leap_day():
    # 10,000.00 owed from 1 Feb 2028 (due 31 Jan), the reference 4 % then 3 % from 1 Mar, margin 8 points.
    rates = Rates(starts=(dt.date(2027, 1, 1), dt.date(2028, 3, 1)), values=(400, 300), margin=800)
    amount, pieces = worked_out(1_000_000, [], dt.date(2028, 1, 31), 0, dt.date(2028, 3, 10), rates)
    assert [(p.first, p.last, p.rate, p.year_days) for p in pieces] == [
        (dt.date(2028, 2, 1), dt.date(2028, 2, 29), 1200, 366),
        (dt.date(2028, 3, 1), dt.date(2028, 3, 10), 1100, 366),
    ]
    exact = Fraction(29 * 1_000_000 * 1200, 10_000 * 366) + Fraction(10 * 1_000_000 * 1100, 10_000 * 366)
    assert amount == math.floor(exact + Fraction(1, 2)) == 12514  # 95.08 + 30.05 = 125.1366 → 125.14


def test_year_end_splits_the_day_count():
    rates = Rates(fixed=1000)
    _amount, pieces = worked_out(100_000, [], dt.date(2027, 12, 20), 0, dt.date(2028, 1, 10), rates)
    assert [(p.first, p.last, p.year_days) for p in pieces] == [
        (dt.date(2027, 12, 21), dt.date(2027, 12, 31), 365),
        (dt.date(2028, 1, 1), dt.date(2028, 1, 10), 366),
    ]


def test_grace_paid_within_costs_nothing_paid_after_counts_from_the_due_date():
    rates = Rates(fixed=3650)  # 36.5 % a year: 1 per 1,000 a day in a common year
    due = dt.date(2027, 3, 31)
    within, _ = worked_out(100_000, [(due + dt.timedelta(days=5), 100_000)], due, 5, dt.date(2027, 5, 31), rates)
    assert within == 0
    after, pieces = worked_out(100_000, [(due + dt.timedelta(days=6), 100_000)], due, 5, dt.date(2027, 5, 31), rates)
    assert (pieces[0].first, pieces[-1].last) == (dt.date(2027, 4, 1), dt.date(2027, 4, 5))
    assert after == 500  # 5 days × 100 (the day of payment bears none)
    # The grace not over yet on the day charged through: nothing yet.
    assert worked_out(100_000, [], due, 5, due + dt.timedelta(days=4), rates)[0] == 0


def test_a_partial_payment_lowers_the_principal_from_its_day():
    rates = Rates(fixed=3650)
    due = dt.date(2027, 3, 31)
    amount, pieces = worked_out(100_000, [(dt.date(2027, 4, 11), 60_000)], due, 0, dt.date(2027, 4, 20), rates)
    assert [(p.first, p.last, p.principal) for p in pieces] == [
        (dt.date(2027, 4, 1), dt.date(2027, 4, 10), 100_000),
        (dt.date(2027, 4, 11), dt.date(2027, 4, 20), 40_000),
    ]
    assert amount == 10 * 100 + 10 * 40


def test_no_reference_row_means_no_interest_and_says_which_days():
    rates = Rates(starts=(dt.date(2027, 4, 10),), values=(400,), margin=800)
    debt = Debt(100_000)
    pieces, missing = interest.work_out(debt, dt.date(2027, 4, 1), dt.date(2027, 4, 20), rates)
    assert missing == [(dt.date(2027, 4, 1), dt.date(2027, 4, 9))]
    assert (pieces[0].first, pieces[0].rate) == (dt.date(2027, 4, 10), 1200)


def test_a_negative_reference_rate_never_makes_interest_negative():
    rates = Rates(starts=(dt.date(2020, 1, 1),), values=(-50,), margin=0)
    assert rates.on(dt.date(2027, 5, 1)) == 0
    assert worked_out(100_000, [], dt.date(2027, 3, 31), 0, dt.date(2027, 6, 30), rates) == (0, [])
