"""The server's record of open sessions, so that a session ends when it should, everywhere at once.

A signed cookie alone cannot be taken back: a copy made before logout kept working until it expired. Each login
now opens a session here (a random id in the cookie); every request looks it up. Logout, `app.py user logout
NAME`, a new password, a removed user or screen end it at once, in every worker and every instance sharing the
store (Redis with STI_REDIS_URL, else a diskcache directory under the cache directory). A session also ends after
`idle_minutes` without a request, and at its absolute lifetime.

A store that cannot be read ends the session (it fails closed): an outage signs people out, never lets an ended
session back in.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, cast

import diskcache

from components.server.settings import Settings

log = logging.getLogger("sti")

TOUCH_SECONDS = 30  # a session's last-seen time is written at most this often (a write per request is waste)
PREFIX = "sti:session:"


@dataclass(frozen=True)
class Session:
    """One open session."""

    sid: str
    user: str
    screen: bool
    created: float
    seen: float
    address: str

    def as_dict(self) -> dict[str, Any]:
        """The record as stored (and as `app.py user sessions` prints it)."""
        return {
            "user": self.user,
            "screen": self.screen,
            "created": self.created,
            "seen": self.seen,
            "address": self.address,
        }


class Sessions:
    """Open sessions in the shared store: open, look up (and keep alive), end one, end a user's."""

    def __init__(self, settings: Settings) -> None:
        self.idle = settings.idle_minutes * 60
        self.lifetimes = {False: settings.session_hours * 3600, True: settings.screen_days * 86400}
        self._redis: Any = None
        self._disk: diskcache.Cache | None = None
        if settings.redis_url:
            import redis

            self._redis = redis.Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)
        else:
            from components.server.cache import private_dir

            self._disk = diskcache.Cache(str(private_dir(settings.cache_dir / "sessions")))

    # --- the store -------------------------------------------------------------------------------------

    def _put(self, s: Session) -> None:
        ttl = int(self.lifetimes[s.screen]) + 60
        text = json.dumps(s.as_dict())
        if self._redis is not None:
            self._redis.set(PREFIX + s.sid, text, ex=ttl)
        else:
            assert self._disk is not None
            self._disk.set(PREFIX + s.sid, text, expire=ttl)

    def _get(self, sid: str) -> Session | None:
        if self._redis is not None:
            raw = cast("bytes | None", self._redis.get(PREFIX + sid))
        else:
            assert self._disk is not None
            raw = self._disk.get(PREFIX + sid)
        if raw is None:
            return None
        data = json.loads(raw)
        return Session(sid, data["user"], bool(data["screen"]), data["created"], data["seen"], data["address"])

    def _delete(self, sid: str) -> None:
        if self._redis is not None:
            self._redis.delete(PREFIX + sid)
        else:
            assert self._disk is not None
            self._disk.delete(PREFIX + sid)

    def _all(self) -> list[Session]:
        if self._redis is not None:
            sids = [k.decode()[len(PREFIX) :] for k in self._redis.scan_iter(match=PREFIX + "*", count=500)]
        else:
            assert self._disk is not None
            sids = [str(k)[len(PREFIX) :] for k in self._disk.iterkeys() if str(k).startswith(PREFIX)]
        found = (self._get(sid) for sid in sids)
        return [s for s in found if s is not None]

    # --- sessions --------------------------------------------------------------------------------------

    def open(self, user: str, screen: bool, address: str) -> str:
        """A new session for `user`: its id (for the cookie)."""
        now = time.time()
        sid = secrets.token_urlsafe(24)
        self._put(Session(sid, user, screen, now, now, address[:64]))
        return sid

    def status(self, sid: object, user: str) -> str:
        """ "open" when `sid` is an open session of `user` now (its last-seen time kept), "expired" when it has just
        ended (idle or past its lifetime: removed now, so this is said once), else "none"."""
        if not isinstance(sid, str) or not sid or len(sid) > 64:
            return "none"
        try:
            s = self._get(sid)
            if s is None or s.user != user:
                return "none"
            now = time.time()
            if now - s.seen > self.idle or now - s.created > self.lifetimes[s.screen]:
                self._delete(sid)
                return "expired"
            if now - s.seen > TOUCH_SECONDS:
                self._put(Session(s.sid, s.user, s.screen, s.created, now, s.address))
            return "open"
        except Exception as exc:  # the store is down or its record unreadable: the session ends (fail closed)
            log.error("session store: %s", exc)
            return "none"

    def check(self, sid: object, user: str) -> bool:
        """Whether `sid` is an open session of `user` now (idle and lifetime checked; its last-seen time kept)."""
        return self.status(sid, user) == "open"

    def end(self, sid: object) -> None:
        """End one session (logout)."""
        if isinstance(sid, str) and sid:
            self._delete(sid)

    def of_user(self, user: str) -> list[Session]:
        """The open sessions of `user` (oldest first)."""
        return sorted((s for s in self._all() if s.user == user), key=lambda s: s.created)

    def end_user(self, user: str) -> int:
        """End every session of `user`; how many."""
        mine = self.of_user(user)
        for s in mine:
            self._delete(s.sid)
        return len(mine)
