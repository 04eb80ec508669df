"""The public search of vacant homes at DanmarkBolig's national size: 500 associations, 550,000 units, 20,000
of them listed (every other unit let to a tenant), on PostgreSQL; and 20,000 units on SQLite.

Run from the project root (PostgreSQL at the URL given; the bench makes and drops its own database):

    .venv/bin/python bench/listings.py [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--seconds 2]
    .venv/bin/python bench/listings.py --sqlite-only

What it does:

1. Makes the database `porch_bench_listings` (dropped first and at the end), migrates it, and fills it by
   COPY: associations, two departments (buildings) each across five regions and many municipalities, units
   with rooms, area and accessibility, a tenant and a residency for every let unit, and a vacancy with a
   description for each listed unit (plus some ended ones that must not show).
2. Measures in process (the app alone, Flask's test client, server time) the search page for a set of
   filter combinations: none, each filter alone and several together, on one association's page, on the
   install-wide /homes, and as the htmx swap; p50/p95 and the queries of each.
3. Prints EXPLAIN (ANALYZE) of the search query of each combination, and the first visit's gzipped bytes of
   /<slug>/homes (the page, Porch's CSS and JS).

Goals (issue 15): p95 ≤ 100 ms for any combination; first visit ≤ 30 KB gzipped. Exit code 0 whether the
goals pass or fail; 1 means it could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = "porch_bench_listings"
P95_MS = 100.0
FIRST_VISIT_KB = 30.0
REGIONS = {
    "Hovedstaden": ["København", "Frederiksberg", "Gladsaxe", "Gentofte", "Hvidovre", "Albertslund", "Ishøj"],
    "Sjælland": ["Roskilde", "Køge", "Næstved", "Holbæk", "Slagelse"],
    "Syddanmark": ["Odense", "Esbjerg", "Kolding", "Vejle", "Svendborg", "Sønderborg"],
    "Midtjylland": ["Aarhus", "Randers", "Horsens", "Silkeborg", "Herning", "Viborg"],
    "Nordjylland": ["Aalborg", "Hjørring", "Frederikshavn", "Thisted"],
}
ACCESS = ["", "", "", "step_free", "lift", "step_free lift", "step_free lift wheelchair", "wide_doors grab_rails"]
SCHEMES = ["", "", "", "students", "seniors", "local_workers", "families relocation", "social", "combined"]
TYPES = ["family", "family", "family", "youth", "senior"]

COMBINATIONS = [
    "",
    "region=Syddanmark",
    "municipality=Aarhus",
    "rent_min=5000",
    "rent_max=6000",
    "rooms_min=3",
    "rooms_max=2",
    "area_min=80",
    "area_max=50",
    "move_in_before=2027-03-01",
    "type=youth",
    "access=step_free",
    "access=step_free&access=wheelchair",
    "pets=1",
    "scheme=students",
    "wait_max=6",
    "sort=rent",
    "sort=area",
    "sort=wait",
    "page=5",
    "access=step_free&rooms_min=2&rent_max=7000",
    "region=Hovedstaden&type=family&rooms_min=3&rooms_max=4&rent_max=9000&sort=rent",
    "municipality=Odense&access=lift&pets=1&wait_max=24&scheme=seniors",
    "region=Nordjylland&area_min=60&area_max=90&move_in_before=2027-06-01&type=senior&access=step_free&sort=area",
]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="a PostgreSQL server")
    parser.add_argument("--seconds", type=float, default=1.5, help="time per combination")
    parser.add_argument("--associations", type=int, default=500)
    parser.add_argument("--units", type=int, default=550_000)
    parser.add_argument("--listed", type=int, default=20_000)
    parser.add_argument("--sqlite-units", type=int, default=20_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--no-explain", action="store_true")
    return parser.parse_args(argv)


# --- the data ----------------------------------------------------------------------------------------------


def plan(associations: int, units: int, listed: int, seed: int = 15):
    """Rows for every table, as lists of dicts: the same world on both backends."""
    rng = random.Random(seed)
    now = dt.datetime(2026, 6, 1, 12, 0)
    regions = list(REGIONS)
    rows = {name: [] for name in ("association", "building", "unit", "person", "residency", "vacancy", "vacancy_text")}
    for a in range(1, associations + 1):
        rows["association"].append(
            dict(
                id=a, name=f"Boligforening {a}", slug=f"a{a}", locale="da", currency="DKK", timezone="Europe/Copenhagen"
            )
        )
        for b in range(2):
            region = regions[(a + b) % len(regions)]
            town = REGIONS[region][(a * 3 + b) % len(REGIONS[region])]
            rows["building"].append(
                dict(
                    id=2 * (a - 1) + b + 1,
                    association=a,
                    name=f"Afdeling {b + 1}",
                    street=f"Vej {a}-{b}",
                    postcode=str(1000 + a),
                    municipality=town,
                    region=region,
                )
            )
    listed_units = set(rng.sample(range(1, units + 1), listed))
    ended = set(rng.sample(sorted(set(range(1, units + 1)) - listed_units), listed // 10))
    per = units // associations
    vacancy_id = 0
    for u in range(1, units + 1):
        a = min((u - 1) // per + 1, associations)
        building = 2 * (a - 1) + 1 + (u % 2)
        rows["unit"].append(
            dict(
                id=u,
                association=a,
                building=building,
                number=str(u),
                rooms=rng.randint(1, 6),
                floor=rng.randint(0, 8),
                area=rng.randint(25, 140),
                accessibility=rng.choice(ACCESS),
            )
        )
        if u in listed_units or u in ended:
            vacancy_id += 1
            rows["vacancy"].append(
                dict(
                    id=vacancy_id,
                    association=a,
                    unit=u,
                    move_in=dt.date(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 300)),
                    ends_on=dt.date(2026, 1, 1) if u in ended else None,
                    rent=rng.randint(300_000, 1_400_000),
                    deposit=rng.randint(1_000_000, 3_000_000),
                    housing_type=rng.choice(TYPES),
                    lift=rng.random() < 0.3,
                    pets=rng.random() < 0.4,
                    schemes=rng.choice(SCHEMES),
                    waiting_months=rng.choice([None, 1, 3, 6, 12, 24, 60]),
                    created_at=now,
                    updated_at=now,
                )
            )
            rows["vacancy_text"].append(
                dict(vacancy=vacancy_id, language="da", description=f"En lys bolig nr. {u} tæt på parken.")
            )
        if u not in listed_units:
            rows["person"].append(
                dict(id=u, association=a, surname=f"Lejer{u}", given_name="Anna", search_name=f"anna lejer{u}")
            )
            rows["residency"].append(dict(unit=u, person=u, role="tenant", start_date=dt.date(2015, 1, 1)))
    return rows


def fill(database, rows) -> None:
    """Insert every row: COPY on PostgreSQL, big insert_many batches on SQLite; Python defaults filled in."""
    from models import Association, Building, Person, Residency, Unit
    from models.listings import Vacancy, VacancyText

    models = {
        "association": Association,
        "building": Building,
        "unit": Unit,
        "person": Person,
        "residency": Residency,
        "vacancy": Vacancy,
        "vacancy_text": VacancyText,
    }
    for table, model in models.items():
        complete = [_with_defaults(model, row) for row in rows[table]]
        if not complete:
            continue
        if _is_postgres(database):
            _copy(database, model, complete)
        else:
            with database.atomic():
                for start in range(0, len(complete), 5000):
                    model.insert_many(complete[start : start + 5000]).execute()
    if _is_postgres(database):
        for table in models:
            database.execute_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
            )
        # As autovacuum leaves a table that has settled: statistics, and the visibility map that lets the
        # residency check read its index alone.
        database.execute_sql("VACUUM ANALYZE")


def _is_postgres(database) -> bool:
    import peewee as pw

    return isinstance(database, pw.PostgresqlDatabase)


def _with_defaults(model, row: dict) -> dict:
    out = {}
    for name, field in model._meta.fields.items():
        key = name
        if key in row:
            out[field.column_name] = row[key]
        elif name == "id":
            continue
        elif field.default is not None:
            out[field.column_name] = field.default() if callable(field.default) else field.default
        elif not field.null:
            raise ValueError(f"{model.__name__}.{name} needs a value")
    return out


def _copy(database, model, rows: list[dict]) -> None:
    columns = list(rows[0])
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(row[c]) for c in columns) + "\n")
    buffer.seek(0)
    quoted = ", ".join(f'"{c}"' for c in columns)
    with database.atomic():
        database.cursor().copy_expert(f'COPY "{model._meta.table_name}" ({quoted}) FROM STDIN', buffer)


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


# --- measuring ---------------------------------------------------------------------------------------------


def measure(app, paths: list[str], seconds: float) -> dict[str, tuple[float, float, int]]:
    """path -> (p50 ms, p95 ms, queries) of GETs in process."""
    client = app.test_client()
    results = {}
    for path in paths:
        url, headers = (path[5:], {"HX-Request": "true"}) if path.startswith("htmx:") else (path, {})
        for _ in range(3):
            client.get(url, headers=headers)
        samples, queries, deadline = [], 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline or len(samples) < 10:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries = int(response.headers.get("X-Query-Count", "0"))
        samples.sort()
        results[path] = (statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], queries)
    return results


def explain(app, association_id: int | None, query_string: str, postgres: bool) -> str:
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    from blueprints.listings import search
    from models.db import db

    filters = search.Filters.from_args(MultiDict(parse_qsl(query_string)))
    sql, params = search.page_query(filters, dt.date(2026, 6, 1), association_id).sql()
    prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " if postgres else "EXPLAIN QUERY PLAN "
    with app.app_context():
        rows = db.execute_sql(prefix + sql, params).fetchall()
    return "\n".join("    " + " | ".join(str(c) for c in row) for row in rows)


def first_visit(app, path: str) -> dict[str, int]:
    """Gzipped bytes of what a first visit downloads: the page and the CSS and JS it links."""
    client = app.test_client()
    html = client.get(path).get_data()
    sizes = {"page": len(gzip.compress(html, 6))}
    for asset in re.findall(rb'(?:src|href)="(/static/[^"]+\.(?:css|js))"', html):
        if b"print" in asset:
            continue  # media="print": not fetched for the screen
        body = client.get(asset.decode()).get_data()
        sizes[asset.decode().split("/")[-1]] = len(gzip.compress(body, 6))
    return sizes


def run(url: str, args, label: str, associations: int, units: int, listed: int) -> None:
    os.environ["DATABASE_URL"] = url
    from app import create_app
    from models.db import db, make_database, upgrade

    database = make_database(url)
    db.initialize(database)
    started = time.perf_counter()
    with database.connection_context():
        upgrade()
        rows = plan(associations, units, listed)
        fill(database, rows)
    print(
        f"\n== {label}: {associations} associations, {units:,} units, {listed:,} listed "
        f"({len(rows['vacancy']) - listed:,} ended), {len(rows['residency']):,} tenants; built in "
        f"{time.perf_counter() - started:.0f} s"
    )

    from config import Config

    config = type(
        "BenchConfig",
        (Config,),
        {
            "DATABASE_URL": url,
            "COUNT_QUERIES": True,
            "SECRET_KEY": "bench",
            "INSTANCE_DIR": Path(tempfile.mkdtemp(prefix="porch-bench-")),
        },
    )
    app = create_app(config)
    postgres = url.startswith("postgres")
    paths = [f"/a7/homes?{c}" for c in COMBINATIONS]
    paths += [f"/homes?{c}" for c in COMBINATIONS]
    paths += [
        "/homes?association=a7&rooms_min=2",
        "htmx:/homes?access=step_free&rooms_min=3",
        "htmx:/a7/homes?rooms_min=3",
    ]
    results = measure(app, paths, args.seconds)
    worst = max(p95 for _, p95, _ in results.values())
    print(f"{'path':<110} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7}")
    for path, (p50, p95, queries) in results.items():
        print(f"{path:<110} {p50:7.1f} {p95:7.1f} {queries:7d}")
    verdict = "meets" if worst <= P95_MS else "MISSES"
    print(f"worst p95 {worst:.1f} ms: {verdict} the goal of {P95_MS:.0f} ms")
    sizes = first_visit(app, "/a7/homes")
    total = sum(sizes.values()) / 1024
    print(
        f"first visit of /a7/homes, gzipped: {', '.join(f'{k} {v / 1024:.1f} KB' for k, v in sizes.items())}; "
        f"total {total:.1f} KB ({'meets' if total <= FIRST_VISIT_KB else 'MISSES'} the goal of {FIRST_VISIT_KB:.0f} KB)"
    )
    if not args.no_explain:
        for combination in COMBINATIONS:
            for association_id, where in ((7, "/a7/homes"), (None, "/homes")):
                print(f"\nEXPLAIN {where}?{combination}")
                print(explain(app, association_id, combination, postgres))
    db.close() if not db.is_closed() else None


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-listings-") as tmp:
            sqlite_url = f"sqlite:///{Path(tmp) / 'listings.sqlite3'}"
            listed = max(1, args.sqlite_units * args.listed // args.units)
            run(
                sqlite_url,
                args,
                "SQLite",
                max(1, args.associations * args.sqlite_units // args.units),
                args.sqlite_units,
                listed,
            )
        if not args.sqlite_only:
            run_postgres(args)
    except KeyboardInterrupt:
        return 130
    return 0


def run_postgres(args) -> None:
    import psycopg2

    admin = psycopg2.connect(args.pg)
    admin.autocommit = True
    base = args.pg.rsplit("/", 1)[0]
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
            cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
        run(f"{base}/{BENCH_DB}", args, "PostgreSQL", args.associations, args.units, args.listed)
    finally:
        from models.db import db

        if db.obj is not None and not db.is_closed():
            db.close()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
