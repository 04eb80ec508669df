"""Response headers, the session cookie, and who is asking (X3)."""

from __future__ import annotations

import secrets

from flask import Flask, abort, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeSerializer


def csp_nonce() -> str:
    """A per-response nonce for the one <style> block that sets the theme colour."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _content_security_policy() -> str:
    style = "'self'"
    if "csp_nonce" in g:
        style += f" 'nonce-{g.csp_nonce}'"
    return (
        "default-src 'self'; script-src 'self'; "
        f"style-src {style}; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class PorchSessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        try:
            return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)
        except RuntimeError:  # outside a request
            return bool(app.config["SESSION_COOKIE_SECURE"])


def client_ip() -> str:
    # ProxyFix (TRUSTED_PROXIES) has already replaced remote_addr when behind a proxy.
    return request.remote_addr or ""


# Links in mail that act without a session (unfollow a discussion, stop newsletters): the ids they act on,
# signed with SECRET_KEY under a purpose of their own, so one link never serves another purpose.


def signed_ids(purpose: str, *ids: int) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose).dumps(list(ids))


def read_signed_ids(purpose: str, token: str, count: int) -> tuple[int, ...] | None:
    """The ids signed_ids() signed for this purpose, or None for a token that is not ours or not whole."""
    try:
        ids = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(ids, list) or len(ids) != count or not all(type(i) is int for i in ids):
        return None
    return tuple(ids)


def refuse_nul_bytes() -> None:
    """400 for a query or form value holding a NUL byte: never text anyone typed, and PostgreSQL refuses it
    in a string (a 500 deep in whichever view binds it), where SQLite would store it."""
    values = request.args.lists()
    if request.method not in ("GET", "HEAD"):
        values = [*values, *request.form.lists()]
    if any("\x00" in value for _key, items in values for value in items):
        abort(400)
