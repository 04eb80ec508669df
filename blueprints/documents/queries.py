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
from models import permissions as perms
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
        .where(
            (Document.association == folder.association_id)  # the index's first column
            & (Document.folder == folder.id)
            & (Document.state == Document.PUBLISHED)
        )
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


# --- the home page's panels (core/home.py) --------------------------------------------------------

HOME_NEWEST = 5
HOME_SIDEBAR = 10


def _reads_documents(membership) -> bool:
    granted = membership.role.permission_set
    return perms.DOCUMENTS_READ in granted or perms.DOCUMENTS_WRITE in granted


def home_values(membership) -> tuple | None:
    """What the documents' home panels ask the database with: the association and the member's role."""
    return (membership.association_id, membership.role_id) if _reads_documents(membership) else None


def home_newest(association, role) -> pw.SelectQuery:
    """The newest documents the role reads outside the Sidebar, with the PDF to open at once for a
    document that is only a PDF (the board's uploaded PDFs under the name given, seed 000)."""
    only_pdf = DocumentAttachment.select(pw.fn.MIN(DocumentAttachment.id)).where(
        (DocumentAttachment.document == Document.id) & (DocumentAttachment.content_type == "application/pdf")
    )
    return (
        Document.select(
            Document.id,
            Document.title,
            Document.created_at.alias("at"),
            Folder.name.alias("detail"),
            pw.Value(None).alias("text"),
            pw.Case(None, [(Document.body == "", only_pdf)], None).alias("link_id"),
        )
        .join(Folder)
        .where(
            (Document.association == association)
            & Document.readable_by(role)
            & (Folder.key.is_null() | (Folder.key != Folder.SIDEBAR))
        )
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(HOME_NEWEST)
    )


def _sidebar_of(association) -> pw.SelectQuery:
    """The association's Sidebar folder's id, as a scalar subquery (one row: the built-in folder's key)."""
    return (
        Folder.select(Folder.id)
        .where((Folder.association == association) & (Folder.key == Folder.SIDEBAR))
        .order_by(Folder.id)
        .limit(1)
    )


def home_sidebar(association, role) -> pw.SelectQuery:
    """The Sidebar folder's documents, shown whole beside the home page, in the board's order (oldest first)."""
    return (
        Document.select(
            Document.id,
            Document.title,
            Document.created_at.alias("at"),
            pw.Value(None).alias("detail"),
            Document.body.alias("text"),
            pw.Value(None).alias("link_id"),
        )
        .where(
            (Document.association == association)
            # The folder's id as one value, so the database reads that folder's documents in order by the
            # (association, folder, state, created_at) index, rather than every document of the association
            # to find the few in the Sidebar (a join or an IN did: 50 ms a home page at 100,000 documents).
            & (Document.folder == _sidebar_of(association))
            & Document.readable_by(role)
        )
        .order_by(Document.created_at, Document.id)
        .limit(HOME_SIDEBAR)
    )
