"""Events (D4, seed 004 §4.11): the document form's event fields, occurrences on the association's clock
(18:00 stays 18:00 across the change of time), the upcoming list and the month view, which show only
events in folders the member reads."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from blueprints.documents import events
from models import Association
from models.documents import Document

PRAGUE = "Europe/Prague"


def test_a_weekly_event_keeps_its_time_of_day_across_the_end_of_summer_time(make_document, folders):
    document = make_document(
        folders["minutes"], event_start=dt.datetime(2026, 10, 13, 16, 0), event_rrule="FREQ=WEEKLY"
    )  # Tuesdays, 18:00 CEST
    found = events.occurrences(
        document, PRAGUE, dt.datetime(2026, 10, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 4, tzinfo=dt.UTC)
    )
    assert [o.start.strftime("%d %H:%M") for o in found] == ["13 18:00", "20 18:00", "27 18:00", "03 18:00"]
    assert [o.start_utc.hour for o in found] == [16, 16, 17, 17]  # the UTC hour moves on 25 October


def test_monthly_and_yearly_events_stop_after_their_last_day(make_document, folders):
    monthly = make_document(
        folders["minutes"],
        event_start=dt.datetime(2026, 1, 31, 9, 0),
        event_rrule="FREQ=MONTHLY",
        event_until=dt.date(2026, 5, 31),
    )
    found = events.occurrences(
        monthly, PRAGUE, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    )
    # RFC 5545: a month without a 31st has no occurrence.
    assert [o.start.date() for o in found] == [dt.date(2026, m, 31) for m in (1, 3, 5)]


@pytest.fixture
def event_world(app, alpha, folders, make_document, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    return {
        "cleaning": make_document(
            folders["notice_board"],
            title="Cleaning day",
            event_start=dt.datetime(2026, 3, 6, 23, 0),  # Saturday 7 March, the whole day in Stockholm
            event_all_day=True,
            event_rrule="FREQ=MONTHLY",
        ),
        "meeting": make_document(
            folders["minutes"],
            title="General meeting",
            event_start=dt.datetime(2026, 3, 24, 17, 0),
            event_end=dt.datetime(2026, 3, 24, 19, 0),
        ),
        "past": make_document(folders["minutes"], title="Last year's party", event_start=dt.datetime(2025, 6, 1, 16)),
        "draft": make_document(
            folders["notice_board"], title="Secret draft", state=Document.DRAFT, event_start=dt.datetime(2026, 3, 9, 9)
        ),
    }


def test_the_upcoming_list_shows_what_the_member_reads(app, event_world, login_as, client):
    login_as("member")
    page = client.get("/alpha/events").get_data(as_text=True)
    assert page.count("Cleaning day") == 3  # March, April, May: the next 90 days
    assert "General meeting" in page and "Tuesday, 24 March 2026, 18:00–20:00" in page
    assert "Last year" not in page and "Secret draft" not in page
    assert page.index("Saturday, 7 March 2026") < page.index("General meeting")


def test_a_tenant_never_sees_an_event_of_a_folder_they_do_not_read(app, event_world, login_as, client):
    login_as("tenant")
    for path in ("/alpha/events", "/alpha/events/2026/3"):
        page = client.get(path).get_data(as_text=True)
        assert "Cleaning day" in page
        assert "General meeting" not in page
    assert client.get(f"/alpha/documents/{event_world['meeting'].id}").status_code == 404


def test_the_month_view_lists_days_with_links_to_the_months_around(app, event_world, login_as, client):
    login_as("member")
    page = client.get("/alpha/events/2026/3").get_data(as_text=True)
    assert "<h1>March 2026</h1>" in page
    assert 'href="/alpha/events/2026/2"' in page and 'href="/alpha/events/2026/4"' in page
    assert "Saturday, 7 March 2026" in page and "18:00 General meeting" in page
    december = client.get("/alpha/events/2026/12").get_data(as_text=True)
    assert 'href="/alpha/events/2027/1"' in december and "Cleaning day" in december
    assert client.get("/alpha/events/2026/13").status_code == 404


def test_the_board_makes_an_event_on_the_document_form(app, alpha, login_as, client, folders, outbox):
    login_as("board")
    data = {
        "title": "Yard work",
        "folder": folders["notice_board"].id,
        "event_date": "2026-10-24",
        "event_time": "18:00",
        "event_end_time": "20:00",
        "event_repeat": "WEEKLY",
        "event_until": "2026-11-28",
        "publish": "1",
    }
    response = client.submit("/alpha/documents/new", data)
    assert response.status_code == 302
    document = Document.get(Document.title == "Yard work")
    assert document.event_start == dt.datetime(2026, 10, 24, 16, 0)  # 18:00 CEST in Stockholm
    assert document.event_end == dt.datetime(2026, 10, 24, 18, 0)
    assert (document.event_rrule, document.event_until) == ("FREQ=WEEKLY", dt.date(2026, 11, 28))

    page = client.get(f"/alpha/documents/{document.id}").get_data(as_text=True)
    assert "Every week" in page and "28 Nov 2026" in page
    form = client.get(f"/alpha/documents/{document.id}/edit").get_data(as_text=True)
    assert 'value="2026-10-24"' in form and 'value="18:00"' in form

    data.update(event_date="", event_time="", event_end_time="", event_repeat="", event_until="")
    client.submit(f"/alpha/documents/{document.id}/edit", data)
    assert Document.get_by_id(document.id).event_start is None  # no date: no longer an event


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"event_time": "18:00"}, "Give the date of the event"),
        (
            {"event_date": "2026-10-24", "event_time": "18:00", "event_end_date": "2026-10-23"},
            "cannot end before it starts",
        ),
        (
            {"event_date": "2026-10-24", "event_all_day": "y", "event_repeat": "YEARLY", "event_until": "2025-01-01"},
            "The last time cannot be before the first",
        ),
    ],
)
def test_the_form_refuses_an_event_that_makes_no_sense(app, login_as, client, folders, fields, error):
    login_as("board")
    data = {"title": "Odd", "folder": folders["notice_board"].id, "publish": "1", **fields}
    response = client.submit("/alpha/documents/new", data)
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert not Document.select().exists()


def test_the_document_page_names_the_next_occurrence(app, alpha, event_world, login_as, client, frozen_clock):
    login_as("member")
    frozen_clock.set(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    page = client.get(f"/alpha/documents/{event_world['cleaning'].id}").get_data(as_text=True)
    assert "Next: Tuesday, 7 April 2026" in page and "Every month" in page
    page = client.get(f"/alpha/documents/{event_world['past'].id}").get_data(as_text=True)
    assert "This event was on Sunday, 1 June 2025, 18:00." in page


def test_a_date_without_a_time_is_a_whole_day(app, login_as, client, folders, outbox):
    login_as("board")
    data = {"title": "Flea market", "folder": folders["notice_board"].id, "publish": "1", "event_date": "2026-05-09"}
    assert client.submit("/alpha/documents/new", data).status_code == 302
    document = Document.get(Document.title == "Flea market")
    assert document.event_all_day and document.event_start == dt.datetime(2026, 5, 8, 22, 0)  # Stockholm's midnight
    assert "Saturday, 9 May 2026" in client.get(f"/alpha/documents/{document.id}").get_data(as_text=True)


def test_a_whole_day_lasts_until_the_association_s_midnight(app, alpha, make_document, folders):
    Association.update(timezone=PRAGUE).where(Association.id == alpha.id).execute()
    document = make_document(
        folders["notice_board"], event_start=dt.datetime(2026, 10, 24, 22, 0), event_all_day=True
    )  # Sunday 25 October, 25 hours long in Prague
    (occurrence,) = events.occurrences(
        document, PRAGUE, dt.datetime(2026, 10, 25, 22, 30, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    assert occurrence.end == dt.datetime(2026, 10, 26, 0, 0, tzinfo=ZoneInfo(PRAGUE))
