"""Frames shaped for the figure builders (pure: dataset + view in, frames out)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from components.charts.figures import MANY, ROW_PX, with_events
from components.core.i18n import name, t
from components.core.state import View
from data import aggregate as agg
from data.events import events_for
from data.load import Dataset


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


def district_frame(ds: Dataset, year: int, columns: dict[str, str], lang: str) -> pd.DataFrame:
    """Columns district, name and one value column per indicator (column -> indicator id); rows with data."""
    frame = pd.DataFrame({"district": ds.district_codes})
    for col, indicator in columns.items():
        values = agg.by_district(ds, indicator, year).set_index("district")["value"]
        frame[col] = frame["district"].map(values)
    frame = frame.dropna(subset=list(columns))
    frame["name"] = frame["district"].map(district_names(ds, lang))
    return frame.reset_index(drop=True)


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
