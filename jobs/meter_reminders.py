"""The periodic meter reading reminders (SPEC M3): `rq cron` every hour, `flask jobs tick` without Redis."""

from __future__ import annotations

from blueprints.meters import reminders
from jobs import job_context


def remind() -> int:
    """Mail the reading reminders that are due; idempotent (one ReadingReminder row per window and member).
    Links are built from BASE_URL (core.mail.external_url), as no request is running."""
    with job_context():
        return reminders.send_due()
