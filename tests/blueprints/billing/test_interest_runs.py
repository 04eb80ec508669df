"""Interest runs (issue 13 item 2): what the database holds after "charge interest through day X".

Against the same day-by-day reference as test_interest_calc.py, but through the database: invoices,
payments, credit notes and reference rates read in bulk; never a day charged twice however the runs
repeat; interest invoices or lines on the next invoice run; the minimum; instalment plans.
"""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprints.billing import allocation, interest, interest_runs, invoicing
from models import AuditLog
from models.billing import (
    BillingSettings,
    Charge,
    InstalmentPlan,
    InterestCharge,
    InterestRun,
    Invoice,
    InvoiceLine,
    Payment,
    ReferenceRate,
)
from models.db import db
from models.register import Ownership
from tests.blueprints.billing.test_interest_calc import reference_exact, reference_rate
from tests.factories.billing import make_billing, make_invoice, make_payment, make_unit

DAY = dt.timedelta(days=1)
RELAXED = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def ctx(app, frozen_clock):
    frozen_clock.set(dt.datetime(2029, 6, 1, 9, 0))
    with app.app_context():
        yield


@pytest.fixture
def debtor(ctx, alpha, make_person):
    make_billing(alpha, interest_mode=BillingSettings.INTEREST_FIXED, interest_rate=1000)
    return make_person(alpha, given_name="Dana", surname="Debtor")


def rule(alpha, **values) -> BillingSettings:
    BillingSettings.update(**values).where(BillingSettings.association == alpha).execute()
    return BillingSettings.for_association(alpha)


def owed(alpha, person, due, amount=100_000, **fields) -> Invoice:
    fields.setdefault("issue_date", due - dt.timedelta(days=14))
    return make_invoice(alpha, person, lines=[("Fee", amount, 0)], due_date=due, **fields)


def credit(original: Invoice, amount: int, on: dt.date) -> Invoice:
    """A credit note for part of `original`, issued on the day, as invoicing writes one."""
    note = make_invoice(
        original.association,
        original.recipient,
        lines=[("Credit", -amount, 0)],
        issue_date=on,
        due_date=on,
        kind=Invoice.CREDIT_NOTE,
        credits=original.id,
    )
    Invoice.update(credited_total=Invoice.credited_total + amount).where(Invoice.id == original.id).execute()
    return note


def charges_of(invoice) -> list[InterestCharge]:
    return list(InterestCharge.select().where(InterestCharge.invoice == invoice).order_by(InterestCharge.first_day))


def clear(alpha):
    """Between hypothesis examples: the association's billing rows go, its people and settings stay."""
    InterestCharge.delete().execute()
    InterestRun.delete().execute()
    Payment.delete().execute()
    InvoiceLine.delete().execute()
    Invoice.update(credits=None).execute()
    Invoice.delete().execute()
    ReferenceRate.delete().execute()


# --- the calculation through the database -------------------------------------------------------------------


@st.composite
def ledgers(draw):
    """Up to three invoices with payments and credit notes, and a reference-rate table."""
    invoices = []
    for _ in range(draw(st.integers(1, 3))):
        due = draw(st.dates(dt.date(2027, 11, 1), dt.date(2028, 8, 31)))
        total = draw(st.integers(1, 500_000))
        payments = [
            (due + dt.timedelta(days=draw(st.integers(-10, 300))), draw(st.integers(1, max(1, total // 3))))
            for _ in range(draw(st.integers(0, 3)))
        ]
        credits = [(due + dt.timedelta(days=draw(st.integers(-5, 300))), draw(st.integers(1, max(1, total // 3))))][
            : draw(st.integers(0, 1))
        ]
        invoices.append((due, total, payments, credits))
    table = [
        (dt.date(2027, 10, 1) + dt.timedelta(days=offset), draw(st.integers(-50, 500)))
        for offset in draw(st.lists(st.integers(0, 500), max_size=4, unique=True))
    ]
    return invoices, table, draw(st.integers(0, 900)), draw(st.integers(0, 20))


@RELAXED
@given(ledgers(), st.dates(dt.date(2028, 1, 1), dt.date(2029, 5, 31)))
def test_the_database_run_matches_the_reference(debtor, alpha, ledger, through):
    clear(alpha)
    invoices, table, margin, grace = ledger
    settings_ = rule(
        alpha, interest_mode=BillingSettings.INTEREST_REFERENCE, interest_margin=margin, interest_grace_days=grace
    )
    for since, rate in table:
        ReferenceRate.create(association=alpha, valid_from=since, rate=rate)
    expected = {}
    for due, total, payments, credits in invoices:
        invoice = owed(alpha, debtor, due, total)
        for day, amount in payments:
            make_payment(invoice, amount, day)
        for day, amount in credits:
            credit(invoice, amount, day)
        settled = payments + credits
        end_of_grace = due + dt.timedelta(days=grace)
        paid_in_time = total - sum(a for d, a in settled if d <= end_of_grace) <= 0
        if through < end_of_grace or paid_in_time:
            expected[invoice.id] = 0
            continue
        exact = reference_exact(total, settled, due + DAY, through, lambda d: reference_rate(d, None, table, margin))
        expected[invoice.id] = math.floor(exact + Fraction(1, 2))

    found = {item.invoice_id: item.amount for item in interest.overdue_interest(alpha, settings_, through)}
    assert {key: value for key, value in expected.items() if value} == {
        key: value for key, value in found.items() if value
    }


@RELAXED
@given(
    st.lists(st.integers(0, 400), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(-5, 400), st.integers(1, 40_000)), max_size=3),
)
def test_never_charged_twice_for_a_day_however_runs_repeat(debtor, alpha, offsets, payments):
    """Runs through days in any order, the same day again, earlier days after later ones: the charges of an
    invoice never overlap, and together they are exactly the interest of the days they cover."""
    clear(alpha)
    rule(alpha, interest_charged_as=BillingSettings.INTEREST_AS_LINE, interest_grace_days=0)
    due = dt.date(2028, 1, 31)
    invoice = owed(alpha, debtor, due, 100_000)
    for offset, amount in payments:
        make_payment(invoice, amount, due + dt.timedelta(days=offset))
    settled = [(due + dt.timedelta(days=o), a) for o, a in payments]
    seen = set()
    for offset in offsets:
        through = due + dt.timedelta(days=offset)
        run, made = interest_runs.create(alpha, through)
        assert made == (through not in seen)
        seen.add(through)
    charges = charges_of(invoice)
    for before, after in zip(charges, charges[1:], strict=False):
        assert before.last_day < after.first_day
    covered = Fraction(0)
    for charge in charges:
        pieces = interest.pieces_of(charge.calculation)
        assert charge.amount == interest.amount_of(pieces)
        covered += sum((p.exact for p in pieces), Fraction(0))
    last = max(due + dt.timedelta(days=o) for o in offsets)
    if charges:
        assert covered == reference_exact(100_000, settled, charges[0].first_day, charges[-1].last_day, lambda d: 1000)
    # What no charge covers up to the latest day rounds to nothing: it waits for a later run.
    start = charges[-1].last_day + DAY if charges else due + DAY
    assert reference_exact(100_000, settled, start, last, lambda d: 1000) < Fraction(1, 2)


# --- runs: once per day, only new days ----------------------------------------------------------------------


def test_same_day_later_day_and_earlier_day(debtor, alpha):
    invoice = owed(alpha, debtor, dt.date(2028, 12, 31), 365_000)  # 10 % a year: 100 a day in 2029
    first, made = interest_runs.create(alpha, dt.date(2029, 1, 31))
    assert made and first.charge_count == 1 and first.total == 3100
    again, made = interest_runs.create(alpha, dt.date(2029, 1, 31))
    assert (again.id, made) == (first.id, False)
    assert InterestCharge.select().count() == 1 and InterestRun.select().count() == 1

    later, made = interest_runs.create(alpha, dt.date(2029, 2, 28))
    assert made and later.total == 2800
    earlier, made = interest_runs.create(alpha, dt.date(2029, 2, 10))
    assert made and earlier.charge_count == 0 and earlier.total == 0
    assert [(c.first_day, c.last_day, c.amount) for c in charges_of(invoice)] == [
        (dt.date(2029, 1, 1), dt.date(2029, 1, 31), 3100),
        (dt.date(2029, 2, 1), dt.date(2029, 2, 28), 2800),
    ]
    assert AuditLog.select().where(AuditLog.action == "billing.interest_run").count() == 3


def test_interest_invoice_per_person_with_a_line_per_invoice_and_no_interest_on_it(debtor, alpha, make_person):
    unit = make_unit(alpha, "7")
    one = owed(alpha, debtor, dt.date(2028, 12, 31), 365_000, unit=unit, number=1001)
    two = owed(alpha, debtor, dt.date(2029, 1, 15), 365_000, unit=unit, number=1002)
    other = make_person(alpha, given_name="Olle", surname="Other")
    owed(alpha, other, dt.date(2029, 1, 15), 36_500, number=1003)
    make_payment(one, 365_000, dt.date(2029, 1, 11))  # late: 10 days of interest

    run, _ = interest_runs.create(alpha, dt.date(2029, 1, 31))
    mine = Invoice.get((Invoice.recipient == debtor) & (Invoice.purpose == Invoice.INTEREST))
    lines = [(line.description, line.amount) for line in mine.lines.order_by(InvoiceLine.position)]
    assert lines == [
        ("Late interest on invoice 1001, Jan 1, 2029–Jan 10, 2029", 1000),
        ("Late interest on invoice 1002, Jan 16, 2029–Jan 31, 2029", 1600),
    ]
    assert mine.total == 2600 and mine.unit_id == unit.id and "Jan 31, 2029" in mine.message
    assert {c.charged_on_id for c in InterestCharge.select().where(InterestCharge.person == debtor)} == {mine.id}
    theirs = Invoice.get((Invoice.recipient == other) & (Invoice.purpose == Invoice.INTEREST))
    assert theirs.total == 160 and theirs.unit_id is None
    assert (run.charge_count, run.total) == (3, 2760)

    # Months later, the unpaid interest invoices bear no interest of their own.
    interest_runs.create(alpha, dt.date(2029, 5, 31))
    charged = {c.invoice_id for c in InterestCharge.select()}
    assert charged == {one.id, two.id, Invoice.get(Invoice.number == 1003).id}
    assert not InterestCharge.select().where(InterestCharge.invoice.in_([mine.id, theirs.id])).exists()


def test_credit_notes_and_write_offs_stop_interest_from_their_day(debtor, alpha):
    invoice = owed(alpha, debtor, dt.date(2028, 12, 31), 365_000)
    credit(invoice, 165_000, dt.date(2029, 1, 11))
    note = Invoice.get(Invoice.kind == Invoice.CREDIT_NOTE)
    Invoice.update(purpose=Invoice.WRITE_OFF).where(Invoice.id == note.id).execute()
    run, _ = interest_runs.create(alpha, dt.date(2029, 1, 20))
    # 10 days on 3,650.00 (1.00 a day), then 10 on 2,000.00: 5.479 a day, rounded once: 10.00 + 5.48.
    assert run.total == 1000 + 548
    assert not InterestCharge.select().where(InterestCharge.invoice == note).exists()


def test_the_minimum_skips_people_and_their_days_wait(debtor, alpha):
    rule(alpha, interest_minimum=2000)
    invoice = owed(alpha, debtor, dt.date(2028, 12, 31), 365_000)
    plan = interest_runs.preview(alpha, dt.date(2029, 1, 10))
    assert plan.people == [] and [p.name for p in plan.below_minimum] == ["Dana Debtor"]
    assert plan.below_minimum[0].total == 1000
    run, _ = interest_runs.create(alpha, dt.date(2029, 1, 10))
    assert run.charge_count == 0 and not InterestCharge.select().exists()
    interest_runs.create(alpha, dt.date(2029, 1, 20))
    assert [(c.first_day, c.last_day, c.amount) for c in charges_of(invoice)] == [
        (dt.date(2029, 1, 1), dt.date(2029, 1, 20), 2000)
    ]


def test_the_preview_names_days_without_a_reference_rate(debtor, alpha):
    rule(alpha, interest_mode=BillingSettings.INTEREST_REFERENCE, interest_margin=800, interest_reference="ECB")
    ReferenceRate.create(association=alpha, valid_from=dt.date(2029, 1, 11), rate=450)
    owed(alpha, debtor, dt.date(2028, 12, 31), 365_000)
    plan = interest_runs.preview(alpha, dt.date(2029, 1, 20))
    assert plan.missing == (dt.date(2029, 1, 1), dt.date(2029, 1, 10))
    (item,) = plan.people[0].invoices
    assert [(p.first, p.rate) for p in item.pieces] == [(dt.date(2029, 1, 11), 1250)]


def test_interest_stays_off_when_there_is_no_rule(debtor, alpha):
    rule(alpha, interest_mode=BillingSettings.INTEREST_NONE)
    owed(alpha, debtor, dt.date(2028, 12, 31))
    assert interest_runs.preview(alpha, dt.date(2029, 3, 1)).people == []
    with pytest.raises(interest_runs.InterestRunError):
        interest_runs.create(alpha, dt.date(2029, 3, 1))
    assert not InterestRun.select().exists()


# --- instalment plans -----------------------------------------------------------------------------------


def _plan(alpha, person, made_on: dt.date, state=InstalmentPlan.ACTIVE) -> InstalmentPlan:
    return InstalmentPlan.create(
        association=alpha,
        person=person,
        total=365_000,
        instalment_count=1,
        first_due=dt.date(2029, 3, 31),
        state=state,
        created_at=dt.datetime.combine(made_on, dt.time(10)),
    )


@pytest.mark.parametrize("during_plan", [True, False])
def test_debt_moved_into_a_plan_and_its_instalments(debtor, alpha, during_plan):
    rule(alpha, interest_during_plan=during_plan)
    debt = owed(alpha, debtor, dt.date(2028, 12, 31), 365_000)
    plan = _plan(alpha, debtor, dt.date(2029, 1, 21))
    moved = credit(debt, 365_000, dt.date(2029, 1, 21))  # the debt moves into the plan: settled that day
    Invoice.update(purpose=Invoice.INTO_PLAN).where(Invoice.id == moved.id).execute()
    instalment = owed(
        alpha,
        debtor,
        dt.date(2029, 3, 31),
        365_000,
        issue_date=dt.date(2029, 1, 21),
        purpose=Invoice.INSTALMENT,
        plan=plan.id,
    )
    interest_runs.create(alpha, dt.date(2029, 4, 10))
    assert [(c.first_day, c.last_day) for c in charges_of(debt)] == [(dt.date(2029, 1, 1), dt.date(2029, 1, 20))]
    expected = (
        [(dt.date(2029, 1, 21), dt.date(2029, 4, 10))] if during_plan else [(dt.date(2029, 4, 1), dt.date(2029, 4, 10))]
    )
    assert [(c.first_day, c.last_day) for c in charges_of(instalment)] == expected


def test_a_cancelled_plan_instalment_is_an_invoice_like_any_other(debtor, alpha):
    rule(alpha, interest_during_plan=True)
    plan = _plan(alpha, debtor, dt.date(2029, 1, 21), state=InstalmentPlan.CANCELLED)
    instalment = owed(alpha, debtor, dt.date(2029, 3, 31), 365_000, purpose=Invoice.INSTALMENT, plan=plan.id)
    interest_runs.create(alpha, dt.date(2029, 4, 10))
    assert [(c.first_day, c.last_day) for c in charges_of(instalment)] == [(dt.date(2029, 4, 1), dt.date(2029, 4, 10))]


# --- "line" mode: the next invoice run carries it -------------------------------------------------------------


def test_line_mode_waits_for_the_next_invoice_run(debtor, alpha):
    rule(alpha, interest_charged_as=BillingSettings.INTEREST_AS_LINE)
    unit = make_unit(alpha, "11")
    Ownership.create(unit=unit, person=debtor, is_main=True, started_on=dt.date(2020, 1, 1))
    Charge.create(association=alpha, unit=unit, description="Monthly fee", amount=416_700)
    owed(alpha, debtor, dt.date(2029, 3, 31), 365_000)
    run, _ = interest_runs.create(alpha, dt.date(2029, 4, 30))
    assert run.total == 3000 and InterestCharge.get().charged_on_id is None
    assert interest_runs.waiting(alpha) == (1, 3000)

    drafts = invoicing.preview_run(alpha, dt.date(2029, 6, 1))
    (draft,) = [d for d in drafts if d.recipient and d.recipient.id == debtor.id]
    assert [(line.description, line.amount) for line in draft.lines] == [
        ("Monthly fee", 416_700),
        ("Late interest", 3000),
    ]
    assert InterestCharge.get().charged_on_id is None  # a preview changes nothing

    invoicing.create_run(alpha, dt.date(2029, 6, 1))
    june = Invoice.get(Invoice.run_key.startswith("2029-06:unit"))
    assert june.total == 416_700 + 3000
    assert [line.description for line in june.lines.order_by(InvoiceLine.position)] == ["Monthly fee", "Late interest"]
    assert InterestCharge.get().charged_on_id == june.id
    assert interest_runs.waiting(alpha) == (0, 0)

    # The next month's run carries nothing more, and June's invoice bears interest only on its fee.
    invoicing.create_run(alpha, dt.date(2029, 7, 1))
    july = Invoice.get(Invoice.run_key.startswith("2029-07:unit"))
    assert july.total == 416_700
    rule(alpha, interest_charged_as=BillingSettings.INTEREST_AS_INVOICE)
    plan = interest_runs.preview(alpha, june.due_date + dt.timedelta(days=10))
    (june_interest,) = [item for item in plan.people[0].invoices if item.invoice_id == june.id]
    assert {piece.principal for piece in june_interest.pieces} == {416_700}


# --- cost -------------------------------------------------------------------------------------------------------


def count_queries(action) -> int:
    count = 0

    def tick():
        nonlocal count
        count += 1

    db.obj.counter = tick
    try:
        action()
    finally:
        db.obj.counter = None
    return count


def test_the_calculation_costs_the_same_queries_for_any_number_of_invoices(debtor, alpha, make_person):
    settings_ = rule(alpha, interest_mode=BillingSettings.INTEREST_REFERENCE, interest_margin=800)
    ReferenceRate.create(association=alpha, valid_from=dt.date(2020, 1, 1), rate=400)

    def grow(count):
        for n in range(count):
            person = make_person(alpha, surname=f"Late{n}")
            invoice = owed(alpha, person, dt.date(2029, 1, 31) - dt.timedelta(days=n))
            make_payment(invoice, 1000, dt.date(2029, 2, 15))
            credit(invoice, 500, dt.date(2029, 2, 20))

    def measure():
        return count_queries(lambda: interest.overdue_interest(alpha, settings_, dt.date(2029, 5, 1)))

    grow(2)
    small = measure()
    grow(30)
    assert measure() == small


def test_money_paid_ahead_settles_the_interest_invoice(debtor, alpha):
    late = owed(alpha, debtor, dt.date(2028, 12, 31), 365_000)
    receipt = allocation.receive(debtor, 370_000, dt.date(2029, 1, 11))  # 10 days late, 50.00 over
    assert Invoice.get_by_id(late.id).paid_total == 365_000 and allocation.credit_of(debtor) == 5000
    interest_runs.create(alpha, dt.date(2029, 1, 31))
    mine = Invoice.get(Invoice.purpose == Invoice.INTEREST)
    assert (mine.total, mine.paid_total) == (1000, 1000)
    assert allocation.credit_of(debtor) == 4000
    assert {p.receipt_id for p in Payment.select().where(Payment.invoice == mine)} == {receipt.id}
