"""Chart data, not only chart shape: which value goes to which bar, trace, Sankey link or heatmap cell.

Every chart of every section, on every fixture, for the whole city and a district selection, is compared
with an independent computation from the fixture's CSV files (tests/oracle.py: csv module only).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest
from oracle import DATASETS, TIER_IDS, TIERS, Oracle, oracle
from plotly.io.json import to_json_plotly

from components.charts.figures import EVENTS_UID
from components.core.state import View
from components.sections import section
from components.sections.overview import map_choice
from data.load import Dataset, load_dataset

TOL = 1e-6


def arr(node: Any) -> list[Any]:
    """A plotly array from figure JSON (typed arrays decoded)."""
    if isinstance(node, dict) and "bdata" in node:
        flat = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]).newbyteorder("<"))
        shape = node.get("shape")
        if shape:
            dims = [int(x) for x in str(shape).split(",")]
            return flat.reshape(dims).tolist()
        return flat.tolist()
    return list(node) if node is not None else []


def close(a: float | None, b: float | None, tol: float = TOL) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(b))


def figures_of(ds: Dataset, key: str, view: View) -> dict[str, dict[str, Any]]:
    """The section's charts as the browser receives them, less their events trace (markers that hold no
    numbers; tests/unit/test_events.py checks them)."""
    sec = section(key)
    result = json.loads(to_json_plotly(sec.compute(ds, view)))
    for fig in result.values():
        if isinstance(fig, dict) and isinstance(fig.get("data"), list):
            fig["data"] = [tr for tr in fig["data"] if tr.get("uid") != EVENTS_UID]
    return {g.id: result[g.id] for g in sec.graphs(ds)}


def by_code(trace: dict[str, Any]) -> dict[str, float]:
    """A bar trace's values keyed by the district code each bar carries."""
    codes = [c[0] if isinstance(c, list) else c for c in arr(trace["customdata"])]
    values = arr(trace["x"] if trace.get("orientation") == "h" else trace["y"])
    return dict(zip(codes, values, strict=True))


def by_year(trace: dict[str, Any]) -> dict[int, float]:
    return {int(x): y for x, y in zip(arr(trace["x"]), arr(trace["y"]), strict=True)}


def assert_series(trace: dict[str, Any], expected: dict[int, float]) -> None:
    got = by_year(trace)
    assert set(got) == set(expected), (sorted(got), sorted(expected))
    for year, value in expected.items():
        assert close(got[year], value), (year, got[year], value)


def assert_by_district(trace: dict[str, Any], expected: dict[str, float]) -> None:
    got = by_code(trace)
    assert set(got) == set(expected)
    for code, value in expected.items():
        assert close(got[code], value), (code, got[code], value)


CASES = [(name, sel) for name in DATASETS for sel in ("city", "two")]


@pytest.fixture(scope="module")
def loaded() -> dict[str, tuple[Dataset, Oracle]]:
    return {name: (load_dataset(path), oracle(path)) for name, path in DATASETS.items()}


def view_for(ds: Dataset, sel: str) -> View:
    districts = () if sel == "city" else tuple(sorted(ds.district_codes[1:3]))
    return View(ds.years[-1], districts, "zh")


@pytest.mark.parametrize(("name", "sel"), CASES)
def test_overview_charts(loaded, name: str, sel: str) -> None:
    ds, o = loaded[name]
    view = view_for(ds, sel)
    figs = figures_of(ds, "overview", view)
    tiles = figs["overview-map-graph"]["data"][0]
    indicator = map_choice(ds, view)
    expected = o.by_district(indicator, view.year)
    grid, codes = arr(tiles["z"]), arr(tiles["customdata"])
    seen = {}
    for r, row in enumerate(codes):
        for c, code in enumerate(row):
            if code is not None:
                seen[code] = grid[r][c]
    assert set(seen) == set(o.codes)
    for code in o.codes:
        assert close(seen[code], expected.get(code)), (code, seen[code], expected.get(code))
    if "overview-rd-graph" in figs and sel == "city":
        series, *rest = figs["overview-rd-graph"]["data"]
        assert_series(series, o.series("rd_intensity"))
        goals = {k: v for k, v in o.targets.items() if k[0] == "rd_intensity" and k[1] == o.city and k[2] >= view.year}
        if goals:
            first = min(goals, key=lambda k: k[2])
            assert arr(rest[0]["x"])[-1] == first[2]
            assert close(arr(rest[0]["y"])[-1], goals[first])


@pytest.mark.parametrize(("name", "sel"), CASES)
def test_patent_charts(loaded, name: str, sel: str) -> None:
    ds, o = loaded[name]
    view = view_for(ds, sel)
    d = view.districts
    figs = figures_of(ds, "patents", view)
    trend = figs["patents-trend-graph"]["data"]
    line = trend[-1]
    assert line["type"] == "scatter"
    assert_series(line, o.series("patent_applications", d))
    bars = trend[:-1]
    types = ["invention_grants", "utility_grants", "design_grants"]
    if all(t in o.indicators for t in types):
        assert len(bars) == 3
        for bar, ind in zip(bars, types, strict=True):
            assert_series(bar, o.series(ind, d))
    elif "patent_grants" in o.indicators and "invention_grants" in o.indicators:
        invention, rest = bars
        assert_series(invention, o.series("invention_grants", d))
        grants, inv = o.series("patent_grants", d), o.series("invention_grants", d)
        assert_series(rest, {y: grants[y] - inv[y] for y in grants})
    district = figs["patents-district-graph"]["data"]
    assert_by_district(district[0], o.by_district("patent_applications", view.year))
    if len(district) > 1:
        assert_by_district(district[1], o.by_district("patent_grants", view.year))
    if "patents-share-graph" in figs:
        assert_series(figs["patents-share-graph"]["data"][0], o.series("invention_share", d))


@pytest.mark.parametrize(("name", "sel"), CASES)
def test_hightech_charts(loaded, name: str, sel: str) -> None:
    ds, o = loaded[name]
    if not section("hightech").present(ds):
        pytest.skip("no high-tech section in this shape")
    view = view_for(ds, sel)
    figs = figures_of(ds, "hightech", view)
    assert_by_district(figs["hightech-district-graph"]["data"][0], o.by_district("hightech_share", view.year))
    city = o.value("hightech_share", view.year)
    notes = [a["text"] for a in figs["hightech-district-graph"]["layout"]["annotations"]]
    assert any(f"{city:.1f}%" in n for n in notes), notes  # the city's value is the reference line
    output, *share = figs["hightech-trend-graph"]["data"]
    assert_series(output, o.series("hightech_output", view.districts))
    if share:
        assert_series(share[0], o.series("hightech_share", view.districts))


@pytest.mark.parametrize(("name", "sel"), CASES)
def test_pipeline_charts(loaded, name: str, sel: str) -> None:
    ds, o = loaded[name]
    if not section("pipeline").present(ds):
        pytest.skip("no pipeline in this shape")
    view = view_for(ds, sel)
    d = view.districts
    figs = figures_of(ds, "pipeline", view)
    counts = o.tier_counts(view.year, d)
    (bar,) = figs["pipeline-tiers-graph"]["data"]
    assert arr(bar["x"]) == [counts[t] for t in reversed(TIERS)]  # national on top: each bar its own tier
    trend = figs["pipeline-trend-graph"]["data"]
    assert len(trend) == len(TIERS)
    for trace, tier in zip(trend, TIERS, strict=True):
        assert_series(trace, {y: o.tier_counts(y, d)[tier] for y in o.years})
    if "pipeline-flow-graph" in figs:
        (sankey,) = figs["pipeline-flow-graph"]["data"]
        left, right = ["new", *TIERS], [*TIERS, "lost"]
        link = sankey["link"]
        got = {}
        for s, t, v in zip(arr(link["source"]), arr(link["target"]), arr(link["value"]), strict=True):
            got[(left[s], right[t - len(left)])] = v
        assert got == o.flows(view.year, d)
    stacks = figs["pipeline-district-graph"]["data"]
    table = o.tier_by_district(view.year)
    for trace, tier in zip(stacks, TIERS, strict=True):
        assert_by_district(trace, {code: table[code][tier] for code in table})


@pytest.mark.parametrize(("name", "sel"), CASES)
def test_seismic_charts(loaded, name: str, sel: str) -> None:
    ds, o = loaded[name]
    if not section("seismic").present(ds):
        pytest.skip("no seismic network in this shape")
    view = view_for(ds, sel)
    figs = figures_of(ds, "seismic", view)
    uptime = o.uptime(view.year, view.districts)
    names = {s["station"]: s["name_zh"] for s in o.stations}
    if not uptime:
        assert figs["seismic-uptime-graph"]["layout"]["meta"]["empty"]
        return
    (bars,) = figs["seismic-uptime-graph"]["data"]
    flat = bars.get("orientation") == "h"
    got = dict(zip(arr(bars["y"] if flat else bars["x"]), arr(bars["x"] if flat else bars["y"]), strict=True))
    assert set(got) == {names[s] for s in uptime}
    for st, value in uptime.items():
        assert close(got[names[st]], value * 100), st
    (heat,) = figs["seismic-heatmap-graph"]["data"]
    rows = arr(heat["y"])
    z = arr(heat["z"])
    chosen = set(view.districts or o.codes)
    stations = [s["station"] for s in o.stations if s["district"] in chosen]
    assert rows == [names[s] for s in stations]
    for i, st in enumerate(stations):
        for m, value in enumerate(o.monthly(st, view.year)):
            cell = z[i][m]
            if value is None:
                assert cell is None or np.isnan(cell)
            else:
                assert abs(cell - round(value * 100, 3)) < 1e-9, (st, m + 1, cell, value)
    shown = sum(len(arr(t["y"])) for t in figs["seismic-timeline-graph"]["data"])
    assert shown == len(o.outages_in(view.year, set(uptime)))


@pytest.mark.parametrize(("name", "sel"), CASES)
def test_own_indicator_charts(loaded, name: str, sel: str) -> None:
    ds, o = loaded[name]
    view = view_for(ds, sel)
    figs = figures_of(ds, "other", view)
    assert figs, "every fixture has an indicator of its own"
    for graph in section("other").graphs(ds):
        data = figs[graph.id]
        if graph.id.endswith("-district-graph"):
            assert_by_district(data["data"][0], o.by_district(graph.indicator, view.year))
        elif o.indicators[graph.indicator]["agg"] == "city" and view.districts:
            assert data["layout"]["meta"]["empty"]  # published for the whole city only: says so
        elif o.value(graph.indicator, view.year, view.districts) is None:  # published to a month: its months
            bars = data["data"][0]
            shown = {int(x.split("–")[-1].rstrip("月")): y for x, y in zip(bars["x"], bars["y"], strict=True) if y}
            assert shown == pytest.approx(o.to_date(graph.indicator, view.year, view.districts))
        else:
            assert_series(data["data"][0], o.series(graph.indicator, view.districts))


def test_english_scales_yuan_to_cny_bn(loaded) -> None:
    ds, o = loaded["sample"]
    figs = figures_of(ds, "hightech", View(ds.years[-1], (), "en"))
    output = figs["hightech-trend-graph"]["data"][0]
    assert_series(output, {y: v / 10 for y, v in o.series("hightech_output").items()})


def test_tier_indicator_ids_are_the_contract(loaded) -> None:
    ds, _ = loaded["other_city"]  # tiers not defined in its indicators.csv: counted from enterprises.csv
    assert set(TIER_IDS.values()) <= set(ds.index.info)
