"""What the votes tell the rest of the domain, without importing it (no cycles, DESIGN.md): the services
call these listeners inside the transaction that made the change."""

from __future__ import annotations

from collections.abc import Callable

# f(vote) after a vote was written, started or closed: the search index and the vote's discussion follow.
on_vote_changed: list[Callable] = []
# f(vote, ballot) after a ballot was cast, changed or recorded on paper: the receipt mail, the co-owners' notice.
on_ballot_written: list[Callable] = []


def vote_changed(vote) -> None:
    for listener in on_vote_changed:
        listener(vote)


def ballot_written(vote, ballot) -> None:
    for listener in on_ballot_written:
        listener(vote, ballot)
