"""Names from the data are text in Chromium: the dashboard over a dataset whose names are Plotly markup
(tests/hostile.py). In every chart of every tab nothing is a link and no text is bold, italic, coloured or
shifted by the data's tags; the names read as written in tick labels and the legend; the page's chart table
shows them unescaped; a tier bar still opens its firms, whose names the grid shows as text. Two page loads;
no console error (the page guard)."""

from __future__ import annotations

import itertools
from pathlib import Path

import hostile
from browser_helpers import WAIT_MS, click_chart, every_section, open_view, show_section, wait_all_graphs
from playwright.sync_api import Page, expect

# In the svgs of the charts: links, tspans styled by a tag (<b>, <i>, <span style>, <sub>, <sup>, …: plotly.js
# gives a tspan a style only for a tag), and the text of tick labels, legend entries and annotations.
_CHART_TEXT = """() => {
    const svgs = [...document.querySelectorAll('.js-plotly-plot svg')];
    const all = (sel) => svgs.flatMap((svg) => [...svg.querySelectorAll(sel)]);
    return {
        charts: svgs.length,
        links: all('a').map((a) => a.textContent),
        styled: all('tspan[style]').map((t) => [t.getAttribute('style'), t.textContent]),
        ticks: all('.xtick text, .ytick text').map((e) => e.textContent),
        legend: all('.legendtext').map((e) => e.textContent),
    };
}"""


def _chart_text(page: Page) -> dict[str, list]:
    found = page.evaluate(_CHART_TEXT)
    assert found["charts"], "no chart drawn"
    return found


def test_hostile_names_are_text_in_every_chart_and_in_the_grid(
    page: Page, app_server_factory, page_guard, tmp_path: Path
) -> None:
    server = app_server_factory(hostile.build(tmp_path / "dataset"))
    open_view(page, server.url + "/?year=2012")
    wait_all_graphs(page)
    seen = {"links": [], "styled": [], "ticks": [], "legend": []}
    for key in itertools.chain(["overview"], every_section(page)):  # the pinned overview, then each tab
        found = _chart_text(page)
        for part in seen:
            seen[part] += [(key, v) for v in found[part]]
        if key == "patents":  # the keyboard-reachable table under a chart: the names as text, not escaped
            details = page.locator(".graph-card:has(#patents-district-graph) .chart-data details")
            details.locator("summary").click()
            table = details.locator(".chart-table table")
            expect(table).to_contain_text("x & y")
            expect(table).to_contain_text("&lt;already&gt;")
            assert "&amp;" not in table.inner_text()

    assert not seen["links"]
    assert not seen["styled"]
    ticks = {text for _, text in seen["ticks"]}
    legend = {text for _, text in seen["legend"]}
    assert {"x & y", "A<br>B", "%{x}区"} <= ticks  # districts
    assert {"<b>粗体台</b>", "&lt;already&gt;台", "%{y}台"} <= ticks  # stations (the heatmap has room for them)
    assert set(hostile.PEERS.values()) <= legend  # the peer cities beside R&D intensity
    assert hostile.CAUSE in legend  # the outage timeline's causes

    # The tier bars' drill-down still leads to the firms; the grid shows their names as text.
    show_section(page, "pipeline")
    bar = page.locator("#pipeline-tiers-graph .trace.bars .point path").nth(3)
    click_chart(page, "pipeline-tiers-graph", mark=bar)
    page.wait_for_url("**/drill/enterprises?**tier=hightech_enterprise**", timeout=WAIT_MS)
    grid = page.locator("#drill-grid")
    names = grid.locator(".ag-row [col-id='c0']")
    expect(names.first).to_be_visible(timeout=WAIT_MS)
    shown = names.all_inner_texts()
    assert shown
    assert all(s.startswith("<b>") and s.endswith("</b> & <br>") for s in shown), shown[:3]
    assert grid.locator(".ag-row b, .ag-row br, .ag-row a").count() == 0
