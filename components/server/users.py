"""The users file: who may log in, with which role, and the wall screens' viewing tokens.

One JSON file (`STI_USERS_FILE`, 0600), written atomically (a temporary file renamed over it) under a lock,
re-read by every process when it changes (a user added or removed on the command line applies at once).
Passwords are argon2id hashes (argon2-cffi); a screen token is kept as its SHA-256 only. Nothing here
logs or returns a password or a token in clear.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

VIEWER, ANALYST, ADMIN = "viewer", "analyst", "admin"
ROLES = (VIEWER, ANALYST, ADMIN)  # each may do what the ones before it may
NAME = re.compile(r"[\w.@-]{1,64}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class UsersError(ValueError):
    """A refused change to the users file (the message says why, in words for the command line)."""


@dataclass(frozen=True)
class User:
    """A logged-in identity: a person with a role, or a wall screen (always a viewer)."""

    name: str
    role: str
    stamp: str = ""  # changes when the password (or the screen's token) does: older sessions end
    screen: bool = False
    open: bool = False  # the no-login default on loopback (no users configured)

    def may(self, role: str) -> bool:
        """Whether this identity has at least `role`."""
        return ROLES.index(self.role) >= ROLES.index(role)


def rank(role: str) -> int:
    """The role's place in the order viewer < analyst < admin."""
    return ROLES.index(role)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(secret_hash: str) -> str:
    return hashlib.sha256(secret_hash.encode()).hexdigest()[:16]


def _screen_of(screens: dict, wanted: str) -> str | None:
    """The screen whose stored token hash is `wanted` (compared in constant time), else None."""
    for name, entry in screens.items():
        if isinstance(entry, dict) and hmac.compare_digest(str(entry.get("hash", "")), wanted):
            return str(name)
    return None


def token_hash(token: str) -> str:
    """How a screen token is stored (it is random, so a plain SHA-256 is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_name(name: str) -> str:
    """`name` when it is a valid user or screen name, else UsersError."""
    if not NAME.fullmatch(name or ""):
        raise UsersError(f"invalid name {name!r}: 1 to 64 letters, digits, '.', '_', '@' or '-'")
    return name


def check_password(password: str) -> str:
    """`password` when it is long enough (and not absurdly long), else UsersError."""
    if len(password) < MIN_PASSWORD:
        raise UsersError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UsersError(f"the password must have at most {MAX_PASSWORD} characters")
    return password


class UserStore:
    """The users file of one app (or of the command line), read again whenever it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._data: dict = {"users": {}, "screens": {}}

    # --- reading -------------------------------------------------------------------------------

    def _load(self) -> dict:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {"users": {}, "screens": {}}
        seen = (st.st_ino, st.st_mtime_ns, st.st_size)  # every write is a new file (os.replace): a new inode
        with self._lock:
            if seen != self._seen:
                try:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise UsersError(f"users file {self.path} is unreadable: {exc}") from exc
                if not isinstance(data, dict):
                    raise UsersError(f"users file {self.path} is not a JSON object")
                self._data = {
                    "users": data.get("users") if isinstance(data.get("users"), dict) else {},
                    "screens": data.get("screens") if isinstance(data.get("screens"), dict) else {},
                }
                self._seen = seen
            return self._data

    def configured(self) -> bool:
        """Whether anyone is set up to log in (people or screens): then every page needs a login."""
        data = self._load()
        return bool(data["users"] or data["screens"])

    def users(self) -> list[dict]:
        """Every user as {name, role, created, changed} (no hashes), by name."""
        return [
            {"name": n, "role": u.get("role", ""), "created": u.get("created", ""), "changed": u.get("changed", "")}
            for n, u in sorted(self._load()["users"].items())
        ]

    def screens(self) -> list[dict]:
        """Every wall screen as {name, created}, by name."""
        return [{"name": n, "created": s.get("created", "")} for n, s in sorted(self._load()["screens"].items())]

    def verify(self, name: str, password: str) -> User | None:
        """The user when `password` is theirs, else None (the same work either way)."""
        entry = self._load()["users"].get(name) if NAME.fullmatch(name or "") else None
        hashed = entry.get("hash", "") if isinstance(entry, dict) else ""
        try:
            _hasher.verify(hashed or _DUMMY, password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return None
        if not hashed or not isinstance(entry, dict) or entry.get("role") not in ROLES:
            return None
        return User(name, entry["role"], _stamp(hashed))

    def user(self, name: str, stamp: str) -> User | None:
        """The user a session names, while their password is the one the session was made with."""
        entry = self._load()["users"].get(name)
        if not isinstance(entry, dict) or entry.get("role") not in ROLES:
            return None
        if not hmac.compare_digest(_stamp(entry.get("hash", "")), stamp):
            return None
        return User(name, entry["role"], stamp)

    def screen_by_token(self, token: str) -> User | None:
        """The wall screen `token` opens, else None."""
        wanted = token_hash(token)
        name = _screen_of(self._load()["screens"], wanted)
        return User(name, VIEWER, _stamp(wanted), screen=True) if name else None

    def use_screen(self, token: str) -> User | None:
        """The wall screen `token` opens, the first time only: the link is spent once opened (a copy of it opens
        nothing; `screen add NAME` gives the screen a new one)."""
        wanted = token_hash(token)
        with self._editing() as data:
            name = _screen_of(data["screens"], wanted)
            if name is None or data["screens"][name].get("used"):
                return None
            data["screens"][name] = {**data["screens"][name], "used": _now()}
        return User(name, VIEWER, _stamp(wanted), screen=True)

    def screen(self, name: str, stamp: str) -> User | None:
        """The wall screen a session names, while its token has not been replaced or revoked."""
        entry = self._load()["screens"].get(name)
        if not isinstance(entry, dict) or not hmac.compare_digest(_stamp(str(entry.get("hash", ""))), stamp):
            return None
        return User(name, VIEWER, stamp, screen=True)

    # --- changing (the command line) -------------------------------------------------------------

    @contextlib.contextmanager
    def _editing(self) -> Iterator[dict]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._seen = None
            data = {k: dict(v) for k, v in self._load().items()}
            yield data
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"version": 1, **data}, out, ensure_ascii=False, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
            self._seen = None

    def add(self, name: str, role: str, password: str) -> None:
        """A new user (UsersError when the name is taken or invalid, the role unknown, the password short)."""
        check_name(name)
        if role not in ROLES:
            raise UsersError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
        hashed = _hasher.hash(check_password(password))
        with self._editing() as data:
            if name in data["users"]:
                raise UsersError(f"user {name!r} exists already (change the password with `user passwd {name}`)")
            data["users"][name] = {"role": role, "hash": hashed, "created": _now(), "changed": _now()}

    def passwd(self, name: str, password: str) -> None:
        """A new password for `name` (their open sessions end)."""
        hashed = _hasher.hash(check_password(password))
        with self._editing() as data:
            if name not in data["users"]:
                raise UsersError(f"no user {name!r}")
            data["users"][name] = {**data["users"][name], "hash": hashed, "changed": _now()}

    def remove(self, name: str) -> None:
        """Delete `name` (their open sessions end)."""
        with self._editing() as data:
            if data["users"].pop(name, None) is None:
                raise UsersError(f"no user {name!r}")

    def add_screen(self, name: str) -> str:
        """A wall screen's viewing token (returned once, stored as its hash); a new token for an existing screen
        replaces the old one (its sessions end)."""
        check_name(name)
        token = secrets.token_urlsafe(32)
        with self._editing() as data:
            data["screens"][name] = {"hash": token_hash(token), "created": _now()}
        return token

    def remove_screen(self, name: str) -> None:
        """Revoke a wall screen's token (it shows the login page at its next request)."""
        with self._editing() as data:
            if data["screens"].pop(name, None) is None:
                raise UsersError(f"no screen {name!r}")
