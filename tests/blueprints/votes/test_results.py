"""The live results and the ballots list (V2, V6): the results part polls itself while the vote runs and
answers htmx's stop-polling 286 once it is closed; a secret vote's ballots never reach a member, by URL or by
htmx, while its managers see them; a public vote shows each unit's ballot to members."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from blueprints.votes import ballots
from models import Membership
from models.votes import Vote
from tests.factories.votes import option

HX = {"HX-Request": "true"}


@pytest.fixture
def cast_some(app, house):
    """Flat 1 (3/10) Yes by Anna, flat 2 (4/10) No by Cilla."""

    def cast(vote, choices=(("anna", "1", "Yes"), ("cilla", "2", "No"))):
        with app.test_request_context():
            for name, unit, label in choices:
                membership = Membership.get(Membership.user == house.users[name])
                ballots.cast(Vote.get_by_id(vote.id), membership, house.units[unit].id, option(vote, label).id)

    return cast


def get(client, path, headers=None):
    return client.get(path, headers=headers or {})


def test_the_results_poll_while_the_vote_runs_and_stop_when_it_closes(
    client, login, house, new_vote, cast_some, frozen_clock
):
    vote = new_vote(house.alpha)
    cast_some(vote)
    login(client, "eva@alpha.example")
    response = get(client, f"/alpha/votes/{vote.id}/results", HX)
    part = response.get_data(as_text=True)
    assert response.status_code == 200 and part.lstrip().startswith('<section id="results"')
    assert 'hx-trigger="every 5s' in part and f'hx-get="/alpha/votes/{vote.id}/results"' in part
    # Yes 3/10 and No 4/10 of the 7/10 that voted; 2 of 4 units, 7/10 of all shares.
    assert "<strong>1. Yes</strong> 42.86 %" in part and "<strong>2. No</strong> 57.14 %" in part
    assert "Turnout: 2 of 4 units (50.00 %); shares 7/10 of 1 (70.00 %)." in part
    assert "<td>3/10</td>" in part and part.count('class="slice"') == 2

    Vote.update(state=Vote.CLOSED, closed_at=vote.ends_at).where(Vote.id == vote.id).execute()
    response = get(client, f"/alpha/votes/{vote.id}/results", HX)
    assert response.status_code == 286 and "hx-trigger" not in response.get_data(as_text=True)
    assert get(client, f"/alpha/votes/{vote.id}/results").status_code == 200  # the page itself


def test_results_without_live_results_are_the_boards_until_the_end(
    client, login, house, new_vote, cast_some, new_client, frozen_clock
):
    vote = new_vote(house.alpha, live_results=False)
    cast_some(vote)
    login(client, "eva@alpha.example")
    assert get(client, f"/alpha/votes/{vote.id}/results").status_code == 404
    assert get(client, f"/alpha/votes/{vote.id}/results", HX).status_code == 404
    page = get(client, f"/alpha/votes/{vote.id}").get_data(as_text=True)
    assert 'id="results"' not in page and "The results are shown when the vote closes." in page
    assert get(client, f"/alpha/votes/{vote.id}/ballots").status_code == 404  # public, but not yet
    board = new_client()
    login(board, "board@alpha.example")
    shown = get(board, f"/alpha/votes/{vote.id}/results", HX).get_data(as_text=True)
    assert "Only those who manage votes see the results" in shown and "42.86 %" in shown


def test_a_secret_votes_ballots_never_reach_a_member(
    client, login, house, new_vote, cast_some, new_client, frozen_clock
):
    vote = new_vote(house.alpha, secret=True)
    cast_some(vote)
    login(client, "eva@alpha.example")
    for headers in (None, HX):
        assert get(client, f"/alpha/votes/{vote.id}/ballots", headers).status_code == 404
        assert get(client, f"/alpha/votes/{vote.id}/ballots?page=1", headers).status_code == 404
    cilla, anna = house.people["cilla"].full_name, house.people["anna"].full_name
    for path in (f"/alpha/votes/{vote.id}", f"/alpha/votes/{vote.id}/results", "/alpha/votes", "/alpha/"):
        for headers in (None, HX):
            text = get(client, path, headers).get_data(as_text=True)
            assert "Flat 1" not in text and "Flat 2" not in text, path
            assert cilla not in text and anna not in text, path
    # Nor do its totals while it runs (they would move with each ballot and tell the last voter's choice to
    # anyone who knows the units' shares), nor the link to the ballots.
    page = get(client, f"/alpha/votes/{vote.id}").get_data(as_text=True)
    assert "42.86 %" not in page and f"/votes/{vote.id}/ballots" not in page
    assert get(client, f"/alpha/votes/{vote.id}/results", HX).status_code == 404
    # Anna's co-owner sees their own unit's ballot (theirs together), not Cilla's.
    ben = new_client()
    login(ben, "ben@alpha.example")
    text = get(ben, f"/alpha/votes/{vote.id}").get_data(as_text=True)
    assert re.search(rf"{anna} voted “Yes” for this unit", text) and cilla not in text
    # The board sees each ballot.
    board = new_client()
    login(board, "board@alpha.example")
    listed = get(board, f"/alpha/votes/{vote.id}/ballots").get_data(as_text=True)
    assert "<strong>Flat 1</strong>: Yes" in listed and "<strong>Flat 2</strong>: No" in listed and cilla in listed
    assert (
        get(board, f"/alpha/votes/{vote.id}/ballots", HX)
        .get_data(as_text=True)
        .lstrip()
        .startswith('<div id="ballot-rows">')
    )


def test_a_public_votes_ballots_show_to_members(client, login, house, new_vote, cast_some, frozen_clock):
    vote = new_vote(house.alpha)
    cast_some(vote)
    login(client, "eva@alpha.example")
    listed = get(client, f"/alpha/votes/{vote.id}/ballots").get_data(as_text=True)
    assert "<strong>Flat 1</strong>: Yes" in listed and house.people["cilla"].full_name in listed
    assert "online," in listed


def test_a_per_rollam_vote_shows_its_rule_and_where_it_stands(client, login, house, new_vote, cast_some, frozen_clock):
    vote = new_vote(house.alpha, "Accounts", kind=Vote.PER_ROLLAM, evaluation=Vote.OF_ALL)
    cast_some(vote, (("cilla", "2", "For"), ("eva", "3", "For"), ("anna", "1", "Against")))
    login(client, "eva@alpha.example")
    part = get(client, f"/alpha/votes/{vote.id}/results", HX).get_data(as_text=True)
    # For: 4/10 + 2/10 of all shares.
    assert "For: 60.00 % of all shares; more than 50 % needed." in part
    assert "If it ended now, it would pass." in part
    assert "Not voted" in part and part.count('class="slice"') == 3  # For, Against, and the rest


def test_exactly_half_is_not_a_majority(client, login, house, new_vote, cast_some, frozen_clock):
    vote = new_vote(house.alpha, "Accounts", kind=Vote.PER_ROLLAM, evaluation=Vote.OF_VOTING)
    # Flat 2 (4/10) For; flats 1 (3/10) and 4 (1/10) Against: For is exactly half of the 8/10 that voted.
    cast_some(vote, (("cilla", "2", "For"), ("anna", "1", "Against"), ("anna", "4", "Against")))
    login(client, "eva@alpha.example")
    part = get(client, f"/alpha/votes/{vote.id}/results", HX).get_data(as_text=True)
    assert "For: 50.00 % of the shares that voted; more than 50 % needed." in part
    assert "If it ended now, it would not pass." in part
    cast_some(vote, (("anna", "4", "For"),))  # 5/10 of 8/10
    part = get(client, f"/alpha/votes/{vote.id}/results", HX).get_data(as_text=True)
    assert "For: 62.50 %" in part and "If it ended now, it would pass." in part


def test_percentages_are_written_as_the_page_language_writes_them(app):
    from flask_babel import force_locale

    from blueprints.votes import tally

    with app.test_request_context():
        assert tally.percent(Fraction(1, 3)) == "33.33"
        assert tally.percent(Fraction(2, 3)) == "66.67"  # rounded half up for reading; decisions stay exact
        with force_locale("cs"):
            assert tally.percent(Fraction(1, 3)) == "33,33"


def test_a_vote_counted_from_all_shares_gives_each_slice_its_share_of_all(
    client, login, house, new_vote, cast_some, frozen_clock
):
    vote = new_vote(house.alpha, "Accounts 2025", kind=Vote.PER_ROLLAM, evaluation=Vote.OF_ALL)
    cast_some(vote, (("anna", "1", "For"),))  # flat 1: 3/10 of all shares
    login(client, "eva@alpha.example")
    part = get(client, f"/alpha/votes/{vote.id}/results", HX).get_data(as_text=True)
    # The legend's number is the size of its slice: 30 % of all shares, beside 70 % that did not vote.
    assert "For</strong> 30.00 %" in part and "100.00 %" not in part
    assert "Not voted</strong> 70.00 %" in part
