"""How fast the board's unit list and its search answer with 2000 units, and how many queries they cost.

Run from the project root:

    .venv/bin/python bench/register.py [--seconds 5] [--units 2000] [--clients 2] [--worker gthread]

What it does:

1. Builds a throw-away SQLite database like bench/pages.py (`flask db upgrade`,
   `flask demo --units N`), then gives the /bench/ association its register
   (demo/register.py: N units in buildings of 500, shares 1/N each, resident i
   owning unit i) and makes resident1@bench.example a board member.
2. Serves the app with gunicorn (2 workers) on a free loopback port.
3. From a separate process, `--clients` threads, each logged in as the board
   member, request one page over and over for `--seconds`: the unit list's
   first page, a page deep in the list, a search by owner name and a search by
   unit number. (The htmx partial runs the same queries with less HTML around
   them; _client.drive sends no HX-Request header, so it is not measured.)
4. Measures the same pages in process first (the app alone in one thread,
   through Flask's test client): that is the server time the goal is about,
   and it stays meaningful on a machine other work keeps busy.
5. Prints server p50/p95, the HTTP figures (requests per second, p50/p95 at
   the client) and the queries per request (X-Query-Count), and the goals:
   server p95 ≤ 30 ms and a steady number of queries (≤ 3) on every page.

With few clients (the default is one per gunicorn worker) nobody waits in a
queue, so the latency measured at the client is the server's time plus a
loopback round trip. The exit code is 0 whether the goals pass or fail.
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
MAX_P95_MS = 30.0
MAX_QUERIES = 3  # the session, the page of units with their owners, the share total and unit count

# Runs inside the app (a subprocess with the bench database's environment).
PREPARE = """
import sys
from app import create_app
from demo.register import load_units_benchmark_register, make_board
from models import Association
from models.db import db

create_app()
with db.connection_context():
    bench = Association.get(Association.slug == "bench")
    print(load_units_benchmark_register(bench, int(sys.argv[1])))
    make_board(bench, sys.argv[2])
"""


@dataclass(frozen=True)
class Page:
    name: str
    path: str


def pages(units: int) -> list[Page]:
    deep = max(1, units // 50 - 1)
    return [
        Page("unit list, page 1", f"/{SLUG}/units"),
        Page(f"unit list, page {deep}", f"/{SLUG}/units?page={deep}"),
        Page("search by owner", f"/{SLUG}/units?q=resident12"),
        Page("search by unit number", f"/{SLUG}/units?q=77"),
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"Porch register benchmark: {args.units} units, {args.clients} clients, {args.seconds:g} s per page; {machine_load()}."
    )
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-register-") as name:
            tmp = Path(name)
            env = app_environment(tmp)
            create_database(env, args.units)
            prepare(env, args.units)
            in_process = measure_in_process(env, args)
            with load_process() as pool, gunicorn(env, args.worker, tmp) as address:
                runs = {page: measure(pool, address, page, args) for page in pages(args.units)}
        report(runs, in_process)
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
    parser.add_argument("--units", type=int, default=2000, help="units in the bench association (default 2000)")
    parser.add_argument("--clients", type=int, default=2, help="concurrent clients (default 2, one per worker)")
    parser.add_argument("--worker", choices=tuple(WORKER_CLASSES), default="gthread", help="gunicorn worker class")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.units < 100:
        parser.error("--clients ≥ 1, --seconds > 0 and --units ≥ 100, please")
    return args


def prepare(env: dict[str, str], units: int) -> None:
    done = subprocess.run(
        [BIN / "python", "-c", PREPARE, str(units), BOARD], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"preparing the register failed:\n{done.stdout}{done.stderr}")
    print(f"Register: {done.stdout.strip().splitlines()[0]}; {BOARD} is on the board.")


def measure_in_process(env: dict[str, str], args: argparse.Namespace) -> dict[str, PageRun]:
    return _in_process.measure(env, BOARD, args.seconds / 2, [page.path for page in pages(args.units)])


def measure(pool, address: tuple[str, int], page: Page, args: argparse.Namespace) -> PageRun:
    options = dict(accounts=[BOARD] * args.clients, slug=SLUG, seconds=args.seconds, warmup=WARMUP_SECONDS)
    return pool.apply(drive, (address, page.path), options)


def report(runs: dict[Page, PageRun], in_process: dict[str, PageRun]) -> None:
    headers = ["page", "path", "server p50 ms", "server p95 ms", "HTTP req/s", "HTTP p50 ms", "HTTP p95 ms"]
    headers += ["queries typ/max", "requests", "errors"]
    rows = []
    for page, run in runs.items():
        server = in_process[page.path]
        queries = f"{run.queries_typical}/{run.queries_max}" if run.queries else "n/a"
        rows.append(
            [
                page.name,
                page.path,
                f"{server.latency_ms(50):.1f}",
                f"{server.latency_ms(95):.1f}",
                f"{run.per_second:.1f}",
                f"{run.latency_ms(50):.1f}",
                f"{run.latency_ms(95):.1f}",
                queries,
                str(run.requests),
                str(run.errors),
            ]
        )
    print(
        f"\n== The board's unit list: in process (one thread), and over HTTP ({next(iter(runs.values())).clients} clients) =="
    )
    print_table(headers, rows)
    print("(server: the app alone through Flask's test client; HTTP: gunicorn on loopback, as a browser sees it)")

    goals = []
    for page, run in runs.items():
        p95 = in_process[page.path].latency_ms(95)
        passed = p95 <= MAX_P95_MS
        goals.append(
            [f"{page.name}: server p95", f"≤ {MAX_P95_MS:g} ms", f"{p95:.1f} ms", "PASS" if passed else "FAIL"]
        )
        steady = bool(run.queries) and run.queries_typical == run.queries_max <= MAX_QUERIES
        goals.append(
            [
                f"{page.name}: queries",
                f"same every time, ≤ {MAX_QUERIES}",
                str(run.queries_max),
                "PASS" if steady else "FAIL",
            ]
        )
    errors = sum(run.errors for run in runs.values())
    goals.append(["errors (non-200 responses)", "0", str(errors), "PASS" if errors == 0 else "FAIL"])
    print("\n== Summary ==")
    print_table(["goal", "target", "measured", "result"], goals)
    print("(that the count does not grow with the list is asserted in tests/blueprints/register/test_query_counts.py)")


if __name__ == "__main__":
    sys.exit(main())
