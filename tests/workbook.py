"""Test helper: an .xlsx workbook made from a dataset directory, as an analyst's Excel file would be."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl

from data.source import decode

Cell = object
Edit = Callable[[str, list[list[Cell]]], None]


def _typed(text: str) -> Cell:
    """A cell as Excel would hold it: numbers as numbers, everything else as text."""
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text) if text.strip() else None
    except ValueError:
        return text


def sheets_of(src: Path, typed: bool = True) -> dict[str, list[list[Cell]]]:
    """The dataset's tables as sheets of cells (the metadata as field/value rows on sheet `dataset`)."""
    meta = json.loads((src / "dataset.json").read_text(encoding="utf-8"))
    out: dict[str, list[list[Cell]]] = {
        "dataset": [["field", "value"]]
        + [[k, json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v] for k, v in meta.items()]
    }
    for path in sorted(src.glob("*.csv")):
        rows = list(csv.reader(io.StringIO(decode(path.read_bytes()), newline="")))
        out[path.stem] = [rows[0]] + [[_typed(c) if typed else c for c in r] for r in rows[1:]]
    return out


def write_workbook(sheets: dict[str, list[list[Cell]]], dest: Path) -> Path:
    """Write `sheets` (name -> rows of cells; a str starting with '=' becomes a formula) to `dest`."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(dest)
    return dest


def workbook_from(src: Path, dest: Path, edit: Edit | None = None, typed: bool = True) -> Path:
    """A workbook of the dataset in `src`, after `edit(sheet, rows)` changed any sheet in place."""
    sheets = sheets_of(src, typed)
    if edit is not None:
        for name, rows in sheets.items():
            edit(name, rows)
    return write_workbook(sheets, dest)
