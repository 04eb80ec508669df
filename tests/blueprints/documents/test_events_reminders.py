"""Event reminders (D4, seed 004 §4.11) through the real SMTP server, with the clock under the test's control:
each occurrence and offset mailed once, also when the job runs twice or after a gap; the change from summer
time in Europe/Prague; never to a member who may not read the event's folder or who chose none."""

from __future__ import annotations

import datetime as dt

import pytest
from rq.cron import CronScheduler

from core import notifications
from jobs.events import remind
from models import Association, OutboundEmail
from models.db import transaction
from models.documents import Document, EventReminder
from tests.helpers import text_of

UTC = dt.UTC
REMINDERS = "documents.event_reminders"


@pytest.fixture
def prague(app, alpha):
    Association.update(timezone="Europe/Prague").where(Association.id == alpha.id).execute()
    alpha.timezone = "Europe/Prague"
    return alpha


@pytest.fixture
def people(prague, make_user):
    """A member (default offsets), a tenant (cannot read Minutes), a member who switched reminders off and one
    who ticked no offset."""
    users = {
        "member": make_user(prague, "member@alpha.example", "member"),
        "tenant": make_user(prague, "tenant@alpha.example", "tenant"),
        "off": make_user(prague, "off@alpha.example", "member"),
        "none": make_user(prague, "none@alpha.example", "member"),
    }
    with transaction():
        notifications.save_choices(users["off"].id, prague.id, {REMINDERS: notifications.Choice(False, ("day",))})
        notifications.save_choices(users["none"].id, prague.id, {REMINDERS: notifications.Choice(True, ())})
    return users


@pytest.fixture
def weekly(prague, folders, make_document):
    """Tuesdays at 18:00 in Prague from 20 October 2026: summer time ends on Sunday 25 October."""
    return make_document(
        folders["minutes"],
        title="Choir practice",
        event_start=dt.datetime(2026, 10, 20, 16, 0),  # 18:00 CEST
        event_end=dt.datetime(2026, 10, 20, 18, 0),
        event_rrule="FREQ=WEEKLY",
        published_at=dt.datetime(2026, 10, 1, 8, 0),
    )


def run(app) -> int:
    with app.app_context():
        return remind()


def sent_rows():
    return {
        (r.occurrence, r.offset): r.created_at
        for r in EventReminder.select().where(EventReminder.mailed == True)  # noqa: E712
    }


def test_each_occurrence_and_offset_is_mailed_once_across_the_change_of_time(
    app, people, weekly, frozen_clock, smtp_server
):
    frozen_clock.set(dt.datetime(2026, 10, 15, 0, 0, tzinfo=UTC))
    while frozen_clock.now < dt.datetime(2026, 10, 28, tzinfo=UTC):
        run(app)
        run(app)  # a second run in the same minute mails nothing more
        frozen_clock.advance(dt.timedelta(hours=1))

    messages = smtp_server.wait_for(6)
    assert [m["To"] for m in messages] == ["member@alpha.example"] * 6
    assert OutboundEmail.select().where(OutboundEmail.kind == "event_reminder").count() == 6
    first, second = dt.datetime(2026, 10, 20, 16, 0), dt.datetime(2026, 10, 27, 17, 0)  # both 18:00 in Prague
    assert sent_rows() == {
        (first, "4days"): dt.datetime(2026, 10, 16, 16, 0),
        (first, "day"): dt.datetime(2026, 10, 19, 16, 0),
        (first, "morning"): dt.datetime(2026, 10, 20, 5, 0),  # 07:00 CEST
        (second, "4days"): dt.datetime(2026, 10, 23, 16, 0),  # 18:00 CEST, four days before
        (second, "day"): dt.datetime(2026, 10, 26, 17, 0),  # 18:00 CET: the same time of day after the change
        (second, "morning"): dt.datetime(2026, 10, 27, 6, 0),  # 07:00 CET
    }
    last = messages[-1]
    assert "Choir practice" in last["Subject"]
    assert "18:00" in last["Subject"] and "27 October 2026" in last["Subject"]
    assert "18:00–20:00" in text_of(last)
    assert "http://porch.test/alpha/documents/" in text_of(last)


def test_a_job_after_a_gap_sends_the_nearest_reminder_once_and_none_for_what_is_over(
    app, people, weekly, frozen_clock, smtp_server
):
    # Nothing ran from before the first occurrence until the morning of the second.
    frozen_clock.set(dt.datetime(2026, 10, 27, 12, 0, tzinfo=UTC))
    assert run(app) == 1
    assert run(app) == 0
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "member@alpha.example"
    second = dt.datetime(2026, 10, 27, 17, 0)
    rows = {(r.occurrence, r.offset, r.mailed) for r in EventReminder.select()}
    # The morning's is mailed; the day before's and four days before's are passed over, never mailed later.
    assert rows == {(second, "morning", True), (second, "day", False), (second, "4days", False)}
    frozen_clock.advance(dt.timedelta(hours=4))
    assert run(app) == 0
    assert OutboundEmail.select().count() == 1


def test_a_job_that_comes_back_after_the_events_mails_nothing(app, people, weekly, frozen_clock, smtp_server):
    frozen_clock.set(dt.datetime(2026, 10, 27, 17, 30, tzinfo=UTC))  # the second occurrence has begun
    assert run(app) == 0
    assert OutboundEmail.select().count() == 0
    assert EventReminder.select().count() == 0


def test_reminders_due_before_the_event_was_published_are_not_sent(
    app, people, folders, make_document, frozen_clock, smtp_server
):
    frozen_clock.set(dt.datetime(2026, 10, 19, 17, 0, tzinfo=UTC))
    make_document(
        folders["notice_board"],
        title="Water off",
        event_start=dt.datetime(2026, 10, 20, 16, 0),
        published_at=dt.datetime(2026, 10, 19, 17, 0),
    )
    assert run(app) == 0  # the day before's came due at 16:00, before it was published
    frozen_clock.set(dt.datetime(2026, 10, 20, 5, 0, tzinfo=UTC))
    # The notice board is read by tenants too: the morning's goes to both who get reminders.
    assert run(app) == 2
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["member@alpha.example", "tenant@alpha.example"]


def test_a_whole_day_event_is_reminded_at_seven_in_the_morning(
    app, people, folders, make_document, frozen_clock, smtp_server
):
    make_document(
        folders["minutes"],
        title="Cleaning day",
        event_start=dt.datetime(2026, 11, 6, 23, 0),  # 7 November, midnight in Prague
        event_all_day=True,
        published_at=dt.datetime(2026, 10, 1),
    )
    frozen_clock.set(dt.datetime(2026, 11, 7, 5, 59, tzinfo=UTC))
    assert run(app) == 1  # the day before's (07:00 on the 6th); the morning's is not due yet
    frozen_clock.set(dt.datetime(2026, 11, 7, 6, 0, tzinfo=UTC))  # 07:00 CET: the event is on, all day
    assert run(app) == 1
    messages = smtp_server.wait_for(2)
    assert "Saturday, 7 November 2026" in messages[-1]["Subject"]
    assert {r.offset for r in EventReminder.select().where(EventReminder.mailed == True)} == {"day", "morning"}  # noqa: E712


def test_a_hostile_title_is_inert_in_the_mail(app, people, folders, make_document, frozen_clock, smtp_server):
    make_document(
        folders["minutes"],
        title='Party\r\nBcc: thief@example.com <script>alert("x")</script>',
        event_start=dt.datetime(2026, 10, 20, 16, 0),
        published_at=dt.datetime(2026, 10, 1),
    )
    frozen_clock.set(dt.datetime(2026, 10, 20, 5, 0, tzinfo=UTC))
    assert run(app) == 1
    (message,) = smtp_server.wait_for(1)
    assert message["Bcc"] is None
    assert message["X-Envelope-To"] == "member@alpha.example"
    assert "Bcc: thief@example.com" in message["Subject"]  # kept as text on one line
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_unpublished_event_reminds_nobody(app, people, folders, make_document, frozen_clock, smtp_server):
    make_document(
        folders["minutes"], title="Draft party", state=Document.DRAFT, event_start=dt.datetime(2026, 10, 20, 16, 0)
    )
    frozen_clock.set(dt.datetime(2026, 10, 20, 5, 0, tzinfo=UTC))
    assert run(app) == 0


def test_flask_jobs_tick_sends_due_reminders(app, people, weekly, frozen_clock, smtp_server):
    frozen_clock.set(dt.datetime(2026, 10, 20, 5, 0, tzinfo=UTC))
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert "1 event reminder(s) mailed" in result.output, result.output
    assert smtp_server.wait_for(1)[0]["To"] == "member@alpha.example"


def test_rq_cron_runs_the_reminders(redis):
    scheduler = CronScheduler(connection=redis)
    scheduler.load_config_from_file("jobs/schedule.py")
    assert "event-reminders" in {job.name for job in scheduler.get_jobs()}
