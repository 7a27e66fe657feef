"""创新型企业梯队 Enterprise pipeline: tiers, tiers over time, movements between tiers, tiers by district."""

from __future__ import annotations

from typing import Any

from dash import Dash, Output, html

from components import figures, ids
from components.i18n import fmt_change, fmt_value, t
from components.prep import district_names
from components.services import run_view, view_dependencies
from components.state import View
from components.ui import graph_grid, headline, section
from data import aggregate as agg
from data.load import Dataset
from data.schema import TIER_INDICATORS, TIERS


def pipeline_headlines(ds: Dataset, view: View) -> list[html.Div]:
    """The five tier counts for the selection and year (data-indicator = the tier's indicator id)."""
    out = []
    for tier in TIERS:
        indicator = TIER_INDICATORS[tier]
        r = agg.reading(ds, indicator, view.year, view.districts)  # tiers are indicators counted from the registry
        text = t("kpi_yoy", view.lang, change=fmt_change(r.change, "pct", view.lang))
        out.append(
            headline(
                indicator, t(f"tier_{tier}", view.lang), r.value, fmt_value(r.value, "家", view.lang), r.change, text
            )
        )
    return out


def pipeline_outputs(ds: Dataset, view: View) -> list[Any]:
    """Headline numbers and the four figures for a view (pure)."""
    d, lang, theme, year = view.districts, view.lang, view.theme, view.year
    has_prev = (year - 1) in ds.years
    flows = agg.pipeline_flows(ds, year, d)
    if not has_prev:
        flows = flows.iloc[0:0]
    summary = agg.flow_summary(flows)
    by_district = agg.pipeline_by_district(ds, year)
    return [
        [
            *pipeline_headlines(ds, view),
            html.Div(
                t("flow_summary", lang, **summary) if has_prev else t("no_prev_year", lang), className="headline-note"
            ),
        ],
        figures.tier_bars(agg.pipeline_counts(ds, year, d), lang, theme),
        figures.tier_trend(agg.pipeline_series(ds, d), lang, theme),
        figures.tier_flows(flows, TIERS, year - 1, year, lang, theme),
        figures.tiers_by_district(by_district, district_names(ds, lang), d, lang, theme),
    ]


def layout(lang: str) -> html.Section:
    """Section layout: headline numbers and four graph cards."""
    return section(
        "section-pipeline",
        t("pipeline", lang),
        [
            html.Div(id=ids.PIPELINE_HEADLINE, className="headline-row mb-3"),
            graph_grid(
                lang,
                [
                    (ids.PIPELINE_TIERS, "pipeline_tiers_title", 4),
                    (ids.PIPELINE_FLOW, "pipeline_flow_title", 8),
                    (ids.PIPELINE_TREND, "pipeline_trend_title", 5),
                    (ids.PIPELINE_DISTRICT, "pipeline_district_title", 7),
                ],
            ),
        ],
    )


def update_pipeline(year: object, districts: object, config: object) -> list[Any]:
    """Pipeline section follows the filters."""
    return run_view("pipeline", pipeline_outputs, year, districts, config)


def register(app: Dash) -> None:
    """Attach this module's callbacks to `app`."""
    app.callback(
        Output(ids.PIPELINE_HEADLINE, "children"),
        Output(ids.PIPELINE_TIERS, "figure"),
        Output(ids.PIPELINE_TREND, "figure"),
        Output(ids.PIPELINE_FLOW, "figure"),
        Output(ids.PIPELINE_DISTRICT, "figure"),
        *view_dependencies(),
    )(update_pipeline)
