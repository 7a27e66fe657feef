"""Which events (events.csv) concern a chart: pure selection over the dataset's events (no dash import).

An event concerns a chart when its `indicator` is one the chart shows; an event without an indicator is
general (the caller says which chart takes those: the overview's trend). An event of a district concerns
the whole city and any selection that includes the district; an event of the city (no district, or the
city code) concerns every selection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from data import schema
from data.aggregate import is_city
from data.load import Dataset

COLUMNS = (*schema.EVENTS.names, "row")


def _concerns(ds: Dataset, code: object, districts: Sequence[str], whole: bool) -> bool:
    return code is None or code == ds.city_code or whole or code in districts


def concerning(
    ds: Dataset,
    indicators: Iterable[str] | None,
    districts: Sequence[str] = (),
    general: bool = False,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """The events concerning a chart of `indicators` for a district selection (() = whole city), in date order,
    as rows of `ds.event_rows` (no DataFrame: a chart's redraw key needs only their identities).

    `indicators` None: every event, whatever its indicator; `general`: events without an indicator too; `year`:
    only the events of that year.
    """
    if not ds.event_rows:
        return []
    wanted = None if indicators is None else set(indicators)
    whole = is_city(ds, districts)
    return [
        r
        for r in ds.event_rows
        if (wanted is None or r["indicator"] in wanted or (general and r["indicator"] is None))
        and _concerns(ds, r["district"], districts, whole)
        and (year is None or r["date"].year == year)
    ]


def events_for(
    ds: Dataset,
    indicators: Iterable[str] | None,
    districts: Sequence[str] = (),
    general: bool = False,
    year: int | None = None,
) -> pd.DataFrame:
    """`concerning` as a DataFrame. Columns: those of events.csv (`date` a timestamp) and `row`, the event's
    position in `ds.events` (a stable identity)."""
    return pd.DataFrame(concerning(ds, indicators, districts, general, year), columns=list(COLUMNS))


def event_ids(events: list[dict[str, Any]]) -> tuple[int, ...]:
    """The identities of `concerning`'s events (their rows in `ds.events`): part of a chart's redraw key."""
    return tuple(int(r["row"]) for r in events)
