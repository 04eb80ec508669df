"""The periodic reminder of coming events (SPEC D4): `rq cron` every five minutes, `flask jobs tick` without Redis."""

from __future__ import annotations

from blueprints.documents import reminders
from jobs import job_context


def remind() -> int:
    """Mail the event reminders that are due; idempotent (each reminder is a unique row). Their links are
    built from BASE_URL (core.mail.external_url), as no request is running."""
    with job_context():
        return reminders.send_due()
