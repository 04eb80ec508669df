"""/healthz (issue 16 item 8): 200 with the database answering, 503 when it does not; Redis reported, never
fatal; no cookie, never cached."""

from __future__ import annotations

from models.db import db


def test_healthz_answers_ok_without_a_session_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not used"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_says_503_when_the_database_does_not_answer(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("connection refused")

    client.get("/healthz")  # connected once, as a running server is
    monkeypatch.setattr(db.obj, "execute_sql", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable" and response.get_json()["database"] == "unavailable"


def test_healthz_reports_redis_but_stays_up_without_it(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["redis"] == "unavailable"


def test_healthz_reports_a_redis_that_answers(app, client, redis):  # the app is given the tests' Redis
    response = client.get("/healthz")
    assert response.get_json()["redis"] == "ok"
