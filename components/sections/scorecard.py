"""考核 The district assessment scorecard: districts × assessed indicators, with completion, rank and status.

Built from the pure `aggregate.scorecard` (completion = actual / target, rank by completion among the
districts, status by the app's thresholds); shown as a sortable table on the page (a row opens that
district's view), as its own slide in presentation mode and as a native table in the PPTX. Absent for a
dataset without district targets; a year without targets says so.

In-year (a quarter or a month, or a year still running: the periods the KPI cards read, `kpis.period_of`) each
cell is the district's year to date at the period's end against its annual target: completion of the year's
target beside 序时进度, the status judged on completion ÷ 序时进度 for a flow (a level or a ratio against its
whole target). A column reads the latest period of the year its data holds, named under its heading; an
indicator published yearly shows "—" until its year is complete.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from dash import html

from components.charts.grid import Grid, GridCell, GridColumn, GridRow, grid_table
from components.charts.kpis import period_of
from components.charts.prep import district_names
from components.core import ids
from components.core.i18n import axis_unit, fmt_indicator, fmt_percent, name, percent, t
from components.core.state import View, to_query
from components.core.ui import raw
from components.sections.base import Block, ExportTable, Needs, Section, Slide
from data import aggregate as agg
from data.load import Dataset
from data.periods import Span, ViewPeriod, parse_view_period, span_label
from data.rules import AT_RISK, MISSED, ON_TRACK, STATUSES

MAX_NAMED = 3  # districts named in a sentence before '等N个区县'


def _has_targets(ds: Dataset) -> list[str]:
    codes = set(ds.district_codes)
    found = ds.index.targets if ds.index else {}
    if any(d in codes for by in found.values() for d, _ in by):
        return []
    return ["district targets in targets.csv"]


def _unit(info: dict, lang: str) -> str:
    """'（件）' / ' (CNY 100m)' after a column heading; '' without a unit."""
    unit = axis_unit(info, lang)[1]  # the unit the cells are written in ('CNY bn' for 亿元 in English)
    return "" if not unit else f" ({unit})" if lang == "en" else f"（{unit}）"


def _cell(row: dict, info: dict, lang: str, total: bool = False, in_year: bool = False) -> GridCell:
    """A district's cell, with the contract's data-* attributes; or (`total`) the city's, which carries its own
    (data-total-*), so that `#scorecard [data-district]` finds exactly the district × indicator cells. In-year
    (`in_year`) it reads the year to date against the annual target and 序时进度."""
    status = row["status"] or ""
    actual, target = fmt_indicator(row["actual"], info, lang), fmt_indicator(row["target"], info, lang)
    rank = t("scorecard_rank", lang, rank=row["rank"]) if row["rank"] is not None else ""
    sub = t("scorecard_sub", lang, actual=actual, target=target) + (f" · {rank}" if rank else "")
    title = f"{name(info, lang)}: {sub}"
    if in_year:
        sub, title = _in_year_texts(row, info, lang, actual, target, rank)
    values = {
        "indicator": str(row["indicator"]),
        "target": raw(row["target"]),
        "actual": raw(row["actual"]),
        "completion": raw(row["completion"]),
        "status": status,
        "period": str(row["period"]),
        "schedule": raw(row["schedule"]),
    }
    if total:
        attrs = {"data-scope": "city", **{f"data-total-{k}": v for k, v in values.items()}}
    else:
        attrs = {"data-district": str(row["district"]), **{f"data-{k}": v for k, v in values.items()}}
        attrs["data-rank"] = "" if row["rank"] is None else str(int(row["rank"]))
    return GridCell(
        text=fmt_percent(row["completion"]),
        status=status,
        status_text=t(f"status_{status}", lang) if status else "",
        sub=sub,
        title=title,
        attrs=attrs,
    )


def period_label(code: str, info: dict, lang: str) -> str:
    """The months a cell's number covers: '2012年1–11月' (a flow or a ratio to date), '2012年10月' (a level at
    its end), '2012年' (a whole year); '' for a code that is not a period."""
    when = parse_view_period(code)
    if when is None:
        return ""
    level = when.kind != "year" and str(info.get("temporal") or "flow") == "stock"
    return span_label(when.year, Span(when.last, when.last) if level else when.span("ytd"), lang)


def _in_year_texts(row: dict, info: dict, lang: str, actual: str, target: str, rank: str) -> tuple[str, str]:
    """(second line, hover text) of an in-year cell: '累计 715件 / 目标 900件 · 序时进度 91.7% · 第2名', and the
    reading in the KPI cards' words ('2012年1–11月完成全年目标79.4%，低于序时进度12.3个百分点')."""
    label = period_label(str(row["period"]), info, lang)
    if row["actual"] is None and row["completion"] is None:
        none = t("scorecard_no_period", lang, period=label)
        return none, f"{name(info, lang)}: {none}"
    paced = agg.paced(info)
    key = "scorecard_sub_to_date" if paced else "scorecard_sub"
    parts = [t(key, lang, actual=actual, target=target)]
    if paced:
        parts.append(t("scorecard_schedule", lang, schedule=fmt_percent(row["schedule"])))
    sub = " · ".join([*parts, *([rank] if rank else [])])
    done = row["completion"]
    if done is None:
        return sub, _titled(info, label, sub, lang)
    if not paced:
        reading = t("scorecard_level", lang, pct=fmt_percent(done))
    else:
        points = (done - row["schedule"]) * 100
        if abs(points) < 0.05:
            reading = t("kpi_schedule_even", lang, pct=fmt_percent(done))
        else:
            pace = t("kpi_schedule_ahead" if points > 0 else "kpi_schedule_behind", lang)
            reading = t("kpi_schedule", lang, pct=fmt_percent(done), pace=pace, points=f"{abs(points):.1f}")
    return sub, _titled(info, label, reading, lang)


def _titled(info: dict, label: str, text: str, lang: str) -> str:
    """'专利申请量（2012年1–11月）：…' / 'Patent applications (Jan–Nov 2012): …'."""
    return f"{name(info, lang)} ({label}): {text}" if lang == "en" else f"{name(info, lang)}（{label}）：{text}"


def when_of(ds: Dataset, view: View) -> ViewPeriod | None:
    """The period the scorecard is read for: the KPI cards' (a quarter, a month, or a year still running); None
    for a whole year, read as before."""
    return period_of(ds, view)


def _frame(ds: Dataset, view: View) -> pd.DataFrame:
    return agg.scorecard(ds, view.year, when_of(ds, view))


def _column_note(ds: Dataset, part: pd.DataFrame, info: dict, lang: str) -> str:
    """Under an in-year column's heading: the months its numbers cover and 序时进度 ('2012年1–11月 · 序时进度
    91.7%'), or that the period has no data; then a lower-is-better column's own bands."""
    first = part.iloc[0]
    label = period_label(str(first["period"]), info, lang)
    if part["actual"].isna().all():
        head = t("scorecard_no_period", lang, period=label)
    elif agg.paced(info):
        head = f"{label} · " + t("scorecard_schedule", lang, schedule=fmt_percent(first["schedule"]))
    else:
        head = label
    return " · ".join(p for p in (head, _lower(ds, info, lang)) if p)


def view_period_text(ds: Dataset, view: View, frame: pd.DataFrame) -> tuple[str, float]:
    """(the months an in-year scorecard speaks of, their 序时进度): the columns' period when they share one,
    else the view's ('2012年1–11月', 0.9167)."""
    when = when_of(ds, view) or view.when
    codes = set(frame["period"])
    if len(codes) == 1:
        when = parse_view_period(str(codes.pop())) or when
    return span_label(when.year, when.span("ytd"), view.lang), when.schedule


def scorecard_grid(ds: Dataset, view: View) -> Grid | None:
    """The scorecard of the view's year as a grid (None when the year has no district targets)."""
    lang = view.lang
    frame = _frame(ds, view)
    if frame.empty:
        return None
    in_year = when_of(ds, view) is not None
    indicators = list(dict.fromkeys(frame["indicator"]))
    infos = {i: agg.indicator_info(ds, i) for i in indicators}
    names = district_names(ds, lang)
    notes = {
        i: _column_note(ds, frame[frame["indicator"] == i], infos[i], lang) if in_year else _lower(ds, infos[i], lang)
        for i in indicators
    }
    columns = tuple(GridColumn(i, name(infos[i], lang), _unit(infos[i], lang), notes[i]) for i in indicators)
    rows = []
    by_district: dict[str, list[dict]] = {}
    for r in frame.to_dict("records"):
        by_district.setdefault(str(r["district"]), []).append(r)
    for code, part in by_district.items():
        cells = tuple(_cell(r, infos[r["indicator"]], lang, in_year=in_year) for r in part)
        judged = [c for c in cells if c.status]
        met = sum(c.status == ON_TRACK for c in cells)
        href = to_query(replace(view, districts=(str(code),), lang=lang, extras=(), notices=()))
        summary = t("scorecard_met", lang, met=met, total=len(judged)) if judged else ""
        rows.append(
            GridRow(str(code), names[str(code)], cells, summary, met / len(judged) if judged else -1.0, href,
                    str(code) in view.districts)
        )  # fmt: skip
    totals = agg.scorecard_totals(ds, view.year, when_of(ds, view))
    total = GridRow(
        ds.city_code,
        t("whole_city", lang),
        tuple(_cell(r, infos[r["indicator"]], lang, True, in_year) for r in totals.to_dict("records")),
    )
    return Grid(
        table_id=ids.SCORECARD,
        caption=_caption(ds, view, frame),
        row_heading=t("scorecard_district", lang),
        columns=columns,
        rows=tuple(rows),
        summary_heading=t("scorecard_met_heading", lang),
        total=total,
        legend=_legend(ds, lang, in_year),
        sort_hint=t("scorecard_sort_hint", lang),
    )


def _caption(ds: Dataset, view: View, frame: pd.DataFrame) -> str:
    if when_of(ds, view) is None:
        return t("scorecard_caption", view.lang, year=view.year)
    period, schedule = view_period_text(ds, view, frame)
    return t("scorecard_caption_period", view.lang, period=period, schedule=fmt_percent(schedule))


def _legend(ds: Dataset, lang: str, in_year: bool) -> tuple[tuple[str, str], ...]:
    """Each status in words; in-year, that it is completion ÷ 序时进度 which is judged."""
    words = {s: t(f"scorecard_legend_{s}", lang, **_bounds(ds)) for s in STATUSES}
    if in_year:
        words[ON_TRACK] = t("scorecard_legend_paced", lang, **_bounds(ds))
    return tuple(words.items())


def _bounds(ds: Dataset, higher_is_better: bool = True) -> dict[str, str]:
    th = ds.thresholds
    return {s: percent(th.bound(s, higher_is_better)) for s in (ON_TRACK, AT_RISK)}


def _lower(ds: Dataset, info: dict, lang: str) -> str:
    """A lower-is-better column's own bands, under its heading ('' for the usual kind)."""
    return "" if info["higher_is_better"] else t("scorecard_lower", lang, **_bounds(ds, False))


def table_block(ds: Dataset, view: View) -> list[Any]:
    """The page's scorecard: the sortable table, or why there is none this year."""
    grid = scorecard_grid(ds, view)
    if grid is None:
        return [html.P(t("scorecard_none", view.lang, year=view.year), className="scorecard-none")]
    return [grid_table(grid)]


def _names(codes: list[str], names: dict[str, str], lang: str) -> str:
    shown = ("、" if lang == "zh" else ", ").join(names[c] for c in codes[:MAX_NAMED])
    if len(codes) > MAX_NAMED:
        return t("scorecard_and_more", lang, names=shown, n=len(codes))
    return shown


def _behind(ds: Dataset, frame: pd.DataFrame) -> pd.DataFrame:
    """In-year: the cells behind schedule (a flow's completion short of 序时进度 by 0.05 points or more, the KPI
    cards' 'even' margin); a level or a ratio, as for a whole year: missed."""
    paced = frame["indicator"].map(lambda i: agg.paced(agg.indicator_info(ds, str(i))))
    done = pd.to_numeric(frame["completion"], errors="coerce")
    schedule = pd.to_numeric(frame["schedule"], errors="coerce")
    better = frame["indicator"].map(lambda i: bool(agg.indicator_info(ds, str(i))["higher_is_better"]))
    gap = (done - schedule) * 100
    late = (better & (gap <= -0.05)) | (~better & (gap >= 0.05))
    return frame[(paced & late.fillna(False)) | (~paced & (frame["status"] == MISSED))]


def risk_clauses(ds: Dataset, view: View) -> list[str]:
    """'慈溪市、江东区专利申请量完成率低于90%' for every assessed indicator some districts missed (of the
    selection, when there is one): the words leaders look for. In-year: '东城区、南湖区专利申请量低于序时进度'
    for the districts behind schedule."""
    frame = _frame(ds, view)
    in_year = when_of(ds, view) is not None
    missed = _behind(ds, frame) if in_year else frame[frame["status"] == MISSED]
    if view.districts:
        missed = missed[missed["district"].isin(view.districts)]
    if missed.empty:
        return []
    names = district_names(ds, view.lang)
    out = []
    for ind in dict.fromkeys(missed["indicator"]):
        part = missed[missed["indicator"] == ind].sort_values("completion", ascending=True)
        info = agg.indicator_info(ds, str(ind))
        key = "scorecard_missed_below" if info["higher_is_better"] else "scorecard_missed_above"
        if in_year and agg.paced(info):
            key = "scorecard_behind"
            if not info["higher_is_better"]:
                part = part.iloc[::-1]  # the furthest over first
        below = _bounds(ds, bool(info["higher_is_better"]))["at_risk"]
        codes = [str(c) for c in part["district"]]
        out.append(t(key, view.lang, names=_names(codes, names, view.lang), indicator=name(info, view.lang),
                     floor=below))  # fmt: skip
    return out


def risk_sentence(ds: Dataset, view: View) -> str:
    """The districts that missed, as one sentence (empty when none did or there are no targets)."""
    clauses = risk_clauses(ds, view)
    if not clauses:
        return ""
    return t("scorecard_risk", view.lang, clauses=("；" if view.lang == "zh" else "; ").join(clauses))


def sentence(ds: Dataset, view: View) -> str:
    """'2012年11个区县4项考核指标：达标26项、预警16项、未达标2项。慈溪市…完成率低于90%。'"""
    frame = _frame(ds, view)
    if frame.empty:
        return t("scorecard_none", view.lang, year=view.year)
    counts = frame["status"].value_counts()
    period, schedule = view_period_text(ds, view, frame)
    head = t(
        "scorecard_sentence" if when_of(ds, view) is None else "scorecard_sentence_period",
        view.lang,
        year=view.year,
        period=period,
        schedule=fmt_percent(schedule),
        districts=frame["district"].nunique(),
        indicators=frame["indicator"].nunique(),
        on_track=int(counts.get(ON_TRACK, 0)),
        at_risk=int(counts.get(AT_RISK, 0)),
        missed=int(counts.get(MISSED, 0)),
    )
    return (" " if view.lang == "en" else "").join([head, risk_sentence(ds, view)]).strip()


def export_tables(ds: Dataset, view: View) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The scorecard as one row per district and indicator, numbers as numbers, for the CSV/XLSX export; in-year
    with the months each actual covers (期间) and 序时进度 beside the completion."""
    lang = view.lang
    frame = _frame(ds, view)
    if frame.empty:
        return []
    in_year = when_of(ds, view) is not None
    names = district_names(ds, lang)
    keys: tuple[str, ...] = ("district", "indicator", "unit", "target", "actual", "completion", "rank", "status")
    if in_year:
        keys = ("district", "indicator", "unit", "period", "target", "actual", "completion", "schedule", "rank",
                "status")  # fmt: skip
    columns = [t(f"scorecard_col_{k}", lang) for k in keys]
    rows = []
    for r in frame.itertuples():
        info = agg.indicator_info(ds, str(r.indicator))
        unit = str(info["unit_en" if lang == "en" else "unit_zh"] or "")
        status = t(f"status_{r.status}", lang) if r.status else None
        if in_year:
            period = period_label(str(r.period), info, lang)
            rows.append([names[str(r.district)], name(info, lang), unit, period, r.target, r.actual, r.completion,
                         r.schedule, r.rank, status])  # fmt: skip
            continue
        rows.append([names[str(r.district)], name(info, lang), unit, r.target, r.actual, r.completion, r.rank, status])
    return [(_caption(ds, view, frame), columns, rows)]


@dataclass(frozen=True)
class Scorecard(Section):
    """The 考核 scorecard: a table, not charts, on the page, on its slide and in the data export."""

    def make_slides(self, ds: Dataset) -> list[Slide]:
        """One slide: the same grid (no sort buttons or links there)."""
        return [Slide(self.key, self.key, self.title, self.sentence, (), table=scorecard_grid)]

    def export_tables(self, ds: Dataset, view: View) -> list[ExportTable]:
        """The scorecard as a table of the data export."""
        return export_tables(ds, view)

    def check_note(self, ds: Dataset) -> str:
        """How many indicators are assessed in the latest year."""
        return f"(assessed in {max(ds.years)}: {len(agg.assessed(ds, max(ds.years)))})"


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "scorecard_caption": (
        "{year}年各区县科技进步目标责任制考核（完成率 = 实际 ÷ 目标）",
        "District science and technology progress assessment {year} (completion = actual ÷ target)",
    ),
    "scorecard_caption_period": (
        "{period}各区县科技进步目标责任制考核（完成率 = 累计 ÷ 全年目标，序时进度{schedule}）",
        "District science and technology progress assessment, {period} (completion = year to date ÷ annual "
        "target; time elapsed {schedule})",
    ),
    "scorecard_legend_paced": (
        "达标：完成率 ÷ 序时进度≥{on_track}",
        "On track: completion ÷ time elapsed ≥ {on_track}",
    ),
    "scorecard_district": ("区县（市）", "District"),
    "scorecard_met_heading": ("达标项", "On track"),
    "scorecard_met": ("{met}/{total}", "{met} of {total}"),
    "scorecard_sub": ("实际 {actual} / 目标 {target}", "{actual} of {target}"),
    "scorecard_sub_to_date": ("累计 {actual} / 目标 {target}", "{actual} of {target} to date"),
    "scorecard_schedule": ("序时进度 {schedule}", "time elapsed {schedule}"),
    "scorecard_level": ("完成全年目标{pct}（不计序时进度）", "{pct} of the annual target (not paced by time elapsed)"),
    "scorecard_no_period": ("暂无{period}数据", "no data for {period}"),
    "scorecard_rank": ("第{rank}名", "rank {rank}"),
    "scorecard_none": ("{year}年没有区县考核目标。", "No district targets were set for {year}."),
    "scorecard_lower": (
        "越低越好：≤{on_track}达标，≤{at_risk}预警",
        "lower is better: ≤ {on_track} on track, ≤ {at_risk} at risk",
    ),
    "scorecard_sort_hint": (
        "点击列标题排序（按完成率排名），点击区县查看其数据",
        "Click a heading to sort (by completion rank); click a district to open its view",
    ),
    "scorecard_sentence": (
        "{year}年{districts}个区县（市）{indicators}项考核指标：达标{on_track}项、预警{at_risk}项、未达标{missed}项。",
        "{year} assessment (districts: {districts}; indicators: {indicators}): on track {on_track}, "
        "at risk {at_risk}, missed {missed}.",
    ),
    "scorecard_sentence_period": (
        "{period}，{districts}个区县（市）{indicators}项考核指标（序时进度{schedule}）：达标{on_track}项、预警{at_risk}项、"
        "未达标{missed}项。",
        "{period} assessment, year to date against time elapsed ({schedule}; districts: {districts}; indicators: "
        "{indicators}): on track {on_track}, at risk {at_risk}, missed {missed}.",
    ),
    "scorecard_missed_below": ("{names}{indicator}完成率低于{floor}", "{indicator}: {names} below {floor} of target"),
    "scorecard_behind": ("{names}{indicator}低于序时进度", "{indicator}: {names} behind schedule"),
    "scorecard_col_period": ("期间", "Period"),
    "scorecard_col_schedule": ("序时进度", "Time elapsed"),
    "scorecard_missed_above": ("{names}{indicator}为目标的{floor}以上", "{indicator}: {names} over {floor} of target"),
    "scorecard_and_more": ("{names}等{n}个区县", "{names} and others ({n} districts)"),
    "scorecard_risk": ("{clauses}。", "{clauses}."),
}


SECTION = Scorecard(
    strings=STRINGS,
    key="scorecard",
    sentence=sentence,
    needs=Needs(custom=_has_targets),
    blocks=(
        Block("summary", sentence, class_name="section-summary", kind="p", live=True),
        Block("block", table_block, class_name="scorecard-table"),
    ),
)
