"""Background jobs (the PPTX export): where they run, and the one-export-at-a-time slot.

Without STI_REDIS_URL: Dash's DiskcacheManager, as before: a job runs in a process forked from the server,
its result in a private directory (`<cache_dir>/jobs`, diskcache pickles there), the slot an atomic `add` in it.

With STI_REDIS_URL: Dash's CeleryManager on a Celery app with Redis as broker and result backend, so every app
instance behind a load balancer can start a job, follow its progress and fetch its result; `make worker` runs
the jobs (`celery -A app:celery_app worker`, the app built from the environment like `app:server`). The slot
is a Redis key set with SET NX EX. When Redis does not answer, starting a job answers at once with a message
for the page (`Unavailable`), never an error.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import diskcache
from dash import CeleryManager, DiskcacheManager

from components.server.cache import open_diskcache

log = logging.getLogger(__name__)

RUNNING_KEY = "export-running"  # the slot's key (in the jobs directory, or under REDIS_PREFIX in Redis)
REDIS_PREFIX = "sti:jobs:"
REDIS_TIMEOUT = 0.5  # seconds: connecting to or waiting on Redis from a request
UNAVAILABLE = "sti-unavailable"  # job handle of a job that could not be queued (the handle is signed by Dash)


class Slot(Protocol):
    """One job at a time among every process sharing the store."""

    def acquire(self, owner: str, seconds: int) -> bool: ...
    def release(self, owner: str) -> None: ...


class DiskSlot:
    """The slot as an atomic `add` in a diskcache directory (the jobs directory of one server)."""

    def __init__(self, directory: Path, key: str = RUNNING_KEY) -> None:
        self.directory = Path(directory)
        self.key = key
        self._held: diskcache.Cache | None = None

    def acquire(self, owner: str, seconds: int) -> bool:
        """True when the slot was free and is now `owner`'s (for at most `seconds`: a dead job's slot expires)."""
        slots = diskcache.Cache(str(self.directory))
        mine = int(owner) if owner.isdigit() else owner
        if slots.add(self.key, mine, expire=seconds):
            self._held = slots
            return True
        with slots.transact():  # a job killed by its cancel never released its slot: its pid is gone, take it
            holder = slots.get(self.key)
            if isinstance(holder, int) and not _alive(holder):
                slots.set(self.key, mine, expire=seconds)
                self._held = slots
                return True
        slots.close()
        return False

    def release(self, owner: str) -> None:
        """Free the slot held by this object."""
        slots, self._held = self._held, None
        if slots is not None:
            slots.delete(self.key)
            slots.close()


def _alive(pid: int) -> bool:
    """Whether process `pid` of this machine still runs (a killed job not yet reaped by its parent counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisSlot:
    """The slot as a Redis key (SET NX EX): one job at a time among all app instances and workers."""

    def __init__(self, url: str, key: str = REDIS_PREFIX + RUNNING_KEY) -> None:
        import redis

        self.key = key
        self._client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT, retry_on_timeout=False
        )

    def acquire(self, owner: str, seconds: int) -> bool:
        """True when the slot was free and is now `owner`'s; redis.RedisError when Redis does not answer."""
        return bool(self._client.set(self.key, owner, nx=True, ex=seconds))

    def release(self, owner: str) -> None:
        """Free the slot if `owner` still holds it (an expired slot someone else took is left alone)."""
        try:
            self._client.eval(RELEASE_SCRIPT, 1, self.key, owner)
        except Exception:  # Redis gone: the slot expires by itself
            log.warning("could not release the export slot in Redis; it expires by itself", exc_info=True)


def job_owner() -> str:
    """Who holds a slot: this process (and, under Celery, the task being run)."""
    try:
        from celery import current_task

        task_id = current_task.request.id if current_task else None
    except ImportError:
        task_id = None
    return f"{os.getpid()}-{task_id}" if task_id else str(os.getpid())


def celery_app(redis_url: str) -> Any:
    """A Celery app on `redis_url` as broker and result backend, with short timeouts and no retry loops, so a
    request that finds Redis down is answered in well under a second."""
    from celery import Celery

    app = Celery("sti", broker=redis_url, backend=redis_url)
    app.conf.update(
        broker_connection_timeout=REDIS_TIMEOUT,
        broker_connection_retry_on_startup=True,  # the worker waits for Redis; requests never do (below)
        broker_transport_options={
            "socket_timeout": REDIS_TIMEOUT,
            "socket_connect_timeout": REDIS_TIMEOUT,
            "max_retries": 0,
        },
        task_publish_retry=False,
        redis_socket_timeout=REDIS_TIMEOUT,
        redis_socket_connect_timeout=REDIS_TIMEOUT,
        redis_retry_on_timeout=False,
        result_backend_transport_options={"retry_policy": {"max_retries": 0}},
        result_expires=3600,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        task_acks_late=False,
        worker_hijack_root_logger=False,
    )
    return app


@dataclass(frozen=True)
class Unavailable:
    """What a background callback answers when its job cannot be queued: `tag(args)` is a short word drawn from
    the callback's arguments (the page's language) carried in the job handle, `output(tag)` the callback's
    output for the page (e.g. a message in its error area)."""

    tag: Callable[[Sequence[object]], str]
    output: Callable[[str], Any]


class SharedJobs(CeleryManager):
    """Dash's CeleryManager that answers, rather than fails, while Redis is down.

    Queuing a job that cannot be queued gives a job handle naming the failure; polling that handle (on any
    instance) gives `unavailable.output`. Reading progress or results while Redis is down reads nothing (the
    page keeps polling until Redis answers again or the user cancels).
    """

    def __init__(self, celery: Any) -> None:
        super().__init__(celery)
        self.unavailable: Unavailable | None = None  # set by the app's one background callback (the export)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        """Queue the job; when Redis does not take it, a handle that answers with the page's message."""
        try:
            return super().call_job_fn(key, job_fn, args, context)
        except Exception as exc:  # kombu.OperationalError, redis.ConnectionError, ...: a message, never a 5xx
            log.warning("background job not queued (Redis unreachable: %s)", exc)
            args = args if isinstance(args, list | tuple) else [args]
            return f"{UNAVAILABLE}-{self.unavailable.tag(args) if self.unavailable else ''}"

    def _unavailable_output(self, job: Any) -> Any:
        tag = str(job)[len(UNAVAILABLE) + 1 :]
        return self.unavailable.output(tag) if self.unavailable else self.UNDEFINED

    @staticmethod
    def _failed(job: Any) -> bool:
        return str(job).startswith(UNAVAILABLE)

    def get_result(self, key: str, job: Any) -> Any:
        """The job's result, or the page's message for a job that was never queued."""
        if self._failed(job):
            return self._unavailable_output(job)
        try:
            return super().get_result(key, job)
        except Exception as exc:  # Redis down while polling: nothing yet
            log.warning("background job result unreadable (Redis: %s)", exc)
            return self.UNDEFINED

    def job_running(self, job: Any) -> bool:
        """Whether the job is queued or running (assumed so while Redis does not answer)."""
        if self._failed(job):
            return False
        try:
            return bool(super().job_running(job))
        except Exception:  # Redis down while polling: keep polling
            return True

    def terminate_job(self, job: Any) -> None:
        """Revoke the job (nothing to do for one never queued, or while Redis is down)."""
        if job is None or self._failed(job):
            return
        try:
            super().terminate_job(job)
        except Exception as exc:  # Redis down: the job finishes, its result expires unread
            log.warning("could not cancel background job %s (Redis: %s)", job, exc)

    def terminate_unhealthy_job(self, job: Any) -> bool:
        """Dash's clean-up of failed jobs; nothing while Redis is down."""
        if self._failed(job):
            return False
        try:
            return bool(super().terminate_unhealthy_job(job))
        except Exception:  # Redis down
            return False

    def get_progress(self, key: str) -> Any:
        """The job's last progress report (None while Redis does not answer)."""
        try:
            return super().get_progress(key)
        except Exception:  # Redis down: no progress to show
            return None

    def get_updated_props(self, key: str) -> dict:
        """Props the job set with set_props ({} while Redis does not answer)."""
        try:
            return super().get_updated_props(key)
        except Exception:  # Redis down
            return {}


@dataclass
class Jobs:
    """The app's background job manager, the slot its export takes, and the Celery app when there is one."""

    manager: Any
    slot: Callable[[], Slot]  # a fresh slot object per job (a job may hold one)
    celery: Any = None

    def on_unavailable(self, answer: Unavailable) -> None:
        """What the background callback answers when the job store (Redis) does not take a job."""
        if isinstance(self.manager, SharedJobs):
            self.manager.unavailable = answer


def open_jobs(settings: Any) -> Jobs:
    """The background jobs of `settings` (server Settings): on Celery + Redis when `redis_url` is set,
    else in processes forked from the server with results in `<cache_dir>/jobs` (moved aside and rebuilt when
    damaged; CacheDirError when it belongs to another user)."""
    if settings.redis_url:
        celery = celery_app(settings.redis_url)
        return Jobs(SharedJobs(celery), lambda: RedisSlot(settings.redis_url), celery=celery)
    directory = Path(settings.cache_dir) / "jobs"
    store = open_diskcache(directory, lambda d: _probed(diskcache.Cache(str(d))))
    return Jobs(DiskcacheManager(store), lambda: DiskSlot(directory))


def _probed(cache: diskcache.Cache) -> diskcache.Cache:
    try:
        cache.get("\0probe")
    except BaseException:
        cache.close()
        raise
    return cache
