"""A KPI card's detail: what a tap on a card opens (the phone layout, where a card shows only its value, unit,
同比 and status icon): the whole card (target, completion, 序时进度, note, status in words), its 口径 and source,
and the indicator over the years and by district for the view. The same figures as the 其他指标 section's."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html, no_update

from components.charts.kpis import Kpi, kpi_card, view_kpis
from components.core import ids
from components.core.i18n import t
from components.core.state import View
from components.core.ui import attrs, graph_config
from components.page.callbacks import view_of, view_states
from components.sections.other import district_figure, trend_figure
from components.server.services import services
from data import aggregate as agg
from data.load import Dataset

CHART_HEIGHT = 280  # px: a phone's chart, under the card in the detail


def layout(lang: str) -> list[Any]:
    """The store a tap writes and the (closed) dialog it opens."""
    return [
        dcc.Store(id=ids.KPI_DETAIL),
        dbc.Modal(
            [
                dbc.ModalHeader(dbc.ModalTitle(id=ids.KPI_MODAL_TITLE), close_button=True),
                dbc.ModalBody(id=ids.KPI_MODAL_BODY),
            ],
            id=ids.KPI_MODAL,
            is_open=False,
            fullscreen="sm-down",
            size="lg",
            className="kpi-modal",
        ),
    ]


def _chart(title: str, key: str, figure: Any, lang: str) -> html.Section:
    return html.Section(
        [
            html.H3(title, className="kpi-detail-heading"),
            dcc.Graph(
                id=f"kpi-detail-{key}",
                figure=figure,
                config=graph_config({"displayModeBar": False, "responsive": True}, lang),
                style={"height": f"{CHART_HEIGHT}px"},
            ),
        ],
        className="kpi-detail-chart",
    )


def detail(ds: Dataset, view: View, indicator: str) -> tuple[str, list[Any]] | None:
    """The dialog's title and body for one card of the view's strip; None when the view has no such card."""
    card: Kpi | None = next((k for k in view_kpis(ds, view) if k.indicator == indicator), None)
    if card is None:
        return None
    lang = view.lang
    body: list[Any] = [html.Div(kpi_card(card), className="kpi-detail")]
    if card.info:
        body.append(html.Ul([html.Li(line) for line in card.info], className="kpi-detail-info"))
    if indicator in set(ds.indicators["indicator"]):
        body.append(_chart(t("kpi_detail_trend", lang), "trend", trend_figure(indicator)(ds, view), lang))
        if agg.by_district_available(ds, indicator):
            figure = district_figure(indicator)(ds, view)
            body.append(_chart(t("kpi_detail_districts", lang), "districts", figure, lang))
    return card.label, body


def open_detail(
    asked: object, year: object, districts: object, period: object, basis: object, config: object
) -> list[Any]:
    """The callback: open the dialog on the card asked for (`{"indicator": …}` from assets/app.js)."""
    indicator = asked.get("indicator") if isinstance(asked, dict) else None
    if not isinstance(indicator, str):
        return [no_update, no_update, no_update]
    ds = services().dataset()
    view = view_of(ds, year, districts, config, (), period, basis)
    found = detail(ds, view, indicator)
    if found is None:
        return [False, no_update, no_update]
    title, body = found
    # The dialog's body scrolls on a phone: focusable, so a keyboard can scroll it too (axe: scrollable region).
    return [True, title, html.Div(body, tabIndex="0", role="region", **attrs({"aria-label": title}))]


def register(app: Dash) -> None:
    """Attach the detail's callback."""
    app.callback(
        Output(ids.KPI_MODAL, "is_open"),
        Output(ids.KPI_MODAL_TITLE, "children"),
        Output(ids.KPI_MODAL_BODY, "children"),
        Input(ids.KPI_DETAIL, "data"),
        *view_states(),
        prevent_initial_call=True,
    )(open_detail)
