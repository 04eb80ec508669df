"""The board's overview at the size of a large association: the unit × month payment grid and the debtors list.

Run from the project root:

    .venv/bin/python bench/overview.py [--seconds 5] [--units 2000]

What it does:

1. Builds a throw-away SQLite database like bench/billing.py (`flask db upgrade`, `flask demo --units N`,
   resident i owning unit i) and makes resident1@bench.example a board member.
2. Gives every unit two monthly charges and makes a year of invoices with the real invoice run
   (blueprints/billing/invoicing.create_run, twelve months of 2026: 12 × N invoices), then pays them
   with one Payment row each, written straight to the database, a few days before the due date: every
   unit in full, except units ending in 0 (nothing paid from July on: debtors of every age) and units
   ending in 1 (every third month half paid). That is about N/5 debtors.
3. Measures the pages in process (the app alone in one thread through Flask's test client), as the
   board: the grid for 2026 (first page, a deep page, the htmx swap), the debtors list (as it opens,
   filtered to 90+ days, sorted by age), a debtor's own page, and the exports (the whole grid as CSV
   and XLSX, the debtors list as XLSX), with the queries each request made (X-Query-Count).

Goal (issue 13): the unit × month grid p95 ≤ 100 ms with 2,000 units and a year of invoices, the same
number of queries on every request. The other pages are measured against the same 100 ms for
information (the debtors list has no goal of its own); the exports are downloads, timed once per
request. The exit code is 0 whether the goals pass or fail; 1 means it could not run.
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
GRID_P95_MS = 100.0

# Runs inside the app (a subprocess with the bench database's environment); prints one JSON line.
PREPARE = """
import datetime as dt, json, sys, time
from app import create_app
from blueprints.billing import invoicing
from demo.register import make_board
from models import Association, Invoice, User
from models.billing import BillingSettings, Charge, Payment
from models.db import db, transaction
from models.register import Unit

app = create_app()
board_email = sys.argv[1]


def billed(association):
    settings = BillingSettings.for_association(association)
    settings.iban, settings.bic, settings.reference_standard = "EE382200221020145685", "HABAEE2X", "ee"
    settings.save()
    rows = []
    for unit in Unit.of(association).select(Unit.id, Unit.area):
        rows.append(dict(association=association.id, unit=unit.id, description="Management fee",
                         amount=int(unit.area or 40) * 45, position=0))
        rows.append(dict(association=association.id, unit=unit.id, description="Repair fund",
                         amount=int(unit.area or 40) * 60, position=1))
    with transaction():
        for start in range(0, len(rows), 500):
            Charge.insert_many(rows[start:start + 500]).execute()


def paid_share(unit_id, month):
    if unit_id % 10 == 0:
        return 0 if month >= 7 else 1
    if unit_id % 10 == 1 and month % 3 == 0:
        return 0.5
    return 1


out = {}
with app.app_context(), db.connection_context():
    bench = Association.get(Association.slug == "bench")
    make_board(bench, board_email)
    board = User.get(User.email == board_email)
    billed(bench)
    started = time.perf_counter()
    for month in range(1, 13):
        first = dt.date(2026, month, 1)
        invoicing.create_run(bench, first, issue_date=first - dt.timedelta(days=10), user=board)
    out["runs_s"] = time.perf_counter() - started
    invoices = list(Invoice.of(bench).select(Invoice.id, Invoice.unit, Invoice.total, Invoice.due_date,
                                             Invoice.period_start).tuples())
    payments, paid = [], {}
    for invoice_id, unit_id, total, due, period in invoices:
        amount = int(total * paid_share(unit_id, period.month))
        if amount:
            payments.append(dict(association=bench.id, invoice=invoice_id, amount=amount,
                                 paid_on=due - dt.timedelta(days=3), source="manual"))
            paid[invoice_id] = amount
    with transaction():
        for start in range(0, len(payments), 500):
            Payment.insert_many(payments[start:start + 500]).execute()
        for invoice_id, amount in paid.items():
            Invoice.update(paid_total=amount).where(Invoice.id == invoice_id).execute()
    BillingSettings.bump(bench)
    out["invoices"] = len(invoices)
    out["payments"] = len(payments)
    out["units"] = Unit.of(bench).count()
    debtor = Invoice.select(Invoice.recipient).where((Invoice.association == bench) & (Invoice.paid_total == 0)).first()
    out["debtor"] = debtor.recipient_id
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"Porch overview benchmark: {args.units} units, {args.seconds:g} s per page; {machine_load()}.")
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-overview-") as name:
            env = app_environment(Path(name))
            create_database(env, args.units)
            prepared = run_json(env, PREPARE, BOARD)
            print(
                f"Filled: {prepared['invoices']} invoices by twelve runs ({prepared['runs_s']:.1f} s), "
                f"{prepared['payments']} payments."
            )
            pages, exports = measure(env, args, prepared["debtor"])
        report(prepared, pages, exports)
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


def measure(env: dict[str, str], args: argparse.Namespace, debtor: int) -> tuple[list, list]:
    last_page = -(-args.units // 50)
    pages = [
        ("grid 2026, first page", f"/{SLUG}/admin/payment-grid?year=2026"),
        (f"grid 2026, page {last_page}", f"/{SLUG}/admin/payment-grid?year=2026&page={last_page}"),
        ("grid 2026, page 2 (htmx)", f"{_in_process.HTMX}/{SLUG}/admin/payment-grid?year=2026&page=2"),
        ("debtors", f"/{SLUG}/admin/debtors"),
        ("debtors, over 90 days", f"/{SLUG}/admin/debtors?bucket=90%2B"),
        ("debtors, by age (htmx)", f"{_in_process.HTMX}/{SLUG}/admin/debtors?sort=age"),
        ("a debtor's page", f"/{SLUG}/admin/debtors/{debtor}"),
    ]
    exports = [
        ("grid 2026 as CSV", f"/{SLUG}/admin/payment-grid.csv?year=2026"),
        ("grid 2026 as XLSX", f"/{SLUG}/admin/payment-grid.xlsx?year=2026"),
        ("debtors as XLSX", f"/{SLUG}/admin/debtors.xlsx"),
    ]
    runs = _in_process.measure(env, BOARD, args.seconds, [path for _name, path in pages])
    downloads = _in_process.measure(env, BOARD, min(args.seconds, 3.0), [path for _name, path in exports])
    return [(name, runs[path]) for name, path in pages], [(name, downloads[path]) for name, path in exports]


def report(prepared: dict, pages: list, exports: list) -> None:
    print(f"\n== Overview pages in process ({prepared['units']} units, {prepared['invoices']} invoices) ==")
    rows = []
    for name, run in pages + exports:
        rows.append(
            [name, str(run.requests), f"{run.latency_ms(50):.1f}", f"{run.latency_ms(95):.1f}",
             f"{run.queries_typical}/{run.queries_max}"]
        )  # fmt: skip
    print_table(["page", "requests", "server p50 ms", "server p95 ms", "queries typ/max"], rows)
    goals = []
    for name, run in pages:
        p95 = run.latency_ms(95)
        target = "goal" if name.startswith("grid") else "for information"
        goals.append([f"{name}: p95 ({target})", f"≤ {GRID_P95_MS:g} ms", f"{p95:.1f} ms", p95 <= GRID_P95_MS])
        steady = min(run.queries) == max(run.queries)
        goals.append([f"{name}: queries", "the same every time", f"{min(run.queries)}–{max(run.queries)}", steady])
    print("\n== Summary ==")
    print_table(["goal", "target", "measured", "result"], [[*g[:3], "pass" if g[3] else "FAIL"] for g in goals])
    print(
        "(that the query count does not grow with the units is asserted in tests/blueprints/billing/test_overview.py)"
    )


if __name__ == "__main__":
    sys.exit(main())
