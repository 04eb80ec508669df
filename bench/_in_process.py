"""Server time without the network or other clients: the app in one thread, through Flask's test client.

register.py and faults.py report this next to their HTTP figures; it stays
meaningful when other work keeps the machine busy.
"""

from __future__ import annotations

import json
import subprocess

from _client import PageRun
from pages import BIN, ROOT

HTMX = "htmx:"  # a path with this prefix is requested as htmx does (HX-Request: true)

# Runs inside the app (a subprocess with the bench database's environment).
SCRIPT = """
import json, sys, time
from app import create_app
app = create_app()
app.config["WTF_CSRF_ENABLED"] = False
client = app.test_client()
client.post("/bench/login", data={"email": sys.argv[1], "password": "demo-password"})
seconds, results = float(sys.argv[2]), {}
for path in sys.argv[3:]:
    url, headers = (path[len("htmx:"):], {"HX-Request": "true"}) if path.startswith("htmx:") else (path, {})
    for _ in range(10):
        client.get(url, headers=headers)
    samples, queries, deadline = [], [], time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
        queries.append(int(response.headers.get("X-Query-Count", "0")))
    results[path] = [samples, queries]
print(json.dumps(results))
"""


def measure(env: dict[str, str], account: str, seconds: float, paths: list[str]) -> dict[str, PageRun]:
    """path -> the samples of that page, requested for `seconds` each as `account`."""
    done = subprocess.run(
        [BIN / "python", "-c", SCRIPT, account, str(seconds), *paths],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"measuring in process failed:\n{done.stdout}{done.stderr}")
    samples = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        path: PageRun(path=path, clients=1, latencies=latencies, queries=queries)
        for path, (latencies, queries) in samples.items()
    }
