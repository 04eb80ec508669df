"""Access matrix entry for a closed vote's protocol PDF (issue 12 item 3): the managers of votes of its kind.

In world() a closed per-rollam vote of alpha with its tally as published and no result document (so the
protocol is made again when asked for). The board and the administrator manage per-rollam votes; the tenant
and the member manage no votes (403), as beta's board is no member of alpha (403).

The rows are written directly (world() runs without the app, and starting a vote through the service would
schedule its closing).
"""

import datetime as dt

from blueprints.votes import tally
from core import clock
from models.votes import Vote, VoteOption
from tests.access.common import BOARD_UP, LOGIN, holders_of

MATRIX = {
    ("votes.protocol", "GET"): holders_of(BOARD_UP),
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """ "Accounts 2025", a per-rollam vote that closed yesterday with nobody voting."""
    now = clock.utcnow_naive()
    vote = Vote.create(
        association=alpha, kind=Vote.PER_ROLLAM, title="Accounts 2025", resolution="The accounts are approved.",
        state=Vote.CLOSED, started_at=now - dt.timedelta(days=16), ends_at=now - dt.timedelta(days=1),
        closed_at=now - dt.timedelta(days=1), ledger_length=1, ledger_head="a" * 64,
    )  # fmt: skip
    options = [
        VoteOption.create(vote=vote, position=position, label=label, meaning=meaning)
        for position, (label, meaning) in enumerate((("For", "for"), ("Against", "against")))
    ]
    rule = tally.Rule.of(vote)
    counted = tally.count(rule, [(o.id, o.label, o.meaning) for o in options], {}, {})
    Vote.update(result_json=counted.to_json(), outcome=counted.outcome).where(Vote.id == vote.id).execute()
    return {"closed_vote_id": vote.id}
