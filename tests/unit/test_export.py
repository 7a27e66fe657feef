"""Exports of a view: CSV (UTF-8 with BOM) and XLSX (a sheet per section), checked against the independent
oracle (tests/oracle.py), through the real routes of a real app, on datasets of several shapes."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from oracle import DATASETS, TIER_IDS, oracle

from components.core.state import from_query
from components.exports import view_data as export
from components.sections import SECTIONS
from components.server.settings import SAMPLE_DIR
from data.load import load_dataset

YINZHOU, YUYAO = "330212", "330281"


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), body[:10]
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


def _table(rows: list[list[str]], title: str) -> list[list[str]]:
    """The rows of the table titled `title` (header first), up to the next blank line."""
    start = next(i for i, r in enumerate(rows) if r == [title])
    end = next((i for i in range(start + 1, len(rows)) if not rows[i]), len(rows))
    return rows[start + 1 : end]


def _kpi_value(table: list[list[str]], label: str) -> float:
    row = next(r for r in table if r[0] == label)
    return float(row[1])


def test_csv_of_the_whole_city_has_the_published_totals(sample_app) -> None:
    client = sample_app.server.test_client()
    resp = client.get("/export/data.csv?year=2012")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    disposition = resp.headers["Content-Disposition"]
    assert 'filename="ningbo-2012-city-data.csv"' in disposition
    assert unquote(disposition.split("UTF-8''")[1]) == "宁波-2012-全市-数据.csv"
    rows = _csv_rows(resp.data)
    assert rows[:5] == [
        ["城市", "宁波"],
        ["年份", "2012"],
        ["区县（市）", "全市"],
        ["数据截至", "2012-12-31"],
        ["数据版本", load_dataset(SAMPLE_DIR).version],
    ]
    kpis = _table(rows, "核心指标")
    assert kpis[0] == ["指标", "数值", "单位", "同比", "同比单位", "目标", "完成率", "期间", "同比来源", "序时进度"]
    patents = next(r for r in kpis if r[0] == "专利申请量")
    assert patents[7:9] == ["2012年", "计算"]  # a whole year's figure, its growth computed from the data
    o = oracle(SAMPLE_DIR)
    assert _kpi_value(kpis, "专利申请量") == o.total("patent_applications", 2012) == 73647
    assert _kpi_value(kpis, "专利授权量") == o.total("patent_grants", 2012) == 59175
    assert _kpi_value(kpis, "授权发明专利") == 2065
    yoy = next(r for r in kpis if r[0] == "专利申请量")[3]
    assert float(yoy) == pytest.approx((73647 / o.total("patent_applications", 2011) - 1) * 100, abs=1e-3)
    completion = next(r for r in kpis if r[0] == "专利申请量")[6]
    target = float(next(r for r in kpis if r[0] == "专利申请量")[5])
    assert float(completion) == pytest.approx(73647 / target)


def test_csv_of_two_districts_in_english_matches_the_oracle(sample_app) -> None:
    client = sample_app.server.test_client()
    resp = client.get(f"/export/data.csv?year=2011&district={YINZHOU},{YUYAO}&lang=en")
    assert resp.status_code == 200
    assert 'filename="ningbo-2011-330212_330281-data.csv"' in resp.headers["Content-Disposition"]
    rows = _csv_rows(resp.data)
    assert rows[2] == ["Districts", "Yinzhou, Yuyao"]
    o = oracle(SAMPLE_DIR)
    kpis = _table(rows, "Key indicators")
    assert _kpi_value(kpis, "Patent applications") == o.total("patent_applications", 2011, [YINZHOU, YUYAO])
    by_district = _table(rows, "Patent applications and grants by district, 2011")
    header, *body = by_district
    assert header[1:] == ["Applications", "Grants"]
    got = {r[0]: float(r[1]) for r in body}
    expected = {o.name(c, "en"): v for c, v in o.by_district("patent_applications", 2011).items()}
    assert got == expected


def test_xlsx_has_a_sheet_per_section_with_numbers_as_numbers(sample_app) -> None:
    client = sample_app.server.test_client()
    resp = client.get(f"/export/data.xlsx?year=2012&district={YINZHOU}")
    assert resp.status_code == 200
    assert 'filename="ningbo-2012-330212-data.xlsx"' in resp.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == [s.title("zh") for s in SECTIONS] + ["指标口径"]  # the sections', then the catalogue
    assert {"总览", "创新型企业梯队"} <= set(book.sheetnames)  # the two read below
    ws = book["总览"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[2][:2] == ["区县（市）", "鄞州区"]
    assert cells[4][:2] == ["数据版本", load_dataset(SAMPLE_DIR).version]
    kpi_row = next(r for r in cells if r[0] == "专利申请量")
    assert isinstance(kpi_row[1], int | float)
    assert kpi_row[1] == oracle(SAMPLE_DIR).total("patent_applications", 2012, [YINZHOU]) == 13328
    tiers = [[c.value for c in row] for row in book["创新型企业梯队"].iter_rows()]
    start = next(i for i, r in enumerate(tiers) if r[0] == "2012年企业梯队")
    counts = {r[0]: r[1] for r in tiers[start + 2 : start + 7]}
    assert all(isinstance(v, int) for v in counts.values())
    expected = oracle(SAMPLE_DIR).tier_counts(2012, (YINZHOU,))
    assert sum(counts.values()) == sum(expected.values())
    assert sorted(counts.values()) == sorted(expected.values())
    assert set(TIER_IDS) >= set(expected)


def test_a_hostile_name_is_neutralised_in_both_formats(tmp_path: Path, make_app) -> None:
    """A district named like a formula comes out as text (a leading apostrophe), never as a formula."""
    data = tmp_path / "hostile"
    shutil.copytree(SAMPLE_DIR, data)
    path = data / "districts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",鄞州区,", ',"=HYPERLINK(""http://x"",""y"")",'), "utf-8")
    client = make_app(data).server.test_client()
    rows = _csv_rows(client.get("/export/data.csv?year=2012").data)
    flat = [c for r in rows for c in r]
    assert '\'=HYPERLINK("http://x","y")' in flat
    assert not any(c.startswith(("=", "+", "@")) for c in flat)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/data.xlsx?year=2012").data))
    values = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in values)
    assert any(c.value == '\'=HYPERLINK("http://x","y")' for c in values)


@pytest.mark.parametrize(
    ("cell", "out"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-x", "'-x"),
        ("@SUM", "'@SUM"),
        ("\tA", "'\tA"),
        ("\rA", "'\rA"),
        ("鄞州区", "鄞州区"),
        (-3.5, -3.5),
        (0, 0),
        (None, None),
    ],
)
def test_safe_neutralises_only_what_a_spreadsheet_would_run(cell, out) -> None:
    assert export.safe(cell) == out


@pytest.mark.parametrize("name", ["other_city", "minimal", "no_pipeline", "large"])
def test_every_shape_exports_what_it_has(name: str) -> None:
    """Other shapes: a sheet per section the dataset has, the KPI table first, and totals from the oracle."""
    root = DATASETS[name]
    ds = load_dataset(root)
    view = from_query(ds, "")
    sheets = export.view_tables(ds, view)
    from components.sections import present

    assert [s.name for s in sheets] == [s.title("zh") for s in present(ds)] + ["指标口径"]
    assert sheets[0].tables[0].title == "核心指标"
    catalogue = sheets[-1].tables[0]  # every indicator of indicators.csv, by its id, with its latest data
    with (root / "indicators.csv").open(encoding="utf-8-sig", errors="replace", newline="") as f:
        ids = [r["indicator"] for r in csv.DictReader(f)] if name != "other_city" else None
    assert ids is None or [r[0] for r in catalogue.rows] == ids
    assert all(r[7] for r in catalogue.rows)
    o = oracle(root)
    for row in sheets[0].tables[0].rows:
        assert row[1] is None or isinstance(row[1], int | float)
    first = ds.indicators["indicator"].iloc[0]
    label = ds.indicators["name_zh"].iloc[0]
    found = [r for r in sheets[0].tables[0].rows if r[0] == label]
    if found and ds.indicators["agg"].iloc[0] == "sum":
        assert found[0][1] == pytest.approx(o.total(first, view.year))
    body = export.to_csv(export.header_rows(ds, view), [t for s in sheets for t in s.tables])
    assert body.startswith(b"\xef\xbb\xbf")
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(export.header_rows(ds, view), sheets)))
    assert len(book.sheetnames) == len(sheets)


def test_crafted_export_requests_never_fail(sample_app) -> None:
    client = sample_app.server.test_client()
    for query in [
        "year=abc",
        "district=<script>",
        "lang=xx&theme=../../",
        "year=1900",
        "district=" + "9" * 5000,
        "v=",
        "%ff%fe",
        "section=../../etc",
    ]:
        resp = client.get(f"/export/data.csv?{query}")
        assert resp.status_code == 200, (query, resp.status_code)
    assert client.get("/export/data.pdf").status_code == 404
    stale = client.get("/export/data.csv?v=000000000000")
    assert stale.status_code == 409
    assert "刷新" in stale.get_json()["error"]
