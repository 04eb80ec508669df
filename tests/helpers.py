"""Helpers shared by the tests: a real SMTP sink, a browser-like client, mail parsing."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
import time

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
