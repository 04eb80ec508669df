"""Access matrix entries for documents and folders.

In world() a Minutes document with a PDF: the Minutes folder is read by members, the board and the
administrator, not by tenants, so the document, its print view and its file are a 404 for the tenant,
as for anyone who may not read it. Writing is for roles that write in a folder (the board's), and the
folders are the board's (documents.write).
"""

import secrets

from models.documents import Document, DocumentAttachment, Folder
from tests.access.common import BOARD_UP, LOGIN, holders_of, members
from tests.access.faults import _write_when_the_app_runs

READERS = ("member", "board", "administrator")


def reading(status=200):
    """Who reads Minutes gets `status`; the tenant 404, as for a document that is not there."""
    expected = holders_of(READERS, status)
    expected["tenant"] = 404
    return expected


def writing(status=200):
    """The board writes in Minutes; the member reads it only (403), the tenant cannot see it (404)."""
    expected = holders_of(BOARD_UP, status)
    expected["tenant"] = 404
    return expected


board = lambda status=200: holders_of(BOARD_UP, status)  # noqa: E731

MATRIX = {
    ("documents.index", "GET"): members(),
    ("documents.folder", "GET"): reading(),
    ("documents.document", "GET"): reading(),
    ("documents.document_print", "GET"): reading(),
    ("documents.attachment", "GET"): reading(),
    ("documents.document_new", "GET"): board(),
    ("documents.document_new", "POST"): board(422),  # nothing typed
    ("documents.document_edit", "GET"): writing(),
    ("documents.document_edit", "POST"): writing(422),  # nothing typed
    ("documents.document_delete", "GET"): writing(),
    ("documents.document_delete", "POST"): writing(302),
    ("documents.folders", "GET"): board(),
    ("documents.folder_new", "GET"): board(),
    ("documents.folder_new", "POST"): board(422),  # no name
    ("documents.folder_edit", "GET"): board(),
    ("documents.folder_edit", "POST"): board(422),  # no name
    ("documents.folder_readers", "GET"): board(),
    ("documents.folder_move", "POST"): board(302),
    ("documents.folder_remove", "GET"): board(),
    ("documents.folder_remove", "POST"): board(422),  # it holds a document: where to?
}
assert all(expected["anonymous"] == LOGIN for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """The minutes of the spring meeting, with their PDF, in alpha's Minutes folder."""
    minutes = Folder.get((Folder.association == alpha) & (Folder.key == Folder.MINUTES))
    document = Document.create(
        association=alpha,
        folder=minutes,
        title="Minutes of the spring meeting",
        body="We met.",
        author=users["board"],
        state=Document.PUBLISHED,
    )
    stored_name = f"doc-{secrets.token_hex(16)}.pdf"
    _write_when_the_app_runs(alpha.id, stored_name, b"%PDF-1.4\n%%EOF\n", folder="documents")
    attachment = DocumentAttachment.create(
        document=document,
        stored_name=stored_name,
        original_name="minutes.pdf",
        content_type="application/pdf",
        size=15,
        text_state=DocumentAttachment.NONE,
    )
    return {"document_id": document.id, "file_id": attachment.id, "folder_id": minutes.id}
