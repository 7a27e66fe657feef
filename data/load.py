"""Read and validate a dataset directory into typed pandas frames (no dash import).

Validation collects every problem it finds (up to a cap), each naming the file, the
1-based line, the column, the bad value and what was expected, e.g.
``observations.csv:17: column 'value': 'abc' is not a number``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from data import schema
from data.index import Index, build_index
from data.schema import Column, Table

MAX_ERRORS = 50
SHANGHAI = timezone(timedelta(hours=8))
_CODE = re.compile(r"^[0-9]{6}$")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


@dataclass(frozen=True)
class Issue:
    """One validation problem, located as precisely as possible."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        col = f" column '{self.column}':" if self.column else ""
        return f"{where}:{col} {self.message}"


class DatasetError(Exception):
    """A dataset failed validation; `issues` lists what is wrong (capped), `total` how many."""

    def __init__(self, issues: Iterable[Issue], total: int | None = None) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        self.total = len(self.issues) if total is None else total
        super().__init__(self.report())

    def report(self) -> str:
        """All issues, one per line, with a closing count when some were left out."""
        lines = [str(i) for i in self.issues]
        if self.total > len(self.issues):
            lines.append(f"... and {self.total - len(self.issues)} more problems not shown")
        return "\n".join(lines)


@dataclass(frozen=True)
class Dataset:
    """A validated dataset: metadata, one typed frame per file, and a content-hash version."""

    path: Path
    meta: dict[str, Any]
    version: str
    districts: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    targets: pd.DataFrame
    peers: pd.DataFrame
    enterprises: pd.DataFrame
    stations: pd.DataFrame
    outages: pd.DataFrame
    tables: dict[str, int] = field(default_factory=dict)
    index: Index | None = field(default=None, repr=False, compare=False)

    @property
    def city_code(self) -> str:
        return str(self.meta["city_code"])

    @property
    def years(self) -> list[int]:
        """Years that have observations, ascending."""
        return sorted(int(y) for y in self.observations["year"].unique())

    @property
    def district_codes(self) -> list[str]:
        return list(self.districts["code"])


class _Collector:
    """Collects issues up to a cap while still counting the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.issues: list[Issue] = []
        self.total = 0

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.issues) < self.cap:
            self.issues.append(Issue(file, line, column, message))


def decode(raw: bytes, file: str) -> str:
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


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _parse_cell(col: Column, value: str) -> tuple[Any, str | None]:
    """Return (parsed value, None) or (None, what was expected)."""
    v = value.strip()
    if v == "":
        return (None, None) if not col.required else (None, "is empty (a value is required)")
    kind = col.kind
    if kind == schema.STR:
        return v, None
    if kind == schema.CODE:
        return (v, None) if _CODE.match(v) else (None, f"{_shown(v)} is not a 6-digit GB/T 2260 code")
    if kind == schema.ENUM:
        if v in col.allowed:
            return v, None
        return None, f"{_shown(v)} is not one of {', '.join(col.allowed)}"
    if kind == schema.BOOL:
        low = v.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, f"{_shown(v)} is not true or false"
    if kind in (schema.INT, schema.YEAR):
        try:
            num = int(v)
        except ValueError:
            what = "a year" if kind == schema.YEAR else "an integer"
            return None, f"{_shown(v)} is not {what}"
        lo, hi = (schema.YEAR_MIN, schema.YEAR_MAX) if kind == schema.YEAR else (col.min, col.max)
        if (lo is not None and num < lo) or (hi is not None and num > hi):
            shown_lo = "" if lo is None else f"{lo:g}"
            shown_hi = "" if hi is None else f"{hi:g}"
            return None, f"{num} is outside the plausible range {shown_lo}..{shown_hi}"
        return num, None
    if kind == schema.NUM:
        try:
            num = float(v)
        except ValueError:
            return None, f"{_shown(v)} is not a number"
        if not math.isfinite(num):
            return None, f"{_shown(v)} is not a finite number"
        if (col.min is not None and num < col.min) or (col.max is not None and num > col.max):
            lo = "" if col.min is None else f"{col.min:g}"
            hi = "" if col.max is None else f"{col.max:g}"
            return None, f"{num:g} is outside the allowed range {lo}..{hi}"
        return num, None
    if kind == schema.DATE:
        try:
            return date.fromisoformat(v), None
        except ValueError:
            return None, f"{_shown(v)} is not an ISO date (YYYY-MM-DD)"
    if kind == schema.DATETIME:
        try:
            dt = datetime.fromisoformat(v)
        except ValueError:
            return None, f"{_shown(v)} is not an ISO date-time (YYYY-MM-DD HH:MM[:SS])"
        if dt.tzinfo is not None:
            dt = dt.astimezone(SHANGHAI).replace(tzinfo=None)
        return dt, None
    raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover - schema bug


class _Files:
    """Each dataset file read once: what is parsed is exactly what the version hashes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.contents: dict[str, bytes | None] = {}

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when it is missing."""
        if name not in self.contents:
            path = self.root / name
            self.contents[name] = path.read_bytes() if path.is_file() else None
        return self.contents[name]


def _read_table(
    files: _Files, table: Table, out: _Collector, seen_values: dict[tuple[str, str], set[str]]
) -> list[tuple[int, dict[str, Any]]] | None:
    """Parse one file into (line, row) pairs of valid rows; report problems; None when the file is unusable.

    `seen_values[(file, column)]` collects every non-empty cell, bad rows included, so that one typo in a
    referenced row does not also turn every reference to that row into an error.
    """
    raw = files.read(table.file)
    if raw is None:
        out.add(table.file, None, None, f"file is missing (expected columns: {', '.join(table.names)})")
        return None
    try:
        text = decode(raw, table.file)
    except ValueError as exc:
        out.add(table.file, None, None, f"file {exc}")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        out.add(table.file, None, None, f"file is empty (expected a header: {','.join(table.names)})")
        return None
    header = [h.strip() for h in header]
    ok = True
    seen: set[str] = set()
    for h in header:
        if h in seen:
            out.add(table.file, 1, h, "column appears twice in the header")
            ok = False
        seen.add(h)
    for name in table.names:
        if name not in seen:
            out.add(table.file, 1, name, "column is missing from the header")
            ok = False
    for h in header:
        if h not in table.names:
            out.add(table.file, 1, h, f"unexpected column (expected: {', '.join(table.names)})")
            ok = False
    if not ok:
        return None
    columns = {c.name: c for c in table.columns}
    rows: list[tuple[int, dict[str, Any]]] = []
    last = 1
    any_row = False
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            any_row = True
            for name, cell in zip(header, cells, strict=False):
                seen_values.setdefault((table.file, name), set()).add(cell.strip())
            broken = next((h for h, c in zip(header, cells, strict=False) if "\n" in c or "\r" in c), None)
            if broken is not None or last > line:
                out.add(
                    table.file,
                    line,
                    broken,
                    f"a quoted field runs over lines {line}–{last}; check for a stray or unclosed '\"'",
                )
                continue
            if len(cells) != len(header):
                out.add(table.file, line, None, f"has {len(cells)} fields, expected {len(header)}")
                continue
            row: dict[str, Any] = {}
            good = True
            for name, cell in zip(header, cells, strict=True):
                value, problem = _parse_cell(columns[name], cell)
                if problem:
                    out.add(table.file, line, name, problem)
                    good = False
                row[name] = value
            if good:
                rows.append((line, row))
    except csv.Error as exc:
        out.add(table.file, reader.line_num, None, f"is not valid CSV ({exc})")
        return None
    if not any_row:
        out.add(table.file, None, None, "file has a header but no data rows")
        return None
    return rows


def _check_keys(table: Table, rows: list[tuple[int, dict[str, Any]]], out: _Collector) -> None:
    first: dict[tuple[Any, ...], int] = {}
    for line, row in rows:
        key = tuple(row[k] for k in table.key)
        if key in first:
            shown = ", ".join(f"{k}={v}" for k, v in zip(table.key, key, strict=True))
            out.add(table.file, line, table.key[-1], f"duplicate key ({shown}); first on line {first[key]}")
        else:
            first[key] = line


def _city_code(files: _Files) -> str | None:
    """The city code of dataset.json when it is readable and valid, whatever else is wrong with the file."""
    try:
        code = json.loads(decode(files.read(schema.META_FILE) or b"", schema.META_FILE)).get("city_code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) and _CODE.match(code) else None


def _load_meta(files: _Files, out: _Collector) -> dict[str, Any] | None:
    raw = files.read(schema.META_FILE)
    if raw is None:
        out.add(schema.META_FILE, None, None, "file is missing")
        return None
    try:
        meta = json.loads(decode(raw, schema.META_FILE))
    except ValueError as exc:
        out.add(schema.META_FILE, None, None, f"is not valid JSON ({exc})")
        return None
    if not isinstance(meta, dict):
        out.add(schema.META_FILE, None, None, "must be a JSON object")
        return None
    good = True
    for name, typ in schema.META_FIELDS.items():
        if name not in meta:
            out.add(schema.META_FILE, None, name, "field is missing")
            good = False
        elif not isinstance(meta[name], typ):
            out.add(schema.META_FILE, None, name, f"{meta[name]!r} is not a {typ.__name__}")
            good = False
    if not good:
        return None
    if not _CODE.match(meta["city_code"]):
        out.add(schema.META_FILE, None, "city_code", f"{meta['city_code']!r} is not a 6-digit GB/T 2260 code")
        good = False
    try:
        date.fromisoformat(meta["as_of"])
    except ValueError:
        out.add(schema.META_FILE, None, "as_of", f"{meta['as_of']!r} is not an ISO date (YYYY-MM-DD)")
        good = False
    return meta if good else None


def _check_rules(
    city: str | None,
    parsed: dict[str, list[tuple[int, dict[str, Any]]] | None],
    seen_values: dict[tuple[str, str], set[str]],
    out: _Collector,
) -> None:
    """Cross-file references and rules that involve several columns or files."""
    for table in schema.TABLES:
        rows = parsed.get(table.file)
        if rows is None:
            continue
        for ref in table.references:
            if parsed.get(ref.target) is None:
                continue
            known = seen_values.get((ref.target, ref.target_column), set())
            for line, row in rows:
                v = row[ref.column]
                if v is not None and v not in known:
                    out.add(table.file, line, ref.column, f"{_shown(str(v))} is not defined in {ref.target}")
    districts = seen_values.get(("districts.csv", "code"), set()) if parsed.get("districts.csv") else set()
    inds = {r["indicator"]: r for _, r in parsed.get("indicators.csv") or []}
    for line, r in parsed.get("indicators.csv") or []:
        if r["agg"] == "ratio":
            for part in ("numerator", "denominator"):
                if r[part] is None:
                    out.add("indicators.csv", line, part, "is empty (a ratio indicator needs one)")
                elif r[part] in inds and inds[r[part]]["agg"] != "sum":
                    out.add("indicators.csv", line, part, f"{r[part]!r} must be a 'sum' indicator")
    if city and city in districts:
        out.add(schema.META_FILE, None, "city_code", f"{city!r} is also listed as a district in districts.csv")
    _check_observations(parsed.get("observations.csv"), inds, districts, city, out)
    for line, r in parsed.get("targets.csv") or []:
        if districts and r["district"] not in districts and r["district"] != city:
            out.add("targets.csv", line, "district", f"{r['district']!r} is neither a district nor the city code")
    _check_certifications(parsed.get("enterprises.csv") or [], out)
    for line, r in parsed.get("enterprises.csv") or []:
        if r["year_to"] is not None and r["year_to"] < r["year_from"]:
            out.add("enterprises.csv", line, "year_to", f"{r['year_to']} is before year_from {r['year_from']}")
    for line, r in parsed.get("seismic_outages.csv") or []:
        if r["end"] <= r["start"]:
            out.add("seismic_outages.csv", line, "end", f"'{r['end']}' is not after start '{r['start']}'")


def _check_certifications(rows: list[tuple[int, dict[str, Any]]], out: _Collector) -> None:
    """One firm cannot hold the same tier twice at once (it would be counted twice)."""
    spans: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    for line, r in rows:
        end = float("inf") if r["year_to"] is None else r["year_to"]
        spans.setdefault((r["enterprise_id"], r["tier"]), []).append((r["year_from"], line, end))
    for (firm, tier), items in spans.items():
        items.sort()
        for (_, first_line, first_end), (start, line, _) in itertools.pairwise(items):
            if start <= first_end:
                out.add(
                    "enterprises.csv",
                    line,
                    "year_from",
                    f"{start}: {firm} already holds {tier} then (certification on line {first_line})",
                )


def _check_observations(
    rows: list[tuple[int, dict[str, Any]]] | None,
    inds: dict[str, dict[str, Any]],
    districts: set[str],
    city: str | None,
    out: _Collector,
) -> None:
    for line, r in rows or []:
        ind = inds.get(r["indicator"])
        if ind is None:
            continue
        agg, value = ind["agg"], r["value"]
        if r["indicator"] in schema.TIER_INDICATORS.values():
            out.add(
                "observations.csv",
                line,
                "indicator",
                f"{r['indicator']!r} is counted from enterprises.csv and takes no observations",
            )
        elif agg == "ratio":
            out.add(
                "observations.csv",
                line,
                "indicator",
                f"{r['indicator']!r} is a ratio indicator: it is computed from "
                f"{ind['numerator']} / {ind['denominator']} and takes no observations",
            )
        elif agg == "city" and city and r["district"] != city:
            out.add(
                "observations.csv",
                line,
                "district",
                f"{r['district']!r}: city-level indicator {r['indicator']!r} takes the city code {city}",
            )
        elif agg == "sum" and districts and r["district"] not in districts:
            out.add("observations.csv", line, "district", f"{r['district']!r} is not defined in districts.csv")
        if (ind["unit_zh"] or "") in schema.COUNT_UNITS:
            if value < 0 or value != int(value):
                out.add(
                    "observations.csv",
                    line,
                    "value",
                    f"{value:g} is not a count (a non-negative integer is expected for {ind['unit_zh']})",
                )
        elif agg == "sum" and value < 0:
            out.add("observations.csv", line, "value", f"{value:g} is negative (a summed indicator is >= 0)")


def _frame(table: Table, rows: list[tuple[int, dict[str, Any]]]) -> pd.DataFrame:
    df = pd.DataFrame([r for _, r in rows], columns=list(table.names))
    for col in table.columns:
        if col.kind in (schema.INT, schema.YEAR):
            df[col.name] = df[col.name].astype("Int64" if not col.required else "int64")
        elif col.kind == schema.NUM:
            df[col.name] = df[col.name].astype("float64")
        elif col.kind in (schema.DATE, schema.DATETIME):
            df[col.name] = pd.to_datetime(df[col.name])
        elif col.kind == schema.BOOL:
            df[col.name] = df[col.name].astype(bool)
    return df


def _digest(files: _Files) -> str:
    h = hashlib.sha256()
    for name in sorted([schema.META_FILE, *schema.TABLES_BY_FILE]):
        data = files.read(name)
        if data is not None:
            h.update(name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()[:12]


def version_of(root: Path) -> str:
    """Content hash of the dataset files (12 hex digits)."""
    return _digest(_Files(Path(root)))


def load_dataset(path: str | Path, max_errors: int = MAX_ERRORS) -> Dataset:
    """Validate and load a dataset directory; raise DatasetError listing every problem found."""
    root = Path(path)
    out = _Collector(max_errors)
    if not root.is_dir():
        out.add(str(root), None, None, "is not a directory")
        raise DatasetError(out.issues, out.total)
    files = _Files(root)
    meta = _load_meta(files, out)
    parsed: dict[str, list[tuple[int, dict[str, Any]]] | None] = {}
    seen_values: dict[tuple[str, str], set[str]] = {}
    for table in schema.TABLES:
        rows = _read_table(files, table, out, seen_values)
        if rows is not None:
            _check_keys(table, rows, out)
        parsed[table.file] = rows
    _check_rules(_city_code(files), parsed, seen_values, out)
    if out.total or meta is None:
        raise DatasetError(out.issues, out.total)
    frames = {t.file: _frame(t, parsed[t.file] or []) for t in schema.TABLES}
    indicators = frames["indicators.csv"]
    indicators["scale"] = indicators["scale"].fillna(1.0)
    observations = frames["observations.csv"]
    years = sorted(int(y) for y in observations["year"].unique())
    index = build_index(
        years,
        list(frames["districts.csv"]["code"]),
        meta["city_code"],
        indicators,
        observations,
        frames["enterprises.csv"],
        frames["seismic_stations.csv"],
        frames["seismic_outages.csv"],
        frames["targets.csv"],
    )
    return Dataset(
        path=root,
        meta=meta,
        version=_digest(files),
        districts=frames["districts.csv"],
        indicators=indicators,
        observations=frames["observations.csv"],
        targets=frames["targets.csv"],
        peers=frames["peers.csv"],
        enterprises=frames["enterprises.csv"],
        stations=frames["seismic_stations.csv"],
        outages=frames["seismic_outages.csv"],
        tables={t.file: len(parsed[t.file] or []) for t in schema.TABLES},
        index=index,
    )


def summary(ds: Dataset) -> str:
    """A one-screen description of a valid dataset, for `app.py check`."""
    years = ds.years
    lines = [
        f"OK  {ds.path}",
        f"    {ds.meta['title_zh']} — {ds.meta['city_zh']} ({ds.meta['city_en']}, {ds.city_code})",
        f"    version {ds.version}   as of {ds.meta['as_of']}   sample: {'yes' if ds.meta['sample'] else 'no'}",
        f"    years {years[0]}–{years[-1]}   districts {len(ds.districts)}   "
        f"indicators {len(ds.indicators)}   stations {len(ds.stations)}",
        "    rows per file:",
    ]
    lines += [f"      {name:<24}{n:>7,}" for name, n in ds.tables.items()]
    return "\n".join(lines)
