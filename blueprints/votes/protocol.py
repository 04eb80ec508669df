"""The protocol of a closed vote (V5; issue 12 items 3, 6 and 7): a PDF in the association's language.

It states what was asked (a per-rollam vote's resolution word for word, or a poll's question and options),
the law or the association's own rules it followed, the rule and its thresholds, the eligible units and
their total weight, the turnout, the totals per option, the outcome in words (with how "exactly at the
threshold" was decided: the For side must be MORE than the threshold), then every ballot (unit, option,
channel, time), or for a secret vote only the units that voted. Under Estonian law it names the owners
who voted for. It ends with the ledger's final hash and how anyone can check it (`flask votes verify`).

The result mail and the published document word the outcome with the same Summary, so the three agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import peewee as pw
from babel import dates
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from blueprints.votes import rules
from blueprints.votes.tally import OptionTotal, Tally
from core.pdf import logo_url, render_pdf
from core.text import lazy_gettext as _l
from models.register import Building, Ownership, Person, Unit, unit_title
from models.votes import Ballot, Vote, VoteOption

KIND_NAMES = {Vote.POLL: _l("Poll"), Vote.PER_ROLLAM: _l("Per-rollam (written) vote")}
CHANNEL_NAMES = {Ballot.ONLINE: _l("online"), Ballot.PAPER: _l("on paper")}
OUTCOME_NAMES = {
    Vote.PASSED: _l("Adopted"),
    Vote.REJECTED: _l("Not adopted"),
    Vote.NO_QUORUM: _l("Not adopted: too few voted"),
}


def percent(part: Fraction, digits: int = 2) -> str:
    """A share as a percentage in the current language ("50,05 %"), rounded half up; decisions never read it."""
    value = (Decimal(part.numerator) * 100 / Decimal(part.denominator)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
    )
    return format_decimal(value, format="#,##0." + "0" * digits) + "\u00a0%"


def bar(part: Fraction) -> str:
    """A threshold as people write it: "50 %", "66,67 %" (no needless decimals)."""
    value = (Decimal(part.numerator) * 100 / Decimal(part.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return format_decimal(value, format="#,##0.##") + "\u00a0%"


def exact(weight: Fraction) -> str:
    """An exact weight: "3/10", or "12" for a whole number (one unit one vote)."""
    return str(weight)


def moment(value: dt.datetime | None, timezone: str) -> str:
    """A stored (UTC) time in the association's time zone and the current language, with the zone's name;
    works in a job as in a request (the page's time zone is not the association's outside a request)."""
    if value is None:
        return "—"
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    return (
        dates.format_datetime(aware, "medium", tzinfo=ZoneInfo(timezone), locale=get_locale())
        + " "
        + (aware.astimezone(ZoneInfo(timezone)).tzname() or "")
    )


@dataclass(frozen=True)
class Summary:
    """A closed vote's result in words. Its methods translate when called, so a mail rendered in each
    recipient's language (core.mail.queue_mail) and the PDF in the association's use the same words."""

    vote: Vote
    tally: Tally

    @property
    def per_rollam(self) -> bool:
        return self.vote.is_per_rollam

    @property
    def base(self) -> Fraction:
        """What the For side is compared with: the weight that voted, or all eligible weight."""
        if self.vote.evaluation == Vote.OF_ALL:
            return self.tally.total_weight
        return self.tally.voted_weight

    def base_name(self) -> str:
        if self.vote.evaluation == Vote.OF_ALL:
            return _("all shares")
        return _("the shares that voted")

    def evaluation(self) -> str:
        if self.vote.evaluation == Vote.OF_ALL:
            return _("Share of all shares: an owner who does not answer counts as not agreeing.")
        return _("Share of the shares that voted.")

    def counting(self) -> str:
        if self.vote.counting == Vote.BY_UNIT:
            return _("One unit, one vote.")
        return _("By each unit's co-ownership share.")

    def threshold(self) -> str:
        return _("More than %(bar)s of %(base)s.", bar=bar(self.vote.threshold), base=self.base_name())

    def quorum(self) -> str:
        if not self.vote.quorum:
            return _("No minimum turnout.")
        return _("At least %(bar)s of all shares must vote.", bar=bar(self.vote.quorum))

    def law(self) -> str:
        """The law the vote followed, as the preset words it, or the association's own rules."""
        if not self.per_rollam or self.vote.jurisdiction == Vote.NO_LAW:
            return _("The association's own rules.")
        chosen = rules.preset(self.vote.jurisdiction)
        return f"{chosen.name}. {chosen.law}"

    def kind(self) -> str:
        return str(KIND_NAMES[self.vote.kind])

    def headline(self) -> str:
        """The outcome in a few words: "Adopted", or the option that won a poll."""
        if self.per_rollam:
            return str(OUTCOME_NAMES.get(self.tally.outcome, ""))
        if not self.tally.ballots:
            return _("Nobody voted.")
        leaders = self.leaders()
        if len(leaders) > 1:
            return _("A tie between %(options)s.", options=", ".join(t.label for t in leaders))
        return _("Most votes: %(option)s.", option=leaders[0].label)

    def leaders(self) -> list[OptionTotal]:
        top = max((t.weight for t in self.tally.options), default=Fraction(0))
        return [t for t in self.tally.options if t.weight == top and t.ballots]

    def reasons(self) -> list[str]:
        """Why the outcome is what it is, exactly (a per-rollam vote; a poll has no threshold)."""
        if not self.per_rollam:
            return []
        found = [self._turnout_reason()] if self.vote.quorum else []
        if self.tally.outcome != Vote.NO_QUORUM:
            found.append(self._threshold_reason())
        return [reason for reason in found if reason]

    def _turnout_reason(self) -> str:
        turnout, needed = self.tally.turnout, self.vote.quorum
        if turnout < needed:
            return _(
                "%(turnout)s of all shares voted; at least %(bar)s had to, so the resolution is not adopted.",
                turnout=percent(turnout),
                bar=bar(needed),
            )
        if turnout == needed:
            return _(
                "Exactly %(bar)s of all shares voted: the minimum turnout is met, as a turnout at the minimum counts.",
                bar=bar(needed),
            )
        return _("%(turnout)s of all shares voted: the minimum turnout of %(bar)s is met.",
                 turnout=percent(turnout), bar=bar(needed))  # fmt: skip

    def _threshold_reason(self) -> str:
        in_favour = self.in_favour
        share = in_favour / self.base if self.base else Fraction(0)
        needed = self.vote.threshold
        values = dict(
            weight=exact(in_favour), base_weight=exact(self.base), base=self.base_name(), share=percent(share),
            bar=bar(needed),
        )  # fmt: skip
        if share == needed:
            return _(
                "For holds %(weight)s of %(base_weight)s (%(base)s): exactly %(bar)s. The rule asks for more than"
                " %(bar)s, so exactly %(bar)s is not enough and the resolution is not adopted.",
                **values,
            )
        if self.tally.outcome == Vote.PASSED:
            return _(
                "For holds %(weight)s of %(base_weight)s (%(base)s), %(share)s: more than %(bar)s, so the"
                " resolution is adopted.",
                **values,
            )
        return _(
            "For holds %(weight)s of %(base_weight)s (%(base)s), %(share)s: not more than %(bar)s, so the"
            " resolution is not adopted.",
            **values,
        )

    @property
    def in_favour(self) -> Fraction:
        total = self.tally.meaning(VoteOption.FOR)
        return total.weight if total is not None else Fraction(0)

    def share_of_voted(self, total: OptionTotal) -> str:
        return percent(self.tally.share_of_voted(total))

    def share_of_all(self, total: OptionTotal) -> str:
        return percent(self.tally.share_of_all(total))

    def turnout(self) -> str:
        return percent(self.tally.turnout)


# --- the ballots as the protocol lists them --------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One ballot in the protocol; `option` is "" for a secret vote."""

    unit: str
    option: str
    channel: str
    at: dt.datetime
    as_proxy: bool
    paper_received_on: dt.date | None


def lines(vote: Vote) -> list[Line]:
    """Every ballot that counts, by building and unit (one query); a secret vote's without its choice."""
    rows = (
        Ballot.select(
            Ballot.channel, Ballot.cast_at, Ballot.as_proxy, Ballot.paper_received_on, Unit.kind, Unit.number,
            VoteOption.label,
        )
        .join(Unit, on=(Ballot.unit == Unit.id))
        .join(Building, on=(Unit.building == Building.id))
        .switch(Ballot)
        .join(VoteOption, on=(Ballot.option == VoteOption.id))
        .where(Ballot.vote == vote.id)
        .order_by(*Unit.natural_order())
        .tuples()
    )  # fmt: skip
    return [
        Line(unit_title(kind, number), "" if vote.secret else label, str(CHANNEL_NAMES.get(channel, channel)), at,
             proxy, received)
        for channel, at, proxy, received, kind, number, label in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class VoterFor:
    unit: str
    names: str


def voters_for(vote: Vote, on: dt.date) -> list[VoterFor]:
    """Who voted for, by name (Estonian law): whoever cast the unit's For ballot, else (a paper ballot
    typed without a name) the unit's owners on `on`. Two queries."""
    rows = list(
        Ballot.select(Ballot.unit, Unit.kind, Unit.number, Person.given_name, Person.surname)
        .join(VoteOption, on=(Ballot.option == VoteOption.id))
        .switch(Ballot)
        .join(Unit, on=(Ballot.unit == Unit.id))
        .join(Building, on=(Unit.building == Building.id))
        .switch(Ballot)
        .join(Person, pw.JOIN.LEFT_OUTER, on=(Ballot.cast_by == Person.id))
        .where((Ballot.vote == vote.id) & (VoteOption.meaning == VoteOption.FOR))
        .order_by(*Unit.natural_order())
        .tuples()
    )
    nameless = [unit_id for unit_id, _k, _n, given, surname in rows if not (given or surname)]
    owners: dict[int, list[str]] = {}
    if nameless:
        found = (
            Ownership.select(Ownership.unit, Person.given_name, Person.surname)
            .join(Person)
            .where(Ownership.unit.in_(nameless) & Ownership.current(on))
            .order_by(*Person.name_order())
            .tuples()
        )
        for unit_id, given, surname in found:
            owners.setdefault(unit_id, []).append(f"{given} {surname}".strip())
    return [
        VoterFor(unit_title(kind, number),
                 f"{given} {surname}".strip() if (given or surname) else ", ".join(owners.get(unit_id, [])) or "—")
        for unit_id, kind, number, given, surname in rows
    ]  # fmt: skip


# --- the PDF -----------------------------------------------------------------------------------------------


def filename(vote: Vote) -> str:
    return f"vote-{vote.id}-protocol.pdf"


def render(vote: Vote, tally: Tally) -> bytes:
    """The protocol as an A4 PDF in the association's language, from the tally as published."""
    association = vote.association
    zone = association.timezone or "UTC"
    # A secret vote names nobody, whatever the law's habit: the names would tell the others' choices too.
    names_for = vote.is_per_rollam and rules.preset(vote.jurisdiction).names_voters_for and not vote.secret
    return render_pdf(
        "pdf/vote_protocol.html",
        language=association.locale,
        association=association,
        logo=logo_url(association),
        vote=vote,
        tally=tally,
        summary=Summary(vote, tally),
        ballots=lines(vote),
        voters_for=voters_for(vote, association.today()) if names_for else None,
        moment=lambda value: moment(value, zone),
        exact=exact,
        percent=percent,
    )
