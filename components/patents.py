"""专利 Patents: applications and grants by type, districts compared, invention share."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Dash, Output, html

from components import figures, ids
from components.i18n import t
from components.prep import district_frame, year_frame
from components.services import run_view, view_dependencies
from components.state import View
from components.ui import graph_grid, section
from data import aggregate as agg
from data.load import Dataset

INVENTION_SHARE_FLOOR = 3.5  # the report calls an invention share below 3.5% too low


def patents_figures(ds: Dataset, view: View) -> list[go.Figure]:
    """The section's three figures for a view (pure)."""
    d, lang, theme = view.districts, view.lang, view.theme
    parts = {
        "applications": "patent_applications",
        "invention": "invention_grants",
        "utility": "utility_grants",
        "design": "design_grants",
    }
    trend = year_frame(ds, parts, d)
    by_district = district_frame(
        ds, view.year, {"applications": "patent_applications", "grants": "patent_grants"}, lang
    )
    share = agg.series(ds, "invention_share", d)
    floor = (INVENTION_SHARE_FLOOR, t("too_low_line", lang), "bad")
    return [
        figures.patents_trend(trend, lang, theme),
        figures.district_bars(
            by_district,
            [("applications", t("applications", lang)), ("grants", t("grants", lang))],
            d,
            "件",
            lang,
            theme,
        ),
        figures.trend_line(share, t("patents_share_title", lang), "%", lang, theme, refs=[floor]),
    ]


def layout(lang: str) -> html.Section:
    """Section layout: three graph cards."""
    return section(
        "section-patents",
        t("patents", lang),
        [
            graph_grid(
                lang,
                [
                    (ids.PATENTS_TREND, "patents_trend_title", 5),
                    (ids.PATENTS_DISTRICT, "patents_district_title", 4),
                    (ids.PATENTS_SHARE, "patents_share_title", 3),
                ],
            )
        ],
    )


def update_patents(year: object, districts: object, config: object) -> list[dict]:
    """Patents section follows the filters."""
    return run_view("patents", patents_figures, year, districts, config)


def register(app: Dash) -> None:
    """Attach this module's callbacks to `app`."""
    app.callback(
        Output(ids.PATENTS_TREND, "figure"),
        Output(ids.PATENTS_DISTRICT, "figure"),
        Output(ids.PATENTS_SHARE, "figure"),
        *view_dependencies(),
    )(update_patents)
