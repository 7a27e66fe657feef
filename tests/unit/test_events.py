"""events.csv: the contract (validation), loading, which events concern a chart, the figure helper, and the
charts, slides and exports of the sample and of a fixture of another shape that carry them."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from components.charts import figures
from components.charts.figures import EVENTS_UID, literal, with_events
from components.charts.tables import figure_table
from components.core.i18n import t
from components.core.state import View
from components.exports import view_data as export
from components.sections import graphs, section
from components.sections import other as other_section
from components.sections import seismic as seismic_section
from components.sections.overview import rd_key
from components.sections.slide_plan import plan, slide_figures
from data import schema
from data.events import concerning, event_ids, events_for
from data.library.importing import WorkbookSource, files_of, validate, workbook_bytes, workbook_sheets
from data.library.versions import Library
from data.load import Dataset, DatasetError, Issue, as_source, load_dataset

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
FIXTURES = ROOT / "tests" / "fixtures"
HEADER = ["date", "title_zh", "title_en", "kind", "district", "indicator"]
TRENDS = (
    "patents-trend-graph",
    "patents-share-graph",
    "hightech-trend-graph",
    "pipeline-trend-graph",
    "overview-rd-graph",
)


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def other() -> Dataset:
    return load_dataset(FIXTURES / "other_city")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "dataset"
    shutil.copytree(SAMPLE, root)
    return root


def write_events(root: Path, rows: list[list[str]], header: list[str] = HEADER) -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    (root / "events.csv").write_text(buf.getvalue(), encoding="utf-8")


def issues(root: Path) -> list[Issue]:
    with pytest.raises(DatasetError) as caught:
        load_dataset(root)
    return list(caught.value.issues)


def events_trace(fig: dict[str, Any]) -> dict[str, Any] | None:
    found = [tr for tr in fig["data"] if tr.get("uid") == EVENTS_UID]
    assert len(found) <= 1
    return found[0] if found else None


def without_events(ds: Dataset) -> Dataset:
    """`ds` as if it had no events.csv."""
    return replace(ds, events=ds.events.iloc[0:0], tables={k: v for k, v in ds.tables.items() if k != "events.csv"})


GOOD = ["2012-06-18", "慈城台建成", "Cicheng station completed", "facility", "330205", "network_uptime"]


# --- the contract ----------------------------------------------------------------------------------------


def test_events_is_an_optional_table_of_the_contract() -> None:
    table = schema.TABLES_BY_FILE["events.csv"]
    assert table.names == tuple(HEADER)
    assert table.key == ("date", "title_en")
    assert not table.required
    assert "events.csv" in schema.CONTRACT_FILES
    assert {c.name for c in table.columns if not c.required} == {"district", "indicator"}


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("date", "2012-13-01", "'2012-13-01' is not an ISO date (YYYY-MM-DD)"),
        ("date", "", "is empty (a value is required)"),
        ("title_zh", "", "is empty (a value is required)"),
        ("kind", "", "is empty (a value is required)"),
        ("district", "339999", "'339999' is neither a district nor the city code"),
        ("district", "Beilun", "'Beilun' is not a 6-digit GB/T 2260 code"),
        (
            "indicator",
            "no_such",
            "'no_such' is not an indicator of indicators.csv (nor a pipeline tier or network_uptime)",
        ),
    ],
)
def test_a_bad_cell_names_file_line_column_and_expectation(copy: Path, column: str, value: str, expected: str) -> None:
    bad = list(GOOD)
    bad[HEADER.index(column)] = value
    write_events(copy, [[*GOOD[:1], "另一事件", "Another event", *GOOD[3:]], bad])
    assert issues(copy) == [Issue("events.csv", 3, column, expected)]
    assert str(Issue("events.csv", 3, column, expected)) == f"events.csv:3: column '{column}': {expected}"


def test_a_duplicate_key_names_both_lines(copy: Path) -> None:
    write_events(copy, [GOOD, [*GOOD[:1], "同名", *GOOD[2:]]])
    assert issues(copy) == [
        Issue(
            "events.csv",
            3,
            "title_en",
            "duplicate key (date=2012-06-18, title_en=Cicheng station completed); first on line 2",
        )
    ]


def test_a_missing_column_is_named_on_the_header_line(copy: Path) -> None:
    write_events(copy, [[c for i, c in enumerate(GOOD) if i != 3]], [h for h in HEADER if h != "kind"])
    assert issues(copy) == [Issue("events.csv", 1, "kind", "column is missing from the header")]


def test_free_kinds_the_city_code_and_contract_indicators_are_valid(copy: Path) -> None:
    rows = [
        ["2012-01-05", "培训", "Training", "training", "330200", ""],  # a kind of its own, the city code
        ["2012-01-06", "梯队", "Pipeline", "policy", "", "innovative_national"],  # a tier
        GOOD,
    ]
    write_events(copy, rows)
    for name in ("enterprises.csv", "seismic_stations.csv", "seismic_outages.csv"):  # their features absent
        (copy / name).unlink()
    ds = load_dataset(copy)
    assert list(ds.events["kind"]) == ["training", "policy", "facility"]
    assert ds.tables["events.csv"] == 3


def test_a_malformed_events_file_never_replaces_the_published_data(copy: Path, tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    library.seed(SAMPLE)
    before = library.current()
    write_events(copy, [[*GOOD[:4], "339999", GOOD[5]]])
    ds, problems = validate(as_source(copy))
    assert ds is None
    assert problems == [f"{copy} › events.csv:2 column 'district': '339999' is neither a district nor the city code"]
    files = {n: (copy / n).read_bytes() for n in schema.CONTRACT_FILES if (copy / n).exists()}
    with pytest.raises(DatasetError):
        library.publish(files, source="bad events")
    assert library.current() == before
    assert load_dataset(library.path_of(before)).events.equals(load_dataset(SAMPLE).events)


# --- loading ---------------------------------------------------------------------------------------------


def test_the_sample_events_load_typed_and_in_date_order(sample: Dataset) -> None:
    ev = sample.events
    assert list(ev.columns) == HEADER
    assert str(ev["date"].dtype).startswith("datetime64")
    assert list(ev["date"]) == sorted(ev["date"])
    assert 5 <= len(ev) <= 8
    assert set(ev["kind"]) <= set(schema.EVENT_KINDS)
    assert set(ev["kind"]) == set(schema.EVENT_KINDS)  # each known kind once at least
    assert sample.has("events.csv")


def test_the_station_events_fall_on_their_commissioning_dates(sample: Dataset) -> None:
    stations = sample.stations.set_index("district")["commissioned"]
    for row in sample.event_rows:
        if row["indicator"] == schema.NETWORK_UPTIME and row["district"] is not None:
            assert row["date"] == stations[row["district"]]
            assert sample.stations.set_index("district").loc[row["district"], "kind"] == "comprehensive"


def test_an_absent_events_file_is_an_empty_frame_with_the_columns(copy: Path) -> None:
    (copy / "events.csv").unlink()
    ds = load_dataset(copy)
    assert ds.events.empty
    assert list(ds.events.columns) == HEADER
    assert ds.event_rows == ()
    assert "events.csv" not in ds.tables
    assert events_for(ds, ["tech_enterprises"], general=True).empty


def test_the_minimal_fixture_has_no_events() -> None:
    ds = load_dataset(FIXTURES / "minimal")
    assert ds.events.empty
    assert not (FIXTURES / "minimal" / "events.csv").exists()


def test_an_xlsx_import_takes_an_events_sheet(sample: Dataset) -> None:
    files = {n: (SAMPLE / n).read_bytes() for n in schema.CONTRACT_FILES if (SAMPLE / n).exists()}
    sheets = workbook_sheets(files)
    assert "events" in sheets
    source = WorkbookSource(workbook_bytes(sheets), "sample.xlsx")
    ds, problems = validate(source)
    assert problems == []
    assert ds is not None
    pd.testing.assert_frame_equal(ds.events, sample.events)
    assert "events.csv" in files_of(source)


def test_an_xlsx_events_sheet_with_a_bad_cell_names_the_sheet_and_cell() -> None:
    files = {n: (SAMPLE / n).read_bytes() for n in schema.CONTRACT_FILES if (SAMPLE / n).exists()}
    sheets = workbook_sheets(files)
    sheets["events"][2][4] = "339999"  # row 3 of the sheet, column E (district)
    ds, problems = validate(WorkbookSource(workbook_bytes(sheets), "book.xlsx"))
    assert ds is None
    assert problems == [
        "book.xlsx › sheet events!E3, row 3, column 'district': '339999' is neither a district nor the city code"
    ]


def test_the_import_preview_counts_event_rows(sample: Dataset) -> None:
    from components.server.preview import table_diffs

    diffs = {d.file: d for d in table_diffs(without_events(sample), sample)}
    assert diffs["events.csv"].added == len(sample.events)
    assert diffs["events.csv"].before == 0


def test_check_lists_the_events_file(sample: Dataset) -> None:
    from data.load import summary

    line = next(x for x in summary(sample).splitlines() if "events.csv" in x)
    assert line.split() == ["events.csv", str(len(sample.events))]


# --- which events concern a chart ------------------------------------------------------------------------


def titles(frame: pd.DataFrame) -> list[str]:
    return list(frame["title_en"])


def test_events_for_selects_by_indicator(sample: Dataset) -> None:
    assert len(events_for(sample, ["tech_enterprises"])) == 2
    assert titles(events_for(sample, ["hightech_output", "hightech_share"])) == [
        "Beilun intelligent-equipment base recognised as a national high-tech industrialisation base"
    ]
    assert events_for(sample, ["patent_applications"]).empty
    assert events_for(sample, []).empty


def test_events_without_an_indicator_only_when_general(sample: Dataset) -> None:
    assert events_for(sample, ["rd_intensity"]).empty
    general = events_for(sample, ["rd_intensity"], general=True)
    assert len(general) == 2
    assert general["indicator"].isna().all()


@pytest.mark.parametrize(
    ("districts", "expected"),
    [
        ((), 3),  # the whole city: every station event
        (("330205",), 2),  # Jiangbei: the city's centre and Cicheng
        (("330283", "330205"), 3),
        (("330212",), 1),  # Yinzhou: the city's own event only
    ],
)
def test_events_for_selects_by_district(sample: Dataset, districts: tuple[str, ...], expected: int) -> None:
    assert len(events_for(sample, [schema.NETWORK_UPTIME], districts)) == expected


def test_all_districts_selected_is_the_whole_city(sample: Dataset) -> None:
    every = tuple(sample.district_codes)
    assert titles(events_for(sample, [schema.NETWORK_UPTIME], every)) == titles(
        events_for(sample, [schema.NETWORK_UPTIME])
    )


def test_the_city_code_as_district_concerns_every_selection(other: Dataset) -> None:
    chosen = events_for(other, ["tech_market_turnover"], ("339102",))
    assert titles(chosen) == ["Technology market regulations in force", "Technology broker training"]
    assert len(events_for(other, ["tech_market_turnover"], ("339108",))) == 3


def test_events_for_a_year(sample: Dataset) -> None:
    assert len(events_for(sample, [schema.NETWORK_UPTIME], year=2012)) == 3
    assert events_for(sample, [schema.NETWORK_UPTIME], year=2011).empty


def test_event_ids_identify_the_rows(sample: Dataset) -> None:
    ids_ = event_ids(concerning(sample, ["tech_enterprises"]))
    assert [sample.events.loc[i, "indicator"] for i in ids_] == ["tech_enterprises", "tech_enterprises"]


@pytest.mark.parametrize(
    ("indicators", "general", "year"),
    [
        (["tech_enterprises"], False, None),
        (["rd_intensity"], True, None),
        (None, False, None),
        ([schema.NETWORK_UPTIME], False, 2012),
        ([], False, None),
    ],
)
def test_concerning_rows_are_the_events_of_the_frame(
    sample: Dataset, other: Dataset, indicators: list[str] | None, general: bool, year: int | None
) -> None:
    """The rows a redraw key reads (no DataFrame) are exactly the events events_for frames, in order."""
    for ds in (sample, other):
        for districts in ((), (ds.district_codes[0],), tuple(ds.district_codes[:3])):
            rows = concerning(ds, indicators, districts, general=general, year=year)
            frame = events_for(ds, indicators, districts, general=general, year=year)
            assert event_ids(rows) == tuple(frame["row"])
            assert [r["title_zh"] for r in rows] == list(frame["title_zh"])
    assert concerning(sample, ["rd_intensity"], general=True), "the sample has general events"


# --- the figure helper -----------------------------------------------------------------------------------


def trend() -> dict[str, Any]:
    series = pd.Series([1.0, 2.0, 3.0], index=[2010, 2011, 2012])
    return figures.trend_line(series, "x", "件", "zh", "light")


def frame(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime([r[0] for r in rows]),
            "title_zh": [r[1] for r in rows],
            "title_en": [r[2] for r in rows],
            "kind": [r[3] for r in rows],
        }
    )


TWO = frame(
    ("2012-05-18", "天使投资办法出台", "Angel fund rules", "policy"),
    ("2012-11-20", "基金设立", "Fund set up", "policy"),
)


def test_with_events_adds_one_trace_and_one_hidden_axis() -> None:
    base = trend()
    fig = with_events(base, TWO, "zh", "light")
    assert len(fig["data"]) == len(base["data"]) + 1
    assert fig["data"][: len(base["data"])] == base["data"]
    added = {k: v for k, v in fig["layout"].items() if k not in base["layout"]}
    assert list(added) == ["yaxis2"]
    lane, main = added["yaxis2"], fig["layout"]["yaxis"]
    assert lane["domain"] == [0.9, 1]  # a lane above the plot, clear of the data
    assert main["domain"][1] < lane["domain"][0]
    assert {k: v for k, v in main.items() if k != "domain"} == base["layout"]["yaxis"]
    assert lane["ticktext"] == ["大事记"]
    assert not fig["layout"].get("shapes")
    assert not fig["layout"].get("annotations")
    trace = events_trace(fig)
    assert trace is not None
    assert trace["x"] == [2012]
    assert trace["yaxis"] == "y2"
    assert trace["showlegend"] is False
    assert base == trend()  # the input is not changed


def test_the_hover_lists_every_event_of_the_year_in_the_language() -> None:
    zh = events_trace(with_events(trend(), TWO, "zh", "light"))
    en = events_trace(with_events(trend(), TWO, "en", "light"))
    assert zh
    assert en
    assert zh["hovertext"] == ["2012-05 天使投资办法出台（政策）<br>2012-11 基金设立（政策）"]
    assert en["hovertext"] == ["2012-05 Angel fund rules (policy)<br>2012-11 Fund set up (policy)"]
    assert "text" not in zh  # the lane is labelled, the markers carry their titles on hover
    assert en["hovertemplate"] == "%{hovertext}<extra>Events</extra>"
    assert zh["marker"]["symbol"] == ["diamond"]


def test_one_marker_per_year_shown_and_none_off_the_axis() -> None:
    events = frame(
        ("2010-03-01", "甲", "A", "award"),
        ("2012-01-01", "乙", "B", "facility"),
        ("2012-02-01", "丙", "C", "award"),
        ("2015-01-01", "丁", "D", "policy"),  # not a year of the chart
    )
    trace = events_trace(with_events(trend(), events, "en", "light"))
    assert trace is not None
    assert trace["x"] == [2010, 2012]
    assert trace["marker"]["symbol"] == ["star", "circle"]  # a year of mixed kinds is drawn like "other"


def test_an_unknown_kind_is_drawn_like_other_and_has_no_tag() -> None:
    trace = events_trace(with_events(trend(), frame(("2011-04-01", "培训", "Training", "training")), "zh", "dark"))
    assert trace is not None
    assert trace["marker"]["symbol"] == ["circle"]
    assert trace["hovertext"] == ["2011-04 培训"]


def test_a_hostile_title_reaches_plotly_escaped() -> None:
    hostile = '<a href="x">基金</a> & %{x}'
    trace = events_trace(with_events(trend(), frame(("2012-01-01", hostile, hostile, "policy")), "en", "light"))
    assert trace is not None
    assert trace["hovertext"] == [f"2012-01 {literal(hostile)} (policy)"]
    assert "<a" not in trace["hovertext"][0]
    assert "%{x}" not in trace["hovertext"][0]


def test_many_events_in_a_year_are_counted_beyond_the_hover_limit() -> None:
    many = frame(*[(f"2012-01-{d:02d}", f"事件{d}", f"Event {d}", "other") for d in range(1, 12)])
    trace = events_trace(with_events(trend(), many, "en", "light"))
    assert trace is not None
    lines = trace["hovertext"][0].split("<br>")
    assert len(lines) == figures.EVENT_LINES + 1
    assert lines[-1] == t("events_more", "en", n=11 - figures.EVENT_LINES)


def test_every_known_kind_has_a_marker_and_a_name_in_both_languages() -> None:
    assert set(figures.EVENT_STYLE) == set(schema.EVENT_KINDS) == set(figures.EVENT_KIND_KEYS)
    names = {lang: [figures.event_kind_name(k, lang) for k in schema.EVENT_KINDS] for lang in ("zh", "en")}
    assert names == {"zh": ["政策", "设施", "奖项", "认定", "其他"], "en": list(schema.EVENT_KINDS)}
    assert figures.event_kind_name("training", "zh") == "training"
    assert len({s for s, _ in figures.EVENT_STYLE.values()}) == len(figures.EVENT_STYLE)  # one symbol each


def test_no_events_no_data_no_change() -> None:
    base = trend()
    assert with_events(base, TWO.iloc[0:0], "zh", "light") is base
    empty = figures.empty_figure("nothing")
    assert with_events(empty, TWO, "zh", "light") is empty


def test_events_by_month_on_a_chart_of_months() -> None:
    z = pd.DataFrame([[1.0] * 12], index=["NB01"], columns=list(range(1, 13)))
    heat = seismic_section.uptime_heatmap(z, ["台"], "zh", "light")
    trace = events_trace(with_events(heat, TWO, "zh", "light", months=True))
    assert trace is not None
    assert trace["x"] == ["5月", "11月"]
    lane = with_events(heat, TWO, "zh", "light", months=True)["layout"]["yaxis2"]
    assert lane["domain"] == [0.9, 1]
    names = [f"台{i}" for i in range(40)]
    many = seismic_section.uptime_heatmap(
        pd.DataFrame([[1.0] * 12] * 40, index=names, columns=list(range(1, 13))), names, "en", "light"
    )
    lane = with_events(many, TWO, "en", "light", months=True)["layout"]["yaxis2"]
    assert lane["domain"][1] - lane["domain"][0] == pytest.approx(1 / 41)  # no taller than a station's row


def test_the_events_trace_is_left_out_of_chart_tables() -> None:
    base = trend()
    assert figure_table(with_events(base, TWO, "zh", "light"), "zh") == figure_table(base, "zh")


# --- the sample's charts ---------------------------------------------------------------------------------


def figure(ds: Dataset, gid: str, view: View) -> dict[str, Any]:
    found = {g.id: g for _, g in graphs(ds)}
    return found[gid].figure(ds, view)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sample_events_are_on_the_charts_they_concern(sample: Dataset, lang: str) -> None:
    view = View(2012, (), lang)
    shown = {gid: events_trace(figure(sample, gid, view)) for gid in (*TRENDS, "seismic-heatmap-graph")}
    assert shown["patents-trend-graph"] is None
    assert shown["patents-share-graph"] is None
    pipeline, hightech, rd, seismic = (
        shown[i] for i in ("pipeline-trend-graph", "hightech-trend-graph", "overview-rd-graph", "seismic-heatmap-graph")
    )
    assert pipeline
    assert hightech
    assert rd
    assert seismic
    assert pipeline["hovertext"][0].count("<br>2012-") == 1  # two events (long titles are wrapped)
    assert pipeline["x"] == [2012]
    angel = "天使投资" if lang == "zh" else "angel-investment"
    assert angel in pipeline["hovertext"][0]
    assert ("北仑" if lang == "zh" else "Beilun") in hightech["hovertext"][0]
    assert rd["hovertext"][0].count("<br>2012-") == 1  # the two general events
    assert seismic["x"] == [t("month_short", lang, m=m) for m in (3, 6, 9)]


def test_a_district_event_follows_the_selection(sample: Dataset) -> None:
    assert events_trace(figure(sample, "hightech-trend-graph", View(2012, ("330206",))))
    assert events_trace(figure(sample, "hightech-trend-graph", View(2012, ("330205",)))) is None
    seismic = events_trace(figure(sample, "seismic-heatmap-graph", View(2012, ("330205",))))
    assert seismic is not None
    assert seismic["x"] == ["3月", "6月"]


def test_the_month_chart_shows_its_year_only(sample: Dataset) -> None:
    assert events_trace(figure(sample, "seismic-heatmap-graph", View(2011))) is None


def test_the_overview_key_covers_its_events() -> None:
    """A redraw key that ignored the events would leave a district's event on the chart of another."""
    ds = load_dataset(FIXTURES / "other_city")
    a, b = View(2018, ("339102",)), View(2018, ("339108",))
    assert rd_key(ds, a) == rd_key(ds, b)  # no district event on the overview: the same chart
    events = ds.events.copy()
    events.loc[events["title_en"] == "Innovation conference", "district"] = "339108"
    moved = replace(ds, events=events)
    assert rd_key(moved, a) != rd_key(moved, b)


def test_without_events_the_figures_are_todays(sample: Dataset) -> None:
    """Without events.csv every chart is exactly what it was before events existed: with events, the trend
    charts differ by the events trace and its axis only, and every other chart not at all."""
    bare = without_events(sample)
    view = View(2012, (), "en")
    changed = []
    for _, g in graphs(sample):
        with_ev, without = g.figure(sample, view), g.figure(bare, view)
        assert events_trace(without) is None, g.id
        if events_trace(with_ev) is None:
            assert json.dumps(with_ev, sort_keys=True) == json.dumps(without, sort_keys=True), g.id
            continue
        changed.append(g.id)
        axis = f"yaxis{events_trace(with_ev)['yaxis'][1:]}"  # type: ignore[index]
        stripped = {
            "data": [tr for tr in with_ev["data"] if tr.get("uid") != EVENTS_UID],
            "layout": {
                **{k: v for k, v in with_ev["layout"].items() if k not in (axis, "yaxis")},
                "yaxis": {k: v for k, v in with_ev["layout"]["yaxis"].items() if k != "domain"},
            },
        }
        assert json.dumps(stripped, sort_keys=True) == json.dumps(without, sort_keys=True), g.id
    assert sorted(changed) == sorted(
        ["hightech-trend-graph", "pipeline-trend-graph", "overview-rd-graph", "seismic-heatmap-graph"]
    )


def test_the_export_lists_the_views_events(sample: Dataset) -> None:
    sheets = export.view_tables(sample, View(2012, ("330205",), "en"))
    table = next(tb for tb in sheets[0].tables if tb.title == "Events")
    assert table.columns == ["Date", "Event", "Kind", "District", "Indicator"]
    assert ["2012-06-18", "Cicheng (Jiangbei) comprehensive seismic station completed", "facility", "Jiangbei",
            "Seismic network uptime"] in table.rows  # fmt: skip
    assert not [r for r in table.rows if "Beilun" in str(r[1])]  # another district's event
    assert all(tb.title != "Events" for tb in export.view_tables(without_events(sample), View(2012))[0].tables)


# --- slides ----------------------------------------------------------------------------------------------


def test_slides_and_presentation_carry_the_events(sample: Dataset) -> None:
    view = View(2012, (), "zh", "projector")
    planned = plan(sample, view)
    carried = {g.id for p in planned for g, fig in zip(p.slide.graphs, p.figures, strict=True) if events_trace(fig)}
    assert {"pipeline-trend-graph", "hightech-trend-graph", "seismic-heatmap-graph"} <= carried
    pipeline = next(s for s in sample_slides(sample) if s.section == "pipeline")
    figs = slide_figures(sample, view, pipeline)
    trace = next(events_trace(f) for f in figs if events_trace(f))
    assert trace is not None
    lane = next(f for f in figs if events_trace(f))["layout"][f"yaxis{trace['yaxis'][1:]}"]
    assert lane["tickfont"]["size"] == 18  # the projector's type, 2 px smaller


def sample_slides(ds: Dataset) -> list[Any]:
    from components.sections import slides

    return slides(ds)


# --- a fixture of another shape --------------------------------------------------------------------------


def test_the_other_city_shows_events_on_its_own_indicator(other: Dataset) -> None:
    gid = other_section.graph_id("tech_market_turnover", "trend")
    view = View(2018, (), "zh")
    trace = events_trace(section("other").compute(other, view, [gid])[gid])
    assert trace is not None
    assert trace["x"] == [2015, 2016]
    assert trace["hovertext"][1] == "2016-09 滨江技术交易中心启用（设施）<br>2016-09 技术经纪人培训"
    assert trace["marker"]["symbol"] == ["diamond", "circle"]  # 2016: a facility and a kind of its own
    patents = events_trace(figure(other, "patents-trend-graph", view))
    assert patents is not None
    assert patents["x"] == [2017]
    rd = events_trace(figure(other, "overview-rd-graph", view))
    assert rd is not None
    assert rd["x"] == [2018]
    narrow = events_trace(section("other").compute(other, View(2018, ("339102",)), [gid])[gid])
    assert narrow is not None
    assert narrow["hovertext"][1] == "2016-09 技术经纪人培训"
