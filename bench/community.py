"""How fast a long discussion reads and takes a post, with 200,000 posts in the association (issue 11).

Run from the project root:

    .venv/bin/python bench/community.py [--seconds 3] [--posts 200000] [--thread 5000]
    .venv/bin/python bench/community.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

What it does:

1. Builds a throw-away database (`flask db upgrade`, `flask demo --units 100`) as bench/documents.py
   does: SQLite in a temporary directory, or a database of its own on the PostgreSQL server named.
2. Writes `--posts` posts straight into the bench association with insert_many: one topic of
   `--thread` posts (the long one measured), the rest spread over topics of 20-200 posts in the
   "All members" category, over five years, by the bench's 100 residents. The board's rate limits are
   switched off for the bench association (a member posting 300 times a second would meet them).
3. Measures in process (the app alone in one thread, through Flask's test client: the server time the
   goals are about), for `--seconds` each: the long thread's first, middle and last page as a
   member, its last page as the htmx poll sees it, the topics list, and posting a reply (each a new
   post through the posting service, with its search entry and its waiting mail).
4. Prints p50/p95 and the queries per request (X-Query-Count), and the goals: a thread page
   p95 <= 30 ms, posting p95 <= 50 ms, the same number of queries on every page of the thread.

The exit code is 0 whether the goals pass or fail; 1 means it could not run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _client import PageRun
from documents import OwnDatabase
from pages import BIN, ROOT, app_environment, create_database, machine_load, print_table

SLUG = "bench"
MEMBER = f"resident1@{SLUG}.example"
MAX_PAGE_P95_MS, MAX_POST_P95_MS = 30.0, 50.0

# Runs inside the app (a subprocess with the bench database's environment).
PREPARE = r"""
import datetime as dt, json, random, sys, time
from app import create_app
from models import Association, Membership
from models.community import Category, CommunitySettings, Post, Thread
from models.db import db, transaction

posts, long_thread = int(sys.argv[1]), int(sys.argv[2])
create_app()
random.seed(11)
WORDS = ("kolo", "cykel", "ratas", "sklep", "källare", "kelder", "výtah", "hiss", "lift", "dvůr", "gård",
         "hoov", "prosím", "tack", "aitäh", "zítra", "i morgon", "homme", "úklid", "städdag", "talgud")

def text():
    return " ".join(random.choices(WORDS, k=random.randint(8, 60))).capitalize() + "."

with db.connection_context():
    started = time.perf_counter()
    bench = Association.get(Association.slug == "bench")
    settings = CommunitySettings.of_association(bench.id)
    settings.post_interval_seconds = settings.posts_per_day = 0
    settings.save()
    everyone = Category.get((Category.association == bench) & (Category.key == Category.EVERYONE))
    authors = [m.user_id for m in Membership.select(Membership.user).where(Membership.association == bench)]
    first = dt.datetime(2021, 1, 1)
    sizes = [long_thread]
    left = posts - long_thread
    while left > 0:
        size = min(left, random.randint(20, 200))
        sizes.append(size)
        left -= size
    minutes = 5 * 365 * 24 * 60
    with transaction():
        for number, size in enumerate(sizes):
            start = first + dt.timedelta(minutes=random.randint(0, minutes))
            last = start + dt.timedelta(minutes=7 * size)
            thread = Thread.create(association=bench, category=everyone, title=f"Topic {number}: {text()[:60]}",
                                   author=authors[number % len(authors)], post_count=size,
                                   created_at=start, last_post_at=last)
            rows = [dict(thread=thread.id, association=bench.id, number=n + 1, author=random.choice(authors),
                         body=text(), created_at=start + dt.timedelta(minutes=7 * n)) for n in range(size)]
            for at in range(0, len(rows), 1000):
                Post.insert_many(rows[at:at + 1000]).execute()
            if number == 0:
                long_id = thread.id
    if isinstance(db.obj, __import__("peewee").PostgresqlDatabase):
        db.execute_sql("ANALYZE post")
        db.execute_sql("ANALYZE thread")
    else:
        db.execute_sql("ANALYZE")
    print(json.dumps(dict(filled=time.perf_counter() - started, thread=long_id, threads=len(sizes))))
"""

MEASURE = r"""
import json, re, sys, time
from app import create_app
app = create_app()
app.config["WTF_CSRF_ENABLED"] = False
seconds, paths, results = float(sys.argv[1]), json.loads(sys.argv[2]), {}
client = app.test_client()
client.post("/bench/login", data={"email": sys.argv[3], "password": "demo-password"})
for name, method, path, htmx in paths:
    headers = {"HX-Request": "true"} if htmx else {}
    samples, queries, deadline, n = [], [], time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline or n < 3:
        n += 1
        started = time.perf_counter()
        if method == "POST":
            response = client.post(path, data={"body": f"Bench post {n}: the lift is working again."}, headers=headers)
        else:
            response = client.get(path, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code in (200, 302, 303), (path, response.status_code, response.get_data(as_text=True)[:500])
        if n > 3:  # the first few warm the caches
            samples.append(elapsed)
            queries.append(int(response.headers.get("X-Query-Count", "0")))
    results[name] = [samples, queries]
print(json.dumps(results))
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Porch discussions benchmark on {backend}: {args.posts} posts, one thread of {args.thread}, "
        f"{args.seconds:g} s per measurement; {machine_load()}."
    )
    try:
        with tempfile.TemporaryDirectory(prefix="porch-bench-community-") as name:
            env = app_environment(Path(name))
            with OwnDatabase(args.database_url) as url:
                if url:
                    env["DATABASE_URL"] = url
                create_database(env, 100)
                prepared = prepare(env, args)
                print(f"Filled {prepared['threads']} threads in {prepared['filled']:.1f} s")
                runs = measure(env, args, prepared["thread"])
        report(runs)
    except KeyboardInterrupt:
        print("\nInterrupted: the temporary files and database are removed.", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"The benchmark could not run: {error}", file=sys.stderr)
        return 1
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measured time per page (default 3)")
    parser.add_argument("--posts", type=int, default=200_000, help="posts in the association (default 200000)")
    parser.add_argument("--thread", type=int, default=5_000, help="posts in the long thread (default 5000)")
    parser.add_argument("--database-url", help="a PostgreSQL server to measure on (a database of its own is made)")
    args = parser.parse_args(argv)
    if args.thread < 100 or args.posts < args.thread or args.seconds <= 0:
        parser.error("--thread ≥ 100, --posts ≥ --thread and --seconds > 0, please")
    return args


def prepare(env: dict[str, str], args: argparse.Namespace) -> dict:
    command = [BIN / "python", "-c", PREPARE, str(args.posts), str(args.thread)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"filling the posts failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(env: dict[str, str], args: argparse.Namespace, thread: int) -> dict[str, PageRun]:
    pages = (args.thread + 29) // 30
    base = f"/{SLUG}/discussions/{thread}"
    wanted = [
        ("thread, first page", "GET", f"{base}?page=1", False),
        ("thread, middle page", "GET", f"{base}?page={pages // 2}", False),
        ("thread, last page", "GET", f"{base}?page={pages}", False),
        ("thread, new posts (htmx poll)", "GET", f"{base}/since/{args.thread - 1}", True),
        ("topics list", "GET", f"/{SLUG}/discussions", False),
        ("posting a reply", "POST", f"{base}/posts", False),
    ]
    done = subprocess.run(
        [BIN / "python", "-c", MEASURE, str(args.seconds), json.dumps(wanted), MEMBER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"measuring in process failed:\n{done.stdout}{done.stderr}")
    samples = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        name: PageRun(path=path, clients=1, latencies=samples[name][0], queries=samples[name][1])
        for name, _, path, _ in wanted
    }


def report(runs: dict[str, PageRun]) -> None:
    headers = ["page", "server p50 ms", "server p95 ms", "queries typ/max", "requests"]
    rows = [
        [
            name,
            f"{run.latency_ms(50):.1f}",
            f"{run.latency_ms(95):.1f}",
            f"{run.queries_typical}/{run.queries_max}",
            str(run.requests),
        ]
        for name, run in runs.items()
    ]
    print("\n== Discussions: in process (one thread, the app alone through Flask's test client) ==")
    print_table(headers, rows)
    thread_pages = [run for name, run in runs.items() if name.startswith("thread, ") and "poll" not in name]
    slowest_page = max(run.latency_ms(95) for run in thread_pages)
    posting = runs["posting a reply"].latency_ms(95)
    queries = {run.queries_typical for run in thread_pages}
    goals = [
        ["thread page p95, the slowest page", f"≤ {MAX_PAGE_P95_MS:g} ms", f"{slowest_page:.1f} ms",
         slowest_page <= MAX_PAGE_P95_MS],
        ["posting p95", f"≤ {MAX_POST_P95_MS:g} ms", f"{posting:.1f} ms", posting <= MAX_POST_P95_MS],
        ["queries, first/middle/last page", "the same", "/".join(str(run.queries_typical) for run in thread_pages),
         len(queries) == 1],
    ]  # fmt: skip
    print("\n== Summary ==")
    print_table(["goal", "target", "measured", "result"], [[*g[:3], "PASS" if g[3] else "FAIL"] for g in goals])


if __name__ == "__main__":
    sys.exit(main())
