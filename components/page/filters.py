"""Global filters (year, districts, 全市 reset) kept in step with the URL, chart clicks and the section tabs.

The page renders them from the URL's view; after that they are kept in step in the browser (assets/app.js,
`sti.sync`: no server round trip), from `filter_data` — the dataset's years, districts and which districts
report which years, with the texts the captions and notices need in the page language.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html

from components.charts.prep import district_names
from components.charts.summary import caption
from components.core import ids
from components.core.i18n import t
from components.core.state import View, districts_with_data, period_code, years_with_data
from components.core.ui import attrs
from data.load import Dataset
from data.periods import BASES, ViewPeriod, parse_period, parse_view_period, span_name, view_label

MAX_NOTICES = 5


def year_options(ds: Dataset, districts: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    """Every year of the dataset; years without data for the selection are offered but disabled."""
    running = set(ds.periods)  # years with data through the year (a year still running has no annual data)
    have = set(years_with_data(ds, districts)) | running
    fmt = "{y}年" if lang == "zh" else "{y}"
    years = sorted(set(ds.years) | running, reverse=True)
    return [{"label": fmt.format(y=y), "value": y, "disabled": y not in have} for y in years]


def period_label(sub: str, lang: str) -> str:
    """A period of a year as the picker names it: 全年 / 第三季度 / 11月; Whole year / Q3 / Nov."""
    return span_name(parse_period(sub), lang) if sub else t("period_year", lang)


def _view_period(year: int, sub: str) -> ViewPeriod:
    found = parse_view_period(period_code(year, sub))
    return found if found is not None else ViewPeriod(year)


def period_options(ds: Dataset, year: int, lang: str) -> list[dict[str, Any]]:
    """The whole year, then the quarters and months the year's data reaches."""
    return [{"label": period_label(sub, lang), "value": sub} for sub in ["", *ds.periods.get(year, [])]]


def basis_options(lang: str) -> list[dict[str, Any]]:
    """累计 (1–N月累计) or 当期."""
    return [{"label": t("basis_ytd", lang), "value": "ytd"}, {"label": t("basis_period", lang), "value": "period"}]


def district_options(ds: Dataset, year: int, districts: tuple[str, ...], lang: str) -> list[dict[str, Any]]:
    """Every district; those without data in `year` are disabled unless already selected."""
    have = set(districts_with_data(ds, year)) | set(districts)
    names = district_names(ds, lang)
    return [{"label": names[c], "value": c, "disabled": c not in have} for c in ds.district_codes]


def dropdown_labels(lang: str) -> dcc.Dropdown.Labels:
    """Dash 4 Dropdown's own texts ('{num_selected} selected', 'Select All', ...) in the page language."""
    return {
        "select_all": t("dropdown_select_all", lang),
        "deselect_all": t("dropdown_deselect_all", lang),
        "selected_count": t("dropdown_selected_count", lang),
        "search": t("dropdown_search", lang),
        "clear_search": t("dropdown_clear_search", lang),
        "clear_selection": t("dropdown_clear_selection", lang),
        "no_options_found": t("dropdown_no_options_found", lang),
    }


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


def filter_data(ds: Dataset, view: View, sections: list[str], active: str) -> dict[str, Any]:
    """What the browser needs to keep filters, URL, options and caption consistent without the server."""
    obs = ds.observations
    has = {str(c): sorted(int(y) for y in g["year"].unique()) for c, g in obs.groupby("district")}
    lang = view.lang
    subs = ds.periods
    return {
        "years": sorted(set(ds.years) | set(subs)),
        "periods": {str(y): [{"label": period_label(p, lang), "value": p} for p in ["", *v]] for y, v in subs.items()},
        "yearOnly": [{"label": period_label("", lang), "value": ""}],
        "labels": {  # the caption's period: '2012年1–11月' (累计) / '2012年11月' (当期)
            f"{y}|{p}|{b}": view_label(ViewPeriod(y) if not p else _view_period(y, p), b, lang)
            for y, v in subs.items()
            for p in v
            for b in BASES
        },
        "captionPeriod": t("caption_period", lang, period="{period}", scope="{scope}"),
        "codes": ds.district_codes,
        "names": district_names(ds, lang),
        "has": {c: sorted(set(has.get(c, [])) | set(subs)) for c in ds.district_codes},
        "yearFmt": "{y}年" if lang == "zh" else "{y}",
        "caption": t("caption", lang, year="{year}", scope="{scope}"),
        "whole": t("whole_city", lang),
        "sep": "、" if lang == "zh" else ", ",
        "sections": sections,
        "section": active,
        "lang": lang,
    }


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
                            className="filter-col",
                        ),
                        period_col(ds, view),
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
                            md=5 if ds.periods else 7,
                            className="filter-col",
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
                            className="align-self-end filter-col-reset",
                        ),
                        dbc.Col(
                            html.Div(
                                [
                                    html.Div(caption(ds, view), id=ids.FILTER_CAPTION, className="filter-caption"),
                                    html.Button(  # a phone's one line: it opens the filters as a sheet
                                        t("filters_open", lang),
                                        id=ids.FILTER_OPEN,
                                        type="button",
                                        className="btn btn-primary filter-open",
                                        **attrs({"aria-expanded": "false", "aria-controls": ids.FILTER_CONTROLS}),
                                    ),
                                ],
                                className="filter-line",
                            ),
                            xs=8,
                            md=2,
                            className="align-self-end filter-line-col",
                        ),
                        dbc.Col(
                            html.Button(
                                t("filters_done", lang),
                                id=ids.FILTER_DONE,
                                type="button",
                                className="btn btn-primary w-100",
                            ),
                            xs=12,
                            className="filter-done-col",
                        ),
                    ],
                    id=ids.FILTER_CONTROLS,
                    className="g-2 align-items-end filter-row",
                ),
                html.Div(notices(view), id=ids.NOTICE, **attrs({"aria-live": "polite"})),
            ],
            fluid=True,
        ),
        className="filter-bar",
        role="region",
        **attrs({"aria-label": t("filters_label", lang)}),
    )


def period_col(ds: Dataset, view: View) -> dbc.Col:
    """The period of the year (全年 / a quarter / a month) and its basis (累计 / 当期); hidden when the dataset
    has whole years only (the callbacks still read their values: '' and 'ytd')."""
    lang = view.lang
    through_year = bool(ds.periods)
    return dbc.Col(
        [
            dbc.Label(t("period", lang), html_for=ids.FILTER_PERIOD, className="filter-label"),
            dcc.Dropdown(
                id=ids.FILTER_PERIOD,
                options=period_options(ds, view.year, lang),
                value=view.period,
                clearable=False,
                searchable=False,
                labels=dropdown_labels(lang),
            ),
            html.Div(
                dbc.RadioItems(
                    id=ids.FILTER_BASIS,
                    options=basis_options(lang),
                    value=view.basis,
                    inline=True,
                    input_class_name="filter-basis-input",
                ),
                className="filter-basis",
                role="group",
                **attrs({"aria-label": t("basis", lang)}),
            ),
        ],
        xs=4 if through_year else 0,
        md=2,
        className="filter-col" if through_year else "d-none",
    )


def register(app: Dash) -> None:
    """Attach the filters' clientside callbacks to `app`.

    `command` turns back/forward, 全市, chart clicks and tabs into filter values; `sync` follows the filter
    values with the URL (history.pushState: no Dash output, so no second callback per change) and the
    options, and writes the caption, header links and years in chart titles into the page. The sections
    follow the filter values directly, so their requests go out in the same step.
    """
    app.clientside_callback(
        ClientsideFunction("sti", "command"),
        Output(ids.FILTER_YEAR, "value"),
        Output(ids.FILTER_DISTRICTS, "value"),
        Output(ids.FILTER_PERIOD, "value"),
        Output(ids.FILTER_BASIS, "value"),
        Output(ids.ACTIVE_SECTION, "data"),
        Input(ids.URL, "data"),
        Input(ids.FILTER_RESET, "n_clicks"),
        Input({"type": ids.GRAPH, "section": ALL, "name": ALL}, "clickData"),
        Input({"type": ids.TAB, "section": ALL}, "n_clicks"),
        State(ids.FILTER_YEAR, "value"),
        State(ids.FILTER_DISTRICTS, "value"),
        State(ids.FILTER_PERIOD, "value"),
        State(ids.FILTER_BASIS, "value"),
        State(ids.FILTER_DATA, "data"),
        State(ids.ACTIVE_SECTION, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("sti", "sync"),
        Output(ids.FILTER_YEAR, "options"),
        Output(ids.FILTER_DISTRICTS, "options"),
        Output(ids.FILTER_PERIOD, "options"),
        Input(ids.FILTER_YEAR, "value"),
        Input(ids.FILTER_DISTRICTS, "value"),
        Input(ids.FILTER_PERIOD, "value"),
        Input(ids.FILTER_BASIS, "value"),
        Input(ids.ACTIVE_SECTION, "data"),
        State(ids.FILTER_DATA, "data"),
        State(ids.CONFIG, "data"),
        prevent_initial_call=True,
    )
