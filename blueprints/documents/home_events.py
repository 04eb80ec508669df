"""The home page's "Upcoming events" panel (SPEC P9, D4), in the home page's one query (core/home.py).

The query picks the member's readable events that may occur in the next weeks (their columns packed
into the panel's: `detail` the RRULE, `text` the last day and the end, `link_id` whether it lasts
all day); present() computes each one's next occurrence on the association's clock, soonest first.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw
from flask import g
from flask_babel import get_locale

from blueprints.documents import events
from core import clock
from core.home import Row
from models import permissions as perms
from models.documents import Document, Folder

AHEAD = dt.timedelta(days=31)
SHOWN = 5
CANDIDATES = 50  # events looked at; more than that many recurring ones is not a housing association's calendar


def home_values(membership) -> tuple | None:
    """The association, the role, and the times the candidates are chosen by (as the database stores them)."""
    granted = membership.role.permission_set
    if perms.DOCUMENTS_READ not in granted and perms.DOCUMENTS_WRITE not in granted:
        return None
    now = clock.utcnow_naive()
    return (
        membership.association_id,
        membership.role_id,
        str(now + AHEAD),
        now.date().isoformat(),
        str(now - dt.timedelta(days=1)),
        str(now),
    )


def home_upcoming(association, role, soon, today, yesterday, now) -> pw.SelectQuery:
    """The role's readable events that may occur before `soon`: repeating ones not over by `today`,
    single ones that started since `yesterday` or have not ended by `now`."""
    text = (
        pw.fn.COALESCE(pw.Cast(Document.event_until, "TEXT"), "")
        .concat("|")
        .concat(pw.fn.COALESCE(pw.Cast(Document.event_end, "TEXT"), ""))
    )
    return (
        Document.select(
            Document.id,
            Document.title,
            Document.event_start.alias("at"),
            Document.event_rrule.alias("detail"),
            text.alias("text"),
            pw.Case(None, [(Document.event_all_day == True, 1)], 0).alias("link_id"),  # noqa: E712 (SQL)
        )
        .join(Folder)
        .where(
            (Document.association == association)
            & Document.readable_by(role)
            & (Document.event_start < soon)
            & (
                ((Document.event_rrule != "") & (Document.event_until.is_null() | (Document.event_until >= today)))
                | (Document.event_start >= yesterday)
                | (Document.event_end >= now)
            )
        )
        .order_by(Document.event_start.desc(), Document.id.desc())
        .limit(CANDIDATES)
    )


def home_present(rows: list[Row]) -> list[Row]:
    """Each event's next occurrence, soonest first: `at` its start (UTC), `detail` when it is in words."""
    timezone, now = g.association.timezone, clock.now()
    language = str(get_locale())
    found = []
    for row in rows:
        until, _bar, end = (row.text or "|").partition("|")
        document = Document(
            id=row.id,
            title=row.title,
            event_start=row.at,
            event_end=dt.datetime.fromisoformat(end) if end else None,
            event_all_day=bool(row.link_id),
            event_rrule=row.detail or "",
            event_until=dt.date.fromisoformat(until[:10]) if until else None,
        )
        upcoming = events.occurrences(document, timezone, now, now + AHEAD)
        if upcoming:
            found.append(upcoming[0])
    found.sort(key=lambda o: (o.start, o.document.title))
    return [
        Row(o.document.id, o.document.title, o.start_utc, events.when(o, language), None, None) for o in found[:SHOWN]
    ]
