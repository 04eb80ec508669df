"""Background work: mail now, PDFs later. Functions here take ids, never objects."""

from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from models.db import db

_worker_app: Flask | None = None


@contextmanager
def app_context():
    """The app and an open connection, inside a request, a CLI command or an RQ worker."""
    if has_app_context():
        opened = db.connect(reuse_if_open=True)
        try:
            yield current_app
        finally:
            if opened:
                db.close()
        return
    global _worker_app
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        opened = db.connect(reuse_if_open=True)
        try:
            yield _worker_app
        finally:
            if opened:
                db.close()
