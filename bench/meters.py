"""The board's period view at the size of a large association: 2,000 units with four meters each and a year
of monthly readings.

Run from the project root:

    .venv/bin/python bench/meters.py [--seconds 5] [--units 2000]

What it does:

1. Builds a throw-away SQLite database like bench/balances.py (`flask db upgrade`, `flask demo --units N`)
   and makes resident1@bench.example a board member.
2. Gives every unit a cold-water, a hot-water, an electricity and a heat meter installed on 31 December
   2025 (their first readings), and twelve monthly reading windows for 2026 with every meter's reading,
   one in fifty handed in lower than the month before (flagged), straight in the database. The window
   measured is January 2027's, handed in by seven units in ten.
3. Measures in process (the app alone in one thread through Flask's test client) the board's period view
   (its first page of 50 units, a later page, the missing filter as htmx and the flagged one) and the
   windows list, with the queries of each request.

Goal (issue 14): the board's period view p95 ≤ 50 ms server time with 2,000 units × 4 meters and a year of
readings, the same number of queries on every page. The exit code is 0 whether the goal passes or fails;
1 means it could not run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import _in_process
from pages import BIN, ROOT, app_environment, create_database, machine_load, print_table

SLUG = "bench"
BOARD = f"resident1@{SLUG}.example"
P95_MS = 50.0

# Runs inside the app (a subprocess with the bench database's environment); prints one JSON line.
PREPARE = """
import datetime as dt, json, sys, time
from decimal import Decimal
from app import create_app
from demo.register import make_board
from models import Association
from models.db import db, transaction
from models.meters import Meter, Reading, ReadingWindow
from models.register import Unit

app = create_app()
board_email = sys.argv[1]
BATCH = 500
INSTALLED = dt.date(2025, 12, 31)
KINDS = (("cold_water", "m³", Decimal("3.2")), ("hot_water", "m³", Decimal("1.4")),
         ("electricity", "kWh", Decimal("180")), ("heat", "kWh", Decimal("420")))


def month_end(year, month):
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def insert(model, rows):
    with transaction():
        for start in range(0, len(rows), BATCH):
            model.insert_many(rows[start:start + BATCH]).execute()


out = {}
with app.app_context(), db.connection_context():
    bench = Association.get(Association.slug == "bench")
    make_board(bench, board_email)
    started = time.perf_counter()
    units = list(Unit.of(bench).select(Unit.id, Unit.building).order_by(Unit.id))
    insert(Meter, [dict(association=bench.id, building=u.building_id, unit=u.id, kind=kind, serial=f"{kind[:2].upper()}-{u.id}",
                        measure=measure, installed_on=INSTALLED) for u in units for kind, measure, _use in KINDS])
    windows = []
    for month in range(1, 14):
        end = month_end(2026, month)
        windows.append(ReadingWindow.create(association=bench, period_start=end.replace(day=1), period_end=end,
                                            opens_on=end.replace(day=25), closes_on=end + dt.timedelta(days=5),
                                            locked_at=dt.datetime(2027, 1, 1) if month < 13 else None))
    use = {kind: monthly for kind, _measure, monthly in KINDS}
    meters = list(Meter.of(bench).select(Meter.id, Meter.kind, Meter.unit).order_by(Meter.id))
    rows = []
    for meter in meters:
        # Every row names the same columns: insert_many takes them from a batch's first row.
        rows.append(dict(meter=meter.id, window=None, read_on=INSTALLED, value=Decimal(0), source="installed", flag=""))
        value = Decimal(0)
        for n, window in enumerate(windows):
            if n == 12 and meter.unit_id % 10 >= 7:
                continue  # three units in ten have not handed in January yet
            lower = (meter.id + n) % 50 == 0
            value = value - 1 if lower else value + use[meter.kind] * Decimal(1 + (meter.id % 7) / 10)
            rows.append(dict(meter=meter.id, window=window.id, read_on=window.period_end, value=value,
                             source="resident", flag="lower" if lower else ""))
    insert(Reading, rows)
    out["setup_s"] = time.perf_counter() - started
    out["units"], out["meters"], out["readings"] = len(units), len(meters), len(rows)
    out["window"] = windows[-1].id
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"Porch meter benchmark: {args.units} units × 4 meters, {args.seconds:g} s per page; {machine_load()}.")
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-meters-") as name:
            env = app_environment(Path(name))
            create_database(env, args.units)
            prepared = run_json(env, PREPARE, BOARD)
            pages = measure_pages(env, args, prepared)
        report(prepared, pages)
    except KeyboardInterrupt:
        print("\nInterrupted: the temporary files are removed.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 1
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured time per page (default 5)")
    parser.add_argument("--units", type=int, default=2000, help="units in the bench association (default 2000)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.units < 100:
        parser.error("--seconds > 0 and --units ≥ 100, please")
    return args


def run_json(env: dict[str, str], script: str, *arguments: str) -> dict:
    done = subprocess.run([BIN / "python", "-c", script, *arguments], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"a bench step failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_pages(env: dict[str, str], args: argparse.Namespace, prepared: dict) -> list[tuple[str, object]]:
    view = f"/{SLUG}/meters/windows/{prepared['window']}"
    wanted = [
        ("board: period view, first page", view),
        ("board: period view, page 20", f"{view}?page=20"),
        ("board: missing readings (htmx)", f"{_in_process.HTMX}{view}?show=missing"),
        ("board: flagged readings", f"{view}?show=flagged"),
        ("board: reading windows", f"/{SLUG}/meters/windows"),
    ]
    runs = _in_process.measure(env, BOARD, args.seconds, [path for _name, path in wanted])
    return [(name, runs[path]) for name, path in wanted]


def report(prepared: dict, pages: list) -> None:
    print(
        f"\nData: {prepared['units']} units, {prepared['meters']} meters, {prepared['readings']} readings in 13 "
        f"windows ({prepared['setup_s']:.1f} s to write)."
    )
    print("\n== Meter pages in process ==")
    rows = []
    for name, run in pages:
        rows.append(
            [name, f"{run.latency_ms(50):.1f}", f"{run.latency_ms(95):.1f}", f"{run.queries_typical}/{run.queries_max}"]
        )
    print_table(["page", "server p50 ms", "server p95 ms", "queries typ/max"], rows)
    goals = []
    for name, run in pages:
        if name == "board: reading windows":
            continue  # the list is measured beside the goal, not held to it
        p95 = run.latency_ms(95)
        goals.append([f"{name}: p95", f"≤ {P95_MS:g} ms", f"{p95:.1f} ms", p95 <= P95_MS])
        steady = min(run.queries) == max(run.queries)
        goals.append([f"{name}: queries", "the same every time", f"{min(run.queries)}–{max(run.queries)}", steady])
    print("\n== Summary ==")
    print_table(["goal", "target", "measured", "result"], [[*g[:3], "pass" if g[3] else "FAIL"] for g in goals])
    print("(that the query count does not grow with the units is asserted in tests/blueprints/meters/test_period.py)")


if __name__ == "__main__":
    sys.exit(main())
