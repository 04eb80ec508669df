"""The API for management systems (SPEC I1): who gets in (a token of this association, live, with the
scope; never a cookie), problem details for every error, the rate limit, the register's lists and the fault
feed. The pushes are test_api_push.py's; the OpenAPI description's match with the responses test_openapi.py's.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from blueprints.exchange import feeds
from models import FaultReport
from models.exchange import ApiRateWindow, ApiToken
from tests.factories.exchange import bearer, make_api_token

PROBLEM = "application/problem+json"


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]
    return body


# --- who gets in ------------------------------------------------------------------------------------


def test_no_token_is_401_with_a_bearer_challenge(client, alpha):
    response = client.get("/api/v1/alpha/units")
    body = problem_of(response, 401)
    assert "Authorization: Bearer" in body["detail"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="porch"'


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "porch_x", "Bearer porch_unknown"])
def test_a_malformed_or_unknown_token_is_401(client, alpha, header):
    make_api_token(alpha)
    problem_of(client.get("/api/v1/alpha/units", headers={"Authorization": header}), 401)


def test_a_signed_in_board_member_gets_nothing_by_cookie(client, alpha, make_user, login):
    """The board's session opens every board page, and no API route: cookies never authenticate it."""
    make_user(alpha, "board@alpha.example", "board")
    login(client, "board@alpha.example")
    response = client.get("/api/v1/alpha/people")
    problem_of(response, 401)
    assert "Set-Cookie" not in response.headers


def test_a_revoked_token_is_refused(client, alpha):
    secret = make_api_token(alpha)
    assert client.get("/api/v1/alpha/units", headers=bearer(secret)).status_code == 200
    ApiToken.update(revoked_at=dt.datetime(2026, 1, 1)).execute()
    response = client.get("/api/v1/alpha/units", headers=bearer(secret))
    assert "revoked" in problem_of(response, 401)["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_another_associations_token_is_refused_and_tells_nothing(client, alpha, make_association, make_unit):
    beta = make_association("beta")
    make_unit(alpha, "A-secret")
    secret = make_api_token(beta)
    for slug in ("alpha", "no-such-portal"):
        response = client.get(f"/api/v1/{slug}/units", headers=bearer(secret))
        assert "another association" in problem_of(response, 403)["detail"]
        assert "A-secret" not in response.get_data(as_text=True)
    assert client.get("/api/v1/beta/units", headers=bearer(secret)).get_json()["items"] == []


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/api/v1/alpha/units", ApiToken.READ_REGISTER),
        ("/api/v1/alpha/people", ApiToken.READ_REGISTER),
        ("/api/v1/alpha/ownership", ApiToken.READ_REGISTER),
        ("/api/v1/alpha/faults", ApiToken.READ_FAULTS),
    ],
)
def test_each_read_needs_its_scope(client, alpha, path, scope):
    others = [s for s in ApiToken.SCOPES if s != scope]
    response = client.get(path, headers=bearer(make_api_token(alpha, *others)))
    assert scope in problem_of(response, 403)["detail"]
    assert f'error="insufficient_scope", scope="{scope}"' in response.headers["WWW-Authenticate"]
    assert client.get(path, headers=bearer(make_api_token(alpha, scope))).status_code == 200


def test_last_use_is_kept_once_a_minute(client, alpha, frozen_clock):
    secret = make_api_token(alpha)
    client.get("/api/v1/alpha/units", headers=bearer(secret))
    assert ApiToken.get().last_used_at == frozen_clock.now.replace(tzinfo=None)
    frozen_clock.advance(dt.timedelta(seconds=30))
    client.get("/api/v1/alpha/units", headers=bearer(secret))
    assert ApiToken.get().last_used_at == (frozen_clock.now - dt.timedelta(seconds=30)).replace(tzinfo=None)
    frozen_clock.advance(dt.timedelta(seconds=31))
    client.get("/api/v1/alpha/units", headers=bearer(secret))
    assert ApiToken.get().last_used_at == frozen_clock.now.replace(tzinfo=None)


# --- errors are problems everywhere under /api/ --------------------------------------------------------


def test_unknown_paths_and_wrong_methods_are_problems(client, alpha):
    problem_of(client.get("/api/v1/alpha/nothing-here"), 404)
    problem_of(client.get("/api/v2/"), 404)
    response = client.delete("/api/v1/alpha/units")
    problem_of(response, 405)
    assert "GET" in response.headers["Allow"]
    # The rest of the site keeps its HTML error pages.
    assert client.get("/alpha/nothing-here").mimetype == "text/html"


def test_a_failure_inside_a_view_is_a_500_problem(app, client, alpha, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*args):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(feeds, "units", broken)
    response = client.get("/api/v1/alpha/units", headers=bearer(make_api_token(alpha)))
    body = problem_of(response, 500)
    assert "fire" not in json.dumps(body)  # no internals leak


def test_a_nul_byte_is_a_400_problem(client, alpha):
    problem_of(client.get("/api/v1/alpha/units?limit=%00", headers=bearer(make_api_token(alpha))), 400)


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1e3"])
def test_a_bad_limit_is_a_400_naming_the_parameter(client, alpha, limit):
    response = client.get(f"/api/v1/alpha/units?limit={limit}", headers=bearer(make_api_token(alpha)))
    assert problem_of(response, 400)["errors"] == [
        {"parameter": "limit", "detail": "Give a whole number from 1 to 500."}
    ]


@pytest.mark.parametrize("cursor", ["xyz", "eyJhIjoxfQ", "eyJhZnRlciI6IjEifQ", "!!!"])  # junk, {"a":1}, {"after":"1"}
def test_a_cursor_not_ours_is_a_400(client, alpha, cursor):
    response = client.get(f"/api/v1/alpha/units?cursor={cursor}", headers=bearer(make_api_token(alpha)))
    assert problem_of(response, 400)["errors"][0]["parameter"] == "cursor"


# --- the rate limit ---------------------------------------------------------------------------------------


def _exhaust(client, secret: str, limit: int):
    for _ in range(limit):
        assert client.get("/api/v1/alpha/units", headers=bearer(secret)).status_code == 200
    return client.get("/api/v1/alpha/units", headers=bearer(secret))


@pytest.fixture
def three_a_minute(app_overrides):
    app_overrides["API_REQUESTS_PER_MINUTE"] = 3


def test_the_rate_limit_counts_per_token_in_the_database(three_a_minute, client, alpha, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 3, 2, 9, 0, 45))
    secret, other = make_api_token(alpha), make_api_token(alpha, name="Other system")
    response = _exhaust(client, secret, 3)
    assert "at most 3 a minute" in problem_of(response, 429)["detail"]
    assert response.headers["Retry-After"] == "15"
    assert client.get("/api/v1/alpha/units", headers=bearer(other)).status_code == 200  # its own count
    frozen_clock.advance(dt.timedelta(seconds=15))
    assert client.get("/api/v1/alpha/units", headers=bearer(secret)).status_code == 200
    # The minute before is gone from the table: one row per token stays.
    assert ApiRateWindow.select().count() == 2


def test_the_rate_limit_counts_in_redis_when_there_is_one(three_a_minute, redis, client, alpha, frozen_clock):
    frozen_clock.set(dt.datetime(2026, 3, 2, 9, 0, 59, 500000))
    secret = make_api_token(alpha)
    response = _exhaust(client, secret, 3)
    problem_of(response, 429)
    assert response.headers["Retry-After"] == "1"
    assert ApiRateWindow.select().count() == 0  # Redis counted, not the database
    token_id = ApiToken.get().id
    assert int(redis.get(f"porch:api-rate:{token_id}:202603020900")) == 4
    frozen_clock.advance(dt.timedelta(seconds=1))
    assert client.get("/api/v1/alpha/units", headers=bearer(secret)).status_code == 200


def test_with_redis_down_the_database_counts(three_a_minute, app, client, alpha):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    problem_of(_exhaust(client, make_api_token(alpha), 3), 429)
    assert ApiRateWindow.get().count == 4


# --- the register -----------------------------------------------------------------------------------------


HOSTILE = '<script>alert("x")</script>'


def test_units_people_and_ownership_page_by_id(client, alpha, make_unit, make_person, make_owner, make_building):
    house = make_building(alpha, "Main Street 1")
    units = [make_unit(alpha, str(n), share=(n, 100), building=house, area="54.5", rooms=2) for n in (1, 2, 3)]
    owner = make_person(
        alpha, "ada@example.org", given_name=HOSTILE, surname="=cmd|'/c calc'!A1", personal_id="19800101-1234"
    )
    make_owner(units[1], owner, share=(1, 2), started_on=dt.date(2020, 5, 1))
    secret = make_api_token(alpha, ApiToken.READ_REGISTER)

    first = client.get("/api/v1/alpha/units?limit=2", headers=bearer(secret)).get_json()
    assert [u["number"] for u in first["items"]] == ["1", "2"]
    assert first["items"][0] == {
        "id": units[0].id, "building": "Main Street 1", "number": "1", "kind": "flat", "rooms": 2, "floor": None,
        "area": "54.50", "share": {"numerator": 1, "denominator": 100}, "archived": False,
    }  # fmt: skip
    second = client.get(f"/api/v1/alpha/units?limit=2&cursor={first['next_cursor']}", headers=bearer(secret))
    assert [u["number"] for u in second.get_json()["items"]] == ["3"]
    assert second.get_json()["next_cursor"] is None

    response = client.get("/api/v1/alpha/people", headers=bearer(secret))
    person = response.get_json()["items"][0]
    # Hostile names come back exactly as stored, and the text can never be read as markup.
    assert person["given_name"] == HOSTILE and person["surname"] == "=cmd|'/c calc'!A1"
    assert "<script>" not in response.get_data(as_text=True) and "\\u003cscript\\u003e" in response.get_data(
        as_text=True
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert person["personal_id"] == "19800101-1234"

    held = client.get("/api/v1/alpha/ownership", headers=bearer(secret)).get_json()["items"]
    assert held == [{
        "id": held[0]["id"], "unit": {"id": units[1].id, "building": "Main Street 1", "number": "2"},
        "person": {"id": owner.id, "personal_id": "19800101-1234", "email": "ada@example.org"},
        "share": {"numerator": 1, "denominator": 2}, "is_main": True, "started_on": "2020-05-01", "ended_on": None,
    }]  # fmt: skip


def test_lists_hold_only_the_tokens_association(client, alpha, make_association, make_unit, make_person):
    beta = make_association("beta")
    make_unit(alpha, "A1")
    make_unit(beta, "B1")
    make_person(beta, "beta@example.org")
    secret = make_api_token(alpha)
    assert [u["number"] for u in client.get("/api/v1/alpha/units", headers=bearer(secret)).get_json()["items"]] == [
        "A1"
    ]
    assert client.get("/api/v1/alpha/people", headers=bearer(secret)).get_json()["items"] == []


# --- the fault feed ----------------------------------------------------------------------------------------


def _report(alpha, title: str, at: dt.datetime, **fields) -> FaultReport:
    return FaultReport.create(association=alpha, title=title, created_at=at, updated_at=at, **fields)


def _pull(client, secret, cursor=None, limit=100):
    query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
    response = client.get(f"/api/v1/alpha/faults{query}", headers=bearer(secret))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_fault_feed_hands_out_each_change_once_in_order(client, alpha, frozen_clock, make_unit):
    start = dt.datetime(2026, 3, 2, 8, 0)
    unit = make_unit(alpha, "12")
    leak = _report(alpha, "Leak", start, unit=unit, building=unit.building, severity="urgent")
    _report(alpha, "Door", start)  # the same moment: the id orders them
    _report(alpha, "Lift", start + dt.timedelta(minutes=5), place="building", building=unit.building)
    secret = make_api_token(alpha, ApiToken.READ_FAULTS)

    page = _pull(client, secret, limit=2)
    assert [r["title"] for r in page["items"]] == ["Leak", "Door"] and page["has_more"]
    assert page["items"][0]["unit"] == {"id": unit.id, "building": "House A", "number": "12"}
    assert page["items"][0]["updated_at"] == "2026-03-02T08:00:00Z"
    page = _pull(client, secret, page["next_cursor"], limit=2)
    assert [r["title"] for r in page["items"]] == ["Lift"] and not page["has_more"]
    assert page["items"][0]["building"]["name"] == "House A"
    cursor = page["next_cursor"]
    empty = _pull(client, secret, cursor)
    assert empty["items"] == [] and empty["next_cursor"] == cursor  # nothing new: ask again with the same

    # The leak changes: it comes again, once, after the cursor.
    frozen_clock.advance(dt.timedelta(minutes=1))
    FaultReport.update(status="in_progress", updated_at=frozen_clock.now.replace(tzinfo=None)).where(
        FaultReport.id == leak.id
    ).execute()
    frozen_clock.advance(feeds.SETTLE)
    page = _pull(client, secret, cursor)
    assert [(r["title"], r["status"]) for r in page["items"]] == [("Leak", "in_progress")]
    assert _pull(client, secret, page["next_cursor"])["items"] == []


def test_a_change_still_settling_waits_and_is_not_skipped(client, alpha, frozen_clock):
    """A report written at 09:00:00 by a transaction that commits later must not be stepped over by a feed
    read meanwhile that already saw a later change: the feed stops SETTLE short of now."""
    now = frozen_clock.now.replace(tzinfo=None)
    secret = make_api_token(alpha, ApiToken.READ_FAULTS)
    _report(alpha, "Settled", now - feeds.SETTLE - dt.timedelta(seconds=1))
    _report(alpha, "Later", now - dt.timedelta(seconds=1))  # committed, but within SETTLE of now
    page = _pull(client, secret)
    assert [r["title"] for r in page["items"]] == ["Settled"]
    # The slow transaction's row (written "at" 09:00:00 minus 2 s) commits only now.
    _report(alpha, "Slow", now - dt.timedelta(seconds=2))
    frozen_clock.advance(feeds.SETTLE)
    assert [r["title"] for r in _pull(client, secret, page["next_cursor"])["items"]] == ["Slow", "Later"]


def test_the_fault_feed_is_the_tokens_association_only(client, alpha, make_association, frozen_clock):
    beta = make_association("beta")
    _report(beta, "Beta's leak", dt.datetime(2026, 3, 1))
    assert _pull(client, make_api_token(alpha, ApiToken.READ_FAULTS))["items"] == []
