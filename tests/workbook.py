"""Test helper: an .xlsx workbook made from a dataset directory, as an analyst's Excel file would be
(the product's own template writer, data/library/importing.py, with edits applied first)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from components.server.settings import SAMPLE_DIR
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


def million_rows(rows: int = 1_000_000) -> bytes:
    """The sample's template workbook with its last sheet `rows` rows of observations long: at a million rows, 17 MB
    (under the upload limit) of 150 MB of sheet XML (a worker took a minute to parse it). The sheet is written a
    slice of rows at a time (the test's memory bounded too)."""
    book = workbook_bytes(sheets_of(SAMPLE_DIR))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        last = [n for n in src.namelist() if n.startswith("xl/worksheets/sheet")][-1]
        for info in src.infolist():
            data = src.read(info)
            if info.filename != last:
                dst.writestr(info, data)
                continue
            head, _, _ = data.partition(b"<sheetData>")
            sheet = zipfile.ZipInfo(last, info.date_time)
            sheet.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(sheet, "w") as fh:
                fh.write(head + b"<sheetData>")
                for first in range(2, rows + 2, 10_000):
                    fh.write(
                        "".join(
                            f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>patent_applications</t></is></c>'
                            f'<c r="B{i}"><v>330203</v></c><c r="C{i}"><v>2012</v></c><c r="D{i}"><v>{i}</v></c></row>'
                            for i in range(first, min(first + 10_000, rows + 2))
                        ).encode()
                    )
                fh.write(b"</sheetData></worksheet>")
    return out.getvalue()
