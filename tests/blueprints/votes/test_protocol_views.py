"""Downloading a closed vote's protocol (votes.protocol): the managers of votes of its kind get the published
PDF, or one made again if the result document is gone; nothing before the close, nothing of another house."""

from __future__ import annotations

import pytest

from blueprints.votes import closing
from models.documents import Document, DocumentAttachment
from models.portal import Role
from models.votes import Vote
from tests.blueprints.votes import closing_helpers
from tests.blueprints.votes.closing_helpers import cast, pdf_text
from tests.factories.votes import make_vote

house = closing_helpers.house  # a fixture


@pytest.fixture
def vote(app, alpha, house):
    """A running per-rollam vote in which flat 3 voted For."""
    with app.app_context():
        started = make_vote(alpha, "Roof repair", kind=Vote.PER_ROLLAM, days=15)
        cast(started, house["eva"], house["three"], "For")
    return started


def close(app, vote, frozen_clock) -> Vote:
    frozen_clock.set(vote.ends_at)
    with app.app_context():
        assert closing.close(vote.id)
    return Vote.get_by_id(vote.id)


def test_the_board_downloads_the_published_protocol_then_a_remade_one(
    app, alpha, vote, outbox, frozen_clock, login_as, client
):
    path = f"/alpha/votes/{vote.id}/protocol.pdf"
    login_as("board")
    assert client.get(path).status_code == 404  # still running: no protocol yet

    vote = close(app, vote, frozen_clock)
    attachment = DocumentAttachment.get(DocumentAttachment.document == vote.protocol_id)
    published = (app.config["UPLOAD_DIR"] / str(alpha.id) / "documents" / attachment.stored_name).read_bytes()
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == published
    assert f'filename="vote-{vote.id}-protocol.pdf"' in response.headers["Content-Disposition"]

    Document.delete().where(Document.id == vote.protocol_id).execute()  # the board removed the result
    again = client.get(path)
    assert again.status_code == 200
    words = pdf_text(again.data)
    assert words == pdf_text(published)  # made again from the published tally: the same protocol
    assert vote.ledger_head in words and "Adopted" in words and "Flat 3 For online" in words


def test_a_manager_of_polls_only_cannot_download_a_per_rollam_protocol(
    app, alpha, vote, outbox, frozen_clock, make_user, login, client
):
    vote = close(app, vote, frozen_clock)
    user = make_user(alpha, "polls@alpha.example", "member")
    role = Role.get_by_id(user.memberships[0].role_id)
    Role.update(permissions=role.permissions + " votes.manage").where(Role.id == role.id).execute()
    login(client, user.email)
    assert client.get(f"/alpha/votes/{vote.id}/protocol.pdf").status_code == 403


def test_another_association_s_protocol_is_not_found(
    app, alpha, vote, make_association, make_user, outbox, frozen_clock, login, client
):
    vote = close(app, vote, frozen_clock)
    beta = make_association("beta")
    make_user(beta, "board@beta.example", "board")
    login(client, "board@beta.example")
    assert client.get(f"/beta/votes/{vote.id}/protocol.pdf").status_code == 404
