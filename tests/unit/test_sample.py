"""The bundled sample dataset (data/sample) against the published figures (../shared/FIGURES.md).

Every number is computed through the aggregation functions of data/aggregate.py on the loaded sample, as
the dashboard computes it, never read back from a copy of the CSV files. The generator is checked to be
deterministic and to be what made the committed sample. (`app.py check` run as a user would run it:
tests/integration/test_cli.py.)
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from data import aggregate as agg
from data.generate import generate
from data.load import Dataset, load_dataset
from data.period_reading import period_reading
from data.periods import parse_view_period
from data.schema import META_FILE, TABLES_BY_FILE, TIER_INDICATORS, TIERS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
CITY = "330200"
YEAR = 2012

# FIGURES.md: the 11 county-level districts of 2012 and their GB/T 2260 codes.
DISTRICTS = {
    "330203": "海曙区",
    "330204": "江东区",
    "330205": "江北区",
    "330206": "北仑区",
    "330211": "镇海区",
    "330212": "鄞州区",
    "330225": "象山县",
    "330226": "宁海县",
    "330281": "余姚市",
    "330282": "慈溪市",
    "330283": "奉化市",
}
# FIGURES.md: the indicator ids of the published-figures table.
FIGURE_IDS = (
    "patent_applications",
    "patent_grants",
    "invention_grants",
    "hightech_output",
    "hightech_share",
    "tech_enterprises",
    "hightech_enterprises",
    "innovative_municipal",
    "innovative_provincial",
    "innovative_national",
    "hightech_ent_revenue",
    "rd_intensity",
    "engineering_centers",
    "tech_service_institutions",
    "new_hightech_projects",
    "innovation_index",
)
TIER_TOTALS_2012 = {
    "tech_enterprise": 563,
    "hightech_enterprise": 930,
    "innovative_municipal": 156,
    "innovative_provincial": 52,
    "innovative_national": 16,
}


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(SAMPLE)


# --- published city totals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "year", "expected"),
    [
        ("patent_applications", 2012, 73647),
        ("patent_grants", 2012, 59175),
        ("invention_grants", 2012, 2065),
        ("hightech_output", 2012, 3429),
        ("rd_intensity", 2012, 1.95),
        ("rd_intensity", 2011, 1.89),
        ("innovation_index", 2012, 364.85),
        ("engineering_centers", 2012, 746),
        ("new_hightech_projects", 2012, 353),
        ("tech_service_demo_projects", 2012, 24),
        ("tech_service_demo_firms", 2012, 7),
    ],
)
def test_city_total_is_exact(ds: Dataset, indicator: str, year: int, expected: float) -> None:
    got = agg.value(ds, indicator, year)
    assert got == expected  # exact: the sample must reproduce the published figure
    assert agg.reading(ds, indicator, year).value == expected


def test_city_total_same_with_every_district_selected(ds: Dataset) -> None:
    every = tuple(DISTRICTS)
    for indicator in ("patent_applications", "patent_grants", "invention_grants", "hightech_output"):
        assert agg.value(ds, indicator, YEAR, every) == agg.value(ds, indicator, YEAR)


def test_hightech_share_rounds_to_published_value(ds: Dataset) -> None:
    share = agg.value(ds, "hightech_share", YEAR)
    assert share is not None
    assert round(share, 1) == 28.7
    assert agg.reading(ds, "hightech_share", YEAR).change_kind == "pp"


def test_tier_counts_2012(ds: Dataset) -> None:
    counts = agg.tier_counts(ds.enterprises, YEAR)
    assert counts.to_dict() == TIER_TOTALS_2012
    assert list(counts.index) == list(TIERS)


@pytest.mark.parametrize(("tier", "expected"), TIER_TOTALS_2012.items())
def test_tier_indicator_series_2012(ds: Dataset, tier: str, expected: int) -> None:
    indicator = TIER_INDICATORS[tier]
    assert agg.series(ds, indicator)[YEAR] == expected
    assert agg.value(ds, indicator, YEAR) == expected


def test_pipeline_counts_2012(ds: Dataset) -> None:
    assert agg.pipeline_counts(ds, YEAR).to_dict() == TIER_TOTALS_2012


def test_tier_counts_by_district_add_up(ds: Dataset) -> None:
    table = agg.tier_by_district(ds.enterprises, YEAR)
    assert table.sum().to_dict() == TIER_TOTALS_2012
    assert set(table.index) <= set(DISTRICTS)


@pytest.mark.parametrize(
    ("indicator", "published_pct"),
    [
        ("patent_applications", 54.78),
        ("patent_grants", 58.46),
        ("invention_grants", 27.07),
        ("hightech_output", 11.4),
        ("innovation_index", 18.28),
    ],
)
def test_growth_matches_published_rate(ds: Dataset, indicator: str, published_pct: float) -> None:
    r = agg.reading(ds, indicator, YEAR)
    assert r.change_kind == "pct"
    assert r.change is not None
    assert abs(r.change * 100 - published_pct) < 0.01


# --- the report's in-year figures (contract v2 period rows, ../shared/FIGURES.md "In-year figures") -------------


def _rows(indicator: str) -> list[dict[str, str]]:
    """The indicator's rows of observations.csv as the csv module reads them (the oracle)."""
    with (SAMPLE / "observations.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["indicator"] == indicator]


@pytest.mark.parametrize(
    ("indicator", "period", "value", "reported"),
    [
        ("hightech_ent_revenue", "2012-11", 1830.7, 0.037),  # 截止11月底……1830.7亿元，比去年同期增长3.7%
        ("tech_service_value_added", "2012-Q3", 40.3, 0.247),  # 前三季度……40.3亿元，比上年同期增长24.7%
    ],
)
def test_in_year_figures_are_the_reports(
    ds: Dataset, indicator: str, period: str, value: float, reported: float
) -> None:
    view = parse_view_period(period)
    assert view is not None
    r = period_reading(ds, indicator, view, "ytd")
    assert (r.value, r.change, r.change_source, r.period, r.own) == (value, reported, "reported", period, True)
    year, code = period.split("-")
    row = [x for x in _rows(indicator) if x["year"] == year and x["period"] == ("M" + code if code[0] != "Q" else code)]
    assert [(float(x["value"]), float(x["yoy_reported"])) for x in row] == [(value, reported)]


def test_tech_service_institutions_356_up_41_on_the_same_quarter(ds: Dataset) -> None:
    view = parse_view_period("2012-Q3")
    assert view is not None
    r = period_reading(ds, "tech_service_institutions", view, "ytd")
    assert r.value == 356
    assert r.change is not None
    assert round(356 / (1 + r.change)) == 356 - 41
    by = {(x["year"], x["period"]): float(x["value"]) for x in _rows("tech_service_institutions")}
    assert by[("2012", "Q3")] - by[("2011", "Q3")] == 41


def test_in_year_indicators_are_real_periods_not_named_ones(ds: Dataset) -> None:
    names = " ".join(ds.indicators["name_zh"]) + " ".join(ds.indicators["name_en"])
    assert "1–11月" not in names
    assert "1–9月" not in names
    assert "Jan–Nov" not in names
    assert "Q1–Q3" not in names
    o = ds.observations  # whole years: 2011's from its complete months; 2012 is published to November only
    revenue = o[o["indicator"] == "hightech_ent_revenue"]
    assert list(revenue["year"]) == [2011]
    assert agg.value(ds, "hightech_ent_revenue", 2012) is None


@pytest.mark.parametrize(
    "indicator", ["patent_applications", "patent_grants", "invention_grants", "hightech_output", "industrial_output"]
)
def test_months_add_up_to_the_published_years(indicator: str) -> None:
    """Per district: 当月 rows sum to the year, a 1–N月累计's December is the year (csv oracle); no warning."""
    rows = _rows(indicator)
    annual = {(x["district"], x["year"]): float(x["value"]) for x in rows if not x["period"]}
    for year in ("2011", "2012"):
        for district in DISTRICTS:
            months = [x for x in rows if (x["district"], x["year"]) == (district, year) and x["period"]]
            if indicator.endswith("output"):  # ytd: rising, December the year
                values = [float(x["value"]) for x in months]
                assert values == sorted(values)
                assert months[0]["period"] == "M01-M02"
                assert values[-1] == annual[(district, year)]
            else:
                assert len(months) == 12
                assert sum(float(x["value"]) for x in months) == annual[(district, year)]


def test_sample_checks_without_warnings(ds: Dataset) -> None:
    assert ds.warnings == ()
    assert 2012 in ds.periods
    assert "M11" in ds.periods[2012]
    assert "Q3" in ds.periods[2012]


def test_invention_share_of_grants(ds: Dataset) -> None:
    share = agg.value(ds, "invention_share", YEAR)
    assert share is not None
    assert share < 3.5  # "不足3.5%"
    assert round(share, 2) == 3.49
    assert share == pytest.approx(2065 / 59175 * 100)


def test_rd_intensity_change_is_in_points(ds: Dataset) -> None:
    r = agg.reading(ds, "rd_intensity", YEAR)
    assert r.change_kind == "pp"
    assert r.change == pytest.approx(0.06)


def test_grants_are_invention_plus_utility_plus_design(ds: Dataset) -> None:
    for year in ds.years:
        for code in DISTRICTS:
            sel = (code,)
            parts = [agg.value(ds, k, year, sel) for k in ("invention_grants", "utility_grants", "design_grants")]
            assert None not in parts, (code, year)
            assert sum(parts) == agg.value(ds, "patent_grants", year, sel), (code, year)  # type: ignore[arg-type]


def test_city_totals_are_sums_of_districts(ds: Dataset) -> None:
    for indicator in ("patent_applications", "patent_grants", "invention_grants"):
        by = agg.by_district(ds, indicator, YEAR)
        assert len(by) == len(DISTRICTS)
        assert by["value"].sum() == agg.value(ds, indicator, YEAR)


# --- structure of the sample ------------------------------------------------------------------------------


def test_districts_are_the_eleven_of_2012(ds: Dataset) -> None:
    assert len(ds.districts) == 11
    assert dict(zip(ds.districts["code"], ds.districts["name_zh"], strict=True)) == DISTRICTS
    assert ds.city_code == CITY
    assert ds.meta["city_zh"] == "宁波"


def test_years(ds: Dataset) -> None:
    assert ds.years == [2008, 2009, 2010, 2011, 2012]


def test_dataset_json_marks_sample(ds: Dataset) -> None:
    assert ds.meta["sample"] is True


def test_every_published_indicator_id_exists(ds: Dataset) -> None:
    ids = set(ds.indicators["indicator"])
    missing = [i for i in FIGURE_IDS if i not in ids]
    assert not missing


def test_patent_application_targets_for_every_district(ds: Dataset) -> None:
    for code in DISTRICTS:
        goal = agg.target(ds, "patent_applications", YEAR, (code,))
        assert goal is not None, code
        assert goal[1] == YEAR
        assert goal[0] > 0
    city = agg.target(ds, "patent_applications", YEAR)
    assert city is not None
    assert city[1] == YEAR


def test_city_plan_target_for_rd_intensity(ds: Dataset) -> None:
    assert agg.target(ds, "rd_intensity", YEAR) == (2.5, 2015)


def peer(ds: Dataset, city_en: str, indicator: str) -> list[float]:
    p = ds.peers
    return p.loc[(p["city_en"] == city_en) & (p["indicator"] == indicator), "value"].tolist()


def test_peers(ds: Dataset) -> None:
    assert 58.2 in peer(ds, "Shenzhen", "hightech_share")
    assert 2.85 in peer(ds, "Hangzhou", "rd_intensity")


# --- pipeline -------------------------------------------------------------------------------------------


def test_firms_move_up_and_lose_certification(ds: Dataset) -> None:
    summary = agg.flow_summary(agg.transitions(ds.enterprises, YEAR))
    assert summary["up"] > 0
    assert summary["lost"] > 0
    assert summary["new"] > 0
    assert summary["stayed"] > 0


def test_transitions_account_for_every_firm(ds: Dataset) -> None:
    flows = agg.transitions(ds.enterprises, YEAR)
    after = flows.loc[flows["target"] != agg.LOST, "count"].sum()
    before = flows.loc[flows["source"] != agg.NEW, "count"].sum()
    ent = ds.enterprises
    active = ent[(ent["year_from"] <= YEAR) & (ent["year_to"].isna() | (ent["year_to"] >= YEAR))]
    active_before = ent[(ent["year_from"] <= YEAR - 1) & (ent["year_to"].isna() | (ent["year_to"] >= YEAR - 1))]
    assert after == active["enterprise_id"].nunique()
    assert before == active_before["enterprise_id"].nunique()


# --- seismic network --------------------------------------------------------------------------------------


def test_stations(ds: Dataset) -> None:
    st = ds.stations
    assert len(st) >= 12
    for name, code in (("慈城", "330205"), ("溪口", "330283")):
        rows = st[st["name_zh"].str.contains(name)]
        assert len(rows) == 1, name
        assert rows.iloc[0]["district"] == code
        assert rows.iloc[0]["commissioned"].year == YEAR


def network(ds: Dataset, year: int) -> float:
    u = agg.network_uptime(agg.station_uptime(ds.stations, ds.outages, *agg.year_bounds(year)))
    assert u is not None
    return u


def test_network_uptime_2012_is_very_high_and_best(ds: Dataset) -> None:
    best = network(ds, YEAR)
    assert best >= 0.999
    for year in ds.years:
        if year < YEAR:
            assert network(ds, year) < best, year
    r = agg.network_reading(ds.stations, ds.outages, YEAR)
    assert r.value == pytest.approx(best * 100)
    assert r.change is not None
    assert r.change > 0


def test_uptime_reading_2012_matches_network_reading(ds: Dataset) -> None:
    assert agg.uptime_reading(ds, YEAR) == agg.network_reading(ds.stations, ds.outages, YEAR)


def test_first_year_uptime_has_no_previous_year(ds: Dataset) -> None:
    first = ds.years[0]
    assert agg.uptime_reading(ds, first).previous is None


def test_network_reading_first_year_has_no_previous_year(ds: Dataset) -> None:
    first = ds.years[0]
    r = agg.network_reading(ds.stations, ds.outages, first, years=ds.years)
    assert r.previous is None
    assert r.change is None


def test_new_stations_are_less_reliable_in_their_first_year(ds: Dataset) -> None:
    table = agg.station_uptime(ds.stations, ds.outages, *agg.year_bounds(YEAR)).set_index("station")
    new = ds.stations.loc[ds.stations["commissioned"].dt.year == YEAR, "station"]
    old = ds.stations.loc[ds.stations["commissioned"].dt.year < YEAR, "station"]
    old_net = agg.network_uptime(table.loc[old].reset_index())
    assert old_net is not None
    assert min(table.loc[new, "uptime"]) < old_net


def test_some_outages_of_one_station_overlap(ds: Dataset) -> None:
    overlaps = 0
    for _, g in ds.outages.sort_values(["station", "start"]).groupby("station"):
        starts, ends = g["start"].tolist(), g["end"].tolist()
        overlaps += sum(starts[i + 1] < max(ends[: i + 1]) for i in range(len(starts) - 1))
    assert overlaps >= 1


def test_union_of_overlapping_outages_is_less_than_their_sum(ds: Dataset) -> None:
    lo, hi = datetime(2000, 1, 1), datetime(2100, 1, 1)
    shorter = 0
    for _, g in ds.outages.groupby("station"):
        pairs = list(zip(g["start"], g["end"], strict=True))
        total = sum((e - s).total_seconds() for s, e in pairs)
        union = agg.union_seconds(pairs, lo, hi)
        assert union <= total
        shorter += union < total
    assert shorter >= 1


def test_outages_are_minutes_to_days(ds: Dataset) -> None:
    hours = (ds.outages["end"] - ds.outages["start"]).dt.total_seconds() / 3600
    assert hours.min() >= 1 / 60
    assert hours.max() <= 24 * 5
    assert set(ds.outages["cause"]) >= {"power", "network", "equipment", "maintenance"}


# --- generator and command line -------------------------------------------------------------------------

SAMPLE_FILES = sorted([META_FILE, *TABLES_BY_FILE])


def test_generator_is_deterministic_and_made_the_committed_sample(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a)
    generate(b)
    assert sorted(p.name for p in a.iterdir()) == SAMPLE_FILES
    for name in SAMPLE_FILES:
        data = (a / name).read_bytes()
        assert data == (b / name).read_bytes(), f"{name}: two runs differ"
        assert data == (SAMPLE / name).read_bytes(), f"{name}: committed sample differs from the generator's"
    assert sorted(p.name for p in SAMPLE.iterdir() if p.is_file()) == SAMPLE_FILES
