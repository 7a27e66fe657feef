"""The period engine (data/periods.py, data/period_rows.py): codes, labels, 序时进度, and every value over
months against an oracle that reads the fixtures' CSV files with the csv module and follows the contract's
words (../shared/DESIGN.md §4) its own way; property tests of what must always hold.

The oracle's way: a row is a block of months; a flow reported per period is known over months a..b when
the blocks inside a..b fill it (the contract forbids overlaps, so their lengths add up to b-a+1); a `ytd`
flow is C(b) - C(a-1) with C the cumulative row ending at that month (C(0) = 0); a stock is the row with the
latest end inside a..b; the annual row answers for January–December. Selections sum the districts that have a
value; 同比 is the published growth of the row that answers alone for one district, else computed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.load import DatasetError, load_dataset, summary
from data.period_reading import period_reading, progress
from data.period_rows import series_of
from data.periods import (
    YEAR,
    Kind,
    Span,
    ViewPeriod,
    build_series,
    fits,
    growth,
    latest_span,
    parse_period,
    parse_view_period,
    ratio_over,
    span_label,
    value_over,
    view_label,
)
from data.rules import Thresholds

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHAPES = ("monthly", "quarterly")


# ---------------------------------------------------------------------------------------------- codes


@pytest.mark.parametrize(
    ("code", "first", "last"),
    [
        ("", 1, 12),
        (None, 1, 12),
        ("Q1", 1, 3),
        ("Q3", 7, 9),
        ("M01", 1, 1),
        ("M11", 11, 11),
        ("M01-M02", 1, 2),
        ("m03", 3, 3),
        (" Q4 ", 10, 12),
        ("M10-M12", 10, 12),
    ],
)
def test_period_codes_are_spans_of_months(code, first: int, last: int) -> None:
    span = parse_period(code)
    assert (span.first, span.last) == (first, last)
    assert parse_period(span.code) == span  # the canonical code reads back


@pytest.mark.parametrize("bad", ["Q5", "Q0", "M13", "M00", "M1", "M02-M01", "M03-M03", "2012", "H1", "M01-Q1"])
def test_what_is_not_a_period_says_what_is_expected(bad: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        parse_period(bad)


def test_a_span_of_months_is_monthly_data_and_fits_frequencies_coarse_to_fine() -> None:
    assert parse_period("M01-M02").frequency == "month"
    assert parse_period("Q2").frequency == "quarter"
    assert parse_period("M10-M12").code == "Q4"  # three months of a quarter are that quarter
    assert fits(YEAR, "year")
    assert fits(parse_period("Q1"), "quarter")
    assert fits(parse_period("Q1"), "month")
    assert not fits(parse_period("M01"), "quarter")
    assert not fits(parse_period("Q1"), "year")
    assert not fits(parse_period("M01"), "weekly")


@pytest.mark.parametrize(
    ("text", "code", "last", "schedule"),
    [
        ("2012", "2012", 12, 1.0),
        ("2012-Q3", "2012-Q3", 9, 0.75),
        ("2012-11", "2012-11", 11, 11 / 12),
        ("2012-q1", "2012-Q1", 3, 0.25),
        ("2012-01", "2012-01", 1, 1 / 12),
    ],
)
def test_view_periods_from_the_url(text: str, code: str, last: int, schedule: float) -> None:
    view = parse_view_period(text)
    assert view is not None
    assert (view.code, view.last) == (code, last)
    assert view.schedule == pytest.approx(schedule)
    assert f"{schedule:.4f}" == f"{last / 12:.4f}"


@pytest.mark.parametrize("bad", ["", None, "12", "2012-13", "2012-Q5", "2012-00", "2012-1", "abc", "2012-11-01"])
def test_what_is_not_a_view_period_is_none(bad) -> None:
    assert parse_view_period(bad) is None


def test_the_same_period_a_year_before_and_the_period_before() -> None:
    nov = parse_view_period("2012-11")
    assert nov is not None
    assert nov.year_before().code == "2011-11"
    assert nov.previous() == parse_view_period("2012-10")
    assert parse_view_period("2012-01").previous() == parse_view_period("2011-12")
    assert parse_view_period("2012-Q1").previous() == parse_view_period("2011-Q4")
    assert parse_view_period("2012-Q3").previous() == parse_view_period("2012-Q2")
    assert parse_view_period("2012").previous() is None


@pytest.mark.parametrize(
    ("view", "basis", "zh", "en"),
    [
        ("2012-11", "ytd", "2012年1–11月", "Jan–Nov 2012"),
        ("2012-11", "period", "2012年11月", "Nov 2012"),
        ("2012-Q3", "ytd", "2012年1–9月", "Jan–Sep 2012"),
        ("2012-Q3", "period", "2012年第三季度", "Q3 2012"),
        ("2012", "ytd", "2012年", "2012"),
        ("2012", "period", "2012年", "2012"),
        ("2012-01", "ytd", "2012年1月", "Jan 2012"),
    ],
)
def test_labels_name_the_months(view: str, basis, zh: str, en: str) -> None:
    v = parse_view_period(view)
    assert v is not None
    assert view_label(v, basis, "zh") == zh
    assert view_label(v, basis, "en") == en


def test_a_span_published_together_is_labelled_as_such() -> None:
    assert span_label(2012, parse_period("M01-M02"), "zh") == "2012年1–2月"
    assert span_label(2012, parse_period("M01-M02"), "en") == "Jan–Feb 2012"


# ---------------------------------------------------------------------------------------------- the oracle

_CODE = re.compile(r"^(?:Q([1-4])|M(\d\d)(?:-M(\d\d))?)?$")


def _months(code: str) -> tuple[int, int]:
    m = _CODE.match(code.strip().upper())
    assert m, code
    if m.group(1):
        return 3 * int(m.group(1)) - 2, 3 * int(m.group(1))
    if m.group(2):
        return int(m.group(2)), int(m.group(3) or m.group(2))
    return 1, 12


class Oracle:
    """A fixture read with the csv module, its numbers found the oracle's way (see the module's docstring)."""

    def __init__(self, root: Path) -> None:
        with (root / "indicators.csv").open(encoding="utf-8-sig", newline="") as f:
            self.indicators = {r["indicator"]: r for r in csv.DictReader(f)}
        self.rows: dict[tuple[str, str, int], list[tuple[int, int, float, float | None]]] = {}
        with (root / "observations.csv").open(encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                first, last = _months(r.get("period") or "")
                yoy = float(r["yoy_reported"]) if r.get("yoy_reported") else None
                key = (r["indicator"], r["district"], int(r["year"]))
                self.rows.setdefault(key, []).append((first, last, float(r["value"]), yoy))
        self.districts = sorted({k[1] for k in self.rows})
        self.years = sorted({k[2] for k in self.rows})

    def blocks(self, ind: str, district: str, year: int) -> list[tuple[int, int, float, float | None]]:
        return self.rows.get((ind, district, year), [])

    def one(self, ind: str, district: str, year: int, a: int, b: int) -> tuple[float | None, tuple | None]:
        """(value over months a..b, the row that answers alone or None)."""
        rows = self.blocks(ind, district, year)
        annual = [r for r in rows if (r[0], r[1]) == (1, 12)]
        if (a, b) == (1, 12) and annual:
            return annual[0][2], annual[0]
        parts = [r for r in rows if (r[0], r[1]) != (1, 12)]
        row = self.indicators[ind]
        if (row.get("temporal") or "flow") == "stock":
            inside = [r for r in parts if a <= r[1] <= b]
            if not inside:
                return None, None
            best = max(inside, key=lambda r: (r[1], -r[0]))
            return best[2], best
        if (row.get("reported_as") or "period") == "ytd":

            def cumulative(end: int):
                if end == 0:
                    return 0.0, None
                if end == 12 and annual:
                    return annual[0][2], annual[0]
                ends = sorted((r for r in parts if r[1] == end), key=lambda r: r[0])
                return (ends[0][2], ends[0]) if ends else (None, None)

            (c_b, row_b), (c_a, _) = cumulative(b), cumulative(a - 1)
            if c_b is None or c_a is None:
                return None, None
            return c_b - c_a, row_b if a == 1 else None
        inside = [r for r in parts if a <= r[0] and r[1] <= b]
        if sum(r[1] - r[0] + 1 for r in inside) != b - a + 1:
            return None, None
        exact = [r for r in inside if (r[0], r[1]) == (a, b)]
        return sum(r[2] for r in inside), exact[0] if exact else None

    def total(self, ind: str, districts: list[str], year: int, a: int, b: int) -> float | None:
        found = [v for d in districts if (v := self.one(ind, d, year, a, b)[0]) is not None]
        return sum(found) if found else None

    def yoy(self, ind: str, districts: list[str], year: int, a: int, b: int) -> tuple[float | None, str]:
        if len(districts) == 1:
            _, row = self.one(ind, districts[0], year, a, b)
            if row is not None and row[3] is not None:
                return row[3], "reported"
        now, before = self.total(ind, districts, year, a, b), self.total(ind, districts, year - 1, a, b)
        if now is None or before is None or before == 0:
            return None, ""
        return now / before - 1, "computed"


def _views(year: int) -> list[tuple[int, int]]:
    """Every (first, last) a view asks for: the year, each quarter and each month on both bases."""
    spans = {(1, 12)}
    for last in range(1, 13):
        spans |= {(1, last), (last, last)}
    for q in range(1, 5):
        spans.add((3 * q - 2, 3 * q))
    return sorted(spans)


@pytest.fixture(scope="module", params=SHAPES)
def shape(request):
    root = FIXTURES / request.param
    ds = load_dataset(root)
    return Oracle(root), series_of(ds.periodic, ds.indicators), ds


def _selections(districts: list[str]) -> list[list[str]]:
    return [[d] for d in districts] + [districts[:2], districts]


def test_every_value_over_months_is_the_oracles(shape) -> None:
    """Every indicator with rows × district selection × year × the months of every view, both bases."""
    oracle, series, _ = shape
    checked = 0
    for ind, s in series.items():
        districts = sorted(s.values)
        for chosen in _selections(districts):
            for year in oracle.years:
                for a, b in _views(year):
                    want = oracle.total(ind, chosen, year, a, b)
                    got = s.value(chosen, year, Span(a, b))
                    where = (ind, chosen, year, a, b)
                    if want is None:
                        assert got is None, where
                    else:
                        assert got == pytest.approx(want, rel=1e-12, abs=1e-9), where
                        checked += 1
    assert checked > 200, checked  # the fixtures answer many of them (not a vacuous pass)


def test_every_growth_compares_the_same_months_a_year_before(shape) -> None:
    oracle, series, _ = shape
    sources = set()
    for ind, s in series.items():
        for chosen in _selections(sorted(s.values)):
            for a, b in _views(2012):
                want, source = oracle.yoy(ind, chosen, 2012, a, b)
                got = s.yoy(chosen, 2012, Span(a, b))
                where = (ind, chosen, a, b)
                assert got.source == source, where
                if want is None:
                    assert got.value is None, where
                else:
                    assert got.value == pytest.approx(want, rel=1e-12), where
                sources.add(source)
    assert {"reported", "computed", ""} <= sources, sources


def test_a_ratio_over_districts_and_months_is_the_ratio_of_the_sums(shape) -> None:
    oracle, series, _ = shape
    for ind, row in oracle.indicators.items():
        if row["agg"] != "ratio":
            continue
        scale = float(row["scale"] or 1)
        num, den = series[row["numerator"]], series[row["denominator"]]
        for chosen in _selections(oracle.districts):
            for a, b in _views(2012):
                n, d = (
                    oracle.total(row["numerator"], chosen, 2012, a, b),
                    oracle.total(row["denominator"], chosen, 2012, a, b),
                )
                want = None if n is None or d is None or d == 0 else n / d * scale
                got = ratio_over(num.value(chosen, 2012, Span(a, b)), den.value(chosen, 2012, Span(a, b)), scale)
                assert (got is None) == (want is None), (ind, chosen, a, b)
                if want is not None:
                    assert got == pytest.approx(want, rel=1e-12)
                    means = [
                        ratio_over(num.value([c], 2012, Span(a, b)), den.value([c], 2012, Span(a, b)), scale)
                        for c in chosen
                    ]
                    if len(chosen) > 1 and None not in means:
                        mean = sum(m for m in means if m is not None) / len(means)
                        assert got != pytest.approx(mean, rel=1e-9)  # not the mean of the districts' ratios


def test_the_annual_views_read_whole_years(shape) -> None:
    """ds.observations: the annual rows, and complete years of period rows (never a part of a year)."""
    oracle, _, ds = shape
    got = {(r.indicator, r.district, r.year): r.value for r in ds.observations.itertuples()}
    for ind, district, year in oracle.rows:
        value, _ = oracle.one(ind, district, year, 1, 12)
        complete = any(r[1] == 12 for r in oracle.blocks(ind, district, year))
        if value is not None and complete:
            assert got[(ind, district, year)] == pytest.approx(value, rel=1e-12), (ind, district, year)
        else:
            assert (ind, district, year) not in got, (ind, district, year)


# ---------------------------------------------------------------------------------------------- the fixtures' facts


def test_the_monthly_fixture_tells_its_story() -> None:
    ds = load_dataset(FIXTURES / "monthly")
    s = series_of(ds.periodic, ds.indicators)
    out = s["hightech_output"]
    assert out.value(["339801"], 2012, Span(1, 1)) is None  # January inside the 1–2月 span: "—"
    assert out.value(["339801"], 2012, Span(2, 2)) is None  # so is February
    assert out.value(["339801"], 2012, Span(3, 3)) is not None
    assert out.value(["339801"], 2012, Span(1, 12)) is None  # 2012 ends in November
    assert out.yoy(["339801"], 2012, Span(1, 11)).source == "reported"
    assert out.yoy(["339801", "339802"], 2012, Span(1, 11)).source == "computed"
    firms = s["hightech_firms"]  # a stock: December's level is the year's, never a sum of months
    rows = firms.rows("339801", 2011)
    assert firms.value(["339801"], 2011, YEAR) == rows[Span(12, 12)]
    assert firms.value(["339801"], 2011, Span(1, 6)) == rows[Span(6, 6)]
    assert firms.value(["339801"], 2011, Span(1, 2)) is None
    patents = s["patent_applications"]
    months = sum(v for span, v in patents.rows("339802", 2011).items() if span != YEAR)
    assert patents.value(["339802"], 2011, YEAR) == patents.rows("339802", 2011)[YEAR] != months  # the annual row
    assert patents.value(["339802"], 2011, Span(1, 11)) == months - patents.rows("339802", 2011)[Span(12, 12)]
    warned = [w for w in ds.warnings if w.column == "value"]
    assert len(warned) == 1, ds.warnings
    assert "339802" in warned[0].message
    assert "3.0%" in warned[0].message
    assert f"WARN observations.csv:{warned[0].line} value: the annual" in summary(ds)  # what `app.py check` prints


def test_a_number_without_data_for_the_view_shows_the_latest_period_before_it() -> None:
    ds = load_dataset(FIXTURES / "monthly")
    s = series_of(ds.periodic, ds.indicators)
    nov = parse_view_period("2012-11")
    assert nov is not None
    spending = s["tech_spending"]  # quarterly cumulative: a November view shows 1–9月
    assert latest_span(spending.values["339800"], nov, "ytd", spending.kind) == (2012, Span(1, 9))
    assert latest_span(spending.values["339800"], nov, "period", spending.kind) == (2012, Span(7, 9))
    firms = s["hightech_firms"]  # a stock last reported in October
    assert latest_span(firms.values["339801"], nov, "period", firms.kind) == (2012, Span(10, 10))
    out = s["hightech_output"]  # the data covers February inside 1–2月: "—", not last year's December
    feb = parse_view_period("2012-02")
    assert feb is not None
    assert latest_span(out.values["339801"], feb, "period", out.kind) == (2012, Span(2, 2))
    annual = load_dataset(FIXTURES / "quarterly")
    patents = series_of(annual.periodic, annual.indicators)["patent_applications"]  # annual only: 2011
    sep = parse_view_period("2012-Q3")
    assert sep is not None
    assert latest_span(patents.values["339701"], sep, "ytd", patents.kind) == (2011, YEAR)


# ---------------------------------------------------------------------------------------------- rules


def _dataset(tmp_path: Path, indicator: dict[str, str], rows: list[tuple[str, str, str]]) -> Path:
    """A minimal v2 dataset: one district, one summed indicator (`indicator`: v2 columns), rows (period,
    value, year)."""
    out = tmp_path / "ds"
    out.mkdir()
    (out / "dataset.json").write_text(
        '{"city_zh": "测", "city_en": "Test", "city_code": "339900", "title_zh": "看板", "title_en": "Board",'
        ' "as_of": "2012-12-31", "source_zh": "测", "source_en": "Test", "sample": true}',
        encoding="utf-8",
    )
    (out / "districts.csv").write_text("code,name_zh,name_en,kind,tile_row,tile_col\n339901,东区,East,district,0,0\n")
    head = "indicator,domain,name_zh,name_en,unit_zh,unit_en,agg,numerator,denominator,scale,higher_is_better"
    cols, values = "".join(f",{c}" for c in indicator), "".join(f",{v}" for v in indicator.values())
    (out / "indicators.csv").write_text(f"{head}{cols}\nx,other,某指标,Some,亿元,CNY 100m,sum,,,,true{values}\n")
    body = "".join(f"x,339901,{year},{value},{period}\n" for period, value, year in rows)
    (out / "observations.csv").write_text("indicator,district,year,value,period\n" + body)
    return out


def _problems(path: Path) -> list[str]:
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    return [f"{i.file}:{i.line}:{i.column}: {i.message}" for i in info.value.issues]


def test_a_period_finer_than_the_frequency_is_refused(tmp_path: Path) -> None:
    found = _problems(_dataset(tmp_path, {"frequency": "quarter"}, [("Q1", "1", "2012"), ("M04", "2", "2012")]))
    assert found == ["observations.csv:3:period: 'M04' is finer than 'x''s frequency 'quarter' (indicators.csv)"]


def test_a_v1_indicator_takes_no_months(tmp_path: Path) -> None:
    found = _problems(_dataset(tmp_path, {}, [("M01", "1", "2012")]))
    assert found == ["observations.csv:2:period: 'M01' is finer than 'x''s frequency 'year' (indicators.csv)"]


def test_a_span_over_a_month_published_alone_is_refused(tmp_path: Path) -> None:
    rows = [("M01-M02", "3", "2012"), ("M02", "1", "2012"), ("M03", "1", "2012")]
    found = _problems(_dataset(tmp_path, {"frequency": "month"}, rows))
    assert found == ["observations.csv:3:period: 'M02' overlaps 'M01-M02' on line 2 (x, 339901, 2012)"]


def test_a_cumulative_that_falls_is_refused(tmp_path: Path) -> None:
    rows = [("M01", "5", "2012"), ("M02", "9", "2012"), ("M03", "8.5", "2012")]
    found = _problems(_dataset(tmp_path, {"frequency": "month", "reported_as": "ytd"}, rows))
    assert found == ["observations.csv:4:value: 8.5 is below 9 on line 3: a cumulative (ytd) value cannot fall"]


def test_a_bad_period_names_file_row_column_and_what_was_expected(tmp_path: Path) -> None:
    found = _problems(_dataset(tmp_path, {"frequency": "month"}, [("M13", "1", "2012")]))
    assert found == [
        "observations.csv:2:period: 'M13' is not a period (expected empty for the year, Q1–Q4, M01–M12 or a span"
        " like M01-M02)"
    ]


def test_a_month_twice_is_a_duplicate_key_naming_the_period(tmp_path: Path) -> None:
    found = _problems(_dataset(tmp_path, {"frequency": "month"}, [("M01", "1", "2012"), ("m01", "2", "2012")]))
    assert found == [
        "observations.csv:3:period: duplicate key (indicator=x, district=339901, year=2012, period=M01);"
        " first on line 2"
    ]


def test_a_revising_annual_row_within_one_percent_says_nothing(tmp_path: Path) -> None:
    rows = [(f"M{m:02d}", "10", "2012") for m in range(1, 13)] + [("", "120.9", "2012")]
    ds = load_dataset(_dataset(tmp_path, {"frequency": "month"}, rows))
    assert ds.warnings == ()
    assert ds.observations["value"].tolist() == [120.9]  # the annual row is the year's


# ---------------------------------------------------------------------------------------------- properties

_month_values = st.lists(st.integers(min_value=0, max_value=10_000), min_size=12, max_size=12)


@settings(max_examples=60, deadline=None)
@given(_month_values, st.integers(min_value=1, max_value=11))
def test_december_to_date_is_the_year_and_ytd_rows_tell_the_same_story(values: list[int], cut: int) -> None:
    """A flow without a revising annual row: 1–12月累计 is the year, whether rows are per month, cumulative,
    or start with a span; 当月 from cumulative rows is the month's own value."""
    per_month = {Span(m, m): float(v) for m, v in enumerate(values, 1)}
    running = [sum(values[:m]) for m in range(1, 13)]
    ytd = {Span(m, m): float(running[m - 1]) for m in range(1, 13)}
    spanned = {Span(1, cut): float(sum(values[:cut]))} | {Span(m, m): float(values[m - 1]) for m in range(cut + 1, 13)}
    flow, cumul = Kind(), Kind("ytd")
    assert value_over(per_month, YEAR, flow) == sum(values)
    assert value_over(ytd, YEAR, cumul) == sum(values)
    assert value_over(spanned, YEAR, flow) == sum(values)
    for m in range(1, 13):
        assert value_over(ytd, Span(m, m), cumul) == values[m - 1]
        assert value_over(ytd, Span(1, m), cumul) == value_over(per_month, Span(1, m), flow)
    month = value_over(spanned, Span(cut, cut), flow)  # the span's last month alone: "—" unless it is one month
    assert month is None if cut > 1 else month == values[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 500), st.integers(1, 500)), min_size=2, max_size=6),
    st.integers(min_value=1, max_value=12),
)
def test_a_ratio_of_monthly_flows_over_districts_is_the_ratio_of_sums(parts: list[tuple[int, int]], last: int) -> None:
    records = []
    for i, (num, den) in enumerate(parts):
        for m in range(1, 13):
            records += [
                {"indicator": "n", "district": f"d{i}", "year": 2012, "period": f"M{m:02d}", "value": num + m},
                {"indicator": "d", "district": f"d{i}", "year": 2012, "period": f"M{m:02d}", "value": den + m},
            ]
    series = build_series(records, {})
    chosen = [f"d{i}" for i in range(len(parts))]
    span = Span(1, last)
    n = sum(num * last + last * (last + 1) / 2 for num, _ in parts)
    d = sum(den * last + last * (last + 1) / 2 for _, den in parts)
    got = ratio_over(series["n"].value(chosen, 2012, span), series["d"].value(chosen, 2012, span), 100)
    assert got == pytest.approx(n / d * 100, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(_month_values, _month_values, st.integers(min_value=1, max_value=12))
def test_growth_compares_like_with_like(this: list[int], last_year: list[int], month: int) -> None:
    """1–N月 of this year against 1–N月 of the year before, never against the whole year before."""
    records = [
        {"indicator": "x", "district": "d", "year": y, "period": f"M{m:02d}", "value": v}
        for y, values in ((2012, this[:month]), (2011, last_year))
        for m, v in enumerate(values, 1)
    ]
    s = build_series(records, {})["x"]
    got = s.yoy(["d"], 2012, Span(1, month))
    before = sum(last_year[:month])
    if before == 0:
        assert got.value is None
        assert got.source == ""
    else:
        assert got.value == pytest.approx(sum(this[:month]) / before - 1, rel=1e-12)
        assert got.source == "computed"


def test_growth_without_a_base_is_none_never_nan_or_inf() -> None:
    assert growth(5.0, 0.0) is None
    assert growth(None, 3.0) is None
    assert growth(5.0, None) is None
    assert growth(30.5, 28.7, points=True) == pytest.approx(1.8)
    assert ratio_over(1.0, 0.0) is None
    assert ViewPeriod(2012).span("ytd") == YEAR


def test_the_monthly_fixture_as_a_workbook_loads_the_same_periods() -> None:
    """The import's workbook form carries the v2 columns: the same rows, periods and published growth."""
    from data.library.importing import WorkbookSource, workbook_bytes, workbook_sheets

    root = FIXTURES / "monthly"
    files = {p.name: p.read_bytes() for p in root.iterdir()}
    book = load_dataset(WorkbookSource(workbook_bytes(workbook_sheets(files)), "monthly.xlsx"))
    direct = load_dataset(root)
    key = ["indicator", "district", "year", "period"]
    a = book.periodic.sort_values(key, ignore_index=True)
    b = direct.periodic.sort_values(key, ignore_index=True)
    assert a[key].astype(str).equals(b[key].astype(str))
    assert a["value"].tolist() == b["value"].tolist()
    assert a["yoy_reported"].fillna(-9).tolist() == b["yoy_reported"].fillna(-9).tolist()
    assert book.indicators["reported_as"].fillna("").tolist() == direct.indicators["reported_as"].fillna("").tolist()


# ---------------------------------------------------------------------------------------------- headline numbers


def _view_spans(view, basis: str) -> tuple[int, int]:
    return (1 if basis == "ytd" else view.first), view.last


def _oracle_ratio(oracle: Oracle, row: dict, whose: list[str], year: int, a: int, b: int) -> float | None:
    n = oracle.total(row["numerator"], whose, year, a, b)
    d = oracle.total(row["denominator"], whose, year, a, b)
    return None if n is None or d is None or d == 0 else n / d * float(row["scale"] or 1)


@pytest.mark.parametrize("name", SHAPES)
def test_a_headline_number_for_its_own_period_is_the_oracles(name: str) -> None:
    """Every indicator (ratios and city-level ones too), view, basis and selection whose data holds the view's
    period: the value over its months and its 同比, as the oracle finds them."""
    root = FIXTURES / name
    oracle, ds = Oracle(root), load_dataset(root)
    city = ds.city_code
    checked = 0
    for ind, row in oracle.indicators.items():
        for text in ("2012", "2012-Q1", "2012-Q2", "2012-Q3", "2012-02", "2012-03", "2012-09", "2012-11", "2011-12"):
            view = parse_view_period(text)
            assert view is not None
            for basis in ("ytd", "period"):
                for chosen in _selections(oracle.districts)[-3:]:
                    got = period_reading(ds, ind, view, basis, [] if chosen == oracle.districts else chosen)
                    if not got.own:
                        continue
                    a, b = _view_spans(view, basis)
                    where = (ind, text, basis, chosen)
                    whose = [city] if row["agg"] == "city" else chosen
                    if row.get("temporal") == "stock":
                        a = b  # a level at the period's end
                    if row["agg"] == "ratio":
                        want = _oracle_ratio(oracle, row, whose, view.year, a, b)
                        before = _oracle_ratio(oracle, row, whose, view.year - 1, a, b)
                        want_change = None if want is None or before is None else want - before
                    else:
                        want = oracle.total(ind, whose, view.year, a, b)
                        want_change, _ = oracle.yoy(ind, whose, view.year, a, b)
                    assert (got.value is None) == (want is None), where
                    if want is not None:
                        assert got.value == pytest.approx(want, rel=1e-12), where
                        checked += 1
                    assert (got.change is None) == (want_change is None), where
                    if want_change is not None:
                        assert got.change == pytest.approx(want_change, rel=1e-12), where
                    assert got.period == view.code, where
    assert checked > 50, checked


def test_a_number_from_before_the_view_says_which_period_it_is() -> None:
    ds = load_dataset(FIXTURES / "monthly")
    nov = parse_view_period("2012-11")
    assert nov is not None
    firms = period_reading(ds, "hightech_firms", nov, "ytd")  # a stock last reported in October
    assert (firms.own, firms.period, firms.label("zh"), firms.label("en")) == (
        False,
        "2012-10",
        "2012年10月",
        "Oct 2012",
    )
    spending = period_reading(ds, "tech_spending", nov, "ytd")  # quarterly: 1–9月 in a November view
    assert (spending.own, spending.period, spending.label("zh")) == (False, "2012-Q3", "2012年1–9月")
    assert (spending.change, spending.change_source) == (0.05, "reported")  # the city's published growth
    whole = period_reading(ds, "patent_applications", parse_view_period("2012"), "ytd")  # 2012 ends in November
    assert (whole.own, whole.period, whole.label("en")) == (False, "2012-11", "Jan–Nov 2012")
    annual = load_dataset(FIXTURES / "quarterly")
    patents = period_reading(annual, "patent_applications", parse_view_period("2012-Q3"), "ytd")  # annual only
    assert (patents.own, patents.period, patents.label("zh")) == (False, "2011", "2011年")
    feb = period_reading(ds, "hightech_output", parse_view_period("2012-02"), "period")  # inside 1–2月: "—"
    assert (feb.own, feb.value, feb.change, feb.change_source) == (True, None, None, "")
    ratio = period_reading(ds, "rd_intensity", nov, "ytd")
    assert (ratio.change_kind, ratio.change_source) == ("pp", "computed")


def test_completion_of_an_annual_target_against_the_time_elapsed() -> None:
    """ "完成全年目标87.3%，超序时进度4.0个百分点": completion ÷ 序时进度 judged by the thresholds."""
    nov = parse_view_period("2012-11")
    half = parse_view_period("2012-06")
    assert nov is not None
    assert half is not None
    ahead = progress(873.0, 1000.0, nov, Thresholds())
    assert ahead is not None
    assert ahead.completion == pytest.approx(0.873)
    assert ahead.schedule == pytest.approx(11 / 12)
    assert ahead.ahead_points == pytest.approx((0.873 - 11 / 12) * 100)  # behind by 4.37 points
    assert ahead.status == "at_risk"  # 0.873 / 0.9167 = 95.2%: within 90% of the pace
    on_pace = progress(520.0, 1000.0, half, Thresholds())  # 时间过半、任务过半
    assert on_pace is not None
    assert on_pace.ahead_points == pytest.approx(2.0)
    assert on_pace.status == "on_track"
    behind = progress(400.0, 1000.0, half, Thresholds())
    assert behind is not None
    assert behind.status == "missed"  # 80% of the pace
    assert progress(400.0, None, half, Thresholds()) is None
    assert progress(400.0, 0.0, half, Thresholds()) is None
    empty = progress(None, 1000.0, half, Thresholds())
    assert empty is not None
    assert (empty.completion, empty.ahead_points, empty.status) == (None, None, None)


def test_the_data_export_of_a_period_view_carries_the_period(make_app) -> None:
    """/export/data.csv?period=2012-11: the cards' 1–11月 values, their period, growth source and 序时进度."""
    import csv as csv_module
    import io

    app = make_app(FIXTURES / "monthly")
    resp = app.server.test_client().get("/export/data.csv?period=2012-11")
    assert resp.status_code == 200
    rows = list(csv_module.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    head = rows.index(next(r for r in rows if r[:2] == ["指标", "数值"]))
    patents = next(r for r in rows[head:] if r and r[0] == "专利申请量")
    oracle = Oracle(FIXTURES / "monthly")
    assert float(patents[1]) == oracle.total("patent_applications", oracle.districts, 2012, 1, 11)
    assert patents[7:] == ["2012年1–11月", "计算", str(11 / 12)]
    assert float(patents[5]) == 3600


def test_a_cards_info_is_its_catalogue_entry() -> None:
    """The ⓘ: 统计口径 and source from indicators.csv (the dataset's source where a row has none), frequency
    and how the rows run, the latest data's period."""
    from components.charts.kpis import kpi_models

    ds = load_dataset(FIXTURES / "monthly")
    cards = {k.indicator: k for k in kpi_models(ds, 2012, [], "zh", parse_view_period("2012-11"))}
    assert cards["hightech_output"].info == (
        "统计口径：高新技术产业产值：测试口径（虚构）",
        "数据来源：测试统计局",
        "统计频率：月度 · 累计值",
        "最新数据：2012年1–11月",
    )
    assert cards["hightech_output"].info_title == "高新技术产业产值：口径与来源"
    sample = load_dataset(Path(__file__).resolve().parents[2] / "data" / "sample")
    annual = {k.indicator: k for k in kpi_models(sample, 2012, [], "en")}
    assert annual["patent_applications"].info[-2:] == ("Frequency: Monthly · Value of the period", "Latest data: 2012")
    assert annual["patent_applications"].info[1] == "Source: Municipal Intellectual Property Office"
    assert annual["rd_intensity"].info[-2:] == ("Frequency: Annual", "Latest data: 2012")
    assert annual["network_uptime"].info == ()  # not an indicator of indicators.csv


def test_a_period_views_sentence_speaks_of_the_period_with_the_cards_numbers() -> None:
    from components.charts.kpis import view_kpis
    from components.core.state import from_query
    from components.sections.overview import sentence

    ds = load_dataset(FIXTURES / "monthly")
    oracle = Oracle(FIXTURES / "monthly")
    view = from_query(ds, "?period=2012-11")
    said = sentence(ds, view)
    patents = oracle.total("patent_applications", oracle.districts, 2012, 1, 11)
    before = oracle.total("patent_applications", oracle.districts, 2011, 1, 11)
    assert said.startswith(f"2012年1–11月全市专利申请量{patents:,.0f}件，同比增长{(patents / before - 1) * 100:.2f}%。")
    assert "比上年同期提高" in said  # R&D intensity: points against the same months
    cards = {k.indicator: k for k in view_kpis(ds, view)}
    assert cards["patent_applications"].value_text in said
    english = sentence(ds, from_query(ds, "?period=2012-11&basis=period&lang=en"))
    assert english.startswith("In Nov 2012, Patent applications in the whole city: ")


def test_the_import_preview_says_which_periods_are_new_changed_or_gone(tmp_path: Path) -> None:
    """Publishing November over a bulletin that ended in October, with one October figure revised."""
    import shutil

    from components.server.preview import preview, preview_text

    old = tmp_path / "old"
    shutil.copytree(FIXTURES / "monthly", old)
    path = old / "observations.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    kept = [r for r in rows if not (r["year"] == "2012" and r["period"] == "M11")]
    october = next(r for r in kept if r["year"] == "2012" and r["period"] == "M10" and r["indicator"] == "rd_spending")
    october["value"] = str(float(october["value"]) + 0.1)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    p = preview(load_dataset(old), load_dataset(FIXTURES / "monthly"), "zh")
    said = [f.text("zh") for f in p.periods]
    assert said[:2] == ["新增：2012年11月", "有修改：2012年10月"], said
    assert said[2].startswith("校验提示：observations.csv:")  # the annual row revising its months by 3%
    assert "年内期间：" in preview_text(p, "zh")
    gone = preview(load_dataset(FIXTURES / "monthly"), load_dataset(old), "en")
    assert [f.text("en") for f in gone.periods][:2] == ["Changed: Oct 2012", "Removed: Nov 2012"]
    assert preview(load_dataset(FIXTURES / "minimal"), load_dataset(FIXTURES / "minimal")).periods == []
