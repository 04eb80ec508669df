"""How fast Porch serves its pages, and how much a first visit downloads.

Run from the project root:

    .venv/bin/python bench/pages.py [--seconds 10] [--units 2000] [--clients 20] [--worker auto]

What it does:

1. Builds a throw-away SQLite database in a temporary directory
   (`flask db upgrade`, then `flask demo --units N`: the association /bench/ with
   N households, accounts resident1@bench.example … residentN@bench.example).
2. Serves the app with gunicorn, 2 workers, on a free loopback port. With
   `--worker auto` it measures the home page on both the sync worker (which
   closes the connection after every response) and gthread with 4 threads,
   then keeps whichever served more requests per second.
3. From a separate process (so the client never competes with this one for a
   GIL), `--clients` threads, each a different resident logged in through the
   portal's login form, request one page over and over for `--seconds`. Each
   client keeps its connection open where the server allows. Pages: the login
   page (anonymous clients), the home page and the account page.
   For each it prints requests per second, p50 and p95 latency, the SQL
   queries per request (the X-Query-Count header that PORCH_COUNT_QUERIES=1
   adds) and every response that was not a 200.
4. Fetches the home page (logged in) and the login page (anonymous) the way a
   first visit does: the HTML plus every stylesheet, script and icon it links,
   and adds up their sizes gzipped at level 6.
5. Prints the goals next to the measurements, PASS or FAIL.

The exit code is 0 whether goals pass or fail (this is a benchmark, not a
test). gunicorn and the temporary files are removed on errors and Ctrl-C too.
Note the machine's cores are shared by gunicorn's workers and the client.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from _client import Browser, PageRun, Response, drive, ignore_interrupts, parse_page

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
SLUG = "bench"
WORKERS = 2
WORKER_CLASSES = {"sync": [], "gthread": ["-k", "gthread", "--threads", "4"]}
WARMUP_SECONDS = 1.0
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    logged_in: bool


LOGIN = Page("login page", f"/{SLUG}/login", logged_in=False)
HOME = Page("home page", f"/{SLUG}/", logged_in=True)
ACCOUNT = Page("account page", f"/{SLUG}/account", logged_in=True)
PAGES = (LOGIN, HOME, ACCOUNT)

# The goals from the issue.
MIN_HOME_PER_SECOND = 300
MAX_HOME_P95_MS = 50
MAX_QUERIES = 4
MAX_FIRST_VISIT_BYTES = 45 * 1024


@dataclass
class Asset:
    kind: str
    url: str
    status: int
    size: int
    gzipped: int


@dataclass
class Results:
    worker_class: str
    runs: dict[Page, PageRun]
    first_visits: dict[Page, list[Asset]]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    print(f"Porch page benchmark: {args.clients} clients, {args.seconds:g} s per page; {machine_load()}.")
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-") as name:
            tmp = Path(name)
            env = app_environment(tmp)
            create_database(env, args.units)
            with load_process() as pool:
                results = benchmark(args, env, tmp, pool)
        print_results(results)
        print_summary(results)
    except KeyboardInterrupt:
        print("\nInterrupted: gunicorn is stopped and the temporary files are removed.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 1
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per page (default 10)")
    parser.add_argument("--units", type=int, default=2000, help="households in the bench association (default 2000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument(
        "--worker",
        choices=("auto", *WORKER_CLASSES),
        default="auto",
        help="gunicorn worker class; auto tries each on the home page and keeps the faster (default)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= args.units:
        parser.error("--clients must be between 1 and --units: every client logs in as its own resident")
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    return args


def machine_load() -> str:
    """The CPUs and how busy they are before we start: other work on the machine skews every number."""
    return f"{os.cpu_count()} CPUs, 1-minute load average {os.getloadavg()[0]:.2f}"


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds through the clean-up below


# --- The database and the server --------------------------------------------


def app_environment(tmp: Path) -> dict[str, str]:
    """Porch's settings for this run; everything it writes stays in `tmp`."""
    return {
        **os.environ,
        "FLASK_APP": "app:create_app",
        "DATABASE_URL": f"sqlite:///{tmp / 'porch.sqlite3'}",
        "PORCH_INSTANCE_DIR": str(tmp / "instance"),
        "SECRET_KEY": "porch-bench-only",
        "PORCH_COUNT_QUERIES": "1",
        # Blank settings fall back to their defaults, none of which leave `tmp`.
        **dict.fromkeys(("REDIS_URL", "SMTP_URL", "OUTBOX_DIR", "UPLOAD_DIR", "BASE_URL", "TRUSTED_PROXIES"), ""),
    }


def create_database(env: dict[str, str], units: int) -> None:
    started = time.perf_counter()
    flask(env, "db", "upgrade")
    output = flask(env, "demo", "--units", str(units))
    print(f"Database: {output.splitlines()[-1]} ({time.perf_counter() - started:.1f} s)")


def flask(env: dict[str, str], *command: str) -> str:
    done = subprocess.run([BIN / "flask", *command], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], worker_class: str, tmp: Path) -> Iterator[tuple[str, int]]:
    """gunicorn serving the app on a free loopback port until the block ends."""
    port = free_port()
    log = tmp / f"gunicorn-{worker_class}.log"
    command = [
        BIN / "gunicorn",
        *("-w", str(WORKERS), *WORKER_CLASSES[worker_class]),
        *("-b", f"{HOST}:{port}", "--worker-tmp-dir", str(tmp), "--no-control-socket"),
        "app:create_app()",
    ]
    with log.open("wb") as out:
        # Its own session: Ctrl-C reaches us, and we stop it in order.
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        wait_until_serving(process, port, log)
        yield HOST, port
    finally:
        stop(process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _answers(port):
            return
        time.sleep(0.2)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    raise RuntimeError(f"gunicorn did not answer on port {port} within {STARTUP_SECONDS:.0f} s:\n{tail}")


def _answers(port: int) -> bool:
    browser = Browser(HOST, port, timeout=5)
    try:
        return browser.get(LOGIN.path).status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        browser.close()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # gunicorn's master stops its workers
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group we created for it
        process.wait()


# --- Measuring ---------------------------------------------------------------


@contextlib.contextmanager
def load_process():
    """A separate, freshly started Python process that runs the clients."""
    with multiprocessing.get_context("spawn").Pool(processes=1, initializer=ignore_interrupts) as pool:
        yield pool  # leaving terminates it


def benchmark(args: argparse.Namespace, env: dict[str, str], tmp: Path, pool) -> Results:
    home_runs = compare_workers(args, env, tmp, pool)
    chosen = max(home_runs, key=lambda worker_class: home_runs[worker_class].per_second)
    options = " ".join(["-w", str(WORKERS), *WORKER_CLASSES[chosen]])
    print(f"Using gunicorn's {chosen} worker (gunicorn {options}): the fastest on the home page.\n")
    with gunicorn(env, chosen, tmp) as address:
        runs = {page: home_runs[chosen] if page is HOME else load(pool, address, page, args) for page in PAGES}
        visits = {page: first_visit(address, page) for page in (HOME, LOGIN)}
    return Results(chosen, runs, visits)


def compare_workers(args: argparse.Namespace, env: dict[str, str], tmp: Path, pool) -> dict[str, PageRun]:
    """The home page on each worker class to try: its run, by worker class."""
    classes = list(WORKER_CLASSES) if args.worker == "auto" else [args.worker]
    runs = {}
    for worker_class in classes:
        with gunicorn(env, worker_class, tmp) as address:
            runs[worker_class] = load(pool, address, HOME, args)
        run = runs[worker_class]
        print(f"Home page on {worker_class:8} {run.per_second:7.1f} req/s, p95 {run.latency_ms(95):.1f} ms")
    return runs


def load(pool, address: tuple[str, int], page: Page, args: argparse.Namespace) -> PageRun:
    accounts = [resident(i) if page.logged_in else None for i in range(1, args.clients + 1)]
    options = dict(accounts=accounts, slug=SLUG, seconds=args.seconds, warmup=WARMUP_SECONDS)
    return pool.apply(drive, (address, page.path), options)


def resident(number: int) -> str:
    return f"resident{number}@{SLUG}.example"


def first_visit(address: tuple[str, int], page: Page) -> list[Asset]:
    """The page and everything it links to, as a browser with an empty cache fetches them."""
    browser = Browser(*address)
    try:
        if page.logged_in:
            browser.log_in(SLUG, resident(1))
        html = browser.get(page.path)
        assets = [_asset("HTML", page.path, html)]
        for kind, url in parse_page(html.text).assets:
            assets.append(_asset(kind, url, browser.get(urlsplit(url).path)))
        return assets
    finally:
        browser.close()


def _asset(kind: str, url: str, response: Response) -> Asset:
    gzipped = len(gzip.compress(response.body, compresslevel=6))
    return Asset(kind, url, response.status, len(response.body), gzipped)


# --- Reporting ---------------------------------------------------------------


def print_results(results: Results) -> None:
    print_page_runs(results.runs)
    for page, assets in results.first_visits.items():
        print_first_visit(page, assets)


def print_page_runs(runs: dict[Page, PageRun]) -> None:
    print(f"== Pages: {next(iter(runs.values())).clients} clients each ==")
    headers = ["page", "path", "req/s", "p50 ms", "p95 ms", "queries typ/max", "requests", "errors", "client CPU"]
    print_table(headers, [_run_row(page, run) for page, run in runs.items()])
    for page, run in runs.items():
        print_errors(page, run)
    print(
        "(queries: the X-Query-Count header; typ = the most common count. client CPU: the load process, % of one core)"
    )


def _run_row(page: Page, run: PageRun) -> list[str]:
    queries = f"{run.queries_typical}/{run.queries_max}" if run.queries else "n/a"
    cpu = run.client_cpu / run.elapsed * 100 if run.elapsed else 0
    numbers = [f"{run.per_second:.1f}", f"{run.latency_ms(50):.1f}", f"{run.latency_ms(95):.1f}", queries]
    return [page.name, page.path, *numbers, str(run.requests), str(run.errors), f"{cpu:.0f}%"]


def print_errors(page: Page, run: PageRun) -> None:
    if run.errors:
        statuses = [f"{count}× HTTP {status}" for status, count in sorted(run.statuses.items()) if status != 200]
        failures = [f"{count}× {name}" for name, count in run.failures.items()]
        print(f"ERRORS on the {page.name}: {run.errors} of {run.requests} ({', '.join(statuses + failures)})")
    if run.requests and not run.queries:
        print(f"NOTE: the {page.name} sent no X-Query-Count header; is PORCH_COUNT_QUERIES=1 honoured?")


def print_first_visit(page: Page, assets: list[Asset]) -> None:
    print(f"\n== First visit: {page.name} ({'logged in' if page.logged_in else 'anonymous'}) ==")
    rows = [[a.kind, a.url, str(a.size), str(a.gzipped)] for a in assets]
    total = sum(a.gzipped for a in assets)
    rows.append(["total", "", str(sum(a.size for a in assets)), str(total)])
    print_table(["resource", "url", "bytes", "gzip -6 bytes"], rows)
    print(f"Total gzipped: {total} bytes = {total / 1024:.1f} KB; goal ≤ {MAX_FIRST_VISIT_BYTES} bytes = 45 KB")
    for asset in assets:
        if asset.status != 200:
            print(f"ERROR: {asset.url} answered HTTP {asset.status}")


def print_summary(results: Results) -> None:
    home = results.runs[HOME]
    per_second, p95 = home.per_second, home.latency_ms(95)
    rows = [
        _goal(
            "home page throughput",
            f"≥ {MIN_HOME_PER_SECOND} req/s",
            f"{per_second:.1f} req/s",
            per_second >= MIN_HOME_PER_SECOND,
        ),
        _goal("home page p95 latency", f"≤ {MAX_HOME_P95_MS} ms", f"{p95:.1f} ms", p95 <= MAX_HOME_P95_MS),
    ]
    for page, run in results.runs.items():
        most = run.queries_max
        passed = most is not None and most <= MAX_QUERIES
        rows.append(_goal(f"{page.name}: queries per request (max)", f"≤ {MAX_QUERIES}", str(most), passed))
    for page, assets in results.first_visits.items():
        total = sum(a.gzipped for a in assets)
        passed = total <= MAX_FIRST_VISIT_BYTES and all(a.status == 200 for a in assets)
        rows.append(
            _goal(
                f"first visit, {page.name}, gzipped", "≤ 45 KB (46080 B)", f"{total / 1024:.1f} KB ({total} B)", passed
            )
        )
    errors = sum(run.errors for run in results.runs.values())
    rows.append(_goal("errors (non-200 responses)", "0", str(errors), errors == 0))
    print(f"\n== Summary: gunicorn {results.worker_class} worker, {WORKERS} workers, {os.cpu_count()} CPUs ==")
    print_table(["goal", "target", "measured", "result"], rows)


def _goal(name: str, target: str, measured: str, passed: bool) -> list[str]:
    return [name, target, measured, "PASS" if passed else "FAIL"]


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, ["-" * w for w in widths], *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
