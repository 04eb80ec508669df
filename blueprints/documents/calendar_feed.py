"""A member's iCalendar feed (SPEC D4): a secret address a calendar app subscribes to without signing in.

The token is 32 random bytes; only its SHA-256 is kept, so the address is shown once, when it is made.
Making a new one replaces the old, which then answers 404. The feed holds the events the member's role
reads when the calendar app asks (the same query as the pages), recurring ones with their RRULE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from blueprints.documents import events
from core import clock
from core.audit import audit
from models import Association, Membership, User
from models.db import transaction
from models.documents import CalendarFeed, Document

REFRESH = dt.timedelta(hours=1)  # how often calendar apps are asked to look again
PAST = dt.timedelta(days=366)  # single events older than this are left out of the feed


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def renew(user: User, association: Association) -> str:
    """A new secret token for the member's feed, replacing the old one; returns it (it is not kept)."""
    token = secrets.token_urlsafe(32)
    with transaction():
        CalendarFeed.delete().where(
            (CalendarFeed.user == user.id) & (CalendarFeed.association == association.id)
        ).execute()
        CalendarFeed.create(user=user.id, association=association.id, token_hash=digest(token))
        audit("documents.calendar_feed_renewed", actor=user, association=association, target=user.email)
    return token


def member_of(token: str, association: Association) -> Membership | None:
    """The member whose token this is, with their role today; None for an unknown or replaced token."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.get_or_none(
        (CalendarFeed.token_hash == digest(token)) & (CalendarFeed.association == association.id)
    )
    if feed is None:
        return None
    user = User.get_or_none(User.id == feed.user_id)
    if user is None or not user.is_active:
        return None
    return Membership.current(user, association)


def ical(membership: Membership, document_url) -> bytes:
    """The member's readable events as an iCalendar file; `document_url(id)` makes each event's link."""
    association = membership.association
    zone = ZoneInfo(association.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Porch//events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", association.name)
    calendar.add("x-wr-timezone", association.timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    since = clock.utcnow_naive() - PAST
    query = events.readable_events(membership).where(
        (Document.event_rrule != "") | (Document.event_start >= since) | (Document.event_end >= since)
    )
    stamp = clock.now()
    for document in query.order_by(Document.event_start, Document.id):
        calendar.add_component(_event(document, zone, stamp, document_url(document.id), association))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(document: Document, zone: ZoneInfo, stamp: dt.datetime, url: str, association) -> Event:
    event = Event()
    event.add("uid", f"document-{document.id}@{association.slug}.porch")
    event.add("dtstamp", stamp)
    event.add("summary", document.title)  # icalendar escapes commas, semicolons and line breaks
    event.add("url", url)
    event.add("categories", [document.folder.name])
    start = document.event_start.replace(tzinfo=dt.UTC).astimezone(zone)
    end = document.event_end.replace(tzinfo=dt.UTC).astimezone(zone) if document.event_end else None
    if document.event_all_day:
        event.add("dtstart", start.date())
        event.add("dtend", (end or start).date() + dt.timedelta(days=1))
    else:
        event.add("dtstart", start)
        if end is not None and end > start:
            event.add("dtend", end)
    repeat = events.repeat_of(document)
    if repeat:
        rule = {"FREQ": repeat}
        if document.event_until:
            # UNTIL in UTC (RFC 5545 with a zoned DTSTART): the end of the last day on the association's clock.
            last = dt.datetime.combine(document.event_until, dt.time(23, 59, 59), tzinfo=zone)
            rule["UNTIL"] = document.event_until if document.event_all_day else last.astimezone(dt.UTC)
        event.add("rrule", vRecur(rule))
    return event
