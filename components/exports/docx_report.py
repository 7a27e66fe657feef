"""The report as a Word document (.docx), in the bureau's own template when it has one.

Headings and body use named styles ('Title', 'Heading 1', 'Normal', 'Caption', 'List Number' and a table style), so
a template's 公文 fonts and layout apply: `build_docx(..., template=path)` opens the template, keeps its page
setup, header and footer, and writes the report after whatever first page the template holds up to a paragraph
reading `{{report}}` (without it, the template's body is cleared). Without a template: A4 portrait, a header with
the title and a page number field in the footer. Charts are pictures (kaleido, 2× for print). No dash import.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from components.core.i18n import t
from components.core.state import View
from components.exports.render import ChartRenderer, ExportError
from components.exports.report import Report, ReportTable, build_report, drawn, heading_text
from data.load import Dataset

Progress = Callable[[int, int, str], None]
MARKER = "{{report}}"  # in a template: the report is written from here on (what comes before stays)
STYLES = ("Title", "Heading 1", "Normal", "Caption", "List Number")  # what a template must have
TABLE_STYLE = "Table Grid"  # used when the template has it, else the document's default table
FONT_ZH = "Noto Serif CJK SC"
FONT_HEAD = "Noto Sans CJK SC"
CHART_PX = (960, 540)  # CSS px a chart is laid out at; rendered at 2x: 1920 px over 16 cm, ~300 dpi
CHART_WIDTH = Cm(16)


def _east_asian(style: Any, font: str) -> None:
    """Set a style's East Asian font (Word takes CJK text's font from w:eastAsia, not the style's name)."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def _default_look(doc: Any) -> None:
    """The built-in style (no template): A4 portrait, 公文-like margins, CJK fonts on the named styles."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    for name, font, size in (("Normal", FONT_ZH, 12), ("Title", FONT_HEAD, 20), ("Heading 1", FONT_HEAD, 15)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        style.font.name = font
        _east_asian(style, font)
    doc.styles["Caption"].font.size = Pt(10.5)
    _east_asian(doc.styles["Caption"], FONT_HEAD)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (e.g. PAGE) in `paragraph`: Word and LibreOffice fill it in."""
    run = paragraph.add_run()
    begin, text, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {code} "
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def _header_footer(doc: Any, report: Report) -> None:
    """The title in the header and 'page N' in the footer, where the template has none of its own."""
    section = doc.sections[0]
    if not any(p.text.strip() for p in section.header.paragraphs):
        head = section.header.paragraphs[0]
        head.text = report.title
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not any(p.text.strip() or p._p.xpath(".//w:instrText") for p in section.footer.paragraphs):
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if report.lang == "zh":
            foot.add_run("第 ")
            _field(foot, "PAGE")
            foot.add_run(" 页")
        else:
            foot.add_run("Page ")
            _field(foot, "PAGE")


def open_template(template: Path | None, lang: str) -> Any:
    """The document to write into: the template (its body up to MARKER kept) or a fresh one. ExportError when
    the template cannot be read or lacks a style the report uses."""
    if template is None:
        doc = Document()
        _default_look(doc)
        return doc
    try:
        doc = Document(str(template))
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        raise ExportError("report_template_unreadable", lang, detail=f"{template}: {exc!r}") from exc
    names = {s.name for s in doc.styles}
    missing = [s for s in STYLES if s not in names]
    if missing:
        raise ExportError("report_template_styles", lang, detail=str(template), missing=", ".join(missing))
    body = doc.element.body
    blocks = [b for b in body if b.tag != qn("w:sectPr")]
    marker = next((i for i, b in enumerate(blocks) if MARKER in "".join(b.itertext())), None)
    for b in blocks[(marker if marker is not None else 0) :]:
        body.remove(b)
    return doc


def _table(doc: Any, tb: ReportTable) -> None:
    """A real Word table: a caption above, the heading row repeated on every page, rows never split."""
    doc.add_paragraph(tb.title, style="Caption")
    table = doc.add_table(rows=1, cols=len(tb.columns))
    if TABLE_STYLE in {s.name for s in doc.styles}:
        table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    trpr = head._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, text in zip(head.cells, tb.columns, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in tb.rows:
        cells = table.add_row()
        no_split = OxmlElement("w:cantSplit")
        cells._tr.get_or_add_trPr().append(no_split)
        for cell, text in zip(cells.cells, row, strict=True):
            cell.text = text
    for r in table.rows:
        for cell in r.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)


def write(doc: Any, report: Report, pictures: list[bytes]) -> None:
    """The report's content into `doc` with the named styles."""
    lang = report.lang
    doc.add_paragraph(report.title, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = " · ".join(p for p in (report.scope, report.as_of, t("sample_badge", lang) if report.sample else "") if p)
    doc.add_paragraph(meta).alignment = WD_ALIGN_PARAGRAPH.CENTER
    n = 0

    def heading(key: str) -> None:
        nonlocal n
        n += 1
        doc.add_paragraph(heading_text(n, key, lang), style="Heading 1")

    heading("report_summary")
    for text in report.summary:
        p = doc.add_paragraph(text)
        p.paragraph_format.first_line_indent = Pt(24)
    heading("report_kpis")
    _table(doc, report.kpis)
    if report.scorecard is not None:
        heading("report_scorecard")
        _table(doc, report.scorecard)
    if report.figures:
        heading("report_figures")
        for fig, png in zip(report.figures, pictures, strict=True):
            doc.add_picture(io.BytesIO(png), width=CHART_WIDTH)
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
            cap = doc.add_paragraph(fig.caption, style="Caption")
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            cap.paragraph_format.keep_with_next = True
            src = doc.add_paragraph(fig.source, style="Caption")
            src.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.notes:
        heading("report_notes")
        for text in report.notes:
            doc.add_paragraph(text, style="List Number")


def pictures(report: Report, renderer: ChartRenderer, progress: Progress | None = None) -> list[bytes]:
    """Each figure as a PNG at print resolution."""
    return drawn(
        report,
        lambda f: renderer.render(f, width=CHART_PX[0], height=CHART_PX[1], scale=2),
        progress,
        paper_bgcolor="#ffffff",
    )


def build_docx(
    ds: Dataset,
    view: View,
    progress: Progress | None = None,
    renderer: ChartRenderer | None = None,
    template: Path | None = None,
) -> bytes:
    """The report of `view` as .docx bytes (in `template` when given). ExportError when the template will not
    do or no browser is available to draw the charts."""
    report = build_report(ds, view)
    doc = open_template(template, view.lang)  # a bad template fails before any chart is drawn
    if renderer is not None:
        images = pictures(report, renderer, progress)
    else:
        with ChartRenderer(lang=view.lang) as own:
            images = pictures(report, own, progress)
    write(doc, report, images)
    _header_footer(doc, report)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
