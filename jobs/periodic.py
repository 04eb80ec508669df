"""Periodic work that runs once per interval, however many schedulers ask for it (issue 16 item 7).

Two machines may each run `rq cron jobs/schedule.py` (so that periodic work survives one of them), or
each have `flask jobs tick` in their crontab. RQ's cron scheduler keeps no shared state: every scheduler
queues every job. So each job is queued as `run(name)`, which first claims the job's current interval in
the database (the one place every machine shares, Redis or not): the first runner moves the job's `slot`
forward and does the work; every other runner of that interval finds the slot taken and skips it.

The interval a run belongs to is that of the moment it was asked for (the RQ job's enqueue time, or now
for `flask jobs tick`), not of the moment a busy worker gets to it: one scheduler's runs, an interval
apart, always fall in different intervals, so none is skipped for waiting in the queue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rq import get_current_job

from core import clock
from core.queue import job_function
from jobs import job_context
from models import PeriodicRun


@dataclass(frozen=True)
class Periodic:
    name: str  # as RQ's cron knows it ("outbox-sweep")
    job: str  # the function's dotted name
    interval: int  # seconds


PERIODIC = (
    Periodic("outbox-sweep", "jobs.email.sweep", 60),
    Periodic("invoice-delivery-sweep", "jobs.invoices.sweep", 300),
    Periodic("prune", "jobs.maintenance.prune", 3600),
    Periodic("event-reminders", "jobs.events.remind", 300),
    Periodic("post-mail-sweep", "jobs.community.sweep", 60),
    Periodic("mail-bounces", "jobs.mail_bounces.read_imap", 300),  # a no-op without MAIL_BOUNCE_IMAP_URL
    Periodic("votes-sweep", "jobs.votes.sweep", 60),  # closes votes whose end passed; reminders
    Periodic("meter-reminders", "jobs.meter_reminders.remind", 3600),  # a day's reminders, once each
    Periodic("saved-searches", "jobs.saved_searches.mail_new_homes", 3600),  # homes new to a saved search
    Periodic("listing-route-checks", "jobs.listing_checks.check_routes", 86400),  # daily: seekers' routes
    Periodic("waiting-list", "jobs.waiting_list.sweep", 3600),  # offer deadlines, renewals
    Periodic("expired-exports", "jobs.privacy.remove_expired_exports", 3600),  # data exports past their time
)
BY_NAME = {periodic.name: periodic for periodic in PERIODIC}

SKIPPED = "skipped"


def run(name: str):
    """Run the periodic job `name` unless another runner already ran it in this interval: its result, or
    "skipped"."""
    periodic = BY_NAME[name]
    with job_context():
        if not claim(name, slot_of(asked_at(), periodic.interval)):
            return SKIPPED
    return job_function(periodic.job)()


def asked_at() -> dt.datetime:
    """When this run was asked for: the RQ job's enqueue time (its scheduler's clock), else now."""
    job = get_current_job()
    if job is not None and job.enqueued_at is not None:
        return job.enqueued_at.replace(tzinfo=dt.UTC) if job.enqueued_at.tzinfo is None else job.enqueued_at
    return clock.now()


def slot_of(moment: dt.datetime, interval: int) -> int:
    return int(moment.timestamp()) // interval


def claim(name: str, slot: int) -> bool:
    """Move the job's slot forward to `slot`; False if this or a later interval was claimed already.

    One conditional UPDATE: on PostgreSQL a second runner's UPDATE waits for the first's row lock and then
    finds the slot no longer below its own; SQLite runs writes one at a time."""
    PeriodicRun.insert(name=name).on_conflict_ignore().execute()
    claimed = (
        PeriodicRun.update(slot=slot, runs=PeriodicRun.runs + 1, ran_at=clock.utcnow_naive())
        .where((PeriodicRun.name == name) & (PeriodicRun.slot < slot))
        .execute()
    )
    return claimed == 1
