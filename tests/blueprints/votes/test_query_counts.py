"""The votes' list, a vote's page and its results cost the same number of queries however many votes,
units and ballots there are."""

from __future__ import annotations

import pytest

from blueprints.votes import ballots, tally
from models import Membership
from models.register import Ownership
from models.votes import Vote
from tests.factories.register import make_person, make_unit
from tests.factories.votes import option


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def queries(client, path, **headers) -> int:
    tally._CACHE.clear()  # a cold count each time: the cache would hide a query that grows
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return int(response.headers["X-Query-Count"])


def add_units(app, house, vote_owner: str, count: int, *, start: int = 100) -> None:
    """`count` more flats, half of them the member's, half a neighbour's."""
    anna = house.people[vote_owner]
    neighbour = make_person(house.alpha)
    for i in range(count):
        unit = make_unit(house.alpha, str(start + i), share=(1, 100))
        Ownership.create(unit=unit, person=anna if i % 2 else neighbour)


def cast_all(app, house, vote, name: str) -> None:
    with app.test_request_context():
        member = Membership.get(Membership.user == house.users[name])
        for voter in ballots.units_for(vote, member.person_id, house.alpha.today()):
            ballots.cast(Vote.get_by_id(vote.id), member, voter.unit.id, option(vote, "Yes").id)


@pytest.mark.parametrize("email", ["anna@alpha.example", "board@alpha.example"])
def test_the_list_costs_the_same_for_few_and_many_votes(client, login, house, new_vote, frozen_clock, email):
    login(client, email)
    new_vote(house.alpha, "Open one")
    new_vote(house.alpha, "Draft one", started=False)
    few = queries(client, "/alpha/votes")
    for i in range(8):
        new_vote(house.alpha, f"Open {i}")
        new_vote(house.alpha, f"Draft {i}", started=False)
        closed = new_vote(house.alpha, f"Closed {i}")
        Vote.update(state=Vote.CLOSED, closed_at=closed.ends_at).where(Vote.id == closed.id).execute()
    assert queries(client, "/alpha/votes") == few
    # The session, the open votes and drafts, the member's units that voted, a page of closed votes.
    assert few <= 6


def test_a_votes_page_and_results_cost_the_same_for_one_and_many_units(
    app, client, login, house, new_vote, frozen_clock, outbox
):
    login(client, "eva@alpha.example")  # one flat
    vote = new_vote(house.alpha)
    cast_all(app, house, vote, "eva")
    page = f"/alpha/votes/{vote.id}"
    results = f"/alpha/votes/{vote.id}/results"
    queries(client, page)  # the association's discussion settings are made on the first visit
    one = (queries(client, page), queries(client, results), queries(client, results, **{"HX-Request": "true"}))

    add_units(app, house, "eva", 40)
    many_vote = new_vote(house.alpha, "Another")
    cast_all(app, house, many_vote, "eva")
    page = f"/alpha/votes/{many_vote.id}"
    results = f"/alpha/votes/{many_vote.id}/results"
    many = (queries(client, page), queries(client, results), queries(client, results, **{"HX-Request": "true"}))
    assert many == one
    assert one[0] <= 15
    # The results part: the session, the vote, its ballots by unit, its options.
    assert one[2] <= 5
