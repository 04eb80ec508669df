"""Charging late interest (issue 13 item 2): "charge interest through day X", previewed first.

A run is made once per day `through` (InterestRun is unique per association and day): running the same
day again changes nothing. Each invoice is charged from the day after the last day an earlier charge of
it covered, so a later `through` charges only the new days and an earlier one nothing already covered
(interest.py works out the days). People owing less than the association's minimum are skipped: their
days stay uncharged, and a later run charges them with the rest once the sum reaches the minimum.

The interest becomes, by the association's choice, one interest invoice per person (purpose INTEREST,
one line per overdue invoice), or waits (charged_on None) for the next invoice run, which adds it to the
person's first invoice of that run as a line (interest_lines.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from blueprints.billing import allocation, interest, invoicing
from blueprints.billing.interest import InvoiceInterest
from blueprints.billing.money import Line, totals
from core.audit import audit
from models.billing import BankFile, BillingSettings, InterestCharge, InterestRun, Invoice, InvoiceLine
from models.db import transaction
from models.portal import Association, User
from models.register import Building, Person, Unit


@dataclass
class PersonInterest:
    """What one person would be charged: their invoices' interest (each rounded once) and the sum."""

    person_id: int
    name: str
    invoices: list[InvoiceInterest] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(item.amount for item in self.invoices)


@dataclass
class Preview:
    """What a run through a day would charge, whom it skips and why, and what the board should know first."""

    through: dt.date
    settings: BillingSettings
    done: InterestRun | None  # this day was run already: nothing more is charged for it
    latest: dt.date | None  # the latest day an earlier run charged through
    people: list[PersonInterest]
    below_minimum: list[PersonInterest]
    missing: tuple[dt.date, dt.date] | None  # owing, but no reference rate in force on these days
    # The last day the booked bank files cover, when it is before `through`: payments made after it are not
    # known yet, and interest would be charged on money that may already be paid (None: nothing to say).
    bank_known_until: dt.date | None = None

    @property
    def is_on(self) -> bool:
        return self.settings.interest_mode != BillingSettings.INTEREST_NONE

    @property
    def total(self) -> int:
        return sum(person.total for person in self.people)

    @property
    def charge_count(self) -> int:
        return sum(len(person.invoices) for person in self.people)

    @property
    def as_line(self) -> bool:
        return self.settings.interest_charged_as == BillingSettings.INTEREST_AS_LINE


def preview(association: Association, through: dt.date) -> Preview:
    """Every charge a run through `through` would make, by person; nothing is written."""
    settings = BillingSettings.for_association(association)
    done = InterestRun.of(association).where(InterestRun.through == through).first()
    latest = InterestRun.of(association).select(pw.fn.MAX(InterestRun.through)).scalar()
    found = [] if done else interest.overdue_interest(association, settings, through)
    people: dict[int, PersonInterest] = {}
    gaps = [gap for item in found for gap in item.missing]
    for item in found:
        if item.pieces and item.amount > 0:  # less than one minor unit so far: its days wait
            people.setdefault(item.person_id, PersonInterest(item.person_id, item.person_name)).invoices.append(item)
    charged = [person for person in people.values() if person.total >= settings.interest_minimum]
    below = [person for person in people.values() if person.total < settings.interest_minimum]
    missing = (min(first for first, _ in gaps), max(last for _, last in gaps)) if gaps else None
    return Preview(through, settings, done, latest, charged, below, missing, _bank_known_until(association, through))


def _bank_known_until(association: Association, through: dt.date) -> dt.date | None:
    """The last day of the latest booked bank file, if the association imports bank files and it is before
    `through` (an association that records payments by hand alone is not warned)."""
    last = (
        BankFile.of(association).select(pw.fn.MAX(BankFile.last_day)).where(BankFile.state == BankFile.BOOKED).scalar()
    )
    return last if last is not None and last < through else None


class InterestRunError(ValueError):
    """A run the rules refuse (late interest is off); the message is for the board."""


def create(association: Association, through: dt.date, *, user: User | None = None) -> tuple[InterestRun, bool]:
    """Charge what the preview shows, in one transaction; (the run, whether it was made now). A day run
    before returns its run and charges nothing."""
    settings = BillingSettings.for_association(association)
    if settings.interest_mode == BillingSettings.INTEREST_NONE:
        raise InterestRunError(_("Late interest is off: choose a rule in the late interest settings first."))
    with transaction():
        # A write first: it locks the settings row (PostgreSQL) or the database (SQLite), so a second run
        # waits here and then sees this one's charges: no day is charged twice.
        BillingSettings.bump(association)
        existing = InterestRun.of(association).where(InterestRun.through == through).first()
        if existing is not None:
            return existing, False
        plan = preview(association, through)
        run = InterestRun.create(
            association=association,
            through=through,
            charged_as=settings.interest_charged_as,
            charge_count=plan.charge_count,
            total=plan.total,
            created_by=user,
        )
        made = {} if plan.as_line else _interest_invoices(association, plan, user)
        rows = [
            {
                "association": association.id,
                "run": run.id,
                "invoice": item.invoice_id,
                "person": person.person_id,
                "first_day": item.first_day,
                "last_day": item.last_day,
                "amount": item.amount,
                "calculation": interest.dump(item.pieces),
                "charged_on": made[person.person_id].id if person.person_id in made else None,
            }
            for person in plan.people
            for item in person.invoices
        ]
        for start in range(0, len(rows), 2000):
            InterestCharge.insert_many(rows[start : start + 2000]).execute()
        audit(
            "billing.interest_run",
            actor=user,
            association=association,
            target=f"interest_run:{run.id}",
            through=through.isoformat(),
            charged_as=run.charged_as,
            charges=run.charge_count,
            total=run.total,
            interest_invoices=len(made),
        )
    run.interest_invoices = list(made.values())
    return run, True


def _interest_invoices(association: Association, plan: Preview, user: User | None) -> dict[int, Invoice]:
    """One interest invoice per person, a line per overdue invoice; {person id: invoice}.

    Written in bulk with invoicing's own row (number, reference, recipient as sent, totals), as an invoice
    run writes its invoices: one by one through create_invoice, 1,900 of them took eight seconds."""
    if not plan.people:
        return {}
    settings = BillingSettings.for_association(association)
    recipients = _by_id(Person.select(), [person.person_id for person in plan.people])
    unit_ids = sorted({item.unit_id for person in plan.people for item in person.invoices if item.unit_id})
    units = _by_id(Unit.select(Unit, Building).join(Building), unit_ids)
    today = association.today()
    due = today + dt.timedelta(days=settings.payment_terms_days)
    first_number = invoicing.reserve_numbers(association, len(plan.people))
    invoices, lines = [], []
    with force_locale(association.locale):  # written as the association writes, like a run's lines
        message = _("Late interest up to and including %(date)s.", date=format_date(plan.through, "medium"))
        for offset, person in enumerate(plan.people):
            drafted = [Line(line_text(item), item.amount, 0) for item in person.invoices]
            owned = {item.unit_id for item in person.invoices}
            row = invoicing.invoice_row(
                association,
                settings,
                first_number + offset,
                recipients[person.person_id],
                totals(drafted),
                unit=units.get(owned.pop()) if len(owned) == 1 else None,
                issue_date=today,
                due_date=due,
                message=message,
                user=user,
            )
            row["purpose"] = Invoice.INTEREST
            invoices.append(row)
            lines.append(drafted)
    for start in range(0, len(invoices), 1000):
        Invoice.insert_many(invoices[start : start + 1000]).execute()
    made = {
        invoice.number: invoice
        for invoice in Invoice.select(Invoice.id, Invoice.number, Invoice.recipient, Invoice.recipient_address).where(
            (Invoice.association == association)
            & Invoice.number.between(first_number, first_number + len(plan.people) - 1)
        )
    }
    line_rows = [
        {
            "invoice": made[first_number + offset].id,
            "position": position,
            "description": line.description[:200],
            "amount": line.amount,
            "vat_rate": 0,
            "vat_amount": 0,
        }
        for offset, drafted in enumerate(lines)
        for position, line in enumerate(drafted)
    ]
    for start in range(0, len(line_rows), 2000):
        InvoiceLine.insert_many(line_rows[start : start + 2000]).execute()
    # Money paid ahead settles the interest invoices too, as it settles any new invoice.
    allocation.settle_credits(association, set(recipients), user=user)
    return {person.person_id: made[first_number + offset] for offset, person in enumerate(plan.people)}


def _by_id(query: pw.ModelSelect, ids: list[int]) -> dict[int, pw.Model]:
    """Rows of `query` with these ids, by id, in chunks the databases' parameter limits allow."""
    model = query.model
    found = {}
    for start in range(0, len(ids), 5000):
        found.update({row.id: row for row in query.where(model.id.in_(ids[start : start + 5000]))})
    return found


def line_text(item: InvoiceInterest) -> str:
    """ "Late interest on invoice 1001, 1 Feb 2027–28 Feb 2027" (in the current locale)."""
    return _(
        "Late interest on invoice %(number)s, %(first)s–%(last)s",
        number=item.number,
        first=format_date(item.first_day, "medium"),
        last=format_date(item.last_day, "medium"),
    )


# --- reading ---------------------------------------------------------------------------------------


def runs_of(association: Association) -> pw.ModelSelect:
    """The association's interest runs, latest day first, with who made them."""
    return (
        InterestRun.select(InterestRun, User)
        .join(User, pw.JOIN.LEFT_OUTER, on=(InterestRun.created_by == User.id))
        .where(InterestRun.association == association)
        .order_by(InterestRun.through.desc())
    )


def charges_of(run: InterestRun) -> list[InterestCharge]:
    """A run's charges with their invoice, person and where they were charged, in one query."""
    overdue = Invoice.alias("overdue")
    carrier = Invoice.alias("carrier")
    return list(
        InterestCharge.select(
            InterestCharge,
            overdue.id,
            overdue.number,
            overdue.due_date,
            Person.id,
            Person.given_name,
            Person.surname,
            carrier.id,
            carrier.number,
            carrier.purpose,
        )
        .join(overdue, on=(InterestCharge.invoice == overdue.id))
        .switch(InterestCharge)
        .join(Person, on=(InterestCharge.person == Person.id))
        .switch(InterestCharge)
        .join(carrier, pw.JOIN.LEFT_OUTER, on=(InterestCharge.charged_on == carrier.id))
        .where(InterestCharge.run == run)
        .order_by(*Person.name_order(), overdue.due_date, overdue.number)
    )


def waiting(association: Association) -> tuple[int, int]:
    """Charges waiting for the next invoice run ("line" mode): (how many, their sum)."""
    count, total = (
        InterestCharge.select(pw.fn.COUNT(InterestCharge.id), pw.fn.SUM(InterestCharge.amount))
        .where((InterestCharge.association == association) & InterestCharge.charged_on.is_null())
        .tuples()
        .get()
    )
    return int(count or 0), int(total or 0)
