"""Browser-test fixtures: the real app in a subprocess, and guarded Playwright pages.

Fixtures:
    app_server          session-wide server on data/sample (``.url``, ``.version``, ``.netloc``)
    app_server_factory  ``start(data_dir=..., env=...)`` -> another server, stopped after the test
    browser             Debian Chromium (/usr/bin/chromium) through Playwright, session-wide
    page                fresh context (1366x768, zh-CN) watched by ``page_guard``
    new_page            ``new_page(**context_options)`` -> more guarded pages (other viewport, dark mode)
    page_guard          console errors, page errors and requests to foreign hosts seen so far
    screenshot          ``screenshot(page, name)`` -> artifacts/screenshots/<name>.png

A test that used a guarded page fails if, when its body ends, the browser logged a console error,
threw an uncaught exception or requested anything from a host other than an app server started here.
Failed tests leave a screenshot of each of their pages in artifacts/screenshots/failed/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    WebSocket,
    expect,
    sync_playwright,
)

from bench.browser import ARGS as BENCH_ARGS

REPO_ROOT = Path(__file__).resolve().parents[2]
BROWSER_TESTS_DIR = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "sample"
ARTIFACTS_DIR = Path(os.environ.get("STI_ARTIFACTS_DIR", REPO_ROOT / "artifacts"))
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"

CHROMIUM_PATH = os.environ.get("STI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = BENCH_ARGS  # the benchmark's flags: tests and benchmarks run the same browser
DEFAULT_CONTEXT_OPTIONS: dict[str, Any] = {
    "viewport": {"width": 1366, "height": 768},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
DEFAULT_TIMEOUT_MS = 15_000
SERVER_START_TIMEOUT_S = 30.0
SERVER_STOP_TIMEOUT_S = 10.0
LOG_TAIL_CHARS = 4_000
IGNORED_URL_SCHEMES = frozenset({"data", "blob", "about"})

_GUARD_KEY = pytest.StashKey["PageGuard"]()
# Loopback requests must never go through an HTTP(S)_PROXY from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --------------------------------------------------------------------------------------------------
# App servers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppServer:
    """A running ``python app.py run`` subprocess."""

    url: str
    version: str
    data_dir: Path
    cache_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False, compare=False)

    @property
    def netloc(self) -> str:
        """``host:port`` as it appears in request URLs."""
        return urlsplit(self.url).netloc

    def get_json(self, path: str) -> Any:
        """GET ``path`` from this server (no proxy) and decode the JSON body."""
        return get_json(self.url + path)

    def log(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


class _PortTakenError(Exception):
    """The free port we picked was grabbed by someone else before the server bound it."""


def get_json(url: str, timeout: float = 5.0) -> Any:
    """GET ``url`` without any proxy and decode its JSON body."""
    with _DIRECT.open(url, timeout=timeout) as response:
        return json.load(response)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(text: str) -> str:
    return text if len(text) <= LOG_TAIL_CHARS else "…" + text[-LOG_TAIL_CHARS:]


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it spawned (it leads its own process group)."""
    for sig, wait_s in ((signal.SIGTERM, SERVER_STOP_TIMEOUT_S), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


class AppServers:
    """Starts app servers and remembers every address they served, for the page guards."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._running: list[AppServer] = []
        self._netlocs: set[str] = set()
        self._count = 0

    @property
    def netlocs(self) -> frozenset[str]:
        """``host:port`` of every server started so far (running or not)."""
        return frozenset(self._netlocs)

    def start(
        self, data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR, *, env: Mapping[str, str] | None = None
    ) -> AppServer:
        """Start ``app.py run`` on a free loopback port and wait until /healthz says ok.

        ``data_dir`` is relative to the repository root unless absolute; ``env`` adds variables.
        """
        self._count += 1
        rundir = self._workdir / f"server-{self._count}"
        cache_dir = rundir / "cache"
        cache_dir.mkdir(parents=True, mode=0o700)
        resolved = (REPO_ROOT / data_dir).resolve()
        child_env = {k: v for k, v in os.environ.items() if k != "DASH_DEBUG"}
        child_env |= {
            "STI_DATA_DIR": str(resolved),
            "STI_CACHE_DIR": str(cache_dir),
            "PYTHONUNBUFFERED": "1",
            "STI_PREWARM": "0",  # tests ask for what they need; a warm-up would only compete for the 2 cores
            "STI_USERS_FILE": str(rundir / "users.json"),  # nobody set up unless a test adds users
            "STI_SECRET_FILE": str(rundir / "secret.key"),
            "STI_REPORT_DIR": str(rundir / "reports"),  # the report archive of this server
            **(env or {}),
        }
        for attempt in range(3):
            log_path = rundir / f"server-{attempt}.log"
            try:
                server = self._launch(resolved, cache_dir, log_path, child_env)
            except _PortTakenError:
                continue
            self._running.append(server)
            self._netlocs.add(server.netloc)
            return server
        pytest.fail(f"app server: no free port after 3 attempts (see {rundir})", pytrace=False)

    def stop(self, server: AppServer) -> None:
        """Stop one server started here (idempotent)."""
        _stop_process(server.process)
        if server in self._running:
            self._running.remove(server)

    def stop_all(self) -> None:
        """Stop every server still running."""
        for server in list(self._running):
            self.stop(server)

    @staticmethod
    def _launch(data_dir: Path, cache_dir: Path, log_path: Path, env: dict[str, str]) -> AppServer:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "app.py", "run", "--host", "127.0.0.1", "--port", str(port)]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        last_answer = "no answer"
        while True:
            code = process.poll()
            if code is not None:
                output = log_path.read_text(encoding="utf-8", errors="replace")
                if "Address already in use" in output:
                    raise _PortTakenError
                _stop_process(process)
                pytest.fail(
                    f"app server exited with code {code} before /healthz answered.\n"
                    f"command: {' '.join(cmd)}\nSTI_DATA_DIR={data_dir}\n"
                    f"--- server output ---\n{_tail(output)}",
                    pytrace=False,
                )
            try:
                health = get_json(url + "/healthz", timeout=2.0)
                if isinstance(health, dict) and health.get("status") == "ok" and health.get("version"):
                    return AppServer(url, str(health["version"]), data_dir, cache_dir, log_path, process)
                last_answer = repr(health)
            except (OSError, ValueError) as exc:  # refused, reset, timeout, HTTP error, not JSON yet
                last_answer = f"{type(exc).__name__}: {exc}"
            if time.monotonic() > deadline:
                _stop_process(process)
                output = log_path.read_text(encoding="utf-8", errors="replace")
                pytest.fail(
                    f"app server: /healthz not ok after {SERVER_START_TIMEOUT_S:.0f} s "
                    f"(last: {last_answer}).\n--- server output ---\n{_tail(output)}",
                    pytrace=False,
                )
            time.sleep(0.1)


@pytest.fixture(scope="session")
def app_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServers]:
    """Registry of every app server of the session; stops them all at the end."""
    servers = AppServers(tmp_path_factory.mktemp("app-servers"))
    yield servers
    servers.stop_all()


@pytest.fixture(scope="session")
def app_server(app_servers: AppServers) -> AppServer:
    """The app on the repository's data/sample, shared by the whole session."""
    return app_servers.start(DEFAULT_DATA_DIR)


@pytest.fixture
def app_server_factory(app_servers: AppServers) -> Iterator[Callable[..., AppServer]]:
    """``start(data_dir=..., env=...)`` -> a server of this test's own, stopped when the test ends."""
    started: list[AppServer] = []

    def start(data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR, **kwargs: Any) -> AppServer:
        server = app_servers.start(data_dir, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        app_servers.stop(server)


# --------------------------------------------------------------------------------------------------
# Browser and guarded pages
# --------------------------------------------------------------------------------------------------


@dataclass
class PageGuard:
    """Collects what a page must not do: console errors, uncaught errors, foreign requests."""

    allowed_netlocs: Callable[[], frozenset[str]]
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    _tolerated: list[re.Pattern[str]] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        """Record the events of ``context`` and of every page opened in it."""
        context.on("request", self._on_request)
        context.on("page", self._watch_page)

    def tolerate_console_error(self, pattern: str) -> None:
        """Ignore console errors whose text matches the regex ``pattern`` (for expected errors)."""
        self._tolerated.append(re.compile(pattern))

    def problems(self) -> list[str]:
        """Everything recorded so far, one line each."""
        return (
            [f"console error: {e}" for e in self.console_errors]
            + [f"page error: {e}" for e in self.page_errors]
            + [f"external request: {r}" for r in self.external_requests]
        )

    def assert_clean(self) -> None:
        """Fail the test if anything was recorded (after delivering events still in flight)."""
        self.flush()
        if problems := self.problems():
            pytest.fail("page guard:\n  " + "\n  ".join(problems), pytrace=False)

    def flush(self) -> None:
        """Round-trip to each open page so events the browser already sent are dispatched."""
        for page in self.pages:
            if not page.is_closed():
                with contextlib.suppress(Error):
                    page.evaluate("0")

    def _watch_page(self, page: Page) -> None:
        self.pages.append(page)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("websocket", self._on_websocket)

    def _is_foreign(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme not in IGNORED_URL_SCHEMES and parts.netloc not in self.allowed_netlocs()

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error" or any(p.search(message.text) for p in self._tolerated):
            return
        where = message.location
        source = f" ({where.get('url')}:{where.get('lineNumber')})" if where.get("url") else ""
        self.console_errors.append(message.text + source)

    def _on_page_error(self, error: Error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def _on_request(self, request: Request) -> None:
        if self._is_foreign(request.url):
            self.external_requests.append(f"{request.method} {request.url} ({request.resource_type})")

    def _on_websocket(self, websocket: WebSocket) -> None:
        if self._is_foreign(websocket.url):
            self.external_requests.append(f"WEBSOCKET {websocket.url}")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The Playwright driver (sync API)."""
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium; never a browser downloaded by ``playwright install``."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.fail(
            f"{CHROMIUM_PATH} not found: run `make system-deps` (Debian packages chromium fonts-noto-cjk)",
            pytrace=False,
        )
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)  # expect's own 5 s default is too short on a busy 2-core machine
    instance = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
    yield instance
    instance.close()


@pytest.fixture
def page_guard(request: pytest.FixtureRequest, app_servers: AppServers) -> PageGuard:
    """The guard of this test's pages; checked automatically when the test body ends."""
    guard = PageGuard(allowed_netlocs=lambda: app_servers.netlocs)
    request.node.stash[_GUARD_KEY] = guard
    return guard


@pytest.fixture
def new_page(browser: Browser, page_guard: PageGuard) -> Iterator[Callable[..., Page]]:
    """``new_page(**context_options)`` -> a page in a fresh guarded context (defaults: 1366x768, zh-CN)."""
    contexts: list[BrowserContext] = []

    def make(**context_options: Any) -> Page:
        context = browser.new_context(**(DEFAULT_CONTEXT_OPTIONS | context_options))
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page_guard.watch(context)
        return context.new_page()

    yield make
    for context in contexts:
        with contextlib.suppress(Error):
            context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A fresh guarded page with the default context options."""
    return new_page()


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_.") or "screenshot"


def save_screenshot(page: Page, name: str, *, full_page: bool = True, directory: Path = SCREENSHOT_DIR) -> Path:
    """Save ``page`` to artifacts/screenshots/<name>.png (``name`` is made file-safe); return the path."""
    path = directory / f"{_slug(name)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, name, full_page=True)`` -> artifacts/screenshots/<name>.png."""
    return save_screenshot


# --------------------------------------------------------------------------------------------------
# Hooks
# --------------------------------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before `-m` selection looks at the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser with ``browser``."""
    for item in items:
        if BROWSER_TESTS_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body: fail on guard findings; on any failure, screenshot the test's pages."""
    guard = item.stash.get(_GUARD_KEY, None)
    if guard is None:
        return (yield)
    try:
        result = yield
    except (Exception, pytest.fail.Exception):
        guard.flush()
        if problems := guard.problems():
            item.add_report_section("call", "page guard", "\n".join(problems))
        _screenshot_failure(item, guard)
        raise
    try:
        guard.assert_clean()
    except pytest.fail.Exception:
        _screenshot_failure(item, guard)
        raise
    return result


def _screenshot_failure(item: pytest.Item, guard: PageGuard) -> None:
    open_pages = [p for p in guard.pages if not p.is_closed()]
    for index, page in enumerate(open_pages):
        suffix = f"-{index}" if len(open_pages) > 1 else ""
        with contextlib.suppress(Error):
            save_screenshot(page, f"{item.nodeid}{suffix}", directory=SCREENSHOT_DIR / "failed")
