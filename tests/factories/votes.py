"""Votes for tests: a poll or a per-rollam vote with its options, drafted or started."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from blueprints.votes import ballots
from core import clock
from models.votes import Vote, VoteOption

PER_ROLLAM_OPTIONS = (("For", VoteOption.FOR), ("Against", VoteOption.AGAINST), ("Abstain", VoteOption.ABSTAIN))


def make_vote(
    association,
    title: str = "New bicycle racks?",
    options=("Yes", "No"),
    *,
    kind: str = Vote.POLL,
    started: bool = True,
    days: int = 20,
    **fields,
) -> Vote:
    """A vote ending `days` from now, with `options` (labels, or (label, meaning) pairs); started unless asked."""
    if kind == Vote.PER_ROLLAM and options == ("Yes", "No"):
        options = PER_ROLLAM_OPTIONS
    fields.setdefault("ends_at", clock.utcnow_naive() + dt.timedelta(days=days))
    if kind == Vote.PER_ROLLAM:
        fields.setdefault("resolution", "The association approves the accounts for 2026.")
        fields.setdefault("quorum_numerator", 0)
    vote = Vote.create(association=association, kind=kind, title=title, **fields)
    for position, option in enumerate(options):
        label, meaning = option if isinstance(option, tuple) else (option, "")
        VoteOption.create(vote=vote, position=position, label=label, meaning=meaning)
    return ballots.start(vote) if started else vote


def option(vote: Vote, label: str) -> VoteOption:
    return VoteOption.get((VoteOption.vote == vote) & (VoteOption.label == label))


def fraction(numerator: int, denominator: int) -> Fraction:
    return Fraction(numerator, denominator)
