"""Periods of a year in Chromium, on the monthly fixture (tests/fixtures/monthly: 2011, and 2012 to November).

A period is chosen from the URL and from the picker (year, then 全年 / a quarter / a month, and 累计 / 当期); the
KPI cards carry the period's value, 同比 against the same months a year before, and for the annual target its
completion against 序时进度 (data-period, data-basis, data-yoy-source, data-target, data-completion,
data-schedule); the caption names the period; back and forward restore it; English labels it in English; a
card's ⓘ opens its catalogue entry by keyboard; axe finds no serious fault in the filter bar and the cards;
presentation mode shows the period's cards. Expected numbers come from
the fixture's CSV files through the csv module.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest
from browser_helpers import WAIT_MS, attr, axe, blocking, choose, kpi, wait_number, wait_query
from playwright.sync_api import Page, expect

MONTHLY = Path(__file__).resolve().parents[1] / "fixtures" / "monthly"
PATENTS, OUTPUT = kpi("patent_applications"), kpi("hightech_output")


@cache
def rows() -> list[dict[str, str]]:
    with (MONTHLY / "observations.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def months(indicator: str, year: int, first: int, last: int) -> float:
    """A per-month flow over months first..last, all districts."""
    want = {f"M{m:02d}" for m in range(first, last + 1)}
    return sum(
        float(r["value"])
        for r in rows()
        if r["indicator"] == indicator and r["year"] == str(year) and r["period"] in want
    )


def cumulative(indicator: str, year: int, last: int) -> float:
    """A `ytd` flow's January–`last` total over all districts (the row ending in `last`)."""
    code = f"M{last:02d}" if last > 2 else "M01-M02"
    return sum(
        float(r["value"])
        for r in rows()
        if r["indicator"] == indicator and r["year"] == str(year) and r["period"] == code
    )


@pytest.fixture(scope="module")
def monthly(app_servers):
    server = app_servers.start(MONTHLY)
    yield server
    app_servers.stop(server)


def open_period(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.ok, url
    page.wait_for_selector(PATENTS, timeout=WAIT_MS)


def test_a_month_from_the_url_year_to_date_against_the_same_months(page: Page, monthly, page_guard, screenshot) -> None:
    open_period(page, monthly.url + "/?period=2012-11")
    expect(page.locator("#filter-caption")).to_have_text("2012年1–11月 · 全市")
    value, before = months("patent_applications", 2012, 1, 11), months("patent_applications", 2011, 1, 11)
    wait_number(page, PATENTS, value)
    wait_number(page, PATENTS, value / before - 1, name="data-yoy", tol=1e-9)
    assert attr(page, PATENTS, "data-period") == "2012-11"
    assert attr(page, PATENTS, "data-basis") == "ytd"
    assert attr(page, PATENTS, "data-yoy-source") == "computed"
    wait_number(page, PATENTS, 3600, name="data-target")  # the four districts' annual targets
    wait_number(page, PATENTS, value / 3600, name="data-completion", tol=1e-9)
    wait_number(page, PATENTS, 11 / 12, name="data-schedule", tol=1e-9)
    card = page.locator(PATENTS)
    expect(card).to_contain_text("完成全年目标")
    expect(card).to_contain_text("序时进度")
    expect(card).to_contain_text("2012年1–11月")
    growth = cumulative("hightech_output", 2012, 11) / cumulative("hightech_output", 2011, 11) - 1
    wait_number(page, OUTPUT, cumulative("hightech_output", 2012, 11))
    wait_number(page, OUTPUT, growth, name="data-yoy", tol=1e-9)
    expect(page.locator("#overview-summary")).to_contain_text(f"2012年1–11月全市专利申请量{value:,.0f}件")
    screenshot(page, "periods-2012-11-zh", full_page=False)


def test_the_picker_chooses_a_basis_and_a_quarter_and_back_restores_them(page: Page, monthly, page_guard) -> None:
    open_period(page, monthly.url + "/?period=2012-11")
    wait_number(page, PATENTS, months("patent_applications", 2012, 1, 11))
    page.get_by_label("当期").check()  # 当期: November alone
    wait_query(page, lambda q: q.get("basis") == ["period"] and q.get("period") == ["2012-11"], "basis=period")
    wait_number(page, PATENTS, months("patent_applications", 2012, 11, 11))
    wait_number(page, OUTPUT, cumulative("hightech_output", 2012, 11) - cumulative("hightech_output", 2012, 10))
    expect(page.locator("#filter-caption")).to_have_text("2012年11月 · 全市")
    choose(page, "filter-period", "第三季度")
    wait_query(page, lambda q: q.get("period") == ["2012-Q3"], "period=2012-Q3")
    wait_number(page, PATENTS, months("patent_applications", 2012, 7, 9))
    assert attr(page, PATENTS, "data-period") == "2012-Q3"
    expect(page.locator("#filter-caption")).to_have_text("2012年第三季度 · 全市")
    page.go_back()
    wait_query(page, lambda q: q.get("period") == ["2012-11"], "back to period=2012-11")
    wait_number(page, PATENTS, months("patent_applications", 2012, 11, 11))
    choose(page, "filter-year", "2011年")  # the same month of another year
    wait_query(page, lambda q: q.get("period") == ["2011-11"], "period=2011-11")
    wait_number(page, PATENTS, months("patent_applications", 2011, 11, 11))
    choose(page, "filter-period", "全年")
    wait_query(page, lambda q: q.get("year") == ["2011"] and "period" not in q, "year=2011")
    # 2011 as a whole: the annual rows (final statistics), which revise the months
    annual = sum(
        float(r["value"])
        for r in rows()
        if r["indicator"] == "patent_applications" and r["year"] == "2011" and r["period"] == ""
    )
    wait_number(page, PATENTS, annual)


def test_english_labels_the_catalogue_and_no_serious_fault(page: Page, monthly, page_guard) -> None:
    open_period(page, monthly.url + "/?period=2012-11&lang=en")
    expect(page.locator("#filter-caption")).to_have_text("Jan–Nov 2012 · Whole city")
    expect(page.locator(PATENTS)).to_contain_text("Jan–Nov 2012")
    expect(page.locator(PATENTS)).to_contain_text("schedule")
    info = page.locator(PATENTS).locator(".kpi-info")
    info.locator("summary").focus()
    page.keyboard.press("Enter")  # the ⓘ opens by keyboard (or a tap): no hover-only information
    expect(info.locator(".kpi-info-text")).to_be_visible()
    expect(info).to_contain_text("Definition: Patent applications: test definition (fictional)")
    expect(info).to_contain_text("Source: Test statistics bureau")
    expect(info).to_contain_text("Frequency: Monthly · Value of the period")
    expect(info).to_contain_text("Latest data: Nov 2012")
    faults = blocking(axe(page, within=(".filter-bar", "#kpi-strip")))
    assert not faults, faults


def test_a_year_still_running_opens_on_its_latest_period(page: Page, monthly, page_guard) -> None:
    open_period(page, monthly.url + "/")
    expect(page.locator("#filter-caption")).to_have_text("2012年1–11月 · 全市")
    assert attr(page, PATENTS, "data-period") == "2012-11"


def test_presentation_mode_shows_the_periods_cards(page: Page, monthly, page_guard) -> None:
    page.goto(monthly.url + "/?present=1&period=2012-11&interval=3600")
    page.wait_for_function("() => document.getElementById('present-root')?.dataset.current === '1'", timeout=WAIT_MS)
    card = "#present-canvas [data-indicator=patent_applications]"
    page.wait_for_selector(card, timeout=WAIT_MS)
    assert attr(page, card, "data-period") == "2012-11"
    assert float(attr(page, card, "data-value") or "nan") == months("patent_applications", 2012, 1, 11)
    expect(page.locator("#present-canvas")).to_contain_text("2012年1–11月")
