"""The laws a per-rollam vote can follow (V3): each preset fills the form's defaults, checks the vote before it
starts, and says on the form and in the protocol which law it follows.

The texts are summaries for a board, not legal advice; the board can still choose "no particular law" and
set every value itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _

from core.text import lazy_gettext as _l
from models.votes import Vote


@dataclass(frozen=True)
class Preset:
    key: str
    name: object  # lazy text
    law: object  # lazy text: what the law asks, shown on the form and printed in the protocol
    min_days: int  # the least time owners get to answer
    evaluation: str
    threshold: Fraction
    quorum: Fraction
    counting: str
    # The result must be announced in writing to every owner (Czech law): the result mail goes to all owners.
    announce_to_all: bool = True
    # The protocol names the owners who voted for (Estonian law); a secret vote names nobody (protocol.py).
    names_voters_for: bool = False
    # A proxy counts only if written and dated within this many days before the vote (Swedish law: a year).
    proxy_max_days: int | None = None


PRESETS: dict[str, Preset] = {
    Vote.NO_LAW: Preset(
        Vote.NO_LAW,
        _l("No particular law"),
        _l("The association's own rules: set the evaluation, the thresholds and the time to answer yourselves."),
        min_days=1,
        evaluation=Vote.OF_VOTING,
        threshold=Fraction(1, 2),
        quorum=Fraction(1, 2),
        counting=Vote.BY_SHARE,
    ),
    Vote.CZECH: Preset(
        Vote.CZECH,
        _l("Czech Republic: owners' association (SVJ)"),
        _l(
            "Civil Code §1211–1214: owners have at least 15 days to answer; the majority is counted from all"
            " owners' votes, so an owner who does not answer counts as not agreeing; the result is announced"
            " in writing to every owner."
        ),
        min_days=15,
        evaluation=Vote.OF_ALL,
        threshold=Fraction(1, 2),
        quorum=Fraction(0),
        counting=Vote.BY_SHARE,
    ),
    Vote.ESTONIAN: Preset(
        Vote.ESTONIAN,
        _l("Estonia: apartment association (korteriühistu)"),
        _l(
            "Apartment Ownership and Apartment Associations Act: owners have at least 7 days to answer; the"
            " resolution needs a majority of the votes cast; the protocol names the owners who voted for."
        ),
        min_days=7,
        evaluation=Vote.OF_VOTING,
        threshold=Fraction(1, 2),
        quorum=Fraction(0),
        counting=Vote.BY_SHARE,
        names_voters_for=True,
    ),
    Vote.SWEDISH: Preset(
        Vote.SWEDISH,
        _l("Sweden: housing co-operative (BRF)"),
        _l(
            "Economic Associations Act, ch. 6: one member one vote, and co-owners of a flat share one vote; a"
            " proxy must be written and dated, and holds for at most one year."
        ),
        min_days=1,
        evaluation=Vote.OF_VOTING,
        threshold=Fraction(1, 2),
        quorum=Fraction(0),
        counting=Vote.BY_UNIT,
        proxy_max_days=365,
    ),
}


# The law a new per-rollam vote suggests, by the association's language (the board may choose another).
LAW_OF_LANGUAGE = {"cs": Vote.CZECH, "et": Vote.ESTONIAN, "sv": Vote.SWEDISH}


def suggested(locale: str | None) -> str:
    """The law an association writing in `locale` most likely follows ("cs" -> Czech), else none."""
    return LAW_OF_LANGUAGE.get((locale or "").replace("-", "_").split("_")[0], Vote.NO_LAW)


def preset(key: str | None) -> Preset:
    return PRESETS.get(key or Vote.NO_LAW, PRESETS[Vote.NO_LAW])


def apply_defaults(vote: Vote, key: str) -> None:
    """Fill a new per-rollam vote's rule from the preset (the board may still change what the law allows)."""
    chosen = preset(key)
    vote.jurisdiction = chosen.key
    vote.evaluation, vote.counting = chosen.evaluation, chosen.counting
    vote.threshold, vote.quorum = chosen.threshold, chosen.quorum


def problems(vote: Vote, now: dt.datetime) -> list[tuple[str, str]]:
    """What keeps a per-rollam vote from starting under its law, as (form field, message) pairs."""
    if vote.kind != Vote.PER_ROLLAM:
        return []
    chosen = preset(vote.jurisdiction)
    found = []
    start = max(vote.starts_at or now, now)
    if vote.ends_at is not None and vote.ends_at - start < dt.timedelta(days=chosen.min_days):
        found.append(("ends_at", _("Owners must have at least %(days)d days to answer.", days=chosen.min_days)))
    if not (Fraction(0) <= vote.threshold < 1):
        found.append(("threshold", _("The share needed must be at least 0 % and below 100 %.")))
    if not (Fraction(0) <= vote.quorum <= 1):
        found.append(("quorum", _("The turnout needed must be between 0 % and 100 %.")))
    if chosen.key == Vote.CZECH and vote.evaluation != Vote.OF_ALL:
        found.append(("evaluation", _("Czech law counts the majority from all owners' votes.")))
    if chosen.key in (Vote.CZECH, Vote.ESTONIAN) and vote.threshold < Fraction(1, 2):
        found.append(("threshold", _("The law asks for a majority: at least 50 %.")))
    if chosen.key == Vote.SWEDISH and vote.counting != Vote.BY_UNIT:
        found.append(("counting", _("In a co-operative every member has one vote: count one unit one vote.")))
    return found
