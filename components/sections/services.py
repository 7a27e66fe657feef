"""科技服务业 S&T services: institutions above the threshold, their value added (1–N月累计 against the same
months a year before, the published growth preferred) and the demonstration projects and firms of the year.

Its figures are quarterly in the bureau's statistics: a whole year's view shows the latest quarter the data
has (the report's "前三季度" in a 2012 view) and says so; a period view reads its own months.
"""

from __future__ import annotations

from components.charts.figures import Fig
from components.charts.prep import months_chart
from components.charts.summary import scope, trend
from components.core.i18n import fmt_indicator, t
from components.core.state import View
from components.sections.base import Build, Graph, Needs, Section, by_period
from data import aggregate as agg
from data.load import Dataset
from data.period_reading import PeriodReading, period_reading, value_over

VALUE_ADDED = "tech_service_value_added"
INSTITUTIONS = "tech_service_institutions"
DEMO = {"tech_service_demo_projects": "sum_services_projects", "tech_service_demo_firms": "sum_services_firms_new"}


def compare_figure(indicator: str) -> Build:
    """The indicator's quarters (or months) this year against the same ones a year before."""

    def build(ds: Dataset, view: View) -> Fig:
        return months_chart(ds, indicator, view)

    return build


def _reading(ds: Dataset, indicator: str, view: View) -> PeriodReading | None:
    """The indicator's number for the view (the latest period ending no later than it), None without one."""
    if not agg.available(ds, indicator):
        return None
    r = period_reading(ds, indicator, view.when, view.on_basis, view.districts)
    return r if r.value is not None else None


def sentence(ds: Dataset, view: View) -> str:
    """e.g. 2012年1–9月，全市限上科技服务业机构356家，比上年同期增加41家；实现增加值40.3亿元，比上年同期增长24.7%
    （统计部门公布）。2012年新认定科技服务业示范项目24项、示范企业7家。"""
    lang = view.lang
    where = scope(ds, view)
    added, firms = _reading(ds, VALUE_ADDED, view), _reading(ds, INSTITUTIONS, view)
    first = added or firms
    if first is None:
        return t("sum_no_data", lang, year=view.year, scope=where)
    parts = [t("sum_services_lead", lang, when=first.label(lang), scope=where)]
    if firms is not None and firms.value is not None:
        info = agg.indicator_info(ds, INSTITUTIONS)
        before = value_over(ds, INSTITUTIONS, firms.year - 1, firms.span, view.districts)
        more = "" if before is None else t("sum_services_more", lang, n=fmt_indicator(firms.value - before, info, lang))
        parts.append(t("sum_services_firms", lang, n=fmt_indicator(firms.value, info, lang), more=more))
    if added is not None and added.value is not None:
        info = agg.indicator_info(ds, VALUE_ADDED)
        growth = trend(added.change, added.change_kind, lang, same_months=True)
        if growth and added.change_source == "reported":
            growth += t("sum_reported", lang)
        sep = t("sum_services_sep", lang) if len(parts) > 1 else ""
        parts.append(sep + t("sum_services_added", lang, value=fmt_indicator(added.value, info, lang), trend=growth))
    text = "".join(parts) + t("sum_end", lang)
    demo = [(i, agg.value(ds, i, view.year)) for i in DEMO if agg.available(ds, i)]
    shown = [(i, v) for i, v in demo if v is not None]
    if shown:
        items = [t(DEMO[i], lang, n=fmt_indicator(v, agg.indicator_info(ds, i), lang)) for i, v in shown]
        text += t("sum_services_demo", lang, year=view.year, items=("、" if lang == "zh" else " and ").join(items))
    return text


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "services": ("科技服务业", "Science and technology services"),
    "sum_services_lead": ("{when}，{scope}", "In {when}, in {scope}: "),
    "sum_services_firms": (
        "限上科技服务业机构{n}{more}",
        "{n} science and technology service institutions above the threshold{more}",
    ),
    "sum_services_more": ("，比上年同期增加{n}", ", {n} more than a year before"),
    "sum_services_sep": ("；", "; "),
    "sum_services_added": ("实现限上科技服务业增加值{value}{trend}", "value added {value}{trend}"),
    "sum_services_demo": ("{year}年新认定科技服务业{items}。", " In {year}, {items} were newly recognised."),
    "sum_services_projects": ("示范项目{n}", "{n} demonstration projects"),
    "sum_services_firms_new": ("示范企业{n}", "{n} demonstration firms"),
    "services_added_title": (
        "限上科技服务业增加值（与上年同期比较）",
        "Tech services value added vs a year before",
    ),
    "services_firms_title": (
        "限上科技服务业机构（期末，与上年同期比较）",
        "Tech service institutions (period end) vs a year before",
    ),
}


class Services(Section):
    """The section, with the demonstration counts its sentence names (so the generic section leaves them)."""

    def extra_uses(self, ds: Dataset) -> set[str]:
        """The demonstration projects and firms, where the data has them."""
        return {i for i in DEMO if agg.available(ds, i)}


SECTION = Services(
    strings=STRINGS,
    key="services",
    sentence=sentence,
    rows=(
        (
            Graph(
                "added",
                "services_added_title",
                compare_figure(VALUE_ADDED),
                width=7,
                needs=Needs(indicators=(VALUE_ADDED,)),
                indicator=VALUE_ADDED,
                key=by_period,
            ),
            Graph(
                "firms",
                "services_firms_title",
                compare_figure(INSTITUTIONS),
                width=5,
                needs=Needs(indicators=(INSTITUTIONS,)),
                indicator=INSTITUTIONS,
                key=by_period,
            ),
        ),
    ),
)
