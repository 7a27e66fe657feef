"""Shared by the cache-fault tests of both tiers (tests/unit/test_cache_faults.py in-process,
tests/integration/test_cache_processes.py with real processes): an app on a cache directory, the page's
sections callback, and the check that a fault costs the cache, never the answer."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from app import create_app
from bench import SECTIONS_OUTPUT, Page
from components.server.cache import ResultCache
from components.server.services import CONFIG_KEY
from components.server.settings import ROOT, SAMPLE_DIR, Settings

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"  # three districts, one year: quick to compute


PATENTS_MINIMAL = "2,470"  # its city's 2020 patent applications (1200 + 860 + 410)


IS_ROOT = os.geteuid() == 0


def sections_call(app, year: int = 2012, districts: tuple[str, ...] = ()) -> Callable[[], tuple[int, str]]:
    """The one callback that fills every section, for `year` and `districts` (the whole city when empty), as the
    browser posts it."""
    client = app.server.test_client()
    page = Page.load(
        lambda path, query="": client.get(path, headers={"Referer": f"http://localhost/{query}"}).get_json(),
        f"?year={year}",
    )
    values = {
        ("filter-year", "value"): year,
        ("filter-districts", "value"): list(districts),
        ("page-config", "data"): {"lang": "zh", "theme": "light"},
    }
    body = page.body(page.callback(SECTIONS_OUTPUT), values, changed="filter-districts.value")

    def call() -> tuple[int, str]:
        resp = client.post("/_dash-update-component", json=body)
        return resp.status_code, resp.get_data(as_text=True)

    return call


def cache_app(cache_dir: Path, data_dir: Path = SAMPLE_DIR):
    """The app on `data_dir` with its result cache in `cache_dir` (no warm-up)."""
    return create_app(Settings(data_dir=data_dir, cache_dir=cache_dir, prewarm=False))


def broken_copies(cache_dir: Path) -> list[Path]:
    """The damaged caches moved aside next to `cache_dir`."""
    return sorted(cache_dir.parent.glob(cache_dir.name + ".broken-*"))


def check_a_fault_while_serving(tmp_path: Path, caplog, fault, noticed: bool) -> None:
    """The cache `fault` strikes a serving app: every answer is still right, the fault is logged when `noticed`,
    and the cache comes back."""
    cache_dir = tmp_path / "cache"
    app = cache_app(cache_dir, MINIMAL)
    cache: ResultCache = app.server.config[CONFIG_KEY].cache
    cache.faults.retry_seconds = 0.3
    city, district = sections_call(app, 2020), sections_call(app, 2020, ("339902",))
    reference = cache_app(tmp_path / "reference", MINIMAL)  # the district's answer from a cache of its own
    expected = sections_call(reference, 2020, ("339902",))()
    status, healthy = city()
    assert status == 200
    assert PATENTS_MINIMAL in healthy
    with caplog.at_level(logging.INFO, logger="components.server.cache"), fault(cache_dir):
        for _ in range(2):  # one view cached before the fault, one not (its results cannot be stored)
            assert city() == (200, healthy), "the same figures, with or without the cache"
            assert district() == expected
        seen = " ".join(r.getMessage() for r in caplog.records)
        if noticed:
            assert "unusable" in seen or "damaged" in seen or "reopened" in seen, "the fault was noticed"
    time.sleep(0.35)  # the back-off
    assert district() == expected
    hits, misses = cache.hits, cache.misses
    assert district() == expected
    back = (cache.hits > hits, cache.misses)
    assert back == (True, misses), f"the cache is back after {fault.__name__} (failures: {cache.faults.failures})"
    assert len([r for r in caplog.records if "unusable" in r.getMessage()]) <= 1, "one warning a minute at most"
