"""The post mail's job in a real `rq worker --with-scheduler` process, as production starts it (README):
the worker's scheduler queues the scheduled job once due, and the worker mails the thread's followers."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from blueprints.community import notifications
from models import OutboundEmail
from models.community import Category, PostDigest
from tests.blueprints.community.notify_helpers import Rq, follow, write
from tests.factories.community import make_topic

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_with_its_scheduler_sends_the_digest_once_due(
    app, alpha, make_user, redis, redis_url, smtp_server, database_url, tmp_path, frozen_clock
):
    # Porch's clock ten minutes behind the worker's, so the digest is due when the worker looks.
    frozen_clock.set(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10))
    author = make_user(alpha, "author@alpha.example", "member")
    reader = make_user(alpha, "reader@alpha.example", "tenant")
    everyone = Category.get((Category.association == alpha) & (Category.key == Category.EVERYONE))
    topic = make_topic(alpha, "Bicycle room", category=everyone)
    follow(topic, reader)
    write(app, topic, author, "The new racks are in.")
    rq = Rq(app, redis)
    (digest,) = PostDigest.select()
    assert rq.scheduled() == [notifications.job_id(digest.id)]
    rq.scheduler.release_locks()  # the worker's own scheduler takes over
    rq.come_due()

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": smtp_server.url,
        "REDIS_URL": redis_url,
        "BASE_URL": "http://porch.test",
        "PORCH_INSTANCE_DIR": str(tmp_path),
        "SECRET_KEY": "test",
    }
    command = [sys.executable, "-m", "rq.cli", "worker", "--worker-class", "worker.Worker", "--with-scheduler"]
    command += ["--burst", "--url", redis_url, app.config["RQ_QUEUE"]]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=60, capture_output=True)

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "reader@alpha.example" and "racks" in message.get_body(("plain",)).get_content()
    assert PostDigest.get_by_id(digest.id).state == PostDigest.SENT
    assert OutboundEmail.get().status == OutboundEmail.SENT
    assert rq.scheduled() == []
