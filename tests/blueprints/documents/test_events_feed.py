"""The member's iCalendar feed (D4): made from My account and shown once, parsed with icalendar, holding only
the events the member's role reads at request time, with RRULE and REFRESH-INTERVAL; a replaced or
wrong token answers 404; hostile titles stay text."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from icalendar import Calendar

from models import Membership
from models.documents import CalendarFeed


@pytest.fixture
def events(folders, make_document):
    return {
        "cleaning": make_document(
            folders["notice_board"],
            title="Cleaning day; bring gloves, please\nBEGIN:VEVENT",
            event_start=dt.datetime(2026, 3, 6, 23, 0),
            event_all_day=True,
            event_rrule="FREQ=MONTHLY",
            event_until=dt.date(2026, 12, 31),
        ),
        "meeting": make_document(
            folders["minutes"],
            title="General meeting",
            event_start=dt.datetime(2026, 5, 12, 16, 0),
            event_end=dt.datetime(2026, 5, 12, 18, 0),
            event_rrule="FREQ=YEARLY",
        ),
        "board": make_document(folders["board"], title="Board evening", event_start=dt.datetime(2026, 4, 1, 17, 0)),
        "plain": make_document(folders["notice_board"], title="Not an event"),
    }


def make_address(client) -> str:
    response = client.submit("/alpha/events/feed", {}, form_page="/alpha/account")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    match = re.search(r'value="(http://porch\.test/alpha/events/feed/[^"]+\.ics)"', page)
    assert match, page
    return match.group(1).removeprefix("http://porch.test")


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def test_the_feed_holds_what_the_member_reads_with_rrule_and_refresh(
    app, login_as, client, new_client, events, frozen_clock
):
    member = login_as("member")
    path = make_address(client)
    assert CalendarFeed.get(CalendarFeed.user == member).token_hash not in path  # only the hash is kept

    calendar = parse(new_client().get(path))  # no login: the token is the key
    assert str(calendar["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"
    assert "X-PUBLISHED-TTL" in calendar
    by_title = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(by_title) == {"Cleaning day; bring gloves, please\nBEGIN:VEVENT", "General meeting"}
    assert len(calendar.walk("VEVENT")) == 2  # the hostile title did not start an event of its own
    cleaning = by_title["Cleaning day; bring gloves, please\nBEGIN:VEVENT"]
    assert cleaning["DTSTART"].dt == dt.date(2026, 3, 7)
    assert cleaning["RRULE"]["FREQ"] == ["MONTHLY"]
    assert cleaning["RRULE"]["UNTIL"] == [dt.date(2026, 12, 31)]
    meeting = by_title["General meeting"]
    assert meeting["DTSTART"].dt.replace(tzinfo=None) == dt.datetime(2026, 5, 12, 18, 0)  # Stockholm's clock
    assert meeting["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert meeting["RRULE"]["FREQ"] == ["YEARLY"]
    assert str(meeting["URL"]) == f"http://porch.test/alpha/documents/{events['meeting'].id}"


def test_the_feed_follows_the_role_at_request_time(app, alpha, login_as, client, new_client, events):
    member = login_as("member")
    path = make_address(client)
    Membership.update(role=alpha.role("tenant")).where(Membership.user == member).execute()
    titles = {str(e["SUMMARY"]) for e in parse(new_client().get(path)).walk("VEVENT")}
    assert titles == {"Cleaning day; bring gloves, please\nBEGIN:VEVENT"}  # tenants do not read the minutes


def test_a_replaced_or_wrong_token_answers_404(app, login_as, client, new_client, events):
    login_as("member")
    old = make_address(client)
    assert new_client().get(old).status_code == 200
    new = make_address(client)
    assert new != old
    assert new_client().get(old).status_code == 404
    assert new_client().get(new).status_code == 200
    assert new_client().get("/alpha/events/feed/" + "A" * 43 + ".ics").status_code == 404
    assert new_client().get(new.replace("/alpha/", "/beta/")).status_code == 404


def test_my_account_offers_the_address_and_shows_it_only_once(app, login_as, client, events):
    login_as("member")
    page = client.get("/alpha/account").get_data(as_text=True)
    assert "Make my calendar address" in page
    path = make_address(client)
    page = client.get("/alpha/account").get_data(as_text=True)
    assert path.rsplit("/", 1)[-1] not in page  # shown once: the page has no way to show it again
    assert "stops any address you made before" in page


def test_the_address_is_made_in_place_with_htmx(app, login_as, client, events):
    login_as("member")
    response = client.post(
        "/alpha/events/feed", data={"csrf_token": client.csrf("/alpha/account")}, headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section class="panel" id="calendar"')
    assert "/alpha/events/feed/" in body
