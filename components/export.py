"""The data behind a view, taken out: the KPI values and every chart's numbers as CSV and XLSX.

`view_tables(ds, view)` is pure: the same figures the page draws (each section's `compute`) read back as
tables by the same rules as the page's keyboard-reachable chart tables (assets/app.js `tableOf`). The
writers add a header block (city, year, districts, as-of date, dataset version, exported when) and make
every text cell safe to open in a spreadsheet: a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage
return is prefixed with `'` (formula injection), while numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from components.i18n import name, t
from components.kpis import kpi_models
from components.sections import present
from components.state import View
from data import aggregate as agg
from data.load import Dataset

Cell = str | float | int | None
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_TAG = re.compile(r"<[^>]*>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Table:
    """One titled table: a chart's numbers or the KPI values."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class Sheet:
    """A section's tables (one sheet of the workbook)."""

    name: str
    tables: list[Table]


def plain_text(value: object) -> str:
    """A label as text: Plotly's markup (<br>, <b>, …) removed, as the page's chart tables show it."""
    return _TAG.sub("", _BR.sub(" ", "" if value is None else str(value))).strip()


def safe(cell: Cell) -> Cell:
    """A cell that no spreadsheet runs as a formula: risky text gets a leading apostrophe; numbers unchanged."""
    if isinstance(cell, str) and cell.startswith(DANGEROUS):
        return "'" + cell
    return cell


def _number(v: Any) -> Cell:
    if isinstance(v, bool) or v is None:
        return None if v is None else str(v)
    if isinstance(v, int | float):
        if v != v:  # NaN -> empty
            return None
        return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else v
    return plain_text(v)


def _axis_title(axis: Any) -> str:
    title = axis.get("title") if isinstance(axis, dict) else None
    return plain_text(title.get("text") if isinstance(title, dict) else title)


def figure_table(fig: dict[str, Any], lang: str) -> tuple[list[str], list[list[Cell]]] | None:
    """A figure's numbers as (columns, rows); None for an empty chart. The rules of assets/app.js `tableOf`."""
    layout = fig.get("layout") or {}
    meta = layout.get("meta") or {}
    if meta.get("empty"):
        return None
    if meta.get("table"):
        table = meta["table"]
        return [plain_text(c) for c in table["columns"]], [[_number(v) for v in r] for r in table["rows"]]
    data = [tr for tr in fig.get("data") or [] if tr.get("visible") is not False and tr.get("hoverinfo") != "skip"]
    if not data:
        return None
    first = data[0]
    item, value = t("chart_table_item", lang), t("chart_table_value", lang)
    if first.get("type") == "sankey":
        labels = (first.get("node") or {}).get("label") or []
        link = first.get("link") or {}
        rows = [
            [plain_text(labels[s]), plain_text(labels[d]), _number(v)]
            for s, d, v in zip(
                link.get("source") or [], link.get("target") or [], link.get("value") or [], strict=False
            )
        ]
        return [t("chart_table_from", lang), t("chart_table_to", lang), value], rows
    if first.get("type") == "heatmap":
        z, x, y, text = first.get("z") or [], first.get("x"), first.get("y"), first.get("text")
        if not x or not y:  # a tile map: each tile's text names it
            rows = []
            for r, row in enumerate(z):
                for c, v in enumerate(row or []):
                    label = text[r][c] if text and r < len(text) and c < len(text[r]) else None
                    if label and v is not None:
                        rows.append([plain_text(_BR.split(str(label))[0]), _number(v)])
            return [item, value], rows
        cols = [_axis_title(layout.get("yaxis")) or item, *[plain_text(v) for v in x]]
        return cols, [[plain_text(n), *[_number(v) for v in (z[r] if r < len(z) else [])]] for r, n in enumerate(y)]
    series = [tr for tr in data if tr.get("type") in ("bar", "scatter")]
    order: list[str] = []
    cells: dict[str, dict[int, Cell]] = {}
    for i, tr in enumerate(series):
        flat = tr.get("orientation") == "h"
        cats, vals = (tr.get("y"), tr.get("x")) if flat else (tr.get("x"), tr.get("y"))
        for c, v in zip(cats or [], vals or [], strict=False):
            key = plain_text(c)
            if key not in cells:
                order.append(key)
                cells[key] = {}
            cells[key][i] = _number(v)
    h = first.get("orientation") == "h"
    head = _axis_title(layout.get("yaxis" if h else "xaxis")) or item
    names = [plain_text(tr.get("name")) or _axis_title(layout.get("xaxis" if h else "yaxis")) or value for tr in series]
    return [head, *names], [[k, *[cells[k].get(i) for i in range(len(series))]] for k in order]


def kpi_table(ds: Dataset, view: View) -> Table:
    """The KPI cards as numbers: value, unit, 同比 (as a number, with its unit), target and completion."""
    lang = view.lang
    cols = [t(k, lang) for k in ("export_col_indicator", "export_col_value", "export_col_unit", "export_col_yoy")]
    cols += [t(k, lang) for k in ("export_col_yoy_unit", "export_col_target", "export_col_completion")]
    rows: list[list[Cell]] = []
    for k in kpi_models(ds, view.year, view.districts, lang):
        info = agg.indicator_info(ds, k.indicator) if k.indicator in _indicators(ds) else {}
        unit = str(info.get("unit_en" if lang == "en" else "unit_zh") or "")
        points = info.get("agg") == "ratio" or info.get("unit_zh") == "%" or k.indicator == "network_uptime"
        change = None if k.change is None else round(k.change, 6) if points else round(k.change * 100, 4)
        yoy_unit = "" if change is None else t("export_pp", lang) if points else "%"
        target = _target_value(ds, k.indicator, view)
        rows.append(
            [
                k.label,
                _number(k.value),
                unit or ("%" if points else ""),
                change,
                yoy_unit,
                _number(target),
                k.completion,
            ]
        )
    return Table(t("export_kpis", lang), cols, rows)


def _target_value(ds: Dataset, indicator: str, view: View) -> Cell:
    """The target the card compares with (this year's, else the plan's), or empty."""
    goal = agg.target(ds, indicator, view.year, view.districts) if indicator in _indicators(ds) else None
    return None if goal is None else float(goal[0])


def _indicators(ds: Dataset) -> set[str]:
    return set(ds.indicators["indicator"].astype(str))


def view_tables(ds: Dataset, view: View) -> list[Sheet]:
    """Every section of the page for `view`: its KPI values (the overview) and each chart's numbers."""
    sheets = []
    for section in present(ds):
        values = section.compute(ds, view, [g.id for g in section.graphs(ds)])
        tables = [kpi_table(ds, view)] if section.pinned else []
        for g in section.graphs(ds):
            fig = values.get(g.id)
            table = figure_table(fig, view.lang) if isinstance(fig, dict) else None
            if table is not None:
                tables.append(Table(g.title_text(ds, view.lang, view.year, slide=True), *table))
        if not tables:  # every chart empty for this selection: the sheet says so rather than vanishing
            tables.append(Table(t("chart_table_empty", view.lang), [], []))
        sheets.append(Sheet(section.title(view.lang), tables))
    return sheets


def header_rows(ds: Dataset, view: View, at: datetime | None = None) -> list[list[Cell]]:
    """The block above the numbers: what was exported, for which filters, from which data."""
    lang = view.lang
    names = {str(r["code"]): name(r, lang) for r in ds.district_rows}
    scope = "、".join(names[c] for c in view.districts) if view.districts else t("whole_city", lang)
    when = (at or datetime.now()).astimezone().isoformat(timespec="seconds")
    return [
        [t("export_col_city", lang), ds.meta["city_en" if lang == "en" else "city_zh"]],
        [t("year", lang), view.year],
        [t("districts", lang), scope if lang == "zh" else scope.replace("、", ", ")],
        [t("export_col_as_of", lang), ds.meta["as_of"]],
        [t("export_col_version", lang), ds.version],
        [t("export_col_exported", lang), when],
    ]


def to_csv(header: list[list[Cell]], tables: Iterable[Table]) -> bytes:
    """One CSV file (UTF-8 with BOM, so Excel shows Chinese): the header block, then each table under its title."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    for row in header:
        w.writerow([safe(c) for c in row])
    for table in tables:
        w.writerow([])
        w.writerow([safe(table.title)])
        if table.columns:
            w.writerow([safe(c) for c in table.columns])
        w.writerows([[("" if c is None else safe(c)) for c in row] for row in table.rows])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _sheet_name(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:28] or "Sheet"
    out, n = base, 2
    while out in used:
        out, n = f"{base[:25]} {n}", n + 1
    used.add(out)
    return out


def to_xlsx(header: list[list[Cell]], sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per section: the header block on top, then each table (numbers as numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(_sheet_name(sheet.name, used))
        for row in header:
            ws.append([safe(c) for c in row])
        for table in sheet.tables:
            ws.append([])
            ws.append([safe(table.title)])
            ws.cell(ws.max_row, 1).font = bold
            if table.columns:
                ws.append([safe(c) for c in table.columns])
                for cell in ws[ws.max_row]:
                    cell.font = bold
            for row in table.rows:
                ws.append([safe(c) for c in row])
        ws.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def scope_slug(ds: Dataset, districts: Sequence[str]) -> str:
    """The districts in a file name: 'city', or the codes ('330212_330281'), counted when many."""
    from components.deck import _scope

    known = set(ds.district_codes)
    return _scope([c for c in districts if c in known])


def filename(ds: Dataset, view: View, what: str, ext: str, part: str = "") -> tuple[str, str]:
    """(ASCII name, Unicode name) of an export, e.g. ('ningbo-2012-330212-data.csv', '宁波-2012-鄞州区-数据.csv');
    `part` (a tier or a station id) goes after `what`."""
    city_en = re.sub(r"[^a-z0-9]+", "-", str(ds.meta["city_en"]).lower()).strip("-") or ds.city_code
    names = {str(r["code"]): str(r["name_zh"]) for r in ds.district_rows}
    zh_scope = "全市" if not view.districts else "_".join(names[c] for c in view.districts[:4])
    if len(view.districts) > 4:
        zh_scope += f"等{len(view.districts)}个区县"
    what_zh = t(f"export_file_{what}", "zh")
    tail = f"-{re.sub(r'[^A-Za-z0-9_]+', '-', part)}" if part else ""
    ascii_name = f"{city_en}-{view.year}-{scope_slug(ds, view.districts)}-{what}{tail}.{ext}"
    return ascii_name, f"{ds.meta['city_zh']}-{view.year}-{zh_scope}-{what_zh}{tail}.{ext}"


def disposition(names: tuple[str, str]) -> str:
    """A Content-Disposition header for a download with a Chinese name and an ASCII fallback (RFC 6266)."""
    ascii_name, unicode_name = names
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name)}"
