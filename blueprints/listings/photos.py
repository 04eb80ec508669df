"""Photos of a vacant home (L1): checked by content, re-encoded from their pixels (no EXIF, no GPS position),
shrunk to fit a box and stored under server-made names at <association id>/listings/ in the storage (core.storage).

Every picture of an upload is read and cleaned before any is written, so a bad file among five refuses the
form and stores nothing. The public listing page and the board's form serve them through views that check
who may see them first (`photo_path`)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from flask import current_app

from core import images
from core.storage import FileHandle, key, storage
from core.text import lazy_gettext as _l
from models.listings import Vacancy, VacancyPhoto

FOLDER = "listings"  # below the association's upload folder; never public as a folder
KIND = "home"  # the stored name's prefix: home-<random>-<w>x<h>.jpg
PHOTO_BOX = (1600, 1600)
MAX_PHOTOS = 20  # per vacancy: a listing page, not an album


class PhotoRefusedError(images.ImageRefusedError):
    """An upload that is not a photo we take; the message names the file and says why."""


@dataclass(frozen=True)
class CleanPhoto:
    body: bytes
    extension: str
    width: int
    height: int


def chosen(uploads) -> list:
    """The file parts the browser sent with a file in them (an empty file input sends one without a name)."""
    return [upload for upload in uploads or () if upload is not None and getattr(upload, "filename", "")]


def clean_all(uploads, already: int) -> list[CleanPhoto]:
    """Every chosen upload read and re-encoded, or PhotoRefusedError for the first that is not a photo."""
    uploads = chosen(uploads)
    if already + len(uploads) > MAX_PHOTOS:
        raise PhotoRefusedError(_l("A home can have at most %(num)d photos.", num=MAX_PHOTOS))
    limit = current_app.config.get("IMAGE_MAX_BYTES", images.DEFAULT_MAX_BYTES)
    cleaned = []
    for upload in uploads:
        # The client's file name is only echoed in the message (escaped there), never stored.
        name = os.path.basename(upload.filename or "")[:80]
        try:
            data = images.read_capped(getattr(upload, "stream", upload), limit)
            body, extension, (width, height) = images.clean_image(data, PHOTO_BOX)
        except images.ImageRefusedError as refused:
            raise PhotoRefusedError(_l("%(name)s: %(reason)s", name=name, reason=refused.message)) from None
        cleaned.append(CleanPhoto(body, extension, width, height))
    return cleaned


def store_all(vacancy: Vacancy, cleaned: list[CleanPhoto]) -> list[VacancyPhoto]:
    """Write the cleaned photos after the vacancy's others, in the order they were chosen."""
    last = VacancyPhoto.select(VacancyPhoto.position).where(VacancyPhoto.vacancy == vacancy.id)
    position = max((row.position for row in last), default=0)
    stored = []
    for photo in cleaned:
        position += 1
        name = f"{KIND}-{secrets.token_hex(16)}-{photo.width}x{photo.height}.{photo.extension}"
        storage().put(_key(vacancy.association_id, name), photo.body)  # a reader never sees half a file
        stored.append(
            VacancyPhoto.create(
                vacancy=vacancy, stored_name=name, width=photo.width, height=photo.height, position=position
            )
        )
    return stored


def photo_path(association_id: int, photo: VacancyPhoto) -> FileHandle | None:
    """The stored file of a photo of this association's vacancy, or None (never outside its folder)."""
    if not images.NAME.match(photo.stored_name or ""):
        return None
    path = storage().file(_key(association_id, photo.stored_name))
    return path if path.is_file() else None


def remove(association_id: int, photo: VacancyPhoto) -> None:
    """Delete the photo's row and its file."""
    path = photo_path(association_id, photo)
    photo.delete_instance()
    if path is not None:
        path.unlink(missing_ok=True)


def reorder(vacancy: Vacancy, positions: dict[int, int]) -> bool:
    """Put the vacancy's photos in the order the board numbered them (ties keep their old order);
    True when the order changed."""
    photos = list(vacancy.photos.order_by(VacancyPhoto.position, VacancyPhoto.id))
    wanted = sorted(photos, key=lambda p: (positions.get(p.id, p.position), p.position, p.id))
    if [p.id for p in wanted] == [p.id for p in photos] and all(p.position == i for i, p in enumerate(photos, 1)):
        return False
    for index, photo in enumerate(wanted, 1):
        if photo.position != index:
            VacancyPhoto.update(position=index).where(VacancyPhoto.id == photo.id).execute()
    return [p.id for p in wanted] != [p.id for p in photos]


def _key(association_id: int, stored_name: str) -> str:
    return key(int(association_id), FOLDER, stored_name)
