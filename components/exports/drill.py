"""Drill-down: the firms behind a pipeline count, the outages behind a station's uptime.

`firm_rows` and `outage_rows` are pure (the same selection the page's counts use: data/aggregate.py), and
feed both the drill-down page (/drill/enterprises, /drill/outages: a sortable, filterable, paged grid) and
the downloads (/export/enterprises.csv?…&tier=…, /export/outages.csv?…&station=…). The page is a Dash app of
its own at /drill/, so the dashboard never loads the grid's script.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from components.core.i18n import name, t
from components.core.state import View, to_query
from components.exports.view_data import Table
from components.sections.seismic import cause_label
from data import aggregate as agg
from data.load import Dataset
from data.schema import TIERS

KINDS = ("enterprises", "outages")


@dataclass(frozen=True)
class Drill:
    """What a drill-down shows: its kind, the view, and the tier or station it is about ('' = all)."""

    kind: str
    view: View
    tier: str = ""
    station: str = ""


def parse(ds: Dataset, kind: str, view: View, query: str) -> Drill:
    """The drill-down of `kind` for a view, its tier or station taken from the query (unknown ones: all)."""
    params = dict(parse_qsl(query.lstrip("?")))
    tier = params.get("tier", "")
    station = params.get("station", "")
    return Drill(
        kind if kind in KINDS else "enterprises",
        view,
        tier if tier in TIERS else "",
        station if station in set(ds.stations["station"].astype(str)) else "",
    )


def query_of(d: Drill) -> str:
    """The drill-down's query string: the view's, plus tier= or station=."""
    extra = {"tier": d.tier} if d.tier else {"station": d.station} if d.station else {}
    base = to_query(d.view)
    return base + ("&" + urlencode(extra) if extra else "")


def _district_names(ds: Dataset, lang: str) -> dict[str, str]:
    return {str(r["code"]): name(r, lang) for r in ds.district_rows}


def histories(certs: pd.DataFrame, lang: str) -> pd.Series:
    """Each firm's certifications, oldest first, by enterprise id: '市级科技型企业 2005–2010 → 高新技术企业 2011–'.
    One pass over the rows (a registry of 100k certifications takes well under a second)."""
    if certs.empty:
        return pd.Series(dtype=str)
    rows = certs.sort_values(["enterprise_id", "year_from"], kind="stable")
    names = rows["tier"].map({tier: t(f"tier_{tier}", lang) for tier in TIERS}).fillna(rows["tier"].astype(str))
    until = rows["year_to"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    parts = names + " " + rows["year_from"].astype(int).astype(str) + "–" + until
    return parts.groupby(rows["enterprise_id"], sort=False).agg(" → ".join)


def firm_columns(lang: str) -> list[str]:
    """The firm table's column headings."""
    return [
        t(k, lang)
        for k in (
            "drill_col_firm",
            "drill_col_district",
            "drill_col_industry",
            "drill_col_tier",
            "drill_col_since",
            "drill_col_history",
        )
    ]


def firm_rows(ds: Dataset, d: Drill) -> list[list[Any]]:
    """The firms certified in the view's year and districts (at the tier, when one is chosen): name,
    district, industry, tier, certified since, tier history; as many rows as the page's count."""
    ent = ds.enterprises
    if ent.empty:
        return []
    lang, view = d.view.lang, d.view
    active = (ent["year_from"] <= view.year) & (ent["year_to"].isna() | (ent["year_to"] >= view.year))
    chosen = ent["district"].isin(view.districts) if view.districts else pd.Series(True, index=ent.index)
    rows = ent[active & chosen]
    if d.tier:
        rows = rows[rows["tier"] == d.tier]
    order = {tier: i for i, tier in enumerate(TIERS)}
    rows = rows.assign(rank=rows["tier"].map(order)).sort_values(["rank", "name"], ascending=[False, True])
    names = _district_names(ds, lang)
    history = histories(ent[ent["enterprise_id"].isin(rows["enterprise_id"])], lang).to_dict()
    return [
        [
            str(r.name),
            names.get(str(r.district), str(r.district)),
            str(r.industry),
            t(f"tier_{r.tier}", lang),
            int(r.year_from),
            history[r.enterprise_id],
        ]
        for r in rows.itertuples(index=False)
    ]


def outage_columns(lang: str) -> list[str]:
    """The outage table's column headings."""
    return [
        t(k, lang)
        for k in ("drill_col_station", "drill_col_start", "drill_col_end", "drill_col_hours", "drill_col_cause")
    ]


def outage_rows(ds: Dataset, d: Drill) -> list[list[Any]]:
    """The outages of the station (or of every station in the view's districts) in the view's year: station,
    start, end, hours within the year, cause."""
    if ds.stations.empty:
        return []
    view = d.view
    stations = [d.station] if d.station else list(agg.stations_in(ds.stations, view.districts)["station"])
    lo, hi = agg.year_bounds(view.year)
    out = agg.outages_in(ds.outages, stations, lo, hi)
    names = {str(r["station"]): name(r, view.lang) for r in ds.station_rows}
    return [
        [
            names.get(str(r.station), str(r.station)),
            r.start.strftime("%Y-%m-%d %H:%M"),
            r.end.strftime("%Y-%m-%d %H:%M"),
            round(float(r.duration_h), 2),
            cause_label(str(r.cause), view.lang),
        ]
        for r in out.itertuples(index=False)
    ]


def title(ds: Dataset, d: Drill) -> str:
    """'2012年 鄞州区 高新技术企业名单' / 'Outages, 2012 — Zhenhai'."""
    lang, view = d.view.lang, d.view
    names = _district_names(ds, lang)
    scope = ("、" if lang == "zh" else ", ").join(names[c] for c in view.districts) or t("whole_city", lang)
    if d.kind == "enterprises":
        what = t(f"tier_{d.tier}", lang) if d.tier else t("drill_all_tiers", lang)
        return t("drill_firms_title", lang, year=view.year, scope=scope, what=what)
    station = {str(r["station"]): name(r, lang) for r in ds.station_rows}.get(d.station, "")
    return t("drill_outages_title", lang, year=view.year, scope=station or scope)


def table(ds: Dataset, d: Drill) -> Table:
    """The drill-down as one table (for the downloads)."""
    if d.kind == "enterprises":
        return Table(title(ds, d), firm_columns(d.view.lang), firm_rows(ds, d))
    return Table(title(ds, d), outage_columns(d.view.lang), outage_rows(ds, d))


def header_extra(ds: Dataset, d: Drill) -> list[list[Any]]:
    """The download's header rows beyond the view's: the tier or the station."""
    lang = d.view.lang
    if d.kind == "enterprises":
        return [[t("drill_col_tier", lang), t(f"tier_{d.tier}", lang) if d.tier else t("drill_all_tiers", lang)]]
    names = {str(r["station"]): name(r, lang) for r in ds.station_rows}
    return [[t("drill_col_station", lang), names.get(d.station, "") or t("drill_all_stations", lang)]]


def file_part(d: Drill) -> str:
    """The tier or station in the download's file name ('' for all)."""
    return d.tier or d.station


def link(kind: str, view: View, **extra: str) -> str:
    """The drill-down page's URL for a view (and a tier or a station)."""
    return f"/drill/{kind}" + query_of(Drill(kind, view, extra.get("tier", ""), extra.get("station", "")))


def tier_choices(lang: str) -> Sequence[tuple[str, str]]:
    """(value, label) of the tier filter: all tiers, then each tier."""
    return [("", t("drill_all_tiers", lang)), *((tier, t(f"tier_{tier}", lang)) for tier in TIERS)]
