"""`python app.py backup FILE` and `python app.py restore FILE` (数据备份恢复): the product's state in one archive.

    python app.py backup FILE [--no-reports] [--force]
    python app.py restore FILE [--into DIR] [--library DIR] [--users FILE] [--audit DIR] [--reports DIR]
                               [--no-reports] [--force] [--check]

The archive is a gzip-compressed tar. Its first member is `manifest.json` (format, creation time, host, app
version, the library's current version, and the path, size and SHA-256 of every other member); then

    library/current, library/import.log, library/versions/<hash>/<file>   the data library (not staging/, uploads/)
    users/users.json                                                       the users file (argon2id hashes)
    audit/audit-YYYY-MM.jsonl, audit/anchor                                the audit trail
    reports/<id>, reports/<id>.json                                        the report archive (not with --no-reports)
    settings.json                                                          the STI_* variables, secrets left out

It is written to a temporary file beside FILE (mode 0600: it holds password hashes) and renamed into place. The
snapshot is consistent: the pointer is read once, before the versions are listed (versions are immutable and
appear by one rename, so the current one is always complete); the audit files are read under the trail's own
append lock and cut after their last whole line; the users file and the import log are read once.

A restore reads the whole archive before it writes anything: the manifest, every member's path (only the paths
above: no absolute path, no `..`, no link or device), size and SHA-256, no member missing or unlisted, and the
audit chain. It then writes each destination under a hidden staging name beside it and renames it into place, so
a refused archive leaves nothing behind. A destination that is not empty is refused unless `--force`, which moves
it aside (`<name>.before-restore-<time>`), never deletes it. The session key is never in the archive
(docs/operations.md says why). Exit codes: 0 done, 1 the archive is damaged or refused or a write failed, 2 a bad
command line or a destination that is not empty.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import socket
import tarfile
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TextIO
from urllib.parse import urlsplit, urlunsplit

from components.server.audit import GENESIS, verify_lines
from components.server.settings import Settings
from data.library.versions import LOG, POINTER, Library, fsync_dir
from data.load import DatasetError, load_dataset

FORMAT = "sti-dashboard-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SETTINGS = "settings.json"
CHUNK = 1 << 20
MAX_MANIFEST = 64 << 20
# What a setting's name must not contain to be written into settings.json (STI_SECRET_KEY, STI_SMTP_PASSWORD, ...).
SECRET_WORDS = ("PASSWORD", "SECRET", "KEY", "TOKEN", "CREDENTIAL")

_NAME = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,200}"  # one plain file name, never hidden, never `..`
MEMBER = re.compile(
    rf"^(?:{SETTINGS}|users/users\.json|library/{POINTER}|library/import\.log"
    rf"|library/versions/[A-Za-z0-9]{{1,128}}/{_NAME}|audit/audit-[0-9]{{4}}-[0-9]{{2}}\.jsonl|audit/anchor"
    rf"|reports/{_NAME})$"
)


class BackupError(Exception):
    """A backup or restore that cannot be done, in one sentence (nothing was written): exit 1."""


class UsageError(BackupError):
    """A destination or target the command line must change (not empty, exists already): exit 2."""


# ---- what is backed up ---------------------------------------------------------------------------------------


@dataclass
class Item:
    """One member: its path in the archive, and either its bytes (read once) or the file to stream."""

    path: str
    data: bytes | None = None
    source: Path | None = None
    mtime: float = 0.0
    size: int = 0
    sha256: str = ""

    def __post_init__(self) -> None:
        if self.data is not None:
            self.size, self.sha256 = len(self.data), hashlib.sha256(self.data).hexdigest()
        elif self.source is not None:
            st = self.source.stat()
            self.mtime, self.size, self.sha256 = st.st_mtime, st.st_size, _file_sha256(self.source)


@dataclass
class Snapshot:
    """Everything one archive holds, with its manifest."""

    items: list[Item] = field(default_factory=list)
    current: str = ""
    versions: list[str] = field(default_factory=list)
    audit_problem: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        """manifest.json of the archive."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "app_version": _app_version(),
            "library": {"current": self.current, "versions": self.versions},
            "audit_problem": self.audit_problem,
            "counts": self.counts,
            "members": [{"path": i.path, "size": i.size, "sha256": i.sha256} for i in self.items],
        }


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sti-dashboard")
    except PackageNotFoundError:
        return ""


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _whole_lines(data: bytes) -> bytes:
    """`data` up to its last newline: a line being appended while we read is left for the next backup."""
    return data[: data.rfind(b"\n") + 1]


def public_settings(env: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The STI_* variables safe to keep: (name -> value, the names left out). A name containing PASSWORD,
    SECRET, KEY, TOKEN or CREDENTIAL is left out; a URL's password (STI_REDIS_URL, STI_SMTP_URL) becomes ***."""
    kept: dict[str, str] = {}
    left: list[str] = []
    for name in sorted(env):
        if not name.startswith("STI_"):
            continue
        if any(word in name.upper() for word in SECRET_WORDS):
            left.append(name)
            continue
        kept[name] = _without_password(env[name])
    return kept, left


def _without_password(value: str) -> str:
    if "://" not in value:
        return value
    try:
        parts = urlsplit(value.strip())
        if parts.password is None:
            return value
    except ValueError:
        return "***"  # not a URL we can take apart: keep nothing of it
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    with contextlib.suppress(ValueError):
        if parts.port is not None:
            host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def snapshot(settings: Settings, env: Mapping[str, str], reports: bool = True) -> Snapshot:
    """What a backup of `settings`' state holds now (hashed; the files to stream are read again when written)."""
    snap = Snapshot()
    library = Library(settings.library_dir)
    current = library.current()  # the pointer, read once: every version it can name is complete already
    if current is None:
        raise BackupError(
            f"the data library {settings.library_dir} has no current version: nothing to back up "
            f"(check STI_LIBRARY_DIR; `app.py versions`)"
        )
    snap.current = current
    snap.items.append(Item(f"library/{POINTER}", data=(current + "\n").encode("ascii")))
    with contextlib.suppress(FileNotFoundError):
        log = _whole_lines((settings.library_dir / LOG).read_bytes())
        snap.items.append(Item(f"library/{LOG}", data=log))
    base = settings.library_dir / "versions"
    for version in sorted(p.name for p in base.iterdir() if p.is_dir() and p.name.isalnum()):
        snap.versions.append(version)
        for path in sorted(p for p in (base / version).iterdir() if p.is_file() and not p.name.startswith(".")):
            snap.items.append(Item(f"library/versions/{version}/{path.name}", source=path))
    with contextlib.suppress(FileNotFoundError):
        users = settings.users_file.read_bytes()  # replaced whole by every change: one read is one state
        snap.items.append(Item("users/users.json", data=users))
        snap.counts["users"], snap.counts["screens"] = _count(users, "users"), _count(users, "screens")
    audit = _audit_files(settings.audit_root)
    lines = [
        (name, n, text)
        for name, data in audit
        if name != "anchor"
        for n, text in enumerate(data.decode("utf-8", "replace").splitlines(), 1)
        if text.strip()
    ]
    anchor = next((data.decode("ascii", "replace").strip() for name, data in audit if name == "anchor"), GENESIS)
    snap.audit_problem = verify_lines(lines, anchor)
    snap.counts["audit_records"] = len(lines)
    snap.items.extend(Item(f"audit/{name}", data=data) for name, data in audit)
    if reports and settings.report_dir.is_dir():
        found = [Item(f"reports/{p.name}", source=p) for p in sorted(settings.report_dir.iterdir()) if _report(p)]
        snap.items.extend(found)
        snap.counts["report_files"] = len(found)
    kept, left = public_settings(env)
    body = {"variables": kept, "left_out": left, "note": "secrets are never kept; set them again from your vault"}
    snap.items.append(Item(SETTINGS, data=json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode()))
    snap.counts["versions"] = len(snap.versions)
    return snap


def _count(data: bytes, key: str) -> int:
    """How many users (or screens) a users file holds."""
    try:
        found = json.loads(data).get(key, {})
    except (ValueError, AttributeError):
        return 0
    return len(found) if isinstance(found, dict) else 0


def _report(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and MEMBER.match(f"reports/{path.name}") is not None


def _audit_files(root: Path) -> list[tuple[str, bytes]]:
    """The trail's files (name, whole lines), read under its append lock when we may take it."""
    if not root.is_dir():
        return []
    with contextlib.ExitStack() as stack:
        try:
            lock = stack.enter_context((root / "audit.lock").open("a"))
            fcntl.flock(lock, fcntl.LOCK_EX)  # appenders wait the few milliseconds this read takes
            stack.callback(fcntl.flock, lock, fcntl.LOCK_UN)
        except OSError:
            pass  # a read-only trail: nobody appends to it, and we cut after the last whole line anyway
        out = [(p.name, _whole_lines(p.read_bytes())) for p in sorted(root.glob("audit-*.jsonl")) if p.is_file()]
        anchor = root / "anchor"
        if anchor.is_file():
            out.append(("anchor", anchor.read_bytes()))
        return out


class _Checked:
    """A file read for the archive, hashed on the way: it must still be what the manifest says."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def write_archive(snap: Snapshot, target: Path, force: bool = False) -> str:
    """Write the archive of `snap` to `target` (0600, whole or not at all); its SHA-256."""
    target = Path(target)
    if target.is_dir():
        raise UsageError(f"{target} is a directory: name the archive file, e.g. {target}/sti-backup.tar.gz")
    if target.exists() and not force:
        raise UsageError(f"{target} exists already: choose a new name or add --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6) as tar:
                manifest = json.dumps(snap.manifest(), ensure_ascii=False, indent=1).encode("utf-8")
                _add(tar, MANIFEST, io.BytesIO(manifest), len(manifest), datetime.now().timestamp())
                for item in snap.items:
                    if item.data is not None:
                        _add(tar, item.path, io.BytesIO(item.data), item.size, item.mtime or None)
                        continue
                    assert item.source is not None
                    try:
                        with item.source.open("rb") as fh:
                            checked = _Checked(fh)
                            _add(tar, item.path, checked, item.size, item.mtime)
                    except (OSError, tarfile.TarError) as exc:
                        raise BackupError(f"{item.source} changed or vanished during the backup: run it again") from exc
                    if checked.digest.hexdigest() != item.sha256:
                        raise BackupError(f"{item.source} changed during the backup: run it again")
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
    return _file_sha256(target)


def _add(tar: tarfile.TarFile, name: str, fh: Any, size: int, mtime: float | None) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(mtime or datetime.now().timestamp())
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, fh)


# ---- verifying -------------------------------------------------------------------------------------------


@dataclass
class Verified:
    """An archive whose every member was checked: its manifest and what it holds."""

    manifest: dict[str, Any]
    members: dict[str, dict[str, Any]]
    audit_records: int
    audit_note: str | None


def _damaged(archive: Path, problem: str) -> BackupError:
    return BackupError(f"archive {archive} is damaged: {problem}; nothing was restored")


def _refused(archive: Path, problem: str) -> BackupError:
    return BackupError(f"archive {archive} is refused: {problem}; nothing was restored")


@contextlib.contextmanager
def _reading(archive: Path) -> Iterator[tarfile.TarFile]:
    """The archive opened as a stream; a cut or corrupt one raises BackupError naming it (never a traceback)."""
    try:
        with gzip.open(archive, "rb") as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
            yield tar
            while gz.read(CHUNK):  # to the end of the gzip stream: its CRC and length, and so a cut tail, are checked
                pass
    except FileNotFoundError:
        raise BackupError(f"archive {archive} does not exist; nothing was restored") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        detail = str(exc) or type(exc).__name__
        cut = isinstance(exc, EOFError) or "end of" in detail.lower()
        raise _damaged(archive, "it is truncated" if cut else f"it is not a readable .tar.gz ({detail})") from None


def _member_name(archive: Path, member: tarfile.TarInfo) -> str:
    name = member.name
    if not MEMBER.match(name) or ".." in name.split("/"):
        raise _refused(archive, f"member {name!r} is not a path a backup writes (absolute, '..' or unknown)")
    if not member.isreg():
        raise _refused(archive, f"member {name!r} is not a plain file (a link, directory or device)")
    return name


def _hash_member(tar: tarfile.TarFile, member: tarfile.TarInfo, out: _Writer | None = None) -> tuple[str, bytes]:
    """The member's SHA-256, with its bytes when it is an audit file (kept for the chain check), else b''."""
    fh = tar.extractfile(member)
    assert fh is not None  # a regular file
    digest = hashlib.sha256()
    keep = bytearray() if member.name.startswith("audit/") else None
    while chunk := fh.read(CHUNK):
        digest.update(chunk)
        if keep is not None:
            keep += chunk
        if out is not None:
            out.write(chunk)
    return digest.hexdigest(), bytes(keep or b"")


def verify(archive: Path) -> Verified:
    """Read the whole archive and check it (BackupError naming the first problem); nothing is written."""
    archive = Path(archive)
    audit: dict[str, bytes] = {}
    seen: set[str] = set()
    with _reading(archive) as tar:
        first = tar.next()
        if first is None or first.name != MANIFEST or not first.isreg() or first.size > MAX_MANIFEST:
            raise _damaged(archive, f"its first member is not {MANIFEST} (not a backup of this product?)")
        fh = tar.extractfile(first)
        assert fh is not None
        manifest = _parse_manifest(archive, fh.read())
        members = {m["path"]: m for m in manifest["members"]}
        for member in tar:  # the stream's members from the first again: the manifest, then the rest
            if member is first:
                continue
            name = _member_name(archive, member)
            if name not in members:
                raise _refused(archive, f"member {name!r} is not listed in its manifest")
            if name in seen:
                raise _refused(archive, f"member {name!r} appears twice")
            seen.add(name)
            want = members[name]
            if member.size != want["size"]:
                raise _damaged(archive, f"{name} size {member.size} differs from the manifest's {want['size']}")
            digest, data = _hash_member(tar, member)
            if digest != want["sha256"]:
                raise _damaged(archive, f"{name} sha256 mismatch")
            if name.startswith("audit/"):
                audit[name.removeprefix("audit/")] = data
    missing = [name for name in members if name not in seen]
    if missing:
        raise _damaged(archive, f"{missing[0]} is missing ({len(missing)} member(s) in all: truncated?)")
    current = manifest["library"]["current"]
    if not any(name.startswith(f"library/versions/{current}/") for name in members):
        raise _damaged(archive, f"its current version {current} has no files in it")
    records, note = _check_audit(archive, audit, manifest.get("audit_problem"))
    return Verified(manifest, members, records, note)


def _parse_manifest(archive: Path, raw: bytes) -> dict[str, Any]:
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise ValueError(what)

    try:
        manifest = json.loads(raw)
        need(isinstance(manifest, dict), "not an object")
        need(manifest["format"] == FORMAT, f"format is not {FORMAT}")
        need(manifest["format_version"] == FORMAT_VERSION, f"format_version is not {FORMAT_VERSION}")
        current = manifest["library"]["current"]
        need(isinstance(current, str) and current.isalnum(), "no current version")
        for m in manifest["members"]:
            need(isinstance(m["size"], int) and isinstance(m["sha256"], str), "a member without size or sha256")
            need(isinstance(m["path"], str) and MEMBER.match(m["path"]) is not None, f"member {m['path']!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged(archive, f"its {MANIFEST} cannot be read ({exc})") from None
    return dict(manifest)


def _check_audit(archive: Path, files: dict[str, bytes], at_backup: str | None) -> tuple[int, str | None]:
    """(records, a note) for the archive's audit trail; BackupError when its chain is broken where it was not."""
    lines = [
        (name, n, text)
        for name, data in sorted(files.items())
        if name != "anchor"
        for n, text in enumerate(data.decode("utf-8", "replace").splitlines(), 1)
        if text.strip()
    ]
    anchor = files.get("anchor", GENESIS.encode()).decode("ascii", "replace").strip()
    problem = verify_lines(lines, anchor)
    if problem is None:
        return len(lines), None
    if problem == at_backup:  # the live trail was already broken when it was backed up: restored as evidence
        return len(lines), f"warning: the audit trail was already broken when backed up ({problem}); restored as it was"
    raise _refused(archive, f"its audit trail is broken at {problem}")


# ---- restoring -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Destinations:
    """Where a restore writes each part."""

    library: Path
    users: Path
    audit: Path
    reports: Path | None


def _occupied(path: Path) -> bool:
    """Whether a restore would replace something at `path` (a symbolic link counts: it is moved aside, not
    followed)."""
    if path.is_symlink():
        return True
    if path.is_dir():
        return any(path.iterdir())
    return path.exists() or path.is_symlink()


def _aside(path: Path, stamp: str) -> Path:
    return path.with_name(f"{path.name}.before-restore-{stamp}")


def restore(archive: Path, dest: Destinations, force: bool = False) -> tuple[Verified, list[str]]:
    """Verify `archive`, then write it into `dest` (each part staged beside its destination and renamed).
    Returns the verified archive and notes (parts moved aside, warnings). BackupError when refused."""
    archive = Path(archive)
    checked = verify(archive)
    present = {m.split("/", 1)[0] for m in checked.members}
    parts = {part: path for part, path in _parts_of(dest).items() if part in present}
    busy = [str(path) for path in parts.values() if _occupied(path)]
    if busy and not force:
        raise UsageError(
            f"{busy[0]} is not empty: restore into empty destinations, or add --force to move what is there "
            f"aside ({len(busy)} destination(s) in use); nothing was restored"
        )
    need = sum(m["size"] for m in checked.members.values())
    for path in parts.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    free = min((shutil.disk_usage(p.parent).free for p in parts.values()), default=need)
    if free < need:
        raise BackupError(f"not enough disk space: the archive holds {need:,} bytes, {free:,} are free")
    pid = os.getpid()
    staged = {part: path.with_name(f".{path.name}.restore-{pid}") for part, path in parts.items()}
    notes: list[str] = []
    try:
        _extract(archive, checked, staged)
        if checked.audit_note:
            notes.append(checked.audit_note)
        if "library" in staged:
            notes.extend(_check_library(staged["library"], checked.manifest["library"]["current"]))
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        for part, path in parts.items():
            if _occupied(path):
                os.rename(path, _aside(path, stamp))
                notes.append(f"{path} moved aside to {_aside(path, stamp)}")
            elif path.is_dir():
                path.rmdir()
            os.rename(staged.pop(part), path)
            fsync_dir(path.parent)
    finally:
        for leftover in staged.values():
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
    return checked, notes


def _parts_of(dest: Destinations) -> dict[str, Path]:
    parts = {"library": dest.library, "users": dest.users, "audit": dest.audit}
    if dest.reports is not None:
        parts["reports"] = dest.reports
    return {k: Path(v).absolute() for k, v in parts.items()}


def _extract(archive: Path, checked: Verified, staged: dict[str, Path]) -> None:
    """Write the members under their staging destinations, hashing again (the file may have changed since)."""
    for part, path in staged.items():
        if part != "users":
            path.mkdir(mode=0o755 if part == "library" else 0o700)
    with _reading(archive) as tar:
        for member in tar:
            name = member.name
            part, _, rest = name.partition("/")
            if name == MANIFEST or part not in staged:  # settings.json is read, not restored; skipped parts
                continue
            _member_name(archive, member)
            target = staged[part] if part == "users" else staged[part] / rest
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o755 if part == "library" else 0o700)
            mode = 0o644 if part == "library" else 0o600
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
                with os.fdopen(fd, "wb") as out:
                    digest, _ = _hash_member(tar, member, _Writer(out, target))
                    out.flush()
                    os.fsync(out.fileno())
            except OSError as exc:  # the destination's disk or permissions, not the archive
                raise BackupError(f"cannot write {target}: {exc.strerror or exc}; nothing was restored") from None
            if digest != checked.members[name]["sha256"]:
                raise _damaged(archive, f"{name} changed while it was being restored")
            os.utime(target, (member.mtime, member.mtime))


class _Writer:
    """A staged file being written: a failed write is the destination's fault (BackupError naming it), not a
    damaged archive's."""

    def __init__(self, fh: IO[bytes], path: Path) -> None:
        self.fh, self.path = fh, path

    def write(self, data: bytes) -> int:
        try:
            return self.fh.write(data)
        except OSError as exc:
            raise BackupError(f"cannot write {self.path}: {exc.strerror or exc}; nothing was restored") from None


def _check_library(root: Path, current: str) -> list[str]:
    """The staged library serves `current`; a warning when that version no longer validates."""
    library = Library(root)
    if library.current() != current:
        raise BackupError(f"the restored library's pointer does not name {current}; nothing was restored")
    try:
        load_dataset(library.source())
    except DatasetError as exc:
        return [
            f"warning: the current version {current} does not validate under today's rules: ({exc.total} problem(s))"
        ]
    return []


# ---- the command line ------------------------------------------------------------------------------------


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The `backup` and `restore` subcommands."""
    back = sub.add_parser("backup", help="write one archive of the library, users, audit trail, reports and settings")
    back.add_argument("file", type=Path, help="the archive to write (.tar.gz)")
    back.add_argument("--no-reports", action="store_true", help="leave the report archive (STI_REPORT_DIR) out")
    back.add_argument("--force", action="store_true", help="replace FILE when it exists")
    rest = sub.add_parser("restore", help="verify a backup archive, then restore it into empty destinations")
    rest.add_argument("file", type=Path, help="the archive written by `app.py backup`")
    rest.add_argument("--into", type=Path, help="restore everything under DIR (library/, users.json, audit/, reports/)")
    rest.add_argument("--library", type=Path, help="the library directory (default: --into, else STI_LIBRARY_DIR)")
    rest.add_argument("--users", type=Path, help="the users file (default: --into, else STI_USERS_FILE)")
    rest.add_argument("--audit", type=Path, help="the audit trail directory (default: --into, else STI_AUDIT_DIR)")
    rest.add_argument("--reports", type=Path, help="the report archive (default: --into, else STI_REPORT_DIR)")
    rest.add_argument("--no-reports", action="store_true", help="do not restore the report archive")
    rest.add_argument("--force", action="store_true", help="move destinations that are not empty aside first")
    rest.add_argument("--check", action="store_true", help="only verify the archive; write nothing")


def destinations(args: argparse.Namespace, settings: Settings) -> Destinations:
    """Each flag, else under --into (the var/ layout), else the configured place."""
    into: Path | None = args.into

    def pick(flag: Path | None, name: str, configured: Path) -> Path:
        return (flag or (into / name if into else configured)).expanduser().absolute()

    reports = None if args.no_reports else pick(args.reports, "reports", settings.report_dir)
    return Destinations(
        library=pick(args.library, "library", settings.library_dir),
        users=pick(args.users, "users.json", settings.users_file),
        audit=pick(args.audit, "audit", settings.audit_root),
        reports=reports,
    )


def command(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """Run `app.py backup` or `app.py restore`; the summary on `out`, a refusal in one sentence on `err`."""
    try:
        if args.command == "backup":
            return _backup(args, settings, out)
        if args.check:
            checked = verify(args.file)
            out.write(f"archive {args.file}: intact, {_summary(checked)}\n")
            return 0
        dest = destinations(args, settings)
        checked, notes = restore(args.file, dest, force=args.force)
    except BackupError as exc:
        err.write(f"error: {exc}\n")
        return 2 if isinstance(exc, UsageError) else 1
    except OSError as exc:
        err.write(f"error: {args.command} failed: {exc}; nothing was {args.command}d\n")
        return 1
    for note in notes:
        (err if note.startswith("warning:") else out).write(note + "\n")
    out.write(f"restored {args.file}: {_summary(checked)}\n")
    out.write(f"  library {dest.library}\n  users   {dest.users}\n  audit   {dest.audit}\n")
    if dest.reports is not None and any(m.startswith("reports/") for m in checked.members):
        out.write(f"  reports {dest.reports}\n")
    changed = _settings_changed(args.file, checked)
    if changed:
        out.write(f"  settings that differ from the archive's settings.json: {', '.join(changed)}\n")
    return 0


def _backup(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    snap = snapshot(settings, os.environ, reports=not args.no_reports)
    digest = write_archive(snap, args.file, force=args.force)
    size = Path(args.file).stat().st_size
    c = snap.counts
    reports = f", {c['report_files']} report file(s)" if "report_files" in c else ""
    out.write(
        f"backup {args.file}: {c['versions']} version(s) (current {snap.current}), {c.get('users', 0)} user(s), "
        f"{c.get('screens', 0)} screen(s), "
        f"{c['audit_records']} audit record(s){reports}; {size:,} bytes, sha256 {digest}\n"
    )
    if snap.audit_problem:
        out.write(f"  warning: the audit trail is broken at {snap.audit_problem} (backed up as it is)\n")
    return 0


def _summary(checked: Verified) -> str:
    manifest = checked.manifest
    members = checked.members
    versions = {m.split("/")[2] for m in members if m.startswith("library/versions/")}
    counts = manifest.get("counts", {})
    users = f"{counts.get('users', 0)} user(s), {counts.get('screens', 0)} screen(s)"
    size = sum(m["size"] for m in members.values())
    return (
        f"made {manifest.get('created')} on {manifest.get('host')}, {len(versions)} version(s) "
        f"(current {manifest['library']['current']}), {users}, {checked.audit_records} audit record(s), "
        f"{len(members)} file(s), {size:,} bytes"
    )


def _settings_changed(archive: Path, checked: Verified) -> list[str]:
    """The names of the settings whose values differ now from the archive's (never the values)."""
    if SETTINGS not in checked.members:
        return []
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            fh = tar.extractfile(SETTINGS)
            saved = json.loads(fh.read()).get("variables", {}) if fh else {}
    except (tarfile.TarError, OSError, ValueError, KeyError, EOFError, zlib.error):
        return []
    now, _ = public_settings(os.environ)
    return sorted(name for name in set(saved) | set(now) if saved.get(name) != now.get(name))
