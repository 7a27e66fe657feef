"""Overview: the KPI strip, the district tile map (click to filter) and R&D intensity against plan and peers."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, html

from components import figures, ids
from components.i18n import name, t
from components.kpis import kpi_models, kpi_strip
from components.prep import district_names
from components.services import run_view, view_dependencies
from components.state import View
from components.summary import overview_sentence
from components.ui import graph, graph_card
from data import aggregate as agg
from data.load import Dataset

MAP_INDICATORS: tuple[str, ...] = (
    "patent_applications",
    "patent_grants",
    "invention_grants",
    "invention_share",
    "hightech_output",
    "hightech_share",
    "hightech_enterprises",
    "tech_enterprises",
)


def kpi_outputs(ds: Dataset, view: View) -> list[Any]:
    """The KPI strip and the overview's summary sentence for a view (pure)."""
    return [kpi_strip(kpi_models(ds, view.year, view.districts, view.lang)), overview_sentence(ds, view)]


def map_frame(ds: Dataset, indicator: str, year: int, lang: str) -> pd.DataFrame:
    """Tile positions with each district's value (None where it has none)."""
    values = agg.by_district(ds, indicator, year).set_index("district")["value"]
    frame = ds.districts[["code", "tile_row", "tile_col"]].rename(columns={"code": "district"})
    return frame.assign(value=frame["district"].map(values), name=frame["district"].map(district_names(ds, lang)))


def overview_outputs(ds: Dataset, view: View, indicator: str) -> list[Any]:
    """Tile map coloured by `indicator`, and the R&D chart (pure)."""
    lang, theme = view.lang, view.theme
    info = agg.indicator_info(ds, indicator)
    tiles = figures.tile_map(
        map_frame(ds, indicator, view.year, lang), view.districts, str(info["unit_zh"]), name(info, lang), lang, theme
    )
    rd_info = agg.indicator_info(ds, "rd_intensity")
    if agg.is_city(ds, view.districts):
        peers = ds.peers[ds.peers["indicator"] == "rd_intensity"]
        peers = pd.DataFrame(
            {
                "name": [name({"name_zh": r.city_zh, "name_en": r.city_en}, lang) for r in peers.itertuples()],
                "year": peers["year"],
                "value": peers["value"],
            }
        )
        rd = figures.plan_and_peers(
            agg.series(ds, "rd_intensity"),
            name(rd_info, lang),
            "%",
            agg.target(ds, "rd_intensity", view.year),
            peers,
            lang,
            theme,
        )
    else:
        rd = figures.empty_figure(t("city_only_chart", lang), theme)
    return [tiles, rd]


def map_options(ds: Dataset, lang: str) -> list[dict[str, str]]:
    """Indicators offered for colouring the tile map."""
    known = set(ds.indicators["indicator"])
    return [{"label": name(agg.indicator_info(ds, i), lang), "value": i} for i in MAP_INDICATORS if i in known]


def layout(ds: Dataset, lang: str) -> html.Div:
    """KPI strip and the overview row."""
    options = map_options(ds, lang)
    return html.Div(
        [
            html.Div(dbc.Row(id=ids.KPI_STRIP, className="kpi-strip g-3"), **{"aria-live": "polite"}),
            html.P(id=ids.OVERVIEW_SUMMARY, className="overview-summary"),
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Card(
                            [
                                dbc.CardHeader(
                                    dbc.Row(
                                        [
                                            dbc.Col(html.H3(t("map_title", lang), className="h6 m-0")),
                                            dbc.Col(
                                                [
                                                    dbc.Label(
                                                        t("map_indicator", lang),
                                                        html_for=ids.MAP_INDICATOR,
                                                        className="visually-hidden",
                                                    ),
                                                    dbc.Select(
                                                        id=ids.MAP_INDICATOR,
                                                        options=options,
                                                        value=options[0]["value"] if options else None,
                                                        size="sm",
                                                    ),
                                                ],
                                                width="auto",
                                            ),
                                        ],
                                        align="center",
                                        className="g-2",
                                    ),
                                    className="graph-title",
                                ),
                                dbc.CardBody(graph(ids.MAP_GRAPH, lang, height=340, modebar=False), className="p-2"),
                            ],
                            className="graph-card h-100",
                        ),
                        lg=5,
                        className="mb-3",
                    ),
                    dbc.Col(
                        graph_card(ids.RD_GRAPH, t("rd_title", lang), height=340, lang=lang), lg=7, className="mb-3"
                    ),
                ],
                className="mt-1",
            ),
        ],
        id="section-overview",
    )


def update_kpis(year: object, districts: object, config: object) -> list[Any]:
    """KPI strip follows the filters."""
    return run_view("kpis", kpi_outputs, year, districts, config)


def update_overview(year: object, districts: object, indicator: object, config: object) -> list[Any]:
    """Tile map and R&D chart follow the filters and the map indicator."""
    chosen = indicator if isinstance(indicator, str) and indicator in MAP_INDICATORS else MAP_INDICATORS[0]
    return run_view("overview", overview_outputs, year, districts, config, chosen)


def register(app: Dash) -> None:
    """Attach this module's callbacks to `app`."""
    app.callback(
        Output(ids.KPI_STRIP, "children"),
        Output(ids.OVERVIEW_SUMMARY, "children"),
        *view_dependencies(),
    )(update_kpis)
    app.callback(
        Output(ids.MAP_GRAPH, "figure"),
        Output(ids.RD_GRAPH, "figure"),
        Input(ids.FILTER_YEAR, "value"),
        Input(ids.FILTER_DISTRICTS, "value"),
        Input(ids.MAP_INDICATOR, "value"),
        State(ids.CONFIG, "data"),
    )(update_overview)
