"""高新技术产业 High-tech industry: share by district against city and target; output and share over time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from components.charts import figures
from components.charts.figures import Fig, add_trace, empty_figure, new_figure, years_axis
from components.charts.prep import (
    annotated,
    district_frame,
    many_rows_height,
    months_chart,
    view_reading,
    year_frame,
)
from components.charts.summary import scope, trend
from components.charts.theme import base_layout, palette
from components.core.i18n import fmt_value, t, t_when, unit_for_axis
from components.core.state import View
from components.sections.base import Graph, Needs, Optional, Section, by_districts, by_period, by_year, months_of
from data import aggregate as agg
from data.load import Dataset

# --- figures (pure: frames in, plotly figures out) --------------------------------------------------


def output_and_share(frame: pd.DataFrame, lang: str, theme: str) -> Fig:
    """High-tech output (bars, left axis) and, when the frame has it, its share of industrial output (line,
    right axis). Columns: year, output[, share]."""
    if frame.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    factor, _ = unit_for_axis("亿元", lang)
    p = palette(theme)
    share = "share" in frame
    axes: dict[str, Any] = {"xaxis": years_axis(frame["year"]), "yaxis": {"title": {"text": t("output_axis", lang)}}}
    if share:
        axes["yaxis2"] = {
            "title": {"text": t("share_axis", lang)},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickmode": "auto",
            "tickformat": ".0f",
        }
    margin = {"l": 60, "r": 64 if share else 20, "t": 40, "b": 44}
    fig = new_figure(base_layout(theme, margin=margin, **axes))
    add_trace(
        fig,
        "bar",
        x=frame["year"],
        y=frame["output"] * factor,
        name=t("hightech_output", lang),
        marker={"color": p["accent_soft"]},
        text=[fmt_value(v, "亿元", lang) for v in frame["output"]],
        textposition="none",
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    if share:
        add_trace(
            fig,
            "scatter",
            x=frame["year"],
            y=frame["share"],
            name=t("hightech_share", lang),
            yaxis="y2",
            mode="lines+markers",
            line={"width": 3, "color": p["accent"]},
            text=[fmt_value(v, "%", lang) for v in frame["share"]],
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    return fig


def district_figure(ds: Dataset, view: View) -> Fig:
    """Share by district with the city's value and the year's target as reference lines."""
    d, lang, year = view.districts, view.lang, view.year
    frame = district_frame(ds, year, {"share": "hightech_share"}, lang, view)
    refs = []
    city = view_reading(ds, "hightech_share", replace(view, districts=())).value
    if city is not None:
        refs.append((city, t("city_line", lang, value=fmt_value(city, "%", lang)), "ref"))
    goal = agg.target(ds, "hightech_share", year, d)
    if goal is not None and goal[1] == year:
        refs.append((goal[0], t("target_line", lang, value=fmt_value(goal[0], "%", lang)), "warn"))
    return figures.district_bars(frame, [("share", t("hightech_share", lang))], d, "%", lang, view.theme, refs=refs)


def district_key(ds: Dataset, view: View) -> tuple[object, ...]:
    """The bars' data: the year (or its period) and the selection's target line (the selection itself is a
    highlight)."""
    return (*by_year(ds, view), agg.target(ds, "hightech_share", view.year, view.districts))


def months_figure(ds: Dataset, view: View) -> Fig:
    """Output through the year (1–N月累计 or 当月) against the same months a year before."""
    return months_chart(ds, "hightech_output", view)


def trend_figure(ds: Dataset, view: View) -> Fig:
    """Output (bars) and, where the data has it, its share of industrial output (line) over the years."""
    columns = {"output": "hightech_output"}
    if agg.available(ds, "hightech_share"):
        columns["share"] = "hightech_share"
    fig = output_and_share(year_frame(ds, columns, view.districts), view.lang, view.theme)
    return annotated(fig, ds, view, columns.values())


def sentence(ds: Dataset, view: View) -> str:
    """e.g. 2012年全市高新技术产业产值3,429亿元，同比增长11.40%，占规上工业产值比重28.7%，比上年提高2.28个百分点。"""
    lang, y, when, same = view.lang, view.year, view.when_text, view.in_year
    out = view_reading(ds, "hightech_output", view) if agg.available(ds, "hightech_output") else None
    share = view_reading(ds, "hightech_share", view) if agg.available(ds, "hightech_share") else None
    if (out is None or out.value is None) and (share is None or share.value is None):
        return t_when("sum_no_data", lang, when, year=y, scope=scope(ds, view))
    where = scope(ds, view)
    parts = [t_when("sum_hightech_lead", lang, when, year=y)]
    if out is not None and out.value is not None:
        output, growth = fmt_value(out.value, "亿元", lang), trend(out.change, "pct", lang, same_months=same)
        parts.append(t("sum_hightech_output", lang, scope=where, output=output, trend=growth))
    if share is not None and share.value is not None:
        key = "sum_hightech_share" if len(parts) > 1 else "sum_hightech_share_only"
        shown, change = fmt_value(share.value, "%", lang), trend(share.change, "pp", lang, same_months=same)
        parts.append(t(key, lang, scope=where, share=shown, share_trend=change))
    return "".join(parts) + t("sum_end", lang)


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "sum_hightech_lead": ("{year}年", "In {year}, "),
    "sum_hightech_output": (
        "{scope}高新技术产业产值{output}{trend}",
        "high-tech industry output in {scope} was {output}{trend}",
    ),
    "sum_hightech_share": (
        "，占规上工业产值比重{share}{share_trend}",
        ", {share} of above-scale industrial output{share_trend}",
    ),
    "sum_hightech_share_only": (
        "{scope}高新技术产业产值占规上工业产值比重{share}{share_trend}",
        "the high-tech share of above-scale industrial output in {scope} was {share}{share_trend}",
    ),
    "hightech_district_title": ("{year}年各区县高新技术产业产值占比", "High-tech share by district, {year}"),
    "hightech_trend_title": ("高新技术产业产值与占比", "High-tech output and share"),
    "hightech_months_title": (
        "高新技术产业产值：逐月累计与上年同期比较",
        "High-tech output through the year against the same months a year before",
    ),
    "city_line": ("全市 {value}", "City {value}"),
}


SECTION = Section(
    strings=STRINGS,
    key="hightech",
    sentence=sentence,
    rows=(
        (
            Graph(
                "district",
                "hightech_district_title",
                district_figure,
                width=7,
                needs=Needs(by_district=("hightech_share",)),
                height=many_rows_height,
                key=district_key,
                highlight=True,
            ),
            Graph(
                "trend",
                "hightech_trend_title",
                trend_figure,
                width=5,
                needs=Needs(indicators=("hightech_output",)),
                optional=(Optional(("hightech_share",)),),
                key=by_districts,
            ),
        ),
        (
            Graph(
                "months",
                "hightech_months_title",
                months_figure,
                width=12,
                needs=months_of("hightech_output"),
                key=by_period,
            ),
        ),
    ),
    slide_rows=(("district", "trend"),),
)
