"""What every API request goes through (SPEC I1): the token, its association, its rate limit and its scope;
problem details for every error under /api/; and the opaque cursors the lists page with.

A request authenticates only by `Authorization: Bearer <token>`. The session cookie is never read: before
anything else runs, the request is made anonymous, so a signed-in browser (or a page that tricks one into
calling the API) gets no further than a stranger, and CSRF, which guards what cookies allow, is off here.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import logging
import math
from collections.abc import Callable
from functools import wraps

from flask import current_app, g, request
from flask_login import AnonymousUserMixin
from redis import Redis
from redis.exceptions import RedisError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from blueprints.exchange import site
from blueprints.exchange.problems import ApiError, problem
from core import clock
from core.text import gettext as _
from core.text import lazy_gettext as _l
from models.db import db
from models.exchange import ApiRateWindow, ApiToken

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
LAST_USE_PRECISION = dt.timedelta(minutes=1)  # "last used" is written at most once a minute per token

SCOPE_LABELS = {
    ApiToken.READ_REGISTER: _l("Read the register: units, people and who owns what"),
    ApiToken.WRITE_REGISTER: _l("Write the register: units, people and ownership"),
    ApiToken.WRITE_BILLING: _l("Write billing: contracts, invoices and payments"),
    ApiToken.READ_FAULTS: _l("Read new and changed fault reports"),
}


# --- every request under /api/ ----------------------------------------------------------------------------


@site.record_once
def _install(state) -> None:
    """Run the API's guard before the app's own hooks (the NUL-byte check, CSRF), whose errors are HTML
    pages, and exempt the API from CSRF: no cookie authenticates it, so no forged request can use one."""
    state.app.before_request_funcs.setdefault(None, []).insert(0, guard_api_request)
    state.app.extensions["csrf"].exempt(site)


def guard_api_request():
    """For a request under /api/: anonymous whatever cookies it carries, and a problem for what no view
    answers (an unknown path, a wrong method) or what the app would refuse before a view (a NUL byte)."""
    if not request.path.startswith(API_PREFIX):
        return None
    g._login_user = AnonymousUserMixin()  # Flask-Login's current_user: nobody, whatever the cookie says
    g.memberships = []
    routing = request.routing_exception
    if routing is not None and not isinstance(routing, RequestRedirect):
        return http_problem(routing)
    values = [*request.args.values(), *(request.headers.get(h, "") for h in ("Authorization", "Idempotency-Key"))]
    if any("\x00" in value for value in values):
        return problem(400, _("The request holds a NUL character, which no field may contain."))
    return None


def http_problem(error: HTTPException):
    """A werkzeug HTTP error (404, 405, 413, …) as problem details, with Allow kept for a 405."""
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    details = {
        404: _("There is nothing at this address. The API's paths are listed in /api/v1/openapi.json."),
        405: _("This address does not take %(method)s.", method=request.method),
        413: _("The request body is too large."),
    }
    return problem(status, details.get(status, error.description or ""), headers=headers)


@site.errorhandler(ApiError)
def _problem(error: ApiError):
    return error.response()


@site.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return http_problem(error)


@site.errorhandler(InternalServerError)
def _server_error(error: InternalServerError):
    db_rollback_quietly()
    return problem(500, _("Something went wrong on our side. Nothing was changed; please try again later."))


def db_rollback_quietly() -> None:
    """After a failure mid-request, leave no transaction open on the connection the next request gets."""
    try:
        if not db.is_closed() and db.in_transaction():
            db.rollback()
    except Exception:  # the failure may have been the database itself
        log.exception("rolling back after an API error failed")


# --- tokens -------------------------------------------------------------------------------------------------


def _bearer_secret() -> str | None:
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


def _unauthorized(detail: str, *, invalid: bool) -> ApiError:
    challenge = 'Bearer realm="porch"' + (', error="invalid_token"' if invalid else "")
    return ApiError(401, detail, headers={"WWW-Authenticate": challenge})


def authenticate(slug: str) -> ApiToken:
    """The live token the request carries, for the association at `slug`; else a 401 or 403 problem.

    A token of another association is refused whether or not `slug` exists, so the API tells an outsider
    nothing about which portals there are."""
    secret = _bearer_secret()
    if secret is None:
        raise _unauthorized(_("Send an API token in the header Authorization: Bearer <token>."), invalid=False)
    token = ApiToken.live(secret)
    if token is None:
        raise _unauthorized(_("This API token is not known or has been revoked."), invalid=True)
    if token.association.slug != slug:
        raise ApiError(403, _("This API token belongs to another association."))
    _note_use(token)
    return token


def _note_use(token: ApiToken) -> None:
    now = clock.utcnow_naive()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        token.last_used_at = now
        ApiToken.update(last_used_at=now).where(ApiToken.id == token.id).execute()


def check_scope(token: ApiToken, scope: str) -> None:
    if scope not in token.scope_set:
        raise ApiError(
            403,
            _("This API token may not do this: it needs the scope %(scope)s.", scope=scope),
            headers={"WWW-Authenticate": f'Bearer realm="porch", error="insufficient_scope", scope="{scope}"'},
        )


def api_view(scope: str) -> Callable:
    """Wrap an API view: token for this association, rate limit, then `scope`. The view gets
    (association, token, **the URL's other values)."""

    def decorator(view):
        @wraps(view)
        def wrapped(slug: str, **kwargs):
            token = authenticate(slug)
            throttle(token)
            check_scope(token, scope)
            g.association = token.association
            return view(token.association, token, **kwargs)

        wrapped.api_scope = scope
        return wrapped

    return decorator


# --- the rate limit: per token, counted where every process and machine sees it ------------------------------


def requests_per_minute() -> int:
    return int(current_app.config["API_REQUESTS_PER_MINUTE"])


def throttle(token: ApiToken) -> None:
    """Count this request in the token's current minute; past the limit, a 429 saying when to come back."""
    now = clock.utcnow_naive()
    window = now.replace(second=0, microsecond=0)
    count = _count_in_redis(token, window) if current_app.config.get("REDIS_URL") else None
    if count is None:  # no Redis, or Redis down: the database counts (the app keeps serving either way)
        count = _count_in_database(token, window)
    limit = requests_per_minute()
    if count > limit:
        retry_after = max(1, math.ceil((window + dt.timedelta(minutes=1) - now).total_seconds()))
        raise ApiError(
            429,
            _("Too many requests with this token: at most %(limit)d a minute. Try again in %(seconds)d s.",
              limit=limit, seconds=retry_after),
            headers={"Retry-After": str(retry_after)},
        )  # fmt: skip


_redis_clients: dict[str, Redis] = {}


def _redis() -> Redis:
    url = current_app.config["REDIS_URL"]
    if url not in _redis_clients:  # one connection pool per process, not one per request
        _redis_clients[url] = Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _redis_clients[url]


def _count_in_redis(token: ApiToken, window: dt.datetime) -> int | None:
    key = f"porch:api-rate:{token.id}:{window:%Y%m%d%H%M}"
    try:
        pipe = _redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, 120)
        count, _expiry = pipe.execute()
    except RedisError:
        log.warning("Redis unreachable: counting API requests in the database")
        return None
    return int(count)


def _count_in_database(token: ApiToken, window: dt.datetime) -> int:
    """One upsert that answers the new count (INSERT … ON CONFLICT … RETURNING: atomic on both backends,
    whoever else counts at the same moment), written as SQL once per dialect: it runs on every request."""
    database = db.obj
    stamp = ApiRateWindow.window_start.db_value(window)
    (count,) = database.execute_sql(_count_sql(database.param), (token.id, stamp)).fetchone()
    if count == 1:  # the token's first request this minute: its older windows are of no more use
        ApiRateWindow.delete().where(
            (ApiRateWindow.token == token.id) & (ApiRateWindow.window_start < window)
        ).execute()
    return count


@functools.cache
def _count_sql(param: str) -> str:
    return (
        f'INSERT INTO "api_rate_window" ("token_id", "window_start", "count") VALUES ({param}, {param}, 1) '
        'ON CONFLICT ("token_id", "window_start") DO UPDATE SET "count" = "api_rate_window"."count" + 1 '
        'RETURNING "count"'
    )


# --- paging ---------------------------------------------------------------------------------------------------

DEFAULT_LIMIT, MAX_LIMIT = 100, 500


def page_limit() -> int:
    raw = request.args.get("limit", "")
    if raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(
            400,
            _("limit must be a whole number from 1 to %(most)d.", most=MAX_LIMIT),
            errors=[{"parameter": "limit", "detail": _("Give a whole number from 1 to %(most)d.", most=MAX_LIMIT)}],
        )
    return int(raw)


def encode_cursor(values: dict) -> str:
    """An opaque cursor: what it holds is ours to change, so clients pass it back as they got it."""
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(keys: tuple[str, ...]) -> dict | None:
    """The ?cursor= of this request (None when absent), holding exactly `keys`; a 400 problem otherwise."""
    raw = request.args.get("cursor", "")
    if raw == "":
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, dict) or set(values) != set(keys):
        raise bad_cursor()
    return values


def bad_cursor() -> ApiError:
    return ApiError(
        400,
        _("The cursor is not one this API gave out. Pass next_cursor back unchanged, or leave it out."),
        errors=[{"parameter": "cursor", "detail": _("Not a cursor from this API.")}],
    )
