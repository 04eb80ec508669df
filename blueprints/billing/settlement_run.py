"""Running the yearly settlement (SPEC B9): one action writes every unit's result, and the invoice or the
credit that settles it, then a job makes and mails each unit's statement.

In one transaction: a SettlementUnit per unit (its shares, advances and difference as the preview showed
them), an invoice (purpose SETTLEMENT, one line per service with what the unit still owes for it, less any
service it overpaid) for each unit that owes, and a Receipt (source SETTLEMENT) of the surplus for each unit
that paid too much: the credit settles the owner's open invoices and then their next ones, as any money paid
ahead does. Both go to the unit's main owner on the year's last day, as an invoice run chooses. The state
becomes "running" and the job jobs.settlements.deliver makes the statements.

Idempotent: a settlement leaves the draft state once (a guarded UPDATE); running it again creates nothing and
only wakes the job up again for statements not made or mailed yet.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.billing import allocation, invoicing
from blueprints.billing.money import Line, totals
from blueprints.billing.settlement import Preview, detail_of, main_owners, preview
from core import clock
from core.audit import audit
from core.queue import dispatch, enqueue
from models.billing import BillingSettings, Invoice, InvoiceLine, Receipt, Settlement, SettlementUnit
from models.db import transaction
from models.portal import Association, User
from models.register import Person, Unit

DELIVER_JOB = "jobs.settlements.deliver"
NO_OWNER = "no_owner"  # SettlementUnit.error: nobody to invoice or credit
NO_ADDRESS = "no_address"  # the statement is made but cannot be mailed


class SettlementRunError(ValueError):
    """A run the rules refuse (the preview has problems); the message is for the board."""


def job_id(settlement: Settlement) -> str:
    return f"settlement-{settlement.id}"


def run(settlement: Settlement, *, user: User | None = None) -> bool:
    """Settle the year as the preview shows it; True if this call did it, False if it was done before."""
    association = settlement.association
    with transaction():
        # The claim first: a second click waits on this write, then finds the settlement no longer a draft.
        claimed = (
            Settlement.update(state=Settlement.RUNNING, run_at=clock.utcnow_naive(), run_by=user)
            .where((Settlement.id == settlement.id) & (Settlement.state == Settlement.DRAFT))
            .execute()
        )
        if not claimed:
            enqueue(DELIVER_JOB, settlement.id, job_id=job_id(settlement))  # finish what is left, if anything
            return False
        plan = preview(settlement)
        if not plan.ready:
            raise SettlementRunError(" ".join(plan.problems) or _("Enter at least one cost first."))
        owners = main_owners([line.unit.id for line in plan.units], settlement.period_end)
        people = {p.id: p for p in Person.select().where(Person.id.in_(sorted(set(owners.values()))))}
        invoices = _invoices(association, settlement, plan, owners, people, user)
        receipts = _receipts(association, settlement, plan, owners, people, user)
        rows = [
            {
                "settlement": settlement.id,
                "unit": line.unit.id,
                "person": owners.get(line.unit.id),
                "costs": line.costs,
                "advances": line.advance_total,
                "difference": line.difference,
                "detail": detail_of(line, plan),
                "invoice": invoices.get(line.unit.id),
                "receipt": receipts.get(line.unit.id),
                "error": "" if line.unit.id in owners else NO_OWNER,
            }
            for line in plan.units
        ]
        for start in range(0, len(rows), 500):
            # A unit's result is written once: a row already there (kept from an earlier attempt) stays.
            SettlementUnit.insert_many(rows[start : start + 500]).on_conflict_ignore().execute()
        # Money paid ahead and the new credits settle open invoices, the new settlement invoices among them.
        allocation.settle_credits(association, set(owners.values()), user=user)
        audit(
            "billing.settlement_run",
            actor=user,
            association=association,
            target=f"settlement:{settlement.id}",
            year=settlement.year,
            units=len(rows),
            invoices=len(invoices),
            invoiced=plan.to_invoice,
            credits=len(receipts),
            credited=plan.to_credit,
        )
        enqueue(DELIVER_JOB, settlement.id, job_id=job_id(settlement))
    return True


def resume(settlement: Settlement) -> None:
    """Wake the delivery job again (outside a transaction): statements not made or mailed yet."""
    dispatch(DELIVER_JOB, settlement.id, job_id=job_id(settlement))


def _invoices(
    association: Association,
    settlement: Settlement,
    plan: Preview,
    owners: dict[int, int],
    people: dict[int, Person],
    user: User | None,
) -> dict[int, int]:
    """An invoice (purpose SETTLEMENT) for each unit that owes; {unit id: invoice id}. Written in bulk with
    invoicing's own row (number, reference, recipient as sent), as an interest run writes its invoices."""
    owing = [line for line in plan.units if line.difference < 0 and line.unit.id in owners]
    if not owing:
        return {}
    settings = BillingSettings.for_association(association)
    today = association.today()
    due = today + dt.timedelta(days=settings.payment_terms_days)
    first_number = invoicing.reserve_numbers(association, len(owing))
    rows, drafts = [], []
    with force_locale(association.locale):  # lines are written as the association writes
        message = _("Settlement of services for %(year)s.", year=settlement.year)
        for offset, line in enumerate(owing):
            lines = [
                Line(_("Settlement of %(service)s %(year)s", service=cost.name, year=settlement.year), -diff, 0)
                for cost in plan.costs
                if (diff := line.difference_of(cost.service_id))
            ]
            row = invoicing.invoice_row(
                association,
                settings,
                first_number + offset,
                people[owners[line.unit.id]],
                totals(lines),
                unit=line.unit,
                period=(settlement.period_start, settlement.period_end),
                issue_date=today,
                due_date=due,
                message=message,
                user=user,
                run_key=f"settlement:{settlement.id}:unit:{line.unit.id}",
            )
            row["purpose"] = Invoice.SETTLEMENT
            rows.append(row)
            drafts.append(lines)
    for start in range(0, len(rows), 500):
        Invoice.insert_many(rows[start : start + 500]).execute()
    ids = dict(
        Invoice.select(Invoice.number, Invoice.id)
        .where(
            (Invoice.association == association) & Invoice.number.between(first_number, first_number + len(owing) - 1)
        )
        .tuples()
    )
    line_rows = [
        {
            "invoice": ids[first_number + offset],
            "position": position,
            "description": drafted.description[:200],
            "amount": drafted.amount,
            "vat_rate": 0,
            "vat_amount": 0,
        }
        for offset, lines in enumerate(drafts)
        for position, drafted in enumerate(lines)
    ]
    for start in range(0, len(line_rows), 2000):
        InvoiceLine.insert_many(line_rows[start : start + 2000]).execute()
    return {line.unit.id: ids[first_number + offset] for offset, line in enumerate(owing)}


def receipt_note(settlement: Settlement, unit: Unit) -> str:
    """The credit's note, as the owner's account shows it (in the association's language)."""
    with force_locale(settlement.association.locale):
        return _("Credit from the settlement of services %(year)s, %(unit)s", year=settlement.year, unit=unit.title)


def _receipts(
    association: Association,
    settlement: Settlement,
    plan: Preview,
    owners: dict[int, int],
    people: dict[int, Person],
    user: User | None,
) -> dict[int, int]:
    """A credit (Receipt, source SETTLEMENT) of the surplus for each unit that paid too much; {unit id: id}."""
    surplus = [line for line in plan.units if line.difference > 0 and line.unit.id in owners]
    if not surplus:
        return {}
    today = association.today()
    reference = f"S{settlement.year}"
    rows = [
        {
            "association": association.id,
            "person": owners[line.unit.id],
            "amount": line.difference,
            "allocated": 0,
            "currency": association.currency,
            "received_on": today,
            "reference": reference,
            "note": receipt_note(settlement, line.unit)[:200],
            "source": Receipt.SETTLEMENT,
            "recorded_by": user.id if user else None,
            "created_at": clock.utcnow_naive(),
        }
        for line in surplus
    ]
    before = Receipt.select(Receipt.id).order_by(Receipt.id.desc()).limit(1).scalar() or 0
    for start in range(0, len(rows), 500):
        Receipt.insert_many(rows[start : start + 500]).execute()
    made = list(
        Receipt.select(Receipt.id)
        .where((Receipt.association == association) & (Receipt.source == Receipt.SETTLEMENT) & (Receipt.id > before))
        .order_by(Receipt.id)
        .tuples()
    )
    BillingSettings.bump(association)
    return {line.unit.id: receipt_id for line, (receipt_id,) in zip(surplus, made, strict=True)}
