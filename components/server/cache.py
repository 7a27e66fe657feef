"""The result cache: disposable, shared between processes, never a reason for a request to fail.

Two stores with one interface (get_or_compute, claim, __contains__, clear, close, hits, misses):
`ResultCache` (diskcache in a private directory) and `RedisCache` (when STI_REDIS_URL is set, for several app
instances). `open_cache(settings)` picks one.

Values are JSON text only, never pickles: diskcache pickles anything that is not str/bytes/int/float, and a
pickle in a writable cache directory runs code on load (CVE-2025-69872). The directory is kept 0700 and must
be owned by the service user; one owned by anyone else is refused (`CacheDirError`), never moved or used.

A cache is only a cache. A damaged directory (garbage in cache.db, an unreadable database) is moved aside to
`<dir>.broken-<UTC time>` and rebuilt, at start or while serving. A store that fails while serving (its directory
deleted, made read-only, Redis down) is bypassed: results are computed without it, a warning is logged at most
once a minute, and the store is reopened after a short back-off, by itself, once it is usable again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import diskcache

SIZE_LIMIT = 512 * 2**20
DB_NAME = "cache.db"  # diskcache's database file in the directory
RETRY_SECONDS = 5.0  # a failed store is tried again after this long
CHECK_SECONDS = 1.0  # how often the open directory is checked to still be the one on disk
WARN_SECONDS = 60.0  # at most one warning per store this often
REDIS_TIMEOUT = 0.25  # seconds: connecting to or waiting on Redis (a dead Redis costs this, then the back-off)
REDIS_TTL = 7 * 86400  # seconds an entry lives in Redis (entries of old dataset versions go by themselves)
REDIS_PREFIX = "sti:cache:"  # its own namespace: clear() leaves login counters and job slots alone

log = logging.getLogger(__name__)


class CacheDirError(ValueError):
    """A cache directory this process must not use (owned by another user); the message is one line."""


class Cache(Protocol):
    """What the app needs of a result cache."""

    hits: int
    misses: int

    def get_or_compute(self, key: str, compute: Callable[[], str]) -> str: ...
    def claim(self, key: str, seconds: float) -> bool: ...
    def __contains__(self, key: str) -> bool: ...
    def clear(self) -> None: ...
    def close(self) -> None: ...


def private_dir(path: Path) -> Path:
    """Create `path` (0700) or check an existing one is a directory owned by us (made 0700 if it was not).

    CacheDirError when something owned by another user is there: it may hold pickles planted by that user,
    and moving it aside is not ours to do either (in a sticky /tmp we could not).
    """
    path = Path(path)
    with contextlib.suppress(FileExistsError):  # a file where the directory should be: told apart below
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.lstat()
    if st.st_uid != os.getuid():
        raise CacheDirError(
            f"cache directory {path} is owned by uid {st.st_uid}, not by this user (uid {os.getuid()}): "
            f"remove it or point STI_CACHE_DIR elsewhere"
        )
    if not stat.S_ISDIR(st.st_mode):
        raise NotADirectoryError(f"cache directory {path} is not a directory")
    if stat.S_IMODE(st.st_mode) != 0o700:  # wider: private again; narrower (unreadable to us): usable again
        path.chmod(0o700)
    return path


KEEP = ("jobs",)  # the background jobs' own store inside the cache directory: moved aside only on its own


def move_aside(path: Path) -> Path:
    """Move what `path` holds into `<path>.broken-<UTC time>` (kept for a look, never read again), leaving the
    directory itself and the jobs store in it in place (open handles and other processes keep their path); a
    file is renamed. The new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = path.with_name(f"{path.name}.broken-{stamp}-{os.getpid()}")
    if path.is_symlink() or not path.is_dir():
        path.rename(aside)
        return aside
    path.chmod(0o700)  # ours (checked): an unreadable mode is no reason to give up on it
    aside.mkdir(mode=0o700)
    for entry in path.iterdir():
        if entry.name not in KEEP:
            entry.rename(aside / entry.name)
    return aside


class _UnreachableError(OSError):
    """A store that cannot be opened now (read-only, missing, not a file): not damaged, so not moved aside."""


def _open_store(directory: Path) -> diskcache.Cache:
    cache = diskcache.Cache(str(directory), size_limit=SIZE_LIMIT, disk_min_file_size=2**20)
    try:
        cache.get("\0probe")  # a database that opens but cannot be read fails here, not on the first request
    except BaseException:
        cache.close()
        raise
    return cache


def open_diskcache(directory: Path, opener: Callable[[Path], Any] = _open_store) -> Any:
    """`opener(directory)` on a private directory; a damaged one (garbage database, unreadable) is moved aside,
    with a warning naming both paths, and rebuilt empty. CacheDirError for another user's directory."""
    directory = Path(directory)
    try:
        return opener(private_dir(directory))
    except (CacheDirError, _UnreachableError):
        raise
    except (sqlite3.Error, OSError) as exc:
        try:
            aside = move_aside(directory)
        except OSError as why:
            raise CacheDirError(
                f"cache directory {directory} is unusable ({exc}) and cannot be moved aside ({why.strerror}): "
                f"remove it or point STI_CACHE_DIR elsewhere"
            ) from None
        log.warning(
            "cache directory %s is damaged (%s): moved aside to %s, starting an empty one", directory, exc, aside
        )
        return opener(private_dir(directory))


def _db_identity(directory: Path) -> tuple[int, int] | None:
    """(device, inode) of the directory's database while it is a regular file; else None.

    Only `stat`: opening and closing the database file in this process would drop the POSIX locks sqlite holds
    on it (closing any descriptor of a file releases them all), and other processes' writes would go unseen
    or worse. Garbage in an open database surfaces as sqlite's own error on the next read (`_damaged`)."""
    try:
        st = (directory / DB_NAME).stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _damaged(exc: BaseException) -> bool:
    """Whether `exc` says the database itself is garbage (move it aside), not that it is out of reach (wait)."""
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


class _Faults:
    """A store's failure state: when to try it again, and a warning at most once a minute."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.retry_seconds = RETRY_SECONDS
        self.down_until = 0.0
        self._warned_at = -WARN_SECONDS
        self.failures = 0  # counted, for the health report and the tests

    def down(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        now = time.monotonic()
        self.down_until = now + self.retry_seconds
        if now - self._warned_at >= WARN_SECONDS:
            self._warned_at = now
            log.warning(
                "%s unusable (%s: %s): computing without it, retrying every %.0f s",
                self.what,
                type(exc).__name__,
                exc,
                self.retry_seconds,
            )


class ResultCache:
    """Text results in a private diskcache directory, keyed by strings that include the dataset version (a new
    dataset never hits old entries). Shared by every process using the directory; never raises."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0
        self.faults = _Faults(f"result cache {self.directory}")
        self._lock = threading.Lock()
        self._store: diskcache.Cache | None = open_diskcache(self.directory)
        self._identity = _db_identity(self.directory)
        self._checked = time.monotonic()

    def _usable(self) -> diskcache.Cache | None:
        """The open store, reopened (rebuilt when damaged) when the directory on disk is no longer the one open;
        None while it is failing."""
        if self.faults.down():
            return None
        now = time.monotonic()
        store = self._store
        if store is not None and now - self._checked < CHECK_SECONDS:
            return store
        with self._lock:
            self._checked = now
            if store is not None and _db_identity(self.directory) == self._identity:
                return store
            self._drop()
            try:
                self._store = open_diskcache(self.directory, self._reopen)
            except Exception as exc:  # refused, or still out of reach: computed without the cache for a while
                self.faults.failed(exc)
                return None
            self._identity = _db_identity(self.directory)
            log.info("result cache %s reopened", self.directory)
            return self._store

    def _reopen(self, directory: Path) -> diskcache.Cache:
        """Open while serving: a database out of reach waits for the back-off; only a damaged one is moved aside."""
        try:
            return _open_store(directory)
        except (sqlite3.Error, OSError) as exc:
            if _damaged(exc):
                raise
            raise _UnreachableError(str(exc)) from exc

    def _drop(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except Exception:  # closing a broken store must not fail a request
                log.debug("closing the result cache failed", exc_info=True)

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            if _damaged(exc):  # garbage in the open database: reopen at once, which moves it aside
                self._identity = None
                self._checked = -CHECK_SECONDS
            else:
                self.faults.failed(exc)
                self._drop()

    def get_or_compute(self, key: str, compute: Callable[[], str]) -> str:
        """The cached text for `key`, computing and storing it on a miss (or when the cache is unusable)."""
        store = self._usable()
        if store is not None:
            try:
                found = store.get(key)
            except Exception as exc:  # the cache never fails a request
                self._failed(exc)
                store, found = None, None
            if isinstance(found, str):
                self.hits += 1
                return found
        self.misses += 1
        text = compute()
        if not isinstance(text, str):
            raise TypeError("ResultCache stores text only")
        if store is not None:
            try:
                store.set(key, text)
            except Exception as exc:  # the cache never fails a request
                self._failed(exc)
        return text

    def claim(self, key: str, seconds: float) -> bool:
        """True for the one caller (of all processes sharing the directory) that sets `key` first; False when
        the cache is unusable (whatever it guards is then skipped)."""
        store = self._usable()
        if store is None:
            return False
        try:
            return bool(store.add(key, "1", expire=seconds))
        except Exception as exc:  # the cache never fails a request
            self._failed(exc)
            return False

    def __contains__(self, key: str) -> bool:
        store = self._usable()
        if store is None:
            return False
        try:
            return key in store
        except Exception as exc:  # the cache never fails a request
            self._failed(exc)
            return False

    def clear(self) -> None:
        """Drop every entry."""
        store = self._usable()
        if store is not None:
            try:
                store.clear()
            except Exception as exc:  # the cache never fails a request
                self._failed(exc)

    def close(self) -> None:
        """Close the underlying database."""
        with self._lock:
            self._drop()


class RedisCache:
    """Text results in Redis under `prefix` (shared by every app instance using it); never raises.

    Short socket timeouts and a back-off after a failure: a dead Redis costs milliseconds per request, and is
    tried again every few seconds until it answers.
    """

    def __init__(self, url: str, prefix: str = REDIS_PREFIX, ttl: int = REDIS_TTL, timeout: float = REDIS_TIMEOUT):
        import redis

        self.url = url
        self.prefix = prefix
        self.ttl = ttl
        self.hits = 0
        self.misses = 0
        self.faults = _Faults("result cache (Redis)")
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry_on_timeout=False,
            health_check_interval=0,
            decode_responses=False,
        )

    def _call(self, fallback: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.faults.down():
            return fallback
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # redis.RedisError, OSError: the cache never fails a request
            self.faults.failed(exc)
            return fallback

    def get_or_compute(self, key: str, compute: Callable[[], str]) -> str:
        """The cached text for `key`, computing and storing it on a miss (or while Redis is unreachable)."""
        name = self.prefix + key
        found = self._call(None, self._client.get, name)
        if isinstance(found, bytes):
            try:
                text = found.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None:
                self.hits += 1
                return text
        self.misses += 1
        text = compute()
        if not isinstance(text, str):
            raise TypeError("RedisCache stores text only")
        self._call(None, self._client.set, name, text.encode("utf-8"), ex=self.ttl)
        return text

    def claim(self, key: str, seconds: float) -> bool:
        """True for the one caller (of every instance using this Redis) that sets `key` first (SET NX EX)."""
        return bool(self._call(False, self._client.set, self.prefix + key, b"1", nx=True, ex=max(1, int(seconds))))

    def __contains__(self, key: str) -> bool:
        return bool(self._call(0, self._client.exists, self.prefix + key))

    def clear(self) -> None:
        """Drop every entry under the prefix (only ours: never FLUSHDB)."""

        def drop() -> None:
            batch = []
            for name in self._client.scan_iter(match=self.prefix + "*", count=500):
                batch.append(name)
                if len(batch) >= 500:
                    self._client.delete(*batch)
                    batch.clear()
            if batch:
                self._client.delete(*batch)

        self._call(None, drop)

    def close(self) -> None:
        """Close the connection pool."""
        self._call(None, self._client.close)


def open_cache(settings: Any) -> Cache:
    """The result cache of `settings` (server Settings): Redis when `redis_url` is set, else diskcache in
    `cache_dir`. CacheDirError for a cache directory owned by another user."""
    if settings.redis_url:
        return RedisCache(settings.redis_url)
    return ResultCache(settings.cache_dir)
