"""Small shared layout pieces: graph cards, section frames, headline numbers."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids
from components.i18n import plotly_config

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


def title_parts(title: str, key: str) -> list[Any]:
    """A title whose '{year}' placeholder becomes a span that follows the year filter."""
    if "{year}" not in title:
        return [title]
    before, after = title.split("{year}", 1)
    return [before, html.Span(id={"type": ids.TITLE_YEAR, "index": key}, className="title-year"), after]


def graph(
    component_id: str | dict[str, str], name: str, lang: str, height: int = 320, modebar: bool = True
) -> dcc.Graph:
    """A graph with our config (`name`: the chart's stable ID, used for PNG file names), empty until filled."""
    config = {**GRAPH_CONFIG, **plotly_config(lang)}
    config["toImageButtonOptions"] = {**GRAPH_CONFIG["toImageButtonOptions"], "filename": name}
    if not modebar:
        config["displayModeBar"] = False
    return dcc.Graph(id=component_id, config=config, style={"height": f"{height}px"})


def graph_card(
    section: str,
    name: str,
    title: str,
    lang: str,
    height: int = 320,
    control: Any = None,
    modebar: bool = True,
    **attrs: str,
) -> dbc.Card:
    """A titled card holding one chart; the element around the graph carries the chart's stable ID `name`."""
    heading = html.H3(title_parts(title, name), className="h6 m-0")
    header = (
        dbc.Row([dbc.Col(heading), dbc.Col(control, width="auto")], align="center", className="g-2")
        if control is not None
        else heading
    )
    body = dcc.Loading(graph(ids.graph_id(section, name), name, lang, height, modebar), type="dot", delay_show=400)
    return dbc.Card(
        [
            dbc.CardHeader(header, className="graph-title"),
            dbc.CardBody(html.Div(body, id=name, className="graph-holder", **attrs), className="p-2"),
        ],
        className="graph-card h-100",
    )


def section_frame(section_id: str, title: str, children: list[Any]) -> html.Section:
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
