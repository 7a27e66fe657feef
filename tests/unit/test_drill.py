"""Drill-down: the firms behind a tier count and the outages behind a station, as rows (pure), as the
/drill/ page's grid, and as downloads; counts checked against the independent oracle on several shapes."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from oracle import DATASETS, TIERS, oracle

from components.core.state import from_query
from components.exports import drill
from components.server.settings import SAMPLE_DIR
from data.load import load_dataset

YINZHOU, YUYAO = "330212", "330281"
WITH_FIRMS = [n for n in DATASETS if (DATASETS[n] / "enterprises.csv").is_file()]
WITH_STATIONS = [n for n in DATASETS if (DATASETS[n] / "seismic_stations.csv").is_file()]


@pytest.mark.parametrize("name", WITH_FIRMS)
def test_firm_rows_match_the_tier_counts(name: str) -> None:
    root = DATASETS[name]
    ds, o = load_dataset(root), oracle(root)
    for year in (ds.years[-1],):
        for districts in ((), tuple(ds.district_codes[:2])):
            view = from_query(ds, f"?year={year}" + (f"&district={','.join(districts)}" if districts else ""))
            counts = o.tier_counts(year, districts)
            for tier in TIERS:
                rows = drill.firm_rows(ds, drill.Drill("enterprises", view, tier))
                assert len(rows) == counts[tier], (name, year, districts, tier)
            everyone = drill.firm_rows(ds, drill.Drill("enterprises", view))
            assert len(everyone) == sum(counts.values())


def test_firm_rows_carry_name_district_industry_and_history() -> None:
    ds = load_dataset(SAMPLE_DIR)
    view = from_query(ds, f"?year=2012&district={YINZHOU}")
    rows = drill.firm_rows(ds, drill.Drill("enterprises", view, "hightech_enterprise"))
    assert len(rows) == 212
    assert {r[1] for r in rows} == {"鄞州区"}
    assert {r[3] for r in rows} == {"高新技术企业"}
    source = {r["name"]: r for r in csv.DictReader(io.StringIO((SAMPLE_DIR / "enterprises.csv").read_text("utf-8")))}
    first = rows[0]
    assert first[2] == source[first[0]]["industry"]
    moved = next(r for r in rows if "→" in r[5])
    assert moved[5].startswith("市级科技型企业 ")
    assert moved[5].endswith("高新技术企业 " + str(moved[4]) + "–")
    en = from_query(ds, "?year=2012&lang=en")
    english = drill.firm_rows(ds, drill.Drill("enterprises", en, "innovative_national"))
    assert len(english) == 16
    assert {r[3] for r in english} == {"National innovative enterprises"}


@pytest.mark.parametrize("name", WITH_STATIONS)
def test_outage_rows_match_the_station_records(name: str) -> None:
    root = DATASETS[name]
    ds, o = load_dataset(root), oracle(root)
    year = ds.years[-1]
    view = from_query(ds, f"?year={year}")
    for station in [s["station"] for s in o.stations][:4]:
        rows = drill.outage_rows(ds, drill.Drill("outages", view, station=station))
        expected = o.outages_in(year, {station})
        assert len(rows) == len(expected), (name, station)
        assert sorted(r[1] for r in rows) == sorted(e["start"].replace("T", " ")[:16] for e in expected)
    every = drill.outage_rows(ds, drill.Drill("outages", view))
    assert len(every) == len(o.outages_in(year, {s["station"] for s in o.stations}))


def test_unknown_tier_or_station_means_all() -> None:
    ds = load_dataset(SAMPLE_DIR)
    view = from_query(ds, "?year=2012")
    assert drill.parse(ds, "enterprises", view, "tier=<script>").tier == ""
    assert drill.parse(ds, "outages", view, "station=../../x").station == ""
    assert drill.parse(ds, "nonsense", view, "").kind == "enterprises"


def test_the_drill_page_shows_the_rows_as_plain_text(sample_app) -> None:
    client = sample_app.server.test_client()
    page = client.get("/drill/enterprises?year=2012&district=330212&tier=hightech_enterprise")
    assert page.status_code == 200
    assert b"dash_ag_grid" in page.data
    layout = client.get(
        "/drill/_dash-layout",
        headers={"Referer": "http://localhost/drill/enterprises?year=2012&district=330212&tier=hightech_enterprise"},
    )
    assert layout.status_code == 200
    text = json.dumps(layout.get_json(), ensure_ascii=False)
    assert "2012年 鄞州区 高新技术企业名单" in text
    assert '"data-count": "212"' in text
    assert "/export/enterprises.csv?year=2012&district=330212&tier=hightech_enterprise" in text
    assert "cellRenderer" not in text
    assert "dangerously_allow_code" not in text


def test_the_dashboard_does_not_load_the_grid(sample_app) -> None:
    page = sample_app.server.test_client().get("/").data.decode()
    assert "/_dash-component-suites/dash_ag_grid/" not in page
    assert "/_dash-component-suites/dash_bootstrap_components/" in page


def test_drill_downloads_match_the_page_count(sample_app) -> None:
    client = sample_app.server.test_client()
    resp = client.get("/export/enterprises.csv?year=2012&district=330212&tier=hightech_enterprise")
    assert resp.status_code == 200
    assert 'filename="ningbo-2012-330212-enterprises-hightech_enterprise.csv"' in resp.headers["Content-Disposition"]
    assert resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data[3:].decode("utf-8"))))
    assert ["梯队", "高新技术企业"] in rows
    start = rows.index(["2012年 鄞州区 高新技术企业名单"])
    assert rows[start + 1][0] == "企业名称"
    assert len(rows) - start - 2 == 212
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/outages.xlsx?year=2012&station=NB01").data))
    [ws] = book.worksheets
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["台站", "镇海台"] in [r[:2] for r in cells]
    hours = [r[3] for r in cells if r and r[0] == "镇海台"]
    assert hours
    assert all(isinstance(h, float | int) for h in hours)
    assert len(hours) == len(oracle(SAMPLE_DIR).outages_in(2012, {"NB01"}))
    assert client.get("/export/secrets.csv").status_code == 404
    assert client.get("/export/enterprises.exe").status_code == 404


def test_a_firm_named_like_markup_or_a_formula_stays_text(tmp_path: Path, make_app) -> None:
    data = tmp_path / "hostile"
    shutil.copytree(SAMPLE_DIR, data)
    path = data / "enterprises.csv"
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[1]
    path.write_text(text.replace(first, "=cmd|' /C calc'!A0<img src=x onerror=alert(1)>"), encoding="utf-8")
    client = make_app(data).server.test_client()
    rows = list(csv.reader(io.StringIO(client.get("/export/enterprises.csv?year=2012").data[3:].decode())))
    hostile = [c for r in rows for c in r if "calc" in c]
    assert hostile
    assert all(c.startswith("'=") for c in hostile)
    layout = client.get("/drill/_dash-layout", headers={"Referer": "http://localhost/drill/enterprises?year=2012"})
    assert "<img src=x onerror=alert(1)>" in json.dumps(layout.get_json())  # data, never markup: the grid shows text


def test_every_firms_history_is_its_certifications_oldest_first() -> None:
    """The history column against the registry read with the csv module (every firm of the sample)."""
    ds = load_dataset(SAMPLE_DIR)
    with (SAMPLE_DIR / "enterprises.csv").open(encoding="utf-8", newline="") as f:
        by_firm: dict[str, list[dict[str, str]]] = {}
        for r in csv.DictReader(f):
            by_firm.setdefault(r["enterprise_id"], []).append(r)
    names = {"tech_enterprise": "市级科技型企业", "hightech_enterprise": "高新技术企业"}
    got = drill.histories(ds.enterprises, "zh")
    assert len(got) == len(by_firm)
    for eid, certs in by_firm.items():
        steps = sorted(certs, key=lambda r: int(r["year_from"]))
        shown = got[eid].split(" → ")
        assert len(shown) == len(steps), eid
        for text, r in zip(shown, steps, strict=True):
            assert text.endswith(f" {r['year_from']}–{r['year_to']}"), (eid, text, r)
            assert r["tier"] not in names or text.startswith(names[r["tier"]] + " "), (eid, text, r)


def test_the_drill_page_builds_no_rows_outside_a_drill_down(make_app) -> None:
    """Dash calls every app's layout on a worker's first request, whatever its path: the drill page's is a bare
    shell then (its rows, for 100k certifications, are built for the page only)."""
    from components.page import drill_page

    app = make_app(SAMPLE_DIR)
    with app.server.test_request_context("/healthz"):
        shell = drill_page.serve_layout()
    assert shell.children is None
    with app.server.test_request_context(
        "/drill/_dash-layout", headers={"Referer": "http://localhost/drill/enterprises"}
    ):
        page = drill_page.serve_layout()
    assert page.children
