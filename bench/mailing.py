"""How fast a mailing to 2,000 people is queued, and how fast one worker sends it to a local SMTP server.

Run from the project root:

    .venv/bin/python bench/mailing.py [--recipients 2000]

What it does:

1. Builds a throw-away SQLite database in a temporary directory (`flask db upgrade`), starts a
   redis-server of its own on a free port and an SMTP server (aiosmtpd, in a process of its own, which
   accepts and counts every message) on another.
2. Inside the app (a subprocess with the bench's environment): an association with `--recipients`
   people in the register, each with an address and an account (so a newsletter carries each one's own
   unsubscribe link) in one of five languages, and a board member; two mailings to every person: an
   essential one with text only, and a newsletter with a 200 KB PDF attached. It times
   blueprints.community.mailing.send_mailing for each: the outbox and MailingRecipient rows written in one
   transaction, and the jobs (one per 200 rows) queued in Redis after the commit. Goal: ≤ 2 s each.
3. After each mailing is queued, one RQ worker (`rq worker --worker-class worker.Worker --burst`, as
   production runs it) sends it to the SMTP server. Each mailing's rate is its rows over the span between its first and last
   row's sent_at. The worker runs once per mailing (burst), and its CPU time per mail is printed beside
   (what the rate would be with a core to itself: the SMTP server, in Python too, and whatever else runs
   share the machine). Goal: ≥ 50
   mails/s for the text-only mailing; the one with the PDF is reported (the email package's base64 and
   line writing of 200 KB take most of its time).

Everything it writes lives in the temporary directory, removed at the end; redis-server and the SMTP
server are stopped. The exit code is 0 whether the goals pass or not; 1 means it could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pages import BIN, ROOT, app_environment, free_port, machine_load

MAX_QUEUE_SECONDS = 2.0
MIN_PER_SECOND = 50.0

SMTP_SERVER = r"""
import asyncio, sys, time
from aiosmtpd.controller import Controller

class Counting:
    received = 0
    async def handle_DATA(self, server, session, envelope):
        Counting.received += 1
        return "250 OK"

controller = Controller(Counting(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
try:
    sys.stdin.read()  # until the bench closes our stdin
finally:
    controller.stop()
    print(Counting.received, flush=True)
"""

# Runs inside the app (a subprocess with the bench's environment).
PREPARE = r"""
import json, sys, time
from app import create_app
from blueprints.community import mailing
from core.mail import store_attachment
from models import Association, Category, Folder, Membership, OutboundEmail, Person, Role, User
from models.community import Mailing, MailingAttachment
from models.db import db, transaction

count = int(sys.argv[1])
app = create_app()
with app.app_context(), app.test_request_context():
    db.connect(reuse_if_open=True)
    association = Association.create(slug="bench", name="Bench Housing", locale="en", currency="SEK",
                                     timezone="Europe/Stockholm")
    Role.create_builtins(association)
    Folder.create_builtins(association)
    Category.create_builtins(association)
    board = User.create(email="board@bench.example", name="Board", state=User.ACTIVE)
    Membership.create(user=board, association=association, role=association.role("board"))
    languages = ("en", "sv", "cs", "da", "et")
    with transaction():
        users = [dict(email=f"resident{n}@bench.example", name=f"Resident {n}", state=User.ACTIVE,
                      ui_language=languages[n % len(languages)]) for n in range(count)]
        for start in range(0, count, 200):
            User.insert_many(users[start:start + 200]).execute()
        ids = dict(User.select(User.email, User.id).where(User.email.startswith("resident")).tuples())
        people = []
        for n in range(count):
            search_name, sort_key = Person.name_keys(f"Resident", f"Number{n:05d}", "en")
            people.append(dict(association=association.id, given_name="Resident", surname=f"Number{n:05d}",
                               email=f"resident{n}@bench.example", user=ids[f"resident{n}@bench.example"],
                               search_name=search_name, sort_key=sort_key))
        for start in range(0, count, 200):
            Person.insert_many(people[start:start + 200]).execute()
    pdf = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF\n"
    drafts = {}
    for label, newsletter in (("essential", False), ("newsletter", True)):
        draft = Mailing.create(association=association, author=board, subject=f"Spring cleaning ({label})",
                               body="We clean the yard on **Saturday** at 10.\n\n- rakes\n- bags", newsletter=newsletter)
        if newsletter:
            stored, name = store_attachment("rules.pdf", pdf)
            MailingAttachment.create(mailing=draft, stored_name=stored, original_name=name,
                                     content_type="application/pdf", size=len(pdf))
        everyone = mailing.candidates(association, mailing.Filters(), newsletter=newsletter)
        mailing.choose(draft, mailing.Filters(), everyone, {c.person_id for c in everyone})
        drafts[label] = draft.id
    print(json.dumps(drafts))
"""

QUEUE = r"""
import json, sys, time
from app import create_app
from blueprints.community import mailing
from models import Association
from models.community import Mailing
from models.db import db

app = create_app()
with app.app_context(), app.test_request_context():
    db.connect(reuse_if_open=True)
    draft = Mailing.get_by_id(int(sys.argv[1]))
    association = Association.get_by_id(draft.association_id)
    started = time.perf_counter()
    sent = mailing.send_mailing(draft, association)
    print(json.dumps([sent, time.perf_counter() - started]))
"""

SENT = r"""
import json, sys
from app import create_app
from peewee import fn
from models import OutboundEmail
from models.community import MailingRecipient
from models.db import db

app = create_app()
with app.app_context():
    db.connect(reuse_if_open=True)
    rows = (OutboundEmail.select(OutboundEmail.status, fn.COUNT(OutboundEmail.id), fn.MIN(OutboundEmail.sent_at),
                                 fn.MAX(OutboundEmail.sent_at))
            .join(MailingRecipient, on=(MailingRecipient.email == OutboundEmail.id))
            .where(MailingRecipient.mailing == int(sys.argv[1])).group_by(OutboundEmail.status).tuples())
    print(json.dumps([[s, n, str(a), str(b)] for s, n, a, b in rows]))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"Load average before: {machine_load()}")
    tmp = Path(tempfile.mkdtemp(prefix="porch-bench-mailing-"))
    processes: list[subprocess.Popen] = []
    try:
        redis_port, smtp_port = free_port(), free_port()
        processes.append(start_redis(redis_port, tmp))
        smtp = start_smtp(smtp_port)
        processes.append(smtp)
        env = {
            **app_environment(tmp),
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "BASE_URL": "http://bench.test",
            "PORCH_COUNT_QUERIES": "",
            "MAIL_BOUNCE_ADDRESS": "bounce@bench.test",
        }
        run([BIN / "flask", "db", "upgrade"], env)
        drafts = json.loads(run([BIN / "python", "-c", PREPARE, str(args.recipients)], env).splitlines()[-1])
        for label, mailing_id in drafts.items():
            sent, seconds = json.loads(run([BIN / "python", "-c", QUEUE, str(mailing_id)], env).splitlines()[-1])
            verdict = "PASS" if seconds <= MAX_QUEUE_SECONDS else "FAIL"
            print(
                f"Queued the {label} mailing: {sent} recipients in {seconds:.2f} s (goal ≤ {MAX_QUEUE_SECONDS:.0f} s) {verdict}"
            )
            started, cpu = time.perf_counter(), _children_cpu()
            run([BIN / "rq", "worker", "--worker-class", "worker.Worker", "--burst", "--quiet", "porch"], env)
            wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
            rows = json.loads(run([BIN / "python", "-c", SENT, str(mailing_id)], env).splitlines()[-1])
            report_sending(label, rows, goal=label == "essential")
            print(
                f"  the worker's run with its start-up: {wall:.1f} s; its CPU time {cpu:.1f} s,"
                f" {cpu / sent * 1000:.1f} ms per mail ({sent / cpu:.0f} mails/s on a core of its own)"
            )
        smtp.stdin.close()
        received = int(smtp.stdout.read().split()[-1])
        print(f"The SMTP server received {received} messages (both mailings: {2 * args.recipients}).")
        print(f"Load average after: {machine_load()}")
        return 0
    except Exception as error:  # noqa: BLE001 (the bench says why it could not run)
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 1
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def report_sending(label: str, rows: list, *, goal: bool) -> None:
    """Print one mailing's sending rate: its mails over the span between the first and the last."""
    sent = [row for row in rows if row[0] == "sent"]
    if not sent:
        print(f"Nothing of the {label} mailing was sent: {rows}")
        return
    _status, count, first, last = sent[0]
    span = (dt.datetime.fromisoformat(last) - dt.datetime.fromisoformat(first)).total_seconds()
    rate = (count - 1) / span if span > 0 else float("inf")
    verdict = (" PASS" if rate >= MIN_PER_SECOND else " FAIL") if goal else ""
    others = [row for row in rows if row[0] != "sent"]
    print(
        f"One worker sent the {label} mailing's {count} mails in {span:.1f} s: {rate:.0f} mails/s"
        f"{f' (goal ≥ {MIN_PER_SECOND:.0f})' if goal else ''}{verdict}{f'; not sent: {others}' if others else ''}"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start_redis(port: int, tmp: Path) -> subprocess.Popen:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def start_smtp(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [BIN / "python", "-c", SMTP_SERVER, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError("the SMTP server did not start")
    return process


def run(command: list, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000, help="people chosen (default 2000)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
