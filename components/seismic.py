"""地震监测 Earthquake monitoring: station uptime against 99.9%, station x month heatmap, outage timeline."""

from __future__ import annotations

from typing import Any

from dash import Dash, Output, html

from components import figures, ids
from components.i18n import STRINGS, fmt_change, fmt_value, t
from components.prep import station_names
from components.services import run_view, view_dependencies
from components.state import View
from components.ui import graph_grid, headline, section
from data import aggregate as agg
from data.load import Dataset

UPTIME_LINE = agg.NETWORK_UPTIME_TARGET


def cause_label(cause: str, lang: str) -> str:
    """A known outage cause in the current language; other causes as written in the data."""
    key = f"cause_{cause}"
    return t(key, lang) if key in STRINGS else cause


def seismic_outputs(ds: Dataset, view: View) -> list[Any]:
    """Network headline and the three figures for a view (pure)."""
    lang, theme, year = view.lang, view.theme, view.year
    names = station_names(ds, lang)
    lo, hi = agg.year_bounds(year)
    table = agg.uptime_table(ds, year, view.districts)
    table["name"] = table["station"].map(names)
    monthly = agg.uptime_months(ds, year, view.districts)
    outages = agg.outages_in(ds.outages, list(table["station"]), lo, hi)
    outages["name"] = outages["station"].map(names)
    outages["cause_label"] = [cause_label(c, lang) for c in outages["cause"]]
    reading = agg.uptime_reading(ds, year, view.districts)
    in_service = int(table["uptime"].notna().sum())
    head = headline(
        "network_uptime",
        t("kpi_network_uptime", lang),
        reading.value,
        fmt_value(reading.value, "%", lang, decimals=2),
        reading.change,
        t("kpi_yoy", lang, change=fmt_change(reading.change, "pp", lang)),
    )
    table = table.dropna(subset=["uptime"])
    below = int((table["uptime"].astype("float64") < UPTIME_LINE).sum())
    hours = float(outages["duration_h"].sum()) if len(outages) else 0.0
    heads = [head]
    if in_service:
        heads += [
            headline("seismic_stations", t("seismic_in_service", lang), in_service, str(in_service), None, ""),
            headline("seismic_below_line", t("seismic_below_line", lang), below, str(below), None, ""),
            headline(
                "seismic_outages",
                t("seismic_outage_count", lang),
                len(outages),
                str(len(outages)),
                None,
                t("seismic_hours_down", lang, hours=f"{hours:,.1f}"),
            ),
        ]
    else:
        heads.append(html.Div(t("kpi_no_stations", lang), className="headline-note"))
    timeline = (
        figures.outage_timeline(outages, lang, theme)
        if in_service
        else figures.empty_figure(t("no_stations", lang), theme)
    )
    return [
        heads,
        figures.uptime_bars(table, lang, theme, line=UPTIME_LINE * 100),
        figures.uptime_heatmap(monthly, [names[s] for s in monthly.index], lang, theme),
        timeline,
    ]


def layout(lang: str) -> html.Section:
    """Section layout: network headline and three graph cards."""
    return section(
        "section-seismic",
        t("seismic", lang),
        [
            html.Div(id=ids.SEISMIC_HEADLINE, className="headline-row mb-3"),
            graph_grid(
                lang,
                [
                    (ids.SEISMIC_UPTIME, "seismic_uptime_title", 5),
                    (ids.SEISMIC_HEATMAP, "seismic_heatmap_title", 7),
                    (ids.SEISMIC_TIMELINE, "seismic_timeline_title", 12),
                ],
            ),
        ],
    )


def update_seismic(year: object, districts: object, config: object) -> list[Any]:
    """Seismic section follows the filters."""
    return run_view("seismic", seismic_outputs, year, districts, config)


def register(app: Dash) -> None:
    """Attach this module's callbacks to `app`."""
    app.callback(
        Output(ids.SEISMIC_HEADLINE, "children"),
        Output(ids.SEISMIC_UPTIME, "figure"),
        Output(ids.SEISMIC_HEATMAP, "figure"),
        Output(ids.SEISMIC_TIMELINE, "figure"),
        *view_dependencies(),
    )(update_seismic)
