"""The KPI strip (components/charts/kpis.py): the pure model against the sample's published 2012 figures,
and the card's data-* attributes (../shared/DESIGN.md §3 "KPI cards")."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from components.charts.kpis import DEFAULT_KPIS as KPI_INDICATORS
from components.charts.kpis import Kpi, kpi_card, kpi_models
from components.core.i18n import DASH, t
from data import aggregate as agg
from data.load import Dataset, load_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
from oracle import CJK  # noqa: E402  (ideographs and CJK / full-width punctuation)

NAN_INF = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)
TEXT_FIELDS = ("label", "value_text", "change_text", "target_text", "completion_text", "note")
SELECTION = ("330212", "330281")
EXPECTED_2012 = {  # the city's 2012 work report, as bundled in the sample
    "patent_applications": 73647,
    "patent_grants": 59175,
    "invention_grants": 2065,
    "hightech_output": 3429,
    "hightech_enterprises": 930,
    "rd_intensity": 1.95,
}


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def models(ds) -> Callable[..., dict[str, Kpi]]:
    """kpi_models by indicator, memoised per (year, districts, lang) for the module (the models are frozen)."""
    seen: dict[tuple[int, tuple[str, ...], str], dict[str, Kpi]] = {}

    def get(year: int, districts: tuple[str, ...] = (), lang: str = "zh") -> dict[str, Kpi]:
        key = (year, districts, lang)
        if key not in seen:
            seen[key] = {k.indicator: k for k in kpi_models(ds, year, districts, lang)}
        return seen[key]

    return get


@pytest.fixture(scope="module")
def city_2012(models) -> dict[str, Kpi]:
    return models(2012)


@pytest.fixture(scope="module")
def city_2012_en(models) -> dict[str, Kpi]:
    return models(2012, (), "en")


def texts(k: Kpi) -> list[str]:
    return [getattr(k, f) for f in TEXT_FIELDS]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every component's props in a to_plotly_json() tree."""
    if hasattr(node, "to_plotly_json"):
        node = node.to_plotly_json()
    if isinstance(node, dict) and "props" in node:
        yield node["props"]
        yield from walk(node["props"].get("children"))
    elif isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)


def card_text(node: Any) -> str:
    parts: list[str] = []
    for props in walk(node):
        children = props.get("children")
        for c in children if isinstance(children, list) else [children]:
            if isinstance(c, str):
                parts.append(c)
    return " ".join(parts)


# --- the model ----------------------------------------------------------------------------------


def test_indicators_in_order(models):
    assert KPI_INDICATORS == (
        "patent_applications",
        "patent_grants",
        "invention_grants",
        "hightech_output",
        "hightech_share",
        "hightech_enterprises",
        "rd_intensity",
        "network_uptime",
    )
    for lang in ("zh", "en"):
        for districts in ((), SELECTION):
            assert list(models(2012, districts, lang)) == list(KPI_INDICATORS)


@pytest.mark.parametrize(("indicator", "expected"), sorted(EXPECTED_2012.items()))
def test_city_2012_values(city_2012, indicator, expected):
    assert city_2012[indicator].value == pytest.approx(expected, abs=1e-9)


def test_city_2012_hightech_share(city_2012):
    k = city_2012["hightech_share"]
    assert k.value == pytest.approx(28.7, abs=0.01)
    assert k.value != round(k.value, 1)  # the raw ratio, not the rounded text
    assert k.value_text == "28.7%"


def test_city_2012_network_uptime(city_2012):
    k = city_2012["network_uptime"]
    assert k.value is not None
    assert 99.9 <= k.value <= 100
    assert k.value_text == f"{k.value:.2f}%"
    assert k.note == t("kpi_stations", "zh", n=12)


def test_city_2012_value_texts(city_2012, city_2012_en):
    assert city_2012["patent_applications"].value_text == "73,647件"
    assert city_2012["hightech_output"].value_text == "3,429亿元"
    assert city_2012["rd_intensity"].value_text == "1.95%"
    assert city_2012_en["patent_applications"].value_text == "73,647"
    assert city_2012_en["hightech_output"].value_text == "CNY 342.9 bn"


def test_patent_applications_change(city_2012):
    k = city_2012["patent_applications"]
    assert k.change == pytest.approx(0.5478, abs=0.0001)
    assert k.change_text == "同比 +54.78%"
    assert (k.direction, k.good) == ("up", True)


def test_relative_change_is_value_over_previous(ds, models, city_2012):
    before = models(2011, (), "zh")
    for ind in ("patent_applications", "patent_grants", "invention_grants", "hightech_output", "hightech_enterprises"):
        now, prev = city_2012[ind], before[ind]
        assert now.change == pytest.approx(now.value / prev.value - 1, abs=1e-8), ind
        assert now.change_text.endswith("%"), ind
        assert agg.reading(ds, ind, 2012).change_kind == "pct"


def test_ratio_change_is_in_points(ds, models, city_2012, city_2012_en):
    before = models(2011, (), "zh")
    for ind in ("hightech_share", "rd_intensity", "network_uptime"):
        now, prev = city_2012[ind], before[ind]
        assert now.change == pytest.approx(now.value - prev.value, abs=1e-8), ind
        assert now.change_text.endswith("个百分点"), now.change_text
        assert city_2012_en[ind].change_text.endswith(" pp"), city_2012_en[ind].change_text
    share = city_2012["hightech_share"]
    assert share.change == pytest.approx(2.28, abs=0.005)
    assert share.change_text == "同比 +2.28个百分点"
    assert city_2012_en["hightech_share"].change_text == "YoY +2.28 pp"
    assert agg.reading(ds, "hightech_share", 2012).change_kind == "pp"


def test_invention_grants_note(city_2012, city_2012_en):
    note = city_2012["invention_grants"].note
    assert "3.49%" in note
    assert "低于3.5%" in note
    assert "3.49%" in city_2012_en["invention_grants"].note
    assert "below 3.5%" in city_2012_en["invention_grants"].note


def test_invention_share_above_floor_has_no_warning(models):
    k = models(2012, SELECTION, "zh")["invention_grants"]
    assert "3.55%" in k.note
    assert "低于" not in k.note


def test_rank_notes_for_the_city_only(models, city_2012):
    assert city_2012["patent_applications"].note == "副省级城市排名第1位"
    sel = models(2012, SELECTION, "zh")
    assert sel["patent_applications"].note == ""


def test_target_and_completion(city_2012):
    k = city_2012["patent_applications"]
    assert k.target_text == "目标 73,200件"
    assert k.completion == pytest.approx(73647 / 73200)
    assert k.completion_text == "完成 100.6%"
    rd = city_2012["rd_intensity"]
    assert rd.target_text == "“十二五”目标 2.50%（2015年）"  # the plan's name comes from dataset.json
    assert rd.completion == pytest.approx(1.95 / 2.5)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rd_intensity_for_districts_is_city_only(models, lang):
    k = models(2012, SELECTION, lang)["rd_intensity"]
    assert k.value is None
    assert k.change is None
    assert k.value_text == DASH
    assert k.note == t("kpi_city_only", lang)
    assert (k.direction, k.good, k.completion) == ("", None, None)


def test_district_selection_sums(ds, models):
    sel = models(2012, SELECTION, "zh")
    for ind in ("patent_applications", "patent_grants", "invention_grants", "hightech_output"):
        parts = [agg.value(ds, ind, 2012, (code,)) for code in SELECTION]
        assert sel[ind].value == pytest.approx(sum(parts)), ind
    assert sel["network_uptime"].value is not None


# --- the first year: no previous year -----------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("indicator", KPI_INDICATORS)
def test_first_year_has_no_change(models, indicator, lang):
    k = models(2008, (), lang)[indicator]
    assert k.value is not None
    assert k.change is None
    assert DASH in k.change_text
    assert k.change_text == t("kpi_no_prev", lang)
    assert (k.direction, k.good) == ("", None)


@pytest.mark.parametrize("year", [2008, 2009, 2012])
@pytest.mark.parametrize("districts", [(), SELECTION, ("330283",)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_nan_or_inf_text(models, year, districts, lang):
    for k in models(year, districts, lang).values():
        for text in texts(k):
            assert not NAN_INF.search(text), (k.indicator, text)
        for number in (k.value, k.change, k.completion):
            assert number is None or math.isfinite(number), k


def test_year_without_any_data(models):
    """A year outside the dataset: no values, no changes, nothing that says nan."""
    for k in models(1999, (), "en").values():
        assert k.change is None, k.indicator
        for text in texts(k):
            assert not NAN_INF.search(text)
        if k.indicator != "network_uptime":
            assert k.value is None
            assert k.value_text == DASH


# --- language -----------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2008, 2012])
@pytest.mark.parametrize("districts", [(), SELECTION])
def test_english_has_no_chinese(models, year, districts):
    for k in models(year, districts, "en").values():
        for text in texts(k):
            assert not CJK.search(text), (k.indicator, text)


def test_chinese_labels(city_2012):
    assert city_2012["patent_applications"].label == "专利申请量"
    assert city_2012["network_uptime"].label == "地震台网运行率"


# --- the card -----------------------------------------------------------------------------------


def card_props(k: Kpi) -> dict[str, Any]:
    return kpi_card(k).to_plotly_json()["props"]


def test_card_attributes_full_precision(city_2012):
    for ind, k in city_2012.items():
        props = card_props(k)
        assert props["data-indicator"] == ind
        assert props["id"] == f"kpi-{ind}"
        assert float(props["data-value"]) == k.value
        assert float(props["data-yoy"]) == k.change
    share = card_props(city_2012["hightech_share"])
    assert share["data-value"] == repr(city_2012["hightech_share"].value)
    assert share["data-value"] != "28.7"
    assert float(card_props(city_2012["patent_applications"])["data-yoy"]) == pytest.approx(0.5478, abs=1e-4)


def test_card_attributes_empty_when_none(models):
    props = card_props(models(2012, SELECTION, "zh")["rd_intensity"])
    assert props["data-indicator"] == "rd_intensity"
    assert props["data-value"] == ""
    assert props["data-yoy"] == ""
    first = card_props(models(2008, (), "zh")["patent_applications"])
    assert first["data-value"] == "21934.0"
    assert first["data-yoy"] == ""


def test_card_attributes_are_strings(city_2012):
    for k in city_2012.values():
        props = card_props(k)
        for attr in ("data-indicator", "data-value", "data-yoy"):
            assert isinstance(props[attr], str)


def test_card_shows_the_texts(city_2012):
    k = city_2012["invention_grants"]
    text = card_text(kpi_card(k))
    for part in (k.label, k.value_text, k.change_text, k.target_text, k.note):
        assert part in text
    assert "▲" in text


def test_card_without_value_shows_dash(models):
    k = models(2012, SELECTION, "en")["rd_intensity"]
    text = card_text(kpi_card(k))
    assert DASH in text
    assert t("kpi_city_only", "en") in text
    assert not NAN_INF.search(text)
    assert not any("kpi-progress" in str(p.get("className", "")) for p in walk(kpi_card(k)))


def test_card_progress_bar_is_clamped(city_2012):
    """Completion above 100% fills the bar, never overflows it."""
    k = city_2012["patent_applications"]
    assert k.completion > 1
    bars = [p for p in walk(kpi_card(k)) if p.get("role") == "progressbar"]
    assert len(bars) == 1
    assert bars[0]["aria-valuenow"] == "100"


def _shape(node: Any) -> Any:
    """A component tree's element structure: types and nesting, not texts or attributes."""
    if hasattr(node, "to_plotly_json"):
        node = node.to_plotly_json()
    if isinstance(node, dict) and "props" in node:
        children = node["props"].get("children")
        kids = children if isinstance(children, list) else [children]
        return (node["type"], tuple(_shape(c) for c in kids if isinstance(c, dict) or hasattr(c, "to_plotly_json")))
    return None


def test_a_card_keeps_its_shape_with_or_without_a_target(models, city_2012):
    """A filter change repaints the cards in place (assets/app.js), which needs the same elements in each."""
    with_target = city_2012["patent_applications"]
    without = models(2012, SELECTION, "en")["rd_intensity"]
    assert with_target.target_text
    assert not without.target_text
    assert _shape(kpi_card(with_target)) == _shape(kpi_card(without))
    bars = [p for p in walk(kpi_card(without)) if p.get("role") == "progressbar"]
    assert [b["hidden"] for b in bars] == [True]
    assert [p["hidden"] for p in walk(kpi_card(with_target)) if p.get("role") == "progressbar"] == [False]
