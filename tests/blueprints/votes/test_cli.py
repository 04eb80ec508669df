"""`flask votes verify <id>` (issue 12 item 6) and `flask votes close-due`: the verification passes on an
untouched vote and fails, with exit code 1, once a ballot row or a ledger entry is changed in the database
behind the portal's back; close-due closes what is due, once; `flask jobs tick` does the same without Redis."""

from __future__ import annotations

import datetime as dt

import pytest

from models.db import db
from models.documents import Document
from models.votes import Vote
from tests.blueprints.votes import closing_helpers
from tests.blueprints.votes.closing_helpers import cast
from tests.factories.votes import make_vote, option

house = closing_helpers.house  # a fixture


@pytest.fixture
def vote(app, alpha, house, outbox, frozen_clock):
    """A per-rollam vote that ended with flats 1 and 2 voting, not yet closed."""
    with app.app_context():
        started = make_vote(alpha, "Roof repair", kind=Vote.PER_ROLLAM, days=15)
        cast(started, house["anna"], house["one"], "For")
        cast(started, house["dan"], house["two"], "Against")
    frozen_clock.set(started.ends_at)
    return started


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_close_due_closes_what_is_due_once_and_says_so(app, vote):
    result = run(app, "votes", "close-due")
    assert result.exit_code == 0, result.output
    closed = Vote.get_by_id(vote.id)
    assert f"vote {vote.id} «Roof repair» (alpha): closed, outcome passed;" in result.output
    assert "result published in Minutes; 5 result mail(s) queued;" in result.output
    assert closed.ledger_head in result.output
    assert run(app, "votes", "close-due").output.strip() == "No vote is due to close."
    assert Document.select().count() == 1


def test_the_tick_closes_a_vote_without_redis(app, vote):
    result = run(app, "jobs", "tick")
    assert result.exit_code == 0, result.output
    assert "1 vote(s) closed" in result.output
    assert "0 vote(s) closed" in run(app, "jobs", "tick").output
    assert Vote.get_by_id(vote.id).state == Vote.CLOSED and Document.select().count() == 1


def test_verify_passes_on_an_untouched_vote(app, vote):
    run(app, "votes", "close-due")
    closed = Vote.get_by_id(vote.id)
    result = run(app, "votes", "verify", str(vote.id))
    assert result.exit_code == 0, result.output
    assert "3 ledger entries" in result.output and f"Final hash: {closed.ledger_head}" in result.output
    assert "OK: the chain is intact and the ballots add up to the published result." in result.output
    assert "PROBLEM" not in result.output


def test_verify_fails_after_a_ballot_row_is_altered(app, vote, house):
    run(app, "votes", "close-due")
    against = option(vote, "Against").id
    db.execute_sql(
        "UPDATE ballot SET option_id = ? WHERE unit_id = ?".replace("?", db.param), (against, house["one"].id)
    )
    result = run(app, "votes", "verify", str(vote.id))
    assert result.exit_code == 1
    assert f"PROBLEM: unit {house['one'].id}'s ballot differs from its last ledger entry" in result.output
    assert "PROBLEM: the ballots do not add up to the published result" in result.output
    assert "FAILED: 3 problem(s)." in result.output
    assert "the outcome shown is not the one the ballots decide" in result.output


def test_verify_fails_after_a_ledger_entry_is_altered(app, vote):
    db.execute_sql("UPDATE ledger_entry SET at = ? WHERE seq = 1".replace("?", db.param), (dt.datetime(2026, 3, 3),))
    result = run(app, "votes", "verify", str(vote.id))
    assert result.exit_code == 1
    assert "PROBLEM: entry 1 was altered: its hash does not match" in result.output


def test_verify_of_an_unknown_vote_says_so(app, vote):
    result = run(app, "votes", "verify", "999")
    assert result.exit_code != 0 and "No vote has the id 999." in result.output
