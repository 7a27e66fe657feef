"""The app under a real gunicorn with two workers sharing one real diskcache directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench import SECTIONS_OUTPUT, Page
from data.settings import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture
def gunicorn(tmp_path: Path):
    port = _free_port()
    env = {
        **os.environ,
        "STI_CACHE_DIR": str(tmp_path / "cache"),
        "STI_LIBRARY_DIR": str(tmp_path / "library"),  # the data library, seeded with the sample on first start
        "NO_PROXY": "*",
    }
    env.pop("DASH_DEBUG", None)
    env.pop("STI_DATA_DIR", None)
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
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"gunicorn did not start: {proc.stdout.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.3)
    yield base, tmp_path / "cache"
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def test_two_workers_share_the_cache_and_reject_crafted_requests(gunicorn) -> None:
    base, cache_dir = gunicorn
    health = json.loads(urllib.request.urlopen(base + "/healthz", timeout=10).read())
    assert health["status"] == "ok"
    page = Page.load(lambda path: json.loads(urllib.request.urlopen(base + path, timeout=10).read()))
    values = {
        ("filter-year", "value"): 2012,
        ("filter-districts", "value"): ["330212"],
        ("page-config", "data"): {"lang": "zh", "theme": "light"},
    }
    body = page.body(page.callback(SECTIONS_OUTPUT), values)
    answers = set()
    for _ in range(6):  # several requests: both workers answer some of them
        status, data = _post(base + "/_dash-update-component", body)
        assert status == 200
        answers.add(data)
    assert len(answers) == 1, "every worker returns the same result"
    assert any(cache_dir.iterdir()), "results land in the shared cache directory"
    assert oct(cache_dir.stat().st_mode & 0o777) == "0o700"
    bad = page.body(
        page.callback(SECTIONS_OUTPUT),
        {**values, ("filter-year", "value"): {"$ne": 1}, ("filter-districts", "value"): "x" * 1000},
    )
    assert _post(base + "/_dash-update-component", bad)[0] == 200
    status, data = _post(base + "/_dash-update-component", {"output": "nope"})
    assert status == 400
    assert b"Traceback" not in data
