"""Every started vote has its discussion below it (V, seed 004 §1.3; issue 8), frozen once the vote closes.

The thread is made when the vote starts (signals.on_vote_changed, in the starting transaction), follows the
vote's title, and is locked when the vote closes: whoever closes it calls vote_changed, and a closed vote's
page offers no reply form in any case. Posting reuses the discussions' service (community/threads.py).
"""

from __future__ import annotations

from blueprints.votes import signals
from models.community import Thread
from models.votes import Vote


def thread_for(vote: Vote) -> Thread | None:
    """The vote's thread, made if the vote has started and has none yet (the first post of an older vote)."""
    if vote.state == Vote.DRAFT:
        return None
    thread = Thread.get_or_none(Thread.vote == vote.id)
    if thread is None:
        thread = Thread.create(
            association=vote.association_id, vote=vote.id, title=vote.title[:200], author=vote.author_id,
            locked=vote.state == Vote.CLOSED,
        )  # fmt: skip
    return thread


def follow_vote(vote: Vote) -> None:
    """Keep the thread in step with its vote: made at the start, renamed with it, locked when it closes."""
    if vote.state == Vote.DRAFT:
        return
    thread = thread_for(vote)
    locked = thread.locked or vote.state == Vote.CLOSED
    if thread.title != vote.title[:200] or thread.locked != locked:
        Thread.update(title=vote.title[:200], locked=locked).where(Thread.id == thread.id).execute()


if follow_vote not in signals.on_vote_changed:
    signals.on_vote_changed.append(follow_vote)
