"""The job that delivers a yearly settlement (blueprints/billing/settlement_run.py): for each unit, its
statement PDF, stored once, and the mail carrying it to the unit's main owner, through the outbox.

A unit is claimed in the transaction that writes its mail (`sent_at` is set exactly once, by a guarded
UPDATE): a job run twice, or two at once, mails each statement once. A unit whose recipient has no e-mail
address keeps its statement for the board to hand over ("not mailed: no address"). When every unit is done
the settlement is "settled" and `delivered_at` says when: the page compares it with the deadline.
"""

from __future__ import annotations

import logging

from blueprints.billing import settlement_pdf
from blueprints.billing.settlement_run import NO_ADDRESS, NO_OWNER
from core import clock
from core.mail import external_url, queue_mail
from jobs import job_context
from models import Association, Person, User
from models.billing import Settlement, SettlementUnit
from models.db import transaction
from models.register import Building, Unit

log = logging.getLogger(__name__)
KIND = "settlement"  # templates/email/settlement.txt and .html


class _AlreadySentError(Exception):
    """Another run mailed this statement first: this run's mail is rolled back."""


def deliver(settlement_id: int) -> dict[str, int]:
    """Make and mail every statement not done yet; counts of mailed, kept (no address), skipped, failed."""
    outcome = {"mailed": 0, "kept": 0, "skipped": 0, "failed": 0}
    with job_context():
        settlement = (
            Settlement.select(Settlement, Association).join(Association).where(Settlement.id == settlement_id).first()
        )
        if settlement is None or settlement.state == Settlement.DRAFT:
            return outcome
        waiting = [
            row_id
            for (row_id,) in SettlementUnit.select(SettlementUnit.id)
            .where((SettlementUnit.settlement == settlement_id) & SettlementUnit.sent_at.is_null())
            .order_by(SettlementUnit.id)
            .tuples()
        ]
        for row_id in waiting:
            outcome[deliver_unit(settlement, row_id)] += 1
        finish(settlement)
    return outcome


def deliver_unit(settlement: Settlement, row_id: int) -> str:
    """One unit: "mailed", "kept" (no address: the statement waits for the board), "skipped" or "failed"."""
    row = (
        SettlementUnit.select(SettlementUnit, Unit, Building)
        .join(Unit)
        .join(Building)
        .where(SettlementUnit.id == row_id)
        .first()
    )
    if row is None or row.sent_at is not None:
        return "skipped"
    person = Person.get_or_none(Person.id == row.person_id) if row.person_id else None
    try:
        if not row.stored_name:
            body = settlement_pdf.render_statement(settlement, row, row.unit, person)
            row.stored_name = settlement_pdf.store(body)
            SettlementUnit.update(stored_name=row.stored_name).where(
                (SettlementUnit.id == row.id) & (SettlementUnit.stored_name == "")
            ).execute()
            row.stored_name = (
                SettlementUnit.select(SettlementUnit.stored_name).where(SettlementUnit.id == row.id).scalar()
            )
        else:
            body = settlement_pdf.statement_file(row.stored_name).read_bytes()
        address = (person.email or "").strip() if person is not None else ""
        with transaction():
            error = "" if address else (row.error if row.error == NO_OWNER else NO_ADDRESS)
            # The claim first: a second run waits here, then finds the statement sent and rolls back.
            claimed = (
                SettlementUnit.update(sent_at=clock.utcnow_naive(), error=error)
                .where((SettlementUnit.id == row.id) & SettlementUnit.sent_at.is_null())
                .execute()
            )
            if not claimed:
                raise _AlreadySentError
            if not address:
                return "kept"
            mail = _mail(settlement, row, person, address, body)
            SettlementUnit.update(email=mail.id).where(SettlementUnit.id == row.id).execute()
    except _AlreadySentError:
        return "skipped"
    except Exception as problem:  # the run's list shows it; the board runs the delivery again
        log.exception("settlement statement %s could not be delivered", row_id)
        SettlementUnit.update(error=str(problem)[:500]).where(SettlementUnit.id == row_id).execute()
        return "failed"
    return "mailed"


def _mail(settlement: Settlement, row: SettlementUnit, person: Person, address: str, body: bytes):
    person.association = settlement.association
    account = User.get_or_none(User.id == person.user_id) if person.user_id else None
    language = settlement_pdf.statement_language(person)
    return queue_mail(
        KIND,
        address,
        language=language,
        association=settlement.association,
        user=account,
        person=person,
        settlement=settlement,
        row=row,
        unit=row.unit,
        statement_url=external_url(
            "billing.settlement_statement",
            slug=settlement.association.slug,
            settlement_id=settlement.id,
            settlement_unit_id=row.id,
        ),
        attachment=(settlement_pdf.filename(settlement, row.unit), body),
    )


def finish(settlement: Settlement) -> bool:
    """Mark the settlement settled once every unit's statement went out (or waits for the board)."""
    left = (
        SettlementUnit.select()
        .where((SettlementUnit.settlement == settlement.id) & SettlementUnit.sent_at.is_null())
        .exists()
    )
    if left:
        return False
    return bool(
        Settlement.update(state=Settlement.DONE, delivered_at=clock.utcnow_naive())
        .where((Settlement.id == settlement.id) & (Settlement.state == Settlement.RUNNING))
        .execute()
    )
