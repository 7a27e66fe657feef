"""KPI strip: a pure model of the headline numbers, and the cards that show them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import dash_bootstrap_components as dbc
from dash import html

from components.i18n import DASH, fmt_change, fmt_percent, fmt_value, name, t
from components.ui import raw
from data import aggregate as agg
from data.load import Dataset

KPI_INDICATORS: tuple[str, ...] = (
    "patent_applications",
    "patent_grants",
    "invention_grants",
    "hightech_output",
    "hightech_share",
    "hightech_enterprises",
    "rd_intensity",
    "network_uptime",
)
DECIMALS = {"network_uptime": 2}


@dataclass(frozen=True)
class Kpi:
    """Everything a KPI card shows, already formatted, plus the raw numbers for data-* attributes."""

    indicator: str
    label: str
    value: float | None
    value_text: str
    change: float | None
    change_text: str
    direction: str  # "up", "down", "flat" or ""
    good: bool | None
    target_text: str = ""
    completion: float | None = None
    completion_text: str = ""
    note: str = ""


def _direction(change: float | None) -> str:
    if change is None:
        return ""
    return "up" if change > 0 else "down" if change < 0 else "flat"


def _model(
    ds: Dataset,
    reading: agg.Reading,
    label: str,
    unit: str,
    higher_is_better: bool,
    lang: str,
    districts: Sequence[str],
) -> Kpi:
    value_text = fmt_value(reading.value, unit, lang, DECIMALS.get(reading.indicator))
    direction = _direction(reading.change)
    good = None if direction in ("", "flat") else (direction == "up") == higher_is_better
    change_text = (
        t("kpi_yoy", lang, change=fmt_change(reading.change, reading.change_kind, lang))
        if reading.change is not None
        else t("kpi_no_prev", lang)
        if reading.value is not None
        else ""
    )
    target_text = completion_text = ""
    completion = None
    if reading.indicator != "network_uptime":
        goal = agg.target(ds, reading.indicator, reading.year, districts)
        if goal is not None:
            shown = fmt_value(goal[0], unit, lang)
            target_text = (
                t("kpi_target", lang, target=shown)
                if goal[1] == reading.year
                else t("kpi_target_year", lang, year=goal[1], target=shown)
            )
            completion = agg.completion(reading.value, goal[0])
            completion_text = t("kpi_completion", lang, pct=fmt_percent(completion)) if completion else ""
    return Kpi(
        reading.indicator,
        label,
        reading.value,
        value_text,
        reading.change,
        change_text,
        direction,
        good,
        target_text,
        completion,
        completion_text,
    )


def kpi_models(ds: Dataset, year: int, districts: Sequence[str], lang: str) -> list[Kpi]:
    """The KPI strip for a selection: value, 同比, target and completion of each headline indicator."""
    out: list[Kpi] = []
    city = agg.is_city(ds, districts)
    for ind in KPI_INDICATORS:
        if ind == "network_uptime":
            r = agg.uptime_reading(ds, year, districts)
            k = _model(ds, r, t("kpi_network_uptime", lang), "%", True, lang, districts)
            st = agg.stations_in(ds.stations, districts)
            n = int((st["commissioned"] < agg.year_bounds(year)[1]).sum())
            note = t("kpi_no_stations", lang) if r.value is None else t("kpi_stations", lang, n=n)
            out.append(_replace(k, note=note))
            continue
        info = agg.indicator_info(ds, ind)
        r = agg.reading(ds, ind, year, districts)
        k = _model(ds, r, name(info, lang), str(info["unit_zh"]), bool(info["higher_is_better"]), lang, districts)
        note = ""
        if info["agg"] == "city" and not city:
            note = t("kpi_city_only", lang)
        elif ind == "invention_grants":
            share = agg.value(ds, "invention_share", year, districts)
            note = t("kpi_share_of_grants", lang, pct=fmt_value(share, "%", lang))
            if share is not None and share < 3.5:
                note += " · " + t("kpi_share_low", lang)
        elif ind in ("patent_applications", "patent_grants") and city:
            rank = agg.value(ds, f"{ind}_rank", year)
            note = t("kpi_rank", lang, rank=int(rank)) if rank is not None else ""
        out.append(_replace(k, note=note))
    return out


def _replace(k: Kpi, **changes: object) -> Kpi:
    return replace(k, **changes)


def kpi_card(k: Kpi) -> html.Div:
    """One KPI card with data-indicator / data-value / data-yoy (../shared/DESIGN.md §3)."""
    arrow = {"up": "▲", "down": "▼", "flat": "■"}.get(k.direction, "")
    tone = "" if k.good is None else ("kpi-good" if k.good else "kpi-bad")
    body = [
        html.Div(k.label, className="kpi-label"),
        html.Div(k.value_text if k.value is not None else DASH, className="kpi-value"),
        html.Div(
            [html.Span(arrow + " ", className="kpi-arrow") if arrow else None, k.change_text],
            className=f"kpi-change {tone}",
        ),
    ]
    if k.target_text:
        bar = min(max(k.completion or 0, 0), 1) * 100
        body.append(
            html.Div(
                [html.Span(k.target_text), html.Span(" · " + k.completion_text if k.completion_text else "")],
                className="kpi-target",
            )
        )
        body.append(
            html.Div(
                html.Div(className="kpi-progress-bar", style={"width": f"{bar:.0f}%"}),
                className="kpi-progress",
                role="progressbar",
                **{"aria-valuenow": f"{bar:.0f}", "aria-valuemin": "0", "aria-valuemax": "100"},
            )
        )
    if k.note:
        body.append(html.Div(k.note, className="kpi-note"))
    return html.Div(
        html.Div(body, className="card-body"),
        className="card kpi-card h-100",
        id=f"kpi-{k.indicator}",
        **{"data-indicator": k.indicator, "data-value": raw(k.value), "data-yoy": raw(k.change)},
    )


def kpi_strip(models: Sequence[Kpi]) -> list[dbc.Col]:
    """The cards laid out in a responsive row."""
    return [dbc.Col(kpi_card(k), xs=6, md=4, lg=3, xl=3, xxl=True, className="mb-3") for k in models]
