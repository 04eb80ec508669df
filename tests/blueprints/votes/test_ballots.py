"""Starting a vote, who may vote for which unit, casting, changing, paper ballots and the ledger (V1, V4, V7)."""

import datetime as dt
from fractions import Fraction

import pytest

from blueprints.votes import ballots, ledger, tally
from blueprints.votes.ballots import VoteRefused
from models import Membership
from models.votes import Ballot, LedgerEntry, Vote, VoteUnit
from tests.factories.register import make_owner, make_person, make_unit
from tests.factories.votes import make_vote, option


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():  # refusals are translated messages
        yield


@pytest.fixture
def house(app, alpha, outbox):
    """Two flats: 1 (share 3/10) owned jointly by Anna and Ben, 2 (share 7/10) by Cilla; Dan is flat 2's proxy."""
    anna, ben, cilla, dan = (make_person(alpha, email=f"{n}@alpha.example") for n in ("anna", "ben", "cilla", "dan"))
    one, two = make_unit(alpha, "1", share=(3, 10)), make_unit(alpha, "2", share=(7, 10))
    make_owner(one, anna, share=(1, 2)), make_owner(one, ben, share=(1, 2), is_main=False), make_owner(two, cilla)
    from models.register import VotingProxy

    VotingProxy.create(unit=two, person=dan, start_date=dt.date(2026, 1, 1), end_date=dt.date(2027, 12, 31))
    return dict(anna=anna, ben=ben, cilla=cilla, dan=dan, one=one, two=two)


def member(person):
    return Membership(person=person.id, association=person.association, user=None)


def test_a_started_vote_freezes_its_units_and_weights(alpha, house):
    vote = make_vote(alpha)
    weights = {vu.unit_id: vu.weight for vu in VoteUnit.select().where(VoteUnit.vote == vote)}
    assert weights == {house["one"].id: Fraction(3, 10), house["two"].id: Fraction(7, 10)}
    assert vote.state == Vote.RUNNING and vote.total_weight == 1 and vote.ledger_length == 1
    house["one"].share_numerator = 9
    house["one"].save()
    assert tally.read(Vote.get_by_id(vote.id)).total_weight == 1  # later changes do not move it


def test_the_last_choice_counts_and_every_change_is_in_the_ledger(alpha, house):
    vote = make_vote(alpha)
    ballots.cast(vote, member(house["anna"]), house["one"].id, option(vote, "Yes").id)
    ballot = ballots.cast(vote, member(house["ben"]), house["one"].id, option(vote, "No").id)
    ballots.cast(vote, member(house["dan"]), house["two"].id, option(vote, "Yes").id)
    counted = tally.read(Vote.get_by_id(vote.id))
    assert [(t.label, t.weight, t.ballots) for t in counted.options] == [
        ("Yes", Fraction(7, 10), 1),
        ("No", Fraction(3, 10), 1),
    ]
    assert ballot.changes == 1 and ballot.cast_by_id == house["ben"].id
    assert [e.action for e in LedgerEntry.select().where(LedgerEntry.vote == vote).order_by(LedgerEntry.seq)] == [
        "start", "cast", "change", "cast",
    ]  # fmt: skip
    assert Ballot.get(Ballot.unit == house["two"].id).as_proxy
    assert ledger.verify(Vote.get_by_id(vote.id)).ok


def test_a_proxy_whose_dates_are_over_cannot_vote(alpha, house, frozen_clock):
    frozen_clock.set(dt.datetime(2028, 1, 5, 9, 0))
    vote = make_vote(alpha)
    with pytest.raises(VoteRefused):
        ballots.cast(vote, member(house["dan"]), house["two"].id, option(vote, "Yes").id)


def test_paper_and_online_for_one_unit_the_second_is_refused(alpha, house, make_user):
    board = make_user(alpha, "board@alpha.example", "board")
    vote = make_vote(alpha)
    ballots.record_paper(vote, board, house["one"].id, option(vote, "Yes").id, alpha.today())
    with pytest.raises(VoteRefused, match="voted on paper"):
        ballots.cast(vote, member(house["anna"]), house["one"].id, option(vote, "No").id)
    ballots.cast(vote, member(house["cilla"]), house["two"].id, option(vote, "No").id)
    with pytest.raises(VoteRefused, match="already voted online"):
        ballots.record_paper(vote, board, house["two"].id, option(vote, "Yes").id, alpha.today())


def test_verify_fails_after_a_ballot_row_is_altered(alpha, house):
    vote = make_vote(alpha, secret=True)
    ballots.cast(vote, member(house["anna"]), house["one"].id, option(vote, "Yes").id)
    assert ledger.verify(Vote.get_by_id(vote.id)).ok
    Ballot.update(option=option(vote, "No").id).execute()
    assert not ledger.verify(Vote.get_by_id(vote.id)).ok


def test_a_paper_ballot_cannot_have_arrived_before_the_vote_started(alpha, house, make_user):
    board = make_user(alpha, "board@alpha.example", "board")
    vote = make_vote(alpha)
    with pytest.raises(VoteRefused, match="before the vote started"):
        ballots.record_paper(vote, board, house["one"].id, option(vote, "Yes").id, alpha.today() - dt.timedelta(days=1))


def test_the_day_a_vote_started_is_the_associations_day(alpha, house, make_user, frozen_clock):
    """Started at 00:30 in Stockholm (23:30 UTC the day before): a paper ballot dated the day before is refused,
    one dated that day is taken. (make test failed here once, run just before midnight Stockholm time.)"""
    frozen_clock.set(dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC))
    board = make_user(alpha, "board@alpha.example", "board")
    vote = make_vote(alpha)
    assert alpha.today() == dt.date(2026, 3, 3)
    with pytest.raises(VoteRefused, match="before the vote started"):
        ballots.record_paper(vote, board, house["one"].id, option(vote, "Yes").id, dt.date(2026, 3, 2))
    assert ballots.record_paper(vote, board, house["one"].id, option(vote, "Yes").id, dt.date(2026, 3, 3))


def test_verify_fails_after_the_resolution_is_rewritten(alpha, house):
    vote = make_vote(alpha, kind=Vote.PER_ROLLAM)
    Vote.update(resolution="The association sells the garden.").where(Vote.id == vote.id).execute()
    assert not ledger.verify(Vote.get_by_id(vote.id)).ok
