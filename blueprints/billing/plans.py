"""Instalment plans (SPEC B7, issue 13 item 5): a debtor's debt paid in instalments.

Making a plan moves the chosen invoices' open amounts into it in one transaction: each invoice gets a
credit note for what was open (purpose INTO_PLAN, "Moved to instalment plan N"), so it reads as settled;
a PlanDebt row keeps what moved; and one invoice per instalment is issued (purpose INSTALMENT, pointing
at the plan), each with its own number and payment reference, due on the schedule's dates. What the
person owes overall does not change: the open amounts moved are exactly the instalments' total.

The split is exact in minor units: every instalment is total // count, and the first instalment also
carries the remainder (1,000.00 in three: 333.34, 333.33, 333.33), so the schedule always adds up.

A plan completes when every instalment is paid (or credited): complete_paid_plans() marks it, and the
pages call it before they read plans; settle_plans_of() is the same after payments to some invoices.
Cancelling credits the unpaid instalments and issues one invoice for the remaining debt, due at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from blueprints.billing import invoicing
from blueprints.billing.money import Line
from core import clock
from core.audit import audit
from core.text import lazy_gettext as _l
from core.text import lazy_pgettext as _lp
from models import Association, Person, User
from models.billing import InstalmentPlan, Invoice, PlanDebt, people_of
from models.db import transaction
from models.register import Unit

MAX_INSTALMENTS = 60
MAX_INTERVAL_MONTHS = 12
NOTE_MAX = 1000
REASON_MAX = 200

_OPEN = Invoice.total - Invoice.paid_total - Invoice.credited_total

# An instalment as the plan page shows it.
PAID, LATE, OPEN, CANCELLED = "paid", "late", "open", "cancelled"
STATUSES = {
    PAID: _lp("instalment status", "Paid"),
    LATE: _lp("instalment status", "Late"),
    OPEN: _lp("instalment status", "Open"),
    CANCELLED: _lp("instalment status", "Cancelled"),
}


class PlanError(ValueError):
    """A plan the rules refuse; `message` is shown to the board."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- the schedule ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instalment:
    number: int  # 1, 2, …
    due_date: dt.date
    amount: int  # minor units


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1: 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule(total: int, count: int, first_due: dt.date, interval_months: int = 1) -> list[Instalment]:
    """`total` split into `count` instalments, exact in minor units: the first carries the remainder.

    Each due date is counted from the first (not from the one before), so a plan starting on the 31st
    falls due on the last day of the shorter months and on the 31st again after them."""
    if count < 1 or total < count:
        raise PlanError(_l("Each instalment must be at least the smallest amount of the currency."))
    base, remainder = divmod(total, count)
    return [
        Instalment(n + 1, add_months(first_due, n * interval_months), base + (remainder if n == 0 else 0))
        for n in range(count)
    ]


# --- what can move into a plan -------------------------------------------------------------------


def movable_invoices(person: Person | int) -> pw.ModelSelect:
    """The person's invoices with something open, oldest due date first, that a plan can take: every one
    but an instalment (an instalment still open belongs to a plan that is kept)."""
    return (
        Invoice.select()
        .where((Invoice.recipient == person) & (Invoice.kind == Invoice.INVOICE) & (_OPEN > 0))
        .where(Invoice.purpose != Invoice.INSTALMENT)
        .order_by(Invoice.due_date, Invoice.number)
    )


# --- making a plan --------------------------------------------------------------------------------


@dataclass
class Made:
    plan: InstalmentPlan
    credit_notes: list[Invoice]
    instalments: list[Invoice]


def check_terms(count: int, first_due: dt.date, interval_months: int, today: dt.date) -> None:
    """Raise PlanError unless the number of instalments, the first due date and the interval can make a plan."""
    if not 1 <= count <= MAX_INSTALMENTS:
        raise PlanError(_l("Choose between 1 and %(max)d instalments.", max=MAX_INSTALMENTS))
    if not 1 <= interval_months <= MAX_INTERVAL_MONTHS:
        raise PlanError(_l("Choose an interval of 1 to %(max)d months.", max=MAX_INTERVAL_MONTHS))
    if first_due < today:
        raise PlanError(_l("The first instalment cannot fall due in the past."))


def create_plan(
    person: Person,
    invoice_ids: Iterable[int],
    count: int,
    first_due: dt.date,
    interval_months: int = 1,
    *,
    expected_total: int | None = None,
    note: str = "",
    user: User | None = None,
) -> Made:
    """Move the open amounts of the person's chosen invoices into a new plan of `count` instalments.

    `expected_total` is the total the board saw in the preview: when a payment or a credit note changed
    an open amount meanwhile, nothing is made (PlanError). Returns the plan, its credit notes and its
    instalment invoices; the caller starts their delivery (delivery.start) in the same transaction."""
    association: Association = person.association
    today = association.today()
    check_terms(count, first_due, interval_months, today)
    wanted = sorted({int(i) for i in invoice_ids})
    if not wanted:
        raise PlanError(_l("Choose at least one invoice to move into the plan."))
    with transaction():
        # A write first: it locks the invoices (PostgreSQL) or the database (SQLite), so a payment or a
        # second click waits, and what is read below is what the plan takes.
        Invoice.update(credited_total=Invoice.credited_total).where(Invoice.id.in_(wanted)).execute()
        invoices = list(movable_invoices(person.id).where(Invoice.id.in_(wanted)))
        total = sum(invoice.outstanding for invoice in invoices)
        if len(invoices) != len(wanted) or (expected_total is not None and total != expected_total):
            raise PlanError(_l("The invoices changed meanwhile (a payment or a credit note): look at the plan again."))
        parts = schedule(total, count, first_due, interval_months)
        units = {invoice.unit_id for invoice in invoices}
        plan = InstalmentPlan.create(
            association=association,
            person=person,
            unit=units.pop() if len(units) == 1 else None,
            total=total,
            instalment_count=count,
            first_due=first_due,
            interval_months=interval_months,
            note=(note or "").strip()[:NOTE_MAX],
            created_by=user,
        )
        credit_notes = [_move_into(plan, invoice, user) for invoice in invoices]
        instalments = [_issue_instalment(plan, person, part, count, today, user) for part in parts]
        audit(
            "billing.plan_created",
            actor=user,
            association=association,
            target=f"instalment_plan:{plan.id}",
            person=person.id,
            total=total,
            instalments=count,
            invoices=[invoice.number for invoice in invoices],
        )
    return Made(plan, credit_notes, instalments)


def _words(association: Association, message) -> str:
    """A line or message as the invoice stores and prints it: `message()` in the association's language."""
    with force_locale(association.locale):
        return message()


def _move_into(plan: InstalmentPlan, invoice: Invoice, user: User | None) -> Invoice:
    """Credit what is open on `invoice` into the plan (purpose INTO_PLAN) and record it as the plan's debt."""
    association = plan.association
    amount = invoice.outstanding
    text = _words(association, lambda: _("Moved to instalment plan %(plan)s", plan=plan.id))
    note = invoicing.create_invoice(
        association,
        plan.person,
        [Line(text, amount)],
        unit=invoice.unit if invoice.unit_id else None,
        contract=invoice.contract if invoice.contract_id else None,
        message=text,
        user=user,
        kind=Invoice.CREDIT_NOTE,
        credits=invoice,
    )
    Invoice.update(purpose=Invoice.INTO_PLAN).where(Invoice.id == note.id).execute()
    note.purpose = Invoice.INTO_PLAN
    PlanDebt.create(plan=plan, invoice=invoice, amount=amount)
    return note


def _issue_instalment(
    plan: InstalmentPlan, person: Person, part: Instalment, count: int, today: dt.date, user: User | None
) -> Invoice:
    association = plan.association
    text = _words(
        association,
        lambda: _("Instalment %(number)s of %(count)s, instalment plan %(plan)s", number=part.number, count=count,
                  plan=plan.id),
    )  # fmt: skip
    invoice = invoicing.create_invoice(
        association,
        person,
        [Line(text, part.amount)],
        unit=plan.unit if plan.unit_id else None,
        issue_date=today,
        due_date=part.due_date,
        message=text,
        user=user,
    )
    Invoice.update(purpose=Invoice.INSTALMENT, plan=plan.id).where(Invoice.id == invoice.id).execute()
    invoice.purpose, invoice.plan_id = Invoice.INSTALMENT, plan.id
    return invoice


# --- completing and cancelling ----------------------------------------------------------------------


def _has_instalment(*, still_open: bool) -> pw.Expression:
    """Whether the outer query's plan has an instalment (with `still_open`, one still to pay).

    Asked plan by plan, through the index of invoices by plan: as a list of every plan's open instalments
    SQLite read the whole invoice table for it, on every resident's balance page (1.7 ms at 10,000)."""
    rule = (Invoice.plan == InstalmentPlan.id) & (Invoice.purpose == Invoice.INSTALMENT)
    return pw.fn.EXISTS(Invoice.select(pw.SQL("1")).where(rule & (_OPEN > 0) if still_open else rule))


def _has_open_instalment() -> pw.Expression:
    return _has_instalment(still_open=True)


def complete_paid_plans(association: Association | int, plan_ids: Iterable[int] | None = None) -> int:
    """Mark the association's kept plans (or those of `plan_ids`) whose every instalment is paid as
    completed; how many. One UPDATE: the pages call it before they read plans."""
    P = InstalmentPlan
    where = (P.association == association) & (P.state == P.ACTIVE) & ~_has_open_instalment()
    where &= _has_instalment(still_open=False)
    if plan_ids is not None:
        ids = sorted(set(plan_ids))
        if not ids:
            return 0
        where &= P.id.in_(ids)
    return P.update(state=P.COMPLETED, ended_at=clock.utcnow_naive()).where(where).execute()


def settle_plans_of(invoice_ids: Iterable[int]) -> int:
    """After payments to these invoices: complete the plans whose last instalment they paid (for the
    allocation and bank import code to call; the pages also check on every view)."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return 0
    rows = (
        Invoice.select(Invoice.association, Invoice.plan)
        .where(Invoice.id.in_(ids) & Invoice.plan.is_null(False) & (Invoice.purpose == Invoice.INSTALMENT))
        .distinct()
        .tuples()
    )
    by_association: dict[int, set[int]] = {}
    for association_id, plan_id in rows:
        by_association.setdefault(association_id, set()).add(plan_id)
    return sum(complete_paid_plans(a, plans) for a, plans in by_association.items())


@dataclass
class Cancelled:
    credit_notes: list[Invoice]
    remaining: Invoice | None  # the new invoice for what was left, None when nothing was


def cancel_plan(plan: InstalmentPlan, reason: str, *, user: User | None = None) -> Cancelled:
    """End a kept plan: credit each unpaid instalment's open amount and issue one invoice for the sum,
    "Remaining debt of instalment plan N", due today. The reason is kept in the plan's note and the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise PlanError(_l("Say why the plan is cancelled."))
    if len(reason) > REASON_MAX:
        raise PlanError(_l("The reason can be at most %(max)d characters.", max=REASON_MAX))
    association = plan.association
    complete_paid_plans(association, [plan.id])
    today = association.today()
    with transaction():
        P = InstalmentPlan
        ended_note = _words(
            association, lambda: _("Cancelled on %(date)s: %(reason)s", date=format_date(today), reason=reason)
        )
        note = f"{plan.note}\n\n{ended_note}" if plan.note else ended_note
        ended = (
            P.update(state=P.CANCELLED, ended_at=clock.utcnow_naive(), note=note[: NOTE_MAX + REASON_MAX + 100])
            .where((P.id == plan.id) & (P.state == P.ACTIVE))
            .execute()
        )
        if not ended:
            raise PlanError(_l("This plan has already ended."))
        unpaid = list(
            Invoice.select()
            .where((Invoice.plan == plan.id) & (Invoice.purpose == Invoice.INSTALMENT) & (_OPEN > 0))
            .order_by(Invoice.due_date, Invoice.number)
        )
        person = plan.person
        unit = plan.unit if plan.unit_id else None
        credit_notes, remaining = [], 0
        for instalment in unpaid:
            left = instalment.outstanding
            text = _words(association, lambda: _("Instalment plan %(plan)s cancelled", plan=plan.id))
            credit_notes.append(
                invoicing.create_invoice(
                    association,
                    person,
                    [Line(text, left)],
                    unit=unit,
                    message=text,
                    user=user,
                    kind=Invoice.CREDIT_NOTE,
                    credits=instalment,
                )  # fmt: skip
            )
            remaining += left
        new_invoice = None
        if remaining:
            text = _words(association, lambda: _("Remaining debt of instalment plan %(plan)s", plan=plan.id))
            new_invoice = invoicing.create_invoice(
                association, person, [Line(text, remaining)], unit=unit, issue_date=today, due_date=today,
                message=text, user=user,
            )  # fmt: skip
            # It points at its plan (purpose stays CHARGES: it is ordinary debt again, not an instalment).
            Invoice.update(plan=plan.id).where(Invoice.id == new_invoice.id).execute()
            new_invoice.plan_id = plan.id
        audit(
            "billing.plan_cancelled",
            actor=user,
            association=association,
            target=f"instalment_plan:{plan.id}",
            reason=reason,
            remaining=remaining,
            invoice=new_invoice.number if new_invoice else None,
        )
    plan.state = InstalmentPlan.CANCELLED
    return Cancelled(credit_notes, new_invoice)


# --- reading a plan ---------------------------------------------------------------------------------


@dataclass
class InstalmentRow:
    number: int
    invoice: Invoice
    status: str

    @property
    def amount(self) -> int:
        return self.invoice.total

    @property
    def paid(self) -> int:
        return self.invoice.paid_total

    @property
    def left(self) -> int:
        return self.invoice.outstanding

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])


@dataclass
class PlanPage:
    plan: InstalmentPlan
    person: Person
    unit: Unit | None
    rows: list[InstalmentRow]
    debts: list[tuple[PlanDebt, Invoice]]  # what moved in, with the original invoice
    remaining_invoice: Invoice | None  # the invoice a cancelled plan's rest went to

    @property
    def paid(self) -> int:
        return sum(row.paid for row in self.rows)

    @property
    def remaining(self) -> int:
        return sum(row.left for row in self.rows)

    @property
    def late(self) -> list[InstalmentRow]:
        return [row for row in self.rows if row.status == LATE]

    @property
    def late_amount(self) -> int:
        return sum(row.left for row in self.late)

    @property
    def remainder_note(self) -> bool:
        """Whether the split left a remainder, which the first instalment carries."""
        return self.plan.total % self.plan.instalment_count != 0


def instalment_status(invoice: Invoice, today: dt.date) -> str:
    if invoice.outstanding == 0:
        return CANCELLED if invoice.credited_total > 0 and invoice.paid_total < invoice.total else PAID
    return LATE if invoice.due_date < today else OPEN


def plan_page(plan: InstalmentPlan, today: dt.date) -> PlanPage:
    """A plan with its instalments (due date, amount, paid, left, status), what moved in and, once
    cancelled, where the rest went: four queries."""
    invoices = list(
        Invoice.select()
        .where((Invoice.plan == plan.id) & (Invoice.kind == Invoice.INVOICE))
        .order_by(Invoice.due_date, Invoice.number)
    )
    instalments = [i for i in invoices if i.purpose == Invoice.INSTALMENT]
    rest = next((i for i in invoices if i.purpose != Invoice.INSTALMENT), None)
    rows = [InstalmentRow(n, inv, instalment_status(inv, today)) for n, inv in enumerate(instalments, start=1)]
    debts = [
        (debt, debt.invoice)
        for debt in PlanDebt.select(PlanDebt, Invoice)
        .join(Invoice)
        .where(PlanDebt.plan == plan.id)
        .order_by(Invoice.due_date, Invoice.number)
    ]
    person = Person.get_by_id(plan.person_id)
    unit = Unit.get_or_none(Unit.id == plan.unit_id) if plan.unit_id else None
    return PlanPage(plan=plan, person=person, unit=unit, rows=rows, debts=debts, remaining_invoice=rest)


# --- lists --------------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    plan: InstalmentPlan
    person_name: str
    paid: int
    left: int
    late: int  # the unpaid amount of instalments past their due date


PAGE = 50


def plan_list(association: Association, state: str, page: int, today: dt.date) -> tuple[list[PlanRow], bool]:
    """A page of the association's plans, newest first, optionally of one state, with paid, left and late
    amounts per plan: one aggregate query."""
    late = pw.Case(None, (((Invoice.due_date < today) & (_OPEN > 0), _OPEN),), 0)
    query = (
        InstalmentPlan.select(
            InstalmentPlan,
            Person.given_name,
            Person.surname,
            pw.fn.COALESCE(pw.fn.SUM(Invoice.paid_total), 0).alias("paid"),
            pw.fn.COALESCE(pw.fn.SUM(pw.Case(None, ((_OPEN > 0, _OPEN),), 0)), 0).alias("left"),
            pw.fn.COALESCE(pw.fn.SUM(late), 0).alias("late"),
        )
        .join(Person, on=(InstalmentPlan.person == Person.id))
        .switch(InstalmentPlan)
        .join(
            Invoice,
            pw.JOIN.LEFT_OUTER,
            on=((Invoice.plan == InstalmentPlan.id) & (Invoice.purpose == Invoice.INSTALMENT)),
        )
        .where(InstalmentPlan.association == association)
        .group_by(InstalmentPlan.id, Person.id)
        .order_by(InstalmentPlan.created_at.desc(), InstalmentPlan.id.desc())
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    )
    if state in InstalmentPlan.STATES:
        query = query.where(InstalmentPlan.state == state)
    rows = [
        PlanRow(
            plan=plan,
            person_name=f"{plan.person.given_name} {plan.person.surname}".strip(),
            paid=int(plan.paid or 0),
            left=int(plan.left or 0),
            late=int(plan.late or 0),
        )
        for plan in query
    ]
    return rows[:PAGE], len(rows) > PAGE


def plans_of(person: Person | int) -> list[InstalmentPlan]:
    """A person's plans, the kept ones first, then the newest."""
    order = pw.Case(InstalmentPlan.state, ((InstalmentPlan.ACTIVE, 0),), 1)
    return list(
        InstalmentPlan.select()
        .where(InstalmentPlan.person == person)
        .order_by(order, InstalmentPlan.created_at.desc(), InstalmentPlan.id.desc())
    )


def active_plans_of(membership) -> list[InstalmentPlan]:
    """The member's own kept plans with something left to pay (for the links on their balance page):
    read only, so a plan whose last instalment was just paid is not listed even before a page marks it."""
    mine = InstalmentPlan.person.in_(people_of(membership.association, membership.user_id))
    return list(
        InstalmentPlan.of(membership.association)
        .where(mine & (InstalmentPlan.state == InstalmentPlan.ACTIVE) & _has_open_instalment())
        .order_by(InstalmentPlan.created_at, InstalmentPlan.id)
    )
