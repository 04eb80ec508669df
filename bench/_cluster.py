"""What bench/spread.py, soak.py and two_servers.py share: gunicorn with an access log that names the worker
process of every request, Caddy in front (as deploy/Caddyfile), keep-alive clients that log in first and are
then timed over a mix of pages, and the workers' memory read from /proc.

The database and its fill come from bench/pages.py (flask demo + bench/_fill.py).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _client import STALE_CONNECTION, Browser, PageRun
from pages import (
    BIN,
    HOST,
    ROOT,
    SLUG,
    Clients,
    app_environment,
    create_database,
    fill,
    free_port,
    resident,
    stop,
    wait_until_serving,
)

# The main pages (issue 16 item 8's soak): home, units, a unit, members, invoices, faults, documents, a vote.
MAIN_PAGES = (
    f"/{SLUG}/",
    f"/{SLUG}/units",
    f"/{SLUG}/units/{{unit}}",
    f"/{SLUG}/members",
    f"/{SLUG}/invoices",
    f"/{SLUG}/faults",
    f"/{SLUG}/documents",
    f"/{SLUG}/votes/{{vote}}",
)
# gunicorn's access log: the worker's pid and the status, one request a line.
ACCESS_FORMAT = "%(p)s %(s)s"


@dataclass
class Gunicorn:
    process: subprocess.Popen
    address: tuple[str, int]
    access_log: Path

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def requests_per_worker(self, since: int = 0) -> Counter:
        """Requests each worker process answered, from byte `since` of the access log on."""
        with self.access_log.open("rb") as log:
            log.seek(since)
            return Counter(line.split(b" ", 1)[0].decode() for line in log if line.strip())

    def log_size(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    tmp: Path,
    *,
    workers: int,
    worker_class: str,
    threads: int = 1,
    name: str = "app",
    extra: tuple[str, ...] = (),
):
    """gunicorn on a free loopback port with an access log naming each request's worker."""
    port = free_port()
    log, access = tmp / f"gunicorn-{name}.log", tmp / f"access-{name}.log"
    command = [BIN / "gunicorn", "-w", str(workers), "-k", worker_class]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    command += ["-b", f"{HOST}:{port}", "--worker-tmp-dir", str(tmp), "--no-control-socket"]
    command += ["--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT, *extra, "app:create_app()"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        wait_until_serving(process, port, log)
        yield Gunicorn(process, (HOST, port), access)
    finally:
        stop(process)


@contextlib.contextmanager
def caddy(upstreams: list[tuple[str, int]], tmp: Path) -> Iterator[tuple[str, int]]:
    """Caddy as deploy/Caddyfile sets it up (least_conn over the upstreams), on plain HTTP on loopback."""
    binary = shutil.which("caddy")
    if binary is None:
        raise RuntimeError("caddy is not installed (apt-get install caddy): it is the proxy deploy/ puts in front")
    port = free_port()
    config = tmp / f"Caddyfile-{port}"
    config.write_text(
        "{\n\tadmin off\n\tauto_https off\n}\n"
        f"http://{HOST}:{port} {{\n"
        f"\treverse_proxy {' '.join(f'{host}:{p}' for host, p in upstreams)} {{\n"
        "\t\tlb_policy least_conn\n\t}\n}\n"
    )
    log = tmp / f"caddy-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "run", "--config", str(config), "--adapter", "caddyfile"],
            cwd=tmp,
            env={"HOME": str(tmp), "XDG_DATA_HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp), "PATH": "/usr/bin:/bin"},
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        wait_until_serving(process, port, log)
        yield HOST, port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the workers' memory ---------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (0 if it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# --- clients (run in the load process) ------------------------------------------------------------


def log_in_all(address: tuple[str, int], emails: list[str]) -> list[dict[str, str]]:
    """Each account's cookies after logging in through the portal's form."""
    jars = []
    for email in emails:
        browser = Browser(*address)
        browser.log_in(SLUG, email)
        jars.append(dict(browser.cookies))
        browser.close()
    return jars


@dataclass
class Mix:
    """A timed run over a mix of pages: totals, and requests per second for each slice of time."""

    run: PageRun
    per_slice: list[int] = field(default_factory=list)


def hammer(
    address: tuple[str, int], jars: list[dict[str, str]], paths: list[list[str]], seconds: float, slice_seconds=10.0
) -> Mix:
    """One thread per cookie jar, each on its own keep-alive connection, asking its paths in turn (from a
    random start) for `seconds`. Every answer but a 200, and every failed connection, is an error."""
    mix = Mix(PageRun(path="mix", clients=len(jars)))
    slices: Counter = Counter()
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client(jar: dict[str, str], own: list[str]) -> None:
        browser = Browser(*address)
        browser.cookies = dict(jar)
        sample = PageRun(path="mix", clients=1)
        counted: Counter = Counter()
        index = random.randrange(len(own))
        while (now := time.perf_counter()) < deadline:
            path = own[index % len(own)]
            index += 1
            try:
                response = browser.get(path)
            except (OSError, http.client.HTTPException, *STALE_CONNECTION) as error:
                sample.failures[type(error).__name__] += 1
                browser.close()
                continue
            sample.latencies.append(time.perf_counter() - now)
            sample.statuses[response.status] += 1
            counted[int((now - start) // slice_seconds)] += 1
        browser.close()
        with lock:
            mix.run.latencies += sample.latencies
            mix.run.statuses.update(sample.statuses)
            mix.run.failures.update(sample.failures)
            slices.update(counted)

    threads = [threading.Thread(target=client, args=pair, daemon=True) for pair in zip(jars, paths, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    mix.run.elapsed = time.perf_counter() - start
    mix.per_slice = [slices[i] for i in range(int(seconds // slice_seconds))]
    return mix


def prepared(
    workdir: Path | None, tmp: Path, units: int, clients: int, database_url: str | None = None
) -> tuple[dict[str, str], Clients]:
    """The bench database (flask demo + bench/_fill.py, as bench/pages.py makes it) and its clients' own rows:
    SQLite in the work folder, or the PostgreSQL database `database_url` (dropped and made again).

    With `workdir`, a database made there before for the same --units and --clients is used again (making
    it takes minutes on a busy machine); else it is made in `tmp` and thrown away."""
    home = workdir or tmp
    home.mkdir(parents=True, exist_ok=True)
    env = app_environment(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    kind = "postgresql" if database_url else "sqlite"
    made = home / f"clients-{kind}-{units}-{clients}.json"
    if workdir is not None and made.exists():
        own = {int(number): rows for number, rows in json.loads(made.read_text()).items()}
        print(f"Database: {env['DATABASE_URL']} again ({units} units, {clients} clients)")
        return env, Clients(clients, own)
    if database_url:
        _new_postgres(database_url)
    else:
        (home / "porch.sqlite3").unlink(missing_ok=True)
    create_database(env, units)
    found = fill(env, clients)
    made.write_text(json.dumps(found.own))
    return env, found


def _new_postgres(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def residents(count: int) -> list[str]:
    return [resident(number) for number in range(1, count + 1)]


def own_paths(own: dict[int, dict[str, int]], count: int, pages=MAIN_PAGES) -> list[list[str]]:
    """Each resident client's pages, with its own unit and the running vote filled in."""
    return [[page.format(**own[number]) for page in pages] for number in range(1, count + 1)]
