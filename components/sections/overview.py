"""总览 Overview: KPI strip, summary sentence, district tile map, R&D intensity against plan target and peers."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.charts import figures
from components.charts.figures import Fig
from components.charts.kpis import kpi_models, kpi_strip, note_indicators
from components.charts.prep import annotated, district_names
from components.charts.summary import indicator_sentence, joined, target_label
from components.core import ids
from components.core.i18n import fmt_value, name, t
from components.core.state import View
from components.sections import hightech, patents, scorecard
from components.sections import plans as plan_sections
from components.sections.base import Block, Graph, Needs, Section
from data import aggregate as agg
from data import plans
from data.events import concerning, event_ids
from data.load import Dataset

RD = "rd_intensity"
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


def map_frame(ds: Dataset, indicator: str, year: int, lang: str) -> pd.DataFrame:
    """Tile positions with each district's value (None where it has none)."""
    values = agg.by_district(ds, indicator, year).set_index("district")["value"]
    frame = ds.districts[["code", "tile_row", "tile_col"]].rename(columns={"code": "district"})
    return frame.assign(value=frame["district"].map(values), name=frame["district"].map(district_names(ds, lang)))


def map_figure(ds: Dataset, view: View) -> Fig:
    """The tile map coloured by the chosen indicator."""
    indicator = map_choice(ds, view)
    info = agg.indicator_info(ds, str(indicator))
    big = view.theme.startswith("projector")
    return figures.tile_map(
        map_frame(ds, str(indicator), view.year, view.lang),
        view.districts,
        info,
        view.lang,
        view.theme,
        canvas=(750, 600) if big else (500, 320),
    )


def map_key(ds: Dataset, view: View) -> tuple[Any, ...]:
    """The map's data: the year and the indicator (the selection is only an outline)."""
    return (view.year, map_choice(ds, view))


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
            dbc.Label(t("map_indicator", view.lang), html_for=ids.MAP_INDICATOR, className="visually-hidden"),
            dbc.Select(id=ids.MAP_INDICATOR, options=options, value=map_choice(ds, view), size="sm"),
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
    fig = figures.plan_and_peers(series, name(info, lang), unit, goal, label, peers, lang, theme)
    if path is not None and not path.met:
        fig = figures.with_plan_path(fig, label, path.path, unit, plan_sections.need_text(path, lang), lang)
    return annotated(fig, ds, view, (RD,), general=True)


def kpi_block(ds: Dataset, view: View) -> list[Any]:
    """The KPI strip for the view."""
    return kpi_strip(kpi_models(ds, view.year, view.districts, view.lang))


def sentence(ds: Dataset, view: View) -> str:
    """The overview's sentence: patents and high-tech where the dataset has them, else the first KPI; then the
    districts that missed an assessment target ('北仑区授权发明专利完成率低于90%')."""
    parts = [s.sentence(ds, view) for s in (patents.SECTION, hightech.SECTION) if s.present(ds)]
    if not parts:
        first = next((k.indicator for k in kpi_models(ds, view.year, view.districts, view.lang)), None)
        if first is not None and agg.available(ds, first):
            parts = [indicator_sentence(ds, view, first)]
    return joined([*parts, scorecard.risk_sentence(ds, view)], view.lang)


def _map_needs(ds: Dataset) -> list[str]:
    return [] if map_indicators(ds) else ["an indicator with values per district"]


SECTION = Section(
    key="overview",
    pinned=True,
    title_key="overview",
    sentence=sentence,
    blocks=(
        Block(ids.KPI_STRIP, kpi_block, class_name="kpi-strip", live=True),
        Block(ids.OVERVIEW_SUMMARY, sentence, class_name="overview-summary", kind="p"),
    ),
    rows=(
        (
            Graph(
                ids.MAP_GRAPH,
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
                ids.RD_GRAPH,
                rd_title,
                rd_figure,
                width=7,
                needs=Needs(indicators=(RD,)),
                height=340,
                key=rd_key,
            ),
        ),
    ),
    controls=((ids.MAP_INDICATOR, "value", "map"),),
    kpis_on_slide=True,
    uses_extra=lambda ds: note_indicators(ds),
)
