"""The protocol of a closed vote as a PDF download, for the managers of votes of its kind (V5).

The published protocol is served as it was published; if the board has since removed the result document
(or the vote had no folder to publish it in), the protocol is made again from the tally as published and
the stored ballots, which no longer change. Members read the published document in its folder.
"""

from __future__ import annotations

from flask import abort, g, make_response

from blueprints.documents import attachments
from blueprints.votes import bp, guard
from blueprints.votes.protocol import filename, render
from blueprints.votes.tally import Tally
from core.access import can, requires_any
from models import permissions as perms
from models.documents import Document, DocumentAttachment
from models.votes import Vote


# The URL value is named for what it must be (a closed vote): the access matrix gives each name one row.
@bp.route("/votes/<int:closed_vote_id>/protocol.pdf")
@requires_any(perms.VOTES_MANAGE, perms.VOTES_MANAGE_PER_ROLLAM)
def protocol(closed_vote_id: int):
    """Download a closed vote's protocol (PDF): the one published, else made again from the published tally."""
    vote = Vote.of(g.association).where((Vote.id == closed_vote_id) & (Vote.state == Vote.CLOSED)).first()
    if vote is None or not vote.result_json:
        abort(404)
    if not can(perms.VOTES_MANAGE_PER_ROLLAM if vote.is_per_rollam else perms.VOTES_MANAGE):
        abort(403)
    guard.step_up_to_manage(vote)
    body = published(vote) or render(vote, Tally.from_json(vote.result_json))
    response = make_response(body)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(vote)}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def published(vote: Vote) -> bytes | None:
    """The protocol file of the vote's published result document, if it is still there."""
    if vote.protocol_id is None:
        return None
    attachment = (
        DocumentAttachment.select()
        .join(Document)
        .where(
            (Document.id == vote.protocol_id)
            & (Document.association == vote.association_id)
            & (DocumentAttachment.original_name == filename(vote))
        )
        .first()
    )
    path = attachments.file_of(attachment, g.association) if attachment is not None else None
    return path.read_bytes() if path is not None and path.is_file() else None
