"""Settings, every one read from the environment (see the table in README.md)."""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


class Config:
    INSTANCE_DIR = Path(_env("PORCH_INSTANCE_DIR", str(BASE_DIR / "instance")))
    # Without SECRET_KEY a random one is kept in instance/ so sessions survive restarts.
    SECRET_KEY = _env("SECRET_KEY")
    DATABASE_URL = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'porch.sqlite3'}")
    REDIS_URL = _env("REDIS_URL")
    SMTP_URL = _env("SMTP_URL")
    MAIL_FROM = _env("MAIL_FROM", "Porch <porch@localhost>")
    # Where bounces go, as "bounce@example.org": each mail leaves with "bounce+<outbox id>@example.org" as its
    # envelope sender (VERP), so a bounce names the mail and its recipient. Unset: bounces go to MAIL_FROM.
    MAIL_BOUNCE_ADDRESS = _env("MAIL_BOUNCE_ADDRESS")
    # The mailbox those bounces land in, read every 5 minutes: imaps://user:password@host/INBOX, with
    # ?move_to=Processed to keep what was read (else it is deleted). Unset: `flask mail bounces PATH` only.
    MAIL_BOUNCE_IMAP_URL = _env("MAIL_BOUNCE_IMAP_URL")
    OUTBOX_DIR = Path(_env("OUTBOX_DIR", str(INSTANCE_DIR / "outbox")))
    UPLOAD_DIR = Path(_env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads")))
    # Where every stored file is kept (core/storage.py): unset, the folder UPLOAD_DIR; "s3://bucket/prefix",
    # S3-compatible object storage, its keys and region from the usual AWS_* variables, and its address from
    # STORAGE_ENDPOINT_URL when it is not Amazon's (MinIO, Garage, a provider's S3 API).
    STORAGE_URL = _env("STORAGE_URL")
    STORAGE_ENDPOINT_URL = _env("STORAGE_ENDPOINT_URL")
    PORT = _int("PORT", 5000)
    # The address mails link to; without it links use the request's host.
    BASE_URL = _env("BASE_URL")
    # Number of reverse proxies in front (for X-Forwarded-For/-Proto).
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    RQ_QUEUE = _env("RQ_QUEUE", "porch")
    # Seconds a new post's mail waits (C2): typo fixes made meanwhile go out, several posts leave as one mail.
    POST_MAIL_DELAY = _int("POST_MAIL_DELAY", 300)

    LOGIN_MAX_PER_ACCOUNT = _int("LOGIN_MAX_PER_ACCOUNT", 100)
    LOGIN_MAX_PER_IP = _int("LOGIN_MAX_PER_IP", 300)
    # Wrong second-factor codes (P6) an account may send in an hour before further codes go unchecked.
    SECOND_FACTOR_MAX_PER_HOUR = _int("SECOND_FACTOR_MAX_PER_HOUR", 10)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    # A mail claimed for sending longer ago than this lost its sender (a worker killed mid-send): the
    # sweep sends it again. An SMTP send gives up after 30 s, so two minutes is well past any real one.
    MAIL_SENDING_TIMEOUT = _int("MAIL_SENDING_TIMEOUT", 120)
    # Public registration requests (P4): per client address per hour, per e-mail per day.
    REGISTRATION_MAX_PER_IP = _int("REGISTRATION_MAX_PER_IP", 5)
    REGISTRATION_MAX_PER_EMAIL = _int("REGISTRATION_MAX_PER_EMAIL", 3)
    # Requests one API token may make a minute (SPEC I1), counted in Redis when set, else in the database.
    API_REQUESTS_PER_MINUTE = _int("API_REQUESTS_PER_MINUTE", 1200)
    # Uploaded pictures (logo, header photo, welcome-text images).
    IMAGE_MAX_BYTES = _int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
    # Photos and PDFs on fault reports, per file; a bigger one is refused while it is read.
    FILE_MAX_BYTES = _int("FILE_MAX_BYTES", 10 * 1024 * 1024)
    # Adds an X-Query-Count header; bench/ turns it on, production leaves it off.
    COUNT_QUERIES = _env("PORCH_COUNT_QUERIES") == "1"

    SESSION_COOKIE_NAME = "porch"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies even when a request looks like plain HTTP (a TLS proxy not counted in TRUSTED_PROXIES).
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE") == "true"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    # Re-signing the cookie on every response costs time; app._touch refreshes it every few minutes.
    SESSION_REFRESH_EACH_REQUEST = False
    # The CSRF token lives as long as the session: no expiry while a page is open.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("en", "sv", "da", "cs", "et")
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    TESTING = False

    @classmethod
    def ensure_secret_key(cls) -> str:
        if cls.SECRET_KEY:
            return cls.SECRET_KEY
        path = cls.INSTANCE_DIR / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()


class TestConfig(Config):
    TESTING = True
    STORAGE_URL = None  # tests that want S3 ask for the s3_storage fixture
    STORAGE_ENDPOINT_URL = None
    SECRET_KEY = "test-secret"
    SERVER_NAME = None
