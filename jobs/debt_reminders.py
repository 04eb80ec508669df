"""The job that mails debt reminders (blueprints/billing/reminders.py): for each DebtReminder the board's
click wrote, the debtor's balance statement as a PDF and the reminder mail carrying it, into the outbox.

A reminder is claimed in the transaction that writes its mail (its `email` is set exactly once): a job
run twice, or two at once, mails each reminder once. A reminder whose PDF or mail could not be made keeps
no mail; the board sees it as not sent on the debtor's page.
"""

from __future__ import annotations

import logging

from blueprints.billing import overview, reminders, statement_pdf
from core.mail import queue_mail
from jobs import job_context
from models import Association, Person, User
from models.billing import DebtReminder
from models.db import transaction

log = logging.getLogger(__name__)


class _AlreadyMailedError(Exception):
    """Another run mailed this reminder first: this run's mail is rolled back."""


def mail_reminders(reminder_ids: list[int]) -> dict[str, int]:
    """Mail each reminder not mailed yet; how many were mailed, skipped or failed."""
    outcome = {"mailed": 0, "skipped": 0, "failed": 0}
    with job_context():
        for reminder_id in reminder_ids:
            outcome[mail_reminder(reminder_id)] += 1
    return outcome


def mail_reminder(reminder_id: int) -> str:
    """One reminder: "mailed", "skipped" (mailed already, or gone) or "failed"."""
    found = (
        DebtReminder.select(DebtReminder, Person, Association)
        .join(Person)
        .switch(DebtReminder)
        .join(Association)
        .where(DebtReminder.id == reminder_id)
        .first()
    )
    if found is None or found.email_id is not None:
        return "skipped"
    person, association = found.person, found.association
    person.association = association
    account = User.get_or_none(User.id == person.user_id) if person.user_id else None
    debtor = overview.debtor_of(association, person.id, association.today())
    address = debtor.address if debtor is not None else ""
    if not address:  # paid meanwhile, or the address went: nothing to remind of, nowhere to send
        return "skipped"
    language = reminders.reminder_language(person, account)
    first, last = reminders.statement_period(person.id, association.today())
    try:
        pdf = statement_pdf.render_statement(person, first, last, language)
        words = reminders.compose(
            association,
            reminders.template_of(association),
            language,
            name=person.full_name,
            amount=found.amount,
            since=debtor.since,
        )
        with transaction():
            # The claim first: a second run waits here, then finds the reminder mailed and rolls back.
            claimed = (
                DebtReminder.update(sent_at=DebtReminder.sent_at)
                .where((DebtReminder.id == reminder_id) & DebtReminder.email.is_null())
                .execute()
            )
            if not claimed:
                raise _AlreadyMailedError
            mail = queue_mail(
                reminders.KIND,
                address,
                language=language,
                association=association,
                user=account,
                person=person,
                subject_text=words.subject,
                body_text=words.body,
                attachment=(statement_pdf.filename(person, first, last), pdf),
            )
            DebtReminder.update(email=mail.id).where(DebtReminder.id == reminder_id).execute()
    except _AlreadyMailedError:
        return "skipped"
    except Exception:  # the debtor's page shows it as not sent; the board sends another
        log.exception("debt reminder %s could not be mailed", reminder_id)
        return "failed"
    return "mailed"
