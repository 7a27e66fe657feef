"""The report as one HTML document: the browser's print view (`/report?<view query>`) and, printed by
Chromium, the PDF (`/export/report.pdf`, `app.py report --format pdf`).

Why Chromium prints the PDF (measured in docs/exports.md): the PDF is the print view itself, so what a reader
sees at /report is what the printer gets; Chromium embeds the CJK fonts it draws with (subsets of
fonts-noto-cjk), keeps every character selectable, repeats table headers across pages and never splits a row
or a figure; charts are SVG (vector: sharp at any print resolution), rendered by the same kaleido Chromium
the PPTX uses. The product already needs that browser for the PPTX; LibreOffice (converting the DOCX) would add
a second, heavier system package to every deployment and takes longer per document.

No dash or flask import: `report_html` is pure text, `build_pdf` runs processes.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from components.core.i18n import t
from components.core.state import View
from components.exports.render import ChartRenderer, ExportError, find_chromium
from components.exports.report import Report, ReportTable, build_report, drawn, heading_text
from data.load import Dataset

Progress = Callable[[int, int, str], None]
# Package data beside the server's other web files, not assets/ (Dash would load it on every page).
STYLESHEET = Path(__file__).resolve().parents[1] / "server" / "web" / "report.css"
# A chart on the page: 170 mm of A4's width at 96 CSS px per inch is ~640 px; drawn a little wider and scaled.
CHART_PX = (720, 400)
PRINT_TIMEOUT_S = 120
_XML_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*>\s*", re.S)
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\b(width|height)="([0-9.]+)"')


def css_string(text: str) -> str:
    """`text` as a CSS string literal (for the running header of the printed pages)."""
    return '"' + re.sub(r'["\\\n\r]', lambda m: "\\" + format(ord(m.group()), "x") + " ", text) + '"'


def _table(tb: ReportTable, kind: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in tb.columns)
    body = "".join(
        f'<tr data-key="{html.escape(key)}">'
        + "".join(
            f'<th scope="row">{html.escape(v)}</th>' if i == 0 else f"<td>{html.escape(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for key, row in zip(tb.keys, tb.rows, strict=True)
    )
    return (
        f'<table class="report-table" data-table="{kind}"><caption>{html.escape(tb.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def chart_svg(svg: bytes | str) -> str:
    """A kaleido SVG as inline markup (its XML prologue dropped; sized by the stylesheet)."""
    text = _XML_PROLOGUE.sub("", svg.decode("utf-8") if isinstance(svg, bytes) else svg)
    root = _SVG_ROOT.search(text)
    if root and "viewBox" not in root.group(0):  # scalable: the stylesheet sets its width, the ratio is kept
        size = dict(_SIZE.findall(root.group(0)))
        if "width" in size and "height" in size:
            box = f' viewBox="0 0 {size["width"]} {size["height"]}" preserveAspectRatio="xMidYMid meet"'
            text = text[: root.start()] + root.group(0)[:4] + box + root.group(0)[4:] + text[root.end() :]
    return text


def report_html(report: Report, charts: Sequence[str], stylesheet: str) -> str:
    """The whole report as an HTML document (A4 print styles inline; `charts`: one inline SVG per figure, in
    order). Every text from the data is escaped."""
    lang = report.lang
    head_title = f"{report.title} · {report.scope}" if report.scope else report.title
    parts: list[str] = []
    n = 0

    def heading(key: str) -> None:
        nonlocal n
        n += 1
        parts.append(f"<h2>{html.escape(heading_text(n, key, lang))}</h2>")

    heading("report_summary")
    parts.append('<ol class="report-summary">')
    parts += [f"<li>{html.escape(p)}</li>" for p in report.summary]
    parts.append("</ol>")
    heading("report_kpis")
    parts.append(_table(report.kpis, "kpis"))
    if report.scorecard is not None:
        heading("report_scorecard")
        parts.append(_table(report.scorecard, "scorecard"))
    if report.figures:
        heading("report_figures")
        for fig, svg in zip(report.figures, charts, strict=True):
            parts.append(
                f'<figure class="report-figure" data-section="{html.escape(fig.section)}">'
                f'<div class="report-chart">{svg}</div>'
                f"<figcaption>{html.escape(fig.caption)}</figcaption>"
                f'<p class="report-source">{html.escape(fig.source)}</p></figure>'
            )
    if report.notes:
        heading("report_notes")
        parts.append(
            '<ul class="report-notes">' + "".join(f"<li>{html.escape(x)}</li>" for x in report.notes) + "</ul>"
        )
    mark = f'<span class="report-sample">{html.escape(t("sample_badge", lang))}</span>' if report.sample else ""
    folio = (
        'counter(page) " / " counter(pages)' if lang == "en" else '"第 " counter(page) " 页 共 " counter(pages) " 页"'
    )
    running = (
        f"@page {{ @top-center {{ content: {css_string(report.title)}; }} @bottom-center {{ content: {folio}; }} }}"
    )
    return (
        f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
        f"<title>{html.escape(head_title)}</title><style>{stylesheet}\n{running}</style></head>"
        f'<body class="report"><main>'
        f'<header class="report-head"><h1>{html.escape(report.title)}</h1>'
        f'<p class="report-meta">{html.escape(report.scope)} · {html.escape(report.as_of)} {mark}</p></header>'
        + "".join(parts)
        + "</main></body></html>"
    )


def chart_svgs(report: Report, renderer: ChartRenderer, progress: Progress | None = None) -> list[str]:
    """Each figure of the report as inline SVG, rendered by `renderer` (`progress(done, total, caption)`)."""
    svgs = drawn(report, lambda f: renderer.render(f, width=CHART_PX[0], height=CHART_PX[1], fmt="svg"), progress)
    return [chart_svg(svg) for svg in svgs]


def print_pdf(document: str, lang: str = "zh", chromium: str | None = None, timeout: float = PRINT_TIMEOUT_S) -> bytes:
    """`document` (HTML) printed to PDF by headless Chromium: A4 from the stylesheet's @page, no browser header
    or footer of its own. ExportError when there is no browser or it fails."""
    exe = find_chromium(chromium)
    if exe is None:
        raise ExportError("export_no_chromium", lang, detail="no browser to print the PDF")
    with tempfile.TemporaryDirectory(prefix="sti-pdf-") as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(document, encoding="utf-8")
        args = [
            exe,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium refuses to run as root in its sandbox
            args.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise ExportError("export_render_failed", lang, detail=f"PDF print timed out after {timeout} s") from e
        if not out.exists() or out.stat().st_size == 0:
            detail = f"chromium exit {done.returncode}: {done.stderr[-500:]!r}"
            raise ExportError("export_render_failed", lang, detail=detail)
        return out.read_bytes()


def build_html(ds: Dataset, view: View, renderer: ChartRenderer, progress: Progress | None = None) -> str:
    """The report of `view` as its print page (charts rendered by `renderer`)."""
    report = build_report(ds, view)
    return report_html(report, chart_svgs(report, renderer, progress), STYLESHEET.read_text(encoding="utf-8"))


def build_pdf(
    ds: Dataset, view: View, progress: Progress | None = None, renderer: ChartRenderer | None = None
) -> bytes:
    """The report of `view` as PDF bytes (A4, fonts embedded, text selectable, charts as vectors).
    ExportError when no browser is available."""
    if renderer is not None:
        return print_pdf(build_html(ds, view, renderer, progress), view.lang)
    with ChartRenderer(lang=view.lang) as own:
        document = build_html(ds, view, own, progress)
    return print_pdf(document, view.lang)
