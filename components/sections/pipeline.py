"""创新型企业梯队 Enterprise pipeline: tiers, tiers over time, movements between tiers, tiers by district."""

from __future__ import annotations

from typing import Any

from dash import html

from components.charts import figures
from components.charts.figures import Fig
from components.charts.prep import annotated, district_names, many_rows_height
from components.charts.summary import scope
from components.core import ids
from components.core.i18n import fmt_change, fmt_value, t
from components.core.state import View
from components.core.ui import drill_link, headline
from components.sections.base import Block, Graph, Needs, Section, by_districts, by_year
from data import aggregate as agg
from data.load import Dataset
from data.schema import TIER_INDICATORS, TIERS

ENTERPRISES = "enterprises.csv"


def _has_prev(ds: Dataset, view: View) -> bool:
    return (view.year - 1) in ds.years


def _flows(ds: Dataset, view: View) -> Any:
    flows = agg.pipeline_flows(ds, view.year, view.districts)
    return flows if _has_prev(ds, view) else flows.iloc[0:0]


def headlines(ds: Dataset, view: View) -> list[html.Div]:
    """The five tier counts (data-indicator = the tier's indicator id) and last year's movements."""
    out = []
    for tier in TIERS:
        indicator = TIER_INDICATORS[tier]
        r = agg.reading(ds, indicator, view.year, view.districts)
        text = t("kpi_yoy", view.lang, change=fmt_change(r.change, "pct", view.lang))
        out.append(
            headline(
                indicator, t(f"tier_{tier}", view.lang), r.value, fmt_value(r.value, "家", view.lang), r.change, text
            )
        )
    note = t("flow_summary", view.lang, **agg.flow_summary(_flows(ds, view))) if _has_prev(ds, view) else None
    out.append(html.Div(note or t("no_prev_year", view.lang), className="headline-note"))
    return out


def tiers_figure(ds: Dataset, view: View) -> Fig:
    """The five tiers for the selection and year."""
    return figures.tier_bars(agg.pipeline_counts(ds, view.year, view.districts), view.lang, view.theme)


def trend_figure(ds: Dataset, view: View) -> Fig:
    """Tier counts over the years."""
    fig = figures.tier_trend(agg.pipeline_series(ds, view.districts), view.lang, view.theme)
    return annotated(fig, ds, view, TIER_INDICATORS.values())


def flow_figure(ds: Dataset, view: View) -> Fig:
    """Firms from last year's tier to this year's (Sankey)."""
    return figures.tier_flows(_flows(ds, view), TIERS, view.year - 1, view.year, view.lang, view.theme)


def district_figure(ds: Dataset, view: View) -> Fig:
    """Stacked tiers per district."""
    frame = agg.pipeline_by_district(ds, view.year)
    return figures.tiers_by_district(frame, district_names(ds, view.lang), view.districts, view.lang, view.theme)


def sentence(ds: Dataset, view: View) -> str:
    """The five tier counts and last year's movements."""
    lang, d, y = view.lang, view.districts, view.year
    counts = agg.pipeline_counts(ds, y, d)
    parts = ("、" if lang == "zh" else ", ").join(
        t("sum_tier", lang, tier=t(f"tier_{tier}", lang).lower(), n=fmt_value(float(counts[tier]), "家", lang))
        for tier in TIERS
    )
    text = t("sum_pipeline", lang, year=y, scope=scope(ds, view), parts=parts)
    if _has_prev(ds, view):
        text += t("sum_pipeline_moves", lang, **agg.flow_summary(agg.pipeline_flows(ds, y, d)))
    return text + t("sum_end", lang)


def _two_years(ds: Dataset) -> list[str]:
    return [] if len(ds.years) > 1 else ["a second year"]


SECTION = Section(
    key="pipeline",
    title_key="pipeline",
    sentence=sentence,
    needs=Needs(tables=(ENTERPRISES,)),
    uses_extra=lambda ds: set(TIER_INDICATORS.values()),
    blocks=(Block(ids.PIPELINE_HEADLINE, headlines, class_name="headline-row mb-3"),),
    rows=(
        (
            Graph(
                ids.PIPELINE_TIERS,
                "pipeline_tiers_title",
                tiers_figure,
                width=4,
                control=lambda ds, view: drill_link("enterprises", view.lang),
            ),
            Graph(
                ids.PIPELINE_FLOW,
                "pipeline_flow_title",
                flow_figure,
                width=8,
                needs=Needs(custom=_two_years),
            ),
        ),
        (
            Graph(ids.PIPELINE_TREND, "pipeline_trend_title", trend_figure, width=5, slide_width=6, key=by_districts),
            Graph(
                ids.PIPELINE_DISTRICT,
                "pipeline_district_title",
                district_figure,
                width=7,
                slide_width=6,
                height=many_rows_height,
                key=by_year,
                highlight=True,
            ),
        ),
    ),
)
