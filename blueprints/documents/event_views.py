"""Events: the upcoming list, a month, the member's calendar feed and its secret address (SPEC D4).

Every list starts from events.readable_events(membership): published events in folders the member's
role reads, in the query itself. The feed needs no login (its token is the key) and answers 404 for an
unknown or replaced token.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from flask import Response, abort, g, redirect, url_for
from flask_babel import format_date, get_locale
from flask_login import current_user

from blueprints.documents import bp, calendar_feed, events, queries
from blueprints.documents import notifications as _notifications  # noqa: F401 (registers the new-document mail)
from blueprints.documents import reminders as _reminders  # noqa: F401 (registers the reminders' kind)
from blueprints.documents.views import reader
from core import clock
from core.access import can
from core.forms import ConfirmForm
from core.mail import external_url
from core.rendering import render
from models import permissions as perms

UPCOMING_DAYS = 90
UPCOMING_MAX = 100


@bp.route("/events")
@reader
def events_list():
    """The coming events the member may read, soonest first (the next three months)."""
    now = clock.now()
    found = events.between(
        events.readable_events(g.membership), g.association.timezone, now, now + dt.timedelta(days=UPCOMING_DAYS)
    )
    today = g.association.today()
    return render(
        "documents/events.html",
        occurrences=found[:UPCOMING_MAX],
        days=UPCOMING_DAYS,
        this_month=(today.year, today.month),
        may_write=bool(queries.writable_folder_ids(g.membership)),
    )


@bp.route("/events/<int:year>/<int:month>")
@reader
def events_month(year: int, month: int):
    """One month's events: a list of days on a phone, a grid of weeks on a wide screen."""
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        abort(404)
    first, following = events.month_bounds(year, month, g.association.timezone)
    found = events.between(events.readable_events(g.membership), g.association.timezone, first, following)
    by_day: dict[dt.date, list] = {}
    for occurrence in found:
        # An event over several days shows on each of them within the month.
        day = max(occurrence.start.date(), first.date())
        last = (occurrence.end - dt.timedelta(microseconds=1)).date() if occurrence.end > occurrence.start else day
        while day <= last and day < following.date():
            by_day.setdefault(day, []).append(occurrence)
            day += dt.timedelta(days=1)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return render(
        "documents/events_month.html",
        year=year,
        month=month,
        month_name=format_date(dt.date(year, month, 1), "LLLL y"),
        weeks=weeks,
        weekdays=[format_date(day, "EEE") for day in weeks[0]],
        by_day=by_day,
        today=g.association.today(),
        previous=previous,
        following=following_month,
    )


@bp.route("/events/feed/<feed_token>.ics")
def calendar(feed_token: str):
    """The member's events as an iCalendar feed for a calendar app; the secret token is the key."""
    membership = calendar_feed.member_of(feed_token, g.association)
    if membership is None or not (membership.can(perms.DOCUMENTS_READ) or membership.can(perms.DOCUMENTS_WRITE)):
        abort(404)
    body = calendar_feed.ical(
        membership,
        lambda document_id: external_url("documents.document", slug=g.association.slug, document_id=document_id),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{g.association.slug}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/events/feed", methods=["POST"])
@reader
def calendar_address():
    """Make the member's calendar address, replacing the old one, and show it once."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("portal.account") + "#calendar")
    token = calendar_feed.renew(current_user._get_current_object(), g.association)
    address = external_url("documents.calendar", slug=g.association.slug, feed_token=token)
    return render(
        "documents/calendar_address.html",
        "documents/_calendar_panel.html",
        address=address,
        form=ConfirmForm(formdata=None),
    )


@bp.app_template_global()
def calendar_panel() -> dict | None:
    """What My account's calendar section shows (None for a member who reads no documents). It asks the
    database nothing (My account stays within its queries): whether an address was made before is said
    only on the page that makes one."""
    if g.get("membership") is None or not (can(perms.DOCUMENTS_READ) or can(perms.DOCUMENTS_WRITE)):
        return None
    return {"address": None, "form": ConfirmForm(formdata=None)}


@bp.app_template_global()
def event_when(document) -> dict | None:
    """When an event is, for its page: the occurrence going on now or next, else the last one, and how it
    repeats (None for a document that is not an event)."""
    if document is None or getattr(document, "event_start", None) is None:
        return None
    timezone, now = g.association.timezone, clock.now()
    occurrence = events.next_occurrence(document, timezone, now)
    if occurrence is None:  # all over: when it last was
        first = document.event_start.replace(tzinfo=dt.UTC)
        since = max(first, now - dt.timedelta(days=400)) if document.event_until is None else first
        if document.event_until is not None:
            since = max(
                first, dt.datetime.combine(document.event_until, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=400)
            )
        past = events.occurrences(document, timezone, since, now)
        occurrence = past[-1] if past else None
    if occurrence is None:
        return None
    repeat = events.repeat_of(document)
    return {
        "text": events.when(occurrence, str(get_locale())),
        "over": occurrence.end <= now if occurrence.end > occurrence.start else occurrence.start <= now,
        "repeat": events.REPEATS[repeat] if repeat else "",
        "until": document.event_until if repeat else None,
    }


@bp.app_template_global()
def event_text(occurrence: events.Occurrence) -> str:
    """When an occurrence is, in the page's language."""
    return events.when(occurrence, str(get_locale()))
