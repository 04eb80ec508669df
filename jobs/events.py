"""The periodic reminder of coming events (SPEC D4): `rq cron` every five minutes, `flask jobs tick` without Redis."""

from __future__ import annotations

from flask import has_request_context

from blueprints.documents import reminders
from jobs import job_context


def remind() -> int:
    """Mail the event reminders that are due; idempotent (each reminder is a unique row)."""
    with job_context() as app:
        if has_request_context():
            return reminders.send_due()
        # The mails link to the events' pages: url_for needs a request to build them outside one.
        with app.test_request_context("/", base_url=app.config.get("BASE_URL") or None):
            return reminders.send_due()
