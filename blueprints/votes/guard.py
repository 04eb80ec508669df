"""The second factor a vote's managers give before they manage it (P6): an association that guards
votes.manage or votes.manage_per_rollam asks for it on every page that acts for that kind of vote (drafts,
starting, paper ballots and their scans, the protocol). On a vote's own page a manager who has not given
it sees the vote as its members do (queries.manages_now)."""

from __future__ import annotations

from flask import abort, request, url_for

from blueprints.portal import two_factor
from blueprints.votes import queries
from models.votes import Vote


def step_up_to_manage(vote: Vote) -> None:
    """Stop the request with the way to the second factor, when the association asks one of this vote's
    managers and this browser has not given it; back to this page after (a form: the vote's page)."""
    if request.method in ("GET", "HEAD"):
        back = request.full_path.rstrip("?")
    else:
        back = url_for("votes.vote", vote_id=vote.id)
    response = two_factor.step_up_needed(queries.MANAGE[vote.kind], back)
    if response is not None:
        abort(response)
