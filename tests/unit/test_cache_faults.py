"""The result cache is disposable: damaged at start, broken while serving, or on a Redis that dies, the app
answers every callback 200 with the right numbers, and the cache comes back by itself. Real diskcache
directories; no mocks. (A real redis-server, `app.py run` and gunicorn refusing a directory, and chattr as root:
tests/integration/test_cache_processes.py.)"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cache_helpers import (
    MINIMAL,
    PATENTS_MINIMAL,
    broken_copies,
    cache_app,
    check_a_fault_while_serving,
    sections_call,
)

from components.server import cache as cache_mod
from components.server.services import CONFIG_KEY

PATENTS_2012 = "73,647"  # the city's 2012 patent applications in the sample (KPI text)


@pytest.fixture
def quick(monkeypatch) -> None:
    """Check the directory on every call (normally once a second)."""
    monkeypatch.setattr(cache_mod, "CHECK_SECONDS", 0.0)


def test_a_garbage_cache_db_at_start_is_moved_aside_and_the_app_serves_correct_numbers(tmp_path, caplog) -> None:
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    (cache_dir / "cache.db").write_bytes(os.urandom(8192))
    with caplog.at_level(logging.WARNING, logger="components.server.cache"):
        app = cache_app(cache_dir)
    (aside,) = broken_copies(cache_dir)
    assert (aside / "cache.db").stat().st_size == 8192, "the damaged database is kept for a look"
    assert any(str(cache_dir) in r.getMessage() and str(aside) in r.getMessage() for r in caplog.records)
    call = sections_call(app)
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
    app = cache_app(tmp_path / "cache", MINIMAL)
    (aside,) = broken_copies(jobs)
    assert (aside / "cache.db").read_bytes().startswith(b"not a database")
    assert (jobs / "cache.db").read_bytes().startswith(b"SQLite format 3")
    status, text = sections_call(app, 2020)()
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


def test_an_undecodable_entry_is_computed_afresh(tmp_path) -> None:
    """Text in the store that is not JSON (someone else's write to a shared store) is a miss, not a 400."""
    app = cache_app(tmp_path / "cache", MINIMAL)
    svc = app.server.config[CONFIG_KEY]
    ds = svc.store.get()
    assert svc.cached("probe", ds, ("p",), lambda: {"a": 1}) == {"a": 1}
    svc.cache._store.set("|".join(["probe", svc.code, ds.version, "p"]), "{not json")
    assert svc.cached("probe", ds, ("p",), lambda: {"a": 2}) == {"a": 2}
