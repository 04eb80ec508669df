"""Rows pushed through the API (SPEC I1), written by records.py, the import's own validation and upsert:
the same keys match them (a unit by building + number, a person by personal id else e-mail), so pushing the
same thing twice changes nothing.

A push is one row (a JSON object) or several ({"items": [...]}: all of a unit's owners, whose shares must add
up, come together). Either every row is written or none: one invalid row answers 422 with each error's
field as a JSON pointer into the body. A POST may carry an Idempotency-Key: its first answer is kept, and
the same key with the same body gets that answer again without anything being written twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator

import peewee as pw
from flask import request

from blueprints.exchange import records
from blueprints.exchange.api import ApiError
from blueprints.exchange.problems import api_json, invalid
from core.audit import audit
from core.text import gettext as _
from models import Association
from models.db import db, transaction
from models.exchange import ApiIdempotencyKey, ApiToken

MAX_ROWS = 500
MAX_KEY_LENGTH = 200


class _RefusedError(Exception):
    """Leaves the transaction so nothing of a push with an invalid row is kept."""


def _pointer(*parts) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """transaction(), whose BEGIN on SQLite takes the write lock at once (IMMEDIATE). A push reads before it
    writes; a deferred transaction that has read cannot wait for another writer (SQLite answers "database is
    locked" at once), while one that starts with the lock waits its turn (busy_timeout)."""
    if isinstance(db.obj, pw.SqliteDatabase) and not db.in_transaction():
        with db.atomic("IMMEDIATE"), transaction():
            yield
    else:
        with transaction():
            yield


def pushed_rows(kind: str) -> tuple[list[dict], bool]:
    """The body's rows, and whether they came as {"items": [...]}; 415/400/422 problems for a body that is
    not JSON, not an object of plain values, or holds keys `kind` does not take."""
    if not request.is_json:
        raise ApiError(415, _("Send the body as JSON, with the header Content-Type: application/json."))
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, _("The body is not valid JSON."))
    several = isinstance(body, dict) and set(body) == {"items"}
    rows = body["items"] if several else body
    if several and (not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS):
        detail = _("items must be a list of 1 to %(most)d rows.", most=MAX_ROWS)
        raise invalid([{"pointer": "/items", "detail": detail}], detail)
    rows = rows if several else [rows]
    allowed = set(records.row_keys(kind))
    errors = []
    for index, row in enumerate(rows):
        at = ("items", index) if several else ()
        if not isinstance(row, dict):
            errors.append({"pointer": _pointer(*at), "detail": _("A row is a JSON object of fields.")})
            continue
        for key, value in row.items():
            if key not in allowed:
                errors.append({"pointer": _pointer(*at, key), "detail": _("No such field.")})
            elif isinstance(value, dict | list):
                errors.append({"pointer": _pointer(*at, key), "detail": _("Give text, a number, true or false.")})
    if errors:
        raise invalid(errors, _("The body does not have the shape this push takes; nothing was written."))
    return rows, several


def outcome_data(outcome: records.Outcome) -> dict:
    return {
        "action": outcome.action,
        "key": outcome.key,
        "id": outcome.id,
        "changes": {name: {"from": old, "to": new} for name, (old, new) in outcome.changes.items()},
    }


def push(association: Association, token: ApiToken, kind: str):
    """Write the body's rows of `kind`, all or none; the answer lists what happened to each."""
    rows, several = pushed_rows(kind)
    try:
        with writing():
            outcomes = records.upsert(association, kind, rows)
            if not all(outcome.ok for outcome in outcomes):
                raise _RefusedError
            _log(association, token, kind, outcomes)
    except _RefusedError:
        errors = [
            {"pointer": _pointer(*(("items", index) if several else ()), *((e.field,) if e.field else ())),
             "detail": e.message}
            for index, outcome in enumerate(outcomes)
            for e in outcome.errors
        ]  # fmt: skip
        raise invalid(errors, _("Some values are not valid; nothing was written.")) from None
    counts = {action: sum(o.action == action for o in outcomes) for action in records.ACTIONS[:3]}
    return api_json({"items": [outcome_data(o) for o in outcomes], **counts})


def _log(association: Association, token: ApiToken, kind: str, outcomes: list[records.Outcome]) -> None:
    """What a system changed stays on record as the board's own changes do (unchanged pushes are not news)."""
    created = sum(o.action == records.CREATED for o in outcomes)
    changed = sum(o.action == records.CHANGED for o in outcomes)
    if created or changed:
        audit("exchange.api_push", association=association, target=token.name, kind=kind,
              created=created, changed=changed)  # fmt: skip


# --- Idempotency-Key ------------------------------------------------------------------------------------------


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiError(
            400,
            _("An Idempotency-Key is 1 to %(most)d printable ASCII characters.", most=MAX_KEY_LENGTH),
            errors=[{"parameter": "Idempotency-Key", "detail": _("Not a usable key.")}],
        )
    return key


def _request_hash() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def idempotent(association: Association, answer):
    """Run `answer()` once per Idempotency-Key: a retry with the same key and body gets the kept answer (and
    writes nothing); the same key with another body is refused. Without the header, answer() just runs.

    The key is claimed in the same transaction as the writes, before them: a second request with the key
    while the first is running waits for it (PostgreSQL) or for the database (SQLite), then replays."""
    key = _idempotency_key()
    if key is None:
        return answer()
    fingerprint = _request_hash()
    kept = _kept(association, key)
    if kept is not None:
        return _replay(kept, fingerprint)
    try:
        with writing():
            claim = ApiIdempotencyKey.create(association=association, key=key, request_hash=fingerprint,
                                             status=0, body="")  # fmt: skip
            response = answer()  # a problem raised here leaves, and the claim with it
            claim.status, claim.body = response.status_code, response.get_data(as_text=True)
            claim.save()
    except pw.IntegrityError:  # another request with this key got there first and has committed
        kept = _kept(association, key)
        if kept is None:
            raise
        return _replay(kept, fingerprint)
    return response


def _kept(association: Association, key: str) -> ApiIdempotencyKey | None:
    return ApiIdempotencyKey.get_or_none(
        (ApiIdempotencyKey.association == association) & (ApiIdempotencyKey.key == key)
    )


def _replay(kept: ApiIdempotencyKey, fingerprint: str):
    if kept.request_hash != fingerprint:
        raise ApiError(
            422,
            _("This Idempotency-Key was used before with another request. Use a new key for a new request."),
            errors=[{"parameter": "Idempotency-Key", "detail": _("Used before with another request.")}],
        )
    response = api_json(json.loads(kept.body), kept.status)
    response.headers["Idempotent-Replayed"] = "true"
    return response
