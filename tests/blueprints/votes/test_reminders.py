"""Reminders of a running per-rollam vote (V3; seed 004 §4.15): every 7 days after the start, to the owners
and valid proxies of the units that have not voted, once however often the sweep runs."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.votes import reminders
from models.register import VotingProxy
from models.votes import Vote, VoteUnit
from tests.blueprints.votes import closing_helpers
from tests.blueprints.votes.closing_helpers import cast
from tests.factories.votes import make_vote

house = closing_helpers.house  # a fixture
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():
        yield


def per_rollam(alpha, **fields):
    return make_vote(alpha, "Roof repair", kind=Vote.PER_ROLLAM, days=20, **fields)


def mailed(outbox) -> list[str]:
    return sorted(row.to_address for row in outbox.rows(kind="vote_reminder"))


def test_every_seven_days_the_units_that_have_not_voted_are_reminded_once(alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha)
    cast(vote, house["anna"], house["one"], "For")  # flat 1 voted: Anna and Ben are not reminded

    frozen_clock.advance(6 * DAY + dt.timedelta(hours=23))
    assert reminders.send_due() == 0
    frozen_clock.advance(dt.timedelta(hours=1))  # seven days after the start
    assert reminders.send_due() == 3
    # Flat 2's owner and its proxy, flat 3's owner.
    assert mailed(outbox) == ["cilla@alpha.example", "dan@alpha.example", "eva@alpha.example"]
    assert reminders.send_due() == 0  # the sweep again at once
    frozen_clock.advance(DAY)
    assert reminders.send_due() == 0  # and the next day
    reminded = {vu.unit_id: vu.last_reminded_at for vu in VoteUnit.select().where(VoteUnit.vote == vote.id)}
    assert reminded[house["one"].id] is None and reminded[house["two"].id] == vote.started_at + 7 * DAY

    cast(vote, house["eva"], house["three"], "Against")
    frozen_clock.set(vote.started_at + 14 * DAY)
    assert reminders.send_due() == 2
    assert mailed(outbox) == sorted(["cilla@alpha.example", "dan@alpha.example"] * 2 + ["eva@alpha.example"])

    frozen_clock.set(vote.started_at + 21 * DAY)  # the vote ended the day before
    assert reminders.send_due() == 0


def test_the_reminder_names_the_units_the_end_and_links_to_the_vote(alpha, house, outbox, frozen_clock):
    alpha.timezone = "Europe/Prague"
    alpha.save()
    vote = per_rollam(alpha)
    frozen_clock.advance(7 * DAY)
    reminders.send_due()
    (dan,) = outbox.rows(to_address="dan@alpha.example")
    assert dan.subject == "Reminder: your vote on “Roof repair” is still missing"
    assert "This unit has not voted yet:\n- Flat 2\n" in dan.body_text
    assert "22 Mar 2026, 10:00:00 CET" in dan.body_text  # the end, in the association's time
    assert f"http://porch.test/alpha/votes/{vote.id}" in dan.body_text and vote.resolution in dan.body_text
    (eva,) = outbox.rows(to_address="eva@alpha.example")
    assert eva.language == "cs"


def test_a_sweep_that_was_down_sends_one_reminder_not_one_for_each_week_missed(alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha)
    frozen_clock.advance(15 * DAY)
    assert reminders.send_due() == 5  # every owner and the proxy: nobody voted
    frozen_clock.advance(dt.timedelta(hours=1))
    assert reminders.send_due() == 0
    frozen_clock.set(vote.started_at + 14 * DAY + dt.timedelta(hours=23))
    assert reminders.send_due() == 0


def test_no_reminder_for_a_poll_for_a_vote_without_reminders_or_by_a_proxy_whose_time_is_over(
    alpha, house, outbox, frozen_clock
):
    make_vote(alpha, "Bicycle racks?", days=20)
    per_rollam(alpha, reminders=False)
    VotingProxy.update(end_date=dt.date(2026, 3, 5)).execute()  # Dan's proxy ends before the reminder
    vote = per_rollam(alpha)
    frozen_clock.advance(7 * DAY)
    assert reminders.send_due() == 4
    assert "dan@alpha.example" not in mailed(outbox)
    assert {row.body_text.count("Roof repair") for row in outbox.rows()} == {1}
    assert Vote.get_by_id(vote.id).last_reminded_at == vote.started_at + 7 * DAY
