"""The data page in Chromium, over a real data library: upload a workbook made from the sample with one value
changed, read the preview, publish with one click; the dashboard shows the new numbers (a page opened
before the publish reloads itself as a whole on its next request); roll back and the old numbers return.
(A bad upload's messages and the refusals are checked on the server side: tests/unit/test_upload_page.py.)"""

from __future__ import annotations

from pathlib import Path

from browser_helpers import WAIT_MS, kpi, open_view, wait_all_graphs, wait_number
from playwright.sync_api import Page, expect
from workbook import workbook_from

from components.server.settings import SAMPLE_DIR

HAISHU = "330203"


def _edit(sheet: str, rows: list[list[object]]) -> None:
    if sheet == "observations":
        for r in rows:
            if r[:3] == ["patent_applications", 330203, 2012] and not r[4]:  # the year's row, not a month
                r[3] = 5461  # 4108 + 1353: the city's 73,647 becomes 75,000


def _bar_value(page: Page, graph: str, name: str) -> float:
    """The first trace's value for category `name` in a drawn chart."""
    return float(
        page.evaluate(
            """([gid, name]) => { const g = document.querySelector('#' + gid + ' .js-plotly-plot');
                const t = g.data[0]; const cats = t.orientation === 'h' ? t.y : t.x;
                const vals = t.orientation === 'h' ? t.x : t.y; return vals[Array.from(cats).indexOf(name)]; }""",
            [graph, name],
        )
    )


def _trace_value(page: Page, graph: str, trace: str, x: object) -> float:
    """The value at `x` of the trace named `trace` in a drawn chart."""
    return float(
        page.evaluate(
            """([gid, name, x]) => { const g = document.querySelector('#' + gid + ' .js-plotly-plot');
                const t = g.data.find(t => t.name === name);
                return t.y[Array.from(t.x).map(String).indexOf(String(x))]; }""",
            [graph, trace, x],
        )
    )


def test_publish_then_roll_back_from_the_data_page(new_page, app_server_factory, page_guard, tmp_path: Path) -> None:
    server = app_server_factory(
        SAMPLE_DIR,
        env={"STI_DATA_DIR": "", "STI_LIBRARY_DIR": str(tmp_path / "library"), "STI_RELOAD_SECONDS": "1"},
    )
    book = workbook_from(SAMPLE_DIR, tmp_path / "edited.xlsx", _edit)

    # The stale page's callback request is answered 409 (its version is gone), which Chromium logs.
    page_guard.tolerate_console_error(r"status of 409 \(CONFLICT\)")
    before = new_page()  # open before the publish: it must never mix the two versions
    open_view(before, server.url + "/?year=2012")
    wait_number(before, kpi("patent_applications"), 73647)
    before.evaluate("window.__stiMarker = 1")

    page = new_page()
    open_view(page, server.url + "/?year=2012")
    page.locator("#header-library-link").click()
    page.wait_for_url("**/library?lang=zh", timeout=WAIT_MS)
    expect(page.locator("#versions tbody tr")).to_have_count(1)
    page.set_input_files("#upload-files", str(book))
    page.locator("#upload-check").click()
    preview = page.locator("#library-preview")
    expect(preview).to_be_visible(timeout=WAIT_MS)
    expect(preview.locator("#preview-tables [data-file='observations.csv'] td").nth(1)).to_have_text("1")
    row = preview.locator("#preview-kpis [data-indicator='patent_applications']")
    expect(row.locator(".before")).to_have_text("73,647件")
    expect(row.locator(".after")).to_have_text("75,000件")
    new_version = preview.get_attribute("data-version")
    page.locator("#publish-button").click()
    expect(page.locator("#library-message")).to_contain_text(f"已发布版本 {new_version}", timeout=WAIT_MS)
    expect(page.locator(f"#versions tr[data-version='{new_version}']")).to_have_attribute("aria-current", "true")

    # The page opened before: its next filter change finds its version gone and reloads as a whole.
    before.evaluate(f"window.dash_clientside.set_props('filter-districts', {{value: ['{HAISHU}']}})")
    before.wait_for_function("() => window.__stiMarker === undefined", timeout=WAIT_MS)
    wait_number(before, kpi("patent_applications"), 5461)
    assert before.locator("[data-version]").first.get_attribute("data-version") == new_version

    fresh = new_page()
    open_view(fresh, server.url + "/?year=2012&section=patents")
    wait_number(fresh, kpi("patent_applications"), 75000)
    wait_all_graphs(fresh)
    assert _bar_value(fresh, "patents-district-graph", "海曙区") == 5461
    assert _trace_value(fresh, "patents-trend-graph", "专利申请量", 2012) == 75000

    page.goto(server.url + "/library")
    old = page.locator("#versions tbody tr").nth(1)
    old_version = old.get_attribute("data-version")
    old.get_by_role("button").click()
    expect(page.locator("#library-message")).to_contain_text(f"已恢复版本 {old_version}", timeout=WAIT_MS)
    open_view(fresh, server.url + "/?year=2012&section=patents")
    wait_number(fresh, kpi("patent_applications"), 73647)
    wait_all_graphs(fresh)
    assert _bar_value(fresh, "patents-district-graph", "海曙区") == 4108
    assert _trace_value(fresh, "patents-trend-graph", "专利申请量", 2012) == 73647
    log = page.locator("#import-log tbody tr")
    expect(log).to_have_count(3)
    expect(log.first).to_contain_text("恢复")


def test_a_directory_served_read_only_offers_no_import(page: Page, app_server, page_guard) -> None:
    page.goto(app_server.url + "/library")
    expect(page.locator("#library-readonly")).to_contain_text("只读")
    expect(page.locator("#upload-form")).to_have_count(0)
    open_view(page, app_server.url)
    expect(page.locator("#header-library-link")).to_have_count(0)
