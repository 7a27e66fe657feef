"""The chart renderer: plotly figures to PNG with kaleido 1.x on Debian's Chromium (for the PPTX and PNG exports).

No dash import. One browser per renderer, started on a private event-loop thread.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import plotly.graph_objects as go

from components.core.i18n import t

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome")
DEBIAN_CHROMIUM = "/usr/bin/chromium"


class ExportError(Exception):
    """An export that cannot be done; `key` names its message in the catalogue (shown to the user)."""

    def __init__(self, key: str, lang: str = "zh", detail: str = "", **params: object) -> None:
        self.key = key
        self.params = params
        self.detail = detail  # for the server log only (paths, the underlying error)
        super().__init__(t(key, lang, **params))

    def message(self, lang: str) -> str:
        """The user-facing message in `lang`."""
        return t(self.key, lang, **self.params)


def _executable(path: str | os.PathLike[str]) -> bool:
    p = Path(path)
    return p.is_file() and os.access(p, os.X_OK)


def find_chromium(path: str | os.PathLike[str] | None = None) -> str | None:
    """The browser to render with: `path` if given, else $BROWSER_PATH, /usr/bin/chromium, then PATH.

    A path that was asked for explicitly (argument or BROWSER_PATH) and is not an executable gives None:
    a misconfiguration is reported, not silently replaced by another browser.
    """
    explicit = path if path is not None else os.environ.get("BROWSER_PATH") or None
    if explicit is not None:
        return str(explicit) if _executable(explicit) else None
    if _executable(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM
    for exe in CHROMIUM_NAMES:
        found = shutil.which(exe)
        if found and _executable(found):
            return found
    return None


class ChartRenderer:
    """One headless Chromium (kaleido 1.x) that renders many figures to PNG; use as a context manager.

    The browser is found before anything starts (ExportError 'export_no_chromium' when there is none). It
    runs on a private event-loop thread owned by this object (not kaleido's process-wide sync server, so
    two exports in one process cannot stop each other's browser). MathJax is off (its default is a CDN)
    and plotly.js comes from the installed plotly package: nothing is fetched from the network.
    """

    def __init__(
        self, browser_path: str | os.PathLike[str] | None = None, *, lang: str = "zh", timeout: float = 60.0
    ) -> None:
        found = find_chromium(browser_path)
        if found is None:
            detail = str(browser_path or os.environ.get("BROWSER_PATH") or DEBIAN_CHROMIUM)
            raise ExportError("export_no_chromium", lang, detail=f"no executable browser at {detail}")
        self.browser_path = found
        self.lang = lang
        self.timeout = timeout
        self.startup_seconds: float | None = None  # browser start, measured
        self.timings: list[float] = []  # seconds per render() call, in order
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._lock = threading.Lock()

    def __enter__(self) -> ChartRenderer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the browser is up."""
        return self._kaleido is not None

    def start(self) -> None:
        """Start the browser (once); ExportError 'export_browser_failed' when it does not come up."""
        if self.running:
            return
        from kaleido import Kaleido  # imported here: the app does not pay for it until someone exports

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="chart-renderer", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread

        async def open_browser() -> Any:
            k = Kaleido(path=self.browser_path, mathjax=False, timeout=self.timeout, n=1)
            await k.open()
            return k

        began = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(open_browser(), loop)
        try:
            self._kaleido = future.result(self.timeout)
        except BaseException as e:
            future.cancel()
            self._stop_loop()
            raise ExportError("export_browser_failed", self.lang, detail=repr(e)) from e
        self.startup_seconds = time.perf_counter() - began

    def render(
        self, fig: go.Figure | dict[str, Any], width: int = 1600, height: int = 900, scale: float = 1, fmt: str = "png"
    ) -> bytes:
        """PNG bytes of `fig` laid out at width x height CSS px; the image is (width*scale) x (height*scale).
        `fmt="svg"`: the SVG document instead (vector, for print)."""
        if self._kaleido is None or self._loop is None:
            raise RuntimeError("ChartRenderer is not started: use it as a context manager")
        spec = fig.to_dict() if isinstance(fig, go.Figure) else fig
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        with self._lock:
            began = time.perf_counter()
            future = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(spec, opts=opts), self._loop)
            try:
                data = future.result(self.timeout + 5)
            except BaseException as e:
                future.cancel()
                raise ExportError("export_render_failed", self.lang, detail=repr(e)) from e
            self.timings.append(time.perf_counter() - began)
        return bytes(data)

    def stop(self) -> None:
        """Close the browser and the loop thread (safe to call twice)."""
        kaleido, loop = self._kaleido, self._loop
        self._kaleido = None
        if kaleido is not None and loop is not None:
            future = asyncio.run_coroutine_threadsafe(kaleido.close(), loop)
            try:
                future.result(self.timeout)
            except Exception:  # a browser that will not close cleanly must not hide the finished deck
                future.cancel()
        self._stop_loop()

    def _stop_loop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(self.timeout)
        if not loop.is_running():
            loop.close()
