"""Pictures built with Pillow for the upload tests."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
MAKE = 0x010F


def picture_bytes(size=(800, 600), fmt="JPEG", colour="teal", mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_gps(size=(2000, 1500)) -> bytes:
    """A phone photo: camera make and the GPS position where it was taken."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (59.0, 19.0, 44.5)  # latitude
    gps[3] = "E"
    gps[4] = (18.0, 4.0, 12.25)  # longitude
    return picture_bytes(size, "JPEG", exif=exif)


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as picture:
        exif = picture.getexif()
        return {"tags": dict(exif), "gps": dict(exif.get_ifd(GPS_IFD)), "info": set(picture.info)}


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as picture:
        return picture.size


def format_of(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as picture:
        return picture.format
