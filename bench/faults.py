"""How fast the fault list and a report page answer with 10,000 reports, and how many queries they cost.

Run from the project root:

    .venv/bin/python bench/faults.py [--seconds 5] [--reports 10000] [--units 2000] [--clients 2]

What it does:

1. Builds a throw-away SQLite database like bench/register.py (`flask db
   upgrade`, `flask demo --units N`, the bench register: resident i owns unit
   i) and makes resident1@bench.example a board member (a resolver).
2. Writes `--reports` fault reports and requests straight into the bench
   association with insert_many: spread over the units, the common areas and
   the buildings, a third of them open (a tenth of those past their
   deadline), a quarter assigned to the board member, each with its
   "reported" event; one report gets 20 events (comments, an assignment, a
   status change) for the report page.
3. Measures in process first (the app alone in one thread, through Flask's
   test client): that is the server time the goal is about. Then serves the
   app with gunicorn (2 workers) on a free loopback port and, from a separate
   process, `--clients` threads request each page over and over for
   `--seconds`: the board's open list, a page deep in "all", a filtered list,
   the report page, and a resident's list (the privacy rule's subqueries).
   The status part that a resident's open report page polls every 5 s is
   measured in process only (an htmx request).
4. Prints server p50/p95, the HTTP figures and the queries per request
   (X-Query-Count), then the goals: server p95 ≤ 50 ms and the same number of
   queries on every request of a page.

The exit code is 0 whether the goals pass or fail; 1 means it could not run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import _in_process
from _client import PageRun, drive
from pages import (
    BIN,
    ROOT,
    WARMUP_SECONDS,
    WORKER_CLASSES,
    app_environment,
    create_database,
    gunicorn,
    load_process,
    machine_load,
    print_table,
)

SLUG = "bench"
BOARD = f"resident1@{SLUG}.example"
RESIDENT = f"resident7@{SLUG}.example"
MAX_P95_MS = 50.0
HTMX = _in_process.HTMX  # requested as htmx (in process only)

# Runs inside the app (a subprocess with the bench database's environment).
PREPARE = """
import datetime as dt, sys
from app import create_app
from core import clock
from demo.register import load_units_benchmark_register, make_board
from models import Association, Membership, User
from models.db import db, transaction
from models.faults import FaultEvent, FaultReport as R
from models.register import Building, Unit

create_app()
reports, board_email = int(sys.argv[1]), sys.argv[2]
with db.connection_context():
    bench = Association.get(Association.slug == "bench")
    print(load_units_benchmark_register(bench, int(sys.argv[3])))
    make_board(bench, board_email)
    board = User.get(User.email == board_email)
    units = list(Unit.of(bench).select(Unit.id, Unit.building, Unit.number).order_by(Unit.id))
    buildings = [b.id for b in Building.of(bench).select(Building.id)]
    owners = {u.email: u.id for u in User.select(User.id, User.email).where(User.email.startswith("resident"))}
    now = clock.utcnow_naive()
    rows = []
    for i in range(reports):
        unit = units[i % len(units)]
        created = now - dt.timedelta(minutes=37 * (reports - i))
        status = ("new", "in_progress", "reopened")[i // 3 % 3] if i % 3 == 0 else ("resolved", "rejected")[i % 2]
        open_ = status in R.OPEN_STATUSES
        late = open_ and i % 10 == 0
        kind, place, responsible = "fault", "unit", ""
        if i % 7 == 0:
            place = "common_area"
        elif i % 11 == 0:
            place = "building"
        elif i % 13 == 0:
            kind, place, responsible = "request", "building", ("administration", "repairs", "accounts")[i % 3]
        rows.append(dict(
            association=bench.id, kind=kind, place=place, responsible=responsible,
            unit=unit.id if place == "unit" else None, building=unit.building_id,
            area="Laundry room" if place == "common_area" else "",
            category=R.CATEGORIES[i % len(R.CATEGORIES)], severity=R.SEVERITIES[i % 3],
            title=f"Report {i}: something is broken", search_title=f"report {i}: something is broken",
            details="It does not work. " * 5,
            reporter=owners.get(f"resident{unit.number}@bench.example"),
            assignee=board.id if i % 4 == 0 else None, status=status,
            deadline_at=now - dt.timedelta(hours=5) if late else created + dt.timedelta(days=30),
            created_at=created, updated_at=created, closed_at=None if open_ else created + dt.timedelta(days=1),
        ))
    with transaction():
        for start in range(0, len(rows), 500):
            R.insert_many(rows[start:start + 500]).execute()
        made = R.select(R.id, R.reporter, R.created_at).where(R.association == bench)
        events = [dict(report=r.id, actor=r.reporter_id, kind="created", to_status="new", created_at=r.created_at)
                  for r in made]
        for start in range(0, len(events), 500):
            FaultEvent.insert_many(events[start:start + 500]).execute()
        # The report page's report: open, in resident 7's unit, with 20 events.
        page = R.select().where((R.association == bench) & (R.unit == units[6].id)
                                & R.status.in_(R.OPEN_STATUSES)).order_by(R.id.desc()).first()
        extra = [dict(report=page.id, actor=board.id if n % 2 else page.reporter_id, kind="comment",
                      text=f"Comment {n}", created_at=now) for n in range(18)]
        extra.append(dict(report=page.id, actor=board.id, kind="assigned", assignee=board.id, created_at=now))
        extra.append(dict(report=page.id, actor=board.id, kind="status", from_status="new",
                          to_status="in_progress", created_at=now))
        FaultEvent.insert_many(extra).execute()
    print(f"{len(events)} reports, {len(events) + len(extra)} events; report page: {page.id}")
"""


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    account: str


def pages(report_id: int, reports: int) -> list[Page]:
    deep = max(1, reports // 50 // 2)
    return [
        Page("board: open reports", f"/{SLUG}/faults", BOARD),
        Page(f"board: all, page {deep}", f"/{SLUG}/faults?tab=all&page={deep}", BOARD),
        Page("board: urgent plumbing", f"/{SLUG}/faults?tab=all&category=plumbing&severity=urgent", BOARD),
        Page("board: report page (20 events)", f"/{SLUG}/faults/{report_id}", BOARD),
        Page("resident: all my reports", f"/{SLUG}/faults?tab=all", RESIDENT),
        Page("resident: report page", f"/{SLUG}/faults/{report_id}", RESIDENT),
        Page("resident: status part (poll)", f"{HTMX}/{SLUG}/faults/{report_id}", RESIDENT),
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"Porch fault benchmark: {args.reports} reports, {args.units} units, {args.clients} clients, "
        f"{args.seconds:g} s per page; {machine_load()}."
    )
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-faults-") as name:
            tmp = Path(name)
            env = app_environment(tmp)
            create_database(env, args.units)
            report_id = prepare(env, args)
            measured = pages(report_id, args.reports)
            in_process = measure_in_process(env, args, measured)
            with load_process() as pool, gunicorn(env, args.worker, tmp) as address:
                runs = {page: measure(pool, address, page, args) for page in measured if HTMX not in page.path}
        report(measured, runs, in_process)
    except KeyboardInterrupt:
        print("\nInterrupted: gunicorn is stopped and the temporary files are removed.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 1
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per page (default 5)")
    parser.add_argument("--reports", type=int, default=10_000, help="fault reports (default 10000)")
    parser.add_argument("--units", type=int, default=2000, help="units in the bench association (default 2000)")
    parser.add_argument("--clients", type=int, default=2, help="concurrent clients (default 2, one per worker)")
    parser.add_argument("--worker", choices=tuple(WORKER_CLASSES), default="gthread", help="gunicorn worker class")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.units < 100 or args.reports < 100:
        parser.error("--clients ≥ 1, --seconds > 0, --units ≥ 100 and --reports ≥ 100, please")
    return args


def prepare(env: dict[str, str], args: argparse.Namespace) -> int:
    done = subprocess.run(
        [BIN / "python", "-c", PREPARE, str(args.reports), BOARD, str(args.units)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"preparing the reports failed:\n{done.stdout}{done.stderr}")
    lines = done.stdout.strip().splitlines()
    print(f"Register: {lines[0]} {BOARD} is on the board.\nFaults: {lines[-1]}.")
    return int(lines[-1].rsplit(":", 1)[1])


def measure_in_process(env: dict[str, str], args: argparse.Namespace, measured: list[Page]) -> dict:
    """(account, path) -> the samples of that page, measured in process."""
    results: dict[tuple[str, str], PageRun] = {}
    for account in dict.fromkeys(page.account for page in measured):
        paths = [page.path for page in measured if page.account == account]
        for path, run in _in_process.measure(env, account, args.seconds / 2, paths).items():
            results[(account, path)] = run
    return results


def measure(pool, address: tuple[str, int], page: Page, args: argparse.Namespace) -> PageRun:
    options = dict(accounts=[page.account] * args.clients, slug=SLUG, seconds=args.seconds, warmup=WARMUP_SECONDS)
    return pool.apply(drive, (address, page.path), options)


def report(measured: list[Page], runs: dict[Page, PageRun], in_process: dict) -> None:
    headers = ["page", "server p50 ms", "server p95 ms", "HTTP req/s", "HTTP p50 ms", "HTTP p95 ms"]
    headers += ["queries typ/max", "requests", "errors"]
    rows = []
    for page in measured:
        server = in_process[(page.account, page.path)]
        run = runs.get(page)
        queries = run if run is not None and run.queries else server
        rows.append(
            [
                page.name,
                f"{server.latency_ms(50):.1f}",
                f"{server.latency_ms(95):.1f}",
                f"{run.per_second:.1f}" if run else "-",
                f"{run.latency_ms(50):.1f}" if run else "-",
                f"{run.latency_ms(95):.1f}" if run else "-",
                f"{queries.queries_typical}/{queries.queries_max}",
                str(run.requests) if run else str(server.requests),
                str(run.errors) if run else "0",
            ]
        )
    clients = next(iter(runs.values())).clients
    print(f"\n== Fault pages: in process (one thread), and over HTTP ({clients} clients) ==")
    print_table(headers, rows)
    print("(server: the app alone through Flask's test client; HTTP: gunicorn on loopback, as a browser sees it)")

    goals = []
    for page in measured:
        server = in_process[(page.account, page.path)]
        p95 = server.latency_ms(95)
        goals.append([f"{page.name}: server p95", f"≤ {MAX_P95_MS:g} ms", f"{p95:.1f} ms", _verdict(p95 <= MAX_P95_MS)])
        counts = server.queries + (runs[page].queries if page in runs else [])
        steady = bool(counts) and min(counts) == max(counts)
        goals.append([f"{page.name}: queries", "the same every time", f"{min(counts)}–{max(counts)}", _verdict(steady)])
    errors = sum(run.errors for run in runs.values())
    goals.append(["errors (non-200 responses)", "0", str(errors), _verdict(errors == 0)])
    print("\n== Summary ==")
    print_table(["goal", "target", "measured", "result"], goals)
    print("(that the count does not grow with the list is asserted in tests/blueprints/faults/test_query_counts.py)")


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


if __name__ == "__main__":
    sys.exit(main())
