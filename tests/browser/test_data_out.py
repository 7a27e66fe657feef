"""Taking data out, as an analyst does in Chromium: the export menu's CSV and Excel files of the view on
screen, a tier bar opening the firms behind it (a sortable, filterable, paged grid), a station opening its
outages, and the way back; no request leaves the app (the page guard)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from browser_helpers import WAIT_MS, click_chart, kpi, open_view, show_section, wait_all_graphs, wait_number
from oracle import SAMPLE, oracle
from playwright.sync_api import Page, expect

YINZHOU = "330212"


def _menu_download(page: Page, item: str, tmp_path: Path) -> Path:
    page.locator("#data-export-menu").click()
    with page.expect_download(timeout=WAIT_MS) as info:
        page.locator(f"#{item}").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path


def test_the_export_menu_gives_the_view_on_screen(page: Page, app_server, page_guard, tmp_path: Path) -> None:
    """The filters changed in the page (not in the first URL): the files carry the new view."""
    o = oracle(SAMPLE)
    open_view(page, app_server.url + "/?year=2011")
    wait_number(page, kpi("patent_applications"), o.total("patent_applications", 2011))
    page.evaluate(f"window.dash_clientside.set_props('filter-districts', {{value: ['{YINZHOU}']}})")
    wait_number(page, kpi("patent_applications"), o.total("patent_applications", 2011, [YINZHOU]))

    path = _menu_download(page, "data-export-csv", tmp_path)
    assert path.name == "宁波-2011-鄞州区-数据.csv"  # the Unicode name (filename*), as the browser saves it
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))
    assert ["区县（市）", "鄞州区"] in rows
    assert ["数据版本", app_server.version] in rows
    row = next(r for r in rows if r and r[0] == "专利申请量")
    assert float(row[1]) == o.total("patent_applications", 2011, [YINZHOU])

    path = _menu_download(page, "data-export-xlsx", tmp_path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "总览"
    values = [[c.value for c in r] for r in book["总览"].iter_rows()]
    assert next(r for r in values if r[0] == "专利申请量")[1] == o.total("patent_applications", 2011, [YINZHOU])


def test_the_export_menu_opens_and_closes_from_mouse_and_keyboard(page: Page, app_server, page_guard) -> None:
    """The menu opens on its button, closes on a click elsewhere and on Escape (focus back on its button),
    and opens from the keyboard (Enter on the focused button)."""
    open_view(page, app_server.url + "/")
    menu = page.locator("#data-export-menu")
    item = page.locator("#data-export-csv")
    expect(item).to_be_hidden()
    menu.locator("summary").click()
    expect(item).to_be_visible()
    page.locator("h1").first.click()  # elsewhere
    expect(item).to_be_hidden()
    menu.locator("summary").click()
    expect(item).to_be_visible()
    page.keyboard.press("Escape")
    expect(item).to_be_hidden()
    assert page.evaluate("document.activeElement.closest('#data-export-menu') !== null")
    page.keyboard.press("Enter")
    expect(item).to_be_visible()
    box, button = item.bounding_box(), menu.locator("summary").bounding_box()
    assert box is not None
    assert button is not None
    assert box["y"] >= button["y"] + button["height"] - 1  # the items drop below the button


def test_a_tier_bar_opens_its_firms_and_the_way_back_keeps_the_view(
    page: Page, app_server, page_guard, tmp_path: Path
) -> None:
    o = oracle(SAMPLE)
    expected = o.tier_counts(2012, (YINZHOU,))["hightech_enterprise"]
    open_view(page, app_server.url + f"/?year=2012&district={YINZHOU}")
    show_section(page, "pipeline")
    wait_all_graphs(page)
    # The pyramid lists national innovative firms on top: high-tech firms are the fourth bar from the top.
    bar = page.locator("#pipeline-tiers-graph .trace.bars .point path").nth(3)
    click_chart(page, "pipeline-tiers-graph", mark=bar)
    page.wait_for_url("**/drill/enterprises?**", timeout=WAIT_MS)
    assert "tier=hightech_enterprise" in page.url
    assert f"district={YINZHOU}" in page.url
    expect(page.locator("#drill-title")).to_have_text("2012年 鄞州区 高新技术企业名单")
    expect(page.locator("#drill-count")).to_have_attribute("data-count", str(expected))
    grid = page.locator("#drill-grid")
    expect(grid.locator(".ag-row").first).to_be_visible(timeout=WAIT_MS)
    expect(grid.locator(".ag-paging-row-summary-panel")).to_contain_text(f"/ {expected}")

    # Sort by the certification year (descending on a second click) and filter by a name's part.
    header = grid.locator(".ag-header-cell", has_text="认定年份")
    header.click()
    header.click()
    first_year = grid.locator(".ag-row[row-index='0'] [col-id='c4']")
    expect(first_year).to_have_text("2012")
    name_filter = grid.locator(".ag-floating-filter [aria-label]").first
    name_filter.fill("新材料")
    expect(grid.locator(".ag-paging-row-summary-panel")).not_to_contain_text(f"/ {expected}")
    shown = grid.locator(".ag-row [col-id='c0']").all_inner_texts()
    assert shown
    assert all("新材料" in s for s in shown), shown

    with page.expect_download(timeout=WAIT_MS) as info:
        page.locator("#drill-download-csv").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_bytes()[3:].decode("utf-8"))))
    start = rows.index(["2012年 鄞州区 高新技术企业名单"])
    assert len(rows) - start - 2 == expected

    page.locator("#drill-back").click()
    page.wait_for_url(f"**/?year=2012&district={YINZHOU}", timeout=WAIT_MS)
    wait_number(page, kpi("patent_applications"), o.total("patent_applications", 2012, [YINZHOU]))


def test_a_station_opens_its_outages(page: Page, app_server, page_guard) -> None:
    o = oracle(SAMPLE)
    open_view(page, app_server.url + "/?year=2012&section=seismic")
    wait_all_graphs(page)
    station = page.evaluate(
        """() => document.querySelector('#seismic-uptime-graph .js-plotly-plot').data[0].customdata[0]"""
    )
    assert station.startswith("drill:outages:station=")
    code = station.split("=")[1]
    expected = len(o.outages_in(2012, {code}))
    page.locator("#seismic-uptime-graph").scroll_into_view_if_needed()
    bar = page.locator("#seismic-uptime-graph .trace.bars .point path").first
    box = bar.bounding_box()  # the axis starts near 99%: the bar runs far below the plot, so click its top end
    assert box is not None
    click_chart(page, "seismic-uptime-graph", box["x"] + box["width"] / 2, box["y"] + 6)
    page.wait_for_url(f"**/drill/outages?**station={code}**", timeout=WAIT_MS)
    expect(page.locator("#drill-count")).to_have_attribute("data-count", str(expected))
    if expected:
        expect(page.locator("#drill-grid .ag-row").first).to_be_visible(timeout=WAIT_MS)


def test_the_cards_drill_link_follows_the_filters(page: Page, app_server, page_guard) -> None:
    """'企业名单 →' on the tier card opens every tier's firms for the view on screen, in English too."""
    open_view(page, app_server.url + "/?year=2011&lang=en&section=pipeline")
    wait_all_graphs(page)
    page.locator(".graph-card:has(#pipeline-tiers-graph) a.drill-link").click()
    page.wait_for_url("**/drill/enterprises?**", timeout=WAIT_MS)
    assert "year=2011" in page.url
    assert "lang=en" in page.url
    expect(page.locator("#drill-title")).to_have_text("All tiers, 2011 — Whole city")
    total = sum(oracle(SAMPLE).tier_counts(2011).values())
    expect(page.locator("#drill-count")).to_have_attribute("data-count", str(total))
    expect(page.locator("#drill-grid .ag-paging-panel")).to_contain_text("of")


def test_a_district_segment_opens_that_districts_firms_of_that_tier(page: Page, app_server, page_guard) -> None:
    """In the tiers-by-district chart a segment is a district's tier: its firms, whatever the selection."""
    open_view(page, app_server.url + "/?year=2012&section=pipeline")
    wait_all_graphs(page)
    target = page.evaluate(
        """() => { const g = document.querySelector('#pipeline-district-graph .js-plotly-plot');
            const t = g.data.find(t => t.name === '高新技术'); return t.customdata[0]; }"""
    )
    code = target[0]
    assert target[1] == f"drill:enterprises:tier=hightech_enterprise&district={code}"
    page.locator("#pipeline-district-graph").scroll_into_view_if_needed()
    index = page.evaluate(
        """() => [...document.querySelectorAll('#pipeline-district-graph .trace.bars')]
            .findIndex(el => el.__data__ && el.__data__[0] && el.__data__[0].trace.name === '高新技术')"""
    )
    assert index >= 0
    segment = page.locator("#pipeline-district-graph .trace.bars").nth(index).locator(".point path").first
    click_chart(page, "pipeline-district-graph", mark=segment)
    page.wait_for_url("**/drill/enterprises?**", timeout=WAIT_MS)
    assert f"district={code}" in page.url
    assert "tier=hightech_enterprise" in page.url
    expected = oracle(SAMPLE).tier_counts(2012, (code,))["hightech_enterprise"]
    expect(page.locator("#drill-count")).to_have_attribute("data-count", str(expected))
