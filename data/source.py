"""Where a dataset's tables come from: a small source interface, a directory of CSV files, and memory.

The loader (data/load.py) asks a source for `dataset.json` and for each table as a header and rows of
cells; everything about files and encodings stays here, so validation works on parsed rows and a
workbook or a database can be another source. Problems a source finds (an undecodable byte, a quoted
field running over lines) are reported through the same `report(where, line, column, message)` the
validator uses, so every message still names the file, the row and the column.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

Report = Callable[[str, "int | None", "str | None", str], None]


@dataclass(frozen=True)
class RawTable:
    """One table as read: where it came from (for messages), its header, and (line, cells) per row.

    `bad_lines` are rows the source already reported as unusable; the validator skips them but still
    counts their cells as seen, so one broken row does not also break every reference to it.
    """

    where: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]
    bad_lines: frozenset[int] = field(default_factory=frozenset)


class Source(Protocol):
    """What the loader needs from a place that holds a dataset."""

    label: str  # shown in messages and in `app.py check` ('data/sample', 'upload.xlsx')

    def exists(self, name: str) -> bool:
        """Whether the dataset has the file `name` (e.g. 'targets.csv', 'dataset.json')."""
        ...

    def meta_text(self, report: Report) -> str | None:
        """The text of dataset.json, or None when it is missing or unreadable (reported)."""
        ...

    def table(self, name: str, report: Report) -> RawTable | None:
        """The table stored as `name`, or None when it is missing or unreadable (reported when unreadable)."""
        ...

    def digest(self) -> str:
        """A content hash of exactly what was read (12 hex digits)."""
        ...

    def signature(self) -> Hashable:
        """A cheap change detector (changes whenever the content may have changed)."""
        ...


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or GB18030; raise ValueError with a clear message otherwise."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("is UTF-16 encoded; save it as UTF-8 (CSV UTF-8) or GB18030")
    if b"\x00" in raw:
        raise ValueError("contains NUL bytes: not a text CSV file (expected UTF-8 or GB18030)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        line = raw[:first_bad].count(b"\n") + 1
        raise ValueError(
            f"is neither UTF-8 nor GB18030 (undecodable byte 0x{raw[first_bad]:02x} on line {line}, "
            f"byte offset {first_bad}); save it as UTF-8"
        ) from None


def parse_csv(raw: bytes, where: str, report: Report) -> RawTable | None:
    """A CSV file's header and rows, with 1-based line numbers; None (reported) when it cannot be read."""
    try:
        text = decode(raw)
    except ValueError as exc:
        report(where, None, None, f"file {exc}")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        report(where, None, None, "file is empty (expected a header row)")
        return None
    except csv.Error as exc:
        report(where, 1, None, f"is not valid CSV ({exc})")
        return None
    rows: list[tuple[int, tuple[object, ...]]] = []
    bad: set[int] = set()
    last = 1
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            broken = next((h for h, c in zip(header, cells, strict=False) if "\n" in c or "\r" in c), None)
            if broken is not None or last > line:
                report(
                    where,
                    line,
                    broken.strip() if broken else None,
                    f"a quoted field runs over lines {line}–{last}; check for a stray or unclosed '\"'",
                )
                bad.add(line)
            rows.append((line, tuple(cells)))
    except csv.Error as exc:
        report(where, reader.line_num, None, f"is not valid CSV ({exc})")
        return None
    return RawTable(where, tuple(h.strip() for h in header), tuple(rows), frozenset(bad))


def content_digest(files: Iterable[tuple[str, bytes]]) -> str:
    """sha256 (12 hex) over (name, bytes) pairs in name order: a dataset version's hash, and an upload's."""
    h = hashlib.sha256()
    for name, data in sorted(files, key=lambda f: f[0]):
        h.update(name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()[:12]


class _BytesSource:
    """Shared by sources that hold files as bytes: each file read once, and the digest of what was read."""

    label = ""

    def __init__(self) -> None:
        self._read: dict[str, bytes | None] = {}

    def _load(self, name: str) -> bytes | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _bytes(self, name: str) -> bytes | None:
        if name not in self._read:
            self._read[name] = self._load(name)
        return self._read[name]

    def exists(self, name: str) -> bool:
        """Whether the file is there."""
        return self._bytes(name) is not None

    def raw(self, name: str) -> bytes | None:
        """The file's bytes as read (None when absent)."""
        return self._bytes(name)

    def meta_text(self, report: Report) -> str | None:
        """dataset.json decoded (UTF-8 or GB18030)."""
        raw = self._bytes("dataset.json")
        if raw is None:
            return None
        try:
            return decode(raw)
        except ValueError as exc:
            report("dataset.json", None, None, f"file {exc}")
            return None

    def table(self, name: str, report: Report) -> RawTable | None:
        """A CSV file parsed into rows."""
        raw = self._bytes(name)
        return None if raw is None else parse_csv(raw, name, report)

    def digest(self) -> str:
        """sha256 over the names and bytes of every file read so far (12 hex)."""
        return content_digest((n, d) for n, d in self._read.items() if d is not None)


class DirectorySource(_BytesSource):
    """A directory of CSV files plus dataset.json (the contract's native form)."""

    def __init__(self, root: str | Path, names: Iterable[str] = ()) -> None:
        super().__init__()
        self.root = Path(root)
        self.label = str(self.root)
        self._names = tuple(names)

    def _load(self, name: str) -> bytes | None:
        path = self.root / name
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def fresh(self) -> DirectorySource:
        """A new reader of the same directory (nothing cached)."""
        return DirectorySource(self.root, self._names)

    def signature(self) -> Hashable:
        """(name, mtime_ns, size) of every contract file present."""
        out = []
        for name in self._names:
            try:
                st = (self.root / name).stat()
            except OSError:
                continue
            out.append((name, st.st_mtime_ns, st.st_size))
        return tuple(out)


class MemorySource(_BytesSource):
    """Files held in memory (tests, uploads): name -> bytes."""

    def __init__(self, files: Mapping[str, bytes], label: str = "<memory>") -> None:
        super().__init__()
        self.files = dict(files)
        self.label = label

    def _load(self, name: str) -> bytes | None:
        return self.files.get(name)

    def fresh(self) -> MemorySource:
        """A new reader of the same files."""
        return MemorySource(self.files, self.label)

    def signature(self) -> Hashable:
        """The content itself decides."""
        return hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(self.files.items()))).hexdigest()
