"""Backup and restore of a whole install (SPEC X4): the database and the uploaded files, with a manifest.

A backup is one directory, `porch-<UTC time>/`, holding:

- the database: `database.sqlite3`, made by SQLite's online backup API (a consistent copy while the
  portal keeps running), or `database.pgdump`, made by `pg_dump --format=custom`;
- `files/`: every stored file (photos, attachments, PDFs, bank files), as they were, whether they are kept
  under UPLOAD_DIR or in S3 (core.storage): a restore puts them back into whichever storage the install
  it runs in uses, so a backup moves an install from one to the other;
- `manifest.json`: the format, when and from what it was made, each table's row count and every file's
  size and SHA-256, the database file's included.

The directory is written under a hidden `.partial` name and renamed when complete, so a backup that was
cut off halfway never looks like one. A restore first checks the manifest against what is there and
refuses a damaged backup (a file missing, changed or added, a table count that differs after loading),
and it only goes into an empty install: it never overwrites a portal that has data.

The row counts and the database copy are taken from the same snapshot: SQLite's copy is counted after it
is made; on PostgreSQL a read-only transaction exports its snapshot, counts in it, and `pg_dump` dumps
that very snapshot (`--snapshot`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from core.storage import LocalStorage, Storage, StorageError

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
FILES = "files"
# Tables that say nothing about an install's data: an install that has only these rows is empty.
BOOKKEEPING_TABLES = {"schema_migration"}  # playhouse.migrations' history


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in words an operator can act on."""


@dataclass
class Manifest:
    created_at: str
    backend: str  # "sqlite" or "postgresql"
    database_file: str
    database_sha256: str
    migrations: list[str]
    tables: dict[str, int]
    files: dict[str, dict] = field(default_factory=dict)  # relative path -> {"size": n, "sha256": hex}

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=1, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(f"{folder} holds no {MANIFEST}: it is not a Porch backup.") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise BackupError(f"{folder / MANIFEST} cannot be read ({error}): the backup is damaged.") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"{folder / MANIFEST} is not a backup format this Porch reads (format {FORMAT}).")
        try:
            return cls(**{key: data[key] for key in cls.__dataclass_fields__})
        except (KeyError, TypeError) as error:
            raise BackupError(f"{folder / MANIFEST} lacks {error}: the backup is damaged.") from None


# --- backup ----------------------------------------------------------------------------------------------


def make_backup(database_url: str, files: Storage | Path, target: Path, now: dt.datetime) -> tuple[Path, Manifest]:
    """Write a complete backup directory below `target` (the stored files from `files`, a storage or the
    UPLOAD_DIR folder); returns its path and manifest."""
    name = f"porch-{now:%Y%m%dT%H%M%SZ}"
    final, partial = target / name, target / f".{name}.partial"
    if final.exists():
        raise BackupError(f"{final} already exists; wait a second and try again.")
    partial.mkdir(parents=True)
    try:
        backend, database_file, tables, migrations = _snapshot(database_url, partial)
        manifest = Manifest(
            created_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            backend=backend,
            database_file=database_file,
            database_sha256=_sha256(partial / database_file),
            migrations=migrations,
            tables=tables,
            files=_copy_files(_storage(files), partial / FILES),
        )
        (partial / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final, manifest


def _snapshot(database_url: str, folder: Path) -> tuple[str, str, dict[str, int], list[str]]:
    scheme = urlsplit(database_url).scheme
    if scheme == "sqlite":
        path = folder / SQLITE_FILE
        with closing(sqlite3.connect(_sqlite_path(database_url))) as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)  # pages copied under SQLite's own locking: a consistent database
            tables, migrations = _sqlite_counts(copy)
        return "sqlite", SQLITE_FILE, tables, migrations
    if scheme in ("postgres", "postgresql"):
        return ("postgresql", POSTGRES_FILE, *_postgres_dump(database_url, folder / POSTGRES_FILE))
    raise BackupError(f"Porch cannot back up a {scheme!r} database.")


def _sqlite_path(database_url: str) -> str:
    return unquote(urlsplit(database_url).path)[1:]


def _sqlite_counts(connection: sqlite3.Connection) -> tuple[dict[str, int], list[str]]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    # FTS5's shadow tables (search_index_data, …) belong to their virtual table, counted under its name.
    shadows = {f"{name}_{part}" for name in names for part in ("data", "idx", "content", "docsize", "config")}
    tables = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    tables = {name: count for name, count in tables.items() if name not in shadows}
    migrations = _migrations(connection.execute("SELECT name FROM schema_migration ORDER BY name").fetchall())
    return tables, migrations


def _migrations(rows) -> list[str]:
    return [row[0] for row in rows]


# Porch's own connection-pool options in DATABASE_URL (models/db.make_database); libpq knows the rest
# (sslmode, sslrootcert, host=/run/postgresql, …) and must keep them.
POOL_OPTIONS = {"max_connections", "stale_timeout", "timeout"}


def _libpq_url(database_url: str, *, with_password: bool = True) -> str:
    """The URL libpq reads: Porch's pool options left out, every libpq option kept, and the password only
    for a connection made in this process (a command's arguments are readable by every local user)."""
    parts = urlsplit(database_url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in POOL_OPTIONS])
    netloc = parts.netloc
    if not with_password and parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", "@", 1)
    return urlunsplit(("postgresql", netloc, parts.path, query, ""))


def _tool_environment(database_url: str) -> dict[str, str]:
    """pg_dump's and pg_restore's environment: the password in PGPASSWORD, never on the command line."""
    password = urlsplit(database_url).password
    return {**os.environ, "PGPASSWORD": unquote(password)} if password is not None else dict(os.environ)


def _postgres_dump(database_url: str, path: Path) -> tuple[dict[str, int], list[str]]:
    import psycopg2

    connection = psycopg2.connect(_libpq_url(database_url))
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            names = [row[0] for row in cursor.fetchall()]
            tables = {}
            for name in names:
                cursor.execute(f'SELECT count(*) FROM "{name}"')
                tables[name] = cursor.fetchone()[0]
            cursor.execute("SELECT name FROM schema_migration ORDER BY name")
            migrations = _migrations(cursor.fetchall())
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 f"--file={path.resolve()}", f"--dbname={_libpq_url(database_url, with_password=False)}"],
                "pg_dump", _tool_environment(database_url),
            )  # fmt: skip
    finally:
        connection.close()
    return tables, migrations


def _run(command: list[str], tool: str, environment: dict[str, str]) -> None:
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=3600, env=environment)
    except FileNotFoundError:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client).") from None
    if finished.returncode != 0:
        raise BackupError(f"{tool} failed: {finished.stderr.strip()[:2000]}")


def _storage(files: Storage | Path) -> Storage:
    return LocalStorage(files) if isinstance(files, (str, Path)) else files


def _copy_files(store: Storage, target: Path) -> dict[str, dict]:
    """Copy every stored file (links left out: nothing Porch writes is one, and following one could copy
    files from elsewhere); their sizes and checksums, by key."""
    files: dict[str, dict] = {}
    target.mkdir()
    try:
        for stored in store.keys():
            copy = target / stored
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                copy.write_bytes(store.read(stored))
            except FileNotFoundError:
                continue  # deleted since it was listed: as if the backup had started a moment later
            files[stored] = {"size": copy.stat().st_size, "sha256": _sha256(copy)}
    except StorageError as error:
        raise BackupError(f"The stored files could not be read: {error}") from None
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- checking and restoring --------------------------------------------------------------------------------


def check(folder: Path) -> Manifest:
    """The backup's manifest once every file in it is what the manifest says; else BackupError naming the
    first problems."""
    manifest = Manifest.read(folder)
    problems = []
    database = folder / manifest.database_file
    expected = {"sqlite": SQLITE_FILE, "postgresql": POSTGRES_FILE}.get(manifest.backend)
    if manifest.database_file != expected or not database.is_file() or database.is_symlink():
        problems.append(f"the database file {manifest.database_file} is missing")
    elif _sha256(database) != manifest.database_sha256:
        problems.append(f"the database file {manifest.database_file} has changed")
    files = folder / FILES
    present = {p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file()} if files.is_dir() else set()
    # A link would make the copy read a file outside the backup: nothing `flask backup` writes is one.
    problems += [f"files/{p.relative_to(files).as_posix()} is a link" for p in files.rglob("*") if p.is_symlink()]
    for relative, facts in sorted(manifest.files.items()):
        path = files / relative
        if relative not in present:
            problems.append(f"files/{relative} is missing")
        elif path.stat().st_size != facts.get("size") or _sha256(path) != facts.get("sha256"):
            problems.append(f"files/{relative} has changed")
    problems += [f"files/{relative} is not in the manifest" for relative in sorted(present - set(manifest.files))]
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise BackupError(f"The backup in {folder} is damaged: {shown}. Nothing was restored.")
    return manifest


def restore(folder: Path, database_url: str, files: Storage | Path, known_migrations: list[str]) -> Manifest:
    """Bring a checked backup into an empty install: the database, then the files; the tables' row counts
    are compared with the manifest at the end. A backup from an older Porch is restored as it was; `flask db
    upgrade` then brings it up to date."""
    manifest = check(folder)
    store = _storage(files)
    unknown = [name for name in manifest.migrations if name not in known_migrations]
    if unknown:
        raise BackupError(
            f"The backup was made by a newer Porch (migrations {', '.join(unknown[:3])} are unknown here):"
            " upgrade Porch first, then restore."
        )
    backend = "sqlite" if urlsplit(database_url).scheme == "sqlite" else "postgresql"
    if backend != manifest.backend:
        raise BackupError(
            f"The backup is of a {manifest.backend} database and this install uses {backend}; restore it into"
            f" a {manifest.backend} install (then move with `flask import`, once it exists, or pg tools)."
        )
    _refuse_unless_empty(database_url, store)
    if backend == "sqlite":
        # The copy's checksum is right; its counts are checked before anything is written here.
        with closing(sqlite3.connect(f"file:{folder / SQLITE_FILE}?mode=ro", uri=True)) as copy:
            _compare_counts(manifest, _sqlite_counts(copy)[0], "")
    try:
        _restore_files(folder / FILES, store, manifest)
    except (OSError, StorageError, ValueError) as error:
        _empty(store)
        raise BackupError(
            f"The files could not be copied into {store.describe()} ({error}); nothing was restored."
        ) from None
    if backend == "sqlite":
        _restore_sqlite(folder / SQLITE_FILE, _sqlite_path(database_url))
        return manifest
    cleanup = " The database may hold part of the backup: drop it and create it empty before trying again."
    try:
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
             f"--dbname={_libpq_url(database_url, with_password=False)}", str((folder / POSTGRES_FILE).resolve())],
            "pg_restore", _tool_environment(database_url),
        )  # fmt: skip
        _compare_counts(manifest, table_counts(database_url), cleanup)
    except BackupError as error:
        _empty(store)
        raise BackupError(f"{error}{cleanup if cleanup not in str(error) else ''}") from None
    return manifest


def _compare_counts(manifest: Manifest, counts: dict[str, int], advice: str) -> None:
    differing = sorted(
        name for name in set(manifest.tables) | set(counts) if manifest.tables.get(name) != counts.get(name)
    )
    if differing:
        raise BackupError(f"These tables' row counts differ from the manifest: {', '.join(differing)}.{advice}")


def _empty(store: Storage) -> None:
    """Take back the files a failed restore copied (the storage was empty before it began)."""
    if not isinstance(store, LocalStorage):
        for stored in store.keys():
            store.delete(stored)
        return
    upload_dir = store.root
    if upload_dir.is_dir():
        for child in upload_dir.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def table_counts(database_url: str) -> dict[str, int]:
    """Each table's row count (FTS shadow tables left out, as in a manifest)."""
    if urlsplit(database_url).scheme == "sqlite":
        with closing(sqlite3.connect(_sqlite_path(database_url))) as connection:
            return _sqlite_counts(connection)[0]
    import psycopg2

    with closing(psycopg2.connect(_libpq_url(database_url))) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        names = [row[0] for row in cursor.fetchall()]
        counts = {}
        for name in names:
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = cursor.fetchone()[0]
        return counts


def _refuse_unless_empty(database_url: str, store: Storage) -> None:
    if _holds_files(store):
        raise BackupError(f"{store.describe()} already holds files: a backup is only restored into an empty one.")
    scheme = urlsplit(database_url).scheme
    exists = scheme != "sqlite" or Path(_sqlite_path(database_url)).exists()
    holding = {}
    if exists:
        holding = {
            name: count
            for name, count in table_counts(database_url).items()
            if count and name not in BOOKKEEPING_TABLES
        }
    if holding:
        named = ", ".join(f"{name} ({count})" for name, count in sorted(holding.items())[:5])
        raise BackupError(
            f"This install already holds data ({named}…): a backup is only restored into an empty one."
            " Point DATABASE_URL and UPLOAD_DIR (or STORAGE_URL) at a new database and folder (or bucket prefix)."
        )


def _restore_sqlite(copy: Path, target: str) -> None:
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(copy)) as source, closing(sqlite3.connect(target)) as destination:
        source.backup(destination)  # replaces the target's pages whole, WAL or not


def _holds_files(store: Storage) -> bool:
    if isinstance(store, LocalStorage):  # anything at all in the folder, a stray file of another program too
        return store.root.is_dir() and any(store.root.iterdir())
    try:
        return next(iter(store.keys()), None) is not None
    except StorageError as error:
        raise BackupError(f"The storage cannot be read: {error}") from None


def _restore_files(source: Path, store: Storage, manifest: Manifest) -> None:
    for relative in manifest.files:
        store.put(relative, (source / relative).read_bytes())


def prune(target: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest complete backups in `target` (their names sort by time)."""
    backups = sorted(p for p in target.glob("porch-*") if p.is_dir() and (p / MANIFEST).exists())
    removed = backups[: max(len(backups) - keep, 0)]
    for old in removed:
        shutil.rmtree(old)
    return removed
