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


def job_function(name: str):
    """The function a dotted job name stands for."""
    module, _, function = name.rpartition(".")
    return getattr(importlib.import_module(module), function)


def dispatch(job: str, *args, job_id: str) -> bool:
    """Queue (or run inline) now, outside any transaction; False if a live job for job_id already waits."""
    return _dispatch(job, args, job_id)


def _dispatch(job: str, args: tuple, job_id: str) -> bool:
    if not current_app.config.get("REDIS_URL"):
        try:
            job_function(job)(*args)
        except Exception:  # the row records the error; the sweep retries it
            log.exception("inline job %s failed", job_id)
        return True
    try:
        queue = get_queue()
        if _already_waiting(queue, job_id):
            return False
        queue.enqueue(
            job,
            *args,
            job_id=job_id,
            retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
        )
    except RedisError:
        log.exception("could not queue job %s; the sweep will retry", job_id)
        return False
    return True


def _already_waiting(queue: Queue, job_id: str) -> bool:
    """Whether a job with this id is queued, or started on a worker that still reports.

    RQ's worker refreshes a running job's heartbeat every 30 s. A job marked started whose
    heartbeat stopped lost its worker (killed mid-job, out of memory, a host that went down):
    it is dropped, so the work is queued afresh; the row's claim keeps it from being done twice.
    """
    try:
        job = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status == "queued":
        return True
    if status == "started":
        beat = job.last_heartbeat or job.started_at
        if beat is not None and _now() - _aware(beat) < HEARTBEAT_GRACE:
            return True
        job.delete()  # also out of the started registry, which would otherwise fail it later
    return False


# RQ's worker reports every 30 s while a job runs (DEFAULT_JOB_MONITORING_INTERVAL) and allows 60 s more.
HEARTBEAT_GRACE = dt.timedelta(seconds=90)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
