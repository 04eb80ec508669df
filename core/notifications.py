"""The kinds of mail a member can switch on and off in My account (seed 004 §4.2).

Core knows no domain: each domain registers its kinds when its package is imported (new documents and
event reminders from documents; votes and discussion posts later). A kind may offer options a member
ticks (the reminders' offsets), with defaults; a member who never changed a kind gets it with those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import peewee as pw

from models.notifications import NotificationChoice


@dataclass(frozen=True)
class Kind:
    key: str  # "documents.new"
    label: object  # a lazy string
    order: int
    hint: object = ""
    options: dict = field(default_factory=dict)  # option key -> lazy label, in the order shown
    default_options: tuple[str, ...] = ()
    # Mail a member has to ask for (meter reading reminders: seed 002) is off until they switch it on.
    enabled_by_default: bool = True


@dataclass(frozen=True)
class Choice:
    enabled: bool
    options: tuple[str, ...]


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    _kinds[kind.key] = kind


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: k.order)


def kind(key: str) -> Kind:
    return _kinds[key]


def _choice(kind: Kind, row: NotificationChoice | None) -> Choice:
    if row is None:
        return Choice(kind.enabled_by_default, kind.default_options)
    return Choice(row.enabled, tuple(o for o in row.options.split(",") if o in kind.options))


def choices_of(user_id: int, association_id: int) -> dict[str, Choice]:
    """What the member gets, per kind."""
    rows = {
        row.kind: row
        for row in NotificationChoice.select().where(
            (NotificationChoice.user == user_id) & (NotificationChoice.association == association_id)
        )
    }
    return {k.key: _choice(k, rows.get(k.key)) for k in kinds()}


def choices_for(user_ids: Iterable[int], association_id: int, key: str) -> dict[int, Choice]:
    """One kind's choice for each of these members (one query), for a job that mails many."""
    ids = list(user_ids)
    found = {
        row.user_id: row
        for row in NotificationChoice.select().where(
            (NotificationChoice.association == association_id)
            & (NotificationChoice.kind == key)
            & NotificationChoice.user.in_(ids)
        )
    }
    return {user_id: _choice(_kinds[key], found.get(user_id)) for user_id in ids}


def switched_on(association_id: int, key: str) -> pw.ModelSelect:
    """The users who switched a kind on: a subquery for `User.id.in_(…)`, for kinds off by default."""
    return NotificationChoice.select(NotificationChoice.user).where(
        (NotificationChoice.association == association_id)
        & (NotificationChoice.kind == key)
        & (NotificationChoice.enabled == True)  # noqa: E712 (SQL)
    )


def switched_off(association_id: int, key: str) -> pw.ModelSelect:
    """The users who switched a kind off: a subquery for `User.id.not_in(…)`."""
    return NotificationChoice.select(NotificationChoice.user).where(
        (NotificationChoice.association == association_id)
        & (NotificationChoice.kind == key)
        & (NotificationChoice.enabled == False)  # noqa: E712 (SQL)
    )


def save_choices(user_id: int, association_id: int, chosen: dict[str, Choice]) -> None:
    """Store the member's choices (call inside a transaction)."""
    for key, choice in chosen.items():
        known = _kinds[key]
        options = ",".join(o for o in known.options if o in choice.options)
        (
            NotificationChoice.insert(
                association=association_id, user=user_id, kind=key, enabled=choice.enabled, options=options
            )
            .on_conflict(
                conflict_target=[NotificationChoice.user, NotificationChoice.association, NotificationChoice.kind],
                update={NotificationChoice.enabled: choice.enabled, NotificationChoice.options: options},
            )
            .execute()
        )
