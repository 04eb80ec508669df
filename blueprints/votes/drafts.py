"""Drafting a vote (seed 004 §4.4, §4.15): saving a poll or a per-rollam vote with its options and files,
deleting a draft, and what keeps it from starting.

Only a draft changes: once started, its options are locked (ballots point at them) and the rest is what
the owners were asked. Files go through the documents' checks (what a file is by its bytes, the
association's size limit) into <association id>/votes/ in the storage, served only after the read check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from flask import abort
from flask_babel import gettext as _

from blueprints.documents.attachments import AttachmentRefused, checked_uploads, file_in, write_file
from blueprints.votes import ledger, rules, signals
from core import clock
from core.storage import FileHandle
from core.text import lazy_gettext as _l
from core.text import translated
from models.db import transaction
from models.votes import Vote, VoteAttachment, VoteOption

FOLDER = "votes"
# Per rollam the answers are fixed, stored in the association's language with what each means.
PER_ROLLAM_OPTIONS = (
    (VoteOption.FOR, _l("For")),
    (VoteOption.AGAINST, _l("Against")),
    (VoteOption.ABSTAIN, _l("Abstain")),
)

__all__ = ["AttachmentRefused", "Draft", "DraftLocked", "problems", "remove", "save"]


class DraftLocked(Exception):  # noqa: N818 (what the views turn into a refusal)
    """The vote has started: it is no draft to change or delete."""


@dataclass
class Draft:
    """A vote as the board typed it."""

    kind: str
    title: str
    body: str
    ends_at: dt.datetime  # UTC
    counting: str
    secret: bool
    live_results: bool
    options: list[str] = field(default_factory=list)  # a poll's; per rollam: For, Against, Abstain
    resolution: str = ""
    jurisdiction: str = Vote.NO_LAW
    evaluation: str = Vote.OF_VOTING
    threshold: Fraction = Fraction(1, 2)
    quorum: Fraction = Fraction(0)
    reminders: bool = False
    result_folder_id: int | None = None


def save(vote: Vote | None, draft: Draft, association, actor, uploads=(), removed: set[int] = frozenset()) -> Vote:
    """Write a new draft or change one: its fields, its options and its files. AttachmentRefused (nothing
    written) for a file that is not taken; DraftLocked for a vote that has started."""
    checked = checked_uploads(uploads, association)
    stored: list[str] = []
    try:
        with transaction():
            if vote is None:
                vote = Vote(association=association, kind=draft.kind, author=actor)
            else:
                ledger.lock(vote.id)  # waits for a start under way, so its state is read after it
                if Vote.select(Vote.state).where(Vote.id == vote.id).scalar() != Vote.DRAFT:
                    raise DraftLocked()
            _fill(vote, draft)
            vote.save()
            _write_options(vote, draft, association.locale)
            _remove_files(vote, association, removed)
            for name, data, extension in checked:
                written = write_file(association, FOLDER, data, extension)
                stored.append(written.stored_name)
                VoteAttachment.create(
                    vote=vote, stored_name=written.stored_name, original_name=name,
                    content_type=written.content_type, size=written.size,
                )  # fmt: skip
            signals.vote_changed(vote)
    except BaseException:
        _discard(association, stored)
        raise
    return vote


def _fill(vote: Vote, draft: Draft) -> None:
    vote.title, vote.body, vote.ends_at = draft.title.strip(), draft.body, draft.ends_at
    vote.counting, vote.secret, vote.live_results = draft.counting, draft.secret, draft.live_results
    if vote.kind == Vote.PER_ROLLAM:
        vote.resolution, vote.jurisdiction, vote.evaluation = draft.resolution, draft.jurisdiction, draft.evaluation
        vote.threshold, vote.quorum = draft.threshold, draft.quorum
        vote.reminders, vote.result_folder = draft.reminders, draft.result_folder_id
    else:
        vote.reminders = False


def _write_options(vote: Vote, draft: Draft, language: str) -> None:
    """A poll's options as typed (replaced whole: nobody has voted on a draft); per rollam the fixed three."""
    labels = (
        [(meaning, translated(label, language)) for meaning, label in PER_ROLLAM_OPTIONS]
        if vote.is_per_rollam
        else None
    )
    wanted = labels or [("", label) for label in draft.options]
    current = [(o.meaning, o.label) for o in VoteOption.select().where(VoteOption.vote == vote.id).order_by(
        VoteOption.position, VoteOption.id)]  # fmt: skip
    if current == wanted:
        return
    VoteOption.delete().where(VoteOption.vote == vote.id).execute()
    VoteOption.insert_many(
        [
            {"vote": vote.id, "position": i, "label": label, "meaning": meaning}
            for i, (meaning, label) in enumerate(wanted)
        ]
    ).execute()


def _remove_files(vote: Vote, association, removed: set[int]) -> None:
    if not removed:
        return
    gone = list(VoteAttachment.select().where((VoteAttachment.vote == vote.id) & VoteAttachment.id.in_(list(removed))))
    VoteAttachment.delete().where(VoteAttachment.id.in_([row.id for row in gone])).execute()
    _discard(association, [row.stored_name for row in gone])


def _discard(association, stored_names: list[str]) -> None:
    for name in stored_names:
        file = file_in(association, FOLDER, name)
        if file is not None:
            file.unlink(missing_ok=True)


def remove(vote: Vote, association) -> None:
    """Delete a draft and its files (a started vote stays: its ballots and ledger are the owners' record)."""
    names = [row.stored_name for row in VoteAttachment.select().where(VoteAttachment.vote == vote.id)]
    with transaction():
        if Vote.delete().where((Vote.id == vote.id) & (Vote.state == Vote.DRAFT)).execute() != 1:
            raise DraftLocked()
    _discard(association, names)


def problems(vote: Vote) -> list[tuple[str, str]]:
    """What keeps the draft from starting now, as (field, message): the end, the options, the law's rules."""
    now = clock.utcnow_naive()
    found = []
    if vote.ends_at is None or vote.ends_at <= now:
        found.append(("ends_at", _("The end of the vote must be in the future.")))
    if VoteOption.select().where(VoteOption.vote == vote.id).count() < 2:
        found.append(("options", _("A vote needs at least two options.")))
    return found + rules.problems(vote, now)


def path(vote: Vote, attachment: VoteAttachment) -> FileHandle:
    """The stored file of one of the vote's attachments (the caller checked the member reads the vote)."""
    file = file_in(vote.association, FOLDER, attachment.stored_name)
    if attachment.vote_id != vote.id or file is None or not file.is_file():
        abort(404)
    return file
