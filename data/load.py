"""Validate a dataset from a source (data/source.py) into typed pandas frames (no dash import).

Validation works on the rows a source gives and collects every problem it finds (up to a cap),
each naming the file, the 1-based line, the column, the bad value and what was expected, e.g.
``observations.csv:17: column 'value': 'abc' is not a number``. Required files: dataset.json,
districts.csv, indicators.csv, observations.csv; the others are optional (a missing one means its
feature is absent), with seismic stations and outages present together.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from data import period_rows, schema
from data.index import Index, build_index
from data.parse import (  # noqa: F401  (Issue, DatasetError, cell_text: part of this module's API)
    CODE,
    FALSE_WORDS,
    MAX_ERRORS,
    SHANGHAI,
    TRUE_WORDS,
    Collector,
    DatasetError,
    Issue,
    Rows,
    cell_text,
    check_keys,
    read_table,
    shown,
)
from data.periods import Series
from data.rules import DEFAULT_THRESHOLDS, Thresholds
from data.schema import Table
from data.source import DirectorySource, Source, decode  # noqa: F401  (decode: part of this module's API)


@dataclass(frozen=True)
class Dataset:
    """A validated dataset: metadata, one typed frame per table (empty when absent), a content-hash version.

    `tables` holds the rows per file for the files present; optional files may be absent.
    """

    origin: str
    meta: dict[str, Any]
    version: str
    districts: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame  # the whole years (annual rows, and complete years of period rows)
    targets: pd.DataFrame
    peers: pd.DataFrame
    enterprises: pd.DataFrame
    stations: pd.DataFrame
    outages: pd.DataFrame
    events: pd.DataFrame
    tables: dict[str, int] = field(default_factory=dict)
    # observations.csv as published, every period (contract v2: `period`, `yoy_reported`); data/periods.py reads it
    periodic: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    warnings: tuple[Issue, ...] = ()  # what `app.py check` reports without refusing the data
    series: Mapping[str, Series] = field(default_factory=dict, repr=False, compare=False)  # `periodic` by indicator
    periods: Mapping[int, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)  # 'Q1', 'M11'…
    index: Index | None = field(default=None, repr=False, compare=False)
    # The app's status thresholds (Settings; not data: the version does not cover them, the cache key does).
    thresholds: Thresholds = field(default=DEFAULT_THRESHOLDS, repr=False, compare=False)

    @property
    def city_code(self) -> str:
        return str(self.meta["city_code"])

    @property
    def years(self) -> list[int]:
        """Years that have observations, ascending."""
        return list(self._years)

    @cached_property
    def _years(self) -> tuple[int, ...]:
        return tuple(sorted(int(y) for y in self.observations["year"].unique()))

    @property
    def district_codes(self) -> list[str]:
        """District codes in file order."""
        return list(self._district_codes)

    @cached_property
    def _district_codes(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.districts["code"])

    @cached_property
    def district_rows(self) -> tuple[dict[str, Any], ...]:
        """districts.csv as records (read on every request: built once)."""
        return tuple(self.districts.to_dict("records"))

    @cached_property
    def station_rows(self) -> tuple[dict[str, Any], ...]:
        """seismic_stations.csv as records (built once)."""
        return tuple(self.stations.to_dict("records"))

    @cached_property
    def event_rows(self) -> tuple[dict[str, Any], ...]:
        """events.csv as records in date order, each with its row number in `events` as `row` (built once)."""
        records = self.events.to_dict("records")
        return tuple(
            {**{k: None if v is None or v is pd.NaT or v != v else v for k, v in r.items()}, "row": i}
            for i, r in enumerate(records)
        )

    @cached_property
    def years_by_district(self) -> dict[str, frozenset[int]]:
        """The years in which each district (and the city row) has any observation (read on every request)."""
        obs = self.observations
        pairs = obs[["district", "year"]].drop_duplicates()
        out: dict[str, set[int]] = {}
        for code, year in zip(pairs["district"], pairs["year"], strict=True):
            out.setdefault(str(code), set()).add(int(year))
        return {code: frozenset(years) for code, years in out.items()}

    def has(self, file: str) -> bool:
        """Whether the optional file is present with at least one row (its feature can be shown)."""
        return self.tables.get(file, 0) > 0

    @property
    def plans(self) -> list[dict[str, Any]]:
        """Named plan periods from dataset.json (may be empty)."""
        return list(self.meta.get("plans") or [])


def _meta_json(source: Source, out: Collector) -> Any:
    """dataset.json parsed, or None (reported) when it is missing, unreadable or not JSON."""
    if not source.exists(schema.META_FILE):
        out.add(schema.META_FILE, None, None, "file is missing")
        return None
    text = source.meta_text(out.add)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        out.add(schema.META_FILE, None, None, f"is not valid JSON ({exc})")
        return None


def _city_code(meta: Any) -> str | None:
    """The city code of dataset.json when it is readable and valid, whatever else is wrong with the file."""
    code = meta.get("city_code") if isinstance(meta, dict) else None
    return code if isinstance(code, str) and CODE.match(code) else None


def _check_plans(plans: object, out: Collector) -> bool:
    """`plans`: a list of {"name_zh", "name_en", "year"} objects with distinct years."""
    if not isinstance(plans, list):
        out.add(schema.META_FILE, None, "plans", "must be a list of {name_zh, name_en, year} objects")
        return False
    good, years = True, set()
    for i, plan in enumerate(plans, start=1):
        if not isinstance(plan, dict):
            out.add(schema.META_FILE, None, "plans", f"item {i} must be an object with name_zh, name_en, year")
            good = False
            continue
        for key in ("name_zh", "name_en"):
            if not isinstance(plan.get(key), str) or not plan[key].strip():
                out.add(schema.META_FILE, None, "plans", f"item {i}: {key!r} must be a non-empty text")
                good = False
        year = plan.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not schema.YEAR_MIN <= year <= schema.YEAR_MAX:
            out.add(schema.META_FILE, None, "plans", f"item {i}: 'year' {year!r} is not a year")
            good = False
        elif year in years:
            out.add(schema.META_FILE, None, "plans", f"item {i}: a second plan ends in {year}")
            good = False
        else:
            years.add(year)
    return good


def _check_meta(meta: Any, out: Collector) -> dict[str, Any] | None:
    if meta is None:
        return None
    if not isinstance(meta, dict):
        out.add(schema.META_FILE, None, None, "must be a JSON object")
        return None
    good = True
    for name, typ in schema.META_FIELDS.items():
        if name not in meta:
            out.add(schema.META_FILE, None, name, "field is missing")
            good = False
        elif not isinstance(meta[name], typ):
            out.add(schema.META_FILE, None, name, f"{meta[name]!r} is not a {typ.__name__}")
            good = False
    if not good:
        return None
    if not CODE.match(meta["city_code"]):
        out.add(schema.META_FILE, None, "city_code", f"{meta['city_code']!r} is not a 6-digit GB/T 2260 code")
        good = False
    try:
        date.fromisoformat(meta["as_of"])
    except ValueError:
        out.add(schema.META_FILE, None, "as_of", f"{meta['as_of']!r} is not an ISO date (YYYY-MM-DD)")
        good = False
    kpis = meta.get("kpis")
    if kpis is not None and (
        not isinstance(kpis, list) or not kpis or not all(isinstance(k, str) and k.strip() for k in kpis)
    ):
        out.add(schema.META_FILE, None, "kpis", "must be a non-empty list of indicator ids")
        good = False
    elif kpis is not None and len(set(kpis)) != len(kpis):
        out.add(schema.META_FILE, None, "kpis", "lists an indicator twice")
        good = False
    if "plans" in meta and not _check_plans(meta["plans"], out):
        good = False
    return meta if good else None


def _showable(parsed: dict[str, Rows | None]) -> set[str]:
    """Indicator ids the dataset can show: indicators.csv's (the pipeline tiers only with enterprises.csv),
    and network_uptime with the station tables."""
    tiers = set(schema.TIER_INDICATORS.values())
    known = {r["indicator"] for _, r in parsed.get("indicators.csv") or []} - tiers
    if parsed.get("enterprises.csv"):
        known |= tiers
    if parsed.get("seismic_stations.csv"):
        known.add(schema.NETWORK_UPTIME)
    return known


def _check_events(
    rows: Rows | None, parsed: dict[str, Rows | None], districts: set[str], city: str | None, out: Collector
) -> None:
    """An event's district is a district or the city code; its indicator one of indicators.csv, a pipeline tier
    or network_uptime (an event of a feature whose optional table is absent is drawn nowhere, not an error)."""
    if not rows:
        return
    known = None
    if parsed.get("indicators.csv") is not None:
        known = {r["indicator"] for _, r in parsed["indicators.csv"] or []}
        known |= {*schema.TIER_INDICATORS.values(), schema.NETWORK_UPTIME}
    for line, r in rows:
        code = r["district"]
        if code is not None and districts and code not in districts and code != city:
            out.add("events.csv", line, "district", f"{code!r} is neither a district nor the city code")
        ind = r["indicator"]
        if ind is not None and known is not None and ind not in known:
            out.add(
                "events.csv",
                line,
                "indicator",
                f"{shown(ind)} is not an indicator of indicators.csv (nor a pipeline tier or {schema.NETWORK_UPTIME})",
            )


def _check_kpis(meta: dict[str, Any] | None, parsed: dict[str, Rows | None], out: Collector) -> None:
    """Every KPI id names an indicator the dataset can show."""
    kpis = (meta or {}).get("kpis")
    if not isinstance(kpis, list) or parsed.get("indicators.csv") is None:
        return
    known = _showable(parsed)
    for kpi in kpis:
        if kpi not in known:
            out.add(
                schema.META_FILE,
                None,
                "kpis",
                f"{shown(str(kpi))} is not an indicator of indicators.csv (nor a pipeline tier or "
                f"{schema.NETWORK_UPTIME} with their tables)",
            )


def _check_rules(
    city: str | None,
    parsed: dict[str, list[tuple[int, dict[str, Any]]] | None],
    seen_values: dict[tuple[str, str], set[str]],
    out: Collector,
    warn: Collector,
    groups: period_rows.Groups,
) -> None:
    """Cross-file references and rules that involve several columns or files."""
    for table in schema.TABLES:
        rows = parsed.get(table.file)
        if rows is None:
            continue
        for ref in table.references:
            if parsed.get(ref.target) is None:
                continue
            known = seen_values.get((ref.target, ref.target_column), set())
            for line, row in rows:
                v = row[ref.column]
                if v is not None and v not in known:
                    out.add(table.file, line, ref.column, f"{shown(str(v))} is not defined in {ref.target}")
    districts = seen_values.get(("districts.csv", "code"), set()) if parsed.get("districts.csv") else set()
    inds = {r["indicator"]: r for _, r in parsed.get("indicators.csv") or []}
    for line, r in parsed.get("indicators.csv") or []:
        if r["agg"] == "ratio":
            for part in ("numerator", "denominator"):
                if r[part] is None:
                    out.add("indicators.csv", line, part, "is empty (a ratio indicator needs one)")
                elif r[part] in inds and inds[r[part]]["agg"] != "sum":
                    out.add("indicators.csv", line, part, f"{r[part]!r} must be a 'sum' indicator")
    if city and city in districts:
        out.add(schema.META_FILE, None, "city_code", f"{city!r} is also listed as a district in districts.csv")
    _check_observations(parsed.get("observations.csv"), inds, districts, city, out)
    period_rows.check(groups, inds, out.add, warn.add)
    for line, r in parsed.get("targets.csv") or []:
        if districts and r["district"] not in districts and r["district"] != city:
            out.add("targets.csv", line, "district", f"{r['district']!r} is neither a district nor the city code")
    _check_events(parsed.get("events.csv"), parsed, districts, city, out)
    _check_certifications(parsed.get("enterprises.csv") or [], out)
    for line, r in parsed.get("enterprises.csv") or []:
        if r["year_to"] is not None and r["year_to"] < r["year_from"]:
            out.add("enterprises.csv", line, "year_to", f"{r['year_to']} is before year_from {r['year_from']}")
    for line, r in parsed.get("seismic_outages.csv") or []:
        if r["end"] <= r["start"]:
            out.add("seismic_outages.csv", line, "end", f"'{r['end']}' is not after start '{r['start']}'")


def _check_certifications(rows: list[tuple[int, dict[str, Any]]], out: Collector) -> None:
    """One firm cannot hold the same tier twice at once (it would be counted twice)."""
    spans: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    for line, r in rows:
        end = float("inf") if r["year_to"] is None else r["year_to"]
        spans.setdefault((r["enterprise_id"], r["tier"]), []).append((r["year_from"], line, end))
    for (firm, tier), items in spans.items():
        items.sort()
        for (_, first_line, first_end), (start, line, _) in itertools.pairwise(items):
            if start <= first_end:
                out.add(
                    "enterprises.csv",
                    line,
                    "year_from",
                    f"{start}: {firm} already holds {tier} then (certification on line {first_line})",
                )


def _check_observations(
    rows: list[tuple[int, dict[str, Any]]] | None,
    inds: dict[str, dict[str, Any]],
    districts: set[str],
    city: str | None,
    out: Collector,
) -> None:
    for line, r in rows or []:
        ind = inds.get(r["indicator"])
        if ind is None:
            continue
        agg, value = ind["agg"], r["value"]
        if r["indicator"] in schema.TIER_INDICATORS.values():
            out.add(
                "observations.csv",
                line,
                "indicator",
                f"{r['indicator']!r} is counted from enterprises.csv and takes no observations",
            )
        elif agg == "ratio":
            out.add(
                "observations.csv",
                line,
                "indicator",
                f"{r['indicator']!r} is a ratio indicator: it is computed from "
                f"{ind['numerator']} / {ind['denominator']} and takes no observations",
            )
        elif agg == "city" and city and r["district"] != city:
            out.add(
                "observations.csv",
                line,
                "district",
                f"{r['district']!r}: city-level indicator {r['indicator']!r} takes the city code {city}",
            )
        elif agg == "sum" and districts and r["district"] not in districts:
            out.add("observations.csv", line, "district", f"{r['district']!r} is not defined in districts.csv")
        if (ind["unit_zh"] or "") in schema.COUNT_UNITS:
            if value < 0 or value != int(value):
                out.add(
                    "observations.csv",
                    line,
                    "value",
                    f"{value:g} is not a count (a non-negative integer is expected for {ind['unit_zh']})",
                )
        elif agg == "sum" and value < 0:
            out.add("observations.csv", line, "value", f"{value:g} is negative (a summed indicator is >= 0)")


def _frame(table: Table, rows: list[tuple[int, dict[str, Any]]]) -> pd.DataFrame:
    df = pd.DataFrame([r for _, r in rows], columns=list(table.names))
    for col in table.columns:
        if col.kind in (schema.INT, schema.YEAR):
            df[col.name] = df[col.name].astype("Int64" if not col.required else "int64")
        elif col.kind == schema.NUM:
            df[col.name] = df[col.name].astype("float64")
        elif col.kind in (schema.DATE, schema.DATETIME):
            df[col.name] = pd.to_datetime(df[col.name])
        elif col.kind == schema.BOOL:
            df[col.name] = df[col.name].astype(bool)
    return df


def as_source(where: str | Path | Source) -> Source:
    """A Source for a directory path (the contract's native form), or the source itself."""
    if isinstance(where, str | Path):
        return DirectorySource(Path(where), schema.CONTRACT_FILES)
    return where


def _check_presence(source: Source, out: Collector) -> None:
    """Required files exist; files that go together are present together."""
    for table in schema.TABLES:
        here = source.exists(table.file)
        if not here and table.required:
            out.add(table.file, None, None, f"file is missing (expected columns: {', '.join(table.v1_names)})")
        for other in table.together:
            if here and not source.exists(other):
                out.add(other, None, None, f"file is missing ({table.file} needs it: the two come together)")


def load_dataset(where: str | Path | Source, max_errors: int = MAX_ERRORS) -> Dataset:
    """Validate and load a dataset from a directory or any Source; raise DatasetError listing every problem."""
    out = Collector(max_errors)
    if isinstance(where, str | Path) and not Path(where).is_dir():
        out.add(str(where), None, None, "is not a directory")
        raise DatasetError(out.issues, out.total)
    source = as_source(where)
    raw_meta = _meta_json(source, out)
    meta = _check_meta(raw_meta, out)
    _check_presence(source, out)
    parsed: dict[str, Rows | None] = {}
    seen_values: dict[tuple[str, str], set[str]] = {}
    present: list[str] = []
    for table in schema.TABLES:
        if not source.exists(table.file):
            continue
        present.append(table.file)
        rows = read_table(source, table, out, seen_values)
        if rows is not None:
            check_keys(table, rows, out)
        parsed[table.file] = rows
    warn = Collector(max_errors)
    groups = period_rows.group(parsed.get("observations.csv") or [])  # rows by indicator, district and year
    _check_rules(_city_code(raw_meta), parsed, seen_values, out, warn, groups)
    _check_kpis(meta, parsed, out)
    if out.total or meta is None:
        raise DatasetError(out.issues, out.total)
    frames = {t.file: _frame(t, parsed.get(t.file) or []) for t in schema.TABLES}
    indicators = frames["indicators.csv"]
    indicators["scale"] = indicators["scale"].fillna(1.0)
    periodic = frames["observations.csv"]
    inds = {r["indicator"]: r for _, r in parsed.get("indicators.csv") or []}
    whole_years = period_rows.annual(groups, inds)
    observations = _frame(schema.OBSERVATIONS, [(0, r) for r in whole_years])[list(schema.OBSERVATIONS.names[:4])]
    years = sorted(int(y) for y in observations["year"].unique())
    index = build_index(
        years,
        list(frames["districts.csv"]["code"]),
        meta["city_code"],
        indicators,
        observations,
        frames["enterprises.csv"],
        frames["seismic_stations.csv"],
        frames["seismic_outages.csv"],
        frames["targets.csv"],
    )
    return Dataset(
        origin=source.label,
        meta=meta,
        version=source.digest(),
        districts=frames["districts.csv"],
        indicators=indicators,
        observations=observations,
        targets=frames["targets.csv"],
        peers=frames["peers.csv"],
        enterprises=frames["enterprises.csv"],
        stations=frames["seismic_stations.csv"],
        outages=frames["seismic_outages.csv"],
        events=frames["events.csv"].sort_values(["date", "title_en"], ignore_index=True),
        tables={f: len(parsed.get(f) or []) for f in present},
        index=index,
        periodic=periodic,
        warnings=tuple(warn.issues),
        series=period_rows.series_of(periodic, indicators),
        periods=period_rows.sub_periods(periodic),
    )


def summary(ds: Dataset) -> str:
    """A one-screen description of a valid dataset, for `app.py check`."""
    years = ds.years
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    lines = [
        f"OK  {ds.origin}",
        f"    {ds.meta['title_zh']} — {ds.meta['city_zh']} ({ds.meta['city_en']}, {ds.city_code})",
        f"    version {ds.version}   as of {ds.meta['as_of']}   sample: {'yes' if ds.meta['sample'] else 'no'}",
        f"    years {span}   districts {len(ds.districts)}   "
        f"indicators {len(ds.indicators)}   stations {len(ds.stations)}",
        "    rows per file:",
    ]
    lines += [
        f"      {t.file:<24}{ds.tables[t.file]:>7,}" if t.file in ds.tables else f"      {t.file:<24}{'absent':>7}"
        for t in schema.TABLES
    ]
    lines += [f"WARN {w.file}:{w.line} {w.column}: {w.message}" for w in ds.warnings]
    return "\n".join(lines)
