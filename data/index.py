"""Dense arrays derived once per dataset version, so that a filter change costs array sums, not scans.

Built by the loader from the typed frames (no dash import). The reference implementations over
frames stay in data/aggregate.py; tests assert that the fast paths agree with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar, cast

import numpy as np
import pandas as pd

from data.schema import TIER_INDICATORS, TIER_NAMES, TIERS

N_TIERS = len(TIERS)
MEMO_MAX = 20_000  # remembered results per dataset (a few MB at most)
T = TypeVar("T")
NEW, LOST = N_TIERS, N_TIERS  # extra source row "new" / extra target column "lost" in the flow cube


@dataclass(frozen=True)
class Index:
    """Observations as year x district arrays, pipeline and uptime cubes over the dataset's years."""

    years: tuple[int, ...]
    codes: tuple[str, ...]
    info: dict[str, dict[str, object]]  # indicator -> its indicators.csv row
    targets: dict[str, dict[tuple[str, int], float]]  # indicator -> {(district or city code, year): target}
    sums: dict[str, np.ndarray]  # summed indicator -> [year, district] (NaN = no observation)
    city: dict[str, dict[int, float]]  # city-level indicator -> {year: value}
    tiers: np.ndarray  # [year, district, tier] active certifications
    flows: np.ndarray  # [year, district, source tier | new, target tier | lost] firms (from year-1)
    stations: tuple[str, ...]
    station_district: tuple[str, ...]
    service: np.ndarray  # [station, year, month] seconds in service
    down: np.ndarray  # [station, year, month] seconds down (union of outages)
    memo: dict[tuple[object, ...], object] = field(default_factory=dict, compare=False, repr=False)  # see remember

    def year_pos(self, year: int) -> int | None:
        """Row of `year` in the arrays, or None outside the dataset's years."""
        try:
            return self.years.index(year)
        except ValueError:
            return None

    def remember(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """`make()`, computed once per key for this dataset (a filter change asks for the same series from its
        cards, sentences and charts; pandas objects cost ~1 ms each to build). Bounded: cleared when full."""
        if key not in self.memo:
            if len(self.memo) >= MEMO_MAX:
                self.memo.clear()
            self.memo[key] = make()
        return cast("T", self.memo[key])  # the value `make` (the key's one producer) returned

    def columns(self, districts: tuple[str, ...] | list[str]) -> np.ndarray:
        """Column positions of the selected districts (all when empty)."""
        if not districts:
            return np.arange(len(self.codes))
        pos = {c: i for i, c in enumerate(self.codes)}
        return np.array(sorted({pos[c] for c in districts if c in pos}), dtype=int)


def _missing(v: object) -> bool:
    """An empty cell as pandas holds it (None, NaN or NA)."""
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def tier_info(tier: str) -> dict[str, object]:
    """An indicators.csv row for a pipeline tier the dataset does not define itself."""
    zh, en = TIER_NAMES[tier]
    return {
        "indicator": TIER_INDICATORS[tier],
        "domain": "enterprise",
        "name_zh": zh,
        "name_en": en,
        "unit_zh": "家",
        "unit_en": None,
        "agg": "sum",
        "numerator": None,
        "denominator": None,
        "scale": 1.0,
        "higher_is_better": True,
    }


def union_seconds(intervals: Iterable[tuple[datetime, datetime]], lo: datetime, hi: datetime) -> float:
    """Length in seconds of the union of intervals clipped to [lo, hi) (overlaps count once)."""
    clipped = sorted((max(s, lo), min(e, hi)) for s, e in intervals if e > lo and s < hi)
    total = 0.0
    current: tuple[datetime, datetime] | None = None  # the run of overlapping intervals being merged
    for s, e in clipped:
        if e <= s:
            continue
        if current is None or s > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (s, e)
        else:
            current = (current[0], max(current[1], e))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return total


def month_bounds(year: int) -> list[tuple[datetime, datetime]]:
    """[first day, first day of the next month) for the twelve months of `year`."""
    return [(datetime(year, m, 1), datetime(year + (m == 12), m % 12 + 1, 1)) for m in range(1, 13)]


def build_index(
    years: list[int],
    codes: list[str],
    city_code: str,
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    enterprises: pd.DataFrame,
    stations: pd.DataFrame,
    outages: pd.DataFrame,
    targets: pd.DataFrame,
) -> Index:
    """Derive the arrays from validated frames."""
    ys, cs = tuple(years), tuple(codes)
    y_pos = {y: i for i, y in enumerate(ys)}
    c_pos = {c: i for i, c in enumerate(cs)}
    sums: dict[str, np.ndarray] = {}
    city: dict[str, dict[int, float]] = {}
    agg_of = dict(zip(indicators["indicator"], indicators["agg"], strict=True))
    for ind, grp in observations.groupby("indicator", sort=False):
        if agg_of.get(ind) == "city":
            rows = grp[grp["district"] == city_code]
            city[str(ind)] = {int(y): float(v) for y, v in zip(rows["year"], rows["value"], strict=True)}
            continue
        arr = np.full((len(ys), len(cs)), np.nan)
        for y, d, v in zip(grp["year"], grp["district"], grp["value"], strict=True):
            if y in y_pos and d in c_pos:
                arr[y_pos[y], c_pos[d]] = v
        sums[str(ind)] = arr

    tier_pos = {t: i for i, t in enumerate(TIERS)}
    tiers = np.zeros((len(ys), len(cs), N_TIERS), dtype=np.int64)
    flows = np.zeros((len(ys), len(cs), N_TIERS + 1, N_TIERS + 1), dtype=np.int64)
    ent = enterprises
    y_from = ent["year_from"].to_numpy()
    y_to = ent["year_to"].astype("float64").fillna(np.inf).to_numpy()
    t_idx = ent["tier"].map(tier_pos).to_numpy()
    d_idx = ent["district"].map(c_pos).fillna(-1).astype(int).to_numpy()
    firm = ent["enterprise_id"].to_numpy()

    def active_in(year: int) -> np.ndarray:
        return (y_from <= year) & (y_to >= year)

    def highest(year: int) -> dict[str, tuple[int, int]]:
        """Each firm's highest tier active in `year`, with its district position."""
        best: dict[str, tuple[int, int]] = {}
        active = active_in(year)
        for f, t, d in zip(firm[active], t_idx[active], d_idx[active], strict=True):
            if f not in best or t > best[f][0]:
                best[f] = (int(t), int(d))
        return best

    prev = highest(ys[0] - 1) if ys else {}
    for yi, y in enumerate(ys):
        active = active_in(y) & (d_idx >= 0)
        np.add.at(tiers[yi], (d_idx[active], t_idx[active]), 1)
        now = highest(y)
        for f in now.keys() | prev.keys():
            src, dst = prev.get(f), now.get(f)
            district = dst[1] if dst is not None else src[1] if src is not None else -1  # f is in one of them
            if district < 0:
                continue
            flows[yi, district, NEW if src is None else src[0], LOST if dst is None else dst[0]] += 1
        prev = now

    st_ids = tuple(str(s) for s in stations["station"])
    service = np.zeros((len(st_ids), len(ys), 12))
    down = np.zeros((len(st_ids), len(ys), 12))
    by_station = {
        k: [
            (pd.Timestamp(a).to_pydatetime(), pd.Timestamp(b).to_pydatetime())
            for a, b in zip(g["start"], g["end"], strict=True)
        ]
        for k, g in outages.groupby("station")
    }
    for si, (st, commissioned) in enumerate(zip(st_ids, stations["commissioned"], strict=True)):
        since = pd.Timestamp(commissioned).to_pydatetime()
        logged = by_station.get(st, [])
        for yi, year in enumerate(ys):
            for mi, (lo, hi) in enumerate(month_bounds(year)):
                lo = max(lo, since)
                if hi <= lo:
                    continue
                service[si, yi, mi] = (hi - lo).total_seconds()
                down[si, yi, mi] = union_seconds(logged, lo, hi)
    info = {
        str(r["indicator"]): {k: None if _missing(v) else v for k, v in r.items()}
        for r in indicators.to_dict("records")
    }
    if len(enterprises):  # the tier indicators are counted from enterprises.csv, defined there or not
        for tier, ind in TIER_INDICATORS.items():
            info.setdefault(ind, tier_info(tier))
    goals: dict[str, dict[tuple[str, int], float]] = {}
    for ind, d, y, v in zip(targets["indicator"], targets["district"], targets["year"], targets["target"], strict=True):
        goals.setdefault(str(ind), {})[(str(d), int(y))] = float(v)
    return Index(
        ys,
        cs,
        info,
        goals,
        sums,
        city,
        tiers,
        flows,
        st_ids,
        tuple(str(d) for d in stations["district"]),
        service,
        down,
    )
