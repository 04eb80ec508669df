"""The results as the pages show them (V2, V3): the pie's slices, the legend's numbers, the turnout, and for a
per-rollam vote its rule and where the vote stands against it. Decisions are the tally's (exact); here
the numbers are only written out, rounded for reading and exact beside them."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _

from blueprints.votes import pie, tally
from core.text import lazy_gettext as _l
from models.votes import Vote


def exact(value: Fraction) -> str:
    """A weight or share as people check it: "3/10", or "2" when whole."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


@dataclass(frozen=True)
class Line:
    """One option in the legend and the table."""

    number: int
    label: str
    meaning: str
    weight: Fraction
    ballots: int
    share: Fraction  # of the weight that voted (of all weight when the pie shows who did not vote)
    colour: str
    pattern: str

    @property
    def percent(self) -> str:
        return tally.percent(self.share)

    @property
    def exact_weight(self) -> str:
        return exact(self.weight)


@dataclass(frozen=True)
class Results:
    vote: Vote
    counted: tally.Tally
    lines: list[Line]
    slices: list[pie.Slice]

    @property
    def by_share(self) -> bool:
        return self.vote.counting == Vote.BY_SHARE

    @property
    def turnout_units(self) -> str:
        return tally.percent(Fraction(self.counted.ballots, self.counted.eligible_units or 1))

    @property
    def turnout(self) -> str:
        return tally.percent(self.counted.turnout)

    @property
    def voted_weight(self) -> str:
        return exact(self.counted.voted_weight)

    @property
    def total_weight(self) -> str:
        return exact(self.counted.total_weight)

    @property
    def summary(self) -> str:
        """The pie in one sentence, for its <title>."""
        if not self.counted.ballots:
            return _("No ballots yet.")
        return "; ".join(f"{line.label}: {line.percent} %" for line in self.lines)

    # --- per rollam -------------------------------------------------------------------------------------

    @property
    def of_all(self) -> bool:
        return self.vote.evaluation == Vote.OF_ALL

    @property
    def drawn_of_all(self) -> bool:
        """The pie and the legend are of all shares (a per-rollam vote counted from all of them)."""
        return self.vote.is_per_rollam and self.of_all

    @property
    def in_favour(self) -> str:
        """The For side's share of the base the rule counts from, rounded."""
        total = self.counted.meaning("for")
        weight = total.weight if total else Fraction(0)
        base = self.counted.total_weight if self.of_all else self.counted.voted_weight
        return tally.percent(weight / base if base else Fraction(0))

    @property
    def threshold(self) -> str:
        return tally.percent(self.vote.threshold)

    @property
    def quorum(self) -> str:
        return tally.percent(self.vote.quorum)

    @property
    def standing(self) -> str:
        """Where the vote stands against its rule now (or how it ended), in words."""
        if self.vote.state == Vote.CLOSED:
            return str(OUTCOMES.get(self.vote.outcome or self.counted.outcome, ""))
        return str(STANDINGS.get(self.counted.outcome, ""))


OUTCOMES = {
    Vote.PASSED: _l("Passed"),
    Vote.REJECTED: _l("Not passed"),
    Vote.NO_QUORUM: _l("Not passed: too few owners voted"),
}
# While it runs: what would happen if it ended now.
STANDINGS = {
    Vote.PASSED: _l("If it ended now, it would pass."),
    Vote.REJECTED: _l("If it ended now, it would not pass."),
    Vote.NO_QUORUM: _l("If it ended now, too few would have voted for it to count."),
}


def of(vote: Vote) -> Results:
    """The vote's results now (tally.current: counted once per ballot, then kept). A per-rollam vote counted
    from all shares draws those that did not vote as a slice of their own, and its legend's percentages are
    then of all shares too, so each number is the size of its slice."""
    counted = tally.current(vote)
    of_all = vote.is_per_rollam and vote.evaluation == Vote.OF_ALL
    drawn = pie.slices(
        [(total.label, total.weight) for total in counted.options],
        rest=(_("Not voted"), counted.total_weight - counted.voted_weight) if of_all else None,
    )
    lines = []
    for number, total in enumerate(counted.options, start=1):
        colour, pattern, _text = pie.look(number)
        share = counted.share_of_all(total) if of_all else counted.share_of_voted(total)
        lines.append(Line(number, total.label, total.meaning, total.weight, total.ballots, share, colour, pattern))
    return Results(vote, counted, lines, drawn)
