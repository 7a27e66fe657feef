"""地震监测 Earthquake monitoring: station uptime against the target, station x month heatmap, outage timeline."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from components.charts import figures
from components.charts.figures import Fig
from components.charts.prep import annotated, station_names
from components.charts.summary import scope, uptime_target_text
from components.core import ids
from components.core.i18n import STRINGS, fmt_change, fmt_value, t
from components.core.state import View
from components.core.ui import drill_link, headline
from components.sections.base import Block, Graph, Needs, Section
from data import aggregate as agg
from data.load import Dataset
from data.rules import NETWORK_UPTIME_TARGET
from data.schema import NETWORK_UPTIME

STATIONS = "seismic_stations.csv"


def cause_label(cause: str, lang: str) -> str:
    """A known outage cause in the current language; other causes as written in the data."""
    key = f"cause_{cause}"
    return t(key, lang) if key in STRINGS else cause


def _table(ds: Dataset, view: View) -> pd.DataFrame:
    table = agg.uptime_table(ds, view.year, view.districts)
    return table.assign(name=table["station"].map(station_names(ds, view.lang)))


def _outages(ds: Dataset, view: View, stations: list[str]) -> pd.DataFrame:
    lo, hi = agg.year_bounds(view.year)
    outages = agg.outages_in(ds.outages, stations, lo, hi)
    outages["name"] = outages["station"].map(station_names(ds, view.lang))
    outages["cause_label"] = [cause_label(c, view.lang) for c in outages["cause"]]
    return outages


def headlines(ds: Dataset, view: View) -> list[Any]:
    """Network uptime (data-indicator network_uptime, percent), stations in service, below target, outages."""
    lang = view.lang
    table = _table(ds, view)
    reading = agg.uptime_reading(ds, view.year, view.districts)
    heads: list[Any] = [
        headline(
            "network_uptime",
            t("kpi_network_uptime", lang),
            reading.value,
            fmt_value(reading.value, "%", lang, decimals=2),
            reading.change,
            t("kpi_yoy", lang, change=fmt_change(reading.change, "pp", lang)),
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
    """Station uptime for the year against the target line."""
    return figures.uptime_bars(
        _table(ds, view),
        view.lang,
        view.theme,
        line=NETWORK_UPTIME_TARGET * 100,
        line_label=uptime_target_text(view.lang),
    )


def heatmap_figure(ds: Dataset, view: View) -> Fig:
    """Station x month uptime, with the year's events of the network (network_uptime) by month."""
    monthly = agg.uptime_months(ds, view.year, view.districts)
    names = station_names(ds, view.lang)
    fig = figures.uptime_heatmap(monthly, [names[s] for s in monthly.index], view.lang, view.theme)
    return annotated(fig, ds, view, (NETWORK_UPTIME,), months=True)


def timeline_figure(ds: Dataset, view: View) -> Fig:
    """The year's outages of the stations in service."""
    served = _table(ds, view).dropna(subset=["uptime"])
    if served.empty:
        return figures.empty_figure(t("no_stations", view.lang), view.theme)
    return figures.outage_timeline(_outages(ds, view, list(served["station"])), view.lang, view.theme)


def sentence(ds: Dataset, view: View) -> str:
    """Network uptime, stations meeting the target, outages and hours down."""
    lang, d, y = view.lang, view.districts, view.year
    reading = agg.uptime_reading(ds, y, d)
    if reading.value is None:
        return t("sum_no_stations", lang, year=y, scope=scope(ds, view))
    table = agg.uptime_table(ds, y, d).dropna(subset=["uptime"])
    ok = int((table["uptime"].astype("float64") >= NETWORK_UPTIME_TARGET).sum())
    lo, hi = agg.year_bounds(y)
    outages = agg.outages_in(ds.outages, list(table["station"]), lo, hi)
    return t(
        "sum_seismic",
        lang,
        year=y,
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


SECTION = Section(
    key="seismic",
    title_key="seismic",
    sentence=sentence,
    needs=Needs(tables=(STATIONS,)),
    blocks=(Block(ids.SEISMIC_HEADLINE, headlines, class_name="headline-row mb-3"),),
    rows=(
        (
            Graph(
                ids.SEISMIC_UPTIME,
                "seismic_uptime_title",
                uptime_figure,
                width=5,
                slide_width=4,
                height=stations_height,
                control=lambda ds, view: drill_link("outages", view.lang),
            ),
            Graph(
                ids.SEISMIC_HEATMAP,
                "seismic_heatmap_title",
                heatmap_figure,
                width=7,
                slide_width=6,
                height=stations_height,
            ),
        ),
        (
            Graph(
                ids.SEISMIC_TIMELINE,
                "seismic_timeline_title",
                timeline_figure,
                width=12,
                slide_width=6,
                height=stations_height,
            ),
        ),
    ),
    slide_rows=((ids.SEISMIC_UPTIME, ids.SEISMIC_HEATMAP, ids.SEISMIC_TIMELINE),),
)
