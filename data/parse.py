"""Parse a dataset's tables cell by cell (data/load.py validates across them): typed values, and every problem
as an `Issue` naming the file, the 1-based line, the column, the bad value and what was expected."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from data import schema
from data.periods import parse_period
from data.schema import Column, Table
from data.source import Source

SHANGHAI = timezone(timedelta(hours=8))
Rows = list[tuple[int, dict[str, Any]]]
MAX_ERRORS = 50


CODE = re.compile(r"^[0-9]{6}$")


TRUE_WORDS = {"true", "1", "yes", "y", "t"}


FALSE_WORDS = {"false", "0", "no", "n", "f"}


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


class Collector:
    """Collects issues up to a cap while still counting the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.issues: list[Issue] = []
        self.total = 0

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.issues) < self.cap:
            self.issues.append(Issue(file, line, column, message))


def shown(value: str) -> str:
    """A bad value as an issue quotes it (cut at 40 characters)."""
    return repr(value if len(value) <= 40 else value[:37] + "...")


# Bidirectional controls (embeddings, overrides, isolates, marks): invisible, they reorder the text around them,
# so a name holding U+202E shows other text than it is ("Trojan Source"). A name from the data never carries one
# into the page, an export or a log: each is shown as its code point.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible(text: str) -> str:
    """`text` with every bidirectional control written out visibly (`<U+202E>`); other text unchanged."""
    if not BIDI_CONTROLS.intersection(text):
        return text
    return "".join(f"<U+{ord(c):04X}>" if c in BIDI_CONTROLS else c for c in text)


def cell_text(value: object) -> str:
    """A cell as text: sources give strings (CSV) or typed values (a workbook's numbers and dates); bidirectional
    controls written out visibly."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return visible(str(value))


def parse_cell(col: Column, cell: object) -> tuple[Any, str | None]:
    """Return (parsed value, None) or (None, what was expected)."""
    v = cell_text(cell).strip()
    if v == "":
        return (None, None) if not col.required else (None, "is empty (a value is required)")
    kind = col.kind
    if kind == schema.STR:
        return v, None
    if kind == schema.CODE:
        return (v, None) if CODE.match(v) else (None, f"{shown(v)} is not a 6-digit GB/T 2260 code")
    if kind == schema.ENUM:
        if v in col.allowed:
            return v, None
        return None, f"{shown(v)} is not one of {', '.join(col.allowed)}"
    if kind == schema.BOOL:
        low = v.lower()
        if low in TRUE_WORDS:
            return True, None
        if low in FALSE_WORDS:
            return False, None
        return None, f"{shown(v)} is not true or false"
    if kind in (schema.INT, schema.YEAR):
        try:
            num = int(v)
        except ValueError:
            what = "a year" if kind == schema.YEAR else "an integer"
            return None, f"{shown(v)} is not {what}"
        lo, hi = (schema.YEAR_MIN, schema.YEAR_MAX) if kind == schema.YEAR else (col.min, col.max)
        if (lo is not None and num < lo) or (hi is not None and num > hi):
            shown_lo = "" if lo is None else f"{lo:g}"
            shown_hi = "" if hi is None else f"{hi:g}"
            return None, f"{num} is outside the plausible range {shown_lo}..{shown_hi}"
        return num, None
    if kind == schema.NUM:
        try:
            real = float(v)
        except ValueError:
            return None, f"{shown(v)} is not a number"
        if not math.isfinite(real):
            return None, f"{shown(v)} is not a finite number"
        if (col.min is not None and real < col.min) or (col.max is not None and real > col.max):
            shown_lo = "" if col.min is None else f"{col.min:g}"
            shown_hi = "" if col.max is None else f"{col.max:g}"
            return None, f"{real:g} is outside the allowed range {shown_lo}..{shown_hi}"
        return real, None
    if kind == schema.DATE:
        try:
            return date.fromisoformat(v[:10] if len(v) > 10 and v[10:].strip(" T0:") == "" else v), None
        except ValueError:
            return None, f"{shown(v)} is not an ISO date (YYYY-MM-DD)"
    if kind == schema.DATETIME:
        try:
            dt = datetime.fromisoformat(v)
        except ValueError:
            return None, f"{shown(v)} is not an ISO date-time (YYYY-MM-DD HH:MM[:SS])"
        if dt.tzinfo is not None:
            dt = dt.astimezone(SHANGHAI).replace(tzinfo=None)
        return dt, None
    if kind == schema.PERIOD:
        try:
            return parse_period(v).code or None, None
        except ValueError as exc:
            return None, str(exc)
    raise AssertionError(f"unknown column kind {kind}")  # pragma: no cover - schema bug


def read_table(
    source: Source, table: Table, out: Collector, seen_values: dict[tuple[str, str], set[str]]
) -> Rows | None:
    """Parse one table into (line, row) pairs of valid rows; report problems; None when it is unusable.

    `seen_values[(file, column)]` collects every non-empty cell, bad rows included, so that one typo in a
    referenced row does not also turn every reference to that row into an error.
    """
    raw = source.table(table.file, out.add)
    if raw is None:
        return None
    where = raw.where
    header = list(raw.header)
    ok = True
    seen: set[str] = set()
    for h in header:
        if h in seen:
            out.add(where, 1, h, "column appears twice in the header")
            ok = False
        seen.add(h)
    for col in table.columns:
        if col.name not in seen and col.since == 1:
            out.add(where, 1, col.name, "column is missing from the header")
            ok = False
    for h in header:
        if h not in table.names:
            out.add(where, 1, h, f"unexpected column (expected: {', '.join(table.names)})")
            ok = False
    if not ok:
        return None
    columns = {c.name: c for c in table.columns}
    absent = [name for name in table.names if name not in seen]
    rows: Rows = []
    any_row = False
    for line, cells in raw.rows:
        texts = [cell_text(c).strip() for c in cells]
        if not any(texts):
            continue
        any_row = True
        for name, text in zip(header, texts, strict=False):
            seen_values.setdefault((table.file, name), set()).add(text)
        if line in raw.bad_lines:
            continue
        if len(cells) != len(header):
            out.add(where, line, None, f"has {len(cells)} fields, expected {len(header)}")
            continue
        row: dict[str, Any] = {}
        good = True
        for name, cell in zip(header, cells, strict=True):
            value, problem = parse_cell(columns[name], cell)
            if problem:
                out.add(where, line, name, problem)
                good = False
            row[name] = value
        if good:
            for name in absent:  # a v2 column this file does not have: empty
                row[name] = None
            rows.append((line, row))
    if not any_row and table.required:
        out.add(where, None, None, "file has a header but no data rows")
        return None
    return rows


def check_keys(table: Table, rows: list[tuple[int, dict[str, Any]]], out: Collector) -> None:
    """Report rows that repeat the key of an earlier row (naming the first one's line)."""
    first: dict[tuple[Any, ...], int] = {}
    for line, row in rows:
        key = tuple(row[k] for k in table.key)
        if key in first:
            named = [(k, v) for k, v in zip(table.key, key, strict=True) if v is not None]  # an empty period: the year
            shown = ", ".join(f"{k}={v}" for k, v in named)
            out.add(table.file, line, named[-1][0], f"duplicate key ({shown}); first on line {first[key]}")
        else:
            first[key] = line
