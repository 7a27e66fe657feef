"""One sentence per section, generated from the same aggregation functions as the cards (pure)."""

from __future__ import annotations

from components.i18n import fmt_change, fmt_value, t
from components.prep import selection_name
from components.state import View
from data import aggregate as agg
from data.load import Dataset
from data.schema import TIERS

INVENTION_SHARE_FLOOR = 3.5


def scope(ds: Dataset, view: View) -> str:
    """'全市' / 'the whole city' or the selected districts' names, for use inside a sentence."""
    return selection_name(ds, view.districts, view.lang, whole="whole_city_in_text")


def _trend(change: float | None, kind: str, lang: str) -> str:
    """'，同比增长54.78%' / ', up 54.78% year on year' (empty when there is no previous year)."""
    if change is None:
        return ""
    key = "sum_up" if change > 0 else "sum_down" if change < 0 else "sum_flat"
    if kind == "pp" and change != 0:
        key += "_pp"
    magnitude = fmt_change(abs(change), kind, lang).lstrip("+")
    return t(key, lang, change=magnitude)


def patents_sentence(ds: Dataset, view: View) -> str:
    """e.g. 2012年全市专利申请量73,647件，同比增长54.78%；授权发明专利2,065件，占授权量3.49%，低于3.5%。"""
    lang, d, y = view.lang, view.districts, view.year
    apps = agg.reading(ds, "patent_applications", y, d)
    if apps.value is None:
        return t("sum_no_data", lang, year=y, scope=scope(ds, view))
    inv = agg.value(ds, "invention_grants", y, d)
    share = agg.value(ds, "invention_share", y, d)
    low = t("sum_below_floor", lang) if share is not None and share < INVENTION_SHARE_FLOOR else ""
    return t(
        "sum_patents",
        lang,
        year=y,
        scope=scope(ds, view),
        apps=fmt_value(apps.value, "件", lang),
        trend=_trend(apps.change, "pct", lang),
        inv=fmt_value(inv, "件", lang),
        share=fmt_value(share, "%", lang),
        low=low,
    )


def hightech_sentence(ds: Dataset, view: View) -> str:
    """e.g. 2012年全市高新技术产业产值3,429亿元，同比增长11.40%，占规上工业产值比重28.7%，比上年提高2.28个百分点。"""
    lang, d, y = view.lang, view.districts, view.year
    out = agg.reading(ds, "hightech_output", y, d)
    if out.value is None:
        return t("sum_no_data", lang, year=y, scope=scope(ds, view))
    share = agg.reading(ds, "hightech_share", y, d)
    return t(
        "sum_hightech",
        lang,
        year=y,
        scope=scope(ds, view),
        output=fmt_value(out.value, "亿元", lang),
        trend=_trend(out.change, "pct", lang),
        share=fmt_value(share.value, "%", lang),
        share_trend=_trend(share.change, "pp", lang),
    )


def pipeline_sentence(ds: Dataset, view: View) -> str:
    """The five tier counts and last year's movements."""
    lang, d, y = view.lang, view.districts, view.year
    counts = agg.pipeline_counts(ds, y, d)
    parts = ("、" if lang == "zh" else ", ").join(
        t("sum_tier", lang, tier=t(f"tier_{tier}", lang).lower(), n=fmt_value(float(counts[tier]), "家", lang))
        for tier in TIERS
    )
    text = t("sum_pipeline", lang, year=y, scope=scope(ds, view), parts=parts)
    if (y - 1) in ds.years:
        moves = agg.flow_summary(agg.pipeline_flows(ds, y, d))
        text += t("sum_pipeline_moves", lang, **moves)
    return text + t("sum_end", lang)


def seismic_sentence(ds: Dataset, view: View) -> str:
    """Network uptime, stations meeting 99.9%, outages and hours down."""
    lang, d, y = view.lang, view.districts, view.year
    reading = agg.uptime_reading(ds, y, d)
    if reading.value is None:
        return t("sum_no_stations", lang, year=y, scope=scope(ds, view))
    table = agg.uptime_table(ds, y, d).dropna(subset=["uptime"])
    ok = int((table["uptime"].astype("float64") >= agg.NETWORK_UPTIME_TARGET).sum())
    lo, hi = agg.year_bounds(y)
    outages = agg.outages_in(ds.outages, list(table["station"]), lo, hi)
    return t(
        "sum_seismic",
        lang,
        year=y,
        scope=scope(ds, view),
        uptime=fmt_value(reading.value, "%", lang, 2),
        n=len(table),
        ok=ok,
        outages=len(outages),
        hours=f"{outages['duration_h'].sum():,.1f}",
    )


def overview_sentence(ds: Dataset, view: View) -> str:
    """The overview slide's sentence: patents and high-tech together."""
    return patents_sentence(ds, view) + (" " if view.lang == "en" else "") + hightech_sentence(ds, view)


SENTENCES = {
    "overview": overview_sentence,
    "patents": patents_sentence,
    "hightech": hightech_sentence,
    "pipeline": pipeline_sentence,
    "seismic": seismic_sentence,
}
