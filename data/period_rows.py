"""observations.csv through the year (contract v2): the rules its period rows obey, and the whole years they
give the annual views. Pure functions over parsed rows (`(line, row)` pairs, as data/parse.py gives them).

Errors (the dataset is refused): a period finer than the indicator's `frequency`, two rows of one indicator,
district and year whose months overlap (a span over a month published on its own), a cumulative (`ytd`) flow
that falls. Warning (the dataset loads): an annual row that differs by more than 1% from the complete year its
months add up to — final statistics revise flash monthly figures, so the annual row wins, but a person should
know.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from data.periods import YEAR, Kind, Series, Span, build_series, fits, parse_period, value_over

Add = Callable[[str, int | None, str | None, str], None]  # (file, line, column, message)
FILE = "observations.csv"
REVISION_TOLERANCE = 0.01  # an annual row this far from its months' year is worth a warning


def kind_of(indicator: Mapping[str, Any]) -> Kind:
    """How an indicators.csv row's values run through the year (v2 columns; v1 rows: period flows)."""

    def text(column: str, default: str) -> str:
        cell = indicator.get(column)
        return cell if isinstance(cell, str) and cell else default  # None or a frame's NaN: the default

    return Kind(text("reported_as", "period"), text("temporal", "flow"))


def series_of(periodic: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, Series]:
    """Every indicator's rows through the year (a Dataset's `periodic` and `indicators` frames)."""
    kinds = {str(r["indicator"]): kind_of(r) for r in indicators.to_dict("records")}
    return build_series(periodic.to_dict("records"), kinds)


Groups = dict[tuple[str, str, int], list[tuple[int, Span, dict[str, Any]]]]


def group(rows: Iterable[tuple[int, dict[str, Any]]]) -> Groups:
    """Rows by (indicator, district, year), each with its line and span, in file order."""
    out: Groups = {}
    for line, r in rows:
        out.setdefault((r["indicator"], r["district"], r["year"]), []).append((line, parse_period(r["period"]), r))
    return out


def check(groups: Groups, inds: Mapping[str, Mapping[str, Any]], error: Add, warn: Add) -> None:
    """Report period rows that break the contract (`error`) or that the annual row revises (`warn`)."""
    for (indicator, district, year), items in groups.items():
        ind = inds.get(indicator)
        if ind is None:
            continue
        frequency = ind.get("frequency") or "year"
        for line, span, _ in items:
            if not fits(span, frequency):
                error(
                    FILE,
                    line,
                    "period",
                    f"{span.code!r} is finer than {indicator!r}'s frequency {frequency!r} (indicators.csv)",
                )
        parts = sorted((span, line) for line, span, _ in items if span != YEAR)
        for (a, line_a), (b, line_b) in itertools.pairwise(parts):
            if b.first <= a.last and a != b:  # the same period twice is a duplicate key (reported as such)
                error(
                    FILE,
                    line_b,
                    "period",
                    f"{b.code!r} overlaps {a.code!r} on line {line_a} ({indicator}, {district}, {year})",
                )
        kind = kind_of(ind)
        values = {span: r["value"] for _, span, r in items}
        if kind.reported_as == "ytd" and kind.temporal == "flow":
            ends = sorted(((span.last, line, values[span]) for line, span, _ in items if span != YEAR))
            for (_, line_a, before), (_, line_b, after) in itertools.pairwise(ends):
                if after < before:
                    error(
                        FILE,
                        line_b,
                        "value",
                        f"{after:g} is below {before:g} on line {line_a}: a cumulative (ytd) value cannot fall",
                    )
        if YEAR in values and len(values) > 1:
            months = {s: v for s, v in values.items() if s != YEAR}
            whole = value_over(months, YEAR, kind)
            annual = values[YEAR]
            if whole is not None and abs(whole - annual) > REVISION_TOLERANCE * max(abs(annual), 1e-12):
                line = next(line for line, span, _ in items if span == YEAR)
                warn(
                    FILE,
                    line,
                    "value",
                    f"the annual {annual:g} differs by {abs(whole / annual - 1) if annual else 1:.1%} from its "
                    f"months' {whole:g} ({indicator}, {district}, {year}): the annual row is used",
                )


def annual(groups: Groups, inds: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The whole years of observations.csv, as the annual views read them: each annual row, and the year of
    (indicator, district, year) groups without one whose months add up to a complete year."""
    out: list[dict[str, Any]] = []
    for (indicator, district, year), items in groups.items():
        values = {span: r["value"] for _, span, r in items}
        ind = inds.get(indicator)
        kind = kind_of(ind) if ind is not None else Kind()
        december = YEAR in values or any(s.last == 12 for s in values)  # a stock's year ends with December's
        value = value_over(values, YEAR, kind) if december else None
        if value is None:
            continue
        reported = next((r["yoy_reported"] for _, span, r in items if span == YEAR), None)
        out.append(
            {"indicator": indicator, "district": district, "year": year, "value": value, "yoy_reported": reported}
        )
    return out


def sub_periods(periodic: pd.DataFrame) -> dict[int, tuple[str, ...]]:
    """The periods a view may choose in each year with data through the year: the quarters whose months the
    data reaches, then the months some monthly row ends with ('Q1'…, 'M01'…)."""
    if periodic.empty or "period" not in periodic.columns:
        return {}
    rows = periodic.loc[periodic["period"].notna(), ["year", "period"]].drop_duplicates()
    by_year: dict[int, set[Span]] = {}
    for year, code in rows.itertuples(index=False):
        by_year.setdefault(int(year), set()).add(parse_period(str(code)))
    out: dict[int, tuple[str, ...]] = {}
    for year, spans in sorted(by_year.items()):
        reach = max(s.last for s in spans)
        quarters = [f"Q{q}" for q in range(1, 5) if 3 * q <= reach]
        months = sorted({f"M{s.last:02d}" for s in spans if s.frequency == "month"})
        out[year] = (*quarters, *months)
    return out
