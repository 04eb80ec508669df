"""Importing a register and a year of its books from spreadsheets: 2,000 units with their owners, a year of
monthly invoices and their payments, about 50,000 rows in three CSV files.

Run from the project root:

    .venv/bin/python bench/import.py [--units 2000] [--database-url postgresql://…/bench_import]

What it does, in one process inside the app (as `flask import` and the import's jobs do):

1. Makes a throw-away database (SQLite in a temporary folder, or the PostgreSQL database named, emptied
   first), migrates it and founds an association.
2. Writes three CSV files as an SVJ's spreadsheet and its accounting system would: the owners' list (one
   row per owner: building, unit, share, area, name, personal id, e-mail, owner's share; a tenth of the units
   have two owners of 1/2), the year's invoices (12 per unit, the unit's main owner billed) and the payments
   (one per invoice, a few partial).
3. For each file in that order, times the dry run (read, map, every row through records.upsert, rolled back)
   and the apply (the same, committed); then imports all three files again (nothing to do) and times that.
   For each step it reports the seconds (and the CPU seconds of this process: on a machine busy with other
   work the wall clock says more about the others) and the SQL statements made.

Goals (issue 16): the dry run of ~50,000 rows ≤ 20 s, the apply ≤ 60 s (the files' sums). The exit code is 0
whether the goals pass or fail; 1 means the benchmark could not run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DRY_GOAL, APPLY_GOAL = 20.0, 60.0
FIRST_NAMES = ("Jana", "Petr", "Eva", "Jan", "Marie", "Tomáš", "Lucie", "Pavel", "Anna", "Martin")
SURNAMES = ("Novák", "Svoboda", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý", "Horák", "Němec", "Marek")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--database-url", default="", help="PostgreSQL to use (emptied first); default SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="porch-bench-import-") as folder:
        tmp = Path(folder)
        os.environ.update(
            DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'porch.sqlite3'}",
            PORCH_INSTANCE_DIR=str(tmp / "instance"), SECRET_KEY="porch-bench-only", PORCH_COUNT_QUERIES="1",
            REDIS_URL="", SMTP_URL="", OUTBOX_DIR="", UPLOAD_DIR="",
        )  # fmt: skip
        return run(args.units, bool(args.database_url))


def run(units: int, postgres: bool) -> int:
    from app import create_app
    from blueprints.exchange import importing
    from blueprints.portal import founding
    from models.db import db, upgrade

    app = create_app()
    with app.app_context(), db.connection_context():
        if postgres:
            db.obj.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        association = founding.found_association("bench", "SVJ Lipová", "cs", "CZK", "Europe/Prague")
        files = make_files(units)
        rows = sum(len(text.splitlines()) - 1 for text in files.values())
        print(f"{db.obj.__class__.__name__}: {units} units, {rows} rows in {len(files)} files")
        dry, apply, again = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
        for kind, text in files.items():
            for label, applying, total in (("dry run", False, dry), ("apply", True, apply)):
                seconds, cpu, queries, counts = step(importing, association, kind, text, apply=applying)
                total[0], total[1] = total[0] + seconds, total[1] + cpu
                print(f"  {kind:<10} {label:<8} {seconds:6.1f} s (CPU {cpu:5.1f} s) {queries:7d} statements  {counts}")
        for kind, text in files.items():
            seconds, cpu, queries, counts = step(importing, association, kind, text, apply=True)
            again[0], again[1] = again[0] + seconds, again[1] + cpu
            assert counts["created"] == counts["changed"] == counts["invalid"] == 0, counts
        for label, (seconds, cpu), goal in (("dry run", dry, DRY_GOAL), ("apply", apply, APPLY_GOAL)):
            verdict = "met" if seconds <= goal else "MISSED"
            print(f"{label:<8} {seconds:5.1f} s, CPU {cpu:5.1f} s (goal ≤ {goal:.0f} s: {verdict})")
        print(f"the same files again: {again[0]:.1f} s (CPU {again[1]:.1f} s), nothing changed")
        print(f"load average while it ran: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


class _Count:
    statements = 0

    def __call__(self) -> None:
        self.statements += 1


def step(importing, association, kind: str, text: str, *, apply: bool):
    from models.db import db

    count = _Count()
    db.obj.counter = count
    started, cpu = time.perf_counter(), time.process_time()
    table = importing.read_table(text.encode("utf-8"))
    mapping = importing.guess(table.header, kind)
    assert not importing.problems(mapping, table.header, kind), (kind, mapping)
    outcomes = importing.import_rows(association, kind, table, mapping, apply=apply, user=None, name=f"{kind}.csv")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    counts = importing.counts_of(outcomes)
    if counts["invalid"]:
        first = next(o for o in outcomes if o.errors)
        raise SystemExit(f"{kind}: {counts['invalid']} rows refused, e.g. {first.key}: {first.errors}")
    db.obj.counter = None
    return seconds, cpu, count.statements, counts


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def make_files(units: int) -> dict[str, str]:
    """The owners' list, the year's invoices and their payments, as CSV text (Czech headers)."""
    rng = random.Random(16)
    owners, invoices, payments = [], [], []
    main_owner: dict[int, str] = {}
    person = 0
    for number in range(1, units + 1):
        building = f"Lipová {10 + number // 100}"
        share = f"{rng.randint(300, 900)}/100000"
        area = f"{rng.randint(300, 1200) / 10:.1f}".replace(".", ",")
        co_owned = number % 10 == 0
        for part in range(2 if co_owned else 1):
            person += 1
            given, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            born = dt.date(1940, 1, 1) + dt.timedelta(days=person * 7)
            personal_id = f"{born:%y%m%d}/{person % 10000:04d}"
            owners.append([building, str(number), share, area, f"{given} {surname}", personal_id,
                           f"owner{person}@example.cz", "1/2" if co_owned else "1", "ano" if part == 0 else "ne"])  # fmt: skip
            if part == 0:
                main_owner[number] = personal_id
    invoice_number, year = 2026000, dt.date.today().year - 1  # a past year: no payment in the future
    for month in range(1, 13):
        for number in range(1, units + 1):
            invoice_number += 1
            amount = 2000 + (number % 37) * 50
            issued = dt.date(year, month, 1)
            invoices.append([str(invoice_number), f"Lipová {10 + number // 100}", str(number), f"{year}-{month:02d}",
                             issued.strftime("%d.%m.%Y"), (issued + dt.timedelta(days=14)).strftime("%d.%m.%Y"),
                             f"{amount},00", "Záloha na služby a fond oprav"])  # fmt: skip
            paid = amount if number % 20 else amount // 2
            payments.append([str(invoice_number), f"{paid},00", (issued + dt.timedelta(days=10)).strftime("%d.%m.%Y")])
    return {
        "ownership": _csv(["Dům", "Číslo jednotky", "Podíl", "Plocha", "Jméno a příjmení", "Rodné číslo", "E-mail",
                           "Velikost podílu", "Hlavní vlastník"], owners),
        "invoices": _csv(["Číslo faktury", "Dům", "Jednotka", "Období", "Datum vystavení", "Splatnost", "Částka",
                          "Popis"], invoices),
        "payments": _csv(["Faktura", "Částka", "Datum platby"], payments),
    }  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
