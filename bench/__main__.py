"""`make bench`: what a person waits for in Chromium, server time per filter change, and throughput.

Modes (default: all): `browser` (bench/browser.py: the product beside the naive peer, bench/naive_app.py),
`server` (below), `throughput` (bench/load.py: 8 clients against gunicorn, beside the peer), `lighthouse`
(bench/lighthouse.py: Lighthouse desktop on both apps), `monthly` (bench/scale.py: a generated monthly-scale
dataset beside the sample — browser, server, `app.py check` time and the workers' memory).

Server mode: server time and bytes per filter change, cold and warm cache, on the sample dataset, beside
the naive peer's one callback (bench/naive_app.py) timed the same way.

A filter change fires one callback (the URL/filter sync runs in the browser): it fills the overview and
the section in view. It is posted to /_dash-update-component through Flask's test client (no network) for
each section tab, timed, and its JSON body counted.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import sys
from collections.abc import Callable
from typing import Any

from bench import SECTIONS_OUTPUT, Page, load, serving
from components.core import ids
from components.sections import present
from components.server.settings import SAMPLE_DIR
from data.load import Dataset, load_dataset

CONFIG = {"lang": "zh", "theme": "light"}


def callbacks(get: Callable[..., Any], ds: Dataset) -> dict[str, tuple[Page, dict[str, Any]]]:
    """What a filter change fires on each section's tab (the registry): the page with that tab, its callback."""
    out = {}
    for section in present(ds):
        if section.key == "overview":
            continue
        page = Page.load(get, f"?section={section.key}")
        out[f"overview + {section.key}"] = (page, page.callback(SECTIONS_OUTPUT))
    return out


def body(page: Page, dep: dict[str, Any], year: int, districts: list[str]) -> dict[str, Any]:
    """The request a browser sends for callback `dep` after a filter change."""
    values = {
        (ids.FILTER_YEAR, "value"): year,
        (ids.FILTER_DISTRICTS, "value"): districts,
        (ids.CONFIG, "data"): CONFIG,
    }
    return page.body(dep, values, changed=f"{ids.FILTER_DISTRICTS}.value")


def selections(n: int, seed: int = 7) -> list[tuple[int, list[str]]]:
    """n distinct (year, districts) filter states, as a user would click through them."""
    ds = load_dataset(SAMPLE_DIR)
    rng = random.Random(seed)
    seen: set[tuple[int, tuple[str, ...]]] = set()
    out: list[tuple[int, list[str]]] = []
    while len(out) < n:
        year = rng.choice(ds.years)
        k = rng.choice([0, 1, 1, 2, 3])
        chosen = tuple(sorted(rng.sample(ds.district_codes, k)))
        if (year, chosen) not in seen:
            seen.add((year, chosen))
            out.append((year, list(chosen)))
    return out


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


NAIVE_ROW = "naive Dash app (its one callback)"


def run(n: int) -> str:
    """Measure n filter changes cold then warm; return a Markdown report."""
    with serving.in_process(SAMPLE_DIR) as (client, get):
        fired = callbacks(get, load_dataset(SAMPLE_DIR))
        states = selections(n)
        times: dict[tuple[str, str], list[float]] = {}
        change_ms: dict[str, list[float]] = {"cold": [], "warm": []}
        sizes: list[int] = []
        gz_sizes: list[int] = []
        for phase in ("cold", "warm"):
            for year, districts in states:
                total_t, total_b, total_gz = 0.0, 0, 0
                for name, (page, dep) in fired.items():
                    payload = body(page, dep, year, districts)
                    dt, resp = serving.post_change(client, payload, name)
                    times.setdefault((name, phase), []).append(dt)
                    total_t += dt
                    data = resp.get_data()
                    total_b += len(data)
                    total_gz += len(gzip.compress(data, 6))
                change_ms[phase].append(total_t)
                if phase == "cold":
                    sizes.append(total_b)
                    gz_sizes.append(total_gz)
    naive = _naive_times(states)
    times[(NAIVE_ROW, "cold")], times[(NAIVE_ROW, "warm")] = naive
    lines = [
        f"Sample dataset, {n} filter changes (distinct year × district selections), Flask test client, "
        f"Python {sys.version.split()[0]}; the naive peer's one callback beside it (no cache: cold and warm "
        "are two passes over the same changes).",
        "",
        "| one filter change, on the tab | cold p50 ms | cold p95 ms | warm p50 ms | warm p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in [*fired, NAIVE_ROW]:
        c, w = times[(name, "cold")], times[(name, "warm")]
        lines.append(f"| {name} | {pct(c, 50):.1f} | {pct(c, 95):.1f} | {pct(w, 50):.1f} | {pct(w, 95):.1f} |")
    product_warm = statistics.median(pct(times[(name, "warm")], 50) for name in fired)
    lines += [
        "",
        f"JSON per filter change: median {statistics.median(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB "
        f"raw; median {statistics.median(gz_sizes) / 1024:.1f} KB, max {max(gz_sizes) / 1024:.1f} KB gzip "
        "(summed over the tabs).",
        "",
        f"Ratio (warm p50, the median tab): the dashboard answers {pct(naive[1], 50) / product_warm:.1f}× faster "
        "than the naive app.",
    ]
    return "\n".join(lines)


def _naive_times(states: list[tuple[int, list[str]]]) -> tuple[list[float], list[float]]:
    """The naive peer's callback per filter change through its own test client: two passes (ms)."""
    from bench import naive_app

    client = naive_app.server.test_client()
    client.get("/")
    bodies = _naive_bodies(lambda path: client.get(path).get_json(), states)
    passes: tuple[list[float], list[float]] = ([], [])
    for out in passes:
        for payload in bodies:
            out.append(serving.post_change(client, payload, "naive app")[0])
    return passes


def _product_bodies(url: str, ds: Dataset, states: list[tuple[int, list[str]]]) -> list[dict[str, Any]]:
    """The requests of filter changes on every tab of a served product, tabs in turn."""

    def get(path: str, query: str = "") -> Any:
        return serving.get_json(url, path, query)

    fired = callbacks(get, ds)
    pages = list(fired.values())
    return [body(*pages[i % len(pages)], year, districts) for i, (year, districts) in enumerate(states)]


def _naive_bodies(get: Callable[[str], Any], states: list[tuple[int, list[str]]]) -> list[dict[str, Any]]:
    """The requests of the same filter changes on the naive peer (its one callback); `get` fetches its JSON."""
    page = Page.load(get)
    dep = page.callback("g0.figure")
    return [page.body(dep, {("year", "value"): y, ("districts", "value"): d}, changed="year.value") for y, d in states]


def throughput_report(clients: int, seconds: float, n: int = 60) -> str:
    """Filter changes per second under gunicorn (as `make serve`), the product beside the naive peer."""
    ds = load_dataset(SAMPLE_DIR)
    states = selections(n)
    rows = []
    for name, target in (("this dashboard", "app:server"), ("naive Dash app", "bench.naive_app:server")):
        with serving.serve(name, target) as served:
            bodies = (
                _product_bodies(served.url, ds, states)
                if target.startswith("app:")
                else _naive_bodies(lambda path: serving.get_json(served.url, path), states)
            )
            load.replay(name, served.url, bodies, clients=2, seconds=min(5.0, seconds))  # warm: every state seen
            rows.append(load.replay(name, served.url, bodies, clients=clients, seconds=seconds))
    lines = [
        f"gunicorn, {serving.WORKERS} workers (as `make serve`), {clients} concurrent clients (processes) for "
        f"{seconds:.0f} s each, {n} distinct filter changes replayed (warm), on this {os.cpu_count()}-core machine.",
        "",
        "| app | changes/s | changes | errors | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.app} | {r.per_second:.0f} | {r.changes} | {r.errors} | {r.p50_ms:.1f} | {r.p95_ms:.1f} |" for r in rows
    ]
    lines += ["", f"Ratio: {rows[0].per_second / max(rows[1].per_second, 1e-9):.1f}× the naive app's throughput."]
    return "\n".join(lines)


def browser_report(changes: int, rounds: int) -> str:
    """What a person waits for in Chromium: filter changes and the first load, the product beside the peer."""
    from bench import browser

    ds = load_dataset(SAMPLE_DIR)
    codes = ds.district_codes[:6]
    with (
        serving.serve("product", "app:server") as product,
        serving.serve("naive", "bench.naive_app:server") as naive,
    ):
        apps = {
            "this dashboard": (f"{product.url}/", {"year": ids.FILTER_YEAR, "districts": ids.FILTER_DISTRICTS}),
            "naive Dash app": (f"{naive.url}/", {"year": "year", "districts": "districts"}),
        }
        results = browser.run(apps, browser.year_district_steps(ds.years, codes, changes), rounds)
    lines = [
        f"Debian Chromium (headless, no GPU) at {browser.VIEWPORT['width']}×{browser.VIEWPORT['height']}, sample "
        f"dataset, {changes} filter changes per run (year and district changes alternating), {rounds} run(s) per "
        "app in turn; medians over the runs. Filter change: from the input to the frame after the last redraw.",
        "",
        "| app | filter change p50 ms | p95 ms | charts redrawn per change | first load KiB | requests | "
        "first screen ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    p50 = {}
    for name, r in results.items():
        ch, ld = r["changes"], r["loads"]
        p50[name] = browser.median([c.pct(50) for c in ch])
        plots = browser.median([statistics.mean(c.plots) for c in ch])
        lines.append(
            f"| {name} | {p50[name]:.0f} | {browser.median([c.pct(95) for c in ch]):.0f} | {plots:.1f} | "
            f"{browser.median([x.bytes for x in ld]) / 1024:.0f} | {browser.median([x.requests for x in ld]):.0f} | "
            f"{browser.median([x.first_screen_ms for x in ld]):.0f} |"
        )
    mine, peer = p50["this dashboard"], p50["naive Dash app"]
    lines += ["", f"Ratio (p50): the dashboard is {peer / max(mine, 1e-9):.1f}× faster than the naive app."]
    return "\n".join(lines)


def lighthouse_report(rounds: int, warm: bool = True) -> str:
    """Lighthouse (desktop, no throttling) on the product's dashboard, the naive peer and the bare Dash page
    (the framework's floor on this machine), medians of runs."""
    from bench import lighthouse

    rows = []
    apps = (
        ("this dashboard", "app:server"),
        ("naive Dash app", "bench.naive_app:server"),
        ("bare Dash page (floor)", "bench.bare_app:server"),
    )
    for name, target in apps if warm else apps[:1]:  # the smoke run: the dashboard only
        with serving.serve(name, target) as served:
            if warm:
                lighthouse.run(f"{served.url}/")  # a first run warms the server's caches
            for mobile in (False, True):
                runs = [lighthouse.run(f"{served.url}/", mobile=mobile) for _ in range(rounds)]
                rows.append((f"{name} (mobile)" if mobile else name, lighthouse.median(runs)))
    lines = [
        f"Lighthouse {lighthouse.VERSION}, Debian Chromium: the desktop preset without throttling, and the mobile "
        f"form factor (a 412×823 phone, the phone layout) with Lighthouse's own throttling (slow 4G, 4× CPU); "
        f"median of {rounds} run(s) per app and form{' after one warm-up run' if warm else ''}.",
        "",
        "| app | performance | accessibility | total blocking time ms | CLS | LCP ms | FCP ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {n} | {s.performance:.0f} | {s.accessibility:.0f} | {s.tbt_ms:.0f} | {s.cls:.3f} | {s.lcp_ms:.0f} | "
        f"{s.fcp_ms:.0f} |"
        for n, s in rows
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: python -m bench [server|browser|throughput|lighthouse|monthly|all] [--smoke] [options]."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=(__doc__ or "").split("\n\n")[0])
    modes_all = ["server", "browser", "throughput", "lighthouse", "monthly"]
    parser.add_argument("mode", nargs="?", default="all", choices=[*modes_all, "all"])
    parser.add_argument("--changes", type=int, default=None, help="filter changes (server 60, browser 30, monthly 40)")
    parser.add_argument("--rounds", type=int, default=3, help="browser runs per app")
    parser.add_argument("--clients", type=int, default=8, help="throughput: concurrent clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="throughput: seconds per app")
    parser.add_argument("--smoke", action="store_true", help="a short run of each (the test suite's check)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.changes, args.rounds, args.seconds = args.changes or 4, 1, 2.0
    modes = modes_all if args.mode == "all" else [args.mode]
    for mode in modes:
        if mode == "server":
            report = run(args.changes or 60)
        elif mode == "browser":
            report = browser_report(args.changes or 30, args.rounds)
        elif mode == "monthly":
            from bench import scale

            report = scale.report(args.changes or 40, args.rounds, tiny=args.smoke)
        elif mode == "throughput":
            report = throughput_report(args.clients, args.seconds)
        else:
            report = lighthouse_report(args.rounds, warm=not args.smoke)
        sys.stdout.write(f"## {mode}\n\n{report}\n\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
