"""The board drafts, changes, deletes and starts votes through the pages (V1, V3; seed 004 §4.4, §4.15):
options one per line, locked once started (by URL too); a per-rollam vote's law fills its rule and keeps it
from starting outside the law; hostile input stays text."""

from __future__ import annotations

import io
import re
from fractions import Fraction

import pytest

from models.documents import Folder
from models.votes import Vote, VoteAttachment, VoteOption

POLL = {
    "title": "New bicycle racks?",
    "options": "Yes, in the yard\n\nNo\n  Only by the gate  \n",
    "body": "The quote is **attached**.",
    "ends_at": "2026-03-20T18:00",
    "counting": "share",
    "live_results": "y",
}


@pytest.fixture
def board(client, login, house, frozen_clock):
    login(client, "board@alpha.example")
    return client


def labels(vote) -> list[str]:
    return [o.label for o in VoteOption.select().where(VoteOption.vote == vote).order_by(VoteOption.position)]


def test_a_poll_is_drafted_changed_and_started_then_its_options_are_locked(board, client, login, new_client):
    response = board.submit("/alpha/votes/new/poll", {**POLL, "action": "draft"})
    assert response.status_code == 302
    vote = Vote.get()
    assert vote.state == Vote.DRAFT and vote.kind == Vote.POLL and vote.title == "New bicycle racks?"
    assert labels(vote) == ["Yes, in the yard", "No", "Only by the gate"]
    # 18:00 on the association's clock (Stockholm, UTC+1 in March) is stored in UTC.
    assert vote.ends_at.isoformat() == "2026-03-20T17:00:00"

    page = board.get(f"/alpha/votes/{vote.id}").get_data(as_text=True)
    assert "Draft" in page and "Only by the gate" in page and "<strong>attached</strong>" in page

    # A member does not see the draft, in the list or by its address.
    member = new_client()
    login(member, "anna@alpha.example")
    assert member.get(f"/alpha/votes/{vote.id}").status_code == 404
    assert "New bicycle racks?" not in member.get("/alpha/votes").get_data(as_text=True)

    edit = f"/alpha/votes/{vote.id}/edit"
    assert "Only by the gate" in board.get(edit).get_data(as_text=True)
    response = board.submit(edit, {**POLL, "options": "Yes\nNo", "action": "draft"})
    assert response.status_code == 302 and labels(vote) == ["Yes", "No"]

    response = board.submit(f"/alpha/votes/{vote.id}/start", {})
    assert response.status_code == 302
    assert Vote.get_by_id(vote.id).state == Vote.RUNNING

    # Locked: the edit page and its POST are refused; the options stay.
    assert board.get(edit).status_code == 403
    response = board.submit(edit, {**POLL, "options": "Maybe\nLater"}, form_page=f"/alpha/votes/{vote.id}")
    assert response.status_code == 403 and labels(vote) == ["Yes", "No"]
    assert board.get(f"/alpha/votes/{vote.id}/delete").status_code == 403
    assert "New bicycle racks?" in member.get("/alpha/votes").get_data(as_text=True)


def test_save_and_start_leads_to_the_confirmation(board):
    response = board.submit("/alpha/votes/new/poll", {**POLL, "action": "start"})
    vote = Vote.get()
    assert response.status_code == 302 and response.location.endswith(f"/votes/{vote.id}/start")
    assert vote.state == Vote.DRAFT
    page = board.get(response.location).get_data(as_text=True)
    assert "Start the vote" in page and "Only by the gate" in page


def test_a_poll_needs_two_different_options_and_an_end(board):
    response = board.submit("/alpha/votes/new/poll", {**POLL, "options": "Yes\nyes", "ends_at": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Each option must differ from the others." in page and "Say when the vote ends." in page
    assert Vote.select().count() == 0


def test_a_draft_that_ended_already_cannot_start(board):
    board.submit("/alpha/votes/new/poll", {**POLL, "ends_at": "2026-03-01T18:00", "action": "draft"})
    vote = Vote.get()
    response = board.submit(f"/alpha/votes/{vote.id}/start", {})
    assert response.status_code == 422 and "must be in the future" in response.get_data(as_text=True)
    assert Vote.get_by_id(vote.id).state == Vote.DRAFT


def test_a_draft_is_deleted_after_asking(board):
    board.submit("/alpha/votes/new/poll", {**POLL, "action": "draft"})
    vote = Vote.get()
    assert "cannot be undone" in board.get(f"/alpha/votes/{vote.id}/delete").get_data(as_text=True)
    response = board.submit(f"/alpha/votes/{vote.id}/delete", {})
    assert response.status_code == 302 and Vote.select().count() == 0


PER_ROLLAM = {
    "jurisdiction": "cz",
    "title": "Accounts 2025",
    "resolution": "The owners approve the accounts for 2025.",
    "evaluation": "all",
    "counting": "share",
    "threshold": "50",
    "quorum": "0",
    "ends_at": "2026-03-12T18:00",  # ten days from the frozen clock's 2 March
    "reminders": "y",
    "live_results": "y",
}


def test_the_czech_preset_refuses_fewer_than_15_days_and_fills_its_rule(board):
    response = board.submit("/alpha/votes/new/per-rollam", {**PER_ROLLAM, "action": "start"})
    vote = Vote.get()
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "at least 15 days" in page
    assert vote.state == Vote.DRAFT and vote.jurisdiction == "cz" and vote.evaluation == Vote.OF_ALL
    assert [(o.label, o.meaning) for o in VoteOption.select().order_by(VoteOption.position)] == [
        ("For", "for"), ("Against", "against"), ("Abstain", "abstain"),
    ]  # fmt: skip
    assert board.submit(f"/alpha/votes/{vote.id}/start", {}).status_code == 422

    response = board.submit(f"/alpha/votes/{vote.id}/edit", {**PER_ROLLAM, "ends_at": "2026-03-18T18:00",
                                                             "action": "start"})  # fmt: skip
    assert response.status_code == 302 and response.location.endswith("/start")
    assert board.submit(f"/alpha/votes/{vote.id}/start", {}).status_code == 302
    vote = Vote.get_by_id(vote.id)
    assert vote.state == Vote.RUNNING
    # The result goes to the Minutes folder unless the board chose another.
    assert vote.result_folder_id == Folder.get(Folder.key == Folder.MINUTES).id


def test_czech_law_refuses_counting_from_the_voting_shares(board):
    board.submit("/alpha/votes/new/per-rollam", {**PER_ROLLAM, "evaluation": "voting", "ends_at": "2026-03-30T18:00",
                                                 "action": "draft"})  # fmt: skip
    response = board.submit(f"/alpha/votes/{Vote.get().id}/start", {})
    assert response.status_code == 422 and "from all owners" in response.get_data(as_text=True)


def test_choosing_a_law_refills_the_rule_in_place_and_without_javascript(board):
    typed = {**PER_ROLLAM, "jurisdiction": "se", "evaluation": "all", "counting": "share", "threshold": "70",
             "refill": "1"}  # fmt: skip
    part = board.submit("/alpha/votes/new/per-rollam", typed, headers={"HX-Request": "true"})
    html = part.get_data(as_text=True)
    assert part.status_code == 200 and html.lstrip().startswith('<fieldset id="rule-fields"')
    assert "Economic Associations Act" in html
    assert re.search(r'<option selected value="unit">', html) and re.search(r'checked[^>]*value="voting"', html)
    assert 'value="50"' in html
    whole = board.submit("/alpha/votes/new/per-rollam", typed)
    assert "<h1>New per-rollam vote</h1>" in whole.get_data(as_text=True)
    assert 'value="Accounts 2025"' in whole.get_data(as_text=True)  # what was typed stays
    assert Vote.select().count() == 0  # nothing is saved by choosing a law


def test_thresholds_are_kept_exactly(board):
    board.submit("/alpha/votes/new/per-rollam", {**PER_ROLLAM, "jurisdiction": "", "evaluation": "voting",
                                                 "threshold": "66,67", "quorum": "33.3333", "action": "draft"})  # fmt: skip
    vote = Vote.get()
    assert vote.threshold == Fraction(6667, 10000) and vote.quorum == Fraction(333333, 1000000)
    assert 'value="66.67"' in board.get(f"/alpha/votes/{vote.id}/edit").get_data(as_text=True)
    response = board.submit(f"/alpha/votes/{vote.id}/edit", {**PER_ROLLAM, "threshold": "150", "action": "draft"})
    assert response.status_code == 422 and "between 0 and 100" in response.get_data(as_text=True)


def test_a_member_cannot_draft_and_the_poll_board_cannot_draft_per_rollam(client, login, house, frozen_clock):
    login(client, "anna@alpha.example")
    assert client.get("/alpha/votes/new/poll").status_code == 403
    assert client.get("/alpha/votes/new/per-rollam").status_code == 403


def test_attachments_are_kept_removed_and_served_after_the_read_check(board, login, new_client):
    pdf = (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "quote.pdf")
    response = board.submit("/alpha/votes/new/poll", {**POLL, "files": pdf, "action": "draft"},
                            content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    vote, file = Vote.get(), VoteAttachment.get()
    url = f"/alpha/votes/{vote.id}/files/{file.id}"
    assert board.get(url).data.startswith(b"%PDF")
    tenant = new_client()
    login(tenant, "tina@alpha.example")
    assert tenant.get(url).status_code == 404
    refused = board.submit(f"/alpha/votes/{vote.id}/edit", {**POLL, "files": (io.BytesIO(b"MZ\x90\x00"), "x.exe"),
                                                            "action": "draft"}, content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 422 and "x.exe" in refused.get_data(as_text=True)
    board.submit(f"/alpha/votes/{vote.id}/edit", {**POLL, "remove": str(file.id), "action": "draft"})
    assert VoteAttachment.select().count() == 0 and board.get(url).status_code == 404


def test_hostile_titles_options_and_markdown_stay_text(board, login, new_client):
    hostile = {
        **POLL,
        "title": "<script>alert('title')</script>",
        "options": "<img src=x onerror=alert(1)>\nNo",
        "body": "<script>alert('body')</script> [click](javascript:alert(1)) <iframe src=//evil></iframe>",
        "action": "draft",
    }
    board.submit("/alpha/votes/new/poll", hostile)
    vote = Vote.get()
    board.submit(f"/alpha/votes/{vote.id}/start", {})
    member = new_client()
    login(member, "anna@alpha.example")
    for path in (f"/alpha/votes/{vote.id}", "/alpha/votes", f"/alpha/votes/{vote.id}/results"):
        page = member.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page and "javascript:" not in page
        assert "<iframe" not in page
    page = member.get(f"/alpha/votes/{vote.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
