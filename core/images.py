"""Uploaded pictures: checked by content, stripped of metadata, resized and stored (SPEC P1, F).

A picture is accepted only if Pillow reads it as JPEG, PNG or WebP, whatever
its name or Content-Type says. It is decoded and encoded again from its
pixels alone, which drops EXIF (GPS position, camera serial), XMP and text
chunks, and shrunk to fit a box. Files are stored under a name the server
makes up, under the key <association id>/[<folder>/] of the storage (core.storage): the client's file
name is never used. The name carries the picture's size
(`logo-<random>-400x120.png`) so pages can give <img> its width and height
without opening the file.

Pictures straight in the association's folder are public (logo, header
photo, images in the welcome text: the login page shows them). Private
pictures (fault photos) go in a `folder` and must be served by a view that
checks permission first.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from core.storage import FileHandle, key, storage
from core.text import lazy_gettext as _l

# Pillow format -> (file extension, Content-Type)
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
MIMETYPES = {extension: mimetype for extension, mimetype in FORMATS.values()}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # a phone photo fits; override with IMAGE_MAX_BYTES
MAX_PIXELS = 50_000_000  # decoding more would take gigabytes of memory (a "decompression bomb")
CHUNK = 64 * 1024

NAME = re.compile(r"^[a-z]{1,16}-[0-9a-f]{32}-([1-9][0-9]{0,4})x([1-9][0-9]{0,4})\.(jpg|png|webp)$")
FOLDER = re.compile(r"^[a-z]{1,32}$")


class ImageRefusedError(ValueError):
    """The upload is not a picture we take; `message` says why, for the form."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class StoredImage:
    name: str
    width: int
    height: int


def store_image(
    upload: BinaryIO, association, *, kind: str, max_size: tuple[int, int], folder: str = ""
) -> StoredImage:
    """Check, clean, resize and store an uploaded picture; raises ImageRefusedError."""
    data = read_capped(upload, current_app.config.get("IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES))
    body, extension, (width, height) = clean_image(data, max_size)
    name = f"{kind}-{secrets.token_hex(16)}-{width}x{height}.{extension}"
    storage().put(_key(association, name, folder), body)
    return StoredImage(name, width, height)


def read_capped(upload: BinaryIO, limit: int) -> bytes:
    """Read at most `limit` bytes; a bigger upload is refused without reading the rest."""
    buffer = io.BytesIO()
    while chunk := upload.read(CHUNK):
        buffer.write(chunk)
        if buffer.tell() > limit:
            raise ImageRefusedError(
                _l("The picture is too large: at most %(size)s MB.", size=f"{limit / 1024 / 1024:.0f}")
            )
    if buffer.tell() == 0:
        raise ImageRefusedError(_l("Choose a picture to upload."))
    return buffer.getvalue()


def clean_image(data: bytes, max_size: tuple[int, int]) -> tuple[bytes, str, tuple[int, int]]:
    """The picture re-encoded from its pixels, fitted into max_size: (bytes, extension, size)."""
    picture = _open(data)
    pillow_format = picture.format
    picture = ImageOps.exif_transpose(picture)  # keep a phone photo upright once EXIF is gone
    picture = _plain_mode(picture, pillow_format)
    picture.thumbnail(max_size, Image.Resampling.LANCZOS)
    # A new image holds only pixels: no EXIF, XMP, comments or text chunks carried over.
    clean = Image.new(picture.mode, picture.size)
    clean.paste(picture)
    output = io.BytesIO()
    if pillow_format == "JPEG":
        clean.save(output, "JPEG", quality=85, optimize=True, progressive=True)
    elif pillow_format == "PNG":
        clean.save(output, "PNG", optimize=True)
    else:
        clean.save(output, "WEBP", quality=85, method=4)
    return output.getvalue(), FORMATS[pillow_format][0], clean.size


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if picture.width * picture.height > MAX_PIXELS:
                raise ImageRefusedError(_l("The picture has too many pixels. Please send a smaller one."))
            picture.seek(0)  # the first frame of an animation
            ImageFile.LOAD_TRUNCATED_IMAGES = False  # a library may have turned it on (WeasyPrint does)
            picture.load()
    except ImageRefusedError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefusedError(_l("This is not a JPEG, PNG or WebP picture.")) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise ImageRefusedError(_l("The picture is damaged and cannot be read.")) from None
    return picture


def _plain_mode(picture: Image.Image, pillow_format: str) -> Image.Image:
    """RGB or grey for JPEG; keep transparency for PNG and WebP."""
    if pillow_format == "JPEG":
        return picture if picture.mode in ("RGB", "L") else picture.convert("RGB")
    if picture.mode in ("RGB", "RGBA", "L", "LA"):
        return picture
    transparent = picture.mode in ("PA", "RGBa") or "transparency" in picture.info
    return picture.convert("RGBA" if transparent else "RGB")


def _key(association, name: str, folder: str = "") -> str:
    if folder and not FOLDER.match(folder):
        raise ValueError(f"bad upload folder {folder!r}")
    return key(int(association.id), folder, name)


def image_path(association, name: str | None, folder: str = "") -> FileHandle | None:
    """The stored file of this association's picture with this name, or None (never outside its folder)."""
    if not name or not NAME.match(name):
        return None
    file = storage().file(_key(association, name, folder))
    return file if file.is_file() else None


def delete_image(association, name: str | None, folder: str = "") -> None:
    if name and NAME.match(name):
        storage().delete(_key(association, name, folder))


def image_size(name: str | None) -> tuple[int, int] | None:
    """(width, height) read from a stored name, for <img width height>."""
    match = NAME.match(name or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def mimetype_of(name: str) -> str:
    return MIMETYPES[name.rsplit(".", 1)[1]]
