"""Balance statements at the size of a large association: a year of invoices, payments and late interest.

Run from the project root:

    .venv/bin/python bench/balances.py [--seconds 5] [--units 2000]

What it does:

1. Builds a throw-away SQLite database like bench/billing.py (`flask db upgrade`, `flask demo --units N`,
   resident i owning unit i) and makes resident1@bench.example a board member.
2. Gives every unit two monthly charges and makes twelve monthly runs through the real invoice service
   (a year of invoices: 12 × N). Then, straight in the database (the services would take minutes for
   this many): four invoices in five are paid by a receipt of their own five days after issue, one payer
   in twenty paying a tenth more (kept as credit); every unpaid invoice gets, 45 days after its due date,
   a late-interest invoice carrying one interest charge with its working.
3. Measures in process (the app alone in one thread through Flask's test client) a resident's "My balance"
   (the year's statement and every entry), a month of it (htmx), how an interest charge was worked out
   (htmx), and the board's balance of a person and of a unit, with the queries of each request; and
   renders one statement PDF cold and warm (the debt reminders attach it).

Goal (issue 13): a statement p95 ≤ 30 ms with 2,000 units and a year of invoices, the same number of
queries on every request. The exit code is 0 whether the goal passes or fails; 1 means it could not run.
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
P95_MS = 30.0

# Runs inside the app (a subprocess with the bench database's environment); prints one JSON line.
PREPARE = """
import datetime as dt, json, sys, time
from app import create_app
from blueprints.billing import interest, invoicing, statement_pdf
from demo.register import make_board
from models import Association, Invoice, Person, User
from models.billing import BillingSettings, Charge, InterestCharge, InterestRun, Payment, Receipt
from models.db import db, transaction
from models.register import Unit

app = create_app()
units, board_email = int(sys.argv[1]), sys.argv[2]
FIRST = dt.date(2026, 1, 1)
BATCH = 500


def month(n):
    year, index = divmod(FIRST.month - 1 + n, 12)
    return dt.date(FIRST.year + year, index + 1, 1)


def insert(model, rows):
    with transaction():
        for start in range(0, len(rows), BATCH):
            model.insert_many(rows[start:start + BATCH]).execute()


out = {}
with app.app_context(), db.connection_context():
    bench = Association.get(Association.slug == "bench")
    make_board(bench, board_email)
    board = User.get(User.email == board_email)
    settings = BillingSettings.for_association(bench)
    settings.iban, settings.bic, settings.reference_standard = "EE382200221020145685", "HABAEE2X", "ee"
    settings.save()
    rows = []
    for unit in Unit.of(bench).select(Unit.id, Unit.area):
        rows.append(dict(association=bench.id, unit=unit.id, description="Management fee",
                         amount=int(unit.area or 40) * 45, position=0))
        rows.append(dict(association=bench.id, unit=unit.id, description="Repair fund",
                         amount=int(unit.area or 40) * 60, position=1))
    insert(Charge, rows)
    started = time.perf_counter()
    for n in range(12):
        invoicing.create_run(bench, month(n), issue_date=month(n) - dt.timedelta(days=10), user=board)
    out["runs_s"] = time.perf_counter() - started
    invoices = list(Invoice.of(bench).select(Invoice.id, Invoice.number, Invoice.recipient, Invoice.unit,
                                             Invoice.issue_date, Invoice.due_date, Invoice.total).order_by(Invoice.id))
    out["invoices"] = len(invoices)
    today = bench.today()

    # Four in five paid by a receipt of their own; one payer in twenty pays a tenth more.
    # Which ones: a fifth of each payer's months stay unpaid (not always the same payers).
    paid = [i for i in invoices if (i.number * 7 + i.issue_date.month) % 5 != 0]
    unpaid = {i.id for i in invoices} - {i.id for i in paid}
    receipts = []
    for i in paid:
        extra = i.total // 10 if i.number % 20 == 1 else 0
        receipts.append(dict(association=bench.id, person=i.recipient_id, amount=i.total + extra, allocated=i.total,
                             currency=bench.currency, received_on=i.issue_date + dt.timedelta(days=5),
                             reference=str(i.number), source="bank_file", created_at=dt.datetime(2026, 1, 1)))
    first_receipt = (Receipt.select(Receipt.id).order_by(Receipt.id.desc()).scalar() or 0) + 1
    insert(Receipt, receipts)
    payments = [dict(association=bench.id, invoice=i.id, receipt=first_receipt + n, amount=i.total,
                     paid_on=i.issue_date + dt.timedelta(days=5), source="bank_file", reference=str(i.number),
                     created_at=dt.datetime(2026, 1, 1))
                for n, i in enumerate(paid)]
    insert(Payment, payments)
    with transaction():
        for start in range(0, len(paid), BATCH):
            chunk = [i.id for i in paid[start:start + BATCH]]
            Invoice.update(paid_total=Invoice.total).where(Invoice.id.in_(chunk)).execute()

    # Late interest on every unpaid invoice, invoiced 45 days after it fell due (when that day has come).
    run = InterestRun.create(association=bench, through=today, charged_as="invoice")
    number = invoicing.reserve_numbers(bench, len(invoices))
    carriers, charges = [], []
    for i in invoices:
        issued = i.due_date + dt.timedelta(days=45)
        if i.id not in unpaid or issued > today:
            continue
        pieces = [interest.Piece(i.due_date + dt.timedelta(days=1), issued - dt.timedelta(days=1), i.total, 800, 365)]
        amount = interest.round_half_up(sum(p.exact for p in pieces)) or 1
        carriers.append(dict(association=bench.id, number=number, kind="invoice", purpose="interest",
                             recipient=i.recipient_id, recipient_name="", unit=i.unit_id, issue_date=issued,
                             due_date=issued + dt.timedelta(days=14), currency=bench.currency, net_total=amount,
                             total=amount, created_at=dt.datetime(2026, 1, 1)))
        charges.append(dict(association=bench.id, run=run.id, invoice=i.id, person=i.recipient_id,
                            first_day=pieces[0].first, last_day=pieces[0].last, amount=amount,
                            calculation=interest.dump(pieces), number=number))
        number += 1
    insert(Invoice, carriers)
    ids = {n: i for n, i in Invoice.of(bench).select(Invoice.number, Invoice.id).where(
        Invoice.purpose == "interest").tuples()}
    for charge in charges:
        charge["charged_on"] = ids[charge.pop("number")]
    insert(InterestCharge, charges)
    BillingSettings.bump(bench)
    out["interest_charges"] = len(charges)
    out["receipts"] = len(receipts)

    # The resident measured: the first resident (not the board member) with late interest charged.
    charged = (InterestCharge.select(InterestCharge.id, InterestCharge.person).join(Person, on=(InterestCharge.person == Person.id))
               .where(Person.user.is_null(False) & (Person.email != board_email)).order_by(InterestCharge.person, InterestCharge.id).first())
    person = Person.get_by_id(charged.person_id)
    out["resident"] = User.get_by_id(person.user_id).email
    out["person"] = person.id
    out["charge"] = charged.id
    out["unit"] = Invoice.of(bench).where(Invoice.recipient == person).first().unit_id
    out["entries"] = Invoice.of(bench).where(Invoice.recipient == person).count()

    samples = []
    for _ in range(6):
        started = time.perf_counter()
        with app.test_request_context():
            size = len(statement_pdf.render_statement(person, dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), "en"))
        samples.append(time.perf_counter() - started)
    out["pdf_cold_ms"], out["pdf_warm_ms"], out["pdf_kb"] = samples[0] * 1000, sorted(samples[1:])[2] * 1000, size / 1024
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"Porch balance benchmark: {args.units} units, {args.seconds:g} s per page; {machine_load()}.")
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-balances-") as name:
            env = app_environment(Path(name))
            create_database(env, args.units)
            prepared = run_json(env, PREPARE, str(args.units), BOARD)
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
    resident_pages = [
        ("resident: my balance (the year)", f"/{SLUG}/balance"),
        ("resident: a month (htmx)", f"{_in_process.HTMX}/{SLUG}/balance?period=2026-03"),
        ("resident: an interest working (htmx)", f"{_in_process.HTMX}/{SLUG}/balance/interest/{prepared['charge']}"),
    ]
    board_pages = [
        ("board: a person's balance", f"/{SLUG}/admin/people/{prepared['person']}/balance"),
        ("board: a unit's balance", f"/{SLUG}/admin/units/{prepared['unit']}/balance"),
    ]
    measured = []
    for account, wanted in ((prepared["resident"], resident_pages), (BOARD, board_pages)):
        runs = _in_process.measure(env, account, args.seconds, [path for _name, path in wanted])
        measured += [(name, runs[path]) for name, path in wanted]
    return measured


def report(prepared: dict, pages: list) -> None:
    print(
        f"\nData: {prepared['invoices']} invoices in twelve runs ({prepared['runs_s']:.1f} s), {prepared['receipts']} "
        f"receipts, {prepared['interest_charges']} interest charges; the resident measured has "
        f"{prepared['entries']} invoices."
    )
    print("\n== Balance pages in process ==")
    rows = []
    for name, run in pages:
        rows.append(
            [name, f"{run.latency_ms(50):.1f}", f"{run.latency_ms(95):.1f}", f"{run.queries_typical}/{run.queries_max}"]
        )
    print_table(["page", "server p50 ms", "server p95 ms", "queries typ/max"], rows)
    print(
        f"\nStatement PDF: first (cold) {prepared['pdf_cold_ms']:.0f} ms, warm median {prepared['pdf_warm_ms']:.0f} ms, "
        f"{prepared['pdf_kb']:.0f} KB"
    )
    goals = []
    for name, run in pages:
        p95 = run.latency_ms(95)
        goals.append([f"{name}: p95", f"≤ {P95_MS:g} ms", f"{p95:.1f} ms", p95 <= P95_MS])
        steady = min(run.queries) == max(run.queries)
        goals.append([f"{name}: queries", "the same every time", f"{min(run.queries)}–{max(run.queries)}", steady])
    print("\n== Summary ==")
    print_table(["goal", "target", "measured", "result"], [[*g[:3], "pass" if g[3] else "FAIL"] for g in goals])
    print("(that the query count does not grow with the ledger is asserted in tests/blueprints/billing/test_ledger.py)")


if __name__ == "__main__":
    sys.exit(main())
