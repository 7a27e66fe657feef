"""What a person waits for, measured in real Chromium (Playwright + Debian's /usr/bin/chromium).

- **Filter change**: from the input (the filter's new value, set as the page's own controls set it, through
  `dash_clientside.set_props`) to the animation frame after the last chart that changes has redrawn
  (`plotly_afterplot`), or after the last answer was applied when no chart changes, with no Dash request still
  in flight. Year changes and district changes alternate (`year_district_steps`); on data through the year,
  period picks, district toggles and basis switches (`period_steps`).
- **First load**: bytes on the wire (the Content-Length or body of every response, compressed as sent) and
  the time until the first screen is drawn (every chart in the 1920x1080 viewport laid out and the KPI
  strip filled).

The same harness runs the product and the naive peer (bench/naive_app.py) in the same run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1920, "height": 1080}
QUIET_MS = 400  # no redraw and no request for this long: the change has settled
TIMEOUT_MS = 15_000

# Installed before any page script: records each chart's redraws and the Dash requests in flight.
PROBE = """(() => {
    const s = window.__sti = {plots: 0, lastPlot: 0, lastFrame: 0, inflight: 0, lastNet: 0, netFrame: 0};
    const hook = () => {
        for (const g of document.querySelectorAll('.js-plotly-plot')) {
            if (g.__stiHooked || typeof g.on !== 'function') continue;
            g.__stiHooked = true;
            g.on('plotly_afterplot', () => {
                s.plots += 1; s.lastPlot = performance.now();
                requestAnimationFrame(() => { s.lastFrame = performance.now(); });
            });
        }
    };
    setInterval(hook, 20);
    const fetch0 = window.fetch;
    window.fetch = function (...a) {
        const url = String(a[0] && a[0].url || a[0]);
        const dash = url.includes('_dash-update-component');
        if (dash) { s.inflight += 1; }
        return fetch0.apply(this, a).finally(() => {
            if (!dash) return;
            s.inflight -= 1; s.lastNet = performance.now();
            // the frame after the answer was applied (a change that redraws no chart ends there)
            setTimeout(() => requestAnimationFrame(() => { s.netFrame = performance.now(); }), 0);
        });
    };
})()"""

SETTLED = """([t0, quiet]) => {
    const s = window.__sti, now = performance.now();
    return s.inflight === 0 && (s.lastPlot > t0 || s.netFrame > t0) && now - Math.max(s.lastPlot, s.lastNet) > quiet;
}"""


@dataclass
class Changes:
    """Filter-change times (ms) of one app in one run."""

    app: str
    times: list[float] = field(default_factory=list)
    plots: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # which filter each change moved

    def pct(self, p: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


@dataclass
class Load:
    """First load of one app."""

    app: str
    bytes: int
    requests: int
    first_screen_ms: float


def launch(pw: Any) -> Browser:
    return pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


def wait_quiet(page: Page, t0: float) -> None:
    page.wait_for_function(SETTLED, arg=[t0, QUIET_MS], timeout=TIMEOUT_MS, polling=50)


def _settle_load(page: Page) -> None:
    """After a page load: every chart drawn once and nothing in flight for a while."""
    page.wait_for_function(
        """(quiet) => { const s = window.__sti; const g = document.querySelectorAll('.js-plotly-plot');
            return g.length && [...g].every(x => x._fullLayout) && s.inflight === 0
                && performance.now() - Math.max(s.lastPlot, s.lastNet) > quiet; }""",
        arg=QUIET_MS,
        timeout=TIMEOUT_MS * 2,
        polling=50,
    )


Step = tuple[str, Any]  # a filter (its key in the app's `ids`: year, districts, period, basis) and its new value


def year_district_steps(years: Sequence[int], codes: Sequence[str], n: int) -> list[Step]:
    """`n` filter changes, year and district changes alternating (from the latest year, back)."""
    steps: list[Step] = []
    year_i, chosen = len(years) - 1, list[str]()
    for k in range(n):
        if k % 2 == 0:
            year_i = (year_i - 1) % len(years)
            steps.append(("year", int(years[year_i])))
        else:
            chosen = _toggle(chosen, codes[(k // 2) % len(codes)])
            steps.append(("districts", list(chosen)))
    return steps


def _toggle(chosen: list[str], code: str) -> list[str]:
    """A district clicked in the picker: out if it was in, else in (at most 3 kept)."""
    chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
    return chosen[-2:] if len(chosen) > 3 else chosen


def period_steps(periods: Sequence[str], codes: Sequence[str], n: int) -> list[Step]:
    """`n` filter changes in a year with data through it, in turn: a period picked for the whole city (each
    new to the page: the dearest change), a district picked, the basis switched (累计 ⇄ 当期), back to the
    whole city."""
    steps: list[Step] = []
    basis, p, d = "ytd", 0, 0
    for k in range(n):
        kind = k % 4
        if kind == 0:
            steps.append(("period", periods[p % len(periods)]))
            p += 1
        elif kind == 1:
            steps.append(("districts", [codes[d % len(codes)]]))
            d += 1
        elif kind == 2:
            basis = "period" if basis == "ytd" else "ytd"
            steps.append(("basis", basis))
        else:
            steps.append(("districts", []))
    return steps


def filter_changes(browser: Browser, url: str, app: str, steps: Sequence[Step], ids: dict[str, str]) -> Changes:
    """The filter changes `steps`, one after another; `ids`: the app's filters by key (year, districts, ...)."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.add_init_script(PROBE)
    page.goto(url)
    _settle_load(page)
    out = Changes(app)
    for key, value in steps:
        before = page.evaluate("window.__sti.plots")
        t0 = page.evaluate(
            "([id, v]) => { const t = performance.now(); window.dash_clientside.set_props(id, {value: v}); return t; }",
            [ids[key], value],
        )
        wait_quiet(page, t0)
        state = page.evaluate("window.__sti")
        out.times.append(max(state["lastFrame"] if state["lastPlot"] > t0 else 0, state["netFrame"]) - t0)
        out.plots.append(state["plots"] - before)
        out.kinds.append(key)
    context.close()
    return out


def first_load(browser: Browser, url: str, app: str) -> Load:
    """Bytes on the wire and time to the first screen drawn, with an empty cache."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.add_init_script(PROBE)
    sizes: list[int] = []

    def count(response: Any) -> None:
        try:
            sizes.append(
                int(response.request.sizes()["responseBodySize"]) + int(response.request.sizes()["responseHeadersSize"])
            )
        except Exception:
            sizes.append(0)

    page.on("requestfinished", lambda request: count(request.response()) if request.response() else None)
    began = time.perf_counter()
    page.goto(url)
    page.wait_for_function(
        """() => { const vh = window.innerHeight;
            const seen = [...document.querySelectorAll('.js-plotly-plot')]
                .filter(g => g.getBoundingClientRect().top < vh);
            const kpi = document.querySelector('#kpi-strip [data-indicator]') || !document.getElementById('kpi-strip');
            return kpi && seen.length && seen.every(g => g._fullLayout && g.querySelector('.main-svg')); }""",
        timeout=TIMEOUT_MS * 2,
        polling="raf",
    )
    drawn = (time.perf_counter() - began) * 1000
    _settle_load(page)
    page.wait_for_timeout(500)
    load = Load(app, sum(sizes), len(sizes), drawn)
    context.close()
    return load


def run(apps: dict[str, tuple[str, dict[str, str]]], steps: Sequence[Step], rounds: int) -> dict[str, Any]:
    """Every app measured `rounds` times in turn (same browser, same machine): changes and first loads. The
    first round of each app is its first use since it started (cold caches)."""
    results: dict[str, Any] = {name: {"changes": [], "loads": []} for name in apps}
    with sync_playwright() as pw:
        browser = launch(pw)
        for _ in range(rounds):
            for name, (url, ids) in apps.items():
                results[name]["loads"].append(first_load(browser, url, name))
                results[name]["changes"].append(filter_changes(browser, url, name, steps, ids))
        browser.close()
    return results


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
