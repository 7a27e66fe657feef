"""`make bench`: server time and bytes per filter change, cold and warm cache, on the sample dataset.

A filter change fires one callback (the URL/filter sync runs in the browser): it fills the overview and
the section in view. It is posted to /_dash-update-component through Flask's test client (no network) for
each section tab, timed, and its JSON body counted.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import SECTIONS_OUTPUT, Page
from components import ids
from components.sections import present
from data.load import Dataset, load_dataset
from data.settings import SAMPLE_DIR, Settings

CONFIG = {"lang": "zh", "theme": "light"}


def callbacks(get: Callable[[str], Any], ds: Dataset) -> dict[str, tuple[Page, dict[str, Any]]]:
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
        (ids.URL, "search"): f"?year={year}",
        (ids.FILTER_YEAR, "value"): year,
        (ids.FILTER_DISTRICTS, "value"): districts,
        (ids.CONFIG, "data"): CONFIG,
    }
    return page.body(dep, values, changed=f"{ids.FILTER_DISTRICTS}.value")


def _referer(query: str) -> dict[str, str]:
    """The header a browser sends with /_dash-layout: the page it came from (its query names the tab)."""
    return {"Referer": f"http://localhost/{query}"} if query else {}


def selections(n: int, seed: int = 7) -> list[tuple[int, list[str]]]:
    """n distinct (year, districts) filter states, as a user would click through them."""
    ds = load_dataset(SAMPLE_DIR)
    rng = random.Random(seed)
    seen: set[tuple[int, tuple[str, ...]]] = set()
    out = []
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


def run(n: int) -> str:
    """Measure n filter changes cold then warm; return a Markdown report."""
    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(cache_dir=Path(tmp) / "cache"))
        client = app.server.test_client()
        client.get("/")  # Dash sets itself up on the first request
        fired = callbacks(
            lambda path, query="": client.get(path, headers=_referer(query)).get_json(), load_dataset(SAMPLE_DIR)
        )
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
                    t0 = time.perf_counter()
                    resp = client.post("/_dash-update-component", json=payload)
                    dt = (time.perf_counter() - t0) * 1000
                    if resp.status_code != 200:
                        raise SystemExit(f"{name} failed: {resp.status_code} {resp.get_data()[:200]!r}")
                    times.setdefault((name, phase), []).append(dt)
                    total_t += dt
                    data = resp.get_data()
                    total_b += len(data)
                    total_gz += len(gzip.compress(data, 6))
                change_ms[phase].append(total_t)
                if phase == "cold":
                    sizes.append(total_b)
                    gz_sizes.append(total_gz)
    lines = [
        f"Sample dataset, {n} filter changes (distinct year × district selections), Flask test client, "
        f"Python {sys.version.split()[0]}.",
        "",
        "| one filter change, on the tab | cold p50 ms | cold p95 ms | warm p50 ms | warm p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in fired:
        c, w = times[(name, "cold")], times[(name, "warm")]
        lines.append(f"| {name} | {pct(c, 50):.1f} | {pct(c, 95):.1f} | {pct(w, 50):.1f} | {pct(w, 95):.1f} |")
    lines += [
        "",
        f"JSON per filter change: median {statistics.median(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB "
        f"raw; median {statistics.median(gz_sizes) / 1024:.1f} KB, max {max(gz_sizes) / 1024:.1f} KB gzip.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: python -m bench [--changes N]."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--changes", type=int, default=60)
    args = parser.parse_args(argv)
    sys.stdout.write(run(args.changes) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
