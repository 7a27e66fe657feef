"""创新型企业梯队 Enterprise pipeline: tiers, tiers over time, movements between tiers, tiers by district."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from dash import html

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
    opacities,
    years_axis,
)
from components.charts.prep import annotated, district_names, many_rows_height
from components.charts.summary import scope
from components.charts.theme import base_layout, palette
from components.core.i18n import fmt_change, fmt_value, t, unit_for_axis
from components.core.state import View
from components.core.ui import drill_link, headline
from components.sections.base import Block, Graph, Needs, Section, by_districts
from data import aggregate as agg
from data.load import Dataset
from data.schema import TIER_INDICATORS, TIERS

# --- figures (pure: frames in, plotly figures out) --------------------------------------------------


def tier_bars(counts: pd.Series, lang: str, theme: str) -> Fig:
    """The five tiers as a pyramid: national innovative firms on top. `counts`: index tier."""
    if counts.sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    labels = [t(f"tier_{tier}", lang) for tier in counts.index]
    unit = "家" if lang == "zh" else ""
    fig = new_figure(
        base_layout(
            theme,
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"title": {"text": unit_for_axis("家", lang)[1]}},
            showlegend=False,
        )
    )
    add_trace(
        fig,
        "bar",
        y=labels[::-1],
        x=counts.values[::-1],
        orientation="h",
        text=[f"{v:,}{unit}" for v in counts[::-1]],
        textposition="auto",
        customdata=[f"drill:enterprises:tier={tier}" for tier in counts.index[::-1]],  # a click opens its firms
        marker={"color": palette(theme)["colorway"][:5][::-1]},
        hovertemplate="%{y}: %{x:,d}" + unit + "<extra></extra>",
    )
    return fig


def tier_trend(frame: pd.DataFrame, lang: str, theme: str) -> Fig:
    """Tier counts over the years. `frame`: index year, one column per tier."""
    if frame.empty or frame.to_numpy().sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    unit = unit_for_axis("家", lang)[1]
    fig = new_figure(base_layout(theme, xaxis=years_axis(frame.index), yaxis={"title": {"text": unit}}))
    for tier in frame.columns:
        add_trace(
            fig,
            "scatter",
            x=list(frame.index),
            y=frame[tier],
            name=t(f"tier_short_{tier}", lang),
            mode="lines+markers",
            hovertemplate="%{x}: %{y:,d}<extra>" + t(f"tier_{tier}", lang) + "</extra>",
        )
    return fig


def tier_flows(flows: pd.DataFrame, tiers: Sequence[str], prev: int, year: int, lang: str, theme: str) -> Fig:
    """Sankey of firms from last year's tier (or newly certified) to this year's (or lost certification)."""
    if flows.empty:
        return empty_figure(t("no_prev_year", lang), theme)
    p = palette(theme)
    left = ["new", *tiers]
    right = [*tiers, "lost"]
    label_of = {"new": t("new_cert", lang), "lost": t("lost_cert", lang)}
    labels = [label_of.get(k) or t(f"tier_{k}", lang) + t("prev_year_suffix", lang, year=prev) for k in left]
    labels += [label_of.get(k) or t(f"tier_{k}", lang) + t("prev_year_suffix", lang, year=year) for k in right]
    colours = [p["muted"], *p["colorway"][:5], *p["colorway"][:5], p["bad"]]
    idx_l = {k: i for i, k in enumerate(left)}
    idx_r = {k: len(left) + i for i, k in enumerate(right)}
    fig = new_figure(base_layout(theme))
    add_trace(
        fig,
        "sankey",
        arrangement="snap",
        node={
            "label": labels,
            "color": colours,
            "pad": p.get("font_size", 13) + 6,
            "thickness": 14,
            "line": {"width": 0},
        },
        link={
            "source": [idx_l[s] for s in flows["source"]],
            "target": [idx_r[d] for d in flows["target"]],
            "value": flows["count"].tolist(),
            "color": "rgba(128,128,128,0.25)",
            "hovertemplate": "%{source.label} → %{target.label}: %{value:,d}<extra></extra>",
        },
        textfont={"color": p["text"], "family": base_layout(theme)["font"]["family"]},
    )
    return fig


def tiers_by_district(
    frame: pd.DataFrame, names: dict[str, str], selected: Sequence[str], lang: str, theme: str
) -> Fig:
    """Stacked tiers per district; horizontal when many. Each segment carries its district code and the
    drill-down to its firms (customdata [code, 'drill:enterprises:tier=…&district=…']): a click opens them.
    `frame`: index district code, one column per tier."""
    if frame.empty or frame.to_numpy().sum() == 0:
        return empty_figure(t("no_data_selection", lang), theme)
    frame = frame.loc[frame.sum(axis=1).sort_values(ascending=False).index]
    labels = [names.get(c, c) for c in frame.index]
    flat = len(frame) > MANY
    opacity = opacities(list(frame.index), selected)
    cats = category_axis(labels, label_room(len(labels), flat))
    count_axis = {"title": {"text": unit_for_axis("家", lang)[1]}}
    axes = bar_axes(cats, count_axis, flat)
    fig = new_figure(base_layout(theme, barmode="stack", clickmode="event", **axes))
    for tier in frame.columns:
        add_bars(
            fig,
            cats["tickvals"],
            frame[tier],
            flat,
            name=t(f"tier_short_{tier}", lang),
            customdata=[[c, f"drill:enterprises:tier={tier}&district={c}"] for c in frame.index],
            marker={"opacity": opacity},
            hovertemplate=("%{y} " if flat else "%{x} ")
            + t(f"tier_{tier}", lang)
            + (": %{x:,d}" if flat else ": %{y:,d}")
            + "<extra></extra>",
        )
    return fig


ENTERPRISES = "enterprises.csv"


def _has_prev(ds: Dataset, view: View) -> bool:
    return (view.year - 1) in ds.years


def _flows(ds: Dataset, view: View) -> Any:
    flows = agg.pipeline_flows(ds, view.year, view.districts)
    return flows if _has_prev(ds, view) else flows.iloc[0:0]


def yearly_note(view: View) -> str:
    """In an in-year view: certifications are counted by year, and which year is shown ('' for a year view)."""
    return t("pipeline_yearly_note", view.lang, year=view.year) if view.in_year else ""


def _noted(fig: Fig, view: View) -> Fig:
    """A chart of the year noting, in an in-year view, that it is the year's (capitalised: it stands alone), as a
    small muted title at its top right (the card's title holds only the year)."""
    note = yearly_note(view)
    if not note:
        return fig
    p = palette(view.theme)
    font = {"size": p.get("font_size", 13) - 1, "color": p["muted"]}
    text = literal(note[:1].upper() + note[1:])
    fig["layout"]["title"] = {"text": text, "x": 1, "xref": "paper", "xanchor": "right", "font": font}
    return fig


def in_year_key(ds: Dataset, view: View) -> tuple[Any, ...]:
    """A chart of the view's year: the year and the districts, and whether the view is in-year (its note)."""
    return (view.year, view.districts, *(("in_year",) if view.in_year else ()))


def year_in_year_key(ds: Dataset, view: View) -> tuple[Any, ...]:
    """A chart of every district for the year (a selection only moves its highlight), and its in-year note."""
    return (view.year, *(("in_year",) if view.in_year else ()))


def headlines(ds: Dataset, view: View) -> list[html.Div]:
    """The five tier counts (data-indicator = the tier's indicator id) and last year's movements."""
    out = []
    for tier in TIERS:
        indicator = TIER_INDICATORS[tier]
        r = agg.reading(ds, indicator, view.year, view.districts)
        text = t("kpi_yoy", view.lang, change=fmt_change(r.change, "pct", view.lang))
        head = headline(
            indicator, t(f"tier_{tier}", view.lang), r.value, fmt_value(r.value, "家", view.lang), r.change, text
        )
        if view.in_year:  # the number is the year's: data-period says so, as the KPI cards' annual figures do
            setattr(head, "data-period", str(view.year))
            setattr(head, "data-basis", "ytd")
        out.append(head)
    note = t("flow_summary", view.lang, **agg.flow_summary(_flows(ds, view))) if _has_prev(ds, view) else None
    out.append(html.Div(note or t("no_prev_year", view.lang), className="headline-note"))
    return out


def tiers_figure(ds: Dataset, view: View) -> Fig:
    """The five tiers for the selection and year."""
    return _noted(tier_bars(agg.pipeline_counts(ds, view.year, view.districts), view.lang, view.theme), view)


def trend_figure(ds: Dataset, view: View) -> Fig:
    """Tier counts over the years."""
    fig = tier_trend(agg.pipeline_series(ds, view.districts), view.lang, view.theme)
    return annotated(fig, ds, view, TIER_INDICATORS.values())


def flow_figure(ds: Dataset, view: View) -> Fig:
    """Firms from last year's tier to this year's (Sankey)."""
    return _noted(tier_flows(_flows(ds, view), TIERS, view.year - 1, view.year, view.lang, view.theme), view)


def district_figure(ds: Dataset, view: View) -> Fig:
    """Stacked tiers per district."""
    frame = agg.pipeline_by_district(ds, view.year)
    fig = tiers_by_district(frame, district_names(ds, view.lang), view.districts, view.lang, view.theme)
    return _noted(fig, view)


def sentence(ds: Dataset, view: View) -> str:
    """The five tier counts and last year's movements; in an in-year view, a note that they are the year's."""
    lang, d, y = view.lang, view.districts, view.year
    counts = agg.pipeline_counts(ds, y, d)
    parts = ("、" if lang == "zh" else ", ").join(
        t("sum_tier", lang, tier=t(f"tier_{tier}", lang).lower(), n=fmt_value(float(counts[tier]), "家", lang))
        for tier in TIERS
    )
    text = t("sum_pipeline", lang, year=y, scope=scope(ds, view), parts=parts)
    if _has_prev(ds, view):
        text += t("sum_pipeline_moves", lang, **agg.flow_summary(agg.pipeline_flows(ds, y, d)))
    if view.in_year:
        text += t("sum_pipeline_yearly", lang, note=yearly_note(view))
    return text + t("sum_end", lang)


def _two_years(ds: Dataset) -> list[str]:
    return [] if len(ds.years) > 1 else ["a second year"]


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "sum_tier": ("{tier}{n}", "{n} {tier}"),
    "sum_pipeline": ("{year}年{scope}共有{parts}", "In {year}, {scope} had {parts}"),
    "sum_pipeline_moves": (
        "；较上年新认定{new}家，升级{up}家，失去认定{lost}家",
        "; {new} firms were newly certified, {up} moved up and {lost} lost certification",
    ),
    "pipeline_yearly_note": ("企业认定按年度统计，显示{year}年", "certifications are yearly: {year} shown"),
    "sum_pipeline_yearly": ("（{note}）", " ({note})"),
    "pipeline": ("创新型企业梯队", "Enterprise pipeline"),
    "pipeline_tiers_title": ("{year}年企业梯队", "Enterprise tiers, {year}"),
    "pipeline_trend_title": ("各梯队企业数量", "Enterprises per tier"),
    "pipeline_flow_title": ("{year}年较上年梯队流动", "Tier movements into {year}"),
    "pipeline_district_title": ("{year}年各区县企业梯队", "Enterprise tiers by district, {year}"),
    "flow_summary": (
        "新认定{new}家，升级{up}家，保持{stayed}家，失去认定{lost}家",
        "{new} newly certified, {up} moved up, {stayed} stayed, {lost} lost certification",
    ),
}


@dataclass(frozen=True)
class Pipeline(Section):
    """The pipeline: its headline numbers are the tier counts."""

    def extra_uses(self, ds: Dataset) -> set[str]:
        """The tier indicators (the headline counts)."""
        return set(TIER_INDICATORS.values())


SECTION = Pipeline(
    strings=STRINGS,
    key="pipeline",
    sentence=sentence,
    needs=Needs(tables=(ENTERPRISES,)),
    blocks=(Block("headline", headlines, class_name="headline-row mb-3"),),
    rows=(
        (
            Graph(
                "tiers",
                "pipeline_tiers_title",
                tiers_figure,
                width=4,
                control=lambda ds, view: drill_link("enterprises", view.lang),
                key=in_year_key,
                yearly=True,
            ),
            Graph(
                "flow",
                "pipeline_flow_title",
                flow_figure,
                width=8,
                needs=Needs(custom=_two_years),
                key=in_year_key,
                yearly=True,
            ),
        ),
        (
            Graph("trend", "pipeline_trend_title", trend_figure, width=5, slide_width=6, key=by_districts),
            Graph(
                "district",
                "pipeline_district_title",
                district_figure,
                width=7,
                slide_width=6,
                height=many_rows_height,
                key=year_in_year_key,
                highlight=True,
                yearly=True,
            ),
        ),
    ),
)
