"""What a member may read in the documents domain, loaded the same way on every page.

Every list starts from the folders the member's role reads (FolderAccess), in
the query itself: a document of a folder the member cannot read is never
loaded, so counts and pages are right and a URL to it answers 404.
"""

from __future__ import annotations

import peewee as pw
from flask import abort

from core import nav
from models import User
from models.db import first_or_404
from models.documents import Document, DocumentAttachment, Folder, FolderAccess

PAGE = 20


def readable_folders(membership) -> list[Folder]:
    """The folders the member reads, in the menu's order (once per request)."""
    return nav.once_per_request(
        "readable_folders", lambda: list(Folder.visible_to(membership).order_by(Folder.position, Folder.id))
    )


def writable_folder_ids(membership) -> set[int]:
    """The folders the member's role may write in."""
    return nav.once_per_request(
        "writable_folders",
        lambda: {row.folder_id for row in Folder.writable_ids(membership.role_id).select(FolderAccess.folder)},
    )


def readable_folder(membership, folder_id: int) -> Folder:
    """A folder the member reads, else 404."""
    for folder in readable_folders(membership):
        if folder.id == folder_id:
            return folder
    abort(404)


def folder_page(folder: Folder, page: int) -> tuple[list[Document], bool]:
    """One page of a folder's published documents, newest first, with their authors: one query."""
    query = (
        Document.select(Document, User.name)
        .join(User, pw.JOIN.LEFT_OUTER, on=(Document.author == User.id))
        .where((Document.folder == folder.id) & (Document.state == Document.PUBLISHED))
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    )
    found = list(query)
    return found[:PAGE], len(found) > PAGE


def visible_document(membership, document_id: int) -> Document:
    """A published document of a folder the member reads, or the member's own draft; else 404."""
    return first_or_404(
        Document.visible_to(membership).select(Document, Folder).join(Folder).where(Document.id == document_id)
    )


def attachments_of(document: Document) -> list[DocumentAttachment]:
    return list(
        DocumentAttachment.select().where(DocumentAttachment.document == document.id).order_by(DocumentAttachment.id)
    )


def drafts_of(membership) -> list[Document]:
    """The member's own drafts ("My drafts"), newest first."""
    return list(
        Document.of(membership.association)
        .select(Document, Folder)
        .join(Folder)
        .where((Document.author == membership.user_id) & (Document.state == Document.DRAFT))
        .order_by(Document.created_at.desc())
    )


def newest_readable(membership, limit: int) -> list[Document]:
    """The newest published documents the member may read, outside the Sidebar (the home page)."""
    return list(
        Document.of(membership.association)
        .select(Document.id, Document.title, Document.created_at, Document.folder)
        .join(Folder)
        .where(Document.readable_by(membership.role_id) & ((Folder.key.is_null()) | (Folder.key != Folder.SIDEBAR)))
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(limit)
    )
