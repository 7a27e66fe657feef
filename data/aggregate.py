"""Pure aggregation over a loaded dataset: indicator values, growth, series, pipeline, uptime.

No dash import and no I/O: every function takes frames (or a Dataset of frames) and a
selection and returns plain numbers or new frames. "No value" is ``None``, never NaN or inf.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from data.load import Dataset
from data.schema import TIER_INDICATORS, TIERS

TIER_OF = {ind: tier for tier, ind in TIER_INDICATORS.items()}

NEW, LOST = "new", "lost"


def _clean(x: float | None) -> float | None:
    """Round away float noise; turn NaN/inf into None."""
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), 9)


def normalise_districts(ds: Dataset, codes: Iterable[object] | None) -> tuple[str, ...]:
    """Known district codes from `codes`, sorted and de-duplicated; () means the whole city.

    Unknown codes and non-strings are dropped; a selection of every district is the whole city.
    """
    known = set(ds.district_codes)
    chosen = sorted({c for c in (codes or ()) if isinstance(c, str) and c in known})
    return () if len(chosen) == len(known) else tuple(chosen)


def is_city(ds: Dataset, districts: Sequence[str]) -> bool:
    """True when the selection is the whole city."""
    return not districts or set(districts) >= set(ds.district_codes)


def indicator_info(ds: Dataset, indicator: str) -> dict[str, object]:
    """The indicators.csv row of `indicator` as a dict (KeyError when unknown)."""
    rows = ds.indicators[ds.indicators["indicator"] == indicator]
    if rows.empty:
        raise KeyError(indicator)
    return rows.iloc[0].to_dict()


def _sums(ds: Dataset, indicator: str, districts: Sequence[str]) -> pd.Series:
    """Per-year sum of a summed indicator over the selected districts (years with any value)."""
    obs = ds.observations
    mask = obs["indicator"] == indicator
    if not is_city(ds, districts):
        mask &= obs["district"].isin(districts)
    return obs.loc[mask].groupby("year")["value"].sum()


def _ratio_parts(ds: Dataset, num: str, den: str, districts: Sequence[str]) -> pd.DataFrame:
    """Per-year numerator and denominator sums over districts that report both."""
    obs = ds.observations
    mask = obs["indicator"].isin([num, den])
    if not is_city(ds, districts):
        mask &= obs["district"].isin(districts)
    wide = obs.loc[mask].pivot_table(index=["year", "district"], columns="indicator", values="value", aggfunc="sum")
    if num not in wide or den not in wide:
        return pd.DataFrame(columns=["num", "den"], dtype="float64")
    wide = wide.dropna(subset=[num, den])
    out = wide.groupby(level="year")[[num, den]].sum()
    return out.rename(columns={num: "num", den: "den"})


def series(ds: Dataset, indicator: str, districts: Sequence[str] = ()) -> pd.Series:
    """Indicator value per year for a selection (index: year, ascending; only years with a value).

    sum: sum over the districts; ratio: sum(numerator) / sum(denominator) x scale;
    city: the published city value, and nothing for a district selection.
    """
    info = indicator_info(ds, indicator)
    agg = info["agg"]
    if indicator in TIER_OF:
        sel = () if is_city(ds, districts) else tuple(districts)
        out = tier_series(ds.enterprises, ds.years, sel)[TIER_OF[indicator]].astype("float64")
    elif agg == "city":
        if not is_city(ds, districts):
            return pd.Series(dtype="float64", name=indicator)
        obs = ds.observations
        rows = obs[(obs["indicator"] == indicator) & (obs["district"] == ds.city_code)]
        out = rows.set_index("year")["value"].astype("float64")
    elif agg == "sum":
        out = _sums(ds, indicator, districts)
    else:
        parts = _ratio_parts(ds, str(info["numerator"]), str(info["denominator"]), districts)
        parts = parts[parts["den"] > 0]
        out = parts["num"] / parts["den"] * float(info["scale"])  # type: ignore[arg-type]
    out = out.sort_index().map(_clean).dropna().astype("float64")
    out.index = out.index.astype("int64")
    out.name = indicator
    return out


def value(ds: Dataset, indicator: str, year: int, districts: Sequence[str] = ()) -> float | None:
    """The indicator's value for one year and selection, or None when there is none."""
    s = series(ds, indicator, districts)
    return float(s[year]) if year in s.index else None


def growth(current: float | None, previous: float | None, points: bool = False) -> float | None:
    """同比: `current / previous - 1`, or with `points` (ratios, percentages) `current - previous`.

    None ("—") when either value is missing or the base is zero.
    """
    if current is None or previous is None:
        return None
    if points:
        return _clean(current - previous)
    if previous == 0:
        return None
    return _clean(current / previous - 1)


@dataclass(frozen=True)
class Reading:
    """One headline number: value, previous year's value and their change."""

    indicator: str
    year: int
    value: float | None
    previous: float | None
    change: float | None
    change_kind: str  # "pct" (relative growth, 0.5478 = +54.78%) or "pp" (percentage points)


def reading(ds: Dataset, indicator: str, year: int, districts: Sequence[str] = ()) -> Reading:
    """Value and year-on-year change of an indicator for a selection."""
    info = indicator_info(ds, indicator)
    s = series(ds, indicator, districts)
    cur = float(s[year]) if year in s.index else None
    prev = float(s[year - 1]) if (year - 1) in s.index else None
    points = info["agg"] == "ratio" or info.get("unit_zh") == "%"
    return Reading(indicator, year, cur, prev, growth(cur, prev, points), "pp" if points else "pct")


def by_district(ds: Dataset, indicator: str, year: int) -> pd.DataFrame:
    """Each district's own value for a year: columns district, value (None-free; missing rows dropped)."""
    rows = [(code, value(ds, indicator, year, (code,))) for code in ds.district_codes]
    df = pd.DataFrame([(c, v) for c, v in rows if v is not None], columns=["district", "value"])
    return df.astype({"value": "float64"})


def target(ds: Dataset, indicator: str, year: int, districts: Sequence[str] = ()) -> tuple[float, int] | None:
    """The assessment target for the selection: (target, target year), or None.

    Whole city: the city's own target row for `year`, else the city's nearest later (plan) target,
    else for a summed indicator the sum of the districts' targets. A district selection: the sum of
    the districts' targets (summed indicators) or a single district's target (other indicators).
    """
    t = ds.targets[ds.targets["indicator"] == indicator]
    if t.empty:
        return None
    agg = indicator_info(ds, indicator)["agg"]
    if is_city(ds, districts):
        own = t[(t["district"] == ds.city_code) & (t["year"] >= year)].sort_values("year")
        if not own.empty:
            return float(own.iloc[0]["target"]), int(own.iloc[0]["year"])
        districts = tuple(ds.district_codes)
    rows = t[(t["year"] == year) & t["district"].isin(districts)]
    if agg == "sum" and len(rows) == len(set(districts)) and len(rows) > 0:
        return _clean(float(rows["target"].sum())), year  # type: ignore[return-value]
    if agg != "sum" and len(districts) == 1 and len(rows) == 1:
        return float(rows.iloc[0]["target"]), year
    return None


def completion(actual: float | None, goal: float | None) -> float | None:
    """Target completion actual / target (1.0 = met), or None."""
    if actual is None or goal is None or goal <= 0:
        return None
    return _clean(actual / goal)


# ---------------------------------------------------------------- enterprise pipeline


def _active(ent: pd.DataFrame, year: int) -> pd.Series:
    return (ent["year_from"] <= year) & (ent["year_to"].isna() | (ent["year_to"] >= year))


def _in_districts(ent: pd.DataFrame, districts: Sequence[str]) -> pd.Series:
    return ent["district"].isin(districts) if districts else pd.Series(True, index=ent.index)


def tier_counts(enterprises: pd.DataFrame, year: int, districts: Sequence[str] = ()) -> pd.Series:
    """Certifications active in `year` per tier (all five tiers, in pipeline order); () = all districts."""
    ent = enterprises[_active(enterprises, year) & _in_districts(enterprises, districts)]
    return ent["tier"].value_counts().reindex(list(TIERS), fill_value=0).astype("int64")


def tier_series(enterprises: pd.DataFrame, years: Iterable[int], districts: Sequence[str] = ()) -> pd.DataFrame:
    """Tier counts for each year: index year, one column per tier."""
    rows = {int(y): tier_counts(enterprises, int(y), districts) for y in years}
    return pd.DataFrame(rows).T.reindex(columns=list(TIERS)).astype("int64")


def tier_by_district(enterprises: pd.DataFrame, year: int) -> pd.DataFrame:
    """Active certifications in `year`: index district, one column per tier."""
    ent = enterprises[_active(enterprises, year)]
    table = pd.crosstab(ent["district"], ent["tier"])
    return table.reindex(columns=list(TIERS), fill_value=0).astype("int64")


def _highest_tier(enterprises: pd.DataFrame, year: int, districts: Sequence[str]) -> pd.Series:
    ent = enterprises[_active(enterprises, year) & _in_districts(enterprises, districts)]
    rank = ent["tier"].map({t: i for i, t in enumerate(TIERS)})
    return ent.assign(rank=rank).sort_values("rank").groupby("enterprise_id")["tier"].last()


def transitions(enterprises: pd.DataFrame, year: int, districts: Sequence[str] = ()) -> pd.DataFrame:
    """How firms moved between tiers from year-1 to year: columns source, target, count.

    Each firm is placed at its highest active tier; source "new" = not certified the year before,
    target "lost" = no certification any more. Rows with a zero count are omitted.
    """
    before = _highest_tier(enterprises, year - 1, districts)
    after = _highest_tier(enterprises, year, districts)
    both = pd.concat([before.rename("source"), after.rename("target")], axis=1)
    both = both.fillna({"source": NEW, "target": LOST})
    counts = both.groupby(["source", "target"]).size().rename("count").reset_index()
    return counts.astype({"count": "int64"})


def flow_summary(flows: pd.DataFrame) -> dict[str, int]:
    """Totals of a transitions table: new, up, stayed, down, lost."""
    order = {t: i for i, t in enumerate(TIERS)}
    out = {"new": 0, "up": 0, "stayed": 0, "down": 0, "lost": 0}
    for src, dst, n in flows[["source", "target", "count"]].itertuples(index=False):
        if src == NEW:
            out["new"] += int(n)
        elif dst == LOST:
            out["lost"] += int(n)
        elif order[dst] > order[src]:
            out["up"] += int(n)
        elif order[dst] < order[src]:
            out["down"] += int(n)
        else:
            out["stayed"] += int(n)
    return out


# ---------------------------------------------------------------- seismic uptime


def union_seconds(intervals: Iterable[tuple[datetime, datetime]], lo: datetime, hi: datetime) -> float:
    """Length in seconds of the union of intervals clipped to [lo, hi)."""
    clipped = sorted((max(s, lo), min(e, hi)) for s, e in intervals if e > lo and s < hi)
    total, cur_s, cur_e = 0.0, None, None
    for s, e in clipped:
        if e <= s:
            continue
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += (cur_e - cur_s).total_seconds()
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += (cur_e - cur_s).total_seconds()
    return total


def station_uptime(stations: pd.DataFrame, outages: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """Per station over [start, end): service_s (since commissioning), down_s (union of outages), uptime.

    uptime is None for a station not yet in service during the period.
    """
    by_station = {k: list(zip(g["start"], g["end"], strict=True)) for k, g in outages.groupby("station")}
    rows = []
    for st, commissioned in zip(stations["station"], stations["commissioned"], strict=True):
        lo = max(start, pd.Timestamp(commissioned).to_pydatetime())
        service = max((end - lo).total_seconds(), 0.0)
        down = (
            union_seconds(
                ((pd.Timestamp(s).to_pydatetime(), pd.Timestamp(e).to_pydatetime()) for s, e in by_station.get(st, [])),
                lo,
                end,
            )
            if service > 0
            else 0.0
        )
        rows.append((st, service, down, _clean(1 - down / service) if service > 0 else None))
    return pd.DataFrame(rows, columns=["station", "service_s", "down_s", "uptime"])


def network_uptime(table: pd.DataFrame) -> float | None:
    """Network uptime from a station_uptime table: stations weighted by their time in service."""
    service = float(table["service_s"].sum()) if len(table) else 0.0
    if service <= 0:
        return None
    return _clean(1 - float(table["down_s"].sum()) / service)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 Jan year, 1 Jan year+1)."""
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def stations_in(stations: pd.DataFrame, districts: Sequence[str]) -> pd.DataFrame:
    """Stations located in the selected districts (() = all)."""
    return stations[_in_districts(stations, districts)]


def monthly_uptime(stations: pd.DataFrame, outages: pd.DataFrame, year: int) -> pd.DataFrame:
    """Station x month uptime (index station, columns 1..12); None where not in service."""
    cols = {}
    for m in range(1, 13):
        lo = datetime(year, m, 1)
        hi = datetime(year + (m == 12), m % 12 + 1, 1)
        cols[m] = station_uptime(stations, outages, lo, hi).set_index("station")["uptime"]
    return pd.DataFrame(cols).reindex(list(stations["station"]))


def outages_in(outages: pd.DataFrame, stations: Sequence[str], start: datetime, end: datetime) -> pd.DataFrame:
    """Outages of `stations` overlapping [start, end), with duration_h of the part inside the period."""
    o = outages[outages["station"].isin(stations) & (outages["end"] > start) & (outages["start"] < end)].copy()
    clipped = o["end"].clip(upper=end) - o["start"].clip(lower=start)
    o["duration_h"] = clipped.dt.total_seconds() / 3600.0
    return o.sort_values(["start", "station"]).reset_index(drop=True)


def network_reading(stations: pd.DataFrame, outages: pd.DataFrame, year: int, districts: Sequence[str] = ()) -> Reading:
    """Network uptime of the selection's stations in percent (99.95), with the change in points."""
    st = stations_in(stations, districts)

    def pct(y: int) -> float | None:
        u = network_uptime(station_uptime(st, outages, *year_bounds(y)))
        return None if u is None else _clean(u * 100)

    cur, prev = pct(year), pct(year - 1)
    return Reading("network_uptime", year, cur, prev, growth(cur, prev, points=True), "pp")
