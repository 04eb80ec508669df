"""Background jobs by name: on RQ when REDIS_URL is set, otherwise inline once the transaction commits.

Jobs are named by their dotted path ("jobs.email.deliver"), as RQ stores them:
code that queues work never imports the module that does it, so no view, model
or core module depends on a job module.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from core import clock
from models.db import after_commit

log = logging.getLogger(__name__)

# Seconds between RQ's retries; the outbox sweep takes over after the last one.
RETRY_INTERVALS = [10, 60, 300, 900]


def redis_connection(url: str | None = None) -> Redis:
    return Redis.from_url(url or current_app.config["REDIS_URL"])


def get_queue(url: str | None = None) -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=redis_connection(url))


def enqueue(job: str, *args, job_id: str) -> None:
    """Run the job named `job` ("jobs.email.deliver") with `args` once the current transaction commits.

    The job id names the row the job works on, so the sweep can tell whether a
    job for it is already waiting. A job that cannot be queued (Redis down) or
    that fails inline leaves its row for the sweep; nothing is lost.
    """
    after_commit(lambda: _dispatch(job, args, job_id))


def enqueue_at(job: str, *args, at: dt.datetime, job_id: str) -> None:
    """Run the job named `job` at `at` (naive UTC, as stored) once the current transaction commits.

    With Redis it waits in RQ's scheduled-job registry until a worker's scheduler (`rq worker
    --with-scheduler`) queues it. Without Redis nothing runs now: the periodic sweep of the job's rows
    (`flask jobs tick`) runs what is due. As with enqueue(), a job that cannot be scheduled leaves its
    row to that sweep, and a job id already waiting is not scheduled twice.
    """
    after_commit(lambda: dispatch_at(job, *args, at=at, job_id=job_id))


def dispatch_at(job: str, *args, at: dt.datetime, job_id: str) -> bool:
    """Schedule now, outside any transaction; False without Redis, or if a live job for job_id already waits."""
    if not current_app.config.get("REDIS_URL"):
        return False
    # RQ's scheduler reads the host's clock, Porch reads core.clock (frozen in tests): the job waits as
    # long as Porch's clock says is left, whatever the two clocks read.
    delay = max(at - clock.utcnow_naive(), dt.timedelta(0))
    try:
        queue = get_queue()
        if _already_waiting(queue, job_id, scheduled_waits=True):
            return False
        queue.enqueue_in(
            delay,
            job,
            *args,
            job_id=job_id,
            **_job_options(),
        )
    except RedisError:
        log.exception("could not schedule job %s; the sweep will run it when due", job_id)
        return False
    return True


def _job_options() -> dict:
    """How every job is queued: retried after RETRY_INTERVALS, its result kept an hour, a failure a week."""
    return dict(
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS), result_ttl=3600, failure_ttl=7 * 24 * 3600
    )


def is_retry() -> bool:
    """Whether the running job is RQ's retry of an earlier run of the same job, which raised or died (its work
    horse killed, its worker gone): that run is over, so what it claimed and left half done is no one's."""
    from rq import get_current_job

    job = get_current_job()
    return job is not None and job.retries_left is not None and job.retries_left < len(RETRY_INTERVALS)


def current_job_id() -> str | None:
    """The id of the RQ job running now (None inline)."""
    from rq import get_current_job

    job = get_current_job()
    return job.id if job is not None else None


def job_function(name: str):
    """The function a dotted job name stands for."""
    module, _, function = name.rpartition(".")
    return getattr(importlib.import_module(module), function)


def dispatch(job: str, *args, job_id: str, scheduled_waits: bool = False) -> bool:
    """Queue (or run inline) now, outside any transaction; False if a live job for job_id already waits.

    `scheduled_waits`: a job scheduled for a time (enqueue_at) that a scheduler will still queue counts as
    waiting. Without it a scheduled job (RQ's retry of a failed one, after its interval) is queued now."""
    return _dispatch(job, args, job_id, scheduled_waits)


def _dispatch(job: str, args: tuple, job_id: str, scheduled_waits: bool = False) -> bool:
    if not current_app.config.get("REDIS_URL"):
        try:
            job_function(job)(*args)
        except Exception:  # the row records the error; the sweep retries it
            log.exception("inline job %s failed", job_id)
        return True
    try:
        queue = get_queue()
        if _already_waiting(queue, job_id, scheduled_waits):
            return False
        queue.enqueue(
            job,
            *args,
            job_id=job_id,
            **_job_options(),
        )
    except RedisError:
        log.exception("could not queue job %s; the sweep will retry", job_id)
        return False
    return True


def _already_waiting(queue: Queue, job_id: str, scheduled_waits: bool = False) -> bool:
    """Whether a job with this id is queued, or started on a worker that still reports.

    RQ's worker refreshes a running job's heartbeat every 30 s. A job marked started whose
    heartbeat stopped lost its worker (killed mid-job, out of memory, a host that went down):
    it is dropped, so the work is queued afresh; the row's claim keeps it from being done twice.
    With `scheduled_waits`, a job scheduled for a time waits too, unless no scheduler queued it.
    """
    try:
        job = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status == "queued":
        return True
    if status == "scheduled" and scheduled_waits:
        return _scheduled_in_time(queue, job)
    if status == "started":
        beat = job.last_heartbeat or job.started_at
        if beat is not None and _now() - _aware(beat) < HEARTBEAT_GRACE:
            return True
        job.delete()  # also out of the started registry, which would otherwise fail it later
    return False


def _scheduled_in_time(queue: Queue, job: Job) -> bool:
    """Whether a scheduled job will still be queued by a scheduler: its time has not long passed.

    A worker's scheduler moves due jobs every second; one whose time is well past has no scheduler
    (workers started without --with-scheduler): it leaves the registry, so the sweep queues it now."""
    registry = ScheduledJobRegistry(queue=queue)
    try:
        at = registry.get_scheduled_time(job.id)
    except NoSuchJobError:
        at = None
    if at is not None and _now() - at < SCHEDULER_GRACE:
        return True
    registry.remove(job.id)
    job.delete()
    return False


# A worker's scheduler queues a due job within a second; one a minute late has no scheduler.
SCHEDULER_GRACE = dt.timedelta(seconds=60)
# RQ's worker reports every 30 s while a job runs (DEFAULT_JOB_MONITORING_INTERVAL) and allows 60 s more.
HEARTBEAT_GRACE = dt.timedelta(seconds=90)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
