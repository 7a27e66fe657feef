"""The view's documents by format: the one place that maps 'pptx', 'docx' and 'pdf' to their builders and file
names (the page's export job, the download routes and `app.py report` all ask here)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from components.core.state import View
from data.load import Dataset

Progress = Callable[[int, int, str], None]
FORMATS = ("docx", "pdf", "pptx")
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def build_document(
    ds: Dataset,
    view: View,
    fmt: str,
    progress: Progress | None = None,
    report_template: Path | None = None,
    pptx_template: Path | None = None,
) -> tuple[bytes, tuple[str, str]]:
    """The document of `view` in `fmt` and its file names (ascii, utf-8). ExportError when it cannot be made
    (no browser, a template without the styles it needs); ValueError for an unknown format."""
    from components.exports import deck, docx_report, print_report, report  # each loads its own heavy packages

    if fmt == "pdf":
        return print_report.build_pdf(ds, view, progress), report.report_filename(ds, view, "pdf")
    if fmt == "docx":
        body = docx_report.build_docx(ds, view, progress, template=report_template)
        return body, report.report_filename(ds, view, "docx")
    if fmt == "pptx":
        name = deck.pptx_filename(ds, view)
        return deck.build_pptx(ds, view, progress, template=pptx_template), (name, name)
    raise ValueError(f"unknown document format {fmt!r}: one of {', '.join(FORMATS)}")
