"""The pure figure builders (components/charts/figures.py) on small hand-made frames of sample size.

Every builder is checked in both languages and both themes for: trace types and counts, axis
titles and units, English scaling of 亿元 to CNY bn, district codes in customdata on the clickable
charts, highlighted selections, reference lines, the "no data" state, finite numbers only, small
JSON and no default Plotly template. Names handed to a builder are given in the figure's language,
so an English figure must contain no Chinese character at all.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from oracle import CJK  # ideographs, CJK and full-width punctuation
from plotly.io.json import to_json_plotly

from components.charts import figures
from components.charts.theme import FONT_FAMILY, THEMES, palette
from components.core.i18n import t
from components.sections import hightech as hightech_section
from components.sections import overview as overview_section
from components.sections import patents as patents_section
from components.sections import pipeline as pipeline_section
from components.sections import seismic as seismic_section
from data.schema import TIERS

LANGS = ("zh", "en")
MAX_JSON = 15_000
YEARS = [2008, 2009, 2010, 2011, 2012]

# code, name_zh, name_en, tile_row, tile_col (as in data/sample/districts.csv)
DISTRICTS = [
    ("330203", "海曙区", "Haishu", 2, 1),
    ("330204", "江东区", "Jiangdong", 2, 2),
    ("330205", "江北区", "Jiangbei", 1, 1),
    ("330206", "北仑区", "Beilun", 1, 3),
    ("330211", "镇海区", "Zhenhai", 1, 2),
    ("330212", "鄞州区", "Yinzhou", 3, 2),
    ("330225", "象山县", "Xiangshan", 4, 2),
    ("330226", "宁海县", "Ninghai", 4, 1),
    ("330281", "余姚市", "Yuyao", 1, 0),
    ("330282", "慈溪市", "Cixi", 0, 1),
    ("330283", "奉化市", "Fenghua", 3, 1),
]
CODES = [d[0] for d in DISTRICTS]
APPLICATIONS = [4108, 4169, 4198, 8245, 5669, 13328, 3354, 4638, 10267, 11896, 3775]
GRANTS = [3369, 3548, 3505, 6565, 4960, 10556, 2658, 3523, 7859, 9438, 3194]
OUTPUT = [170.9, 167.1, 197.5, 428.0, 269.3, 758.9, 98.8, 140.4, 470.7, 603.2, 124.2]  # 亿元
SHARE = [27.8, 27.3, 28.2, 36.0, 33.7, 32.6, 16.8, 18.8, 29.4, 28.2, 19.7]  # %
SELECTED = ("330212", "330281")
STATIONS = [
    ("镇海台", "Zhenhai"),
    ("北仑台", "Beilun"),
    ("横溪台", "Hengxi"),
    ("四明山台", "Simingshan"),
    ("龙山台", "Longshan"),
    ("西店台", "Xidian"),
    ("石浦台", "Shipu"),
    ("海曙台", "Haishu"),
    ("江东台", "Jiangdong"),
    ("皎口台", "Jiaokou"),
    ("慈城台", "Cicheng"),
    ("溪口台", "Xikou"),
]
CAUSES = ("power", "network", "equipment", "maintenance")
PEERS = [("杭州", "Hangzhou", 2011, 2.85), ("深圳", "Shenzhen", 2010, 3.5)]


def names(lang: str) -> dict[str, str]:
    return {code: (zh if lang == "zh" else en) for code, zh, en, _, _ in DISTRICTS}


def station_names(lang: str) -> list[str]:
    return [zh if lang == "zh" else en for zh, en in STATIONS]


# --- hand-made frames ---------------------------------------------------------------------------


def patents_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": YEARS,
            "applications": [21934, 25360, 35614, 47582, 73647],
            "invention": [712, 790, 1160, 1625, 2065],
            "utility": [8900, 11200, 17000, 22000, 33000],
            "design": [5000, 6000, 9000, 13700, 24110],
        }
    )


def district_frame(lang: str, **columns: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame({"district": CODES, **columns})
    frame["name"] = frame["district"].map(names(lang))
    return frame


def share_series() -> pd.Series:
    return pd.Series([4.873, 4.705, 4.604, 4.351, 3.4896], index=YEARS, name="invention_share")


def output_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": YEARS,
            "output": [2045.3, 2187.6, 2698.4, 3078.1, 3429.0],
            "share": [22.69, 23.77, 25.02, 26.42, 28.700084],
        }
    )


def tier_counts() -> pd.Series:
    return pd.Series([563, 930, 156, 52, 16], index=list(TIERS), dtype="int64")


def tier_frame() -> pd.DataFrame:
    rows = {y: [400 + 40 * i, 560 + 90 * i, 100 + 14 * i, 30 + 5 * i, 8 + 2 * i] for i, y in enumerate(YEARS)}
    return pd.DataFrame(rows, index=list(TIERS)).T.rename_axis("year")


def flows_frame() -> pd.DataFrame:
    rows = [
        ("hightech_enterprise", "hightech_enterprise", 767),
        ("hightech_enterprise", "innovative_municipal", 28),
        ("hightech_enterprise", "lost", 25),
        ("innovative_municipal", "innovative_municipal", 121),
        ("innovative_municipal", "innovative_provincial", 10),
        ("innovative_national", "innovative_national", 13),
        ("innovative_provincial", "innovative_national", 3),
        ("innovative_provincial", "innovative_provincial", 41),
        ("new", "hightech_enterprise", 73),
        ("new", "tech_enterprise", 181),
        ("tech_enterprise", "hightech_enterprise", 90),
        ("tech_enterprise", "lost", 17),
        ("tech_enterprise", "tech_enterprise", 382),
    ]
    return pd.DataFrame(rows, columns=["source", "target", "count"])


def tiers_district_frame() -> pd.DataFrame:
    data = {tier: [(i * 7 + j * 3) % 40 + 5 for i in range(len(CODES))] for j, tier in enumerate(TIERS)}
    return pd.DataFrame(data, index=pd.Index(CODES, name="district"))


def uptime_frame(lang: str) -> pd.DataFrame:
    uptime = [0.99999, 0.9995, 0.9991, 0.9987, 0.99995, 0.9999, 0.9993, 1.0, 0.9996, 0.9982, 0.99993, 0.9998]
    return pd.DataFrame({"name": station_names(lang), "uptime": uptime})


def monthly_frame(missing: bool = False) -> pd.DataFrame:
    z = [[1.0 - ((s * 13 + m * 7) % 11) * 0.0004 for m in range(1, 13)] for s in range(len(STATIONS))]
    frame = pd.DataFrame(z, index=[f"NB{i:02d}" for i in range(1, 13)], columns=list(range(1, 13)))
    if missing:
        frame.iloc[0, :6] = None  # commissioned mid-year
    return frame


def outages_frame(lang: str) -> pd.DataFrame:
    rows = []
    start0 = pd.Timestamp("2012-01-03T04:00:00")
    for i in range(40):
        start = start0 + pd.Timedelta(days=9 * i, hours=i % 7)
        hours = 0.5 + (i * 5) % 17
        rows.append(
            (
                station_names(lang)[i % 12],
                start,
                start + pd.Timedelta(hours=hours),
                hours,
                t(f"cause_{CAUSES[i % 4]}", lang),
            )
        )
    return pd.DataFrame(rows, columns=["name", "start", "end", "duration_h", "cause_label"])


def tile_frame(lang: str, values: list[float | None] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame([(c, r, col) for c, _, _, r, col in DISTRICTS], columns=["district", "tile_row", "tile_col"])
    return frame.assign(value=values if values is not None else OUTPUT, name=frame["district"].map(names(lang)))


def rd_series() -> pd.Series:
    return pd.Series([1.58, 1.65, 1.78, 1.89, 1.95], index=YEARS, name="rd_intensity")


def peers_frame(lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(zh if lang == "zh" else en, y, v) for zh, en, y, v in PEERS], columns=["name", "year", "value"]
    )


# --- builders with sample-sized input ----------------------------------------------------------


def build_district_bars(lang: str, theme: str, selected: tuple[str, ...] = SELECTED) -> figures.Fig:
    frame = district_frame(lang, applications=APPLICATIONS, grants=GRANTS)
    return figures.district_bars(
        frame, [("applications", t("applications", lang)), ("grants", t("grants", lang))], selected, "件", lang, theme
    )


def build_trend_line(lang: str, theme: str) -> figures.Fig:
    return figures.trend_line(
        share_series(), t("patents_share_title", lang), "%", lang, theme, refs=[(3.5, t("too_low_line", lang), "bad")]
    )


def build_tiers_by_district(lang: str, theme: str, selected: tuple[str, ...] = SELECTED) -> figures.Fig:
    return pipeline_section.tiers_by_district(tiers_district_frame(), names(lang), selected, lang, theme)


def info(unit_zh: str, unit_en: str = "", name_zh: str = "高新技术产业产值", name_en: str = "High-tech output") -> dict:
    """An indicators.csv row as the builders take it."""
    return {"unit_zh": unit_zh, "unit_en": unit_en, "name_zh": name_zh, "name_en": name_en}


HIGHTECH = info("亿元", "CNY 100m")
PATENTS = info("件", "", "专利申请量", "Patents")


def build_tile_map(lang: str, theme: str, selected: tuple[str, ...] = SELECTED) -> figures.Fig:
    return overview_section.tile_map(tile_frame(lang), selected, HIGHTECH, lang, theme)


def goal_label(lang: str) -> str:
    return t("plan_target", lang, value="2.50%", year=2015)


def build_plan_and_peers(lang: str, theme: str) -> figures.Fig:
    label = "R&D" if lang == "en" else "全社会R&D投入强度"
    peers = peers_frame(lang)
    return overview_section.plan_and_peers(rd_series(), label, "%", (2.5, 2015), goal_label(lang), peers, lang, theme)


def patent_bars(lang: str) -> list[tuple[str, str]]:
    return [(k, t(k, lang)) for k in ("invention", "utility", "design")]


def build_patents_trend(lang: str, theme: str, frame: pd.DataFrame | None = None) -> figures.Fig:
    frame = patents_frame() if frame is None else frame
    return patents_section.patents_trend(
        frame, patent_bars(lang), ("applications", t("applications", lang)), lang, theme
    )


def build_uptime_bars(lang: str, theme: str, frame: pd.DataFrame | None = None) -> figures.Fig:
    frame = uptime_frame(lang) if frame is None else frame
    return seismic_section.uptime_bars(frame, lang, theme, line=99.9, line_label="99.9%")


BUILDERS: dict[str, Callable[[str, str], figures.Fig]] = {
    "empty_figure": lambda lang, theme: figures.empty_figure(t("no_data", lang), theme),
    "patents_trend": build_patents_trend,
    "district_bars": build_district_bars,
    "trend_line": build_trend_line,
    "output_and_share": lambda lang, theme: hightech_section.output_and_share(output_frame(), lang, theme),
    "tier_bars": lambda lang, theme: pipeline_section.tier_bars(tier_counts(), lang, theme),
    "tier_trend": lambda lang, theme: pipeline_section.tier_trend(tier_frame(), lang, theme),
    "tier_flows": lambda lang, theme: pipeline_section.tier_flows(flows_frame(), TIERS, 2011, 2012, lang, theme),
    "tiers_by_district": build_tiers_by_district,
    "uptime_bars": build_uptime_bars,
    "uptime_heatmap": lambda lang, theme: seismic_section.uptime_heatmap(
        monthly_frame(), station_names(lang), lang, theme
    ),
    "outage_timeline": lambda lang, theme: seismic_section.outage_timeline(outages_frame(lang), lang, theme),
    "tile_map": build_tile_map,
    "plan_and_peers": build_plan_and_peers,
}
CARTESIAN = [b for b in BUILDERS if b not in ("empty_figure", "tier_flows", "tile_map")]


# --- the builders on empty input ----------------------------------------------------------------


def empty_district_bars(lang: str, theme: str) -> figures.Fig:
    frame = district_frame(lang, applications=APPLICATIONS).iloc[0:0]
    return figures.district_bars(frame, [("applications", "A")], (), "件", lang, theme)


def empty_tiers_by_district(lang: str, theme: str) -> figures.Fig:
    return pipeline_section.tiers_by_district(tiers_district_frame().iloc[0:0], names(lang), (), lang, theme)


def empty_plan_and_peers(lang: str, theme: str) -> figures.Fig:
    empty = pd.Series(dtype="float64")
    return overview_section.plan_and_peers(empty, "L", "%", None, "", peers_frame(lang).iloc[0:0], lang, theme)


# builder -> (the builder on empty input, the message key it must show)
EMPTY_INPUTS: dict[str, tuple[Callable[[str, str], figures.Fig], str]] = {
    "patents_trend": (
        lambda lang, theme: build_patents_trend(lang, theme, patents_frame().iloc[0:0]),
        "no_data_selection",
    ),
    "district_bars": (empty_district_bars, "no_data_selection"),
    "trend_line": (
        lambda lang, theme: figures.trend_line(pd.Series(dtype="float64"), "L", "%", lang, theme),
        "no_data_selection",
    ),
    "output_and_share": (
        lambda lang, theme: hightech_section.output_and_share(output_frame().iloc[0:0], lang, theme),
        "no_data_selection",
    ),
    "tier_bars": (lambda lang, theme: pipeline_section.tier_bars(tier_counts() * 0, lang, theme), "no_data_selection"),
    "tier_trend": (lambda lang, theme: pipeline_section.tier_trend(tier_frame() * 0, lang, theme), "no_data_selection"),
    "tier_flows": (
        lambda lang, theme: pipeline_section.tier_flows(flows_frame().iloc[0:0], TIERS, 2007, 2008, lang, theme),
        "no_prev_year",
    ),
    "tiers_by_district": (empty_tiers_by_district, "no_data_selection"),
    "uptime_bars": (
        lambda lang, theme: build_uptime_bars(lang, theme, uptime_frame(lang).assign(uptime=None)),
        "no_stations",
    ),
    "uptime_heatmap": (
        lambda lang, theme: seismic_section.uptime_heatmap(monthly_frame() * np.nan, station_names(lang), lang, theme),
        "no_stations",
    ),
    "outage_timeline": (
        lambda lang, theme: seismic_section.outage_timeline(outages_frame(lang).iloc[0:0], lang, theme),
        "no_outages",
    ),
    "tile_map": (
        lambda lang, theme: overview_section.tile_map(tile_frame(lang).iloc[0:0], (), PATENTS, lang, theme),
        "no_data",
    ),
    "plan_and_peers": (empty_plan_and_peers, "no_data_selection"),
}


# --- JSON helpers -------------------------------------------------------------------------------


def _no_constants(name: str) -> Any:
    raise AssertionError(f"non-finite constant {name} in figure JSON")


def as_json(fig: figures.Fig) -> dict[str, Any]:
    """The figure as the browser receives it; NaN / Infinity tokens fail."""
    return json.loads(to_json_plotly(fig), parse_constant=_no_constants)


def decode(node: dict[str, Any]) -> np.ndarray:
    """A Plotly typed array ({'dtype': 'f8', 'bdata': base64, 'shape': ...}) as numpy."""
    return np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]).newbyteorder("<"))


def is_typed(node: Any) -> bool:
    return isinstance(node, dict) and "bdata" in node and "dtype" in node


def walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, leaf) for every leaf; typed arrays are decoded into their numbers."""
    if is_typed(node):
        for i, v in enumerate(decode(node).tolist()):
            yield f"{path}[{i}]", v
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")
    else:
        yield path, node


def array(value: Any) -> list[Any]:
    """A trace attribute from the JSON as a plain list (typed arrays decoded)."""
    if is_typed(value):
        return decode(value).tolist()
    return list(value)


def strings(fig: figures.Fig) -> list[str]:
    return [v for _, v in walk(as_json(fig)) if isinstance(v, str)]


def axis_title(fig_json: dict[str, Any], axis: str) -> str:
    return fig_json["layout"][axis]["title"]["text"]


def hline_ys(fig: figures.Fig) -> list[float]:
    return [s["y0"] for s in fig["layout"].get("shapes", []) if s["type"] == "line" and s["y0"] == s["y1"]]


# --- every builder ------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("builder", list(BUILDERS))
def test_builds_valid_small_json(builder, lang, theme):
    fig = BUILDERS[builder](lang, theme)
    assert set(fig) == {"data", "layout"}
    go.Figure(fig)  # plotly's own validators accept every property of the plain figure
    text = to_json_plotly(fig)
    assert len(text.encode()) < MAX_JSON, len(text.encode())
    assert '"histogram2dcontour"' not in text
    data = as_json(fig)
    for path, leaf in walk(data):
        if isinstance(leaf, float):
            assert np.isfinite(leaf), path
    template = data["layout"].get("template", {})
    assert not template.get("layout")
    for entries in template.get("data", {}).values():
        assert all(set(e) <= {"type"} for e in entries)  # plotly's own stub at most, never default styling
    assert data["layout"]["font"]["color"] == palette(theme)["text"]
    assert data["layout"]["font"]["family"] == FONT_FAMILY


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_english_figure_has_no_chinese(builder):
    for theme in THEMES:
        fig = BUILDERS[builder]("en", theme)
        chinese = [s for s in strings(fig) if CJK.search(s)]
        assert not chinese
    assert any(CJK.search(s) for s in strings(BUILDERS[builder]("zh", "light")))  # the check can fail


@pytest.mark.parametrize("builder", [b for b in BUILDERS if b != "empty_figure"])
def test_figures_are_not_marked_empty(builder):
    fig = BUILDERS[builder]("zh", "light")
    assert len(fig["data"]) > 0
    assert not (fig["layout"].get("meta") or {}).get("empty")


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_themes_differ(builder):
    light = as_json(BUILDERS[builder]("zh", "light"))
    dark = as_json(BUILDERS[builder]("zh", "dark"))
    assert light["layout"]["font"]["color"] != dark["layout"]["font"]["color"]


def test_unknown_theme_is_light():
    assert as_json(build_trend_line("zh", "neon"))["layout"] == as_json(build_trend_line("zh", "light"))["layout"]


def test_configured_axes_keep_the_theme_styling():
    grid = palette("dark")["grid"]
    lost = []
    for builder in CARTESIAN:
        layout = as_json(BUILDERS[builder]("zh", "dark"))["layout"]
        for axis in ("xaxis", "yaxis"):
            if layout[axis].get("visible", True) and layout[axis].get("gridcolor") != grid:
                lost.append(f"{builder}.{axis}")
    assert not lost


# --- empty state --------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("lang", LANGS)
def test_empty_figure(lang, theme):
    fig = figures.empty_figure(t("no_data", lang), theme)
    data = as_json(fig)
    assert data["data"] == []
    assert data["layout"]["meta"] == {"empty": True}
    notes = data["layout"]["annotations"]
    assert [a["text"] for a in notes] == [t("no_data", lang)]
    assert notes[0]["font"]["color"] == palette(theme)["muted"]
    assert data["layout"]["xaxis"]["visible"] is False
    assert data["layout"]["yaxis"]["visible"] is False


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("builder", list(EMPTY_INPUTS))
def test_empty_input_gives_empty_state(builder, lang):
    make, key = EMPTY_INPUTS[builder]
    for theme in THEMES:
        fig = make(lang, theme)
        data = as_json(fig)
        assert data["data"] == [], builder
        assert data["layout"]["meta"] == {"empty": True}
        assert [a["text"] for a in data["layout"]["annotations"]] == [figures.wrap(t(key, lang))]
        assert len(to_json_plotly(fig)) < 3000


# --- patents_trend ------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "unit"), [("zh", "件"), ("en", "patents")])
def test_patents_trend(lang, unit):
    fig = build_patents_trend(lang, "light")
    data = as_json(fig)
    assert [tr["type"] for tr in data["data"]] == ["bar", "bar", "bar", "scatter"]
    assert [tr["name"] for tr in data["data"]] == [
        t("invention", lang),
        t("utility", lang),
        t("design", lang),
        t("applications", lang),
    ]
    assert data["layout"]["barmode"] == "stack"
    assert axis_title(data, "yaxis") == unit
    assert data["layout"]["xaxis"]["tickvals"] == YEARS
    assert array(data["data"][3]["y"]) == patents_frame()["applications"].tolist()
    assert array(data["data"][0]["y"]) == patents_frame()["invention"].tolist()
    assert ("件" in data["data"][0]["hovertemplate"]) is (lang == "zh")


# --- district_bars ------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "unit"), [("zh", "件"), ("en", "patents")])
def test_district_bars_counts(lang, unit):
    data = as_json(build_district_bars(lang, "light"))
    assert [tr["type"] for tr in data["data"]] == ["bar", "bar"]
    assert [tr["name"] for tr in data["data"]] == [t("applications", lang), t("grants", lang)]
    assert axis_title(data, "yaxis") == unit
    assert data["layout"]["showlegend"] is True
    assert data["layout"]["clickmode"] == "event"
    apps = data["data"][0]
    order = sorted(range(len(CODES)), key=lambda i: -APPLICATIONS[i])
    assert array(apps["y"]) == [APPLICATIONS[i] for i in order]  # largest first
    expected = "13,328件" if lang == "zh" else "13,328"
    assert apps["text"][0] == expected


@pytest.mark.parametrize("lang", LANGS)
def test_district_bars_customdata_codes(lang):
    data = as_json(build_district_bars(lang, "light"))
    by_name = {v: k for k, v in names(lang).items()}
    for trace in data["data"]:
        codes = array(trace["customdata"])
        assert sorted(codes) == sorted(CODES)
        assert [by_name[n] for n in array(trace["x"])] == codes


def test_district_bars_highlight_selection():
    data = as_json(build_district_bars("zh", "light"))
    for trace in data["data"]:
        opacity = dict(zip(array(trace["customdata"]), array(trace["marker"]["opacity"]), strict=True))
        assert {c for c, o in opacity.items() if o == 1.0} == set(SELECTED)
        assert all(o < 1.0 for c, o in opacity.items() if c not in SELECTED)
    whole_city = as_json(build_district_bars("zh", "light", selected=()))
    assert set(array(whole_city["data"][0]["marker"]["opacity"])) == {1.0}


@pytest.mark.parametrize("lang", LANGS)
def test_district_bars_single_column_no_legend(lang):
    frame = district_frame(lang, share=SHARE)
    fig = figures.district_bars(
        frame,
        [("share", t("hightech_share", lang))],
        (),
        "%",
        lang,
        "dark",
        refs=[(28.7, t("city_line", lang, value="28.7%"), "ref"), (30.0, "T", "warn")],
    )
    data = as_json(fig)
    assert len(data["data"]) == 1
    assert data["layout"]["showlegend"] is False
    assert axis_title(data, "yaxis") == "%"
    assert max(array(data["data"][0]["y"])) == 36.0
    assert "36.0%" in data["data"][0]["text"]
    assert hline_ys(fig) == [28.7, 30.0]
    assert [a["text"] for a in fig["layout"]["annotations"]] == [t("city_line", lang, value="28.7%"), "T"]


@pytest.mark.parametrize(
    ("lang", "factor", "unit", "text"), [("zh", 1.0, "亿元", "758.9亿元"), ("en", 0.1, "CNY bn", "CNY 75.9 bn")]
)
def test_district_bars_scale_yuan(lang, factor, unit, text):
    frame = district_frame(lang, output=OUTPUT)
    fig = figures.district_bars(frame, [("output", "O")], SELECTED, "亿元", lang, "light", refs=[(300.0, "R", "ref")])
    data = as_json(fig)
    assert axis_title(data, "yaxis") == unit
    assert array(data["data"][0]["y"]) == pytest.approx([v * factor for v in sorted(OUTPUT, reverse=True)])
    assert data["data"][0]["text"][0] == text
    assert hline_ys(fig) == [pytest.approx(300.0 * factor)]


# --- trend_line ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_trend_line_with_floor(lang):
    fig = build_trend_line(lang, "light")
    data = as_json(fig)
    assert [tr["type"] for tr in data["data"]] == ["scatter"]
    assert axis_title(data, "yaxis") == "%"
    assert array(data["data"][0]["y"]) == pytest.approx(share_series().tolist())
    assert data["data"][0]["text"][-1] == "3.49%"
    assert hline_ys(fig) == [3.5]
    assert [a["text"] for a in fig["layout"]["annotations"]] == [t("too_low_line", lang)]
    assert fig["layout"]["shapes"][0]["line"]["color"] == palette("light")["bad"]
    assert data["layout"]["xaxis"]["tickvals"] == YEARS


@pytest.mark.parametrize(("lang", "factor", "unit"), [("zh", 1.0, "亿元"), ("en", 0.1, "CNY bn")])
def test_trend_line_scale_yuan(lang, factor, unit):
    series = output_frame().set_index("year")["output"]
    fig = figures.trend_line(series, "O", "亿元", lang, "dark", refs=[(3000.0, "R", "ref")])
    data = as_json(fig)
    assert axis_title(data, "yaxis") == unit
    assert array(data["data"][0]["y"]) == pytest.approx([v * factor for v in series])
    assert data["data"][0]["text"][-1] == ("3,429亿元" if lang == "zh" else "CNY 342.9 bn")
    assert hline_ys(fig) == [pytest.approx(3000.0 * factor)]


# --- output_and_share ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "factor", "text"), [("zh", 1.0, "3,429亿元"), ("en", 0.1, "CNY 342.9 bn")])
def test_output_and_share(lang, factor, text):
    data = as_json(hightech_section.output_and_share(output_frame(), lang, "light"))
    bar, line = data["data"]
    assert (bar["type"], line["type"]) == ("bar", "scatter")
    assert line["yaxis"] == "y2"
    assert axis_title(data, "yaxis") == t("output_axis", lang)
    assert axis_title(data, "yaxis2") == t("share_axis", lang)
    assert ("亿元" in axis_title(data, "yaxis")) is (lang == "zh")
    assert ("CNY bn" in axis_title(data, "yaxis")) is (lang == "en")
    assert "%" in axis_title(data, "yaxis2")
    assert array(bar["y"]) == pytest.approx([v * factor for v in output_frame()["output"]])
    assert bar["text"][-1] == text
    assert array(line["y"]) == pytest.approx(output_frame()["share"].tolist())  # % is never scaled
    assert line["text"][-1] == "28.7%"
    assert (bar["name"], line["name"]) == (t("hightech_output", lang), t("hightech_share", lang))


# --- pipeline -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "unit", "text"), [("zh", "家", "930家"), ("en", "firms", "930")])
def test_tier_bars(lang, unit, text):
    data = as_json(pipeline_section.tier_bars(tier_counts(), lang, "light"))
    (bar,) = data["data"]
    assert bar["type"] == "bar"
    assert bar["orientation"] == "h"
    assert axis_title(data, "xaxis") == unit
    labels = [t(f"tier_{tier}", lang) for tier in TIERS]
    assert bar["y"] == labels[::-1]  # reversed axis: national firms drawn on top
    assert data["layout"]["yaxis"]["autorange"] == "reversed"
    assert array(bar["x"]) == tier_counts().tolist()[::-1]
    assert text in bar["text"]
    assert ("家" in bar["hovertemplate"]) is (lang == "zh")


@pytest.mark.parametrize(("lang", "unit"), [("zh", "家"), ("en", "firms")])
def test_tier_trend(lang, unit):
    data = as_json(pipeline_section.tier_trend(tier_frame(), lang, "dark"))
    assert [tr["type"] for tr in data["data"]] == ["scatter"] * 5
    assert [tr["name"] for tr in data["data"]] == [t(f"tier_short_{tier}", lang) for tier in TIERS]  # legend names
    assert axis_title(data, "yaxis") == unit
    assert array(data["data"][1]["y"]) == tier_frame()["hightech_enterprise"].tolist()
    assert data["layout"]["xaxis"]["tickvals"] == YEARS


@pytest.mark.parametrize("lang", LANGS)
def test_tier_flows(lang):
    data = as_json(pipeline_section.tier_flows(flows_frame(), TIERS, 2011, 2012, lang, "light"))
    (sankey,) = data["data"]
    assert sankey["type"] == "sankey"
    labels = sankey["node"]["label"]
    assert len(labels) == 12  # new + 5 tiers | 5 tiers + lost
    assert labels[0] == t("new_cert", lang)
    assert labels[-1] == t("lost_cert", lang)
    assert labels[2] == t("tier_hightech_enterprise", lang) + t("prev_year_suffix", lang, year=2011)
    assert labels[7] == t("tier_hightech_enterprise", lang) + t("prev_year_suffix", lang, year=2012)
    assert len(sankey["node"]["color"]) == 12
    assert array(sankey["link"]["value"]) == flows_frame()["count"].tolist()
    assert len(array(sankey["link"]["source"])) == len(flows_frame())
    assert all(
        s < 6 <= d for s, d in zip(array(sankey["link"]["source"]), array(sankey["link"]["target"]), strict=True)
    )


@pytest.mark.parametrize(("lang", "unit"), [("zh", "家"), ("en", "firms")])
def test_tiers_by_district(lang, unit):
    fig = build_tiers_by_district(lang, "light")
    data = as_json(fig)
    assert [tr["type"] for tr in data["data"]] == ["bar"] * 5
    assert data["layout"]["barmode"] == "stack"
    assert data["layout"]["clickmode"] == "event"
    assert axis_title(data, "yaxis") == unit
    by_name = {v: k for k, v in names(lang).items()}
    totals = tiers_district_frame().sum(axis=1)
    for trace in data["data"]:
        cells = array(trace["customdata"])  # [district code, its firms of this tier as a drill-down]
        codes = [c[0] for c in cells]
        tiers = {c[1].split("tier=")[1].split("&")[0] for c in cells}
        assert len(tiers) == 1  # one tier per trace
        assert [c[1] for c in cells] == [f"drill:enterprises:tier={next(iter(tiers))}&district={c}" for c in codes]
        assert sorted(codes) == sorted(CODES)
        assert [by_name[n] for n in trace["x"]] == codes
        assert [totals[c] for c in codes] == sorted(totals, reverse=True)
        opacity = dict(zip(codes, array(trace["marker"]["opacity"]), strict=True))
        assert {c for c, o in opacity.items() if o == 1.0} == set(SELECTED)
    whole_city = as_json(build_tiers_by_district(lang, "light", selected=()))
    assert set(array(whole_city["data"][0]["marker"]["opacity"])) == {1.0}


# --- seismic ------------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("lang", LANGS)
def test_uptime_bars(lang, theme):
    fig = build_uptime_bars(lang, theme)
    data = as_json(fig)
    (bar,) = data["data"]
    assert bar["type"] == "bar"
    assert axis_title(data, "yaxis") == t("uptime_axis", lang)
    assert data["layout"]["yaxis"]["ticksuffix"] == "%"
    pct = [u * 100 for u in uptime_frame(lang)["uptime"]]
    assert array(bar["y"]) == pytest.approx(pct)
    assert bar["text"][0] == "100.00%"
    p = palette(theme)
    assert bar["marker"]["color"] == [p["good"] if v >= 99.9 else p["warn"] for v in pct]
    assert hline_ys(fig) == [99.9]
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["99.9%"]
    low, high = data["layout"]["yaxis"]["range"]
    assert low < min(pct)
    assert high >= 100


def test_uptime_bars_drops_stations_out_of_service():
    frame = uptime_frame("en")
    frame.loc[0, "uptime"] = None
    data = as_json(build_uptime_bars("en", "light", frame))
    assert len(data["data"][0]["x"]) == len(frame) - 1
    assert frame.loc[0, "name"] not in data["data"][0]["x"]


@pytest.mark.parametrize(("lang", "month"), [("zh", "1月"), ("en", "1")])
def test_uptime_heatmap(lang, month):
    data = as_json(seismic_section.uptime_heatmap(monthly_frame(), station_names(lang), lang, "light"))
    (heat,) = data["data"]
    assert heat["type"] == "heatmap"
    assert heat["x"][0] == month
    assert len(heat["x"]) == 12
    assert heat["y"] == station_names(lang)
    assert axis_title(data, "xaxis") == t("month_axis", lang)
    z = np.array(array(heat["z"])).reshape(12, 12)
    assert z == pytest.approx((monthly_frame().to_numpy() * 100).round(3))
    assert (heat["zmin"], heat["zmax"]) == (99.0, 100.0)
    assert heat["colorbar"]["ticksuffix"] == "%"


def test_uptime_heatmap_out_of_service_months():
    """Months before commissioning show '—' and are gaps; the JSON itself holds no NaN token."""
    fig = seismic_section.uptime_heatmap(monthly_frame(missing=True), station_names("en"), "en", "dark")
    data = as_json(fig)
    heat = data["data"][0]
    assert heat["text"][0][:6] == ["—"] * 6
    assert heat["text"][0][6].endswith("%")
    z = heat["z"]
    assert z[0][:6] == [None] * 6  # null in the JSON (never a NaN token): plotly.js draws a gap
    assert all(isinstance(v, float) and np.isfinite(v) for row in z[1:] for v in row)


@pytest.mark.parametrize("lang", LANGS)
def test_outage_timeline(lang):
    frame = outages_frame(lang)
    data = as_json(seismic_section.outage_timeline(frame, lang, "light"))
    assert [tr["type"] for tr in data["data"]] == ["bar"] * len(CAUSES)
    assert [tr["name"] for tr in data["data"]] == [t(f"cause_{c}", lang) for c in CAUSES]
    assert data["layout"]["xaxis"]["type"] == "date"
    assert sum(len(tr["y"]) for tr in data["data"]) == len(frame)
    first = data["data"][0]
    assert first["orientation"] == "h"
    assert first["base"][0] == "2012-01-03T04:00:00"
    assert array(first["x"])[0] >= 4 * 3600 * 1000  # short outages stay visible
    for word in ("start", "duration", "hours"):
        assert t(word, lang) in first["hovertemplate"]


@pytest.mark.parametrize("lang", LANGS)
def test_outage_timeline_carries_its_data_table(lang):
    """The chart's text alternative: one row per outage in time order, with the real start and duration."""
    frame = outages_frame(lang).sample(frac=1, random_state=3)  # any order in, time order out
    table = seismic_section.outage_timeline(frame, lang, "light")["layout"]["meta"]["table"]
    assert table["columns"][:3] == [t("station_axis", lang), t("cause", lang), t("start", lang)]
    assert t("hours", lang) in table["columns"][3]
    assert len(table["rows"]) == len(frame)
    assert [r[2] for r in table["rows"]] == sorted(r[2] for r in table["rows"])
    first = table["rows"][0]
    assert first == [station_names(lang)[0], t(f"cause_{CAUSES[0]}", lang), "2012-01-03 04:00", 0.5]
    json.dumps(table)  # plain JSON (the page reads it)


# --- tile map -----------------------------------------------------------------------------------


def _cell(grid: list[list[Any]], code: str) -> Any:
    row, col = next((r, c) for c0, _, _, r, c in DISTRICTS if c0 == code)
    return grid[row][col]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("lang", LANGS)
def test_tile_map(lang, theme):
    data = as_json(build_tile_map(lang, theme))
    (tiles,) = data["data"]
    assert tiles["type"] == "heatmap"
    assert data["layout"]["clickmode"] == "event"
    grid = tiles["customdata"]
    for code, *_ in DISTRICTS:
        assert _cell(grid, code) == code
    assert sum(cell is not None for row in grid for cell in row) == len(CODES)
    assert _cell(tiles["text"], "330212") == ("鄞州区<br>758.9亿元" if lang == "zh" else "Yinzhou<br>CNY 75.9 bn")
    assert _cell(tiles["hovertext"], "330212") == _cell(tiles["text"], "330212")  # short names: nothing cut
    assert tiles["showscale"] is False  # each tile shows its value and unit: no colour bar to redraw
    assert t("hightech_output", lang) in tiles["hovertemplate"]
    assert data["layout"]["yaxis"]["scaleanchor"] == "x"  # square tiles at any size
    outlines = data["layout"]["shapes"]
    assert len(outlines) == len(SELECTED)
    assert {s["line"]["color"] for s in outlines} == {palette(theme)["selected_line"]}
    for shape in outlines:  # each outline surrounds the tile of a selected district
        col, row = (shape["x0"] + shape["x1"]) / 2, (shape["y0"] + shape["y1"]) / 2
        assert next(c for c, _, _, r, cc in DISTRICTS if (r, cc) == (row, col)) in SELECTED


def test_tile_map_no_selection_no_highlight():
    layout = as_json(build_tile_map("zh", "light", selected=()))["layout"]
    assert not layout.get("shapes")


def test_tile_map_district_without_data():
    values: list[float | None] = list(OUTPUT)
    values[2] = None
    data = as_json(overview_section.tile_map(tile_frame("en", values), (), PATENTS, "en", "light"))
    tiles = data["data"][0]
    assert _cell(tiles["text"], "330205") == "Jiangbei<br>—"
    assert _cell(tiles["z"], "330205") is None  # a gap, not a colour
    assert _cell(tiles["z"], "330212") == pytest.approx(OUTPUT[5])
    assert tiles["hoverongaps"] is False
    assert _cell(tiles["text"], "330212") == "Yinzhou<br>759"  # a count: the picker above names what of


def test_tile_map_all_values_missing():
    """No district has a value (e.g. an annual indicator in a view of this year's months): Plotly would draw an
    empty canvas, so the map says so instead."""
    data = as_json(overview_section.tile_map(tile_frame("zh", [None] * len(CODES)), (), PATENTS, "zh", "light"))
    assert data["layout"]["meta"]["empty"] is True
    assert [a["text"] for a in data["layout"]["annotations"]] == ["所选区县和年份无数据"]
    one = [None] * (len(CODES) - 1) + [3.0]  # one value is enough to draw the tiles
    assert "z" in as_json(overview_section.tile_map(tile_frame("zh", one), (), PATENTS, "zh", "light"))["data"][0]


def test_tile_map_english_colour_scale_in_cny_bn():
    tiles = as_json(build_tile_map("en", "light"))["data"][0]
    assert all(s.endswith(" bn") for row in tiles["text"] for s in row if s)
    for (code, *_), value in zip(DISTRICTS, OUTPUT, strict=True):
        assert _cell(tiles["z"], code) == pytest.approx(value * 0.1)


# --- plan_and_peers -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_plan_and_peers(lang):
    data = as_json(build_plan_and_peers(lang, "light"))
    assert [tr["type"] for tr in data["data"]] == ["scatter"] * 4  # series, plan target, two peers
    series, goal, *peers = data["data"]
    assert array(series["y"]) == pytest.approx(rd_series().tolist())
    assert series["text"][-1] == "1.95%"
    assert goal["name"] == goal_label(lang)
    assert array(goal["x"]) == [2012, 2015]
    assert array(goal["y"]) == pytest.approx([1.95, 2.5])
    assert sorted(p["name"] for p in peers) == sorted(peers_frame(lang)["name"])
    assert axis_title(data, "yaxis") == "%"
    assert data["layout"]["xaxis"]["tickvals"] == [*YEARS, 2015]


def test_plan_and_peers_without_goal_or_peers():
    data = as_json(
        overview_section.plan_and_peers(rd_series(), "R&D", "%", None, "", peers_frame("en").iloc[0:0], "en", "dark")
    )
    assert len(data["data"]) == 1
    assert data["layout"]["xaxis"]["tickvals"] == YEARS


def test_plan_and_peers_english_yuan_scaled():
    series = output_frame().set_index("year")["output"]
    data = as_json(
        overview_section.plan_and_peers(
            series, "O", "亿元", (4000.0, 2015), "T", peers_frame("en").iloc[0:0], "en", "light"
        )
    )
    assert axis_title(data, "yaxis") == "CNY bn"
    assert array(data["data"][0]["y"]) == pytest.approx([v * 0.1 for v in series])


# --- many districts and stations, long names ----------------------------------------------------------------

LONG = "Zhongxin Economic and Technological Development Zone"


def many_frame(n: int, lang: str = "en") -> pd.DataFrame:
    codes = [f"3388{i:02d}" for i in range(1, n + 1)]
    names_ = [LONG if i == 0 else f"District {i}" for i in range(n)]
    return pd.DataFrame({"district": codes, "name": names_, "value": [float(100 + i) for i in range(n)]})


@pytest.mark.parametrize("n", [11, 13, 30])
def test_district_bars_turn_horizontal_with_many_districts(n: int) -> None:
    data = as_json(figures.district_bars(many_frame(n), [("value", "V")], (), "件", "en", "light"))
    (bar,) = data["data"]
    flat = n > figures.MANY
    assert bar["orientation"] == ("h" if flat else "v")
    axis = data["layout"]["yaxis" if flat else "xaxis"]
    assert axis["tickvals"] == list(many_frame(n).sort_values("value", ascending=False)["name"])
    assert len(axis["ticktext"]) == n  # every district labelled (dtick 1), none skipped
    assert axis["dtick"] == 1
    long_tick = axis["ticktext"][axis["tickvals"].index(LONG)]
    assert long_tick.endswith("…")
    assert len(long_tick) < len(LONG)
    assert "%{y}" in bar["hovertemplate"] if flat else "%{x}" in bar["hovertemplate"]  # hover: the full name


def test_abbreviate_counts_cjk_twice() -> None:
    assert figures.abbreviate("海曙区", 6) == "海曙区"
    assert figures.abbreviate("东北经济技术开发区", 10) == "东北经济…"
    assert figures.abbreviate("Shangcheng", 12) == "Shangcheng"
    assert figures.abbreviate("Shangcheng District", 12) == "Shangcheng…"


def test_label_room_grows_when_few_bars_share_the_width() -> None:
    assert figures.label_room(2, False) == 20
    assert figures.label_room(11, False) == 12
    assert figures.label_room(30, True) == 18


@pytest.mark.parametrize(
    ("names", "tile", "fits"),
    [
        (["鄞州区", "Yinzhou"], 60.0, True),
        (["Shangcheng", "Xiacheng"], 60.0, True),
        (["Zhongxin Economic and Technological Development Zone"], 70.0, True),
        (["东北经济技术开发区"], 50.0, True),
    ],
)
def test_tile_labels_fit_their_tile(names: list[str], tile: float, fits: bool) -> None:
    size, labels = overview_section.tile_labels(names, tile)
    assert 9 <= size <= 12
    for label in labels:
        assert (figures.text_width(label, size) <= tile * 0.86) is fits, (label, size)


def test_tile_map_hover_keeps_the_full_name() -> None:
    frame = pd.DataFrame(
        {
            "district": ["338801", "338802"],
            "tile_row": [0, 0],
            "tile_col": [0, 1],
            "value": [1.0, 2.0],
            "name": [LONG, "Short"],
        }
    )
    tiles = as_json(overview_section.tile_map(frame, (), PATENTS, "en", "light", canvas=(300, 200)))["data"][0]
    assert tiles["hovertext"][0][0].startswith(LONG)
    assert tiles["text"][0][0].split("<br>")[0].endswith("…")


def test_fit_to_size_shrinks_dense_category_labels() -> None:
    fig = figures.district_bars(many_frame(30), [("value", "V")], (), "件", "en", "projector")
    fitted = figures.fit_to_size(fig, 800, 600)
    assert fitted["layout"]["width"] == 800
    assert fitted["layout"]["height"] == 600
    assert fitted["layout"]["yaxis"]["tickfont"]["size"] <= 600 * 0.8 / 30
    few = figures.fit_to_size(build_district_bars("en", "light"), 800, 600)
    assert "tickfont" not in few["layout"]["xaxis"]  # eleven districts: the theme's size stays


def test_output_and_share_without_share_has_one_axis() -> None:
    data = as_json(hightech_section.output_and_share(output_frame().drop(columns=["share"]), "zh", "light"))
    assert [tr["type"] for tr in data["data"]] == ["bar"]
    assert "yaxis2" not in data["layout"]


def test_indicator_trend_in_its_own_unit() -> None:
    info_ = {"unit_zh": "万人", "unit_en": "10k people", "name_zh": "科技人员", "name_en": "S&T staff"}
    zh = as_json(figures.indicator_trend(pd.Series([1.5, 2.0], index=[2011, 2012]), info_, "zh", "light"))
    assert zh["data"][0]["text"] == ["1.50万人", "2万人"]
    assert axis_title(zh, "yaxis") == "万人"
    en = as_json(figures.indicator_trend(pd.Series([1.5, 2.0], index=[2011, 2012]), info_, "en", "light"))
    assert en["data"][0]["text"] == ["1.50 10k people", "2 10k people"]
    assert axis_title(en, "yaxis") == "10k people"


def test_patents_trend_with_invention_and_other_grants() -> None:
    frame = patents_frame().assign(other=lambda f: f["utility"] + f["design"])
    bars = [("invention", "Invention"), ("other", "Other grants")]
    data = as_json(patents_section.patents_trend(frame, bars, ("applications", "Applications"), "en", "light"))
    assert [tr["name"] for tr in data["data"]] == ["Invention", "Other grants", "Applications"]
    assert array(data["data"][1]["y"]) == frame["other"].tolist()


def test_wrap_breaks_long_messages_for_narrow_cards() -> None:
    assert figures.wrap("No data") == "No data"
    text = "High-tech enterprises' revenue (Jan–Nov) is published for the whole city only"
    lines = figures.wrap(text).split("<br>")
    assert " ".join(lines) == text
    assert all(len(line) <= 30 for line in lines)
    first = figures.wrap("高新技术企业主营业务收入（1–11月）仅有全市数据").split("<br>")[0]
    assert first == "高新技术企业主营业务收入（1–11"  # 30 cells: 13 wide characters and four narrow ones
