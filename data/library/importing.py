"""Bringing a dataset in: a directory, a .zip of one, one .xlsx workbook, or loose files, read safely.

Every form becomes a `Source` (data/source.py), so it is validated exactly like `app.py check`, and gives
the contract files to store (`files_of`): a directory's or a zip's files byte for byte (their encodings
kept), a workbook's sheets written as UTF-8 CSV. Archives are checked before anything is unpacked: no
member outside the archive (absolute paths, `..`, links), no more members, bytes or compression than the
limits allow (zip bombs). A workbook cell holding a formula is refused with the cell named: the library
stores values, and a formula's cached result may be stale or absent.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
import zlib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from data import schema
from data.load import Dataset, DatasetError, Issue, cell_text, load_dataset
from data.source import (
    DirectorySource,
    MemorySource,
    RawTable,
    Report,
    Source,
    _BytesSource,
    content_digest,
    decode,
)

MAX_MEMBERS = 200
MAX_RATIO = 200  # uncompressed / compressed, per member: more is a bomb, not a spreadsheet
META_SHEET = "dataset"


class ImportRefusedError(Exception):
    """The thing offered is not a dataset we can read safely (said in one sentence, naming it)."""


@dataclass(frozen=True)
class Limits:
    """How much an import may hold: bytes offered (a file or an upload), bytes once unpacked, and rows and cells
    (counted before anything is parsed: a 16 MB workbook of a million rows took a worker a minute to parse)."""

    max_bytes: int = 20 * 1024 * 1024
    max_unpacked: int = 200 * 1024 * 1024
    max_rows: int = 300_000  # of one table (sheet or CSV file)
    max_cells: int = 3_000_000  # of the whole upload

    @classmethod
    def from_mb(cls, mb: int) -> Limits:
        """Limits for an upload size in MiB (unpacked: ten times that)."""
        return cls(mb * 1024 * 1024, 10 * mb * 1024 * 1024)


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB"


def _check_size(label: str, size: int, limits: Limits) -> None:
    """Refuse what is larger than the upload limit, saying both sizes."""
    if size > limits.max_bytes:
        limit = _size_text(limits.max_bytes)
        raise ImportRefusedError(f"{label}: {_size_text(size)} is more than the limit of {limit}")


def _safe_members(zf: zipfile.ZipFile, label: str, limits: Limits) -> list[zipfile.ZipInfo]:
    """The archive's file members, refused when one points outside it or the whole is a bomb."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ImportRefusedError(f"{label}: holds {len(infos)} entries (at most {MAX_MEMBERS})")
    total = 0
    files = []
    for info in infos:
        name = info.filename
        path = PurePosixPath(name.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (path.parts and path.parts[0].endswith(":")):
            raise ImportRefusedError(f"{label}: entry {name!r} points outside the archive")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ImportRefusedError(f"{label}: entry {name!r} is a symbolic link")
        if info.flag_bits & 0x1:
            raise ImportRefusedError(f"{label}: entry {name!r} is encrypted")
        if info.is_dir():
            continue
        total += info.file_size
        if total > limits.max_unpacked:
            raise ImportRefusedError(f"{label}: unpacks to more than {_size_text(limits.max_unpacked)} (a zip bomb?)")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ImportRefusedError(
                f"{label}: entry {name!r} is compressed {info.file_size // max(info.compress_size, 1)}:1 "
                f"(at most {MAX_RATIO}:1; a zip bomb?)"
            )
        files.append(info)
    return files


# What a damaged archive raises while a member is read: a bad CRC, a truncated or corrupt deflate stream, a
# header that does not match its data. Each becomes a refusal naming the entry, never a traceback.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: Limits) -> bytes:
    """A member's bytes, stopping at the size its header declares (a lying header is a bomb too)."""
    try:
        with zf.open(info) as fh:
            data = fh.read(min(info.file_size, limits.max_unpacked) + 1)
    except DAMAGED as exc:
        raise ImportRefusedError(f"{label}: entry {info.filename!r} is damaged ({exc})") from None
    if len(data) > info.file_size:
        raise ImportRefusedError(f"{label}: entry {info.filename!r} is larger than its header says")
    return data


def _too_many(label: str, where: str, rows: int, cells: int, limits: Limits) -> None:
    """Refuse a table of more rows than the limit, or an upload of more cells, saying both numbers."""
    if rows > limits.max_rows:
        raise ImportRefusedError(f"{label}: {where} has {rows:,} rows (at most {limits.max_rows:,})")
    if cells > limits.max_cells:
        raise ImportRefusedError(f"{label}: holds {cells:,} cells or more (at most {limits.max_cells:,})")


def _count_csv(label: str, files: Mapping[str, bytes], limits: Limits) -> None:
    """Rows (lines) and cells (lines × header fields) of CSV files, refused over the limits before parsing."""
    cells = 0
    for name, data in files.items():
        if not name.endswith(".csv"):
            continue
        rows = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        header = data.split(b"\n", 1)[0]
        cells += rows * (header.count(b",") + 1)
        _too_many(label, name, rows, cells, limits)


def _tags(text: bytes) -> tuple[int, int]:
    """Rows and cells begun in a piece of a sheet's XML."""
    return text.count(b"<row ") + text.count(b"<row>"), text.count(b"<c ") + text.count(b"<c>")


def _count_sheets(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], label: str, limits: Limits) -> None:
    """Rows and cells of a workbook's sheets, counted in their XML as it streams out of the archive (a chunk at a
    time, memory bounded), refused over the limits before the workbook is parsed; a damaged sheet refused."""
    cells = 0
    for info in members:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        where = f"sheet {PurePosixPath(info.filename).stem}"
        rows, overlap = 0, b""
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    # Each chunk with the previous one's last 4 bytes (a tag cut in two is whole in one of them);
                    # what lies wholly in those 4 bytes was counted last time.
                    text = overlap + chunk
                    (r, c), (r0, c0) = _tags(text), _tags(overlap)
                    rows, cells = rows + r - r0, cells + c - c0
                    overlap = text[-4:]
                    _too_many(label, where, rows, cells, limits)
        except DAMAGED as exc:
            raise ImportRefusedError(f"{label}: entry {info.filename!r} is damaged ({exc})") from None


def _open_zip(data: bytes, label: str, what: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRefusedError(f"{label}: not a readable {what} ({exc})") from None


class ZipSource(_BytesSource):
    """A .zip of a dataset directory: the folder holding dataset.json (at the top or one level down)."""

    def __init__(self, data: bytes, label: str, limits: Limits = Limits()) -> None:
        super().__init__()
        self.label = label
        zf = _open_zip(data, label, "zip archive")
        with zf:
            members = _safe_members(zf, label, limits)
            folders = sorted(
                {
                    str(PurePosixPath(m.filename).parent)
                    for m in members
                    if PurePosixPath(m.filename).name == schema.META_FILE
                },
                key=lambda f: (f.count("/"), f),
            )
            base = folders[0] if folders else "."
            self._files: dict[str, bytes] = {}
            for m in members:
                p = PurePosixPath(m.filename)
                if str(p.parent) == base and p.name in schema.CONTRACT_FILES:
                    self._files[p.name] = _read_member(zf, m, label, limits)
        _count_csv(label, self._files, limits)

    def _load(self, name: str) -> bytes | None:
        return self._files.get(name)

    def signature(self) -> Hashable:
        """The content decides."""
        return self.digest()


def _cell_ref(col: int, row: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


class WorkbookSource:
    """One .xlsx workbook with a sheet per table (`observations`, ...) and the metadata on sheet `dataset`
    (columns `field`, `value`). Cells keep their types (numbers, dates); numbers stored as text are text the
    validator parses, as in a CSV file."""

    def __init__(self, data: bytes, label: str, limits: Limits = Limits()) -> None:
        import openpyxl  # a dependency of imports only

        self.label = label
        with _open_zip(data, label, "Excel workbook (.xlsx)") as zf:  # an .xlsx is a zip: the same checks first
            _count_sheets(zf, _safe_members(zf, label, limits), label, limits)
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise ImportRefusedError(f"{label}: not a readable Excel workbook (.xlsx) ({type(exc).__name__})") from None
        try:  # read-only sheets are parsed as they are read: damage shows here too
            self._sheets = {ws.title.strip().lower(): self._cells(ws) for ws in book.worksheets}
        except Exception as exc:
            raise ImportRefusedError(f"{label}: a sheet of the workbook is damaged ({type(exc).__name__})") from None
        finally:
            book.close()
        self._tables: dict[str, RawTable | None] = {}
        self._rendered: dict[str, bytes] | None = None

    @staticmethod
    def _cells(ws: Any) -> list[list[tuple[Any, str]]]:
        rows = []
        for row in ws.iter_rows():
            rows.append([(getattr(c, "value", None), getattr(c, "data_type", "n")) for c in row])
        return rows

    def sheet_of(self, name: str) -> str:
        """The sheet that holds contract file `name`."""
        return META_SHEET if name == schema.META_FILE else name.removesuffix(".csv")

    def exists(self, name: str) -> bool:
        """Whether the workbook has the sheet for `name`."""
        return self.sheet_of(name) in self._sheets

    def _rows(
        self, name: str, report: Report
    ) -> tuple[tuple[str, ...], list[tuple[int, tuple[object, ...]]], set[int]]:
        cells = self._sheets[self.sheet_of(name)]
        if not cells:
            return (), [], set()
        header_cells = cells[0]
        width = len(header_cells)
        while width and (header_cells[width - 1][0] is None or str(header_cells[width - 1][0]).strip() == ""):
            width -= 1
        header = tuple("" if v is None else str(v).strip() for v, _ in header_cells[:width])
        rows, bad = [], set()
        for i, row in enumerate(cells[1:], start=2):
            values = []
            for j, (value, kind) in enumerate(row[:width]):
                if kind == "f":
                    column = header[j] if j < len(header) else None
                    report(
                        name,
                        i,
                        column,
                        f"cell {_cell_ref(j, i)} holds a formula ({str(value)[:40]}); paste its value instead",
                    )
                    bad.add(i)
                values.append(value)
            extra = [v for v, _ in row[width:] if v not in (None, "")]
            if extra:
                values.extend(extra)
            values += [None] * (width - len(values))
            rows.append((i, tuple(values)))
        return header, rows, bad

    def table(self, name: str, report: Report) -> RawTable | None:
        """The sheet as a table; row numbers are the sheet's."""
        if not self.exists(name):
            return None
        if name not in self._tables:
            header, rows, bad = self._rows(name, report)
            if not header:
                report(name, None, None, "sheet is empty (expected a header row)")
                self._tables[name] = None
            else:
                self._tables[name] = RawTable(name, header, tuple(rows), frozenset(bad))
        return self._tables[name]

    def meta_text(self, report: Report) -> str | None:
        """Sheet `dataset` (field, value) as dataset.json; a value starting with `[` or `{` is JSON."""
        if not self.exists(schema.META_FILE):
            return None
        header, rows, _ = self._rows(schema.META_FILE, report)
        if header[:2] != ("field", "value"):
            report(
                schema.META_FILE,
                1,
                None,
                f"sheet {META_SHEET!r} needs the columns field, value (found: {', '.join(header)})",
            )
            return None
        meta: dict[str, Any] = {}
        for line, cells in rows:
            field = "" if cells[0] is None else str(cells[0]).strip()
            value = cells[1] if len(cells) > 1 else None
            if not field:
                continue
            if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    report(schema.META_FILE, line, "value", f"{field}: is not valid JSON ({exc})")
                    return None
            elif schema.META_FIELDS.get(field) is bool and isinstance(value, str):
                low = value.strip().lower()
                value = True if low in ("true", "1", "yes") else False if low in ("false", "0", "no") else value
            elif schema.META_FIELDS.get(field) is str and value is not None and not isinstance(value, str):
                value = value.isoformat()[:10] if hasattr(value, "isoformat") else cell_text(value)
            meta[field] = value
        return json.dumps(meta, ensure_ascii=False, indent=2)

    def rendered(self) -> dict[str, bytes]:
        """The workbook as the contract's files: dataset.json and one UTF-8 CSV per sheet."""
        if self._rendered is None:
            out: dict[str, bytes] = {}
            ignore: Report = lambda *_: None  # noqa: E731 (problems were reported by validation)
            meta = self.meta_text(ignore)
            if meta is not None:
                out[schema.META_FILE] = (meta + "\n").encode()
            for name in schema.TABLES_BY_FILE:
                raw = self.table(name, ignore)
                if raw is None:
                    continue
                buf = io.StringIO(newline="")
                writer = csv.writer(buf, lineterminator="\r\n")
                writer.writerow(raw.header)
                last = 1
                for line, cells in raw.rows:
                    buf.write("\r\n" * (line - last - 1))  # blank rows kept: line numbers stay the sheet's
                    writer.writerow([cell_text(c) for c in cells])
                    last = line
                out[name] = buf.getvalue().encode()
            self._rendered = out
        return self._rendered

    def digest(self) -> str:
        """The hash the stored version will have (of the files it is stored as)."""
        return content_digest(self.rendered().items())

    def signature(self) -> Hashable:
        """The content decides."""
        return self.digest()


def files_of(source: Source) -> dict[str, bytes]:
    """The contract files to store for a validated source (workbooks rendered as CSV)."""
    if isinstance(source, WorkbookSource):
        return dict(source.rendered())
    out = {}
    for name in schema.CONTRACT_FILES:
        data = source.raw(name) if isinstance(source, _BytesSource) else None
        if data is not None:
            out[name] = data
    return out


def open_import(path: Path, limits: Limits = Limits()) -> Source:
    """A Source for what `app.py import` is given: a dataset directory, a .zip or an .xlsx file."""
    label = path.name or str(path)
    if path.is_dir():
        return DirectorySource(path, schema.CONTRACT_FILES)
    if not path.is_file():
        raise ImportRefusedError(f"{path}: no such file or directory")
    _check_size(label, path.stat().st_size, limits)
    return open_bytes(label, path.read_bytes(), limits)


def open_bytes(label: str, data: bytes, limits: Limits = Limits()) -> Source:
    """A Source for one uploaded file: a .zip, an .xlsx, or a single contract file (e.g. observations.csv)."""
    lower = label.lower()
    _check_size(label, len(data), limits)
    if lower.endswith(".xlsx") or lower.endswith(".xlsm"):
        return WorkbookSource(data, label, limits)
    if lower.endswith(".zip"):
        return ZipSource(data, label, limits)
    if lower.endswith(".xls"):
        raise ImportRefusedError(f"{label}: the old Excel format (.xls) is not read; save it as .xlsx")
    raise ImportRefusedError(f"{label}: expected a dataset folder, a .zip of one or an .xlsx workbook")


def open_files(files: Iterable[tuple[str, bytes]], limits: Limits = Limits()) -> Source:
    """A Source for several uploaded files: one .zip or .xlsx, or loose contract files (CSV and dataset.json)."""
    files = list(files)
    if len(files) == 1 and not files[0][0].lower().endswith((".csv", ".json")):
        return open_bytes(*files[0], limits)
    _check_size("the files", sum(len(d) for _, d in files), limits)
    loose: dict[str, bytes] = {}
    for name, data in files:
        base = PurePosixPath(name.replace("\\", "/")).name
        if base not in schema.CONTRACT_FILES:
            raise ImportRefusedError(
                f"{name}: not a file of the dataset (expected: {', '.join(schema.CONTRACT_FILES)}, a .zip or an .xlsx)"
            )
        loose[base] = data
    _count_csv(", ".join(sorted(loose)), loose, limits)
    return MemorySource(loose, label=", ".join(sorted(loose)))


def _typed(text: str) -> object:
    """A CSV cell as a spreadsheet holds it: whole and decimal numbers as numbers, the rest as text."""
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text) if text.strip() else None
    except ValueError:
        return text


def workbook_sheets(files: Mapping[str, bytes], typed: bool = True) -> dict[str, list[list[object]]]:
    """A dataset's files as the import's workbook sheets: `dataset` (field, value; lists as JSON text), then a
    sheet per table named like its file without `.csv`, numbers as numbers unless `typed` is False."""
    meta = json.loads(decode(files[schema.META_FILE]))
    sheets: dict[str, list[list[object]]] = {
        META_SHEET: [["field", "value"]]
        + [[k, json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v] for k, v in meta.items()]
    }
    for name in schema.TABLES_BY_FILE:
        if name in files:
            rows = list(csv.reader(io.StringIO(decode(files[name]), newline="")))
            header: list[object] = [*rows[0]]
            sheets[name.removesuffix(".csv")] = [header] + [[_typed(c) if typed else c for c in r] for r in rows[1:]]
    return sheets


def workbook_bytes(sheets: Mapping[str, list[list[object]]], formulas: bool = False) -> bytes:
    """An .xlsx of `sheets` (name -> rows). Every text cell is written as text, whatever it begins with: a name
    from the data such as `=cmd|' /C calc'!A0` or `=HYPERLINK(…)` is never a formula in the file an analyst is
    told to open (openpyxl makes text beginning with '=' a formula). `formulas`: keep that (tests use it)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
            if not formulas:
                for cell in ws[ws.max_row]:
                    if cell.data_type == "f":
                        cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def place(source: Source, issue: Issue) -> str:
    """An issue as the analyst should read it: a workbook's sheet and cell instead of a CSV file and line."""
    if isinstance(source, WorkbookSource) and issue.file in schema.CONTRACT_FILES:
        sheet = source.sheet_of(issue.file)
        header: tuple[str, ...] = ()
        raw = source._tables.get(issue.file)
        if raw is not None:
            header = raw.header
        cell = ""
        if issue.line is not None and issue.column in header:
            cell = f"!{_cell_ref(header.index(issue.column), issue.line)}"
        where = f"{source.label} › sheet {sheet}{cell}"
        if issue.line is not None:
            where += f", row {issue.line}"
        col = f", column '{issue.column}'" if issue.column else ""
        message = issue.message.replace("file ", "sheet ", 1) if issue.message.startswith("file ") else issue.message
        for name in schema.TABLES_BY_FILE:
            message = message.replace(name, name.removesuffix(".csv"))
        return f"{where}{col}: {message}"
    where = issue.file if issue.line is None else f"{issue.file}:{issue.line}"
    col = f" column '{issue.column}':" if issue.column else ":"
    return f"{source.label} › {where}{col} {issue.message}" if source.label not in issue.file else str(issue)


def validate(source: Source) -> tuple[Dataset | None, list[str]]:
    """(dataset, []) when valid; (None, the problems as the analyst reads them) when not."""
    try:
        return load_dataset(source), []
    except DatasetError as exc:
        lines = [place(source, i) for i in exc.issues]
        if exc.total > len(exc.issues):
            lines.append(f"... and {exc.total - len(exc.issues)} more problems not shown")
        return None, lines
