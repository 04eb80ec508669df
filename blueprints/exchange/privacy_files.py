"""Every file the privacy exports and the erasure read, write or delete, in one place.

Files are named by a key: their path under UPLOAD_DIR with forward slashes ("3/faults/f-ab12.jpg",
"exports/3/porch-…zip"), as they lie today. When uploads move behind the storage interface
(core/storage.py), these few functions are all that changes.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import Response, current_app, send_file

# A key is plain path segments: no "..", no leading slash, nothing a crafted row could use to leave UPLOAD_DIR.
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
EXPORTS = "exports"


def _root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _path(key: str) -> Path | None:
    parts = key.split("/")
    if not key or not all(_SEGMENT.match(part) and part not in (".", "..") for part in parts):
        return None
    return _root().joinpath(*parts)


def key(*parts: object) -> str:
    return "/".join(str(part) for part in parts)


def exists(name: str) -> bool:
    path = _path(name)
    return path is not None and path.is_file()


def keys_under(folder: str) -> Iterator[str]:
    """The keys of every file below `folder`, in a stable order (hidden half-written files left out)."""
    base = _path(folder)
    if base is None or not base.is_dir():
        return
    for directory, subfolders, files in os.walk(base):
        subfolders.sort()
        for name in sorted(files):
            if not name.startswith("."):
                yield (Path(directory) / name).relative_to(_root()).as_posix()


@contextmanager
def reading(name: str) -> Iterator[BinaryIO]:
    """The stored file, open for reading in chunks."""
    path = _path(name)
    if path is None:
        raise FileNotFoundError(name)
    with path.open("rb") as stream:
        yield stream


def copy_into(name: str, target: BinaryIO) -> None:
    """Stream a stored file into an open file (a ZIP member) without holding it in memory."""
    with reading(name) as source:
        shutil.copyfileobj(source, target, 1024 * 1024)


def delete(name: str) -> bool:
    """Remove a stored file; False when there was none."""
    path = _path(name)
    if path is None or not path.is_file():
        return False
    path.unlink()
    return True


@contextmanager
def writing(name: str) -> Iterator[BinaryIO]:
    """A new stored file, written under a hidden name and put in place only once complete."""
    path = _path(name)
    if path is None:
        raise ValueError(f"not a file key: {name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part")
    try:
        with partial.open("wb") as stream:
            yield stream
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def serve(name: str, download_name: str) -> Response:
    """A stored file as a download for the member the view has checked; never cached by anyone else."""
    path = _path(name)
    if path is None or not path.is_file():
        raise FileNotFoundError(name)
    response = send_file(path, mimetype="application/zip", as_attachment=True, download_name=download_name)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
