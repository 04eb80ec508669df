"""A vote closes itself at its end (V5; issue 12 item 3): once, however often it is asked; the result and its
protocol published to a folder, the discussion locked, the result mailed to every owner (per rollam) or to
those who voted (a poll), each in their language, with the protocol attached."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.votes import closing, ledger, protocol
from models import OutboundAttachment
from models.community import Thread
from models.documents import Document, DocumentAttachment, Folder
from models.votes import Vote
from tests.blueprints.votes import closing_helpers
from tests.blueprints.votes.closing_helpers import cast, pdf_text
from tests.factories.votes import make_vote

RESOLUTION = "The association approves the accounts for 2026\nand discharges the board."

house = closing_helpers.house  # a fixture


@pytest.fixture(autouse=True)
def app_context(app):
    with app.app_context():  # as a job runs: an app, no request
        yield


def per_rollam(alpha, **fields):
    fields.setdefault("resolution", RESOLUTION)
    return make_vote(alpha, "Accounts 2026", kind=Vote.PER_ROLLAM, days=15, **fields)


def test_a_vote_closes_once_at_its_end_publishes_its_protocol_and_mails_every_owner(alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha)
    thread = Thread.get(Thread.vote == vote)  # made when the vote started
    cast(vote, house["anna"], house["one"], "For")
    cast(vote, house["dan"], house["two"], "Against")  # flat 2's proxy
    assert closing.close(vote.id) is False  # not yet: its end has not come
    assert Vote.get_by_id(vote.id).state == Vote.RUNNING

    frozen_clock.advance(dt.timedelta(days=15, seconds=1))
    assert closing.close(vote.id) is True
    assert closing.close(vote.id) is False and closing.close_due() == []  # the job and the sweep again

    vote = Vote.get_by_id(vote.id)
    assert vote.state == Vote.CLOSED and vote.closed_at == frozen_clock.now.replace(tzinfo=None)
    assert vote.outcome == Vote.PASSED  # For 3/10 of the 5/10 that voted: 60 %
    assert Thread.get_by_id(thread.id).locked
    assert ledger.verify(vote).ok

    (document,) = Document.select()
    assert vote.protocol_id == document.id and document.state == Document.PUBLISHED and not document.notify
    assert Folder.get_by_id(document.folder_id).key == Folder.MINUTES
    assert document.title == "Result: Accounts 2026"
    assert "Adopted" in document.body and "> The association approves the accounts for 2026" in document.body
    (attachment,) = DocumentAttachment.select()
    assert attachment.original_name == protocol.filename(vote) and attachment.content_type == "application/pdf"

    rows = outbox.rows(kind="vote_result")
    # Every owner of the voting units (Anna and Ben jointly own flat 1) and the proxy who voted, each once.
    assert sorted(r.to_address for r in rows) == [f"{n}@alpha.example" for n in ("anna", "ben", "cilla", "dan", "eva")]
    by_address = {r.to_address: r for r in rows}
    assert by_address["eva@alpha.example"].language == "cs"
    text = by_address["anna@alpha.example"].body_text
    assert "and discharges the board." in text and "Adopted" in text and vote.ledger_head in text
    assert "Result of the vote: Accounts 2026" == by_address["anna@alpha.example"].subject
    files = list(OutboundAttachment.select())
    assert len(files) == 5 and len({f.path for f in files}) == 1 and all(f.shared for f in files)
    assert {f.email_id for f in files} == {r.id for r in rows}


def test_the_published_pdf_is_the_protocol(app, alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha)
    cast(vote, house["eva"], house["three"], "For")
    frozen_clock.advance(dt.timedelta(days=16))
    closing.close(vote.id)
    (attachment,) = DocumentAttachment.select()
    body = (app.config["UPLOAD_DIR"] / str(alpha.id) / "documents" / attachment.stored_name).read_bytes()
    words = pdf_text(body)
    assert "Protocol of the vote" in words and "and discharges the board." in words
    assert Vote.get_by_id(vote.id).ledger_head in words


def test_a_poll_is_mailed_only_to_those_who_voted(alpha, house, outbox, frozen_clock):
    vote = make_vote(alpha, "Bicycle racks?", days=3)
    cast(vote, house["ben"], house["one"], "Yes")
    cast(vote, house["eva"], house["three"], "No")
    frozen_clock.advance(dt.timedelta(days=3))
    assert closing.close_due() == [vote.id]

    vote = Vote.get_by_id(vote.id)
    assert vote.state == Vote.CLOSED and vote.outcome == ""
    assert sorted(r.to_address for r in outbox.rows(kind="vote_result")) == [
        "ben@alpha.example",
        "eva@alpha.example",
    ]
    (document,) = Document.select()
    assert "Most votes: No." in document.body  # 5/10 against 3/10
    assert "Resolution" not in document.body


def test_the_result_goes_to_the_folder_chosen(alpha, house, outbox, frozen_clock):
    notices = Folder.get((Folder.association == alpha) & (Folder.key == Folder.NOTICE_BOARD))
    vote = per_rollam(alpha, result_folder=notices)
    frozen_clock.advance(dt.timedelta(days=15))
    closing.close(vote.id)
    assert Document.get_by_id(Vote.get_by_id(vote.id).protocol_id).folder_id == notices.id


def test_a_vote_nobody_voted_in_is_rejected_and_still_announced(alpha, house, outbox, frozen_clock):
    vote = per_rollam(alpha)
    frozen_clock.advance(dt.timedelta(days=15))
    assert closing.close(vote.id)
    assert Vote.get_by_id(vote.id).outcome == Vote.REJECTED
    assert len(outbox.rows(kind="vote_result")) == 4  # the owners; nobody else cast a ballot


def test_casting_after_the_close_is_refused(alpha, house, outbox, frozen_clock):
    from blueprints.votes.ballots import VoteRefused

    vote = per_rollam(alpha)
    frozen_clock.advance(dt.timedelta(days=15))
    closing.close(vote.id)
    with pytest.raises(VoteRefused):
        cast(Vote.get_by_id(vote.id), house["anna"], house["one"], "For")


def test_a_name_in_the_register_is_inert_in_the_result_mail(alpha, house, outbox, frozen_clock):
    house["eva"].given_name = "<script>alert(1)</script>"
    house["eva"].save()
    vote = make_vote(alpha, "<b>Accounts</b>", kind=Vote.PER_ROLLAM, days=15)
    frozen_clock.advance(dt.timedelta(days=15))
    closing.close(vote.id)
    (eva,) = outbox.rows(to_address="eva@alpha.example")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in eva.body_html and "<script>" not in eva.body_html
    assert "&lt;b&gt;Accounts&lt;/b&gt;" in eva.body_html
    greeting = eva.body_text.splitlines()[0]  # in Eva's language (Czech)
    assert greeting.endswith(" <script>alert(1)</script> Ek,")  # plain text is shown as text
