"""The report archive (报告库): every document the product generates (the page's export jobs, the download routes,
`app.py report`) is kept with what it is and who made it, listed at /reports and pruned after
STI_REPORT_KEEP_DAYS.

One directory (STI_REPORT_DIR, 0700). Each entry is the file under a name we make (never one a request gives),
`<UTC time>-<8 hex>.<ext>`, and a JSON sidecar beside it with its metadata; both are written to a temporary name
and renamed, the sidecar last, so a listing never sees half an entry and several workers can write at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}\.(docx|pdf|pptx)$")
FIELDS = ("name", "format", "period", "scope", "lang", "query", "by", "at", "size", "sha256")


@dataclass(frozen=True)
class Entry:
    """One archived document: its id (the file's name in the archive) and its metadata."""

    id: str
    name: str  # the file name it was delivered under
    format: str
    period: str
    scope: str
    lang: str
    query: str
    by: str  # web:<user>, cli:<OS user>
    at: str  # ISO time, Asia/Shanghai
    size: int
    sha256: str


def _private(directory: Path) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        directory.chmod(0o700)
    return directory


def _write(path: Path, data: bytes) -> None:
    """`data` at `path`, whole or not at all (a temporary file renamed into place)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save(directory: Path, name: str, data: bytes, meta: Mapping[str, Any], now: dt.datetime | None = None) -> Entry:
    """Keep `data` (delivered as `name`) with `meta` (format, period, scope, lang, query, by); its Entry."""
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    fmt = str(meta.get("format", "")).lower()
    if fmt not in ("docx", "pdf", "pptx"):
        raise ValueError(f"unknown document format {fmt!r}")
    entry_id = f"{when:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}.{fmt}"
    entry = Entry(
        id=entry_id,
        name=name,
        format=fmt,
        period=str(meta.get("period", "")),
        scope=str(meta.get("scope", "")),
        lang=str(meta.get("lang", "")),
        query=str(meta.get("query", "")),
        by=str(meta.get("by", "")),
        at=when.astimezone(SHANGHAI).isoformat(timespec="seconds"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    root = _private(Path(directory))
    _write(root / entry_id, data)
    _write(root / f"{entry_id}.json", json.dumps(entry.__dict__, ensure_ascii=False).encode("utf-8"))
    return entry


def meta_for(view: Any, fmt: str, query: str, by: str, period: str = "", scope: str = "") -> dict[str, str]:
    """The metadata of a document of `view` (period and scope as its title says them)."""
    when = getattr(view, "when_text", "") or str(getattr(view, "year", ""))
    return {"format": fmt, "period": period or when, "scope": scope, "lang": str(getattr(view, "lang", "")),
            "query": query, "by": by}  # fmt: skip


def _read(sidecar: Path) -> Entry | None:
    try:
        raw = json.loads(sidecar.read_text(encoding="utf-8"))
        entry = Entry(**{k: raw[k] for k in ("id", *FIELDS)})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("report archive: skipped a damaged entry %s: %s", sidecar.name, exc)
        return None
    if entry.id + ".json" != sidecar.name or not ID.match(entry.id):
        log.warning("report archive: skipped an entry whose id does not match its file: %s", sidecar.name)
        return None
    return entry


def entries(directory: Path) -> list[Entry]:
    """Every entry whose file is there, newest first (damaged sidecars skipped with a warning)."""
    root = Path(directory)
    if not root.is_dir():
        return []
    found = [e for p in root.glob("*.json") if (e := _read(p)) is not None and (root / e.id).is_file()]
    return sorted(found, key=lambda e: e.id, reverse=True)


def open_entry(directory: Path, entry_id: str) -> tuple[Entry, bytes] | None:
    """The entry `entry_id` and its bytes; None for an id that is not one of ours (never a path outside)."""
    if not isinstance(entry_id, str) or not ID.match(entry_id):
        return None
    root = Path(directory)
    entry = _read(root / f"{entry_id}.json")
    if entry is None:
        return None
    try:
        return entry, (root / entry_id).read_bytes()
    except OSError:
        return None


def prune(directory: Path, keep_days: int, now: dt.datetime | None = None) -> int:
    """Delete entries older than `keep_days` (file and sidecar together); how many went."""
    root = Path(directory)
    if not root.is_dir():
        return 0
    cutoff = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC) - dt.timedelta(days=keep_days)
    gone = 0
    for p in root.iterdir():
        name = p.name.removesuffix(".json")
        if not ID.match(name):
            continue
        made = dt.datetime.strptime(name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        if made < cutoff:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
            gone += not p.name.endswith(".json")
    return gone
