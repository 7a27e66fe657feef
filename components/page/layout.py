"""The page: header, filters, every section the dataset supports (from the registry), footer; per request."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import dash_bootstrap_components as dbc
import flask
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html

from components.charts.kpis import chart_info
from components.core import ids
from components.core.i18n import t
from components.core.state import View, from_query, swap, to_query
from components.core.ui import attrs, graph_card, section_frame
from components.page import callbacks, filters, kpi_detail, meeting, present
from components.sections import SECTIONS, tabbed
from components.sections.base import Block, Section
from components.server import auth
from components.server.services import services
from components.server.users import ADMIN, ANALYST
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
                        [
                            html.Button(
                                t("menu", lang),
                                id=ids.MENU_TOGGLE,
                                type="button",
                                className="btn btn-outline-secondary menu-toggle",
                                **attrs({"aria-expanded": "false", "aria-controls": ids.HEADER_ACTIONS}),
                            ),
                            html.Div(header_actions(view), id=ids.HEADER_ACTIONS, className="header-actions"),
                        ],
                        md="auto",
                        className="align-self-center d-flex align-items-center header-tools",
                    ),
                ],
                className="align-items-center header-row",
            ),
            fluid=True,
        ),
        className="page-header",
    )


def data_export_menu(view: View) -> html.Details:
    """'导出数据': the view's numbers as CSV or an Excel workbook. The links carry the page's query and its
    dataset version when followed (assets/app.js), so the file is the view on screen.

    A native disclosure (`<details>`) styled as Bootstrap's dropdown: dbc.DropdownMenu mounted Popper, which
    measured the page's layout inside Dash's first render (~35 ms of the longest task of a first load).
    assets/app.js closes it on a click elsewhere, on Escape and once an item is followed."""
    lang = view.lang
    query = to_query(view)
    items = [
        html.A(
            t(f"export_{ext}", lang),
            id=item_id,
            href=f"/export/data.{ext}{query}",
            className="dropdown-item data-export-link",
        )
        for ext, item_id in (("csv", ids.DATA_EXPORT_CSV), ("xlsx", ids.DATA_EXPORT_XLSX))
    ]
    return html.Details(
        [
            html.Summary(t("export_data", lang), className="btn btn-sm btn-secondary dropdown-toggle"),
            html.Div(items, className="dropdown-menu show"),
        ],
        id=ids.DATA_EXPORT_MENU,
        className="me-2 dropdown sti-menu data-export-menu",
    )


def header_actions(view: View) -> list[Any]:
    """The signed-in user, the data page, exports (analysts and admins), present, language and theme switches
    (their hrefs follow the URL as filters change: assets/app.js)."""
    lang = view.lang
    other_lang = "en" if lang == "zh" else "zh"
    other_theme = "dark" if view.theme == "light" else "light"
    button = "btn btn-sm btn-outline-secondary me-2"
    analyst = auth.may(ANALYST)  # the server refuses the rest too: these only spare a viewer the 403
    library = (
        [html.A(t("lib_link", lang), href=f"/library?lang={lang}", id=ids.LIBRARY_LINK, className=button)]
        if services().library is not None and analyst
        else []
    )
    archive = [html.A(t("archive_title", lang), href=f"/reports?lang={lang}", id=ids.REPORTS_LINK, className=button)]
    audit = [html.A(t("audit_link", lang), href=f"/audit?lang={lang}", id=ids.AUDIT_LINK, className=button)]
    exports = [data_export_menu(view), meeting.report_menu(view), meeting.layout(lang)] if analyst else []
    return [
        *auth.identity_header(lang),
        *library,
        *(archive if analyst else []),
        *(audit if auth.may(ADMIN) else []),
        *exports,
        html.A(
            t("present", lang),
            id=ids.PRESENT_LINK,
            href=swap(view, "present", "1"),
            className="btn btn-sm btn-primary me-2",
            title=t("present_hint", lang),
        ),
        html.A(
            t("switch_lang", lang),
            id=ids.LANG_LINK,
            href=swap(view, "lang", other_lang),
            className=button,
            hrefLang=other_lang,
        ),
        html.A(
            t(f"theme_{other_theme}", lang),
            id=ids.THEME_LINK,
            href=swap(view, "theme", other_theme),
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


def block(b: Block, content: Any = None) -> html.Div:
    """A block's element inside a holder with its stable ID.

    The element has no Dash children: its content (component JSON in `data-paint`) is drawn by the page
    (assets/app.js) and repainted in place when the callback sends new content (through the page's painter,
    one attribute for every block that changed). Dash keeps one component per block rather than one per
    card and line, and each component and each output costs every update on the page.
    """
    make = html.P if b.kind == "p" else html.Div
    inner = make(className=b.class_name, **attrs({ids.PAINT: callbacks.paint_text(content)}))
    return html.Div(inner, id=b.id, className="paint-block", **attrs({"aria-live": "polite"} if b.live else {}))


def permitted(control: Any) -> Any:
    """A card header's control, or None when it is a drill-down link (`data-drill`) and the user is a viewer."""
    if getattr(control, "data-drill", None) and not auth.may(ANALYST):
        return None
    return control


def section_layout(section: Section, ds: Dataset, view: View) -> html.Section:
    """A section with its blocks and charts already filled for `view` (no callback round trip to first draw).

    Chart widths reflow to fill a row when a chart is absent; the section's store records what is drawn.
    """
    lang = view.lang
    got = callbacks.full(services(), section, ds, view)
    children: list = [block(b, got.blocks[b.id]) for b in section.blocks]
    for row in section.page_grid(ds):
        cols = []
        for g, width in row:
            card = graph_card(
                section.key,
                g.id,
                g.title_text(ds, lang),
                lang,
                g.height_px(ds),
                permitted(g.control(ds, view)) if g.control else None,
                g.modebar,
                figure=got.graphs[g.id],
                year=view.year,
                when=view.when_text,
                yearly=g.yearly,
                info=chart_info(ds, g.uses(ds), lang),
                info_title=t("info_chart", lang, name=g.title_text(ds, lang, view.year, when=view.when_text)),
                **({"data-graph-indicator": g.indicator} if g.indicator else {}),
            )
            cols.append(dbc.Col(card, lg=width, className="mb-3"))
        children.append(dbc.Row(cols))
    children.append(dcc.Store(id=ids.drawn_id(section.key), data=got.drawn))
    return section_frame(f"section-{section.key}", section.title(lang), children)


def active_section(ds: Dataset, view: View) -> Section | None:
    """The section below the overview: the URL's `section`, else the first the dataset has."""
    shown = tabbed(ds)
    asked = dict(view.extras).get("section")
    return next((s for s in shown if s.key == asked), shown[0] if shown else None)


def tabs(ds: Dataset, view: View, active: Section | None) -> html.Div:
    """One tab per section the dataset has (the overview stays above them)."""
    shown = tabbed(ds)
    return html.Div(
        [
            html.Button(
                s.title(view.lang),
                id=ids.tab_id(s.key),
                className="nav-link" + (" active" if s is active else ""),
                role="tab",
                type="button",
                **attrs(
                    {
                        "aria-selected": "true" if s is active else "false",
                        "aria-controls": ids.SECTION_BODY,
                        "data-section": s.key,
                    }
                ),
            )
            for s in shown
        ],
        id=ids.SECTION_TABS,
        className="nav nav-tabs section-tabs",
        role="tablist",
        **attrs({"aria-label": t("sections_label", view.lang)}),
    )


def section_body(active: object, year: object, districts: object, period: object, basis: object, config: object) -> Any:
    """The chosen tab's section, filled for the current filters (the tab callback)."""
    ds = services().dataset()
    view = callbacks.view_of(ds, year, districts, config, (), period, basis)
    chosen = next((s for s in tabbed(ds) if s.key == active), None)
    return section_layout(chosen, ds, view) if chosen is not None else []


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
            ],
            **attrs({"data-version": ds.version}),
        )
    overview = next(s for s in SECTIONS if s.pinned)
    active = active_section(ds, view)
    shown = [s.key for s in tabbed(ds)]
    key = active.key if active else ""
    return html.Div(
        [
            dcc.Store(id=ids.URL),  # back/forward: the URL the browser went to (assets/app.js)
            dcc.Store(id=ids.CONFIG, data={"lang": lang, "theme": view.theme}),
            dcc.Store(id=ids.FILTER_DATA, data=filters.filter_data(ds, view, shown, key)),
            dcc.Store(id=ids.ACTIVE_SECTION, data=key),
            dcc.Store(id=ids.VISIBLE),
            dcc.Store(id=ids.SEEN),
            html.Div(id=ids.PAINTER, hidden=True),
            header(ds, view),
            data_alert(view),
            filters.layout(ds, view),
            html.Main(
                dbc.Container(
                    [
                        section_layout(overview, ds, view),
                        tabs(ds, view, active),
                        html.Div(
                            section_layout(active, ds, view) if active else [],
                            id=ids.SECTION_BODY,
                            role="tabpanel",
                            className="section-body",
                        ),
                    ],
                    fluid=True,
                ),
                className="page-main",
            ),
            footer(ds, view),
            *kpi_detail.layout(lang),
        ],
        className=f"page theme-{view.theme}",
        **attrs(
            {
                "data-bs-theme": view.theme,
                "lang": "zh-CN" if lang == "zh" else "en",
                "data-version": ds.version,
                "data-may-drill": "1" if auth.may(ANALYST) else "0",  # chart clicks open the drill-down (assets/app.js)
            }
        ),
    )


def register(app: Dash) -> None:
    """Attach every callback of the page to `app` (each app gets its own; nothing global)."""
    filters.register(app)
    callbacks.register(app, SECTIONS, section_body)
    kpi_detail.register(app)
    app.clientside_callback(
        ClientsideFunction("sti", "tabs"),
        Output({"type": ids.TAB, "section": ALL}, "className"),
        Output({"type": ids.TAB, "section": ALL}, "aria-selected"),
        Input(ids.ACTIVE_SECTION, "data"),
        State({"type": ids.TAB, "section": ALL}, "id"),
    )
    # <html lang> and the Bootstrap colour mode follow the page configuration.
    app.clientside_callback(
        "function(cfg) { if (cfg) { document.documentElement.lang = cfg.lang === 'en' ? 'en' : 'zh-CN';"
        " document.documentElement.setAttribute('data-bs-theme', cfg.theme === 'dark' ? 'dark' : 'light'); }"
        " return window.dash_clientside.no_update; }",
        Output(ids.CONFIG, "id"),
        Input(ids.CONFIG, "data"),
    )
