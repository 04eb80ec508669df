"""Starting a vote, who may vote for which unit, casting online and recording paper ballots (V1, V4, V7).

One ballot per unit: an owner of the unit (any co-owner: spouses holding it jointly cast one ballot
together) or the unit's voting proxy valid on the day. The last choice counts; every cast and change is
appended to the ledger. A unit that voted on paper cannot vote online, and the other way round.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw
from flask_babel import format_date
from flask_babel import gettext as _

from blueprints.votes import ledger, rules, signals, tally
from core import clock, queue
from models.db import transaction
from models.register import Ownership, Unit, VotingProxy
from models.votes import Ballot, LedgerEntry, Vote, VoteOption, VoteUnit


class VoteRefused(Exception):  # noqa: N818 (what the views catch and show)
    """A cast, change, paper entry or start that the rules do not allow; the message is for the user."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


# --- Starting -----------------------------------------------------------------------------------------------


def eligible_weights(vote: Vote, on: dt.date) -> dict[int, tuple[int, int]]:
    """The units that may vote, and what each weighs: active units with an owner on `on`; their share of the
    common property (counting by share) or one each (one unit one vote)."""
    owned = Ownership.select(Ownership.unit).where(Ownership.current(on))
    rows = (
        Unit.active(vote.association_id)
        .select(Unit.id, Unit.share_numerator, Unit.share_denominator)
        .where(Unit.id.in_(owned))
        .tuples()
    )
    if vote.counting == Vote.BY_UNIT:
        return {unit_id: (1, 1) for unit_id, _n, _d in rows}
    return {unit_id: (n, d or 1) for unit_id, n, d in rows}


def start(vote: Vote) -> Vote:
    """Start a draft now: freeze the units and their weights, write the ledger's first entry. Options lock."""
    now = clock.utcnow_naive()
    if vote.state != Vote.DRAFT:
        raise VoteRefused(_("This vote has already started."))
    if vote.ends_at is None or vote.ends_at <= now:
        raise VoteRefused(_("The end of the vote must be in the future."), "ends_at")
    options = tally.options_of(vote.id)
    if len(options) < 2:
        raise VoteRefused(_("A vote needs at least two options."), "options")
    with transaction():
        ledger.lock(vote.id)
        vote = Vote.get_by_id(vote.id)
        if vote.state != Vote.DRAFT:
            raise VoteRefused(_("This vote has already started."))
        weights = eligible_weights(vote, vote.association.today())
        if not weights:
            raise VoteRefused(_("No unit has an owner: nobody could vote."))
        VoteUnit.insert_many(
            [{"vote": vote.id, "unit": unit_id, "weight_numerator": n, "weight_denominator": d}
             for unit_id, (n, d) in weights.items()]
        ).execute()  # fmt: skip
        total = tally.exact_sum(weights.values())
        vote.state, vote.started_at = Vote.RUNNING, now
        vote.eligible_units = len(weights)
        vote.total_weight_numerator, vote.total_weight_denominator = total.numerator, total.denominator
        vote.save()
        ledger.append(
            vote,
            LedgerEntry.START,
            unit_id=None,
            choice=ledger.start_digest(vote, options, weights),
            channel="",
            at=now,
        )
        # It closes itself at the end (RQ's scheduler); the periodic sweep closes it without Redis.
        queue.enqueue_at("jobs.votes.close", vote.id, at=vote.ends_at, job_id=close_job_id(vote.id))
        signals.vote_changed(vote)
    return vote


def close_job_id(vote_id: int) -> str:
    return f"vote-close-{vote_id}"


# --- Who votes for which unit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoterUnit:
    """A unit the member may vote for in this vote, and whether as its proxy."""

    unit: Unit
    as_proxy: bool
    weight: tuple[int, int]


def proxy_valid(on: dt.date) -> pw.Expression:
    return (VotingProxy.start_date.is_null() | (VotingProxy.start_date <= on)) & (
        VotingProxy.end_date.is_null() | (VotingProxy.end_date >= on)
    )


def units_for(vote: Vote, person_id: int | None, on: dt.date) -> list[VoterUnit]:
    """The vote's units this person may vote for on `on`: as an owner then, or as the unit's proxy then."""
    if person_id is None or vote.state == Vote.DRAFT:
        return []
    owned = Ownership.select(Ownership.unit).where((Ownership.person == person_id) & Ownership.current(on))
    proxied = VotingProxy.select(VotingProxy.unit).where((VotingProxy.person == person_id) & proxy_valid(on))
    max_days = rules.preset(vote.jurisdiction).proxy_max_days
    if max_days is not None:  # a written, dated proxy that holds for a limited time (Swedish law: a year)
        proxied = proxied.where(VotingProxy.start_date >= on - dt.timedelta(days=max_days))
    rows = (
        VoteUnit.select(VoteUnit.weight_numerator, VoteUnit.weight_denominator, Unit)
        .join(Unit)
        .where((VoteUnit.vote == vote.id) & (Unit.id.in_(owned) | Unit.id.in_(proxied)))
        .order_by(pw.fn.LENGTH(Unit.number), Unit.number)
    )
    owned_ids = {row[0] for row in owned.tuples()}
    return [
        VoterUnit(row.unit, row.unit.id not in owned_ids, (row.weight_numerator, row.weight_denominator))
        for row in rows
    ]


def may_vote_for(vote: Vote, person_id: int | None, unit_id: int, on: dt.date) -> VoterUnit | None:
    return next((voter for voter in units_for(vote, person_id, on) if voter.unit.id == unit_id), None)


# --- Casting ------------------------------------------------------------------------------------------------


def cast(vote: Vote, membership, unit_id: int, option_id: int) -> Ballot:
    """Cast or change the unit's ballot online, as the member's register entry; the receipt is ballot.receipt."""
    now = clock.utcnow_naive()
    _check_open(vote, now)
    voter = may_vote_for(vote, membership.person_id, unit_id, membership.association.today())
    if voter is None:
        raise VoteRefused(_("You cannot vote for this unit."), "unit")
    _check_option(vote, option_id)
    with transaction():
        ledger.lock(vote.id)
        vote = Vote.get_by_id(vote.id)
        _check_open(vote, now)
        ballot = Ballot.get_or_none((Ballot.vote == vote.id) & (Ballot.unit == unit_id))
        if ballot is not None and ballot.channel == Ballot.PAPER:
            raise VoteRefused(
                _("%(unit)s voted on paper (received %(date)s): it cannot also vote online.",
                  unit=voter.unit.title, date=_day(ballot.paper_received_on))
            )  # fmt: skip
        ballot = _write(
            vote, ballot, unit_id, option_id, now, channel=Ballot.ONLINE, person_id=membership.person_id,
            user_id=membership.user_id, as_proxy=voter.as_proxy,
        )  # fmt: skip
        signals.ballot_written(vote, ballot)
        return ballot


def record_paper(vote: Vote, actor, unit_id: int, option_id: int, received_on: dt.date, *, person_id: int | None = None,
                 scan: tuple[str, str, str] | None = None) -> Ballot:  # fmt: skip
    """Record a ballot returned on paper for a unit (the board types it), with the day it arrived and its scan
    (stored name, original name, content type). Refused for a unit that voted online or already on paper."""
    now = clock.utcnow_naive()
    _check_open(vote, now)
    unit = _eligible_unit(vote, unit_id)
    _check_option(vote, option_id)
    _check_received(vote, received_on)
    with transaction():
        ledger.lock(vote.id)
        vote = Vote.get_by_id(vote.id)
        _check_open(vote, now)
        ballot = Ballot.get_or_none((Ballot.vote == vote.id) & (Ballot.unit == unit_id))
        if ballot is not None:
            raise VoteRefused(_already_voted(unit, ballot), "unit")
        ballot = _write(
            vote, None, unit_id, option_id, now, channel=Ballot.PAPER, person_id=person_id, user_id=actor.id,
            as_proxy=False,
        )  # fmt: skip
        ballot.paper_received_on = received_on
        if scan is not None:
            ballot.scan_name, ballot.scan_original_name, ballot.scan_content_type = scan
        ballot.save()
        signals.ballot_written(vote, ballot)
        return ballot


def check_paper(vote: Vote, unit_id: int, option_id: int, received_on: dt.date) -> None:
    """Raise VoteRefused if record_paper() would refuse this row (a batch's preview checks every row first)."""
    _check_open(vote, clock.utcnow_naive())
    unit = _eligible_unit(vote, unit_id)
    _check_option(vote, option_id)
    _check_received(vote, received_on)
    ballot = Ballot.get_or_none((Ballot.vote == vote.id) & (Ballot.unit == unit_id))
    if ballot is not None:
        raise VoteRefused(_already_voted(unit, ballot), "unit")


def _write(vote, ballot, unit_id, option_id, now, *, channel, person_id, user_id, as_proxy) -> Ballot:
    salt = ledger.new_salt() if vote.secret else ""
    action = LedgerEntry.CAST if ballot is None else LedgerEntry.CHANGE
    if channel == Ballot.PAPER:
        action = LedgerEntry.PAPER
    entry = ledger.append(
        vote, action, unit_id=unit_id, choice=ledger.choice_of(vote, option_id, salt), channel=channel, at=now,
        person_id=person_id,
    )  # fmt: skip
    fields = dict(
        option=option_id, channel=channel, cast_by=person_id, recorded_by=user_id, as_proxy=as_proxy, cast_at=now,
        salt=salt, receipt=entry.hash,
    )  # fmt: skip
    if ballot is None:
        return Ballot.create(vote=vote.id, unit=unit_id, **fields)
    Ballot.update(changes=Ballot.changes + 1, **fields).where(Ballot.id == ballot.id).execute()
    return Ballot.get_by_id(ballot.id)


def _check_received(vote: Vote, received_on: dt.date) -> None:
    if received_on > vote.association.today():
        raise VoteRefused(_("The day the ballot arrived cannot be in the future."), "received_on")
    # The day it started where the association is: stored in UTC, a vote started just after local midnight
    # is a day earlier in UTC, and a ballot dated the day before it started got through.
    if vote.started_at is not None and received_on < clock.to_local(vote.started_at, vote.association).date():
        raise VoteRefused(_("The day the ballot arrived cannot be before the vote started."), "received_on")


def _check_open(vote: Vote, now: dt.datetime) -> None:
    if vote.state == Vote.DRAFT:
        raise VoteRefused(_("This vote has not started yet."))
    if vote.state == Vote.CLOSED or (vote.ends_at is not None and now >= vote.ends_at):
        raise VoteRefused(_("This vote has ended: ballots can no longer be cast or changed."))


def _check_option(vote: Vote, option_id: int) -> None:
    if not VoteOption.select().where((VoteOption.id == option_id) & (VoteOption.vote == vote.id)).exists():
        raise VoteRefused(_("Choose one of the options."), "option")


def _eligible_unit(vote: Vote, unit_id: int) -> Unit:
    unit = (
        Unit.select()
        .join(VoteUnit, on=(VoteUnit.unit == Unit.id))
        .where((VoteUnit.vote == vote.id) & (Unit.id == unit_id))
        .first()
    )
    if unit is None:
        raise VoteRefused(_("This unit does not vote in this vote."), "unit")
    return unit


def _already_voted(unit: Unit, ballot: Ballot) -> str:
    if ballot.channel == Ballot.PAPER:
        return _("%(unit)s's paper ballot is already recorded (received %(date)s).",
                 unit=unit.title, date=_day(ballot.paper_received_on))  # fmt: skip
    return _("%(unit)s already voted online: a paper ballot cannot be counted as well.", unit=unit.title)


def _day(day: dt.date | None) -> str:
    return format_date(day) if day else "—"
