"""Do gunicorn's workers share the load when clients keep their connections open? (issue 16 item 8)

    .venv/bin/python bench/spread.py [--seconds 10] [--clients 10] [--units 400] [--workdir DIR]

Behind a reverse proxy the workers see the proxy's connections, which it keeps alive and reuses. A gthread
worker keeps serving a kept-alive connection itself, so the connections — and all the load on them —
stay with whichever worker happened to accept them; a sync worker answers one request and closes the
connection, so every request goes to whichever worker is free. This runs `--clients` logged-in residents,
each on its own keep-alive connection, over the main pages (home, units, a unit, members, invoices, faults,
documents, a vote) for `--seconds` against:

  sync ×2, sync ×3 (deploy/: one per core and one more), gthread ×2 with 4 threads each,

each straight to gunicorn and behind Caddy (least_conn, as deploy/Caddyfile), and prints requests per second,
p95, errors and how many requests each worker process answered (from gunicorn's access log, which names the
worker's pid). Needs `caddy` (apt-get install caddy) for the runs behind it; without it they are skipped.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _cluster import gunicorn, hammer, log_in_all, own_paths, prepared, residents
from pages import load_process, machine_load

SETUPS = (("sync", 2, 1), ("sync", 3, 1), ("gthread", 2, 4))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"Spread over gunicorn's workers: {args.clients} keep-alive clients, {args.seconds:g} s each; {machine_load()}."
    )
    routes = ["direct", "caddy"] if shutil.which("caddy") else ["direct"]
    with tempfile.TemporaryDirectory(prefix="porch-spread-") as name:
        tmp = Path(name)
        env, clients = prepared(args.workdir, tmp, args.units, args.clients)
        paths = own_paths(clients.own, args.clients)
        rows = []
        with load_process() as pool:
            for worker_class, workers, threads in SETUPS:
                label = f"{worker_class} ×{workers}" + (f" ({threads} threads)" if threads > 1 else "")
                with gunicorn(env, tmp, workers=workers, worker_class=worker_class, threads=threads) as server:
                    for route in routes:
                        rows.append([label, route, *measure(pool, server, route, tmp, args, paths)])
                        print(f"  {label:24} {route:6} {rows[-1][2]:>8} req/s  per worker: {rows[-1][5]}")
    print()
    print_table(["workers", "clients to", "req/s", "p95 ms", "errors", "requests per worker", "busiest"], rows)
    print(f"\nAt the end: {machine_load()}.")
    return 0


def measure(pool, server, route: str, tmp: Path, args, paths) -> list[str]:
    from _cluster import caddy

    accounts = residents(args.clients)
    if route == "caddy":
        with caddy([server.address], tmp) as address:
            return _run(pool, server, address, accounts, paths, args.seconds)
    return _run(pool, server, server.address, accounts, paths, args.seconds)


def _run(pool, server, address, accounts, paths, seconds: float) -> list[str]:
    jars = pool.apply(log_in_all, (address, accounts))
    since = server.log_size()
    mix = pool.apply(hammer, (address, jars, paths, seconds))
    counts = sorted(server.requests_per_worker(since).values(), reverse=True)
    counts += [0] * (len(server.worker_pids()) - len(counts))  # a worker that answered nothing
    total = sum(counts) or 1
    return [
        f"{mix.run.per_second:.0f}",
        f"{mix.run.latency_ms(95):.0f}",
        str(mix.run.errors),
        " / ".join(str(c) for c in counts),
        f"{100 * counts[0] / total:.0f} %",
    ]


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in [headers, ["-" * w for w in widths], *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per setup and route (default 10)")
    parser.add_argument("--clients", type=int, default=10, help="keep-alive clients (default 10)")
    parser.add_argument("--units", type=int, default=400, help="households in the bench association (default 400)")
    parser.add_argument("--workdir", type=Path, help="keep the bench database here and use it again next time")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= args.units // 2:
        parser.error("--clients must be between 1 and --units / 2")
    return args


if __name__ == "__main__":
    sys.exit(main())
