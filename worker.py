"""The RQ worker that runs Porch's jobs: `rq worker --worker-class worker.Worker --with-scheduler porch`.

--with-scheduler: the worker also queues jobs scheduled for a time (the mail about new posts waits five
minutes, core.queue.enqueue_at); without a scheduler the periodic sweep sends them, a minute or two late.

RQ imports jobs by their dotted names; each needs Porch's app (settings, templates,
the database). The worker builds the app once and runs every job inside it, so
the job modules never import the app (which imports everything else).
"""

from __future__ import annotations

from rq import Worker as RQWorker

from app import create_app


class Worker(RQWorker):
    """An RQ worker that performs each job inside Porch's app context."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = create_app()

    def perform_job(self, *args, **kwargs) -> bool:
        with self.app.app_context():
            return super().perform_job(*args, **kwargs)
