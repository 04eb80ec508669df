"""How many pushes a second the API takes (issue 16: ≥ 200 requests/s), measured on a real server.

Run from the project root:

    .venv/bin/python bench/api.py [--seconds 10] [--units 2000] [--clients 8] [--workers 2]

1. Builds a throw-away SQLite database in a temporary directory (`flask db upgrade`, `flask demo --units N`:
   the association /bench/ with N units in its register) and makes one API token with every scope.
2. Serves the app with gunicorn (gthread, --workers processes of 4 threads) on a free loopback port, with the
   token's rate limit lifted out of the way (API_REQUESTS_PER_MINUTE).
3. From a separate process, --clients threads, each on its own keep-alive connection, push for --seconds:
   PUT /units of the register's own units (found unchanged, or changed: the rooms alternate), PUT /units of
   new units (created), PUT /people (created, then matched by e-mail), and POST /invoices of a new invoice
   to a unit's owner with an Idempotency-Key, sent twice (issued, then the kept answer replayed). Every push goes through the token, the rate limit (in the
   database: no Redis here), records.py's validation and a transaction, as a management system's would.
4. Prints requests per second, p50/p95/p99 per kind of push and overall, and every answer that was not 200.

The exit code is 0 whether the goal passes or fails (a benchmark, not a test). gunicorn and the temporary
files are removed on errors and Ctrl-C too. The machine's cores are shared by gunicorn and the client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
SLUG = "bench"
GOAL_PER_SECOND = 200
WARMUP_SECONDS = 1.0

MAKE_TOKEN = """
from app import create_app
from models import Association, Unit, Building
from models.exchange import ApiToken
app = create_app()
with app.app_context():
    bench = Association.get(Association.slug == "bench")
    _token, secret = ApiToken.issue(bench, "Benchmark", ApiToken.SCOPES, None)
    units = [(u.building.name, u.number) for u in Unit.select(Unit, Building).join(Building)
             .where(Unit.association == bench).limit(500)]
    print(__import__("json").dumps({"secret": secret, "units": units}))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"Porch API benchmark: {args.clients} clients, {args.seconds:g} s; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}.")  # fmt: skip
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-api-") as name:
            env = environment(Path(name))
            started = time.perf_counter()
            flask(env, "db", "upgrade")
            flask(env, "demo", "--units", str(args.units))
            made = json.loads(run([BIN / "python", "-c", MAKE_TOKEN], env).strip().splitlines()[-1])
            print(f"Database with {args.units} units and a token: {time.perf_counter() - started:.1f} s")
            port = free_port()
            server = start_gunicorn(env, port, args.workers)
            try:
                with multiprocessing.get_context("spawn").Pool(1) as pool:
                    results = pool.apply(drive, (port, made["secret"], made["units"], args.clients, args.seconds))
            finally:
                server.terminate()
                server.wait(10)
        report(results, args.seconds)
    except KeyboardInterrupt:
        print("\nInterrupted: gunicorn is stopped and the temporary files are removed.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 1
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes, 4 threads each (default 2)")
    return parser.parse_args(argv)


def environment(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "app:create_app",
        "DATABASE_URL": f"sqlite:///{tmp / 'porch.sqlite3'}",
        "PORCH_INSTANCE_DIR": str(tmp / "instance"),
        "SECRET_KEY": "porch-bench-only",
        "API_REQUESTS_PER_MINUTE": "1000000",  # measure the pushes, not the limit
        **dict.fromkeys(("REDIS_URL", "SMTP_URL", "OUTBOX_DIR", "UPLOAD_DIR", "BASE_URL", "TRUSTED_PROXIES"), ""),
    }


def run(command, env) -> str:
    done = subprocess.run([str(part) for part in command], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{command[:3]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def flask(env, *args) -> str:
    return run([BIN / "flask", *args], env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env, port: int, workers: int) -> subprocess.Popen:
    command = [BIN / "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", "4", "-b", f"{HOST}:{port}",
               "--log-level", "warning", "app:create_app()"]  # fmt: skip
    server = subprocess.Popen([str(part) for part in command], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


# --- the client (a process of its own) -----------------------------------------------------------------


def _pushes(client: int, secret: str, units: list):
    """An endless round of this client's pushes: (kind, method, path, body, extra headers)."""
    round_number = 0
    while True:
        round_number += 1
        building, number = units[(client * 37 + round_number) % len(units)]
        yield (
            "unit (existing)",
            "PUT",
            "units",
            {"building": building, "unit": number, "rooms": 2 + round_number % 2},
            {},
        )
        new = f"API-{client}-{round_number}"
        yield "unit (new)", "PUT", "units", {"building": "API House", "unit": new, "share": "1/100000"}, {}
        person = {"email": f"api{client}-{round_number % 50}@bench.example", "surname": f"Pushed{round_number % 50}"}
        yield "person", "PUT", "people", person, {}
        invoice = {"number": str(client * 1_000_000 + round_number), "building": building, "unit": number,
                   "period": "2026-01", "issue_date": "2026-01-01", "amount": "100"}  # fmt: skip
        key = {"Idempotency-Key": f"invoice-{invoice['number']}"}
        yield "invoice (new, keyed)", "POST", "invoices", invoice, key
        yield "invoice (replayed)", "POST", "invoices", invoice, key


def _client(port, secret, units, number, ready, clock, samples, statuses, lock) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    # Every worker has started and answered before the clock runs (their start is not what we measure).
    connection.request("GET", "/api/v1/openapi.json")
    connection.getresponse().read()
    ready.wait()
    measure_from, stop_at = clock
    for kind, method, path, body, extra in _pushes(number, secret, units):
        started = time.perf_counter()
        if started >= stop_at:
            break
        connection.request(method, f"/api/v1/{SLUG}/{path}", body=json.dumps(body), headers={**headers, **extra})
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if started >= measure_from:
            with lock:
                samples.setdefault(kind, []).append(elapsed)
                statuses[(kind, response.status)] += 1
    connection.close()


def drive(port: int, secret: str, units: list, clients: int, seconds: float) -> dict:
    samples: dict[str, list[float]] = {}
    statuses: Counter = Counter()
    lock = threading.Lock()
    clock: list[float] = []

    def start_clock() -> None:
        clock.extend((time.perf_counter() + WARMUP_SECONDS, time.perf_counter() + WARMUP_SECONDS + seconds))

    ready = threading.Barrier(clients, action=start_clock)
    threads = [
        threading.Thread(target=_client, args=(port, secret, units, n, ready, clock, samples, statuses, lock))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"samples": samples, "statuses": {f"{k} {s}": n for (k, s), n in statuses.items()}}


def report(results: dict, seconds: float) -> None:
    everything = [t for times in results["samples"].values() for t in times]
    if not everything:
        print("\nNo push was answered: see the errors above.")
        return
    print(f"\n{'push':<24}{'requests':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, times in [*results["samples"].items(), ("all", everything)]:
        cuts = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
        print(f"{kind:<24}{len(times):>10}{cuts[49] * 1000:>9.1f}{cuts[94] * 1000:>9.1f}{cuts[98] * 1000:>9.1f}")
    print("\nAnswers:", ", ".join(f"{name}: {count}" for name, count in sorted(results["statuses"].items())))
    rate = len(everything) / seconds
    verdict = "PASS" if rate >= GOAL_PER_SECOND else "FAIL"
    print(f"\nPushes: {rate:.0f} requests/s (goal ≥ {GOAL_PER_SECOND}): {verdict}")


if __name__ == "__main__":
    sys.exit(main())
