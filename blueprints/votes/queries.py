"""What a member may see of the votes, loaded the same way on every page (V1-V6).

A draft is its managers' alone (votes.manage for polls, votes.manage_per_rollam for per-rollam votes); a
started vote is read by every role that holds any votes.* permission (Vote.readable_by); anything else
answers 404. Lists and the home page ask which units a member votes for in the query itself, so their
cost does not grow with the votes or the units.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
from dataclasses import dataclass

import peewee as pw
from flask import abort

from blueprints.portal import two_factor
from blueprints.votes import rules
from blueprints.votes.ballots import VoterUnit
from core import clock
from models import permissions as perms
from models.community import Thread
from models.db import PreparedSelect
from models.register import Ownership, Person, Unit, VotingProxy
from models.votes import Ballot, Vote, VoteAttachment, VoteOption, VoteUnit

CLOSED_PAGE = 20
BALLOTS_PAGE = 100

MANAGE = {Vote.POLL: perms.VOTES_MANAGE, Vote.PER_ROLLAM: perms.VOTES_MANAGE_PER_ROLLAM}
CAST = {Vote.POLL: perms.VOTES_CAST, Vote.PER_ROLLAM: perms.VOTES_CAST_PER_ROLLAM}


# --- who may do what --------------------------------------------------------------------------------------


def granted(membership) -> frozenset[str]:
    return membership.role.permission_set if membership is not None else frozenset()


def reads_votes(membership) -> bool:
    """Any votes.* permission reads the started votes (as Vote.readable_by asks the database)."""
    return any(permission.startswith("votes.") for permission in granted(membership))


def managed_kinds(membership) -> tuple[str, ...]:
    return tuple(kind for kind, permission in MANAGE.items() if permission in granted(membership))


def cast_kinds(membership) -> tuple[str, ...]:
    return tuple(kind for kind, permission in CAST.items() if permission in granted(membership))


def manages(membership, vote: Vote) -> bool:
    return MANAGE[vote.kind] in granted(membership)


def may_cast(membership, vote: Vote) -> bool:
    return CAST[vote.kind] in granted(membership)


def manages_now(membership, vote: Vote) -> bool:
    """The member manages this vote's kind and, where the association guards that with a second factor, has
    given it in this session: only then do a manager's eyes see more than a member's."""
    if not manages(membership, vote):
        return False
    guarded = membership.association.requires_second_factor(MANAGE[vote.kind])
    return not guarded or two_factor.passed()


def shows_results(membership, vote: Vote) -> bool:
    """The totals and the pie: once the vote is closed; while it runs, when it shows live results and is not
    secret; always to its managers. A secret vote's totals wait for the end: totals that move with each
    ballot would tell anyone who watches them what the last voter chose (a unit's share is no secret)."""
    if vote.state == Vote.DRAFT:
        return False
    if vote.state == Vote.CLOSED or manages_now(membership, vote):
        return True
    return vote.live_results and not vote.secret


def shows_ballots(membership, vote: Vote) -> bool:
    """Each unit's ballot: a secret vote's to its managers only (V6); a public vote's to members when its
    results show (seed 004 §4.15: with live results the single ballots are seen while it runs)."""
    if vote.state == Vote.DRAFT:
        return False
    if manages_now(membership, vote):
        return True
    return not vote.secret and shows_results(membership, vote)


# --- one vote ---------------------------------------------------------------------------------------------


def visible_vote(membership, vote_id: int) -> Vote:
    """A vote the member may open: a started one if their role reads votes, a draft if they manage its kind;
    else 404 (another association's votes are never loaded)."""
    found = _VOTE(membership.association_id, vote_id)
    if not found:
        abort(404)
    vote = found[0]
    vote.association = membership.association
    if vote.state == Vote.DRAFT:
        if not manages(membership, vote):
            abort(404)
    elif not reads_votes(membership):
        abort(404)
    return vote


def options_of(vote: Vote) -> list[VoteOption]:
    return _OPTIONS(vote.id)


def attachments_of(vote: Vote) -> list[VoteAttachment]:
    return _ATTACHMENTS(vote.id)


def attachment_of(vote: Vote, attachment_id: int) -> VoteAttachment:
    row = VoteAttachment.get_or_none((VoteAttachment.id == attachment_id) & (VoteAttachment.vote == vote.id))
    if row is None:
        abort(404)
    return row


def ballots_of_units(vote: Vote, unit_ids: list[int]) -> dict[int, Ballot]:
    """The ballots of these units, with who cast each (co-owners see it: V4), by unit id."""
    if not unit_ids:
        return {}
    rows = (
        Ballot.select(Ballot, Person.id, Person.given_name, Person.surname)
        .join(Person, pw.JOIN.LEFT_OUTER, on=(Ballot.cast_by == Person.id))
        .where((Ballot.vote == vote.id) & Ballot.unit.in_(unit_ids))
    )
    return {ballot.unit_id: ballot for ballot in rows}


@dataclass(frozen=True)
class VoterBallot:
    """A unit the member votes for in this vote (as ballots.units_for has it) and its ballot so far."""

    voter: VoterUnit
    ballot: Ballot | None


def voter_ballots(vote: Vote, person_id: int | None, on: dt.date) -> list[VoterBallot]:
    """The units `person_id` votes for on `on` (owned then, or held by a proxy valid then, within the law's
    limit of a proxy's age) with each unit's ballot and who cast it: the vote page's one query, the same
    rule as ballots.units_for()."""
    if person_id is None or vote.state == Vote.DRAFT:
        return []
    max_days = rules.preset(vote.jurisdiction).proxy_max_days
    since = (on - dt.timedelta(days=max_days or 0)).isoformat()
    rows = _VOTER_BALLOTS(vote.id, person_id, on.isoformat(), since, limited=max_days is not None)
    found = []
    for row in rows:
        weight = (row.weight_numerator, row.weight_denominator)
        ballot = getattr(row, "ballot", None)  # a LEFT JOIN that found none: None, or a row of NULLs
        ballot = ballot if ballot is not None and ballot.id is not None else None
        if ballot is not None and (ballot.cast_by is None or ballot.cast_by.id is None):
            ballot.cast_by = None
        found.append(VoterBallot(VoterUnit(row.unit, not row.owned, weight), ballot))
    return found


def thread_of(vote: Vote) -> Thread | None:
    """The vote's discussion, if it has one yet."""
    found = _THREAD(vote.id)
    return found[0] if found else None


def _thread_query(vote_id) -> pw.ModelSelect:
    return Thread.select().where(Thread.vote == vote_id)


def _vote_query(association, vote_id) -> pw.ModelSelect:
    return Vote.select().where((Vote.association == association) & (Vote.id == vote_id))


def _options_query(vote_id) -> pw.ModelSelect:
    return VoteOption.select().where(VoteOption.vote == vote_id).order_by(VoteOption.position, VoteOption.id)


def _attachments_query(vote_id) -> pw.ModelSelect:
    return VoteAttachment.select().where(VoteAttachment.vote == vote_id).order_by(VoteAttachment.id)


def _voter_ballots_query(vote_id, person_id, on, since, *, limited: bool) -> pw.ModelSelect:
    owned = Ownership.select(Ownership.unit).where(
        (Ownership.person == person_id)
        & (Ownership.started_on.is_null() | (Ownership.started_on <= on))
        & (Ownership.ended_on.is_null() | (Ownership.ended_on > on))
    )
    proxied = VotingProxy.select(VotingProxy.unit).where(
        (VotingProxy.person == person_id)
        & (VotingProxy.start_date.is_null() | (VotingProxy.start_date <= on))
        & (VotingProxy.end_date.is_null() | (VotingProxy.end_date >= on))
    )
    if limited:
        proxied = proxied.where(VotingProxy.start_date >= since)
    caster = Person.alias()
    return (
        VoteUnit.select(
            VoteUnit.weight_numerator,
            VoteUnit.weight_denominator,
            VoteUnit.unit.in_(owned).alias("owned"),
            Unit,
            Ballot,
            caster.id,
            caster.given_name,
            caster.surname,
        )
        .join(Unit)
        .switch(VoteUnit)
        .join(
            Ballot,
            pw.JOIN.LEFT_OUTER,
            on=(Ballot.vote == VoteUnit.vote) & (Ballot.unit == VoteUnit.unit),
            attr="ballot",
        )
        .join(caster, pw.JOIN.LEFT_OUTER, on=(Ballot.cast_by == caster.id), attr="cast_by")
        .where((VoteUnit.vote == vote_id) & (VoteUnit.unit.in_(owned) | VoteUnit.unit.in_(proxied)))
        .order_by(pw.fn.LENGTH(Unit.number), Unit.number)
    )


# A vote's page (and its results, which poll every 5 s) asks these on every request: built once.
_VOTE = PreparedSelect(_vote_query)
_OPTIONS = PreparedSelect(_options_query)
_ATTACHMENTS = PreparedSelect(_attachments_query)
_VOTER_BALLOTS = PreparedSelect(_voter_ballots_query)
_THREAD = PreparedSelect(_thread_query)


# --- which units a member votes for, inside a query --------------------------------------------------------


def _day(on) -> object:
    return on.isoformat() if isinstance(on, dt.date) else on


def voter_unit_branches(person, on, *, vote_unit=VoteUnit.unit, jurisdiction=Vote.jurisdiction) -> list:
    """The vote's units `person` votes for on `on` (values or markers: a date as ISO text): owned then, or
    held by a proxy valid then, and under a law that limits a proxy's age (Swedish: a year), one dated
    within it. The same rule as ballots.units_for(), as conditions on VoteUnit and Vote, any of which makes
    a unit the member's: each a single IN list, which the (vote, unit) index answers, where their OR would
    have the database read every unit of the vote."""
    owned = Ownership.select(Ownership.unit).where(
        (Ownership.person == person)
        & (Ownership.started_on.is_null() | (Ownership.started_on <= on))
        & (Ownership.ended_on.is_null() | (Ownership.ended_on > on))
    )
    proxied = VotingProxy.select(VotingProxy.unit).where(
        (VotingProxy.person == person)
        & (VotingProxy.start_date.is_null() | (VotingProxy.start_date <= on))
        & (VotingProxy.end_date.is_null() | (VotingProxy.end_date >= on))
    )
    unlimited = [key for key, preset in rules.PRESETS.items() if preset.proxy_max_days is None]
    branches = [vote_unit.in_(owned), vote_unit.in_(proxied) & jurisdiction.in_(unlimited)]
    for key, preset in rules.PRESETS.items():
        if preset.proxy_max_days is not None:
            recent = proxied.where(VotingProxy.start_date >= pw.fn.DATE(on, f"-{preset.proxy_max_days} days"))
            if not _sqlite():
                recent = proxied.where(
                    VotingProxy.start_date >= pw.Cast(on, "DATE") - pw.SQL(f"INTERVAL '{preset.proxy_max_days} days'")
                )
            branches.append(vote_unit.in_(recent) & (jurisdiction == key))
    return branches


def voter_units(person, on, *, vote_unit=VoteUnit.unit, jurisdiction=Vote.jurisdiction) -> pw.Expression:
    """voter_unit_branches() as one condition."""
    return functools.reduce(
        operator.or_, voter_unit_branches(person, on, vote_unit=vote_unit, jurisdiction=jurisdiction)
    )


def _sqlite() -> bool:
    from models.db import db

    return isinstance(db.obj, pw.SqliteDatabase)


# --- the list ---------------------------------------------------------------------------------------------


@dataclass
class Listed:
    """A vote on the list, with the member's part in it."""

    vote: Vote
    my_units: int = 0  # units the member votes for
    my_ballots: int = 0  # of them, those that have voted

    @property
    def not_yet_voted(self) -> bool:
        return self.my_units > self.my_ballots

    @property
    def ended(self) -> bool:
        """Running past its end: the closing job counts it any moment."""
        return self.vote.ends_at is not None and self.vote.ends_at <= clock.utcnow_naive()

    @property
    def leading(self) -> str:
        """A closed poll's option with the most weight (ties: none), from the published tally."""
        if self.vote.is_per_rollam or not self.vote.result_json:
            return ""
        options = json.loads(self.vote.result_json)["options"]
        weights = sorted(((_fraction(o["weight"]), o["label"]) for o in options), reverse=True)
        if not weights or not weights[0][0] or (len(weights) > 1 and weights[0][0] == weights[1][0]):
            return ""
        return weights[0][1]


def _fraction(text: str):
    from fractions import Fraction

    return Fraction(text)


def _open_and_drafts_query(association, *kinds, count: int) -> pw.ModelSelect:
    drafts = (Vote.state == Vote.DRAFT) & Vote.kind.in_(list(kinds))
    return (
        Vote.select()
        .where((Vote.association == association) & ((Vote.state == Vote.RUNNING) | drafts))
        .order_by(Vote.ends_at, Vote.id)
    )


# The list's first query runs on every visit: its SQL is built once per number of managed kinds.
_open_and_drafts = PreparedSelect(_open_and_drafts_query)


def open_and_drafts(membership) -> tuple[list[Listed], list[Vote]]:
    """The running votes (ending soonest first) with the member's units that have not voted, and the drafts
    of the kinds the member manages: two queries however many."""
    kinds = list(managed_kinds(membership)) or [""]
    rows = _open_and_drafts(membership.association_id, *kinds, count=len(kinds))
    running = [Listed(vote) for vote in rows if vote.state == Vote.RUNNING]
    drafts = [vote for vote in rows if vote.state == Vote.DRAFT]
    if running and membership.person_id is not None:
        _count_mine(running, membership.person_id, membership.association.today())
    return running, drafts


def _count_mine(listed: list[Listed], person_id: int, on: dt.date) -> None:
    by_vote = {item.vote.id: item for item in listed}
    rows = (
        VoteUnit.select(VoteUnit.vote, pw.fn.COUNT(VoteUnit.id), pw.fn.COUNT(Ballot.id))
        .join(Vote, on=(VoteUnit.vote == Vote.id))
        .join(Ballot, pw.JOIN.LEFT_OUTER, on=(Ballot.vote == VoteUnit.vote) & (Ballot.unit == VoteUnit.unit))
        .where(VoteUnit.vote.in_(list(by_vote)) & voter_units(person_id, _day(on)))
        .group_by(VoteUnit.vote)
        .tuples()
    )
    for vote_id, units, ballots in rows:
        by_vote[vote_id].my_units, by_vote[vote_id].my_ballots = units, ballots


def closed_page(membership, page: int) -> tuple[list[Listed], bool]:
    """A page of the closed votes, newest first: one query."""
    rows = list(
        Vote.of(membership.association)
        .where(Vote.state == Vote.CLOSED)
        .order_by(Vote.closed_at.desc(nulls="LAST"), Vote.id.desc())
        .limit(CLOSED_PAGE + 1)
        .offset((page - 1) * CLOSED_PAGE)
    )
    return [Listed(vote) for vote in rows[:CLOSED_PAGE]], len(rows) > CLOSED_PAGE


# --- the ballots of a vote --------------------------------------------------------------------------------


def ballot_rows(vote: Vote, page: int) -> tuple[list[Ballot], bool]:
    """A page of the vote's ballots by unit, with the option, the unit and who cast it: one query."""
    rows = list(
        Ballot.select(Ballot, Unit, VoteOption, Person.id, Person.given_name, Person.surname)
        .join(Unit, on=(Ballot.unit == Unit.id))
        .switch(Ballot)
        .join(VoteOption, on=(Ballot.option == VoteOption.id))
        .switch(Ballot)
        .join(Person, pw.JOIN.LEFT_OUTER, on=(Ballot.cast_by == Person.id))
        .where(Ballot.vote == vote.id)
        .order_by(pw.fn.LENGTH(Unit.number), Unit.number, Unit.id)
        .limit(BALLOTS_PAGE + 1)
        .offset((page - 1) * BALLOTS_PAGE)
    )
    return rows[:BALLOTS_PAGE], len(rows) > BALLOTS_PAGE


# --- the home page's panel (core/home.py) -----------------------------------------------------------------

HOME_OPEN = 5
NOT_VOTED, VOTED = "not_voted", "voted"


def home_values(membership) -> tuple | None:
    """The association, the member's register entry, their day, and which kinds they cast (1 or 0 each)."""
    kinds = cast_kinds(membership)
    if not kinds or membership.person_id is None:
        return None
    return (
        membership.association_id,
        membership.person_id,
        membership.association.today().isoformat(),
        int(Vote.POLL in kinds),
        int(Vote.PER_ROLLAM in kinds),
    )


def home_open(association, person, today, polls, per_rollam) -> pw.SelectQuery:
    """Running votes with a unit the member votes for, ending soonest first, marked "not_voted" while one of
    those units has no ballot."""
    branches = voter_unit_branches(person, today)

    def any_unit(condition=None) -> pw.Expression:
        """Some unit of the vote the member votes for (meeting `condition`): one EXISTS per branch."""
        found = []
        for mine in branches:
            units = VoteUnit.select(VoteUnit.id)
            if condition is not None:
                join = (Ballot.vote == VoteUnit.vote) & (Ballot.unit == VoteUnit.unit)
                units = units.join(Ballot, pw.JOIN.LEFT_OUTER, on=join)
                mine = mine & condition
            found.append(pw.fn.EXISTS(units.where((VoteUnit.vote == Vote.id) & mine)))
        return functools.reduce(operator.or_, found)

    kinds = ((Vote.kind == Vote.POLL) & (polls == 1)) | ((Vote.kind == Vote.PER_ROLLAM) & (per_rollam == 1))
    return (
        Vote.select(
            Vote.id,
            Vote.title,
            Vote.ends_at.alias("at"),
            pw.Case(None, [(any_unit(Ballot.id.is_null()), NOT_VOTED)], VOTED).alias("detail"),
            Vote.kind.alias("text"),
            pw.Value(None).alias("link_id"),
        )
        .where((Vote.association == association) & (Vote.state == Vote.RUNNING) & kinds & any_unit())
        .order_by(Vote.ends_at, Vote.id)
        .limit(HOME_OPEN)
    )
