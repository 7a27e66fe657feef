"""`python -m bench monthly`: the monthly-scale benchmark, beside the sample measured the same way in the same run.

The monthly dataset (bench/monthly.py: 30 districts × 10 years × 12 months × 40 indicators, 100k enterprise
certifications, seismic outages) is generated into a temporary directory; then, for the sample and for it:

- **check**: the wall time of `python app.py check DIR` (a process of its own, as a person runs it);
- **server**: the app in this process (`create_app`, the Flask test client, no network, no prewarm), the page's
  layout read for every tab (as a browser loading it), then each filter change posted to every tab on a cold
  cache — the very first change after the server started is the first of them — and again, warm. A change
  is the request a browser on that tab sends;
- **served**: gunicorn as `make serve` (its configuration, 2 workers, prewarm on — but a worker's timeout of
  WORKER_TIMEOUT_S, see below), the naive peer (bench/naive_app.py) under the same gunicorn over the same
  files; the first request each product worker answered (it sets Dash up); the workers' resident memory
  once every product worker has answered (dataset loaded, prewarm done); then Chromium (bench/browser.py)
  driving the filter changes on both, `rounds` runs per app in turn. The product's first run is its first
  use since it started: every period it picks is new to it (the prewarm computes whole years only), so its
  slowest change is the cold one.

Changes on the sample: year and district changes alternating (as `python -m bench browser`). On the monthly
data: a month or quarter picked in #filter-period for the whole city (each new to the page), a district picked,
the basis switched (#filter-basis), back to the whole city, in turn, in the latest (still running) year.
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import SECTIONS_OUTPUT, Page, id_text, monthly, serving
from components.core import ids
from components.server.settings import ROOT, SAMPLE_DIR
from data.load import Dataset, load_dataset

CONFIG = {"lang": "zh", "theme": "light"}
# gunicorn as `make serve` runs it (its configuration: access log with durations and workers), except that a
# worker may stay silent for WORKER_TIMEOUT_S instead of 60 s: on the monthly data a worker's first request
# takes longer than 60 s, and gunicorn would kill it (reported in the table: "first request of each worker").
WORKER_TIMEOUT_S = 600
PRODUCT_GUNICORN = ["-c", "python:components.server.gunicorn_conf", "--timeout", str(WORKER_TIMEOUT_S)]
# Periods picked in the running year, in this order: none is the page's opening one (its latest month).
PERIODS = ("M10", "M06", "Q3", "M03", "M08", "Q2", "M05", "M09", "M07", "M04", "Q1", "M02")
CHANGED = {  # the filter a change moves: its component
    "year": ids.FILTER_YEAR,
    "districts": ids.FILTER_DISTRICTS,
    "period": ids.FILTER_PERIOD,
    "basis": ids.FILTER_BASIS,
}
# The charts in view when the page is scrolled to a tab's charts: two rows of a 1920×1080 window (on landing
# only the overview's map is in view: measured in Chromium with the page's own page-visible-charts).
IN_VIEW = 4
GOALS = {  # the goals this mode reports against
    "browser_p95_ms": 120.0,
    "naive_ratio": 3.0,
    "max_change_ms": 1000.0,
    "server_warm_p95_ms": 10.0,
    "check_s": 15.0,
    "rss_mib": 600.0,
}


@dataclass
class Figures:
    """One dataset's figures."""

    name: str
    rows: int = 0
    check_s: float = 0.0
    server_cold: list[float] = field(default_factory=list)  # ms per change, first pass (cold cache)
    server_warm: list[float] = field(default_factory=list)  # the same changes again
    # the same changes again as a browser sends them: the tab's record of what it shows, and the charts in view
    server_page: list[float] = field(default_factory=list)
    layout_s: float = 0.0  # the page's layout for every tab, on a cold cache
    ready_s: float = 0.0  # gunicorn start until each product worker answered, the prewarm done
    first_requests_ms: list[float] = field(default_factory=list)  # each product worker's first request
    answer_bytes: list[int] = field(default_factory=list)  # the server's answers (raw JSON), warm pass
    server_labels: list[str] = field(default_factory=list)  # each server change: what moved, on which tab
    rss_mib: list[float] = field(default_factory=list)  # the product's workers after load
    naive_rss_mib: list[float] = field(default_factory=list)
    browser: dict[str, Any] = field(default_factory=dict)  # bench.browser.run's results
    kinds: list[str] = field(default_factory=list)  # the filter each browser change moved


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def check_seconds(data_dir: Path) -> float:
    """Wall time of `python app.py check DIR` (it must pass)."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "app.py", "check", str(data_dir)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"app.py check {data_dir} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def views(ds: Dataset, n: int) -> list[tuple[int, str, str, list[str]]]:
    """The views the browser's changes visit, one per change: (year, period, basis, districts)."""
    if ds.periods:  # the page opens on the latest year's latest period
        year = max(ds.periods)
        view: dict[str, Any] = {"year": year, "period": ds.periods[year][-1], "basis": "ytd", "districts": []}
    else:
        view = {"year": ds.years[-1], "period": "", "basis": "ytd", "districts": []}
    out = []
    for key, value in steps_for(ds, n):
        view[key] = value
        out.append((view["year"], view["period"], view["basis"], list(view["districts"])))
    return out


def steps_for(ds: Dataset, n: int) -> list[tuple[str, Any]]:
    """The browser's filter changes for a dataset (see the module)."""
    from bench import browser

    if ds.periods:
        year = max(ds.periods)
        return browser.period_steps([p for p in PERIODS if p in ds.periods[year]], ds.district_codes, n)
    return browser.year_district_steps(ds.years, ds.district_codes, n)


def _body(page: Page, dep: dict[str, Any], view: tuple[int, str, str, list[str]], changed: str) -> dict[str, Any]:
    year, period, basis, districts = view
    values = {
        (ids.FILTER_YEAR, "value"): year,
        (ids.FILTER_DISTRICTS, "value"): districts,
        (ids.FILTER_PERIOD, "value"): period,
        (ids.FILTER_BASIS, "value"): basis,
        (ids.CONFIG, "data"): CONFIG,
    }
    return page.body(dep, values, changed=changed)


def server_times(data_dir: Path, ds: Dataset, n: int, fig: Figures) -> None:
    """Each change posted once cold, then warm, through the test client of an app built in this process."""
    with serving.in_process(data_dir) as (client, get):
        t0 = time.perf_counter()
        pages = []
        tabs = _tabs(ds)
        for section in tabs:
            page = Page.load(get, f"?section={section}")
            pages.append((page, page.callback(SECTIONS_OUTPUT)))
        fig.layout_s = time.perf_counter() - t0
        kinds = [k for k, _ in steps_for(ds, n)]
        bodies = [  # every change on every tab, every chart answered (no record, no charts in view sent)
            _body(page, dep, view, f"{CHANGED[kinds[i]]}.value")
            for i, view in enumerate(views(ds, n))
            for page, dep in pages
        ]
        view_list = views(ds, n)
        fig.server_labels = [
            f"{kinds[i]} {_view_text(view_list[i])} on {tab}" for i in range(len(view_list)) for tab in tabs
        ]
        for out in (fig.server_cold, fig.server_warm):
            for payload in bodies:
                ms, resp = serving.post_change(client, payload)
                out.append(ms)
                if out is fig.server_warm:
                    fig.answer_bytes.append(len(resp.get_data()))
        browser_times(client, pages, ds, n, fig)


def _records(page: Page, answered: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
    """The tab's records after an answer (`held`: before it), as the page's stores hold them."""
    out = dict(held)
    for cid in page.resolve({"type": ids.DRAWN, "section": ["ALL"], "name": ["ALL"]}):
        text = id_text(cid)
        got = answered.get(text, {}).get("data")
        if got is not None:
            out[text] = got
    return out


def browser_times(client: Any, pages: list[tuple[Page, dict[str, Any]]], ds: Dataset, n: int, fig: Figures) -> None:
    """The changes again, each as a browser on its tab sends it (warm cache): with the tab's record of what it
    shows (so only the charts whose data moved are answered) and the page scrolled to the tab's first
    IN_VIEW charts (the others are left stale until they scroll into view, as on the page)."""
    kinds = [k for k, _ in steps_for(ds, n)]
    for page, dep in pages:
        graphs = list(page.resolve({"type": ids.GRAPH, "section": ["ALL"], "name": ["ALL"]}))
        shown = [g["name"] for g in graphs if g["section"] != "overview"][:IN_VIEW] or [graphs[0]["name"]]
        held: dict[str, Any] = {}
        for i, view in enumerate(views(ds, n)):
            body = _body(page, dep, view, f"{CHANGED[kinds[i]]}.value")
            for item in body["state"]:
                if isinstance(item, list):  # the records (ALL): as the page holds them
                    for rec in item:
                        rec["value"] = held.get(id_text(rec["id"]))
                elif item["id"] == ids.VISIBLE:
                    item["value"] = shown
            ms, resp = serving.post_change(client, body)
            fig.server_page.append(ms)
            held = _records(page, resp.get_json().get("response", {}), held)


def _view_text(view: tuple[int, str, str, list[str]]) -> str:
    year, period, basis, districts = view
    return f"{year}{'-' + period if period else ''} {basis} {','.join(districts) or 'city'}"


def _tabs(ds: Dataset) -> list[str]:
    from components.sections import present

    return [s.key for s in present(ds) if s.key != "overview"]


def served_times(data_dir: Path, ds: Dataset, n: int, rounds: int, fig: Figures) -> None:
    """gunicorn for the product and the peer over `data_dir`: workers' memory, then the browser's changes."""
    from bench import browser

    steps = steps_for(ds, n)
    fig.kinds = [k for k, _ in steps]
    env = {"STI_DATA_DIR": str(data_dir), "STI_BENCH_NAIVE_DATA": str(data_dir)}
    with (
        serving.serve("product", "app:server", env, 1800, PRODUCT_GUNICORN, every_worker=True) as product,
        serving.serve("naive", "bench.naive_app:server", env, 600, ["--timeout", str(WORKER_TIMEOUT_S)]) as naive,
    ):
        fig.ready_s = product.ready_s
        fig.first_requests_ms = sorted(product.first_requests_ms().values())
        fig.rss_mib = product.worker_rss_mib()
        fig.naive_rss_mib = naive.worker_rss_mib()
        product_ids = {
            "year": ids.FILTER_YEAR,
            "districts": ids.FILTER_DISTRICTS,
            "period": ids.FILTER_PERIOD,
            "basis": ids.FILTER_BASIS,
        }
        naive_ids = {"year": "year", "districts": "districts", "period": "period", "basis": "basis"}
        apps = {"this dashboard": (f"{product.url}/", product_ids), "naive Dash app": (f"{naive.url}/", naive_ids)}
        fig.browser = browser.run(apps, steps, rounds)


def measure(name: str, data_dir: Path, n: int, rounds: int, log: Callable[[str], None]) -> Figures:
    """Every figure of one dataset."""
    ds = load_dataset(data_dir)
    fig = Figures(name, rows=len(ds.periodic) if ds.periodic is not None else len(ds.observations))
    log(f"{name}: app.py check")
    fig.check_s = check_seconds(data_dir)
    log(f"{name}: server (test client), {n} changes cold then warm")
    server_times(data_dir, ds, n, fig)
    del ds
    gc.collect()  # the app built in this process is gone: only the served ones hold the data
    log(f"{name}: gunicorn + Chromium, {n} changes × {rounds} run(s) per app")
    served_times(data_dir, load_dataset(data_dir), n, rounds, fig)
    return fig


def _browser(fig: Figures, app: str) -> tuple[float, float, float]:
    """p50 and p95 (medians over the runs) and the slowest single change of all runs (ms)."""
    runs = fig.browser[app]["changes"]
    return (
        statistics.median(r.pct(50) for r in runs),
        statistics.median(r.pct(95) for r in runs),
        max(max(r.times) for r in runs),
    )


def _kind_p95(fig: Figures, kind: str) -> str:
    """The product's p95 over the changes that moved one filter (medians over the runs)."""
    runs = fig.browser["this dashboard"]["changes"]
    per_run = [[t for t, k in zip(r.times, fig.kinds, strict=True) if k == kind] for r in runs]
    return f"{statistics.median(pct(ts, 95) for ts in per_run):.0f}" if per_run[0] else "—"


def _slowest_cold(fig: Figures) -> str:
    k = max(range(len(fig.server_cold)), key=fig.server_cold.__getitem__)
    return fig.server_labels[k]


def _plots(fig: Figures) -> float:
    return statistics.median(statistics.mean(r.plots) for r in fig.browser["this dashboard"]["changes"])


def _first_screen(fig: Figures, app: str) -> float:
    return float(fig.browser[app]["loads"][0].first_screen_ms)


def _cold(fig: Figures) -> tuple[float, str, float]:
    """The product's first browser run (its first use): its first change, its slowest change and what moved."""
    times = fig.browser["this dashboard"]["changes"][0].times
    k = max(range(len(times)), key=times.__getitem__)
    return times[0], fig.kinds[k], times[k]


def table(figs: Sequence[Figures], n: int, rounds: int) -> str:
    """The side-by-side table of the figures, and what each figure is."""
    cols = " | ".join(f.name for f in figs)
    lines = [
        f"{n} filter changes per run, {rounds} run(s) per app in Chromium; server: the same {n} changes through the "
        f"test client, cold then warm; Python {sys.version.split()[0]}.",
        "",
        f"| figure | {cols} | goal (monthly) |",
        "|---|" + "---:|" * len(figs) + "---|",
    ]

    def row(label: str, cells: Sequence[str], goal: str = "") -> None:
        lines.append(f"| {label} | {' | '.join(cells)} | {goal} |")

    row("observation rows", [f"{f.rows:,}" for f in figs])
    b = {f.name: _browser(f, "this dashboard") for f in figs}
    nb = {f.name: _browser(f, "naive Dash app") for f in figs}
    row("browser: change p50 ms", [f"{b[f.name][0]:.0f}" for f in figs])
    row("browser: change p95 ms", [f"{b[f.name][1]:.0f}" for f in figs], f"≤ {GOALS['browser_p95_ms']:.0f}")
    row("naive peer: change p50 / p95 ms", [f"{nb[f.name][0]:.0f} / {nb[f.name][1]:.0f}" for f in figs])
    row(
        "ratio to the naive peer (p50; p95)",
        [f"{nb[f.name][0] / b[f.name][0]:.1f}×; {nb[f.name][1] / b[f.name][1]:.1f}×" for f in figs],
        f"≥ {GOALS['naive_ratio']:.0f}×",
    )
    for kind in ("year", "period", "basis", "districts"):
        cells = [_kind_p95(f, kind) for f in figs]
        if any(c != "—" for c in cells):
            row(f"browser: p95 ms of {kind} changes", cells)
    row("browser: charts redrawn per change (mean)", [f"{_plots(f):.1f}" for f in figs])
    row("slowest single change, all runs, ms", [f"{b[f.name][2]:.0f}" for f in figs], f"≤ {GOALS['max_change_ms']:.0f}")
    cold = {f.name: _cold(f) for f in figs}
    row("browser, first run: first change ms", [f"{cold[f.name][0]:.0f}" for f in figs])
    row("browser, first run: slowest change ms (what moved)", [f"{c[2]:.0f} ({c[1]})" for c in cold.values()])
    row("browser: first screen ms, first load after start", [f"{_first_screen(f, 'this dashboard'):.0f}" for f in figs])
    page = [f"{pct(f.server_page, 50):.1f} / {pct(f.server_page, 95):.1f}" for f in figs]
    row("server: change warm p50 / p95 ms, as a browser sends it", page, f"p95 ≤ {GOALS['server_warm_p95_ms']:.0f}")
    warm = [f"{pct(f.server_warm, 50):.1f} / {pct(f.server_warm, 95):.1f}" for f in figs]
    row("server: change warm p50 / p95 ms, every chart of the tab answered", warm)
    row("server: change cold p50 / max ms", [f"{pct(f.server_cold, 50):.0f} / {max(f.server_cold):.0f}" for f in figs])
    row("server: slowest cold change (what moved, on which tab)", [_slowest_cold(f) for f in figs])
    row("server: first change after start ms", [f"{f.server_cold[0]:.0f}" for f in figs])
    kb = [f"{statistics.median(f.answer_bytes) / 1024:.1f} / {max(f.answer_bytes) / 1024:.1f}" for f in figs]
    row("server: answer per change, median / max KB (raw JSON)", kb)
    row("server: page layout of every tab, cold, s", [f"{f.layout_s:.1f}" for f in figs])
    row("`app.py check DIR` s", [f"{f.check_s:.1f}" for f in figs], f"≤ {GOALS['check_s']:.0f}")
    row("gunicorn: start to ready (every worker answered, prewarm done) s", [f"{f.ready_s:.0f}" for f in figs])
    row("gunicorn: first request of each worker s (make serve kills a worker at 60)",
        [" / ".join(f"{ms / 1000:.1f}" for ms in f.first_requests_ms) for f in figs])  # fmt: skip
    row("product worker RSS after load MiB (each)", [" / ".join(f"{r:.0f}" for r in f.rss_mib) for f in figs],
        f"≤ {GOALS['rss_mib']:.0f}")  # fmt: skip
    row("naive peer worker RSS MiB (each)", [" / ".join(f"{r:.0f}" for r in f.naive_rss_mib) for f in figs])
    return "\n".join(lines)


def missed(fig: Figures) -> list[str]:
    """The goals the monthly figures miss."""
    p50, p95, slowest = _browser(fig, "this dashboard")
    n50 = _browser(fig, "naive Dash app")[0]
    checks = [
        ("browser p95", p95, p95 <= GOALS["browser_p95_ms"]),
        ("ratio to the naive peer (p50)", n50 / p50, n50 / p50 >= GOALS["naive_ratio"]),
        ("slowest single change", slowest, slowest <= GOALS["max_change_ms"]),
        ("server warm p95", pct(fig.server_page, 95), pct(fig.server_page, 95) <= GOALS["server_warm_p95_ms"]),
        ("app.py check", fig.check_s, fig.check_s <= GOALS["check_s"]),
        ("worker RSS", max(fig.rss_mib), max(fig.rss_mib) <= GOALS["rss_mib"]),
        ("server cold: slowest change", max(fig.server_cold), max(fig.server_cold) <= GOALS["max_change_ms"]),
    ]
    if fig.first_requests_ms:  # what the first person after a start waits for, on each worker
        first = max(fig.first_requests_ms)
        checks.append(("a worker's first request after start", first, first <= GOALS["max_change_ms"]))
    return [f"{name} ({value:.1f})" for name, value, ok in checks if not ok]


def report(n: int, rounds: int, tiny: bool = False) -> str:
    """The monthly-scale report: the sample and the monthly data, side by side (`tiny`, the smoke run: the
    monthly data only, at its tiny size)."""

    def log(text: str) -> None:
        sys.stderr.write(f"[bench monthly] {text}\n")
        sys.stderr.flush()

    with tempfile.TemporaryDirectory(prefix="sti-bench-monthly-") as tmp:
        size = monthly.TINY if tiny else monthly.FULL
        t0 = time.perf_counter()
        data_dir = monthly.generate(Path(tmp) / "monthly", size)
        log(f"generated the monthly dataset in {time.perf_counter() - t0:.1f} s")
        figs = [] if tiny else [measure("sample", SAMPLE_DIR, n, rounds, log)]
        figs.append(measure("monthly", data_dir, n, rounds, log))
    lines = [
        f"The monthly dataset: {size.districts} districts × {size.years} years ({size.year_list[0]}–"
        f"{size.year_list[-1]}, the last to month {size.last_month}) × 40 indicators, "
        f"{size.certifications:,} enterprise certifications, {size.stations} stations (bench/monthly.py).",
        "",
        table(figs, n, rounds),
    ]
    goals = missed(figs[-1])
    lines += ["", "Goals missed (monthly): " + ("; ".join(goals) if goals else "none") + "."]
    return "\n".join(lines)
