"""`flask doctor`: is this configuration ready to serve? Each check says what it found and, when something is
wrong, what to do about it, in the words of the settings table in the README.

A check is FAIL when Porch would not work or would be unsafe (a known or short secret key, a database that
cannot be reached or is not migrated, a Redis or SMTP server that is set but does not answer, a folder it
cannot write, no BASE_URL, session cookies sent without HTTPS behind a TLS proxy); WARN when it works but not as a
production install should (jobs inline, mail to a folder, SQLite).
"""

from __future__ import annotations

import os
import smtplib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from core import storage

OK, WARN, FAIL = "ok", "warn", "FAIL"
# Secret keys that are public: the tests', the benchmarks', and what people paste from examples.
KNOWN_SECRETS = {"test-secret", "bench", "porch-bench-only", "dev", "secret", "change-me", "changeme"}
MIN_SECRET_LENGTH = 32


@dataclass
class Finding:
    state: str
    subject: str
    message: str


def examine(config, pending_migrations: Callable[[], list[str]]) -> list[Finding]:
    """Every check's finding, in the order an operator would fix them."""
    return [
        *_secret_key(config),
        *_database(config, pending_migrations),
        *_redis(config),
        *_smtp(config),
        *_folders(config),
        *_storage(config),
        *_https(config),
    ]


def _secret_key(config) -> Iterator[Finding]:
    key = config.get("SECRET_KEY") or ""
    if key in KNOWN_SECRETS or len(key) < MIN_SECRET_LENGTH:
        yield Finding(
            FAIL,
            "SECRET_KEY",
            "is a known or short value: anyone could sign sessions. Set SECRET_KEY to"
            " `python3 -c 'import secrets; print(secrets.token_hex(32))'`.",
        )
    elif not os.environ.get("SECRET_KEY"):
        yield Finding(
            WARN,
            "SECRET_KEY",
            "comes from instance/secret_key. Fine on one machine; with several app servers set the same"
            " SECRET_KEY on each, and keep it with the backups.",
        )
    else:
        yield Finding(OK, "SECRET_KEY", "is set.")


def _database(config, pending_migrations: Callable[[], list[str]]) -> Iterator[Finding]:
    url = config["DATABASE_URL"]
    shown = _without_password(url)
    try:
        pending = pending_migrations()
    except Exception as error:  # noqa: BLE001 - any driver error means the same to the operator
        yield Finding(FAIL, "DATABASE_URL", f"{shown} cannot be reached: {_first_line(error)}")
        return
    if pending:
        yield Finding(
            FAIL,
            "DATABASE_URL",
            f"{shown} is reachable but {len(pending)} migration(s) are not applied ({pending[0]} …):"
            " run `flask db upgrade`.",
        )
        return
    yield Finding(OK, "DATABASE_URL", f"{shown} is reachable and migrated.")
    if urlsplit(url).scheme == "sqlite":
        yield Finding(
            WARN,
            "DATABASE_URL",
            "is SQLite: right for one machine; several app servers need PostgreSQL"
            " (postgresql://user:password@host/porch).",
        )


def _redis(config) -> Iterator[Finding]:
    url = config.get("REDIS_URL")
    if not url:
        yield Finding(
            WARN,
            "REDIS_URL",
            "is not set: mail and PDFs are made while the page waits. Set it and run an RQ worker, or run"
            " `flask jobs tick` from cron every minute.",
        )
        return
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        yield Finding(FAIL, "REDIS_URL", f"{_without_password(url)} does not answer: {_first_line(error)}")
        return
    yield Finding(OK, "REDIS_URL", f"{_without_password(url)} answers.")


def _smtp(config) -> Iterator[Finding]:
    url = config.get("SMTP_URL")
    if not url:
        yield Finding(WARN, "SMTP_URL", f"is not set: mail is written to {config['OUTBOX_DIR']} and reaches nobody.")
        return
    parts = urlsplit(url)
    options = parse_qs(parts.query)
    secure = parts.scheme == "smtps"
    try:
        client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with client_class(parts.hostname, parts.port or (465 if secure else 25), timeout=5) as client:
            client.ehlo()
            if options.get("starttls", ["0"])[0] in ("1", "true"):
                client.starttls()
                client.ehlo()
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
    except (OSError, smtplib.SMTPException) as error:
        yield Finding(FAIL, "SMTP_URL", f"{_without_password(url)} does not take mail: {_first_line(error)}")
        return
    yield Finding(
        OK, "SMTP_URL", f"{_without_password(url)} answers{' and accepts the login' if parts.username else ''}."
    )


def _folders(config) -> Iterator[Finding]:
    # With STORAGE_URL the files are in S3 and UPLOAD_DIR is not used (see _storage).
    names = (
        ("OUTBOX_DIR", "INSTANCE_DIR") if config.get("STORAGE_URL") else ("UPLOAD_DIR", "OUTBOX_DIR", "INSTANCE_DIR")
    )
    for name in names:
        folder = Path(config[name])
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
                pass
        except OSError as error:
            yield Finding(FAIL, name, f"{folder} cannot be written: {error.strerror or error}.")
            continue
        yield Finding(OK, name, f"{folder} is writable.")


def _storage(config) -> Iterator[Finding]:
    """With STORAGE_URL: an object is written, read back and removed in the bucket (keys, endpoint, rights)."""
    if not config.get("STORAGE_URL"):
        return
    try:
        store = storage.from_settings(config)
        store.check_writable()
    except ValueError as error:
        yield Finding(FAIL, "STORAGE_URL", f"{error}.")
        return
    except (storage.StorageError, OSError) as error:
        yield Finding(
            FAIL,
            "STORAGE_URL",
            f"files cannot be kept there: {_first_line(error)}. Check the bucket, STORAGE_ENDPOINT_URL and the"
            " AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION variables.",
        )
        return
    yield Finding(OK, "STORAGE_URL", f"{store.describe()} is writable.")


def _https(config) -> Iterator[Finding]:
    base = config.get("BASE_URL") or ""
    if not base:
        yield Finding(
            FAIL,
            "BASE_URL",
            "is not set: links in mail use whatever host a request named, so anyone can have a sign-in or"
            " reset link mailed that points at their own site. Set it to the portal's address, e.g."
            " https://porch.example.org.",
        )
        return
    if urlsplit(base).scheme != "https":
        host = urlsplit(base).hostname or ""
        state = OK if host in ("localhost", "127.0.0.1", "::1") else WARN
        yield Finding(state, "BASE_URL", f"{base} is not HTTPS: passwords and session cookies cross in clear.")
        return
    if not config.get("TRUSTED_PROXIES") and not config.get("SESSION_COOKIE_SECURE"):
        yield Finding(
            FAIL,
            "TRUSTED_PROXIES",
            f"is 0 while BASE_URL is {base}: behind the TLS proxy every request looks like plain HTTP, so"
            " session cookies are sent without Secure. Set TRUSTED_PROXIES=1 (one proxy in front).",
        )
        return
    yield Finding(OK, "BASE_URL", f"{base}: session cookies are marked Secure.")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]
