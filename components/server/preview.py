"""What an import would change, against the version served now: rows per table, the city's KPIs, warnings.

Pure functions of two datasets (the current one may be absent); the command line prints `preview_text`,
the upload page shows the same model in the page's language.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from components.charts.kpis import Kpi, kpi_models
from components.core.i18n import name, t
from data import schema
from data.load import Dataset
from data.periods import parse_period, span_label

FACTOR = 3.0  # a value that moved by more than this factor (either way) is worth a second look

FRAMES = {
    "districts.csv": "districts",
    "indicators.csv": "indicators",
    "observations.csv": "periodic",  # as published: every period
    "targets.csv": "targets",
    "peers.csv": "peers",
    "enterprises.csv": "enterprises",
    "seismic_stations.csv": "stations",
    "seismic_outages.csv": "outages",
    "events.csv": "events",
}


@dataclass(frozen=True)
class TableDiff:
    """Rows of one table added, changed (same key, other values) and removed; rows before and after."""

    file: str
    added: int
    changed: int
    removed: int
    before: int
    after: int


@dataclass(frozen=True)
class KpiChange:
    """One KPI card of the whole city: its label and value text before and after."""

    indicator: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Finding:
    """A finding worth a second look: a catalogue key and its parameters (rendered per language)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The warning as a sentence in `lang`."""
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class Preview:
    """The whole preview of one import."""

    version: str
    previous: str | None
    same: bool
    tables: list[TableDiff]
    kpi_year: tuple[int | None, int]
    kpis: list[KpiChange]
    warnings: list[Finding]
    periods: list[Finding] = field(default_factory=list)  # periods of the year new, changed or gone


def _rows(ds: Dataset | None, file: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """key -> the row's other values, for a table of a dataset (empty when absent)."""
    if ds is None or not (ds.has(file) or file in ds.tables):
        return {}
    frame: pd.DataFrame = getattr(ds, FRAMES[file])
    table = schema.TABLES_BY_FILE[file]
    cols = [c for c in table.names if c in frame.columns]
    rest = [c for c in cols if c not in table.key]
    out = {}
    for rec in frame[cols].itertuples(index=False, name=None):
        row = dict(zip(cols, rec, strict=True))
        out[tuple(_plain(row[k]) for k in table.key)] = tuple(_plain(row[c]) for c in rest)
    return out


def _plain(v: Any) -> Any:
    """A cell comparable across loads: NaN and None alike, numbers as floats."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return float(v)
    return str(v)


def table_diffs(before: Dataset | None, after: Dataset) -> list[TableDiff]:
    """Per contract table present in either dataset: rows added, changed and removed."""
    out = []
    for file in FRAMES:
        old, new = _rows(before, file), _rows(after, file)
        if not old and not new:
            continue
        added = sum(1 for k in new if k not in old)
        removed = sum(1 for k in old if k not in new)
        changed = sum(1 for k, v in new.items() if k in old and old[k] != v)
        out.append(TableDiff(file, added, changed, removed, len(old), len(new)))
    return out


def kpi_changes(before: Dataset | None, after: Dataset, lang: str) -> tuple[tuple[int | None, int], list[KpiChange]]:
    """The whole city's KPI cards at each dataset's latest year: (years, label and value before → after)."""
    year = after.years[-1]
    new = kpi_models(after, year, [], lang)
    old_year: int | None = None
    old: dict[str, Kpi] = {}
    if before is not None:
        old_year = before.years[-1]
        old = {k.indicator: k for k in kpi_models(before, old_year, [], lang)}
    out = [
        KpiChange(k.indicator, k.label, old[k.indicator].value_text if k.indicator in old else "—", k.value_text)
        for k in new
    ]
    out += [KpiChange(i, k.label, k.value_text, "—") for i, k in old.items() if i not in {n.indicator for n in new}]
    return (old_year, year), out


def _listing(names: list[str], lang: str, most: int = 6) -> str:
    """Names joined for a sentence, the rest counted ('甲、乙 等12个' / 'A, B and 10 more')."""
    sep = "、" if lang == "zh" else ", "
    shown = sep.join(names[:most])
    if len(names) <= most:
        return shown
    rest = len(names) - most
    return f"{shown} 等{len(names)}个" if lang == "zh" else f"{shown} and {rest} more"


def warnings(before: Dataset | None, after: Dataset, lang: str) -> list[Finding]:
    """Years, districts and indicators that disappeared; values that moved by more than `FACTOR`."""
    if before is None:
        return []
    out: list[Finding] = []
    gone_years = sorted(set(before.years) - set(after.years))
    if gone_years:
        out.append(Finding("import_warn_years", {"years": _listing([str(y) for y in gone_years], lang)}))
    names = {str(r["code"]): name(r, lang) for r in before.district_rows}
    gone = [c for c in before.district_codes if c not in set(after.district_codes)]
    if gone:
        out.append(Finding("import_warn_districts", {"districts": _listing([names[c] for c in gone], lang)}))
    old_ind = {str(r["indicator"]): r for r in before.indicators.to_dict("records")}
    gone_ind = [i for i in old_ind if i not in set(after.indicators["indicator"].astype(str))]
    if gone_ind:
        out.append(
            Finding(
                "import_warn_indicators", {"indicators": _listing([name(old_ind[i], lang) for i in gone_ind], lang)}
            )
        )
    key = ["indicator", "district", "year"]
    merged = before.observations[[*key, "value"]].merge(
        after.observations[[*key, "value"]], on=key, suffixes=("_old", "_new")
    )
    merged = merged[(merged["value_old"] > 0) & (merged["value_new"] > 0)]
    ratio = merged["value_new"] / merged["value_old"]
    moved = merged[(ratio > FACTOR) | (ratio < 1 / FACTOR)]
    labels = {str(r["code"]): name(r, lang) for r in after.district_rows} | {after.city_code: t("whole_city", lang)}
    for rec in moved.head(10).to_dict("records"):
        info = old_ind.get(str(rec["indicator"]))
        out.append(
            Finding(
                "import_warn_moved",
                {
                    "indicator": name(info, lang) if info else rec["indicator"],
                    "district": labels.get(str(rec["district"]), str(rec["district"])),
                    "year": int(rec["year"]),
                    "before": f"{rec['value_old']:,.6g}",
                    "after": f"{rec['value_new']:,.6g}",
                },
            )
        )
    if len(moved) > 10:
        out.append(Finding("import_warn_moved_more", {"n": len(moved) - 10}))
    return out


def _periods(ds: Dataset | None) -> dict[tuple[int, str], set[tuple[Any, ...]]]:
    """(year, period code) -> its rows (indicator, district, value, published growth), for rows within a year."""
    if ds is None or ds.periodic.empty:
        return {}
    frame = ds.periodic.loc[ds.periodic["period"].notna()]
    out: dict[tuple[int, str], set[tuple[Any, ...]]] = {}
    for ind, district, year, value, code, yoy in frame[
        ["indicator", "district", "year", "value", "period", "yoy_reported"]
    ].itertuples(index=False):
        out.setdefault((int(year), str(code)), set()).add((ind, district, _plain(value), _plain(yoy)))
    return out


def period_changes(before: Dataset | None, after: Dataset, lang: str) -> list[Finding]:
    """Which periods within a year the import adds, changes and removes ('2012年11月'), and what the checks
    warn of (an annual row revising its months)."""
    old, new = _periods(before), _periods(after)

    def named(keys: list[tuple[int, str]]) -> str:
        return _listing([span_label(y, parse_period(code), lang) for y, code in sorted(keys, key=_order)], lang)

    out = []
    for key, found in (
        ("import_periods_new", [k for k in new if k not in old]),
        ("import_periods_changed", [k for k in new if k in old and new[k] != old[k]]),
        ("import_periods_gone", [k for k in old if k not in new]),
    ):
        if found:
            out.append(Finding(key, {"periods": named(found)}))
    out += [Finding("import_warn_check", {"message": f"{w.file}:{w.line} {w.message}"}) for w in after.warnings]
    return out


def _order(key: tuple[int, str]) -> tuple[int, int, int]:
    span = parse_period(key[1])
    return key[0], span.last, span.first


def preview(before: Dataset | None, after: Dataset, lang: str = "zh") -> Preview:
    """Everything an analyst sees before publishing `after` over `before`."""
    years, kpis = kpi_changes(before, after, lang)
    return Preview(
        version=after.version,
        previous=before.version if before is not None else None,
        same=before is not None and before.version == after.version,
        tables=table_diffs(before, after),
        kpi_year=years,
        kpis=kpis,
        warnings=warnings(before, after, lang),
        periods=period_changes(before, after, lang),
    )


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def preview_text(p: Preview, lang: str = "zh") -> str:
    """The preview for the command line."""
    lines = [t("import_versions", lang, before=p.previous or "—", after=p.version)]
    if p.same:
        lines.append("    " + t("import_same", lang))
    lines.append(t("import_tables", lang))
    for d in p.tables:
        lines.append(
            f"    {d.file:<24}"
            + t(
                "import_table_row",
                lang,
                added=d.added,
                changed=d.changed,
                removed=d.removed,
                before=d.before,
                after=d.after,
            )
        )
    old_year, year = p.kpi_year
    lines.append(t("import_kpis", lang, before=old_year if old_year is not None else "—", after=year))
    width = max((_width(k.label) for k in p.kpis), default=0)
    for k in p.kpis:
        mark = "" if k.before == k.after else "  *"
        pad = " " * (width - _width(k.label))
        lines.append(f"    {k.label}{pad}  {k.before} → {k.after}{mark}")
    if p.periods:
        lines.append(t("import_periods", lang))
        lines += [f"    {f.text(lang)}" for f in p.periods]
    if p.warnings:
        lines.append(t("import_warnings", lang))
        lines += [f"    ! {w.text(lang)}" for w in p.warnings]
    return "\n".join(lines)
