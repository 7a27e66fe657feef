"""Plan trajectories and peers: the pure computations (data/plans.py), their figures, the plans section and its
sentence, on the sample and the fixtures of other shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from oracle import CJK, DATASETS
from plotly.io.json import to_json_plotly

from components.charts import figures
from components.charts.theme import palette
from components.core.state import View
from components.sections import plans as plans_section
from components.sections import plans as section_plans
from components.sections import present, section, slides
from components.sections.base import by_districts
from components.sections.slide_plan import plan
from components.server.settings import SAMPLE_DIR
from data import aggregate as agg
from data import plans
from data.load import Dataset, load_dataset

RD, SHARE = "rd_intensity", "hightech_share"
PCT_INFO = {"unit_zh": "%", "agg": "city", "higher_is_better": True}
COUNT_INFO = {"unit_zh": "件", "agg": "sum", "higher_is_better": True}
RANK_INFO = {"unit_zh": "位", "agg": "city", "higher_is_better": False}
AMOUNT_INFO = {"unit_zh": "亿元", "unit_en": "CNY 100m", "agg": "sum", "higher_is_better": True}


@pytest.fixture(scope="module")
def datasets() -> dict[str, Dataset]:
    return {name: load_dataset(path) for name, path in DATASETS.items()}


def _copy_with(tmp_path: Path, file: str, extra: str) -> Dataset:
    """The sample with rows appended to one of its CSV files."""
    dest = tmp_path / "dataset"
    shutil.copytree(SAMPLE_DIR, dest)
    with (dest / file).open("a", encoding="utf-8") as f:
        f.write(extra)
    return load_dataset(dest)


# --- trajectories -------------------------------------------------------------------------------------------


def test_sample_rd_trajectory_needs_0_18_points_a_year(sample) -> None:
    (tr,) = plans.trajectories(sample)
    assert (tr.indicator, tr.kind, tr.start_year, tr.start, tr.year, tr.target) == (RD, "pp", 2012, 1.95, 2015, 2.5)
    assert tr.required == pytest.approx(0.183333, abs=1e-6)
    assert [y for y, _ in tr.path] == [2012, 2013, 2014, 2015]
    assert [v for _, v in tr.path] == pytest.approx([1.95, 2.133333, 2.316667, 2.5], abs=1e-6)
    assert tr.pace == pytest.approx(0.0925)  # 2008 -> 2012: (1.95 - 1.58) / 4
    assert tr.pace_from == 2008
    assert tr.projected == pytest.approx(2.2275)
    assert tr.on_pace is False
    assert tr.met is False


def test_count_indicator_needs_a_compound_growth_rate() -> None:
    s = pd.Series([100.0, 110.0, 121.0], index=[2010, 2011, 2012])
    tr = plans.trajectory_of(s, (146.41, 2014), COUNT_INFO)
    assert tr is not None
    assert tr.kind == "pct"
    assert tr.required == pytest.approx(0.10)
    assert [v for _, v in tr.path] == pytest.approx([121.0, 133.1, 146.41])
    assert tr.pace == pytest.approx(0.10)
    assert tr.on_pace is True


def test_target_already_met() -> None:
    s = pd.Series([2.4, 2.7], index=[2011, 2012])
    tr = plans.trajectory_of(s, (2.5, 2015), PCT_INFO)
    assert tr is not None
    assert tr.met
    assert section_plans.need_text(tr, "zh") == "已达到目标"
    assert section_plans.need_text(tr, "en") == "target already met"


def test_lower_is_better_needs_a_decrease() -> None:
    s = pd.Series([6.0, 5.0], index=[2011, 2012])  # a rank: 5th, aiming for 2nd by 2015
    tr = plans.trajectory_of(s, (2.0, 2015), RANK_INFO)
    assert tr is not None
    assert (tr.kind, tr.required, tr.met, tr.better_up) == ("rank", -1.0, False, False)
    assert tr.projected == pytest.approx(2.0)  # one place a year so far
    assert tr.on_pace is True
    assert section_plans.change_text(tr.kind, tr.required, "zh") == "提升1位"
    assert section_plans.change_text(tr.kind, tr.required, "en") == "a climb of 1 in rank"
    lower = {**PCT_INFO, "higher_is_better": False}
    down = plans.trajectory_of(pd.Series([3.0, 2.9], index=[2011, 2012]), (2.0, 2014), lower)
    assert down is not None
    assert down.required == pytest.approx(-0.45)
    assert not down.met
    assert down.on_pace is False  # at 0.1 a year it gets to 2.7
    assert section_plans.need_text(down, "zh") == "需年均降低0.45个百分点"
    reached = plans.trajectory_of(pd.Series([1.5], index=[2012]), (2.0, 2014), lower)
    assert reached is not None
    assert reached.met


def test_zero_base_has_no_growth_rate_and_says_dash() -> None:
    tr = plans.trajectory_of(pd.Series([0.0, 0.0], index=[2011, 2012]), (10.0, 2014), COUNT_INFO)
    assert tr is not None
    assert tr.required is None
    assert tr.pace is None
    assert tr.projected is None
    assert tr.on_pace is None
    assert [v for _, v in tr.path] == [0.0, 5.0, 10.0]  # drawn straight
    assert section_plans.need_text(tr, "zh") == "需年均增长—"
    assert section_plans.need_text(tr, "en") == "needs growth of — a year"


def test_a_target_not_after_the_latest_year_is_no_trajectory(datasets) -> None:
    s = pd.Series([1.0, 2.0], index=[2011, 2012])
    assert plans.trajectory_of(s, (3.0, 2012), PCT_INFO) is None
    assert plans.trajectory_of(pd.Series(dtype="float64"), (3.0, 2015), PCT_INFO) is None
    large = datasets["large"]  # its hightech_share target is for 2023, the latest year: an assessment target
    assert plans.plan_target(large, SHARE) is None
    assert [tr.indicator for tr in plans.trajectories(large)] == [RD]


def test_no_plan_target_is_none(datasets, sample) -> None:
    assert plans.trajectories(datasets["minimal"]) == ()
    assert plans.plan_target(sample, "patent_applications") is None  # only districts' 2012 targets
    assert plans.trajectory(sample, "patent_applications") is None


def test_a_district_has_only_its_own_plan_targets(tmp_path: Path, sample) -> None:
    assert plans.trajectories(sample, ("330203",)) == ()  # the city's 2015 R&D plan is not the district's
    ds = _copy_with(
        tmp_path, "targets.csv", "patent_applications,330203,2014,6000\npatent_applications,330204,2014,7000\n"
    )
    (one,) = plans.trajectories(ds, ("330203",))
    latest = agg.value(ds, "patent_applications", 2012, ("330203",))
    assert (one.indicator, one.kind, one.year, one.target) == ("patent_applications", "pct", 2014, 6000.0)
    assert one.required == pytest.approx((6000 / latest) ** 0.5 - 1)
    assert plans.plan_target(ds, "patent_applications", ("330203", "330204")) == (13000.0, 2014)  # summed
    assert plans.plan_target(ds, "patent_applications", ("330203", "330205")) is None  # not every district
    assert plans.plan_target(ds, "patent_applications") is None  # no city row: the whole city has no plan
    zh = section_plans.sentence(ds, View(2012, ("330203",), "zh"))
    assert zh.startswith("实现海曙区2014年专利申请量6,000件的目标，需年均增长")
    en = section_plans.sentence(ds, View(2012, ("330203",), "en"))
    assert en.startswith("Reaching the 2014 target of 6,000 for Patent applications in Haishu needs growth of ")
    fig = section_plans.trajectory_figure(ds, View(2012, ("330203",), "zh"))
    assert fig["data"][-1]["x"] == [2014]  # the district's own target, drawn


# --- peer gaps ----------------------------------------------------------------------------------------------


def _gap(ds: Dataset, indicator: str, peer: str) -> plans.PeerGap:
    return next(g for g in plans.peer_gaps(ds) if g.indicator == indicator and g.peer_en == peer)


def test_shenzhen_high_tech_share_like_for_like(sample) -> None:
    g = _gap(sample, SHARE, "Shenzhen")
    city = agg.value(sample, SHARE, 2011)
    assert (g.peer_year, g.city_year, g.kind, g.same_year) == (2011, 2011, "pp", True)
    assert g.city_value == pytest.approx(city)
    assert g.gap == pytest.approx(city - 58.2)
    assert round(g.gap, 1) == -31.8
    assert g.better is False
    assert g.ratio is None
    assert section_plans.gap_text(sample, g, "zh") == "比深圳低31.8个百分点"
    assert section_plans.gap_text(sample, g, "en") == "31.8 points below Shenzhen"


def test_rd_against_hangzhou_2011_and_shenzhen_2010(sample) -> None:
    hz, sz = _gap(sample, RD, "Hangzhou"), _gap(sample, RD, "Shenzhen")
    assert (hz.city_year, hz.city_value, hz.peer_value) == (2011, 1.89, 2.85)
    assert hz.gap == pytest.approx(-0.96)
    assert (sz.city_year, sz.city_value, sz.peer_value) == (2010, 1.78, 3.5)
    assert sz.gap == pytest.approx(-1.72)
    assert plans.largest_gap([hz, sz]) is sz
    assert [g.indicator for g in plans.peer_gaps(sample)] == [SHARE, RD, RD]  # indicators.csv order


def test_a_peer_year_the_city_lacks_uses_the_city_nearest_year(tmp_path: Path) -> None:
    ds = _copy_with(tmp_path, "peers.csv", "广州,Guangzhou,rd_intensity,2014,2.6\n")
    g = _gap(ds, RD, "Guangzhou")
    assert (g.peer_year, g.city_year, g.city_value, g.same_year) == (2014, 2012, 1.95, False)
    assert section_plans.peer_clause(ds, g, "zh") == "全市全社会R&D投入强度（2012年）比广州低0.65个百分点（2014年）"
    assert plans.nearest_year([2010, 2012], 2011) == 2012  # a tie goes to the later year
    assert plans.nearest_year([2010, 2012], 2010) == 2010


def test_amounts_gap_in_their_unit_with_the_ratio() -> None:
    g = plans.gap_of((2012, 1000.0), ("杭州", "Hangzhou", 2012, 2080.0), "x", AMOUNT_INFO)
    assert (g.kind, g.gap, g.ratio, g.better) == ("pct", -1080.0, pytest.approx(0.480769, abs=1e-6), False)


def test_rank_gap_says_ahead_or_behind(datasets) -> None:
    ahead = plans.gap_of((2012, 1.0), ("杭州", "Hangzhou", 2012, 3.0), "r", RANK_INFO)
    assert (ahead.kind, ahead.gap, ahead.better) == ("rank", -2.0, True)
    behind = plans.gap_of((2012, 4.0), ("杭州", "Hangzhou", 2012, 3.0), "r", RANK_INFO)
    assert behind.better is False
    assert plans.gap_of((2012, 3.0), ("杭州", "Hangzhou", 2012, 3.0), "r", RANK_INFO).better is None


def test_gap_words_for_amounts_and_ranks(sample) -> None:
    amount = plans.gap_of((2012, 1000.0), ("杭州", "Hangzhou", 2012, 2080.0), "hightech_output", AMOUNT_INFO)
    assert section_plans.gap_text(sample, amount, "zh") == "比杭州低1,080亿元，为杭州的48%"
    assert section_plans.gap_text(sample, amount, "en") == "CNY 108.0 bn below Hangzhou (48% of it)"
    assert section_plans.gap_text(sample, amount, "zh", short=True) == "全市为其48%"
    rank = plans.gap_of((2012, 1.0), ("杭州", "Hangzhou", 2012, 3.0), "patent_applications_rank", RANK_INFO)
    assert section_plans.gap_text(sample, rank, "zh") == "排名比杭州高2位"
    assert section_plans.gap_text(sample, rank, "en") == "ahead of Hangzhou by 2 in rank"


def test_no_peers_no_gaps(datasets) -> None:
    assert plans.peer_gaps(datasets["minimal"]) == ()
    assert plans.peer_gaps(datasets["large"]) == ()


def test_latest_per_peer_compares_a_peer_once_per_indicator(tmp_path: Path) -> None:
    ds = _copy_with(tmp_path, "peers.csv", "深圳,Shenzhen,rd_intensity,2011,3.6\n")
    rd = [g for g in plans.latest_per_peer(plans.peer_gaps(ds)) if g.indicator == RD]
    assert [(g.peer_en, g.peer_year) for g in rd] == [("Hangzhou", 2011), ("Shenzhen", 2011)]


# --- figures ------------------------------------------------------------------------------------------------


def _valid(fig: figures.Fig) -> dict:
    go.Figure(fig)  # plotly's validators accept every property
    return json.loads(to_json_plotly(fig))


@pytest.mark.parametrize("theme", ["light", "dark", "projector"])
def test_trajectory_figure_draws_the_path_and_the_star(sample, theme: str) -> None:
    fig = _valid(section_plans.trajectory_figure(sample, View(2012, (), "zh", theme)))
    actual, path, star = fig["data"]
    assert actual["x"] == [2008, 2009, 2010, 2011, 2012]
    assert actual["line"]["color"] == palette(theme)["accent"]
    assert path["x"] == [2012, 2013, 2014, 2015]
    assert path["line"]["dash"] == "dot"
    assert len(path["marker"]["size"]) == 4
    assert all(s > 0 for s in path["marker"]["size"][1:])
    assert (star["x"], star["y"], star["marker"]["symbol"]) == ([2015], [2.5], "star")
    assert star["text"] == ["“十二五”目标 2.50%（2015年）"]
    assert fig["layout"]["annotations"][0]["text"] == "全社会R&amp;D投入强度：需年均提高0.18个百分点"
    assert fig["layout"]["meta"]["table"]["rows"][-1] == ["全社会R&D投入强度", 2015, None, 2.5]


def test_trajectory_figure_in_english_has_no_chinese(sample) -> None:
    fig = _valid(section_plans.trajectory_figure(sample, View(2012, (), "en")))
    text = json.dumps(fig, ensure_ascii=False)
    assert not CJK.search(text)
    assert "needs a rise of 0.18 points a year" in fig["layout"]["annotations"][0]["text"].replace("<br>", " ")
    assert fig["data"][2]["text"] == ["12th Five-Year Plan target 2.50% (2015)"]


def test_several_plan_targets_are_small_multiples_and_a_met_one_has_no_path() -> None:
    info = {**PCT_INFO, "name_zh": "甲", "name_en": "A"}
    panels = [
        plans_section.PathPanel(
            "甲", "甲", info, pd.Series([1.0, 2.0], index=[2011, 2012]), [(2012, 2.0), (2013, 3.0)], "目标"
        ),
        plans_section.PathPanel(
            "乙", "乙", info, pd.Series([5.0], index=[2012]), [(2012, 5.0), (2014, 4.0)], "目标", True
        ),
    ]
    fig = _valid(plans_section.plan_paths(panels, "zh", "light"))
    assert {"xaxis2", "yaxis2"} <= set(fig["layout"])
    assert fig["layout"]["xaxis"]["domain"][1] < fig["layout"]["xaxis2"]["domain"][0]  # side by side
    second = [tr for tr in fig["data"] if tr.get("xaxis") == "x2"]
    assert [tr["mode"] for tr in second] == ["lines+markers+text", "markers+text"]  # actual and star, no path
    assert sum(tr["showlegend"] for tr in fig["data"]) == 2  # one legend entry for each kind of line
    empty = plans_section.plan_paths([], "zh", "light")
    assert empty["layout"]["meta"]["empty"]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_peer_figure_highlights_the_city(sample, theme: str) -> None:
    fig = _valid(section_plans.peers_figure(sample, View(2012, (), "zh", theme)))
    share_city, share_peer, rd_city, rd_peer = fig["data"]
    p = palette(theme)
    assert share_city["marker"]["color"] == rd_city["marker"]["color"] == p["accent"]
    assert share_peer["marker"]["color"] == rd_peer["marker"]["color"] == p["muted"]
    assert share_city["name"] == "宁波"
    assert rd_city["x"] == ["杭州", "深圳"]
    assert rd_city["xaxis"] == "x2"
    assert rd_city["y"] == [1.89, 1.78]  # the city in each peer's year
    assert rd_city["text"] == ["1.89%<br>2011年", "1.78%<br>2010年"]
    assert rd_peer["text"] == ["2.85%<br>2011年", "3.50%<br>2010年"]
    assert fig["layout"]["xaxis2"]["ticktext"] == ["杭州<br>低0.96个百分点", "深圳<br>低1.72个百分点"]
    assert [a["text"] for a in fig["layout"]["annotations"]][1] == "全社会R&amp;D投入强度"


def test_peer_figure_in_english(sample) -> None:
    fig = _valid(section_plans.peers_figure(sample, View(2012, (), "en")))
    assert not CJK.search(json.dumps(fig, ensure_ascii=False))
    assert fig["data"][0]["name"] == "Ningbo"
    assert fig["layout"]["xaxis"]["ticktext"] == ["Shenzhen<br>31.8 pts below"]


def test_overview_rd_chart_draws_the_same_path(sample) -> None:
    (tr,) = plans.trajectories(sample)
    for lang, need in (("zh", "需年均提高0.18个百分点"), ("en", "needs a rise of 0.18 points a year")):
        fig = _valid(
            section("overview").compute(sample, View(2012, (), lang), only=["overview-rd-graph"])["overview-rd-graph"]
        )
        goal = fig["data"][1]
        assert goal["x"] == [y for y, _ in tr.path]
        assert goal["y"] == pytest.approx([v for _, v in tr.path])
        assert goal["name"].endswith(need)
        assert goal["marker"]["symbol"][-1] == "star"
        assert {2013, 2014} <= set(fig["layout"]["xaxis"]["tickvals"])


# --- the section --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "charts"),
    [
        ("sample", ["plans-trajectory-graph", "plans-peers-graph"]),
        ("other_city", ["plans-trajectory-graph", "plans-peers-graph"]),
        ("no_pipeline", ["plans-trajectory-graph", "plans-peers-graph"]),
        ("large", ["plans-trajectory-graph"]),  # a named plan, no peers.csv
        ("minimal", []),
    ],
)
def test_section_present_with_what_the_shape_has(datasets, name: str, charts: list[str]) -> None:
    ds = datasets[name]
    sec = section("plans")
    assert [g.id for g in sec.graphs(ds)] == charts
    assert sec.present(ds) == bool(charts)
    assert ("plans" in [s.key for s in present(ds)]) == bool(charts)
    if not charts:
        assert sec.absent_because(ds) == ["no peer values", "no plan target after the latest data"]
        assert sec.compute(ds, View(ds.years[-1])) == {}
        return
    grid = sec.page_grid(ds)
    assert sum(w for row in grid for _, w in row) == 12  # one chart alone reflows to the full width
    assert sec.uses(ds) == set()  # the indicators stay in their own sections (and the generic one)


def test_sentence_in_both_languages(sample) -> None:
    zh = section_plans.sentence(sample, View(2012, (), "zh"))
    assert zh == (
        "实现“十二五”全社会R&D投入强度2.50%的目标，需年均提高0.18个百分点（近年年均提高0.09个百分点，"
        "按此2015年约为2.23%，低于目标）；2011年全市高新技术产业产值占规上工业产值比重比深圳低31.8个百分点；"
        "2010年全市全社会R&D投入强度比深圳低1.72个百分点。"
    )
    en = section_plans.sentence(sample, View(2012, (), "en"))
    assert en == (
        "Reaching the 12th Five-Year Plan target of 2.50% for R&D intensity (R&D spending / GDP) needs a rise of "
        "0.18 points a year (lately a rise of 0.09 points a year: about 2.23% by 2015, short of the target); "
        "in 2011, High-tech share of industrial output was 31.8 points below Shenzhen; "
        "in 2010, R&D intensity (R&D spending / GDP) was 1.72 points below Shenzhen."
    )
    assert not CJK.search(en)


def test_sentence_names_the_year_where_no_plan_is_named(datasets) -> None:
    ds = datasets["other_city"]
    zh = section_plans.sentence(ds, View(2018, (), "zh"))
    assert zh.startswith("实现2020年全社会R&D投入强度3.50%的目标，需年均提高0.10个百分点")
    assert "可以实现目标" in zh
    assert "十二五" not in zh
    assert section_plans.sentence(ds, View(2018, (), "en")).startswith("Reaching the 2020 target of 3.50%")


def test_a_district_selection_steps_aside_from_the_city_plan(sample) -> None:
    view = View(2012, ("330203",), "zh")
    assert section_plans.sentence(sample, view) == (
        "2011年全市高新技术产业产值占规上工业产值比重比深圳低31.8个百分点；2010年全市全社会R&D投入强度比深圳低1.72个百分点。"
    )
    fig = section_plans.trajectory_figure(sample, view)
    assert fig["layout"]["meta"]["empty"]
    assert not fig["data"]
    assert section_plans.peers_figure(sample, view)["data"]  # the peers compare the whole city all the same


def test_chart_keys_follow_what_the_data_depends_on(sample) -> None:
    traj, peers = section("plans").graphs(sample)
    assert traj.key is by_districts
    assert traj.key(sample, View(2010)) == traj.key(sample, View(2012))
    assert traj.key(sample, View(2012)) != traj.key(sample, View(2012, ("330203",)))
    assert peers.key(sample, View(2010, ("330203",))) == peers.key(sample, View(2012))
    assert traj.height_px(sample) == peers.height_px(sample) == section_plans.PANEL_PX + 90


def test_slides_include_the_section(sample) -> None:
    keys = [s.key for s in slides(sample)]
    assert keys.index("plans") == keys.index("hightech") + 1
    planned = next(p for p in plan(sample, View(2012, (), "en")) if p.slide.key == "plans")
    assert planned.title == "Plan targets and peers"
    assert planned.chart_titles == ["Paths to the plan targets", "Against peer cities"]
    assert len(planned.figures) == 2
    assert all(f["data"] for f in planned.figures)
    assert planned.sentence.startswith("Reaching the 12th Five-Year Plan target")


def test_a_districts_own_plan_targets_get_their_chart(tmp_path: Path):
    """Targets after the data for one district only: the whole city has no trajectory, the district has."""
    out = tmp_path / "district-plan"
    shutil.copytree(SAMPLE_DIR, out)
    lines = (out / "targets.csv").read_text(encoding="utf-8").splitlines()
    lines = [r for r in lines if not r.startswith("rd_intensity,")]
    lines += ["patent_applications,330203,2013,5000", "patent_applications,330203,2014,5600"]
    (out / "targets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_dataset(out)
    assert plans.trajectories(ds) == ()
    assert [t.indicator for t in plans.trajectories(ds, ("330203",))] == ["patent_applications"]
    graphs = [g.id for g in section("plans").graphs(ds)]
    assert "plans-trajectory-graph" in graphs
    fig = section("plans").compute(ds, View(2012, ("330203",), "zh"), only=["plans-trajectory-graph"])
    assert not fig["plans-trajectory-graph"]["layout"].get("meta", {}).get("empty")
    assert "海曙区" in section_plans.sentence(ds, View(2012, ("330203",), "zh"))
