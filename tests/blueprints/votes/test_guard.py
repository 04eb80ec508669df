"""A board that guards running per-rollam votes with a second factor (P6): every page that acts for such a
vote asks for it — drafts, starting, paper ballots and their scans — and a manager without it sees the vote
as its members do."""

from __future__ import annotations

from models.votes import Ballot, Vote
from tests.factories.two_factor import step_up
from tests.factories.votes import option


def guard_per_rollam(alpha):
    alpha.second_factor_permissions = "votes.manage_per_rollam"
    alpha.save()


def test_paper_ballots_and_starting_ask_the_second_factor(client, login, house, new_vote, frozen_clock, outbox):
    guard_per_rollam(house.alpha)
    running = new_vote(house.alpha, "Accounts 2025", kind=Vote.PER_ROLLAM, secret=True)
    draft = new_vote(house.alpha, "Budget 2026", kind=Vote.PER_ROLLAM, started=False)
    login(client, "board@alpha.example")
    data = {"unit": house.units["3"].id, "option": option(running, "For").id, "received_on": "2026-03-02"}
    paper = f"/alpha/votes/{running.id}/paper"
    response = client.submit(paper, data, form_page=f"/alpha/votes/{running.id}")
    assert response.status_code == 302 and "/alpha/account/two-factor" in response.location
    assert not Ballot.select().exists()
    assert "/alpha/account/two-factor" in client.get(paper).location
    response = client.submit(f"/alpha/votes/{draft.id}/start", {}, form_page=f"/alpha/votes/{draft.id}")
    assert response.status_code == 302 and "/alpha/account/two-factor" in response.location
    assert Vote.get_by_id(draft.id).state == Vote.DRAFT
    # Unguarded, the board's eyes see no more than a member's: a secret vote's ballots are not listed.
    assert client.get(f"/alpha/votes/{running.id}/ballots").status_code == 404

    step_up(client, house.alpha, house.users["board"])
    assert client.submit(paper, data).status_code == 302 and Ballot.get().channel == Ballot.PAPER
    assert client.get(f"/alpha/votes/{running.id}/ballots").status_code == 200
    client.submit(f"/alpha/votes/{draft.id}/start", {})
    assert Vote.get_by_id(draft.id).state == Vote.RUNNING
