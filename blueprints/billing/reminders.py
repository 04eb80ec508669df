"""Debt reminders (SPEC B10, issue 13 item 6): a mail to a debtor from the association's template, with
their balance statement attached, through the outbox, each logged as a DebtReminder on the person.

The template is the board's text with three placeholders, {name}, {amount} and {overdue_since}. They are
replaced by a single regular-expression pass, never by str.format: whatever else the board (or anyone
who got a template into the database) wrote, "{name.__class__}" or "{{ config }}" or "<script>", stays
the text it is, and a value put in (a name written "{amount}") is not looked at again. Saving a
template with another placeholder is refused, so a typo is caught before it goes out to fifty people.
With no text of its own the association uses the built-in one, in each recipient's language.

Sending is two steps. send_reminders() runs in the board's request: it writes one DebtReminder per
reachable debtor (without its mail yet) and queues the job jobs.debt_reminders.mail_reminders after the
commit; people without an address are returned, not skipped silently. The job renders each statement
PDF and writes the outbox row in the transaction that claims the reminder (DebtReminder.email set once),
so a job run twice mails once. A second click of the same page sends nothing again: a debtor reminded
since the page was shown (`since`) is left out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from blueprints.billing import overview
from core import clock
from core.audit import audit
from core.queue import enqueue
from core.text import locale_for
from core.text import money as format_money
from models import Association, Person, User
from models.billing import DebtReminder, Invoice, ReminderTemplate
from models.db import transaction

MAIL_JOB = "jobs.debt_reminders.mail_reminders"
KIND = "debt_reminder"  # templates/email/debt_reminder.txt and .html
PLACEHOLDERS = ("name", "amount", "overdue_since")
SUBJECT_MAX = 200
BODY_MAX = 5000
_PLACEHOLDER = re.compile(r"\{(name|amount|overdue_since)\}")
_ANY_BRACES = re.compile(r"\{[^{}\n]*\}")


def default_subject() -> str:
    """The built-in subject, in the current language."""
    return _("Reminder: overdue payment")


def default_body() -> str:
    """The built-in text, in the current language (its placeholders are not translated)."""
    return _(
        "Hello {name},\n\n"
        "According to our books, {amount} has been overdue since {overdue_since}. "
        "If you have paid it in the last few days, thank you, and please ignore this reminder.\n\n"
        "Otherwise, please pay it as soon as you can. The attached statement shows every invoice and payment. "
        "If you cannot pay it at once, contact the board: we can agree an instalment plan.\n\n"
        "Kind regards,\nThe board"
    )


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with {name}, {amount} and {overdue_since} replaced, in one pass; everything else as written."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def unknown_placeholders(text: str) -> list[str]:
    """The {…} in `text` that are not one of the three placeholders (for the template form to refuse)."""
    return [found for found in _ANY_BRACES.findall(text or "") if not _PLACEHOLDER.fullmatch(found)]


def template_of(association: Association) -> ReminderTemplate | None:
    return ReminderTemplate.get_or_none(ReminderTemplate.association == association)


def save_template(association: Association, subject: str, body: str, user: User | None = None) -> None:
    """Keep the association's own reminder text (empty fields: the built-in text again)."""
    subject, body = (subject or "").strip()[:SUBJECT_MAX], (body or "").strip()[:BODY_MAX]
    with transaction():
        updated = (
            ReminderTemplate.update(subject=subject, body=body, updated_at=clock.utcnow_naive())
            .where(ReminderTemplate.association == association)
            .execute()
        )
        if not updated:
            ReminderTemplate.create(association=association, subject=subject, body=body)
        audit("billing.reminder_template_saved", actor=user, association=association, custom=bool(subject or body))


# --- one reminder's words ---------------------------------------------------------------------------


def reminder_language(person: Person, user: User | None = None) -> str:
    """The debtor's language: the one chosen for invoices, else their account's, else the association's,
    if Porch speaks it; else the default."""
    languages = current_app.config["LANGUAGES"]
    account_language = user.ui_language if user is not None else None
    for language in (person.invoice_language, account_language, person.association.locale):
        if language in languages:
            return language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@dataclass(frozen=True)
class Words:
    subject: str
    body: str


def compose(
    association: Association, template: ReminderTemplate | None, language: str, *, name: str, amount: int,
    since: dt.date,
) -> Words:  # fmt: skip
    """The reminder's subject and text in `language`: the association's text or the built-in one, with the
    amount and date written the way that language writes them."""
    with force_locale(locale_for(language)):
        values = {
            "name": name,
            "amount": format_money(amount, association.currency),
            "overdue_since": format_date(since),
        }
        subject = (template.subject if template else "") or default_subject()
        body = (template.body if template else "") or default_body()
        return Words(" ".join(fill(subject, values).split())[:SUBJECT_MAX], fill(body, values))


# --- sending ------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    queued: list[overview.Debtor] = field(default_factory=list)
    unreachable: list[overview.Debtor] = field(default_factory=list)
    already: list[overview.Debtor] = field(default_factory=list)  # reminded since the page was shown
    nothing_overdue: list[int] = field(default_factory=list)  # person ids chosen with nothing overdue now


def job_id(reminder_ids: list[int]) -> str:
    return f"debt-reminders-{reminder_ids[0]}-{len(reminder_ids)}"


def send_reminders(
    association: Association,
    person_ids: list[int],
    *,
    user: User | None = None,
    since: dt.datetime | None = None,
) -> Outcome:
    """Remind each chosen debtor who can be reached and was not reminded since `since` (the moment the
    board's page was shown): one DebtReminder each, mailed by the job once this commits."""
    today = association.today()
    wanted = sorted(set(person_ids))
    outcome = Outcome()
    with transaction():
        # A write first: it locks those people (PostgreSQL) or the database (SQLite), so a second click
        # waits here and then finds the reminders this one wrote.
        Person.update(email=Person.email).where((Person.association == association) & Person.id.in_(wanted)).execute()
        debtors = {d.person_id: d for d in overview.all_debtors(association, today) if d.person_id in set(wanted)}
        recently = set()
        if since is not None:
            recently = {
                person_id
                for (person_id,) in DebtReminder.select(DebtReminder.person)
                .where(
                    (DebtReminder.association == association)
                    & DebtReminder.person.in_(wanted)
                    & (DebtReminder.sent_at >= since)
                )
                .tuples()
            }
        ids = []
        for person_id in wanted:
            debtor = debtors.get(person_id)
            if debtor is None:
                outcome.nothing_overdue.append(person_id)
            elif debtor.unreachable:
                outcome.unreachable.append(debtor)
            elif person_id in recently:
                outcome.already.append(debtor)
            else:
                outcome.queued.append(debtor)
                reminder = DebtReminder.create(
                    association=association, person=person_id, amount=debtor.overdue, sent_by=user
                )
                ids.append(reminder.id)
        if ids:
            enqueue(MAIL_JOB, ids, job_id=job_id(ids))
            audit(
                "billing.debt_reminders_sent",
                actor=user,
                association=association,
                people=[d.person_id for d in outcome.queued],
                unreachable=[d.person_id for d in outcome.unreachable],
            )
    return outcome


def statement_period(person: Person | int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The statement a reminder carries: from the first day of the month the oldest unpaid overdue invoice
    was issued in (so it opens on the debt) to today."""
    issued = (
        Invoice.select(Invoice.issue_date)
        .where(
            (Invoice.recipient == person)
            & (Invoice.kind == Invoice.INVOICE)
            & ((Invoice.total - Invoice.paid_total - Invoice.credited_total) > 0)
            & (Invoice.due_date < today)
        )
        .order_by(Invoice.issue_date)
        .limit(1)
        .scalar()
    )
    if isinstance(issued, str):  # SQLite hands back the text it stores
        issued = dt.date.fromisoformat(issued[:10])
    first = (issued or today).replace(day=1)
    return min(first, today), today
