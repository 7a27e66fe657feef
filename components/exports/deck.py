"""The PPTX deck: an editable 16:9 .pptx of the current view, one slide per slide of the registry.

Charts are pictures rendered by components/exports/render.py; titles, sentences, captions and the KPI table are
native text. No dash import.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Length, Pt

from components.charts.figures import fit_to_size
from components.charts.grid import Grid, GridCell
from components.charts.kpis import kpi_models
from components.charts.summary import caption, slide_marks
from components.charts.theme import palette
from components.core import ids
from components.core.i18n import DASH, t
from components.core.state import View, period_code
from components.core.ui import STATUS_ICONS
from components.exports.render import ChartRenderer, ExportError
from components.sections.slide_plan import Planned, plan
from data.load import Dataset

Progress = Callable[[int, int, str], None]

# --- slide geometry (inches on a 13.333 x 7.5 in, 16:9 slide) ---------------------------------------------

SLIDE_WIDTH = Emu(12192000)  # 13.333 in
SLIDE_HEIGHT = Emu(6858000)  # 7.5 in
MARGIN = 0.5
TITLE_TOP, TITLE_HEIGHT = 0.3, 0.7
SENTENCE_TOP, SENTENCE_HEIGHT = 1.05, 0.85
CHARTS_TOP, CHARTS_BOTTOM = 2.0, 6.85
FOOTER_TOP, FOOTER_HEIGHT = 6.95, 0.4
GAP = 0.25
CHART_TITLE_HEIGHT = 0.32
CSS_PER_INCH = 96  # charts are laid out at 96 CSS px per slide inch: 13 px chart text ≈ 9.75 pt on the slide
EXPORT_SCALE = 2  # device pixels per CSS px in the PNGs (192 dpi on the slide, sharp on a 1080p projector)

EA_FONT = "Noto Sans CJK SC"
EA_FALLBACK = "Microsoft YaHei"
SLIDE_BG = {"light": "FFFFFF", "dark": "111827"}


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float

    def emu(self) -> tuple[Length, Length, Length, Length]:
        """(left, top, width, height) in EMU for python-pptx."""
        return Inches(self.left), Inches(self.top), Inches(self.width), Inches(self.height)

    def css(self) -> tuple[int, int]:
        """The chart's layout size in CSS pixels (what plotly lays the figure out at)."""
        return round(self.width * CSS_PER_INCH), round(self.height * CSS_PER_INCH)

    def pixels(self, scale: float = EXPORT_SCALE) -> tuple[int, int]:
        """The PNG's size in device pixels at `scale`."""
        w, h = self.css()
        return round(w * scale), round(h * scale)


def chart_boxes(grid: Sequence[Sequence[float]]) -> list[tuple[Box, Box]]:
    """(chart title box, picture box) per chart, row by row: `grid` holds each row's relative column widths."""
    width = SLIDE_WIDTH.inches - 2 * MARGIN
    rows = len(grid)
    if rows == 0:
        return []
    row_height = (CHARTS_BOTTOM - CHARTS_TOP - GAP * (rows - 1)) / rows
    out: list[tuple[Box, Box]] = []
    for r, weights in enumerate(grid):
        top = CHARTS_TOP + r * (row_height + GAP)
        free = width - GAP * (len(weights) - 1)
        left = MARGIN
        for weight in weights:
            w = free * weight / sum(weights)
            out.append(
                (
                    Box(left, top, w, CHART_TITLE_HEIGHT),
                    Box(left, top + CHART_TITLE_HEIGHT, w, row_height - CHART_TITLE_HEIGHT),
                )
            )
            left += w + GAP
    return out


def _hex(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#")[:6].upper())


def _style_run(run: Any, size: float, colour: str, lang: str, bold: bool = False) -> None:
    """Size, colour, weight, language, and the East Asian font (a:ea) of a run."""
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = _hex(colour)
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN" if lang == "zh" else "en-US")
    rpr.set("altLang", "en-US")
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = etree.SubElement(rpr, qn("a:ea"))
    ea.set("typeface", EA_FONT)
    ea.set("pitchFamily", "34")  # variable pitch, sans serif
    ea.set("charset", "-122")  # GB2312: PowerPoint substitutes a Simplified Chinese font when Noto is missing
    # schema order: a:ea comes after a:latin and before a:cs/a:sym/a:hlinkClick/...
    successors = [rpr.find(qn(tag)) for tag in ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl")]
    first = next((s for s in successors if s is not None), None)
    if first is not None:
        first.addprevious(ea)


def _fill(
    frame: Any, lines: Sequence[tuple[str, float, str, bool]], lang: str, align: PP_ALIGN = PP_ALIGN.LEFT
) -> None:
    """Replace a text frame's text with `lines` of (text, size pt, colour, bold), word-wrapped."""
    frame.clear()
    frame.word_wrap = True
    for i, (text, size, colour, bold) in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        run = para.add_run()
        run.text = text
        _style_run(run, size, colour, lang, bold)


def _text_box(
    slide: Any,
    box: Box,
    name_: str,
    lines: Sequence[tuple[str, float, str, bool]],
    lang: str,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
) -> Any:
    shape = slide.shapes.add_textbox(*box.emu())
    shape.name = name_
    frame = shape.text_frame
    frame.margin_left = frame.margin_right = Inches(0.02)
    frame.margin_top = frame.margin_bottom = Inches(0.02)
    frame.vertical_anchor = anchor
    _fill(frame, lines, lang)
    return shape


def _place(shape: Any, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = box.emu()


def _theme_fallback_font(prs: Any) -> None:
    """The deck theme's Simplified Chinese font (used by PowerPoint for text without its own) -> YaHei."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(part.blob)
    for font in root.iter(qn("a:font")):
        if font.get("script") == "Hans":
            font.set("typeface", EA_FALLBACK)
    for group in ("a:majorFont", "a:minorFont"):
        for ea in root.iter(qn(group)):
            node = ea.find(qn("a:ea"))
            if node is not None:
                node.set("typeface", EA_FALLBACK)
    part.blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _background(slide: Any, theme: str) -> None:
    if theme == "dark":
        fill = slide.background.fill
        fill.solid()
        fill.fore_color.rgb = _hex(SLIDE_BG[theme])


def export_view(view: View) -> View:
    """The view charts are exported with: its own theme when dark, else light."""
    return replace(view, theme="dark" if view.theme == "dark" else "light")


def layouts(prs: Any) -> tuple[Any, Any]:
    """The deck's two layouts: a title slide (title + subtitle placeholders) and title only; by name as Office
    names them, else by their placeholders: the first with a title and more, the one with a title and the fewest
    (a bureau's template may name them otherwise)."""
    named = {layout.name: layout for layout in prs.slide_layouts}

    titled = [
        lay
        for lay in prs.slide_layouts
        if any(
            ph.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE) for ph in lay.placeholders
        )
    ]
    first = named.get("Title Slide") or next((lay for lay in titled if len(lay.placeholders) >= 2), None)
    only = named.get("Title Only") or min(titled, key=lambda lay: len(lay.placeholders), default=None)
    if first is None or only is None:
        raise ExportError("pptx_template_layouts", detail="no layout with a title placeholder")
    return first, only


def _title_slide(prs: Any, ds: Dataset, view: View, own_look: bool = True) -> None:
    lang, p = view.lang, palette(view.theme)
    meta = ds.meta
    slide = prs.slides.add_slide(layouts(prs)[0])  # "Title Slide": title + subtitle placeholders
    if own_look:
        _background(slide, view.theme)
    title = slide.shapes.title
    _place(title, Box(MARGIN, 1.7, SLIDE_WIDTH.inches - 2 * MARGIN, 1.5))
    city = meta.get("city_en" if lang == "en" else "city_zh")
    heading = str(meta.get("title_en" if lang == "en" else "title_zh", ""))
    _fill(title.text_frame, [(f"{city} · {heading}" if city else heading, 40, p["text"], True)], lang, PP_ALIGN.CENTER)
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    subtitle = next(ph for ph in slide.placeholders if ph.shape_id != title.shape_id)
    _place(subtitle, Box(MARGIN, 3.45, SLIDE_WIDTH.inches - 2 * MARGIN, 2.6))
    lines = [
        (caption(ds, view), 24, p["text"], False),
        (t("as_of", lang, date=meta.get("as_of", "")), 18, p["muted"], False),
    ]
    if meta.get("sample"):
        lines.append((f"{t('sample_badge', lang)} · {t('sample_note', lang)}", 14, p["warn"], False))
    source = meta.get("source_en" if lang == "en" else "source_zh")
    if source:
        lines.append((t("source", lang, source=source), 12, p["muted"], False))
    _fill(subtitle.text_frame, lines, lang, PP_ALIGN.CENTER)
    subtitle.text_frame.vertical_anchor = MSO_ANCHOR.TOP


def _kpi_table(slide: Any, ds: Dataset, view: View, box: Box) -> None:
    """The KPI values as a native table (label, value, 同比, target): for a slide without charts."""
    lang, p = view.lang, palette(view.theme)
    models = kpi_models(ds, view.year, view.districts, lang)
    if not models:
        return
    heads = [t(f"kpi_table_{key}", lang) for key in ("indicator", "value", "yoy", "target")]
    rows = [
        [k.label, k.value_text if k.value is not None else DASH, k.change_text or DASH, k.target_text or DASH]
        for k in models
    ]
    height = min(box.height, 0.45 * (len(rows) + 1))
    shape = slide.shapes.add_table(len(rows) + 1, 4, *Box(box.left, box.top, box.width, height).emu())
    shape.name = "KPI table"
    table = shape.table
    for c, width in enumerate((0.34, 0.22, 0.22, 0.22)):
        table.columns[c].width = Inches(box.width * width)
    for r, cells in enumerate([heads, *rows]):
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            _fill(cell.text_frame, [(text, 14 if r else 13, p["text"], r == 0)], lang)


STATUS_COLOUR = {"on_track": "good", "at_risk": "warn", "missed": "bad"}


def grid_rows(grid: Grid) -> list[list[tuple[str, str, str]]]:
    """The grid as slide-table rows of (line 1, line 2, status): headings (a column's unit and note, such as the
    months an in-year scorecard column covers and its 序时进度, on line 2), the rows, the totals row."""
    head = [
        (grid.row_heading, "", ""),
        *[(c.label, " ".join(p for p in (c.unit, c.note) if p), "") for c in grid.columns],
    ]
    if grid.summary_heading:
        head.append((grid.summary_heading, "", ""))
    out = [head]
    for row in [*grid.rows, *([grid.total] if grid.total else [])]:
        cells = [(row.label, "", ""), *[(_status_text(c), c.sub, c.status) for c in row.cells]]
        if grid.summary_heading:
            cells.append((row.summary, "", ""))
        out.append(cells)
    return out


def _status_text(cell: GridCell) -> str:
    icon = STATUS_ICONS.get(cell.status, "")
    return " ".join(p for p in (icon, cell.text, cell.status_text) if p)


def _grid_table(slide: Any, grid: Grid, view: View, box: Box) -> None:
    """The grid as a native, editable table: status in its colour, its icon and its words."""
    lang, p = view.lang, palette(view.theme)
    rows = grid_rows(grid)
    n_cols = len(rows[0])
    shape = slide.shapes.add_table(len(rows), n_cols, *box.emu())
    shape.name = "Scorecard" if grid.table_id == ids.SCORECARD else "Table"
    table = shape.table
    first = 0.16 if n_cols > 2 else 0.5
    rest = (1 - first - (0.08 if grid.summary_heading else 0)) / max(1, len(grid.columns))
    widths = [first, *[rest] * len(grid.columns), *([0.08] if grid.summary_heading else [])]
    for c, width in enumerate(widths):
        table.columns[c].width = Inches(box.width * width)
    small = len(rows) > 10
    for r, cells in enumerate(rows):
        table.rows[r].height = Inches(box.height / len(rows))
        for c, (text, sub, status) in enumerate(cells):
            colour = p[STATUS_COLOUR[status]] if status else p["text"]
            lines = [(text, (10 if small else 12) if r else 10, colour, r == 0 or bool(status))]
            if sub:
                lines.append((sub, 7 if small else 9, p["muted"], False))
            cell = table.cell(r, c)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            _fill(cell.text_frame, lines, lang)


def _section_slide(
    prs: Any,
    ds: Dataset,
    view: View,
    planned: Planned,
    render: Callable[[Any, Box, str], bytes],
    own_look: bool = True,
) -> None:
    lang, p = view.lang, palette(view.theme)
    slide = prs.slides.add_slide(layouts(prs)[1])  # "Title Only": a real title placeholder
    if own_look:
        _background(slide, view.theme)
    title = slide.shapes.title
    _place(title, Box(MARGIN, TITLE_TOP, SLIDE_WIDTH.inches - 2 * MARGIN, TITLE_HEIGHT))
    _fill(title.text_frame, [(planned.title, 28, p["text"], True)], lang)
    title.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    width = SLIDE_WIDTH.inches - 2 * MARGIN
    summary = _text_box(
        slide,
        Box(MARGIN, SENTENCE_TOP, width, SENTENCE_HEIGHT),
        "Summary",
        [(planned.sentence, 14, p["text"], False)],
        lang,
    )
    summary.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # long English sentences shrink to fit
    boxes = chart_boxes(planned.rows)
    for i, (fig, label, (title_box, picture_box)) in enumerate(
        zip(planned.figures, planned.chart_titles, boxes, strict=True)
    ):
        _text_box(slide, title_box, f"Chart title {i + 1}", [(label, 12, p["muted"], True)], lang, MSO_ANCHOR.BOTTOM)
        png = render(fig, picture_box, f"{planned.title} · {label}")
        picture = slide.shapes.add_picture(io.BytesIO(png), *picture_box.emu())
        picture.name = f"Chart {i + 1}"
    if not planned.figures and planned.slide.kpis:
        _kpi_table(slide, ds, view, Box(MARGIN, CHARTS_TOP, width, CHARTS_BOTTOM - CHARTS_TOP))
    if planned.table is not None:
        _grid_table(slide, planned.table, view, Box(MARGIN, CHARTS_TOP, width, CHARTS_BOTTOM - CHARTS_TOP))
    _text_box(
        slide,
        Box(MARGIN, FOOTER_TOP, width, FOOTER_HEIGHT),
        "Footer",
        [(" · ".join(slide_marks(ds, view)), 10, p["muted"], False)],
        lang,
        MSO_ANCHOR.MIDDLE,
    )


def build_pptx(
    ds: Dataset,
    view: View,
    progress: Progress | None = None,
    renderer: ChartRenderer | None = None,
    template: Path | None = None,
) -> bytes:
    """An editable 16:9 deck: a title slide, then the registry's slides for this dataset; the .pptx bytes.

    Charts are pictures rendered by `renderer` (a private one is started and stopped when None);
    `progress(done, total, label)` is called after each chart. ExportError when no browser is available.
    """
    view = export_view(view)
    own = renderer or ChartRenderer(lang=view.lang)  # no browser: ExportError before any work is done
    slides = plan(ds, view)
    if renderer is not None:
        return _deck(ds, view, slides, progress, renderer, template)
    with own:
        return _deck(ds, view, slides, progress, own, template)


def open_template(template: Path | None, lang: str) -> Any:
    """A new presentation, or the bureau's template (STI_PPTX_TEMPLATE) with its master and layouts and without
    its own slides. ExportError when the template is not a readable .pptx."""
    if template is None:
        return Presentation()
    try:
        prs = Presentation(str(template))
    except Exception as exc:  # python-pptx raises several kinds for a file that is not a .pptx
        raise ExportError("pptx_template_unreadable", lang, detail=f"{template}: {exc!r}") from exc
    ids_list = prs.slides._sldIdLst
    for sld in list(ids_list):
        prs.part.drop_rel(sld.rId)
        ids_list.remove(sld)
    return prs


def _deck(
    ds: Dataset,
    view: View,
    slides: list[Planned],
    progress: Progress | None,
    renderer: ChartRenderer,
    template: Path | None = None,
) -> bytes:
    total = sum(len(s.figures) for s in slides)
    done = 0
    background = "#" + SLIDE_BG[view.theme]

    def render(fig: Any, box: Box, label: str) -> bytes:
        nonlocal done
        width, height = box.css()
        figure = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)
        sized = fit_to_size(figure, width, height)
        sized["layout"] = {**sized["layout"], "paper_bgcolor": background, "width": None, "height": None}
        png = renderer.render(sized, width=width, height=height, scale=EXPORT_SCALE)
        done += 1
        if progress is not None:
            progress(done, total, label)
        return png

    prs = open_template(template, view.lang)
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _theme_fallback_font(prs)
    layouts(prs)  # a template without a title layout fails here, before the slides
    _title_slide(prs, ds, view, own_look=template is None)
    for planned in slides:
        _section_slide(prs, ds, view, planned, render, own_look=template is None)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- file names ---------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-") or "x"


def _scope(districts: Sequence[str]) -> str:
    codes = [c for c in districts if re.fullmatch(r"[0-9]{6}", c)]
    if not codes:
        return "city"
    if len(codes) > 4:  # keep names short: count plus a digest of the selection
        return f"{len(codes)}districts-{hashlib.sha1(','.join(codes).encode()).hexdigest()[:8]}"
    return "_".join(codes)


def pptx_filename(ds: Dataset, view: View) -> str:
    """e.g. 'sti-2012-330212_330281-zh.pptx' ('city' for the whole city; unknown codes are left out); a period
    view's 'sti-2012-11-city-zh.pptx'."""
    known = set(ds.district_codes)
    when = period_code(int(view.year), view.period)
    return f"sti-{when}-{_scope([c for c in view.districts if c in known])}-{_slug(view.lang)}.pptx"
