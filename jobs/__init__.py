"""Background work: mail now, PDFs later. Functions here take ids, never objects."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

from flask import Flask, current_app, has_app_context

from models.db import db

_worker_app: Flask | None = None


@contextmanager
def app_context():
    """The app and an open connection, inside a request, a CLI command or an RQ worker."""
    if has_app_context():
        app, context = current_app._get_current_object(), nullcontext()
    else:
        app = _app_for_worker()
        context = app.app_context()
    with context:
        opened = db.connect(reuse_if_open=True)
        try:
            yield app
        finally:
            if opened:
                db.close()


def _app_for_worker() -> Flask:
    """One app per worker process, configured from the environment like the web app."""
    global _worker_app
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    return _worker_app
