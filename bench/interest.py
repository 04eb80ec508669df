"""Late interest at the size of a large association: a year of invoices for 2,000 units.

Run from the project root:

    .venv/bin/python bench/interest.py [--units 2000]

What it does: builds a throw-away SQLite database (migrated as `flask db upgrade` does) with one
association, N owners and twelve monthly invoices each (12 × N), written in bulk. Of the invoices four in
five are paid two days early, one in ten late (5 to 60 days after the due date, some in two parts), and
the rest stay open; a reference rate changes three times in the year. Then it times, through the real
services:

1. the calculation alone (interest.overdue_interest) through 31 December, with its queries;
2. the preview of that run (interest_runs.preview);
3. the run itself in "line" mode (charges only), and again through 31 January (only January's days);
4. the same December run in "invoice" mode in a fresh copy: one interest invoice per debtor.

Goal (issue 13): a run on 2,000 units × a year well under a few seconds, and the calculation's queries
the same whatever the number of invoices. The exit code is 0 whether the goal is met or not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
GOAL_S = 3.0


def build(units: int, path: Path) -> None:
    from models import Association
    from models.billing import BillingSettings, Invoice, Payment, ReferenceRate
    from models.db import db, make_database, transaction, upgrade
    from models.register import Person

    database = make_database(f"sqlite:///{path}")
    db.initialize(database)
    with database.connection_context():
        upgrade()
        association = Association.create(
            slug="bench", name="Bench", locale="en", currency="EUR", timezone="Europe/Tallinn", gdpr_text="."
        )
        BillingSettings.create(
            association=association,
            payee_name="Bench",
            interest_mode=BillingSettings.INTEREST_REFERENCE,
            interest_reference="ECB",
            interest_margin=800,
            interest_grace_days=5,
            interest_charged_as=BillingSettings.INTEREST_AS_LINE,
        )
        for day, rate in ((dt.date(2025, 9, 1), 215), (dt.date(2026, 3, 1), 240), (dt.date(2026, 9, 1), 200)):
            ReferenceRate.create(association=association, valid_from=day, rate=rate)
        randomly = random.Random(13)
        with transaction():
            Person.insert_many(
                [dict(association=association.id, surname=f"Owner{n:05d}", given_name="Bench") for n in range(units)]
            ).execute()
            people = [pid for (pid,) in Person.select(Person.id).tuples()]
            invoices, number = [], 1
            for month in range(1, 13):
                due = dt.date(2026, month, 15)
                for person in people:
                    invoices.append(
                        dict(
                            association=association.id,
                            number=number,
                            recipient=person,
                            recipient_name="Bench",
                            issue_date=due - dt.timedelta(days=14),
                            due_date=due,
                            currency="EUR",
                            net_total=25_000,
                            total=25_000,
                        )  # fmt: skip
                    )
                    number += 1
            for start in range(0, len(invoices), 2000):
                Invoice.insert_many(invoices[start : start + 2000]).execute()
            payments, paid = [], {}
            for invoice_id, due in Invoice.select(Invoice.id, Invoice.due_date).tuples():
                luck = randomly.random()
                if luck < 0.8:
                    payments.append((invoice_id, 25_000, due - dt.timedelta(days=2)))
                elif luck < 0.9:
                    late = due + dt.timedelta(days=randomly.randint(5, 60))
                    if randomly.random() < 0.5:
                        payments.append((invoice_id, 10_000, late - dt.timedelta(days=3)))
                        payments.append((invoice_id, 15_000, late))
                    else:
                        payments.append((invoice_id, 25_000, late))
            rows = []
            for invoice_id, amount, day in payments:
                paid[invoice_id] = paid.get(invoice_id, 0) + amount
                rows.append(dict(association=association.id, invoice=invoice_id, amount=amount, paid_on=day))
            for start in range(0, len(rows), 2000):
                Payment.insert_many(rows[start : start + 2000]).execute()
            Invoice.update(paid_total=Invoice.total).where(Invoice.id.in_(list(paid))).execute()
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()


def measure(path: Path, charged_as: str) -> dict:
    from app import create_app
    from blueprints.billing import interest, interest_runs
    from config import Config
    from models import Association
    from models.billing import BillingSettings, InterestCharge, Invoice
    from models.db import db

    class BenchConfig(Config):
        DATABASE_URL = f"sqlite:///{path}"

    app = create_app(BenchConfig)
    results = {}
    with app.app_context():
        db.connect(reuse_if_open=True)
        association = Association.get(Association.slug == "bench")
        BillingSettings.update(interest_charged_as=charged_as).where(
            BillingSettings.association == association
        ).execute()
        settings = BillingSettings.for_association(association)
        december = dt.date(2026, 12, 31)
        count = 0

        def tick():
            nonlocal count
            count += 1

        db.obj.counter = tick
        started = time.perf_counter()
        found = interest.overdue_interest(association, settings, december)
        results["calculation_s"] = time.perf_counter() - started
        db.obj.counter = None
        results["calculation_queries"] = count
        results["invoices_bearing"] = sum(1 for item in found if item.pieces)
        started = time.perf_counter()
        plan = interest_runs.preview(association, december)
        results["preview_s"] = time.perf_counter() - started
        results["people"] = len(plan.people)
        started = time.perf_counter()
        run, _ = interest_runs.create(association, december)
        results["run_s"] = time.perf_counter() - started
        results["charges"], results["total_eur"] = run.charge_count, run.total / 100
        if charged_as == BillingSettings.INTEREST_AS_LINE:
            started = time.perf_counter()
            later, _ = interest_runs.create(association, dt.date(2027, 1, 31))
            results["january_run_s"] = time.perf_counter() - started
            results["january_charges"] = later.charge_count
            overlapping = 0
            last = {}
            for invoice_id, first, final in (
                InterestCharge.select(InterestCharge.invoice, InterestCharge.first_day, InterestCharge.last_day)
                .order_by(InterestCharge.invoice, InterestCharge.first_day)
                .tuples()
            ):
                overlapping += invoice_id in last and first <= last[invoice_id]
                last[invoice_id] = final
            results["overlapping_charges"] = overlapping
        else:
            results["interest_invoices"] = Invoice.select().where(Invoice.purpose == Invoice.INTEREST).count()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("PORCH_INSTANCE_DIR", folder)
        base = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        build(args.units, base)
        print(f"Built {args.units} units × 12 invoices in {time.perf_counter() - started:.1f} s")
        copy = Path(folder) / "bench-invoice.sqlite3"
        shutil.copy(base, copy)
        for label, path, charged_as in (("line", base, "line"), ("invoice", copy, "invoice")):
            results = measure(path, charged_as)
            print(f"\n{label} mode:")
            for key, value in results.items():
                shown = f"{value:.2f}" if isinstance(value, float) else value
                print(f"  {key:22} {shown}")
            verdict = "met" if results["run_s"] <= GOAL_S else "NOT met"
            print(f"  goal: run ≤ {GOAL_S:.0f} s … {verdict}")


if __name__ == "__main__":
    main()
