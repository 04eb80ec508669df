"""Two app servers, one database, one Redis (issue 16 item 7): nothing that must be shared lives in one process.

Two gunicorn servers run as separate processes on two ports, each with its own instance folder (its own
"machine"), against one database (PostgreSQL when PORCH_TEST_DATABASE_URL is set, else one SQLite file)
and the tests' Redis. A browser's session, the login throttle and the board's cached invoice totals must
behave as if there were one server; two `rq cron` schedulers must run each periodic job once.
The servers start once for the module.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from redis import Redis

from bench._client import Browser, parse_page
from jobs import periodic
from models import Association, PeriodicRun
from models.db import db, make_database, upgrade
from tests.conftest import PG_URL, WORKER
from tests.factories.billing import make_billing, make_invoice
from tests.factories.portal import make_association, make_user
from tests.factories.register import make_person, make_unit
from tests.helpers import PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[1]
SECRET = "the-same-secret-on-every-machine"
MAX_FAILED_LOGINS = 4

pytestmark = pytest.mark.redis


# --- one database for the module, apart from the per-test ones ------------------------------------


def _own_postgres(url: str) -> str:
    """A database of this module's own beside `url`'s, migrated afresh (the servers share it)."""
    import psycopg2

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_machines_{WORKER or 'main'}"
    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory):
    url = _own_postgres(PG_URL) if PG_URL else f"sqlite:///{tmp_path_factory.mktemp('shared') / 'porch.sqlite3'}"
    database = make_database(url)
    db.initialize(database)
    with database.connection_context():
        upgrade()
    database.close()
    return url


@pytest.fixture
def rows(shared_database):
    """The test's own connection to the shared database (other modules' tests point `db` elsewhere)."""
    database = make_database(shared_database)
    db.initialize(database)
    db.connect(reuse_if_open=True)
    yield
    db.close()


# --- two servers ------------------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, env: dict, directory: Path):
        self.name, self.port = name, free_port()
        log = (directory / f"{name}.log").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{self.port}",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.log = directory / f"{name}.log"
        self.directory = Path(env["PORCH_INSTANCE_DIR"])

    def browser(self) -> Browser:
        return Browser("127.0.0.1", self.port)

    def wait_until_up(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} stopped:\n{self.log.read_text()[-3000:]}")
            try:
                browser = self.browser()
                if browser.get("/healthz").status == 200:
                    browser.close()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server {self.name} did not answer:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def machine_env(directory: Path, database_url: str, redis_url: str, storage: dict | None = None) -> dict:
    """A machine's settings: its own folders, the shared database, Redis, object storage and secret key."""
    directory.mkdir(parents=True, exist_ok=True)
    return {
        **(storage or {}),
        **{k: v for k, v in os.environ.items() if not k.startswith(("PORCH_TEST", "PYTEST"))},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET,
        "PORCH_INSTANCE_DIR": str(directory),
        "UPLOAD_DIR": str(directory / "uploads"),
        "OUTBOX_DIR": str(directory / "outbox"),
        "BASE_URL": "http://porch.test",
        "LOGIN_MAX_PER_ACCOUNT": str(MAX_FAILED_LOGINS),
    }


@pytest.fixture(scope="module")
def servers(shared_database, redis_url, s3_server, tmp_path_factory):
    directory = tmp_path_factory.mktemp("machines")
    bucket = s3_server.new_bucket()
    storage = s3_server.settings(bucket)  # one bucket; each machine has its own UPLOAD_DIR, left unused
    started = [
        Server(name, machine_env(directory / name, shared_database, redis_url, storage), directory)
        for name in ("one", "two")
    ]
    for server in started:
        server.s3, server.bucket = s3_server, bucket
    try:
        deadline = time.monotonic() + 60
        for server in started:
            server.wait_until_up(deadline)
        yield started
    finally:
        for server in started:
            server.stop()


SLUGS = itertools.count(1)


@pytest.fixture
def alpha(rows, servers):
    """A fresh association for each test (the database lives as long as the module)."""
    return make_association(f"alpha{next(SLUGS)}")


# --- the checks -------------------------------------------------------------------------------------


def test_a_session_made_on_one_server_works_on_the_other(servers, alpha):
    one, two = servers
    make_user(alpha, f"eva@{alpha.slug}.example", "board")
    browser = one.browser()
    browser.log_in(alpha.slug, f"eva@{alpha.slug}.example", PASSWORD)
    elsewhere = two.browser()
    elsewhere.cookies = dict(browser.cookies)
    page = elsewhere.get(f"/{alpha.slug}/")
    assert page.status == 200 and 'action="/logout"' in page.text  # signed in
    assert elsewhere.get(f"/{alpha.slug}/admin/invoices").status == 200  # a board page, not the login page

    # Signing out on the second ends the session on the first too.
    token = parse_page(page.text).csrf_token
    assert elsewhere.post_form("/logout", {"csrf_token": token}).status in (302, 303)
    assert browser.get(f"/{alpha.slug}/admin/invoices").status in (302, 303)


def test_a_picture_uploaded_through_one_server_is_served_by_the_other(servers, alpha):
    one, two = servers
    email = f"board@{alpha.slug}.example"
    make_user(alpha, email, "board")
    browser = one.browser()
    browser.log_in(alpha.slug, email, PASSWORD)
    settings = f"/{alpha.slug}/admin/settings"
    token = parse_page(browser.get(settings).text).csrf_token
    picture = _png(120, 30)
    body, content_type = _multipart({"csrf_token": token}, "logo", "our logo.png", picture)
    answer = browser.request("POST", f"{settings}/logo", body, {"Content-Type": content_type})
    assert answer.status == 302, answer.text[:2000]
    logo = Association.get_by_id(alpha.id).logo
    assert logo and not list((one.directory / "uploads").rglob("*.png"))  # not in the first machine's folder

    served = two.browser().get(f"/{alpha.slug}/media/{logo}")
    assert served.status == 200 and served.headers["Content-Type"] == "image/png"
    from PIL import Image

    assert Image.open(io.BytesIO(served.body)).size == (120, 30)
    assert any(key.endswith(f"/{logo}") for key in one.s3.keys(one.bucket))  # the one copy: in the bucket


def test_the_login_throttle_counts_attempts_made_through_both(servers, alpha):
    email = f"olle@{alpha.slug}.example"
    make_user(alpha, email, "member")
    for server in servers * (MAX_FAILED_LOGINS // 2):
        browser = server.browser()
        answer = _log_in(browser, alpha.slug, email, "not-the-password")
        assert answer.status == 422
    for server in servers:  # now even the right password is not checked, on either server
        answer = _log_in(server.browser(), alpha.slug, email, PASSWORD)
        assert answer.status == 429 and "Too many failed attempts" in answer.text


def test_cached_invoice_totals_follow_a_payment_recorded_on_the_other_server(servers, alpha):
    """The board's invoice totals are kept per process, keyed by the billing revision in the database."""
    one, two = servers
    make_billing(alpha)
    person = make_person(alpha, given_name="Anna", surname="Andersson")
    today = dt.date.today()
    invoice = make_invoice(
        alpha, person, unit=make_unit(alpha, "12"), issue_date=today, due_date=today + dt.timedelta(days=30)
    )
    email = f"board@{alpha.slug}.example"
    make_user(alpha, email, "board")
    reader, writer = two.browser(), one.browser()
    reader.log_in(alpha.slug, email, PASSWORD)
    writer.log_in(alpha.slug, email, PASSWORD)
    before = _totals(reader.get(f"/{alpha.slug}/admin/invoices").text)
    assert _totals(reader.get(f"/{alpha.slug}/admin/invoices").text) == before  # the second from the cache
    assert "4,167.00" in before

    form = writer.get(f"/{alpha.slug}/admin/invoices/{invoice.id}").text
    token = parse_page(form).csrf_token
    answer = writer.post_form(
        f"/{alpha.slug}/admin/invoices/{invoice.id}/payments",
        {"csrf_token": token, "amount": "1000", "paid_on": today.isoformat(), "reference": "", "note": ""},
    )
    assert answer.status in (200, 302), answer.text[:2000]
    after = _totals(reader.get(f"/{alpha.slug}/admin/invoices").text)
    assert after != before and "3,167.00" in after


def test_two_cron_schedulers_run_each_periodic_job_once(servers, alpha, shared_database, redis_url, tmp_path):
    """Two `rq cron` processes (two machines) both queue every periodic job at start; one worker runs them
    all, and each job's work is done once: the second run of each finds its interval claimed."""
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    env = machine_env(tmp_path / "cron", shared_database, redis_url)
    schedulers = [
        subprocess.Popen(
            [sys.executable, "-m", "rq.cli", "cron", "--url", redis_url, "jobs/schedule.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(connection.zcard(f"rq:cron_job:{job.name}:jobs") == 2 for job in periodic.PERIODIC):
            assert time.monotonic() < deadline, "the schedulers did not queue every job"
            assert all(s.poll() is None for s in schedulers), "a scheduler stopped"
            time.sleep(0.1)
    finally:
        for scheduler in schedulers:
            os.killpg(scheduler.pid, signal.SIGTERM)
            scheduler.wait(10)
    before = {run.name: run.runs for run in PeriodicRun.select()}
    worker = [sys.executable, "-m", "rq.cli", "worker", "--worker-class", "worker.Worker", "--burst"]
    subprocess.run([*worker, "--url", redis_url, "porch"], cwd=ROOT, env=env, check=True, timeout=120)

    runs = {run.name: run.runs - before.get(run.name, 0) for run in PeriodicRun.select()}
    assert runs == {job.name: 1 for job in periodic.PERIODIC}
    from rq.job import Job

    for job in periodic.PERIODIC:
        ids = [i.decode() for i in connection.zrange(f"rq:cron_job:{job.name}:jobs", 0, -1)]
        results = sorted(str(Job.fetch(i, connection=connection).return_value()) for i in ids)
        assert results.count(periodic.SKIPPED) == 1, (job.name, results)  # the other did the work


def test_two_ticks_run_each_job_once(servers, alpha, shared_database, redis_url, tmp_path):
    """Without Redis each machine's crontab runs `flask jobs tick`: the database claims each interval.

    On PostgreSQL the two run at once, as on two machines. A SQLite file is one machine's database: there
    they run one after the other (two processes' deferred SQLite transactions can collide whatever the
    claim does, and a busy test machine made that happen)."""
    env = {**machine_env(tmp_path / "tick", shared_database, redis_url), "FLASK_APP": "app:create_app"}
    env.pop("REDIS_URL")
    PeriodicRun.delete().execute()  # as on a fresh install: every job is due
    started = dt.datetime.now(dt.UTC)
    ticks = []
    for _ in range(2):
        # Both at the same moment, as two machines' crontabs fire: run one after the other across a minute's
        # turn, they would each own a minute and rightly both run the every-minute jobs.
        command = [sys.executable, "-c", TICK_AT, started.isoformat(), "jobs", "tick"]
        ticks.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True))
        if not PG_URL:
            ticks[-1].wait(120)
    outputs = [tick.communicate(timeout=120)[0] for tick in ticks]
    assert all(tick.returncode == 0 for tick in ticks), outputs
    assert {run.name: run.runs for run in PeriodicRun.select()} == {job.name: 1 for job in periodic.PERIODIC}
    # Asked again in the same interval, each job is not run again.
    assert not any(periodic.claim(job.name, periodic.slot_of(started, job.interval)) for job in periodic.PERIODIC)


# --- helpers ---------------------------------------------------------------------------------------

# `flask jobs tick` with the app's clock stopped at argv[1] (core.clock), the rest of argv flask's own.
TICK_AT = (
    "import sys, datetime as dt; from core import clock; clock.set_time(dt.datetime.fromisoformat(sys.argv.pop(1)));"
    " from flask.cli import main; sys.argv[0] = 'flask'; main()"
)


def _log_in(browser: Browser, slug: str, email: str, password: str):
    path = f"/{slug}/login"
    token = parse_page(browser.get(path).text).csrf_token
    return browser.post_form(path, {"csrf_token": token, "email": email, "password": password, "next": ""})


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, "PNG")
    return out.getvalue()


def _multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "porch-several-machines"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _totals(page: str) -> str:
    """The invoice list's totals per status, as the board reads them."""
    match = re.search(r'<table class="board-totals">.*?</table>', page, re.S)
    assert match, "no totals on the invoice list"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0)))
