"""Fixtures: app, client, login_as, factories, a real SMTP server, a real Redis, a real S3 server.

Every test gets a fresh, migrated database: a copy of a migrated SQLite file,
or (PORCH_TEST_DATABASE_URL=postgresql://…) truncated PostgreSQL tables.
A test that queues mail fails unless it asked for `smtp_server` or `outbox`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import peewee as pw
import pytest
from argon2 import PasswordHasher
from hypothesis import settings as hypothesis_settings
from jinja2 import BytecodeCache

from blueprints.portal import accounts
from config import TestConfig
from core import clock
from models import ALL_MODELS, OutboundEmail
from models.db import db, make_database, upgrade
from tests.factories import portal as portal_rows
from tests.factories import register as register_rows
from tests.helpers import PASSWORD, Client, SmtpSink, free_port
from tests.s3 import S3Server


class _MemoryBytecodeCache(BytecodeCache):
    """Every test builds its own app; this spares each one compiling the same templates."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _MemoryBytecodeCache()


def _reuse_url_builders() -> None:
    """Every test builds its own app; this spares each one compiling the same ~1,500 URL builders.

    Werkzeug turns each rule into a Python function with ast and compile() (Rule._compile_builder), about
    half a second per app, most of a small test's time. The function depends only on what the key below
    holds (the rule's parsed parts, its defaults and their converters' kinds): it looks the converters up
    on the rule it is bound to at each call, so one compiled for an earlier app's identical rule builds
    the same URLs.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict[tuple, object] = {}

    def cached(self, append_unknown=True):
        key = (
            self.rule,
            tuple(self._trace),
            tuple((name, type(converter)) for name, converter in self._converters.items()),
            repr(sorted((self.defaults or {}).items())),
            append_unknown,
        )
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = cached


_reuse_url_builders()

# Cheap argon2id parameters: the tests check behaviour, not hashing cost.
accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# Hypothesis's per-example deadline is a timing guess, not a property: on a busy 2-core CI machine a pure
# arithmetic example took 448 ms once and failed the run. The properties themselves are unchanged.
hypothesis_settings.register_profile("porch", deadline=None)
hypothesis_settings.load_profile("porch")

PG_URL = os.environ.get("PORCH_TEST_DATABASE_URL")
EXTERNAL_REDIS = os.environ.get("PORCH_TEST_REDIS_URL")
# Under pytest-xdist ("gw0", "gw1", …) each worker has a database of its own and a Redis db of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_postgres(url: str) -> str:
    """The worker's own database beside `url`'s (made when missing): "test" -> "test_gw1"."""
    if not WORKER:
        return url
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{WORKER}"
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def _worker_redis(url: str) -> str:
    """The worker's own Redis db below `url`'s: /15 for gw0, /14 for gw1."""
    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    index = int(WORKER[2:]) if WORKER.startswith("gw") else 0
    return urlunsplit(parts._replace(path=f"/{(base - index) % 16}"))


# --- database --------------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """Migrate once per session; each test starts from a copy (SQLite) or truncation (PostgreSQL)."""
    if PG_URL:
        url = _worker_postgres(PG_URL)
        database = make_database(url)
        db.initialize(database)
        with database.connection_context():
            _commit_without_waiting_for_disk(database)
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")
            upgrade()
        return url
    path = tmp_path_factory.mktemp("template") / "porch.sqlite3"
    database = make_database(f"sqlite:///{path}")
    db.initialize(database)
    with database.connection_context():
        upgrade()
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


def _commit_without_waiting_for_disk(database) -> None:
    """The test database's commits return before PostgreSQL's WAL reaches the disk (synchronous_commit off).

    A test commits many times (each factory row, each request), and waiting for the flush was most of a
    commit's time on a busy machine. Nothing a test sees changes: a commit is as visible and as atomic; only
    a crash of the PostgreSQL server could lose the last few, of a database rebuilt on every run. Set on the
    database, so the RQ worker processes some tests start have it too.
    """
    name = database.execute_sql("SELECT current_database()").fetchone()[0]
    database.execute_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    database.execute_sql("SET synchronous_commit = off")  # this connection was opened before


@pytest.fixture
def database_url(migrated_template, tmp_path):
    if PG_URL:
        database = make_database(migrated_template)
        with database.connection_context():
            _empty_postgres(database)
        return migrated_template
    path = tmp_path / "porch.sqlite3"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


def _empty_postgres(database) -> None:
    """Every row deleted and every id sequence restarted, as a fresh SQLite copy would be.

    TRUNCATE of the thirty-odd tables takes PostgreSQL ~250 ms (it replaces their files), which was
    most of the suite's time on PostgreSQL; DELETE of the few rows a test leaves takes a few ms.
    Foreign-key triggers are off while emptying (the test database's user is a superuser), so the
    order does not matter; without that right, TRUNCATE still does it.
    """
    tables = [m._meta.table_name for m in reversed(ALL_MODELS)]
    deletes = "; ".join(f'DELETE FROM "{table}"' for table in tables)
    restarts = ", ".join(f"setval(pg_get_serial_sequence('\"{table}\"', 'id'), 1, false)" for table in tables)
    try:
        # One round trip for the hundred-odd statements (one each took ~0.3 s of a test on a busy machine).
        with database.atomic():
            database.execute_sql(f"SET LOCAL session_replication_role = replica; {deletes}; SELECT {restarts}")
    except pw.DatabaseError:  # not allowed to switch the triggers off
        quoted = ", ".join(f'"{table}"' for table in tables)
        database.execute_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


# --- real services -----------------------------------------------------------------


@pytest.fixture
def smtp_server():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A redis-server of our own on a free port (or the CI one from PORCH_TEST_REDIS_URL)."""
    if EXTERNAL_REDIS:
        yield _worker_redis(EXTERNAL_REDIS)
        return
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        pytest.fail("redis-server is not installed: run `make test`, which installs it")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(5)


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API server (moto in server mode) on a free loopback port, for the whole session."""
    server = S3Server(os.environ.get("PORCH_TEST_S3_ENDPOINT")).start()
    yield server
    server.stop()


@pytest.fixture
def s3_storage(s3_server):
    """A bucket of this test's own; the `app` of a test that asks for this keeps its files there."""
    bucket = s3_server.new_bucket()
    return s3_server.settings(bucket) | {"bucket": bucket}


@pytest.fixture
def redis(redis_url):
    from redis import Redis

    connection = Redis.from_url(redis_url)
    connection.flushdb()
    yield connection
    connection.flushdb()


# --- the app -------------------------------------------------------------------------


@pytest.fixture
def app_overrides():
    """Tests override settings by requesting this fixture and updating the dict."""
    return {}


@pytest.fixture
def app(request, database_url, tmp_path, app_overrides):
    from app import create_app

    settings = {
        "DATABASE_URL": database_url,
        "OUTBOX_DIR": tmp_path / "outbox",
        "UPLOAD_DIR": tmp_path / "uploads",
        "INSTANCE_DIR": tmp_path,
        "SMTP_URL": None,
        "REDIS_URL": None,
        "BASE_URL": "http://porch.test",
        "WTF_CSRF_ENABLED": True,
    }
    if "smtp_server" in request.fixturenames:
        settings["SMTP_URL"] = request.getfixturevalue("smtp_server").url
    if "redis" in request.fixturenames:
        settings["REDIS_URL"] = request.getfixturevalue("redis_url")
    if "s3_storage" in request.fixturenames:
        s3 = request.getfixturevalue("s3_storage")
        settings.update(STORAGE_URL=s3["STORAGE_URL"], STORAGE_ENDPOINT_URL=s3["STORAGE_ENDPOINT_URL"])
    settings.update(app_overrides)
    config = type("Config", (TestConfig,), settings)
    application = create_app(config)
    application.jinja_env.bytecode_cache = TEMPLATE_CACHE  # compile each template once per run
    # No app context stays pushed: Flask would reuse it for every request, and
    # `g` would leak from one request to the next. Tests that call services
    # directly push one themselves (`with app.app_context():`).
    db.connect(reuse_if_open=True)
    yield application
    if not db.is_closed():
        db.close()
    clock.set_time(None)


@pytest.fixture(autouse=True)
def mail_guard(request):
    """Fail a test that queues mail without asking for a mail fixture (as Indico does)."""
    yield
    if "app" not in request.fixturenames or {"smtp_server", "outbox"} & set(request.fixturenames):
        return
    with db.connection_context():
        sent = list(OutboundEmail.select(OutboundEmail.kind, OutboundEmail.to_address))
    if sent:
        pytest.fail(
            f"test queued mail without the smtp_server/outbox fixture: {[(m.kind, m.to_address) for m in sent]}"
        )


@pytest.fixture
def outbox(app):
    """The outbox rows, for tests that expect mail but need no SMTP server."""

    class Outbox:
        def rows(self, **where):
            query = OutboundEmail.select().order_by(OutboundEmail.id)
            for key, value in where.items():
                query = query.where(getattr(OutboundEmail, key) == value)
            return list(query)

    return Outbox()


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def new_client(app):
    """Another browser."""
    return lambda: Client(app.test_client())


# --- factories (tests/factories/, one module per domain) --------------------------------


@pytest.fixture
def make_association(app):
    return portal_rows.make_association


@pytest.fixture
def make_person(app):
    return register_rows.make_person


@pytest.fixture
def make_user(app):
    return portal_rows.make_user


@pytest.fixture
def make_building(app):
    return register_rows.make_building


@pytest.fixture
def make_unit(app):
    return register_rows.make_unit


@pytest.fixture
def make_owner(app):
    return register_rows.make_owner


@pytest.fixture
def make_resident(app):
    return register_rows.make_resident


@pytest.fixture
def login(app):
    def do(client: Client, email: str, password: str = PASSWORD, slug: str | None = None):
        path = f"/{slug}/login" if slug else "/login"
        response = client.submit(path, {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    return do


@pytest.fixture
def alpha(make_association):
    return make_association("alpha")


@pytest.fixture
def frozen_clock(app):
    """Control time: frozen_clock.set(datetime) / .advance(timedelta)."""
    import datetime as dt

    class Clock:
        def __init__(self):
            self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
            clock.set_time(self.now)

        def set(self, value):
            self.now = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            clock.set_time(self.now)

        def advance(self, delta):
            self.set(self.now + delta)

    yield Clock()
    clock.set_time(None)


@pytest.fixture
def login_as(app, alpha, make_user, login, client):
    """Log `client` in to alpha with a new account of the given built-in role."""

    def do(role: str, email: str | None = None):
        user = make_user(alpha, email or f"{role}@alpha.example", role)
        login(client, user.email)
        return user

    return do
