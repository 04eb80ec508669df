"""Mail about a ballot (V4, V7, issue 12 items 4 and 6): the voter gets the receipt (the ledger entry's hash)
for every ballot cast or changed online, and the unit's other owners are told who cast their unit's ballot
(co-owners holding a unit jointly cast one ballot together). A secret vote's choice is never in a mail.

Outbox rows written in the casting transaction (signals.on_ballot_written), each in its reader's language.
Paper ballots are the board's to record: their mail, if any, is the paper module's.
"""

from __future__ import annotations

import peewee as pw

from blueprints.votes import signals
from core.mail import external_url, mail_language, queue_mail
from models import Association, User
from models.register import Ownership, Person, Unit
from models.votes import Ballot, Vote, VoteOption


def _address(person: Person) -> tuple[str, User | None]:
    """Where a person in the register is mailed: their account's address, else the register's."""
    user = person.user if person.user_id else None
    return (user.email if user is not None else person.email or ""), user


def ballot_written(vote: Vote, ballot: Ballot) -> None:
    """The receipt to whoever cast it, and a notice to the unit's other owners."""
    if ballot.channel != Ballot.ONLINE:
        return
    association = Association.get_by_id(vote.association_id)
    unit = Unit.get_by_id(ballot.unit_id)
    choice = (
        "" if vote.secret else VoteOption.select(VoteOption.label).where(VoteOption.id == ballot.option_id).scalar()
    )
    voter = (
        Person.select(Person, User).join(User, pw.JOIN.LEFT_OUTER).where(Person.id == ballot.cast_by_id).first()
        if ballot.cast_by_id
        else None
    )
    context = dict(
        vote=vote, unit_title=unit.title, choice=choice, ballot=ballot,
        link=external_url("votes.vote", slug=association.slug, vote_id=vote.id),
        voter_name=voter.full_name if voter is not None else "",
    )  # fmt: skip
    if voter is not None:
        address, user = _address(voter)
        if address:
            queue_mail("vote_receipt", address, language=mail_language(user, association), association=association,
                       user=user, **context)  # fmt: skip
    for owner in _other_owners(unit, association, ballot.cast_by_id):
        address, user = _address(owner)
        if address:
            queue_mail("vote_unit_ballot", address, language=mail_language(user, association),
                       association=association, user=user, owner_name=owner.full_name, **context)  # fmt: skip


def _other_owners(unit: Unit, association: Association, voter_id: int | None) -> list[Person]:
    """The unit's owners today but the one who cast the ballot (a proxy's ballot: every owner)."""
    return list(
        Person.select(Person, User)
        .join(Ownership, on=(Ownership.person == Person.id))
        .switch(Person)
        .join(User, pw.JOIN.LEFT_OUTER)
        .where((Ownership.unit == unit.id) & Ownership.current(association.today()) & (Person.id != (voter_id or 0)))
        .distinct()
        .order_by(Person.id)
    )


if ballot_written not in signals.on_ballot_written:
    signals.on_ballot_written.append(ballot_written)
