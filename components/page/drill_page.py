"""The drill-down page (/drill/enterprises, /drill/outages): the rows behind a count in a grid, per request.

A Dash app of its own on the same server: the grid component (dash-ag-grid, sorting, filtering and paging
in the browser) is loaded by this page only. The view comes from the page's query string like the
dashboard's; names from the data are plain text in the grid (no HTML cell renderer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import dash_ag_grid as dag
import flask
from dash import html

from components.core import ids
from components.core.i18n import t
from components.core.state import from_query, to_query
from components.core.ui import attrs
from components.exports import drill
from components.server.services import services

PAGE_SIZE = 50

# The grid's own words in Chinese (AG Grid's localeText keys); English is the grid's default.
GRID_ZH = {
    "page": "第",
    "of": "/",
    "to": "至",
    "more": "更多",
    "next": "下一页",
    "previous": "上一页",
    "first": "首页",
    "last": "末页",
    "pageSizeSelectorLabel": "每页行数：",
    "noRowsToShow": "没有符合条件的记录",
    "loadingOoo": "加载中…",
    "filterOoo": "筛选…",
    "searchOoo": "搜索…",
    "equals": "等于",
    "notEqual": "不等于",
    "contains": "包含",
    "notContains": "不包含",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "cancelFilter": "取消",
    "ariaFilterInput": "筛选输入",
    "ariaPageSizeSelectorLabel": "每页行数",
}


def _path() -> str:
    """The page's path: the Referer's for the page's own requests (/drill/_dash-layout), else the request's."""
    req = flask.request
    ref = urlsplit(req.referrer or "")
    return ref.path if ref.netloc == req.host else req.path


def _kind() -> str:
    """The kind of drill-down from the page's path (/drill/<kind>), as the browser names it in Referer."""
    return _path().rstrip("/").rsplit("/", 1)[-1]


def _query() -> str:
    from components.page.layout import page_query

    return page_query()


def grid(columns: list[str], rows: list[list[Any]], lang: str, widths: Sequence[int] = ()) -> dag.AgGrid:
    """A sortable, filterable, paged grid of `rows`: numbers right-aligned and filtered as numbers, long text
    columns wider (`widths`: relative widths) with the whole text on hover."""
    fields = [f"c{i}" for i in range(len(columns))]
    numeric = {f for i, f in enumerate(fields) if rows and all(isinstance(r[i], int | float) for r in rows)}
    number = {"filter": "agNumberColumnFilter", "type": "numericColumn"}
    defs = [
        {"field": f, "headerName": h, "flex": w, "tooltipField": f, **(number if f in numeric else {})}
        for f, h, w in zip(fields, columns, [*widths, *[1] * len(columns)][: len(columns)], strict=True)
    ]
    return dag.AgGrid(
        id=ids.DRILL_GRID,
        rowData=[dict(zip(fields, r, strict=True)) for r in rows],
        columnDefs=defs,
        defaultColDef={"sortable": True, "filter": True, "floatingFilter": True, "resizable": True, "minWidth": 110},
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": [20, 50, 100],
            "localeText": GRID_ZH if lang == "zh" else {},
            "enableCellTextSelection": True,
            "ensureDomOrder": True,
        },
        style={"height": "640px", "width": "100%"},
        className="drill-grid",
    )


def _header(ds: Any, d: drill.Drill, heading: str) -> html.Header:
    """Back to the dashboard (the same view), the title, as-of date, version and the language switch."""
    lang, other = d.view.lang, "en" if d.view.lang == "zh" else "zh"
    switch = html.A(
        t("switch_lang", lang), href=f"/drill/{d.kind}" + _with_lang(drill.query_of(d), other), hrefLang=other
    )
    meta: list[str | html.A] = [
        t("as_of", lang, date=ds.meta["as_of"]),
        " · ",
        t("version", lang, version=ds.version),
        " · ",
        switch,
    ]
    back = html.A(
        "← " + t("drill_back", lang),
        href="/" + to_query(d.view),
        id=ids.DRILL_BACK,
        className="btn btn-sm btn-link ps-0",
    )
    return html.Header(
        html.Div(
            [back, html.H1(heading, id=ids.DRILL_TITLE, className="page-title mt-1"), html.Div(meta, className="asof")],
            className="container-fluid",
        ),
        className="page-header",
    )


def _tier_nav(d: drill.Drill) -> html.Nav | None:
    """The tiers as links (the chosen one marked), for the firm list."""
    if d.kind != "enterprises":
        return None
    lang = d.view.lang
    links = []
    for value, label in drill.tier_choices(lang):
        on = value == d.tier
        style = "btn btn-sm " + ("btn-primary" if on else "btn-outline-secondary")
        current = attrs({"aria-current": "page"} if on else {})
        links.append(html.A(label, href=drill.link("enterprises", d.view, tier=value), className=style, **current))
    return html.Nav(links, className="d-flex flex-wrap gap-2 mb-2", **attrs({"aria-label": t("drill_tiers", lang)}))


def _toolbar(d: drill.Drill, n: int) -> html.Div:
    """The row count and the downloads of exactly these rows."""
    lang, own = d.view.lang, drill.query_of(d)
    key = "drill_count_firms" if d.kind == "enterprises" else "drill_count_outages"
    button = "btn btn-sm btn-outline-secondary me-2"
    return html.Div(
        [
            html.Span(t(key, lang, n=n), id=ids.DRILL_COUNT, className="me-3", **attrs({"data-count": str(n)})),
            html.A(
                t("drill_download_csv", lang), href=f"/export/{d.kind}.csv{own}", id=ids.DRILL_CSV, className=button
            ),
            html.A(
                t("drill_download_xlsx", lang), href=f"/export/{d.kind}.xlsx{own}", id=ids.DRILL_XLSX, className=button
            ),
        ],
        className="d-flex align-items-center mb-2",
    )


def serve_layout() -> html.Div:
    """The drill-down page for the request's URL (outside a drill-down request — Dash checks every app's layout
    on a worker's first request, whatever its path — a bare shell: the rows are built for the page only)."""
    if not _path().startswith("/drill"):
        return html.Div(className="page")
    ds = services().dataset()
    query = _query()
    view = from_query(ds, query, services().settings.lang)
    d = drill.parse(ds, _kind(), view, query)
    table = drill.table(ds, d)
    widths = (3, 1, 1, 1, 1, 3) if d.kind == "enterprises" else ()
    body = [_tier_nav(d), _toolbar(d, len(table.rows)), grid(table.columns, table.rows, view.lang, widths)]
    return html.Div(
        [
            _header(ds, d, table.title),
            html.Main(html.Div(body, className="container-fluid"), className="page-main"),
        ],
        className=f"page theme-{view.theme}",
        **attrs(
            {
                "data-bs-theme": view.theme,
                "data-ag-theme-mode": "dark" if view.theme == "dark" else "light",
                "lang": "zh-CN" if view.lang == "zh" else "en",
                "data-version": ds.version,
            }
        ),
    )


def _with_lang(query: str, lang: str) -> str:
    """The query with its language switched."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?")) if k != "lang"] + [("lang", lang)]
    return "?" + urlencode(pairs).replace("%2C", ",")
