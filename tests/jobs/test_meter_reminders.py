"""Meter reading reminders (M3) through the real SMTP server, with the clock under the test's control: each
member who asked is mailed once per window, the chosen number of days before it closes, only while a unit
they hold has not handed in every reading; never to those who did not ask, whose units are done, whose role
may not hand in, nor after the window closed. `flask jobs tick` runs it too."""

from __future__ import annotations

import datetime as dt

import pytest

from core import notifications
from jobs.meter_reminders import remind
from models import Person
from models.db import transaction
from models.meters import ReadingReminder
from tests.blueprints.meters.period_world import NOVEMBER, furnish, november
from tests.factories.meters import make_reading
from tests.factories.register import make_owner, make_resident
from tests.helpers import text_of

KIND = "meters.reminder"


def choose(user, association, enabled: bool, *days: str) -> None:
    with transaction():
        notifications.save_choices(user.id, association.id, {KIND: notifications.Choice(enabled, days)})


def holding(user, unit, *, lives: bool = False):
    person = Person.get(Person.user == user.id)
    (make_resident if lives else make_owner)(unit, person)
    return user


@pytest.fixture
def people(app, alpha, make_user):
    """Unit 1 has handed in nothing, unit 2 everything. Who asked for which days before the closing day."""
    units = furnish(alpha, 2)
    window = november(alpha)  # open 25 November to 5 December
    for meter in units[1].meters:
        make_reading(meter, "40", NOVEMBER, window)
    users = {
        "three": holding(make_user(alpha, "three@alpha.example", "member"), units[0]),
        "week": holding(make_user(alpha, "week@alpha.example", "tenant"), units[0], lives=True),
        "silent": holding(make_user(alpha, "silent@alpha.example", "member"), units[0]),
        "off": holding(make_user(alpha, "off@alpha.example", "member"), units[0]),
        "done": holding(make_user(alpha, "done@alpha.example", "member"), units[1]),
        "nounit": make_user(alpha, "nounit@alpha.example", "member"),
    }
    choose(users["three"], alpha, True, "3", "1")
    choose(users["week"], alpha, True, "7")
    choose(users["off"], alpha, False, "7")
    choose(users["done"], alpha, True, "7")
    choose(users["nounit"], alpha, True, "7")
    return window, users


def run(app) -> int:
    with app.app_context():
        return remind()


def at(frozen_clock, day: dt.date) -> None:
    frozen_clock.set(dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC))


def test_each_member_who_asked_is_mailed_once_the_days_they_chose_before_the_close(
    app, people, frozen_clock, smtp_server
):
    window, _users = people
    at(frozen_clock, dt.date(2026, 11, 24))  # before the window opens
    assert run(app) == 0
    at(frozen_clock, dt.date(2026, 11, 28))  # seven days left: the tenant who asked a week ahead
    assert run(app) == 1
    assert run(app) == 0  # a second run the same day mails nothing more
    at(frozen_clock, dt.date(2026, 12, 2))  # three days left: the member who ticked 3 and 1
    assert run(app) == 1
    at(frozen_clock, dt.date(2026, 12, 4))  # one day left: still once per window
    assert run(app) == 0
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["three@alpha.example", "week@alpha.example"]
    body = text_of(messages[0])
    assert "Flat 1" in body and "Flat 2" not in body and "5 Dec 2026" in body
    assert "http://porch.test/alpha/" in body
    assert ReadingReminder.select().where(ReadingReminder.window == window.id).count() == 2
    assert all(r.email_id is not None for r in ReadingReminder.select())


def test_a_late_run_still_mails_once_and_nothing_goes_after_the_close(app, alpha, people, frozen_clock, smtp_server):
    _window, users = people
    at(frozen_clock, dt.date(2026, 12, 5))  # the last day: both who asked, in one run
    assert run(app) == 2
    assert run(app) == 0
    at(frozen_clock, dt.date(2026, 12, 6))  # closed: a member who asks now gets nothing
    choose(users["silent"], alpha, True, "7")
    assert run(app) == 0
    assert len(smtp_server.wait_for(2)) == 2


def test_a_unit_that_handed_in_everything_gets_no_reminder(app, people, frozen_clock, smtp_server):
    window, users = people
    at(frozen_clock, dt.date(2026, 11, 30))
    unit = Person.get(Person.user == users["three"].id).ownerships[0].unit
    for meter in unit.meters:
        make_reading(meter, "40", NOVEMBER, window)
    assert run(app) == 0


def test_the_tick_command_counts_meter_reminders(app, people, frozen_clock, smtp_server):
    at(frozen_clock, dt.date(2026, 12, 2))
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert result.exit_code == 0, result.output
    assert "2 meter reading reminder(s) mailed" in result.output
    smtp_server.wait_for(2)


def test_members_find_the_reminders_off_in_their_notification_settings(app, client, login_as):
    login_as("tenant")
    page = client.get("/alpha/account")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Meter reading reminders" in text and "A week before it closes" in text
    assert notifications.choices_of(1, 1)[KIND] == notifications.Choice(False, ("3",))
