"""Big uploads against `make serve`'s gunicorn (2 sync workers, the 60 s worker timeout) while the dashboard is used.

The workbook is the probe's: a million rows of observations in 17 MB, under the upload's byte limit and over its
row limit (300,000). It is sent to /library/preview as the data page's form sends it (multipart: the form token,
then the file) by an admin logged in through the login form, over a connection of its own, in two parts: the
head and the first 32 KB, then — once a worker holds the connection (its socket, read from /proc) — the rest when
the test says. Between the two the upload is in flight for certain, as a slow link keeps it, with no sleep; the
page's callback (a filter change's request) is sent then. Every wait is on a condition with a generous deadline.
"""

from __future__ import annotations

import json
import re
import secrets
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import psutil
import pytest
from appsettings import PASSWORD
from gunicorn_helpers import Served, login, request, serve
from workbook import million_rows

from bench import SECTIONS_OUTPUT, Page
from components.server.upload_page import XLSX
from components.server.users import UserStore

ROW_LIMIT = "rows (at most 300,000)"
REFUSED_WITHIN = 30.0  # s from the upload's last byte to its refusal (it takes well under a second idle)
ANSWERED_WITHIN = 15.0  # s for a callback sent while uploads are in flight (tens of ms idle)
HEAD_BYTES = 32 * 1024  # of the body sent at once: the socket buffers take it without a reader
MEMORY_BOUND = 300 * 1024 * 1024  # a worker's growth while it refuses the workbook (parsing it took gigabytes)


@pytest.fixture(scope="module")
def book() -> bytes:
    return million_rows()


class Session:
    """An admin logged in: the cookie, the page's CSRF token for callbacks, the data page's form token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookie = login(base, "adam", PASSWORD)
        html = request(base + "/", headers={"Cookie": self.cookie})[1].decode()
        self.csrf = re.search(r'<meta name="sti-csrf" content="([^"]+)">', html)[1]  # type: ignore[index]
        form = request(base + "/library?lang=en", headers={"Cookie": self.cookie})[1].decode()
        self.form_token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]  # type: ignore[index]
        page = Page.load(lambda path: json.loads(request(base + path, headers={"Cookie": self.cookie})[1]))
        values = {
            ("filter-year", "value"): 2011,
            ("filter-districts", "value"): ["330212", "330281"],
            ("page-config", "data"): {"lang": "en", "theme": "light"},
        }
        self.body = page.body(page.callback(SECTIONS_OUTPUT), values)

    def callback(self) -> tuple[int, dict]:
        """The filter change's request: (status, its JSON answer)."""
        headers = {"Cookie": self.cookie, "X-CSRF-Token": self.csrf}
        status, data, _ = request(self.base + "/_dash-update-component", self.body, headers)
        return status, json.loads(data) if status == 200 else {"error": data[:300]}


class Upload:
    """One post of the data page's upload form over a socket of its own: `start` sends the head of the request and
    the first `HEAD_BYTES` of its body, `finish` the rest, then reads the answer (the worker closes the connection)."""

    def __init__(self, session: Session, name: str, data: bytes) -> None:
        boundary = secrets.token_hex(16)
        field = f"--{boundary}\r\nContent-Disposition: form-data; "
        body = b"".join(
            [
                f'{field}name="csrf_token"\r\n\r\n{session.form_token}\r\n'.encode(),
                f'{field}name="files"; filename="{name}"\r\nContent-Type: {XLSX}\r\n\r\n'.encode(),
                data,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        host, port = session.base.removeprefix("http://").split(":")
        head = (
            f"POST /library/preview?lang=en HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {session.cookie}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.first, self.rest = head + body[:HEAD_BYTES], body[HEAD_BYTES:]
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        self.finished_at = 0.0

    def start(self) -> Upload:
        self.sock.sendall(self.first)
        return self

    def port(self) -> int:
        return self.sock.getsockname()[1]

    def answered(self) -> bool:
        """Whether the server has answered already (before the whole body was sent)."""
        return bool(select.select([self.sock], [], [], 0)[0])

    def finish(self) -> tuple[int, str, float]:
        """Send the rest (unless answered already), read the answer: (status, page text, seconds after the last
        byte)."""
        if not self.answered():
            self.sock.sendall(self.rest)
        self.finished_at = time.monotonic()
        data = b""
        while chunk := self.sock.recv(65536):
            data += chunk
        self.sock.close()
        head, _, text = data.decode("utf-8", "replace").partition("\r\n\r\n")
        return int(head.split()[1]), text, time.monotonic() - self.finished_at


def wait_for(what: str, condition: Callable[[], object], seconds: float = 60.0) -> object:
    """`condition()`'s first true value, checked every 50 ms for up to `seconds`."""
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.05)
    return found


def workers(served: Served) -> list[psutil.Process]:
    return psutil.Process(served.pid).children()


def holder(served: Served, upload: Upload) -> int | None:
    """The worker holding the upload's connection (it took it from the listening socket), if one does."""
    for proc in workers(served):
        with_conn = [c for c in proc.net_connections("tcp") if c.raddr and c.raddr.port == upload.port()]
        if with_conn:
            return proc.pid
    return None


class Memory:
    """The workers' largest resident memory while it runs (read every 50 ms in a thread), against before."""

    def __init__(self, served: Served) -> None:
        self.procs = workers(served)
        self.before = {p.pid: p.memory_info().rss for p in self.procs}
        self.peak = dict(self.before)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self.done.wait(0.05):
            for p in self.procs:
                self.peak[p.pid] = max(self.peak[p.pid], p.memory_info().rss)

    def __enter__(self) -> Memory:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def growth(self) -> int:
        return max(self.peak[pid] - self.before[pid] for pid in self.before)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    UserStore(tmp_path / "users.json").add("adam", "admin", PASSWORD)
    with serve(tmp_path) as server:
        yield server


def no_restarts(served: Served, pids: list[int]) -> None:
    """The same two workers as before, none timed out or booted again."""
    assert sorted(p.pid for p in workers(served)) == sorted(pids)
    log = served.log_path.read_text(errors="replace")
    assert "WORKER TIMEOUT" not in log
    assert log.count("Booting worker") == 2, log[-2000:]


def test_a_million_row_upload_is_refused_quickly_while_callbacks_are_answered(served: Served, book: bytes) -> None:
    """The workbook in flight, then checked: the page's callback answered the same all along, the upload refused
    for its rows within seconds of its last byte, the same two workers after (no timeout, no restart), their
    memory up by tens of MiB (not the gigabytes a parse took)."""
    session = Session(served.base)
    status, expected = session.callback()
    assert status == 200
    pids = [p.pid for p in workers(served)]
    upload = Upload(session, "million.xlsx", book).start()
    taken_by = wait_for("a worker takes the upload", lambda: holder(served, upload))
    # The upload in flight (a worker waiting for its body): the page's callback is answered (the other worker).
    started = time.monotonic()
    assert session.callback() == (200, expected)
    latency_in_flight = time.monotonic() - started
    assert latency_in_flight < ANSWERED_WITHIN

    # The rest of the body: refused by its row count; callbacks sent meanwhile all answered.
    with Memory(served) as memory, ThreadPoolExecutor(1) as pool:
        sent = pool.submit(upload.finish)
        latencies = []
        while not sent.done():
            started = time.monotonic()
            assert session.callback() == (200, expected)
            latencies.append(time.monotonic() - started)
        status, text, refused_in = sent.result()
    assert status == 422, text[:500]
    assert "million.xlsx: sheet " in text
    assert ROW_LIMIT in text
    assert refused_in < REFUSED_WITHIN
    assert max(latencies, default=0) < ANSWERED_WITHIN
    assert memory.growth() < MEMORY_BOUND
    assert taken_by in pids
    no_restarts(served, pids)
    print(
        f"\nrefused in {refused_in:.2f} s; callback with the upload in flight {latency_in_flight * 1000:.0f} ms, "
        f"{len(latencies)} during its check (max {max(latencies, default=0) * 1000:.0f} ms); "
        f"worker memory +{memory.growth() / 2**20:.0f} MiB"
    )


def test_two_uploads_at_once_leave_a_worker_for_the_page(served: Served, book: bytes) -> None:
    """With both of `make serve`'s workers free, two big uploads at once: one is checked, the other is refused at
    once with a sentence (429: try again in a moment) before its body is read — never both workers held by
    uploads while the page's callbacks wait (a slow link held a sync worker for as long as it sent)."""
    session = Session(served.base)
    status, expected = session.callback()
    assert status == 200
    pids = [p.pid for p in workers(served)]
    first = Upload(session, "first.xlsx", book).start()
    second = Upload(session, "second.xlsx", book).start()
    uploads = [first, second]
    try:
        # Both taken by the workers, or one already refused: the uploads are where they will stay until finished.
        wait_for(
            "both uploads are with a worker, or one is answered",
            lambda: any(u.answered() for u in uploads) or all(holder(served, u) for u in uploads),
        )
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(session.callback)
            try:
                assert answer.result(timeout=ANSWERED_WITHIN) == (200, expected)
            except FutureTimeout:
                for u in uploads:  # their workers read an end of file: the callback is answered and the test ends
                    u.sock.close()
                pytest.fail(f"the page's callback waited over {ANSWERED_WITHIN:.0f} s behind two uploads")
            refused = next(u for u in uploads if u.answered())
            kept = next(u for u in uploads if u is not refused)
            assert holder(served, kept) in pids
            status, text, _ = refused.finish()
            assert status == 429, text[:500]
            assert "Another import is being checked" in text
            assert not kept.answered()  # still in flight
            status, text, refused_in = kept.finish()
        assert status == 422, text[:500]
        assert ROW_LIMIT in text
        assert refused_in < REFUSED_WITHIN
        # Tried again once the first is done: checked, and refused for its rows.
        status, text, _ = Upload(session, "again.xlsx", book).start().finish()
        assert status == 422, text[:500]
        assert ROW_LIMIT in text
        assert session.callback() == (200, expected)
        no_restarts(served, pids)
    finally:
        for u in uploads:
            u.sock.close()
