"""`make loadtest`: many people logged in at once changing filters, then a soak that watches worker memory.

Part 1, users: N simulated people (USERS, default 50), each with an account of their own (made for the run in
a temporary users file) and a session of their own. Each logs in through /login (form token, password), loads
the page as a browser does (/, /_dash-layout, /_dash-dependencies), then changes a filter every 1-3 s (random,
seeded), year and districts in turn, for SECONDS (default 60). Each change is the browser's own callback request
(bench.Page builds it from the served layout and dependencies) with the session cookie and the page's CSRF
header, carrying back what the page shows (the `sti-drawn` records the previous answer sent), as the page
does. Every non-200 answer and every exception is an error.

Part 2, soak: SOAK callbacks (default 10,000) posted back to back by a few logged-in clients; each gunicorn
worker's VmRSS (/proc/<pid>/status of the master's children) is read after a warm-up and at the end. The run
fails (exit 1) on any error or failed login, and (exit 3) when a worker's memory moved by more than ±10%.

The server is gunicorn as `make serve` runs it (STI_WORKERS workers, default 2) on loopback, serving the sample
dataset, with a temporary users file, secret and cache. Clients are threads in a few spawned processes (the
client's JSON work never shares a GIL with many others). Usage: python -m bench.loadtest [--users N] ...
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import SECTIONS_OUTPUT, Page, id_text
from bench.load import pct

ROOT = Path(__file__).resolve().parents[1]
CALLBACK = "/_dash-update-component"
PASSWORD = "load-test-password-1"  # accounts made for the run, in a temporary users file
MAX_RSS_CHANGE = 0.10
START_TIMEOUT_S = 120.0
CSRF_META = re.compile(r'<meta name="sti-csrf" content="([^"]+)">')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
EXIT_ERRORS, EXIT_MEMORY = 1, 3


# --- the server ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A running gunicorn: its base URL, the master's pid, its users file."""

    url: str
    master: int
    users_file: Path
    workers: int
    ready_s: float  # from start to ready (prewarm done)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_accounts(users_file: Path, n: int, role: str = "viewer") -> list[str]:
    """n accounts (`load-001`, …) with PASSWORD in `users_file`; their names."""
    from components.server.users import UserStore

    store = UserStore(users_file)
    names = [f"load-{i:03d}" for i in range(1, n + 1)]
    for name in names:
        store.add(name, role, PASSWORD)
    return names


def _healthy(url: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(url).port, timeout=2)
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status == 200 and not json.loads(body).get("warming", False)
    except (OSError, ValueError, http.client.HTTPException):
        return False


@contextlib.contextmanager
def serve(tmp: Path, workers: int, accounts: int, prewarm: bool = True) -> Iterator[tuple[Server, list[str]]]:
    """gunicorn `app:server` as `make serve` (workers, loopback) over the sample, with `accounts` viewer logins;
    ready once its prewarm is done (`prewarm`: as served, else off for a quick run)."""
    users_file = tmp / "users.json"
    names = make_accounts(users_file, accounts)
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DASH_DEBUG"},
        "STI_DATA_DIR": str(ROOT / "data" / "sample"),
        "STI_CACHE_DIR": str(tmp / "cache"),
        "STI_USERS_FILE": str(users_file),
        "STI_SECRET_FILE": str(tmp / "secret.key"),
        "STI_WORKERS": str(workers),
        "STI_HOST": "127.0.0.1",
        "STI_PORT": str(port),
        "STI_PREWARM": "1" if prewarm else "0",
        "NO_PROXY": "*",
    }
    log = (tmp / "gunicorn.log").open("wb")
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:components.server.gunicorn_conf", "app:server"]  # make serve
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                text = (tmp / "gunicorn.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"gunicorn did not start: {text}")
            time.sleep(0.3)
        yield Server(url, proc.pid, users_file, workers, time.monotonic() - started), names
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the processes whose parent is `master` (from /proc/<pid>/stat)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(entry))
    return sorted(pids)


def rss_kib(pid: int) -> int:
    """A process's resident memory (VmRSS, KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


# --- one simulated person ------------------------------------------------------------------------------


class Browser:
    """One person's HTTP side: a connection, the session cookie, gzip (as a browser asks for it)."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        """(status, decoded body, response); cookies kept. No retries: a failed request raises (an error)."""
        head = {"Accept-Encoding": "gzip", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=head)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # the next request opens a new connection; this one counts as an error
            raise
        for cookie in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "expires=Thu, 01 Jan 1970" not in cookie:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        if resp.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return resp.status, data, resp

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def layout_values(node: Any, out: dict[tuple[str, str], Any] | None = None) -> dict[tuple[str, str], Any]:
    """Every (ID text, property) -> value of a /_dash-layout tree: what the browser's store starts with."""
    out = {} if out is None else out
    if isinstance(node, dict):
        if "props" in node and "type" in node:
            props = node["props"]
            if "id" in props:
                for prop, value in props.items():
                    out[(id_text(props["id"]), prop)] = value
            for value in props.values():
                layout_values(value, out)
        else:
            for value in node.values():
                layout_values(value, out)
    elif isinstance(node, list):
        for value in node:
            layout_values(value, out)
    return out


@dataclass
class Outcome:
    """What one simulated person saw."""

    name: str
    logged_in: bool = False
    changes: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        """Count an error, keeping the first few descriptions."""
        self.errors += 1
        if len(self.problems) < 5:
            self.problems.append(what[:300])


class Person:
    """A logged-in person on the dashboard: their session, the page they loaded and what it shows."""

    def __init__(self, url: str, name: str, seed: int, section: str = "") -> None:
        self.browser = Browser(url)
        self.outcome = Outcome(name)
        self.rng = random.Random(seed)
        self.section = section
        self.csrf = ""
        self.values: dict[tuple[str, str], Any] = {}
        self.page: Page | None = None
        self.dep: dict[str, Any] = {}
        self.years: list[Any] = []
        self.codes: list[Any] = []
        self.turn = self.rng.randrange(2)

    def _get(self, path: str, headers: dict[str, str] | None = None) -> bytes:
        status, data, _ = self.browser.request("GET", path, headers=headers)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {data[:200]!r}")
        return data

    def login(self) -> bool:
        """Log in through the form, then load the page as a browser does; False (and an error) when refused."""
        o = self.outcome
        try:
            form = self._get("/login").decode()
            token = CSRF_FIELD.search(form)
            if not token:
                raise RuntimeError("no csrf_token on /login")
            fields = {"username": o.name, "password": PASSWORD, "csrf_token": token.group(1), "next": "/"}
            status, data, _ = self.browser.request(
                "POST",
                "/login",
                body=urllib.parse.urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            if status != 303 or "sti_session" not in self.browser.cookies:
                raise RuntimeError(f"login refused: {status} {data[:200]!r}")
            query = f"?section={self.section}" if self.section else ""
            html = self._get(f"/{query}").decode()
            meta = CSRF_META.search(html)
            if not meta:
                raise RuntimeError("no sti-csrf meta on the page")
            self.csrf = meta.group(1)
            referer = {"Referer": f"http://{self.browser.host}:{self.browser.port}/{query}"}
            layout = json.loads(self._get("/_dash-layout", referer))
            deps = json.loads(self._get("/_dash-dependencies"))
            self.page = Page(deps, layout)
            self.dep = self.page.callback(SECTIONS_OUTPUT)
            self.values = layout_values(layout)
            self.years = [opt["value"] for opt in self.values[("filter-year", "options")]]
            self.codes = [opt["value"] for opt in self.values[("filter-districts", "options")]]
        except (OSError, ValueError, KeyError, RuntimeError, http.client.HTTPException) as exc:
            o.fail(f"login/page load: {type(exc).__name__}: {exc}")
            return False
        o.logged_in = True
        return True

    def change(self, state: tuple[Any, list[Any]] | None = None) -> None:
        """One filter change (year and districts in turn, or `state`), answered by the server; the answer's
        records of what the page shows are kept for the next request, as the page keeps them."""
        assert self.page is not None
        o = self.outcome
        self.turn ^= 1
        prop = "filter-year" if self.turn else "filter-districts"
        if state is not None:
            self.values[("filter-year", "value")], self.values[("filter-districts", "value")] = state
        elif prop == "filter-year":
            self.values[("filter-year", "value")] = self.rng.choice(self.years)
        else:
            k = self.rng.choice([0, 1, 1, 2, 3])
            self.values[("filter-districts", "value")] = sorted(self.rng.sample(self.codes, k))
        body = json.dumps(self.page.body(self.dep, self.values, changed=f"{prop}.value")).encode()
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf}
        t0 = time.perf_counter()
        try:
            status, data, _ = self.browser.request("POST", CALLBACK, body=body, headers=headers)
            elapsed = (time.perf_counter() - t0) * 1000
            if status != 200:
                o.fail(f"callback: {status} {data[:200]!r}")
                return
            answer = json.loads(data)["response"]
        except (OSError, ValueError, KeyError, http.client.HTTPException) as exc:
            o.fail(f"callback: {type(exc).__name__}: {exc}")
            self.browser.close()
            return
        for cid, props in answer.items():
            for name, value in props.items():
                if isinstance(value, dict) and '"type":"sti-drawn"' in cid:  # a record of what the page shows
                    self.values[(cid, name)] = value
        o.changes += 1
        o.latencies_ms.append(elapsed)


# --- groups of people in processes ---------------------------------------------------------------------


def _browse(url: str, name: str, seed: int, section: str, seconds: float, start: Any, out: list[Outcome]) -> None:
    person = Person(url, name, seed, section)
    logged_in = person.login()
    try:
        start.wait(timeout=START_TIMEOUT_S)  # everyone logged in before the clock starts
    except threading.BrokenBarrierError:
        person.outcome.fail("the others did not get ready in time")
        logged_in = False
    if logged_in:
        until = time.monotonic() + seconds
        time.sleep(person.rng.uniform(0, 3))  # not all at once
        while time.monotonic() < until:
            person.change()
            time.sleep(max(0.0, min(person.rng.uniform(1.0, 3.0), until - time.monotonic())))
    person.browser.close()
    out.append(person.outcome)


def _soak(url: str, name: str, seed: int, section: str, count: int, states: list, start: Any, out: list) -> None:
    person = Person(url, name, seed, section)
    logged_in = person.login()
    try:
        start.wait(timeout=START_TIMEOUT_S)
    except threading.BrokenBarrierError:
        person.outcome.fail("the others did not get ready in time")
        logged_in = False
    if logged_in:
        offset = seed % max(1, len(states))
        for i in range(count):
            person.change(states[(offset + i) % len(states)] if states else None)
    person.browser.close()
    out.append(person.outcome)


def _group(kind: str, url: str, jobs: list[tuple], arg: Any, start: Any, queue: Any) -> None:
    """One process's people, a thread each; their outcomes go to `queue`."""
    out: list[Outcome] = []
    target = _browse if kind == "browse" else _soak
    threads = [threading.Thread(target=target, args=(url, *job, *arg, start, out)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put([o.__dict__ for o in out])


def crowd(kind: str, url: str, jobs: list[tuple], arg: tuple, processes: int) -> list[Outcome]:
    """Run people (`jobs`: (name, seed, section, [count]) each) spread over `processes` spawned processes."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    start = ctx.Barrier(len(jobs))
    parts = [jobs[i::processes] for i in range(processes) if jobs[i::processes]]
    procs = [ctx.Process(target=_group, args=(kind, url, part, arg, start, queue)) for part in parts]
    for p in procs:
        p.start()
    results: list[Outcome] = []
    for _ in procs:
        results += [Outcome(**o) for o in queue.get(timeout=START_TIMEOUT_S * 2 + 3600)]
    for p in procs:
        p.join()
    return results


# --- the runs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """A run's totals."""

    people: int
    logged_in: int
    changes: int
    errors: int
    p50_ms: float
    p95_ms: float
    seconds: float
    problems: tuple[str, ...]


def summarise(outcomes: Sequence[Outcome], seconds: float) -> Summary:
    """Totals over everyone's outcomes."""
    times = [t for o in outcomes for t in o.latencies_ms]
    return Summary(
        people=len(outcomes),
        logged_in=sum(o.logged_in for o in outcomes),
        changes=sum(o.changes for o in outcomes),
        errors=sum(o.errors for o in outcomes),
        p50_ms=pct(times, 50),
        p95_ms=pct(times, 95),
        seconds=seconds,
        problems=tuple(p for o in outcomes for p in o.problems)[:10],
    )


def sections() -> list[str]:
    """The sample's section tabs (`?section=` keys): the people spread over them, a tab each."""
    from components.sections import present
    from components.server.settings import SAMPLE_DIR
    from data.load import load_dataset

    return [s.key for s in present(load_dataset(SAMPLE_DIR)) if s.key != "overview"]


def soak_states(years: list[Any], codes: list[Any], n: int, seed: int) -> list[tuple[Any, list[Any]]]:
    """n distinct (year, districts) selections the soak cycles through (a finite set: steady state is reached)."""
    rng = random.Random(seed)
    seen: set[tuple[Any, tuple[Any, ...]]] = set()
    out: list[tuple[Any, list[Any]]] = []
    limit = len(years) * (1 + len(codes) + len(codes) * (len(codes) - 1) // 2)
    while len(out) < min(n, limit):
        year, chosen = rng.choice(years), tuple(sorted(rng.sample(codes, rng.choice([0, 1, 1, 2]))))
        if (year, chosen) not in seen:
            seen.add((year, chosen))
            out.append((year, list(chosen)))
    return out


def memory(server: Server) -> dict[int, int]:
    """VmRSS (KiB) of each worker now."""
    return {pid: rss_kib(pid) for pid in worker_pids(server.master)}


def main(argv: list[str] | None = None) -> int:
    """Command line: python -m bench.loadtest [--users N] [--seconds S] [--soak N] ..."""
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people, each logged in (50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they change filters (60)")
    parser.add_argument("--soak", type=int, default=10_000, help="callbacks in the soak (10000; 0: no soak)")
    parser.add_argument("--soak-clients", type=int, default=4, help="clients posting back to back (4)")
    parser.add_argument("--warmup", type=int, default=None, help="soak callbacks before memory is read (soak/10)")
    parser.add_argument("--states", type=int, default=120, help="distinct selections the soak cycles through")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("STI_WORKERS", "2")))
    parser.add_argument("--processes", type=int, default=min(4, os.cpu_count() or 1), help="client processes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-prewarm", dest="prewarm", action="store_false", help="skip the server's prewarm (a quick smoke run)"
    )
    args = parser.parse_args(argv)
    out = sys.stdout
    with (
        tempfile.TemporaryDirectory(prefix="sti-loadtest-") as tmp,
        serve(Path(tmp), args.workers, max(args.users, args.soak_clients), args.prewarm) as (server, names),
    ):
        keys = sections()
        jobs = [(names[i], args.seed * 1000 + i, keys[i % len(keys)]) for i in range(args.users)]
        load0 = os.getloadavg()
        t0 = time.monotonic()
        users = summarise(crowd("browse", server.url, jobs, (args.seconds,), args.processes), args.seconds)
        elapsed = time.monotonic() - t0
        out.write(users_report(users, args, server, elapsed, load0))
        out.flush()
        soak = None
        rss: tuple[dict[int, int], dict[int, int]] = ({}, {})
        if args.soak > 0:
            soak, rss = run_soak(server, names, keys, args)
            out.write(soak_report(soak, rss, args))
        out.flush()
    failed = users.errors or users.logged_in < users.people or (soak and (soak.errors or soak.logged_in < soak.people))
    if failed:
        out.write("FAILED: errors or refused logins (above)\n")
        return EXIT_ERRORS
    if soak and not memory_ok(*rss):
        out.write(f"FAILED: a worker's memory changed by more than ±{MAX_RSS_CHANGE:.0%}\n")
        return EXIT_MEMORY
    return 0


def memory_ok(before: dict[int, int], after: dict[int, int]) -> bool:
    """Whether the same workers are there and none moved by more than MAX_RSS_CHANGE."""
    if not before or set(before) != set(after):
        return False
    return all(abs(after[p] / before[p] - 1) <= MAX_RSS_CHANGE for p in before)


def run_soak(server: Server, names: list[str], keys: list[str], args: argparse.Namespace) -> tuple:
    """Warm-up, memory, SOAK callbacks back to back, memory: (Summary, (rss before, rss after))."""
    from components.server.settings import SAMPLE_DIR
    from data.load import load_dataset

    ds = load_dataset(SAMPLE_DIR)
    states = soak_states(list(ds.years), list(ds.district_codes), args.states, args.seed)
    clients = max(1, args.soak_clients)
    warmup = args.warmup if args.warmup is not None else max(100, args.soak // 10)
    args.warmup_used = warmup

    def share(total: int) -> list[tuple]:
        return [
            (names[i], args.seed * 7919 + i, keys[i % len(keys)], total // clients + (i < total % clients))
            for i in range(clients)
        ]

    processes = min(clients, args.processes)
    crowd("soak", server.url, share(warmup), (states,), processes)
    before = memory(server)
    t0 = time.monotonic()
    result = crowd("soak", server.url, share(args.soak), (states,), processes)
    elapsed = time.monotonic() - t0
    after = memory(server)
    return summarise(result, elapsed), (before, after)


def users_report(s: Summary, args: argparse.Namespace, server: Server, elapsed: float, load0: tuple) -> str:
    """The first part's table (Markdown)."""
    load1 = os.getloadavg()
    lines = [
        "## users",
        "",
        f"gunicorn, {server.workers} workers (as `make serve`), loopback, sample dataset; {args.users} simulated "
        f"people, each logged in with an account of their own, changing a filter (year, districts in turn) every "
        f"1-3 s for {args.seconds:.0f} s; {os.cpu_count()}-core machine, load average "
        f"{load0[0]:.2f} before, {load1[0]:.2f} after (others share it).",
        "",
        "| people | logged in | filter changes | changes/s | errors | p50 ms | p95 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s.people} | {s.logged_in} | {s.changes} | {s.changes / max(args.seconds, 1e-9):.1f} | {s.errors} | "
        f"{s.p50_ms:.1f} | {s.p95_ms:.1f} |",
        "",
        f"(server ready in {server.ready_s:.1f} s; this part, logins included: {elapsed:.1f} s)",
        *[f"error: {p}" for p in s.problems],
        "",
    ]
    return "\n".join(lines) + "\n"


def soak_report(s: Summary, rss: tuple[dict[int, int], dict[int, int]], args: argparse.Namespace) -> str:
    """The soak's tables (Markdown): callbacks, errors, latency, and each worker's memory."""
    before, after = rss
    lines = [
        "## soak",
        "",
        f"{s.changes + s.errors} callbacks posted back to back by {s.people} logged-in clients in {s.seconds:.0f} s, "
        f"cycling through {args.states} distinct selections on every tab, after a warm-up of {args.warmup_used} "
        f"callbacks; load average {os.getloadavg()[0]:.2f}.",
        "",
        "| callbacks | answered | errors | per s | p50 ms | p95 ms |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {s.changes + s.errors} | {s.changes} | {s.errors} | {s.changes / max(s.seconds, 1e-9):.1f} | "
        f"{s.p50_ms:.1f} | {s.p95_ms:.1f} |",
        "",
        "| worker pid | VmRSS start MiB | VmRSS end MiB | change |",
        "|---:|---:|---:|---:|",
    ]
    for pid in sorted(set(before) | set(after)):
        b, a = before.get(pid), after.get(pid)
        change = f"{(a / b - 1) * 100:+.1f}%" if a and b else "gone" if b else "new"
        lines.append(
            f"| {pid} | {b / 1024 if b else float('nan'):.1f} | {a / 1024 if a else float('nan'):.1f} | {change} |"
        )
    lines += ["", *[f"error: {p}" for p in s.problems], ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
