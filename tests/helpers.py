"""Helpers shared by the tests: a real SMTP sink, a browser-like client, mail parsing."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import re
import shutil
import socket
import sqlite3
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

PASSWORD = "correct-horse-battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """An aiosmtpd server on loopback that keeps every message it receives."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=5"

    stall: threading.Event | None = None  # set by stall_next(): the next DATA waits until released
    stalled: threading.Event | None = None

    def stall_next(self) -> None:
        """Hold the next message mid-send (DATA received, not yet answered) until release()."""
        self.stall, self.stalled = threading.Event(), threading.Event()

    def release(self) -> None:
        if self.stall is not None:
            self.stall.set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.stall is not None and not self.stall.is_set():
            stall, self.stall = self.stall, None
            self.stalled.set()
            # The sender waits for our answer: the moment to kill it. Nothing is kept from this one.
            await asyncio.get_running_loop().run_in_executor(None, stall.wait, 30)
            return "451 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        message["X-Envelope-From"] = envelope.mail_from
        self.messages.append(message)
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def wait_for(self, count: int, timeout: float = 10) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, path_part: str) -> str:
    """The first URL in a mail's text containing path_part, as a path for the test client."""
    for word in text_of(message).split():
        if path_part in word:
            return word[word.index("/", len("http://")) :]
    raise AssertionError(f"no link with {path_part!r} in:\n{text_of(message)}")


class Client:
    """Flask's test client plus CSRF tokens read from the last page, as a browser would."""

    def __init__(self, flask_client):
        self.http = flask_client

    def __getattr__(self, name):
        return getattr(self.http, name)

    def csrf(self, path: str = "/login") -> str:
        page = self.http.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'"X-CSRFToken": "([^"]+)"', page
        )
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def submit(self, path: str, data: dict, *, form_page: str | None = None, **kwargs):
        """POST a form the way a browser would: with the token from the form's page."""
        data = {"csrf_token": self.csrf(form_page or path), **data}
        return self.http.post(path, data=data, **kwargs)


class WorldSnapshot:
    """A copy of a test's database and files, put back into a later test's (the access matrix's world).

    SQLite: the database file (SQLite's backup API). PostgreSQL: each table's rows as COPY text and each
    id sequence's position, kept in memory, so nothing is left in the database (backups of it stay the
    app's own). What a test holds besides its database is its upload and outbox folders.
    """

    MAX_AGE = 60  # seconds
    FOLDERS = ("uploads", "outbox")

    def __init__(self, directory):
        self.directory = directory
        self.taken_at: float | None = None
        self.values: dict = {}
        self.tables: dict[str, bytes] = {}
        self.sequences: dict[str, int] = {}

    def fresh(self) -> bool:
        return self.taken_at is not None and time.monotonic() - self.taken_at < self.MAX_AGE

    def take(self, app, tmp_path, values: dict) -> None:
        from models.db import db

        for folder in self.FOLDERS:
            shutil.rmtree(self.directory / folder, ignore_errors=True)
            if (tmp_path / folder).exists():
                shutil.copytree(tmp_path / folder, self.directory / folder)
        db.connect(reuse_if_open=True)  # the test's connection (the app fixture's), left open
        if _is_sqlite(db):
            target = sqlite3.connect(self.directory / "world.sqlite3")
            db.connection().backup(target)
            target.close()
        else:
            self._copy_out(db)
        self.values = dict(values)
        self.taken_at = time.monotonic()

    def restore(self, app, tmp_path) -> None:
        from models.db import db

        for folder in self.FOLDERS:
            if (self.directory / folder).exists():
                shutil.copytree(self.directory / folder, tmp_path / folder, dirs_exist_ok=True)
        if _is_sqlite(db):
            path = Path(db.obj.database)
            db.close()
            for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copy(self.directory / "world.sqlite3", path)
            db.connect()
            return
        db.connect(reuse_if_open=True)
        self._copy_in(db)

    def _copy_out(self, db) -> None:
        from models import ALL_MODELS

        tables = [model._meta.table_name for model in ALL_MODELS]
        cursor = db.connection().cursor()
        self.tables = {}
        for table in tables:
            buffer = io.BytesIO()
            cursor.copy_expert(f'COPY "{table}" TO STDOUT', buffer)
            if buffer.getvalue():
                self.tables[table] = buffer.getvalue()
        positions = ", ".join(
            f"pg_sequence_last_value(pg_get_serial_sequence('\"{table}\"', 'id'))" for table in tables
        )
        cursor.execute(f"SELECT {positions}")
        self.sequences = {
            table: value for table, value in zip(tables, cursor.fetchone(), strict=True) if value is not None
        }

    def _copy_in(self, db) -> None:
        """Into the emptied tables (tests/conftest.py), in one transaction with foreign-key triggers off."""
        with db.atomic():
            cursor = db.connection().cursor()
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, rows in self.tables.items():
                cursor.copy_expert(f'COPY "{table}" FROM STDIN', io.BytesIO(rows))
            if self.sequences:
                positions = ", ".join(
                    f"setval(pg_get_serial_sequence('\"{table}\"', 'id'), {value}, true)"
                    for table, value in self.sequences.items()
                )
                cursor.execute(f"SELECT {positions}")


def _is_sqlite(db) -> bool:
    import peewee

    return isinstance(db.obj, peewee.SqliteDatabase)
