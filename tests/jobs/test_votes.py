"""A vote closes itself at its end through real Redis: the job ballots.start() scheduled, run by RQ's scheduler
and a worker (step by step in this process, and by a real `rq worker --with-scheduler` as production runs it),
and the periodic sweep (`flask jobs tick`). Whichever comes first closes it; the other finds nothing to do:
one result document, one set of mails."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from blueprints.votes import ballots, closing
from models import OutboundEmail
from models.db import db
from models.documents import Document
from models.votes import Vote
from tests.blueprints.community.notify_helpers import Rq
from tests.blueprints.votes import closing_helpers
from tests.blueprints.votes.closing_helpers import cast
from tests.factories.votes import make_vote

house = closing_helpers.house  # a fixture
ROOT = Path(__file__).resolve().parents[2]
OWNERS_AND_PROXY = 5  # flat 1's two owners, flat 2's owner and its proxy who voted, flat 3's owner


@pytest.fixture
def rq(app, redis):
    return Rq(app, redis)


def started(app, alpha, house) -> Vote:
    with app.app_context():
        vote = make_vote(alpha, "Roof repair", kind=Vote.PER_ROLLAM, days=15)
        cast(vote, house["anna"], house["one"], "For")
        cast(vote, house["dan"], house["two"], "Against")
    return vote


def results(vote) -> tuple[str, int, int]:
    """(state, result documents, result mails)"""
    mails = OutboundEmail.select().where(OutboundEmail.kind == "vote_result").count()
    return Vote.get_by_id(vote.id).state, Document.select().count(), mails


def tick(app) -> str:
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_job_scheduled_at_the_end_closes_the_vote_and_the_sweep_after_it_does_nothing(
    app, alpha, house, rq, outbox, frozen_clock
):
    vote = started(app, alpha, house)
    assert rq.scheduled() == [ballots.close_job_id(vote.id)]
    rq.run()  # not due: the scheduler leaves it waiting
    assert results(vote) == (Vote.RUNNING, 0, 0)

    frozen_clock.set(vote.ends_at)
    rq.come_due()
    rq.run()
    assert results(vote) == (Vote.CLOSED, 1, OWNERS_AND_PROXY)
    assert rq.scheduled() == []
    assert "0 vote(s) closed" in tick(app)
    assert results(vote) == (Vote.CLOSED, 1, OWNERS_AND_PROXY)
    # Every result mail was delivered by the worker (SMTP_URL unset: written to the outbox folder).
    assert {row.status for row in OutboundEmail.select()} == {OutboundEmail.SENT}


def test_the_sweep_closes_the_vote_first_and_the_job_after_it_does_nothing(app, alpha, house, rq, outbox, frozen_clock):
    vote = started(app, alpha, house)
    frozen_clock.set(vote.ends_at - dt.timedelta(seconds=1))
    assert "0 vote(s) closed" in tick(app)  # a second early
    frozen_clock.set(vote.ends_at + dt.timedelta(seconds=30))
    assert "1 vote(s) closed" in tick(app)
    assert results(vote) == (Vote.CLOSED, 1, OWNERS_AND_PROXY)

    rq.come_due()
    rq.run()  # the scheduled job comes: already closed
    assert results(vote) == (Vote.CLOSED, 1, OWNERS_AND_PROXY)


def test_the_job_and_the_sweep_at_the_same_moment_close_it_once(app, alpha, house, outbox, frozen_clock):
    vote = started(app, alpha, house)
    frozen_clock.set(vote.ends_at)
    closed, ready = [], threading.Barrier(2)

    def closer():
        with app.app_context():
            db.connect(reuse_if_open=True)  # each thread has its own connection
            try:
                ready.wait()
                closed.append(closing.close(vote.id))
            finally:
                db.close()

    threads = [threading.Thread(target=closer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(closed) == [False, True]
    assert results(vote) == (Vote.CLOSED, 1, OWNERS_AND_PROXY)


def test_a_worker_with_its_scheduler_closes_the_vote_at_its_end(
    app, alpha, house, redis, redis_url, smtp_server, database_url, tmp_path, frozen_clock
):
    # Porch's clock twenty days behind the worker's: the vote (fifteen days long) has ended when it looks.
    frozen_clock.set(dt.datetime.now(dt.UTC) - dt.timedelta(days=20))
    vote = started(app, alpha, house)
    rq = Rq(app, redis)
    assert rq.scheduled() == [ballots.close_job_id(vote.id)]
    rq.scheduler.release_locks()  # the worker's own scheduler takes over
    rq.come_due()

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": smtp_server.url,
        "REDIS_URL": redis_url,
        "BASE_URL": "http://porch.test",
        "PORCH_INSTANCE_DIR": str(tmp_path),
        "UPLOAD_DIR": str(app.config["UPLOAD_DIR"]),
        "SECRET_KEY": "test",
    }
    command = [sys.executable, "-m", "rq.cli", "worker", "--worker-class", "worker.Worker", "--with-scheduler"]
    command += ["--burst", "--url", redis_url, app.config["RQ_QUEUE"]]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)

    # The voters' receipts went out through the same worker; the result mails are the ones with the protocol.
    receipts = OutboundEmail.select().where(OutboundEmail.kind == "vote_receipt").count()
    messages = smtp_server.wait_for(OWNERS_AND_PROXY + receipts)
    messages = [m for m in messages if any(m.iter_attachments())]
    assert sorted(m["To"] for m in messages) == [f"{n}@alpha.example" for n in ("anna", "ben", "cilla", "dan", "eva")]
    message = next(m for m in messages if m["To"] == "anna@alpha.example")
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"vote-{vote.id}-protocol.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    assert results(vote) == (Vote.CLOSED, 1, OWNERS_AND_PROXY)
