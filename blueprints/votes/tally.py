"""Counting a vote (V2, V3): exact fractions throughout, decided exactly, shown rounded.

`count()` is pure: frozen weights and choices in, a Tally out, so the property tests compare it with a
brute-force reference. `current()` reads a vote's ballots in one query and keeps the tally per process until
the ledger grows (every ballot, change and paper entry appends to it), so a results page that polls every
5 seconds costs one indexed read of the vote, not a count of 2,000 ballots.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import peewee as pw
from flask import has_app_context
from flask_babel import format_decimal

from models.votes import Ballot, Vote, VoteOption, VoteUnit


@dataclass(frozen=True)
class Rule:
    """How a vote is decided: what it counts, what it compares with, and the bars to clear."""

    kind: str = Vote.POLL
    evaluation: str = Vote.OF_VOTING
    threshold: Fraction = Fraction(1, 2)  # the For side must be MORE than this share of the base
    quorum: Fraction = Fraction(0)  # the weight that voted must be AT LEAST this share of all

    @classmethod
    def of(cls, vote: Vote) -> Rule:
        return cls(vote.kind, vote.evaluation, vote.threshold, vote.quorum)


@dataclass(frozen=True)
class OptionTotal:
    option_id: int
    label: str
    meaning: str
    weight: Fraction
    ballots: int


@dataclass(frozen=True)
class Tally:
    options: tuple[OptionTotal, ...]
    voted_weight: Fraction
    total_weight: Fraction
    ballots: int
    eligible_units: int
    outcome: str  # per rollam: Vote.PASSED, REJECTED or NO_QUORUM; a poll: ""

    @property
    def turnout(self) -> Fraction:
        """The share of all eligible weight that voted."""
        return self.voted_weight / self.total_weight if self.total_weight else Fraction(0)

    def share_of_voted(self, total: OptionTotal) -> Fraction:
        return total.weight / self.voted_weight if self.voted_weight else Fraction(0)

    def share_of_all(self, total: OptionTotal) -> Fraction:
        return total.weight / self.total_weight if self.total_weight else Fraction(0)

    def meaning(self, meaning: str) -> OptionTotal | None:
        return next((total for total in self.options if total.meaning == meaning), None)

    def to_json(self) -> str:
        """The tally as published (Vote.result_json): exact fractions as "n/d" strings."""
        return json.dumps(
            {
                "options": [
                    {
                        "id": t.option_id,
                        "label": t.label,
                        "meaning": t.meaning,
                        "weight": str(t.weight),
                        "ballots": t.ballots,
                    }
                    for t in self.options
                ],
                "voted_weight": str(self.voted_weight),
                "total_weight": str(self.total_weight),
                "ballots": self.ballots,
                "eligible_units": self.eligible_units,
                "outcome": self.outcome,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Tally:
        data = json.loads(text)
        return cls(
            options=tuple(
                OptionTotal(o["id"], o["label"], o["meaning"], Fraction(o["weight"]), o["ballots"])
                for o in data["options"]
            ),
            voted_weight=Fraction(data["voted_weight"]),
            total_weight=Fraction(data["total_weight"]),
            ballots=data["ballots"],
            eligible_units=data["eligible_units"],
            outcome=data["outcome"],
        )


def exact_sum(weights) -> Fraction:
    """Sum fractions by denominator first: shares of one association share a denominator or a few, so this
    is a few integer sums and one Fraction per denominator (2,000 Fraction additions would cost ~5 ms)."""
    by_denominator: dict[int, int] = defaultdict(int)
    for numerator, denominator in weights:
        by_denominator[denominator or 1] += numerator
    return sum((Fraction(n, d) for d, n in by_denominator.items()), Fraction(0))


def count(
    rule: Rule,
    options: list[tuple[int, str, str]],
    weights: dict[int, tuple[int, int]],
    choices: dict[int, int],
) -> Tally:
    """Tally `choices` (unit id -> option id) with the frozen `weights` (unit id -> (numerator, denominator)).

    A choice for a unit that is not eligible, or for an option not in `options`, is not counted."""
    known = {option_id for option_id, _label, _meaning in options}
    per_option: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for unit_id, option_id in choices.items():
        if unit_id in weights and option_id in known:
            per_option[option_id].append(weights[unit_id])
    totals = tuple(
        OptionTotal(option_id, label, meaning, exact_sum(per_option[option_id]), len(per_option[option_id]))
        for option_id, label, meaning in options
    )
    voted = sum((t.weight for t in totals), Fraction(0))
    total = exact_sum(weights.values())
    ballots = sum(t.ballots for t in totals)
    return Tally(totals, voted, total, ballots, len(weights), decide(rule, totals, voted, total))


def decide(rule: Rule, totals, voted: Fraction, total: Fraction) -> str:
    """A per-rollam vote's outcome, exactly: the quorum is met at or above it; the For side passes only
    when MORE than the threshold of the base ("exactly 50 %" of a 50 % rule is not a majority)."""
    if rule.kind != Vote.PER_ROLLAM:
        return ""
    if rule.quorum and (not total or voted < rule.quorum * total):
        return Vote.NO_QUORUM
    base = voted if rule.evaluation == Vote.OF_VOTING else total
    in_favour = next((t.weight for t in totals if t.meaning == VoteOption.FOR), Fraction(0))
    if base and in_favour > rule.threshold * base:
        return Vote.PASSED
    return Vote.REJECTED


def options_of(vote_id: int) -> list[tuple[int, str, str]]:
    return list(
        VoteOption.select(VoteOption.id, VoteOption.label, VoteOption.meaning)
        .where(VoteOption.vote == vote_id)
        .order_by(VoteOption.position, VoteOption.id)
        .tuples()
    )


def read(vote: Vote) -> Tally:
    """Count a vote from the database: its frozen weights and the ballots that count now (one query)."""
    weights: dict[int, tuple[int, int]] = {}
    choices: dict[int, int] = {}
    rows = (
        VoteUnit.select(VoteUnit.unit, VoteUnit.weight_numerator, VoteUnit.weight_denominator, Ballot.option)
        .join(
            Ballot,
            pw.JOIN.LEFT_OUTER,
            on=(Ballot.vote == VoteUnit.vote) & (Ballot.unit == VoteUnit.unit),
        )
        .where(VoteUnit.vote == vote.id)
        .tuples()
    )
    for unit_id, numerator, denominator, option_id in rows:
        weights[unit_id] = (numerator, denominator)
        if option_id is not None:
            choices[unit_id] = option_id
    return count(Rule.of(vote), options_of(vote.id), weights, choices)


# vote id -> (ledger head, Tally). Every ballot appends to the ledger, so a new head is a new count; the head
# covers the frozen rule, options and weights too (the start entry), so one head is one tally.
_CACHE: dict[int, tuple[str, Tally]] = {}
_CACHE_LOCK = threading.Lock()


def current(vote: Vote) -> Tally:
    """The vote's tally now: the published one once closed, else counted (kept until the next ballot)."""
    if vote.state == Vote.CLOSED and vote.result_json:
        return Tally.from_json(vote.result_json)
    cached = _CACHE.get(vote.id)
    if cached is not None and cached[0] == vote.ledger_head and vote.ledger_head:
        return cached[1]
    tally = read(vote)
    with _CACHE_LOCK:
        if len(_CACHE) > 500:
            _CACHE.clear()
        _CACHE[vote.id] = (vote.ledger_head, tally)
    return tally


def percent(part: Fraction, digits: int = 2) -> str:
    """A share as a percentage for people, rounded half up, in the page's language ("50.01", "50,01");
    decisions never read this."""
    value = (Decimal(part.numerator) * 100 / Decimal(part.denominator or 1)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
    )
    if not has_app_context():
        return str(value)
    return format_decimal(value, format="#,##0." + "0" * digits)
