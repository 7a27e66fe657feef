"""A chart read back as a table: its numbers, and its names as plain text (pure; no dash import).

The one implementation of a chart's table: every chart the sections send carries it (`with_table` puts it in
layout.meta.table), the page's keyboard-reachable chart tables show it as it is (assets/app.js `tableOf`
reads it, nothing more), and the CSV/XLSX export reads the figures by the same rules. A figure holds names as
Plotly markup (components/charts/figures.literal: `&lt;b&gt;` for a district named `<b>`), a table holds
text: our markup (<br>, …) is removed and the entities are decoded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from components.charts.figures import EVENTS_UID, unliteral
from components.core.i18n import t

Cell = str | float | int | None
_TAG = re.compile(r"<[^>]*>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def stripped(value: object) -> str:
    """A label with Plotly's markup (<br>, <b>, …) removed, as the page's script shows it (entities kept)."""
    return _TAG.sub("", _BR.sub(" ", "" if value is None else str(value))).strip()


def plain_text(value: object) -> str:
    """A label as text: Plotly's markup removed and its entities decoded (what the chart shows)."""
    return unliteral(stripped(value))


def as_cell(v: Any, text: Callable[[object], str] = plain_text) -> Cell:
    """A table cell: a number as a number (a whole float as an int, NaN empty), anything else as `text` of it."""
    if isinstance(v, bool) or v is None:
        return None if v is None else str(v)
    if isinstance(v, int | float):
        if v != v:  # NaN -> empty
            return None
        return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else v
    return text(v)


def _axis_title(axis: Any, text: Callable[[object], str]) -> str:
    title = axis.get("title") if isinstance(axis, dict) else None
    return text(title.get("text") if isinstance(title, dict) else title)


def figure_table(
    fig: dict[str, Any], lang: str, text: Callable[[object], str] = plain_text
) -> tuple[list[str], list[list[Cell]]] | None:
    """A figure's numbers as (columns, rows); None for an empty chart. The rules of assets/app.js `tableOf`.

    `text` turns the figure's labels into cells (`stripped` gives what the page's script would show);
    a table the figure carries (layout.meta.table) is plain text already and is taken as it is.
    """
    layout = fig.get("layout") or {}
    meta = layout.get("meta") or {}
    if meta.get("empty"):
        return None
    if meta.get("table"):
        table = meta["table"]
        return [str(c) for c in table["columns"]], [[as_cell(v, str) for v in r] for r in table["rows"]]
    data = [
        tr
        for tr in fig.get("data") or []
        if tr.get("visible") is not False and tr.get("hoverinfo") != "skip" and tr.get("uid") != EVENTS_UID
    ]
    if not data:
        return None
    first = data[0]
    item, value = t("chart_table_item", lang), t("chart_table_value", lang)
    if first.get("type") == "sankey":
        labels = (first.get("node") or {}).get("label") or []
        link = first.get("link") or {}
        rows = [
            [text(labels[s]), text(labels[d]), as_cell(v, text)]
            for s, d, v in zip(
                link.get("source") or [], link.get("target") or [], link.get("value") or [], strict=False
            )
        ]
        return [t("chart_table_from", lang), t("chart_table_to", lang), value], rows
    if first.get("type") == "heatmap":
        z, x, y, labels = first.get("z") or [], first.get("x"), first.get("y"), first.get("text")
        if not x or not y:  # a tile map: each tile's text names it
            rows = []
            for r, row in enumerate(z):
                for c, v in enumerate(row or []):
                    label = labels[r][c] if labels and r < len(labels) and c < len(labels[r]) else None
                    if label and v is not None:
                        rows.append([text(_BR.split(str(label))[0]), as_cell(v, text)])
            return [item, value], rows
        cols = [_axis_title(layout.get("yaxis"), text) or item, *[text(v) for v in x]]
        return cols, [[text(n), *[as_cell(v, text) for v in (z[r] if r < len(z) else [])]] for r, n in enumerate(y)]
    series = [tr for tr in data if tr.get("type") in ("bar", "scatter")]
    order: list[str] = []
    cells: dict[str, dict[int, Cell]] = {}
    for i, tr in enumerate(series):
        flat = tr.get("orientation") == "h"
        cats, vals = (tr.get("y"), tr.get("x")) if flat else (tr.get("x"), tr.get("y"))
        for c, v in zip(cats or [], vals or [], strict=False):
            key = text(c)
            if key not in cells:
                order.append(key)
                cells[key] = {}
            cells[key][i] = as_cell(v, text)
    h = first.get("orientation") == "h"
    head = _axis_title(layout.get("yaxis" if h else "xaxis"), text) or item
    names = [text(tr.get("name")) or _axis_title(layout.get("xaxis" if h else "yaxis"), text) or value for tr in series]
    return [head, *names], [[k, *[cells[k].get(i) for i in range(len(series))]] for k in order]


def with_table(fig: Any, lang: str) -> Any:
    """`fig` carrying its table in plain text (layout.meta.table), which the page shows under the chart; a
    figure with a table of its own, an empty chart and anything not a figure are left alone."""
    if not isinstance(fig, dict) or ((fig.get("layout") or {}).get("meta") or {}).get("table"):
        return fig
    table = figure_table(fig, lang)
    if table is None:
        return fig
    columns, rows = table
    layout = fig.get("layout") or {}
    meta = {**(layout.get("meta") or {}), "table": {"columns": columns, "rows": rows}}
    return {**fig, "layout": {**layout, "meta": meta}}
