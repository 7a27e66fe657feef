"""The page: header, filters, every section the dataset supports (from the registry), footer; per request."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import dash_bootstrap_components as dbc
import flask
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from components import callbacks, filters, ids, meeting, present
from components.i18n import t
from components.sections import SECTIONS
from components.sections.base import Block, Section
from components.services import services
from components.state import View, from_query
from components.ui import graph_card, section_frame
from data.load import Dataset


def header(ds: Dataset, view: View) -> html.Header:
    """City and title, as-of date, sample badge, language and theme switches."""
    lang, meta = view.lang, ds.meta
    badge = (
        dbc.Badge(
            t("sample_badge", lang),
            color="warning",
            text_color="dark",
            id=ids.HEADER_SAMPLE,
            className="ms-2 sample-badge",
            title=t("sample_note", lang),
        )
        if meta.get("sample")
        else None
    )
    return html.Header(
        dbc.Container(
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H1(
                                [
                                    html.Span(meta["city_en" if lang == "en" else "city_zh"], id=ids.HEADER_CITY),
                                    html.Span(" · ", className="text-body-secondary"),
                                    html.Span(meta["title_en" if lang == "en" else "title_zh"], id=ids.HEADER_TITLE),
                                    badge,
                                ],
                                className="page-title",
                            ),
                            html.Div(t("as_of", lang, date=meta["as_of"]), id=ids.HEADER_ASOF, className="asof"),
                        ],
                        md=True,
                    ),
                    dbc.Col(
                        header_actions(view),
                        md="auto",
                        className="align-self-center d-flex align-items-center",
                    ),
                ],
                className="align-items-center",
            ),
            fluid=True,
        ),
        className="page-header",
    )


def header_actions(view: View) -> list[Any]:
    """Present, language and theme switches (their hrefs follow the URL as filters change)."""
    lang = view.lang
    other_lang = "en" if lang == "zh" else "zh"
    other_theme = "dark" if view.theme == "light" else "light"
    button = "btn btn-sm btn-outline-secondary me-2"
    return [
        meeting.layout(lang),
        html.A(
            t("present", lang),
            id=ids.PRESENT_LINK,
            href="?present=1",  # the href follows the URL (assets/app.js: sti.links)
            className="btn btn-sm btn-primary me-2",
            title=t("present_hint", lang),
        ),
        html.A(
            t("switch_lang", lang),
            id=ids.LANG_LINK,
            href=f"?lang={other_lang}",
            className=button,
            hrefLang=other_lang,
        ),
        html.A(
            t(f"theme_{other_theme}", lang),
            id=ids.THEME_LINK,
            href=f"?theme={other_theme}",
            className=button,
        ),
    ]


def footer(ds: Dataset, view: View) -> html.Footer:
    """Dataset version, source and the sample-data note."""
    lang, meta = view.lang, ds.meta
    parts = [
        html.Span(t("version", lang, version=ds.version), id=ids.FOOTER_VERSION),
        html.Span(" · " + t("source", lang, source=meta["source_en" if lang == "en" else "source_zh"])),
    ]
    return html.Footer(dbc.Container(parts, fluid=True), className="page-footer")


def data_alert(view: View) -> Any:
    """A notice when the newest data update failed validation (the previous data stays in service)."""
    error = services().store.last_error
    if error is None:
        return None
    first = str(error.issues[0]) if error.issues else ""
    return dbc.Alert(
        t("data_update_rejected", view.lang, version=services().dataset().version, error=first),
        color="danger",
        id=ids.DATA_ALERT,
        className="m-2",
    )


def page_query() -> str:
    """The query string of the page being built.

    Dash fetches the layout from /_dash-layout without the page's query string; the browser names the
    page in the Referer header (same origin), so the first render already has the URL's view.
    """
    if not flask.has_request_context():
        return ""
    req = flask.request
    ref = urlsplit(req.referrer or "")
    if ref.netloc == req.host and ref.query:
        return ref.query
    return req.query_string.decode("utf-8", "replace")


def block(section: Section, b: Block) -> html.Div:
    """A block's element (pattern ID, filled by the section's callback) inside a holder with its stable ID."""
    inner_id = ids.block_id(section.key, b.id)
    inner = (
        dbc.Row(id=inner_id, className=b.class_name)
        if b.kind == "row"
        else html.P(id=inner_id, className=b.class_name)
        if b.kind == "p"
        else html.Div(id=inner_id, className=b.class_name)
    )
    return html.Div(inner, id=b.id, **({"aria-live": "polite"} if b.live else {}))


def section_layout(section: Section, ds: Dataset, view: View) -> html.Section:
    """A section's blocks and chart cards, row by row; widths reflow to fill a row when a chart is absent."""
    lang = view.lang
    children: list = [block(section, b) for b in section.blocks]
    for row in section.page_grid(ds):
        cols = []
        for g, width in row:
            card = graph_card(
                section.key,
                g.id,
                g.title_text(ds, lang),
                lang,
                g.height_px(ds),
                g.control(ds, view) if g.control else None,
                g.modebar,
                **({"data-graph-indicator": g.indicator} if g.indicator else {}),
            )
            cols.append(dbc.Col(card, lg=width, className="mb-3"))
        children.append(dbc.Row(cols))
    return section_frame(f"section-{section.key}", section.title(lang), children)


def serve_layout() -> html.Div:
    """The whole page for the current request's URL (view restored from the query string)."""
    ds = services().dataset()
    query = page_query()
    view = from_query(ds, query, services().settings.lang)
    lang = view.lang
    if dict(view.extras).get("present") == "1":
        asked = dict(parse_qsl(query)).get("theme")
        return html.Div(
            [
                dcc.Store(id=ids.CONFIG, data={"lang": lang, "theme": view.theme}),
                present.present_layout(services(), ds, view, asked),
            ]
        )
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.CONFIG, data={"lang": lang, "theme": view.theme}),
            header(ds, view),
            data_alert(view),
            filters.layout(ds, view),
            html.Main(
                dbc.Container([section_layout(s, ds, view) for s in SECTIONS if s.present(ds)], fluid=True),
                className="page-main",
            ),
            footer(ds, view),
        ],
        className=f"page theme-{view.theme}",
        **{"data-bs-theme": view.theme, "lang": "zh-CN" if lang == "zh" else "en"},
    )


def register(app: Dash) -> None:
    """Attach every callback of the page to `app` (each app gets its own; nothing global)."""
    filters.register(app)
    callbacks.register(app, SECTIONS)
    app.clientside_callback(
        ClientsideFunction("sti", "links"),
        Output(ids.PRESENT_LINK, "href"),
        Output(ids.LANG_LINK, "href"),
        Output(ids.THEME_LINK, "href"),
        Input(ids.URL, "search"),
        State(ids.CONFIG, "data"),
    )
    # <html lang> and the Bootstrap colour mode follow the page configuration.
    app.clientside_callback(
        "function(cfg) { if (cfg) { document.documentElement.lang = cfg.lang === 'en' ? 'en' : 'zh-CN';"
        " document.documentElement.setAttribute('data-bs-theme', cfg.theme === 'dark' ? 'dark' : 'light'); }"
        " return window.dash_clientside.no_update; }",
        Output(ids.CONFIG, "id"),
        Input(ids.CONFIG, "data"),
    )
