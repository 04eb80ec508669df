"""Photos of meters handed in with a reading (M2): pictures only, checked by content, re-encoded from their
pixels (no EXIF: no position, no camera serial), shrunk, and stored under a server-made name in
<association>/meters/ in the storage (core.storage), which /media/ never serves: the photo view checks who may see it first.
This is core.images, as fault photos use it."""

from __future__ import annotations

import io

from flask import current_app

from core import images, uploads
from core.storage import FileHandle
from core.text import lazy_gettext as _l

FOLDER = "meters"
KIND = "meter"
PHOTO_BOX = (1600, 1600)
ACCEPT = "image/jpeg,image/png,image/webp"


class PhotoRefused(ValueError):  # noqa: N818 (a form's reason, not a failure)
    """An upload that is not a picture we keep; the message says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def chosen(upload) -> bool:
    """A file input left empty still sends a part with no name and no bytes."""
    return upload is not None and bool(getattr(upload, "filename", "") or "")


def check(upload) -> bytes:
    """The upload's bytes once Pillow reads them as a JPEG, PNG or WebP picture; raises PhotoRefused.
    Nothing is written: a form with one bad photo stores none."""
    limit = int(current_app.config.get("IMAGE_MAX_BYTES", images.DEFAULT_MAX_BYTES))
    data = uploads.read_capped(getattr(upload, "stream", upload), limit)
    if data is None:
        raise PhotoRefused(uploads.too_large(uploads.display_name(upload.filename), limit))
    if not data:
        raise PhotoRefused(_l("The photo is empty."))
    try:
        images._open(data)  # decodes it as store_image will, so a refusal comes before anything is stored
    except images.ImageRefusedError as refused:
        raise PhotoRefused(refused.message) from None
    return data


def store(association, data: bytes) -> str:
    """Store a checked photo, re-encoded and without metadata; its stored name."""
    try:
        return images.store_image(io.BytesIO(data), association, kind=KIND, max_size=PHOTO_BOX, folder=FOLDER).name
    except images.ImageRefusedError as refused:
        raise PhotoRefused(refused.message) from None


def path(association, name: str | None) -> FileHandle | None:
    """The stored photo of this association with this name, or None."""
    return images.image_path(association, name, FOLDER)


def discard(association, names: list[str]) -> None:
    """Remove photos whose readings were not stored after all."""
    for name in names:
        images.delete_image(association, name, FOLDER)
