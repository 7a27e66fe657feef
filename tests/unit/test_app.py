"""The Flask/Dash app as a client sees it: health, offline assets, layout IDs, crafted requests."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bench import SECTIONS_OUTPUT, Page
from components.sections import SECTIONS, tabbed

TABS = [s.key for s in SECTIONS if not s.pinned]  # the registry's tabs (the sample has them all)
PINNED = tuple(s.key for s in SECTIONS if s.pinned)  # the overview, always on the page


@pytest.fixture
def client(sample_app):
    return sample_app.server.test_client()  # every test here only reads: one app (tests/conftest.py)


@pytest.fixture
def page(client) -> Page:
    return Page.load(lambda path: client.get(path).get_json())


def _walk(node: Any, out: list[Any]) -> None:
    if isinstance(node, dict):
        if "props" in node and "type" in node:
            out.append(node)
            _walk(node["props"].get("children"), out)
            for k, v in node["props"].items():
                if k == "children":
                    continue
                if isinstance(v, dict | list):
                    _walk(v, out)
        else:
            for v in node.values():
                _walk(v, out)
    elif isinstance(node, list):
        for v in node:
            _walk(v, out)


def _layout_ids(client, query: str = "") -> list[Any]:
    nodes: list[Any] = []
    _walk(client.get("/_dash-layout", headers={"Referer": f"http://localhost/{query}"}).get_json(), nodes)
    return [n["props"]["id"] for n in nodes if "id" in n["props"]]


def test_healthz_reports_status_and_version(client, sample) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["version"] == sample.version
    assert re.fullmatch(r"[0-9a-f]{12}", body["version"])


def test_index_is_zh_cn_and_references_no_other_host(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the index page should reference its scripts and styles"
    assert all(u.startswith("/") for u in urls), urls
    assert "/vendor/bootstrap/css/bootstrap.min.css" in urls
    for url in urls:  # every script, style and preload it names is served
        assert client.get(url).status_code == 200, url


def test_the_page_carries_no_validation_copy_of_the_layout(client) -> None:
    """Dash would embed the whole layout a second time (~60 KB) for the browser to check callbacks against on
    every load; the check runs here instead (test_layout_ids_are_unique_and_every_callback_id_exists)."""
    page = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page, re.S)[1])
    assert "validation_layout" not in config
    assert len(page.encode()) < 12_000, len(page.encode())


def test_bootstrap_css_is_served_from_the_installed_package(client) -> None:
    resp = client.get("/vendor/bootstrap/css/bootstrap.min.css")
    assert resp.status_code == 200
    assert b"Bootstrap  v5.3" in resp.get_data()[:200]
    assert client.get("/vendor/bootstrap/../../../../etc/passwd").status_code == 404


def test_responses_are_compressed(client) -> None:
    resp = client.get("/vendor/bootstrap/css/bootstrap.min.css", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert resp.headers.get("Content-Encoding") in ("gzip", "br")


def test_layout_ids_are_unique_and_every_callback_id_exists(client) -> None:
    ids = _layout_ids(client)
    plain = [i for i in ids if isinstance(i, str)]
    assert len(plain) == len(set(plain)), sorted(i for i in plain if plain.count(i) > 1)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9_]+)+", i) for i in plain), plain
    deps = client.get("/_dash-dependencies").get_json()
    pattern_types = {i["type"] for i in ids if isinstance(i, dict)}
    for dep in deps:
        for item in dep["inputs"] + dep["state"]:
            cid = item["id"]
            if cid.startswith("{"):
                assert json.loads(cid)["type"] in pattern_types
            else:
                assert cid in plain, f"callback input {cid} is not in the layout"
        output = dep["output"]
        parts = output[2:-2].split("...") if output.startswith("..") else [output]
        for part in parts:
            cid = part.rsplit(".", 1)[0]
            if not cid.startswith("{"):
                assert cid in plain, f"callback output {cid} is not in the layout"


@pytest.mark.parametrize("section", TABS)
def test_the_overview_and_the_chosen_section_are_on_the_page(client, sample, section: str) -> None:
    """An overview plus one section at a time (`section=` in the URL; the first section by default)."""
    from components.sections import graph_ids

    assert [s.key for s in tabbed(sample)] == TABS, "the sample shows every tab of the registry"
    assert PINNED == ("overview",)
    shown = {i for i in _layout_ids(client, f"?section={section}") if isinstance(i, str)}
    mine = {g for g in graph_ids() if g.startswith((section, *PINNED))}
    assert mine <= shown
    others = {g for g in graph_ids() if not g.startswith((section, *PINNED))}
    assert not others & shown
    if section == TABS[0]:
        assert shown == {i for i in _layout_ids(client) if isinstance(i, str)}  # the default tab


BAD_VALUES = [
    ("year as text", "2012abc", ["330212"]),
    ("year as dict", {"$gt": 1}, []),
    ("year as list", [2012], None),
    ("year huge", 10**30, []),
    ("districts as string", 2012, "330212"),
    ("districts as dict", 2012, {"a": 1}),
    ("unknown codes", 2012, ["999999", "<script>", None, 5]),
    ("oversized list", 2012, ["330212"] * 200_000),
    ("nested lists", 2012, [["330212"]]),
]


@pytest.mark.parametrize(("case", "year", "districts"), BAD_VALUES, ids=[c[0] for c in BAD_VALUES])
def test_crafted_callback_inputs_are_normalised_not_500(
    client, page: Page, sample, case: str, year: Any, districts: Any
) -> None:
    values = {
        ("filter-year", "value"): year,
        ("filter-districts", "value"): districts,
        ("page-config", "data"): {"lang": "xx", "theme": {"x": 1}},
    }
    body = page.body(page.callback(SECTIONS_OUTPUT), values)
    resp = client.post("/_dash-update-component", json=body)
    if case == "oversized list":
        assert resp.status_code == 413  # over MAX_CONTENT_LENGTH: refused before any work
        return
    assert resp.status_code == 200, resp.get_data()[:300]
    figs = resp.get_json()["response"]
    names = {json.loads(k)["name"] for k in figs if k.startswith("{") and json.loads(k)["type"] == "sti-graph"}
    painted = json.loads(figs["page-painter"]["data-paint"])  # the blocks, one attribute: {holder id: content}
    assert sorted(painted) == ["kpi-strip", "overview-summary"]  # the patents tab has charts only
    default = [s for s in SECTIONS if s.pinned or s.key == TABS[0]]  # the overview and the first tab
    assert names == {g.id for s in default for g in s.graphs(sample)}  # one callback
    assert {"overview-map-graph", "patents-trend-graph"} <= names


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"{}",
        b"[]",
        b'{"output": "nope.figure", "inputs": []}',
        b'{"output": "patents-trend-graph.figure", "outputs": 5, "inputs": "x"}',
        json.dumps(
            {
                "output": "..patents-trend-graph.figure...patents-district-graph.figure...patents-share-graph.figure..",
                "outputs": [],
                "inputs": [{"id": "filter-year"}],
            }
        ).encode(),
    ],
)
def test_malformed_callback_requests_get_a_short_4xx(client, payload: bytes) -> None:
    resp = client.post("/_dash-update-component", data=payload, content_type="application/json")
    assert 400 <= resp.status_code < 500
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text
    assert 'File "' not in text


def test_a_crafted_url_is_normalised_in_the_served_page(client) -> None:
    """The filters, the caption and the notices of the page come from the URL, cleaned (no sync round trip)."""
    text = json.dumps(
        client.get(
            "/_dash-layout",
            headers={"Referer": "http://localhost/?year=<b>&district=330212,x&district=330281&evil=1&section=nope"},
        ).get_json(),
        ensure_ascii=False,
    )
    assert '"value": ["330212", "330281"]' in text
    for bad in ("evil", "“x”", "<b>"):
        assert bad in text  # named in the notices, as text
    assert "2012年 · 鄞州区、余姚市" in text


@pytest.mark.parametrize(
    "query",
    [
        "?year=%C2%B2%C2%B2%C2%B2%C2%B2",
        "?present=1&interval=%C2%B2",
        "?year=%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%92",
        "?district=%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2",
        "?present=1&slide=%00",
    ],
)
def test_unicode_digits_in_the_url_fall_back_not_500(client, query: str) -> None:
    resp = client.get("/_dash-layout", headers={"Referer": f"http://localhost/{query}"})
    assert resp.status_code == 200
    assert "Traceback" not in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/../../etc/passwd",
        "/_dash-component-suites/dash/nope.js",
        "/_dash-component-suites/dash/dcc/dash_core_components.v9.9.9m1.js",
        "/assets/../app.py",
        "/vendor/bootstrap/css/../../../../app.py",
    ],
)
def test_crafted_asset_paths_are_404_not_500(client, path: str) -> None:
    client.get("/")
    resp = client.get(path)
    assert resp.status_code == 404
    assert "Traceback" not in resp.get_data(as_text=True)
