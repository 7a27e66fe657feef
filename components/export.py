"""Meeting export: the slide registry, a kaleido chart renderer on Debian's Chromium, and the .pptx builder.

No dash import of its own (the section modules it reuses import dash for their layouts). Adding a section
to the meeting deck (and to the presentation mode) means adding one `SlideSection` to `SLIDE_SECTIONS`.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

import plotly.graph_objects as go
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from components.filters import caption, slide_marks
from components.hightech import hightech_figures
from components.i18n import name, t
from components.overview import MAP_INDICATORS, overview_outputs
from components.patents import patents_figures
from components.pipeline import pipeline_outputs
from components.seismic import seismic_outputs
from components.state import View
from components.summary import SENTENCES
from components.theme import palette
from data import aggregate as agg
from data.load import Dataset

ChartsFn = Callable[[Dataset, View], list[go.Figure]]
TextsFn = Callable[[Dataset, View], list[str]]
SentenceFn = Callable[[Dataset, View], str]
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

# East Asian font of every run; PowerPoint without Noto falls back through charset/pitch and the theme's Hans font.
EA_FONT = "Noto Sans CJK SC"
EA_FALLBACK = "Microsoft YaHei"
SLIDE_BG = {"light": "FFFFFF", "dark": "111827"}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome")
DEBIAN_CHROMIUM = "/usr/bin/chromium"


class ExportError(Exception):
    """An export that cannot be done; `key` names its message in the catalogue (shown to the user)."""

    def __init__(self, key: str, lang: str = "zh", detail: str = "", **params: object) -> None:
        self.key = key
        self.params = params
        self.detail = detail  # for the server log only (paths, the underlying error)
        super().__init__(t(key, lang, **params))

    def message(self, lang: str) -> str:
        """The user-facing message in `lang`."""
        return t(self.key, lang, **self.params)


# --- the slide registry -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in inches."""

    left: float
    top: float
    width: float
    height: float

    def emu(self) -> tuple[Emu, Emu, Emu, Emu]:
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


@dataclass(frozen=True)
class SlideSection:
    """One meeting slide: title key, charts, a chart title per chart, summary sentence and chart layout."""

    key: str
    title_key: str
    charts: ChartsFn
    chart_titles: TextsFn
    sentence: SentenceFn
    grid: tuple[tuple[float, ...], ...]  # rows of relative column widths, one entry per chart, in chart order

    def title(self, lang: str) -> str:
        """The slide title in `lang`."""
        return t(self.title_key, lang)

    def boxes(self) -> list[tuple[Box, Box]]:
        """(chart title box, picture box) per chart."""
        return chart_boxes(self.grid)

    @property
    def chart_count(self) -> int:
        """How many charts the slide holds."""
        return sum(len(row) for row in self.grid)


def _keyed(*keys: str) -> TextsFn:
    """Chart titles from catalogue keys, each filled with the view's year."""

    def titles(ds: Dataset, view: View) -> list[str]:
        return [t(key, view.lang, year=view.year) for key in keys]

    return titles


def _overview_charts(ds: Dataset, view: View) -> list[go.Figure]:
    return list(overview_outputs(ds, view, MAP_INDICATORS[0]))


def _overview_titles(ds: Dataset, view: View) -> list[str]:
    indicator = name(agg.indicator_info(ds, MAP_INDICATORS[0]), view.lang)
    return [t("export_map_title", view.lang, year=view.year, indicator=indicator), t("rd_title", view.lang)]


def _pipeline_charts(ds: Dataset, view: View) -> list[go.Figure]:
    _, tiers, trend, flows, by_district = pipeline_outputs(ds, view)
    return [tiers, flows, trend, by_district]  # the dashboard's order: the movements get the wide slot


def _seismic_charts(ds: Dataset, view: View) -> list[go.Figure]:
    return list(seismic_outputs(ds, view)[1:])  # [headline components, uptime, heatmap, timeline]


SLIDE_SECTIONS: tuple[SlideSection, ...] = (
    SlideSection("overview", "overview", _overview_charts, _overview_titles, SENTENCES["overview"], ((5, 7),)),
    SlideSection(
        "patents",
        "patents",
        patents_figures,
        _keyed("patents_trend_title", "export_patents_district_title", "patents_share_title"),
        SENTENCES["patents"],
        ((4, 5, 3),),
    ),
    SlideSection(
        "hightech",
        "hightech",
        hightech_figures,
        _keyed("hightech_district_title", "hightech_trend_title"),
        SENTENCES["hightech"],
        ((7, 5),),
    ),
    SlideSection(
        "pipeline",
        "pipeline",
        _pipeline_charts,
        _keyed("pipeline_tiers_title", "pipeline_flow_title", "pipeline_trend_title", "pipeline_district_title"),
        SENTENCES["pipeline"],
        ((4, 8), (6, 6)),
    ),
    SlideSection(
        "seismic",
        "seismic",
        _seismic_charts,
        _keyed("seismic_uptime_title", "seismic_heatmap_title", "seismic_timeline_title"),
        SENTENCES["seismic"],
        ((4, 6, 6),),  # one row: full height, so every station's name has room
    ),
)


def slide_section(key: str) -> SlideSection:
    """The registered section `key` (KeyError when unknown)."""
    for section in SLIDE_SECTIONS:
        if section.key == key:
            return section
    raise KeyError(key)


# --- the chart renderer -------------------------------------------------------------------------------------


def _executable(path: str | os.PathLike[str]) -> bool:
    p = Path(path)
    return p.is_file() and os.access(p, os.X_OK)


def find_chromium(path: str | os.PathLike[str] | None = None) -> str | None:
    """The browser to render with: `path` if given, else $BROWSER_PATH, /usr/bin/chromium, then PATH.

    A path that was asked for explicitly (argument or BROWSER_PATH) and is not an executable gives None:
    a misconfiguration is reported, not silently replaced by another browser.
    """
    explicit = path if path is not None else os.environ.get("BROWSER_PATH") or None
    if explicit is not None:
        return str(explicit) if _executable(explicit) else None
    if _executable(DEBIAN_CHROMIUM):
        return DEBIAN_CHROMIUM
    for exe in CHROMIUM_NAMES:
        found = shutil.which(exe)
        if found and _executable(found):
            return found
    return None


class ChartRenderer:
    """One headless Chromium (kaleido 1.x) that renders many figures to PNG; use as a context manager.

    The browser is found before anything starts (ExportError 'export_no_chromium' when there is none). It
    runs on a private event-loop thread owned by this object (not kaleido's process-wide sync server, so
    two exports in one process cannot stop each other's browser). MathJax is off (its default is a CDN)
    and plotly.js comes from the installed plotly package: nothing is fetched from the network.
    """

    def __init__(
        self, browser_path: str | os.PathLike[str] | None = None, *, lang: str = "zh", timeout: float = 60.0
    ) -> None:
        found = find_chromium(browser_path)
        if found is None:
            detail = str(browser_path or os.environ.get("BROWSER_PATH") or DEBIAN_CHROMIUM)
            raise ExportError("export_no_chromium", lang, detail=f"no executable browser at {detail}")
        self.browser_path = found
        self.lang = lang
        self.timeout = timeout
        self.startup_seconds: float | None = None  # browser start, measured
        self.timings: list[float] = []  # seconds per render() call, in order
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._lock = threading.Lock()

    def __enter__(self) -> ChartRenderer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the browser is up."""
        return self._kaleido is not None

    def start(self) -> None:
        """Start the browser (once); ExportError 'export_browser_failed' when it does not come up."""
        if self.running:
            return
        from kaleido import Kaleido  # imported here: the app does not pay for it until someone exports

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="chart-renderer", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread

        async def open_browser() -> Any:
            k = Kaleido(path=self.browser_path, mathjax=False, timeout=self.timeout, n=1)
            await k.open()
            return k

        began = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(open_browser(), loop)
        try:
            self._kaleido = future.result(self.timeout)
        except BaseException as e:
            future.cancel()
            self._stop_loop()
            raise ExportError("export_browser_failed", self.lang, detail=repr(e)) from e
        self.startup_seconds = time.perf_counter() - began

    def render(self, fig: go.Figure | dict[str, Any], width: int = 1600, height: int = 900, scale: float = 1) -> bytes:
        """PNG bytes of `fig` laid out at width x height CSS px; the image is (width*scale) x (height*scale)."""
        if self._kaleido is None or self._loop is None:
            raise RuntimeError("ChartRenderer is not started: use it as a context manager")
        spec = fig.to_dict() if isinstance(fig, go.Figure) else fig
        opts = {"format": "png", "width": width, "height": height, "scale": scale}
        with self._lock:
            began = time.perf_counter()
            future = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(spec, opts=opts), self._loop)
            try:
                data = future.result(self.timeout + 5)
            except BaseException as e:
                future.cancel()
                raise ExportError("export_render_failed", self.lang, detail=repr(e)) from e
            self.timings.append(time.perf_counter() - began)
        return bytes(data)

    def stop(self) -> None:
        """Close the browser and the loop thread (safe to call twice)."""
        kaleido, loop = self._kaleido, self._loop
        self._kaleido = None
        if kaleido is not None and loop is not None:
            future = asyncio.run_coroutine_threadsafe(kaleido.close(), loop)
            try:
                future.result(self.timeout)
            except Exception:  # a browser that will not close cleanly must not hide the finished deck
                future.cancel()
        self._stop_loop()

    def _stop_loop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(self.timeout)
        if not loop.is_running():
            loop.close()


# --- the deck -----------------------------------------------------------------------------------------------


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


def _title_slide(prs: Any, ds: Dataset, view: View) -> None:
    lang, p = view.lang, palette(view.theme)
    meta = ds.meta
    slide = prs.slides.add_slide(prs.slide_layouts[0])  # "Title Slide": title + subtitle placeholders
    _background(slide, view.theme)
    title = slide.shapes.title
    _place(title, Box(MARGIN, 1.7, SLIDE_WIDTH.inches - 2 * MARGIN, 1.5))
    city = meta.get("city_en" if lang == "en" else "city_zh")
    heading = str(meta.get("title_en" if lang == "en" else "title_zh", ""))
    _fill(title.text_frame, [(f"{city} · {heading}" if city else heading, 40, p["text"], True)], lang, PP_ALIGN.CENTER)
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    subtitle = slide.placeholders[1]
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


def _section_slide(
    prs: Any,
    ds: Dataset,
    view: View,
    section: SlideSection,
    figures: list[go.Figure],
    titles: list[str],
    render: Callable[[go.Figure, Box, str], bytes],
) -> None:
    lang, p = view.lang, palette(view.theme)
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": a real title placeholder
    _background(slide, view.theme)
    title = slide.shapes.title
    _place(title, Box(MARGIN, TITLE_TOP, SLIDE_WIDTH.inches - 2 * MARGIN, TITLE_HEIGHT))
    _fill(title.text_frame, [(section.title(lang), 28, p["text"], True)], lang)
    title.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    width = SLIDE_WIDTH.inches - 2 * MARGIN
    summary = _text_box(
        slide,
        Box(MARGIN, SENTENCE_TOP, width, SENTENCE_HEIGHT),
        "Summary",
        [(section.sentence(ds, view), 14, p["text"], False)],
        lang,
    )
    summary.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # long English sentences shrink to fit
    for i, (fig, label, (title_box, picture_box)) in enumerate(zip(figures, titles, section.boxes(), strict=True)):
        _text_box(slide, title_box, f"Chart title {i + 1}", [(label, 12, p["muted"], True)], lang, MSO_ANCHOR.BOTTOM)
        png = render(fig, picture_box, f"{section.title(lang)} · {label}")
        picture = slide.shapes.add_picture(io.BytesIO(png), *picture_box.emu())
        picture.name = f"Chart {i + 1}"
    _text_box(
        slide,
        Box(MARGIN, FOOTER_TOP, width, FOOTER_HEIGHT),
        "Footer",
        [(" · ".join(slide_marks(ds, view)), 10, p["muted"], False)],
        lang,
        MSO_ANCHOR.MIDDLE,
    )


def build_pptx(
    ds: Dataset, view: View, progress: Progress | None = None, renderer: ChartRenderer | None = None
) -> bytes:
    """An editable 16:9 deck: a title slide, then one slide per `SLIDE_SECTIONS` entry; the .pptx bytes.

    Charts are pictures rendered by `renderer` (a private one is started and stopped when None);
    `progress(done, total, label)` is called after each chart. ExportError when no browser is available.
    """
    view = export_view(view)
    own = renderer or ChartRenderer(lang=view.lang)  # no browser: ExportError before any work is done
    plan = []
    for section in SLIDE_SECTIONS:
        figures, titles = section.charts(ds, view), section.chart_titles(ds, view)
        if not len(figures) == len(titles) == section.chart_count:
            raise ValueError(
                f"section {section.key!r}: {len(figures)} charts, {len(titles)} titles, grid for {section.chart_count}"
            )
        plan.append((section, figures, titles))
    if renderer is not None:
        return _deck(ds, view, plan, progress, renderer)
    with own:
        return _deck(ds, view, plan, progress, own)


def _deck(
    ds: Dataset,
    view: View,
    plan: list[tuple[SlideSection, list[go.Figure], list[str]]],
    progress: Progress | None,
    renderer: ChartRenderer,
) -> bytes:
    total = sum(len(figures) for _, figures, _ in plan)
    done = 0
    background = "#" + SLIDE_BG[view.theme]

    def render(fig: go.Figure, box: Box, label: str) -> bytes:
        nonlocal done
        solid = go.Figure(fig).update_layout(paper_bgcolor=background, width=None, height=None)
        width, height = box.css()
        png = renderer.render(solid, width=width, height=height, scale=EXPORT_SCALE)
        done += 1
        if progress is not None:
            progress(done, total, label)
        return png

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _theme_fallback_font(prs)
    _title_slide(prs, ds, view)
    for section, figures, titles in plan:
        _section_slide(prs, ds, view, section, figures, titles, render)
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


def png_filename(view: View, section: str) -> str:
    """e.g. 'sti-2012-330212_330281-patents-zh.png' ('city' for the whole city)."""
    return f"sti-{int(view.year)}-{_scope(view.districts)}-{_slug(section)}-{_slug(view.lang)}.png"


def pptx_filename(ds: Dataset, view: View) -> str:
    """e.g. 'sti-2012-330212_330281-zh.pptx' ('city' for the whole city; unknown codes are left out)."""
    known = set(ds.district_codes)
    return f"sti-{int(view.year)}-{_scope([c for c in view.districts if c in known])}-{_slug(view.lang)}.pptx"
