"""高新技术产业 High-tech industry: share by district against city and target; output and share over time."""

from __future__ import annotations

from components.charts import figures
from components.charts.figures import Fig
from components.charts.prep import annotated, district_frame, many_rows_height, year_frame
from components.charts.summary import scope, trend
from components.core import ids
from components.core.i18n import fmt_value, t
from components.core.state import View
from components.sections.base import Graph, Needs, Optional, Section, by_districts
from data import aggregate as agg
from data.load import Dataset


def district_figure(ds: Dataset, view: View) -> Fig:
    """Share by district with the city's value and the year's target as reference lines."""
    d, lang, year = view.districts, view.lang, view.year
    frame = district_frame(ds, year, {"share": "hightech_share"}, lang)
    refs = []
    city = agg.value(ds, "hightech_share", year)
    if city is not None:
        refs.append((city, t("city_line", lang, value=fmt_value(city, "%", lang)), "ref"))
    goal = agg.target(ds, "hightech_share", year, d)
    if goal is not None and goal[1] == year:
        refs.append((goal[0], t("target_line", lang, value=fmt_value(goal[0], "%", lang)), "warn"))
    return figures.district_bars(frame, [("share", t("hightech_share", lang))], d, "%", lang, view.theme, refs=refs)


def district_key(ds: Dataset, view: View) -> tuple[object, ...]:
    """The bars' data: the year and the selection's target line (the selection itself is a highlight)."""
    return (view.year, agg.target(ds, "hightech_share", view.year, view.districts))


def trend_figure(ds: Dataset, view: View) -> Fig:
    """Output (bars) and, where the data has it, its share of industrial output (line) over the years."""
    columns = {"output": "hightech_output"}
    if agg.available(ds, "hightech_share"):
        columns["share"] = "hightech_share"
    fig = figures.output_and_share(year_frame(ds, columns, view.districts), view.lang, view.theme)
    return annotated(fig, ds, view, columns.values())


def sentence(ds: Dataset, view: View) -> str:
    """e.g. 2012年全市高新技术产业产值3,429亿元，同比增长11.40%，占规上工业产值比重28.7%，比上年提高2.28个百分点。"""
    lang, d, y = view.lang, view.districts, view.year
    out = agg.reading(ds, "hightech_output", y, d) if agg.available(ds, "hightech_output") else None
    share = agg.reading(ds, "hightech_share", y, d) if agg.available(ds, "hightech_share") else None
    if (out is None or out.value is None) and (share is None or share.value is None):
        return t("sum_no_data", lang, year=y, scope=scope(ds, view))
    where = scope(ds, view)
    parts = [t("sum_hightech_lead", lang, year=y)]
    if out is not None and out.value is not None:
        output, growth = fmt_value(out.value, "亿元", lang), trend(out.change, "pct", lang)
        parts.append(t("sum_hightech_output", lang, scope=where, output=output, trend=growth))
    if share is not None and share.value is not None:
        key = "sum_hightech_share" if len(parts) > 1 else "sum_hightech_share_only"
        shown, change = fmt_value(share.value, "%", lang), trend(share.change, "pp", lang)
        parts.append(t(key, lang, scope=where, share=shown, share_trend=change))
    return "".join(parts) + t("sum_end", lang)


SECTION = Section(
    key="hightech",
    title_key="hightech",
    sentence=sentence,
    rows=(
        (
            Graph(
                ids.HIGHTECH_DISTRICT,
                "hightech_district_title",
                district_figure,
                width=7,
                needs=Needs(by_district=("hightech_share",)),
                height=many_rows_height,
                key=district_key,
                highlight=True,
            ),
            Graph(
                ids.HIGHTECH_TREND,
                "hightech_trend_title",
                trend_figure,
                width=5,
                needs=Needs(indicators=("hightech_output",)),
                optional=(Optional(("hightech_share",)),),
                key=by_districts,
            ),
        ),
    ),
)
