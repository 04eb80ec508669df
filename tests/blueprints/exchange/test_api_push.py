"""Pushes through the API (SPEC I1): the register written by records.py, the import's validation, matched by
the same stable keys, so the same push twice changes nothing; all or nothing, with every error's field as a
JSON pointer; Idempotency-Key honoured for POSTs; the scope each push needs; CSRF never asked for."""

from __future__ import annotations

import pytest

from models import AuditLog, Building, Ownership, Person, Unit
from models.exchange import ApiToken
from tests.factories.exchange import bearer, make_api_token

PROBLEM = "application/problem+json"


@pytest.fixture
def writer(alpha):
    return bearer(make_api_token(alpha, ApiToken.WRITE_REGISTER, name="Landlord <b>system</b>"))


def _put(client, path, body, headers):
    return client.put(f"/api/v1/alpha/{path}", json=body, headers=headers)


UNIT = {"building": "Lipová 12", "unit": "1", "kind": "flat", "area": 64.5, "share": "6450/100000", "rooms": 3}


def test_a_unit_is_created_then_unchanged_then_changed(app, client, alpha, writer):
    app.config["WTF_CSRF_ENABLED"] = True  # a token request needs no CSRF token, and the app asks for none
    first = _put(client, "units", UNIT, writer)
    assert first.status_code == 200, first.get_data(as_text=True)
    unit = Unit.get(Unit.number == "1")
    assert first.get_json() == {
        "items": [{"action": "created", "key": "Lipová 12 / 1", "id": unit.id,
                   "changes": {"building": {"from": "", "to": "Lipová 12"}}}],  # a new building too
        "created": 1, "changed": 0, "unchanged": 0,
    }  # fmt: skip
    assert (unit.area, unit.rooms, unit.share_numerator) == (64.5, 3, 6450)
    again = _put(client, "units", UNIT, writer).get_json()
    assert again["items"][0]["action"] == "unchanged" and Unit.select().count() == 1
    changed = _put(client, "units", {**UNIT, "rooms": 4}, writer).get_json()["items"][0]
    assert changed["action"] == "changed" and changed["changes"] == {"rooms": {"from": "3", "to": "4"}}
    # The board sees what the system changed, and the token's name as it was given (the log page escapes it).
    logged = [row.target for row in AuditLog.select().where(AuditLog.action == "exchange.api_push")]
    assert logged == ["Landlord <b>system</b>"] * 2


def test_one_bad_row_writes_nothing_and_points_at_each_field(client, alpha, writer):
    body = {"items": [UNIT, {"building": "Lipová 12", "unit": "2", "share": "3/2"}, {"unit": "3", "share": "1/9"}]}
    response = _put(client, "units", body, writer)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    pointers = [error["pointer"] for error in response.get_json()["errors"]]
    assert "/items/1/share" in pointers and "/items/2/building" in pointers
    assert not any(p.startswith("/items/0") for p in pointers)
    assert Unit.select().count() == 0 and Building.select().count() == 0


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({**UNIT, "nmber": "1"}, "/nmber"),
        ({**UNIT, "area": {"m2": 5}}, "/area"),
        ({"items": [UNIT, "a row"]}, "/items/1"),
        ({"items": []}, "/items"),
        ({"items": [{**UNIT, "a/b~c": 1}]}, "/items/0/a~1b~0c"),
    ],
)
def test_a_body_of_the_wrong_shape_is_422_with_a_pointer(client, alpha, writer, body, pointer):
    response = _put(client, "units", body, writer)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert pointer in [error["pointer"] for error in response.get_json()["errors"]]
    assert Unit.select().count() == 0


def test_a_body_that_is_not_json_is_refused(client, alpha, writer):
    response = client.put("/api/v1/alpha/units", data="building=A", headers=writer)
    assert response.status_code == 415 and response.mimetype == PROBLEM
    response = client.put(
        "/api/v1/alpha/units", data="{not json", headers={**writer, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_people_are_matched_by_personal_id_then_email_and_hostile_text_is_kept_inert(client, alpha, writer):
    hostile = {"personal_id": "800101-1234", "surname": "=HYPERLINK(\"http://evil\")", "given_name": "<img src=x onerror=alert(1)>",
               "email": "ada@example.org"}  # fmt: skip
    assert _put(client, "people", hostile, writer).get_json()["created"] == 1
    same = {"personal_id": "8001011234", "email": "ada@example.org", "city": "Brno"}
    assert _put(client, "people", same, writer).get_json()["changed"] == 1
    person = Person.get()
    assert (person.surname, person.given_name, person.city) == (hostile["surname"], hostile["given_name"], "Brno")
    listed = client.get("/api/v1/alpha/people", headers=bearer(make_api_token(alpha, ApiToken.READ_REGISTER)))
    assert "<img" not in listed.get_data(as_text=True)
    assert listed.get_json()["items"][0]["given_name"] == hostile["given_name"]


def test_co_owners_come_together_and_their_shares_must_add_up(client, alpha, writer):
    _put(client, "units", UNIT, writer)
    owners = [
        {"building": "Lipová 12", "unit": "1", "personal_id": "800101-1234", "surname": "Nováková", "owner_share": "1/2", "main": True},
        {"building": "Lipová 12", "unit": "1", "personal_id": "790202-4321", "surname": "Novák", "owner_share": "1/2"},
    ]  # fmt: skip
    alone = _put(client, "ownership", owners[0], writer)
    assert alone.status_code == 422 and Ownership.select().count() == 0
    together = _put(client, "ownership", {"items": owners}, writer)
    assert together.status_code == 200, together.get_data(as_text=True)
    assert [item["action"] for item in together.get_json()["items"]] == ["created", "created"]
    again = _put(client, "ownership", {"items": owners}, writer).get_json()
    assert again["unchanged"] == 2 and Ownership.select().count() == 2 and Person.select().count() == 2


@pytest.mark.parametrize("path", ["units", "people", "ownership"])
def test_pushing_the_register_needs_its_scope(client, alpha, path):
    others = [s for s in ApiToken.SCOPES if s != ApiToken.WRITE_REGISTER]
    response = _put(client, path, UNIT, bearer(make_api_token(alpha, *others)))
    assert response.status_code == 403 and ApiToken.WRITE_REGISTER in response.get_json()["detail"]
    assert Unit.select().count() == 0


def test_another_associations_token_writes_nothing(client, alpha, make_association):
    beta = make_association("beta")
    response = _put(client, "units", UNIT, bearer(make_api_token(beta)))
    assert response.status_code == 403 and Unit.select().count() == 0


def test_a_cookie_writes_nothing(client, alpha, make_user, login):
    make_user(alpha, "board@alpha.example", "board")
    login(client, "board@alpha.example")
    token = client.csrf("/alpha/")
    response = client.put("/api/v1/alpha/units", json=UNIT, headers={"X-CSRFToken": token})
    assert response.status_code == 401 and Unit.select().count() == 0


# --- billing: contracts, invoices and payments ----------------------------------------------------------------


@pytest.fixture
def billing(client, alpha, frozen_clock):
    """Units 1 and 2 of Lipová 12, owned by Eva (personal id 1) and Jan (2); a billing:write token."""
    owners = [
        {"building": "Lipová 12", "unit": "1", "share": "1/2", "personal_id": "1", "name": "Eva Malá"},
        {"building": "Lipová 12", "unit": "2", "share": "1/2", "personal_id": "2", "name": "Jan Malý"},
    ]
    register = bearer(make_api_token(alpha, ApiToken.WRITE_REGISTER))
    assert _put(client, "ownership", {"items": owners}, register).status_code == 200
    return bearer(make_api_token(alpha, ApiToken.WRITE_BILLING))


INVOICE = {"number": "2026001", "building": "Lipová 12", "unit": "1", "period": "2026-01", "issue_date": "2026-01-01",
           "due_date": "2026-01-15", "amount": "2450.00", "description": "Advance for services"}  # fmt: skip


def _post(client, path, body, headers, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(f"/api/v1/alpha/{path}", json=body, headers={**headers, **extra})


def test_a_contract_is_matched_by_its_number(client, alpha, billing):
    from models.billing import Contract

    row = {"number": "N-7", "building": "Lipová 12", "unit": "2", "email": "t@example.org", "name": "Tom Tenant",
           "start_date": "2025-03-01", "rent": "12000", "category": "home", "status": "active"}  # fmt: skip
    assert _put(client, "contracts", row, billing).get_json()["created"] == 1
    assert _put(client, "contracts", row, billing).get_json()["unchanged"] == 1
    assert Contract.get().rent == 1200000


def test_an_invoice_posted_twice_with_one_key_is_issued_once(client, alpha, billing):
    from models.billing import Invoice

    first = _post(client, "invoices", INVOICE, billing, key="inv-2026001")
    assert first.status_code == 200 and first.get_json()["created"] == 1
    replay = _post(client, "invoices", INVOICE, billing, key="inv-2026001")
    assert replay.get_json() == first.get_json() and replay.headers["Idempotent-Replayed"] == "true"
    # Without the key the invoice's number matches it: still one invoice.
    assert _post(client, "invoices", INVOICE, billing).get_json()["unchanged"] == 1
    assert Invoice.select().count() == 1 and Invoice.get().total == 245000
    # The same key for another request is refused, and writes nothing.
    other = _post(client, "invoices", {**INVOICE, "number": "2026002"}, billing, key="inv-2026001")
    assert other.status_code == 422 and other.mimetype == PROBLEM
    assert other.get_json()["errors"][0]["parameter"] == "Idempotency-Key"
    assert Invoice.select().count() == 1


def test_an_invalid_post_keeps_no_key(client, alpha, billing):
    from models.billing import Invoice

    assert _post(client, "invoices", {**INVOICE, "number": "x"}, billing, key="k1").status_code == 422
    assert _post(client, "invoices", INVOICE, billing, key="k1").status_code == 200
    assert Invoice.select().count() == 1


@pytest.mark.parametrize("key", ["", "x" * 201, "naïve", "tab\there"])
def test_an_unusable_idempotency_key_is_400(client, alpha, billing, key):
    response = client.post("/api/v1/alpha/invoices", json=INVOICE, headers={**billing, "Idempotency-Key": key})
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_a_payment_is_booked_once(client, alpha, billing):
    from models.billing import Invoice, Payment

    _post(client, "invoices", INVOICE, billing)
    payment = {"invoice": "2026001", "amount": "2450", "paid_on": "2026-01-10"}
    assert _post(client, "payments", payment, billing, key="pay-1").get_json()["created"] == 1
    assert _post(client, "payments", payment, billing, key="pay-1").headers["Idempotent-Replayed"] == "true"
    assert _post(client, "payments", payment, billing).get_json()["unchanged"] == 1
    assert Payment.select().count() == 1 and Invoice.get().paid_total == 245000
    too_much = _post(client, "payments", {**payment, "amount": "1", "paid_on": "2026-01-11"}, billing)
    assert too_much.status_code == 422 and Payment.select().count() == 1


@pytest.mark.parametrize(("method", "path"), [("PUT", "contracts"), ("POST", "invoices"), ("POST", "payments")])
def test_billing_pushes_need_their_scope(client, alpha, billing, method, path):
    register_only = bearer(make_api_token(alpha, ApiToken.WRITE_REGISTER, ApiToken.READ_REGISTER))
    response = client.open(f"/api/v1/alpha/{path}", method=method, json=INVOICE, headers=register_only)
    assert response.status_code == 403 and ApiToken.WRITE_BILLING in response.get_json()["detail"]
