"""The written report of a view (科技创新主要指标月报 / 年报): its content as plain data, pure.

One model for every document (the Word file, the print page and its PDF, the mail's text): the title with the
city, the period and the scope; one paragraph per section in the report's own voice ("一是……；二是……"), made of
the sentences the page shows; the KPI cards as a table; the 考核 scorecard as a table; the slides' charts as
numbered figures with their source line; the 统计口径 and sources of every indicator shown. Every number comes
from the models the page draws (KPI cards, sections' sentences, the scorecard grid): never a second computation.
No dash or flask import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from components.charts import catalogue
from components.charts.kpis import view_kpis
from components.charts.prep import selection_name
from components.core.i18n import DASH, t
from components.core.state import View, period_code
from components.exports.view_data import scope_slug
from components.sections import present
from components.sections.slide_plan import Planned, plan
from data.load import Dataset

Progress = Callable[[int, int, str], None]
MAX_FIGURES = 16  # the generic section has a slide per indicator: the report keeps the first ones
PER_SECTION = 2  # a section's main charts: the first of its slides' charts (every section gets its turn)
ORDINALS_ZH = "一二三四五六七八九十"
ORDINALS_EN = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")


@dataclass(frozen=True)
class ReportTable:
    """A table of the report: display text exactly as the page formats it; one key per row."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    keys: list[str]


@dataclass(frozen=True)
class ReportFigure:
    """A numbered figure: its caption ("图1 …"), source line and the plotly figure as the page draws it."""

    number: int
    caption: str
    source: str
    figure: dict[str, Any]
    section: str


@dataclass(frozen=True)
class Report:
    """Everything a document of the view says, in one language."""

    lang: str
    title: str
    scope: str
    as_of: str
    sample: bool
    summary: list[str]
    kpis: ReportTable
    scorecard: ReportTable | None
    figures: list[ReportFigure]
    notes: list[str]


def _when(view: View) -> str:
    """The period as the title says it: '2012年1–11月' / 'Jan–Nov 2012'; a whole year: '2012年' / '2012'."""
    return view.when_text or (f"{view.year}年" if view.lang == "zh" else str(view.year))


def report_title(ds: Dataset, view: View) -> str:
    """'宁波市科技创新主要指标月报（2012年1–11月）', '…季报（2012年1–9月）', '…年报（2012年）'."""
    city = str(ds.meta.get("city_en" if view.lang == "en" else "city_zh", ""))
    if not view.in_year:
        return t("report_title_year", view.lang, city=city, year=view.year)
    kind = "report_title_quarter" if view.period.startswith("Q") else "report_title_month"
    return t(kind, view.lang, city=city, when=view.when_text).strip()


def as_of_text(ds: Dataset, lang: str) -> str:
    """'数据截至2012年11月30日' / 'Data as of 30 Nov 2012' (the dataset's as_of as written when not a date)."""
    raw = str(ds.meta.get("as_of", ""))
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return t("report_as_of", lang, date=raw)
    date = f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day:%b} {day.year}"
    return t("report_as_of", lang, date=date)


def heading_text(n: int, key: str, lang: str) -> str:
    """The `n`-th (1-based) heading of a document: '一、总体情况' / '1. Summary'."""
    number = str(n) if lang == "en" else _ordinal(n - 1, lang)
    return t("report_heading", lang, n=number, title=t(key, lang))


def _ordinal(n: int, lang: str) -> str:
    if lang == "en":
        return ORDINALS_EN[n] if n < len(ORDINALS_EN) else f"{n + 1}."
    return ORDINALS_ZH[n] if n < len(ORDINALS_ZH) else str(n + 1)


def _plain(text: str) -> str:
    """A sentence as one line of prose (the page's sentences may carry line breaks)."""
    return re.sub(r"\s+", " ", text).strip()


def summary(ds: Dataset, view: View) -> list[str]:
    """One paragraph per section present, in the report's voice: '一是专利。2012年1–11月全市专利申请量…'.

    The text of each is the section's own sentence, as the page and the slides show it."""
    out: list[str] = []
    targeted = [k for k in view_kpis(ds, view) if k.target_text and k.completion_text]
    told: set[str] = set()
    for s in present(ds):
        if s.key == "overview":  # the KPI cards' sentence: the table below says it, and the sections again
            continue
        text = _plain(s.sentence(ds, view)) if s.sentence is not None else ""
        if not text:
            continue
        shown = {i for g in s.graphs(ds) for i in g.needs.uses}
        for k in targeted:  # the section's targeted cards: target, completion, 序时进度 and status, as on the card
            if (k.indicator in shown or k.label in text) and k.indicator not in told:
                told.add(k.indicator)
                text += t("report_target_clause", view.lang, **_target_words(k, view.lang))
        title = s.title(view.lang)
        out.append(t("report_paragraph", view.lang, ordinal=_ordinal(len(out), view.lang), title=title, text=text))
    return out


def _status_word(k: Any, lang: str) -> str:
    """A card's status in words ('预警' / 'At risk'); '—' when it has none."""
    keys = {"on_track": "status_on_track", "at_risk": "status_at_risk", "missed": "status_missed"}
    return t(keys[k.status], lang) if k.status in keys else DASH


def _target_words(k: Any, lang: str) -> dict[str, str]:
    return {"label": k.label, "target": _bare(k.target_text), "completion": k.completion_text,
            "status": _status_word(k, lang)}  # fmt: skip


def kpi_table(ds: Dataset, view: View) -> ReportTable:
    """The KPI cards as a table: indicator, value, 同比, target, completion, 序时进度, status, period."""
    lang = view.lang
    keys = [  # the columns' strings, by name (no key made up at run time: the catalogue test finds each)
        "report_col_indicator",
        "report_col_value",
        "report_col_yoy",
        "report_col_target",
        "report_col_completion",
        "report_col_schedule",
        "report_col_status",
        "report_col_period",
    ]
    rows, ids = [], []
    for k in view_kpis(ds, view):
        schedule = DASH if k.schedule is None else f"{k.schedule * 100:.1f}%"
        status = _status_word(k, lang)
        rows.append(
            [
                k.label,
                k.value_text or DASH,
                _bare(k.change_text),
                _bare(k.target_text),
                k.completion_text or DASH,
                schedule,
                status,
                _period_of(k, lang),
            ]
        )
        ids.append(k.indicator)
    title = t("report_kpis_title", lang, when=_when(view))
    return ReportTable(title, [t(k, lang) for k in keys], rows, ids)


def _bare(text: str) -> str:
    """A card's text without the word its column heading says ('同比 +55.71%' -> '+55.71%'); '—' when empty."""
    return re.sub(r"^(同比|目标|YoY|Target)\s*", "", text).strip() or DASH


def _period_of(k: Any, lang: str) -> str:
    from components.exports.view_data import period_text

    return period_text(k.period, k.basis, lang) if k.period else DASH


def scorecard_table(ds: Dataset, view: View, slides: Sequence[Planned]) -> ReportTable | None:
    """The 考核 scorecard's grid (the slide's table) as text rows; None without district targets."""
    from components.exports.deck import grid_rows

    grid = next((p.table for p in slides if p.table is not None), None)
    if grid is None:
        return None
    rows = grid_rows(grid)
    head = [" ".join(x for x in cell[:2] if x) for cell in rows[0]]
    body = [[" ".join(x for x in cell[:2] if x) or DASH for cell in row] for row in rows[1:]]
    keys = [r.key or r.label for r in [*grid.rows, *([grid.total] if grid.total else [])]]
    return ReportTable(grid.caption, head, body, keys)


def _source(ds: Dataset, indicators: Sequence[str], lang: str) -> str:
    sources: list[str] = []
    for ind in indicators:
        try:
            src = catalogue.entry(ds, ind, lang).source
        except KeyError:
            continue
        if src and src not in sources:
            sources.append(src)
    joined = ("；" if lang == "zh" else "; ").join(sources) or t("report_source_dataset", lang)
    return t("report_source", lang, sources=joined)


def figures(ds: Dataset, view: View, slides: Sequence[Planned]) -> list[ReportFigure]:
    """The slides' charts as numbered figures (captions are the slides' chart titles): each section's first
    PER_SECTION, at most MAX_FIGURES."""
    out: list[ReportFigure] = []
    per: dict[str, int] = {}
    for p in slides:
        for g, fig, title in zip(p.slide.graphs, p.figures, p.chart_titles, strict=False):
            if len(out) >= MAX_FIGURES:
                return out
            data = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else dict(fig)
            if (data.get("layout") or {}).get("meta", {}).get("empty") or per.get(p.slide.section, 0) >= PER_SECTION:
                continue  # nothing to show in this view, or the section has its figures already
            per[p.slide.section] = per.get(p.slide.section, 0) + 1
            n = len(out) + 1
            caption = t("report_figure", view.lang, n=n, title=_plain(title))
            out.append(ReportFigure(n, caption, _source(ds, g.needs.uses, view.lang), data, p.slide.section))
    return out


def notes(ds: Dataset, view: View, shown: Sequence[str]) -> list[str]:
    """统计口径 and source of every indicator the report shows, and the sample's mark."""
    lang = view.lang
    out = []
    for ind in dict.fromkeys(shown):
        try:
            e = catalogue.entry(ds, ind, lang)
        except KeyError:
            continue
        if e.definition or e.source:
            out.append(
                t("report_note_indicator", lang, name=e.name, definition=e.definition or DASH, source=e.source or DASH)
            )
    if ds.meta.get("sample"):
        out.append(t("report_note_sample", lang))
    return out


def build_report(ds: Dataset, view: View) -> Report:
    """The report of `view` (light theme: documents are printed)."""
    from dataclasses import replace

    view = replace(view, theme="light")
    slides = plan(ds, view)
    kpis = kpi_table(ds, view)
    figs = figures(ds, view, slides)
    shown = [*kpis.keys, *[i for p in slides for g in p.slide.graphs for i in g.needs.uses]]
    known = set(ds.indicators["indicator"])
    return Report(
        lang=view.lang,
        title=report_title(ds, view),
        scope=selection_name(ds, view.districts, view.lang),
        as_of=as_of_text(ds, view.lang),
        sample=bool(ds.meta.get("sample")),
        summary=summary(ds, view),
        kpis=kpis,
        scorecard=scorecard_table(ds, view, slides),
        figures=figs,
        notes=notes(ds, view, [i for i in shown if i in known]),
    )


def drawn(
    report: Report, render: Callable[[dict[str, Any]], bytes], progress: Progress | None = None, **layout: Any
) -> list[bytes]:
    """Each figure drawn by `render` without its page size (the document lays it out) and with `layout`'s
    overrides; `progress(done, total, caption)` after each."""
    out = []
    for i, fig in enumerate(report.figures, 1):
        sized = {**fig.figure, "layout": {**fig.figure.get("layout", {}), "width": None, "height": None, **layout}}
        out.append(render(sized))
        if progress is not None:
            progress(i, len(report.figures), fig.caption)
    return out


def report_filename(ds: Dataset, view: View, ext: str) -> tuple[str, str]:
    """(ascii, utf-8) file names: 'sti-report-2012-11-city-zh.docx' and the title's
    '宁波科技创新主要指标月报（2012年1–11月）.docx'."""
    when = period_code(view.year, view.period)
    ascii_name = f"sti-report-{when}-{scope_slug(ds, view.districts)}-{view.lang}.{ext}"
    title = report_title(ds, view)
    if view.districts:
        scope = selection_name(ds, view.districts, view.lang)
        title += f"（{scope}）" if view.lang == "zh" else f" ({scope})"
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", title)[:120]
    return ascii_name, f"{safe}.{ext}"
