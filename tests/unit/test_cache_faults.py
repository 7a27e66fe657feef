"""The result cache is disposable: damaged at start, broken while serving, or on a Redis that dies, the app
answers every callback 200 with the right numbers, and the cache comes back by itself. Real diskcache
directories, a real redis-server, a real `app.py run` and gunicorn for the refusal; no mocks."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from integration.redis_helpers import RedisServer, free_port

from app import create_app
from bench import SECTIONS_OUTPUT, Page
from components.server import cache as cache_mod
from components.server.cache import CacheDirError, RedisCache, ResultCache
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


@contextlib.contextmanager
def _unwritable(cache_dir: Path) -> Iterator[None]:
    """Make the database unwritable: chmod for a normal user (the open database then still works, only new
    connections fail); as root (whom chmod does not stop) the directory, the database and its write-ahead log are
    made immutable with chattr. (Not the shared-memory index: sqlite maps it, and a write to an immutable mapping
    kills the process with SIGBUS; no operator's chmod does that.)"""
    files = [cache_dir, *(p for p in cache_dir.iterdir() if p.name in ("cache.db", "cache.db-wal"))]
    if IS_ROOT:
        if not shutil.which("chattr"):
            pytest.skip("as root only chattr makes a file unwritable, and it is not installed")
        done = subprocess.run(["chattr", "+i", *map(str, files)], capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"chattr +i not possible here: {done.stderr.strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, files)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in files}
        for p in files:
            p.chmod(0o500 if p.is_dir() else 0o400)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


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
    "fault", [_deleted, _garbage_in_place, _replaced_by_a_directory, _unwritable], ids=lambda f: f.__name__.strip("_")
)
def test_a_fault_while_serving_costs_the_cache_not_the_answer_and_the_cache_comes_back(
    tmp_path, quick, caplog, fault
) -> None:
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
        # (chmod does not stop an open database's writes; garbage over an open database's file goes unseen while
        # sqlite answers from its write-ahead log and page cache — the answers above are what matters)
        if fault is not _garbage_in_place and (fault is not _unwritable or IS_ROOT):
            assert "unusable" in seen or "damaged" in seen or "reopened" in seen, "the fault was noticed"
    time.sleep(0.35)  # the back-off
    assert district() == expected
    hits, misses = cache.hits, cache.misses
    assert district() == expected
    back = (cache.hits > hits, cache.misses)
    assert back == (True, misses), f"the cache is back after {fault.__name__} (failures: {cache.faults.failures})"
    assert len([r for r in caplog.records if "unusable" in r.getMessage()]) <= 1, "one warning a minute at most"


def test_a_cache_directory_owned_by_another_user_is_refused_with_one_line(tmp_path) -> None:
    if not IS_ROOT:
        pytest.skip("only root can give a directory to another user (chown nobody)")
    import pwd

    nobody = pwd.getpwnam("nobody")
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    os.chown(cache_dir, nobody.pw_uid, nobody.pw_gid)
    with pytest.raises(CacheDirError) as caught:
        _app(cache_dir, MINIMAL)
    message = str(caught.value)
    assert "\n" not in message
    assert str(cache_dir) in message
    assert "STI_CACHE_DIR" in message
    assert not _broken(cache_dir), "another user's directory is not touched"

    env = {**os.environ, "STI_DATA_DIR": str(MINIMAL), "STI_CACHE_DIR": str(cache_dir), "STI_PREWARM": "0"}
    env.pop("DASH_DEBUG", None)
    run = subprocess.run(
        [sys.executable, "app.py", "run", "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == f"cannot start: {message}"
    assert "Traceback" not in run.stderr
    served = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{free_port()}", "app:server"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert served.returncode != 0
    assert f"cannot start: {message}" in served.stderr
    assert "Traceback" not in served.stderr


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def test_redis_cache_counts_claims_survives_a_dead_redis_and_recovers(redis) -> None:
    cache = RedisCache(redis.url, prefix="test:")
    cache.faults.retry_seconds = 0.3
    computed: list[str] = []

    def compute(text: str) -> Callable[[], str]:
        return lambda: computed.append(text) or text

    assert cache.get_or_compute("k", compute("一")) == "一"
    assert cache.get_or_compute("k", compute("二")) == "一"
    assert (cache.hits, cache.misses, computed) == (1, 1, ["一"])
    assert "k" in cache
    assert "other" not in cache
    assert cache.claim("flag", 30) is True
    assert cache.claim("flag", 30) is False
    assert RedisCache(redis.url, prefix="other:").claim("flag", 30) is True, "keys are namespaced"

    redis.stop()
    began = time.perf_counter()
    for i in range(20):
        assert cache.get_or_compute("k", compute(f"down{i}")) == f"down{i}"
    assert time.perf_counter() - began < 1.0, "a dead Redis costs milliseconds"
    assert "k" not in cache
    assert cache.claim("flag2", 30) is False
    cache.clear()  # no error either

    redis.start()  # an empty Redis (no persistence) on the same port
    time.sleep(0.35)
    assert cache.get_or_compute("k", compute("三")) == "三"
    hits = cache.hits
    assert cache.get_or_compute("k", compute("四")) == "三"
    assert cache.hits == hits + 1, "hits again once Redis is back"
    cache.clear()
    assert "k" not in cache
    assert RedisCache(redis.url, prefix="other:").claim("flag", 30) is True, "clear drops only its own prefix"
    with pytest.raises(TypeError):
        cache.get_or_compute("bytes", lambda: b"not text")  # type: ignore[arg-type, return-value]
    cache.close()


def test_an_undecodable_entry_is_computed_afresh(tmp_path) -> None:
    """Text in the store that is not JSON (someone else's write to a shared store) is a miss, not a 400."""
    app = _app(tmp_path / "cache", MINIMAL)
    svc = app.server.config[CONFIG_KEY]
    ds = svc.store.get()
    assert svc.cached("probe", ds, ("p",), lambda: {"a": 1}) == {"a": 1}
    svc.cache._store.set("|".join(["probe", svc.code, ds.version, "p"]), "{not json")
    assert svc.cached("probe", ds, ("p",), lambda: {"a": 2}) == {"a": 2}
