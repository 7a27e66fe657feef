"""Server throughput: concurrent clients replaying filter changes against a served app.

Each client is its own process (no GIL shared with the others) posting prepared callback requests, one
after another, over HTTP to gunicorn. The requests are the browser's own (bench.Page builds them from the
served layout and dependencies), so the server does exactly what it does for a person's filter change.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

PATH = "/_dash-update-component"


@dataclass(frozen=True)
class Load:
    """What the clients saw: changes answered, errors, latency percentiles (ms), changes per second."""

    app: str
    clients: int
    seconds: float
    changes: int
    errors: int
    p50_ms: float
    p95_ms: float

    @property
    def per_second(self) -> float:
        return self.changes / self.seconds if self.seconds else 0.0


def _client(url: str, bodies: Sequence[bytes], offset: int, until: float, out: mp.Queue) -> None:
    """Post bodies in turn until `until` (time.time()); report (latencies in ms, errors)."""
    parts = urlsplit(url)
    times: list[float] = []
    errors = 0
    i = offset
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    while time.time() < until:
        body = bodies[i % len(bodies)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("POST", PATH, body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
            if resp.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        if ok:
            times.append((time.perf_counter() - t0) * 1000)
        else:
            errors += 1
    conn.close()
    out.put((times, errors))


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def replay(app: str, url: str, bodies: Sequence[dict], clients: int = 8, seconds: float = 20.0) -> Load:
    """`clients` processes replaying `bodies` (each from its own offset) for `seconds`."""
    encoded = [json.dumps(b).encode() for b in bodies]
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    until = time.time() + 2.0 + seconds  # all clients start together, after they have spawned
    procs = [
        ctx.Process(target=_client, args=(url, encoded, k * len(encoded) // clients, until, queue))
        for k in range(clients)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    times = [t for r in results for t in r[0]]
    errors = sum(r[1] for r in results)
    return Load(app, clients, seconds, len(times), errors, pct(times, 50), pct(times, 95))
