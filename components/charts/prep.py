"""Frames shaped for the figure builders (pure: dataset + view in, frames out)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from components.charts.figures import MANY, ROW_PX, period_compare, with_events
from components.core.i18n import name, t
from components.core.state import View
from data import aggregate as agg
from data import period_reading
from data.events import events_for
from data.load import Dataset
from data.periods import span_name, to_date_name


def district_names(ds: Dataset, lang: str) -> dict[str, str]:
    """District code -> name in the current language."""
    return {str(r["code"]): name(r, lang) for r in ds.district_rows}


def selection_name(ds: Dataset, districts: tuple[str, ...], lang: str, whole: str = "whole_city") -> str:
    """The selected districts' names ('鄞州区、余姚市' / 'Yinzhou, Yuyao'), or the catalogue's `whole` text."""
    if not districts:
        return t(whole, lang)
    names = district_names(ds, lang)
    return ("、" if lang == "zh" else ", ").join(names[c] for c in districts)


def station_names(ds: Dataset, lang: str) -> dict[str, str]:
    """Station id -> name in the current language."""
    return {str(r["station"]): name(r, lang) for r in ds.station_rows}


def many_rows_height(ds: Dataset) -> int:
    """A by-district chart's height on the page: the usual 320 px, or one row per district when there are many."""
    n = len(ds.districts)
    return 320 if n <= MANY else ROW_PX * n + 90


def district_frame(
    ds: Dataset, year: int, columns: dict[str, str], lang: str, view: View | None = None
) -> pd.DataFrame:
    """Columns district, name and one value column per indicator (column -> indicator id); rows with data.
    With a period `view`, an indicator with data through the year is read over the view's months."""
    frame = pd.DataFrame({"district": ds.district_codes})
    for col, indicator in columns.items():
        if view is not None and reads_months(ds, indicator, view):
            values = pd.Series(period_reading.by_district(ds, indicator, view.when, view.on_basis), dtype=float)
        else:
            values = agg.by_district(ds, indicator, year).set_index("district")["value"]
        frame[col] = frame["district"].map(values)
    frame = frame.dropna(subset=list(columns))
    frame["name"] = frame["district"].map(district_names(ds, lang))
    return frame.reset_index(drop=True)


def reads_months(ds: Dataset, indicator: str, view: View) -> bool:
    """Whether the view reads `indicator` over months: a period view of an indicator with data through the
    year."""
    return view.in_year and period_reading.has_months(ds, indicator)


def view_reading(ds: Dataset, indicator: str, view: View) -> agg.Reading:
    """The indicator's headline number for the view: the year's, or in a period view its months' (1–N月累计 or
    当期) with 同比 against the same months a year before — the reported growth where the source gave one."""
    if not reads_months(ds, indicator, view):
        return agg.reading(ds, indicator, view.year, view.districts)
    r = period_reading.period_reading(ds, indicator, view.when, view.on_basis, view.districts)
    if not r.own:  # another period would be a silent mix: the sentence says it has no figure
        return agg.Reading(indicator, view.year, None, None, None, r.change_kind)
    return agg.Reading(indicator, view.year, r.value, None, r.change, r.change_kind)


def shows_months(ds: Dataset, indicator: str, view: View) -> bool:
    """Whether a chart of `indicator` draws the year's months against the same months a year before: a period
    view, or a year its rows do not complete (published to November: its months, not a missing year)."""
    if not period_reading.has_months(ds, indicator):
        return False
    return view.in_year or agg.value(ds, indicator, view.year, view.districts) is None


def compare_frame(ds: Dataset, indicator: str, view: View) -> tuple[pd.DataFrame, tuple[str, str]]:
    """The year's months (or quarters) against the same ones a year before, for `figures.period_compare`:
    columns label, this, last; and the two series' names. A whole year's view reads 1–N月累计 through all
    the months the data has; a period view its basis up to its end."""
    lang, b = view.lang, view.on_basis
    last = view.when.last if view.in_year else 12
    this = period_reading.points(ds, indicator, view.year, last, b, view.districts)
    before = period_reading.points(ds, indicator, view.year - 1, 12, b, view.districts)
    mine = dict(this)
    stock = str(agg.indicator_info(ds, indicator).get("temporal") or "") == "stock"
    to_date = b == "ytd" and not stock  # 1–2月, 1–3月 … ; else the month or quarter itself
    frame = pd.DataFrame(
        {
            "label": [to_date_name(s.last, lang) if to_date else span_name(s, lang) for s, _ in before],
            "this": [mine.get(s) for s, _ in before],
            "last": [v for _, v in before],
        }
    )
    key = "compare_level" if stock else "compare_ytd" if b == "ytd" else "compare_own"
    return frame, (t(key, lang, year=view.year), t("compare_before", lang, year=view.year - 1))


def months_chart(ds: Dataset, indicator: str, view: View) -> Any:
    """The indicator's months this year against the same months a year before (`figures.period_compare` of
    `compare_frame`)."""
    frame, names = compare_frame(ds, indicator, view)
    return period_compare(frame, names, agg.indicator_info(ds, indicator), view.lang, view.theme)


def year_frame(ds: Dataset, columns: dict[str, str], districts: tuple[str, ...]) -> pd.DataFrame:
    """Columns year and one value column per indicator, for years where every column has a value."""
    frame = pd.DataFrame({col: agg.series(ds, ind, districts) for col, ind in columns.items()}).dropna()
    return frame.rename_axis("year").reset_index()


def annotated(
    fig: Any,
    ds: Dataset,
    view: View,
    indicators: Iterable[str],
    general: bool = False,
    months: bool = False,
) -> Any:
    """A trend chart of `indicators` with the events that concern it for the view (components/figures.with_events).

    `general`: events without an indicator too (the overview's trend); `months`: a chart of the view's year by
    month, which takes that year's events only. The same figure when the dataset has no events.
    """
    if not ds.event_rows:
        return fig
    year = view.year if months else None
    events = events_for(ds, indicators, view.districts, general=general, year=year)
    return with_events(fig, events, view.lang, view.theme, months=months)
