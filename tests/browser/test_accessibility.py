"""Accessibility in a real browser: axe-core (WCAG 2.1 AA + best practice), chart names and text alternatives,
keyboard use of the filters.

axe-core comes with the `axe-playwright-python` wheel (its axe.min.js, injected into the page): no network.
The targets of the issue: 0 critical and 0 serious violations on the dashboard (zh, whole city, every tab, both
themes), a district selection in English, and presentation mode.
"""

from __future__ import annotations

import json

import pytest
from browser_helpers import (
    TAB_PARTS,
    WAIT_MS,
    axe,
    blocking,
    every_section,
    kpi,
    open_every_table,
    open_view,
    show_section,
    wait_all_graphs,
)
from playwright.sync_api import Page, expect


@pytest.mark.parametrize(
    ("query", "what"),
    [
        ("", "zh, whole city"),
        ("?theme=dark", "zh, dark theme"),
        ("?lang=en&district=330212,330281", "English, two districts"),
    ],
)
def test_the_dashboard_has_no_serious_accessibility_fault(page: Page, app_server, page_guard, query, what) -> None:
    """axe-core on every tab of the dashboard, with the charts' data tables open."""
    open_view(page, f"{app_server.url}/{query}")
    faults = {}
    for n, key in enumerate(every_section(page)):
        open_every_table(page)
        found = blocking(axe(page, within=TAB_PARTS if n else ()))  # the whole page once, then what a tab changes
        if found:
            faults[key] = found
    assert not faults, f"{what}: {json.dumps(faults, ensure_ascii=False, indent=1)}"


@pytest.mark.parametrize("query", ["?present=1&interval=3600", "?present=1&lang=en&theme=dark&interval=3600"])
def test_presentation_mode_has_no_serious_accessibility_fault(page: Page, app_server, page_guard, query) -> None:
    """axe-core on the running slides."""
    page.goto(f"{app_server.url}/{query}")
    page.wait_for_function("() => document.getElementById('present-root')?.dataset.current === '1'", timeout=WAIT_MS)
    found = blocking(axe(page))
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_every_chart_has_a_name_and_a_data_table(page: Page, app_server, page_guard) -> None:
    """Each chart is a figure named by its title; its data table (opened by keyboard) holds the numbers drawn."""
    open_view(page, app_server.url)
    for key in every_section(page):
        names = page.evaluate(
            """() => [...document.querySelectorAll('.graph-holder')].map(h => {
                const card = h.closest('[role=figure]');
                const label = card && document.getElementById(card.getAttribute('aria-labelledby'));
                return [h.id, label ? label.textContent.trim() : '', !!card.querySelector('.chart-data summary')];
            })"""
        )
        assert names, key
        for gid, name, has_table in names:
            assert name, f"{key}: chart {gid} has no accessible name"
            assert has_table, f"{key}: chart {gid} has no data table"
    show_section(page, "patents")
    summary = (
        page.locator("#patents-trend-graph").locator("xpath=ancestor::*[@role='figure']").locator(".chart-data summary")
    )
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator("#patents-trend-graph").locator("xpath=ancestor::*[@role='figure']").locator("table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(5)  # 2008-2012
    last = rows.last.locator("th, td").all_inner_texts()
    assert last[0] == "2012", last
    assert "73,647" in last, last  # the published 2012 applications
    assert "2,065" in last, last  # the trend chart's invention series in 2012


def test_the_data_table_follows_the_filters(page: Page, app_server, page_guard) -> None:
    """An open table is rebuilt when its chart redraws for another year."""
    open_view(page, app_server.url)
    wait_all_graphs(page)
    card = page.locator("#patents-district-graph").locator("xpath=ancestor::*[@role='figure']")
    card.locator(".chart-data summary").click()
    caption = card.locator("table caption")
    expect(caption).to_contain_text("2012")
    first_2012 = card.locator("tbody tr").first.inner_text()
    page.locator("#filter-year").click()
    page.locator(".dash-dropdown-content").get_by_role("option", name="2011年", exact=True).click()
    expect(caption).to_contain_text("2011")
    expect(card.locator("tbody tr").first).not_to_have_text(first_2012)


def test_the_filters_work_from_the_keyboard(page: Page, app_server, page_guard) -> None:
    """Tab reaches the year filter itself (no hidden focusable input), ArrowDown opens it, Enter picks a year."""
    open_view(page, app_server.url)
    page.locator("#header-theme-link").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "filter-year":
            break
    assert page.evaluate("document.activeElement.id") == "filter-year", page.evaluate(
        "document.activeElement.outerHTML.slice(0, 200)"
    )
    hidden = page.evaluate(
        "[...document.querySelectorAll('[aria-hidden=true] input, input[aria-hidden=true]')].filter(e => !e.inert"
        " && e.tabIndex >= 0).length"
    )
    assert hidden == 0, "a hidden input can still take focus"
    page.keyboard.press("ArrowDown")
    # The open list puts the focus on the chosen year (in the next frame); ArrowDown then moves it to the
    # year after it in the list (the years run newest first), as a person would.
    listbox = page.locator(".dash-dropdown-content")
    expect(listbox.get_by_role("option", name="2012年", exact=True).get_by_role("radio")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(listbox.get_by_role("option", name="2011年", exact=True).get_by_role("radio")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#filter-caption")).to_contain_text("2011")
    expect(page.locator(kpi("patent_applications"))).not_to_have_attribute("data-value", "73647.0")
