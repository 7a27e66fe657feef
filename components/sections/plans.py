"""规划目标与对标 Plan targets & peers: the yearly path to each plan target, and the city against its peer cities.

The numbers come from data/plans.py (trajectories to targets in years after the latest data, peer gaps like
for like); this module words them (the required annual change, the current pace, the gaps in the unit users
expect) and shapes them for components/plan_paths and peer_bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from components.charts import figures
from components.charts.figures import (
    Fig,
    abbreviate,
    add_trace,
    empty_figure,
    headroom,
    jsonable,
    literal,
    new_figure,
    wrap,
    years_axis,
)
from components.charts.summary import plan_name, scope, target_label
from components.charts.theme import base_layout, palette
from components.core.i18n import axis_unit, fmt_indicator, fmt_number, fmt_percent, name, t
from components.core.state import View
from components.sections.base import Graph, Needs, Section, by_districts
from data import aggregate as agg
from data import plans
from data.load import Dataset
from data.plans import PeerGap, Trajectory

# --- figures (pure: frames in, plotly figures out) --------------------------------------------------


@dataclass(frozen=True)
class PathPanel:
    """One small multiple of `plan_paths`: an indicator's series and its required path to a plan target."""

    title: str  # the panel's heading, e.g. '全社会R&D投入强度：需年均提高0.18个百分点'
    label: str  # the indicator's name (hover)
    info: dict[str, Any]  # its indicators.csv row (unit, and ranks drawn best on top)
    series: pd.Series  # index year
    path: Sequence[tuple[int, float]]  # (year, value) from the latest actual year to the target year
    goal_label: str  # the star's label, e.g. '“十二五”目标 2.5%（2015年）'
    met: bool = False  # the target is already met: the star, no path


def _grid(n: int, cols: int, gap_x: float = 0.12, gap_y: float = 0.2) -> list[tuple[list[float], list[float]]]:
    """(x domain, y domain) of `n` panels on a grid of `cols` columns, filled row by row from the top."""
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    w = (1 - gap_x * (cols - 1)) / cols
    h = (1 - gap_y * (rows - 1)) / rows
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        x0, y1 = c * (w + gap_x), 1 - r * (h + gap_y)
        out.append(([round(x0, 4), round(x0 + w, 4)], [round(y1 - h, 4), round(y1, 4)]))
    return out


def panel_rows(n: int, cols: int = 2) -> int:
    """How many rows of panels `n` small multiples take."""
    return -(-max(n, 1) // max(1, min(cols, max(n, 1))))


def _small_multiples(
    theme: str, domains: Sequence[tuple[list[float], list[float]]], titles: Sequence[str], axes: Sequence[dict]
) -> Fig:
    """A figure of panels: axes x/y, x2/y2, … on the given domains (each with its own `axes` overrides, keys
    'x' and 'y'), each headed by its title (an annotation, escaped here), the legend below."""
    p = palette(theme)
    base = base_layout(theme)
    layout = base_layout(
        theme,
        margin={"l": 56, "r": 24, "t": 44, "b": 56},
        legend={**base["legend"], "y": -0.1, "yanchor": "top"},
    )
    notes = []
    for i, ((xd, yd), title, ax) in enumerate(zip(domains, titles, axes, strict=True)):
        n = "" if i == 0 else str(i + 1)
        layout[f"xaxis{n}"] = {**base["xaxis"], **ax.get("x", {}), "domain": xd, "anchor": f"y{n}"}
        layout[f"yaxis{n}"] = {**base["yaxis"], **ax.get("y", {}), "domain": yd, "anchor": f"x{n}"}
        notes.append(
            {
                "text": wrap(title, 44 if len(domains) == 1 else 26),
                "xref": "paper",
                "yref": "paper",
                "x": (xd[0] + xd[1]) / 2,
                "y": yd[1],
                "xanchor": "center",
                "yanchor": "bottom",
                "yshift": 4,
                "showarrow": False,
                "font": {"size": p.get("font_size", 13), "color": p["text"]},
            }
        )
    layout["annotations"] = notes
    lines = max(1 + str(n["text"]).count("<br>") for n in notes)  # room for the top row's headings
    layout["margin"]["t"] = max(44, int(lines * p.get("font_size", 13) * 1.35) + 14)
    return new_figure(layout)


def _room_above(values: Sequence[float], panel: PathPanel) -> list[float]:
    """A y range with room above the highest point for the target's label (ranks: best, 1, on top)."""
    if panel.info.get("unit_zh") == "位":
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        return [hi + 0.1 * span, max(lo - 0.45 * span, 0.5)]
    out = headroom(values, low=min(0.0, *values))
    out[1] += 0.2 * (out[1] - out[0])
    return out


PATH_COLUMNS = ("plans_col_indicator", "plans_col_year", "plans_col_actual", "plans_path")


def plan_paths(panels: Sequence[PathPanel], lang: str, theme: str, cols: int = 2) -> Fig:
    """Each indicator's actual series (solid) and the yearly path it needs from its latest value to its plan
    target (dotted, a marker every year), the target a labelled star: small multiples, one panel each, the
    required annual change in the panel's heading. Ranks are drawn best (1) on top."""
    panels = [pn for pn in panels if not pn.series.empty]
    if not panels:
        return empty_figure(t("no_data_selection", lang), theme)
    p = palette(theme)
    axes, rows = [], []
    for pn in panels:
        factor, unit = axis_unit(pn.info, lang)
        years = sorted({*(int(y) for y in pn.series.index), *(y for y, _ in pn.path)})
        values = [float(v) * factor for v in (*pn.series.values, *(v for _, v in pn.path))]
        y_axis = {"title": {"text": literal(unit)}, "range": _room_above(values, pn)}
        axes.append({"x": years_axis(years), "y": y_axis})
    fig = _small_multiples(theme, _grid(len(panels), cols), [pn.title for pn in panels], axes)
    for i, pn in enumerate(panels):
        n = "" if i == 0 else str(i + 1)
        on = {"xaxis": f"x{n}", "yaxis": f"y{n}"}
        factor, _ = axis_unit(pn.info, lang)
        label = literal(pn.label)
        shown = [literal(fmt_indicator(v, pn.info, lang)) for v in pn.series.values]
        add_trace(
            fig,
            "scatter",
            x=list(pn.series.index),
            y=pn.series.values * factor,
            mode="lines+markers+text",
            name=t("plans_col_actual", lang),
            legendgroup="actual",
            showlegend=i == 0,
            text=["" if k < len(shown) - 1 else s for k, s in enumerate(shown)],  # the latest value labelled
            hovertext=shown,
            textposition="top left",
            cliponaxis=False,
            line={"width": 3, "color": p["accent"]},
            hovertemplate="%{x}: %{hovertext}<extra>" + label + "</extra>",
            **on,
        )
        path = list(pn.path)
        if path and not pn.met:
            steps = [literal(fmt_indicator(v, pn.info, lang)) for _, v in path]
            add_trace(
                fig,
                "scatter",
                x=[y for y, _ in path],
                y=[v * factor for _, v in path],
                mode="lines+markers",
                name=t("plans_path", lang),
                legendgroup="path",
                showlegend=i == 0,
                line={"dash": "dot", "width": 2, "color": p["warn"]},
                marker={"size": [0, *([7] * (len(path) - 1))], "color": p["warn"]},
                hovertext=steps,
                hovertemplate="%{x}: %{hovertext}<extra>" + t("plans_path", lang) + "</extra>",
                **on,
            )
        year, goal = path[-1] if path else (None, None)
        if year is not None and goal is not None:
            add_trace(
                fig,
                "scatter",
                x=[year],
                y=[goal * factor],
                mode="markers+text",
                name=literal(pn.goal_label),
                showlegend=False,
                marker={"symbol": "star", "size": 16, "color": p["warn"]},
                text=[literal(pn.goal_label)],
                textposition="top left",
                cliponaxis=False,
                hovertemplate="%{text}<extra></extra>",
                **on,
            )
        actual = dict(zip((int(y) for y in pn.series.index), pn.series.values, strict=True))
        steps_of = dict(path) if not pn.met else {}
        for y in sorted({*actual, *steps_of}):
            rows.append([pn.label, y, actual.get(y), steps_of.get(y)])
    fig["layout"]["meta"] = {  # its table in plain text: the names as they are
        "table": {
            "columns": [t(k, lang) for k in PATH_COLUMNS],
            "rows": [[r[0], r[1], jsonable(r[2]), jsonable(r[3])] for r in rows],
        }
    }
    return fig


@dataclass(frozen=True)
class PeerPanel:
    """One small multiple of `peer_bars`: the city against its peers for one indicator.

    `frame`: columns peer (name), peer_year, peer_value, city_year, city_value, gap (the short gap text under
    the peer's name, e.g. '低1.72个百分点').
    """

    title: str  # the indicator's name
    info: dict[str, Any]  # its indicators.csv row (unit)
    city: str  # the city's name
    frame: pd.DataFrame


def peer_bars(panels: Sequence[PeerPanel], lang: str, theme: str, cols: int = 2) -> Fig:
    """The city against each peer city, one panel per indicator: pairs of bars per peer (the city in the accent
    colour, the peer muted), each labelled with its value and year, the gap under the peer's name."""
    panels = [pn for pn in panels if not pn.frame.empty]
    if not panels:
        return empty_figure(t("no_data", lang), theme)
    p = palette(theme)
    axes = []
    for pn in panels:
        factor, unit = axis_unit(pn.info, lang)
        names = [str(n) for n in pn.frame["peer"]]
        x_axis = {
            "type": "category",
            "tickmode": "array",
            "tickvals": [literal(n) for n in names],
            "ticktext": [
                f"{literal(abbreviate(n, 12))}<br>{literal(g)}" for n, g in zip(names, pn.frame["gap"], strict=True)
            ],
        }
        y_axis: dict[str, Any] = {"title": {"text": literal(unit)}}
        if pn.info.get("unit_zh") == "位":
            y_axis["autorange"] = "reversed"
        else:  # room above the bars for their two-line labels
            values = [float(v) * factor for v in (*pn.frame["city_value"], *pn.frame["peer_value"])]
            y_axis["range"] = headroom(values, low=min(0.0, *values))
            y_axis["range"][1] += 0.12 * (y_axis["range"][1] - y_axis["range"][0])
        axes.append({"x": x_axis, "y": y_axis})
    fig = _small_multiples(theme, _grid(len(panels), cols, gap_y=0.3), [pn.title for pn in panels], axes)
    fig["layout"]["barmode"] = "group"
    fig["layout"]["legend"]["y"] = -0.3 / panel_rows(len(panels), cols)  # below the two-line peer names
    rows = []
    for i, pn in enumerate(panels):
        n = "" if i == 0 else str(i + 1)
        on = {"xaxis": f"x{n}", "yaxis": f"y{n}"}
        factor, _ = axis_unit(pn.info, lang)
        cats = [literal(str(c)) for c in pn.frame["peer"]]
        for who, colour, value, year in (
            (pn.city, p["accent"], "city_value", "city_year"),
            (t("plans_peer_cities", lang), p["muted"], "peer_value", "peer_year"),
        ):
            texts = [
                f"{literal(fmt_indicator(v, pn.info, lang))}<br>{t('plans_year', lang, year=y)}"
                for v, y in zip(pn.frame[value], pn.frame[year], strict=True)
            ]
            add_trace(
                fig,
                "bar",
                x=cats,
                y=pn.frame[value] * factor,
                name=literal(who),
                legendgroup=value,
                showlegend=i == 0,
                marker={"color": colour},
                text=texts,
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}: %{text}<extra>" + literal(who) + "</extra>",
                **on,
            )
        for r in pn.frame.itertuples(index=False):
            rows.append([pn.title, pn.city, int(r.city_year), float(r.city_value), str(r.gap)])
            rows.append([pn.title, str(r.peer), int(r.peer_year), float(r.peer_value), ""])
    columns = ("plans_col_indicator", "plans_col_city", "plans_col_year", "plans_col_value", "plans_col_gap")
    fig["layout"]["meta"] = {"table": {"columns": [t(k, lang) for k in columns], "rows": rows}}
    return fig


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


def panel(ds: Dataset, tr: Trajectory, districts: tuple[str, ...], lang: str) -> PathPanel:
    """The small multiple of one trajectory."""
    info = agg.indicator_info(ds, tr.indicator)
    label = name(info, lang)
    goal = target_label(ds, fmt_indicator(tr.target, info, lang), tr.year, -1, lang)
    return PathPanel(
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
    return plan_paths(panels, view.lang, view.theme, cols=COLS)


def peer_panels(ds: Dataset, lang: str) -> list[PeerPanel]:
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
        out.append(PeerPanel(title=name(info, lang), info=info, city=city, frame=frame))
    return out


def peers_figure(ds: Dataset, view: View) -> Fig:
    """The whole city against its peer cities, one small panel per indicator with peer values."""
    return peer_bars(peer_panels(ds, view.lang), view.lang, view.theme, cols=COLS)


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
    return PANEL_PX * panel_rows(count, COLS) + 90


def trajectory_height(ds: Dataset) -> int:
    """Tall enough for a row of panels per two plan targets (of the selection that has most)."""
    return _height(_most_trajectories(ds))


def peers_height(ds: Dataset) -> int:
    """Tall enough for a row of panels per two indicators with peer values."""
    return _height(len(by_indicator(plans.peer_gaps(ds))))


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "plans_trajectory_title": ("规划目标实现路径", "Paths to the plan targets"),
    "plans_peers_title": ("与对标城市比较", "Against peer cities"),
    "plans_city": ("全市", "City"),
    "plans_panel": ("{indicator}：{need}", "{indicator}: {need}"),
    "plans_need": ("需年均{change}", "needs {change} a year"),
    "plans_need_met": ("已达到目标", "target already met"),
    "plans_pp_up": ("提高{value}个百分点", "a rise of {value} points"),
    "plans_pp_down": ("降低{value}个百分点", "a fall of {value} points"),
    "plans_pct_up": ("增长{value}", "growth of {value}"),
    "plans_pct_down": ("下降{value}", "a fall of {value}"),
    "plans_rank_up": ("提升{value}位", "a climb of {value} in rank"),
    "plans_rank_down": ("下降{value}位", "a drop of {value} in rank"),
    "plans_goal_named": ("“{plan}”{indicator}{value}", "{plan} target of {value} for {indicator}"),
    "plans_goal_year": ("{year}年{indicator}{value}", "{year} target of {value} for {indicator}"),
    "plans_goal_in": ("{scope}{goal}", "{goal} in {scope}"),
    "plans_sum_need": ("实现{goal}的目标，需年均{change}", "reaching the {goal} needs {change} a year"),
    "plans_sum_pace": (
        "（近年年均{change}，按此{year}年约为{projected}，{verdict}）",
        " (lately {change} a year: about {projected} by {year}, {verdict})",
    ),
    "plans_on_pace": ("可以实现目标", "enough for the target"),
    "plans_short_low": ("低于目标", "short of the target"),
    "plans_short_high": ("高于目标", "still above the target"),
    "plans_sum_met": ("{year}年已达到{goal}的目标（{value}）", "the {goal} was met by {year} ({value})"),
    "plans_sum_peer_same": ("{year}年全市{indicator}{gap}", "in {year}, {indicator} was {gap}"),
    "plans_sum_peer_diff": (
        "全市{indicator}（{year}年）{gap}（{peer_year}年）",
        "{indicator} ({year}) was {gap} ({peer_year})",
    ),
    "plans_gap_low": ("比{peer}低{value}，为{peer}的{ratio}", "{value} below {peer} ({ratio} of it)"),
    "plans_gap_high": ("比{peer}高{value}，为{peer}的{ratio}", "{value} above {peer} ({ratio} of it)"),
    "plans_gap_level": ("与{peer}持平", "level with {peer}"),
    "plans_tick_ratio": ("全市为其{ratio}", "city: {ratio} of it"),
    "plans_tick_level": ("持平", "level"),
    "plans_sum_none": ("所选区县没有自己的规划目标。", "The selected districts have no plan target of their own."),
    "plans_no_district_plan": ("所选区县没有自己的规划目标", "The selected districts have no plan target of their own"),
}


@dataclass(frozen=True)
class Plans(Section):
    """Plans and peers: absent when there is neither a plan target ahead nor a peer value."""

    def empty_reason(self) -> str:
        """Why a dataset without either has no such section."""
        return "no plan target after the latest data and no peer values"


SECTION = Plans(
    strings=STRINGS,
    key="plans",
    sentence=sentence,
    rows=(
        (
            Graph(
                "trajectory",
                "plans_trajectory_title",
                trajectory_figure,
                width=6,
                needs=Needs(custom=_plan_needs),
                height=trajectory_height,
                key=by_districts,
            ),
            Graph(
                "peers",
                "plans_peers_title",
                peers_figure,
                width=6,
                needs=Needs(custom=_peer_needs),
                height=peers_height,
                key=peers_key,
            ),
        ),
    ),
)
