"""/healthz for load balancers and uptime checks (issue 16 item 8): 200 while this app server can answer
pages (its database answers), 503 when it cannot. Redis is reported but never makes it unhealthy: without
it mail waits in the outbox and pages still work. No session, no names, nothing cached."""

from __future__ import annotations

from flask import current_app, jsonify

from blueprints.portal import site
from core.queue import redis_connection
from models.db import db


@site.get("/healthz")
def healthz():
    checks = {"database": _database(), "redis": _redis()}
    healthy = checks["database"] == "ok"
    response = jsonify(status="ok" if healthy else "unavailable", **checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _database() -> str:
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception:  # noqa: BLE001 - whatever the driver raises, this server cannot answer pages
        return "unavailable"
    return "ok"


def _redis() -> str:
    if not current_app.config.get("REDIS_URL"):
        return "not used"
    try:
        redis_connection().ping()
    except Exception:  # noqa: BLE001
        return "unavailable"
    return "ok"
