"""Votes that close themselves (V5) and their reminders (V3): the job scheduled for a vote's end, and the sweep.

ballots.start() schedules close() for the vote's end (RQ's scheduler); the sweep (`rq cron` every minute,
`flask jobs tick` without Redis) closes any running vote whose end has passed, whatever became of its job,
and mails the per-rollam reminders that are due. Closing claims the vote first, so both running closes once.
"""

from __future__ import annotations

from blueprints.votes import closing, reminders
from jobs import job_context


def close(vote_id: int) -> bool:
    """Close one vote at its end, once (False: not due yet, or already closed)."""
    with job_context():
        return closing.close(vote_id)


def sweep() -> tuple[int, int]:
    """Close every vote whose end has passed and mail due reminders; (votes closed, reminder mails)."""
    with job_context():
        return len(closing.close_due()), reminders.send_due()
