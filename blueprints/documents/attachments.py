"""Attachments of documents (D1, D5): checked by content, capped in size, stored under server-made names.

What a file is comes from its bytes, never from its name or Content-Type: a PDF
starts with %PDF-, an Office Open XML or OpenDocument file is a ZIP whose parts
say which, plain text decodes as UTF-8 without control bytes, and a picture is
what Pillow reads as JPEG, PNG or WebP (re-encoded by core.images, so its
metadata is gone). Files are read in chunks up to the association's limit
(Association.document_max_mb, 5 MB unless the board changes it), all of a post
is checked before any is written, and they land under
<association id>/documents/ in the storage (core.storage), which only the download view serves,
after the read check.
"""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import abort

from core import images, uploads
from core.storage import FileHandle, key, storage
from core.text import lazy_gettext as _l
from core.uploads import display_name
from models.documents import Document, DocumentAttachment

FOLDER = "documents"
MAX_FILES = 20
PICTURE_BOX = (2000, 2000)
# extension -> (content type, what the search's extraction reads)
KINDS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "txt": "text/plain; charset=utf-8",
}
STORED_NAME = re.compile(r"^doc-[0-9a-f]{32}\.(pdf|docx|xlsx|odt|ods|txt)$")
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")


class AttachmentRefused(Exception):  # noqa: N818 (what the views catch)
    """A file we do not keep; `message` says which and why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def max_bytes(association) -> int:
    return int(association.document_max_mb or 5) * 1024 * 1024


def store(document: Document, uploads, actor) -> list[DocumentAttachment]:
    """Check every upload, then store them on the document; nothing is written if one is refused.

    Call inside transaction(): if it rolls back, discard() removes the files written here.
    """
    checked = checked_uploads(uploads, document.association)
    stored: list[DocumentAttachment] = []
    try:
        for name, data, extension in checked:
            stored.append(_write(document, actor, name, data, extension))
    except BaseException:
        discard_files(document.association, stored)
        raise
    return stored


def checked_uploads(uploads, association) -> list[tuple[str, bytes, str]]:
    """The chosen uploads, each checked under these rules (how many, how large, what kind) before any
    is written: [(shown name, bytes, extension or "image")], or AttachmentRefused for the first refused.
    Discussions' post files (blueprints/community/attachments.py) go through here too."""
    chosen = [upload for upload in (uploads or ()) if upload is not None and (upload.filename or "")]
    if len(chosen) > MAX_FILES:
        raise AttachmentRefused(_l("Add at most %(count)s files at a time.", count=MAX_FILES))
    limit = max_bytes(association)
    return [_check(upload, limit) for upload in chosen]


@dataclass(frozen=True)
class StoredFile:
    """A checked file written under a server-made name, for the caller's row."""

    stored_name: str
    content_type: str
    size: int
    is_image: bool


def write_file(association, folder: str, data: bytes, extension: str) -> StoredFile:
    """Write one checked file under <association>/<folder>/ in the storage (a picture re-encoded without
    metadata)."""
    if extension == "image":
        picture = images.store_image(io.BytesIO(data), association, kind="doc", max_size=PICTURE_BOX, folder=folder)
        size = storage().size(_key(association, folder, picture.name))
        return StoredFile(picture.name, images.mimetype_of(picture.name), size, True)
    stored_name = f"doc-{secrets.token_hex(16)}.{extension}"
    storage().put(_key(association, folder, stored_name), data)  # a reader never sees half a file
    return StoredFile(stored_name, KINDS[extension], len(data), False)


def file_in(association, folder: str, stored_name: str) -> FileHandle | None:
    """Where a file stored by write_file() is; None for a name write_file() does not make."""
    if not (STORED_NAME.match(stored_name or "") or images.NAME.match(stored_name or "")):
        return None
    return storage().file(_key(association, folder, stored_name))


def discard_files(association, stored: list[DocumentAttachment]) -> None:
    """Remove the files of attachments whose rows are gone (rolled back or deleted)."""
    for attachment in stored:
        file = _file_of(association, attachment.stored_name)
        if file is not None:
            file.unlink(missing_ok=True)


def file_of(attachment: DocumentAttachment, association) -> FileHandle | None:
    """Where an attachment's file is (for the job that reads its text)."""
    return _file_of(association, attachment.stored_name)


def path(document: Document, attachment: DocumentAttachment) -> FileHandle:
    """The stored file of one of the document's attachments; 404 if it is not one or is gone.
    The caller has checked that the member may read the document."""
    if attachment.document_id != document.id:
        abort(404)
    file = _file_of(document.association, attachment.stored_name)
    if file is None or not file.is_file():
        abort(404)
    return file


# --- inside --------------------------------------------------------------------------------


def _check(upload, limit: int) -> tuple[str, bytes, str]:
    """(shown name, bytes, extension), or AttachmentRefused; "image" for a picture."""
    name = display_name(upload.filename)
    data = _read_capped(getattr(upload, "stream", upload), limit, name)
    if not data:
        raise AttachmentRefused(_l("%(name)s is empty.", name=name))
    extension = kind_of(data)
    if extension is not None:
        return name, data, extension
    try:
        images._open(data)
    except images.ImageRefusedError as refused:
        if data.startswith(IMAGE_MAGIC):
            raise AttachmentRefused(
                _l("%(name)s cannot be read as a picture: %(reason)s", name=name, reason=refused.message)
            ) from None
        raise AttachmentRefused(
            _l(
                "%(name)s is not a file a document takes: PDF, Word (.docx), Excel (.xlsx), OpenDocument"
                " (.odt, .ods), plain text or a picture (JPEG, PNG, WebP).",
                name=name,
            )
        ) from None
    return name, data, "image"


def kind_of(data: bytes) -> str | None:
    """The extension of a document file by its bytes, or None (a picture, or something we do not take)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Text people write: no control characters but tabs and line breaks.
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text[:100_000]):
        return None
    return "txt"


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return {KINDS["odt"]: "odt", KINDS["ods"]: "ods"}.get(mimetype)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def _read_capped(stream, limit: int, name: str) -> bytes:
    data = uploads.read_capped(stream, limit)
    if data is None:
        raise AttachmentRefused(uploads.too_large(name, limit))
    return data


def _write(document: Document, actor, name: str, data: bytes, extension: str) -> DocumentAttachment:
    written = write_file(document.association, FOLDER, data, extension)
    return DocumentAttachment.create(
        document=document,
        stored_name=written.stored_name,
        original_name=name,
        content_type=written.content_type,
        size=written.size,
        is_image=written.is_image,
        text_state=DocumentAttachment.NONE if written.is_image else DocumentAttachment.PENDING,
        uploaded_by=actor,
    )


def _key(association, folder: str, stored_name: str) -> str:
    return key(int(association.id), folder, stored_name)


def _file_of(association, stored_name: str) -> FileHandle | None:
    return file_in(association, FOLDER, stored_name)
