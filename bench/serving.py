"""The apps a benchmark measures, served as `make serve` serves them: gunicorn, on a free loopback port."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2  # as `make serve`
START_TIMEOUT_S = 90.0
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never through a proxy


@contextlib.contextmanager
def in_process(data_dir: Path) -> Iterator[tuple[Any, Callable[[str, str], Any]]]:
    """The product in this process over `data_dir` (a fresh cache, no network, no prewarm): its Flask test
    client, set up by a first request, and `get(path, query)` for a page's JSON requests (the Referer names the
    page, as a browser's does)."""
    from app import create_app
    from components.server.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            Settings(
                data_dir=data_dir,
                cache_dir=Path(tmp) / "cache",
                users_file=Path(tmp) / "users.json",
                secret_file=Path(tmp) / "secret.key",
            )
        )
        client = app.server.test_client()
        client.get("/")  # Dash sets itself up on the first request

        def get(path: str, query: str = "") -> Any:
            headers = {"Referer": f"http://localhost/{query}"} if query else {}
            return client.get(path, headers=headers).get_json()

        yield client, get


@dataclass(frozen=True)
class Served:
    """A running app: its name and base URL."""

    name: str
    url: str
    pid: int = 0  # gunicorn's master (its workers are its children)
    ready_s: float = 0.0  # from start until it answered (the product: every worker, its prewarm done)
    log: Path | None = None  # gunicorn's output

    def first_requests_ms(self) -> dict[int, float]:
        """Each worker's first request (ms), from the access log (with the product's gunicorn configuration,
        which logs each request's duration and worker)."""
        out: dict[int, float] = {}
        text = self.log.read_text(errors="replace") if self.log else ""
        for m in re.finditer(r'" \d{3} \S+ (\d+)ms pid=<(\d+)>', text):
            out.setdefault(int(m.group(2)), float(m.group(1)))
        return out

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each worker process (MiB), read from /proc."""
        return [_rss_mib(child) for child in _children(self.pid)]


def post_change(client: Any, payload: dict[str, Any], who: str = "a change") -> tuple[float, Any]:
    """POST one callback request through a test client: (milliseconds, response); SystemExit when it fails."""
    t0 = time.perf_counter()
    resp = client.post("/_dash-update-component", json=payload)
    ms = (time.perf_counter() - t0) * 1000
    if resp.status_code != 200:
        raise SystemExit(f"{who} failed: {resp.status_code} {resp.get_data()[:300]!r}")
    return ms, resp


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return sorted(out)


def _rss_mib(pid: int) -> float:
    """VmRSS of a process in MiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str, product: bool, seen: set[int] | None = None) -> bool:
    """Whether the app answers; the product: its prewarm done, and (with `seen`, the workers that answered so
    far) every worker answered once — a worker's first request sets Dash up, which computes both apps' layouts."""
    try:
        if product:  # the product says when its prewarm is done
            with _DIRECT.open(f"{url}/healthz", timeout=2) as r:
                health = json.loads(r.read())
            if seen is None:
                return not health.get("warming", False)
            seen.add(int(health.get("pid", 0)))
            return len(seen) >= WORKERS and not health.get("warming", False)
        with _DIRECT.open(f"{url}/", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def serve(
    name: str,
    target: str,
    env: dict[str, str] | None = None,
    timeout_s: float = START_TIMEOUT_S,
    args: Sequence[str] = (),
    every_worker: bool = False,
) -> Iterator[Served]:
    """gunicorn `target` (e.g. 'app:server') with WORKERS workers and a fresh cache; stopped on exit. `timeout_s`:
    how long it may take to answer (the product: to load its dataset and prewarm); `args`: more of gunicorn's
    options; `every_worker`: the product is ready once each of its workers has answered."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix=f"sti-bench-{name}-") as tmp:
        log = Path(tmp) / "gunicorn.log"
        full_env = {
            **os.environ,
            "STI_CACHE_DIR": str(Path(tmp) / "cache"),
            "STI_USERS_FILE": str(Path(tmp) / "users.json"),  # the benchmark's apps: no login unless env sets one
            "STI_SECRET_FILE": str(Path(tmp) / "secret.key"),
            "STI_DATA_DIR": str(ROOT / "data" / "sample"),  # the sample, whatever the library holds
            **(env or {}),
        }
        cmd = [sys.executable, "-m", "gunicorn", *args, "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", target]
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
        try:
            began = time.monotonic()
            deadline = began + timeout_s
            seen: set[int] | None = set() if every_worker else None
            while not _ready(url, target.startswith("app:"), seen):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.3)
            yield Served(name, url, proc.pid, time.monotonic() - began, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def get_json(url: str, path: str, query: str = "") -> object:
    """GET a JSON document from a served app; `query` names the page (as a browser's Referer does)."""
    headers = {"Referer": f"{url}/{query}"} if query else {}
    with _DIRECT.open(urllib.request.Request(url + path, headers=headers), timeout=30) as r:
        return json.loads(r.read())
