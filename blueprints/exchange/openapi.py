"""The OpenAPI 3.1 description of the API, served at /api/v1/openapi.json.

Its schemas are strict (additionalProperties: false, every field required): tests/blueprints/exchange/
test_openapi.py checks the real responses of every endpoint against them, so a field added to a response
and not here, or described here and not sent, fails a test.
"""

from __future__ import annotations

import functools

from blueprints.exchange import records
from models.exchange import ApiToken

NULLABLE_STRING = {"type": ["string", "null"]}
SHARE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["numerator", "denominator"],
    "properties": {"numerator": {"type": "integer", "minimum": 0}, "denominator": {"type": "integer", "minimum": 1}},
}
UNIT_KEY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "building", "number"],
    "properties": {"id": {"type": "integer"}, "building": {"type": "string"}, "number": {"type": "string"}},
}


def _strict(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "required": ["type", "title", "status", "detail"],
        "additionalProperties": False,
        "properties": {
            "type": {"type": "string", "format": "uri-reference"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "errors": {
                "type": "array",
                "description": "For invalid input: one entry per field, named by a JSON pointer into the body "
                "(`pointer`) or by the query parameter (`parameter`).",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["detail"],
                    "properties": {
                        "detail": {"type": "string"},
                        "pointer": {"type": "string"},
                        "parameter": {"type": "string"},
                    },
                },
            },
        },
    },
    "Unit": _strict(
        {
            "id": {"type": "integer"},
            "building": {"type": "string"},
            "number": {"type": "string"},
            "kind": {"type": "string", "enum": ["flat", "commercial", "garage", "parking", "storage"]},
            "rooms": {"type": ["integer", "null"]},
            "floor": {"type": ["integer", "null"]},
            "area": {"type": ["string", "null"], "description": 'Square metres, a decimal as a string: "54.50".'},
            "share": SHARE,
            "archived": {"type": "boolean"},
        }
    ),
    "Person": _strict(
        {
            "id": {"type": "integer"},
            "surname": {"type": "string"},
            "given_name": {"type": "string"},
            "email": {"type": "string"},
            "personal_id": {"type": "string"},
            "phone_mobile": {"type": "string"},
            "phone_home": {"type": "string"},
            "phone_work": {"type": "string"},
            "street": {"type": "string"},
            "postcode": {"type": "string"},
            "city": {"type": "string"},
            "country": {"type": "string"},
        }
    ),
    "Ownership": _strict(
        {
            "id": {"type": "integer"},
            "unit": UNIT_KEY,
            "person": _strict(
                {"id": {"type": "integer"}, "personal_id": {"type": "string"}, "email": {"type": "string"}}
            ),
            "share": SHARE,
            "is_main": {"type": "boolean"},
            "started_on": {"type": ["string", "null"], "format": "date"},
            "ended_on": {"type": ["string", "null"], "format": "date"},
        }
    ),
    "FaultReport": _strict(
        {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["fault", "request"]},
            "place": {"type": "string", "enum": ["unit", "common_area", "building"]},
            "unit": {"oneOf": [UNIT_KEY, {"type": "null"}]},
            "building": {"oneOf": [_strict({"id": {"type": "integer"}, "name": {"type": "string"}}), {"type": "null"}]},
            "area": {"type": "string"},
            "responsible": {"type": "string"},
            "category": {"type": "string"},
            "severity": {"type": "string", "enum": ["urgent", "normal", "low"]},
            "status": {"type": "string", "enum": ["new", "in_progress", "resolved", "rejected", "reopened"]},
            "title": {"type": "string"},
            "details": {"type": "string"},
            "contact_phone": {"type": "string"},
            "contact_email": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "deadline_at": {"type": ["string", "null"], "format": "date-time"},
            "closed_at": {"type": ["string", "null"], "format": "date-time"},
        }
    ),
}


def _list_of(name: str) -> dict:
    return _strict({"items": {"type": "array", "items": _ref(name)}, "next_cursor": NULLABLE_STRING})


SCHEMAS["UnitPage"] = _list_of("Unit")
SCHEMAS["PersonPage"] = _list_of("Person")
SCHEMAS["OwnershipPage"] = _list_of("Ownership")
SCHEMAS["FaultFeed"] = _strict(
    {
        "items": {"type": "array", "items": _ref("FaultReport")},
        "next_cursor": {"type": "string", "description": "Ask with this next time, also when items is empty."},
        "has_more": {"type": "boolean", "description": "More changes wait already: ask again at once."},
    }
)

SCHEMAS["PushResult"] = _strict(
    {
        "items": {
            "type": "array",
            "description": "What happened to each row, in the order sent.",
            "items": _strict(
                {
                    "action": {"type": "string", "enum": ["created", "changed", "unchanged"]},
                    "key": {"type": "string", "description": 'How the row was matched: "Lipová 12 / 1".'},
                    "id": {"type": ["integer", "null"]},
                    "changes": {
                        "type": "object",
                        "additionalProperties": _strict({"from": {"type": "string"}, "to": {"type": "string"}}),
                    },
                }
            ),
        },
        "created": {"type": "integer"},
        "changed": {"type": "integer"},
        "unchanged": {"type": "integer"},
    }
)

PUSHES = {
    # kind: (method, scope, what it does)
    "units": ("put", ApiToken.WRITE_REGISTER, "Units, matched by building + unit (its number)."),
    "people": ("put", ApiToken.WRITE_REGISTER, "People, matched by personal_id, else email."),
    "ownership": ("put", ApiToken.WRITE_REGISTER, "Owners of units (a unit's current owners, whose owner_share "
                  "must add up to 1, come together in one request)."),
    "contracts": ("put", ApiToken.WRITE_BILLING, "Contracts, matched by number."),
    "invoices": ("post", ApiToken.WRITE_BILLING, "Invoices, matched by number; an issued one is never changed."),
    "payments": ("post", ApiToken.WRITE_BILLING, "Payments, matched by invoice, day and amount."),
}  # fmt: skip


def _row_schema(kind: str) -> dict:
    value = {"type": ["string", "number", "boolean", "null"]}
    return {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": dict.fromkeys(records.row_keys(kind), value),
    }


for _kind in PUSHES:
    SCHEMAS[f"{_kind.title()}Row"] = _row_schema(_kind)

PROBLEM = {"application/problem+json": {"schema": _ref("Problem")}}


def _problems(*statuses: int) -> dict:
    reasons = {
        400: "A query parameter is not valid (errors names it).",
        401: "No token, or one not known or revoked.",
        403: "The token is another association's, or lacks the scope.",
        404: "Nothing at this address.",
        415: "The body is not JSON.",
        422: "The body breaks the rules: errors lists each field by a JSON pointer.",
        429: "Too many requests with this token; Retry-After says when to come back.",
    }
    answers = {str(s): {"description": reasons[s], "content": PROBLEM} for s in statuses}
    if 429 in statuses:
        answers["429"]["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}}
    return answers


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}, "description": "The portal."}
CURSOR = {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}}
LIMIT = {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 500}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "The same key with the same body gets the first answer again and changes nothing.",
}
AUTH_PROBLEMS = (401, 403, 404, 429)


def _read(summary: str, scope: str, page: str, *, cursor_hint: str = "") -> dict:
    return {
        "get": {
            "summary": summary,
            "description": f"Scope: `{scope}`. {cursor_hint}".strip(),
            "security": [{"token": [scope]}],
            "parameters": [SLUG, CURSOR, LIMIT],
            "responses": {
                "200": {"description": "A page.", "content": {"application/json": {"schema": _ref(page)}}},
                **_problems(400, *AUTH_PROBLEMS),
            },
        }
    }


def _push(kind: str) -> dict:
    method, scope, what = PUSHES[kind]
    row = _ref(f"{kind.title()}Row")
    body = {"oneOf": [row, _strict({"items": {"type": "array", "minItems": 1, "maxItems": 500, "items": row}})]}
    idempotency = " An Idempotency-Key header makes a retry safe." if method == "post" else ""
    return {
        method: {
            "summary": f"Push {kind}",
            "description": f'Scope: `{scope}`. {what} One row, or several as {{"items": [...]}}: all are '
            "written or none. Values are text, numbers or true/false, as an import's cells; a value left out or "
            f"null leaves what Porch holds.{idempotency}",
            "security": [{"token": [scope]}],
            "parameters": [SLUG, IDEMPOTENCY_KEY] if method == "post" else [SLUG],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                "200": {
                    "description": "Every row written (or found unchanged).",
                    "content": {"application/json": {"schema": _ref("PushResult")}},
                },
                **_problems(400, *AUTH_PROBLEMS, 415, 422),
            },
        }
    }


PATHS = {
    "/{slug}/units": {**_read("The units, by id", ApiToken.READ_REGISTER, "UnitPage"), **_push("units")},
    "/{slug}/people": {
        **_read("The people of the register, by id", ApiToken.READ_REGISTER, "PersonPage"),
        **_push("people"),
    },
    "/{slug}/ownership": {
        **_read("Who owns which unit, by id", ApiToken.READ_REGISTER, "OwnershipPage"),
        **_push("ownership"),
    },
    "/{slug}/faults": _read(
        "Fault reports new or changed since a cursor",
        ApiToken.READ_FAULTS,
        "FaultFeed",
        cursor_hint="Oldest change first. Without a cursor the feed starts at the beginning; keep next_cursor "
        "and ask with it next time. A change shows up about five seconds after it is made.",
    ),
    **{f"/{{slug}}/{kind}": _push(kind) for kind in ("contracts", "invoices", "payments")},
    "/openapi.json": {
        "get": {
            "summary": "This description",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
        }
    },
}


@functools.cache
def description() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Porch API for management systems",
            "version": "1",
            "description": "Push the register and billing into one association's portal and pull its fault "
            "reports. Every error is RFC 9457 problem details (application/problem+json).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"token": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token the board creates on the portal's page API tokens. Scopes: "
                    + ", ".join(ApiToken.SCOPES)
                    + ".",
                }
            },
        },
    }
