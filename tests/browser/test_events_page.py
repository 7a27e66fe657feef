"""events.csv in a real browser: the sample's events trace on the pipeline trend, and its hover in both languages."""

from __future__ import annotations

import pytest
from browser_helpers import WAIT_MS, chart_text_problems, open_view, show_section
from playwright.sync_api import Page

EVENTS_POINT = """(gid) => {
    const g = document.querySelector('#' + gid + ' .js-plotly-plot');
    g.scrollIntoView({block: 'center', behavior: 'instant'});
    const i = g._fullData.findIndex((t) => t.uid === 'sti-events');
    if (i < 0) return null;
    const t = g._fullData[i], fl = g._fullLayout, svg = g.querySelector('svg.main-svg').getBoundingClientRect();
    const xa = fl[(t.xaxis || 'x').replace('x', 'xaxis')], ya = fl[(t.yaxis || 'y').replace('y', 'yaxis')];
    return {x: Array.from(t.x), hover: Array.from(t.hovertext), traces: g._fullData.length,
            at: [svg.left + xa._offset + xa.d2p(t.x[0]), svg.top + ya._offset + ya.d2p(t.y[0])]};
}"""


@pytest.mark.parametrize(("lang", "words"), [("zh", "天使投资引导基金"), ("en", "angel-investment")])
def test_the_pipeline_trend_lists_the_years_events_on_hover(
    page: Page, app_server, page_guard, lang: str, words: str
) -> None:
    open_view(page, f"{app_server.url}/?lang={lang}")
    show_section(page, "pipeline")
    found = page.evaluate(EVENTS_POINT, "pipeline-trend-graph")
    assert found is not None, "no events trace on the pipeline trend"
    assert found["x"] == [2012]
    assert found["traces"] == 6  # five tiers and the events
    assert words in found["hover"][0]
    text = ""
    for attempt in range(30):  # a redraw (a chart coming into view, a late answer) takes the label away: hover again
        x, y = found["at"]
        page.mouse.move(x + attempt % 3 - 1, y)
        page.wait_for_timeout(150)
        text = page.evaluate(
            "() => [...document.querySelectorAll('#pipeline-trend-graph .hoverlayer .hovertext')]"
            ".map(e => e.textContent).join(' ')"
        )
        if words in text:
            break
        found = page.evaluate(EVENTS_POINT, "pipeline-trend-graph") or found  # where the marker is now
    assert words in text
    assert "2012-05" in text
    assert "2012-11" in text
    assert "pipeline-trend-graph" not in chart_text_problems(page)
    page_guard.assert_clean()


@pytest.mark.parametrize(
    ("lang", "heading", "first"),
    [
        ("zh", "大事记", "2012-05 《宁波市天使投资引导基金管理暂行办法》出台"),
        ("en", "Events", "2012-05 Interim measures"),
    ],
)
def test_the_events_are_in_the_charts_text_alternative(
    page: Page, app_server, page_guard, lang: str, heading: str, first: str
) -> None:
    """A keyboard or screen-reader user reads the events too: listed under the chart's data table."""
    open_view(page, f"{app_server.url}/?lang={lang}")
    show_section(page, "pipeline")
    details = page.locator("#section-pipeline .graph-card:has(#pipeline-trend-graph) .chart-data details")
    details.locator("summary").focus()
    page.keyboard.press("Enter")  # opens the <details> as a keyboard user would
    items = details.locator(".chart-events li")
    items.first.wait_for(timeout=WAIT_MS)
    assert details.locator(".chart-events-title").inner_text() == heading
    texts = items.all_inner_texts()
    assert len(texts) == 2  # the guidance fund (May) and the first angel fund (Nov)
    assert texts[0].startswith(first)
    assert texts[1].startswith("2012-11")
    assert details.locator("table tbody tr").count() == 5  # the numbers table: the five years, no events row
    page_guard.assert_clean()
