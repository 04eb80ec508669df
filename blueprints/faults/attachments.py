"""Photos and files on fault reports (F1, F3): checked by content, stored under server-made names.

A picture (whatever its name or Content-Type says, Pillow must read it as
JPEG, PNG or WebP) goes through core.images: re-encoded from its pixels, so
GPS positions and other metadata are gone, and shrunk to 1600 px. Any other
file must be a PDF by its first bytes. Everything is read in chunks with a
size cap, so a huge upload is refused before anything is written, and lands
under <association id>/faults/ in the storage (core.storage), which /media/ never serves: the
download view checks who may see the report first.
"""

from __future__ import annotations

import io
import re
import secrets

from flask import abort, current_app

from blueprints.faults.workflow import WorkflowError
from core import images, uploads
from core.storage import FileHandle, key, storage
from core.text import lazy_gettext as _l
from core.uploads import display_name
from models.faults import FaultAttachment, FaultEvent, FaultReport

FOLDER = "faults"
MAX_FILES = 5
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PHOTO_BOX = (1600, 1600)
PDF_MAGIC = b"%PDF-"
# What a picture starts with; such a file that Pillow cannot read is a damaged picture, not "some file".
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")
PDF_NAME = re.compile(r"^file-[0-9a-f]{32}\.pdf$")


class AttachmentRefused(WorkflowError):  # noqa: N818 (the name the views use)
    """An upload we do not keep; the message says which file and why."""

    def __init__(self, message):
        super().__init__(message, field="files")


def store(report: FaultReport, event: FaultEvent | None, uploads, actor) -> list[FaultAttachment]:
    """Check and store the uploads on the report (and the event they came with).

    Raises AttachmentRefused for the first file we do not take; files already
    written by this call are removed again, so a refused post leaves nothing.
    Call inside transaction(): the rows then roll back with the report.
    """
    chosen = [upload for upload in (uploads or ()) if _is_chosen(upload)]
    if len(chosen) > MAX_FILES:
        raise AttachmentRefused(_l("Add at most %(count)s files at a time.", count=MAX_FILES))
    limit = max_bytes()
    # Read and check every file before writing any: one refusal leaves nothing behind.
    checked = [_check(upload, limit) for upload in chosen]
    written: list[FileHandle] = []
    stored = []
    try:
        for name, data, is_pdf in checked:
            stored.append(_write(report, event, actor, name, data, is_pdf, written))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return stored


def discard(report: FaultReport, stored: list[FaultAttachment]) -> None:
    """Remove the files of attachments whose rows were rolled back."""
    for attachment in stored:
        if _valid_stored_name(attachment.stored_name):
            _file(report.association, attachment.stored_name).unlink(missing_ok=True)


def path(report: FaultReport, attachment: FaultAttachment) -> FileHandle:
    """The stored file of an attachment of this report; 404 if it is not one or is gone.

    The caller checks that the user may see the report first.
    """
    if attachment.report_id != report.id or not _valid_stored_name(attachment.stored_name):
        abort(404)
    file = _file(report.association, attachment.stored_name)
    if not file.is_file():
        abort(404)
    return file


def max_bytes() -> int:
    return int(current_app.config.get("FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- inside --------------------------------------------------------------------------------


def _is_chosen(upload) -> bool:
    """A file input left empty still sends a part with no name and no bytes."""
    return upload is not None and bool(getattr(upload, "filename", "") or "")


def _check(upload, limit: int) -> tuple[str, bytes, bool]:
    name = display_name(upload.filename)
    data = _read_capped(upload, limit, name)
    if not data:
        raise AttachmentRefused(_l("%(name)s is empty.", name=name))
    if data.startswith(PDF_MAGIC):
        return name, data, True
    try:
        images._open(data)  # decodes it, as store_image will: a refusal here writes nothing
    except images.ImageRefusedError as refused:
        if data.startswith(IMAGE_MAGIC):
            raise AttachmentRefused(
                _l("%(name)s cannot be read as a picture: %(reason)s", name=name, reason=refused.message)
            ) from None
        raise AttachmentRefused(_l("%(name)s is not a picture or PDF.", name=name)) from None
    return name, data, False


def _read_capped(upload, limit: int, name: str) -> bytes:
    data = uploads.read_capped(getattr(upload, "stream", upload), limit)
    if data is None:
        raise AttachmentRefused(uploads.too_large(name, limit))
    return data


def _write(report, event, actor, name: str, data: bytes, is_pdf: bool, written: list[FileHandle]) -> FaultAttachment:
    association = report.association
    if is_pdf:
        stored_name = f"file-{secrets.token_hex(16)}.pdf"
        storage().put(key(int(association.id), FOLDER, stored_name), data)
        written.append(_file(association, stored_name))
        content_type, size = "application/pdf", len(data)
    else:
        picture = images.store_image(io.BytesIO(data), association, kind="fault", max_size=PHOTO_BOX, folder=FOLDER)
        stored_name = picture.name
        written.append(_file(association, stored_name))
        content_type, size = images.mimetype_of(stored_name), written[-1].stat().st_size
    return FaultAttachment.create(
        report=report,
        event=event,
        stored_name=stored_name,
        original_name=name,
        content_type=content_type,
        size=size,
        is_image=not is_pdf,
        uploaded_by=actor,
    )


def _file(association, stored_name: str) -> FileHandle:
    return storage().file(key(int(association.id), FOLDER, stored_name))


def _valid_stored_name(name: str) -> bool:
    return bool(images.NAME.match(name or "") or PDF_NAME.match(name or ""))
