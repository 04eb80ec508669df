"""Where every stored file is kept: one interface, a folder on this machine or S3-compatible object storage.

Uploads (photos, attachments, scans, bank and meter files), made PDFs (print batches, statements) and mail
attachments are written, read, served and removed only through `storage()`:

- without STORAGE_URL, files live under UPLOAD_DIR, as they always have;
- with STORAGE_URL=s3://bucket/prefix they are objects in that bucket under that prefix (boto3; keys and
  region from the usual AWS_* variables, the server from STORAGE_ENDPOINT_URL when it is not Amazon's), so
  several app servers and workers share them.

A file is named by a *key* the server makes up ("12/faults/fault-<random>-640x480.jpg"): parts of small
letters, capitals, digits, `_`, `-` and `.` joined by `/`, never starting with a dot. Every key is checked
against that before either backend touches it, so no key can climb out of UPLOAD_DIR or the prefix ("..",
an absolute path, a backslash), whatever a database row or a URL holds.

Serving streams the file through the app after the view's permission check (`serve`), on both backends,
rather than redirecting to a presigned URL: a presigned URL is a bearer link that works for anyone it is
forwarded to until it expires, even after the member lost access; streaming keeps the same headers on
both backends (Content-Disposition, nosniff, private caching), needs no CORS or public endpoint on the
bucket (it can sit on a private network), and the files Porch keeps are small (10 MB at most).
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, send_file
from werkzeug.exceptions import NotFound

PART = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$")
CHUNK = 64 * 1024


class StorageError(Exception):
    """The storage cannot be reached or refused a request; the message says which and why."""


def key(*parts: object) -> str:
    """A key from its parts ("12", "faults", name); refuses a part that is not a plain name."""
    return check_key("/".join(str(part) for part in parts if str(part) != ""))


def check_key(value: str) -> str:
    """`value` if it is a key the server could have made, else ValueError (never a path out of the store)."""
    parts = value.split("/") if isinstance(value, str) else [""]
    if not value or not all(PART.match(part) for part in parts):
        raise ValueError(f"not a storage key: {value!r}")
    return value


def is_key(value: str | None) -> bool:
    try:
        check_key(value or "")
    except ValueError:
        return False
    return True


class LocalStorage:
    """Files under one folder (UPLOAD_DIR): the default, for one machine."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def path(self, stored: str) -> Path:
        """The file of a key (it may not exist); never outside the folder."""
        path = self.root / check_key(stored)
        if not path.resolve().is_relative_to(self.root.resolve()):  # a link inside the folder pointing out
            raise ValueError(f"not a storage key: {stored!r}")
        return path

    def file(self, stored: str) -> Path:
        """A handle on one stored file: here the Path itself (see S3File for the same methods on S3)."""
        return self.path(stored)

    def put(self, stored: str, data: bytes) -> None:
        path = self.path(stored)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        partial.write_bytes(data)
        os.replace(partial, path)

    def read(self, stored: str) -> bytes:
        """The file's bytes; FileNotFoundError when there is none."""
        path = self.path(stored)
        if not path.is_file():
            raise FileNotFoundError(stored)
        return path.read_bytes()

    def exists(self, stored: str) -> bool:
        return self.path(stored).is_file()

    def size(self, stored: str) -> int:
        return self.path(stored).stat().st_size

    def delete(self, stored: str) -> None:
        self.path(stored).unlink(missing_ok=True)

    def keys(self, prefix: str = "", *, older_than: float | None = None) -> Iterator[str]:
        """Every stored key below `prefix` (a folder's key, or "" for all), sorted; links are skipped.
        With `older_than` (seconds), only files last written longer ago than that."""
        top = self.path(prefix) if prefix else self.root
        if not top.is_dir():
            return
        now = time.time()
        for path in sorted(top.rglob("*")):
            if path.is_file() and not path.is_symlink():
                relative = path.relative_to(self.root).as_posix()
                if not is_key(relative):  # a half-written ".name.part"
                    continue
                if older_than is None or now - path.stat().st_mtime > older_than:
                    yield relative

    def serve(
        self, stored: str, *, mimetype: str, as_attachment: bool, download_name: str, max_age: int | None = None
    ) -> Response:
        path = self.path(stored)
        if not path.is_file():
            raise NotFound()
        return send_file(
            path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name, conditional=True,
            max_age=max_age,
        )  # fmt: skip

    def check_writable(self) -> None:
        """Write, read back and remove a small file; StorageError says what failed."""
        probe = key("doctor-probe-" + secrets.token_hex(8))
        try:
            self.put(probe, b"porch")
            if self.read(probe) != b"porch":
                raise StorageError(f"{self.root} gave back other bytes than were written")
            self.delete(probe)
        except OSError as error:
            raise StorageError(f"{self.root} is not writable ({error.strerror or error})") from None


class S3Storage:
    """Objects in an S3-compatible bucket under a prefix: for several app servers and workers."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.endpoint_url = endpoint_url
        self._client = None
        self._client_pid = None

    def describe(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"
        return f"{where} at {self.endpoint_url}" if self.endpoint_url else where

    @property
    def client(self):
        # One client per process: a forked worker must not share the parent's open connections.
        if self._client is None or self._client_pid != os.getpid():
            import boto3
            from botocore.config import Config as BotoConfig

            config = BotoConfig(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})
            self._client = boto3.client("s3", endpoint_url=self.endpoint_url, config=config)
            self._client_pid = os.getpid()
        return self._client

    def file(self, stored: str) -> S3File:
        return S3File(self, check_key(stored))

    def _object(self, stored: str) -> str:
        stored = check_key(stored)
        return f"{self.prefix}/{stored}" if self.prefix else stored

    def put(self, stored: str, data: bytes) -> None:
        # An object appears whole or not at all: readers never see half of one.
        with _s3_errors(self, stored):
            self.client.put_object(Bucket=self.bucket, Key=self._object(stored), Body=data)

    def read(self, stored: str) -> bytes:
        with _s3_errors(self, stored):
            return self.client.get_object(Bucket=self.bucket, Key=self._object(stored))["Body"].read()

    def exists(self, stored: str) -> bool:
        try:
            self.size(stored)
        except FileNotFoundError:
            return False
        return True

    def size(self, stored: str) -> int:
        with _s3_errors(self, stored):
            return self.client.head_object(Bucket=self.bucket, Key=self._object(stored))["ContentLength"]

    def delete(self, stored: str) -> None:
        with _s3_errors(self, stored):
            self.client.delete_object(Bucket=self.bucket, Key=self._object(stored))

    def keys(self, prefix: str = "", *, older_than: float | None = None) -> Iterator[str]:
        base = f"{self.prefix}/" if self.prefix else ""
        start = f"{base}{check_key(prefix)}/" if prefix else base
        now = time.time()
        found = []
        with _s3_errors(self, prefix or "/"):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
                for item in page.get("Contents", []):
                    if older_than is None or now - item["LastModified"].timestamp() > older_than:
                        found.append(item["Key"][len(base) :])
        yield from sorted(name for name in found if is_key(name))

    def serve(
        self, stored: str, *, mimetype: str, as_attachment: bool, download_name: str, max_age: int | None = None
    ) -> Response:
        try:
            with _s3_errors(self, stored):
                found = self.client.get_object(Bucket=self.bucket, Key=self._object(stored))
        except FileNotFoundError:
            raise NotFound() from None
        body = found["Body"]
        response = Response(body.iter_chunks(CHUNK), mimetype=mimetype, direct_passthrough=True)
        response.call_on_close(body.close)
        response.content_length = found["ContentLength"]
        response.last_modified = found.get("LastModified")
        response.set_etag(found.get("ETag", "").strip('"') or secrets.token_hex(8))
        # The caching headers send_file writes; the callers narrow them ("private") as they do on disk.
        response.cache_control.no_cache = True
        if max_age:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = max_age
            response.expires = int(time.time() + max_age)
        disposition = "attachment" if as_attachment else "inline"
        response.headers.set("Content-Disposition", disposition, **_filename_parameters(download_name))
        response.make_conditional(request.environ)
        if response.status_code == 304:
            body.close()
        return response

    def check_writable(self) -> None:
        probe = key("doctor-probe-" + secrets.token_hex(8))
        self.put(probe, b"porch")
        if self.read(probe) != b"porch":
            raise StorageError(f"{self.describe()} gave back other bytes than were written")
        self.delete(probe)


class S3File:
    """One object, with the few methods of pathlib.Path that code keeping files uses, so a module reads
    `file.is_file()`, `file.read_bytes()`, `file.unlink(missing_ok=True)` on either backend."""

    def __init__(self, store: S3Storage, stored: str):
        self.store, self.key = store, stored
        self.name = stored.rsplit("/", 1)[-1]

    def __repr__(self) -> str:
        return f"S3File({self.store.describe()}/{self.key})"

    def __eq__(self, other) -> bool:
        return isinstance(other, S3File) and (other.store, other.key) == (self.store, self.key)

    def __hash__(self) -> int:
        return hash((id(self.store), self.key))

    def is_file(self) -> bool:
        return self.store.exists(self.key)

    exists = is_file

    def read_bytes(self) -> bytes:
        return self.store.read(self.key)

    def write_bytes(self, data: bytes) -> int:
        self.store.put(self.key, data)
        return len(data)

    def unlink(self, missing_ok: bool = False) -> None:
        if not missing_ok and not self.store.exists(self.key):
            raise FileNotFoundError(self.key)
        self.store.delete(self.key)

    def stat(self):
        return os.stat_result((0, 0, 0, 0, 0, 0, self.store.size(self.key), 0, 0, 0))


@contextmanager
def _s3_errors(store: S3Storage, stored: str):
    """botocore's errors as FileNotFoundError (no such object) or StorageError (anything else)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "404", "NotFound"):
            raise FileNotFoundError(stored) from None
        raise StorageError(f"{store.describe()} refused {stored!r}: {code}") from None
    except BotoCoreError as error:
        raise StorageError(f"{store.describe()} cannot be reached: {error}") from None


def _filename_parameters(name: str) -> dict[str, str]:
    """Content-Disposition's filename (ASCII) and filename* (UTF-8), as send_file writes them."""
    import unicodedata
    from urllib.parse import quote

    try:
        name.encode("ascii")
        return {"filename": name}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple or "file", "filename*": f"UTF-8''{quote(name, safe='')}"}


Storage = LocalStorage | S3Storage
FileHandle = Path | S3File


def send(file: FileHandle | str, *, mimetype: str, as_attachment: bool, download_name: str, max_age=None):
    """Serve a stored file (a handle or its key) through the app; 404 when it is gone. The caller has checked
    who may have it."""
    stored = file if isinstance(file, str) else key_of(file)
    return storage().serve(
        stored, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name, max_age=max_age
    )


def key_of(file: FileHandle) -> str:
    """The key of a handle from `storage().file()`."""
    if isinstance(file, S3File):
        return file.key
    return check_key(Path(file).relative_to(storage().root).as_posix())


def from_settings(config) -> Storage:
    """The storage a configuration names: S3 for STORAGE_URL=s3://bucket/prefix, else UPLOAD_DIR."""
    url = config.get("STORAGE_URL")
    if not url:
        return LocalStorage(Path(config["UPLOAD_DIR"]))
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
    return S3Storage(parts.netloc, parts.path, config.get("STORAGE_ENDPOINT_URL"))


def storage(app: Flask | None = None) -> Storage:
    """This app's storage, made once."""
    app = app or current_app._get_current_object()
    found = app.extensions.get("porch_storage")
    if found is None:
        found = app.extensions["porch_storage"] = from_settings(app.config)
    return found
