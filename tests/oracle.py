"""Independent expectations from a dataset's CSV files: the csv module and the standard library only.

Nothing here imports the app (data/ or components/): the tests compare what the app computes and draws
with what these few lines compute from the same files, so a bug in the app's aggregation, its index or
its figures cannot also hide in the expectation.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATASETS: dict[str, Path] = {
    "sample": SAMPLE,
    "other_city": FIXTURES / "other_city",
    "minimal": FIXTURES / "minimal",
    "no_pipeline": FIXTURES / "no_pipeline",
    "large": FIXTURES / "large",
}
# Chinese in an English page: ideographs, CJK symbols and punctuation (、。「」), full-width forms (，：（）).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
TIERS = (
    "tech_enterprise",
    "hightech_enterprise",
    "innovative_municipal",
    "innovative_provincial",
    "innovative_national",
)
TIER_IDS = dict(zip(TIERS, ("tech_enterprises", "hightech_enterprises", *TIERS[2:]), strict=True))


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def rows(root: Path, name: str) -> list[dict[str, str]]:
    """A CSV file's rows as dicts ([] when the file is absent)."""
    path = root / name
    if not path.is_file():
        return []
    return list(csv.DictReader(io.StringIO(_text(path), newline="")))


def _union(spans: list[tuple[datetime, datetime]]) -> float:
    total, end = 0.0, None
    start = None
    for s, e in sorted(spans):
        if e <= s:
            continue
        if end is None or s > end:
            if end is not None:
                total += (end - start).total_seconds()
            start, end = s, e
        else:
            end = max(end, e)
    if end is not None:
        total += (end - start).total_seconds()
    return total


@dataclass(frozen=True)
class Oracle:
    """One dataset read from its files."""

    root: Path
    meta: dict
    districts: tuple[dict[str, str], ...]
    indicators: dict[str, dict[str, str]]
    obs: dict[tuple[str, str, int], float]
    enterprises: tuple[dict[str, str], ...]
    stations: tuple[dict[str, str], ...]
    outages: tuple[dict[str, str], ...]
    targets: dict[tuple[str, str, int], float]

    @property
    def codes(self) -> list[str]:
        return [d["code"] for d in self.districts]

    @property
    def city(self) -> str:
        return self.meta["city_code"]

    @property
    def years(self) -> list[int]:
        return sorted({y for (_, _, y) in self.obs})

    def name(self, code: str, lang: str = "zh") -> str:
        row = next(d for d in self.districts if d["code"] == code)
        return row["name_en" if lang == "en" else "name_zh"]

    # --- indicators ------------------------------------------------------------------------------

    def total(self, indicator: str, year: int, districts: list[str] | tuple[str, ...] = ()) -> float | None:
        """Sum over the districts that report it (None when none does)."""
        found = [self.obs[(indicator, d, year)] for d in (districts or self.codes) if (indicator, d, year) in self.obs]
        return sum(found) if found else None

    def value(self, indicator: str, year: int, districts: list[str] | tuple[str, ...] = ()) -> float | None:
        """sum: a sum; ratio: ratio of sums over districts reporting both parts x scale; city: the city's row."""
        info = self.indicators[indicator]
        if info["agg"] == "city":
            return None if districts else self.obs.get((indicator, self.city, year))
        if info["agg"] == "sum":
            return self.total(indicator, year, districts)
        num = den = 0.0
        seen = False
        for d in districts or self.codes:
            a, b = (info["numerator"], d, year), (info["denominator"], d, year)
            if a in self.obs and b in self.obs:
                num, den, seen = num + self.obs[a], den + self.obs[b], True
        scale = float(info["scale"] or 1)
        return num / den * scale if seen and den > 0 else None

    def series(self, indicator: str, districts: tuple[str, ...] = ()) -> dict[int, float]:
        """{year: value} for the years with a value."""
        out = {y: self.value(indicator, y, districts) for y in self.years}
        return {y: v for y, v in out.items() if v is not None}

    def to_date(self, indicator: str, year: int, districts: tuple[str, ...] = ()) -> dict[int, float]:
        """{last month: 1–N月累计} of a flow from its rows through the year (summed over the districts; the
        city's row for a city-level indicator): a ytd row's own value, or the running sum of period rows."""
        info = self.indicators[indicator]
        who = [self.city] if info["agg"] == "city" else list(districts or self.codes)
        rows = [r for r in rows_of_file(self.root) if r["indicator"] == indicator and r["year"] == str(year)]
        out: dict[int, float] = {}
        for r in rows:
            if r["district"] in who and r.get("period"):
                last = _months(r["period"])[1]
                out[last] = out.get(last, 0.0) + float(r["value"])
        if info.get("reported_as") != "ytd":
            running = 0.0
            for last in sorted(out):
                running += out[last]
                out[last] = running
        return out

    def by_district(self, indicator: str, year: int) -> dict[str, float]:
        """Each district's own value."""
        out = {c: self.value(indicator, year, (c,)) for c in self.codes}
        return {c: v for c, v in out.items() if v is not None}

    # --- enterprise pipeline ---------------------------------------------------------------------

    def _active(self, row: dict[str, str], year: int) -> bool:
        return int(row["year_from"]) <= year and (row["year_to"].strip() == "" or int(row["year_to"]) >= year)

    def tier_counts(self, year: int, districts: tuple[str, ...] = ()) -> dict[str, int]:
        """Active certifications per tier."""
        chosen = set(districts or self.codes)
        out = dict.fromkeys(TIERS, 0)
        for r in self.enterprises:
            if r["district"] in chosen and self._active(r, year):
                out[r["tier"]] += 1
        return out

    def tier_by_district(self, year: int) -> dict[str, dict[str, int]]:
        """{district: {tier: count}} for districts with any certification."""
        out = {c: self.tier_counts(year, (c,)) for c in self.codes}
        return {c: v for c, v in out.items() if sum(v.values())}

    def _highest(self, year: int, chosen: set[str]) -> dict[str, str]:
        best: dict[str, str] = {}
        for r in self.enterprises:
            if r["district"] in chosen and self._active(r, year):
                f = r["enterprise_id"]
                if f not in best or TIERS.index(r["tier"]) > TIERS.index(best[f]):
                    best[f] = r["tier"]
        return best

    def flows(self, year: int, districts: tuple[str, ...] = ()) -> dict[tuple[str, str], int]:
        """{(from tier or 'new', to tier or 'lost'): firms} from year-1 to year, each firm at its highest tier."""
        chosen = set(districts or self.codes)
        before, after = self._highest(year - 1, chosen), self._highest(year, chosen)
        out: dict[tuple[str, str], int] = {}
        for f in before.keys() | after.keys():
            key = (before.get(f, "new"), after.get(f, "lost"))
            out[key] = out.get(key, 0) + 1
        return out

    # --- seismic uptime --------------------------------------------------------------------------

    def _station_down(self, station: dict[str, str], lo: datetime, hi: datetime) -> tuple[float, float]:
        lo = max(lo, datetime.fromisoformat(station["commissioned"]))
        if lo >= hi:
            return 0.0, 0.0
        spans = [
            (max(lo, datetime.fromisoformat(o["start"])), min(hi, datetime.fromisoformat(o["end"])))
            for o in self.outages
            if o["station"] == station["station"]
        ]
        return (hi - lo).total_seconds(), _union(spans)

    def uptime(self, year: int, districts: tuple[str, ...] = ()) -> dict[str, float]:
        """{station: uptime ratio} for the selection's stations in service that year."""
        chosen = set(districts or self.codes)
        out = {}
        for st in self.stations:
            if st["district"] in chosen:
                service, down = self._station_down(st, datetime(year, 1, 1), datetime(year + 1, 1, 1))
                if service > 0:
                    out[st["station"]] = 1 - down / service
        return out

    def network_uptime(self, year: int, districts: tuple[str, ...] = ()) -> float | None:
        """Percent, stations weighted by their time in service."""
        chosen = set(districts or self.codes)
        service = down = 0.0
        for st in self.stations:
            if st["district"] in chosen:
                s, d = self._station_down(st, datetime(year, 1, 1), datetime(year + 1, 1, 1))
                service, down = service + s, down + d
        return None if service == 0 else 100 * (1 - down / service)

    def monthly(self, station: str, year: int) -> list[float | None]:
        """Twelve monthly uptime ratios (None before commissioning)."""
        st = next(s for s in self.stations if s["station"] == station)
        out: list[float | None] = []
        for m in range(1, 13):
            lo, hi = datetime(year, m, 1), datetime(year + (m == 12), m % 12 + 1, 1)
            service, down = self._station_down(st, lo, hi)
            out.append(None if service == 0 else 1 - down / service)
        return out

    def outages_in(self, year: int, stations: set[str]) -> list[dict[str, str]]:
        """Outages of `stations` overlapping the year."""
        lo, hi = datetime(year, 1, 1), datetime(year + 1, 1, 1)
        return [
            o
            for o in self.outages
            if o["station"] in stations
            and datetime.fromisoformat(o["end"]) > lo
            and datetime.fromisoformat(o["start"]) < hi
        ]


def _months(period: str) -> tuple[int, int]:
    """First and last month of a period code: 'Q3' (7, 9), 'M11' (11, 11), 'M01-M02' (1, 2)."""
    if period.startswith("Q"):
        q = int(period[1])
        return 3 * q - 2, 3 * q
    first, _, last = period.partition("-")
    return int(first[1:]), int((last or first)[1:])


def _whole_years(obs: list[dict[str, str]], inds: dict[str, dict[str, str]]) -> dict[tuple[str, str, int], float]:
    """Each (indicator, district, year)'s whole-year value: its annual row; without one, a cumulative's or a
    stock's December row, or a period flow's rows when they cover the twelve months."""
    out: dict[tuple[str, str, int], float] = {}
    parts: dict[tuple[str, str, int], list[tuple[int, int, float]]] = {}
    for r in obs:
        key = (r["indicator"], r["district"], int(r["year"]))
        if not r.get("period"):
            out[key] = float(r["value"])
        else:
            parts.setdefault(key, []).append((*_months(r["period"]), float(r["value"])))
    for key, got in parts.items():
        if key in out:
            continue
        ind = inds.get(key[0], {})
        if ind.get("reported_as") == "ytd" or ind.get("temporal") == "stock":
            december = [v for _, last, v in got if last == 12]
            if december:
                out[key] = december[0]
        elif sorted(m for a, b, _ in got for m in range(a, b + 1)) == list(range(1, 13)):
            out[key] = sum(v for *_, v in got)
    return out


@cache
def rows_of_file(root: Path) -> tuple[dict[str, str], ...]:
    """observations.csv's rows, read once."""
    return tuple(rows(root, "observations.csv"))


@cache
def oracle(root: Path) -> Oracle:
    """The dataset at `root`, read once."""
    meta = json.loads(_text(root / "dataset.json"))
    obs = _whole_years(rows(root, "observations.csv"), {r["indicator"]: r for r in rows(root, "indicators.csv")})
    targets = {(r["indicator"], r["district"], int(r["year"])): float(r["target"]) for r in rows(root, "targets.csv")}
    return Oracle(
        root,
        meta,
        tuple(rows(root, "districts.csv")),
        {r["indicator"]: r for r in rows(root, "indicators.csv")},
        obs,
        tuple(rows(root, "enterprises.csv")),
        tuple(rows(root, "seismic_stations.csv")),
        tuple(rows(root, "seismic_outages.csv")),
        targets,
    )
