"""The OpenAPI description (/api/v1/openapi.json) against the API's real answers: every route is described,
every operation's success and its errors were answered by the running app and validate against the schema the
description gives for that status and content type (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from models import FaultReport
from models.exchange import ApiToken
from tests.factories.exchange import bearer, make_api_token

BASE = "urn:porch:openapi"


class Checker:
    """Validates responses against the description served by the app, and remembers what it checked."""

    def __init__(self, client):
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200 and response.mimetype == "application/json"
        self.spec = response.get_json()
        self.registry = Registry().with_resource(BASE, Resource.from_contents(self.spec, DRAFT202012))
        self.checked: set[tuple[str, str, int]] = set()

    def validator(self, *where: str) -> Draft202012Validator:
        """A validator for the schema at `where` in the description (path segments), its $refs resolved there."""
        pointer = "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in where)
        return Draft202012Validator(
            {"$ref": f"{BASE}#{pointer}"}, registry=self.registry, format_checker=FormatChecker()
        )

    def operation(self, method: str, path: str) -> tuple[str, dict]:
        """The described operation for a concrete path (/api/v1/alpha/units -> /{slug}/units)."""
        local = path.split("?")[0].removeprefix("/api/v1")
        for template, operations in self.spec["paths"].items():
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), local) and method.lower() in operations:
                return template, operations[method.lower()]
        raise AssertionError(f"{method} {path} is not described")

    def check(self, response, method: str, path: str, body=None) -> None:
        template, operation = self.operation(method, path)
        at = ("paths", template, method.lower())
        if body is not None:  # what we send must be what the description says it takes
            self.validator(*at, "requestBody", "content", "application/json", "schema").validate(body)
        answers = operation["responses"]
        status = str(response.status_code)
        assert status in answers, f"{method} {template} answered {status}, which is not described"
        content = answers[status].get("content", {})
        assert response.mimetype in content, f"{method} {template} {status}: {response.mimetype} not described"
        if "schema" in content[response.mimetype]:
            schema = self.validator(*at, "responses", status, "content", response.mimetype, "schema")
            schema.validate(response.get_json(force=True))
        for header in answers[status].get("headers", {}):
            assert header in response.headers
        self.checked.add((template, method.lower(), response.status_code))

    def problem(self, response) -> None:
        """An answer no operation gives (an unknown path, a wrong method): a problem document all the same."""
        assert response.mimetype == "application/problem+json"
        self.validator("components", "schemas", "Problem").validate(response.get_json(force=True))


def test_every_api_route_is_described_and_nothing_else(app, client):
    spec = Checker(client).spec
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routed |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == described
    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema), name


@pytest.fixture
def world(client, alpha, make_unit, make_person, make_owner, frozen_clock, app_overrides):
    unit = make_unit(alpha, "1", area="54.5")
    person = make_person(alpha, "ada@example.org", given_name="<b>Ada</b>")
    make_owner(unit, person, started_on=dt.date(2020, 1, 1))
    at = frozen_clock.now.replace(tzinfo=None) - dt.timedelta(hours=1)
    FaultReport.create(association=alpha, title="Leak", unit=unit, building=unit.building, created_at=at, updated_at=at)
    FaultReport.create(association=alpha, title="Lift", place="building", building=unit.building, kind="fault",
                       created_at=at, updated_at=at, deadline_at=at, closed_at=at, status="resolved")  # fmt: skip
    return bearer(make_api_token(alpha))


WRITES = [
    ("PUT", "units", {"building": "House A", "unit": "2", "share": "1/10", "rooms": 2, "area": 40.5}),
    ("PUT", "units", {"items": [{"building": "House A", "unit": "1", "rooms": 3}]}),  # changed
    ("PUT", "people", {"email": "bo@example.org", "surname": "Bo", "invoice_by_paper": True, "city": None}),
    ("PUT", "ownership", {"building": "House A", "unit": "1", "email": "ada@example.org", "owner_share": "1/1"}),
    ("PUT", "contracts", {"number": "C-1", "building": "House A", "unit": "1", "email": "ada@example.org",
                          "start_date": "2025-01-01", "rent": "5000", "category": "home", "status": "active"}),
    ("POST", "invoices", {"number": "1001", "building": "House A", "unit": "1", "period": "2026-01",
                          "issue_date": "2026-01-01", "amount": "100"}),
    ("POST", "payments", {"invoice": "1001", "amount": "50", "paid_on": "2026-01-10"}),
]  # fmt: skip


def test_real_responses_match_the_description(app, client, alpha, world, make_association):
    checker = Checker(client)
    auth = world
    # Successes: every read (a page with a next one, and the fault feed), every push.
    for path in ("units?limit=1", "people", "ownership", "faults", "faults?limit=1"):
        response = client.get(f"/api/v1/alpha/{path}", headers=auth)
        assert response.status_code == 200, response.get_data(as_text=True)
        checker.check(response, "GET", f"/api/v1/alpha/{path}")
    for method, path, body in WRITES:
        response = client.open(f"/api/v1/alpha/{path}", method=method, json=body, headers=auth)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        checker.check(response, method, f"/api/v1/alpha/{path}", body)
    replayed = client.post("/api/v1/alpha/invoices", json=WRITES[5][2], headers={**auth, "Idempotency-Key": "a"})
    checker.check(replayed, "POST", "/api/v1/alpha/invoices")

    # Errors: every operation refuses a missing token, another association's token and a missing scope.
    beta_token = bearer(make_api_token(make_association("beta")))
    no_scope = bearer(make_api_token(alpha, ApiToken.READ_FAULTS))
    for template, operations in checker.spec["paths"].items():
        if "{slug}" not in template:
            continue
        path = "/api/v1" + template.replace("{slug}", "alpha")
        for method in operations:
            for headers in (
                {},
                beta_token,
                no_scope if "faults" not in path else bearer(make_api_token(alpha, ApiToken.READ_REGISTER)),
            ):
                response = client.open(path, method=method.upper(), json={"x": 1}, headers=headers)
                assert response.status_code in (401, 403), (path, method, response.status_code)
                checker.check(response, method.upper(), path)
    # A bad parameter, a body of the wrong shape or type, invalid values, a reused key, the rate limit.
    checker.check(client.get("/api/v1/alpha/units?limit=0", headers=auth), "GET", "/api/v1/alpha/units")
    checker.check(client.get("/api/v1/alpha/faults?cursor=x", headers=auth), "GET", "/api/v1/alpha/faults")
    checker.check(client.put("/api/v1/alpha/units", data="x", headers=auth), "PUT", "/api/v1/alpha/units")
    checker.check(client.put("/api/v1/alpha/units", json={"unit": "9", "share": "2/1"}, headers=auth), "PUT",
                  "/api/v1/alpha/units")  # fmt: skip
    reused = client.post("/api/v1/alpha/invoices", json={**WRITES[5][2], "number": "1002"},
                         headers={**auth, "Idempotency-Key": "a"})  # fmt: skip
    assert reused.status_code == 422
    checker.check(reused, "POST", "/api/v1/alpha/invoices")
    app.config["API_REQUESTS_PER_MINUTE"] = 1
    limited = client.get("/api/v1/alpha/units", headers=auth)
    assert limited.status_code == 429
    checker.check(limited, "GET", "/api/v1/alpha/units")
    checker.problem(client.get("/api/v1/alpha/nothing"))
    checker.problem(client.delete("/api/v1/alpha/units", headers=auth))

    operations = {(t, m) for t, ops in checker.spec["paths"].items() for m in ops if t != "/openapi.json"}
    succeeded = {(t, m) for t, m, status in checker.checked if status == 200}
    assert operations <= succeeded, f"no success checked for {operations - succeeded}"
    statuses = {status for _t, _m, status in checker.checked}
    assert {400, 401, 403, 415, 422, 429} <= statuses
