"""Unit tests of data/aggregate.py: every function, called directly on small hand-built data.

The `tiny` dataset is written as CSV files to a temporary directory and loaded with the real loader, so
the frames (and the loader's index) are exactly what the app sees; its numbers are chosen so that every
expected value below can be checked by hand (see the comments next to each table). Pipeline and uptime
functions, which take frames, are also fed frames built directly; the index-based fast paths are checked
against those frame-based references. Hypothesis properties write and load a variant of `tiny` per example
(observations), or build station/outage frames directly.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import aggregate as agg
from data.aggregate import LOST, NEW, Reading
from data.load import Dataset, load_dataset
from data.schema import TIER_INDICATORS, TIERS

CITY = "990100"
D1, D2, D3 = "990101", "990102", "990103"
ALL = (D1, D2, D3)
TECH, HIGH, MUNI, PROV, NAT = TIERS
DAY = 86400.0
FAST = settings(max_examples=60, deadline=None)
SLOW = settings(max_examples=25, deadline=None)  # properties that rebuild a dataset per example

# --- the tiny dataset -------------------------------------------------------------------------------

META = (
    '{"city_zh": "样市", "city_en": "Sample City", "city_code": "990100", "title_zh": "测试", '
    '"title_en": "Test", "as_of": "2012-12-31", "source_zh": "手工", "source_en": "hand-made", "sample": true}\n'
)
DISTRICTS_CSV = """code,name_zh,name_en,kind,tile_row,tile_col
990101,甲区,Jia,district,0,0
990102,乙区,Yi,district,0,1
990103,丙县,Bing,county,1,0
"""
INDICATORS_CSV = """indicator,domain,name_zh,name_en,unit_zh,unit_en,agg,numerator,denominator,scale,higher_is_better
apps,patents,申请量,Applications,件,,sum,,,,true
output,hightech,高新产值,High-tech output,亿元,CNY 100m,sum,,,,true
industry,hightech,工业产值,Industrial output,亿元,CNY 100m,sum,,,,true
share,hightech,高新比重,High-tech share,%,%,ratio,output,industry,100,true
index,innovation,创新指数,Innovation index,,,city,,,,true
rd,rd,研发强度,R&D intensity,%,%,city,,,,true
unused,other,无数据,No data,件,,sum,,,,true
tech_enterprises,enterprise,科技型企业,Tech enterprises,家,,sum,,,,true
hightech_enterprises,enterprise,高新技术企业,High-tech enterprises,家,,sum,,,,true
innovative_municipal,enterprise,市级创新型,Municipal innovative,家,,sum,,,,true
innovative_provincial,enterprise,省级创新型,Provincial innovative,家,,sum,,,,true
innovative_national,enterprise,国家级创新型,National innovative,家,,sum,,,,true
"""
# apps:   2010  D1 100  D2 200  (D3 none)      -> city 300
#         2011  D1 100  D2 300  D3 0           -> city 400
#         2012  D1 150  D2 330  D3 5           -> city 485
# share = output / industry x 100, over districts reporting both:
#         2010  D1 8/80  D2 30/40  D3 0/0      -> city 38/120 = 31.67 %, D3 none (zero denominator)
#         2011  D1 10/100 D2 40/50 D3 5/50     -> city 55/200 = 27.5 %
#         2012  D1 10/100 D2 50/50 D3 -/40     -> city 60/150 = 40 % (mean of D1, D2 ratios: 55 %)
OBSERVATIONS_CSV = """indicator,district,year,value
apps,990101,2010,100
apps,990102,2010,200
apps,990101,2011,100
apps,990102,2011,300
apps,990103,2011,0
apps,990101,2012,150
apps,990102,2012,330
apps,990103,2012,5
output,990101,2010,8
output,990102,2010,30
output,990103,2010,0
industry,990101,2010,80
industry,990102,2010,40
industry,990103,2010,0
output,990101,2011,10
output,990102,2011,40
output,990103,2011,5
industry,990101,2011,100
industry,990102,2011,50
industry,990103,2011,50
output,990101,2012,10
output,990102,2012,50
industry,990101,2012,100
industry,990102,2012,50
industry,990103,2012,40
index,990100,2011,200
index,990100,2012,250
rd,990100,2011,1.5
rd,990100,2012,1.6
"""
TARGETS_CSV = """indicator,district,year,target
apps,990101,2012,140
apps,990102,2012,300
apps,990103,2012,10
share,990100,2012,45
share,990101,2012,12
share,990102,2012,90
rd,990100,2015,2.5
output,990101,2012,12
"""
PEERS_CSV = """city_zh,city_en,indicator,year,value
他市,Other City,rd,2011,2.0
"""
# Highest tier per firm:      2010        2011        2012
#   E1 D1 tech -> high        tech        high (up)   high
#   E2 D1 tech, ends 2011     tech        tech        lost
#   E3 D2 high + muni (2011)  high        muni (up)   muni
#   E4 D2 tech from 2012      -           -           tech (new)
#   E5 D3 national to 2012    national    national    national      (lost in 2013)
#   E6 D3 provincial 2012     -           -           prov (new)
#   E7 D1 muni -> high        muni        high (down) high
ENTERPRISES_CSV = """enterprise_id,name,district,industry,tier,year_from,year_to
E1,甲一,990101,电子,tech_enterprise,2009,2010
E1,甲一,990101,电子,hightech_enterprise,2011,
E2,甲二,990101,电子,tech_enterprise,2010,2011
E3,乙三,990102,材料,hightech_enterprise,2008,
E3,乙三,990102,材料,innovative_municipal,2011,
E4,乙四,990102,材料,tech_enterprise,2012,
E5,丙五,990103,装备,innovative_national,2010,2012
E6,丙六,990103,装备,innovative_provincial,2012,
E7,甲七,990101,电子,innovative_municipal,2010,2010
E7,甲七,990101,电子,hightech_enterprise,2011,
"""
STATIONS_CSV = """station,name_zh,name_en,district,kind,lat,lon,commissioned
S1,一号台,One,990101,seismograph,30.0,121.0,2009-01-01
S2,二号台,Two,990102,strong_motion,30.1,121.1,2012-07-01
S3,三号台,Three,990103,comprehensive,30.2,121.2,2013-01-01
"""
# S1 2012: 12 h (straddles new year) + union of two overlapping outages, 1 Mar 00:00 - 3 Mar 00:00 = 2.5 days
#          2011: the other 12 h of the straddling outage
# S2 2012: in service from 1 Jul; its outage 30 Jun - 2 Jul counts from 1 Jul = 1 day
# S3: commissioned 2013, never in service in 2011-2012
OUTAGES_CSV = """station,start,end,cause
S1,2011-12-31T12:00:00,2012-01-01T12:00:00,power
S1,2012-03-01T00:00:00,2012-03-02T00:00:00,network
S1,2012-03-01T12:00:00,2012-03-03T00:00:00,equipment
S2,2012-06-30T00:00:00,2012-07-02T00:00:00,maintenance
"""
FILES = {
    "dataset.json": META,
    "districts.csv": DISTRICTS_CSV,
    "indicators.csv": INDICATORS_CSV,
    "observations.csv": OBSERVATIONS_CSV,
    "targets.csv": TARGETS_CSV,
    "peers.csv": PEERS_CSV,
    "enterprises.csv": ENTERPRISES_CSV,
    "seismic_stations.csv": STATIONS_CSV,
    "seismic_outages.csv": OUTAGES_CSV,
}

S1_DOWN_2012 = 2.5 * DAY
S2_DOWN_2012 = 1.0 * DAY
S1_SERVICE_2012 = 366 * DAY  # 2012 is a leap year
S2_SERVICE_2012 = 184 * DAY  # 1 Jul - 1 Jan


def write_dataset(root: Path, replace: dict[str, str] | None = None) -> Dataset:
    """Write the tiny dataset (with some files replaced) to `root` and load it like any dataset."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in {**FILES, **(replace or {})}.items():
        (root / name).write_text(text, encoding="utf-8")
    return load_dataset(root)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return write_dataset(tmp_path_factory.mktemp("tiny"))


def with_observations(rows: list[tuple[str, str, int, float]]) -> Dataset:
    """The tiny dataset with `rows` as its observations, written to CSV and loaded."""
    text = "indicator,district,year,value\n" + "".join(f"{i},{d},{y},{v!r}\n" for i, d, y, v in rows)
    with tempfile.TemporaryDirectory() as tmp:
        return write_dataset(Path(tmp), {"observations.csv": text})


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def enterprises_frame(rows: list[tuple[str, str, str, int, int | None]]) -> pd.DataFrame:
    """An enterprises frame (enterprise_id, district, tier, year_from, year_to) built directly."""
    df = pd.DataFrame(rows, columns=["enterprise_id", "district", "tier", "year_from", "year_to"])
    return df.astype({"year_from": "int64", "year_to": "Int64"})


def stations_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["station", "district", "commissioned"])
    df["commissioned"] = pd.to_datetime(df["commissioned"])
    return df


def outages_frame(rows: list[tuple[str, datetime, datetime]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["station", "start", "end"])
    df["start"] = pd.to_datetime(df["start"])
    df["end"] = pd.to_datetime(df["end"])
    return df


def missing(x: object) -> bool:
    """A frame cell with no value: None, or the NaN pandas turns None into in a float column."""
    return x is None or bool(pd.isna(x))


def assert_clean(x: float | None) -> None:
    """'No value' is None; a value is a finite float."""
    assert x is None or (isinstance(x, float) and math.isfinite(x))


# --- normalise_districts / is_city / indicator_info ---------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (None, ()),
        ([], ()),
        ([D2, D1], (D1, D2)),
        ([D2, D2, D1, D2], (D1, D2)),
        ([D3, "999999", "", "abc"], (D3,)),
        ([D1, 990102, None, 3.5, b"990103"], (D1,)),
        ((D1, D2, D3), ()),
        ([D3, D1, D2, D1, "bogus"], ()),
        (iter([D2]), (D2,)),
        ({D1, D2}, (D1, D2)),
        ([f" {D1}"], ()),
    ],
    ids=[
        "none",
        "empty",
        "sorted",
        "dedup",
        "unknown",
        "non-strings",
        "all",
        "all-with-noise",
        "iterator",
        "set",
        "not-stripped",
    ],
)
def test_normalise_districts(tiny: Dataset, codes: object, expected: tuple[str, ...]) -> None:
    assert agg.normalise_districts(tiny, codes) == expected  # type: ignore[arg-type]


def test_normalise_districts_returns_a_tuple_of_str(tiny: Dataset) -> None:
    out = agg.normalise_districts(tiny, [D2])
    assert isinstance(out, tuple)
    assert all(type(c) is str for c in out)


@pytest.mark.parametrize(
    ("districts", "expected"),
    [((), True), ((D1,), False), ((D1, D2), False), (ALL, True), ((D3, D2, D1, D1), True)],
)
def test_is_city(tiny: Dataset, districts: tuple[str, ...], expected: bool) -> None:
    assert agg.is_city(tiny, districts) is expected


def test_indicator_info(tiny: Dataset) -> None:
    info = agg.indicator_info(tiny, "share")
    assert info["agg"] == "ratio"
    assert info["numerator"] == "output"
    assert info["denominator"] == "industry"
    assert info["scale"] == 100
    assert agg.indicator_info(tiny, "apps")["unit_zh"] == "件"


def test_indicator_info_unknown_raises_key_error(tiny: Dataset) -> None:
    with pytest.raises(KeyError):
        agg.indicator_info(tiny, "no_such_indicator")


# --- series / value -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "districts", "expected"),
    [
        ("apps", (), {2010: 300, 2011: 400, 2012: 485}),
        ("apps", ALL, {2010: 300, 2011: 400, 2012: 485}),
        ("apps", (D1,), {2010: 100, 2011: 100, 2012: 150}),
        ("apps", (D1, D3), {2010: 100, 2011: 100, 2012: 155}),
        ("apps", (D3,), {2011: 0, 2012: 5}),
        ("share", (), {2010: 38 / 120 * 100, 2011: 27.5, 2012: 40.0}),
        ("share", (D1,), {2010: 10.0, 2011: 10.0, 2012: 10.0}),
        ("share", (D1, D2), {2010: 38 / 120 * 100, 2011: 50 / 150 * 100, 2012: 40.0}),
        ("share", (D3,), {2011: 10.0}),  # 2010: zero denominator; 2012: no numerator
        ("index", (), {2011: 200, 2012: 250}),
        ("index", (D1,), {}),
        ("index", (D1, D2), {}),
        ("rd", ALL, {2011: 1.5, 2012: 1.6}),
        ("unused", (), {}),
        ("tech_enterprises", (), {2010: 2, 2011: 1, 2012: 1}),
        ("hightech_enterprises", (), {2010: 1, 2011: 3, 2012: 3}),
        ("hightech_enterprises", (D1,), {2010: 0, 2011: 2, 2012: 2}),
        ("innovative_municipal", (D2,), {2010: 0, 2011: 1, 2012: 1}),
        ("innovative_national", (D3,), {2010: 1, 2011: 1, 2012: 1}),
    ],
)
def test_series(tiny: Dataset, indicator: str, districts: tuple[str, ...], expected: dict[int, float]) -> None:
    s = agg.series(tiny, indicator, districts)
    assert s.name == indicator
    assert s.dtype == "float64"
    assert s.index.dtype == "int64"
    assert list(s.index) == sorted(expected)
    assert s.to_dict() == pytest.approx(expected)
    assert s.notna().all()


def test_ratio_is_ratio_of_sums_not_mean_of_ratios(tiny: Dataset) -> None:
    own = [agg.value(tiny, "share", 2012, (d,)) for d in (D1, D2)]
    assert own == [pytest.approx(10.0), pytest.approx(100.0)]
    mean_of_ratios = sum(own) / 2  # type: ignore[arg-type]
    combined = agg.value(tiny, "share", 2012, (D1, D2))
    assert combined == pytest.approx(60 / 150 * 100)
    assert combined != pytest.approx(mean_of_ratios)


def test_ratio_skips_districts_missing_a_part(tiny: Dataset) -> None:
    # D3 reports industrial output for 2012 but no high-tech output: it is left out of both sums.
    assert agg.value(tiny, "share", 2012, (D1, D3)) == pytest.approx(10.0)
    assert agg.value(tiny, "share", 2012, (D3,)) is None


def test_ratio_zero_denominator_is_none(tiny: Dataset) -> None:
    assert agg.value(tiny, "share", 2010, (D3,)) is None


@pytest.mark.parametrize(
    ("indicator", "year", "districts", "expected"),
    [
        ("apps", 2012, (), 485.0),
        ("apps", 2012, (D2,), 330.0),
        ("apps", 2010, (D3,), None),
        ("apps", 2009, (), None),
        ("share", 2012, (), 40.0),
        ("index", 2012, (), 250.0),
        ("index", 2012, (D1,), None),
        ("index", 2010, (), None),
        ("rd", 2011, (), 1.5),
        ("unused", 2012, (), None),
        ("innovative_provincial", 2012, (), 1.0),
        ("innovative_provincial", 2011, (), 0.0),
    ],
)
def test_value(tiny: Dataset, indicator: str, year: int, districts: tuple[str, ...], expected: float | None) -> None:
    v = agg.value(tiny, indicator, year, districts)
    if expected is None:
        assert v is None
    else:
        assert isinstance(v, float)
        assert v == pytest.approx(expected)


def test_value_unknown_indicator_raises_key_error(tiny: Dataset) -> None:
    with pytest.raises(KeyError):
        agg.value(tiny, "nope", 2012)


def test_tier_indicators_are_counted_from_enterprises(tiny: Dataset) -> None:
    counts = agg.tier_counts(tiny.enterprises, 2012)
    for tier, indicator in TIER_INDICATORS.items():
        assert agg.value(tiny, indicator, 2012) == counts[tier]
    assert not tiny.observations["indicator"].isin(list(TIER_INDICATORS.values())).any()


def test_by_district(tiny: Dataset) -> None:
    df = agg.by_district(tiny, "share", 2012)
    assert list(df.columns) == ["district", "value"]
    assert df["value"].dtype == "float64"
    assert dict(zip(df["district"], df["value"], strict=True)) == pytest.approx({D1: 10.0, D2: 100.0})
    apps = agg.by_district(tiny, "apps", 2010)
    assert list(apps["district"]) == [D1, D2]
    assert agg.by_district(tiny, "index", 2012).empty


# --- growth ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "points", "expected"),
    [
        (150.0, 100.0, False, 0.5),
        (50.0, 100.0, False, -0.5),
        (100.0, 100.0, False, 0.0),
        (0.0, 100.0, False, -1.0),
        (73647.0, 47582.0, False, 73647 / 47582 - 1),
        (1.6, 1.5, True, 0.1),
        (28.7, 26.4, True, 2.3),
        (26.4, 28.7, True, -2.3),
        (5.0, 5.0, True, 0.0),
        (None, 100.0, False, None),
        (100.0, None, False, None),
        (None, None, False, None),
        (None, 1.5, True, None),
        (1.5, None, True, None),
        (10.0, 0.0, False, None),
        (0.0, 0.0, False, None),
        (10.0, -0.0, False, None),
        (float("nan"), 1.0, False, None),
        (1.0, float("nan"), False, None),
        (float("inf"), 1.0, False, None),
        (1e308, 1e-308, False, None),
        (1e308, -1e308, True, None),
    ],
)
def test_growth(current: float | None, previous: float | None, points: bool, expected: float | None) -> None:
    g = agg.growth(current, previous, points)
    if expected is None:
        assert g is None
    else:
        assert g == pytest.approx(expected, abs=1e-9)


def test_growth_points_removes_float_noise() -> None:
    assert 1.6 - 1.5 != 0.1
    assert agg.growth(1.6, 1.5, points=True) == 0.1


def test_growth_points_with_zero_base_is_the_difference() -> None:
    # Pinned current behaviour: a percentage-point change needs no division, so a zero base still gives a
    # number. (The docstring's "None when ... the base is zero" only holds for relative growth.)
    assert agg.growth(2.0, 0.0, points=True) == 2.0


finite_or_not = st.one_of(
    st.none(),
    st.just(0.0),
    st.just(-0.0),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=1e6),
)


@FAST
@given(current=finite_or_not, previous=finite_or_not, points=st.booleans())
def test_growth_is_never_nan_or_inf(current: float | None, previous: float | None, points: bool) -> None:
    g = agg.growth(current, previous, points)
    assert_clean(g)
    if current is None or previous is None:
        assert g is None
    if previous == 0 and not points:
        assert g is None


@FAST
@given(
    current=st.floats(min_value=0, max_value=1e9),
    previous=st.floats(min_value=1e-3, max_value=1e9),
)
def test_growth_relative_matches_formula(current: float, previous: float) -> None:
    assert agg.growth(current, previous) == pytest.approx(current / previous - 1, abs=1e-8)


# --- reading --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "year", "districts", "value", "previous", "change", "kind"),
    [
        ("apps", 2012, (), 485.0, 400.0, 485 / 400 - 1, "pct"),
        ("apps", 2011, (D1,), 100.0, 100.0, 0.0, "pct"),
        ("apps", 2010, (), 300.0, None, None, "pct"),  # first year: no previous
        ("apps", 2012, (D3,), 5.0, 0.0, None, "pct"),  # zero base
        ("share", 2012, (), 40.0, 27.5, 12.5, "pp"),  # ratio: percentage points
        ("share", 2011, (D3,), 10.0, None, None, "pp"),  # 2010 had a zero denominator
        ("rd", 2012, (), 1.6, 1.5, 0.1, "pp"),  # city indicator in %: points
        ("index", 2012, (), 250.0, 200.0, 0.25, "pct"),
        ("index", 2011, (), 200.0, None, None, "pct"),
        ("index", 2012, (D1,), None, None, None, "pct"),  # city-only indicator, district selection
        ("unused", 2012, (), None, None, None, "pct"),
        ("hightech_enterprises", 2011, (), 3.0, 1.0, 2.0, "pct"),
        ("tech_enterprises", 2011, (), 1.0, 2.0, -0.5, "pct"),
    ],
)
def test_reading(
    tiny: Dataset,
    indicator: str,
    year: int,
    districts: tuple[str, ...],
    value: float | None,
    previous: float | None,
    change: float | None,
    kind: str,
) -> None:
    r = agg.reading(tiny, indicator, year, districts)
    assert isinstance(r, Reading)
    assert (r.indicator, r.year, r.change_kind) == (indicator, year, kind)
    for got, want in ((r.value, value), (r.previous, previous), (r.change, change)):
        if want is None:
            assert got is None
        else:
            assert got == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize(
    ("info", "points"),
    [
        ({"agg": "ratio", "unit_zh": "%"}, True),
        ({"agg": "ratio", "unit_zh": "‰"}, True),  # a ratio in another scale still changes by points
        ({"agg": "city", "unit_zh": "%"}, True),  # R&D intensity: a city value in %
        ({"agg": "sum", "unit_zh": "件"}, False),
        ({"agg": "city", "unit_zh": "位"}, False),  # a rank changes by places, not points
        ({"agg": "sum"}, False),
    ],
)
def test_in_points(info: dict, points: bool) -> None:
    assert agg.in_points(info) is points


def test_reading_is_frozen(tiny: Dataset) -> None:
    r = agg.reading(tiny, "apps", 2012)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.value = 1.0  # type: ignore[misc]


# --- target / completion --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "year", "districts", "expected"),
    [
        ("share", 2012, (), (45.0, 2012)),  # the city's own row
        ("share", 2012, ALL, (45.0, 2012)),
        ("share", 2011, (), (45.0, 2012)),  # nearest later city target
        ("rd", 2012, (), (2.5, 2015)),  # plan target in a later year
        ("rd", 2016, (), None),  # plan year passed; a city indicator has no district targets
        ("apps", 2012, (), (450.0, 2012)),  # no city row: the sum of the district targets
        ("apps", 2012, (D1, D2), (440.0, 2012)),
        ("apps", 2012, (D3,), (10.0, 2012)),
        ("apps", 2011, (), None),
        ("apps", 2011, (D1,), None),
        ("share", 2012, (D1,), (12.0, 2012)),  # single-district ratio target
        ("share", 2012, (D1, D2), None),  # ratio targets do not add up
        ("share", 2012, (D3,), None),
        ("output", 2012, (D1,), (12.0, 2012)),
        ("output", 2012, (D1, D2), None),  # D2 has no target: no partial sum
        ("output", 2012, (), None),
        ("index", 2012, (), None),  # no targets at all
        ("unused", 2012, (D1,), None),
    ],
)
def test_target(
    tiny: Dataset, indicator: str, year: int, districts: tuple[str, ...], expected: tuple[float, int] | None
) -> None:
    got = agg.target(tiny, indicator, year, districts)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert got[0] == pytest.approx(expected[0])
        assert got[1] == expected[1]
        assert isinstance(got[1], int)


@pytest.mark.parametrize(
    ("actual", "goal", "expected"),
    [
        (485.0, 450.0, 485 / 450),
        (450.0, 450.0, 1.0),
        (0.0, 450.0, 0.0),
        (10.0, 0.0, None),
        (10.0, -5.0, None),
        (None, 450.0, None),
        (485.0, None, None),
        (None, None, None),
        (1.0, 3.0, 1 / 3),
        (float("inf"), 1.0, None),
    ],
)
def test_completion(actual: float | None, goal: float | None, expected: float | None) -> None:
    got = agg.completion(actual, goal)
    assert_clean(got)
    assert got == (None if expected is None else pytest.approx(expected, abs=1e-9))


# --- enterprise pipeline ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year_from", "year_to", "year", "active"),
    [
        (2010, None, 2009, False),
        (2010, None, 2010, True),
        (2010, None, 2030, True),
        (2010, 2011, 2011, True),
        (2010, 2011, 2012, False),
        (2010, 2010, 2010, True),
        (2010, 2010, 2011, False),
    ],
)
def test_active_rule(year_from: int, year_to: int | None, year: int, active: bool) -> None:
    ent = enterprises_frame([("X", D1, HIGH, year_from, year_to)])
    counts = agg.tier_counts(ent, year)
    assert counts[HIGH] == int(active)
    assert counts.sum() == int(active)


@pytest.mark.parametrize(
    ("year", "districts", "expected"),
    [
        (2010, (), (2, 1, 1, 0, 1)),
        (2011, (), (1, 3, 1, 0, 1)),
        (2012, (), (1, 3, 1, 1, 1)),
        (2013, (), (1, 3, 1, 1, 0)),
        (2007, (), (0, 0, 0, 0, 0)),
        (2012, (D1,), (0, 2, 0, 0, 0)),
        (2012, (D2,), (1, 1, 1, 0, 0)),
        (2012, (D2, D3), (1, 1, 1, 1, 1)),
        (2012, ("999999",), (0, 0, 0, 0, 0)),
    ],
)
def test_tier_counts(tiny: Dataset, year: int, districts: tuple[str, ...], expected: tuple[int, ...]) -> None:
    counts = agg.tier_counts(tiny.enterprises, year, districts)
    assert list(counts.index) == list(TIERS)
    assert counts.dtype == "int64"
    assert tuple(counts) == expected


def test_tier_counts_counts_certifications_not_firms(tiny: Dataset) -> None:
    # E3 holds a high-tech and a municipal-innovative certification at once: it counts in both tiers.
    counts = agg.tier_counts(tiny.enterprises, 2012, (D2,))
    assert counts[HIGH] == 1
    assert counts[MUNI] == 1


def test_tier_counts_on_empty_frame() -> None:
    counts = agg.tier_counts(enterprises_frame([]), 2012)
    assert list(counts.index) == list(TIERS)
    assert counts.sum() == 0


def test_tier_series(tiny: Dataset) -> None:
    table = agg.tier_series(tiny.enterprises, [2010, 2011, 2012])
    assert list(table.columns) == list(TIERS)
    assert list(table.index) == [2010, 2011, 2012]
    assert (table.dtypes == "int64").all()
    assert table.loc[2011].tolist() == [1, 3, 1, 0, 1]
    assert table[PROV].tolist() == [0, 0, 1]
    d1 = agg.tier_series(tiny.enterprises, range(2010, 2013), (D1,))
    assert d1[TECH].tolist() == [2, 1, 0]
    assert d1[HIGH].tolist() == [0, 2, 2]
    assert d1[MUNI].tolist() == [1, 0, 0]


def test_tier_by_district(tiny: Dataset) -> None:
    table = agg.tier_by_district(tiny.enterprises, 2012)
    assert list(table.columns) == list(TIERS)
    assert sorted(table.index) == [D1, D2, D3]
    assert table.loc[D1].tolist() == [0, 2, 0, 0, 0]
    assert table.loc[D2].tolist() == [1, 1, 1, 0, 0]
    assert table.loc[D3].tolist() == [0, 0, 0, 1, 1]
    assert table.sum().tolist() == agg.tier_counts(tiny.enterprises, 2012).tolist()
    early = agg.tier_by_district(tiny.enterprises, 2010)
    assert D3 in early.index
    assert early.loc[D3].tolist() == [0, 0, 0, 0, 1]


def flows_dict(flows: pd.DataFrame) -> dict[tuple[str, str], int]:
    assert list(flows.columns) == ["source", "target", "count"]
    assert flows["count"].dtype == "int64"
    assert (flows["count"] > 0).all()
    return {(s, t): int(n) for s, t, n in flows.itertuples(index=False)}


def test_transitions_2011_up_down_stayed(tiny: Dataset) -> None:
    flows = agg.transitions(tiny.enterprises, 2011)
    assert flows_dict(flows) == {
        (TECH, HIGH): 1,  # E1 moved up
        (TECH, TECH): 1,  # E2 stayed
        (HIGH, MUNI): 1,  # E3 gained a higher tier (placed at its highest)
        (NAT, NAT): 1,  # E5 stayed
        (MUNI, HIGH): 1,  # E7 moved down
    }
    assert agg.flow_summary(flows) == {"new": 0, "up": 2, "stayed": 2, "down": 1, "lost": 0}


def test_transitions_2012_new_and_lost(tiny: Dataset) -> None:
    flows = agg.transitions(tiny.enterprises, 2012)
    assert flows_dict(flows) == {
        (HIGH, HIGH): 2,  # E1, E7
        (TECH, LOST): 1,  # E2
        (MUNI, MUNI): 1,  # E3
        (NEW, TECH): 1,  # E4
        (NAT, NAT): 1,  # E5
        (NEW, PROV): 1,  # E6
    }
    assert agg.flow_summary(flows) == {"new": 2, "up": 0, "stayed": 4, "down": 0, "lost": 1}


def test_transitions_2013_loses_expired_certification(tiny: Dataset) -> None:
    flows = flows_dict(agg.transitions(tiny.enterprises, 2013))
    assert flows[(NAT, LOST)] == 1


def test_transitions_by_district(tiny: Dataset) -> None:
    flows = agg.transitions(tiny.enterprises, 2012, (D1,))
    assert flows_dict(flows) == {(HIGH, HIGH): 2, (TECH, LOST): 1}
    assert agg.flow_summary(flows) == {"new": 0, "up": 0, "stayed": 2, "down": 0, "lost": 1}


def test_transitions_place_each_firm_at_its_highest_tier() -> None:
    ent = enterprises_frame(
        [
            ("A", D1, NAT, 2010, None),
            ("A", D1, TECH, 2010, None),
            ("A", D1, MUNI, 2010, None),
            ("B", D1, TECH, 2011, None),
            ("B", D1, PROV, 2011, None),
        ]
    )
    flows = flows_dict(agg.transitions(ent, 2011))
    assert flows == {(NAT, NAT): 1, (NEW, PROV): 1}
    # Every firm appears exactly once, whatever its number of certifications.
    assert sum(flows.values()) == 2


def test_transitions_with_no_firms() -> None:
    flows = agg.transitions(enterprises_frame([("A", D1, TECH, 2015, None)]), 2012)
    assert flows.empty
    assert agg.flow_summary(flows) == {"new": 0, "up": 0, "stayed": 0, "down": 0, "lost": 0}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([(NEW, TECH, 3), (NEW, NAT, 1)], {"new": 4, "up": 0, "stayed": 0, "down": 0, "lost": 0}),
        ([(TECH, LOST, 2), (NAT, LOST, 1)], {"new": 0, "up": 0, "stayed": 0, "down": 0, "lost": 3}),
        ([(TECH, NAT, 1), (MUNI, PROV, 2)], {"new": 0, "up": 3, "stayed": 0, "down": 0, "lost": 0}),
        ([(NAT, TECH, 1), (PROV, HIGH, 4)], {"new": 0, "up": 0, "stayed": 0, "down": 5, "lost": 0}),
        ([(HIGH, HIGH, 7)], {"new": 0, "up": 0, "stayed": 7, "down": 0, "lost": 0}),
        ([], {"new": 0, "up": 0, "stayed": 0, "down": 0, "lost": 0}),
    ],
)
def test_flow_summary(rows: list[tuple[str, str, int]], expected: dict[str, int]) -> None:
    flows = pd.DataFrame(rows, columns=["source", "target", "count"])
    assert agg.flow_summary(flows) == expected


# --- union_seconds -------------------------------------------------------------------------------------

T0 = datetime(2012, 1, 1)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("intervals", "lo", "hi", "expected_h"),
    [
        ([], 0, 24, 0),
        ([(1, 3)], 0, 24, 2),
        ([(1, 3), (5, 6)], 0, 24, 3),  # disjoint
        ([(1, 4), (3, 6)], 0, 24, 5),  # overlapping
        ([(3, 6), (1, 4)], 0, 24, 5),  # unsorted
        ([(1, 10), (2, 3), (4, 5)], 0, 24, 9),  # nested
        ([(1, 3), (3, 5)], 0, 24, 4),  # adjacent
        ([(1, 3), (1, 3)], 0, 24, 2),  # duplicate
        ([(-5, 2)], 0, 24, 2),  # clipped at lo
        ([(20, 30)], 0, 24, 4),  # clipped at hi
        ([(-5, 30)], 0, 24, 24),  # covers the whole period
        ([(-5, -1), (25, 30)], 0, 24, 0),  # entirely outside
        ([(-5, 0), (24, 30)], 0, 24, 0),  # touching the edges only
        ([(2, 2)], 0, 24, 0),  # empty interval
        ([(1, 2), (3, 4), (1.5, 3.5)], 0, 24, 3),  # a bridge joins two
        ([(0, 1), (2, 3), (4, 5), (0.5, 4.5)], 0, 24, 5),
    ],
)
def test_union_seconds(intervals: list[tuple[float, float]], lo: float, hi: float, expected_h: float) -> None:
    got = agg.union_seconds([(h(s), h(e)) for s, e in intervals], h(lo), h(hi))
    assert got == pytest.approx(expected_h * 3600)


def test_union_seconds_accepts_a_generator() -> None:
    assert agg.union_seconds(((h(s), h(s + 1)) for s in range(3)), h(0), h(24)) == 3 * 3600


minute_intervals = st.lists(
    st.tuples(st.integers(min_value=-50, max_value=250), st.integers(min_value=1, max_value=120)), max_size=12
)


@FAST
@given(intervals=minute_intervals, lo=st.integers(min_value=0, max_value=100), width=st.integers(0, 150))
def test_union_seconds_matches_minute_grid(intervals: list[tuple[int, int]], lo: int, width: int) -> None:
    hi = lo + width
    covered = {m for s, d in intervals for m in range(max(s, lo), min(s + d, hi))}
    m = timedelta(minutes=1)
    got = agg.union_seconds([(T0 + s * m, T0 + (s + d) * m) for s, d in intervals], T0 + lo * m, T0 + hi * m)
    assert got == len(covered) * 60


# --- station_uptime / network_uptime / monthly_uptime / outages_in / network_reading -------------------


def test_station_uptime_on_tiny(tiny: Dataset) -> None:
    table = agg.station_uptime(tiny.stations, tiny.outages, *agg.year_bounds(2012))
    assert list(table.columns) == ["station", "service_s", "down_s", "uptime"]
    rows = {r.station: r for r in table.itertuples(index=False)}
    assert list(rows) == ["S1", "S2", "S3"]
    assert rows["S1"].service_s == S1_SERVICE_2012
    assert rows["S1"].down_s == S1_DOWN_2012  # overlap counted once, straddling outage clipped
    assert rows["S1"].uptime == pytest.approx(1 - 2.5 / 366)
    assert rows["S2"].service_s == S2_SERVICE_2012  # clipped to commissioning
    assert rows["S2"].down_s == S2_DOWN_2012  # the day before commissioning does not count
    assert rows["S2"].uptime == pytest.approx(1 - 1 / 184)
    assert rows["S3"].service_s == 0
    # "None" inside a frame: pandas stores it as NaN in the float column (see missing()).
    assert missing(rows["S3"].uptime)
    assert table["uptime"].dtype == "float64"


def test_station_uptime_previous_year(tiny: Dataset) -> None:
    table = agg.station_uptime(tiny.stations, tiny.outages, *agg.year_bounds(2011)).set_index("station")
    assert table.loc["S1", "down_s"] == 0.5 * DAY
    assert table.loc["S1", "uptime"] == pytest.approx(1 - 0.5 / 365)
    assert table.loc["S2", "service_s"] == 0
    assert missing(table.loc["S2", "uptime"])


def test_station_uptime_without_outages_is_one(tiny: Dataset) -> None:
    table = agg.station_uptime(tiny.stations, tiny.outages.iloc[0:0], *agg.year_bounds(2012))
    assert table["uptime"].tolist()[:2] == [1.0, 1.0]
    assert missing(table["uptime"].iloc[2])
    assert table["down_s"].tolist() == [0.0, 0.0, 0.0]


def test_station_uptime_when_no_station_is_in_service(tiny: Dataset) -> None:
    table = agg.station_uptime(tiny.stations, tiny.outages, *agg.year_bounds(2008))
    assert table["service_s"].tolist() == [0.0, 0.0, 0.0]
    assert all(missing(u) for u in table["uptime"])
    assert agg.network_uptime(table) is None


def test_station_uptime_on_empty_station_list(tiny: Dataset) -> None:
    table = agg.station_uptime(tiny.stations.iloc[0:0], tiny.outages, *agg.year_bounds(2012))
    assert table.empty
    assert list(table.columns) == ["station", "service_s", "down_s", "uptime"]
    assert agg.network_uptime(table) is None


def test_station_uptime_arbitrary_period() -> None:
    stations = stations_frame([("A", D1, "2012-01-01")])
    outages = outages_frame([("A", ts("2012-01-01T06:00"), ts("2012-01-01T18:00"))])
    table = agg.station_uptime(stations, outages, ts("2012-01-01T12:00"), ts("2012-01-02T00:00"))
    assert table.loc[0, "service_s"] == 12 * 3600
    assert table.loc[0, "down_s"] == 6 * 3600
    assert table.loc[0, "uptime"] == 0.5


def test_station_uptime_station_commissioned_mid_period_and_fully_down() -> None:
    stations = stations_frame([("A", D1, "2012-01-02")])
    outages = outages_frame([("A", ts("2011-12-01T00:00"), ts("2012-02-01T00:00"))])
    table = agg.station_uptime(stations, outages, ts("2012-01-01"), ts("2012-01-03"))
    assert table.loc[0, "service_s"] == DAY
    assert table.loc[0, "uptime"] == 0.0


def test_network_uptime_weights_by_service_time(tiny: Dataset) -> None:
    table = agg.station_uptime(tiny.stations, tiny.outages, *agg.year_bounds(2012))
    expected = 1 - 3.5 / 550
    assert agg.network_uptime(table) == pytest.approx(expected)
    per_station = table["uptime"].dropna()
    assert agg.network_uptime(table) != pytest.approx(per_station.mean())  # not a plain mean of stations


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], None),
        ([("A", 0.0, 0.0, None)], None),
        ([("A", 100.0, 0.0, 1.0)], 1.0),
        ([("A", 100.0, 10.0, 0.9), ("B", 300.0, 10.0, 290 / 300)], 1 - 20 / 400),
        ([("A", 100.0, 100.0, 0.0), ("B", 0.0, 0.0, None)], 0.0),
    ],
)
def test_network_uptime(rows: list[tuple[str, float, float, float | None]], expected: float | None) -> None:
    table = pd.DataFrame(rows, columns=["station", "service_s", "down_s", "uptime"])
    got = agg.network_uptime(table)
    assert got == (None if expected is None else pytest.approx(expected))


def test_year_bounds() -> None:
    assert agg.year_bounds(2012) == (datetime(2012, 1, 1), datetime(2013, 1, 1))


def test_stations_in(tiny: Dataset) -> None:
    assert agg.stations_in(tiny.stations, ())["station"].tolist() == ["S1", "S2", "S3"]
    assert agg.stations_in(tiny.stations, (D2, D3))["station"].tolist() == ["S2", "S3"]
    assert agg.stations_in(tiny.stations, ("999999",)).empty


def test_monthly_uptime(tiny: Dataset) -> None:
    table = agg.monthly_uptime(tiny.stations, tiny.outages, 2012)
    assert list(table.index) == ["S1", "S2", "S3"]
    assert list(table.columns) == list(range(1, 13))
    assert table.loc["S1", 1] == pytest.approx(1 - 0.5 / 31)
    assert table.loc["S1", 2] == 1.0
    assert table.loc["S1", 3] == pytest.approx(1 - 2 / 31)
    assert table.loc["S1", 12] == 1.0
    assert table.loc["S2", 1:6].isna().all()
    assert table.loc["S2", 7] == pytest.approx(1 - 1 / 31)
    assert table.loc["S3"].isna().all()
    values = table.stack().dropna()
    assert ((values >= 0) & (values <= 1)).all()


def test_monthly_uptime_december_spans_to_new_year() -> None:
    stations = stations_frame([("A", D1, "2010-01-01")])
    outages = outages_frame([("A", ts("2012-12-31T12:00"), ts("2013-01-01T12:00"))])
    table = agg.monthly_uptime(stations, outages, 2012)
    assert table.loc["A", 12] == pytest.approx(1 - 0.5 / 31)
    assert table.loc["A", 11] == 1.0


def test_outages_in(tiny: Dataset) -> None:
    out = agg.outages_in(tiny.outages, ["S1"], *agg.year_bounds(2012))
    assert out["station"].tolist() == ["S1", "S1", "S1"]
    assert out["start"].is_monotonic_increasing
    assert out["duration_h"].tolist() == pytest.approx([12.0, 24.0, 36.0])  # first clipped at 1 Jan
    assert list(out.index) == [0, 1, 2]
    assert "cause" in out.columns
    both = agg.outages_in(tiny.outages, ["S1", "S2"], datetime(2012, 6, 1), datetime(2012, 7, 1, 12))
    assert both["station"].tolist() == ["S2"]
    assert both["duration_h"].tolist() == pytest.approx([36.0])  # 30 Jun 00:00 - 1 Jul 12:00
    assert agg.outages_in(tiny.outages, ["S3"], *agg.year_bounds(2012)).empty
    assert agg.outages_in(tiny.outages, [], *agg.year_bounds(2012)).empty
    assert len(tiny.outages) == 4  # input not mutated
    assert "duration_h" not in tiny.outages.columns


def test_network_reading(tiny: Dataset) -> None:
    r = agg.network_reading(tiny.stations, tiny.outages, 2012)
    assert (r.indicator, r.year, r.change_kind) == ("network_uptime", 2012, "pp")
    assert r.value == pytest.approx((1 - 3.5 / 550) * 100)
    assert r.previous == pytest.approx((1 - 0.5 / 365) * 100)
    assert r.change == pytest.approx(r.value - r.previous)


@pytest.mark.parametrize(
    ("year", "districts", "value", "previous"),
    [
        (2012, (D2,), (1 - 1 / 184) * 100, None),  # S2 was not in service in 2011
        (2012, (D3,), None, None),  # S3 not yet in service
        (2011, (D1,), (1 - 0.5 / 365) * 100, 100.0),
        (2012, ("999999",), None, None),
    ],
)
def test_network_reading_by_district(
    tiny: Dataset, year: int, districts: tuple[str, ...], value: float | None, previous: float | None
) -> None:
    r = agg.network_reading(tiny.stations, tiny.outages, year, districts)
    assert r.value == (None if value is None else pytest.approx(value))
    assert r.previous == (None if previous is None else pytest.approx(previous))
    if value is None or previous is None:
        assert r.change is None


# --- selections with repeated codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "districts", "expected"),
    [
        ("apps", (D1, D1), 150.0),
        ("apps", (D2, D1, D2), 480.0),
        ("share", (D1, D2, D2), 40.0),
        ("hightech_enterprises", (D1, D1), 2.0),
    ],
)
def test_a_repeated_code_in_a_selection_counts_once(
    tiny: Dataset, indicator: str, districts: tuple[str, ...], expected: float
) -> None:
    # Regression: the index's column lookup once summed a repeated district twice.
    assert agg.value(tiny, indicator, 2012, districts) == pytest.approx(expected)


# --- fast paths over the dataset's index agree with the frame-based reference ---------------------------

SELECTIONS = [(), (D1,), (D2, D3), ALL, ("999999",)]
INDEX_YEARS = [2009, 2010, 2011, 2012, 2013]  # the dataset's years, and one either side (fallback)


def reference_selection(ds: Dataset, districts: tuple[str, ...]) -> tuple[str, ...]:
    return () if agg.is_city(ds, districts) else districts


@pytest.mark.parametrize("districts", SELECTIONS)
@pytest.mark.parametrize("year", INDEX_YEARS)
def test_pipeline_counts_matches_tier_counts(tiny: Dataset, year: int, districts: tuple[str, ...]) -> None:
    fast = agg.pipeline_counts(tiny, year, districts)
    ref = agg.tier_counts(tiny.enterprises, year, reference_selection(tiny, districts))
    assert list(fast.index) == list(TIERS)
    assert fast.tolist() == ref.tolist()


@pytest.mark.parametrize("districts", SELECTIONS)
@pytest.mark.parametrize("year", INDEX_YEARS)
def test_pipeline_flows_matches_transitions(tiny: Dataset, year: int, districts: tuple[str, ...]) -> None:
    fast = agg.pipeline_flows(tiny, year, districts)
    ref = agg.transitions(tiny.enterprises, year, reference_selection(tiny, districts))
    assert flows_dict(fast) == flows_dict(ref)


@pytest.mark.parametrize("districts", SELECTIONS)
def test_pipeline_series_matches_tier_series(tiny: Dataset, districts: tuple[str, ...]) -> None:
    fast = agg.pipeline_series(tiny, districts)
    ref = agg.tier_series(tiny.enterprises, tiny.years, reference_selection(tiny, districts))
    pd.testing.assert_frame_equal(fast, ref, check_names=False, check_index_type=False)
    assert list(fast.index) == tiny.years


@pytest.mark.parametrize("year", INDEX_YEARS)
def test_pipeline_by_district_matches_tier_by_district(tiny: Dataset, year: int) -> None:
    fast = agg.pipeline_by_district(tiny, year)
    ref = agg.tier_by_district(tiny.enterprises, year)
    assert list(fast.columns) == list(TIERS)
    assert sorted(fast.index) == sorted(ref.index)
    assert fast.sort_index().values.tolist() == ref.sort_index().values.tolist()


def same_uptime(a: object, b: object) -> bool:
    return (missing(a) and missing(b)) or (not missing(a) and not missing(b) and a == pytest.approx(b))


@pytest.mark.parametrize("districts", SELECTIONS)
@pytest.mark.parametrize("year", INDEX_YEARS)
def test_uptime_table_matches_station_uptime(tiny: Dataset, year: int, districts: tuple[str, ...]) -> None:
    fast = agg.uptime_table(tiny, year, districts)
    stations = agg.stations_in(tiny.stations, reference_selection(tiny, districts))
    ref = agg.station_uptime(stations, tiny.outages, *agg.year_bounds(year))
    assert list(fast.columns) == ["station", "service_s", "down_s", "uptime"]
    assert fast["station"].tolist() == ref["station"].tolist()
    assert fast["service_s"].tolist() == pytest.approx(ref["service_s"].tolist())
    assert fast["down_s"].tolist() == pytest.approx(ref["down_s"].tolist())
    assert all(same_uptime(a, b) for a, b in zip(fast["uptime"], ref["uptime"], strict=True))
    assert agg.network_uptime(fast) == agg.network_uptime(ref)


@pytest.mark.parametrize("districts", SELECTIONS)
@pytest.mark.parametrize("year", INDEX_YEARS)
def test_uptime_months_matches_monthly_uptime(tiny: Dataset, year: int, districts: tuple[str, ...]) -> None:
    fast = agg.uptime_months(tiny, year, districts)
    stations = agg.stations_in(tiny.stations, reference_selection(tiny, districts))
    ref = agg.monthly_uptime(stations, tiny.outages, year)
    assert list(fast.index) == list(ref.index)
    assert list(fast.columns) == list(range(1, 13))
    for st_ in ref.index:
        assert all(same_uptime(a, b) for a, b in zip(fast.loc[st_], ref.loc[st_], strict=True)), st_


@pytest.mark.parametrize("districts", SELECTIONS)
@pytest.mark.parametrize("year", [2011, 2012])
def test_uptime_reading_matches_network_reading(tiny: Dataset, year: int, districts: tuple[str, ...]) -> None:
    fast = agg.uptime_reading(tiny, year, districts)
    ref = agg.network_reading(tiny.stations, tiny.outages, year, reference_selection(tiny, districts))
    assert fast == ref


def test_uptime_reading_has_no_previous_before_the_first_year(tiny: Dataset) -> None:
    r = agg.uptime_reading(tiny, 2010)
    assert r.value == 100.0
    assert r.previous is None
    assert r.change is None


def test_fast_paths_need_a_loaded_dataset(tiny: Dataset) -> None:
    bare = dataclasses.replace(tiny, index=None)
    with pytest.raises(ValueError, match="load_dataset"):
        agg.value(bare, "apps", 2012)


# --- hypothesis properties over datasets ------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**7)


@SLOW
@given(data=st.data())
def test_sum_over_all_districts_is_the_city_total(tiny: Dataset, data: st.DataObject) -> None:
    rows = []
    for year in (2011, 2012):
        for d in ALL:
            if data.draw(st.booleans(), label=f"{d}-{year} reported"):
                rows.append(("apps", d, year, float(data.draw(counts, label=f"{d}-{year}"))))
    rows.append(("apps", D1, 2010, 1.0))  # keep at least one observation
    ds = with_observations(rows)
    for year in (2011, 2012):
        city = agg.value(ds, "apps", year, ())
        parts = [agg.value(ds, "apps", year, (d,)) for d in ALL]
        present = [p for p in parts if p is not None]
        if not present:
            assert city is None
        else:
            assert city == sum(present)
            assert agg.value(ds, "apps", year, ALL) == city


@SLOW
@given(
    values=st.lists(st.floats(min_value=0, max_value=1e6, allow_subnormal=False), min_size=3, max_size=3),
    year=st.sampled_from([2011, 2012]),
)
def test_float_sum_over_all_districts_is_the_city_total(tiny: Dataset, values: list[float], year: int) -> None:
    ds = with_observations([("output", d, year, v) for d, v in zip(ALL, values, strict=True)])
    parts = [agg.value(ds, "output", year, (d,)) for d in ALL]
    assert agg.value(ds, "output", year) == pytest.approx(sum(p or 0.0 for p in parts), rel=1e-9, abs=1e-6)


positive = st.floats(min_value=1e-3, max_value=1e6, allow_subnormal=False)
non_negative = st.floats(min_value=0, max_value=1e6, allow_subnormal=False)


@SLOW
@given(
    parts=st.lists(st.tuples(non_negative, positive), min_size=3, max_size=3),
    selection=st.sets(st.sampled_from(ALL), min_size=1),
)
def test_ratio_lies_between_the_selected_districts_ratios(
    tiny: Dataset, parts: list[tuple[float, float]], selection: set[str]
) -> None:
    rows = []
    for d, (num, den) in zip(ALL, parts, strict=True):
        rows += [("output", d, 2012, num), ("industry", d, 2012, den)]
    ds = with_observations(rows)
    chosen = tuple(sorted(selection))
    own = [agg.value(ds, "share", 2012, (d,)) for d in chosen]
    assert all(v is not None for v in own)
    combined = agg.value(ds, "share", 2012, chosen)
    assert combined is not None
    tol = 1e-7 * max(1.0, max(own))  # type: ignore[type-var]
    assert min(own) - tol <= combined <= max(own) + tol  # type: ignore[type-var, operator]


# --- hypothesis properties over uptime ----------------------------------------------------------------

PERIOD = (datetime(2012, 1, 1), datetime(2012, 1, 11))  # ten days
outage_lists = st.lists(
    st.tuples(st.integers(min_value=-3 * 1440, max_value=13 * 1440), st.integers(min_value=1, max_value=5 * 1440)),
    max_size=8,
)
commissioning = st.integers(min_value=-20, max_value=12)  # days after 1 Jan 2012


def uptime_of(commissioned_day: int, outages: list[tuple[int, int]]) -> float | None:
    stations = stations_frame([("A", D1, (PERIOD[0] + timedelta(days=commissioned_day)).isoformat())])
    m = timedelta(minutes=1)
    frame = outages_frame([("A", PERIOD[0] + s * m, PERIOD[0] + (s + d) * m) for s, d in outages])
    u = agg.station_uptime(stations, frame, *PERIOD).loc[0, "uptime"]
    return None if missing(u) else float(u)


@FAST
@given(day=commissioning, outages=outage_lists)
def test_uptime_is_within_zero_and_one(day: int, outages: list[tuple[int, int]]) -> None:
    u = uptime_of(day, outages)
    if day >= 10:
        assert u is None
    else:
        assert u is not None
        assert 0.0 <= u <= 1.0


@FAST
@given(day=commissioning, outages=outage_lists.filter(bool), data=st.data())
def test_duplicating_an_outage_row_does_not_change_uptime(
    day: int, outages: list[tuple[int, int]], data: st.DataObject
) -> None:
    dup = data.draw(st.sampled_from(outages))
    assert uptime_of(day, [*outages, dup]) == uptime_of(day, outages)


@FAST
@given(day=commissioning, outages=outage_lists, extra=outage_lists.filter(bool))
def test_adding_an_outage_never_increases_uptime(
    day: int, outages: list[tuple[int, int]], extra: list[tuple[int, int]]
) -> None:
    before = uptime_of(day, outages)
    after = uptime_of(day, [*outages, extra[0]])
    if before is None:
        assert after is None
    else:
        assert after is not None
        assert after <= before


@FAST
@given(
    a=outage_lists,
    b=outage_lists,
    day_a=commissioning,
    day_b=commissioning,
)
def test_network_uptime_is_within_zero_and_one_and_between_stations(
    a: list[tuple[int, int]], b: list[tuple[int, int]], day_a: int, day_b: int
) -> None:
    m = timedelta(minutes=1)
    stations = stations_frame(
        [
            ("A", D1, (PERIOD[0] + timedelta(days=day_a)).isoformat()),
            ("B", D2, (PERIOD[0] + timedelta(days=day_b)).isoformat()),
        ]
    )
    frame = outages_frame(
        [(st_, PERIOD[0] + s * m, PERIOD[0] + (s + d) * m) for st_, rows in (("A", a), ("B", b)) for s, d in rows]
    )
    table = agg.station_uptime(stations, frame, *PERIOD)
    net = agg.network_uptime(table)
    own = [u for u in table["uptime"] if not missing(u)]
    if not own:
        assert net is None
    else:
        assert net is not None
        assert 0.0 <= net <= 1.0
        assert min(own) - 1e-9 <= net <= max(own) + 1e-9


def test_uptime_helpers_do_not_mutate_inputs(tiny: Dataset) -> None:
    before = (tiny.stations.copy(), tiny.outages.copy(), tiny.enterprises.copy())
    agg.station_uptime(tiny.stations, tiny.outages, *agg.year_bounds(2012))
    agg.monthly_uptime(tiny.stations, tiny.outages, 2012)
    agg.outages_in(tiny.outages, ["S1"], *agg.year_bounds(2012))
    agg.transitions(tiny.enterprises, 2012)
    pd.testing.assert_frame_equal(before[0], tiny.stations)
    pd.testing.assert_frame_equal(before[1], tiny.outages)
    pd.testing.assert_frame_equal(before[2], tiny.enterprises)


def test_tiny_fixture_loads_with_expected_shape(tiny: Dataset) -> None:
    assert tiny.city_code == CITY
    assert tiny.district_codes == list(ALL)
    assert tiny.years == [2010, 2011, 2012]
    assert "tiny" in tiny.origin  # the source's label: the directory it was read from


def test_a_series_is_computed_once_and_each_caller_gets_its_own_copy(tiny: Dataset) -> None:
    """series() remembers its result per dataset and selection; mutating one answer never changes the next."""
    codes = tiny.district_codes[:2]
    first = agg.series(tiny, "share", codes)
    key = ("series", "share", tuple(codes))
    assert key in tiny.index.memo
    first.iloc[:] = -1.0
    again = agg.series(tiny, "share", codes)
    assert len(again) > 0
    assert (again >= 0).all(), again
    assert again.equals(agg._series_of(tiny, "share", codes))


def test_the_memo_is_bounded(tiny: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    from data import index

    monkeypatch.setattr(index, "MEMO_MAX", 3)
    idx = dataclasses.replace(tiny.index, memo={})
    for k in range(10):
        assert idx.remember(("k", k), lambda k=k: k * 2) == k * 2
        assert len(idx.memo) <= 3


@pytest.mark.parametrize(
    ("districts", "year", "want"),
    [
        (("a", "b"), 2012, 30.0),  # every district has a target: their sum
        (("a", "b", "c"), 2012, None),  # c has none that year: a partial sum is no target for the whole
        (("a",), 2011, None),  # no target that year
        ((), 2012, None),  # nothing chosen
    ],
)
def test_summed_target(districts: tuple[str, ...], year: int, want: float | None) -> None:
    found = {("a", 2012): 10.0, ("b", 2012): 20.0, ("c", 2013): 5.0}
    assert agg.summed_target(found, districts, year) == want
