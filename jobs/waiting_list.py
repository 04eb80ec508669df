"""The waiting list's periodic work (L4): `rq cron` every hour, `flask jobs tick` without Redis. Offers past
their deadline become unanswered (the third in a row makes the applicant passive), renewal reminders go 30 and
7 days before the renewal is due, seniority goes after the grace period, and unconfirmed sign-ups and old
throttle rows are cleared. Idempotent: running it twice mails once."""

from __future__ import annotations

from blueprints.listings import waiting_service
from jobs import job_context
from models.listings import WaitingListRules
from models.portal import Association


def sweep() -> tuple[int, int, int]:
    """(offers expired, renewal reminders mailed, seniorities lost)."""
    with job_context():
        expired = waiting_service.expire_offers()
        reminded = lost = 0
        charging = Association.select().join(WaitingListRules, on=(WaitingListRules.association == Association.id))
        for association in charging.where(WaitingListRules.fee.is_null(False)).order_by(Association.id):
            mailed, gone = waiting_service.renewals(association)
            reminded, lost = reminded + mailed, lost + gone
        waiting_service.prune_unconfirmed()
        waiting_service.prune_requests()
        return expired, reminded, lost
