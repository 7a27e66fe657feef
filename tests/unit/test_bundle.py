"""The partial plotly.js bundle: it registers every trace type the figures draw, and the app serves it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from oracle import DATASETS

from components.core.state import View
from components.sections import SECTIONS
from components.server import bundle
from data.load import load_dataset


@pytest.mark.parametrize("name", DATASETS)
def test_bundle_registers_every_trace_type_the_sections_draw(name: str) -> None:
    ds = load_dataset(DATASETS[name])
    drawn: set[str] = set()
    for sec in SECTIONS:
        if not sec.present(ds):
            continue
        for districts in ((), tuple(ds.district_codes[:2])):
            result = sec.compute(ds, View(ds.years[-1], districts, "zh"))
            for g in sec.graphs(ds):
                drawn |= {t["type"] for t in result[g.id]["data"]}
    assert drawn, "the sections draw something"
    assert drawn <= set(bundle.entry_traces()), drawn - set(bundle.entry_traces())


def test_entry_traces_reads_the_registered_modules(tmp_path: Path) -> None:
    entry = tmp_path / "entry.js"
    entry.write_text("var P = require('plotly.js/lib/core');\nP.register([require('plotly.js/lib/pie')]);\n")
    assert bundle.entry_traces(entry) == ("scatter", "pie")


def test_a_stale_or_missing_build_falls_back(tmp_path: Path) -> None:
    assert bundle.built(tmp_path) is None  # nothing built
    (tmp_path / bundle.BUNDLE_NAME).write_text("window.Plotly = {};")
    manifest = {
        "digest": "abc",
        "runtime": "def",
        "entry": "not the entry's",
        "plotlyjs": bundle.plotlyjs_version(),
        "traces": [],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert bundle.built(tmp_path) is None  # built from another entry file
    manifest["entry"] = bundle._digest(bundle.ENTRY.read_bytes())
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "plotlyjs": "0.0.1"}))
    assert bundle.built(tmp_path) is None  # for another plotly.js
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert bundle.built(tmp_path) is None  # the runtime missing
    (tmp_path / bundle.RUNTIME_NAME).write_text("var regeneratorRuntime = {};")
    got = bundle.built(tmp_path)
    assert got is not None
    assert got.url == f"/vendor/plotly/abc/{bundle.BUNDLE_NAME}"
    assert got.runtime_url == f"/vendor/plotly/def/{bundle.RUNTIME_NAME}"
    (tmp_path / "manifest.json").write_text("{not json")
    assert bundle.built(tmp_path) is None


def test_the_page_loads_the_built_bundle_precompressed(sample_app) -> None:
    client = sample_app.server.test_client()
    built = bundle.built()
    assert built is not None, "make install builds the bundle (python -m components.server.bundle)"
    page = client.get("/").get_data(as_text=True)
    assert f'<link rel="preload" as="script" href="{built.url}" id="sti-plotly">' in page  # fetched early
    assert "plotly.min.js" not in page  # never the full plotly.js (dcc.Graph loads the preloaded bundle)
    for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
        resp = client.get(built.url, headers={"Accept-Encoding": encoding})
        assert resp.status_code == 200
        assert resp.headers["Content-Encoding"] == encoding
        assert "immutable" in resp.headers["Cache-Control"]
        assert resp.get_data() == built.path.with_name(built.path.name + suffix).read_bytes()
    plain = client.get(built.url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == built.path.read_bytes()
    assert client.get(f"/vendor/plotly/0000/{bundle.BUNDLE_NAME}").status_code == 404
    assert client.get(f"/vendor/plotly/{built.digest}/other.js").status_code == 404


def test_the_page_gets_the_regenerator_runtime_instead_of_the_babel_polyfill(sample_app) -> None:
    client = sample_app.server.test_client()
    built = bundle.built()
    assert built is not None
    page = client.get("/").get_data(as_text=True)
    assert "polyfill@" not in page  # ~200 ms of core-js shims on load, for browsers Dash 4 no longer runs on
    tag = f'<script src="{built.runtime_url}"></script>'
    assert page.count(tag) == 1
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts[0] == built.runtime_url  # first, where the polyfill was
    assert any("dash_renderer" in s for s in scripts[1:])
    resp = client.get(built.runtime_url, headers={"Accept-Encoding": "br"})
    assert resp.status_code == 200
    assert resp.headers["Content-Encoding"] == "br"
    assert "immutable" in resp.headers["Cache-Control"]
    assert b"regeneratorRuntime" in client.get(built.runtime_url, headers={"Accept-Encoding": "identity"}).get_data()
    assert client.get(f"/vendor/plotly/{built.digest}/{bundle.RUNTIME_NAME}").status_code == 404  # not its digest


def test_swap_polyfill_replaces_only_the_polyfill_tag() -> None:
    from components.server.shell import swap_polyfill

    scripts = (
        '<script src="/_dash-component-suites/dash/deps/polyfill@7.12.1.min.js?v=4.4.1&m=1"></script>\n'
        '<script src="/_dash-component-suites/dash/deps/react@18.v4_4_1m1.3.1.min.js"></script>'
    )
    got = swap_polyfill(scripts, "/vendor/plotly/abc/regenerator-runtime.min.js")
    assert got == (
        '<script src="/vendor/plotly/abc/regenerator-runtime.min.js"></script>\n'
        '<script src="/_dash-component-suites/dash/deps/react@18.v4_4_1m1.3.1.min.js"></script>'
    )
    assert swap_polyfill(got, "/x.js") == got  # no polyfill listed (a later Dash): unchanged
