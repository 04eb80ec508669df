"""Two app servers behind one proxy, one PostgreSQL and one Redis, under load, next to one server
(issue 16 items 7 and 8).

    .venv/bin/python bench/two_servers.py [--seconds 30] [--clients 20] [--units 400] [--workers 2]
        [--database-url postgresql://postgres@127.0.0.1:5432/porch_bench_two] [--redis-url redis://127.0.0.1:6379/9]
        [--workdir DIR]

Makes the bench association (flask demo + bench/_fill.py) in the PostgreSQL database `--database-url`
(dropped and made again unless `--workdir` holds one made before), then, with `--clients` logged-in
residents on keep-alive connections asking the main pages in turn (home, units, their unit, members,
invoices, faults, documents, the running vote) through Caddy (least_conn, as deploy/Caddyfile):

1. one gunicorn with `--workers` sync workers, for `--seconds`;
2. two gunicorns ("two machines": each its own instance folder, the same database, Redis and SECRET_KEY),
   each with `--workers` sync workers, for `--seconds`.

It prints both rates, the latency, every error and how many requests each server answered. On one
machine the cores bound both: two servers show that nothing breaks and how evenly the proxy spreads
the load, not that two machines are twice as fast (they would be, CPU-bound as the pages are, until the
database becomes the bottleneck).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

from _cluster import caddy, gunicorn, hammer, log_in_all, own_paths, prepared, residents
from pages import load_process, machine_load


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("caddy"):
        print("caddy is not installed (apt-get install caddy): it is the proxy in front of the servers.")
        return 1
    print(f"One server and two behind Caddy: {args.clients} clients, {args.seconds:g} s each; {machine_load()}.")
    with tempfile.TemporaryDirectory(prefix="porch-two-") as name:
        tmp = Path(name)
        env, clients = prepared(args.workdir, tmp, args.units, args.clients, args.database_url)
        env["REDIS_URL"] = args.redis_url
        paths = own_paths(clients.own, args.clients)
        rows = []
        with load_process() as pool:
            for count in (1, 2):
                rows.append(measure(pool, env, tmp, count, args, paths))
                print(f"  {rows[-1][0]:12} {rows[-1][1]:>6} req/s, errors {rows[-1][3]}")
    print()
    print_table(["servers", "req/s", "p95 ms", "errors", "requests per server"], rows)
    print(f"\nAt the end: {machine_load()}.")
    return 0


def measure(pool, env: dict[str, str], tmp: Path, count: int, args, paths) -> list[str]:
    machines = []
    for number in range(count):
        own = tmp / f"machine-{count}-{number}"
        machines.append({**env, "PORCH_INSTANCE_DIR": str(own), "UPLOAD_DIR": str(own / "uploads")})
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(
                gunicorn(machine, tmp, workers=args.workers, worker_class="sync", name=f"{count}-{number}")
            )
            for number, machine in enumerate(machines)
        ]
        address = stack.enter_context(caddy([server.address for server in servers], tmp))
        jars = pool.apply(log_in_all, (address, residents(args.clients)))
        since = [server.log_size() for server in servers]
        mix = pool.apply(hammer, (address, jars, paths, args.seconds))
        answered = [
            sum(server.requests_per_worker(start).values()) for server, start in zip(servers, since, strict=True)
        ]
    label = f"{count} × sync ×{args.workers}"
    return [
        label,
        f"{mix.run.per_second:.0f}",
        f"{mix.run.latency_ms(95):.0f}",
        _errors(mix.run),
        " / ".join(str(n) for n in answered),
    ]


def _errors(run) -> str:
    details = {str(status): n for status, n in run.statuses.items() if status != 200} | dict(run.failures)
    return f"{run.errors}" + (f" {details}" if details else "")


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in [headers, ["-" * w for w in widths], *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured time for each setup (default 30)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--units", type=int, default=400, help="households in the bench association (default 400)")
    parser.add_argument("--workers", type=int, default=2, help="sync workers per server (default 2)")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/porch_bench_two", help="PostgreSQL database"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9", help="the Redis both servers use")
    parser.add_argument("--workdir", type=Path, help="remember that the database is made; use it again next time")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql://"):
        parser.error("--database-url must be a PostgreSQL database: machines cannot share a SQLite file")
    if not 1 <= args.clients <= args.units // 2:
        parser.error("--clients must be between 1 and --units / 2")
    return args


if __name__ == "__main__":
    sys.exit(main())
