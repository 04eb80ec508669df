"""What every domain's uploaded files share: a harmless name to show, and serving a file only to those
the calling view has already checked (fault photos, document attachments)."""

from __future__ import annotations

import io
import unicodedata

from flask import Response

from core.storage import FileHandle, key_of, storage
from core.text import lazy_gettext as _l


def display_name(filename: str | None) -> str:
    """The client's file name, cleaned for showing: no folders, no control characters, no leading dot."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:200] or "file"


CHUNK = 64 * 1024


def read_capped(stream, limit: int) -> bytes | None:
    """An upload's bytes, read in chunks; None as soon as it passes `limit` (the rest is never read,
    so a huge file cannot fill memory or the disk)."""
    buffer = io.BytesIO()
    while chunk := stream.read(CHUNK):
        buffer.write(chunk)
        if buffer.tell() > limit:
            return None
    return buffer.getvalue()


def too_large(name: str, limit: int):
    """The words for a file over `limit` bytes."""
    return _l("%(name)s is larger than %(size)s MB.", name=name, size=f"{limit / 1024 / 1024:.0f}")


def serve(file: FileHandle | str, *, mimetype: str, inline: bool, name: str) -> Response:
    """A stored file (a handle from storage().file() or its key) for the member the view checked: inline
    (pictures, PDFs) or as a download, streamed from the storage; 404 when it is gone."""
    stored = file if isinstance(file, str) else key_of(file)
    response = storage().serve(
        stored, mimetype=mimetype, as_attachment=not inline, download_name=display_name(name), max_age=3600
    )
    # Only this browser may keep it: who may see it can change.
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
