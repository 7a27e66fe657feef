"""总览 Overview: KPI strip, summary sentence, district tile map, R&D intensity against plan target and peers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.charts import figures
from components.charts.figures import (
    Fig,
    add_trace,
    empty_figure,
    headroom,
    literal,
    new_figure,
    outline,
    text_width,
    years_axis,
)
from components.charts.kpis import kpi_ids, kpi_strip, note_indicators, period_of, view_kpis
from components.charts.prep import annotated, district_frame, district_names
from components.charts.summary import indicator_sentence, joined, scope, target_label, trend
from components.charts.theme import base_layout, palette
from components.core.i18n import axis_unit, fmt_indicator, fmt_value, name, t, unit_for_axis
from components.core.state import View
from components.sections import hightech, patents, scorecard
from components.sections import plans as plan_sections
from components.sections.base import Block, Graph, Needs, Section, by_year
from data import aggregate as agg
from data import plans
from data.events import concerning, event_ids
from data.load import Dataset
from data.period_reading import has_period_data, period_reading
from data.periods import ViewPeriod, view_label

# --- figures (pure: frames in, plotly figures out) --------------------------------------------------


def tile_labels(names: Sequence[str], tile_px: float, base: int = 12) -> tuple[int, list[str]]:
    """A font size and a label per tile that fit inside a tile of `tile_px` (two lines: name and value).

    Shrinks the type down to 9 px first, then abbreviates the names that still do not fit.
    """
    room = tile_px * 0.86
    size = base
    while size > 9 and any(text_width(n, size) > room for n in names):
        size -= 1
    size = int(min(size, max(9, tile_px / 3.2)))
    out = []
    for n in names:
        label = n
        while text_width(label, size) > room and len(label) > 2:
            label = label[:-2] + "…" if label.endswith("…") else label[:-1] + "…"
        out.append(label)
    return size, out


def tile_map(
    frame: pd.DataFrame,
    selected: Sequence[str],
    info: dict[str, Any],
    lang: str,
    theme: str,
    canvas: tuple[int, int] = (500, 320),
) -> Fig:
    """Schematic district tile map coloured by an indicator (no geo data, works offline).

    A heatmap on the tile grid: cells scale with the chart, carry the district code (customdata) for
    cross-filtering, and selected districts get an outline. Labels are sized (and long names abbreviated)
    to fit a tile of a chart about `canvas` px large; hover gives the full name. `frame`: district, name,
    tile_row, tile_col, value (None = no data); `info`: the indicator's indicators.csv row.
    """
    if frame.empty or frame["value"].isna().all():  # e.g. an annual indicator in a view of this year's months
        return empty_figure(t("no_data" if frame.empty else "no_data_selection", lang), theme)
    p = palette(theme)
    chosen = set(selected)
    rows, cols = int(frame["tile_row"].max()) + 1, int(frame["tile_col"].max()) + 1
    factor, _ = axis_unit(info, lang)
    label = literal(info["name_en"] if lang == "en" else info["name_zh"])
    tile_px = min((canvas[0] - 16) / cols, (canvas[1] - 16) / rows)
    size, short = tile_labels([str(n) for n in frame["name"]], tile_px)
    z: list[list[float | None]] = [[None] * cols for _ in range(rows)]
    codes: list[list[str | None]] = [[None] * cols for _ in range(rows)]
    text: list[list[str]] = [[""] * cols for _ in range(rows)]
    hover: list[list[str]] = [[""] * cols for _ in range(rows)]
    outlines = []
    for r, shown in zip(frame.itertuples(index=False), short, strict=True):
        v = None if pd.isna(r.value) else float(r.value)
        z[r.tile_row][r.tile_col] = None if v is None else v * factor
        codes[r.tile_row][r.tile_col] = r.district
        value_text = literal(fmt_indicator(v, info, lang))
        text[r.tile_row][r.tile_col] = f"{literal(shown)}<br>{value_text}"
        hover[r.tile_row][r.tile_col] = f"{literal(r.name)}<br>{value_text}"
        if r.district in chosen:
            outlines.append(outline(r.tile_row, r.tile_col, theme))
    hidden = {"visible": False, "fixedrange": True}
    fig = new_figure(
        base_layout(
            theme,
            showlegend=False,
            clickmode="event",
            shapes=outlines,
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
            xaxis={**hidden, "range": [-0.5, cols - 0.5]},
            yaxis={**hidden, "range": [rows - 0.5, -0.5], "scaleanchor": "x"},
        )
    )
    add_trace(
        fig,
        "heatmap",
        z=z,
        customdata=codes,
        text=text,
        hovertext=hover,
        texttemplate="%{text}",
        textfont={"size": size},
        xgap=3,
        ygap=3,
        colorscale=p["scale"],
        hoverongaps=False,
        hovertemplate="%{hovertext}<extra>" + label + "</extra>",
        showscale=False,  # every tile shows its value and unit; a colour bar would cost a third of each redraw
    )
    return fig


def plan_and_peers(
    series: pd.Series,
    label: str,
    unit_zh: str,
    goal: tuple[float, int] | None,
    goal_label: str,
    peers: pd.DataFrame,
    lang: str,
    theme: str,
) -> Fig:
    """An indicator over the years against its (plan) target, drawn as a path to a star in the target year,
    labelled `goal_label`, and against peer cities. `peers`: columns name, year, value.
    """
    if series.empty:
        return empty_figure(t("no_data_selection", lang), theme)
    p = palette(theme)
    factor, unit = unit_for_axis(unit_zh, lang)
    years = sorted({*series.index, *(peers["year"] if len(peers) else []), *([goal[1]] if goal else [])})
    shown = [float(v) * factor for v in (*series.values, *(peers["value"] if len(peers) else []))]
    refs = [goal[0] * factor] if goal else []
    fig = new_figure(
        base_layout(  # room above the highest point for its label (one year's point included)
            theme,
            xaxis=years_axis(years),
            yaxis={"title": {"text": literal(unit)}, "range": headroom(shown, refs, min(0.0, *shown))},
        )
    )
    add_trace(
        fig,
        "scatter",
        x=list(series.index),
        y=series.values * factor,
        mode="lines+markers+text",
        cliponaxis=False,
        name=literal(label),
        text=[literal(fmt_value(v, unit_zh, lang)) for v in series.values],
        textposition="top center",
        line={"width": 3, "color": p["accent"]},
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    if goal is not None:
        add_trace(
            fig,
            "scatter",
            x=[series.index[-1], goal[1]],
            y=[series.iloc[-1] * factor, goal[0] * factor],
            mode="lines+markers",
            name=literal(goal_label),
            line={"dash": "dot", "color": p["warn"]},
            marker={"symbol": "star", "size": [1, 14]},
            hovertemplate=literal(goal_label) + "<extra></extra>",
        )
    for i, (peer, part) in enumerate(peers.groupby("name", sort=True)):
        add_trace(
            fig,
            "scatter",
            x=part["year"],
            y=part["value"] * factor,
            mode="markers+text",
            name=literal(peer),
            marker={"symbol": "diamond", "size": 12, "color": p["colorway"][(i + 3) % 7]},
            text=[literal(f"{peer} {fmt_value(v, unit_zh, lang)}") for v in part["value"]],
            textposition="middle right",
            hovertemplate="%{text} (%{x})<extra></extra>",
        )
    return fig


def with_plan_path(
    fig: Fig, goal_label: str, path: Sequence[tuple[int, float]], unit_zh: str, need: str, lang: str
) -> Fig:
    """A `plan_and_peers` figure whose target line runs through the yearly `path` (a marker every year, the
    star at the end) and names the required change `need` in its legend entry and hover (a new figure)."""
    name = literal(goal_label)
    if not path:
        return fig
    factor, _ = unit_for_axis(unit_zh, lang)
    data = []
    for trace in fig["data"]:
        if trace.get("name") == name and trace.get("type") == "scatter":
            trace = {
                **trace,
                "x": [y for y, _ in path],
                "y": [v * factor for _, v in path],
                "name": f"{name} · {literal(need)}",
                "marker": {**(trace.get("marker") or {}), "size": [1, *([7] * (len(path) - 2)), 14],
                           "symbol": ["circle"] * (len(path) - 1) + ["star"]},
                "hovertext": [literal(fmt_value(v, unit_zh, lang)) for _, v in path],
                "hovertemplate": "%{x}: %{hovertext}<extra>" + literal(need) + "</extra>",
            }  # fmt: skip
        data.append(trace)
    axis = dict(fig["layout"].get("xaxis") or {})
    if "tickvals" in axis:  # a tick for every year of the path
        years = sorted({*axis["tickvals"], *(y for y, _ in path)})
        axis |= {"tickvals": years, "ticktext": [str(y) for y in years]}
    return {**fig, "data": data, "layout": {**fig["layout"], "xaxis": axis}}


RD = "rd_intensity"
MAP_PICKER = "overview-map-indicator"  # the map's indicator picker (a control of the section's callback)
# Offered first in the map picker, in this order; every other indicator with values per district follows.
MAP_FIRST: tuple[str, ...] = (
    "patent_applications",
    "patent_grants",
    "invention_grants",
    "invention_share",
    "hightech_output",
    "hightech_share",
    "hightech_enterprises",
    "tech_enterprises",
)


def map_indicators(ds: Dataset) -> list[str]:
    """Indicators the tile map can be coloured by: values per district, the usual ones first."""
    rest = [i for i in agg.indicators_with_data(ds) if i not in MAP_FIRST]
    return [i for i in (*MAP_FIRST, *rest) if agg.by_district_available(ds, i)]


def map_choice(ds: Dataset, view: View) -> str | None:
    """The map indicator asked for (view.extras 'map'), or the first one offered."""
    offered = map_indicators(ds)
    asked = dict(view.extras).get("map")
    return asked if asked in offered else (offered[0] if offered else None)


def map_frame(ds: Dataset, indicator: str, year: int, lang: str, view: View | None = None) -> pd.DataFrame:
    """Tile positions with each district's value (None where it has none): the year's, or with a period
    `view` its months'."""
    values = district_frame(ds, year, {"value": indicator}, lang, view).set_index("district")["value"]
    frame = ds.districts[["code", "tile_row", "tile_col"]].rename(columns={"code": "district"})
    return frame.assign(value=frame["district"].map(values), name=frame["district"].map(district_names(ds, lang)))


def map_figure(ds: Dataset, view: View) -> Fig:
    """The tile map coloured by the chosen indicator."""
    indicator = map_choice(ds, view)
    info = agg.indicator_info(ds, str(indicator))
    big = view.theme.startswith("projector")
    return tile_map(
        map_frame(ds, str(indicator), view.year, view.lang, view),
        view.districts,
        info,
        view.lang,
        view.theme,
        canvas=(750, 600) if big else (500, 320),
    )


def map_key(ds: Dataset, view: View) -> tuple[Any, ...]:
    """The map's data: the year (or its period) and the indicator (the selection is only an outline)."""
    return (*by_year(ds, view), map_choice(ds, view))


def rd_goal(ds: Dataset, view: View) -> tuple[plans.Trajectory | None, tuple[float, int] | None]:
    """The R&D chart's target: the plan trajectory's (the plans section's, so the two agree), else the view's."""
    path = plans.trajectory(ds, RD, view.districts)
    return path, (path.target, path.year) if path else agg.target(ds, RD, view.year, view.districts)


def rd_key(ds: Dataset, view: View) -> tuple[Any, ...]:
    """The R&D chart's data: whole city or not, the target it aims at, and the events it shows."""
    shown = event_ids(concerning(ds, (RD,), view.districts, general=True))
    return (agg.is_city(ds, view.districts), rd_goal(ds, view)[1], shown)


def map_control(ds: Dataset, view: View) -> Any:
    """The indicator picker in the map card's header."""
    options = [{"label": name(agg.indicator_info(ds, i), view.lang), "value": i} for i in map_indicators(ds)]
    return html.Div(
        [
            dbc.Label(t("map_indicator", view.lang), html_for=MAP_PICKER, className="visually-hidden"),
            dbc.Select(id=MAP_PICKER, options=options, value=map_choice(ds, view), size="sm"),
        ],
        className="graph-control",
    )


def map_slide_title(ds: Dataset, lang: str) -> str:
    """'{year}年各区县专利申请量': the map on slides shows the first indicator offered."""
    indicator = name(agg.indicator_info(ds, map_indicators(ds)[0]), lang)
    return t("export_map_title", lang, indicator=indicator, year="{year}")


def _rd_parts(ds: Dataset) -> tuple[bool, bool]:
    """Whether R&D intensity has a plan target and peer values."""
    has_goal = bool(ds.index and ds.index.targets.get(RD))
    has_peers = bool(len(ds.peers) and (ds.peers["indicator"] == RD).any())
    return has_goal, has_peers


def rd_title(ds: Dataset, lang: str) -> str:
    """'R&D投入强度与规划目标、对标城市', naming only what the chart shows."""
    goal, peers = _rd_parts(ds)
    key = "rd_title" + ("_goal" if goal else "") + ("_peers" if peers else "")
    return t(key, lang, indicator=name(agg.indicator_info(ds, RD), lang))


def rd_figure(ds: Dataset, view: View) -> Fig:
    """R&D intensity over the years against its (plan) target and the peer cities (whole city only)."""
    lang, theme = view.lang, view.theme
    info = agg.indicator_info(ds, RD)
    if not agg.is_city(ds, view.districts) and info["agg"] == "city":
        return figures.empty_figure(t("city_only_chart", lang, indicator=name(info, lang)), theme)
    unit = str(info["unit_zh"] or "")
    rows = ds.peers[ds.peers["indicator"] == RD]
    peers = pd.DataFrame(
        {
            "name": [name({"name_zh": r.city_zh, "name_en": r.city_en}, lang) for r in rows.itertuples()],
            "year": rows["year"],
            "value": rows["value"],
        }
    )
    path, goal = rd_goal(ds, view)
    label = target_label(ds, fmt_value(goal[0], unit, lang), goal[1], -1, lang) if goal else ""
    series = agg.series(ds, RD, view.districts)
    fig = plan_and_peers(series, name(info, lang), unit, goal, label, peers, lang, theme)
    if path is not None and not path.met:
        fig = with_plan_path(fig, label, path.path, unit, plan_sections.need_text(path, lang), lang)
    return annotated(fig, ds, view, (RD,), general=True)


def kpi_block(ds: Dataset, view: View) -> list[Any]:
    """The KPI strip for the view."""
    return kpi_strip(view_kpis(ds, view))


def period_sentence(ds: Dataset, view: View, when: ViewPeriod) -> str:
    """A period view's sentence, from the first three cards with data for the period itself:
    '2012年1–11月全市专利申请量2,871件，同比增长1.56%。…' (the same numbers as the cards)."""
    lang = view.lang
    basis = view.on_basis
    parts = []
    for indicator in [k for k in kpi_ids(ds) if has_period_data(ds, k)]:
        r = period_reading(ds, indicator, when, basis, view.districts)
        if r.value is None or not r.own:
            continue
        info = agg.indicator_info(ds, indicator)
        parts.append(
            t(
                "sum_period_indicator",
                lang,
                period=r.label(lang),
                scope=scope(ds, view),
                indicator=name(info, lang),
                value=fmt_indicator(r.value, info, lang),
                trend=trend(r.change, r.change_kind, lang, same_months=True),
            )
        )
        if len(parts) == 3:
            break
    if not parts:
        return t("sum_period_none", lang, period=view_label(when, basis, lang), scope=scope(ds, view))
    return joined(parts, lang)


def sentence(ds: Dataset, view: View) -> str:
    """The overview's sentence: patents and high-tech where the dataset has them, else the first KPI; then the
    districts that missed an assessment target ('北仑区授权发明专利完成率低于90%'). A period view speaks of
    the period's numbers."""
    when = period_of(ds, view)
    if when is not None:
        return period_sentence(ds, view, when)
    parts = [s.sentence(ds, view) for s in (patents.SECTION, hightech.SECTION) if s.present(ds)]
    if not parts:
        first = next((k.indicator for k in view_kpis(ds, view)), None)
        if first is not None and agg.available(ds, first):
            parts = [indicator_sentence(ds, view, first)]
    return joined([*parts, scorecard.risk_sentence(ds, view)], view.lang)


def _map_needs(ds: Dataset) -> list[str]:
    return [] if map_indicators(ds) else ["an indicator with values per district"]


STRINGS: dict[str, tuple[str, str]] = {  # this section's own strings (zh, en): the catalogue gets them
    "overview": ("总览", "Overview"),
    "map_title": ("区县分布（点击区县可筛选）", "Districts (click a tile to filter)"),
    "map_indicator": ("地图指标", "Map indicator"),
    "rd_title": ("{indicator}", "{indicator}"),
    "export_map_title": ("{year}年各区县{indicator}", "{indicator} by district, {year}"),
}


@dataclass(frozen=True)
class Overview(Section):
    """The overview: its KPI cards' notes show indicators beside the charts'."""

    def extra_uses(self, ds: Dataset) -> set[str]:
        """The indicators the KPI cards' notes speak of."""
        return note_indicators(ds)


SECTION = Overview(
    strings=STRINGS,
    key="overview",
    pinned=True,
    sentence=sentence,
    blocks=(
        Block("kpis", kpi_block, class_name="kpi-strip", live=True, id="kpi-strip"),
        Block("summary", sentence, class_name="overview-summary", kind="p"),
    ),
    rows=(
        (
            Graph(
                "map",
                "map_title",
                map_figure,
                width=5,
                needs=Needs(custom=_map_needs),
                height=340,
                control=map_control,
                modebar=False,
                key=map_key,
                highlight=True,
                slide_title=map_slide_title,
            ),
            Graph(
                "rd",
                rd_title,
                rd_figure,
                width=7,
                needs=Needs(indicators=(RD,)),
                height=340,
                key=rd_key,
            ),
        ),
    ),
    controls=((MAP_PICKER, "value", "map"),),
    kpis_on_slide=True,
)
