"""Access matrix entries for events, the calendar feed and My account's notification choices.

In world() a weekly event in the Minutes folder (read by members, the board and the administrator, not
by tenants: their lists simply leave it out) and the member's calendar feed. The feed needs no login:
whoever holds the right token gets it (200); a wrong or replaced token is a 404
(tests/blueprints/documents/test_events_feed.py).
"""

import datetime as dt
import secrets

from blueprints.documents.calendar_feed import digest
from models.documents import CalendarFeed, Document, Folder
from tests.access.common import everyone, members

MATRIX = {
    ("documents.events_list", "GET"): members(),
    ("documents.events_month", "GET"): members(),
    ("documents.calendar", "GET"): everyone(200),
    ("documents.calendar_address", "POST"): members(),
    ("portal.account_notifications", "GET"): members(302),
    ("portal.account_notifications", "POST"): members(302),
}


def world(alpha, beta, users) -> dict:
    minutes = Folder.get((Folder.association == alpha) & (Folder.key == Folder.MINUTES))
    Document.create(
        association=alpha,
        folder=minutes,
        title="Cleaning day",
        author=users["board"],
        state=Document.PUBLISHED,
        event_start=dt.datetime(2026, 3, 7, 9, 0),
        event_rrule="FREQ=WEEKLY",
    )
    token = secrets.token_urlsafe(32)
    CalendarFeed.create(user=users["member"], association=alpha, token_hash=digest(token))
    return {"feed_token": token, "year": 2026, "month": 3}
