"""The data behind a view, taken out: the KPI values and every chart's numbers as CSV and XLSX.

`view_tables(ds, view)` is pure: the same figures the page draws (each section's `compute`) read back as
tables by the same rules as the page's keyboard-reachable chart tables (components/charts/tables.py, after
assets/app.js `tableOf`), names as the data has them (no Plotly markup, no entities). The
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
from urllib.parse import quote

import pandas as pd

from components.charts import catalogue
from components.charts.figures import event_kind_name
from components.charts.kpis import view_kpis
from components.charts.tables import Cell, as_cell, figure_table
from components.core.i18n import name, t
from components.core.state import View, period_code
from components.sections import present
from data import aggregate as agg
from data.events import concerning
from data.load import Dataset
from data.periods import parse_view_period, view_label
from data.schema import NETWORK_UPTIME

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


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


def safe(cell: Cell) -> Cell:
    """A cell that no spreadsheet runs as a formula: risky text gets a leading apostrophe; numbers unchanged."""
    if isinstance(cell, str) and cell.startswith(DANGEROUS):
        return "'" + cell
    return cell


def period_text(code: str, basis: str, lang: str) -> str:
    """A card's period as people read it: '2012年', '2012年1–11月' (累计), '2012年11月' (当期)."""
    view = parse_view_period(code)
    return "" if view is None else view_label(view, "period" if basis == "period" else "ytd", lang)


def kpi_table(ds: Dataset, view: View) -> Table:
    """The KPI cards as numbers: value, unit, 同比 (as a number, with its unit), target and completion."""
    lang = view.lang
    cols = [t(k, lang) for k in ("export_col_indicator", "export_col_value", "export_col_unit", "export_col_yoy")]
    cols += [t(k, lang) for k in ("export_col_yoy_unit", "export_col_target", "export_col_completion")]
    cols += [t(k, lang) for k in ("export_col_period", "export_col_yoy_source", "export_col_schedule")]
    rows: list[list[Cell]] = []
    sources = {"reported": t("export_yoy_reported", lang), "computed": t("export_yoy_computed", lang)}
    for k in view_kpis(ds, view):
        info = agg.indicator_info(ds, k.indicator) if k.indicator in _indicators(ds) else {}
        unit = str(info.get("unit_en" if lang == "en" else "unit_zh") or "")
        points = agg.in_points(info) or k.indicator == "network_uptime"
        change = None if k.change is None else round(k.change, 6) if points else round(k.change * 100, 4)
        yoy_unit = "" if change is None else t("export_pp", lang) if points else "%"
        target = _target_value(ds, k.indicator, view)
        rows.append(
            [
                k.label,
                as_cell(k.value),
                unit or ("%" if points else ""),
                change,
                yoy_unit,
                as_cell(target),
                k.completion,
                period_text(k.period, k.basis, lang),
                sources.get(k.yoy_source, "") if k.change is not None else "",
                k.schedule,
            ]
        )
    return Table(t("export_kpis", lang), cols, rows)


def events_table(ds: Dataset, view: View) -> list[Table]:
    """The events (events.csv) that concern the view's districts, whatever their indicator; none without."""
    if not ds.event_rows:
        return []
    lang = view.lang
    districts = {str(r["code"]): name(r, lang) for r in ds.district_rows}
    rows: list[list[Cell]] = []
    for r in concerning(ds, None, view.districts):
        code, ind = (None if pd.isna(r[k]) else str(r[k]) for k in ("district", "indicator"))
        if ind == NETWORK_UPTIME:
            shown = t("kpi_network_uptime", lang)
        else:
            shown = name(agg.indicator_info(ds, ind), lang) if ind in _indicators(ds) else ind or ""
        rows.append(
            [
                r["date"].strftime("%Y-%m-%d"),
                str(r["title_en" if lang == "en" else "title_zh"]),
                event_kind_name(str(r["kind"]), lang),
                districts.get(str(code), t("whole_city", lang)) if code is not None else t("whole_city", lang),
                shown,
            ]
        )
    cols = [t(k, lang) for k in ("event_date", "event_title", "event_kind", "event_district", "event_indicator")]
    return [Table(t("events", lang), cols, rows)]


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
        tables = [kpi_table(ds, view), *events_table(ds, view)] if section.pinned else []
        tables += [Table(*own) for own in section.export_tables(ds, view)]
        for g in section.graphs(ds):
            fig = values.get(g.id)
            table = figure_table(fig, view.lang) if isinstance(fig, dict) else None
            if table is not None:
                tables.append(Table(g.title_text(ds, view.lang, view.year, slide=True, when=view.when_text), *table))
        if not tables:  # every chart empty for this selection: the sheet says so rather than vanishing
            tables.append(Table(t("chart_table_empty", view.lang), [], []))
        sheets.append(Sheet(section.title(view.lang), tables))
    return [*sheets, Sheet(t("export_catalogue", view.lang), [catalogue_table(ds, view.lang)])]


def catalogue_table(ds: Dataset, lang: str) -> Table:
    """Every indicator's 统计口径, source, frequency, how it is reported and its latest data (the ⓘ's text)."""
    keys = ["export_col_code", "export_col_indicator", "export_col_unit", "export_col_frequency"]
    keys += ["export_col_reported", "export_col_definition", "export_col_source", "export_col_latest"]
    rows: list[list[Cell]] = [
        [e.indicator, e.name, e.unit, e.frequency, e.reported, e.definition, e.source, e.latest]
        for e in catalogue.entries(ds, lang)
    ]
    return Table(t("export_catalogue", lang), [t(k, lang) for k in keys], rows)


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
    from components.exports.deck import _scope

    known = set(ds.district_codes)
    return _scope([c for c in districts if c in known])


def filename(ds: Dataset, view: View, what: str, ext: str, part: str = "") -> tuple[str, str]:
    """(ASCII name, Unicode name) of an export, e.g. ('ningbo-2012-330212-data.csv', '宁波-2012-鄞州区-数据.csv');
    a period view's ('ningbo-2012-11-city-data.csv'); `part` (a tier or a station id) goes after `what`."""
    city_en = re.sub(r"[^a-z0-9]+", "-", str(ds.meta["city_en"]).lower()).strip("-") or ds.city_code
    names = {str(r["code"]): str(r["name_zh"]) for r in ds.district_rows}
    zh_scope = "全市" if not view.districts else "_".join(names[c] for c in view.districts[:4])
    if len(view.districts) > 4:
        zh_scope += f"等{len(view.districts)}个区县"
    what_zh = t(f"export_file_{what}", "zh")
    tail = f"-{re.sub(r'[^A-Za-z0-9_]+', '-', part)}" if part else ""
    when = period_code(view.year, view.period)  # '2012', or a period view's '2012-11' / '2012-Q3'
    ascii_name = f"{city_en}-{when}-{scope_slug(ds, view.districts)}-{what}{tail}.{ext}"
    return ascii_name, f"{ds.meta['city_zh']}-{when}-{zh_scope}-{what_zh}{tail}.{ext}"


def disposition(names: tuple[str, str]) -> str:
    """A Content-Disposition header for a download with a Chinese name and an ASCII fallback (RFC 6266)."""
    ascii_name, unicode_name = names
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name)}"
