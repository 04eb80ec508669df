"""Votes in the quick search (V, seed 004 §1.3: "every vote is indexed"): a started vote is one entry, its
title, resolution and details, found by every role that holds a votes.* permission (as its page is read).
A draft is never indexed. The entry follows the vote (signals.on_vote_changed: started, changed, closed).
"""

from __future__ import annotations

import html
import logging

import nh3
from flask import url_for

from blueprints.votes import signals
from core import search
from core.text import lazy_gettext as _l
from core.text import markdown
from models.search import SearchEntry
from models.votes import Vote

KIND = "vote"
log = logging.getLogger(__name__)


def _plain(source: str) -> str:
    return html.unescape(nh3.clean(str(markdown(source)), tags=set()))


def _entry(vote: Vote) -> search.Entry:
    return search.Entry(
        kind=KIND,
        object_id=vote.id,
        association_id=vote.association_id,
        folder_id=None,
        title=vote.title,
        body="\n\n".join(part for part in (vote.resolution, _plain(vote.body)) if part),
        files="",
        at=vote.started_at or vote.created_at,
    )


def index_vote(vote: Vote) -> None:
    """Put a started vote in the index as it is now; a draft is taken out (it never shows)."""
    try:
        if vote.state == Vote.DRAFT:
            search.remove(KIND, vote.id)
        else:
            search.put(_entry(vote))
    except Exception:  # the vote itself is written: `flask search rebuild` puts the index right
        log.exception("could not index vote %s for the search", vote.id)


def entries(association_id: int):
    """Every started vote of the association, for `flask search rebuild`."""
    votes = Vote.select().where((Vote.association == association_id) & (Vote.state != Vote.DRAFT)).order_by(Vote.id)
    for vote in votes.iterator():
        yield _entry(vote)


def readable_condition(membership):
    """The started votes the member's role reads (any votes.* permission), as the database checks it."""
    if not any(permission.startswith("votes.") for permission in membership.role.permission_set):
        return None
    return SearchEntry.object_id.in_(Vote.select(Vote.id).where(Vote.readable_by(membership.role_id)))


def url_for_hit(hit: search.Hit) -> str:
    return url_for("votes.vote", vote_id=hit.object_id)


search.register_kind(KIND, _l("Vote"), url_for_hit, readable_condition, entries)
if index_vote not in signals.on_vote_changed:
    signals.on_vote_changed.append(index_vote)
