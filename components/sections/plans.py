"""规划目标与对标 Plan targets & peers: the yearly path to each plan target, and the city against its peer cities.

The numbers come from data/plans.py (trajectories to targets in years after the latest data, peer gaps like
for like); this module words them (the required annual change, the current pace, the gaps in the unit users
expect) and shapes them for components/figures.plan_paths and peer_bars.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from components.charts import figures
from components.charts.figures import Fig
from components.charts.summary import plan_name, scope, target_label
from components.core import ids
from components.core.i18n import fmt_indicator, fmt_number, fmt_percent, name, t
from components.core.state import View
from components.sections.base import Graph, Needs, Section, by_districts
from data import aggregate as agg
from data import plans
from data.load import Dataset
from data.plans import PeerGap, Trajectory

MAX_PEER_CLAUSES = 3  # the sentence names the widest gap of at most this many indicators
PANEL_PX = 250  # height of one row of small multiples
COLS = 2  # small multiples per row


def points(v: float, decimals: int | None = None) -> str:
    """A size in points or places without its sign: '0.18', '29.5' (one decimal from 10 up), '2'."""
    v = abs(v)
    if decimals is None:
        decimals = 0 if float(v).is_integer() else 1 if v >= 10 else 2
    return fmt_number(v, decimals)


def change_text(kind: str, change: float | None, lang: str) -> str:
    """'提高0.18个百分点' / 'a rise of 0.18 points', '增长12.3%', '提升1位' ('—' for a growth rate there is none of).

    For ranks (`kind` 'rank') a fall in the number is a climb up the table.
    """
    if change is None:
        return t("plans_pct_up", lang, value="—")
    if kind == plans.PP:
        return t("plans_pp_up" if change >= 0 else "plans_pp_down", lang, value=points(change, 2))
    if kind == plans.RANK:
        return t("plans_rank_up" if change <= 0 else "plans_rank_down", lang, value=points(change))
    return t("plans_pct_up" if change >= 0 else "plans_pct_down", lang, value=fmt_percent(abs(change)))


def need_text(tr: Trajectory, lang: str) -> str:
    """'需年均提高0.18个百分点' / 'needs a rise of 0.18 points a year', or '已达到目标'."""
    if tr.met:
        return t("plans_need_met", lang)
    return t("plans_need", lang, change=change_text(tr.kind, tr.required, lang))


def goal_text(ds: Dataset, tr: Trajectory, lang: str) -> str:
    """'“十二五”全社会R&D投入强度2.50%' / '12th Five-Year Plan target of 2.50% for R&D intensity', or by year
    ('2020年…' / '2020 target of …') where the dataset names no plan ending that year."""
    info = agg.indicator_info(ds, tr.indicator)
    value, indicator = fmt_indicator(tr.target, info, lang), name(info, lang)
    plan = plan_name(ds, tr.year, lang)
    if plan:
        return t("plans_goal_named", lang, plan=plan, indicator=indicator, value=value)
    return t("plans_goal_year", lang, year=tr.year, indicator=indicator, value=value)


def trajectory_clause(ds: Dataset, tr: Trajectory, lang: str, where: str = "") -> str:
    """'实现“十二五”…2.50%的目标，需年均提高0.18个百分点（近年年均提高0.09个百分点，按此2015年约为2.23%，低于目标）';
    `where` names a district selection ('实现海曙区2014年…的目标')."""
    info = agg.indicator_info(ds, tr.indicator)
    goal = goal_text(ds, tr, lang)
    if where:
        goal = t("plans_goal_in", lang, scope=where, goal=goal)
    if tr.met:
        return t("plans_sum_met", lang, year=tr.start_year, goal=goal, value=fmt_indicator(tr.start, info, lang))
    out = t("plans_sum_need", lang, goal=goal, change=change_text(tr.kind, tr.required, lang))
    if tr.pace is not None and tr.projected is not None:
        verdict = "plans_on_pace" if tr.on_pace else "plans_short_low" if tr.better_up else "plans_short_high"
        out += t(
            "plans_sum_pace",
            lang,
            change=change_text(tr.kind, tr.pace, lang),
            year=tr.year,
            projected=fmt_indicator(tr.projected, info, lang),
            verdict=t(verdict, lang),
        )
    return out


def gap_text(ds: Dataset, g: PeerGap, lang: str, short: bool = False) -> str:
    """The gap as users say it: '比深圳低31.8个百分点', '比杭州低1,200亿元，为杭州的48%', '排名比杭州高2位'
    ('31.8 points below Shenzhen', …); with `short`, the few words under the peer's name ('低31.8个百分点')."""
    info = agg.indicator_info(ds, g.indicator)
    peer = g.peer_en if lang == "en" else g.peer_zh
    if g.gap == 0:
        return t("plans_tick_level" if short else "plans_gap_level", lang, peer=peer)
    pre = "plans_tick_" if short else "plans_gap_"
    if g.kind == plans.PP:
        return t(pre + ("pp_high" if g.gap > 0 else "pp_low"), lang, peer=peer, value=points(g.gap))
    if g.kind == plans.RANK:
        return t(pre + ("rank_ahead" if g.gap < 0 else "rank_behind"), lang, peer=peer, value=points(g.gap))
    ratio = fmt_percent(g.ratio, 0) if g.ratio is not None else "—"
    if short:
        return t("plans_tick_ratio", lang, ratio=ratio)
    value = fmt_indicator(abs(g.gap), info, lang)
    return t("plans_gap_high" if g.gap > 0 else "plans_gap_low", lang, peer=peer, value=value, ratio=ratio)


def peer_clause(ds: Dataset, g: PeerGap, lang: str) -> str:
    """'2011年全市高新技术产业产值占规上工业产值比重比深圳低31.8个百分点', with both years when they differ."""
    indicator = name(agg.indicator_info(ds, g.indicator), lang)
    gap = gap_text(ds, g, lang)
    if g.same_year:
        return t("plans_sum_peer_same", lang, year=g.city_year, indicator=indicator, gap=gap)
    return t("plans_sum_peer_diff", lang, year=g.city_year, indicator=indicator, gap=gap, peer_year=g.peer_year)


def by_indicator(gaps: tuple[PeerGap, ...]) -> dict[str, list[PeerGap]]:
    """Each peer's latest gap, grouped per indicator (in order)."""
    out: dict[str, list[PeerGap]] = {}
    for g in plans.latest_per_peer(gaps):
        out.setdefault(g.indicator, []).append(g)
    return out


def sentence(ds: Dataset, view: View) -> str:
    """e.g. 实现“十二五”全社会R&D投入强度2.50%的目标，需年均提高0.18个百分点（近年年均提高0.09个百分点，按此2015年
    约为2.23%，低于目标）；2011年全市高新技术产业产值占规上工业产值比重比深圳低31.8个百分点；…。"""
    lang = view.lang
    where = "" if agg.is_city(ds, view.districts) else scope(ds, view)
    parts = [trajectory_clause(ds, tr, lang, where) for tr in plans.trajectories(ds, view.districts)]
    groups = list(by_indicator(plans.peer_gaps(ds)).values())[:MAX_PEER_CLAUSES]
    parts += [peer_clause(ds, g, lang) for g in (plans.largest_gap(gs) for gs in groups) if g is not None]
    if not parts:
        return t("plans_sum_none", lang) if plans.trajectories(ds) else ""
    text = ("；" if lang == "zh" else "; ").join(parts) + t("sum_end", lang)
    return text[0].upper() + text[1:]


def panel(ds: Dataset, tr: Trajectory, districts: tuple[str, ...], lang: str) -> figures.PathPanel:
    """The small multiple of one trajectory."""
    info = agg.indicator_info(ds, tr.indicator)
    label = name(info, lang)
    goal = target_label(ds, fmt_indicator(tr.target, info, lang), tr.year, -1, lang)
    return figures.PathPanel(
        title=t("plans_panel", lang, indicator=label, need=need_text(tr, lang)),
        label=label,
        info=info,
        series=agg.series(ds, tr.indicator, districts),
        path=tr.path,
        goal_label=goal,
        met=tr.met,
    )


def trajectory_figure(ds: Dataset, view: View) -> Fig:
    """The yearly path to each plan target of the selection, against the actual series (small multiples)."""
    found = plans.trajectories(ds, view.districts)
    if not found:
        return figures.empty_figure(t("plans_no_district_plan", view.lang), view.theme)
    panels = [panel(ds, tr, view.districts, view.lang) for tr in found]
    return figures.plan_paths(panels, view.lang, view.theme, cols=COLS)


def peer_panels(ds: Dataset, lang: str) -> list[figures.PeerPanel]:
    """One panel per indicator with peer values: the city against each peer's latest value, like for like."""
    city = str(ds.meta.get("city_en" if lang == "en" else "city_zh") or t("plans_city", lang))
    out = []
    for indicator, gaps in by_indicator(plans.peer_gaps(ds)).items():
        info = agg.indicator_info(ds, indicator)
        frame = pd.DataFrame(
            {
                "peer": [g.peer_en if lang == "en" else g.peer_zh for g in gaps],
                "peer_year": [g.peer_year for g in gaps],
                "peer_value": [g.peer_value for g in gaps],
                "city_year": [g.city_year for g in gaps],
                "city_value": [g.city_value for g in gaps],
                "gap": [gap_text(ds, g, lang, short=True) for g in gaps],
            }
        )
        out.append(figures.PeerPanel(title=name(info, lang), info=info, city=city, frame=frame))
    return out


def peers_figure(ds: Dataset, view: View) -> Fig:
    """The whole city against its peer cities, one small panel per indicator with peer values."""
    return figures.peer_bars(peer_panels(ds, view.lang), view.lang, view.theme, cols=COLS)


def peers_key(ds: Dataset, view: View) -> tuple[Any, ...]:
    """The peer chart's data: always the whole city (the same for every year and selection)."""
    return ()


def _most_trajectories(ds: Dataset) -> int:
    """The most plan targets any one selection has: the whole city's, or a district's own."""
    return max(len(plans.trajectories(ds, s)) for s in [(), *[(c,) for c in ds.district_codes]])


def _plan_needs(ds: Dataset) -> list[str]:
    return [] if _most_trajectories(ds) else ["plan target after the latest data"]


def _peer_needs(ds: Dataset) -> list[str]:
    return [] if plans.peer_gaps(ds) else ["peer values"]


def _height(count: int) -> int:
    return PANEL_PX * figures.panel_rows(count, COLS) + 90


def trajectory_height(ds: Dataset) -> int:
    """Tall enough for a row of panels per two plan targets (of the selection that has most)."""
    return _height(_most_trajectories(ds))


def peers_height(ds: Dataset) -> int:
    """Tall enough for a row of panels per two indicators with peer values."""
    return _height(len(by_indicator(plans.peer_gaps(ds))))


SECTION = Section(
    key="plans",
    title_key="plans",
    sentence=sentence,
    rows=(
        (
            Graph(
                ids.PLANS_TRAJECTORY,
                "plans_trajectory_title",
                trajectory_figure,
                width=6,
                needs=Needs(custom=_plan_needs),
                height=trajectory_height,
                key=by_districts,
            ),
            Graph(
                ids.PLANS_PEERS,
                "plans_peers_title",
                peers_figure,
                width=6,
                needs=Needs(custom=_peer_needs),
                height=peers_height,
                key=peers_key,
            ),
        ),
    ),
    empty_reason="no plan target after the latest data and no peer values",
)
