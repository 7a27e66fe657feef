"""Pure aggregation over a loaded dataset: indicator values, growth, series, pipeline, uptime.

No dash import and no I/O: every function takes frames (or a Dataset of frames) and a
selection and returns plain numbers or new frames. "No value" is ``None``, never NaN or inf.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from data import period_reading, periods
from data.index import Index, month_bounds, union_seconds
from data.load import Dataset
from data.schema import TIER_INDICATORS, TIERS

TIER_OF = {ind: tier for tier, ind in TIER_INDICATORS.items()}

NEW, LOST = "new", "lost"


def clean(x: float | None) -> float | None:
    """Round away float noise; turn NaN/inf into None."""
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), 9)


def growth(current: float | None, previous: float | None, points: bool = False) -> float | None:
    """同比 of whole years (data/periods.py `growth`: None for a missing value or a zero base), float noise
    rounded away."""
    return clean(periods.growth(current, previous, points))


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
    return dict(_index(ds).info[indicator])


def available(ds: Dataset, indicator: str) -> bool:
    """Whether the dataset defines `indicator` and has data for it (a ratio: both parts; a tier: firms): a
    whole year, or rows through a year not yet complete (a figure published to November only)."""
    idx = _index(ds)
    info = idx.info.get(indicator)
    if info is None:
        return False
    if indicator in TIER_OF:
        return ds.has("enterprises.csv")
    if info["agg"] == "sum":
        return indicator in idx.sums or period_reading.has_months(ds, indicator)
    if info["agg"] == "city":
        return bool(idx.city.get(indicator)) or period_reading.has_months(ds, indicator)
    parts = (str(info["numerator"]), str(info["denominator"]))
    return all(p in idx.sums for p in parts) or period_reading.has_months(ds, indicator)


def by_district_available(ds: Dataset, indicator: str) -> bool:
    """Whether `indicator` has values per district (not a city-only indicator)."""
    return available(ds, indicator) and (indicator in TIER_OF or _index(ds).info[indicator]["agg"] != "city")


def indicators_with_data(ds: Dataset) -> list[str]:
    """Every indicator the dataset can show, in indicators.csv order (then the counted pipeline tiers)."""
    return [ind for ind in _index(ds).info if available(ds, ind)]


def _scale(info: Mapping[str, object]) -> float:
    """A ratio indicator's `scale` from its indicators.csv row (a number; load_dataset makes a blank one 1.0)."""
    scale = info["scale"]
    if not isinstance(scale, str | int | float):
        raise TypeError(f"scale {scale!r} is not a number")
    return float(scale)


def _index(ds: Dataset) -> Index:
    if ds.index is None:
        raise ValueError("dataset was not built by load_dataset (no index)")
    return ds.index


def _selected(ds: Dataset, districts: Sequence[str]) -> np.ndarray:
    return _index(ds).columns(() if is_city(ds, districts) else tuple(districts))


def _series(years: Sequence[int], values: np.ndarray, keep: np.ndarray, name: str) -> pd.Series:
    out = pd.Series(
        [clean(float(v)) for v in values[keep]],
        index=pd.Index(np.asarray(years)[keep], dtype="int64"),
        name=name,
        dtype="float64",
    )
    return out.dropna()


def series(ds: Dataset, indicator: str, districts: Sequence[str] = ()) -> pd.Series:
    """Indicator value per year for a selection (index: year, ascending; only years with a value).

    sum: sum over the districts; ratio: sum(numerator) / sum(denominator) x scale over the districts
    that report both; city: the published city value, and nothing for a district selection; the five
    pipeline tiers: active certifications counted from enterprises.csv. (Computed once per dataset and
    selection; each caller gets its own copy.)
    """
    key = ("series", indicator, tuple(districts))
    return _index(ds).remember(key, lambda: _series_of(ds, indicator, districts)).copy()


def _series_of(ds: Dataset, indicator: str, districts: Sequence[str]) -> pd.Series:
    idx = _index(ds)
    info = idx.info[indicator]
    cols = _selected(ds, districts)
    years = idx.years
    if indicator in TIER_OF:
        counts = idx.tiers[:, cols, TIERS.index(TIER_OF[indicator])].sum(axis=1).astype("float64")
        return _series(years, counts, np.ones(len(years), dtype=bool), indicator)
    if info["agg"] == "city":
        if not is_city(ds, districts):
            return pd.Series(dtype="float64", name=indicator, index=pd.Index([], dtype="int64"))
        found = idx.city.get(indicator, {})
        vals = np.array([found.get(y, np.nan) for y in years])
        return _series(years, vals, ~np.isnan(vals), indicator)
    if info["agg"] == "sum":
        arr = idx.sums.get(indicator, np.full((len(years), len(idx.codes)), np.nan))[:, cols]
        present = ~np.isnan(arr)
        return _series(years, np.where(present, arr, 0).sum(axis=1), present.any(axis=1), indicator)
    empty = np.full((len(years), len(idx.codes)), np.nan)
    num = idx.sums.get(str(info["numerator"]), empty)[:, cols]
    den = idx.sums.get(str(info["denominator"]), empty)[:, cols]
    both = ~np.isnan(num) & ~np.isnan(den)
    n, d = np.where(both, num, 0).sum(axis=1), np.where(both, den, 0).sum(axis=1)
    keep = both.any(axis=1) & (d > 0)
    ratio = np.divide(n, d, out=np.zeros_like(n), where=d > 0) * _scale(info)
    return _series(years, ratio, keep, indicator)


def value(ds: Dataset, indicator: str, year: int, districts: Sequence[str] = ()) -> float | None:
    """The indicator's value for one year and selection, or None when there is none."""
    s = series(ds, indicator, districts)
    return float(s[year]) if year in s.index else None


@dataclass(frozen=True)
class Reading:
    """One headline number: value, previous year's value and their change."""

    indicator: str
    year: int
    value: float | None
    previous: float | None
    change: float | None
    change_kind: str  # "pct" (relative growth, 0.5478 = +54.78%) or "pp" (percentage points)


def in_points(info: Mapping[str, object]) -> bool:
    """Whether an indicator's change is told in (percentage) points: a ratio, or a value in %."""
    return info.get("agg") == "ratio" or info.get("unit_zh") == "%"


def reading(ds: Dataset, indicator: str, year: int, districts: Sequence[str] = ()) -> Reading:
    """Value and year-on-year change of an indicator for a selection."""
    info = indicator_info(ds, indicator)
    s = series(ds, indicator, districts)
    cur = float(s[year]) if year in s.index else None
    prev = float(s[year - 1]) if (year - 1) in s.index else None
    points = in_points(info)
    return Reading(indicator, year, cur, prev, growth(cur, prev, points), "pp" if points else "pct")


def by_district(ds: Dataset, indicator: str, year: int) -> pd.DataFrame:
    """Each district's own value for a year: columns district, value (districts without a value left out)."""
    idx = _index(ds)
    y = idx.year_pos(year)
    info = idx.info[indicator]
    if y is None or (info["agg"] == "city" and indicator not in TIER_OF):
        values = np.full(len(idx.codes), np.nan)
    elif indicator in TIER_OF:
        values = idx.tiers[y, :, TIERS.index(TIER_OF[indicator])].astype("float64")
    elif info["agg"] == "sum":
        values = idx.sums[indicator][y] if indicator in idx.sums else np.full(len(idx.codes), np.nan)
    else:
        empty = np.full((len(idx.years), len(idx.codes)), np.nan)
        num, den = idx.sums.get(str(info["numerator"]), empty)[y], idx.sums.get(str(info["denominator"]), empty)[y]
        ok = ~np.isnan(num) & ~np.isnan(den) & (np.nan_to_num(den) > 0)
        values = np.where(ok, np.divide(num, den, out=np.zeros_like(num), where=ok) * _scale(info), np.nan)
    rows = [(c, clean(float(v))) for c, v in zip(idx.codes, values, strict=True) if not np.isnan(v)]
    return pd.DataFrame(rows, columns=["district", "value"]).astype({"value": "float64"})


def target(ds: Dataset, indicator: str, year: int, districts: Sequence[str] = ()) -> tuple[float, int] | None:
    """The assessment target for the selection: (target, target year), or None.

    Whole city: the city's own target row for `year`, else the city's nearest later (plan) target,
    else for a summed indicator the sum of the districts' targets. A district selection: the sum of
    the districts' targets (summed indicators) or a single district's target (other indicators).
    """
    found = _index(ds).targets.get(indicator)
    if not found:
        return None
    agg = indicator_info(ds, indicator)["agg"]
    if is_city(ds, districts):
        plans = sorted((y, v) for (d, y), v in found.items() if d == ds.city_code and y >= year)
        if plans:
            return plans[0][1], plans[0][0]
        districts = tuple(ds.district_codes)
    if agg == "sum":
        summed = summed_target(found, districts, year)
        return None if summed is None else (summed, year)
    goals = [found[(d, year)] for d in set(districts) if (d, year) in found]
    if len(set(districts)) == 1 and len(goals) == 1:
        return goals[0], year
    return None


def summed_target(found: dict[tuple[str, int], float], districts: Iterable[str], year: int) -> float | None:
    """The sum of the districts' targets for `year` (one indicator's `found` targets by (district, year)), or
    None unless every one of them has a target that year: a partial sum is no target for the whole."""
    chosen = set(districts)
    goals = [found[(d, year)] for d in chosen if (d, year) in found]
    return clean(sum(goals)) if chosen and len(goals) == len(chosen) else None


def completion(actual: float | None, goal: float | None) -> float | None:
    """Target completion actual / target (1.0 = met), or None."""
    if actual is None or goal is None or goal <= 0:
        return None
    return clean(actual / goal)


# ---------------------------------------------------------------- the assessment scorecard (考核)

SCORECARD_COLUMNS = ("district", "indicator", "target", "actual", "completion", "rank", "status", "period", "schedule")


def assessed(ds: Dataset, year: int) -> list[str]:
    """Indicators with district assessment targets for `year`, in indicators.csv order."""
    codes = set(ds.district_codes)
    found = _index(ds).targets
    return [i for i in _index(ds).info if any(d in codes and y == year for d, y in found.get(i, {}))]


def _ranks(completion: pd.Series, higher_is_better: bool) -> pd.Series:
    """1 = best completion among the districts that have one (ties share the better rank)."""
    return completion.rank(ascending=not higher_is_better, method="min")


def paced(info: Mapping[str, object]) -> bool:
    """Whether an annual target of the indicator is read in-year against 序时进度: a flow, which accumulates
    through the year. A level (a stock) or a ratio does not: it is judged against the whole target at any time."""
    return info.get("agg") in ("sum", "city") and str(info.get("temporal") or "flow") == "flow"


def scorecard(ds: Dataset, year: int, when: periods.ViewPeriod | None = None) -> pd.DataFrame:
    """Every district with a target in `year` × every assessed indicator: target, actual (scaled unit, like the
    KPI cards), completion actual / target, rank by completion among the districts, status by the dataset's
    thresholds (a lower-is-better indicator ranks and is judged the other way round), the period the actual is
    for (`period`: '2012') and 序时进度 (`schedule`: 1 for a whole year).

    With `when` (a quarter or a month of `year`, or a year still running), each actual is the year to date at
    the period's end (`scorecard_period`): completion is of the annual target and status is judged on
    completion ÷ 序时进度.

    One row per pair, districts in districts.csv order; cells without a target or a value hold None.
    (Computed once per dataset, period and thresholds; each caller gets its own copy.)
    """
    if when is not None:
        key: tuple[object, ...] = ("scorecard", when.code, ds.thresholds.key)
        return _index(ds).remember(key, lambda: _scorecard_in_year(ds, when)).copy()
    key = ("scorecard", year, ds.thresholds.key)
    return _index(ds).remember(key, lambda: _scorecard(ds, year)).copy()


def _assessed_districts(ds: Dataset, year: int, indicators: Sequence[str]) -> list[str]:
    found = _index(ds).targets
    return [c for c in ds.district_codes if any((c, year) in found.get(i, {}) for i in indicators)]


def _scorecard(ds: Dataset, year: int) -> pd.DataFrame:
    indicators = assessed(ds, year)
    found = _index(ds).targets
    codes = _assessed_districts(ds, year, indicators)
    rows: list[list[object]] = []
    for ind in indicators:
        better = bool(indicator_info(ds, ind)["higher_is_better"])
        actual = dict(by_district(ds, ind, year).itertuples(index=False, name=None))
        goals = [found[ind].get((c, year)) for c in codes]
        values = [actual.get(c) for c in codes]
        done = [completion(a, g) for a, g in zip(values, goals, strict=True)]
        ranks = _ranks(pd.Series(done, dtype="float64"), better)
        for c, g, a, d, r in zip(codes, goals, values, done, ranks, strict=True):
            rows.append([c, ind, g, a, d, None if r != r else int(r), ds.thresholds.status(d, better), str(year), 1.0])
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS), dtype="object")


def scorecard_period(ds: Dataset, indicator: str, when: periods.ViewPeriod) -> periods.ViewPeriod | None:
    """The period an assessed indicator is read for in an in-year scorecard: the view's own when the data holds
    it; else the latest period of the same year ending before it (a quarterly figure in a November view, a
    level last reported in October), labelled as such; None when the year has none by then (an indicator
    published yearly: until its year is complete). Never a period of an earlier year: last year's actual
    against this year's target says nothing."""
    if not period_reading.has_period_data(ds, indicator):
        return when if when.last == 12 and when.year in ds.years else None
    frequency = str(indicator_info(ds, indicator).get("frequency") or "year")
    for last in range(when.last, 0, -1):  # a month inside a quarter (or inside 1–2月) cannot be told: before it
        at = when if last == when.last else periods.ViewPeriod(when.year, last, "month")
        r = period_reading.period_reading(ds, indicator, at, "ytd")
        if r.own and r.value is not None:
            code = at.code if at == when else period_reading.period_code(when.year, periods.Span(1, last), frequency)
            return periods.parse_view_period(code)
    return None


def _to_date(ds: Dataset, indicator: str, when: periods.ViewPeriod, districts: Sequence[str]) -> float | None:
    """The selection's year-to-date value at the end of `when` (a flow: 1–N月累计; a level: at the period's end;
    a ratio: of the year-to-date sums), None when the data does not hold that very period."""
    if not period_reading.has_period_data(ds, indicator):  # only for a complete year (scorecard_period)
        return value(ds, indicator, when.year, districts)
    r = period_reading.period_reading(ds, indicator, when, "ytd", districts)
    return clean(r.value) if r.own and r.value is not None else None


def _judged(
    ds: Dataset, info: Mapping[str, object], actual: float | None, goal: float | None, when: periods.ViewPeriod
) -> tuple[float | None, str | None]:
    """(completion of the annual target, status) at the end of `when`: a flow by completion ÷ 序时进度, a level or
    a ratio by its completion (as data/period_reading.progress reads it for a KPI card)."""
    better = bool(info["higher_is_better"])
    against = when if paced(info) else periods.ViewPeriod(when.year)
    p = period_reading.progress(actual, goal, against, ds.thresholds, better)
    if p is None or p.completion is None:
        return None, None
    return clean(p.completion), p.status


def _schedule(info: Mapping[str, object], when: periods.ViewPeriod) -> float:
    """序时进度 a cell is judged against: the period's for a flow, 1 (the whole target) for a level or a ratio."""
    return when.schedule if paced(info) else 1.0


def _scorecard_in_year(ds: Dataset, when: periods.ViewPeriod) -> pd.DataFrame:
    year = when.year
    indicators = assessed(ds, year)
    found = _index(ds).targets
    codes = _assessed_districts(ds, year, indicators)
    rows: list[list[object]] = []
    for ind in indicators:
        info = indicator_info(ds, ind)
        better = bool(info["higher_is_better"])
        at = scorecard_period(ds, ind, when)
        read = at or when  # no data this year: the view's period, every cell empty
        goals = [found[ind].get((c, year)) for c in codes]
        values = [None if at is None else _to_date(ds, ind, at, (c,)) for c in codes]
        judged = [_judged(ds, info, a, g, read) for a, g in zip(values, goals, strict=True)]
        ranks = _ranks(pd.Series([d for d, _ in judged], dtype="float64"), better)
        code, schedule = read.code, _schedule(info, read)
        for c, g, a, (d, s), r in zip(codes, goals, values, judged, ranks, strict=True):
            rows.append([c, ind, g, a, d, None if r != r else int(r), s, code, schedule])
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS), dtype="object")


def scorecard_totals(ds: Dataset, year: int, when: periods.ViewPeriod | None = None) -> pd.DataFrame:
    """The whole city per assessed indicator: its own target row for `year`, else (summed indicators) the sum
    of the districts' when every district has one; actual, completion and status (columns as the scorecard's,
    district = the city code, rank None). A district with a target but no value leaves the city's completion
    empty: a partial sum against the whole target would read as a shortfall. With `when`, the city's year to
    date at the period's end (a ratio: of the summed parts), as `scorecard` reads the districts."""
    found = _index(ds).targets
    year = when.year if when is not None else year
    card = scorecard(ds, year, when)
    rows = []
    for ind in assessed(ds, year):
        info = indicator_info(ds, ind)
        mine = found[ind]
        goal = mine.get((ds.city_code, year))
        if goal is None and info["agg"] == "sum":
            goal = summed_target(mine, ds.district_codes, year)
        part = card[card["indicator"] == ind]
        partial = bool((part["target"].notna() & part["actual"].isna()).any())
        if when is None:
            actual = value(ds, ind, year)
            done = None if partial else completion(actual, goal)
            status = ds.thresholds.status(done, bool(info["higher_is_better"]))
            rows.append([ds.city_code, ind, goal, actual, done, None, status, str(year), 1.0])
            continue
        at = scorecard_period(ds, ind, when)
        actual = None if at is None else _to_date(ds, ind, at, ())
        read = at or when
        done, status = (None, None) if partial else _judged(ds, info, actual, goal, read)
        rows.append([ds.city_code, ind, goal, actual, done, None, status, read.code, _schedule(info, read)])
    return pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS), dtype="object")


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
        rows.append((st, service, down, clean(1 - down / service) if service > 0 else None))
    return pd.DataFrame(rows, columns=["station", "service_s", "down_s", "uptime"])


def network_uptime(table: pd.DataFrame) -> float | None:
    """Network uptime from a station_uptime table: stations weighted by their time in service."""
    service = float(table["service_s"].sum()) if len(table) else 0.0
    if service <= 0:
        return None
    return clean(1 - float(table["down_s"].sum()) / service)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 Jan year, 1 Jan year+1)."""
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def span_bounds(year: int, span: periods.Span = periods.YEAR) -> tuple[datetime, datetime]:
    """[first day of the span's first month, first day after its last month) of `year`: 2012 1–11月 is
    [2012-01-01, 2012-12-01); the whole year is year_bounds(year)."""
    end = datetime(year + 1, 1, 1) if span.last == 12 else datetime(year, span.last + 1, 1)
    return datetime(year, span.first, 1), end


def stations_in(stations: pd.DataFrame, districts: Sequence[str]) -> pd.DataFrame:
    """Stations located in the selected districts (() = all)."""
    return stations[_in_districts(stations, districts)]


def monthly_uptime(stations: pd.DataFrame, outages: pd.DataFrame, year: int, last: int = 12) -> pd.DataFrame:
    """Station x month uptime (index station, columns 1..12); None where not in service, and for the months
    after `last` (not yet known in a view ending in that month)."""
    cols = {
        m: station_uptime(stations, outages, lo, hi).set_index("station")["uptime"]
        if m <= last
        else pd.Series(None, index=list(stations["station"]), dtype="object")
        for m, (lo, hi) in enumerate(month_bounds(year), start=1)
    }
    return pd.DataFrame(cols).reindex(list(stations["station"]))


def outages_in(outages: pd.DataFrame, stations: Sequence[str], start: datetime, end: datetime) -> pd.DataFrame:
    """Outages of `stations` overlapping [start, end), with the part inside the period (shown_start,
    shown_end) and its length duration_h."""
    o = outages[outages["station"].isin(stations) & (outages["end"] > start) & (outages["start"] < end)].copy()
    o["shown_start"], o["shown_end"] = o["start"].clip(lower=start), o["end"].clip(upper=end)
    o["duration_h"] = (o["shown_end"] - o["shown_start"]).dt.total_seconds() / 3600.0
    return o.sort_values(["start", "station"]).reset_index(drop=True)


def network_reading(
    stations: pd.DataFrame,
    outages: pd.DataFrame,
    year: int,
    districts: Sequence[str] = (),
    years: Sequence[int] | None = None,
    span: periods.Span = periods.YEAR,
) -> Reading:
    """Network uptime of the selection's stations in percent (99.95), with the change in points; over `span`
    of the year (1–11月, a quarter, a month), the change against the same months a year before.

    With `years` (the dataset's reporting years), a year outside them has no value: a year without an
    outage log is unknown, not perfect.
    """
    st = stations_in(stations, districts)

    def pct(y: int) -> float | None:
        if years is not None and y not in years:
            return None
        u = network_uptime(station_uptime(st, outages, *span_bounds(y, span)))
        return None if u is None else clean(u * 100)

    cur, prev = pct(year), pct(year - 1)
    return Reading("network_uptime", year, cur, prev, growth(cur, prev, points=True), "pp")


# ---------------------------------------------------------------- fast paths over the dataset's index
# Same results as the frame-based functions above (asserted in tests), from arrays built once per version.


def _outside_index(what: str, ds: Dataset, year: int, districts: Sequence[str], compute: Callable[[], Any]) -> Any:
    """The pipeline of a year the index does not hold (a year still running), computed from the registry once
    per dataset, year and selection (`Index.remember`) — not again for each of its months."""
    return _index(ds).remember(("pipeline", what, year, tuple(districts)), compute).copy()


def pipeline_counts(ds: Dataset, year: int, districts: Sequence[str] = ()) -> pd.Series:
    """tier_counts() for a dataset, from its index."""
    idx = _index(ds)
    y = idx.year_pos(year)
    if y is None:
        chosen = () if is_city(ds, districts) else tuple(districts)
        return _outside_index("counts", ds, year, chosen, lambda: tier_counts(ds.enterprises, year, chosen))
    counts = idx.tiers[y][_selected(ds, districts)].sum(axis=0)
    return pd.Series(counts, index=pd.Index(list(TIERS), name="tier"), name="count", dtype="int64")


def pipeline_by_district(ds: Dataset, year: int) -> pd.DataFrame:
    """tier_by_district() for a dataset (districts with no certification left out)."""
    idx = _index(ds)
    y = idx.year_pos(year)
    if y is None:
        return _outside_index("by_district", ds, year, (), lambda: tier_by_district(ds.enterprises, year))
    table = pd.DataFrame(idx.tiers[y], index=pd.Index(idx.codes, name="district"), columns=list(TIERS))
    return table[table.sum(axis=1) > 0]


def pipeline_flows(ds: Dataset, year: int, districts: Sequence[str] = ()) -> pd.DataFrame:
    """transitions() for a dataset: firms from year-1 to year (source tier or "new", target tier or "lost")."""
    idx = _index(ds)
    y = idx.year_pos(year)
    if y is None:
        chosen = () if is_city(ds, districts) else tuple(districts)
        return _outside_index("flows", ds, year, chosen, lambda: transitions(ds.enterprises, year, chosen))
    cube = idx.flows[y][_selected(ds, districts)].sum(axis=0)
    sources, targets = [*TIERS, NEW], [*TIERS, LOST]
    rows = [
        (sources[i], targets[j], int(cube[i, j]))
        for i in range(len(sources))
        for j in range(len(targets))
        if cube[i, j] > 0
    ]
    rows.sort(key=lambda r: (r[0], r[1]))
    return pd.DataFrame(rows, columns=["source", "target", "count"]).astype({"count": "int64"})


def _station_rows(ds: Dataset, districts: Sequence[str]) -> np.ndarray:
    idx = _index(ds)
    if is_city(ds, districts):
        return np.arange(len(idx.stations))
    chosen = set(districts)
    return np.array([i for i, d in enumerate(idx.station_district) if d in chosen], dtype=int)


def uptime_table(
    ds: Dataset, year: int, districts: Sequence[str] = (), span: periods.Span = periods.YEAR
) -> pd.DataFrame:
    """station_uptime() over the year (or `span` of it: the index's months first..last, which partition it)
    for the selection's stations, from the index."""
    idx = _index(ds)
    y = idx.year_pos(year)
    if y is None:
        return station_uptime(
            stations_in(ds.stations, () if is_city(ds, districts) else districts),
            ds.outages,
            *span_bounds(year, span),
        )
    rows = _station_rows(ds, districts)
    months = slice(span.first - 1, span.last)
    service = idx.service[rows, y, months].sum(axis=1)
    down = idx.down[rows, y, months].sum(axis=1)
    uptime = [clean(1 - d / s) if s > 0 else None for s, d in zip(service, down, strict=True)]
    return pd.DataFrame(
        {
            "station": [idx.stations[i] for i in rows],
            "service_s": service,
            "down_s": down,
            "uptime": pd.Series(uptime, dtype="object"),
        }
    )


def uptime_months(ds: Dataset, year: int, districts: Sequence[str] = (), last: int = 12) -> pd.DataFrame:
    """monthly_uptime() for the selection's stations, from the index (None where not in service, and after
    month `last`)."""
    idx = _index(ds)
    y = idx.year_pos(year)
    st = stations_in(ds.stations, () if is_city(ds, districts) else districts)
    if y is None:
        return monthly_uptime(st, ds.outages, year, last)
    rows = _station_rows(ds, districts)
    service, down = idx.service[rows, y], idx.down[rows, y]
    values = [
        [clean(1 - d / s) if s > 0 and m < last else None for m, (s, d) in enumerate(zip(srow, drow, strict=True))]
        for srow, drow in zip(service, down, strict=True)
    ]
    return pd.DataFrame(values, index=[idx.stations[i] for i in rows], columns=list(range(1, 13)))


def uptime_reading(ds: Dataset, year: int, districts: Sequence[str] = (), span: periods.Span = periods.YEAR) -> Reading:
    """network_reading() for a dataset, from the index: over the year, or `span` of it against the same months
    a year before."""

    def pct(y: int) -> float | None:
        u = network_uptime(uptime_table(ds, y, districts, span))
        return None if u is None else clean(u * 100)

    cur, prev = pct(year), pct(year - 1) if _index(ds).year_pos(year - 1) is not None else None
    return Reading("network_uptime", year, cur, prev, growth(cur, prev, points=True), "pp")


def pipeline_series(ds: Dataset, districts: Sequence[str] = ()) -> pd.DataFrame:
    """tier_series() over the dataset's years, from the index."""
    idx = _index(ds)
    table = idx.tiers[:, _selected(ds, districts)].sum(axis=1)
    return pd.DataFrame(table, index=pd.Index(idx.years, dtype="int64"), columns=list(TIERS)).astype("int64")
