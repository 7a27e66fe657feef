"""A real gunicorn serving the app for the integration tests: two workers, a fresh cache and data library."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.server.settings import ROOT


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
    """(status, body, headers) of a GET, or of a JSON POST when `body` is given; HTTP errors are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def health(base: str) -> dict | None:
    """/healthz as JSON, or None while the server does not answer ok."""
    try:
        status, data, _ = request(base + "/healthz")
    except OSError:
        return None
    return json.loads(data) if status == 200 else None


@contextlib.contextmanager
def gunicorn(tmp_path: Path, **extra: str) -> Iterator[tuple[str, dict[str, str]]]:
    """`gunicorn -w 2 app:server` on a free port over a data library in `tmp_path`: (base URL, its env)."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("STI_DATA_DIR", "DASH_DEBUG")},
        "STI_CACHE_DIR": str(tmp_path / "cache"),
        "STI_REPORT_DIR": str(tmp_path / "reports"),
        "STI_LIBRARY_DIR": str(tmp_path / "library"),  # the data library, seeded with the sample on first start
        "STI_USERS_FILE": str(tmp_path / "users.json"),  # nobody set up unless a test adds users
        "STI_SECRET_FILE": str(tmp_path / "secret.key"),
        "STI_PREWARM": "0",
        "NO_PROXY": "*",
        **extra,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "app:server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while health(base) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"gunicorn did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")
        time.sleep(0.2)
    try:
        yield base, env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@dataclass(frozen=True)
class Served:
    """gunicorn as `make serve` runs it: its base URL, its log file (access and error lines) and its master's pid."""

    base: str
    log_path: Path
    pid: int


@contextlib.contextmanager
def serve(tmp_path: Path, **extra: str) -> Iterator[Served]:
    """`gunicorn -c python:components.server.gunicorn_conf app:server` (make serve's configuration: 2 workers) on a
    free port over a fresh cache, data library, users file and secret in `tmp_path`; `extra` is added to its
    environment."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "STI_DATA_DIR"},
        "STI_HOST": "127.0.0.1",
        "STI_PORT": str(port),
        "STI_WORKERS": "2",
        "STI_CACHE_DIR": str(tmp_path / "cache"),
        "STI_LIBRARY_DIR": str(tmp_path / "library"),
        "STI_USERS_FILE": str(tmp_path / "users.json"),
        "STI_SECRET_FILE": str(tmp_path / "secret.key"),
        "STI_PREWARM": "0",
        "NO_PROXY": "*",
        **extra,
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:components.server.gunicorn_conf", "app:server"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while health(base) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield Served(base, log_path, proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def login(base: str, name: str, password: str) -> str:
    """Log `name` in through the login form (its form token, the password): the session's Cookie header value."""
    parts = urllib.parse.urlsplit(base)

    def send(body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, str]:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request("POST" if body else "GET", "/login", body, headers or {})
            resp = conn.getresponse()
            return resp, resp.read().decode()
        finally:
            conn.close()

    page, form = send()
    cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None, form[:300]
    fields = urllib.parse.urlencode({"username": name, "password": password, "csrf_token": token[1], "next": "/"})
    done, _ = send(fields.encode(), {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert done.status == 303, f"{name} was not logged in: {done.status}"
    return done.getheader("Set-Cookie", "").split(";", 1)[0]
