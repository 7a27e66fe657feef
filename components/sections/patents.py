"""专利 Patents: applications and grants (by type where the data has it), districts compared, invention share."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from components.charts import figures
from components.charts.figures import Fig, add_trace, empty_figure, literal, new_figure, years_axis
from components.charts.prep import annotated, district_frame, many_rows_height, months_chart, view_reading, year_frame
from components.charts.summary import floor_text, scope, trend
from components.charts.theme import base_layout, palette
from components.core.i18n import fmt_value, t, t_when, unit_for_axis
from components.core.state import View
from components.sections.base import Graph, Needs, Optional, Section, by_districts, by_period, by_year, months_of
from data import aggregate as agg
from data.load import Dataset
from data.rules import INVENTION_SHARE_FLOOR

# --- figures (pure: frames in, plotly figures out) --------------------------------------------------


def patents_trend(
    frame: pd.DataFrame, bars: Sequence[tuple[str, str]], line: tuple[str, str], lang: str, theme: str
) -> Fig:
    """Grants per year as stacked bars (`bars`: (column, legend label)), applications as a line.

    Columns: year, the line's column and the bars' columns.
    """
    if frame.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    unit = unit_for_axis("件", lang)[1]
    suffix = unit if lang == "zh" else ""
    fig = new_figure(
        base_layout(
            theme,
            barmode="stack",
            xaxis=years_axis(frame["year"]),
            yaxis={"title": {"text": unit}, "tickformat": ",d", "rangemode": "tozero"},
        )
    )
    for col, label in bars:
        add_trace(
            fig,
            "bar",
            x=frame["year"],
            y=frame[col],
            name=literal(label),
            hovertemplate=f"%{{x}} {literal(label)}: %{{y:,d}}{suffix}<extra></extra>",
        )
    col, label = line[0], literal(line[1])
    add_trace(
        fig,
        "scatter",
        x=frame["year"],
        y=frame[col],
        name=label,
        mode="lines+markers",
        line={"width": 3, "color": palette(theme)["text"]},
        hovertemplate=f"%{{x}} {label}: %{{y:,d}}{suffix}<extra></extra>",
    )
    return fig


TYPES = (("invention", "invention_grants"), ("utility", "utility_grants"), ("design", "design_grants"))


def trend_figure(ds: Dataset, view: View) -> Fig:
    """Grants stacked by type (or invention and other grants, or grants) per year, applications as a line."""
    lang = view.lang
    have = {key: ind for key, ind in TYPES if agg.available(ds, ind)}
    columns = {"applications": "patent_applications"}
    if len(have) == len(TYPES):
        columns |= have
        bars = [(key, t(key, lang)) for key in have]
    elif agg.available(ds, "patent_grants"):
        columns["grants"] = "patent_grants"
        bars = [("grants", t("grants", lang))]
        if "invention" in have:
            columns["invention"] = have["invention"]
            bars = [("invention", t("invention", lang)), ("other", t("other_grants", lang))]
    else:
        bars = []
    frame = year_frame(ds, columns, view.districts)
    if bars and bars[-1][0] == "other":
        frame["other"] = frame["grants"] - frame["invention"]
    fig = patents_trend(frame, bars, ("applications", t("applications", lang)), lang, view.theme)
    return annotated(fig, ds, view, columns.values())


def district_figure(ds: Dataset, view: View) -> Fig:
    """Applications (and grants) by district for the year; bars carry the district code for cross-filtering."""
    lang = view.lang
    columns = {"applications": "patent_applications"}
    labels = [("applications", t("applications", lang))]
    if agg.by_district_available(ds, "patent_grants"):
        columns["grants"] = "patent_grants"
        labels.append(("grants", t("grants", lang)))
    frame = district_frame(ds, view.year, columns, lang, view)
    return figures.district_bars(frame, labels, view.districts, "件", lang, view.theme)


def months_figure(ds: Dataset, view: View) -> Fig:
    """Applications through the year (当月 or 1–N月累计) against the same months a year before."""
    return months_chart(ds, "patent_applications", view)


def share_figure(ds: Dataset, view: View) -> Fig:
    """Invention share of grants over the years with the floor line."""
    lang = view.lang
    floor = (INVENTION_SHARE_FLOOR, t("too_low_line", lang, floor=floor_text(lang)), "bad")
    share = agg.series(ds, "invention_share", view.districts)
    fig = figures.trend_line(share, t("patents_share_title", lang), "%", lang, view.theme, refs=[floor])
    return annotated(fig, ds, view, ("invention_share",))


def sentence(ds: Dataset, view: View) -> str:
    """e.g. 2012年全市专利申请量73,647件，同比增长54.78%；授权发明专利2,065件，占授权量3.49%，低于3.5%。"""
    lang, y, when = view.lang, view.year, view.when_text
    apps = view_reading(ds, "patent_applications", view)
    if apps.value is None:
        return t_when("sum_no_data", lang, when, year=y, scope=scope(ds, view))
    text = t_when(
        "sum_patents",
        lang,
        when,
        year=y,
        scope=scope(ds, view),
        apps=fmt_value(apps.value, "件", lang),
        trend=trend(apps.change, "pct", lang, same_months=view.in_year),
    )
    inv = view_reading(ds, "invention_grants", view).value if agg.available(ds, "invention_grants") else None
    if inv is not None:
        share = view_reading(ds, "invention_share", view).value if agg.available(ds, "invention_share") else None
        below = share is not None and share < INVENTION_SHARE_FLOOR
        low = t("sum_below_floor", lang, floor=floor_text(lang)) if below else ""
        clause = "sum_patents_inv_share" if share is not None else "sum_patents_inv"
        text += t(clause, lang, inv=fmt_value(inv, "件", lang), share=fmt_value(share, "%", lang), low=low)
    return text + t("sum_end", lang)


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "sum_below_floor": ("，低于{floor}", ", below {floor}"),
    "sum_patents": (
        "{year}年{scope}专利申请量{apps}{trend}",
        "In {year}, {scope} filed {apps} patent applications{trend}",
    ),
    "sum_patents_inv_share": (
        "；授权发明专利{inv}，占授权量{share}{low}",
        "; {inv} invention patents were granted, {share} of all grants{low}",
    ),
    "sum_patents_inv": ("；授权发明专利{inv}", "; {inv} invention patents were granted"),
    "patents_trend_title": ("专利申请与授权（按类型）", "Patent applications and grants by type"),
    "patents_district_title": ("{year}年各区县专利（点击柱可筛选）", "Patents by district, {year} (click to filter)"),
    "patents_share_title": ("发明专利占授权量比重", "Invention share of patent grants"),
    "patents_months_title": (
        "专利申请量：逐月与上年同期比较",
        "Patent applications month by month against the same months a year before",
    ),
    "applications": ("专利申请量", "Applications"),
    "grants": ("专利授权量", "Grants"),
    "other_grants": ("其他授权", "Other grants"),
    "invention": ("发明", "Invention"),
    "utility": ("实用新型", "Utility model"),
    "design": ("外观设计", "Design"),
    "too_low_line": ("{floor}警戒线", "{floor} threshold"),
    "export_patents_district_title": (
        "{year}年各区县专利申请与授权",
        "Patent applications and grants by district, {year}",
    ),
}


SECTION = Section(
    strings=STRINGS,
    key="patents",
    sentence=sentence,
    needs=Needs(indicators=("patent_applications",)),
    rows=(
        (
            Graph(
                "trend",
                "patents_trend_title",
                trend_figure,
                width=5,
                slide_width=4,
                needs=Needs(indicators=("patent_applications",)),
                optional=(
                    Optional(("invention_grants", "patent_grants")),
                    Optional(("utility_grants", "design_grants"), note="no type breakdown"),
                ),
                key=by_districts,
            ),
            Graph(
                "district",
                "patents_district_title",
                district_figure,
                width=4,
                slide_width=5,
                needs=Needs(by_district=("patent_applications",)),
                optional=(Optional(("patent_grants",)),),
                height=many_rows_height,
                slide_title="export_patents_district_title",
                key=by_year,
                highlight=True,
            ),
            Graph(
                "share",
                "patents_share_title",
                share_figure,
                width=3,
                needs=Needs(indicators=("invention_share",)),
                key=by_districts,
            ),
        ),
        (
            Graph(
                "months",
                "patents_months_title",
                months_figure,
                width=12,
                needs=months_of("patent_applications"),
                key=by_period,
            ),
        ),
    ),
    slide_rows=(("trend", "district", "share"),),
)
