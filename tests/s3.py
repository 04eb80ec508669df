"""A real S3 API server on loopback for the tests: moto in server mode, in a process of its own.

Started once per test session (per pytest-xdist worker) by the `s3_server` fixture in tests/conftest.py,
the way redis-server is; each test that asks for `s3_storage` gets a bucket of its own on it, and its app
is pointed at it (STORAGE_URL=s3://<bucket>/porch, STORAGE_ENDPOINT_URL=<the server>). Anything else that
needs S3 (a second app server in another process, a restore) can be given the same two settings and the
AWS_* variables this module puts in the environment. `PORCH_TEST_S3_ENDPOINT` points the tests at an S3
server that is already running instead (its keys taken from the environment as they are).
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time

from tests.helpers import free_port

# moto accepts any keys; these only keep boto3 from looking for real ones (~/.aws, instance metadata).
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "porch-test",
    "AWS_SECRET_ACCESS_KEY": "porch-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class S3Server:
    """A moto S3 server process on a free loopback port (or an external endpoint)."""

    def __init__(self, endpoint: str | None = None):
        self.endpoint = endpoint
        self.process: subprocess.Popen | None = None
        self._names = itertools.count(1)
        self._saved_environment: dict[str, str | None] = {}

    def start(self) -> S3Server:
        for name, value in CREDENTIALS.items():
            self._saved_environment[name] = os.environ.get(name)
            os.environ.setdefault(name, value)
        if self.endpoint:
            return self
        port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **CREDENTIALS},
        )
        self.endpoint = f"http://127.0.0.1:{port}"
        _wait_for_port(port, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=CREDENTIALS["AWS_DEFAULT_REGION"])

    def new_bucket(self) -> str:
        """A bucket no other test in this session uses (S3 bucket names: 3-63 small letters, digits, dashes)."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"porch-{worker}-{os.getpid()}-{next(self._names)}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "porch") -> dict[str, str]:
        """The app settings that put its files in `bucket` under `prefix`."""
        return {"STORAGE_URL": f"s3://{bucket}/{prefix}", "STORAGE_ENDPOINT_URL": self.endpoint}

    def keys(self, bucket: str) -> list[str]:
        """Every object key in `bucket`, sorted."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the moto S3 server did not start: is moto[server] installed (requirements.txt)?")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the moto S3 server did not answer on port {port}")
