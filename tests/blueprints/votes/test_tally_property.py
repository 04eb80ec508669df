"""The tally against a brute-force count written here (issue 12: tally properties). Random houses (units,
shares, co-owners, proxies valid or not on the day) vote through ballots.cast in random order; the count
the pages show (tally.read and tally.current) must equal the one below, which replays the same casts by
the rules in the plainest way: one ballot per unit, the last choice counts, a caster who may not vote for
the unit is refused, exact fractions compared by cross-multiplying integers."""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprints.votes import ballots, tally
from models import Membership
from models.register import Ownership, VotingProxy
from models.votes import Vote
from tests.factories.register import make_person, make_unit
from tests.factories.votes import make_vote, option

POLL_OPTIONS = ("Red", "Green", "Blue")
PER_ROLLAM = ("For", "Against", "Abstain")
_slugs = itertools.count()


@st.composite
def houses(draw):
    units = draw(st.integers(1, 6))
    people = draw(st.integers(1, 5))
    shares = [(draw(st.integers(0, 12)), draw(st.sampled_from([1, 7, 10, 100]))) for _ in range(units)]
    owners = [draw(st.sets(st.integers(0, people - 1), max_size=3)) for _ in range(units)]
    owners[0] = owners[0] or {0}  # somebody owns something: a vote needs a unit that can vote
    proxies = draw(st.lists(st.tuples(st.integers(0, units - 1), st.integers(0, people - 1), st.booleans()),
                            max_size=4))  # fmt: skip
    kind = draw(st.sampled_from([Vote.POLL, Vote.PER_ROLLAM]))
    choices = len(POLL_OPTIONS) if kind == Vote.POLL else len(PER_ROLLAM)
    casts = draw(st.lists(st.tuples(st.integers(0, people - 1), st.integers(0, units - 1),
                                    st.integers(0, choices - 1)), max_size=14))  # fmt: skip
    return dict(
        shares=shares, owners=owners, people=people, proxies=proxies, kind=kind, casts=casts,
        counting=draw(st.sampled_from([Vote.BY_SHARE, Vote.BY_UNIT])),
        evaluation=draw(st.sampled_from([Vote.OF_VOTING, Vote.OF_ALL])),
        threshold=draw(st.sampled_from([Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3)])),
        quorum=draw(st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(3, 4), Fraction(1)])),
    )  # fmt: skip


def reference(house: dict) -> dict:
    """The count by hand: who may cast, the last choice per unit, weights summed, the rule applied."""
    eligible = {u: (Fraction(*house["shares"][u]) if house["counting"] == Vote.BY_SHARE else Fraction(1))
                for u, owners in enumerate(house["owners"]) if owners}  # fmt: skip
    valid_proxies = {(unit, person) for unit, person, valid in house["proxies"] if valid}
    last, refused = {}, []
    for person, unit, choice in house["casts"]:
        may = unit in eligible and (person in house["owners"][unit] or (unit, person) in valid_proxies)
        if may:
            last[unit] = choice
        refused.append(not may)
    labels = POLL_OPTIONS if house["kind"] == Vote.POLL else PER_ROLLAM
    totals = {label: [Fraction(0), 0] for label in labels}
    for unit, choice in last.items():
        totals[labels[choice]][0] += eligible[unit]
        totals[labels[choice]][1] += 1
    voted = sum((weight for weight, _n in totals.values()), Fraction(0))
    total = sum(eligible.values(), Fraction(0))
    outcome = ""
    if house["kind"] == Vote.PER_ROLLAM:
        q, t = house["quorum"], house["threshold"]
        base = voted if house["evaluation"] == Vote.OF_VOTING else total
        in_favour = totals["For"][0]
        # voted < q * total and For > t * base, cross-multiplied on integers.
        short = q != 0 and (total == 0 or voted.numerator * total.denominator * q.denominator
                            < q.numerator * total.numerator * voted.denominator)  # fmt: skip
        more = (in_favour.numerator * base.denominator * t.denominator
                > t.numerator * base.numerator * in_favour.denominator)  # fmt: skip
        outcome = Vote.NO_QUORUM if short else (Vote.PASSED if base != 0 and more else Vote.REJECTED)
    return dict(totals=totals, voted=voted, total=total, outcome=outcome, refused=refused, units=len(eligible))


def build(alpha_like, house: dict) -> tuple[Vote, list, list]:
    units = [make_unit(alpha_like, str(i + 1), share=share) for i, share in enumerate(house["shares"])]
    people = [make_person(alpha_like) for _ in range(house["people"])]
    for unit, owners in zip(units, house["owners"], strict=True):
        for person in sorted(owners):
            Ownership.create(unit=unit, person=people[person])
    for unit, person, valid in house["proxies"]:
        ended = dt.date(2026, 12, 31) if valid else dt.date(2026, 2, 28)  # the clock says 2 March 2026
        VotingProxy.create(unit=units[unit], person=people[person], start_date=dt.date(2026, 1, 1), end_date=ended)
    labels = POLL_OPTIONS if house["kind"] == Vote.POLL else tuple(zip(PER_ROLLAM, ("for", "against", "abstain"),
                                                                       strict=True))  # fmt: skip
    vote = make_vote(
        alpha_like, "Colour of the door?", labels, kind=house["kind"], counting=house["counting"],
        evaluation=house["evaluation"], threshold_numerator=house["threshold"].numerator,
        threshold_denominator=house["threshold"].denominator, quorum_numerator=house["quorum"].numerator,
        quorum_denominator=house["quorum"].denominator,
    )  # fmt: skip
    return vote, units, people


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(house=houses())
def test_the_tally_matches_a_brute_force_count(app, make_association, frozen_clock, outbox, house):
    expected = reference(house)
    with app.test_request_context():
        association = make_association(f"tally{next(_slugs)}")
        vote, units, people = build(association, house)
        labels = POLL_OPTIONS if house["kind"] == Vote.POLL else PER_ROLLAM
        refused = []
        for person, unit, choice in house["casts"]:
            member = Membership(person=people[person].id, association=association, user=None)
            try:
                ballots.cast(Vote.get_by_id(vote.id), member, units[unit].id, option(vote, labels[choice]).id)
            except ballots.VoteRefused:
                refused.append(True)
            else:
                refused.append(False)
        vote = Vote.get_by_id(vote.id)
        counted = tally.read(vote)
    assert refused == expected["refused"]
    assert {t.label: [t.weight, t.ballots] for t in counted.options} == expected["totals"]
    assert counted.voted_weight == expected["voted"] and counted.total_weight == expected["total"]
    assert counted.eligible_units == expected["units"] and counted.outcome == expected["outcome"]
    assert tally.current(vote) == counted


def test_exactly_the_threshold_does_not_pass_and_the_quorum_is_met_at_it():
    rule = tally.Rule(Vote.PER_ROLLAM, Vote.OF_VOTING, Fraction(1, 2), Fraction(1, 2))
    options = [(1, "For", "for"), (2, "Against", "against")]
    weights = {10: (1, 4), 11: (1, 4), 12: (1, 2)}
    assert tally.count(rule, options, weights, {10: 1, 11: 2}).outcome == Vote.REJECTED  # 50 % For, 50 % turnout
    assert tally.count(rule, options, weights, {10: 1, 11: 1}).outcome == Vote.PASSED
    assert tally.count(rule, options, weights, {10: 1}).outcome == Vote.NO_QUORUM  # 25 % turnout
    everyone = tally.Rule(Vote.PER_ROLLAM, Vote.OF_ALL, Fraction(1, 2), Fraction(0))
    assert tally.count(everyone, options, weights, {12: 1}).outcome == Vote.REJECTED  # half of all shares
    assert tally.count(everyone, options, weights, {12: 1, 10: 1}).outcome == Vote.PASSED
