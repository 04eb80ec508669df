"""The delayed mail about new posts (C2): the job that sends one thread's waiting posts, and the sweep.

blueprints/community/notifications.py opens a PostDigest for a thread's first new post and schedules
send_digest for its due time (RQ's scheduler); the sweep (`rq cron` every minute, `flask jobs tick`
without Redis) sends any digest that is due and has no job waiting."""

from __future__ import annotations

from blueprints.community import notifications
from jobs import job_context


def send_digest(digest_id: int) -> str:
    """Mail a digest's posts as they are now, once (a digest already sent is skipped)."""
    with job_context():
        return notifications.send(digest_id)


def sweep() -> int:
    """Send, or hand to a worker, every due digest; how many."""
    with job_context():
        return notifications.send_due()
