"""Periodic work for RQ's cron scheduler: `rq cron jobs/schedule.py`.

Each job is queued as jobs.periodic.run(name), which runs it once per interval however many schedulers
queue it (jobs/periodic.py): one `rq cron` per machine is fine. Installs without Redis run the same jobs
from cron with `flask jobs tick`, under the same once-per-interval claim.
"""

import os

from rq import cron

from jobs import periodic

QUEUE = os.environ.get("RQ_QUEUE", "porch")

for job in periodic.PERIODIC:
    cron.register(periodic.run, QUEUE, args=(job.name,), interval=job.interval, name=job.name)
