"""Events (SPEC D4, seed 004 §4.11): a document with a start, an optional end, and a weekly, monthly or
yearly recurrence kept as an RFC 5545 RRULE.

Occurrences are computed with python-dateutil's rrule on the association's wall clock and then placed
in its time zone, so a weekly 18:00 stays at 18:00 across the change to and from summer time. A whole-day
event starts at the association's midnight; its occurrences last until the next midnight (or the last day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import peewee as pw
from babel import dates
from dateutil.rrule import rrulestr

from core.text import lazy_gettext as _l
from core.text import locale_for
from models.documents import Document, Folder

NONE, WEEKLY, MONTHLY, YEARLY = "", "WEEKLY", "MONTHLY", "YEARLY"
REPEATS = {
    NONE: _l("Does not repeat"),
    WEEKLY: _l("Every week"),
    MONTHLY: _l("Every month"),
    YEARLY: _l("Every year"),
}
# The longest an occurrence is looked for before its start (an event going on now is still shown).
LONGEST = dt.timedelta(days=62)


@dataclass(frozen=True)
class EventTimes:
    """An event as typed on the form, on the association's wall clock."""

    start: dt.datetime  # local, naive; a whole day: its midnight
    all_day: bool = False
    end: dt.datetime | None = None  # local, naive; a whole day: the last day's midnight
    repeat: str = NONE
    until: dt.date | None = None


@dataclass(frozen=True)
class Occurrence:
    document: Document
    start: dt.datetime  # aware, in the association's zone
    end: dt.datetime  # aware; exclusive (a timed event without an end: its start)
    all_day: bool

    @property
    def start_utc(self) -> dt.datetime:
        return self.start.astimezone(dt.UTC).replace(tzinfo=None)

    @property
    def day(self) -> dt.date:
        return self.start.date()


def columns(times: EventTimes | None, timezone: str) -> dict:
    """The Document columns for an event (or for no event)."""
    if times is None:
        return dict(event_start=None, event_end=None, event_all_day=False, event_rrule="", event_until=None)
    return dict(
        event_start=_utc(times.start, timezone),
        event_end=_utc(times.end, timezone) if times.end else None,
        event_all_day=times.all_day,
        event_rrule=f"FREQ={times.repeat}" if times.repeat in (WEEKLY, MONTHLY, YEARLY) else "",
        event_until=times.until if times.repeat else None,
    )


def times_of(document: Document, timezone: str) -> EventTimes | None:
    """The form's view of a stored event."""
    if document.event_start is None:
        return None
    zone = ZoneInfo(timezone)
    local = lambda t: t.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None)  # noqa: E731
    return EventTimes(
        start=local(document.event_start),
        all_day=document.event_all_day,
        end=local(document.event_end) if document.event_end else None,
        repeat=repeat_of(document),
        until=document.event_until,
    )


def repeat_of(document: Document) -> str:
    for part in (document.event_rrule or "").split(";"):
        if part.startswith("FREQ=") and part[5:] in (WEEKLY, MONTHLY, YEARLY):
            return part[5:]
    return NONE


def _utc(local: dt.datetime, timezone: str) -> dt.datetime:
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC).replace(tzinfo=None)


def occurrences(document: Document, timezone: str, after: dt.datetime, before: dt.datetime) -> list[Occurrence]:
    """The occurrences that are still going on at `after` and start before `before` (aware times)."""
    zone = ZoneInfo(timezone)
    first = document.event_start.replace(tzinfo=dt.UTC).astimezone(zone)
    if document.event_end:
        length = document.event_end.replace(tzinfo=dt.UTC).astimezone(zone).replace(tzinfo=None) - first.replace(
            tzinfo=None
        )
    else:
        length = dt.timedelta(0)
    if document.event_all_day:
        length += dt.timedelta(days=1)  # the last day is included
    wall_start = first.replace(tzinfo=None)
    if not document.event_rrule:
        starts = [wall_start]
    else:
        rule = rrulestr(document.event_rrule, dtstart=wall_start)
        if document.event_until:
            rule = rule.replace(until=dt.datetime.combine(document.event_until, dt.time.max))
        earliest = after.astimezone(zone).replace(tzinfo=None) - max(length, dt.timedelta(0)) - dt.timedelta(days=1)
        latest = before.astimezone(zone).replace(tzinfo=None)
        starts = rule.between(earliest, latest, inc=True)
    found = []
    for wall in starts:
        # Wall-clock arithmetic for the end too: a whole day lasts until the next midnight, 23 or 25 hours.
        start, end = wall.replace(tzinfo=zone), (wall + length).replace(tzinfo=zone)
        if (end > after if length else start >= after) and start < before:
            found.append(Occurrence(document, start, end, document.event_all_day))
    return found


def next_occurrence(document: Document, timezone: str, now: dt.datetime) -> Occurrence | None:
    """The occurrence going on now or next, for the document's page."""
    for horizon in (dt.timedelta(days=400), dt.timedelta(days=366 * 10)):
        found = occurrences(document, timezone, now, now + horizon)
        if found:
            return found[0]
    return None


def readable_events(membership) -> pw.ModelSelect:
    """The published events in folders the member's role reads (the query every list and the feed use)."""
    return (
        Document.of(membership.association)
        .select(Document, Folder.id, Folder.name)
        .join(Folder)
        .where(Document.readable_by(membership.role_id) & Document.event_start.is_null(False))
    )


def between(query: pw.ModelSelect, timezone: str, after: dt.datetime, before: dt.datetime) -> list[Occurrence]:
    """The occurrences of the events in `query` going on after `after` and starting before `before`, in order."""
    after_utc = after.astimezone(dt.UTC).replace(tzinfo=None)
    before_utc = before.astimezone(dt.UTC).replace(tzinfo=None)
    query = query.where(
        (Document.event_start < before_utc)
        & (
            (Document.event_rrule != "")
            | (Document.event_start >= after_utc - LONGEST)
            | (Document.event_end >= after_utc - dt.timedelta(days=1))
        )
        & (Document.event_until.is_null() | (Document.event_until >= (after_utc - dt.timedelta(days=1)).date()))
    )
    found = [o for document in query for o in occurrences(document, timezone, after, before)]
    return sorted(found, key=lambda o: (o.start, o.document.title, o.document.id))


def month_bounds(year: int, month: int, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(timezone)
    first = dt.datetime(year, month, 1, tzinfo=zone)
    following = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return first, following


def when(occurrence: Occurrence, language: str) -> str:
    """When an occurrence is, in words of the reader's language ("Tuesday, 27 October 2026, 18:00–20:00")."""
    locale = locale_for(language)
    start, end = occurrence.start, occurrence.end
    day = dates.format_date(start.date(), "full", locale=locale)
    if occurrence.all_day:
        last = (end - dt.timedelta(days=1)).date()
        if last > start.date():
            return f"{day} – {dates.format_date(last, 'full', locale=locale)}"
        return day
    text = f"{day}, {dates.format_time(start.time(), 'short', locale=locale)}"
    if end > start:
        if end.date() == start.date():
            text += f"–{dates.format_time(end.time(), 'short', locale=locale)}"
        else:
            text += f" – {dates.format_date(end.date(), 'medium', locale=locale)}"
            text += f", {dates.format_time(end.time(), 'short', locale=locale)}"
    return text
