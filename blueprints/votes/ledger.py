"""The verifiable ballot ledger (issue 12 item 6): every vote's entries form a SHA-256 hash chain.

Entry 0 ("start") covers the frozen rule, options and unit weights; every cast, change and paper entry
covers the previous entry's hash, the vote, the unit, the choice (a secret vote's commitment to it instead),
the time and the channel. The voter's receipt is their entry's hash; the vote's head is the last one.
`verify()` recomputes the chain from the stored entries, checks that each unit's ballot is its last entry,
and recounts the ballots against the published tally: `flask votes verify <id>` prints what it finds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, field

from blueprints.votes import tally
from models.votes import GENESIS, Ballot, LedgerEntry, Vote, VoteUnit


def entry_hash(previous: str, vote_id: int, action: str, unit_id: int | None, choice: str, at: dt.datetime,
               channel: str) -> str:  # fmt: skip
    """The SHA-256 of one entry: fields joined by "|" in a fixed order, times in ISO form to the microsecond."""
    payload = "|".join(
        (previous, str(vote_id), action, str(unit_id or ""), choice, at.isoformat(timespec="microseconds"), channel)
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def new_salt() -> str:
    return secrets.token_hex(16)


def commitment(salt: str, option_id: int) -> str:
    """What a secret vote's ledger holds for a choice: it can be checked with the salt, not read without it."""
    return hashlib.sha256(f"{salt}:{option_id}".encode()).hexdigest()


def choice_of(vote: Vote, option_id: int, salt: str) -> str:
    return commitment(salt, option_id) if vote.secret else str(option_id)


def start_digest(vote: Vote, options: list[tuple[int, str, str]], weights: dict[int, tuple[int, int]]) -> str:
    """The start entry's choice: a digest of what the vote was frozen with (rule, options, weights)."""
    frozen = {
        "title": vote.title,
        "resolution": vote.resolution,
        "ends_at": vote.ends_at.isoformat(timespec="seconds") if vote.ends_at else "",
        "jurisdiction": vote.jurisdiction,
        "kind": vote.kind,
        "counting": vote.counting,
        "evaluation": vote.evaluation,
        "threshold": f"{vote.threshold_numerator}/{vote.threshold_denominator}",
        "quorum": f"{vote.quorum_numerator}/{vote.quorum_denominator}",
        "secret": vote.secret,
        "options": [[option_id, label, meaning] for option_id, label, meaning in options],
        "weights": sorted([unit_id, n, d] for unit_id, (n, d) in weights.items()),
    }
    return hashlib.sha256(json.dumps(frozen, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def lock(vote_id: int) -> None:
    """Take the vote's row for this transaction before reading its head: a write first, so SQLite takes its
    write lock (waiting for another writer) and PostgreSQL its row lock. Two ballots cast at once then
    append one after the other, never on the same head."""
    Vote.update(ledger_length=Vote.ledger_length).where(Vote.id == vote_id).execute()


def append(vote: Vote, action: str, *, unit_id: int | None, choice: str, channel: str, at: dt.datetime,
           person_id: int | None = None) -> LedgerEntry:  # fmt: skip
    """Append one entry after the vote's head; call inside a transaction that lock()ed the vote first and
    read `vote` after the lock. Updates `vote` (and its row) to the new head."""
    previous = vote.ledger_head or GENESIS
    digest = entry_hash(previous, vote.id, action, unit_id, choice, at, channel)
    entry = LedgerEntry.create(
        vote=vote.id, seq=vote.ledger_length, action=action, unit=unit_id, channel=channel, choice=choice, at=at,
        previous_hash=previous, hash=digest, person=person_id,
    )  # fmt: skip
    vote.ledger_length += 1
    vote.ledger_head = digest
    Vote.update(ledger_length=vote.ledger_length, ledger_head=digest).where(Vote.id == vote.id).execute()
    return entry


@dataclass
class Verification:
    vote_id: int
    entries: int = 0
    head: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(vote: Vote) -> Verification:
    """Recompute the chain, each ballot against its unit's last entry, and the tally against the published one."""
    result = Verification(vote.id)
    entries = list(LedgerEntry.select().where(LedgerEntry.vote == vote.id).order_by(LedgerEntry.seq))
    last_by_unit = _check_chain(vote, entries, result)
    weights = {
        unit_id: (n, d)
        for unit_id, n, d in VoteUnit.select(VoteUnit.unit, VoteUnit.weight_numerator, VoteUnit.weight_denominator)
        .where(VoteUnit.vote == vote.id)
        .tuples()
    }
    options = tally.options_of(vote.id)
    if entries and entries[0].choice != start_digest(vote, options, weights):
        result.problems.append("the rule, options or weights differ from those the vote started with")
    choices = _check_ballots(vote, last_by_unit, result)
    if vote.state == Vote.CLOSED:
        _check_result(vote, tally.count(tally.Rule.of(vote), options, weights, choices), result)
    return result


def _check_result(vote: Vote, recount: tally.Tally, result: Verification) -> None:
    """A closed vote's published tally and outcome are what its ballots add up to."""
    if not vote.result_json:
        result.problems.append("the vote is closed but its published result is missing")
        return
    if recount.to_json() != tally.Tally.from_json(vote.result_json).to_json():
        result.problems.append("the ballots do not add up to the published result")
    if vote.outcome != recount.outcome:
        result.problems.append("the outcome shown is not the one the ballots decide")


def _check_chain(vote: Vote, entries: list[LedgerEntry], result: Verification) -> dict[int, LedgerEntry]:
    previous = GENESIS
    last_by_unit: dict[int, LedgerEntry] = {}
    for seq, entry in enumerate(entries):
        if entry.seq != seq:
            result.problems.append(f"entry {seq} is missing")
            break
        expected = entry_hash(previous, vote.id, entry.action, entry.unit_id, entry.choice, entry.at, entry.channel)
        if entry.previous_hash != previous or entry.hash != expected:
            result.problems.append(f"entry {seq} was altered: its hash does not match")
        previous = entry.hash
        if entry.unit_id is not None:
            last_by_unit[entry.unit_id] = entry
    result.entries = len(entries)
    result.head = previous if entries else ""
    if entries and (vote.ledger_head != previous or vote.ledger_length != len(entries)):
        result.problems.append("the vote's recorded head is not the chain's last entry")
    if vote.state != Vote.DRAFT and not entries:
        result.problems.append("the vote has no ledger")
    return last_by_unit


def _check_ballots(vote: Vote, last_by_unit: dict[int, LedgerEntry], result: Verification) -> dict[int, int]:
    choices = {}
    ballots = list(Ballot.select().where(Ballot.vote == vote.id))
    for ballot in ballots:
        entry = last_by_unit.get(ballot.unit_id)
        if entry is None:
            result.problems.append(f"unit {ballot.unit_id} has a ballot the ledger never recorded")
            continue
        same = (
            entry.choice == choice_of(vote, ballot.option_id, ballot.salt)
            and entry.channel == ballot.channel
            and entry.at == ballot.cast_at
            and entry.hash == ballot.receipt
        )
        if not same:
            result.problems.append(f"unit {ballot.unit_id}'s ballot differs from its last ledger entry")
        choices[ballot.unit_id] = ballot.option_id
    if len(ballots) != len(last_by_unit):
        result.problems.append("the ledger records units whose ballot is gone")
    return choices
