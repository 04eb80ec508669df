"""Event reminders (seed 004 §4.11): before each occurrence of an event, at the offsets each member chose
in My account (by default the morning of the day at 07:00, the day before and four days before).

The periodic job (jobs.events.remind, every five minutes, and `flask jobs tick`) looks at the
occurrences of the coming week. A reminder is due once its time has come and until the occurrence
starts (a whole-day event: until its day is over); one that came due before the event was published is
not sent (the new-document mail told). Each is an EventReminder row, unique per member, event,
occurrence and offset, written in the transaction that writes its mail: a job run twice, or two at
once, mails it once. When a job runs late and several of a member's offsets for one occurrence are due,
only the nearest is mailed and the others are recorded as passed over, so nobody gets three reminders of
one event in the same minute. Recipients are checked when the reminder goes: members whose role reads
the event's folder then, in their language, with times on the association's clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import peewee as pw

from blueprints.documents import events
from blueprints.documents.notifications import readers
from core import clock, notifications
from core.mail import external_url, mail_language, queue_mail
from core.text import lazy_gettext as _l
from models import Association
from models.db import db, transaction
from models.documents import Document, EventReminder, Folder

EVENT_REMINDERS = "documents.event_reminders"
MORNING = dt.time(7, 0)

# key -> (label, days before, hours before): a number of days is counted on the wall clock (the same time
# of day, or 07:00 for a whole-day event); "morning" is 07:00 on the day itself.
OFFSETS = {
    "morning": (_l("The morning of the day, at 07:00"), 0, 0),
    "hour": (_l("One hour before"), 0, 1),
    "day": (_l("The day before"), 1, 0),
    "2days": (_l("Two days before"), 2, 0),
    "4days": (_l("Four days before"), 4, 0),
    "week": (_l("A week before"), 7, 0),
}
DEFAULTS = ("morning", "day", "4days")
# Occurrences starting within this far ahead are looked at: the longest offset and a day.
AHEAD = dt.timedelta(days=8)

notifications.register(
    notifications.Kind(
        EVENT_REMINDERS,
        _l("Event reminders"),
        order=20,
        hint=_l("A mail before each event in a folder you read, and again before each time it repeats."),
        options={key: label for key, (label, _days, _hours) in OFFSETS.items()},
        default_options=DEFAULTS,
    )
)


def due_at(offset: str, occurrence: events.Occurrence) -> dt.datetime | None:
    """When a reminder at this offset is due (aware), or None where the offset means nothing."""
    _label, days, hours = OFFSETS[offset]
    start = occurrence.start
    zone = start.tzinfo
    if offset == "morning":
        return dt.datetime.combine(start.date(), MORNING, tzinfo=zone)
    if hours:
        return None if occurrence.all_day else (start.astimezone(dt.UTC) - dt.timedelta(hours=hours)).astimezone(zone)
    wall = start.replace(tzinfo=None) - dt.timedelta(days=days)
    if occurrence.all_day:
        wall = dt.datetime.combine(wall.date(), MORNING)
    return wall.replace(tzinfo=zone)


def send_due() -> int:
    """Mail the reminders that are due now; returns how many were mailed."""
    now = clock.now()
    with_events = Document.select(Document.association).where(
        (Document.state == Document.PUBLISHED) & Document.event_start.is_null(False)
    )
    mailed = 0
    for association in Association.select().where(Association.id.in_(with_events)).order_by(Association.id):
        mailed += _association_due(association, now)
    return mailed


def _association_due(association: Association, now: dt.datetime) -> int:
    query = (
        Document.of(association)
        .select(Document, Folder.id, Folder.name)
        .join(Folder)
        .where((Document.state == Document.PUBLISHED) & Document.event_start.is_null(False))
    )
    zone = ZoneInfo(association.timezone)
    pending = [o for o in events.between(query, association.timezone, now, now + AHEAD) if now < _over(o)]
    if not pending:
        return 0
    recipients = {}
    # What is sent already, read once: most runs find every due reminder written by an earlier one.
    done = set(
        EventReminder.select(EventReminder.user, EventReminder.document, EventReminder.occurrence, EventReminder.offset)
        .where(
            EventReminder.document.in_(list({o.document.id for o in pending}))
            & (EventReminder.occurrence >= min(o.start_utc for o in pending))
        )
        .tuples()
    )
    mailed = 0
    for occurrence in pending:
        document = occurrence.document
        if document.folder_id not in recipients:
            users = readers(association, document.folder_id, EVENT_REMINDERS)
            choices = notifications.choices_for([u.id for u in users], association.id, EVENT_REMINDERS)
            recipients[document.folder_id] = [(u, choices[u.id].options) for u in users]
        published = (document.published_at or document.created_at).replace(tzinfo=dt.UTC)
        for user, offsets in recipients[document.folder_id]:
            due = []
            for offset in offsets:
                at = due_at(offset, occurrence)
                if at is not None and published <= at <= now.astimezone(zone):
                    due.append((at, offset))
            if due:
                due.sort()
                if (user.id, document.id, occurrence.start_utc, due[-1][1]) not in done:
                    mailed += _remind(association, user, occurrence, due)
    return mailed


def _over(occurrence: events.Occurrence) -> dt.datetime:
    """After this, reminding of the occurrence makes no sense: a whole day's end, else its start."""
    return occurrence.end if occurrence.all_day else occurrence.start


def _remind(association, user, occurrence: events.Occurrence, due: list[tuple[dt.datetime, str]]) -> int:
    """Write the reminder rows and the nearest one's mail in one transaction; 0 if it was sent already."""
    nearest = due[-1][1]
    document = occurrence.document
    row = dict(association=association.id, user=user.id, document=document.id, occurrence=occurrence.start_utc)
    with transaction():
        try:
            with db.atomic():  # a savepoint: another run's row makes this one a no-op, not a failed transaction
                EventReminder.create(offset=nearest, mailed=True, **row)
        except pw.IntegrityError:
            return 0
        for _at, offset in due[:-1]:
            EventReminder.insert(offset=offset, mailed=False, **row).on_conflict_ignore().execute()
        language = mail_language(user, association)
        queue_mail(
            "event_reminder",
            user.email,
            language=language,
            association=association,
            user=user,
            document=document,
            folder_name=document.folder.name,
            when=events.when(occurrence, language),
            link=external_url("documents.document", slug=association.slug, document_id=document.id),
        )
    return 1
