"""Access matrix entries for the votes' pages (issue 12).

In world() a running secret poll with live results (and its PDF) and a draft poll. A tenant holds no votes.*
permission: every page of a vote is a 404 for them, as for a vote that is not there, and the list a 403.
Members read the running vote; a secret vote's totals (until it ends) and ballots are its managers' alone
(404 for members). The draft is its managers' (the board's and the administrator's): a 404 for everyone
else. Members have no unit in this world: their ballot is refused (422) as an empty form is.

The vote's file is the first VoteAttachment of a fresh database (id 1), as faults.py's file is the first
FaultAttachment: the two routes share the URL value name `attachment_id`, which faults.py's world gives.
"""

import datetime as dt
import secrets

from core import clock
from models.community import Thread
from models.register import Building, Ownership, Person, Unit
from models.votes import Vote, VoteAttachment, VoteOption, VoteUnit
from tests.access.common import BOARD_UP, LOGIN, holders_of
from tests.access.faults import _write_when_the_app_runs

READERS = ("member", "board", "administrator")


def reading(status=200):
    """Who reads votes gets `status`; the tenant 404, as for a vote that is not there."""
    expected = holders_of(READERS, status)
    expected["tenant"] = 404
    return expected


def managing(status=200):
    """The board and the administrator manage votes; members and tenants do not see a draft (404)."""
    expected = holders_of(BOARD_UP, status)
    expected["member"] = expected["tenant"] = 404
    return expected


def secret_ballots(status=200):
    """A secret vote's ballots: its managers get `status`, everyone else 404."""
    return managing(status)


board = lambda status=200: holders_of(BOARD_UP, status)  # noqa: E731

MATRIX = {
    ("votes.index", "GET"): holders_of(READERS),
    ("votes.vote", "GET"): reading(),
    ("votes.cast", "POST"): reading(422),  # no unit, no option
    ("votes.results_part", "GET"): secret_ballots(),  # a secret vote's totals wait for its end
    ("votes.ballot_list", "GET"): secret_ballots(),
    ("votes.attachment", "GET"): reading(),
    ("votes.vote_reply", "POST"): reading(422),  # nothing typed
    ("votes.new_poll", "GET"): board(),
    ("votes.new_poll", "POST"): board(422),  # nothing typed
    ("votes.new_per_rollam", "GET"): board(),
    ("votes.new_per_rollam", "POST"): board(422),  # nothing typed
    ("votes.edit", "GET"): managing(),
    ("votes.edit", "POST"): managing(422),  # nothing typed
    ("votes.delete", "GET"): managing(),
    ("votes.delete", "POST"): managing(302),
    ("votes.start", "GET"): managing(),
    ("votes.start", "POST"): managing(302),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A running secret poll on the bicycle racks (with the quote as a PDF) and a draft poll on the bins."""
    building = Building.get_or_none(Building.association == alpha) or Building.create(association=alpha, name="House")
    unit = Unit.create(association=alpha, building=building, number="V1", share_numerator=1, share_denominator=1)
    owner = Person.create(association=alpha, given_name="Vera", surname="Voter")
    Ownership.create(unit=unit, person=owner, is_main=True)
    now = clock.utcnow_naive()
    running = Vote.create(
        association=alpha, title="Bicycle racks?", secret=True, live_results=True, state=Vote.RUNNING,
        started_at=now, ends_at=now + dt.timedelta(days=30), eligible_units=1, total_weight_numerator=1,
    )  # fmt: skip
    VoteUnit.create(vote=running, unit=unit, weight_numerator=1)
    Thread.create(association=alpha, vote=running, title=running.title)
    draft = Vote.create(association=alpha, title="New bins?", ends_at=now + dt.timedelta(days=30))
    for vote in (running, draft):
        for position, label in enumerate(("Yes", "No")):
            VoteOption.create(vote=vote, position=position, label=label)
    stored_name = f"doc-{secrets.token_hex(16)}.pdf"
    _write_when_the_app_runs(alpha.id, stored_name, b"%PDF-1.4\n%%EOF\n", folder="votes")
    attachment = VoteAttachment.create(
        vote=running, stored_name=stored_name, original_name="quote.pdf", content_type="application/pdf", size=15
    )
    assert attachment.id == 1  # see the module's text
    return {"vote_id": running.id, "draft_id": draft.id}
