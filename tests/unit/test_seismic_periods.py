"""Seismic uptime over a view's period (a quarter or a month, 1–N月累计 or 当期), and the pipeline's yearly note.

The expected numbers come from an oracle written here from the contract's words alone: the sample's
seismic_stations.csv and seismic_outages.csv read with the csv module, uptime = 1 − (union of the outages clipped
to the span and to the time since commissioning) / (that time), the network weighting stations by their time in
service. It shares no code with the app.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from oracle import FIXTURES
from oracle import _union as union_seconds

from components.charts.figures import MANY
from components.charts.kpis import view_kpis
from components.core.state import View, from_query
from components.sections import pipeline, section, seismic
from components.sections.base import by_view
from data import aggregate as agg
from data.load import Dataset, load_dataset
from data.periods import YEAR, Span

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

# --- the oracle ------------------------------------------------------------------------------------------------


def _read(name: str) -> list[dict[str, str]]:
    with (SAMPLE / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


STATIONS = _read("seismic_stations.csv")
OUTAGES = _read("seismic_outages.csv")


def bounds(year: int, first: int, last: int) -> tuple[datetime, datetime]:
    """[first day of month `first`, first day after month `last`)."""
    return datetime(year, first, 1), datetime(year + 1, 1, 1) if last == 12 else datetime(year, last + 1, 1)


def station_seconds(station: str, lo: datetime, hi: datetime) -> tuple[float, float]:
    """(seconds in service, seconds down) of one station over [lo, hi)."""
    row = next(s for s in STATIONS if s["station"] == station)
    lo = max(lo, datetime.fromisoformat(row["commissioned"]))
    if hi <= lo:
        return 0.0, 0.0
    cut = [
        (max(datetime.fromisoformat(o["start"]), lo), min(datetime.fromisoformat(o["end"]), hi))
        for o in OUTAGES
        if o["station"] == station
    ]
    return (hi - lo).total_seconds(), union_seconds(cut)  # the shared oracle's union of intervals


def chosen(districts: tuple[str, ...]) -> list[str]:
    return [s["station"] for s in STATIONS if not districts or s["district"] in districts]


def uptimes(year: int, first: int, last: int, districts: tuple[str, ...] = ()) -> dict[str, float | None]:
    """Each chosen station's uptime (ratio) over the months; None when not in service."""
    out: dict[str, float | None] = {}
    for st in chosen(districts):
        service, down = station_seconds(st, *bounds(year, first, last))
        out[st] = 1 - down / service if service > 0 else None
    return out


def network_pct(year: int, first: int, last: int, districts: tuple[str, ...] = ()) -> float | None:
    service = down = 0.0
    for st in chosen(districts):
        s, d = station_seconds(st, *bounds(year, first, last))
        service, down = service + s, down + d
    return (1 - down / service) * 100 if service > 0 else None


def outages(year: int, first: int, last: int, stations: list[str]) -> tuple[int, float]:
    """How many outages of `stations` touch the months, and their hours inside them."""
    lo, hi = bounds(year, first, last)
    n, hours = 0, 0.0
    for o in OUTAGES:
        s, e = datetime.fromisoformat(o["start"]), datetime.fromisoformat(o["end"])
        if o["station"] in stations and e > lo and s < hi:
            n += 1
            hours += (min(e, hi) - max(s, lo)).total_seconds() / 3600
    return n, hours


# --- the views: 2012 1–11月 (ytd), 2012 Q3 (当期), 2012年11月 (当期), and one ytd quarter ------------------------

VIEWS = [
    ("M11", "ytd", 1, 11),
    ("Q3", "period", 7, 9),
    ("M11", "period", 11, 11),
    ("Q3", "ytd", 1, 9),
]
SELECTIONS = [(), ("330212",), ("330205", "330283")]  # the city; 鄞州 (two stations); the 2012 newcomers' districts


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return load_dataset(SAMPLE)


@pytest.mark.parametrize("districts", SELECTIONS)
@pytest.mark.parametrize(("first", "last"), [(1, 11), (7, 9), (11, 11), (1, 1), (12, 12), (1, 12)])
def test_station_uptime_over_months_is_the_oracles(sample: Dataset, first: int, last: int, districts) -> None:
    for year in (2011, 2012):
        expected = uptimes(year, first, last, districts)
        table = agg.uptime_table(sample, year, districts, Span(first, last)).set_index("station")
        assert list(table.index) == list(expected)
        for st, want in expected.items():
            got = table.loc[st, "uptime"]
            if want is None:
                assert got is None or got != got, st  # None (or NaN): not in service
            else:
                assert got == pytest.approx(want, abs=1e-9), (year, st)


@pytest.mark.parametrize("districts", SELECTIONS)
@pytest.mark.parametrize(("sub", "basis", "first", "last"), VIEWS)
def test_network_uptime_and_its_change_over_the_period(sample: Dataset, sub, basis, first, last, districts) -> None:
    span = View(2012, period=sub, basis=basis).when.span(basis)
    assert (span.first, span.last) == (first, last)
    now, before = network_pct(2012, first, last, districts), network_pct(2011, first, last, districts)
    for r in (
        agg.uptime_reading(sample, 2012, districts, span),
        agg.network_reading(sample.stations, sample.outages, 2012, districts, sample.years, span),
    ):
        assert r.value == pytest.approx(now, abs=1e-7)
        assert r.previous == (None if before is None else pytest.approx(before, abs=1e-7))  # 同比: a year before
        if before is None:  # no station of the selection in service a year before
            assert r.change is None
        else:
            assert r.change == pytest.approx(now - before, abs=1e-7)
        assert r.change_kind == "pp"


def test_a_station_commissioned_in_the_period_counts_from_commissioning(sample: Dataset) -> None:
    """NB12 (奉化, from 2012-09-26): in Q3 it has four days and a few hours of service; in Q2 none."""
    q3 = agg.uptime_table(sample, 2012, ("330283",), Span(7, 9)).set_index("station")
    assert q3.loc["NB12", "service_s"] == (datetime(2012, 10, 1) - datetime(2012, 9, 26)).total_seconds()
    q2 = agg.uptime_table(sample, 2012, ("330283",), Span(4, 6))
    assert agg.network_uptime(q2) is None
    assert agg.uptime_reading(sample, 2012, ("330283",), Span(4, 6)).value is None


@pytest.mark.parametrize("last", [11, 9, 1])
def test_the_heatmap_months_after_the_period_are_unknown(sample: Dataset, last: int) -> None:
    months = agg.uptime_months(sample, 2012, (), last)
    frames = agg.monthly_uptime(sample.stations, sample.outages, 2012, last).reindex(months.index)
    for st in months.index:
        for m in range(1, 13):
            want = uptimes(2012, m, m)[st] if m <= last else None
            for got in (months.loc[st, m], frames.loc[st, m]):
                if want is None:
                    assert got is None or got != got, (st, m)
                else:
                    assert got == pytest.approx(want, abs=1e-9), (st, m)


@pytest.mark.parametrize("year", [2009, 2011, 2012])
def test_whole_years_are_as_before(sample: Dataset, year: int) -> None:
    """The span's default is the year: the same tables and readings as the year's, and the oracle's."""
    table = agg.uptime_table(sample, year)
    assert table.equals(agg.uptime_table(sample, year, (), YEAR))
    assert agg.uptime_months(sample, year).equals(agg.uptime_months(sample, year, (), 12))
    assert agg.uptime_reading(sample, year) == agg.uptime_reading(sample, year, (), YEAR)
    assert agg.span_bounds(year) == agg.year_bounds(year) == (datetime(year, 1, 1), datetime(year + 1, 1, 1))
    assert agg.uptime_reading(sample, year).value == pytest.approx(network_pct(year, 1, 12), abs=1e-7)
    view = View(year)
    assert seismic.span_of(view) == YEAR
    assert by_view(sample, view) == (year, ())  # the charts' keys of a year view as before
    for fig in (seismic.uptime_figure(sample, view), seismic.heatmap_figure(sample, view)):
        assert "title" not in fig["layout"]  # no period note on a year's chart


def test_the_year_views_sentences_are_as_before(sample: Dataset) -> None:
    n, hours = outages(2012, 1, 12, chosen(()))
    assert seismic.sentence(sample, View(2012)) == (
        f"2012年全市地震台网运行率{network_pct(2012, 1, 12):.2f}%，12个台站中11个达到99.9%；"
        f"全年中断{n}次，累计{hours:,.1f}小时。"
    )
    assert "（企业认定按年度统计" not in pipeline.sentence(sample, View(2012))
    assert "yearly" not in pipeline.sentence(sample, View(2012, lang="en"))


# --- the section in an in-year view -----------------------------------------------------------------------------


def _ok(year: int, first: int, last: int) -> tuple[int, int]:
    served = {k: v for k, v in uptimes(year, first, last).items() if v is not None}
    return len(served), sum(v >= 0.999 for v in served.values())


@pytest.mark.parametrize(
    ("sub", "basis", "first", "last", "zh", "en"),
    [
        ("M11", "ytd", 1, 11, "2012年1–11月", "Jan–Nov 2012"),
        ("Q3", "period", 7, 9, "2012年第三季度", "Q3 2012"),
        ("M11", "period", 11, 11, "2012年11月", "Nov 2012"),
    ],
)
def test_the_sentence_speaks_of_the_period(sample: Dataset, sub, basis, first, last, zh, en) -> None:
    served, ok = _ok(2012, first, last)
    pct = network_pct(2012, first, last)
    n, hours = outages(2012, first, last, chosen(()))
    assert seismic.sentence(sample, View(2012, period=sub, basis=basis)) == (
        f"{zh}全市地震台网运行率{pct:.2f}%，{served}个台站中{ok}个达到99.9%；期内中断{n}次，累计{hours:,.1f}小时。"
    )
    assert seismic.sentence(sample, View(2012, lang="en", period=sub, basis=basis)) == (
        f"In {en}, the seismic network in the whole city was up {pct:.2f}% of the time; {ok} of {served} stations "
        f"reached 99.9%; {n} outages, {hours:,.1f} hours in all."
    )


def test_the_sample_tells_its_periods() -> None:
    """The sample's own story for two views (read by hand against the oracle's numbers)."""
    ds = load_dataset(SAMPLE)
    assert seismic.sentence(ds, View(2012, period="M11")) == (
        "2012年1–11月全市地震台网运行率99.95%，12个台站中11个达到99.9%；期内中断25次，累计44.0小时。"
    )
    assert seismic.sentence(ds, View(2012, lang="en", period="Q3", basis="period")) == (
        "In Q3 2012, the seismic network in the whole city was up 99.94% of the time; 9 of 12 stations "
        "reached 99.9%; 10 outages, 13.9 hours in all."
    )


def test_no_station_in_the_period_says_so(sample: Dataset) -> None:
    assert seismic.sentence(sample, View(2012, ("330283",), period="Q2", basis="period")) == (
        "2012年第二季度奉化市没有在运行的地震台站。"
    )
    assert seismic.sentence(sample, View(2012, ("330283",), "en", period="Q2", basis="period")) == (
        "No seismic station was in service in Fenghua in Q2 2012."
    )


def test_the_charts_and_headline_are_the_periods(sample: Dataset) -> None:
    view = View(2012, period="Q3", basis="period")
    bars = seismic.uptime_figure(sample, view)
    expected = uptimes(2012, 7, 9)
    shown = [v for v in expected.values() if v is not None]
    assert [float(x) for x in bars["data"][0]["x" if len(shown) > MANY else "y"]] == pytest.approx(
        [v * 100 for v in shown], abs=1e-7
    )
    title = section("seismic").rows[0][0].title_text(sample, "zh", 2012, when=view.when_text)
    assert title == "2012年第三季度各台站运行率"  # the chart's title names the period (no note in the figure)
    assert "title" not in bars["layout"]
    heat = seismic.heatmap_figure(sample, View(2012, lang="en", period="M11"))
    assert all(row[-1] == "—" for row in heat["data"][0]["text"])  # December: not yet known
    timeline = seismic.timeline_figure(sample, view)
    n, _ = outages(2012, 7, 9, chosen(()))
    assert len(timeline["layout"]["meta"]["table"]["rows"]) == n
    head = seismic.headlines(sample, view)[0].to_plotly_json()["props"]
    assert float(head["data-value"]) == pytest.approx(network_pct(2012, 7, 9), abs=1e-7)
    assert float(head["data-yoy"]) == pytest.approx(network_pct(2012, 7, 9) - network_pct(2011, 7, 9), abs=1e-7)
    assert (head["data-period"], head["data-basis"]) == ("2012-Q3", "period")
    assert by_view(sample, view) != by_view(sample, View(2012, period="Q3"))  # redrawn


@pytest.mark.parametrize(
    ("query", "first", "last", "note"), [("M11", 1, 11, "2012年1–11月"), ("Q3", 7, 9, "2012年第三季度")]
)
def test_the_uptime_card_reads_the_period(sample: Dataset, query: str, first: int, last: int, note: str) -> None:
    basis = "ytd" if first == 1 else "period"
    view = View(2012, period=query, basis=basis)
    card = next(k for k in view_kpis(sample, view) if k.indicator == "network_uptime")
    assert card.value == pytest.approx(network_pct(2012, first, last), abs=1e-7)
    assert card.change == pytest.approx(network_pct(2012, first, last) - network_pct(2011, first, last), abs=1e-7)
    assert (card.period, card.basis, card.yoy_source, card.note) == (view.when.code, basis, "computed", note)
    year = next(k for k in view_kpis(sample, View(2012)) if k.indicator == "network_uptime")
    assert (year.period, year.note, year.value) == ("2012", "12个台站", agg.uptime_reading(sample, 2012).value)


# --- the pipeline -----------------------------------------------------------------------------------------------


def test_the_pipeline_says_it_shows_the_year(sample: Dataset) -> None:
    year = pipeline.sentence(sample, View(2012))
    zh = pipeline.sentence(sample, View(2012, period="M11"))
    assert zh == year[:-1] + "（企业认定按年度统计，显示2012年）。"
    en_year = pipeline.sentence(sample, View(2012, lang="en"))
    en = pipeline.sentence(sample, View(2012, lang="en", period="Q3", basis="period"))
    assert en == en_year[:-1] + " (certifications are yearly: 2012 shown)."
    for build in (pipeline.tiers_figure, pipeline.flow_figure, pipeline.district_figure):
        assert build(sample, View(2012, period="M11"))["layout"]["title"]["text"] == "企业认定按年度统计，显示2012年"
        assert build(sample, View(2012, lang="en", period="M11"))["layout"]["title"]["text"] == (
            "Certifications are yearly: 2012 shown"
        )
        assert "title" not in build(sample, View(2012))["layout"]
    heads = [h.to_plotly_json()["props"] for h in pipeline.headlines(sample, View(2012, period="M11"))[:5]]
    assert {h["data-period"] for h in heads} == {"2012"}
    counts = agg.pipeline_counts(sample, 2012)
    assert [float(h["data-value"]) for h in heads] == [float(v) for v in counts]  # the year's counts


# --- other shapes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["monthly", "quarterly"])
def test_a_dataset_without_stations_has_no_seismic_section_in_any_view(shape: str) -> None:
    ds = load_dataset(FIXTURES / shape)
    view = from_query(ds, "?period=2012-Q3&basis=period")
    assert view.in_year
    assert not seismic.SECTION.needs.met(ds)
    assert all(k.indicator != "network_uptime" for k in view_kpis(ds, view))
