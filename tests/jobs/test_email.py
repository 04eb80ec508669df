"""Mail through the outbox: real Redis, RQ workers and a real SMTP server (SPEC C5, X4)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler

from core.mail import job_id_for, queue_mail, store_attachment
from jobs.email import deliver, sweep
from models import OutboundAttachment, OutboundEmail
from models.db import transaction
from tests.helpers import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def run_worker(app, redis):
    """An RQ worker in this process (burst: it stops when the queue is empty)."""
    queue = Queue(app.config["RQ_QUEUE"], connection=redis)
    with app.app_context():
        SimpleWorker([queue], connection=redis).work(burst=True)
    return queue


def queue_one(app, alpha, address="resident@example.com"):
    with app.test_request_context(), transaction():
        row = queue_mail(
            "reset", address, language="en", association=alpha, user=None, link="http://porch.test/reset/x"
        )
    return row


def test_signup_mail_goes_through_redis_and_a_worker_once(app, client, alpha, make_person, redis, smtp_server):
    make_person(alpha, email="maja@example.com")
    client.submit(
        "/alpha/signup", {"email": "maja@example.com", "password": PASSWORD, "confirm": PASSWORD, "accept": "y"}
    )
    row = OutboundEmail.get()
    assert row.status == OutboundEmail.QUEUED
    assert smtp_server.messages == []  # queued, not sent by the web request
    assert redis.exists(f"rq:job:{job_id_for(row.id)}")

    run_worker(app, redis)
    (mail,) = smtp_server.wait_for(1)
    assert mail["Content-Language"] == "en"
    row = OutboundEmail.get_by_id(row.id)
    assert row.status == OutboundEmail.SENT and row.sent_at is not None and row.attempts == 1


def test_a_job_run_twice_sends_once(app, alpha, redis, smtp_server):
    row = queue_one(app, alpha)
    # The same job queued again (a sweep racing the first enqueue) and run by the worker:
    queue = Queue(app.config["RQ_QUEUE"], connection=redis)
    queue.enqueue(deliver, row.id, job_id=job_id_for(row.id) + "-again")
    run_worker(app, redis)
    with app.app_context():
        assert deliver(row.id) == "skipped"
    assert len(smtp_server.wait_for(1, timeout=1)) == 1
    assert OutboundEmail.get_by_id(row.id).attempts == 1


def test_smtp_down_leaves_the_row_unsent_and_the_sweep_delivers_it(app, alpha, redis, smtp_server, frozen_clock):
    smtp_server.stop()
    row = queue_one(app, alpha)
    run_worker(app, redis)
    row = OutboundEmail.get_by_id(row.id)
    assert row.status == OutboundEmail.FAILED
    assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    assert row.sent_at is None

    # The sweep leaves it alone until its back-off has passed.
    with app.app_context():
        assert sweep() == 0
    smtp_server.start()
    frozen_clock.advance(dt.timedelta(minutes=10))
    with app.app_context():
        assert sweep() == 1
    run_worker(app, redis)
    assert len(smtp_server.wait_for(1)) == 1
    assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT
    with app.app_context():
        assert sweep() == 0


def test_redis_down_at_enqueue_loses_nothing(app, alpha, smtp_server, app_overrides, frozen_clock):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    row = queue_one(app, alpha)
    assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.QUEUED
    app.config["REDIS_URL"] = None  # Redis gone for good: the cron tick sends inline
    frozen_clock.advance(dt.timedelta(minutes=2))
    with app.app_context():
        assert sweep() == 1
    assert len(smtp_server.wait_for(1)) == 1


def test_a_real_rq_worker_process_delivers(app, alpha, redis, redis_url, smtp_server, database_url, tmp_path):
    row = queue_one(app, alpha)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": smtp_server.url,
        "REDIS_URL": redis_url,
        "PORCH_INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": "test",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rq.cli",
            "worker",
            "--worker-class",
            "worker.Worker",
            "--burst",
            "--url",
            redis_url,
            app.config["RQ_QUEUE"],
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )
    assert len(smtp_server.wait_for(1)) == 1
    assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT


@pytest.fixture
def bounces_to_verp(app_overrides):
    app_overrides["MAIL_BOUNCE_ADDRESS"] = "bounce@porch.test"


def test_envelope_sender_names_the_row_and_non_essential_mail_offers_unsubscribing(
    bounces_to_verp, app, alpha, smtp_server
):
    with app.test_request_context(), transaction():
        row = queue_mail(
            "reset", "maja@example.com", language="en", association=alpha, link="http://porch.test/reset/x",
            unsubscribe_url="http://porch.test/alpha/unfollow/abc",
        )  # fmt: skip
    (mail,) = smtp_server.wait_for(1)
    assert mail["X-Envelope-From"] == f"bounce+{row.id}@porch.test"
    assert mail["List-Unsubscribe"] == "<http://porch.test/alpha/unfollow/abc>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_essential_mail_has_no_unsubscribe_header(app, alpha, smtp_server):
    queue_one(app, alpha)
    (mail,) = smtp_server.wait_for(1)
    assert mail["List-Unsubscribe"] is None


def test_more_files_go_with_the_mail_and_only_the_rows_own_are_removed_once_sent(app, alpha, smtp_server):
    with app.test_request_context(), transaction():
        shared, _name = store_attachment("rules.pdf", b"%PDF-1.4 shared")
        own, _name = store_attachment("statement.pdf", b"%PDF-1.4 own")
        row = queue_mail("reset", "maja@example.com", language="en", association=alpha, link="http://x/")
        OutboundAttachment.create(email=row, path=shared, name="rules.pdf", shared=True)
        OutboundAttachment.create(email=row, path=own, name="statement.pdf")
    (mail,) = smtp_server.wait_for(1)
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert files == {"rules.pdf": b"%PDF-1.4 shared", "statement.pdf": b"%PDF-1.4 own"}
    with app.app_context():
        from core.mail import attachment_file

        assert attachment_file(shared).exists() and not attachment_file(own).exists()


def test_without_redis_or_smtp_mail_lands_in_the_outbox_folder(app, alpha, outbox):
    row = queue_one(app, alpha, "folder@example.com")
    files = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: folder@example.com" in text
    assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT


def test_mail_is_written_in_the_recipients_language(app, alpha, outbox):
    with app.test_request_context(), transaction():
        row = queue_mail("reset", "a@example.com", language="sv", association=alpha, link="http://x/reset/y")
        czech = queue_mail("reset", "b@example.com", language="cs", association=alpha, link="http://x/reset/y")
    assert row.subject != "Choose a new password"
    assert row.language == "sv" and "lösenord" in row.subject.lower()
    assert czech.language == "cs" and "heslo" in czech.subject.lower()


def test_rows_are_committed_with_the_change_or_not_at_all(app, alpha, outbox):
    try:
        with app.test_request_context(), transaction():
            queue_mail("reset", "a@example.com", language="en", association=alpha, link="x")
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert OutboundEmail.select().count() == 0
    assert not list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))


def test_cron_schedule_registers_the_sweep(redis):
    scheduler = CronScheduler(connection=redis)
    scheduler.load_config_from_file("jobs/schedule.py")
    names = {job.name for job in scheduler.get_jobs()}
    assert {"outbox-sweep", "prune"} <= names


def test_flask_jobs_tick_runs_the_sweep(app, alpha, outbox, frozen_clock):
    with app.test_request_context(), transaction():
        queue_mail("reset", "a@example.com", language="en", association=alpha, link="x")
    OutboundEmail.update(status=OutboundEmail.FAILED).execute()
    frozen_clock.advance(dt.timedelta(minutes=5))
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert "Re-queued 1" in result.output
    assert OutboundEmail.get().status == OutboundEmail.SENT


# --- a worker that dies mid-send (issue 17, item 11) -------------------------------------------


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (an RQ worker's work horse), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _worker(redis_url, env, *, burst: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "rq.cli", "worker", "--worker-class", "worker.Worker", "--url", redis_url]
    return subprocess.Popen(
        [*command, *(["--burst"] if burst else []), "porch"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _worker_env(app, database_url, smtp_server, redis_url, tmp_path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": smtp_server.url,
        "REDIS_URL": redis_url,
        "PORCH_INSTANCE_DIR": str(tmp_path),
        "UPLOAD_DIR": str(app.config["UPLOAD_DIR"]),
        "SECRET_KEY": "test",
        "MAIL_SENDING_TIMEOUT": "2",
    }


@pytest.mark.parametrize("killed", ["work horse", "whole worker"])
def test_mail_sent_by_a_worker_killed_mid_send_arrives_once_after_the_next_sweep(
    app, alpha, redis, redis_url, smtp_server, database_url, tmp_path, monkeypatch, killed
):
    """SIGKILL in the middle of `deliver` (out of memory, a unit stopped, a host gone): the row is left
    "sending" and RQ's job "started"; the next sweep after MAIL_SENDING_TIMEOUT queues it again and the
    mail arrives exactly once."""
    import core.queue

    app.config["MAIL_SENDING_TIMEOUT"] = 2
    # A whole worker gone leaves its job "started" with a heartbeat that stops; wait 1 s, not 90.
    monkeypatch.setattr(core.queue, "HEARTBEAT_GRACE", dt.timedelta(seconds=1))
    env = _worker_env(app, database_url, smtp_server, redis_url, tmp_path)
    smtp_server.stall_next()
    row = queue_one(app, alpha)
    worker = _worker(redis_url, env, burst=False)
    try:
        assert smtp_server.stalled.wait(30), "the worker never reached the SMTP server"
        (horse,) = _children(worker.pid)
        os.kill(horse, signal.SIGKILL)
        if killed == "whole worker":
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        smtp_server.release()
        assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENDING
        time.sleep(2.5)  # past MAIL_SENDING_TIMEOUT
        with app.app_context():
            assert sweep() == 1  # queued again for real, not only counted
        started = time.monotonic()
        if killed == "whole worker":  # another worker (or the same one restarted) takes it
            _worker(redis_url, env, burst=True).wait(60)
        (mail,) = smtp_server.wait_for(1, timeout=60)  # the surviving worker takes it
        assert time.monotonic() - started < 60
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1  # exactly once
