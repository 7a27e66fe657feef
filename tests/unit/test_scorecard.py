"""The assessment scorecard (考核), statuses and warnings: pure functions called directly, on several shapes."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from components.charts.grid import grid_table
from components.charts.kpis import kpi_card, kpi_model, kpi_models, plan_status
from components.core.state import View
from components.sections import overview, present, scorecard, slides
from components.sections.slide_plan import plan
from components.server.settings import Settings
from data import aggregate as agg
from data import plans
from data.load import Dataset, load_dataset
from data.rules import AT_RISK, MISSED, ON_TRACK, Thresholds

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ATTRS = ("data-district", "data-indicator", "data-target", "data-actual", "data-completion", "data-rank", "data-status")


SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def codes_of(ds: Dataset) -> list[str]:
    return list(ds.district_codes)


def _load(name: str) -> Dataset:
    return load_dataset(FIXTURES / name)


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def _cells(component) -> list:
    return [c for c in _walk(component) if getattr(c, "_type", "") == "Td" and "data-indicator" in _props(c)]


def _json(o):
    return o.to_plotly_json()


def _props(c) -> dict:
    return c.to_plotly_json()["props"]


# ---------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("completion", "higher", "expected"),
    [
        (1.0, True, ON_TRACK),
        (1.2, True, ON_TRACK),
        (0.9999, True, AT_RISK),
        (0.9, True, AT_RISK),
        (0.8999, True, MISSED),
        (1.0, False, ON_TRACK),
        (0.7, False, ON_TRACK),
        (1.05, False, AT_RISK),
        (1.1, False, AT_RISK),
        (1.1001, False, MISSED),
        (None, True, None),
    ],
)
def test_status_by_thresholds(completion, higher, expected):
    assert Thresholds().status(completion, higher) == expected


def test_thresholds_are_settings():
    s = Settings.from_env({"STI_STATUS_ON_TRACK": "95", "STI_STATUS_AT_RISK": "80", "STI_STATUS_DECLINE": "5"})
    assert s.thresholds == Thresholds(0.95, 0.8, 0.05)
    assert s.thresholds.status(0.96) == ON_TRACK
    assert s.thresholds.status(0.85) == AT_RISK
    assert Settings.from_env({}).thresholds == Thresholds(1.0, 0.9, 0.0)


def test_thresholds_in_the_wrong_order_are_refused():
    with pytest.raises(ValueError, match="STI_STATUS_AT_RISK"):
        Settings.from_env({"STI_STATUS_ON_TRACK": "90", "STI_STATUS_AT_RISK": "95"})


@pytest.mark.parametrize(
    ("change", "points", "higher", "decline", "expected"),
    [
        (-0.01, False, True, 0.0, True),
        (0.0, False, True, 0.0, False),
        (-0.04, False, True, 0.05, False),
        (-0.06, False, True, 0.05, True),
        (-3.0, True, True, 0.05, False),  # 3 points: within 5 points
        (-6.0, True, True, 0.05, True),
        (0.02, False, False, 0.0, True),  # a lower-is-better indicator rising
        (None, False, True, 0.0, False),
    ],
)
def test_declining(change, points, higher, decline, expected):
    assert Thresholds(decline=decline).declining(change, points, higher) is expected


# ---------------------------------------------------------------- the scorecard's numbers


@pytest.fixture(scope="module")
def card(sample: Dataset) -> pd.DataFrame:
    return agg.scorecard(sample, 2012)


def test_sample_assesses_four_indicators_in_eleven_districts(sample: Dataset, card: pd.DataFrame):
    assert agg.assessed(sample, 2012) == [
        "patent_applications",
        "invention_grants",
        "hightech_output",
        "hightech_share",
    ]
    assert list(dict.fromkeys(card["district"])) == sample.district_codes
    assert len(card) == 44


def test_completion_is_actual_over_target(sample: Dataset, card: pd.DataFrame):
    targets = pd.read_csv(sample.origin + "/targets.csv", dtype={"district": str})
    for row in card.itertuples():
        goal = targets[(targets.indicator == row.indicator) & (targets.district == row.district)]["target"].item()
        assert row.target == pytest.approx(goal)
        assert row.completion == pytest.approx(row.actual / goal)


def test_actual_of_a_ratio_is_the_districts_own_ratio(sample: Dataset, card: pd.DataFrame):
    obs = pd.read_csv(sample.origin + "/observations.csv", dtype={"district": str})
    for row in card[card["indicator"] == "hightech_share"].itertuples():
        annual = obs[obs["period"].isna()]  # the years' own rows (the months add up to them)
        mine = annual[(annual.district == row.district) & (annual.year == 2012)].set_index("indicator")["value"]
        assert row.actual == pytest.approx(mine["hightech_output"] / mine["industrial_output"] * 100)


def test_rank_follows_the_completions(card: pd.DataFrame):
    for _, part in card.groupby("indicator"):
        done = list(part["completion"])
        for row in part.itertuples():
            assert row.rank == 1 + sum(c > row.completion for c in done)
        assert sorted(part["rank"]) == list(range(1, len(part) + 1))  # no ties in the sample


def test_status_of_each_row(card: pd.DataFrame):
    for row in card.itertuples():
        assert row.status == Thresholds().status(row.completion)
    assert set(card["status"]) == {ON_TRACK, AT_RISK, MISSED}
    missed = card[card["status"] == MISSED]
    assert list(zip(missed["district"], missed["indicator"], strict=True)) == [("330206", "invention_grants")]


def test_totals_sum_the_districts_beside_a_later_city_plan(tmp_path: Path):
    """A city plan target for 2015 does not hide 2012's sum of the district targets (the report's situation)."""
    out = tmp_path / "plan"
    shutil.copytree(SAMPLE, out)
    with (out / "targets.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("patent_applications,330200,2015,90000\n")
    ds = load_dataset(out)
    apps = agg.scorecard_totals(ds, 2012).set_index("indicator").loc["patent_applications"]
    assert apps["target"] == 73200
    assert apps["completion"] == pytest.approx(73647 / 73200)


def test_a_district_without_a_value_leaves_the_city_total_open(tmp_path: Path):
    out = tmp_path / "gap"
    shutil.copytree(SAMPLE, out)
    rows = (out / "observations.csv").read_text(encoding="utf-8").splitlines()
    kept = [r for r in rows if not r.startswith("patent_applications,330203,2012,")]
    (out / "observations.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    ds = load_dataset(out)
    apps = agg.scorecard_totals(ds, 2012).set_index("indicator").loc["patent_applications"]
    assert apps["completion"] is None
    assert apps["status"] is None
    haishu = agg.scorecard(ds, 2012).set_index(["district", "indicator"]).loc[("330203", "patent_applications")]
    assert haishu["actual"] is None
    assert haishu["rank"] is None
    assert haishu["status"] is None


def test_totals_are_the_city(sample: Dataset, card: pd.DataFrame):
    totals = agg.scorecard_totals(sample, 2012).set_index("indicator")
    apps = totals.loc["patent_applications"]
    assert apps["actual"] == 73647
    assert apps["target"] == pytest.approx(card[card.indicator == "patent_applications"]["target"].sum())
    assert totals.loc["hightech_share", "target"] == 30.0  # the city's own target row
    assert totals.loc["hightech_share", "actual"] == pytest.approx(28.7, abs=0.005)
    assert totals.loc["hightech_share", "completion"] == pytest.approx(totals.loc["hightech_share", "actual"] / 30)


def test_stricter_thresholds_change_the_statuses(sample: Dataset):
    strict = replace(sample, thresholds=Thresholds(1.0, 0.99))
    assert (agg.scorecard(strict, 2012)["status"] == MISSED).sum() > 1


def test_a_year_without_targets_is_empty(sample: Dataset):
    assert agg.scorecard(sample, 2011).empty
    assert list(agg.scorecard(sample, 2011).columns) == list(agg.SCORECARD_COLUMNS)


def _lower_is_better(tmp_path: Path) -> Dataset:
    """The minimal fixture with a lower-is-better indicator assessed in three districts."""
    out = tmp_path / "lower"
    shutil.copytree(FIXTURES / "minimal", out)
    codes = [r["code"] for r in csv.DictReader((out / "districts.csv").open(encoding="utf-8"))][:3]
    with (out / "indicators.csv").open("a", encoding="utf-8", newline="") as f:
        f.write("outage_hours,seismic,台站中断时长,Station outage hours,小时,hours,sum,,,,false\n")
    obs = list(csv.DictReader((out / "observations.csv").open(encoding="utf-8")))
    year = obs[0]["year"]
    with (out / "observations.csv").open("a", encoding="utf-8", newline="") as f:
        for code, v in zip(codes, (80, 105, 130), strict=True):
            f.write(f"outage_hours,{code},{year},{v}\n")
    with (out / "targets.csv").open("w", encoding="utf-8", newline="") as f:
        f.write("indicator,district,year,target\n")
        for code in codes:
            f.write(f"outage_hours,{code},{year},100\n")
    return load_dataset(out)


def test_lower_is_better_ranks_and_judges_the_other_way(tmp_path: Path):
    ds = _lower_is_better(tmp_path)
    frame = agg.scorecard(ds, ds.years[-1])
    assert list(frame["completion"]) == [0.8, 1.05, 1.3]
    assert list(frame["rank"]) == [1, 2, 3]
    assert list(frame["status"]) == [ON_TRACK, AT_RISK, MISSED]
    view = View(ds.years[-1], (), "zh")
    assert scorecard.risk_sentence(ds, view) == "南区台站中断时长为目标的110%以上。"
    grid = scorecard.scorecard_grid(ds, view)
    assert grid.columns[0].note == "越低越好：≤100%达标，≤110%预警"  # the column's own bands under its heading
    card = kpi_model(ds, "outage_hours", ds.years[-1], (codes_of(ds)[1],), "zh")
    assert card.status == AT_RISK
    assert card.status_text == "预警：为目标的105.0%，超过100%"


# ---------------------------------------------------------------- the table


def test_every_cell_carries_the_contract_attributes(sample: Dataset, card: pd.DataFrame):
    table = scorecard.table_block(sample, View(2012, (), "zh"))[0]
    tables = [c for c in _walk(table) if getattr(c, "_type", "") == "Table"]
    assert [_props(t)["id"] for t in tables] == ["scorecard"]
    cells = [_props(c) for c in _cells(table) if "data-district" in _props(c)]
    assert len(cells) == 44
    for cell in cells:
        assert all(a in cell for a in ATTRS)
    by_pair = {(c["data-district"], c["data-indicator"]): c for c in cells}
    for row in card.itertuples():
        cell = by_pair[(row.district, row.indicator)]
        assert float(cell["data-completion"]) == pytest.approx(row.completion)
        assert float(cell["data-actual"]) == pytest.approx(row.actual)
        assert float(cell["data-target"]) == pytest.approx(row.target)
        assert int(cell["data-rank"]) == row.rank
        assert cell["data-status"] == row.status


def test_cells_show_icon_words_and_numbers(sample: Dataset):
    grid = scorecard.scorecard_grid(sample, View(2012, (), "zh"))
    beilun = next(r for r in grid.rows if r.key == "330206")
    cell = beilun.cells[1]
    assert (cell.status, cell.status_text, cell.text) == (MISSED, "未达标", "87.0%")
    assert cell.sub == "实际 200件 / 目标 230件 · 第11名"
    en = scorecard.scorecard_grid(sample, View(2012, (), "en"))
    cell = next(r for r in en.rows if r.key == "330206").cells[1]
    assert (cell.status_text, cell.sub) == ("Missed", "200 of 230 · rank 11")
    assert en.columns[2].unit == " (CNY bn)"  # as the cells are written: 'CNY 42.8 bn of CNY 42.9 bn'
    assert en.rows[3].cells[2].sub.startswith("CNY 42.8 bn of CNY 42.9 bn")
    assert [r.label for r in en.rows][:2] == ["Haishu", "Jiangdong"]


def test_row_links_open_the_district_view(sample: Dataset):
    grid = scorecard.scorecard_grid(sample, View(2012, ("330212",), "en", "dark"))
    row = next(r for r in grid.rows if r.key == "330212")
    assert row.href == "?year=2012&district=330212&lang=en&theme=dark"
    assert row.selected
    assert not any(r.selected for r in grid.rows if r.key != "330212")
    html = json.dumps(grid_table(grid).to_plotly_json(), default=_json, ensure_ascii=False)
    assert '"href": "?year=2012&district=330212&lang=en&theme=dark"' in html
    assert '"data-sort": "patent_applications"' in html
    still = json.dumps(
        grid_table(grid, interactive=False).to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False
    )
    assert '"data-open": "330212"' in html  # the row's link: not a contract cell
    assert "data-sort" not in still
    assert "href" not in still


def test_summary_column_counts_what_is_on_track(sample: Dataset, card: pd.DataFrame):
    grid = scorecard.scorecard_grid(sample, View(2012, (), "zh"))
    for row in grid.rows:
        met = int((card[card.district == row.key]["status"] == ON_TRACK).sum())
        assert row.summary == f"{met}/4"
    assert grid.total is not None
    assert grid.total.label == "全市"
    assert [c.attrs["data-scope"] for c in grid.total.cells] == ["city"] * 4
    assert all("data-district" not in c.attrs and "data-indicator" not in c.attrs for c in grid.total.cells)
    assert float(grid.total.cells[0].attrs["data-total-completion"]) == pytest.approx(73647 / 73200)


# ---------------------------------------------------------------- sentences


def test_sentence_counts_and_names_the_missed(sample: Dataset, card: pd.DataFrame):
    counts = card["status"].value_counts()
    zh = scorecard.sentence(sample, View(2012, (), "zh"))
    assert zh.startswith(
        f"2012年11个区县（市）4项考核指标：达标{counts[ON_TRACK]}项、预警{counts[AT_RISK]}项、未达标{counts[MISSED]}项。"
    )
    assert zh.endswith("北仑区授权发明专利完成率低于90%。")
    en = scorecard.sentence(sample, View(2012, (), "en"))
    assert en.endswith("Invention patents granted: Beilun below 90% of target.")


def test_overview_sentence_names_the_districts_that_missed(sample: Dataset):
    assert overview.sentence(sample, View(2012, (), "zh")).endswith("北仑区授权发明专利完成率低于90%。")
    assert "Beilun below 90%" in overview.sentence(sample, View(2012, (), "en"))
    assert "低于90%" not in overview.sentence(sample, View(2012, ("330212",), "zh"))  # Yinzhou missed nothing
    assert "低于90%" not in overview.sentence(sample, View(2011, (), "zh"))


def test_many_districts_are_named_with_a_count(sample: Dataset):
    strict = replace(sample, thresholds=Thresholds(1.0, 0.99))
    text = scorecard.risk_sentence(strict, View(2012, (), "zh"))
    assert "等" in text
    assert "个区县" in text


# ---------------------------------------------------------------- KPI warnings


def test_kpi_cards_carry_their_status(sample: Dataset):
    cards = {k.indicator: k for k in kpi_models(sample, 2012, (), "zh")}
    assert cards["patent_applications"].status == ON_TRACK
    assert cards["hightech_share"].status == AT_RISK
    assert cards["hightech_share"].status_text == "预警：完成率95.7%，低于100%"
    assert cards["patent_grants"].status == ""  # no target, a rising 同比
    assert cards["network_uptime"].status == ON_TRACK
    props = _props(kpi_card(cards["hightech_share"]))
    assert props["data-status"] == AT_RISK
    assert "kpi-at_risk" in props["className"]
    texts = json.dumps(
        kpi_card(cards["hightech_share"]).to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False
    )
    assert "⚠" in texts
    assert "预警" in texts


def test_a_district_missing_its_target_is_missed_on_its_card(sample: Dataset):
    card = kpi_model(sample, "invention_grants", 2012, ("330206",), "en")
    assert card.status == MISSED
    assert card.status_text == "Missed: 87.0% of target, below 90%"


def test_a_plan_target_is_judged_by_the_pace_so_far(sample: Dataset):
    rd = kpi_model(sample, "rd_intensity", 2012, (), "zh")
    # 1.58 (2008) -> 1.95 (2012): 0.0925 points a year reach 2.2275% by 2015, short of 2.5%
    assert plans.trajectory(sample, "rd_intensity").projected == pytest.approx(2.2275)
    assert rd.status == AT_RISK
    assert rd.status_text == "预警：按近年增速难以如期实现目标"
    reading = agg.reading(sample, "rd_intensity", 2012)
    info = agg.indicator_info(sample, "rd_intensity")
    assert plan_status(sample, reading, info, (2.2, 2015), ()) == ON_TRACK  # within reach at that pace
    assert plan_status(sample, reading, info, (1.9, 2015), ()) == ON_TRACK  # met already
    early = agg.reading(sample, "rd_intensity", 2008)  # one year: no pace yet
    assert plan_status(sample, early, info, (2.5, 2015), ()) is None


def test_a_falling_kpi_without_target_warns(sample: Dataset, tmp_path: Path):
    """Patent grants 2012 set 3% below 2011 (no target): at risk by default, not with a 5% tolerance."""
    out = tmp_path / "fall"
    shutil.copytree(SAMPLE, out)
    before = agg.by_district(sample, "patent_grants", 2011).set_index("district")["value"]
    lines = []
    for line in (out / "observations.csv").read_text(encoding="utf-8").splitlines():
        ind, code, year, _, period, _ = line.split(",")
        if ind == "patent_grants" and year == "2012" and not period:  # the year's row: authoritative
            line = f"{ind},{code},{year},{round(before[code] * 0.97)},,"
        lines.append(line)
    (out / "observations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_dataset(out)
    assert agg.reading(ds, "patent_grants", 2012).change == pytest.approx(-0.03, abs=0.001)
    card = kpi_model(ds, "patent_grants", 2012, (), "zh")
    assert card.status == AT_RISK
    assert card.status_text.startswith("预警：同比-3.0")
    assert "data-status" in _props(kpi_card(card))
    tolerant = replace(ds, thresholds=Thresholds(decline=0.05))
    assert kpi_model(tolerant, "patent_grants", 2012, (), "zh").status == ""
    assert kpi_model(sample, "patent_grants", 2012, (), "zh").status == ""  # it rose: no warning


def test_uptime_below_its_objective_warns(sample: Dataset):
    card = kpi_model(sample, "network_uptime", 2010, (), "en")
    assert card.value is not None
    assert card.value < 99.9
    assert card.status == AT_RISK
    assert card.status_text == "At risk: below the 99.9% uptime objective"


# ---------------------------------------------------------------- slides and other shapes


def test_the_scorecard_has_its_own_slide_with_the_table(sample: Dataset):
    planned = plan(sample, View(2012, (), "zh"))
    mine = [p for p in planned if p.slide.key == "scorecard"]
    assert len(mine) == 1
    assert mine[0].table is not None
    assert not mine[0].figures
    assert len(mine[0].table.rows) == 11
    assert all(p.slide.key != "scorecard" for p in plan(sample, View(2011, (), "zh")))  # no targets: no slide
    assert mine[0].sentence == scorecard.sentence(sample, View(2012, (), "zh"))


@pytest.mark.parametrize("name", ["minimal", "large"])
def test_the_scorecard_steps_aside_without_district_targets(name: str):
    ds = _load(name)
    assert scorecard.SECTION not in present(ds)
    assert all(s.key != "scorecard" for s in slides(ds))
    view = View(ds.years[-1], (), "zh")
    assert scorecard.risk_sentence(ds, view) == ""
    assert "完成率" not in overview.sentence(ds, view)


def test_minimal_has_no_statuses():
    """No targets: no card has a status from a completion (only a falling 同比 could warn)."""
    ds = _load("minimal")
    cards = kpi_models(ds, ds.years[-1], (), "zh")
    assert cards
    assert all(not k.target_text and k.completion is None for k in cards)
    for k in cards:
        r = agg.reading(ds, k.indicator, ds.years[-1])
        assert k.status == (AT_RISK if r.change is not None and r.change < 0 else "")


def test_another_city_is_scored_on_its_own_targets():
    ds = _load("other_city")
    assert scorecard.SECTION in present(ds)
    assert agg.assessed(ds, 2018) == ["patent_applications"]
    frame = agg.scorecard(ds, 2018)
    assert len(frame) == 13
    for row in frame.itertuples():
        assert row.completion == pytest.approx(row.actual / row.target)
    grid = scorecard.scorecard_grid(ds, View(2018, (), "zh"))
    assert len(grid.rows) == 13
    assert len(grid.columns) == 1
    assert scorecard.table_block(ds, View(2017, (), "zh"))[0].children == "2017年没有区县考核目标。"


def test_the_export_has_the_scorecard_as_numbers(sample: Dataset, card: pd.DataFrame):
    from components.exports.view_data import view_tables

    sheets = {s.name: s for s in view_tables(sample, View(2012, (), "zh"))}
    table = sheets["目标考核"].tables[0]
    assert table.columns == ["区县（市）", "指标", "单位", "目标", "实际", "完成率", "排名", "状态"]
    assert len(table.rows) == 44
    first = table.rows[0]
    assert first[:3] == ["海曙区", "专利申请量", "件"]
    assert first[5] == pytest.approx(first[4] / first[3])
    assert first[6] == card.iloc[0]["rank"]
    assert {r[7] for r in table.rows} == {"达标", "预警", "未达标"}
    en = {s.name: s for s in view_tables(sample, View(2012, (), "en"))}["Assessment"].tables[0]
    assert en.rows[0][:2] == ["Haishu", "Patent applications"]
