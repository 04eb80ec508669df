"""The home page's upcoming-events panel (P9, D4): in the home page's one query, each readable event's next
occurrence, soonest first; a tenant's panel leaves out the folders they do not read."""

from __future__ import annotations

import datetime as dt

from core import home
from models import Membership
from models.documents import Document


def test_the_panel_shows_each_events_next_occurrence_soonest_first(
    app, alpha, folders, make_document, make_user, frozen_clock
):
    frozen_clock.set(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    make_document(folders["notice_board"], title="Cleaning day", event_start=dt.datetime(2026, 1, 9, 23, 0),
                  event_all_day=True, event_rrule="FREQ=MONTHLY", event_until=dt.date(2026, 12, 31))  # fmt: skip
    make_document(folders["minutes"], title="Meeting", event_start=dt.datetime(2026, 3, 24, 17, 0),
                  event_end=dt.datetime(2026, 3, 24, 19, 0))  # fmt: skip
    make_document(folders["minutes"], title="Over", event_start=dt.datetime(2026, 2, 1, 17, 0))
    make_document(folders["minutes"], title="Ended", event_start=dt.datetime(2025, 3, 1, 17, 0),
                  event_rrule="FREQ=WEEKLY", event_until=dt.date(2026, 3, 1))  # fmt: skip
    make_document(folders["notice_board"], title="Draft", state=Document.DRAFT, event_start=dt.datetime(2026, 3, 11))
    member = make_user(alpha, "member@alpha.example", "member")
    tenant = make_user(alpha, "tenant@alpha.example", "tenant")

    def panel(user):
        with app.test_request_context("/alpha/"):
            from flask import g

            g.association = alpha
            return home.rows(Membership.get(Membership.user == user)).get("documents.events")

    rows = panel(member)
    assert [(r.title, r.at) for r in rows] == [
        ("Cleaning day", dt.datetime(2026, 3, 9, 23, 0)),  # today, all day (10 March from Stockholm's midnight)
        ("Meeting", dt.datetime(2026, 3, 24, 17, 0)),
    ]
    assert rows[1].detail == "Tuesday, 24 March 2026, 18:00–20:00"
    frozen_clock.set(dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC))
    assert panel(member)[1].at == dt.datetime(2026, 4, 9, 22, 0)  # next: 10 April, midnight in summer time
    assert [r.title for r in panel(tenant)] == ["Cleaning day"]
