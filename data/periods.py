"""Periods within a year (the dataset contract v2, ../shared/DESIGN.md §4): codes, 累计 and 当期 values, 同比,
环比 and 序时进度 — pure functions over one indicator's rows, no pandas, no Dash.

A row's period is a `Span` of months within its year: the whole year (empty code), a quarter (`Q3`), a month
(`M11`) or months published together (`M01-M02`). A view's period is a `ViewPeriod`: a year, a quarter or a
month of a year, read on a basis: `ytd` (1–N月累计: January to the period's end) or `period` (当期: the
period's own months).

How a value over months is found (`value_over`), by the indicator's kind (`Kind`):
- a flow reported per period: the sum of rows that cover the months exactly (no gap, no overlap);
- a flow reported as `ytd` (each row January to its end): the row ending at the last month, less the row
  ending just before the first month (none: January) — missing when either is not published;
- a stock: its value at the last sub-period with data ending within the months;
- the annual row, when there is one, is the year's authoritative value (it answers for January–December).
A ratio of two flows is the ratio of their values over the same months (`ratio_over`); 同比 compares the same
months a year before (`yoy`), the growth the source published preferred where one row answers alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from data.schema import FREQUENCIES

Frequency = Literal["year", "quarter", "month"]
Basis = Literal["ytd", "period"]
BASES: tuple[Basis, ...] = ("ytd", "period")

_MONTH = re.compile(r"M(0[1-9]|1[0-2])")
_SPAN = re.compile(r"M(0[1-9]|1[0-2])-M(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"Q([1-4])")
_VIEW = re.compile(r"(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?")


@dataclass(frozen=True, order=True)
class Span:
    """Months `first`..`last` (1–12) of a year."""

    first: int
    last: int

    @property
    def months(self) -> int:
        """How many months the span holds."""
        return self.last - self.first + 1

    @property
    def code(self) -> str:
        """The contract's code: '' (the year), 'Q3', 'M11' or 'M01-M02'."""
        if (self.first, self.last) == (1, 12):
            return ""
        if self.months == 3 and self.first % 3 == 1:
            return f"Q{self.last // 3}"
        if self.months == 1:
            return f"M{self.first:02d}"
        return f"M{self.first:02d}-M{self.last:02d}"

    @property
    def frequency(self) -> Frequency:
        """The finest frequency the span belongs to (months published together are monthly data)."""
        if (self.first, self.last) == (1, 12):
            return "year"
        return "quarter" if _QUARTER.fullmatch(self.code) else "month"


YEAR = Span(1, 12)


def parse_period(code: str | None) -> Span:
    """The span of an observation's `period` cell; ValueError saying what is expected."""
    text = (code or "").strip().upper()
    if not text:
        return YEAR
    if m := _QUARTER.fullmatch(text):
        q = int(m.group(1))
        return Span(3 * q - 2, 3 * q)
    if m := _MONTH.fullmatch(text):
        return Span(int(m.group(1)), int(m.group(1)))
    if m := _SPAN.fullmatch(text):
        first, last = int(m.group(1)), int(m.group(2))
        if first < last:
            return Span(first, last)
        raise ValueError(f"{code!r}: a span runs forward, from its first month to a later one (e.g. M01-M02)")
    raise ValueError(f"{code!r} is not a period (expected empty for the year, Q1–Q4, M01–M12 or a span like M01-M02)")


def fits(span: Span, frequency: str) -> bool:
    """True when a row of `span` may belong to an indicator of `frequency` (the year row always may)."""
    if span == YEAR:
        return True
    return FREQUENCIES.index(span.frequency) <= FREQUENCIES.index(frequency) if frequency in FREQUENCIES else False


@dataclass(frozen=True, order=True)
class ViewPeriod:
    """The period a view shows: a year (`last` 12), a quarter or a month of `year`."""

    year: int
    last: int = 12
    kind: Frequency = "year"

    @property
    def code(self) -> str:
        """As the URL carries it: '2012', '2012-Q3', '2012-11'."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return f"{self.year}-Q{self.last // 3}"
        return f"{self.year}-{self.last:02d}"

    @property
    def first(self) -> int:
        """The first month of the period's own months (当期)."""
        return {"year": 1, "quarter": self.last - 2, "month": self.last}[self.kind]

    def span(self, basis: Basis) -> Span:
        """The months a value on `basis` covers: January to the end (ytd), or the period's own months."""
        return Span(1 if basis == "ytd" else self.first, self.last)

    @property
    def schedule(self) -> float:
        """序时进度: the share of the year elapsed at the period's end (11/12 for 1–11月)."""
        return self.last / 12

    def year_before(self) -> ViewPeriod:
        """The same period a year before (同比)."""
        return ViewPeriod(self.year - 1, self.last, self.kind)

    def previous(self) -> ViewPeriod | None:
        """The period just before (环比: the month or quarter before); None for a year."""
        if self.kind == "year":
            return None
        step = 1 if self.kind == "month" else 3
        if self.last > step:
            return ViewPeriod(self.year, self.last - step, self.kind)
        return ViewPeriod(self.year - 1, 12, self.kind)


def parse_view_period(text: str | None) -> ViewPeriod | None:
    """A URL's `period` ('2012', '2012-Q3', '2012-11'); None when it is not one."""
    m = _VIEW.fullmatch((text or "").strip().upper())
    if not m:
        return None
    year = int(m.group(1))
    if m.group(2):
        return ViewPeriod(year, 3 * int(m.group(2)), "quarter")
    if m.group(3):
        return ViewPeriod(year, int(m.group(3)), "month")
    return ViewPeriod(year)


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_QUARTERS_ZH = ("一", "二", "三", "四")


def span_name(span: Span, lang: str) -> str:
    """A quarter or a month without its year, as a picker names it: 第三季度 / 11月; Q3 / Nov (other spans:
    1–2月 / Jan–Feb)."""
    if span.months == 3 and span.first % 3 == 1:
        return f"第{_QUARTERS_ZH[span.last // 3 - 1]}季度" if lang == "zh" else f"Q{span.last // 3}"
    if span.months == 1:
        return f"{span.first}月" if lang == "zh" else MONTHS_EN[span.first - 1]
    if lang == "zh":
        return f"{span.first}–{span.last}月"
    return f"{MONTHS_EN[span.first - 1]}–{MONTHS_EN[span.last - 1]}"


def to_date_name(last: int, lang: str) -> str:
    """January to month `last` without its year, as a chart's axis names a 1–N月累计: 1月, 1–3月 / Jan, Jan–Mar."""
    if last == 1:
        return "1月" if lang == "zh" else MONTHS_EN[0]
    return f"1–{last}月" if lang == "zh" else f"Jan–{MONTHS_EN[last - 1]}"


def span_label(year: int, span: Span, lang: str) -> str:
    """How people name months of a year: 2012年 / 2012年1–11月 / 2012年11月 / 2012年第三季度; 2012 / Jan–Nov
    2012 / Nov 2012 / Q3 2012."""
    if span == YEAR:
        return f"{year}年" if lang == "zh" else str(year)
    return f"{year}年{span_name(span, lang)}" if lang == "zh" else f"{span_name(span, lang)} {year}"


def view_label(view: ViewPeriod, basis: Basis, lang: str) -> str:
    """The label of a view's number: '2012年1–11月' (ytd), '2012年11月' (period), '2012年' (a year)."""
    return span_label(view.year, view.span(basis), lang)


# --------------------------------------------------------------------------------------------------
# Values over months
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How an indicator's rows add up over months: `reported_as` ('period'/'ytd'), `temporal` ('flow'/'stock')."""

    reported_as: str = "period"
    temporal: str = "flow"


Rows = Mapping[Span, float]  # one indicator, one district, one year: each row's span and value


def _exact_cover(rows: Rows, first: int, last: int) -> float | None:
    """The sum of sub-year rows that cover months first..last exactly, each month once; None otherwise."""
    by_first: dict[int, list[Span]] = {}
    for span in rows:
        if span != YEAR and first <= span.first and span.last <= last:
            by_first.setdefault(span.first, []).append(span)
    total, month = 0.0, first
    while month <= last:
        # the finest row starting here (a month before its quarter), so a partial mix still covers
        spans = sorted(by_first.get(month, ()), key=lambda s: s.last)
        if not spans:
            return None
        step = spans[0]
        total += rows[step]
        month = step.last + 1
    return _exact(total)


def _exact(x: float) -> float:
    """A sum or difference of published figures without binary float noise (185.20000000000005 is 185.2)."""
    return round(x, 9)


def _ytd_at(rows: Rows, last: int) -> float | None:
    """A `ytd` flow's January–`last` value: the row ending at `last` (0 before January)."""
    if last == 0:
        return 0.0
    if last == 12 and YEAR in rows:
        return rows[YEAR]
    ends = [s for s in rows if s != YEAR and s.last == last]
    return rows[min(ends)] if ends else None


def value_over(rows: Rows, span: Span, kind: Kind) -> float | None:
    """The indicator's value over `span` from one district-year's rows; None when the rows do not say."""
    if span == YEAR and YEAR in rows:
        return rows[YEAR]  # final statistics revise the flash figures of the months
    if kind.temporal == "stock":
        inside = [s for s in rows if s != YEAR and span.first <= s.last <= span.last]
        return rows[max(inside, key=lambda s: (s.last, -s.first))] if inside else None
    if kind.reported_as == "ytd":
        end, before = _ytd_at(rows, span.last), _ytd_at(rows, span.first - 1)
        return None if end is None or before is None else _exact(end - before)
    return _exact_cover(rows, span.first, span.last)


def row_for(rows: Rows, span: Span, kind: Kind) -> Span | None:
    """The one row whose published figure is the value over `span` (for its reported growth), if one is."""
    if span == YEAR and YEAR in rows:
        return YEAR
    if kind.reported_as == "ytd" and kind.temporal == "flow":
        if span.first != 1:
            return None
        ends = [s for s in rows if s != YEAR and s.last == span.last]
        return min(ends) if ends else None
    if kind.temporal == "stock":
        inside = [s for s in rows if s != YEAR and span.first <= s.last <= span.last]
        return max(inside, key=lambda s: (s.last, -s.first)) if inside else None
    return span if span in rows else None


def ratio_over(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    """A ratio over a period: the ratio of the period sums of its parts (× scale); None without a base."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator * scale


def growth(value: float | None, base: float | None, points: bool = False) -> float | None:
    """同比/环比: `value / base - 1`, or with `points` (ratios, percentages) `value - base`.

    None ("—") when either value is missing, or for relative growth when the base is zero (a change in
    points from a zero base is still meaningful: 0% -> 2% is +2 points).
    """
    if value is None or base is None:
        return None
    if points:
        return value - base
    if base == 0:
        return None
    return value / base - 1


@dataclass(frozen=True)
class Yoy:
    """A growth rate and where it comes from: 'reported' (published with the figure) or 'computed'."""

    value: float | None
    source: str = ""


def yoy(
    this_year: Rows,
    last_year: Rows,
    span: Span,
    kind: Kind,
    reported: Mapping[Span, float] | None = None,
) -> Yoy:
    """同比 of one district (or the city) over `span` against the same months a year before; the growth the
    source published for the row that answers alone (`reported`: span -> ratio) is preferred."""
    row = row_for(this_year, span, kind)
    if reported and row is not None and row in reported:
        return Yoy(reported[row], "reported")
    value = growth(value_over(this_year, span, kind), value_over(last_year, span, kind))
    return Yoy(value, "computed" if value is not None else "")


def _candidates(view: ViewPeriod, basis: Basis, year: int) -> Iterable[Span]:
    """The spans that may stand in for the view's own in `year`, latest end first: January to each month on
    the ytd basis (and for a year view); otherwise months of a month view and quarters."""
    for last in range(view.last if year == view.year else 12, 0, -1):
        if basis == "ytd" or view.kind == "year":
            yield Span(1, last)
            continue
        if view.kind == "month":
            yield Span(last, last)
        if last % 3 == 0:
            yield Span(last - 2, last)


def latest_span(
    rows_by_year: Mapping[int, Rows], view: ViewPeriod, basis: Basis, kind: Kind
) -> tuple[int, Span] | None:
    """The period one district's number is shown for (see `Series.latest`)."""
    return Series(kind, {"": rows_by_year}, {}).latest([""], view, basis)


# --------------------------------------------------------------------------------------------------
# An indicator's rows over districts and years
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One indicator as published: `values[district][year][span]`, the growth the source published for some
    rows (`reported`, same keys), and how the rows add up (`kind`)."""

    kind: Kind
    values: Mapping[str, Mapping[int, Rows]]
    reported: Mapping[str, Mapping[int, Rows]]

    @cached_property
    def through_year(self) -> bool:
        """Whether any row is a quarter or months rather than a whole year."""
        return any(span != YEAR for by_year in self.values.values() for rows in by_year.values() for span in rows)

    def rows(self, district: str, year: int) -> Rows:
        """One district-year's rows (empty when none)."""
        return self.values.get(district, {}).get(year, {})

    def value(self, districts: Iterable[str], year: int, span: Span) -> float | None:
        """The sum over `districts` of their values over `span` of `year`; None when no district has one."""
        found = [v for d in districts if (v := value_over(self.rows(d, year), span, self.kind)) is not None]
        return _exact(sum(found)) if found else None

    def covers(self, districts: Iterable[str], year: int, month: int) -> bool:
        """Whether any of the districts has a row of `year` holding `month` (December: or the annual row)."""
        for d in districts:
            rows = self.rows(d, year)
            if any(s.first <= month <= s.last for s in rows if s != YEAR) or (month == 12 and YEAR in rows):
                return True
        return False

    def latest(self, districts: Iterable[str], view: ViewPeriod, basis: Basis) -> tuple[int, Span] | None:
        """The period the number is shown for: the view's own when the data holds its last month (its value, or
        "—" when it cannot be told, as for February inside a 1–2月 span), else the latest one on the same basis
        that ends no later and that the rows answer (a Q3 figure in a November view, the year before for an
        annual figure in 1–11月); None when nothing does."""
        chosen = list(districts)
        if self.kind.temporal == "stock":
            return self._latest_level(chosen, view)
        if self.covers(chosen, view.year, view.last):
            return view.year, view.span(basis)
        years = sorted({y for d in chosen for y in self.values.get(d, {}) if y <= view.year}, reverse=True)
        for year in years:
            for span in _candidates(view, basis, year):
                if self.value(chosen, year, span) is not None:
                    return year, span
        return None

    def _latest_level(self, districts: list[str], view: ViewPeriod) -> tuple[int, Span] | None:
        """A stock is a level at a month's end, whatever the basis: the latest month ending no later than the
        view's period at which a district has a row (the annual row: December)."""
        years = sorted({y for d in districts for y in self.values.get(d, {}) if y <= view.year}, reverse=True)
        for year in years:
            ends = {s.last for d in districts for s in self.rows(d, year)}
            ends = {e for e in ends if year < view.year or e <= view.last}
            if ends:
                last = max(ends)
                return year, (YEAR if last == 12 and view.kind == "year" else Span(last, last))
        return None

    def yoy(self, districts: Iterable[str], year: int, span: Span) -> Yoy:
        """同比 over `span` against the same months of the year before: one district's (or the city's) published
        growth where its row answers alone, otherwise computed from the sums."""
        chosen = list(districts)
        if len(chosen) == 1:
            d = chosen[0]
            return yoy(self.rows(d, year), self.rows(d, year - 1), span, self.kind, self.reported.get(d, {}).get(year))
        value = growth(self.value(chosen, year, span), self.value(chosen, year - 1, span))
        return Yoy(value, "computed" if value is not None else "")


def build_series(records: Iterable[Mapping[str, object]], kinds: Mapping[str, Kind]) -> dict[str, Series]:
    """Every indicator's Series from observation records (`indicator`, `district`, `year`, `period`, `value`,
    `yoy_reported`); `kinds` by indicator (an indicator not named there is a flow reported per period)."""
    values: dict[str, dict[str, dict[int, dict[Span, float]]]] = {}
    reported: dict[str, dict[str, dict[int, dict[Span, float]]]] = {}
    for r in records:
        ind, district, year = str(r["indicator"]), str(r["district"]), int(str(r["year"]))
        span = parse_period(_text(r.get("period")))
        values.setdefault(ind, {}).setdefault(district, {}).setdefault(year, {})[span] = float(str(r["value"]))
        published = _text(r.get("yoy_reported"))
        if published:
            reported.setdefault(ind, {}).setdefault(district, {}).setdefault(year, {})[span] = float(published)
    return {ind: Series(kinds.get(ind, Kind()), v, reported.get(ind, {})) for ind, v in values.items()}


def _text(cell: object) -> str:
    """A cell as text, empty for None and NaN (a frame's empty cells)."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ""
    return str(cell).strip()
