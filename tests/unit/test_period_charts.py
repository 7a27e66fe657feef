"""The charts and words of a period view, called directly and checked against the CSV files read with the csv
module (no shared code): each sub-period's 1–N月累计 or 当期 (data/period_reading.points), each district's
value over the view's months (by_district), the months-against-last-year frame (components/charts/prep), the
headline reading a section speaks from, titles and sentences naming the period, and the 科技服务业 section's
figures from the report.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from components.charts import prep
from components.core.i18n import fill_when, t_when
from components.core.state import View, from_query
from components.core.ui import title_parts
from components.sections import section
from data import aggregate as agg
from data import period_reading as pr
from data.load import Dataset, load_dataset
from data.periods import Span, parse_view_period

ROOT = Path(__file__).resolve().parents[2]
SAMPLE, MONTHLY = ROOT / "data" / "sample", ROOT / "tests" / "fixtures" / "monthly"


@cache
def rows(root: Path) -> tuple[dict[str, str], ...]:
    with (root / "observations.csv").open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@cache
def loaded(root: Path) -> Dataset:
    return load_dataset(root)


def last_month(period: str) -> int:
    """The month a period code ends with: 'M01-M02' 2, 'M11' 11, 'Q3' 9."""
    return 3 * int(period[1]) if period.startswith("Q") else int(period.split("-")[-1][1:])


def ytd_rows(root: Path, indicator: str, year: int, districts: tuple[str, ...] = ()) -> dict[int, float]:
    """A ytd flow's 1–N月累计 by the month its rows end with, summed over districts (all: ())."""
    out: dict[int, float] = {}
    for r in rows(root):
        mine = not districts or r["district"] in districts
        if r["indicator"] == indicator and r["year"] == str(year) and r["period"] and mine:
            out[last_month(r["period"])] = out.get(last_month(r["period"]), 0.0) + float(r["value"])
    return out


def month_rows(root: Path, indicator: str, year: int, district: str | None = None) -> dict[int, float]:
    """A per-month flow's own months (当月), summed over districts (or one)."""
    out: dict[int, float] = {}
    for r in rows(root):
        mine = district is None or r["district"] == district
        if r["indicator"] == indicator and r["year"] == str(year) and r["period"].startswith("M") and mine:
            m = int(r["period"][1:])
            out[m] = out.get(m, 0.0) + float(r["value"])
    return out


# --- the engine's sub-periods and districts -------------------------------------------------------------


@pytest.mark.parametrize(("root", "year"), [(SAMPLE, 2012), (SAMPLE, 2011), (MONTHLY, 2012), (MONTHLY, 2011)])
def test_a_cumulative_flows_points_are_its_rows_and_january_is_unknown(root: Path, year: int) -> None:
    ds = loaded(root)
    expected = ytd_rows(root, "hightech_output", year)
    got = {s.last: v for s, v in pr.points(ds, "hightech_output", year, 12, "ytd")}
    assert got[1] is None  # inside the published 1–2月: January alone cannot be told
    assert {m: v for m, v in got.items() if v is not None} == pytest.approx(expected)
    own = {s.last: v for s, v in pr.points(ds, "hightech_output", year, 12, "period")}
    assert own[1] is None
    assert own[2] is None  # 当月 of February needs January's cumulative
    for m in range(3, max(expected) + 1):
        assert own[m] == pytest.approx(expected[m] - expected[m - 1])


@pytest.mark.parametrize("district", [None, "330212", "330281"])
def test_a_monthly_flows_points_are_its_months_and_their_running_sum(district: str | None) -> None:
    ds = loaded(SAMPLE)
    months = month_rows(SAMPLE, "patent_applications", 2012, district)
    chosen = () if district is None else (district,)
    own = [v for _, v in pr.points(ds, "patent_applications", 2012, 11, "period", chosen)]
    assert own == [months[m] for m in range(1, 12)]
    ytd = [v for _, v in pr.points(ds, "patent_applications", 2012, 11, "ytd", chosen)]
    assert ytd == [sum(months[k] for k in range(1, m + 1)) for m in range(1, 12)]


def test_a_quarterly_stock_is_its_level_at_each_quarters_end() -> None:
    ds = loaded(SAMPLE)
    levels = {r["period"]: float(r["value"]) for r in rows(SAMPLE) if r["indicator"] == "tech_service_institutions"
              and r["year"] == "2012"}  # fmt: skip
    got = pr.points(ds, "tech_service_institutions", 2012, 12, "ytd")
    assert [s for s, _ in got] == [Span(1, 3), Span(4, 6), Span(7, 9), Span(10, 12)]
    assert [v for _, v in got] == [levels["Q1"], levels["Q2"], levels["Q3"], None]  # Q4 not yet published
    assert pr.points(ds, "tech_service_institutions", 2012, 12, "period") == got  # a level: either basis


@pytest.mark.parametrize(("code", "basis", "first", "last"), [("2012-11", "ytd", 1, 11), ("2012-Q3", "period", 7, 9)])
def test_each_districts_value_over_the_views_months(code: str, basis: str, first: int, last: int) -> None:
    ds = loaded(SAMPLE)
    view = parse_view_period(code)
    assert view is not None
    got = pr.by_district(ds, "patent_applications", view, basis)  # type: ignore[arg-type]
    for district in ds.district_codes:
        months = month_rows(SAMPLE, "patent_applications", 2012, district)
        assert got[district] == sum(months[m] for m in range(first, last + 1))
    share = pr.by_district(ds, "hightech_share", view, basis)  # type: ignore[arg-type]
    for district in ds.district_codes:  # a ratio: the district's own ratio of its months' sums
        out, ind = (
            ytd_rows(SAMPLE, "hightech_output", 2012, (district,)),
            ytd_rows(SAMPLE, "industrial_output", 2012, (district,)),
        )
        before = (out.get(first - 1, 0.0), ind.get(first - 1, 0.0)) if first > 1 else (0.0, 0.0)
        assert share[district] == pytest.approx((out[last] - before[0]) / (ind[last] - before[1]) * 100)


def test_a_ratio_over_districts_is_the_ratio_of_sums_in_every_month() -> None:
    ds = loaded(MONTHLY)
    chosen = ("339801", "339803")
    for span, v in pr.points(ds, "rd_intensity", 2012, 11, "period", chosen):
        num = sum(month_rows(MONTHLY, "rd_spending", 2012, d).get(span.last, 0.0) for d in chosen)
        den = sum(month_rows(MONTHLY, "main_revenue", 2012, d).get(span.last, 0.0) for d in chosen)
        assert v == pytest.approx(num / den * 100)


# --- the frames and readings sections draw from ---------------------------------------------------------


def test_the_months_frame_sets_this_year_over_the_same_months_a_year_before() -> None:
    ds = loaded(SAMPLE)
    frame, names = prep.compare_frame(ds, "hightech_output", from_query(ds, "?period=2012-11"))
    assert names == ("2012年（累计）", "2011年同期")
    assert list(frame["label"]) == ["1月", *(f"1–{m}月" for m in range(2, 13))]
    this, last = ytd_rows(SAMPLE, "hightech_output", 2012), ytd_rows(SAMPLE, "hightech_output", 2011)
    assert frame["this"].iloc[1:11].tolist() == pytest.approx([this[m] for m in range(2, 12)])
    assert frame["this"].isna().tolist() == [True, *[False] * 10, True]  # January inside 1–2月; December not shown
    assert frame["last"].iloc[1:].tolist() == pytest.approx([last[m] for m in range(2, 13)])
    frame, names = prep.compare_frame(ds, "patent_applications", from_query(ds, "?period=2012-Q3&basis=period&lang=en"))
    assert names == ("2012 (each period)", "2011, same period")
    assert list(frame["label"]) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    months = month_rows(SAMPLE, "patent_applications", 2012)
    assert frame["this"].iloc[:9].tolist() == [months[m] for m in range(1, 10)]
    assert frame["this"].iloc[9:].isna().all()  # after the view's period


def test_the_reading_a_section_speaks_from() -> None:
    ds = loaded(SAMPLE)
    view = from_query(ds, "?period=2012-11")
    r = prep.view_reading(ds, "patent_applications", view)
    this, before = month_rows(SAMPLE, "patent_applications", 2012), month_rows(SAMPLE, "patent_applications", 2011)
    assert r.value == sum(this[m] for m in range(1, 12))
    assert r.change == pytest.approx(r.value / sum(before[m] for m in range(1, 12)) - 1)  # the same months
    year = prep.view_reading(ds, "patent_applications", from_query(ds, "?year=2012"))
    assert year == agg.reading(ds, "patent_applications", 2012)  # a whole year: as before
    rd = prep.view_reading(ds, "rd_intensity", view)  # yearly only: no months to read
    assert rd == agg.reading(ds, "rd_intensity", 2012)
    assert not prep.reads_months(ds, "rd_intensity", view)
    assert prep.shows_months(ds, "hightech_ent_revenue", from_query(ds, "?year=2012"))  # published to November
    assert not prep.shows_months(ds, "patent_applications", from_query(ds, "?year=2012"))  # a complete year
    assert not prep.shows_months(ds, "rd_intensity", view)


# --- words naming the period ----------------------------------------------------------------------------


def test_titles_and_sentences_name_the_period() -> None:
    assert fill_when("{year}年各区县专利", 2012) == "2012年各区县专利"
    assert fill_when("{year}年各区县专利", 2012, "2012年1–11月") == "2012年1–11月各区县专利"
    assert fill_when("Patents by district, {year}", 2012, "Jan–Nov 2012") == "Patents by district, Jan–Nov 2012"
    assert t_when("sum_no_data", "zh", "2012年第三季度", scope="全市") == "2012年第三季度全市无数据。"
    assert t_when("sum_no_data", "en", "", year=2012, scope="the whole city") == "No data for the whole city in 2012."
    before, span, after = title_parts("{year}年各区县专利", 2012, "2012年1–11月")
    assert (before, span.children, after, getattr(span, "data-when")) == ("", "2012年1–11月", "各区县专利", "period")
    _, span, _ = title_parts("{year}年企业梯队", 2012, "2012年1–11月", yearly=True)  # yearly data keeps its year
    assert (span.children, getattr(span, "data-when")) == ("2012", "year")
    _, span, _ = title_parts("Patents by district, {year}", 2012, "", "en")
    assert (span.children, getattr(span, "data-when")) == ("2012", "period")
    tiers = section("pipeline").rows[0][0]
    assert tiers.title_text(loaded(SAMPLE), "zh", 2012, when="2012年1–11月") == "2012年企业梯队"


@pytest.mark.parametrize(
    ("query", "text"),
    [
        (
            "?year=2012",
            "2012年1–9月，全市限上科技服务业机构356家，比上年同期增加41家；实现限上科技服务业增加值40.3亿元，"
            "同比增长24.70%（统计部门公布）。2012年新认定科技服务业示范项目24项、示范企业7家。",
        ),
        (
            "?period=2012-Q3&lang=en",
            "In Jan–Sep 2012, in the whole city: 356 science and technology service institutions above the "
            "threshold, 41 more than a year before; value added CNY 4.03 bn, up 24.70% year on year (as published). "
            "In 2012, 24 demonstration projects and 7 demonstration firms were newly recognised.",
        ),
        ("?year=2011", "2011年，全市限上科技服务业机构322家；实现限上科技服务业增加值45.6亿元。"),
    ],
)
def test_tech_services_speaks_the_reports_figures(query: str, text: str) -> None:
    ds = loaded(SAMPLE)
    assert section("services").sentence(ds, from_query(ds, query)) == text


def test_tech_services_is_absent_without_its_data() -> None:
    assert not section("services").present(loaded(MONTHLY))
    assert section("services").absent_because(loaded(MONTHLY)) == [
        "no tech_service_institutions",
        "no tech_service_value_added",
    ]


def test_a_view_names_its_period_only_in_year() -> None:
    ds = loaded(SAMPLE)
    assert View(2012).when_text == ""
    assert from_query(ds, "?period=2012-11").when_text == "2012年1–11月"
    assert from_query(ds, "?period=2012-11&basis=period&lang=en").when_text == "Nov 2012"
