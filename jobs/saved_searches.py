"""Saved searches by e-mail (issue 15 item 2): `rq cron` hourly, `flask jobs tick` without Redis, and queued
when the board lists a new home.

Each run first purges the searches never confirmed whose link has expired (three days after saving) and
those unsubscribed more than a day ago, then mails every confirmed search the homes that newly match it, one
mail per search listing them all; a SavedSearchHit per search and home makes it idempotent."""

from __future__ import annotations

from blueprints.listings import saved_searches
from jobs import job_context


def mail_new_homes() -> int:
    """Purge stale searches, then mail the new homes; the number of mails written. Links are built from
    BASE_URL (core.mail.external_url) when no request is running."""
    with job_context():
        saved_searches.purge()
        return saved_searches.mail_new_homes()
