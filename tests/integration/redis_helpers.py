"""A real redis-server (Debian's) on a free loopback port in a tmp directory, and a real Celery worker, for tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.server.settings import ROOT

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """redis-server with no persistence; `stop()` kills it, `start()` brings it back on the same port."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        if not os.path.exists(REDIS_SERVER):
            pytest.skip("redis-server is not installed (apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not _pings(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    """A running RedisServer for the duration of the block."""
    server = RedisServer(directory).start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """`celery -A app:celery_app worker --concurrency 1` (what `make worker` runs), ready when it says so."""
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "app:celery_app", "worker", "--concurrency", "1", "--pool", "solo",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"celery worker did not start: {log_path.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()


def dash_config(index_html: str) -> dict:
    """The `_dash-config` JSON a page carries (its `end_id` binds background job handles to the page)."""
    import json
    import re

    found = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', index_html, re.S)
    assert found, "the page carries its _dash-config"
    return json.loads(found[1])


def background_call(post, end_id: str, body: dict, timeout: float = 90) -> tuple[dict, float]:
    """Start a background callback and poll it the way dash-renderer does, until its outputs arrive.

    `post(path, body) -> (status, decoded JSON or None)`; the first POST may go to one server and the polls to
    another. (the final callback response, seconds it took).
    """
    began = time.monotonic()
    status, first = post(f"/_dash-update-component?endId={end_id}", body)
    assert status == 200, (status, first)
    assert "cacheKey" in first, first
    assert "job" in first, first
    query = f"?endId={end_id}&cacheKey={first['cacheKey']}&job={first['job']}"
    while True:
        status, data = post("/_dash-update-component" + query, body)
        assert status in (200, 204), (status, data)
        if status == 200 and data and "response" in data:
            return data, time.monotonic() - began
        if time.monotonic() - began > timeout:
            pytest.fail(f"background callback gave no result in {timeout} s (last: {status} {data})")
        time.sleep(0.2)
