"""Reminders of a running per-rollam vote (V3; seed 004 §4.15): every REMINDER_DAYS after the start, a mail
to the owners and the valid proxies of the units that have not voted yet, through the outbox.

The periodic sweep (jobs.votes.sweep: `rq cron` every minute, `flask jobs tick` without Redis) calls
send_due(). A reminder is due at the start plus 7, 14, 21… days; a vote is claimed for one with a conditional
UPDATE of Vote.last_reminded_at (only if it was last reminded before that moment), so two sweeps running
together mail once, and a sweep that was down for a fortnight sends one reminder, not two. Each unit
reminded keeps the time in VoteUnit.last_reminded_at.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import peewee as pw

from blueprints.votes import ballots, rules
from blueprints.votes.closing import addressed, vote_url
from blueprints.votes.protocol import moment
from core import clock
from core.mail import queue_mail
from models.db import transaction
from models.register import Building, Ownership, Person, Unit, VotingProxy, unit_title
from models.votes import Ballot, Vote, VoteUnit

REMINDER_DAYS = 7
PERIOD = dt.timedelta(days=REMINDER_DAYS)


def due_moment(vote: Vote, now: dt.datetime) -> dt.datetime | None:
    """The latest reminder time at or before `now` (the start plus a whole number of periods), or None."""
    if vote.started_at is None:
        return None
    periods = (now - vote.started_at) // PERIOD
    return vote.started_at + periods * PERIOD if periods >= 1 else None


def send_due() -> int:
    """Mail every reminder that is due; how many mails."""
    now = clock.utcnow_naive()
    running = (
        Vote.select(Vote.id)
        .where(
            (Vote.state == Vote.RUNNING)
            & (Vote.kind == Vote.PER_ROLLAM)
            & (Vote.reminders == True)  # noqa: E712 (SQL)
            & (Vote.ends_at > now)
            & (Vote.started_at <= now - PERIOD)
        )
        .order_by(Vote.id)
    )
    return sum(remind(vote_id, now) for (vote_id,) in running.tuples())


def remind(vote_id: int, now: dt.datetime) -> int:
    """Send the vote's reminder due at `now`, once; how many mails (0 if none is due or it was sent)."""
    with transaction():
        vote = Vote.get_or_none(Vote.id == vote_id)
        due = due_moment(vote, now) if vote is not None else None
        if due is None:
            return 0
        claimed = (
            Vote.update(last_reminded_at=now)
            .where(
                (Vote.id == vote_id)
                & (Vote.state == Vote.RUNNING)
                & (Vote.reminders == True)  # noqa: E712 (SQL)
                & (Vote.ends_at > now)
                & (Vote.last_reminded_at.is_null() | (Vote.last_reminded_at < due))
            )
            .execute()
        )
        if claimed != 1:
            return 0
        waiting = not_voted(vote, due)
        if not waiting:
            return 0
        VoteUnit.update(last_reminded_at=now).where(
            (VoteUnit.vote == vote.id) & VoteUnit.unit.in_(list(waiting))
        ).execute()
        return _mail(vote, waiting)


def not_voted(vote: Vote, due: dt.datetime) -> dict[int, str]:
    """The vote's units without a ballot, not yet reminded for this moment: unit id -> its name (one query)."""
    rows = (
        VoteUnit.select(Unit.id, Unit.kind, Unit.number)
        .join(Unit, on=(VoteUnit.unit == Unit.id))
        .join(Building, on=(Unit.building == Building.id))
        .switch(VoteUnit)
        .join(Ballot, pw.JOIN.LEFT_OUTER, on=(Ballot.vote == VoteUnit.vote) & (Ballot.unit == VoteUnit.unit))
        .where(
            (VoteUnit.vote == vote.id)
            & Ballot.id.is_null()
            & (VoteUnit.last_reminded_at.is_null() | (VoteUnit.last_reminded_at < due))
        )
        .order_by(*Unit.natural_order())
        .tuples()
    )
    return {unit_id: unit_title(kind, number) for unit_id, kind, number in rows}


def voters_of(vote: Vote, unit_ids: list[int], on: dt.date) -> dict[int, list[int]]:
    """person id -> the units (of `unit_ids`) they may vote for on `on`: as an owner, or as a valid proxy."""
    owners = Ownership.select(Ownership.person, Ownership.unit).where(
        Ownership.unit.in_(unit_ids) & Ownership.current(on)
    )
    proxies = VotingProxy.select(VotingProxy.person, VotingProxy.unit).where(
        VotingProxy.unit.in_(unit_ids) & ballots.proxy_valid(on)
    )
    max_days = rules.preset(vote.jurisdiction).proxy_max_days
    if max_days is not None:  # as ballots.units_for: a proxy older than the law allows does not vote
        proxies = proxies.where(VotingProxy.start_date >= on - dt.timedelta(days=max_days))
    found: dict[int, list[int]] = defaultdict(list)
    for person_id, unit_id in list(owners.tuples()) + list(proxies.tuples()):
        if unit_id not in found[person_id]:
            found[person_id].append(unit_id)
    return found


def _mail(vote: Vote, waiting: dict[int, str]) -> int:
    association = vote.association
    holders = voters_of(vote, list(waiting), association.today())
    if not holders:
        return 0
    link = vote_url(vote)
    order = {unit_id: position for position, unit_id in enumerate(waiting)}  # the house's order
    sent = 0
    for recipient in addressed(association, Person.id.in_(list(holders))):
        units = sorted(holders[recipient.person_id], key=order.__getitem__)
        queue_mail(
            "vote_reminder",
            recipient.address,
            language=recipient.language,
            association=association,
            user=recipient.user,
            name=recipient.name,
            vote=vote,
            units=[waiting[unit_id] for unit_id in units],
            when=lambda value: moment(value, association.timezone or "UTC"),
            vote_link=link,
            every=REMINDER_DAYS,
        )
        sent += 1
    return sent
