"""The users file: who may log in, with which role, and the wall screens' viewing tokens.

One JSON file (`STI_USERS_FILE`, 0600), written atomically (a temporary file renamed over it) under a lock,
re-read by every process when it changes (a user added or removed on the command line applies at once).
Passwords are argon2id hashes (argon2-cffi); a screen token is kept as its SHA-256 only. Nothing here
logs or returns a password or a token in clear.

The password policy (等保 身份鉴别, `password_problem`): at least 10 characters of at least three kinds (lower
case, upper case, digits, anything else), not containing the user name, not guessable by the zxcvbn strength
estimator (score 3 of 4 or better, with the name and the product's words as hints), not one of the user's last
five. A password an administrator sets (`app.py user add` / `user passwd` without --permanent) is temporary:
its user must change it at the next login (`must_change`), as when it is older than STI_PASSWORD_DAYS.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from components.core.i18n import t

VIEWER, ANALYST, ADMIN = "viewer", "analyst", "admin"
ROLES = (VIEWER, ANALYST, ADMIN)  # each may do what the ones before it may
NAME = re.compile(r"[\w.@-]{1,64}")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MIN_CLASSES = 3  # of lower case, upper case, digits, anything else
MIN_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable: moderate protection from offline slow-hash attacks"
HISTORY = 5  # a new password may not be any of the user's last five (the current one included)
ESTIMATED = 72  # zxcvbn reads this many characters (its own limit); a longer password is long enough anyway
HINTS = ("sti", "dashboard", "kjj", "keji", "admin", "password", "mima")  # words the estimator treats as known

_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


class UsersError(ValueError):
    """A refused change to the users file (the message says why, in words for the command line; `key` and
    `params` say it again for a page in its language)."""

    def __init__(self, message: str, key: str = "", **params: object) -> None:
        super().__init__(message)
        self.key = key
        self.params = params

    def text(self, lang: str) -> str:
        """The reason in `lang` (the English message where there is no translation)."""
        return t(self.key, lang, **self.params) if self.key else str(self)


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


def _recent(entry: dict) -> list[str]:
    """The hashes of a user's last passwords, the current one first."""
    history = entry.get("history")
    older = [h for h in history if isinstance(h, str)] if isinstance(history, list) else []
    return [str(entry.get("hash", "")), *older][:HISTORY]


def _matches(hashed: str, password: str) -> bool:
    try:
        return bool(hashed) and _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def check_name(name: str) -> str:
    """`name` when it is a valid user or screen name, else UsersError."""
    if not NAME.fullmatch(name or ""):
        raise UsersError(f"invalid name {name!r}: 1 to 64 letters, digits, '.', '_', '@' or '-'")
    return name


def _classes(password: str) -> int:
    """How many of the four kinds of character (lower, upper, digit, other) `password` has."""
    kinds = {
        "lower" if c.islower() else "upper" if c.isupper() else "digit" if c.isdigit() else "other" for c in password
    }
    return len(kinds)


def password_problem(password: str, name: str = "") -> tuple[str, dict[str, object]] | None:
    """Why `password` is refused for user `name` as an i18n key and its parameters, or None when it is good."""
    if len(password) < MIN_PASSWORD or not password.strip():
        return "pw_short", {"n": MIN_PASSWORD}
    if len(password) > MAX_PASSWORD:
        return "pw_long", {"n": MAX_PASSWORD}
    if _classes(password) < MIN_CLASSES:
        return "pw_classes", {"n": MIN_CLASSES}
    if len(name) >= 3 and name.casefold() in password.casefold():
        return "pw_name", {}
    if zxcvbn(password[:ESTIMATED], user_inputs=[name, *HINTS])["score"] < MIN_SCORE:
        return "pw_weak", {}
    return None


def check_password(password: str, name: str = "") -> str:
    """`password` when the policy accepts it for user `name`, else UsersError saying why."""
    problem = password_problem(password, name)
    if problem is not None:
        key, params = problem
        raise UsersError(t(key, "en", **params), key, **params)
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
        """Every user as {name, role, created, changed, must_change} (no hashes), by name."""
        return [
            {
                "name": n,
                "role": u.get("role", ""),
                "created": u.get("created", ""),
                "changed": u.get("changed", ""),
                "must_change": bool(u.get("must_change")),
            }
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

    def add(self, name: str, role: str, password: str, *, temporary: bool = False) -> None:
        """A new user (UsersError when the name is taken or invalid, the role unknown, the password refused);
        `temporary`: set by an administrator, to be changed at the first login."""
        check_name(name)
        if role not in ROLES:
            raise UsersError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
        hashed = _hasher.hash(check_password(password, name))
        with self._editing() as data:
            if name in data["users"]:
                raise UsersError(f"user {name!r} exists already (change the password with `user passwd {name}`)")
            data["users"][name] = {
                "role": role,
                "hash": hashed,
                "created": _now(),
                "changed": _now(),
                "history": [],
                "must_change": temporary,
            }

    def passwd(self, name: str, password: str, *, temporary: bool = False) -> None:
        """A new password for `name` (their open sessions end): refused when the policy refuses it or it is one
        of their last five; `temporary`: set by an administrator, to be changed at the next login."""
        check_password(password, name)
        entry = self._load()["users"].get(name)
        if not isinstance(entry, dict):
            raise UsersError(f"no user {name!r}")
        if any(_matches(old, password) for old in _recent(entry)):
            raise UsersError(t("pw_reused", "en", n=HISTORY), "pw_reused", n=HISTORY)
        hashed = _hasher.hash(password)
        with self._editing() as data:
            if name not in data["users"]:
                raise UsersError(f"no user {name!r}")
            entry = data["users"][name]
            data["users"][name] = {
                **entry,
                "hash": hashed,
                "changed": _now(),
                "history": _recent(entry)[: HISTORY - 1],
                "must_change": temporary,
            }

    def set_role(self, name: str, role: str) -> None:
        """Give `name` another role (their sessions end: see `user`)."""
        if role not in ROLES:
            raise UsersError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
        with self._editing() as data:
            if name not in data["users"]:
                raise UsersError(f"no user {name!r}")
            data["users"][name] = {**data["users"][name], "role": role}

    def must_change(self, name: str, days: int = 0) -> str | None:
        """Why `name` must set a new password before anything else: "first" (an administrator set it),
        "expired" (older than `days`, 0: never), else None."""
        entry = self._load()["users"].get(name)
        if not isinstance(entry, dict):
            return None
        if entry.get("must_change"):
            return "first"
        if days > 0:
            try:
                changed = datetime.strptime(str(entry.get("changed", "")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            except ValueError:
                return "expired"
            if datetime.now(UTC) - changed > timedelta(days=days):
                return "expired"
        return None

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
