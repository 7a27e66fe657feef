"""The sample through the year in Chromium: 2012年1–11月 and 前三季度 as a person chooses them.

The sections read the period (district bars over its months, a months chart against the same months a year
before, titles naming the period and following the picker), the 科技服务业 section shows the report's 1–9月
figures, every chart's ⓘ opens its catalogue by keyboard, and presentation mode names the period on its slides
(the PPTX of an in-year view: tests/integration/test_deck.py). Expected numbers come from the sample's CSV
files through the csv module.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from browser_helpers import (
    WAIT_MS,
    axe,
    blocking,
    choose,
    kpi,
    wait_all_graphs,
    wait_number,
    wait_query,
)
from playwright.sync_api import Page, expect

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
PATENTS = kpi("patent_applications")


@cache
def rows() -> list[dict[str, str]]:
    with (SAMPLE / "observations.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def months(indicator: str, year: int, first: int, last: int, district: str | None = None) -> float:
    """A per-month flow over months first..last (all districts, or one)."""
    want = {f"M{m:02d}" for m in range(first, last + 1)}
    return sum(
        float(r["value"])
        for r in rows()
        if r["indicator"] == indicator
        and r["year"] == str(year)
        and r["period"] in want
        and (district is None or r["district"] == district)
    )


def plotted(page: Page, holder: str, trace: int = 0) -> list[float | None]:
    """The y values of a chart's trace as the page drew them."""
    return page.evaluate(
        "([h, i]) => [...document.getElementById(h).querySelector('.js-plotly-plot').data[i].y]", [holder, trace]
    )


def open_page(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.ok, url
    wait_all_graphs(page)  # every chart drawn (scrolled into view, as a reader would)


def test_a_month_reads_through_the_sections_and_titles_follow_the_picker(page: Page, app_server, page_guard) -> None:
    open_page(page, app_server.url + "/?period=2012-11&section=patents")
    value = months("patent_applications", 2012, 1, 11)
    wait_number(page, PATENTS, value)
    wait_number(page, PATENTS, value / months("patent_applications", 2011, 1, 11) - 1, name="data-yoy", tol=1e-9)
    wait_number(page, PATENTS, 11 / 12, name="data-schedule", tol=1e-9)
    expect(page.locator(PATENTS)).to_contain_text("序时进度")
    expect(page.locator("#patents-district-graph-title")).to_have_text("2012年1–11月各区县专利（点击柱可筛选）")
    # the months chart: 1–N月累计 of 2012 over 2011's (csv oracle), December not yet published
    this, last = plotted(page, "patents-months-graph", 0), plotted(page, "patents-months-graph", 1)
    assert this[:11] == [months("patent_applications", 2012, 1, m) for m in range(1, 12)]
    assert this[11] is None
    assert last == [months("patent_applications", 2011, 1, m) for m in range(1, 13)]
    choose(page, "filter-period", "第三季度")
    wait_query(page, lambda q: q.get("period") == ["2012-Q3"], "period=2012-Q3")
    expect(page.locator("#patents-district-graph-title")).to_have_text("2012年1–9月各区县专利（点击柱可筛选）")
    wait_number(page, PATENTS, months("patent_applications", 2012, 1, 9))
    page.get_by_label("当期").check()
    wait_query(page, lambda q: q.get("basis") == ["period"], "basis=period")
    expect(page.locator("#patents-district-graph-title")).to_have_text("2012年第三季度各区县专利（点击柱可筛选）")
    yinzhou = months("patent_applications", 2012, 7, 9, "330212")
    page.locator("#patents-district-graph").scroll_into_view_if_needed()  # a chart off screen redraws when seen
    page.wait_for_function(
        "([h, v]) => { const g = document.getElementById(h).querySelector('.js-plotly-plot');"
        " return g && g.data && g.data[0].y.some((y) => y === v); }",
        arg=["patents-district-graph", yinzhou],
        timeout=WAIT_MS,
    )  # the district bars: each district's third quarter
    choose(page, "filter-period", "全年")
    wait_query(page, lambda q: q.get("year") == ["2012"] and "period" not in q, "year=2012")
    expect(page.locator("#patents-district-graph-title")).to_have_text("2012年各区县专利（点击柱可筛选）")


def test_tech_services_shows_the_reports_figures_and_its_charts_catalogue(page: Page, app_server, page_guard) -> None:
    open_page(page, app_server.url + "/?year=2012&section=services&lang=en")
    quarters = {
        (r["year"], r["period"]): float(r["value"]) for r in rows() if r["indicator"] == "tech_service_value_added"
    }
    bn = [None if v is None else round(v * 10, 6) for v in plotted(page, "services-added-graph", 0)]  # CNY bn
    assert bn == [quarters[("2012", f"Q{q}")] for q in (1, 2, 3)] + [None]
    bn = [round(v * 10, 6) for v in plotted(page, "services-added-graph", 1)]
    assert bn == [quarters[("2011", f"Q{q}")] for q in (1, 2, 3, 4)]
    assert quarters[("2012", "Q3")] == 40.3  # 前三季度 40.3亿元 (the report)
    firms = plotted(page, "services-firms-graph", 0)
    assert firms[2] == 356
    card = page.locator("#services-added-graph").locator("xpath=ancestor::div[contains(@class,'graph-card')]")
    info = card.locator(".chart-info")
    info.locator("summary").focus()
    page.keyboard.press("Enter")  # opens by keyboard or a tap: no hover-only information
    expect(info.locator(".kpi-info-text")).to_be_visible()
    expect(info).to_contain_text("S&T services value added")
    expect(info).to_contain_text("Source: Municipal Bureau of Statistics")
    expect(info).to_contain_text("Frequency: Quarterly")
    expect(info).to_contain_text("Latest data: Jan–Sep 2012")
    faults = blocking(axe(page, within=("#section-services",)))
    assert not faults, faults


def test_presentation_of_an_in_year_view_names_the_period(page: Page, app_server, page_guard) -> None:
    """Slide 2 of 2012年1–11月: the chart's title, the caption and the sentence name the months (the PPTX of the
    same view: tests/integration/test_deck.py, with real kaleido)."""
    page.goto(app_server.url + "/?present=1&period=2012-11&interval=3600&slide=2")
    page.wait_for_function("() => document.getElementById('present-root')?.dataset.current === '2'", timeout=WAIT_MS)
    slide = page.locator("#present-canvas .slide.active")
    expect(slide).to_contain_text("2012年1–11月各区县专利申请与授权")  # the chart's title on the slide
    expect(slide).to_contain_text("2012年1–11月 · 全市")  # the caption
    expect(slide).to_contain_text("2012年1–11月全市专利申请量")  # the sentence
