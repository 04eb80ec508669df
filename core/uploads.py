"""What every domain's uploaded files share: a harmless name to show, and serving a file only to those
the calling view has already checked (fault photos, document attachments)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from flask import Response, send_file


def display_name(filename: str | None) -> str:
    """The client's file name, cleaned for showing: no folders, no control characters, no leading dot."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return name[:200] or "file"


def serve(file: Path, *, mimetype: str, inline: bool, name: str) -> Response:
    """A stored file for the member the view checked: inline (pictures, PDFs) or as a download."""
    response = send_file(
        file, mimetype=mimetype, as_attachment=not inline, download_name=display_name(name), conditional=True,
        max_age=3600,
    )  # fmt: skip
    # Only this browser may keep it: who may see it can change.
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
