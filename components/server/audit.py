"""The security audit trail (安全审计): one JSON line per security-relevant event, nobody can quietly edit it.

Each record names its time (Asia/Shanghai, ISO 8601), the user and role, the client's address, the action, its
object and result, and carries `prev`, the hash of the record before it, and `hash`, the SHA-256 of itself with
`prev`: a chain. Editing, deleting, inserting or reordering any line breaks the chain at that line, and
`app.py audit verify` names it. Files are monthly (`audit-2026-12.jsonl`, the chain running on across them) under
STI_AUDIT_DIR; several workers and instances on one machine append through an exclusive lock, each reading the
chain's head under it, so the chain stays one.

Pure where it can be: `seal` (a record's hash) and `verify_lines` (a chain checked) take no files.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger("sti")

ZONE = ZoneInfo("Asia/Shanghai")
GENESIS = "0" * 64  # the `prev` of the very first record
FIELDS = ("time", "user", "role", "address", "action", "object", "result")


def seal(record: dict[str, Any], prev: str) -> str:
    """The hash of `record` (its FIELDS) chained to `prev`."""
    body = json.dumps({k: record.get(k, "") for k in FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256((prev + "\n" + body).encode("utf-8")).hexdigest()


def verify_lines(lines: Iterable[tuple[str, int, str]], prev: str | None = None) -> str | None:
    """Check a chain given as (file, line number, text): None when intact, else where it first breaks and why.
    `prev`: the hash the first record must follow (None: whatever its own `prev` says, the oldest kept file)."""
    for name, number, text in lines:
        try:
            record = json.loads(text)
        except ValueError:
            return f"{name}:{number}: not a record (the line was altered)"
        if not isinstance(record, dict) or not isinstance(record.get("hash"), str):
            return f"{name}:{number}: not a record (the line was altered)"
        claimed = str(record.get("prev", ""))
        if prev is not None and claimed != prev:
            return f"{name}:{number}: does not follow the record before it (a record was removed, added or moved)"
        if seal(record, claimed) != record["hash"]:
            return f"{name}:{number}: its content does not match its hash (the record was altered)"
        prev = record["hash"]
    return None


@dataclass(frozen=True)
class Trail:
    """The audit trail in one directory."""

    root: Path

    def files(self) -> list[Path]:
        """The monthly files, oldest first."""
        return sorted(self.root.glob("audit-*.jsonl")) if self.root.is_dir() else []

    def lines(self) -> Iterator[tuple[str, int, str]]:
        """Every line of every file, oldest first: (file name, line number, text)."""
        for path in self.files():
            with path.open(encoding="utf-8") as fh:
                for number, text in enumerate(fh, start=1):
                    if text.strip():
                        yield path.name, number, text.rstrip("\n")

    def append(
        self,
        action: str,
        *,
        user: str = "",
        role: str = "",
        address: str = "",
        obj: str = "",
        result: str = "ok",
        when: datetime | None = None,
    ) -> dict[str, Any]:
        """Add one record at the chain's head (under an exclusive lock shared by every process)."""
        now = (when or datetime.now(ZONE)).astimezone(ZONE)
        record: dict[str, Any] = {
            "time": now.isoformat(timespec="seconds"),
            "user": user[:64],
            "role": role[:16],
            "address": address[:64],
            "action": action[:64],
            "object": obj[:500],
            "result": result[:200],
        }
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (self.root / "audit.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            prev = self._head()
            record["prev"] = prev
            record["hash"] = seal(record, prev)
            path = self.root / f"audit-{now:%Y-%m}.jsonl"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                out.flush()
                os.fsync(out.fileno())
        return record

    def _head(self) -> str:
        """The last record's hash: the newest file's last line, read from its end (under the append lock)."""
        files = self.files()
        if not files:
            return GENESIS
        with files[-1].open("rb") as fh:
            fh.seek(max(0, fh.seek(0, os.SEEK_END) - 65536))
            last = fh.read().decode("utf-8", "replace").rstrip("\n").rsplit("\n", 1)[-1]
        try:
            return str(json.loads(last)["hash"])
        except (ValueError, KeyError, TypeError):
            return GENESIS if not last else hashlib.sha256(last.encode()).hexdigest()  # a broken tail: still chained

    def verify(self, lines: Iterable[tuple[str, int, str]] | None = None) -> str | None:
        """None when the whole trail is intact, else where it first breaks. The first record follows GENESIS, or
        the hash in `anchor` where older months were moved out of the directory (so removing the oldest records
        is noticed too). `lines`: the trail's lines already read (`lines()`), else they are read now."""
        anchor = self.root / "anchor"
        start = anchor.read_text(encoding="ascii").strip() if anchor.is_file() else GENESIS
        return verify_lines(self.lines() if lines is None else lines, start)

    def records(
        self,
        since: str = "",
        user: str = "",
        action: str = "",
        until: str = "",
        result: str = "",
        lines: Iterable[tuple[str, int, str]] | None = None,
    ) -> list[dict[str, Any]]:
        """The records, oldest first, from `since` (an ISO date or time), up to `until` (a date: that whole day),
        of `user`, of `action` (a prefix), whose result is `result` ("ok") or is not ("!ok"); `lines` as in
        `verify`."""
        found = []
        for _, _, text in self.lines() if lines is None else lines:
            try:
                r = json.loads(text)
            except ValueError:
                continue
            when = str(r.get("time", ""))
            if (since and when < since) or (until and when[: len(until)] > until):
                continue
            if result and (r.get("result") == "ok") != (result == "ok"):
                continue
            if user and r.get("user") != user:
                continue
            if action and not str(r.get("action", "")).startswith(action):
                continue
            found.append(r)
        return found


def line_of(record: dict[str, Any]) -> str:
    """A record as `app.py audit show` prints it."""
    who = record.get("user") or "-"
    role = f" ({record['role']})" if record.get("role") else ""
    where = record.get("address") or "-"
    obj = f" {record['object']}" if record.get("object") else ""
    return f"{record.get('time')}  {who}{role} @ {where}  {record.get('action')}{obj}  → {record.get('result')}"
