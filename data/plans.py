"""Plan trajectories and peer gaps (pure: a dataset and a selection in, plain numbers out; no dash import).

A plan target is a target in a year later than the indicator's latest year with data: the city's own row for
the whole city, a district's own row (or, for a summed indicator, every selected district's) for a district
selection. Its trajectory runs from the latest actual value to the target: linear in percentage points for
shares and intensities, in places for ranks, and at a compound annual growth rate for amounts and counts.
A peer gap compares the whole city with another city, like for like in the peer's year where the city has a
value that year, else in the city's nearest year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from data import aggregate as agg
from data.aggregate import clean
from data.load import Dataset

PACE_YEARS = 5  # the current pace: the average annual change over the last five years with data (one plan period)
PP, PCT, RANK = "pp", "pct", "rank"  # points (shares, intensities), relative growth (amounts, counts), places


def change_kind(info: Mapping[str, object]) -> str:
    """How an indicator changes: 'pp' for ratios and % (points), 'rank' for ranks (位), 'pct' for the rest."""
    if agg.in_points(info):
        return PP
    if info.get("unit_zh") == "位":
        return RANK
    return PCT


def higher_is_better(info: Mapping[str, object]) -> bool:
    """Whether a higher value is better (indicators.csv higher_is_better; true when not given)."""
    value = info.get("higher_is_better")
    return True if value is None else bool(value)


def average_change(first: tuple[int, float], last: tuple[int, float], kind: str) -> float | None:
    """The average annual change from `first` to `last` ((year, value) each): points or places a year, or the
    compound annual growth rate for 'pct' (None from a zero or negative base, or with no years between)."""
    (y0, v0), (y1, v1) = first, last
    years = y1 - y0
    if years <= 0:
        return None
    if kind != PCT:
        return clean((v1 - v0) / years)
    if v0 <= 0 or v1 <= 0:
        return None
    return clean((v1 / v0) ** (1 / years) - 1)


def step(start: float, change: float, years: int, kind: str) -> float | None:
    """The value `years` years after `start` at an average annual `change` (points, places, or growth rate)."""
    if kind == PCT:
        return clean(start * (1 + change) ** years)
    return clean(start + change * years)


def interpolated(start: float, end: float, share: float, kind: str) -> float:
    """The value `share` (0..1) of the way from `start` to `end`: straight for points and places, at a constant
    growth rate for 'pct' (straight too from a zero or negative base, where there is no growth rate)."""
    if kind == PCT and start > 0 and end > 0:
        return float(clean(start * (end / start) ** share) or 0.0)
    return float(clean(start + (end - start) * share) or 0.0)


def reached(value: float, goal: float, better_up: bool) -> bool:
    """Whether `value` meets `goal` (at or above it, or at or below it for a lower-is-better indicator)."""
    return value >= goal - 1e-9 if better_up else value <= goal + 1e-9


@dataclass(frozen=True)
class Trajectory:
    """The way from the latest actual value to a plan target, and whether the current pace gets there."""

    indicator: str
    start_year: int
    start: float
    year: int  # the target year
    target: float
    kind: str  # 'pp', 'rank' (linear) or 'pct' (compound growth)
    required: float | None  # average annual change needed (points, places, or growth rate; None: zero base)
    path: tuple[tuple[int, float], ...]  # (year, value) from start_year to the target year
    pace: float | None  # the average annual change over the last years with data (same kind as `required`)
    pace_from: int | None  # the first year of that pace
    projected: float | None  # the value in the target year at that pace
    better_up: bool  # higher is better
    met: bool  # the latest value already meets the target

    @property
    def on_pace(self) -> bool | None:
        """Whether the current pace reaches the target by its year (None when there is no pace)."""
        return None if self.projected is None else reached(self.projected, self.target, self.better_up)


def plan_target(ds: Dataset, indicator: str, districts: Sequence[str] = ()) -> tuple[float, int] | None:
    """(target, year) of the nearest target after the selection's latest year with data, or None.

    Whole city: the city's own target rows. A district selection: one district's own row, or for a summed
    indicator the sum when every selected district has one for that year (the city's plan is not theirs).
    """
    if ds.index is None:
        raise ValueError("dataset was not built by load_dataset (no index)")
    found = ds.index.targets.get(indicator)
    s = agg.series(ds, indicator, districts) if found else None
    if not found or s is None or s.empty:
        return None
    last = int(s.index[-1])
    if agg.is_city(ds, districts):
        later = sorted((y, v) for (d, y), v in found.items() if d == ds.city_code and y > last)
        return (later[0][1], later[0][0]) if later else None
    chosen = set(districts)
    summed = agg.indicator_info(ds, indicator)["agg"] == "sum"
    for year in sorted({y for (d, y) in found if d in chosen and y > last}):
        goals = [found[(d, year)] for d in chosen if (d, year) in found]
        if len(chosen) == 1:
            return goals[0], year
        if summed and len(goals) == len(chosen):
            return float(clean(sum(goals)) or 0.0), year
    return None


def trajectory_of(series: pd.Series, goal: tuple[float, int], info: Mapping[str, object]) -> Trajectory | None:
    """The trajectory from the last value of `series` (index year) to `goal` (target, year); None when the
    target year is not after the series' last year or the series is empty."""
    if series.empty:
        return None
    y0, v0 = int(series.index[-1]), float(series.iloc[-1])
    target, year = float(goal[0]), int(goal[1])
    if year <= y0:
        return None
    kind, up = change_kind(info), higher_is_better(info)
    required = average_change((y0, v0), (year, target), kind)
    path = tuple((y, interpolated(v0, target, (y - y0) / (year - y0), kind)) for y in range(y0, year))
    path = (*path, (year, target))
    window = series[series.index >= y0 - (PACE_YEARS - 1)]
    first = (int(window.index[0]), float(window.iloc[0]))
    pace = average_change(first, (y0, v0), kind)
    projected = None if pace is None else step(v0, pace, year - y0, kind)
    indicator = str(info.get("indicator") or series.name or "")
    return Trajectory(
        indicator,
        y0,
        v0,
        year,
        target,
        kind,
        required,
        path,
        pace,
        first[0] if pace is not None else None,
        projected,
        up,
        reached(v0, target, up),
    )


def trajectory(ds: Dataset, indicator: str, districts: Sequence[str] = ()) -> Trajectory | None:
    """The selection's trajectory to its plan target for `indicator`, or None (no plan target, no data)."""
    if not agg.available(ds, indicator):
        return None
    goal = plan_target(ds, indicator, districts)
    if goal is None:
        return None
    info = {**agg.indicator_info(ds, indicator), "indicator": indicator}
    return trajectory_of(agg.series(ds, indicator, districts), goal, info)


def trajectories(ds: Dataset, districts: Sequence[str] = ()) -> tuple[Trajectory, ...]:
    """Every plan trajectory of the selection, in indicators.csv order (computed once per dataset and selection)."""
    index = ds.index
    if index is None:
        raise ValueError("dataset was not built by load_dataset (no index)")
    key = ("plans.trajectories", tuple(districts))

    def make() -> tuple[Trajectory, ...]:
        found = [trajectory(ds, i, districts) for i in agg.indicators_with_data(ds) if i in index.targets]
        return tuple(t for t in found if t is not None)

    return index.remember(key, make)


@dataclass(frozen=True)
class PeerGap:
    """The whole city against one peer city's value for one indicator."""

    indicator: str
    peer_zh: str
    peer_en: str
    peer_year: int
    peer_value: float
    city_year: int
    city_value: float
    kind: str  # 'pp' (gap in points), 'rank' (in places), 'pct' (in the indicator's unit, with a ratio)
    gap: float  # city - peer, in the indicator's unit (points for a share)
    ratio: float | None  # city / peer for amounts and counts (None for shares and ranks, or a peer at zero)
    better: bool | None  # the city is ahead (by the indicator's direction); None when level

    @property
    def same_year(self) -> bool:
        """Whether the two values are of the same year."""
        return self.city_year == self.peer_year


def nearest_year(years: Sequence[int], year: int) -> int:
    """`year` if it is among `years`, else the nearest of them (the later one on a tie)."""
    return min(years, key=lambda y: (abs(y - year), -y))


def gap_of(
    city: tuple[int, float], peer: tuple[str, str, int, float], indicator: str, info: Mapping[str, object]
) -> PeerGap:
    """The gap between the city's (year, value) and a peer's (name_zh, name_en, year, value)."""
    city_year, city_value = city
    peer_zh, peer_en, peer_year, peer_value = peer
    kind = change_kind(info)
    gap = float(clean(city_value - peer_value) or 0.0)
    ratio = clean(city_value / peer_value) if kind == PCT and peer_value > 0 else None
    better = None if gap == 0 else (gap > 0) == higher_is_better(info)
    return PeerGap(indicator, peer_zh, peer_en, peer_year, peer_value, city_year, city_value, kind, gap, ratio, better)


def peer_gaps(ds: Dataset) -> tuple[PeerGap, ...]:
    """The whole city against every peer value of an indicator it has data for, in indicators.csv order, then
    as peers.csv lists them (computed once per dataset)."""
    if ds.index is None:
        raise ValueError("dataset was not built by load_dataset (no index)")

    def make() -> tuple[PeerGap, ...]:
        peers = ds.peers
        out = []
        for indicator in agg.indicators_with_data(ds):
            rows = peers[peers["indicator"] == indicator] if len(peers) else peers
            s = agg.series(ds, indicator) if len(rows) else None
            if s is None or s.empty:
                continue
            info = agg.indicator_info(ds, indicator)
            years = [int(y) for y in s.index]
            for r in rows.itertuples(index=False):
                year = nearest_year(years, int(r.year))
                peer = (str(r.city_zh), str(r.city_en), int(r.year), float(r.value))
                out.append(gap_of((year, float(s[year])), peer, indicator, info))
        return tuple(out)

    return ds.index.remember(("plans.peer_gaps",), make)


def latest_per_peer(gaps: Sequence[PeerGap]) -> list[PeerGap]:
    """Each peer's latest value per indicator (a peer listed for several years is compared once), in order."""
    latest: dict[tuple[str, str], PeerGap] = {}
    for g in gaps:
        key = (g.indicator, g.peer_en)
        if key not in latest or g.peer_year > latest[key].peer_year:
            latest[key] = g
    return [g for g in gaps if latest[(g.indicator, g.peer_en)] is g]


def largest_gap(gaps: Sequence[PeerGap]) -> PeerGap | None:
    """The widest gap among an indicator's peers (in its unit; for amounts by how far the ratio is from 1)."""
    if not gaps:
        return None

    def size(g: PeerGap) -> float:
        return abs(1 - g.ratio) if g.ratio is not None else abs(g.gap)

    return max(gaps, key=size)
