"""How fast a running vote counts, takes a ballot and serves its page, with 2,000 units (issue 12).

Run from the project root:

    .venv/bin/python bench/votes.py [--seconds 3] [--units 2000] [--ballots 1500] [--clients 20] [--worker sync]

What it does:

1. Builds a throw-away SQLite database in a temporary directory as bench/pages.py does (`flask db upgrade`,
   `flask demo --units N`: resident i owns unit i, each unit's share 1/N).
2. Inside the app: resident N joins the board and starts a poll counted by share ("Paint the stairwell?",
   three options) through the real service (ballots.start freezes 2,000 weights); residents 1 … `--ballots`
   cast their units' ballots through ballots.cast (each appended to the ledger); a second poll gets 10
   ballots, for comparing query counts.
3. Measures in process (the app alone in one thread: the server time the goals are about), `--seconds` each:
   (c) casting: ballots.cast for the units that have not voted (then changes), inside a request context,
       as the casting view calls it; the poll then holds 2,000 ballots;
   (a) tally.read() of the 2,000 ballots, uncached (one query and the exact sums);
   (b) the results partial (GET /bench/votes/<id>/results as htmx polls it) as a member;
   (e) the queries of the vote page and of the results partial with 10 and with 2,000 ballots (X-Query-Count).
4. (d) Serves the app with gunicorn (2 workers) and has `--clients` residents, each logged in as itself,
   request the vote page over and over for `--seconds` from a separate process (bench/_client.py).
5. Prints the goals: tally p95 ≤ 20 ms, results partial p95 ≤ 20 ms, casting p95 ≤ 50 ms, the vote page
   ≥ 300 requests/s with 20 clients, and the same number of queries with 10 and 2,000 ballots.

The vote page and its results partial (votes.vote, votes.results_part) are measured when the app has them; the
parts that need them are reported as "not built" otherwise. The exit code is 0 whether the goals pass or
fail; 1 means it could not run.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from _client import PageRun, drive
from pages import (
    BIN,
    ROOT,
    SLUG,
    WARMUP_SECONDS,
    _exit_on_sigterm,
    app_environment,
    create_database,
    gunicorn,
    load_process,
    machine_load,
    print_table,
)

MAX_TALLY_P95_MS, MAX_RESULTS_P95_MS, MAX_CAST_P95_MS, MIN_PAGE_PER_SECOND = 20.0, 20.0, 50.0, 300

# Runs inside the app (a subprocess with the bench database's environment).
PREPARE = r"""
import datetime as dt, json, sys, time
from app import create_app
from blueprints.votes import ballots, tally
from core import clock
from demo.register import make_board
from models import Association, Membership, User
from models.db import db
from models.register import Unit
from models.votes import Vote, VoteOption

units, cast, board_number = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
app = create_app()

def poll(bench, board, title):
    vote = Vote.create(association=bench, title=title, author=board, counting=Vote.BY_SHARE,
                       ends_at=clock.utcnow_naive() + dt.timedelta(days=14))
    for position, label in enumerate(("Light grey", "Warm white", "Pale green")):
        VoteOption.create(vote=vote, position=position, label=label)
    return ballots.start(vote)

def members(bench, numbers):
    emails = {f"resident{n}@bench.example": n for n in numbers}
    rows = (Membership.select(Membership, User).join(User)
            .where((Membership.association == bench) & User.email.in_(list(emails))))
    return {emails[m.user.email]: m for m in rows}

with db.connection_context(), app.test_request_context():
    started = time.perf_counter()
    bench = Association.get(Association.slug == "bench")
    make_board(bench, f"resident{board_number}@bench.example")
    board = User.get(User.email == f"resident{board_number}@bench.example")
    big, small = poll(bench, board, "Paint the stairwell?"), poll(bench, board, "Paint the doors?")
    unit_of = {int(u.number): u.id for u in Unit.of(bench).select(Unit.id, Unit.number)}
    voters = members(bench, range(1, cast + 1))
    options = [o for o, _l, _m in tally.options_of(big.id)]
    small_options = [o for o, _l, _m in tally.options_of(small.id)]
    for n in range(1, cast + 1):
        ballots.cast(big, voters[n], unit_of[n], options[n % 3 if n % 5 else 0])
        if n <= 10:
            ballots.cast(small, voters[n], unit_of[n], small_options[n % 3])
    db.execute_sql("ANALYZE")
    print(json.dumps(dict(filled=time.perf_counter() - started, big=big.id, small=small.id)))
"""

MEASURE = r"""
import json, sys, time
from app import create_app
from blueprints.votes import ballots, tally
from models import Association, Membership, User
from models.db import db
from models.register import Unit
from models.votes import Ballot, Vote

seconds, big_id, small_id, units = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
app = create_app()
app.config["WTF_CSRF_ENABLED"] = False
endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
results = {"built": {"vote": "votes.vote" in endpoints, "results": "votes.results_part" in endpoints}}

def timed(action, warmup=3):
    samples, deadline, n = [], time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline or n < warmup + 3:
        n += 1
        started = time.perf_counter()
        action(n)
        if n > warmup:  # the first few warm the caches
            samples.append(time.perf_counter() - started)
    return samples

# (c) casting through the service, as the casting view calls it: new ballots first, then changes.
with db.connection_context():
    bench = Association.get(Association.slug == "bench")
    unit_of = {int(u.number): u.id for u in Unit.of(bench).select(Unit.id, Unit.number)}
    voted = {u for (u,) in Ballot.select(Ballot.unit).where(Ballot.vote == big_id).tuples()}
    order = [n for n in range(1, units + 1) if unit_of[n] not in voted] + list(range(1, units + 1))
    rows = (Membership.select(Membership, User).join(User).where(Membership.association == bench))
    member_of = {int(m.user.email[len("resident"):].split("@")[0]): m for m in rows}
    options = [o for o, _l, _m in tally.options_of(big_id)]

    def cast(n):
        number = order[(n - 1) % len(order)]
        with app.test_request_context():
            ballots.cast(Vote.get_by_id(big_id), member_of[number], unit_of[number], options[n % 3])
    results["casting"] = [timed(cast), []]
    big = Vote.get_by_id(big_id)
    results["ballots"] = Ballot.select().where(Ballot.vote == big_id).count()

    # (a) the tally, uncached: one query and the exact sums.
    results["tally"] = [timed(lambda n: tally.read(big)), []]

# (b) and (e): the results partial and the vote page, as a member, through Flask's test client.
client = app.test_client()
client.post("/bench/login", data={"email": "resident1@bench.example", "password": "demo-password"})

def page(path, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    queries = []
    def get(n):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(int(response.headers.get("X-Query-Count", "0")))
    samples = timed(get)
    return [samples, queries[-len(samples):]]

for name, vote_id in (("big", big_id), ("small", small_id)):
    if results["built"]["results"]:
        results[f"results {name}"] = page(f"/bench/votes/{vote_id}/results", True)
    if results["built"]["vote"]:
        results[f"vote page {name}"] = page(f"/bench/votes/{vote_id}", False)
print(json.dumps(results))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    print(
        f"Porch votes benchmark: {args.units} units, {args.ballots} ballots before casting, "
        f"{args.seconds:g} s per measurement, {args.clients} clients; {machine_load()}."
    )
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-votes-") as name:
            tmp = Path(name)
            env = app_environment(tmp)
            create_database(env, args.units)
            prepared = run_in_app(env, PREPARE, args.units, args.ballots, args.units)
            print(f"Started the polls and cast {args.ballots} + 10 ballots in {prepared['filled']:.1f} s")
            measured = run_in_app(env, MEASURE, args.seconds, prepared["big"], prepared["small"], args.units)
            page_run = None
            if measured["built"]["vote"]:
                page_run = serve_and_load(env, tmp, args, prepared["big"])
        report(measured, page_run)
    except KeyboardInterrupt:
        print("\nInterrupted: gunicorn is stopped and the temporary files are removed.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 1
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measured time per part (default 3)")
    parser.add_argument("--units", type=int, default=2000, help="units in the bench association (default 2000)")
    parser.add_argument("--ballots", type=int, default=1500, help="ballots cast before measuring (default 1500)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients on the vote page (default 20)")
    parser.add_argument("--worker", choices=("sync", "gthread"), default="sync", help="gunicorn worker class")
    args = parser.parse_args(argv)
    if not (20 <= args.ballots < args.units and 1 <= args.clients <= args.ballots and args.seconds > 0):
        parser.error("20 ≤ --ballots < --units, 1 ≤ --clients ≤ --ballots and --seconds > 0, please")
    return args


def run_in_app(env: dict[str, str], script: str, *arguments) -> dict:
    done = subprocess.run(
        [BIN / "python", "-c", script, *map(str, arguments)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"running inside the app failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def serve_and_load(env: dict[str, str], tmp: Path, args: argparse.Namespace, vote_id: int) -> PageRun:
    """The vote page under `--clients` residents at once, each logged in as itself, on gunicorn."""
    path = f"/{SLUG}/votes/{vote_id}"
    accounts = [f"resident{n}@{SLUG}.example" for n in range(1, args.clients + 1)]
    with load_process() as pool, gunicorn(env, args.worker, tmp) as address:
        options = dict(accounts=accounts, slug=SLUG, seconds=args.seconds, warmup=WARMUP_SECONDS)
        return pool.apply(drive, (address, path), options)


def _run(measured: dict, name: str) -> PageRun | None:
    if name not in measured:
        return None
    latencies, queries = measured[name]
    return PageRun(path=name, clients=1, latencies=latencies, queries=queries)


def report(measured: dict, page_run: PageRun | None) -> None:
    runs = {name: _run(measured, name) for name in measured if name not in ("built", "ballots")}
    print(f"\n== Votes: in process (one thread, the app alone); the poll holds {measured['ballots']} ballots ==")
    rows = []
    for name, run in runs.items():
        queries = f"{run.queries_typical}/{run.queries_max}" if run.queries else "—"
        rows.append([name, f"{run.latency_ms(50):.2f}", f"{run.latency_ms(95):.2f}", queries, str(run.requests)])
    print_table(["part", "p50 ms", "p95 ms", "queries typ/max", "samples"], rows)
    if page_run is not None:
        print(f"\n== The vote page on gunicorn: {page_run.clients} clients ==")
        print_table(
            ["req/s", "p50 ms", "p95 ms", "queries min/max", "requests", "errors"],
            [[f"{page_run.per_second:.1f}", f"{page_run.latency_ms(50):.1f}", f"{page_run.latency_ms(95):.1f}",
              f"{min(page_run.queries, default=0)}/{page_run.queries_max}", str(page_run.requests),
              str(page_run.errors)]],
        )  # fmt: skip
    print("\n== Summary ==")
    print_table(["goal", "target", "measured", "result"], goals(runs, page_run))


def goals(runs: dict[str, PageRun | None], page_run: PageRun | None) -> list[list[str]]:
    def p95(name: str, target: float, goal: str) -> list[str]:
        run = runs.get(name)
        if run is None:
            return [goal, f"≤ {target:g} ms", "not built", "—"]
        value = run.latency_ms(95)
        return [goal, f"≤ {target:g} ms", f"{value:.2f} ms", "PASS" if value <= target else "FAIL"]

    rows = [
        p95("tally", MAX_TALLY_P95_MS, "(a) tally of 2,000 ballots, uncached, p95"),
        p95("results big", MAX_RESULTS_P95_MS, "(b) results partial p95"),
        p95("casting", MAX_CAST_P95_MS, "(c) casting p95 (ballots.cast)"),
    ]
    if page_run is None:
        rows.append(["(d) the vote page, 20 clients", f"≥ {MIN_PAGE_PER_SECOND} req/s", "not built", "—"])
    else:
        served = page_run.per_second >= MIN_PAGE_PER_SECOND and page_run.errors == 0
        rows.append([f"(d) the vote page, {page_run.clients} clients", f"≥ {MIN_PAGE_PER_SECOND} req/s",
                     f"{page_run.per_second:.1f} req/s, {page_run.errors} errors", "PASS" if served else "FAIL"])  # fmt: skip
    for part in ("vote page", "results"):
        big, small = runs.get(f"{part} big"), runs.get(f"{part} small")
        if big is None or small is None:
            rows.append([f"(e) {part} queries, 10 vs 2,000 ballots", "the same", "not built", "—"])
            continue
        same = {*big.queries, *small.queries} == {big.queries_typical}
        measured = f"{small.queries_typical} vs {big.queries_typical} (max {max(small.queries_max, big.queries_max)})"
        rows.append([f"(e) {part} queries, 10 vs 2,000 ballots", "the same", measured, "PASS" if same else "FAIL"])
    return rows


if __name__ == "__main__":
    sys.exit(main())
