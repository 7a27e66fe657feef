"""The view state (year, districts, language, theme) and its URL form; pure, with no dash import."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from data.aggregate import normalise_districts
from data.load import Dataset

MAX_DISTRICTS = 64
MAX_QUERY = 2048
KNOWN_PARAMS = ("year", "district", "lang", "theme", "section", "present", "interval", "slide", "v")
EXTRA_PARAMS = ("section", "present", "interval", "slide")


@dataclass(frozen=True)
class View:
    """A normalised view: a year with data, known district codes (() = whole city), language, theme."""

    year: int
    districts: tuple[str, ...] = ()
    lang: str = "zh"
    theme: str = "light"
    extras: tuple[tuple[str, str], ...] = ()
    notices: tuple[tuple[str, dict[str, object]], ...] = field(default=(), compare=False)


def view_key(view: View) -> tuple[object, ...]:
    """The parts of a view that shape a computed result (what cache keys are made of)."""
    return (view.year, ",".join(view.districts), view.lang, view.theme)


def years_with_data(ds: Dataset, districts: Sequence[str] = ()) -> list[int]:
    """Years in which the selection has any observation (whole city: every year of the dataset)."""
    if not districts:
        return ds.years
    by = ds.years_by_district
    return sorted(set().union(*(by.get(d, frozenset()) for d in districts)))


def districts_with_data(ds: Dataset, year: int) -> list[str]:
    """District codes that have any observation in `year`."""
    obs = ds.observations
    have = set(obs.loc[obs["year"] == year, "district"])
    return [c for c in ds.district_codes if c in have]


def parse_year(raw: object) -> int | None:
    """An integer year from a URL or component value, or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"[0-9]{4}", raw.strip()):
        return int(raw.strip())
    return None


def resolve(
    ds: Dataset,
    year: object,
    districts: object,
    lang: str = "zh",
    theme: str = "light",
    extras: Iterable[tuple[str, str]] = (),
) -> View:
    """Validate raw inputs into a View, with notices for anything that had to change.

    Unknown codes are dropped, oversized lists cut, a year without data for the selection falls back
    to the latest year that has data.
    """
    notices: list[tuple[str, dict[str, object]]] = []
    raw_list = districts if isinstance(districts, list | tuple) else []
    if len(raw_list) > MAX_DISTRICTS:
        notices.append(("notice_too_many", {}))
        raw_list = list(raw_list)[:MAX_DISTRICTS]
    chosen = normalise_districts(ds, raw_list)
    available = years_with_data(ds, chosen) or years_with_data(ds)
    y = parse_year(year)
    if y is None:
        if year not in (None, ""):
            notices.append(("notice_bad_year", {"value": str(year)[:20], "year": available[-1]}))
        y = available[-1]
    elif y not in available:
        notices.append(("notice_year_fallback", {"year": y, "fallback": available[-1]}))
        y = available[-1]
    return View(
        y,
        chosen,
        lang if lang in ("zh", "en") else "zh",
        theme if theme in ("light", "dark") else "light",
        tuple(extras),
        tuple(notices),
    )


def from_query(ds: Dataset, search: str | None, default_lang: str = "zh") -> View:
    """Parse `?year=2011&district=330212,330281&lang=en` into a View; bad parts become notices."""
    text = (search or "").lstrip("?")[:MAX_QUERY]
    pairs = parse_qsl(text, keep_blank_values=True)
    params = dict(pairs)
    notices: list[tuple[str, dict[str, object]]] = []
    codes: list[str] = []
    known = set(ds.district_codes)
    for code in ",".join(v for k, v in pairs if k == "district").split(","):
        code = code.strip()
        if not code:
            continue
        if code in known:
            codes.append(code)
        else:
            notices.append(("notice_bad_district", {"value": code[:20]}))
    for name in params:
        if name not in KNOWN_PARAMS:
            notices.append(("notice_bad_param", {"value": name[:20]}))
    extras = tuple((k, params[k][:40]) for k in EXTRA_PARAMS if k in params)
    view = resolve(
        ds, params.get("year"), codes, params.get("lang", default_lang), params.get("theme", "light"), extras
    )
    if "year" in params and params["year"] == "":
        notices.append(("notice_bad_year", {"value": "", "year": view.year}))
    return View(view.year, view.districts, view.lang, view.theme, view.extras, tuple(notices) + view.notices)


def to_query(view: View) -> str:
    """The URL query string of a view, e.g. '?year=2011&district=330212,330281&lang=en'."""
    params: list[tuple[str, str]] = [("year", str(view.year))]
    if view.districts:
        params.append(("district", ",".join(view.districts)))
    if view.lang != "zh":
        params.append(("lang", view.lang))
    if view.theme != "light":
        params.append(("theme", view.theme))
    params.extend(view.extras)
    return "?" + urlencode(params, safe=",")


def swap(view: View, key: str, value: str) -> str:
    """The view's query string with one parameter set (and no `slide`): the header's switch links."""
    params = [(k, v) for k, v in parse_qsl(to_query(view).lstrip("?")) if k not in (key, "slide")]
    return "?" + urlencode([*params, (key, value)], safe=",")


def toggle(districts: Sequence[str], code: str) -> list[str]:
    """Add `code` to the selection, or remove it when already there."""
    return [c for c in districts if c != code] if code in districts else [*districts, code]
