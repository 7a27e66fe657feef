"""The app under a real gunicorn, started as `make serve` starts it (components/server/gunicorn_conf.py), with two
workers sharing one real diskcache directory — and every debug switch set in its environment.

The proof that the cache is shared: one new callback request, sent again and again, is computed once (a
miss in one worker) and served as a hit by the *other* worker, as its access log lines (pid + X-STI-Cache)
and both workers' /healthz counts show. Two separate caches would each compute it once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gunicorn_helpers import free_port, health, request
from gunicorn_helpers import serve as served

from bench import SECTIONS_OUTPUT, Page
from components.server.settings import ROOT

DEBUG_ENV = {"DASH_DEBUG": "true", "DASH_UI": "true", "DASH_HOT_RELOAD": "true", "FLASK_DEBUG": "1"}
ACCESS = re.compile(r'"POST /_dash-update-component\?probe=(\d+) HTTP/1\.[01]" (\d{3}) .* pid=<(\d+)> cache=(\S+)')


@contextlib.contextmanager
def serve(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`make serve`'s gunicorn on a free port, every debug switch set in its environment: (base URL, its log file)."""
    with served(tmp_path, **DEBUG_ENV) as server:
        yield server.base, server.log_path


def counts_by_pid(base: str, rounds: int = 30) -> dict[int, dict[str, int]]:
    """Each of the two workers' /healthz cache counts. Four requests at once each round: a sync worker answers
    one at a time, so the other worker takes some (one at a time, one idle worker may accept them all)."""
    seen: dict[int, dict[str, int]] = {}
    with ThreadPoolExecutor(4) as pool:
        for _ in range(rounds):
            for body in pool.map(lambda _: health(base), range(4)):
                assert body is not None
                seen.setdefault(body["pid"], body["cache"])
            if len(seen) == 2:
                return seen
    pytest.fail(f"only worker(s) {sorted(seen)} answered {rounds * 4} requests")


def access_lines(log_path: Path, n: int) -> dict[int, tuple[int, int, str]]:
    """probe number -> (status, pid, X-STI-Cache) from the access log, once it has `n` probe lines."""
    for _ in range(50):
        found = {int(m[1]): (int(m[2]), int(m[3]), m[4]) for m in ACCESS.finditer(log_path.read_text(errors="replace"))}
        if len(found) >= n:
            return found
        time.sleep(0.1)
    pytest.fail(f"{len(found)} of {n} probe lines in the access log: {log_path.read_text(errors='replace')[-1500:]}")


def test_two_workers_share_the_cache_and_reject_crafted_requests(tmp_path: Path) -> None:
    with serve(tmp_path) as (base, log_path):
        cache_dir = tmp_path / "cache"
        page = Page.load(lambda path: json.loads(request(base + path)[1]))
        values = {
            ("filter-year", "value"): 2011,
            ("filter-districts", "value"): ["330212", "330281"],  # asked by nobody before: a new entry
            ("page-config", "data"): {"lang": "zh", "theme": "light"},
        }
        body = page.body(page.callback(SECTIONS_OUTPUT), values)
        before = counts_by_pid(base)

        def probe(n: int) -> tuple[int, bytes, dict]:
            return request(f"{base}/_dash-update-component?probe={n}", body)

        answers, caches, probes = set(), [], 0
        with ThreadPoolExecutor(3) as pool:
            # Probe 0 alone computes the entry; then the same request three at a time (so both sync workers
            # answer) until a worker other than the one that computed it has answered.
            while probes < 40:
                batch = [probes] if probes == 0 else list(range(probes, probes + 3))
                for status, data, headers in pool.map(probe, batch):
                    assert status == 200
                    answers.add(data)
                    caches.append(headers.get("X-STI-Cache"))
                probes += len(batch)
                lines = access_lines(log_path, probes)
                if len({pid for _, pid, _ in lines.values()}) == 2:
                    break
        after = counts_by_pid(base)

        assert caches[0] == "miss"
        assert set(caches[1:]) == {"hit"}, caches
        assert len(answers) == 1, "every worker returns the same result"
        assert [lines[i][0] for i in range(probes)] == [200] * probes
        assert [lines[i][2] for i in range(probes)] == caches  # the log line of each answer names its cache
        computed_by = lines[0][1]
        others = {pid for _, pid, _ in lines.values()} - {computed_by}
        assert len(others) == 1, f"one worker answered all {probes} requests: {lines}"
        other = others.pop()
        assert sorted(before) == sorted(after) == sorted([computed_by, other])
        # (One callback answer is several cached parts: the counts move by that many per answer.)
        assert after[other]["misses"] == before[other]["misses"], "the other worker computed nothing"
        assert after[other]["hits"] > before[other]["hits"], "it served the first worker's entries"
        assert after[computed_by]["misses"] > before[computed_by]["misses"]
        assert oct(cache_dir.stat().st_mode & 0o777) == "0o700"

        bad = page.body(
            page.callback(SECTIONS_OUTPUT),
            {**values, ("filter-year", "value"): {"$ne": 1}, ("filter-districts", "value"): "x" * 1000},
        )
        assert request(base + "/_dash-update-component", bad)[0] == 200
        status, data, _ = request(base + "/_dash-update-component", {"output": "nope"})
        assert status == 400
        assert b"Traceback" not in data

        # Debug switches in gunicorn's environment change nothing; the headers are on.
        status, html, headers = request(base + "/?year=2012")
        assert status == 200
        assert '"ui":false' in html.decode()
        assert "hot_reload" not in html.decode()
        assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert request(base + "/console")[0] == 404

        # gunicorn's own answer to a request it cannot parse (a request line over its limit) carries the
        # security headers too, and does not echo the request.
        status, head, page_text = raw_request(base, "GET /" + "a" * 5000 + " HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 414, head  # URI Too Long
        assert head["content-security-policy"].startswith("default-src 'none'")
        assert head["x-content-type-options"] == "nosniff"
        assert head["x-frame-options"] == "DENY"
        assert "aaaa" not in page_text


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_serving_off_loopback_without_users_does_not_start(tmp_path: Path, host: str) -> None:
    """`make serve` on every address with nobody set up to log in exits non-zero and says how to add a user."""
    env = {
        **os.environ,
        "STI_HOST": host,
        "STI_PORT": str(free_port()),
        "STI_USERS_FILE": str(tmp_path / "users.json"),
        "STI_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:components.server.gunicorn_conf", "app:server"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"refusing to serve on {host} without users" in done.stderr
    assert "python app.py user add NAME --role admin" in done.stderr


def raw_request(base: str, text: str) -> tuple[int, dict[str, str], str]:
    """Send `text` as it is over a socket (no client library would send it): status, headers (lower-case), body."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(text.encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.decode("latin-1").partition("\r\n\r\n")
    lines = head.split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in fields.items()}, body


def test_two_workers_recording_at_once_keep_one_audit_chain(tmp_path: Path) -> None:
    """Exports by several people at once, answered by both workers: every one is in the audit trail, and the
    trail is one intact chain (each worker appends under the trail's lock, reading the head under it)."""
    from appsettings import PASSWORD
    from gunicorn_helpers import login

    from components.server.audit import Trail
    from components.server.users import UserStore

    store = UserStore(tmp_path / "users.json")
    for i in range(4):
        store.add(f"admin{i}", "admin", PASSWORD)
    with served(tmp_path) as server:
        cookies = [login(server.base, f"admin{i}", PASSWORD) for i in range(4)]
        pids: set[int] = set()
        sent = 0

        def one(n: int) -> int:
            cookie = {"Cookie": cookies[n % 4]}
            status, _, _ = request(f"{server.base}/export/data.csv?year={2008 + n % 5}", headers=cookie)
            _, body, _ = request(f"{server.base}/healthz", headers=cookie)
            pids.add(int(json.loads(body)["pid"]))
            return status

        deadline = time.monotonic() + 120
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(pids) < 2 or sent < 48:  # at least 48 exports, and until both workers have answered
                assert time.monotonic() < deadline, f"one worker only answered: {pids}"
                assert list(pool.map(one, range(sent, sent + 16))) == [200] * 16
                sent += 16
    trail = Trail(tmp_path / "audit")
    assert trail.verify() is None
    exports = [r for r in trail.records(action="export") if r["object"].startswith("/export/data.csv")]
    assert len(exports) == sent
    assert {r["user"] for r in exports} == {f"admin{i}" for i in range(4)}
    assert len(pids) == 2
