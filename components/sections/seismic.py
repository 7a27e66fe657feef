"""地震监测 Earthquake monitoring: station uptime against the target, station x month heatmap, outage timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from dash import html

from components.charts import figures
from components.charts.figures import (
    MANY,
    Fig,
    add_bars,
    add_trace,
    bar_axes,
    category_axis,
    empty_figure,
    label_room,
    literal,
    new_figure,
    ref_line,
)
from components.charts.prep import annotated, station_names
from components.charts.summary import scope, uptime_target_text
from components.charts.theme import base_layout, palette
from components.core import i18n
from components.core.i18n import fmt_change, fmt_value, t
from components.core.state import View
from components.core.ui import drill_link, headline
from components.sections.base import Block, Graph, Needs, Section, by_view
from data import aggregate as agg
from data.load import Dataset
from data.periods import YEAR, Span
from data.rules import NETWORK_UPTIME_TARGET
from data.schema import NETWORK_UPTIME

# --- figures (pure: frames in, plotly figures out) --------------------------------------------------


def uptime_bars(frame: pd.DataFrame, lang: str, theme: str, line: float, line_label: str) -> Fig:
    """Station uptime (%) for the year against the target line; horizontal when there are many stations.
    Columns: name, uptime (ratio)."""
    frame = frame.dropna(subset=["uptime"])
    if frame.empty:
        return empty_figure(t("no_stations", lang), theme)
    p = palette(theme)
    pct = frame["uptime"] * 100
    lo = min(float(pct.min()), line) - 0.1
    flat = len(frame) > MANY
    names = list(frame["name"])
    cats = category_axis(names, label_room(len(names), flat))
    value_axis = {"title": {"text": t("uptime_axis", lang)}, "range": [max(lo, 0), 100.02], "ticksuffix": "%"}
    axes = bar_axes(cats, value_axis, flat)
    fig = new_figure(base_layout(theme, showlegend=False, **axes))
    add_bars(
        fig,
        cats["tickvals"],
        pct,
        flat,
        text=[f"{v:.2f}%" for v in pct],
        textposition="none",
        marker={"color": [p["good"] if v >= line else p["warn"] for v in pct]},
        hovertemplate=("%{y}" if flat else "%{x}") + ": %{text}<extra></extra>",
        **({"customdata": [f"drill:outages:station={s}" for s in frame["station"]]} if "station" in frame else {}),
    )
    ref_line(fig, (line, line_label, "bad"), theme, right=not flat, down=flat)  # the label clear of the ticks
    return fig


def uptime_heatmap(frame: pd.DataFrame, names: Sequence[str], lang: str, theme: str) -> Fig:
    """Station x month uptime. `frame`: rows stations, columns months 1..12, ratios (None = not in service)."""
    if frame.empty or frame.isna().all().all():
        return empty_figure(t("no_stations", lang), theme)
    z = (frame.astype("float64") * 100).round(3)
    months = [t("month_short", lang, m=m) for m in frame.columns]
    text = [["—" if pd.isna(v) else f"{v:.2f}%" for v in row] for row in z.to_numpy()]
    fig = new_figure(
        base_layout(
            theme,
            yaxis={**category_axis(list(names), label_room(len(names), True)), "autorange": "reversed"},
            xaxis={"type": "category", "title": {"text": t("month_axis", lang)}},
        )
    )
    add_trace(
        fig,
        "heatmap",
        z=z.to_numpy(),
        x=months,
        y=[literal(n) for n in names],
        zmin=99.0,
        zmax=100.0,
        text=text,
        colorscale=palette(theme)["uptime_scale"],
        xgap=2,
        ygap=2,
        colorbar={"ticksuffix": "%", "thickness": 10, "title": {"text": ""}},
        hovertemplate="%{y} %{x}: %{text}<extra></extra>",
    )
    return fig


def outage_timeline(frame: pd.DataFrame, lang: str, theme: str) -> Fig:
    """Outages of the year on a time axis. Columns: name, start, end, duration_h, cause_label, and
    optionally shown_start / shown_end (the part inside the period)."""
    if frame.empty:
        return empty_figure(t("no_outages", lang), theme)
    p = palette(theme)
    causes = list(dict.fromkeys(frame["cause_label"]))
    stations = list(dict.fromkeys(frame["name"]))
    fig = new_figure(
        base_layout(
            theme,
            barmode="overlay",
            xaxis={"type": "date", "tickformat": "%Y-%m"},
            yaxis={
                **category_axis(stations, label_room(len(stations), True)),
                "autorange": "reversed",
                "categoryorder": "array",
                "categoryarray": [literal(n) for n in stations],
            },
        )
    )
    for i, cause in enumerate(causes):
        part = frame[frame["cause_label"] == cause]
        # drawn inside the period (an outage running over New Year is cut at the edge); hover shows the real start
        start, end = part.get("shown_start", part["start"]), part.get("shown_end", part["end"])
        ms = ((end - start).dt.total_seconds() * 1000).clip(
            lower=3.6e6 * 12
        )  # drawn at least 12 h wide to stay visible on a year axis; hover has the real duration
        add_trace(
            fig,
            "bar",
            y=[literal(n) for n in part["name"]],
            x=ms,
            base=start.dt.strftime("%Y-%m-%dT%H:%M:%S"),
            orientation="h",
            name=literal(cause),
            marker={"color": p["colorway"][i % len(p["colorway"])]},
            customdata=list(zip(part["start"].dt.strftime("%Y-%m-%d %H:%M"), part["duration_h"].round(2), strict=True)),
            hovertemplate="%{y} · "
            + literal(cause)
            + "<br>"
            + t("start", lang)
            + " %{customdata[0]}<br>"
            + t("duration", lang)
            + " %{customdata[1]} "
            + t("hours", lang)
            + "<extra></extra>",
        )
    rows = frame.sort_values("start")
    fig["layout"]["meta"] = {  # its table (text alternative), in plain text: the real start and duration
        "table": {
            "columns": [
                t("station_axis", lang),
                t("cause", lang),
                t("start", lang),
                f"{t('duration', lang)}（{t('hours', lang)}）"
                if lang == "zh"
                else f"{t('duration', lang)} ({t('hours', lang)})",
            ],
            "rows": [
                [str(n), str(c), s.strftime("%Y-%m-%d %H:%M"), float(round(h, 2))]
                for n, c, s, h in zip(rows["name"], rows["cause_label"], rows["start"], rows["duration_h"], strict=True)
            ],
        }
    }
    return fig


STATIONS = "seismic_stations.csv"


def cause_label(cause: str, lang: str) -> str:
    """A known outage cause in the current language; other causes as written in the data."""
    key = f"cause_{cause}"
    return t(key, lang) if key in i18n.STRINGS else cause


def span_of(view: View) -> Span:
    """The months the section's numbers cover: the whole year, or in a quarter or month view January to its end
    (1–N月累计) or its own months (当期)."""
    return view.when.span(view.on_basis) if view.in_year else YEAR


def period_attrs(head: Any, period: str, basis: str) -> Any:
    """A headline number carrying the period it is for (data-period, data-basis), as the KPI cards do."""
    setattr(head, "data-period", period)
    setattr(head, "data-basis", basis)
    return head


def _period_attrs(head: Any, view: View) -> Any:
    return period_attrs(head, view.when.code, view.on_basis) if view.in_year else head


def _table(ds: Dataset, view: View) -> pd.DataFrame:
    table = agg.uptime_table(ds, view.year, view.districts, span_of(view))
    return table.assign(name=table["station"].map(station_names(ds, view.lang)))


def _outages(ds: Dataset, view: View, stations: list[str]) -> pd.DataFrame:
    lo, hi = agg.span_bounds(view.year, span_of(view))
    outages = agg.outages_in(ds.outages, stations, lo, hi)
    outages["name"] = outages["station"].map(station_names(ds, view.lang))
    outages["cause_label"] = [cause_label(c, view.lang) for c in outages["cause"]]
    return outages


def headlines(ds: Dataset, view: View) -> list[Any]:
    """Network uptime (data-indicator network_uptime, percent), stations in service, below target, outages."""
    lang = view.lang
    table = _table(ds, view)
    reading = agg.uptime_reading(ds, view.year, view.districts, span_of(view))
    heads: list[Any] = [
        _period_attrs(
            headline(
                "network_uptime",
                t("kpi_network_uptime", lang),
                reading.value,
                fmt_value(reading.value, "%", lang, decimals=2),
                reading.change,
                t("kpi_yoy", lang, change=fmt_change(reading.change, "pp", lang)),
            ),
            view,
        )
    ]
    served = table.dropna(subset=["uptime"])
    if served.empty:
        return [*heads, html.Div(t("kpi_no_stations", lang), className="headline-note")]
    outages = _outages(ds, view, list(served["station"]))
    below = int((served["uptime"].astype("float64") < NETWORK_UPTIME_TARGET).sum())
    hours = float(outages["duration_h"].sum()) if len(outages) else 0.0
    n = len(served)
    return [
        *heads,
        headline("seismic_stations", t("seismic_in_service", lang), n, str(n), None, ""),
        headline(
            "seismic_below_line",
            t("seismic_below_line", lang, line=uptime_target_text(lang)),
            below,
            str(below),
            None,
            "",
        ),
        headline(
            "seismic_outages",
            t("seismic_outage_count", lang),
            len(outages),
            str(len(outages)),
            None,
            t("seismic_hours_down", lang, hours=f"{hours:,.1f}"),
        ),
    ]


def uptime_figure(ds: Dataset, view: View) -> Fig:
    """Station uptime for the year (or the view's period) against the target line."""
    fig = uptime_bars(
        _table(ds, view),
        view.lang,
        view.theme,
        line=NETWORK_UPTIME_TARGET * 100,
        line_label=uptime_target_text(view.lang),
    )
    return fig


def heatmap_figure(ds: Dataset, view: View) -> Fig:
    """Station x month uptime, with the year's events of the network (network_uptime) by month; in an in-year
    view the months after the period's end are blank (not yet known)."""
    monthly = agg.uptime_months(ds, view.year, view.districts, span_of(view).last)
    names = station_names(ds, view.lang)
    fig = uptime_heatmap(monthly, [names[s] for s in monthly.index], view.lang, view.theme)
    return annotated(fig, ds, view, (NETWORK_UPTIME,), months=True)


def timeline_figure(ds: Dataset, view: View) -> Fig:
    """The outages of the year (or the view's period) of the stations in service."""
    served = _table(ds, view).dropna(subset=["uptime"])
    if served.empty:
        return figures.empty_figure(t("no_stations", view.lang), view.theme)
    return outage_timeline(_outages(ds, view, list(served["station"])), view.lang, view.theme)


def sentence(ds: Dataset, view: View) -> str:
    """Network uptime, stations meeting the target, outages and hours down (over the view's period in-year)."""
    lang, d, y, span = view.lang, view.districts, view.year, span_of(view)
    when = {"period": view.when_text} if view.in_year else {"year": y}
    reading = agg.uptime_reading(ds, y, d, span)
    if reading.value is None:
        return t("sum_no_stations_period" if view.in_year else "sum_no_stations", lang, scope=scope(ds, view), **when)
    table = agg.uptime_table(ds, y, d, span).dropna(subset=["uptime"])
    ok = int((table["uptime"].astype("float64") >= NETWORK_UPTIME_TARGET).sum())
    lo, hi = agg.span_bounds(y, span)
    outages = agg.outages_in(ds.outages, list(table["station"]), lo, hi)
    return t(
        "sum_seismic_period" if view.in_year else "sum_seismic",
        lang,
        **when,
        scope=scope(ds, view),
        uptime=fmt_value(reading.value, "%", lang, 2),
        n=len(table),
        ok=ok,
        line=uptime_target_text(lang),
        outages=len(outages),
        hours=f"{outages['duration_h'].sum():,.1f}",
    )


def stations_height(ds: Dataset) -> int:
    """Tall enough for one readable row per station."""
    return max(320, 22 * len(ds.stations) + 90)


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "sum_no_stations": (
        "{year}年{scope}没有在运行的地震台站。",
        "No seismic station was in service in {scope} in {year}.",
    ),
    "sum_seismic": (
        "{year}年{scope}地震台网运行率{uptime}，{n}个台站中{ok}个达到{line}；全年中断{outages}次，累计{hours}小时。",
        "In {year}, the seismic network in {scope} was up {uptime} of the time; {ok} of {n} stations "
        "reached {line}; {outages} outages, {hours} hours in all.",
    ),
    "sum_no_stations_period": (
        "{period}{scope}没有在运行的地震台站。",
        "No seismic station was in service in {scope} in {period}.",
    ),
    "sum_seismic_period": (
        "{period}{scope}地震台网运行率{uptime}，{n}个台站中{ok}个达到{line}；期内中断{outages}次，累计{hours}小时。",
        "In {period}, the seismic network in {scope} was up {uptime} of the time; {ok} of {n} stations "
        "reached {line}; {outages} outages, {hours} hours in all.",
    ),
    "seismic_uptime_title": ("{year}年各台站运行率", "Station uptime, {year}"),
    "seismic_heatmap_title": ("{year}年台站逐月运行率", "Monthly uptime per station, {year}"),
    "seismic_timeline_title": ("{year}年中断记录", "Outages, {year}"),
    "seismic_in_service": ("在运行台站", "Stations in service"),
    "seismic_below_line": ("低于{line}的台站", "Stations below {line}"),
    "seismic_outage_count": ("中断次数", "Outages"),
    "seismic_hours_down": ("累计{hours}小时", "{hours} hours in all"),
}


SECTION = Section(
    strings=STRINGS,
    key="seismic",
    sentence=sentence,
    needs=Needs(tables=(STATIONS,)),
    blocks=(Block("headline", headlines, class_name="headline-row mb-3"),),
    rows=(
        (
            Graph(
                "uptime",
                "seismic_uptime_title",
                uptime_figure,
                width=5,
                slide_width=4,
                height=stations_height,
                control=lambda ds, view: drill_link("outages", view.lang),
                key=by_view,
            ),
            Graph(
                "heatmap",
                "seismic_heatmap_title",
                heatmap_figure,
                width=7,
                slide_width=6,
                height=stations_height,
                key=by_view,
            ),
        ),
        (
            Graph(
                "timeline",
                "seismic_timeline_title",
                timeline_figure,
                width=12,
                slide_width=6,
                height=stations_height,
                key=by_view,
            ),
        ),
    ),
    slide_rows=(("uptime", "heatmap", "timeline"),),
)
