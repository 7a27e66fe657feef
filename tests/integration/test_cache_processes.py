"""The result cache with real processes: a database made unwritable while serving (chmod, or chattr as root), a
cache directory of another user refused by `app.py run` and gunicorn in one line, and the Redis cache surviving
a redis-server that dies. The faults that need no process are tests/unit/test_cache_faults.py."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cache_helpers import IS_ROOT, MINIMAL, broken_copies, cache_app, check_a_fault_while_serving
from redis_helpers import RedisServer, free_port

from components.server import cache as cache_mod
from components.server.cache import CacheDirError, RedisCache
from components.server.settings import ROOT


@pytest.fixture
def quick(monkeypatch) -> None:
    """Check the directory on every call (normally once a second)."""
    monkeypatch.setattr(cache_mod, "CHECK_SECONDS", 0.0)


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


def test_an_unwritable_cache_while_serving_costs_the_cache_not_the_answer_and_the_cache_comes_back(
    tmp_path, quick, caplog
) -> None:
    # (chmod does not stop an open database's writes: as a normal user the fault may go unseen)
    check_a_fault_while_serving(tmp_path, caplog, _unwritable, noticed=IS_ROOT)


def test_a_cache_directory_owned_by_another_user_is_refused_with_one_line(tmp_path) -> None:
    if not IS_ROOT:
        pytest.skip("only root can give a directory to another user (chown nobody)")
    import pwd

    nobody = pwd.getpwnam("nobody")
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    os.chown(cache_dir, nobody.pw_uid, nobody.pw_gid)
    with pytest.raises(CacheDirError) as caught:
        cache_app(cache_dir, MINIMAL)
    message = str(caught.value)
    assert "\n" not in message
    assert str(cache_dir) in message
    assert "STI_CACHE_DIR" in message
    assert not broken_copies(cache_dir), "another user's directory is not touched"

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
