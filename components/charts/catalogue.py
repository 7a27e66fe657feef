"""The indicator catalogue where people read numbers: each indicator's 统计口径, source, frequency, how its rows
run through the year, and the period of its latest data — for the ⓘ of a card and the data export's sheet."""

from __future__ import annotations

from dataclasses import dataclass

from components.core.i18n import DASH, name, t
from data import aggregate as agg
from data.load import Dataset
from data.period_reading import latest_period
from data.periods import span_label


@dataclass(frozen=True)
class Entry:
    """One indicator's catalogue entry, in one language (empty text where the dataset says nothing)."""

    indicator: str
    name: str
    unit: str
    frequency: str
    reported: str
    definition: str
    source: str
    latest: str


def _text(info: dict[str, object], column: str) -> str:
    cell = info.get(column)
    return cell.strip() if isinstance(cell, str) else ""


def entry(ds: Dataset, indicator: str, lang: str) -> Entry:
    """The catalogue entry of an indicator of indicators.csv; the dataset's own source where a row has none."""
    info = agg.indicator_info(ds, indicator)
    suffix = "en" if lang == "en" else "zh"
    frequency = _text(info, "frequency") or "year"
    reported = "stock" if _text(info, "temporal") == "stock" else _text(info, "reported_as") or "period"
    latest = latest_period(ds, indicator)
    return Entry(
        indicator,
        name(info, lang),
        _text(info, f"unit_{suffix}"),
        t(f"freq_{frequency}", lang),
        t(f"reported_{reported}", lang) if frequency != "year" or reported == "stock" else "",
        _text(info, f"definition_{suffix}"),
        _text(info, f"source_{suffix}") or str(ds.meta.get(f"source_{suffix}") or ""),
        span_label(latest[0], latest[1], lang) if latest else DASH,
    )


def entries(ds: Dataset, lang: str) -> list[Entry]:
    """Every indicator of indicators.csv, in its order."""
    return [entry(ds, str(i), lang) for i in ds.indicators["indicator"]]
