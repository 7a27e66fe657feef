"""KPI strip: a pure model of the headline numbers, and the cards that show them.

The cards are `dataset.json`'s `kpis` (indicator ids, in order) or, without it, the eight usual ones the
dataset has. A card shows its target and completion only where the dataset has a target.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dash import html

from components.charts import catalogue
from components.charts.summary import floor_text, target_label, uptime_target_text
from components.core.i18n import DASH, fmt_change, fmt_indicator, fmt_percent, fmt_value, name, percent, t
from components.core.ids import slug
from components.core.state import View
from components.core.ui import attrs, info_details, raw, status_line
from data import aggregate as agg
from data import plans
from data.load import Dataset
from data.period_reading import has_period_data, period_reading, progress
from data.periods import YEAR, Basis, Span, ViewPeriod, span_label, view_label
from data.rules import AT_RISK, INVENTION_SHARE_FLOOR, NETWORK_UPTIME_TARGET, ON_TRACK
from data.schema import NETWORK_UPTIME

DEFAULT_KPIS: tuple[str, ...] = (
    "patent_applications",
    "patent_grants",
    "invention_grants",
    "hightech_output",
    "hightech_share",
    "hightech_enterprises",
    "rd_intensity",
    NETWORK_UPTIME,
)
DECIMALS = {NETWORK_UPTIME: 2}
SHARE_NOTE = {"invention_grants": "invention_share"}  # a card noting its share of a total (and the floor)
RANKED = ("patent_applications", "patent_grants")  # cards noting the city's rank ('<id>_rank', city-level)


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
    status: str = ""  # on_track / at_risk / missed (completion, else a falling 同比), "" when none applies
    status_text: str = ""  # the words that go with it ("预警 · 完成率96.1%，低于100%")
    period: str = ""  # data-period: the period the number is for ('2012', '2012-Q3', '2012-11')
    basis: str = ""  # data-basis: 'ytd' or 'period'
    yoy_source: str = ""  # data-yoy-source: 'reported', 'computed' or ''
    info: tuple[str, ...] = ()  # the ⓘ: the indicator's 口径, source, frequency and latest data (catalogue)
    info_title: str = ""  # its accessible name ("专利申请量：口径与来源")
    target: float | None = None  # data-target: the annual target the completion is of
    schedule: float | None = None  # data-schedule: 序时进度, the year's elapsed share at the period's end
    open_title: str = ""  # the accessible name of the card's detail button (a phone opens it with a tap)


def kpi_ids(ds: Dataset) -> list[str]:
    """The cards of the strip for this dataset: its own list, else the usual eight it has data for."""
    asked = ds.meta.get("kpis")
    wanted = list(asked) if asked else list(DEFAULT_KPIS)
    return [k for k in wanted if (ds.has("seismic_stations.csv") if k == NETWORK_UPTIME else agg.available(ds, k))]


def note_indicators(ds: Dataset) -> set[str]:
    """Indicators the cards show as notes (ranks, shares): shown, so not repeated among 'other indicators'."""
    out = set()
    for k in kpi_ids(ds):
        if k in SHARE_NOTE and agg.available(ds, SHARE_NOTE[k]):
            out.add(SHARE_NOTE[k])
        if k in RANKED and agg.available(ds, f"{k}_rank"):
            out.add(f"{k}_rank")
    return out


def _direction(change: float | None) -> str:
    if change is None:
        return ""
    return "up" if change > 0 else "down" if change < 0 else "flat"


def _change_text(reading: agg.Reading, lang: str) -> str:
    if reading.change is not None:
        return t("kpi_yoy", lang, change=fmt_change(reading.change, reading.change_kind, lang))
    return t("kpi_no_prev", lang) if reading.value is not None else ""


def _target(ds: Dataset, reading: agg.Reading, info: dict, lang: str, districts: Sequence[str]) -> dict:
    goal = agg.target(ds, reading.indicator, reading.year, districts)
    if goal is None:
        return {}
    shown = fmt_indicator(goal[0], info, lang)
    completion = agg.completion(reading.value, goal[0])
    return {
        "target_text": target_label(ds, shown, goal[1], reading.year, lang),
        "completion": completion,
        "completion_text": t("kpi_completion", lang, pct=fmt_percent(completion)) if completion else "",
        **_status(ds, reading, info, goal, completion, lang, districts),
    }


def plan_status(
    ds: Dataset, reading: agg.Reading, info: dict, goal: tuple[float, int], districts: Sequence[str]
) -> str | None:
    """A later-year (plan) target in the reading's year: on track when it is met already or the pace of the
    years so far reaches it by its year, else at risk (never missed before its year); None without a pace."""
    s = agg.series(ds, reading.indicator, districts)
    path = plans.trajectory_of(s[s.index <= reading.year], goal, {**info, "indicator": reading.indicator})
    if path is None or (path.on_pace is None and not path.met):
        return None
    return ON_TRACK if path.met or path.on_pace else AT_RISK


def _status(
    ds: Dataset,
    reading: agg.Reading,
    info: dict,
    goal: tuple[float, int],
    completion: float | None,
    lang: str,
    districts: Sequence[str],
) -> dict:
    """The card's status against its target: this year's by its completion; a later (plan) year's by whether
    the path so far reaches it in time."""
    better = bool(info["higher_is_better"])
    if goal[1] > reading.year:
        status = plan_status(ds, reading, info, goal, districts)
        return {"status": status or "", "status_text": t(f"kpi_plan_{status}", lang) if status else ""}
    status = ds.thresholds.status(completion, better)
    if status is None or completion is None:
        return {}
    if status == ON_TRACK:
        words = t("status_on_track", lang)
    else:
        bound = ds.thresholds.bound(ON_TRACK if status == AT_RISK else AT_RISK, better)
        key = "kpi_status_below" if better else "kpi_status_above"
        words = t(key, lang, status=t(f"status_{status}", lang), pct=fmt_percent(completion), floor=percent(bound))
    return {"status": status, "status_text": words}


def _trend_status(ds: Dataset, r: agg.Reading, better: bool, lang: str) -> dict:
    """A card without a target warns when its 同比 worsens beyond the threshold."""
    if not ds.thresholds.declining(r.change, r.change_kind == "pp", better):
        return {}
    change = fmt_change(r.change, r.change_kind, lang)
    words = t("kpi_status_trend", lang, status=t("status_at_risk", lang), change=change)
    return {"status": AT_RISK, "status_text": words}


def _rank_note(ds: Dataset, indicator: str, label: str, year: int, lang: str) -> str:
    """'副省级城市排名第1位' from the rank indicator's own name (the card's label left out)."""
    rank_id = f"{indicator}_rank"
    rank = agg.value(ds, rank_id, year) if agg.available(ds, rank_id) else None
    if rank is None:
        return ""
    rank_name = name(agg.indicator_info(ds, rank_id), lang)
    if lang == "zh" and rank_name.startswith(label) and len(rank_name) > len(label):
        rank_name = rank_name[len(label) :]
    return t("kpi_rank", lang, name=rank_name, rank=int(rank))


def _note(ds: Dataset, indicator: str, info: dict, label: str, year: int, districts: Sequence[str], lang: str) -> str:
    if info["agg"] == "city" and not agg.is_city(ds, districts):
        return t("kpi_city_only", lang)
    share_of = SHARE_NOTE.get(indicator)
    if share_of and agg.available(ds, share_of):
        share = agg.value(ds, share_of, year, districts)
        note = t("kpi_share_of_grants", lang, pct=fmt_value(share, "%", lang))
        if share is not None and share < INVENTION_SHARE_FLOOR:
            note += " · " + t("kpi_share_low", lang, floor=floor_text(lang))
        return note
    if indicator in RANKED and agg.is_city(ds, districts):
        return _rank_note(ds, indicator, label, year, lang)
    return ""


def _uptime_status(value: float | None, lang: str) -> dict:
    """The network's uptime against its availability objective (on track at it or above, else at risk)."""
    if value is None:
        return {}
    if value >= NETWORK_UPTIME_TARGET * 100 - 1e-9:
        return {"status": ON_TRACK, "status_text": t("status_on_track", lang)}
    words = t("kpi_status_uptime", lang, status=t("status_at_risk", lang), target=uptime_target_text(lang))
    return {"status": AT_RISK, "status_text": words}


def _uptime_card(ds: Dataset, year: int, districts: Sequence[str], lang: str, span: Span = YEAR) -> Kpi:
    r = agg.uptime_reading(ds, year, districts, span)
    st = agg.stations_in(ds.stations, districts)
    n = int((st["commissioned"] < agg.span_bounds(year, span)[1]).sum())
    return Kpi(
        NETWORK_UPTIME,
        t("kpi_network_uptime", lang),
        r.value,
        fmt_value(r.value, "%", lang, DECIMALS[NETWORK_UPTIME]),
        r.change,
        _change_text(r, lang),
        _direction(r.change),
        None if _direction(r.change) in ("", "flat") else _direction(r.change) == "up",
        note=t("kpi_no_stations", lang) if r.value is None else t("kpi_stations", lang, n=n),
        **_uptime_status(r.value, lang),
    )


def kpi_model(ds: Dataset, indicator: str, year: int, districts: Sequence[str], lang: str) -> Kpi:
    """One card: value, 同比, target and completion where a target exists, and its note."""
    if indicator == NETWORK_UPTIME:
        return _uptime_card(ds, year, districts, lang)
    info = agg.indicator_info(ds, indicator)
    r = agg.reading(ds, indicator, year, districts)
    label = name(info, lang)
    direction = _direction(r.change)
    good = None if direction in ("", "flat") else (direction == "up") == bool(info["higher_is_better"])
    goal = _target(ds, r, info, lang, districts)
    if "status" not in goal:
        goal.update(_trend_status(ds, r, bool(info["higher_is_better"]), lang))
    return Kpi(
        indicator,
        label,
        r.value,
        fmt_indicator(r.value, info, lang, DECIMALS.get(indicator)),
        r.change,
        _change_text(r, lang),
        direction,
        good,
        note=_note(ds, indicator, info, label, year, districts, lang),
        **goal,
    )


def _annual_fallback(ds: Dataset, indicator: str, when: ViewPeriod, districts: Sequence[str], lang: str) -> Kpi:
    """A card without data through the year in a period view: its latest whole year ending no later than the
    view's period (the year before, unless the period ends in December), labelled with that year."""
    year = when.year if when.last == 12 else when.year - 1
    k = kpi_model(ds, indicator, year, districts, lang)
    shown = t("kpi_period_shown", lang, period=span_label(year, YEAR, lang))
    return replace(k, note=shown, period=str(year), basis="ytd", status="", status_text="")


def period_model(
    ds: Dataset, indicator: str, when: ViewPeriod, basis: Basis, districts: Sequence[str], lang: str
) -> Kpi:
    """One card of a period view: the period's value (1–N月累计 or 当期), 同比 against the same months a year
    before (published where the source gave it), and for an annual target its completion against 序时进度.
    The network's uptime is exact over any months (outages are intervals): the period's, against the same
    months a year before."""
    if indicator == NETWORK_UPTIME:
        k = _uptime_card(ds, when.year, districts, lang, when.span(basis))
        shown = view_label(when, basis, lang) if k.value is not None else k.note
        source = "computed" if k.change is not None else ""
        return replace(k, note=shown, period=when.code, basis=basis, yoy_source=source)
    if not has_period_data(ds, indicator):
        return _annual_fallback(ds, indicator, when, districts, lang)
    info = agg.indicator_info(ds, indicator)
    r = period_reading(ds, indicator, when, basis, districts)
    direction = _direction(r.change)
    good = None if direction in ("", "flat") else (direction == "up") == bool(info["higher_is_better"])
    change = fmt_change(r.change, r.change_kind, lang)
    if r.change is None:
        change_text = t("kpi_no_prev", lang) if r.value is not None else ""
    else:
        change_text = t("kpi_yoy_reported" if r.change_source == "reported" else "kpi_yoy", lang, change=change)
    shown = r.label(lang) if r.own else t("kpi_period_shown", lang, period=r.label(lang))
    extra = _period_target(ds, indicator, info, when, districts, lang) if r.own else {}
    return Kpi(
        indicator,
        name(info, lang),
        r.value,
        fmt_indicator(r.value, info, lang, DECIMALS.get(indicator)),
        r.change,
        change_text,
        direction,
        good,
        note=shown,
        period=r.period,
        basis=basis,
        yoy_source=r.change_source,
        **extra,
    )


def _period_target(
    ds: Dataset, indicator: str, info: dict, when: ViewPeriod, districts: Sequence[str], lang: str
) -> dict:
    """An annual target of a flow read in-year: the year-to-date value against it and against 序时进度."""
    goal = agg.target(ds, indicator, when.year, districts)
    flow = info["agg"] in ("sum", "city") and str(info.get("temporal") or "flow") == "flow"
    if goal is None or goal[1] != when.year or not flow:
        return {}
    to_date = period_reading(ds, indicator, when, "ytd", districts)
    p = progress(to_date.value if to_date.own else None, goal[0], when, ds.thresholds, bool(info["higher_is_better"]))
    if p is None:
        return {}
    out: dict = {
        "target": p.target,
        "schedule": p.schedule,
        "completion": p.completion,
        "target_text": target_label(ds, fmt_indicator(goal[0], info, lang), goal[1], when.year, lang),
    }
    if p.completion is None or p.ahead_points is None or p.status is None:
        return out
    pct = fmt_percent(p.completion)
    if abs(p.ahead_points) < 0.05:
        words = t("kpi_schedule_even", lang, pct=pct)
    else:
        pace = t("kpi_schedule_ahead" if p.ahead_points > 0 else "kpi_schedule_behind", lang)
        words = t("kpi_schedule", lang, pct=pct, pace=pace, points=f"{abs(p.ahead_points):.1f}")
    status = p.status
    return {**out, "completion_text": words, "status": status, "status_text": t(f"status_{status}", lang)}


def kpi_models(
    ds: Dataset,
    year: int,
    districts: Sequence[str],
    lang: str,
    when: ViewPeriod | None = None,
    basis: Basis = "ytd",
) -> list[Kpi]:
    """The KPI strip for a selection, in the dataset's order: a year's, or with `when` a period's."""
    if when is None:
        cards = [_with_year(kpi_model(ds, k, year, districts, lang), ds, k, year, districts) for k in kpi_ids(ds)]
    else:
        cards = [period_model(ds, k, when, basis, districts, lang) for k in kpi_ids(ds)]
    listed = set(ds.indicators["indicator"])
    cards = [replace(k, open_title=t("kpi_open", lang, indicator=k.label)) for k in cards]
    return [
        replace(k, info=info_lines(ds, k.indicator, lang), info_title=t("info_label", lang, name=k.label))
        if k.indicator in listed
        else k
        for k in cards
    ]


def chart_info(ds: Dataset, indicators: Iterable[str], lang: str) -> tuple[str, ...]:
    """A chart's ⓘ: each indicator it shows (of indicators.csv) by name, with its catalogue lines."""
    listed = set(ds.indicators["indicator"])
    out: list[str] = []
    for ind in [i for i in ds.indicators["indicator"] if i in set(indicators) & listed]:
        out += [f"【{name(agg.indicator_info(ds, ind), lang)}】", *info_lines(ds, ind, lang)]
    return tuple(out)


def info_lines(ds: Dataset, indicator: str, lang: str) -> tuple[str, ...]:
    """The ⓘ's lines: 统计口径, source, frequency (and how the rows run through the year), latest data."""
    e = catalogue.entry(ds, indicator, lang)
    sep = "：" if lang == "zh" else ": "
    how = e.frequency + (f" · {e.reported}" if e.reported else "")
    pairs = [("export_col_definition", e.definition), ("export_col_source", e.source)]
    pairs += [("export_col_frequency", how), ("export_col_latest", e.latest)]
    return tuple(f"{t(key, lang)}{sep}{text}" for key, text in pairs if text)


def _with_year(k: Kpi, ds: Dataset, indicator: str, year: int, districts: Sequence[str]) -> Kpi:
    """A year's card with the attributes of a period view: the year, its target and 序时进度 1."""
    goal = agg.target(ds, indicator, year, districts) if indicator != NETWORK_UPTIME else None
    target = goal[0] if goal is not None and goal[1] == year else None
    source = "computed" if k.change is not None else ""
    return replace(k, period=str(year), basis="ytd", yoy_source=source, target=target, schedule=1.0 if target else None)


def view_kpis(ds: Dataset, view: View) -> list[Kpi]:
    """The strip of a view: a whole year's cards, or a period's (a quarter, a month, or a year still running,
    whose cards show its latest period)."""
    when = period_of(ds, view)
    return kpi_models(ds, view.year, view.districts, view.lang, when, view.on_basis)


def period_of(ds: Dataset, view: View) -> ViewPeriod | None:
    """The period a view's headline numbers are read for: a quarter or a month, or a year still running (its
    numbers then show its latest period); None for a whole year's annual view."""
    return view.when if view.in_year or (view.year not in ds.years and bool(ds.series)) else None


def kpi_card(k: Kpi) -> html.Div:
    """One KPI card with data-indicator / data-value / data-yoy (../shared/DESIGN.md §3).

    Few elements (a page's every element costs each update in the browser): the completion bar is drawn by
    CSS on the target line, which is the progress bar for assistive technology, named by its own text.
    """
    arrow = {"up": "▲ ", "down": "▼ ", "flat": "■ "}.get(k.direction, "")
    tone = "" if k.good is None else ("kpi-good" if k.good else "kpi-bad")
    body: list[Any] = [
        html.Div(k.label, className="kpi-label"),
        html.Div(k.value_text if k.value is not None else DASH, className="kpi-value"),
        html.Div(arrow + k.change_text, className=f"kpi-change {tone}"),
    ]
    done = min(max(k.completion or 0, 0), 1) * 100
    text = k.target_text + (" · " + k.completion_text if k.completion_text else "")
    body.append(  # always there (hidden without a target): a card keeps its shape, so a change only repaints
        html.Div(
            text,
            className="kpi-target",
            role="progressbar",
            style={"--done": f"{done:.0f}%"},
            hidden=not k.target_text,
            **attrs(
                {
                    "aria-label": f"{k.label}: {text}",
                    "aria-valuenow": f"{done:.0f}",
                    "aria-valuemin": "0",
                    "aria-valuemax": "100",
                }
            ),
        )
    )
    body.append(html.Div(k.note, className="kpi-note", hidden=not k.note))
    body.append(status_line(k.status, k.status_text, "kpi-status"))
    if k.info:  # the catalogue where the number is read: opens in place (a tap or Enter), no hover needed
        body.append(info_details(k.info, k.info_title, "kpi-card-info"))
    if k.open_title:  # a phone's tap on the card: its detail (trend, districts, target, 口径); hidden on a desk
        body.append(
            html.Button(
                type="button", className="kpi-open", **attrs({"aria-label": k.open_title, "data-open": k.indicator})
            )
        )
    return html.Div(
        body,
        className="card kpi-card" + (f" kpi-{k.status}" if k.status else ""),
        id=f"kpi-{slug(k.indicator)}",
        **attrs(
            {
                "data-indicator": k.indicator,
                "data-value": raw(k.value),
                "data-yoy": raw(k.change),
                "data-status": k.status,
                "data-period": k.period,
                "data-basis": k.basis,
                "data-yoy-source": k.yoy_source if k.change is not None else "",
                "data-target": raw(k.target),
                "data-completion": raw(k.completion) if k.target is not None else "",
                "data-schedule": raw(k.schedule),
            }
        ),
    )


def kpi_strip(models: Sequence[Kpi]) -> list[html.Div]:
    """The cards, laid out by the strip's CSS grid."""
    return [kpi_card(k) for k in models]
