"""Reading documents: the folders a member reads, a folder's documents, a document, its files and
its print view (SPEC D1, D2, D5, D6).

Every page loads through queries.py, which asks the member's role which
folders it reads: a document in any other folder answers 404, by URL, by htmx
or through one of its files.
"""

from __future__ import annotations

from flask import abort, g, request, url_for

from blueprints.community import queries as discussions
from blueprints.documents import attachments, bp, queries
from core import uploads
from core.access import can, requires_any
from core.rendering import render
from core.text import markdown
from models import permissions as perms
from models.documents import DocumentAttachment, DocumentEdit

reader = requires_any(perms.DOCUMENTS_READ, perms.DOCUMENTS_WRITE)


@bp.route("/documents")
@reader
def index():
    """The folders the member reads, and their own drafts."""
    folders = [f for f in queries.readable_folders(g.membership) if f.in_menu or f.is_sidebar]
    return render(
        "documents/index.html",
        folders=folders,
        drafts=queries.drafts_of(g.membership),
        may_write=bool(queries.writable_folder_ids(g.membership)),
        manages=can(perms.DOCUMENTS_WRITE),
    )


@bp.route("/documents/folders/<int:folder_id>")
@reader
def folder(folder_id: int):
    """A folder's documents, newest first, a page at a time."""
    shown = queries.readable_folder(g.membership, folder_id)
    page = max(request.args.get("page", 1, type=int), 1)
    documents, more = queries.folder_page(shown, page)
    return render(
        "documents/folder.html",
        "documents/_document_list.html",
        folder=shown,
        documents=documents,
        more=more,
        page_number=page,
        may_write=shown.id in queries.writable_folder_ids(g.membership),
        follows_discussions=discussions.follows_scope(g.membership, folder_id=shown.id),
    )


@bp.route("/documents/<int:document_id>")
@reader
def document(document_id: int):
    """A document: its text, files and who wrote and edited it, and its discussion below."""
    context = _document_context(document_id)
    if not context["document"].is_draft:
        context["discussion"] = discussions.document_discussion(g.membership, context["document"])
    return render("documents/document.html", **context)


@bp.route("/documents/<int:document_id>/print")
@reader
def document_print(document_id: int):
    """The document on its own, for paper (D6)."""
    return render("documents/print.html", **_document_context(document_id))


def _document_context(document_id: int) -> dict:
    shown = queries.visible_document(g.membership, document_id)
    files_url = url_for("documents.document", document_id=shown.id) + "/files/"
    return dict(
        document=shown,
        body=markdown(shown.body, images_under=files_url),
        files=queries.attachments_of(shown),
        last_edit=DocumentEdit.select()
        .where(DocumentEdit.document == shown.id)
        .order_by(DocumentEdit.id.desc())
        .first(),
        may_write=shown.folder_id in queries.writable_folder_ids(g.membership),
    )


@bp.route("/documents/<int:document_id>/files/<int:file_id>")
@reader
def attachment(document_id: int, file_id: int):
    """One of a document's files, after the same check as the document: pictures and PDFs open in
    the browser, other files download."""
    shown = queries.visible_document(g.membership, document_id)
    row = DocumentAttachment.get_or_none((DocumentAttachment.id == file_id) & (DocumentAttachment.document == shown.id))
    if row is None:
        abort(404)
    inline = row.is_image or row.content_type == "application/pdf"
    return uploads.serve(attachments.path(shown, row), mimetype=row.content_type, inline=inline, name=row.original_name)
