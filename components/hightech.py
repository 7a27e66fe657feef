"""高新技术产业 High-tech industry: share by district against city and target; output and share over time."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Dash, Output, html

from components import figures, ids
from components.i18n import fmt_value, t
from components.prep import district_frame, year_frame
from components.services import run_view, view_dependencies
from components.state import View
from components.ui import graph_grid, section
from data import aggregate as agg
from data.load import Dataset


def hightech_figures(ds: Dataset, view: View) -> list[go.Figure]:
    """Share by district with the city's value and the target as reference lines; output and share trend."""
    d, lang, theme, year = view.districts, view.lang, view.theme, view.year
    frame = district_frame(ds, year, {"share": "hightech_share"}, lang)
    refs = []
    city = agg.value(ds, "hightech_share", year)
    if city is not None:
        refs.append((city, t("city_line", lang, value=fmt_value(city, "%", lang)), "ref"))
    goal = agg.target(ds, "hightech_share", year, d)
    if goal is not None and goal[1] == year:
        refs.append((goal[0], t("target_line", lang, value=fmt_value(goal[0], "%", lang)), "warn"))
    trend = year_frame(ds, {"output": "hightech_output", "share": "hightech_share"}, d)
    return [
        figures.district_bars(frame, [("share", t("hightech_share", lang))], d, "%", lang, theme, refs=refs),
        figures.output_and_share(trend, lang, theme),
    ]


def layout(lang: str) -> html.Section:
    """Section layout: two graph cards."""
    return section(
        "section-hightech",
        t("hightech", lang),
        [
            graph_grid(
                lang,
                [
                    (ids.HIGHTECH_DISTRICT, "hightech_district_title", 7),
                    (ids.HIGHTECH_TREND, "hightech_trend_title", 5),
                ],
            )
        ],
    )


def update_hightech(year: object, districts: object, config: object) -> list[dict]:
    """High-tech section follows the filters."""
    return run_view("hightech", hightech_figures, year, districts, config)


def register(app: Dash) -> None:
    """Attach this module's callbacks to `app`."""
    app.callback(
        Output(ids.HIGHTECH_DISTRICT, "figure"),
        Output(ids.HIGHTECH_TREND, "figure"),
        *view_dependencies(),
    )(update_hightech)
