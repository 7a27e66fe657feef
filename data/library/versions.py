"""The data library: every published dataset version, the pointer to the current one, and the import log.

    <root>/versions/<hash>/    one directory per version, named by its content hash, never changed once there
    <root>/versions/<hash>/version.json   who published it first, when, from what
    <root>/current             the current version's hash (replaced in one rename)
    <root>/import.log          one JSON line per publish and rollback (time, user, source, hash, result)
    <root>/staging/            versions being written (a crash leaves them here; the next publish clears them)

Publishing writes the new version completely under staging, validates what was written, moves it under
`versions/` and only then swaps the pointer with `os.replace`, so a process killed at any moment leaves the
served version intact. Every app process reading the library (any worker, any machine sharing the directory)
sees one pointer; `LibrarySource.signature()` is that pointer, so `DataStore` moves every worker to the
new version at its next recheck.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from data import schema
from data.load import load_dataset
from data.source import DirectorySource, Report

POINTER = "current"
LOG = "import.log"
INFO = "version.json"


class LibraryError(Exception):
    """A library operation that cannot be done (an unknown version, a read-only library), in one sentence."""


@dataclass(frozen=True)
class VersionInfo:
    """One published version as `app.py versions` lists it."""

    hash: str
    as_of: str
    published_at: str
    user: str
    source: str
    source_hash: str = ""
    rows: dict[str, int] = field(default_factory=dict)


def now_iso() -> str:
    """The current time, ISO 8601 with offset, to the second."""
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def current_user() -> str:
    """Who is running this (for the log): the login name and the host."""
    try:
        name = getpass.getuser()
    except Exception:  # no passwd entry (a container)
        name = str(os.getuid())
    return f"{name}@{socket.gethostname()}"


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in directory `path` durable (fsync of the directory itself)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class Library:
    """A data library rooted at `root` (created on first use)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ---- reading ---------------------------------------------------------------------------------------

    def current(self) -> str | None:
        """The current version's hash, or None before the first publish."""
        try:
            text = (self.root / POINTER).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if text and (self.root / "versions" / text).is_dir() else None

    def path_of(self, version: str) -> Path:
        """The directory of a published version (LibraryError when there is none)."""
        if not version or not version.isalnum() or not (self.root / "versions" / version).is_dir():
            raise LibraryError(f"no version {version!r} in the library {self.root}")
        return self.root / "versions" / version

    def find(self, prefix: str) -> str:
        """The version whose hash starts with `prefix` (at least 4 characters, unambiguous)."""
        prefix = prefix.strip().lower()
        names = [v.hash for v in self.versions() if v.hash.startswith(prefix)] if len(prefix) >= 4 else []
        if len(names) != 1:
            what = "no version" if not names else f"{len(names)} versions"
            raise LibraryError(f"{what} in the library starts with {prefix!r} (see `app.py versions`)")
        return names[0]

    def info(self, version: str) -> VersionInfo:
        """What the library knows about one version."""
        path = self.path_of(version)
        try:
            raw = json.loads((path / INFO).read_text(encoding="utf-8"))
            return VersionInfo(**{k: raw[k] for k in VersionInfo.__dataclass_fields__ if k in raw})
        except (OSError, ValueError, TypeError):
            return VersionInfo(version, "", "", "", "")

    def versions(self) -> list[VersionInfo]:
        """Every published version, oldest first."""
        base = self.root / "versions"
        if not base.is_dir():
            return []
        dirs = [p for p in base.iterdir() if p.is_dir()]
        order = {p.name: (p / INFO).stat().st_mtime_ns if (p / INFO).exists() else 0 for p in dirs}
        return sorted((self.info(p.name) for p in dirs), key=lambda v: (v.published_at, order[v.hash], v.hash))

    def log(self) -> list[dict[str, Any]]:
        """The import log, oldest first (lines that cannot be read are skipped)."""
        try:
            lines = (self.root / LOG).read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
        return out

    def source(self) -> LibrarySource:
        """A Source that follows the current pointer."""
        return LibrarySource(self)

    # ---- writing ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time (across processes on every machine whose file system honours flock)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _append_log(self, entry: Mapping[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        fd = os.open(self.root / LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def _swap_pointer(self, version: str) -> None:
        tmp = self.root / f".{POINTER}.{os.getpid()}.tmp"
        _write(tmp, (version + "\n").encode("ascii"))
        os.replace(tmp, self.root / POINTER)
        fsync_dir(self.root)

    def record_refusal(self, source: str, source_hash: str, problems: int, user: str | None = None) -> None:
        """Log an import that failed validation (nothing else changes)."""
        with self._locked():
            self._append_log(
                {
                    "time": now_iso(),
                    "action": "publish",
                    "user": user or current_user(),
                    "source": source,
                    "source_hash": source_hash,
                    "result": f"refused: {problems} problem(s)",
                }
            )

    def publish(
        self, files: Mapping[str, bytes], *, source: str, source_hash: str = "", user: str | None = None
    ) -> VersionInfo:
        """Store `files` (the contract's files) as a version and make it current; returns its info.

        Raises data.load.DatasetError when what was written does not validate (nothing changes then).
        """
        with self._locked():
            return self._publish(files, source=source, source_hash=source_hash, user=user or current_user())

    def _publish(self, files: Mapping[str, bytes], *, source: str, source_hash: str, user: str) -> VersionInfo:
        """`publish` with the lock held."""
        staging = self.root / "staging"
        if staging.is_dir():  # leftovers of a publish that was killed: nobody else writes while we hold the lock
            shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="v-", dir=staging))
        for name, data in files.items():
            if name not in schema.CONTRACT_FILES:
                raise LibraryError(f"{name}: not a file of the dataset contract")
            _write(work / name, data)
        ds = load_dataset(DirectorySource(work, schema.CONTRACT_FILES))
        target = self.root / "versions" / ds.version
        if target.is_dir():
            shutil.rmtree(work, ignore_errors=True)
            info = self.info(ds.version)
        else:
            info = VersionInfo(ds.version, str(ds.meta["as_of"]), now_iso(), user, source, source_hash, dict(ds.tables))
            _write(work / INFO, json.dumps(asdict(info), ensure_ascii=False, indent=2).encode("utf-8"))
            fsync_dir(work)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(work, target)
            fsync_dir(target.parent)
        previous = self.current()
        self._swap_pointer(ds.version)
        self._append_log(
            {
                "time": now_iso(),
                "action": "publish",
                "user": user,
                "source": source,
                "source_hash": source_hash,
                "version": ds.version,
                "previous": previous,
                "result": "published" if previous != ds.version else "unchanged (already current)",
            }
        )
        return info

    def rollback(self, version: str, user: str | None = None) -> VersionInfo:
        """Make an earlier version current again (the same one-rename swap); returns its info."""
        user = user or current_user()
        with self._locked():
            path = self.path_of(version)
            load_dataset(DirectorySource(path, schema.CONTRACT_FILES))  # still valid under today's rules
            previous = self.current()
            self._swap_pointer(version)
            self._append_log(
                {
                    "time": now_iso(),
                    "action": "rollback",
                    "user": user,
                    "source": "",
                    "source_hash": "",
                    "version": version,
                    "previous": previous,
                    "result": "rolled back" if previous != version else "unchanged (already current)",
                }
            )
            return self.info(version)

    def problem(self) -> str | None:
        """Why the library cannot be served as it is (one sentence and what to do), or None: a path that is not
        a readable directory, a current pointer naming no published version, versions with none current."""
        root = self.root
        if not root.exists():
            return None
        if not root.is_dir():
            return f"data library {root} is not a directory: point STI_LIBRARY_DIR at one"
        versions = root / "versions"
        if not os.access(root, os.R_OK | os.X_OK) or (versions.exists() and not os.access(versions, os.R_OK | os.X_OK)):
            return f"data library {root} cannot be read by this user: fix its permissions"
        if self.current() is not None:
            return None
        pointer = root / POINTER
        published = sorted(p.name for p in versions.iterdir() if p.is_dir()) if versions.is_dir() else []
        if pointer.exists():
            return (
                f"data library {root}: its current pointer ({pointer}) names no published version; "
                f"choose one with `app.py versions` and `app.py rollback VERSION`"
            )
        if published:
            return (
                f"data library {root} has {len(published)} version(s) but none is current ({pointer} is missing); "
                f"choose one with `app.py versions` and `app.py rollback VERSION`"
            )
        return None

    def seed(self, directory: Path, source: str = "bundled sample") -> None:
        """Publish `directory` as the first version when the library is new (`make run` serves the sample).

        Never over a library that has something in it: an unreadable one, a dangling pointer or versions with
        none current raise LibraryError (`problem`) instead of silently serving the sample in their place."""
        if self.current() is not None:
            return
        why = self.problem()
        if why is not None and not (self.root.is_dir() and os.access(self.root, os.R_OK | os.W_OK | os.X_OK)):
            raise LibraryError(why)  # not a directory we can even lock: waiting changes nothing
        with self._locked():  # judged with the lock held: another worker may be between its version and pointer
            if self.current() is not None:  # another worker seeded it while we waited
                return
            if (why := self.problem()) is not None:
                raise LibraryError(why)
            src = DirectorySource(directory, schema.CONTRACT_FILES)
            files = {n: d for n in schema.CONTRACT_FILES if (d := src.raw(n)) is not None}
            self._publish(files, source=source, source_hash="", user="system")


class LibrarySource:
    """The library's current version as a Source; its signature is the pointer (a few bytes to read)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._version = library.current()
        if self._version is None:
            raise LibraryError(f"the library {library.root} has no current version")
        self._dir = DirectorySource(library.path_of(self._version), schema.CONTRACT_FILES)
        self.label = f"library {self._version}"

    def fresh(self) -> LibrarySource:
        """A reader of the version current now."""
        return LibrarySource(self.library)

    def exists(self, name: str) -> bool:
        """Whether the version has the file."""
        return self._dir.exists(name)

    def meta_text(self, report: Report) -> str | None:
        """dataset.json of the version."""
        return self._dir.meta_text(report)

    def table(self, name: str, report: Report) -> Any:
        """A table of the version."""
        return self._dir.table(name, report)

    def digest(self) -> str:
        """The version's content hash (its name)."""
        return self._dir.digest()

    def signature(self) -> Hashable:
        """The pointer: it changes exactly when a publish or a rollback has happened."""
        return self.library.current()
