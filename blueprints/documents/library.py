"""The rules of the document library: writing, publishing and removing documents, and the board's
folders with their readers and writers (SPEC D1, D2, seed 004 §4.3).

Views turn form input into plain values and show a LibraryError's message on
the form. Every write runs in one transaction; files written for a refused or
failed change are removed again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from blueprints.documents import attachments, events
from core import clock
from core.audit import audit
from core.queue import enqueue
from core.text import lazy_gettext as _l
from models import Membership, Person, Role, User
from models.db import after_commit, transaction
from models.documents import Document, DocumentAttachment, DocumentEdit, Folder, FolderAccess

# Called with a document's id after it was written, changed, published, deleted or had an attachment's
# text read, once the transaction commits: other parts of the domain (the search index) register here.
on_change: list = []


# Called with a document inside the transaction that publishes it (written and published, or a draft
# published; never an edit): the new-document mail (notifications.py) registers here.
on_publish: list = []


def changed(document_id: int) -> None:
    """Tell on_change's listeners, after the commit, that the document changed."""
    for listener in on_change:
        after_commit(lambda listener=listener: listener(document_id))


class LibraryError(Exception):
    """A rule was broken; `message` (translatable) goes on the form, next to `field`."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- documents ---------------------------------------------------------------------------------


@dataclass
class Draft:
    """A document as typed on the form."""

    title: str
    body: str
    folder: Folder
    created_at: dt.datetime | None = None  # UTC; None: now
    quiet: bool = False  # "do not notify"
    event: events.EventTimes | None = None  # when it is, if it is an event (D4)


def write(draft: Draft, files, actor: User, *, publish: bool) -> Document:
    """A new document, saved as a draft or published at once, with its files."""
    now = clock.utcnow_naive()
    stored: list[DocumentAttachment] = []
    try:
        with transaction():
            document = Document.create(
                association=draft.folder.association_id,
                folder=draft.folder,
                title=draft.title,
                body=draft.body,
                author=actor,
                state=Document.PUBLISHED if publish else Document.DRAFT,
                notify=not draft.quiet,
                created_at=draft.created_at or now,
                published_at=now if publish else None,
                **events.columns(draft.event, draft.folder.association.timezone),
            )
            document.association = draft.folder.association
            stored = _attach(document, files, actor)
            _after_files(stored)
            if publish:
                _published(document)
            changed(document.id)
            audit("documents.written", actor=actor, association=document.association, target=document.title)
    except BaseException:
        attachments.discard_files(draft.folder.association, stored)
        raise
    return document


def edit(document: Document, draft: Draft, files, removed: set[int], actor: User, *, publish: bool) -> None:
    """Change a document: the creation time stays unless the form changed it; who edited when is kept."""
    stored: list[DocumentAttachment] = []
    gone: list[DocumentAttachment] = []
    try:
        with transaction():
            document.title, document.body, document.folder = draft.title, draft.body, draft.folder
            document.notify = not draft.quiet
            # The form shows the time to the minute: the same minute back is no change.
            if draft.created_at is not None and draft.created_at != document.created_at.replace(
                second=0, microsecond=0
            ):
                document.created_at = draft.created_at
            for column, value in events.columns(draft.event, document.association.timezone).items():
                setattr(document, column, value)
            publishing = publish and document.is_draft
            if publishing:
                document.state, document.published_at = Document.PUBLISHED, clock.utcnow_naive()
            if not document.is_draft and not publishing:  # a draft's changes, and its publishing, are no edit
                document.edited_at, document.edited_by = clock.utcnow_naive(), actor
                DocumentEdit.create(document=document, editor=actor)
            document.save()
            if removed:
                gone = list(
                    DocumentAttachment.select().where(
                        (DocumentAttachment.document == document.id) & DocumentAttachment.id.in_(list(removed))
                    )
                )
                DocumentAttachment.delete().where(DocumentAttachment.id.in_([a.id for a in gone])).execute()
            stored = _attach(document, files, actor)
            _after_files(stored)
            if publishing:
                _published(document)
            changed(document.id)
            audit("documents.edited", actor=actor, association=document.association, target=document.title)
    except BaseException:
        attachments.discard_files(document.association, stored)
        raise
    attachments.discard_files(document.association, gone)


def remove(document: Document, actor: User) -> None:
    """Delete a document and its files."""
    files = list(DocumentAttachment.select().where(DocumentAttachment.document == document.id))
    with transaction():
        Document.delete().where(Document.id == document.id).execute()
        changed(document.id)
        audit("documents.deleted", actor=actor, association=document.association, target=document.title)
    attachments.discard_files(document.association, files)


def _published(document: Document) -> None:
    for listener in on_publish:
        listener(document)


def _attach(document: Document, files, actor) -> list[DocumentAttachment]:
    try:
        return attachments.store(document, files, actor)
    except attachments.AttachmentRefused as refused:
        raise LibraryError(refused.message, "files") from refused


def _after_files(stored: list[DocumentAttachment]) -> None:
    """The text inside new files is read for the search by a job, once the document is saved."""
    for attachment in stored:
        if attachment.text_state == DocumentAttachment.PENDING:
            enqueue("jobs.documents.extract_text", attachment.id, job_id=f"extract-{attachment.id}")


# --- folders (D2) --------------------------------------------------------------------------------


def save_folder(folder: Folder, name: str, in_menu: bool, access: dict[int, str], actor: User) -> Folder:
    """Create or change a folder and who reads and writes it: `access` maps role ids to "read" or
    "write"; a role left out reads nothing (deny by default)."""
    roles = {role.id for role in Role.of(folder.association)}
    with transaction():
        folder.name, folder.in_menu = name.strip(), in_menu
        if folder.id is None:
            last = Folder.of(folder.association).select(pw.fn.MAX(Folder.position)).scalar() or 0
            folder.position = last + 10
        folder.save()
        FolderAccess.delete().where(FolderAccess.folder == folder.id).execute()
        for role_id, level in access.items():
            if role_id in roles and level in ("read", "write"):
                FolderAccess.create(folder=folder, role=role_id, may_write=level == "write")
        audit("documents.folder_saved", actor=actor, association=folder.association, target=folder.name)
    return folder


def move_folder(folder: Folder, step: int, actor: User) -> None:
    """Move a folder one place up (-1) or down (+1) in the menu's order."""
    ordered = list(Folder.ordered(folder.association))
    index = next(i for i, f in enumerate(ordered) if f.id == folder.id)
    other = index + step
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    with transaction():
        for position, each in enumerate(ordered, start=1):
            Folder.update(position=position * 10).where(Folder.id == each.id).execute()
        audit("documents.folder_moved", actor=actor, association=folder.association, target=folder.name)


def remove_folder(folder: Folder, move_to: Folder | None, actor: User) -> int:
    """Remove a folder; its documents go to `move_to` first (required when it holds any). Returns how many moved."""
    if folder.key == Folder.SIDEBAR:
        raise LibraryError(_l("The Sidebar is part of the home page; it cannot be removed."))
    held = Document.select().where(Document.folder == folder.id).count()
    if held and (move_to is None or move_to.id == folder.id):
        raise LibraryError(_l("Choose the folder its documents go to."), "move_to")
    with transaction():
        if held:
            moved = [d.id for d in Document.select(Document.id).where(Document.folder == folder.id)]
            Document.update(folder=move_to).where(Document.folder == folder.id).execute()
            for document_id in moved:
                changed(document_id)
        Folder.delete().where(Folder.id == folder.id).execute()
        audit("documents.folder_removed", actor=actor, association=folder.association, target=folder.name)
    return held


def readers_of(association, role_ids: set[int], on: dt.date) -> list[str]:
    """The names of the members whose role reads a folder read by `role_ids`, by name: who it comes to."""
    if not role_ids:
        return []
    query = (
        Membership.select(Membership, User.name, Person.given_name, Person.surname)
        .join(User)
        .switch(Membership)
        .join(Person, pw.JOIN.LEFT_OUTER, on=(Membership.person == Person.id))
        .where(
            (Membership.association == association)
            & Membership.role.in_(list(role_ids))
            & (Membership.valid_to.is_null() | (Membership.valid_to >= on))
            & (User.state == User.ACTIVE)
        )
    )
    names = []
    for membership in query:
        person = membership.person if membership.person_id else None
        names.append(person.full_name if person is not None else membership.user.name or membership.user.email)
    return sorted(names, key=str.casefold)
