"""Faults survived (issue 16 item 9), with real servers: Redis stopped, an RQ worker killed mid-job, an SMTP
server refusing. tests/jobs/test_email.py already covers SMTP down with the sweep, Redis unreachable at
enqueue and a worker killed while sending one mail; these are the cases it leaves out.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import core.queue
from core import clock, orders
from jobs.email import sweep
from models import OutboundEmail
from models.community import MailingRecipient
from models.exchange import ReportSettings
from models.mail import PdfOrder
from tests.blueprints.community.test_mailing import choose, send, write
from tests.helpers import SmtpSink, free_port
from tests.jobs.test_email import _children, _worker_env, queue_one, run_worker

pytestmark = pytest.mark.redis


# --- Redis stopped -----------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of this test's own, which it stops and starts again on the same port."""

    def __init__(self, directory: Path):
        self.port, self.directory = free_port(), directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # as a crash would: nothing saved (no persistence either)
            self.process.wait(5)
            self.process = None


@pytest.fixture
def own_redis(tmp_path, app_overrides):
    server = RedisServer(tmp_path)
    server.start()
    app_overrides["REDIS_URL"] = server.url
    yield server
    server.stop()


def test_with_redis_stopped_pages_answer_and_mail_waits_in_the_outbox_until_redis_is_back(
    own_redis, app, client, alpha, make_user, login, smtp_server, frozen_clock
):
    make_user(alpha, "eva@alpha.example", "board")
    own_redis.stop()

    started = time.monotonic()
    login(client, "eva@alpha.example", slug="alpha")
    assert client.get("/alpha/").status_code == 200
    assert client.get("/alpha/admin/mail").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["redis"] == "unavailable"
    # A change that mails: the password reset asked for on the login page.
    answer = client.submit("/forgot", {"email": "eva@alpha.example"})
    assert answer.status_code in (200, 302)
    assert time.monotonic() - started < 10  # no page waited long on the missing Redis
    (row,) = OutboundEmail.select()
    assert row.status == OutboundEmail.QUEUED and smtp_server.messages == []

    own_redis.start()  # back, and empty: the job queued before never reached it
    frozen_clock.advance(dt.timedelta(minutes=2))
    with app.app_context():
        assert sweep() == 1  # the outbox sweep hands it to a worker now
    run_worker(app, _redis(own_redis))
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "eva@alpha.example"
    assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT
    with app.app_context():
        assert sweep() == 0


def _redis(server: RedisServer):
    from redis import Redis

    return Redis.from_url(server.url)


# --- a worker killed mid-job -----------------------------------------------------------------------


@pytest.fixture
def quick_retries(monkeypatch):
    """RQ retries a job whose work horse died after 1 s instead of 10 (the interval is stored with the job)."""
    monkeypatch.setattr(core.queue, "RETRY_INTERVALS", [1, 1, 1, 1])


def _with_scheduler(redis_url: str, env: dict) -> subprocess.Popen:
    """A real `rq worker` that also queues due retries (as deploy/porch-worker.service runs it)."""
    command = [sys.executable, "-m", "rq.cli", "worker", "--worker-class", "worker.Worker", "--with-scheduler"]
    return subprocess.Popen(
        [*command, "--url", redis_url, "porch"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _work_horse(worker_pid: int) -> int:
    """The worker's newest child: the work horse forked for the running job (the scheduler came first)."""
    started = {
        pid: int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]) for pid in _children(worker_pid)
    }
    return max(started, key=started.get)


def _until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_a_worker_killed_while_it_renders_an_ordered_pdf_still_mails_it_once(
    quick_retries, app, alpha, make_user, redis, redis_url, smtp_server, database_url, tmp_path
):
    board = make_user(alpha, "eva@alpha.example", "board")
    ReportSettings.for_association(alpha)  # the board may order the units list (the default)
    with app.test_request_context():
        placed = orders.place(alpha, board, to_address="lists@example.com", language="en", report="units")
    worker = _with_scheduler(redis_url, _worker_env(app, database_url, smtp_server, redis_url, tmp_path))
    try:

        def rendering() -> bool:
            return PdfOrder.get_by_id(placed.id).state == PdfOrder.RENDERING

        _until(rendering, 60, "the worker never started the order")
        horse = _work_horse(worker.pid)
        os.kill(horse, signal.SIGKILL)
        assert PdfOrder.get_by_id(placed.id).state == PdfOrder.RENDERING  # killed mid-render, not after

        _until(lambda: PdfOrder.get_by_id(placed.id).state == PdfOrder.SENT, 60, "the order was never mailed")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    (mail,) = smtp_server.wait_for(1)
    assert [part.get_content_type() for part in mail.iter_attachments()] == ["application/pdf"]
    assert OutboundEmail.select().count() == 1  # one mail written, sent once


def test_a_worker_killed_in_the_middle_of_a_mailing_sends_every_mail_once(
    quick_retries, app, client, alpha, make_user, login, redis, redis_url, smtp_server, database_url, tmp_path
):
    """A mailing goes in chunks over one SMTP connection; the worker dies while the server holds one
    message: the mails before it stay sent, the ones after go with the job's retry, the held one with the
    sweep once its claim is old, and nobody gets one twice."""
    from tests.factories.register import make_person

    make_user(alpha, "board@alpha.example", "board")
    for name in ("ann", "bo", "cy", "di", "eve"):
        make_person(alpha, email=f"{name}@example.com", given_name=name.title(), surname="Resident")
    login(client, "board@alpha.example", slug="alpha")
    app.config["MAIL_SENDING_TIMEOUT"] = 2
    env = _worker_env(app, database_url, smtp_server, redis_url, tmp_path)
    mailing_id = write(client)
    choose(client, mailing_id)
    smtp_server.stall_after(2)  # the third message is held mid-send
    send(client, mailing_id)
    rows = MailingRecipient.select().where(MailingRecipient.mailing == mailing_id).count()
    assert rows == 6
    worker = _with_scheduler(redis_url, env)
    try:
        assert smtp_server.stalled.wait(60), "the worker never reached the third message"
        horse = _work_horse(worker.pid)
        os.kill(horse, signal.SIGKILL)
        smtp_server.release()

        def settled() -> bool:
            statuses = [row.status for row in OutboundEmail.select()]
            return statuses.count(OutboundEmail.SENT) == 5 and statuses.count(OutboundEmail.SENDING) == 1

        _until(settled, 60, "the job's retry did not send the mails after the held one")
        settled_at = clock.utcnow_naive()
        time.sleep(2.1)  # past MAIL_SENDING_TIMEOUT: the held one counts as abandoned
        with app.app_context():
            handed = sweep()
            # The sweep hands the held one to a job. On a loaded machine RQ may run the killed job a second
            # time after the retry that sent the others, and that run claims the abandoned row itself: a
            # claim made after the others settled, held by a live sender, which the sweep rightly leaves
            # (seen once in CI). Either way it must go, and only once (below).
            held = OutboundEmail.get_or_none(OutboundEmail.status == OutboundEmail.SENDING)
            assert handed == 1 or (handed == 0 and (held is None or held.claimed_at > settled_at))
        _until(lambda: len(smtp_server.messages) == 6, 60, "the held mail never went")
        # The server has the mail a moment before its sender marks the row sent: stop the worker after that.
        _until(
            lambda: OutboundEmail.select().where(OutboundEmail.status != OutboundEmail.SENT).count() == 0,
            60,
            "a sent mail was never marked sent",
        )
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    assert {row.status for row in OutboundEmail.select()} == {OutboundEmail.SENT}
    addresses = sorted(m["X-Envelope-To"] for m in smtp_server.messages)
    assert len(addresses) == len(set(addresses)) == 6  # everyone once


# --- the SMTP server refusing ------------------------------------------------------------------------


def test_mail_the_smtp_server_refuses_is_retried_with_growing_back_off_and_the_board_sees_it(
    app, client, alpha, make_user, login, redis, smtp_server, frozen_clock
):
    make_user(alpha, "eva@alpha.example", "board")
    login(client, "eva@alpha.example", slug="alpha")
    smtp_server.refuse("451 4.3.2 Please try again later")
    row = queue_one(app, alpha, "ann@example.com")
    run_worker(app, redis)  # RQ's first try; its retries wait in the scheduled registry
    waits = []
    for _ in range(3):
        failed = OutboundEmail.get_by_id(row.id)
        assert failed.status == OutboundEmail.FAILED and "451" in failed.last_error
        waits.append(failed.next_attempt_at - frozen_clock.now.replace(tzinfo=None))
        with app.app_context():
            assert sweep() == 0  # not before its back-off has passed
        frozen_clock.set(failed.next_attempt_at)
        with app.app_context():
            assert sweep() == 1  # its time: the sweep hands it to a worker again
        run_worker(app, redis)
    assert waits[0] < waits[1] < waits[2]  # each wait longer than the one before
    page = client.get("/alpha/admin/mail").get_data(as_text=True)
    assert "Failed" in page and "(451, b&#39;4.3.2 Please try again later&#39;)" in page and "4 attempts" in page
    assert smtp_server.messages == []

    smtp_server.refuse(None)  # the server takes mail again
    frozen_clock.set(OutboundEmail.get_by_id(row.id).next_attempt_at)
    with app.app_context():
        assert sweep() == 1
    run_worker(app, redis)
    assert len(smtp_server.wait_for(1)) == 1
    assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT
    assert "Sent" in client.get("/alpha/admin/mail").get_data(as_text=True)


def test_mail_refused_every_time_stops_after_the_last_attempt_and_the_board_can_send_it_again(
    app, client, alpha, make_user, login, smtp_server, frozen_clock
):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    make_user(alpha, "eva@alpha.example", "board")
    login(client, "eva@alpha.example", slug="alpha")
    smtp_server.refuse("550 5.7.1 Relaying denied")
    row = queue_one(app, alpha, "ann@example.com")  # inline: the first attempt
    frozen_clock.advance(dt.timedelta(hours=1))
    with app.app_context():
        assert sweep() == 1  # the second and last
        frozen_clock.advance(dt.timedelta(days=1))
        assert sweep() == 0  # given up
    assert OutboundEmail.get_by_id(row.id).attempts == 2
    page = client.get("/alpha/admin/mail?state=failed").get_data(as_text=True)
    assert "(550, b&#39;5.7.1 Relaying denied&#39;)" in page and "Send again now" in page

    smtp_server.refuse(None)
    answer = client.submit(f"/alpha/admin/mail/{row.id}/retry", {}, form_page="/alpha/admin/mail")
    assert answer.status_code == 302
    assert len(smtp_server.wait_for(1)) == 1 and OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT


# --- an SMTP sink that can refuse and hold the n-th message -----------------------------------------


class RefusingSmtpSink(SmtpSink):
    refusal: str | None = None
    stall_at: int | None = None
    seen = 0

    def refuse(self, reply: str | None) -> None:
        """Answer every message with this SMTP reply (None: take them again)."""
        self.refusal = reply

    def stall_after(self, count: int) -> None:
        """Take `count` messages, then hold the next one mid-send until release()."""
        self.stall_at, self.stalled = count, threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refusal:
            return self.refusal
        if self.stall_at is not None and len(self.messages) == self.stall_at:
            self.stall_at, self.stall = None, threading.Event()  # SmtpSink holds this one
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp_server():
    sink = RefusingSmtpSink()
    sink.start()
    yield sink
    sink.stop()
