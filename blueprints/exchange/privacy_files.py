"""Every file the privacy exports and the erasure read, write or delete, in one place, through the storage
(core/storage.py: UPLOAD_DIR, or S3 with STORAGE_URL).

Files are named by their storage key ("3/faults/f-ab12.jpg", "exports/3/porch-…zip"); a key that is not one
the server could have made (a crafted row's "..") is treated as no file at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import Response

from core.storage import is_key, storage

EXPORTS = "exports"


def key(*parts: object) -> str:
    return "/".join(str(part) for part in parts)


def exists(name: str) -> bool:
    return is_key(name) and storage().exists(name)


def keys_under(folder: str) -> Iterator[str]:
    """The keys of every file below `folder`, in a stable order (half-written files left out)."""
    if is_key(folder):
        yield from storage().keys(folder)


@contextmanager
def reading(name: str) -> Iterator[BinaryIO]:
    """The stored file, open for reading in chunks."""
    if not is_key(name):
        raise FileNotFoundError(name)
    stream = storage().open_read(name)
    try:
        yield stream
    finally:
        stream.close()


def copy_into(name: str, target: BinaryIO) -> None:
    """Stream a stored file into an open file (a ZIP member) without holding it in memory."""
    with reading(name) as source:
        shutil.copyfileobj(source, target, 1024 * 1024)


def delete(name: str) -> bool:
    """Remove a stored file; False when there was none."""
    if not exists(name):
        return False
    storage().delete(name)
    return True


@contextmanager
def writing(name: str) -> Iterator[BinaryIO]:
    """A new stored file: written to this machine's temporary folder, and stored only once complete."""
    if not is_key(name):
        raise ValueError(f"not a file key: {name!r}")
    handle, local = tempfile.mkstemp(prefix="porch-export-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        storage().put_file(name, Path(local))
    finally:
        Path(local).unlink(missing_ok=True)


def serve(name: str, download_name: str) -> Response:
    """A stored file as a download for the member the view has checked; never cached by anyone else."""
    if not exists(name):
        raise FileNotFoundError(name)
    response = storage().serve(name, mimetype="application/zip", as_attachment=True, download_name=download_name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
