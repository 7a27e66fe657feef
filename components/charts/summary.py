"""Words about a view (pure): scope, trends, captions, target labels and the generic indicator sentence.

Each section's own sentence lives in its module and is built from these pieces, so that a dataset
without some indicator simply loses that clause.
"""

from __future__ import annotations

from components.charts.prep import selection_name
from components.core.i18n import fmt_change, fmt_value, name, t, t_when
from components.core.state import View
from data import aggregate as agg
from data.load import Dataset
from data.period_reading import has_months, period_reading
from data.rules import INVENTION_SHARE_FLOOR, NETWORK_UPTIME_TARGET


def floor_text(lang: str) -> str:
    """The invention-share floor as users read it ('3.5%')."""
    return fmt_value(INVENTION_SHARE_FLOOR, "%", lang, decimals=1)


def uptime_target_text(lang: str) -> str:
    """The network uptime target as users read it ('99.9%')."""
    return fmt_value(NETWORK_UPTIME_TARGET * 100, "%", lang, decimals=1)


def scope(ds: Dataset, view: View) -> str:
    """'全市' / 'the whole city' or the selected districts' names, for use inside a sentence."""
    return selection_name(ds, view.districts, view.lang, whole="whole_city_in_text")


def trend(change: float | None, kind: str, lang: str, same_months: bool = False) -> str:
    """'，同比增长54.78%' / ', up 54.78% year on year' (empty when there is no previous year); `same_months`: a
    period against the same months a year before ('比上年同期提高…')."""
    if change is None:
        return ""
    key = "sum_up" if change > 0 else "sum_down" if change < 0 else "sum_flat"
    if kind == "pp" and change != 0:
        key += "_pp"
    if same_months and (kind == "pp" or change == 0):
        key += "_period"
    magnitude = fmt_change(abs(change), kind, lang).lstrip("+")
    return t(key, lang, change=magnitude)


def joined(parts: list[str], lang: str) -> str:
    """Sentences one after another (a space between English ones)."""
    return (" " if lang == "en" else "").join(p for p in parts if p)


def caption(ds: Dataset, view: View) -> str:
    """'2012年 · 全市' / '2012 · Yinzhou, Yuyao'; a period view: '2012年1–11月 · 全市' / 'Jan–Nov 2012 · …'."""
    scope = selection_name(ds, view.districts, view.lang)
    if view.in_year:
        return t("caption_period", view.lang, period=view.when_text, scope=scope)
    return t("caption", view.lang, year=view.year, scope=scope)


def slide_marks(ds: Dataset, view: View) -> list[str]:
    """What every slide and exported page carries: the filter caption, the as-of date, and the sample mark
    (last, only for sample data)."""
    marks = [caption(ds, view), t("as_of", view.lang, date=ds.meta.get("as_of", ""))]
    if ds.meta.get("sample"):
        marks.append(t("sample_badge", view.lang))
    return marks


def plan_name(ds: Dataset, year: int, lang: str) -> str | None:
    """The name the dataset gives the plan period ending in `year` ('十二五'), if any."""
    for plan in ds.plans:
        if plan.get("year") == year:
            return str(plan["name_en" if lang == "en" else "name_zh"])
    return None


def target_label(ds: Dataset, value_text: str, year: int, view_year: int, lang: str) -> str:
    """'目标 28.2%' for the year shown; '目标 3.5%（2020年）' for a later year; '“十二五”目标 2.5%（2015年）'
    where the dataset names the plan ending that year."""
    if year == view_year:
        return t("target_line", lang, value=value_text)
    plan = plan_name(ds, year, lang)
    if plan:
        return t("plan_target_named", lang, plan=plan, value=value_text, year=year)
    return t("plan_target", lang, value=value_text, year=year)


def indicator_sentence(ds: Dataset, view: View, indicator: str) -> str:
    """The generic sentence for any indicator: '2012年全市技术市场成交额86.5亿元，同比增长12.30%。'"""
    lang = view.lang
    info = agg.indicator_info(ds, indicator)
    label = name(info, lang)
    if has_months(ds, indicator) and (view.in_year or agg.value(ds, indicator, view.year, view.districts) is None):
        p = period_reading(ds, indicator, view.when, view.on_basis, view.districts)
        if p.value is not None:  # its latest months ending no later than the view's, named
            growth = trend(p.change, p.change_kind, lang, same_months=True)
            if growth and p.change_source == "reported":
                growth += t("sum_reported", lang)
            unit = str(info["unit_zh"] or "")
            return t_when(
                "sum_indicator", lang, p.label(lang), scope=scope(ds, view), indicator=label,
                value=fmt_value(p.value, unit, lang), trend=growth,
            )  # fmt: skip
    r = agg.reading(ds, indicator, view.year, view.districts)
    if r.value is None:
        if info["agg"] == "city" and not agg.is_city(ds, view.districts):
            return t("sum_city_only", lang, year=view.year, indicator=label)
        return t("sum_indicator_none", lang, year=view.year, scope=scope(ds, view), indicator=label)
    return t(
        "sum_indicator",
        lang,
        year=view.year,
        scope=scope(ds, view),
        indicator=label,
        value=fmt_value(r.value, str(info["unit_zh"] or ""), lang),
        trend=trend(r.change, r.change_kind, lang),
    )
