"""Names from the data are text everywhere: a dataset whose names are Plotly markup (tests/hostile.py).

Every chart of every section (through the registry), in zh and en, for the whole city and two districts:
no markup of the data's survives in what Plotly draws (only our own <br>, <extra> and templates), the names
are there escaped (once), and the drill-downs keep their targets. The chart tables, the CSV/XLSX export,
the page's own text and the PPTX's text keep the names as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hostile
import openpyxl
import pytest
from PIL import Image
from plotly.io.json import to_json_plotly
from pptx import Presentation

from components.charts.figures import literal, unliteral
from components.charts.tables import figure_table
from components.core.i18n import STRINGS
from components.core.state import View
from components.exports import view_data as export
from components.exports.deck import build_pptx
from components.sections import SECTIONS, present
from data.load import Dataset, load_dataset

TWO = ("330203", "330205")  # the first and third districts: the link and "A<br>B"
VIEWS = [View(2012, sel, lang) for lang in ("zh", "en") for sel in ((), TWO)]
OURS = {"<br>", "<extra>", "</extra>"}  # the only markup a figure may hold: the builders' own
TAG = re.compile(r"<[^<>]*>")  # what plotly.js reads as a tag (svg_text_utils SPLIT_TAGS)
NOT_OURS = re.compile(r"&(?!amp;|lt;|gt;|#37;)")  # an ampersand that is not an entity `literal` writes
NOT_SHOWN = {"customdata", "meta"}  # figure keys Plotly never draws as text (meta: our plain-text table)
MARKED = [n for n in hostile.names() if literal(n) != n]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<b>粗体区</b>", "&lt;b&gt;粗体区&lt;/b&gt;"),
        ('<a href="javascript:alert(1)">上城区</a>', '&lt;a href="javascript:alert(1)"&gt;上城区&lt;/a&gt;'),
        ("A<br>B", "A&lt;br&gt;B"),
        ("x & y", "x &amp; y"),
        ("&lt;already&gt;", "&amp;lt;already&amp;gt;"),
        ("%{x}区 50%", "&#37;{x}区 50%"),
        ("鄞州区", "鄞州区"),
    ],
)
def test_literal_escapes_what_plotly_reads_and_unliteral_undoes_it(raw: str, shown: str) -> None:
    assert literal(raw) == shown
    assert unliteral(shown) == raw
    assert not TAG.search(shown)


def test_our_catalogue_holds_no_markup() -> None:
    """A label of ours with a name in it is escaped whole (`literal`): that changes only the name's part."""
    assert not [k for k, pair in STRINGS.items() for s in pair if literal(s) != s]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile.build(tmp_path_factory.mktemp("hostile") / "dataset")


@pytest.fixture(scope="module")
def ds(data_dir: Path) -> Dataset:
    return load_dataset(data_dir)


def charts(ds: Dataset, view: View) -> dict[str, dict[str, Any]]:
    """Every chart on the page for `view`, as the browser receives it."""
    out = {}
    for s in present(ds):
        values = json.loads(to_json_plotly(s.compute(ds, view)))
        out |= {g.id: values[g.id] for g in s.graphs(ds)}
    return out


@pytest.fixture(scope="module")
def drawn(ds: Dataset) -> dict[View, dict[str, dict[str, Any]]]:
    return {view: charts(ds, view) for view in VIEWS}


def strings_outside(node: Any, skipped: frozenset[str] | set[str], key: str = "") -> Iterator[str]:
    """Every string in a JSON tree, leaving out the values of the keys in `skipped`."""
    if key in skipped:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings_outside(v, skipped, k)
    elif isinstance(node, list):
        for v in node:
            yield from strings_outside(v, skipped, key)
    elif isinstance(node, str):
        yield node


def shown_strings(node: Any) -> Iterator[str]:
    """Every string of a figure that Plotly may draw (ticks, legend, hover, annotations, titles, labels)."""
    return strings_outside(node, NOT_SHOWN)


def markup_problems(figure: dict[str, Any]) -> list[str]:
    """Tags that are not ours, raw ampersands, raw hostile names and doubly escaped ones in a figure."""
    out = []
    for s in shown_strings(figure):
        out += [f"tag {tag} in {s!r}" for tag in TAG.findall(s) if tag.lower() not in OURS]
        out += [f"raw & in {s!r}" for _ in NOT_OURS.finditer(s)]
        out += [f"raw {n!r} in {s!r}" for n in MARKED if n in s]
        out += [f"escaped twice {n!r} in {s!r}" for n in MARKED if literal(literal(n)) in s]
    return out


def test_the_hostile_dataset_is_valid_and_shows_every_section(ds: Dataset) -> None:
    """Names are text: the contract takes <, > and & in them, and every section is on the page."""
    assert [s.key for s in present(ds)] == [s.key for s in SECTIONS]
    assert list(ds.districts["name_zh"]) == list(hostile.DISTRICTS)
    assert list(ds.stations["name_en"]) == list(hostile.STATIONS)
    assert hostile.OWN in [g.indicator for s in present(ds) for g in s.graphs(ds)]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v.lang}-{'two' if v.districts else 'city'}")
def test_no_markup_of_the_data_reaches_a_chart(drawn, view: View) -> None:
    problems = {gid: p for gid, fig in drawn[view].items() if (p := markup_problems(fig))}
    assert not problems


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v.lang}-{'two' if v.districts else 'city'}")
def test_the_charts_show_every_name_escaped_once(drawn, view: View) -> None:
    text = "\n".join(s for fig in drawn[view].values() for s in shown_strings(fig))
    names = hostile.names() if not view.districts else [*hostile.DISTRICTS, hostile.OWN_NAME]
    missing = [n for n in names if literal(n) not in text]
    assert not missing


def test_categories_are_the_escaped_names_and_ticks_match_them(drawn) -> None:
    figs = drawn[VIEWS[0]]
    districts = {literal(n) for n in hostile.DISTRICTS}
    for gid in ("patents-district-graph", "hightech-district-graph", "pipeline-district-graph"):
        fig = figs[gid]
        axis = fig["layout"]["xaxis"]
        assert set(axis["tickvals"]) == districts, gid
        assert {c for tr in fig["data"] for c in tr["x"]} <= set(axis["tickvals"]), gid
        assert all(unliteral(s).endswith("…") or unliteral(s) in hostile.DISTRICTS for s in axis["ticktext"]), gid
    stations = set(figs["seismic-uptime-graph"]["layout"]["xaxis"]["tickvals"])
    assert stations == {literal(n) for n in hostile.STATIONS}
    assert set(figs["seismic-heatmap-graph"]["data"][0]["y"]) == stations
    rd = figs["overview-rd-graph"]
    legend = [tr["name"] for tr in rd["data"]]
    assert literal(hostile.RD_NAME) in legend
    assert {literal(p) for p in hostile.PEERS.values()} <= set(legend)
    assert any(literal(hostile.PLAN) in n for n in legend)  # the plan's target, named by the plan
    causes = [tr["name"] for tr in figs["seismic-timeline-graph"]["data"]]
    assert literal(hostile.CAUSE) in causes
    tiles = [s for row in figs["overview-map-graph"]["data"][0]["hovertext"] for s in row if s]
    assert {s.split("<br>")[0] for s in tiles} == districts


def test_drill_downs_and_cross_filters_keep_their_targets(drawn, ds: Dataset) -> None:
    figs = drawn[VIEWS[0]]
    codes = set(ds.district_codes)
    tiers = figs["pipeline-tiers-graph"]["data"][0]["customdata"]
    assert all(c.startswith("drill:enterprises:tier=") for c in tiers)
    for trace in figs["pipeline-district-graph"]["data"]:
        assert all(c in codes and d.endswith(f"&district={c}") for c, d in trace["customdata"])
    stations = set(ds.stations["station"])
    uptime = figs["seismic-uptime-graph"]["data"][0]["customdata"]
    assert {c.removeprefix("drill:outages:station=") for c in uptime} <= stations
    tiles = {c for row in figs["overview-map-graph"]["data"][0]["customdata"] for c in row if c}
    assert tiles == codes
    assert set(figs["patents-district-graph"]["data"][0]["customdata"]) == codes


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v.lang}-{'two' if v.districts else 'city'}")
def test_the_page_chart_tables_show_the_names_not_their_escapes(drawn, view: View) -> None:
    """What assets/app.js `tableOf` shows — the table each chart carries (layout.meta.table), as it is — holds
    the names as the data has them, never an escape."""
    for gid, fig in drawn[view].items():
        if figure_table(fig, view.lang) is None:
            continue
        table = fig["layout"]["meta"]["table"]
        cells = [*table["columns"], *(c for r in table["rows"] for c in r if isinstance(c, str))]
        assert not [c for c in cells for n in MARKED if literal(n) in c], gid
    districts = drawn[view]["patents-district-graph"]["layout"]["meta"]["table"]
    shown = {r[0] for r in districts["rows"]}
    assert shown == set(hostile.DISTRICTS) if not view.districts else shown <= set(hostile.DISTRICTS)
    assert "x & y" in shown


@pytest.mark.parametrize("view", [VIEWS[0], VIEWS[3]], ids=["zh-city", "en-two"])
def test_the_export_keeps_the_raw_names(ds: Dataset, view: View) -> None:
    sheets = export.view_tables(ds, view)
    header = export.header_rows(ds, view)
    body = export.to_csv(header, [t for s in sheets for t in s.tables]).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(header, sheets)))
    values = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    for found in (cells, values):
        assert hostile.CITY in found
        expected = [n for n in hostile.DISTRICTS if not view.districts or n in _names(ds, view)]
        assert set(expected) <= set(found)
        assert not [c for c in found for n in MARKED if literal(n) in c]
        if not view.districts:
            assert set(hostile.STATIONS) <= set(found)
            assert {hostile.CAUSE, hostile.RD_NAME, *hostile.PEERS.values()} <= set(found)
        else:
            assert "、".join(_names(ds, view)).replace("、", ", ") in found  # the header's districts


def _names(ds: Dataset, view: View) -> list[str]:
    names = dict(zip(ds.districts["code"], ds.districts["name_zh"], strict=True))
    return [names[c] for c in view.districts]


class FakeRenderer:
    """Stands in for kaleido: keeps the figures it is given, answers a 1x1 PNG."""

    def __init__(self) -> None:
        self.figures: list[dict[str, Any]] = []
        out = io.BytesIO()
        Image.new("RGB", (1, 1), "white").save(out, "PNG")
        self.png = out.getvalue()

    def render(self, fig: dict[str, Any], width: int = 0, height: int = 0, scale: float = 1) -> bytes:
        self.figures.append(json.loads(to_json_plotly(fig)))
        return self.png


@pytest.mark.parametrize("view", [VIEWS[0], VIEWS[3]], ids=["zh-city", "en-two"])
def test_the_deck_keeps_its_text_raw_and_pictures_escaped(ds: Dataset, view: View) -> None:
    renderer = FakeRenderer()
    deck = Presentation(io.BytesIO(build_pptx(ds, view, renderer=renderer)))  # type: ignore[arg-type]
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [c.text for row in shape.table.rows for c in row.cells]
    text = "\n".join(texts)
    for raw in (hostile.CITY, hostile.TITLE, hostile.SOURCE, hostile.OWN_NAME):
        assert raw in text
    for name in _names(ds, view):
        assert name in text  # the caption and the sentences name the selection
    assert not [n for n in MARKED if literal(n) in text]
    assert renderer.figures
    assert not [p for fig in renderer.figures for p in markup_problems(fig)]


def test_the_page_text_keeps_the_raw_names(make_app, data_dir: Path) -> None:
    """The page's own text (Dash components, escaped by React) shows the names as they are."""
    client = make_app(data_dir).server.test_client()
    layout = client.get("/_dash-layout", headers={"Referer": f"http://localhost/?district={','.join(TWO)}"})
    assert layout.status_code == 200
    strings = list(_component_strings(layout.get_json()))
    assert set(hostile.DISTRICTS) <= set(strings)  # the district filter's options
    assert hostile.CITY in strings
    assert not [s for s in strings for n in MARKED if literal(n) in s]


def _component_strings(node: Any) -> Iterator[str]:
    """Strings of a Dash layout, leaving out the figures (Plotly's text, checked above)."""
    return strings_outside(node, {"figure"})


def test_the_drill_downloads_keep_the_raw_names(make_app, data_dir: Path) -> None:
    client = make_app(data_dir).server.test_client()
    body = client.get("/export/enterprises.csv?year=2012&tier=hightech_enterprise").data.decode("utf-8-sig")
    names = [r[0] for r in csv.reader(io.StringIO(body)) if r and r[0].startswith("<b>")]
    assert names
    assert all(n.endswith("</b> & <br>") for n in names)
    body = client.get("/export/outages.csv?year=2012").data.decode("utf-8-sig")
    cells = {c for r in csv.reader(io.StringIO(body)) for c in r}
    assert {hostile.CAUSE, "<b>粗体台</b>", "x & y台", "&lt;already&gt;台", "%{y}台"} <= cells
    assert not [c for c in cells for n in MARKED if literal(n) in c]
