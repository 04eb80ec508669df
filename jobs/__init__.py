"""Work done in the background: each job is a function that takes ids, never objects.

Jobs run inside Porch's app: inline after a request's commit, from a `flask`
command, or in an RQ worker started with `--worker-class worker.Worker`, which
builds the app once per worker (see worker.py). Nothing here imports the app.
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from models.db import db


@contextmanager
def job_context():
    """The app and an open database connection for one job."""
    if not has_app_context():
        raise RuntimeError(
            "Porch's jobs run inside its app: start workers with `rq worker --worker-class worker.Worker`."
        )
    app: Flask = current_app._get_current_object()
    opened = db.connect(reuse_if_open=True)
    try:
        yield app
    finally:
        if opened:
            db.close()
