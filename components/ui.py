"""Small shared layout pieces: graph cards, section frames, headline numbers."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.i18n import plotly_config, t

GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "showSendToCloud": False,  # no "Share chart" upload to Plotly's cloud: nothing leaves the intranet
    "showEditInChartStudio": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    # PNG download of any chart at presentation resolution (rendered in the browser, no server needed)
    "toImageButtonOptions": {"format": "png", "width": 960, "height": 540, "scale": 2},
}


def raw(v: float | None) -> str:
    """A number for a data-* attribute: full precision, '' when there is none."""
    return "" if v is None else repr(float(v))


YEAR_SPAN = "title-year"


def title_parts(title: str, key: str) -> list[Any]:
    """A title whose '{year}' placeholder becomes a span that follows the year filter."""
    if "{year}" not in title:
        return [title]
    before, after = title.split("{year}", 1)
    return [before, html.Span(id={"type": YEAR_SPAN, "index": key}, className="title-year"), after]


def graph(graph_id: str, lang: str, height: int = 320, modebar: bool = True) -> dcc.Graph:
    """A graph with our config, empty until its callback fills it."""
    config = {**GRAPH_CONFIG, **plotly_config(lang)}
    config["toImageButtonOptions"] = {**GRAPH_CONFIG["toImageButtonOptions"], "filename": graph_id}
    if not modebar:
        config["displayModeBar"] = False
    return dcc.Graph(id=graph_id, config=config, style={"height": f"{height}px"})


def graph_card(graph_id: str, title: str, height: int = 320, lang: str = "zh") -> dbc.Card:
    """A titled card holding one graph."""
    return dbc.Card(
        [
            dbc.CardHeader(html.H3(title_parts(title, graph_id), className="h6 m-0"), className="graph-title"),
            dbc.CardBody(dcc.Loading(graph(graph_id, lang, height), type="dot", delay_show=400), className="p-2"),
        ],
        className="graph-card h-100",
    )


def section(section_id: str, title: str, children: list[Any]) -> html.Section:
    """A dashboard section with an anchor and heading."""
    return html.Section(
        [html.H2(title, className="section-title"), *children],
        id=section_id,
        className="dash-section",
        **{"aria-label": title},
    )


def headline(
    indicator: str, label: str, value: float | None, value_text: str, change: float | None, change_text: str
) -> html.Div:
    """A small headline number carrying data-indicator / data-value / data-yoy."""
    return html.Div(
        [
            html.Div(label, className="headline-label"),
            html.Div(value_text, className="headline-value"),
            html.Div(change_text, className="headline-change"),
        ],
        className="headline",
        **{"data-indicator": indicator, "data-value": raw(value), "data-yoy": raw(change)},
    )


def graph_grid(lang: str, cards: list[tuple[str, str, int]]) -> dbc.Row:
    """Graph cards in a responsive row: (graph id, title key in the catalogue, width of 12 on large screens)."""
    return dbc.Row(
        [
            dbc.Col(graph_card(gid, t(key, lang, year="{year}"), lang=lang), lg=lg, className="mb-3")
            for gid, key, lg in cards
        ]
    )
