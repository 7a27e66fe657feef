"""The headline numbers of a period view — 1–N月累计 or 当期 of an indicator for a selection, its 同比 against
the same months a year before, and for an annual target the completion against 序时进度 — pure functions over a
Dataset's rows as published (data/periods.py finds the values over months).

A number whose indicator has no data for the view's period is shown for the latest period before it that
has data (`PeriodReading.own` False), and says so by its label: never a silent mix of periods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from data.load import Dataset
from data.periods import Basis, Span, ViewPeriod, growth, ratio_over, span_label
from data.rules import Thresholds


@dataclass(frozen=True)
class PeriodReading:
    """One indicator's number for a view's period and selection."""

    indicator: str
    year: int  # the year of the months the number covers
    span: Span  # those months
    own: bool  # the view's own period (False: the latest period before it that has data)
    value: float | None
    change: float | None  # 同比: a ratio (pct) or points (pp)
    change_kind: str  # "pct" or "pp"
    change_source: str  # "reported" (published with the figure), "computed" or "" (none)
    period: str  # as data-period carries it: '2012', '2012-Q3', '2012-11' (the view's own code when own)

    def label(self, lang: str) -> str:
        """The months the number covers: '2012年1–11月' / 'Jan–Nov 2012'."""
        return span_label(self.year, self.span, lang)


def period_code(year: int, span: Span, frequency: str) -> str:
    """The code of the period a number ends with: the year, a quarter (for quarterly data) or a month."""
    if span.months == 12:
        return str(year)
    if frequency == "quarter" and span.last % 3 == 0:
        return f"{year}-Q{span.last // 3}"
    return f"{year}-{span.last:02d}"


def _info(ds: Dataset, indicator: str) -> Mapping[str, object]:
    """The indicator's row of indicators.csv (empty cells None), from the dataset's index."""
    return ds.index.info.get(indicator, {}) if ds.index is not None else {}


def _parts(ds: Dataset, indicator: str) -> tuple[str, ...]:
    """The indicators whose rows make this one: itself, or a ratio's numerator and denominator."""
    info = _info(ds, indicator)
    if info.get("agg") == "ratio":
        return str(info["numerator"]), str(info["denominator"])
    return (indicator,)


def _districts(ds: Dataset, indicator: str, districts: Sequence[str]) -> list[str]:
    """Whose rows answer: the city code for a city-level indicator, else the selection (whole city: all)."""
    if _info(ds, indicator).get("agg") == "city":
        return [ds.city_code]
    return list(districts) or list(ds.district_codes)


def has_months(ds: Dataset, indicator: str) -> bool:
    """Whether the indicator (a ratio: its parts) has rows through the year: quarters or months, not only
    whole years."""
    return has_period_data(ds, indicator) and all(ds.series[p].through_year for p in _parts(ds, indicator))


def has_period_data(ds: Dataset, indicator: str) -> bool:
    """Whether the indicator (or a ratio's parts) has rows in the dataset."""
    return all(p in ds.series for p in _parts(ds, indicator))


def period_reading(
    ds: Dataset, indicator: str, view: ViewPeriod, basis: Basis, districts: Sequence[str] = ()
) -> PeriodReading:
    """The indicator's number for the view: value, the months it covers and its 同比 (see the module)."""
    parts = _parts(ds, indicator)
    ratio = len(parts) == 2
    kind = "pp" if ratio or _unit(ds, indicator) == "%" else "pct"
    if not has_period_data(ds, indicator):
        return PeriodReading(indicator, view.year, view.span(basis), True, None, None, kind, "", view.code)
    chosen = _districts(ds, parts[0], districts)
    first = ds.series[parts[0]]
    found = first.latest(chosen, view, basis)
    if found is None:
        return PeriodReading(indicator, view.year, view.span(basis), True, None, None, kind, "", view.code)
    year, span = found
    own = (year, span) == (view.year, view.span(basis)) or (
        first.kind.temporal == "stock" and (year, span.last) == (view.year, view.last)
    )
    code = view.code if own else period_code(year, span, str(_info(ds, parts[0]).get("frequency") or "year"))
    if ratio:
        value = value_over(ds, indicator, year, span, districts)
        change = growth(value, value_over(ds, indicator, year - 1, span, districts), points=True)
        return PeriodReading(
            indicator, year, span, own, value, change, kind, "computed" if change is not None else "", code
        )
    value = first.value(chosen, year, span)
    yoy = first.yoy(chosen, year, span)
    if kind == "pp" and yoy.source == "computed":  # a level in %: its change in points
        change = growth(value, first.value(chosen, year - 1, span), points=True)
        return PeriodReading(
            indicator, year, span, own, value, change, kind, "computed" if change is not None else "", code
        )
    return PeriodReading(indicator, year, span, own, value, yoy.value, kind, yoy.source, code)


def latest_period(ds: Dataset, indicator: str) -> tuple[int, Span] | None:
    """The latest period the indicator (a ratio: its numerator) has data for: (year, months) of its latest row
    (a cumulative row: January to its end); None without data."""
    series = ds.series.get(_parts(ds, indicator)[0])
    if series is None:
        return None
    rows = [(year, span) for by_year in series.values.values() for year, spans in by_year.items() for span in spans]
    if not rows:
        return None
    year, span = max(rows, key=lambda r: (r[0], r[1].last, -r[1].first))
    if series.kind.reported_as == "ytd" and series.kind.temporal == "flow":
        span = Span(1, span.last)
    return year, span


def _unit(ds: Dataset, indicator: str) -> str:
    cell = _info(ds, indicator).get("unit_zh")
    return cell if isinstance(cell, str) else ""


def _scale(ds: Dataset, indicator: str) -> float:
    cell = _info(ds, indicator).get("scale")
    return float(str(cell)) if cell is not None else 1.0


@dataclass(frozen=True)
class Progress:
    """An annual target read in-year: completion (value ÷ the year's target), 序时进度 (the year's elapsed share
    at the period's end), their gap in points and the status the thresholds give completion ÷ 序时进度."""

    target: float
    completion: float | None
    schedule: float
    ahead_points: float | None  # (completion − 序时进度) × 100: > 0 ahead of schedule, < 0 behind
    status: str | None


def progress(
    value: float | None, annual_target: float | None, view: ViewPeriod, thresholds: Thresholds, better: bool = True
) -> Progress | None:
    """Completion of an annual target against 序时进度 at the view's period end (None without a target);
    a flow's year-to-date value is what is compared ("时间过半、任务过半")."""
    if annual_target is None or annual_target <= 0:
        return None
    schedule = view.schedule
    completion = None if value is None else value / annual_target
    if completion is None:
        return Progress(annual_target, None, schedule, None, None)
    pace = completion / schedule
    return Progress(annual_target, completion, schedule, (completion - schedule) * 100, thresholds.status(pace, better))


def value_over(ds: Dataset, indicator: str, year: int, span: Span, districts: Sequence[str] = ()) -> float | None:
    """The indicator's value over `span` of `year` for a selection (a ratio: the ratio of its parts' sums)."""
    parts = _parts(ds, indicator)
    if not has_period_data(ds, indicator):
        return None
    chosen = _districts(ds, parts[0], districts)
    if len(parts) == 2:
        num, den = ds.series[parts[0]], ds.series[parts[1]]
        return ratio_over(num.value(chosen, year, span), den.value(chosen, year, span), _scale(ds, indicator))
    return ds.series[parts[0]].value(chosen, year, span)


def by_district(ds: Dataset, indicator: str, view: ViewPeriod, basis: Basis) -> dict[str, float]:
    """Each district's value over the view's months on `basis` (a ratio: the district's own); districts
    without one are left out."""
    if not has_period_data(ds, indicator):
        return {}
    span = view.span(basis)
    out = {}
    for code in ds.district_codes:
        v = value_over(ds, indicator, view.year, span, (code,))
        if v is not None:
            out[code] = v
    return out


def step(ds: Dataset, indicator: str) -> int:
    """Months per sub-period of the indicator's rows: 3 for quarterly data, else 1."""
    return 3 if _info(ds, _parts(ds, indicator)[0]).get("frequency") == "quarter" else 1


def points(
    ds: Dataset, indicator: str, year: int, last: int, basis: Basis, districts: Sequence[str] = ()
) -> list[tuple[Span, float | None]]:
    """The indicator through `year` to month `last`, one value per sub-period of its frequency (months, or
    quarters): January to the sub-period's end (ytd, 1–N月累计) or the sub-period's own months (当期; "—",
    None, where the rows cannot tell them apart, e.g. February inside a 1–2月 row); a stock's level at each
    sub-period's end on either basis."""
    n = step(ds, indicator)
    level = has_period_data(ds, indicator) and ds.series[_parts(ds, indicator)[0]].kind.temporal == "stock"
    out = []
    for end in range(n, last + 1, n):
        own = Span(end - n + 1, end)
        over = own if basis == "period" or level else Span(1, end)  # a stock: its level at each period's end
        out.append((own, value_over(ds, indicator, year, over, districts)))
    return out
