"""A table of statuses (the scorecard) as a pure model, and the HTML table the page and the slides show.

The model is built once per view by its section; the page and presentation mode render it as HTML here,
the PPTX as a native table (components/exports/deck.py). No figure, no picture: every number stays text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dash import html

from components.core.ui import STATUS_ICONS, attrs


@dataclass(frozen=True)
class GridCell:
    """One cell: its headline text (a completion), a status, a second line, and data-* attributes."""

    text: str
    status: str = ""
    status_text: str = ""  # the status in words, shown beside its icon
    sub: str = ""
    title: str = ""  # the full reading, on hover
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GridColumn:
    """A column: its sort key, heading and its unit as shown after it ('（件）', ' (%)')."""

    key: str
    label: str
    unit: str = ""
    note: str = ""  # a line under the heading (a lower-is-better column's own bands)


@dataclass(frozen=True)
class GridRow:
    """A row: its key (a district code), heading, where it leads (a URL query), cells and a closing count."""

    key: str
    label: str
    cells: tuple[GridCell, ...]
    summary: str = ""
    summary_value: float = 0.0  # what the summary column sorts by
    href: str = ""
    selected: bool = False


@dataclass(frozen=True)
class Grid:
    """A whole table: caption, the row heading and summary headings, columns, rows, a totals row and a legend."""

    table_id: str
    caption: str
    row_heading: str
    columns: tuple[GridColumn, ...]
    rows: tuple[GridRow, ...]
    summary_heading: str = ""
    total: GridRow | None = None
    legend: tuple[tuple[str, str], ...] = ()  # (status, words)
    sort_hint: str = ""


def _cell(c: GridCell, tag: Any = html.Td) -> Any:
    icon = html.Span(STATUS_ICONS.get(c.status, ""), className="status-icon", **attrs({"aria-hidden": "true"}))
    main = html.Div([icon, c.text, html.Span(c.status_text, className="grid-status-word")], className="grid-main")
    parts = [main, html.Div(c.sub, className="grid-sub")] if c.sub else [main]
    return tag(
        parts,
        className=f"grid-cell status-{c.status}" if c.status else "grid-cell",
        title=c.title or None,
        **dict(c.attrs),
    )


def _heading(col: GridColumn, interactive: bool) -> html.Th:
    label: list[Any] = [col.label, html.Span(col.unit, className="grid-unit")] if col.unit else [col.label]
    if col.note:
        label.append(html.Span(col.note, className="grid-note"))
    body = (
        html.Button(label, className="grid-sort", type="button", **attrs({"data-sort": col.key}))
        if interactive
        else label
    )
    return html.Th(body, scope="col", **attrs({"data-key": col.key}))


def _row(r: GridRow, grid: Grid, interactive: bool, total: bool = False, index: int = 0) -> html.Tr:
    label: Any = r.label
    if interactive and r.href:
        label = html.A(r.label, href=r.href, className="grid-open", **attrs({"data-open": r.key}))
    cells = [html.Th(label, scope="row"), *[_cell(c) for c in r.cells]]
    if grid.summary_heading:
        cells.append(html.Td(r.summary, className="grid-summary", **attrs({"data-value": repr(r.summary_value)})))
    return html.Tr(
        cells,
        className="grid-total" if total else ("grid-row table-active" if r.selected else "grid-row"),
        **attrs({"data-row": r.key, "data-order": str(index), "data-selected": "1" if r.selected else ""}),
    )


def grid_table(grid: Grid, interactive: bool = True) -> html.Div:
    """The grid as an HTML table (sort buttons in the headings and row links when `interactive`), with its
    legend: icons and words for each status, never colour alone."""
    head = [html.Th(grid.row_heading, scope="col", **attrs({"data-key": "row"}))]
    if interactive:
        head = [_heading(GridColumn("row", grid.row_heading), True)]
    head += [_heading(c, interactive) for c in grid.columns]
    if grid.summary_heading:
        head.append(_heading(GridColumn("summary", grid.summary_heading), interactive))
    table = html.Table(
        [
            html.Caption(grid.caption),
            html.Thead(html.Tr(head)),
            html.Tbody([_row(r, grid, interactive, index=i) for i, r in enumerate(grid.rows)]),
            *([html.Tfoot(_row(grid.total, grid, False, total=True))] if grid.total else []),
        ],
        id=grid.table_id,
        className="table table-sm grid-table",
    )
    legend = [
        html.Span([html.Span(STATUS_ICONS[s], className="status-icon", **attrs({"aria-hidden": "true"})), words],
                  className=f"grid-legend-item status-{s}")
        for s, words in grid.legend
    ]  # fmt: skip
    extras = [html.Span(grid.sort_hint, className="grid-hint")] if interactive and grid.sort_hint else []
    return html.Div(
        [html.Div(table, className="grid-scroll"), html.Div([*legend, *extras], className="grid-legend")],
        className="grid",
    )
