"""The result cache is disposable: damaged at start, broken while serving, or on a Redis that dies, the app
answers every callback 200 with the right numbers, and the cache comes back by itself. Real diskcache
directories; no mocks. (A real redis-server, `app.py run` and gunicorn refusing a directory, and chattr as root:
tests/integration/test_cache_processes.py.)"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app import create_app
from bench import SECTIONS_OUTPUT, Page
from components.server import cache as cache_mod
from components.server.cache import ResultCache
from components.server.services import CONFIG_KEY
from components.server.settings import ROOT, SAMPLE_DIR, Settings

PATENTS_2012 = "73,647"  # the city's 2012 patent applications in the sample (KPI text)
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"  # three districts, one year: quick to compute
PATENTS_MINIMAL = "2,470"  # its city's 2020 patent applications (1200 + 860 + 410)
IS_ROOT = os.geteuid() == 0


def _sections_call(app, year: int = 2012, districts: tuple[str, ...] = ()) -> Callable[[], tuple[int, str]]:
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


def _app(cache_dir: Path, data_dir: Path = SAMPLE_DIR):
    return create_app(Settings(data_dir=data_dir, cache_dir=cache_dir, prewarm=False))


@pytest.fixture
def quick(monkeypatch) -> None:
    """Check the directory on every call (normally once a second)."""
    monkeypatch.setattr(cache_mod, "CHECK_SECONDS", 0.0)


def _broken(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.parent.glob(cache_dir.name + ".broken-*"))


def test_a_garbage_cache_db_at_start_is_moved_aside_and_the_app_serves_correct_numbers(tmp_path, caplog) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    (cache_dir / "cache.db").write_bytes(os.urandom(8192))
    with caplog.at_level(logging.WARNING, logger="components.server.cache"):
        app = _app(cache_dir)
    (aside,) = _broken(cache_dir)
    assert (aside / "cache.db").stat().st_size == 8192, "the damaged database is kept for a look"
    assert any(str(cache_dir) in r.getMessage() and str(aside) in r.getMessage() for r in caplog.records)
    call = _sections_call(app)
    status, text = call()
    assert status == 200
    assert PATENTS_2012 in text
    cache = app.server.config[CONFIG_KEY].cache
    hits, misses = cache.hits, cache.misses
    assert call() == (200, text)
    assert (cache.hits > hits, cache.misses) == (True, misses), "the rebuilt cache serves hits"
    assert oct(cache_dir.stat().st_mode & 0o777) == "0o700"


def test_a_damaged_jobs_cache_at_start_is_moved_aside(tmp_path) -> None:
    jobs = tmp_path / "cache" / "jobs"
    jobs.mkdir(parents=True, mode=0o700)
    (jobs / "cache.db").write_bytes(b"not a database" * 100)
    app = _app(tmp_path / "cache", MINIMAL)
    (aside,) = _broken(jobs)
    assert (aside / "cache.db").read_bytes().startswith(b"not a database")
    assert (jobs / "cache.db").read_bytes().startswith(b"SQLite format 3")
    status, text = _sections_call(app, 2020)()
    assert status == 200
    assert PATENTS_MINIMAL in text


def _deleted(cache_dir: Path) -> contextlib.AbstractContextManager[None]:
    shutil.rmtree(cache_dir)
    return contextlib.nullcontext()


def _garbage_in_place(cache_dir: Path) -> contextlib.AbstractContextManager[None]:
    with (cache_dir / "cache.db").open("r+b") as f:  # the same file, overwritten: the open database is garbage
        f.write(os.urandom(16384))
    return contextlib.nullcontext()


@contextlib.contextmanager
def _replaced_by_a_directory(cache_dir: Path) -> Iterator[None]:
    """cache.db becomes a directory (sqlite cannot open it, whoever runs): out of reach, not damaged."""
    for p in cache_dir.glob("cache.db*"):
        p.unlink()
    (cache_dir / "cache.db").mkdir()
    try:
        yield
    finally:
        (cache_dir / "cache.db").rmdir()


@pytest.mark.parametrize(
    "fault", [_deleted, _garbage_in_place, _replaced_by_a_directory], ids=lambda f: f.__name__.strip("_")
)
def test_a_fault_while_serving_costs_the_cache_not_the_answer_and_the_cache_comes_back(
    tmp_path, quick, caplog, fault
) -> None:
    """(`_unwritable`, which runs chattr as root, is tests/integration/test_cache_processes.py.)"""
    # (garbage over an open database's file goes unseen while sqlite answers from its write-ahead log and page
    # cache — the answers are what matters)
    check_a_fault_while_serving(tmp_path, caplog, fault, noticed=fault is not _garbage_in_place)


def check_a_fault_while_serving(tmp_path: Path, caplog, fault, noticed: bool) -> None:
    """The cache `fault` strikes a serving app: every answer is still right, the fault is logged when `noticed`,
    and the cache comes back."""
    cache_dir = tmp_path / "cache"
    app = _app(cache_dir, MINIMAL)
    cache: ResultCache = app.server.config[CONFIG_KEY].cache
    cache.faults.retry_seconds = 0.3
    city, district = _sections_call(app, 2020), _sections_call(app, 2020, ("339902",))
    reference = _app(tmp_path / "reference", MINIMAL)  # the district's answer from a cache of its own
    expected = _sections_call(reference, 2020, ("339902",))()
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


def test_an_undecodable_entry_is_computed_afresh(tmp_path) -> None:
    """Text in the store that is not JSON (someone else's write to a shared store) is a miss, not a 400."""
    app = _app(tmp_path / "cache", MINIMAL)
    svc = app.server.config[CONFIG_KEY]
    ds = svc.store.get()
    assert svc.cached("probe", ds, ("p",), lambda: {"a": 1}) == {"a": 1}
    svc.cache._store.set("|".join(["probe", svc.code, ds.version, "p"]), "{not json")
    assert svc.cached("probe", ds, ("p",), lambda: {"a": 2}) == {"a": 2}
