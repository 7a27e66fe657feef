"""The view state (year or a period of it, districts, language, theme) and its URL form; pure, with no dash
import.

A view is a whole year (`period` ""), or, where the dataset has data through the year, a quarter ("Q3") or a
month ("M11") of it, read on a basis: `ytd` (1–N月累计, the default) or `period` (当期). The URL carries
`period=2012-11` (`year=2012` for a whole year, as before) and `basis=period` when not the default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode

from data.aggregate import normalise_districts
from data.load import Dataset
from data.periods import BASES, Basis, ViewPeriod, parse_view_period, view_label

MAX_DISTRICTS = 64
MAX_QUERY = 2048
KNOWN_PARAMS = ("year", "period", "basis", "district", "lang", "theme", "section", "present", "interval", "slide", "v")
EXTRA_PARAMS = ("section", "present", "interval", "slide")


@dataclass(frozen=True)
class View:
    """A normalised view: a year with data (or `period`, a quarter 'Q3' or month 'M11' of it, on `basis` 'ytd'
    or 'period'), known district codes (() = whole city), language, theme."""

    year: int
    districts: tuple[str, ...] = ()
    lang: str = "zh"
    theme: str = "light"
    extras: tuple[tuple[str, str], ...] = ()
    notices: tuple[tuple[str, dict[str, object]], ...] = field(default=(), compare=False)
    period: str = ""  # "" the whole year, "Q1"–"Q4" or "M01"–"M12"
    basis: str = "ytd"

    @property
    def when(self) -> ViewPeriod:
        """The view's period for data/periods.py."""
        return parse_view_period(period_code(self.year, self.period)) or ViewPeriod(self.year)

    @property
    def in_year(self) -> bool:
        """Whether the view is a quarter or a month rather than a whole year."""
        return bool(self.period)

    @property
    def on_basis(self) -> Basis:
        """The basis as data/periods.py reads it: 'period' (当期), else 'ytd' (1–N月累计)."""
        return "period" if self.basis == "period" else "ytd"

    @property
    def when_text(self) -> str:
        """A period view's label where titles and sentences say the year ('2012年1–11月' / 'Jan–Nov 2012' on the
        ytd basis, '2012年11月' / 'Nov 2012' on its own); '' for a whole year."""
        return view_label(self.when, self.on_basis, self.lang) if self.period else ""


def period_code(year: int, sub: str) -> str:
    """The URL's period: '2012' for the year, '2012-Q3', '2012-11'."""
    if not sub:
        return str(year)
    return f"{year}-{sub}" if sub.startswith("Q") else f"{year}-{sub[1:]}"


def sub_period(view: ViewPeriod) -> str:
    """The filter's value for a view period: '' (the year), 'Q3' or 'M11'."""
    return {"year": "", "quarter": f"Q{view.last // 3}", "month": f"M{view.last:02d}"}[view.kind]


def view_key(view: View) -> tuple[object, ...]:
    """The parts of a view that shape a computed result (what cache keys are made of)."""
    key: tuple[object, ...] = (view.year, ",".join(view.districts), view.lang, view.theme)
    return (*key, view.period, view.basis) if view.period else key


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
    period: object = "",
    basis: object = "ytd",
) -> View:
    """Validate raw inputs into a View, with notices for anything that had to change.

    Unknown codes are dropped, oversized lists cut, a year without data for the selection falls back
    to the latest year that has data; a sub-period the year's data does not reach falls back to the whole year.
    With no year asked, a dataset whose latest year is still running opens on its latest period.
    """
    notices: list[tuple[str, dict[str, object]]] = []
    raw_list = districts if isinstance(districts, list | tuple) else []
    if len(raw_list) > MAX_DISTRICTS:
        notices.append(("notice_too_many", {}))
        raw_list = list(raw_list)[:MAX_DISTRICTS]
    chosen = normalise_districts(ds, raw_list)
    subs = ds.periods
    available = sorted(set(years_with_data(ds, chosen) or years_with_data(ds)) | set(subs))
    y = parse_year(year)
    sub = period if isinstance(period, str) else ""
    if y is None:
        if year not in (None, ""):
            notices.append(("notice_bad_year", {"value": str(year)[:20], "year": available[-1]}))
        y = available[-1]
        if year in (None, "") and not sub and y in subs and y not in ds.years:
            sub = subs[y][-1]  # the year is still running: its latest period
    elif y not in available:
        notices.append(("notice_year_fallback", {"year": y, "fallback": available[-1]}))
        y = available[-1]
    if sub and sub not in subs.get(y, []):
        notices.append(("notice_bad_period", {"value": sub[:20], "year": y}))
        sub = ""
    b = basis if basis in BASES else "ytd"
    if basis not in (None, "", *BASES):
        notices.append(("notice_bad_basis", {"value": str(basis)[:20]}))
    return View(
        y,
        chosen,
        lang if lang in ("zh", "en") else "zh",
        theme if theme in ("light", "dark") else "light",
        tuple(extras),
        tuple(notices),
        sub,
        str(b),
    )


def from_query(ds: Dataset, search: str | None, default_lang: str = "zh") -> View:
    """Parse `?year=2011&district=330212,330281&lang=en` (or `period=2012-11&basis=period`) into a View; bad
    parts become notices."""
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
    year: object = params.get("year")
    sub = ""
    if "period" in params:
        asked = parse_view_period(params["period"])
        if asked is None:
            notices.append(("notice_bad_period", {"value": params["period"][:20], "year": ""}))
        else:
            year, sub = str(asked.year), sub_period(asked)
    view = resolve(
        ds,
        year,
        codes,
        params.get("lang", default_lang),
        params.get("theme", "light"),
        extras,
        sub,
        params.get("basis", "ytd"),
    )
    if "year" in params and params["year"] == "" and "period" not in params:
        notices.append(("notice_bad_year", {"value": "", "year": view.year}))
    return replace(view, notices=tuple(notices) + view.notices)


def to_query(view: View) -> str:
    """The URL query string of a view, e.g. '?year=2011&district=330212,330281&lang=en'."""
    params: list[tuple[str, str]] = [("period", period_code(view.year, view.period))] if view.period else []
    params += [] if view.period else [("year", str(view.year))]
    if view.basis != "ytd":
        params.append(("basis", view.basis))
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
