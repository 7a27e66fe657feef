"""The 考核 scorecard in-year: each district's year to date against its annual target and 序时进度.

Expected numbers come from the fixtures' CSV files through the csv module (no code shared with data/): a flow
published per month is the sum of its months (the annual row, where there is one, for a whole year); a flow
published as 1–N月累计 is the row ending in month N; a ratio is the ratio of the year-to-date sums of its parts;
a level is its last row ending no later than the period. Completion = that value ÷ the annual target; 序时进度 =
the months elapsed ÷ 12; a flow's status is the default thresholds (≥ 100% on track, ≥ 90% at risk) applied to
completion ÷ 序时进度, a level's or a ratio's to completion; rank 1 = the best completion among the districts.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from components.core.state import View, from_query
from components.exports.deck import grid_rows
from components.exports.view_data import view_tables
from components.sections import scorecard
from data import aggregate as agg
from data.load import Dataset, load_dataset
from data.periods import ViewPeriod

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MONTHLY = FIXTURES / "monthly"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
ATTRS = ("data-district", "data-indicator", "data-target", "data-actual", "data-completion", "data-rank", "data-status")


# ---------------------------------------------------------------- the oracle (csv module only)


def rows_of(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def codes_of(folder: Path) -> list[str]:
    return [r["code"] for r in rows_of(folder, "districts.csv")]


def targets_of(folder: Path, indicator: str, year: int) -> dict[str, float]:
    return {
        r["district"]: float(r["target"])
        for r in rows_of(folder, "targets.csv")
        if r["indicator"] == indicator and r["year"] == str(year)
    }


def month_sum(folder: Path, indicator: str, district: str, year: int, last: int) -> float | None:
    """A flow published per month: the sum of months 1..last (None when one of them is missing)."""
    found = {
        r["period"]: float(r["value"])
        for r in rows_of(folder, "observations.csv")
        if (r["indicator"], r["district"], r["year"]) == (indicator, district, str(year))
    }
    months = [found.get(f"M{m:02d}") for m in range(1, last + 1)]
    return None if any(v is None for v in months) else sum(v for v in months if v is not None)


def annual_row(folder: Path, indicator: str, district: str, year: int) -> float:
    return next(
        float(r["value"])
        for r in rows_of(folder, "observations.csv")
        if (r["indicator"], r["district"], r["year"], r["period"]) == (indicator, district, str(year), "")
    )


def cumulative_row(folder: Path, indicator: str, district: str, year: int, code: str) -> float | None:
    """A flow published as 1–N月累计 (or 1–N季累计): the row with that period code."""
    for r in rows_of(folder, "observations.csv"):
        if (r["indicator"], r["district"], r["year"], r["period"]) == (indicator, district, str(year), code):
            return float(r["value"])
    return None


def last_month(code: str) -> int:
    """The month a period code ends: 'M10' -> 10, 'Q3' -> 9, 'M01-M02' -> 2."""
    end = code.split("-")[-1]
    return int(end[1:]) * 3 if end.startswith("Q") else int(end[1:])


def level_at(folder: Path, indicator: str, district: str, year: int, last: int) -> tuple[float, int] | None:
    """A level: (value, month) of its last row ending no later than `last`."""
    found = [
        (last_month(r["period"]), float(r["value"]))
        for r in rows_of(folder, "observations.csv")
        if (r["indicator"], r["district"], r["year"]) == (indicator, district, str(year))
        and r["period"]
        and last_month(r["period"]) <= last
    ]
    if not found:
        return None
    month, value = max(found)
    return value, month


def status_of(ratio: float | None) -> str | None:
    if ratio is None:
        return None
    return "on_track" if ratio >= 1 else "at_risk" if ratio >= 0.9 else "missed"


def ranks_of(done: dict[str, float | None]) -> dict[str, int | None]:
    return {d: None if c is None else 1 + sum(o is not None and o > c for o in done.values()) for d, c in done.items()}


def expect_flow(folder: Path, indicator: str, year: int, last: int, value_of) -> dict[str, dict]:
    """district -> expected target, actual, completion, schedule, status, rank for a paced flow."""
    goals = targets_of(folder, indicator, year)
    schedule = last / 12
    actual = {d: value_of(d) for d in goals}
    done = {d: None if actual[d] is None else actual[d] / goals[d] for d in goals}
    ranks = ranks_of(done)
    return {
        d: {
            "target": goals[d],
            "actual": actual[d],
            "completion": done[d],
            "schedule": schedule,
            "status": status_of(None if done[d] is None else done[d] / schedule),
            "rank": ranks[d],
        }
        for d in goals
    }


# ---------------------------------------------------------------- helpers


def _cells(ds: Dataset, view: View) -> dict[tuple[str, str], dict[str, str]]:
    grid = scorecard.scorecard_grid(ds, view)
    assert grid is not None
    return {(c.attrs["data-district"], c.attrs["data-indicator"]): dict(c.attrs) for r in grid.rows for c in r.cells}


def _copy(src: Path, tmp_path: Path, targets: list[str]) -> Path:
    out = tmp_path / src.name
    shutil.copytree(src, out)
    path = out / "targets.csv"
    head = "" if path.exists() else "indicator,district,year,target\n"
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(head + "".join(line + "\n" for line in targets))
    return out


def _check_cells(ds: Dataset, view: View, indicator: str, want: dict[str, dict], period: str) -> None:
    frame = agg.scorecard(ds, view.year, scorecard.when_of(ds, view)).set_index(["district", "indicator"])
    cells = _cells(ds, view)
    for d, e in want.items():
        row = frame.loc[(d, indicator)]
        cell = cells[(d, indicator)]
        assert all(a in cell for a in ATTRS)
        assert row["target"] == pytest.approx(e["target"])
        assert float(cell["data-target"]) == pytest.approx(e["target"])
        if e["actual"] is None:
            assert row["actual"] is None
            assert cell["data-actual"] == cell["data-completion"] == cell["data-status"] == cell["data-rank"] == ""
        else:
            assert float(cell["data-actual"]) == pytest.approx(e["actual"])
            assert float(cell["data-completion"]) == pytest.approx(e["completion"])
            assert cell["data-status"] == e["status"]
            assert int(cell["data-rank"]) == e["rank"]
        assert cell["data-period"] == period
        assert float(cell["data-schedule"]) == pytest.approx(e["schedule"])


# ---------------------------------------------------------------- a month, a quarter, a whole year


@pytest.fixture(scope="module")
def monthly() -> Dataset:
    return load_dataset(MONTHLY)


PERIODS = [("2012-11", 11, "2012-11"), ("2012-Q3", 9, "2012-Q3"), ("2012-06", 6, "2012-06"), ("2012-Q1", 3, "2012-Q1")]


@pytest.mark.parametrize(("query", "last", "period"), PERIODS)
def test_a_period_reads_the_year_to_date_against_the_annual_target(monthly: Dataset, query, last, period):
    view = from_query(monthly, f"?period={query}")
    assert view.in_year
    want = expect_flow(
        MONTHLY, "patent_applications", 2012, last, lambda d: month_sum(MONTHLY, "patent_applications", d, 2012, last)
    )
    assert len(want) == 4
    _check_cells(monthly, view, "patent_applications", want, period)
    # the whole city: the districts' sums against the summed targets
    total = agg.scorecard_totals(monthly, 2012, view.when).set_index("indicator").loc["patent_applications"]
    actual = sum(e["actual"] for e in want.values())
    assert total["target"] == pytest.approx(3600)
    assert total["actual"] == pytest.approx(actual)
    assert total["completion"] == pytest.approx(actual / 3600)
    assert total["status"] == status_of(actual / 3600 / (last / 12))
    assert (total["period"], total["schedule"]) == (period, pytest.approx(last / 12))
    grid = scorecard.scorecard_grid(monthly, view)
    assert grid is not None
    assert grid.total is not None
    city = grid.total.cells[0].attrs
    assert (city["data-total-period"], float(city["data-total-schedule"])) == (period, pytest.approx(last / 12))


def test_a_cell_says_completion_and_schedule(monthly: Dataset):
    view = from_query(monthly, "?period=2012-11")
    want = expect_flow(
        MONTHLY, "patent_applications", 2012, 11, lambda d: month_sum(MONTHLY, "patent_applications", d, 2012, 11)
    )
    grid = scorecard.scorecard_grid(monthly, view)
    assert grid is not None
    first = grid.rows[0]
    e = want[first.key]
    cell = first.cells[0]
    assert cell.text == f"{e['completion'] * 100:.1f}%"
    assert cell.sub == f"累计 {e['actual']:,.0f}件 / 目标 900件 · 序时进度 91.7% · 第{e['rank']}名"
    gap = (e["completion"] - 11 / 12) * 100
    pace = "超" if gap > 0 else "低于"
    assert (
        cell.title
        == f"专利申请量（2012年1–11月）：完成全年目标{e['completion'] * 100:.1f}%，{pace}序时进度{abs(gap):.1f}个百分点"
    )
    assert grid.columns[0].note == "2012年1–11月 · 序时进度 91.7%"
    assert grid.legend[0] == ("on_track", "达标：完成率 ÷ 序时进度≥100%")
    en = scorecard.scorecard_grid(monthly, from_query(monthly, "?period=2012-11&lang=en"))
    assert en is not None
    cell = en.rows[0].cells[0]
    assert cell.sub == f"{e['actual']:,.0f} of 900 to date · time elapsed 91.7% · rank {e['rank']}"
    assert "of the annual target, behind schedule by" in cell.title or "ahead of schedule by" in cell.title
    # on the slide's native table: the months and 序时进度 under the heading, 序时进度 in each cell
    table = grid_rows(grid)
    assert table[0][1] == ("专利申请量", "（件） 2012年1–11月 · 序时进度 91.7%", "")
    assert "序时进度 91.7%" in table[1][1][1]


def test_a_whole_year_reads_its_annual_row(tmp_path: Path):
    """With 2011 targets: the year view reads the annual rows (final statistics, one revised beyond 1%) as
    before, and a December view the same numbers against 序时进度 100%."""
    codes = codes_of(MONTHLY)
    folder = _copy(MONTHLY, tmp_path, [f"patent_applications,{c},2011,{600 + 50 * i}" for i, c in enumerate(codes)])
    ds = load_dataset(folder)
    want = expect_flow(
        folder, "patent_applications", 2011, 12, lambda d: annual_row(folder, "patent_applications", d, 2011)
    )
    year = from_query(ds, "?year=2011")
    assert scorecard.when_of(ds, year) is None  # a whole year: read as before
    _check_cells(ds, year, "patent_applications", want, "2011")
    assert _cells(ds, year)[(codes[0], "patent_applications")]["data-schedule"] == "1.0"
    december = from_query(ds, "?period=2011-12")
    _check_cells(ds, december, "patent_applications", want, "2011-12")
    assert scorecard.sentence(ds, year).startswith("2011年4个区县（市）1项考核指标：")


def test_a_year_still_running_reads_its_latest_period(monthly: Dataset):
    """?year=2012 of a bulletin that ends in November: the year to date at November, labelled as such."""
    view = from_query(monthly, "?year=2012")
    assert not view.in_year
    want = expect_flow(
        MONTHLY, "patent_applications", 2012, 11, lambda d: month_sum(MONTHLY, "patent_applications", d, 2012, 11)
    )
    _check_cells(monthly, view, "patent_applications", want, "2012-11")
    assert scorecard.sentence(monthly, view).startswith("2012年1–11月，4个区县（市）")


# ---------------------------------------------------------------- flows published to date, ratios and levels


def test_a_cumulative_flow_a_ratio_and_a_level(tmp_path: Path):
    codes = codes_of(MONTHLY)
    lines = [f"{ind},{c},2012,{goal}" for c in codes for ind, goal in
             (("hightech_output", 130), ("rd_intensity", 2.0), ("hightech_firms", 60))]  # fmt: skip
    folder = _copy(MONTHLY, tmp_path, lines)
    ds = load_dataset(folder)
    view = from_query(ds, "?period=2012-11")
    # hightech_output: 1–11月累计 is its November row
    want = expect_flow(folder, "hightech_output", 2012, 11,
                       lambda d: cumulative_row(folder, "hightech_output", d, 2012, "M11"))  # fmt: skip
    _check_cells(ds, view, "hightech_output", want, "2012-11")
    # and at February: the 1–2月 row published for the two months together
    feb = from_query(ds, "?period=2012-02")
    want = expect_flow(folder, "hightech_output", 2012, 2,
                       lambda d: cumulative_row(folder, "hightech_output", d, 2012, "M01-M02"))  # fmt: skip
    _check_cells(ds, feb, "hightech_output", want, "2012-02")

    # rd_intensity: the ratio of the year-to-date sums, judged on its completion (no 序时进度 for a ratio)
    def ratio(d: str) -> float | None:
        num = month_sum(folder, "rd_spending", d, 2012, 11)
        den = month_sum(folder, "main_revenue", d, 2012, 11)
        return None if num is None or not den else num / den * 100

    want = expect_flow(folder, "rd_intensity", 2012, 12, ratio)  # schedule 1: status by completion
    _check_cells(ds, view, "rd_intensity", want, "2012-11")
    total = agg.scorecard_totals(ds, 2012, view.when).set_index("indicator").loc["rd_intensity"]
    num = sum(month_sum(folder, "rd_spending", d, 2012, 11) or 0 for d in codes)
    den = sum(month_sum(folder, "main_revenue", d, 2012, 11) or 0 for d in codes)
    assert total["actual"] == pytest.approx(num / den * 100)  # ratio of sums, not a mean of ratios
    assert total["target"] is None  # no city row, and a ratio's district targets do not add up

    # hightech_firms: a level last reported in October: read at October, labelled, judged on its completion
    levels = {d: level_at(folder, "hightech_firms", d, 2012, 11) for d in codes}
    assert {m for _, m in levels.values() if True} == {10}
    want = expect_flow(folder, "hightech_firms", 2012, 12, lambda d: levels[d][0])
    _check_cells(ds, view, "hightech_firms", want, "2012-10")
    grid = scorecard.scorecard_grid(ds, view)
    assert grid is not None
    notes = {c.key: c.note for c in grid.columns}
    assert notes["hightech_firms"] == "2012年10月"
    assert notes["rd_intensity"] == "2012年1–11月"
    assert notes["hightech_output"] == "2012年1–11月 · 序时进度 91.7%"
    firms = next(c for c in grid.rows[0].cells if c.attrs["data-indicator"] == "hightech_firms")
    assert "序时进度" not in firms.sub
    assert firms.title.endswith("（不计序时进度）")


def test_a_quarterly_figure_in_a_month_view_and_a_yearly_one(tmp_path: Path):
    """Quarterly data in an August view: its Q2 (labelled, 序时进度 of June); an indicator published yearly:
    '—' and a note until its year is complete."""
    src = FIXTURES / "quarterly"
    codes = codes_of(src)
    lines = [f"{ind},{c},2012,{goal}" for c in codes for ind, goal in
             (("services_value_added", 18), ("patent_applications", 600))]  # fmt: skip
    folder = _copy(src, tmp_path, lines)
    ds = load_dataset(folder)
    card = agg.scorecard(ds, 2012, ViewPeriod(2012, 8, "month")).set_index(["district", "indicator"])
    want = expect_flow(folder, "services_value_added", 2012, 6,
                       lambda d: cumulative_row(folder, "services_value_added", d, 2012, "Q2"))  # fmt: skip
    for d, e in want.items():
        row = card.loc[(d, "services_value_added")]
        assert (row["period"], row["schedule"]) == ("2012-Q2", pytest.approx(0.5))
        assert row["actual"] == pytest.approx(e["actual"])
        assert row["completion"] == pytest.approx(e["completion"])
        assert row["status"] == e["status"]
        assert row["rank"] == e["rank"]
        patents = card.loc[(d, "patent_applications")]
        assert (patents["actual"], patents["status"], patents["rank"]) == (None, None, None)
        assert patents["period"] == "2012-08"
    view = from_query(ds, "?period=2012-Q3")
    want = expect_flow(folder, "services_value_added", 2012, 9,
                       lambda d: cumulative_row(folder, "services_value_added", d, 2012, "Q3"))  # fmt: skip
    _check_cells(ds, view, "services_value_added", want, "2012-Q3")
    grid = scorecard.scorecard_grid(ds, view)
    assert grid is not None
    patents = [c for r in grid.rows for c in r.cells if c.attrs["data-indicator"] == "patent_applications"]
    assert {(c.text, c.sub, c.status) for c in patents} == {("—", "暂无2012年1–9月数据", "")}
    assert {c.key: c.note for c in grid.columns}["patent_applications"] == "暂无2012年1–9月数据"
    assert all(r.summary == "0/1" or r.summary.endswith("/1") for r in grid.rows)  # the empty column is not judged


# ---------------------------------------------------------------- sentence, caption and export


def test_the_sentence_names_the_period_and_the_districts_behind_schedule(monthly: Dataset):
    want = expect_flow(
        MONTHLY, "patent_applications", 2012, 11, lambda d: month_sum(MONTHLY, "patent_applications", d, 2012, 11)
    )
    names = {r["code"]: (r["name_zh"], r["name_en"]) for r in rows_of(MONTHLY, "districts.csv")}
    behind = sorted((d for d, e in want.items() if e["completion"] < 11 / 12), key=lambda d: want[d]["completion"])
    counts = {s: sum(e["status"] == s for e in want.values()) for s in ("on_track", "at_risk", "missed")}
    view = from_query(monthly, "?period=2012-11")
    zh = scorecard.sentence(monthly, view)
    assert zh.startswith(
        f"2012年1–11月，4个区县（市）1项考核指标（序时进度91.7%）：达标{counts['on_track']}项、"
        f"预警{counts['at_risk']}项、未达标{counts['missed']}项。"
    )
    shown = "、".join(names[d][0] for d in behind[:3])
    more = f"等{len(behind)}个区县" if len(behind) > 3 else ""
    assert zh.endswith(f"{shown}{more}专利申请量低于序时进度。")
    en = scorecard.sentence(monthly, from_query(monthly, "?period=2012-11&lang=en"))
    assert en.startswith("Jan–Nov 2012 assessment, year to date against time elapsed (91.7%; districts: 4;")
    assert "behind schedule." in en
    grid = scorecard.scorecard_grid(monthly, view)
    assert grid is not None
    assert grid.caption == "2012年1–11月各区县科技进步目标责任制考核（完成率 = 累计 ÷ 全年目标，序时进度91.7%）"
    # a district selection names only its own
    mine = from_query(monthly, f"?period=2012-11&district={behind[0]}")
    assert f"{names[behind[0]][0]}专利申请量低于序时进度" in scorecard.risk_sentence(monthly, mine)


def test_the_export_has_period_and_schedule_columns(monthly: Dataset):
    want = expect_flow(
        MONTHLY, "patent_applications", 2012, 6, lambda d: month_sum(MONTHLY, "patent_applications", d, 2012, 6)
    )
    sheets = {s.name: s for s in view_tables(monthly, from_query(monthly, "?period=2012-06"))}
    table = sheets["目标考核"].tables[0]
    assert table.columns == ["区县（市）", "指标", "单位", "期间", "目标", "实际", "完成率", "序时进度", "排名", "状态"]
    names = {r["name_zh"]: r["code"] for r in rows_of(MONTHLY, "districts.csv")}
    assert len(table.rows) == 4
    status_zh = {"on_track": "达标", "at_risk": "预警", "missed": "未达标"}
    for row in table.rows:
        e = want[names[row[0]]]
        assert row[1:4] == ["专利申请量", "件", "2012年1–6月"]
        assert row[4] == pytest.approx(e["target"])
        assert row[5] == pytest.approx(e["actual"])
        assert row[6] == pytest.approx(e["completion"])
        assert row[7] == pytest.approx(0.5)
        assert (row[8], row[9]) == (e["rank"], status_zh[e["status"]])
    en = {s.name: s for s in view_tables(monthly, from_query(monthly, "?period=2012-Q2&lang=en"))}["Assessment"]
    assert en.tables[0].columns[3] == "Period"
    assert en.tables[0].columns[7] == "Time elapsed"
    assert en.tables[0].rows[0][3] == "Jan–Jun 2012"


# ---------------------------------------------------------------- annual datasets: as before


def test_an_annual_dataset_reads_as_before(sample: Dataset):
    """The sample's whole year 2012 (complete): the frame's numbers are the year's rows; each cell adds only
    data-period (the year) and data-schedule (1); caption, sentence, texts and export as before."""
    view = View(2012, (), "zh")
    assert scorecard.when_of(sample, view) is None
    frame = agg.scorecard(sample, 2012)
    assert set(frame["period"]) == {"2012"}
    assert set(frame["schedule"]) == {1.0}
    obs = {
        (r["indicator"], r["district"]): float(r["value"])
        for r in rows_of(SAMPLE, "observations.csv")
        if r["year"] == "2012" and not r.get("period")  # the year's own rows (its months add up to them)
    }
    for row in frame.itertuples():
        goal = targets_of(SAMPLE, str(row.indicator), 2012)[str(row.district)]
        if row.indicator == "hightech_share":
            actual = obs[("hightech_output", row.district)] / obs[("industrial_output", row.district)] * 100
        else:
            actual = obs[(str(row.indicator), str(row.district))]
        assert row.actual == pytest.approx(actual)
        assert row.completion == pytest.approx(actual / goal)
        assert row.status == status_of(actual / goal)
    grid = scorecard.scorecard_grid(sample, view)
    assert grid is not None
    assert grid.caption == "2012年各区县科技进步目标责任制考核（完成率 = 实际 ÷ 目标）"
    assert all(c.note == "" for c in grid.columns)
    assert grid.legend[0] == ("on_track", "达标：完成率≥100%")
    for r in grid.rows:
        for c in r.cells:
            assert (c.attrs["data-period"], c.attrs["data-schedule"]) == ("2012", "1.0")
            assert c.sub.startswith("实际 ")
            assert "序时进度" not in c.sub + c.title
            assert c.title.startswith(f"{c.title.split(':')[0]}: 实际 ")
    assert "序时进度" not in scorecard.sentence(sample, view)
    table = {s.name: s for s in view_tables(sample, view)}["目标考核"].tables[0]
    assert "期间" not in table.columns
    assert table.title == "2012年各区县科技进步目标责任制考核（完成率 = 实际 ÷ 目标）"
