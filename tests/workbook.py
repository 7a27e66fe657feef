"""Test helper: an .xlsx workbook made from a dataset directory, as an analyst's Excel file would be
(the product's own template writer, data/library/importing.py, with edits applied first)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from data import schema
from data.library.importing import workbook_bytes, workbook_sheets

Edit = Callable[[str, list[list[object]]], None]


def sheets_of(src: Path, typed: bool = True) -> dict[str, list[list[object]]]:
    """The dataset's tables as sheets of cells (the metadata as field/value rows on sheet `dataset`)."""
    files = {n: (src / n).read_bytes() for n in schema.CONTRACT_FILES if (src / n).is_file()}
    return workbook_sheets(files, typed)


def write_workbook(sheets: dict[str, list[list[object]]], dest: Path) -> Path:
    """Write `sheets` (name -> rows of cells; a str starting with '=' becomes a formula) to `dest`."""
    dest.write_bytes(workbook_bytes(sheets, formulas=True))
    return dest


def workbook_from(src: Path, dest: Path, edit: Edit | None = None, typed: bool = True) -> Path:
    """A workbook of the dataset in `src`, after `edit(sheet, rows)` changed any sheet in place."""
    sheets = sheets_of(src, typed)
    if edit is not None:
        for name, rows in sheets.items():
            edit(name, rows)
    return write_workbook(sheets, dest)
