"""Global filters (year, districts, 全市 reset) kept in step with the URL and with chart clicks."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from components import ids
from components.i18n import t
from components.prep import district_names
from components.services import services
from components.state import View, districts_with_data, from_query, resolve, to_query, toggle, years_with_data
from components.summary import caption
from data.load import Dataset

MAX_NOTICES = 5


def year_options(ds: Dataset, districts: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    """Every year of the dataset; years without data for the selection are offered but disabled."""
    have = set(years_with_data(ds, districts))
    fmt = "{y}年" if lang == "zh" else "{y}"
    return [{"label": fmt.format(y=y), "value": y, "disabled": y not in have} for y in reversed(ds.years)]


def district_options(ds: Dataset, year: int, districts: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    """Every district; those without data in `year` are disabled unless already selected."""
    have = set(districts_with_data(ds, year)) | set(districts)
    names = district_names(ds, lang)
    return [{"label": names[c], "value": c, "disabled": c not in have} for c in ds.district_codes]


def dropdown_labels(lang: str) -> dict[str, str]:
    """Dash 4 Dropdown's own texts ('{num_selected} selected', 'Select All', ...) in the page language."""
    keys = (
        "select_all",
        "deselect_all",
        "selected_count",
        "search",
        "clear_search",
        "clear_selection",
        "no_options_found",
    )
    return {k: t(f"dropdown_{k}", lang) for k in keys}


def notices(view: View) -> list[Any]:
    """Visible notices for anything in the request that had to be changed or ignored."""
    items = [t(key, view.lang, **params) for key, params in view.notices[:MAX_NOTICES]]
    if not items:
        return []
    return [
        dbc.Alert(
            [html.Div(i) for i in items],
            color="warning",
            dismissable=True,
            className="py-2 mb-2",
            id={"type": "notice", "index": 0},
        )
    ]


def next_view(
    ds: Dataset, trigger: object, search: str, year: object, districts: object, click: object, lang: str, theme: str
) -> tuple[View, bool]:
    """The view after an event, and whether the URL must be written (pure).

    `trigger`: ids.URL (load, back/forward) -> view from the URL; a filter's ID -> view from the filters;
    ids.FILTER_RESET -> whole city; ids.GRAPH (a chart click) -> the district the clicked bar or tile
    carries toggled (a click on anything else changes nothing).
    """
    base = from_query(ds, search, lang)
    if trigger in (None, ids.URL):
        return base, False
    current = districts if isinstance(districts, list) else []
    if trigger == ids.FILTER_RESET:
        current = []
    elif trigger == ids.GRAPH:
        code = click_code(click)
        if code is None:
            return resolve(ds, year, current, lang, theme, base.extras), False
        current = toggle([c for c in current if isinstance(c, str)], code)
    return resolve(ds, year, current, lang, theme, base.extras), True


def click_code(click: object) -> str | None:
    """The district code carried by a graph click (customdata), or None."""
    if not isinstance(click, dict):
        return None
    points = click.get("points")
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    code = points[0].get("customdata")
    if isinstance(code, list) and code:
        code = code[0]
    return code if isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit() else None


def layout(ds: Dataset, view: View) -> html.Div:
    """The sticky filter bar, rendered with the view's values."""
    lang = view.lang
    return html.Div(
        dbc.Container(
            [
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label(t("year", lang), html_for=ids.FILTER_YEAR, className="filter-label"),
                                dcc.Dropdown(
                                    id=ids.FILTER_YEAR,
                                    options=year_options(ds, view.districts, lang),
                                    value=view.year,
                                    clearable=False,
                                    searchable=False,
                                    labels=dropdown_labels(lang),
                                ),
                            ],
                            xs=4,
                            md=2,
                        ),
                        dbc.Col(
                            [
                                dbc.Label(
                                    t("districts", lang), html_for=ids.FILTER_DISTRICTS, className="filter-label"
                                ),
                                dcc.Dropdown(
                                    id=ids.FILTER_DISTRICTS,
                                    options=district_options(ds, view.year, view.districts, lang),
                                    value=list(view.districts),
                                    multi=True,
                                    placeholder=t("districts_placeholder", lang),
                                    labels=dropdown_labels(lang),
                                ),
                            ],
                            xs=8,
                            md=7,
                        ),
                        dbc.Col(
                            dbc.Button(
                                t("reset_city", lang),
                                id=ids.FILTER_RESET,
                                color="primary",
                                outline=True,
                                className="w-100",
                            ),
                            xs=4,
                            md=1,
                            className="align-self-end",
                        ),
                        dbc.Col(
                            html.Div(caption(ds, view), id=ids.FILTER_CAPTION, className="filter-caption"),
                            xs=8,
                            md=2,
                            className="align-self-end",
                        ),
                    ],
                    className="g-2 align-items-end",
                ),
                html.Div(notices(view), id=ids.NOTICE, **{"aria-live": "polite"}),
            ],
            fluid=True,
        ),
        className="filter-bar",
    )


def sync_view(
    search: object, year: object, districts: object, _reset: object, _clicks: object, config: object
) -> tuple:
    """One place that keeps URL, filters, options, notices and caption consistent."""
    cfg = config if isinstance(config, dict) else {}
    ds = services().dataset()
    trigger = ctx.triggered_id
    click = None
    if isinstance(trigger, dict):  # a chart (pattern ID): the click that fired is the triggering value
        trigger = ids.GRAPH
        click = ctx.triggered[0].get("value") if ctx.triggered else None
    search_text = search if isinstance(search, str) else ""
    view, write = next_view(
        ds, trigger, search_text, year, districts, click, str(cfg.get("lang", "zh")), str(cfg.get("theme", "light"))
    )
    query = to_query(view)
    return (
        query if write and query != search_text else no_update,
        view.year if view.year != year else no_update,
        year_options(ds, view.districts, view.lang),
        list(view.districts) if list(view.districts) != districts else no_update,
        district_options(ds, view.year, view.districts, view.lang),
        notices(view),
        caption(ds, view),
    )


def register(app: Dash) -> None:
    """Attach this module's callbacks to `app`."""
    app.callback(
        Output(ids.URL, "search"),
        Output(ids.FILTER_YEAR, "value"),
        Output(ids.FILTER_YEAR, "options"),
        Output(ids.FILTER_DISTRICTS, "value"),
        Output(ids.FILTER_DISTRICTS, "options"),
        Output(ids.NOTICE, "children"),
        Output(ids.FILTER_CAPTION, "children"),
        Input(ids.URL, "search"),
        Input(ids.FILTER_YEAR, "value"),
        Input(ids.FILTER_DISTRICTS, "value"),
        Input(ids.FILTER_RESET, "n_clicks"),
        Input({"type": ids.GRAPH, "section": ALL, "name": ALL}, "clickData"),
        State(ids.CONFIG, "data"),
    )(sync_view)
    # The year shown in chart titles follows the year filter without a server round trip.
    app.clientside_callback(
        "function(year, spans) { return spans.map(function() { return year == null ? '' : String(year); }); }",
        Output({"type": ids.TITLE_YEAR, "index": ALL}, "children"),
        Input(ids.FILTER_YEAR, "value"),
        State({"type": ids.TITLE_YEAR, "index": ALL}, "id"),
    )
