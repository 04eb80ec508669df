"""Invoice runs, invoice PDFs and the invoice lists at the size of a large association.

Run from the project root:

    .venv/bin/python bench/billing.py [--seconds 5] [--units 2000] [--pdfs 1000]

What it does:

1. Builds a throw-away SQLite database like bench/register.py (`flask db
   upgrade`, `flask demo --units N`, resident i owning unit i) and makes
   resident1@bench.example a board member.
2. Gives every unit two monthly charges and times the invoice runs through
   the real service (blueprints/billing/invoicing.create_run): first a run of
   1,000 invoices in an association of 1,000 units, then twelve monthly runs
   in the bench association (a year of invoices: 12 × N). Four invoices in
   five are then marked paid, straight in the database.
3. In a fresh process, as one RQ worker would: renders the 1,000-invoice run's
   PDFs one after the other with blueprints.billing.invoice_pdf.render_invoice (EPC QR code and
   all), and reports the first (cold) render, the warm median and p95, the
   total, and the process's peak memory (ru_maxrss).
4. Measures the invoice pages in process (the app alone in one thread through
   Flask's test client): the board's list (first page, a deep page, a status
   filter, a search), the resident's own list and an invoice's details, with
   the queries each request made (X-Query-Count).

Goals (issue 4): a run of 1,000 invoices created ≤ 10 s; one PDF warm ≤ 150 ms;
1,000 PDFs by one worker ≤ 3 min; worker peak memory ≤ 250 MB; the invoice
list p95 ≤ 30 ms with a year of invoices for 2,000 units, the same number of
queries on every request. The exit code is 0 whether the goals pass or fail;
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
RESIDENT = f"resident7@{SLUG}.example"
GOALS = dict(run_1000_s=10.0, pdf_warm_ms=150.0, pdfs_total_s=180.0, worker_mb=250.0, list_p95_ms=30.0)

# Runs inside the app (a subprocess with the bench database's environment); prints one JSON line.
PREPARE = """
import datetime as dt, json, sys, time
from app import create_app
from blueprints.billing import invoicing
from demo.portal import load_units_benchmark
from demo.register import load_units_benchmark_register, make_board
from models import Association, Invoice, User
from models.billing import BillingSettings, Charge
from models.db import db, transaction
from models.register import Unit

app = create_app()
units, board_email = int(sys.argv[1]), sys.argv[2]
FIRST = dt.date(2026, 1, 1)


def billed(association):
    settings = BillingSettings.for_association(association)
    settings.iban, settings.bic, settings.reference_standard = "EE382200221020145685", "HABAEE2X", "ee"
    settings.payee_address = "Bench street 1\\n10111 Tallinn"
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


def month(n):
    year, index = divmod(FIRST.month - 1 + n, 12)
    return dt.date(FIRST.year + year, index + 1, 1)


out = {}
with app.app_context(), db.connection_context():
    bench = Association.get(Association.slug == "bench")
    make_board(bench, board_email)
    board = User.get(User.email == board_email)
    billed(bench)
    load_units_benchmark(1000, "run1k")
    run1k = Association.get(Association.slug == "run1k")
    load_units_benchmark_register(run1k, 1000)
    billed(run1k)

    started = time.perf_counter()
    run = invoicing.create_run(run1k, FIRST, issue_date=FIRST - dt.timedelta(days=10))
    out["run_1000_s"] = time.perf_counter() - started
    out["run_1000_count"] = run.invoice_count
    started = time.perf_counter()
    invoicing.create_run(run1k, FIRST, issue_date=FIRST - dt.timedelta(days=10))
    out["rerun_s"] = time.perf_counter() - started

    runs = []
    for n in range(12):
        started = time.perf_counter()
        invoicing.create_run(bench, month(n), issue_date=month(n) - dt.timedelta(days=10), user=board)
        runs.append(time.perf_counter() - started)
    out["year_runs_s"] = runs
    out["year_invoices"] = Invoice.of(bench).count()
    # Four in five paid in full, straight in the database: the lists then show every status.
    Invoice.update(paid_total=Invoice.total).where((Invoice.association == bench) & (Invoice.number % 5 != 0)).execute()
    BillingSettings.bump(bench)  # as recording payments does
    resident = User.get(User.email == sys.argv[3])
    mine = Invoice.select(Invoice.id).join(Invoice.recipient.rel_model, on=Invoice.recipient).where(
        Invoice.recipient.rel_model.user == resident).order_by(Invoice.id.desc()).first()
    out["resident_invoice"] = mine.id
print(json.dumps(out))
"""

# One worker's life: render the 1,000-invoice run's PDFs one after another.
RENDER = """
import json, resource, sys, time
from app import create_app
from blueprints.billing.invoice_pdf import render_invoice
from models import Association, Invoice
from models.db import db

app = create_app()
count = int(sys.argv[1])
with app.app_context(), db.connection_context():
    association = Association.get(Association.slug == "run1k")
    ids = [i.id for i in Invoice.of(association).select(Invoice.id).order_by(Invoice.id).limit(count)]
    samples, size = [], 0
    started = time.perf_counter()
    for invoice_id in ids:
        began = time.perf_counter()
        size += len(render_invoice(Invoice.get_by_id(invoice_id)))
        samples.append(time.perf_counter() - began)
    total = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(samples=samples, total=total, peak_mb=peak_mb, mean_kb=size / len(ids) / 1024)))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"Porch billing benchmark: {args.units} units, {args.pdfs} PDFs, {args.seconds:g} s per page; {machine_load()}."
    )
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-billing-") as name:
            env = app_environment(Path(name))
            create_database(env, args.units)
            prepared = run_json(env, PREPARE, str(args.units), BOARD, RESIDENT)
            rendered = run_json(env, RENDER, str(args.pdfs))
            pages = measure_pages(env, args, prepared["resident_invoice"])
        report(prepared, rendered, pages)
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
    parser.add_argument("--pdfs", type=int, default=1000, help="invoice PDFs rendered in a row (default 1000)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.units < 100 or not 1 <= args.pdfs <= 1000:
        parser.error("--seconds > 0, --units ≥ 100 and 1 ≤ --pdfs ≤ 1000, please")
    return args


def run_json(env: dict[str, str], script: str, *arguments: str) -> dict:
    done = subprocess.run([BIN / "python", "-c", script, *arguments], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"a bench step failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_pages(env: dict[str, str], args: argparse.Namespace, invoice_id: int) -> list[tuple[str, object]]:
    deep = args.units * 12 // 50 // 2
    board_pages = [
        ("board: all invoices", f"/{SLUG}/admin/invoices"),
        (f"board: page {deep}", f"/{SLUG}/admin/invoices?page={deep}"),
        ("board: overdue", f"/{SLUG}/admin/invoices?status=overdue"),
        ("board: search 'resident7'", f"/{SLUG}/admin/invoices?q=resident7"),
        ("board: search as you type (htmx)", f"{_in_process.HTMX}/{SLUG}/admin/invoices?q=17"),
    ]
    resident_pages = [
        ("resident: my invoices", f"/{SLUG}/invoices"),
        ("resident: invoice details (htmx)", f"{_in_process.HTMX}/{SLUG}/invoices/{invoice_id}"),
    ]
    measured = []
    for account, wanted in ((BOARD, board_pages), (RESIDENT, resident_pages)):
        runs = _in_process.measure(env, account, args.seconds, [path for _name, path in wanted])
        measured += [(name, runs[path]) for name, path in wanted]
    return measured


def report(prepared: dict, rendered: dict, pages: list) -> None:
    samples = sorted(rendered["samples"][1:]) or rendered["samples"]
    warm_median = samples[len(samples) // 2] * 1000
    warm_p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))] * 1000
    year = prepared["year_runs_s"]
    print("\n== Invoice runs ==")
    print_table(
        ["run", "invoices", "seconds"],
        [
            ["1,000 units, one month", str(prepared["run_1000_count"]), f"{prepared['run_1000_s']:.2f}"],
            ["the same month again (creates nothing)", "0", f"{prepared['rerun_s']:.2f}"],
            [f"bench: 12 months (per month: {min(year):.2f}–{max(year):.2f} s)", str(prepared["year_invoices"]),
             f"{sum(year):.1f}"],
        ],
    )  # fmt: skip
    print("\n== Invoice PDFs, one worker process ==")
    print_table(
        ["PDFs", "first (cold) ms", "warm median ms", "warm p95 ms", "total s", "peak MB", "mean size KB"],
        [[str(len(rendered["samples"])), f"{rendered['samples'][0] * 1000:.0f}", f"{warm_median:.0f}",
          f"{warm_p95:.0f}", f"{rendered['total']:.1f}", f"{rendered['peak_mb']:.0f}", f"{rendered['mean_kb']:.0f}"]],
    )  # fmt: skip
    print(f"\n== Invoice pages in process ({prepared['year_invoices']} invoices) ==")
    rows = []
    for name, run in pages:
        rows.append(
            [name, f"{run.latency_ms(50):.1f}", f"{run.latency_ms(95):.1f}", f"{run.queries_typical}/{run.queries_max}"]
        )
    print_table(["page", "server p50 ms", "server p95 ms", "queries typ/max"], rows)

    pdfs_total = rendered["total"] * 1000 / len(rendered["samples"])
    goals = [
        ["a run of 1,000 invoices", f"≤ {GOALS['run_1000_s']:g} s", f"{prepared['run_1000_s']:.2f} s",
         prepared["run_1000_s"] <= GOALS["run_1000_s"]],
        ["one invoice PDF, warm (median)", f"≤ {GOALS['pdf_warm_ms']:g} ms", f"{warm_median:.0f} ms",
         warm_median <= GOALS["pdf_warm_ms"]],
        ["1,000 PDFs by one worker", f"≤ {GOALS['pdfs_total_s']:g} s", f"{pdfs_total:.0f} s",
         pdfs_total <= GOALS["pdfs_total_s"]],
        ["worker peak memory", f"≤ {GOALS['worker_mb']:g} MB", f"{rendered['peak_mb']:.0f} MB",
         rendered["peak_mb"] <= GOALS["worker_mb"]],
    ]  # fmt: skip
    for name, run in pages:
        p95 = run.latency_ms(95)
        goals.append([f"{name}: p95", f"≤ {GOALS['list_p95_ms']:g} ms", f"{p95:.1f} ms", p95 <= GOALS["list_p95_ms"]])
        steady = run.queries_typical == run.queries_max and min(run.queries) == max(run.queries)
        goals.append([f"{name}: queries", "the same every time", f"{min(run.queries)}–{max(run.queries)}", steady])
    print("\n== Summary ==")
    print_table(["goal", "target", "measured", "result"], [[*g[:3], "pass" if g[3] else "FAIL"] for g in goals])
    print("(that the query count does not grow with the list is asserted in tests/blueprints/billing)")


if __name__ == "__main__":
    sys.exit(main())
