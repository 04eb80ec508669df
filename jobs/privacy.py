"""Housekeeping of the privacy exports: a member's data and an association's whole export are kept only
until their download time passes (blueprints/exchange/privacy_jobs.py), then their files go."""

from blueprints.exchange import privacy_jobs
from jobs import job_context


def remove_expired_exports() -> int:
    """Remove the files of every export whose download time has passed; how many."""
    with job_context():
        return privacy_jobs.remove_expired()
