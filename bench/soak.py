"""A soak: many clients over the main pages for minutes, with no errors and the workers' memory flat
(issue 16 item 8).

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 20] [--units 400] [--workdir DIR] [--direct]

`--clients` logged-in residents, each on its own keep-alive connection, ask the main pages in turn (home,
units, their own unit, members, invoices, faults, documents, the running vote) for `--minutes`, through Caddy
(as deploy/Caddyfile; `--direct` or no caddy installed: straight to gunicorn) to gunicorn's sync workers as
deploy/porch-web.service runs them, but without --max-requests: a worker is never replaced, so a leak
would show. Every `--sample` seconds it reads each worker's resident memory (VmRSS in /proc).

It prints the requests per minute, the latency, every error (any answer but a 200, any failed
connection), and each worker's memory at the start (after the first minute, once every page has been
rendered and cached) and at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _cluster import caddy, gunicorn, hammer, log_in_all, own_paths, prepared, residents, rss_mb
from pages import load_process, machine_load

WORKERS = 3  # deploy/porch-web.service: one per core and one more


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    seconds = args.minutes * 60
    print(f"Soak: {args.clients} clients over the main pages for {args.minutes:g} min; {machine_load()}.")
    with tempfile.TemporaryDirectory(prefix="porch-soak-") as name:
        tmp = Path(name)
        env, clients = prepared(args.workdir, tmp, args.units, args.clients)
        paths = own_paths(clients.own, args.clients)
        behind = not args.direct and shutil.which("caddy")
        with (
            gunicorn(env, tmp, workers=WORKERS, worker_class="sync") as server,
            caddy([server.address], tmp) if behind else contextlib.nullcontext(server.address) as address,
            load_process() as pool,
        ):
            print(f"gunicorn sync ×{WORKERS}" + (" behind Caddy" if behind else ", clients straight to it"))
            jars = pool.apply(log_in_all, (address, residents(args.clients)))
            workers = server.worker_pids()
            pending = pool.apply_async(hammer, (address, jars, paths, seconds, 60.0))
            samples = sample_memory(workers, pending, args.sample)
            mix = pending.get()
    report(mix, workers, samples, args)
    print(f"\nAt the end: {machine_load()}.")
    return 0


def sample_memory(workers: list[int], pending, every: float) -> list[tuple[float, list[float]]]:
    """(seconds since the start, each worker's RSS in MB), every `every` seconds until the run ends."""
    start, samples = time.monotonic(), []
    while True:
        samples.append((time.monotonic() - start, [rss_mb(pid) for pid in workers]))
        pending.wait(every)
        if pending.ready():
            samples.append((time.monotonic() - start, [rss_mb(pid) for pid in workers]))
            return samples


def report(mix, workers: list[int], samples, args) -> None:
    run = mix.run
    print(
        f"\n{run.requests} requests in {run.elapsed:.0f} s: {run.per_second:.1f} req/s, "
        f"p50 {run.latency_ms(50):.0f} ms, p95 {run.latency_ms(95):.0f} ms, p99 {run.latency_ms(99):.0f} ms"
    )
    errors = {str(status): n for status, n in run.statuses.items() if status != 200} | dict(run.failures)
    print(f"Errors: {run.errors}" + (f" {errors}" if errors else ""))
    print("Requests per minute: " + ", ".join(str(n) for n in mix.per_slice))
    settled = next((s for s in samples if s[0] >= min(60, samples[-1][0] / 2)), samples[0])
    last = samples[-1]
    print(f"\nWorkers' memory (RSS, MB) at {settled[0]:.0f} s and at the end ({last[0]:.0f} s):")
    for pid, before, after in zip(workers, settled[1], last[1], strict=True):
        change = after - before
        print(f"  worker {pid}: {before:6.1f} -> {after:6.1f}  ({change:+.1f} MB, {100 * change / before:+.1f} %)")
    print(
        "Every sample (s: MB per worker): "
        + "; ".join(f"{t:.0f}: {'/'.join(f'{m:.0f}' for m in mb)}" for t, mb in samples)
    )
    verdict = "PASS" if run.errors == 0 else "FAIL"
    print(f"\nGoal: 0 errors over {args.minutes:g} min with {args.clients} clients: {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--units", type=int, default=400, help="households in the bench association (default 400)")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between memory samples (default 10)")
    parser.add_argument("--workdir", type=Path, help="keep the bench database here and use it again next time")
    parser.add_argument("--direct", action="store_true", help="clients straight to gunicorn, no Caddy")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= args.units // 2:
        parser.error("--clients must be between 1 and --units / 2")
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    return args


if __name__ == "__main__":
    sys.exit(main())
