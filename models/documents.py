"""Documents in folders (SPEC D1, D2, D5, seeds 000 "Admin – Dokument" and 004 §1.3, §4.3).

A folder sets which roles read it and which write it (FolderAccess), deny by
default: a folder no role is ticked for is read by nobody but is still the
board's to manage. A document lives in one folder, is a draft until it is
published, and has any number of attachments stored under server-made names.
"""

from __future__ import annotations

import peewee as pw

from core import clock
from core.text import fold, translated
from core.text import lazy_gettext as _l
from models.db import AssociationScoped, BaseModel
from models.portal import Association, Role, User


class Folder(AssociationScoped, BaseModel):
    # Built-in folders (SPEC D2); their key never changes, their name is the board's to change.
    NOTICE_BOARD, INFORMATION, MINUTES, BOARD_ONLY, SIDEBAR = (
        "notice_board",
        "information",
        "minutes",
        "board",
        "sidebar",
    )
    # key -> (name in the association's language, roles that read, roles that write)
    BUILTINS = {
        NOTICE_BOARD: (_l("Notice board"), ("tenant", "member", "board", "administrator"), ("board", "administrator")),
        INFORMATION: (_l("Information"), ("tenant", "member", "board", "administrator"), ("board", "administrator")),
        MINUTES: (_l("Minutes"), ("member", "board", "administrator"), ("board", "administrator")),
        BOARD_ONLY: (_l("Board only"), ("board", "administrator"), ("board", "administrator")),
        SIDEBAR: (_l("Sidebar"), ("tenant", "member", "board", "administrator"), ("board", "administrator")),
    }

    association = pw.ForeignKeyField(Association, backref="folders", on_delete="CASCADE")
    key = pw.CharField(max_length=20, null=True)  # set for built-in folders
    name = pw.CharField(max_length=120)
    position = pw.IntegerField(default=0)  # the menu's order, smallest first
    in_menu = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("association", "position"), False),)

    @property
    def is_sidebar(self) -> bool:
        return self.key == self.SIDEBAR

    @classmethod
    def ordered(cls, association) -> pw.ModelSelect:
        return cls.of(association).order_by(cls.position, cls.id)

    @classmethod
    def readable_ids(cls, role_id) -> pw.ModelSelect:
        """The folders a role reads (writers read too): a subquery for `Document.folder.in_(…)`."""
        return FolderAccess.select(FolderAccess.folder).where(FolderAccess.role == role_id)

    @classmethod
    def writable_ids(cls, role_id) -> pw.ModelSelect:
        return FolderAccess.select(FolderAccess.folder).where(
            (FolderAccess.role == role_id) & (FolderAccess.may_write == True)  # noqa: E712 (SQL)
        )

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """The folders this member reads."""
        return cls.of(membership.association).where(cls.id.in_(cls.readable_ids(membership.role_id)))

    @classmethod
    def create_builtins(cls, association: Association, language: str | None = None) -> dict[str, Folder]:
        """Notice board, Information, Minutes, Board only and Sidebar, with their readers and writers,
        named in the association's language (names are the board's to change afterwards)."""
        roles = {role.key: role for role in Role.of(association).where(Role.key.is_null(False))}
        folders = {}
        for position, (key, (name, readers, writers)) in enumerate(cls.BUILTINS.items()):
            folder = cls.create(
                association=association,
                key=key,
                name=translated(name, language or association.locale),
                position=(position + 1) * 10,
                in_menu=key != cls.SIDEBAR,
            )
            for role_key in readers:
                if role_key in roles:
                    FolderAccess.create(folder=folder, role=roles[role_key], may_write=role_key in writers)
            folders[key] = folder
        return folders


class FolderAccess(BaseModel):
    """One role reads a folder, and may also write in it."""

    folder = pw.ForeignKeyField(Folder, backref="access", on_delete="CASCADE")
    role = pw.ForeignKeyField(Role, backref="folder_access", on_delete="CASCADE")
    may_write = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("folder", "role"), True), (("role", "folder"), False))


class Document(AssociationScoped, BaseModel):
    """A document: title, Markdown body, attachments, in one folder; a draft until published."""

    DRAFT, PUBLISHED = "draft", "published"

    association = pw.ForeignKeyField(Association, backref="documents", on_delete="CASCADE")
    folder = pw.ForeignKeyField(Folder, backref="documents", on_delete="RESTRICT")
    title = pw.CharField(max_length=200)
    body = pw.TextField(default="")  # Markdown, sanitised when shown
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    state = pw.CharField(max_length=10, default=DRAFT)
    notify = pw.BooleanField(default=True)  # "do not notify" unticks it
    created_at = pw.DateTimeField(default=clock.utcnow_naive)  # UTC; the board may backdate it
    published_at = pw.DateTimeField(null=True)
    edited_at = pw.DateTimeField(null=True)
    edited_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    search_title = pw.CharField(max_length=200, default="")  # the title without case or accents (X5)
    # An event (D4, seed 004 §4.11): when it starts (UTC; a whole day starts at the association's midnight),
    # when it ends, and how it repeats as an RFC 5545 RRULE ("FREQ=WEEKLY"), until a last day.
    event_start = pw.DateTimeField(null=True)
    event_end = pw.DateTimeField(null=True)
    event_all_day = pw.BooleanField(default=False)
    event_rrule = pw.CharField(max_length=100, default="")
    event_until = pw.DateField(null=True)  # the last day it repeats on, in the association's calendar

    class Meta:
        indexes = (
            # id too: the lists order by (created_at, id), and PostgreSQL's indexes do not carry the row's id.
            (("association", "folder", "state", "created_at", "id"), False),
            (("association", "state", "created_at", "id"), False),
            (("author", "state"), False),
            (("association", "event_start"), False),
        )

    @property
    def is_event(self) -> bool:
        return self.event_start is not None

    @property
    def is_draft(self) -> bool:
        return self.state == self.DRAFT

    def save(self, *args, **kwargs):
        self.search_title = fold(self.title)[:200]
        return super().save(*args, **kwargs)

    @classmethod
    def readable_by(cls, role_id) -> pw.Expression:
        """Published documents in folders the role reads (the condition every list and search uses)."""
        return (cls.state == cls.PUBLISHED) & cls.folder.in_(Folder.readable_ids(role_id))

    @classmethod
    def visible_to(cls, membership) -> pw.ModelSelect:
        """What this member may open: published documents of folders the role reads, and their own drafts."""
        mine = (cls.state == cls.DRAFT) & (cls.author == membership.user_id)
        return cls.of(membership.association).where(cls.readable_by(membership.role_id) | mine)


class DocumentEdit(BaseModel):
    """Who changed a document and when: editing keeps the creation time (D1)."""

    document = pw.ForeignKeyField(Document, backref="edits", on_delete="CASCADE")
    editor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    edited_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("document", "edited_at"), False),)


class DocumentAttachment(BaseModel):
    """A file on a document, stored under a server-made name, served only after the read check."""

    PENDING, DONE, NONE, FAILED = "pending", "done", "none", "failed"  # text extraction (D3)

    document = pw.ForeignKeyField(Document, backref="attachments", on_delete="CASCADE")
    stored_name = pw.CharField(max_length=100)
    original_name = pw.CharField(max_length=200, default="")  # shown, never used as a path
    content_type = pw.CharField(max_length=100)
    size = pw.IntegerField(default=0)
    is_image = pw.BooleanField(default=False)
    text = pw.TextField(default="")  # what the extraction job read from it, for search
    text_state = pw.CharField(max_length=10, default=PENDING)
    uploaded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("document", "id"), False),)


class EventReminder(BaseModel):
    """One reminder of one occurrence of an event at one of a member's offsets: written with its mail, so a
    job run twice, or late, mails it once (the unique index)."""

    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    document = pw.ForeignKeyField(Document, on_delete="CASCADE")
    occurrence = pw.DateTimeField()  # the occurrence's start, UTC
    offset = pw.CharField(max_length=20)  # a key of blueprints.documents.reminders.OFFSETS
    mailed = pw.BooleanField(default=True)  # False: passed over for a nearer reminder of the same occurrence
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("user", "document", "occurrence", "offset"), True), (("document",), False))


class CalendarFeed(BaseModel):
    """A member's secret calendar address: only the token's SHA-256 is kept, so it is shown once."""

    association = pw.ForeignKeyField(Association, on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    token_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=clock.utcnow_naive)

    class Meta:
        indexes = ((("user", "association"), True),)
