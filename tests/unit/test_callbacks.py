"""Callbacks called directly (inside a request context of a real app), the result cache and the data store."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import orjson
import pytest
from dash import Patch, no_update

from components.core.state import View
from components.page.callbacks import answer, asked, page_update, view_of
from components.sections import SECTIONS, section
from components.server.cache import ResultCache
from components.server.services import services
from data.library.store import DataStore
from data.load import load_dataset

ZH = {"lang": "zh", "theme": "light"}
BAD_INPUTS = [
    ("2012", ["330212"]),
    ({"x": 1}, None),
    (None, "330212"),
    (2012, ["999999", 7, None, ["330212"]]),
    (1850, []),
    (True, [{"a": 1}]),
]


def update(key: str, *args: object, drawn: object = None) -> list:
    """The page's callback called directly, cut to section `key`: [block values, chart figures, its record].

    `args`: year, districts, the map picker's value for the overview, the page config.
    """
    year, districts, *rest = args
    *controls, config = rest
    blocks, graphs, records = asked(SECTIONS)
    pick = controls[0] if controls else None
    states = [drawn] * len(records) if drawn is not None else [None] * len(records)
    out = page_update(SECTIONS)(year, districts, "", "ytd", pick, None, None, states, config)
    mine = [n for k, n in blocks if k == key], [i for i, (k, _) in enumerate(graphs) if k == key]
    changed = {} if out[0] is no_update else json.loads(out[0])  # {holder id: content} of the blocks that moved
    painted = [changed.get(name, no_update) for name in mine[0]]
    return [painted, [out[1][i] for i in mine[1]], [out[2][records.index(key)]]]


def _kpi(strip: list, indicator: str) -> dict:
    text = orjson.dumps(strip).decode()
    assert f'"data-indicator":"{indicator}"' in text
    for card in strip:
        if card["props"].get("data-indicator") == indicator:
            return card["props"]
    raise AssertionError(indicator)


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.server.test_request_context():
        yield app


@pytest.fixture
def shared(sample_app):
    """The session's app on the sample (tests/conftest.py), for the tests that only compute through it (its
    result cache may already hold their views: each answer is the same either way)."""
    with sample_app.server.test_request_context():
        yield sample_app


@pytest.mark.parametrize("sec", SECTIONS, ids=lambda s: s.key)
def test_sections_fill_every_block_and_chart_they_declare(shared, sample, sec) -> None:
    blocks, charts, _ = update(sec.key, 2012, [], ZH)
    assert len(blocks) == len(sec.blocks)
    assert len(charts) == len(sec.graphs(sample))
    assert all(b is not None for b in blocks)
    for fig in charts:
        assert fig["layout"]["font"]["family"].startswith('"Noto Sans CJK SC"')
        assert fig["data"], "a chart of the sample draws data"


@pytest.mark.parametrize("sec", SECTIONS, ids=lambda s: s.key)
@pytest.mark.parametrize(("year", "districts"), BAD_INPUTS)
def test_sections_survive_bad_inputs(shared, sample, sec, year: object, districts: object) -> None:
    blocks, charts, _ = update(sec.key, year, districts, {"lang": 5, "theme": None}, drawn={"x": "not a record"})
    assert len(blocks) == len(sec.blocks)
    assert len(charts) == len(sec.graphs(sample))


def kpis(year: object, districts: object, config: object) -> tuple[list, str]:
    """The overview's KPI strip and sentence."""
    strip, sentence = update("overview", year, districts, None, config)[0]
    return strip, sentence


def patents(year: object, districts: object, config: object) -> list:
    """The patents section's charts."""
    return update("patents", year, districts, config)[1]


def test_kpi_callback_whole_city_and_two_districts(shared, sample) -> None:
    city, sentence = kpis(2012, [], ZH)
    assert sentence.startswith("2012年全市专利申请量73,647件，同比增长54.78%")
    assert float(_kpi(city, "patent_applications")["data-value"]) == 73647
    both, _ = kpis(2012, ["330281", "330212"], ZH)
    obs = sample.observations
    mask = (
        (obs["indicator"] == "patent_applications") & (obs["year"] == 2012) & obs["district"].isin(["330212", "330281"])
    )
    assert float(_kpi(both, "patent_applications")["data-value"]) == obs.loc[mask, "value"].sum()
    assert _kpi(both, "rd_intensity")["data-value"] == ""


def test_overview_rejects_unknown_map_indicator(shared) -> None:
    tiles, _rd = update("overview", 2012, [], "__import__('os')", ZH)[1]
    assert tiles["data"][0]["customdata"]  # fell back to the default indicator
    other, _rd = update("overview", 2012, [], "hightech_share", ZH)[1]
    assert other["data"][0]["customdata"] == tiles["data"][0]["customdata"]
    assert other["data"][0]["z"] != tiles["data"][0]["z"]


def patents_only(year: object, districts: object) -> list:
    """The patents section's charts alone (through the cache), as the callback computes them."""
    ds = services().dataset()
    view = view_of(ds, year, districts, ZH)
    names = [g.id for g in section("patents").graphs(ds)]
    return list(answer(services(), section("patents"), ds, view, {}, names).graphs.values())


def test_repeated_view_is_served_from_cache(app) -> None:
    cache = services().cache
    first = patents_only(2011, ["330212"])
    hits = cache.hits
    # same selection, different spelling: unsorted, duplicated, with an unknown code
    second = patents_only(2011, ["330212", "330212", "999999"])
    assert cache.hits == hits + 4  # each of the section's four charts is cached under its own key
    assert first == second


def test_new_dataset_version_is_never_served_stale(make_app, sample_copy: Path) -> None:
    app = make_app(sample_copy, reload_seconds=3600)
    with app.server.test_request_context():
        before, _ = kpis(2012, [], ZH)
        path = sample_copy / "observations.csv"
        text = path.read_text(encoding="utf-8")
        annual = "patent_applications,330212,2012,"  # the year's row (no period): authoritative over its months
        line = next(ln for ln in text.splitlines() if ln.startswith(annual) and ln.endswith(",,"))
        value = int(float(line.split(",")[3]))
        path.write_text(text.replace(line, f"{annual}{value + 1000},,"), encoding="utf-8")
        assert services().store.refresh() is True
        misses = services().cache.misses
        after, _ = kpis(2012, [], ZH)
        assert services().cache.misses > misses  # every output of the new version computed anew
        again, _ = kpis(2012, [], ZH)
        assert again == after
        assert (
            float(_kpi(after, "patent_applications")["data-value"])
            == float(_kpi(before, "patent_applications")["data-value"]) + 1000
        )


def _record(sample, key: str, view: View) -> dict:
    """What the page shows after a full answer for `view`."""
    sec = section(key)
    return answer(services(), sec, sample, view, {}, [g.id for g in sec.graphs(sample)]).drawn


def test_a_year_change_redraws_only_what_depends_on_the_year(app, sample) -> None:
    drawn = _record(sample, "patents", View(2012))
    got = answer(services(), section("patents"), sample, View(2011), drawn, list(drawn)[1:])
    assert got.graphs["patents-trend-graph"] is no_update  # years on the axis: the same chart
    assert got.graphs["patents-share-graph"] is no_update
    assert isinstance(got.graphs["patents-district-graph"], dict)  # the districts' 2011 values
    assert got.blocks == {}  # the patents section has no blocks


def test_a_district_change_moves_the_overviews_highlight_with_a_patch(app, sample) -> None:
    drawn = _record(sample, "overview", View(2012))
    got = answer(services(), section("overview"), sample, View(2012, ("330212",)), drawn, list(drawn)[1:])
    patch = got.graphs["overview-map-graph"]
    assert isinstance(patch, Patch)
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch.to_plotly_json()["operations"]}
    assert len(ops[("layout", "shapes")]) == 1  # one outlined tile: 鄞州区


def test_a_tabbed_sections_highlight_moves_with_a_whole_figure(app, sample) -> None:
    """A tab switch can replace these charts while the answer is out; Dash drops a figure for a chart no
    longer there, but fails the whole answer on a Patch of one (tests/browser: the tab switch test)."""
    drawn = _record(sample, "patents", View(2012))
    got = answer(services(), section("patents"), sample, View(2012, ("330212",)), drawn, list(drawn)[1:])
    bars = got.graphs["patents-district-graph"]
    assert isinstance(bars, dict)
    codes = bars["data"][0]["customdata"]
    assert bars["data"][0]["marker"]["opacity"] == [1.0 if c == "330212" else 0.35 for c in codes]
    assert isinstance(got.graphs["patents-trend-graph"], dict)  # the selection's own series: redrawn


def test_a_full_figure_carries_this_views_highlight_not_the_cached_one(app, sample) -> None:
    sec = section("patents")
    first = answer(services(), sec, sample, View(2012, ("330212",)), {}, ["patents-district-graph"])
    second = answer(services(), sec, sample, View(2012, ("330281",)), {}, ["patents-district-graph"])
    one, two = first.graphs["patents-district-graph"]["data"][0], second.graphs["patents-district-graph"]["data"][0]
    assert one["customdata"] == two["customdata"]
    assert one["marker"]["opacity"][one["customdata"].index("330281")] == 0.35
    assert two["marker"]["opacity"][two["customdata"].index("330281")] == 1.0


def test_a_chart_off_screen_is_left_stale_until_it_is_seen(app, sample) -> None:
    sec = section("patents")
    drawn = _record(sample, "patents", View(2012))
    view = View(2010, ("330212",))
    names = ["patents-trend-graph", "patents-district-graph", "patents-share-graph"]
    got = answer(services(), sec, sample, view, drawn, names, visible={"patents-trend-graph"})
    assert isinstance(got.graphs["patents-trend-graph"], dict)
    assert got.graphs["patents-share-graph"] is no_update
    assert got.stale == {"patents-district-graph", "patents-share-graph"}
    assert got.drawn["patents-share-graph"] == drawn["patents-share-graph"]  # still what the page shows
    later = answer(services(), sec, sample, view, got.drawn, names, visible=set(names))  # scrolled into view
    assert later.graphs["patents-trend-graph"] is no_update
    assert isinstance(later.graphs["patents-share-graph"], dict)
    assert later.stale == frozenset()


def test_an_unchanged_view_sends_nothing_new(app, sample) -> None:
    drawn = _record(sample, "overview", View(2010, ("330205",)))
    got = answer(services(), section("overview"), sample, View(2010, ("330205",)), drawn, ["overview-map-graph"])
    assert got.graphs["overview-map-graph"] is no_update
    assert all(v is no_update for v in got.blocks.values())


def test_cache_directory_is_private_and_values_are_text(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    cache = ResultCache(directory)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert cache.get_or_compute("k|v1", lambda: '{"a":1}') == '{"a":1}'
    assert cache.get_or_compute("k|v1", lambda: "other") == '{"a":1}'
    assert (cache.hits, cache.misses) == (1, 1)
    assert cache.get_or_compute("k|v2", lambda: "new") == "new"
    with pytest.raises(TypeError):
        cache.get_or_compute("k|v3", lambda: {"not": "text"})
    assert "k|v3" not in cache
    cache.close()


def test_cache_tightens_a_group_writable_directory(tmp_path: Path) -> None:
    directory = tmp_path / "loose"
    directory.mkdir(mode=0o777)
    os.chmod(directory, 0o777)
    ResultCache(directory).close()
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700


def test_store_keeps_serving_when_an_update_is_bad(sample_copy: Path) -> None:
    store = DataStore(sample_copy, recheck=0)
    old = store.get().version
    obs = sample_copy / "observations.csv"
    good_text = obs.read_text(encoding="utf-8")
    obs.write_text(good_text + "patent_applications,330212,2013,abc,,\n", encoding="utf-8")
    assert store.get().version == old
    assert store.last_error is not None
    assert "observations.csv:" in str(store.last_error.issues[0])
    obs.write_text(good_text + "patent_applications,330212,2013,5,,\n", encoding="utf-8")
    assert store.get().version != old
    assert store.last_error is None
    assert 2013 in store.get().years


def test_store_rechecks_at_most_every_interval(sample_copy: Path) -> None:
    store = DataStore(sample_copy, recheck=3600)
    old = store.get().version
    (sample_copy / "peers.csv").write_text(
        (sample_copy / "peers.csv").read_text(encoding="utf-8") + "广州,Guangzhou,rd_intensity,2011,2.0\n",
        encoding="utf-8",
    )
    assert store.get().version == old  # not due yet
    assert store.refresh() is True
    assert store.get().version == load_dataset(sample_copy).version


def test_healthz_shows_a_rejected_update(make_app, sample_copy: Path) -> None:
    app = make_app(sample_copy)
    client = app.server.test_client()
    (sample_copy / "districts.csv").write_text("code\n", encoding="utf-8")
    with app.server.app_context():
        app.server.config["STI_SERVICES"].store.refresh()
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded"
    assert any("districts.csv" in line for line in body["rejected_update"])
    assert client.get("/").status_code == 200
    assert body["version"] == load_dataset(Path(__file__).resolve().parents[2] / "data" / "sample").version


def test_results_cached_by_older_code_are_not_served(app) -> None:
    svc = services()
    assert len(svc.code.split("|")[0]) == 10  # the app's code fingerprint is part of every key
    assert svc.code.endswith("|1.0/0.9/0.0")  # and the status thresholds (settings, not data)
    patents_only(2010, [])
    misses = svc.cache.misses
    patents_only(2010, [])
    assert svc.cache.misses == misses
    svc.code = "upgraded"
    patents_only(2010, [])
    assert svc.cache.misses == misses + 4  # every chart of the section recomputed under the new code
