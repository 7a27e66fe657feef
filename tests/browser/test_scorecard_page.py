"""The assessment scorecard and the KPI warnings in Chromium: attributes read back, sorting, opening a district.

Expected numbers come from the sample's CSV files through the csv module (not through data/): completion is
actual / target, rank counts the districts with a better completion, status follows the default thresholds
(≥ 100% on track, ≥ 90% at risk, else missed). In-year (the monthly fixture, tests/fixtures/monthly), the
actual is the year to date, the status is judged on completion ÷ 序时进度, and each cell carries data-period
and data-schedule.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest
from browser_helpers import WAIT_MS, kpi, open_view, show_section, wait_number, wait_query
from playwright.sync_api import Page, expect

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
MONTHLY = Path(__file__).resolve().parents[1] / "fixtures" / "monthly"
RATIOS = {"hightech_share": ("hightech_output", "industrial_output")}

READ_CELLS = """() => [...document.querySelectorAll('#scorecard td[data-district]')].map(td => ({
    district: td.dataset.district, indicator: td.dataset.indicator, target: td.dataset.target,
    actual: td.dataset.actual, completion: td.dataset.completion, rank: td.dataset.rank, status: td.dataset.status,
    period: td.dataset.period, schedule: td.dataset.schedule, text: td.innerText}))"""
ROW_ORDER = "() => [...document.querySelectorAll('#scorecard tbody tr')].map(tr => tr.dataset.row)"


@cache
def expected() -> dict[tuple[str, str], dict[str, float | int | str]]:
    """(district, indicator) -> target, actual, completion, rank, status for 2012, from the CSV files."""
    with (SAMPLE / "observations.csv").open(encoding="utf-8") as f:
        obs = {  # the year's own rows (its months add up to them)
            (r["indicator"], r["district"]): float(r["value"])
            for r in csv.DictReader(f)
            if r["year"] == "2012" and not r.get("period")
        }
    with (SAMPLE / "districts.csv").open(encoding="utf-8") as f:
        codes = {r["code"] for r in csv.DictReader(f)}
    with (SAMPLE / "targets.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["year"] == "2012" and r["district"] in codes]
    out: dict[tuple[str, str], dict[str, float | int | str]] = {}
    for r in rows:
        ind, d = r["indicator"], r["district"]
        if ind in RATIOS:
            num, den = RATIOS[ind]
            actual = obs[(num, d)] / obs[(den, d)] * 100
        else:
            actual = obs[(ind, d)]
        done = actual / float(r["target"])
        status = "on_track" if done >= 1 else "at_risk" if done >= 0.9 else "missed"
        out[(d, ind)] = {"target": float(r["target"]), "actual": actual, "completion": done, "status": status}
    for (_, ind), e in out.items():
        e["rank"] = 1 + sum(o["completion"] > e["completion"] for (_, i), o in out.items() if i == ind)
    return out


def test_every_cell_reads_back_as_computed_from_the_files(page: Page, app_server, screenshot) -> None:
    open_view(page, app_server.url + "/?year=2012&section=scorecard")
    show_section(page, "scorecard")
    cells = page.evaluate(READ_CELLS)
    want = expected()
    assert len(cells) == len(want) == 44
    for c in cells:
        e = want[(c["district"], c["indicator"])]
        assert float(c["target"]) == pytest.approx(e["target"])
        assert float(c["actual"]) == pytest.approx(e["actual"], rel=1e-6)
        assert float(c["completion"]) == pytest.approx(e["completion"], rel=1e-6)
        assert int(c["rank"]) == e["rank"]
        assert c["status"] == e["status"]
        icon = {"on_track": "✓", "at_risk": "⚠", "missed": "✕"}[e["status"]]
        assert c["text"].startswith(icon)  # an icon and words as well as a colour
    missed = [c for c in cells if c["status"] == "missed"]
    assert [(c["district"], c["indicator"]) for c in missed] == [("330206", "invention_grants")]
    assert "未达标" in missed[0]["text"]
    expect(page.locator("#scorecard-summary")).to_contain_text("北仑区授权发明专利完成率低于90%")
    expect(page.locator("#overview-summary")).to_contain_text("北仑区授权发明专利完成率低于90%")
    screenshot(page, "scorecard-zh")


def test_kpi_cards_warn_with_icon_words_and_status(page: Page, app_server) -> None:
    open_view(page, app_server.url + "/?year=2012")
    share = page.locator(kpi("hightech_share"))
    expect(share).to_have_attribute("data-status", "at_risk")
    expect(share.locator(".kpi-status")).to_have_text("⚠预警：完成率95.7%，低于100%")
    expect(page.locator(kpi("patent_applications"))).to_have_attribute("data-status", "on_track")
    expect(page.locator(kpi("patent_grants"))).to_have_attribute("data-status", "")
    expect(page.locator(kpi("patent_grants")).locator(".kpi-status")).to_be_hidden()
    expect(page.locator(kpi("rd_intensity"))).to_have_attribute("data-status", "at_risk")
    # a district that missed: the card turns to missed when the filter changes
    open_view(page, app_server.url + "/?year=2012&district=330206")
    expect(page.locator(kpi("invention_grants"))).to_have_attribute("data-status", "missed")
    expect(page.locator(kpi("invention_grants")).locator(".kpi-status")).to_contain_text("未达标")


def test_sorting_by_a_column_and_back(page: Page, app_server) -> None:
    open_view(page, app_server.url + "/?year=2012&section=scorecard")
    show_section(page, "scorecard")
    codes = page.evaluate(ROW_ORDER)
    assert codes[0] == "330203"  # the dataset's order
    by_rank = sorted(codes, key=lambda d: expected()[(d, "invention_grants")]["rank"])
    heading = page.locator("#scorecard thead button[data-sort=invention_grants]")
    heading.click()
    assert page.evaluate(ROW_ORDER) == by_rank
    expect(page.locator("#scorecard thead th[data-key=invention_grants]")).to_have_attribute("aria-sort", "ascending")
    heading.click()
    assert page.evaluate(ROW_ORDER) == by_rank[::-1]
    expect(page.locator("#scorecard thead th[data-key=invention_grants]")).to_have_attribute("aria-sort", "descending")
    page.locator("#scorecard thead button[data-sort=summary]").click()
    counts = [
        page.locator(f"#scorecard tr[data-row='{c}'] .grid-summary").inner_text() for c in page.evaluate(ROW_ORDER)
    ]
    assert [int(x.split("/")[0]) for x in counts] == sorted((int(x.split("/")[0]) for x in counts), reverse=True)
    page.locator("#scorecard thead button[data-sort=row]").click()
    assert page.evaluate(ROW_ORDER) == codes


def test_a_sorted_table_keeps_its_order_when_the_view_changes(page: Page, app_server) -> None:
    open_view(page, app_server.url + "/?year=2012&section=scorecard")
    show_section(page, "scorecard")
    page.locator("#scorecard thead button[data-sort=patent_applications]").click()
    order = page.evaluate(ROW_ORDER)
    page.locator("#scorecard tr[data-row='330212'] a.grid-open").click()  # opens Yinzhou's view
    wait_query(page, lambda q: q.get("district") == ["330212"], "district=330212")
    expect(page.locator("#scorecard tr[data-row='330212']")).to_have_attribute("data-selected", "1", timeout=WAIT_MS)
    assert page.evaluate(ROW_ORDER) == order


def test_a_row_opens_the_district_view(page: Page, app_server) -> None:
    open_view(page, app_server.url + "/?year=2012&section=scorecard")
    show_section(page, "scorecard")
    apps = expected()[("330282", "patent_applications")]["actual"]
    page.locator("#scorecard tr[data-row='330282'] td").first.click()  # anywhere on Cixi's row
    wait_query(page, lambda q: q.get("district") == ["330282"], "district=330282")
    wait_number(page, kpi("patent_applications"), apps)
    expect(page.locator("#filter-caption")).to_contain_text("慈溪市")
    # by keyboard: the district's link
    page.locator("#scorecard tr[data-row='330203'] a.grid-open").focus()
    page.keyboard.press("Enter")
    wait_query(page, lambda q: q.get("district") == ["330203"], "district=330203")


def test_english_scorecard(page: Page, app_server, screenshot) -> None:
    open_view(page, app_server.url + "/?year=2012&lang=en&section=scorecard")
    show_section(page, "scorecard")
    expect(page.locator("#scorecard caption")).to_contain_text(
        "District science and technology progress assessment 2012"
    )
    expect(page.locator("#scorecard tr[data-row='330206'] td[data-indicator=invention_grants]")).to_contain_text(
        "Missed"
    )
    expect(page.locator("#scorecard-summary")).to_contain_text("Invention patents granted: Beilun below 90% of target.")
    assert not page.locator("#scorecard").inner_text().count("区")
    screenshot(page, "scorecard-en")


def test_scorecard_slide_in_presentation_mode(page: Page, app_server, screenshot) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(app_server.url + "/?year=2012&present=1&interval=3600")
    slide = page.locator(".slide:has(#scorecard)")
    expect(slide).to_have_count(1, timeout=WAIT_MS)
    index = int(slide.get_attribute("data-slide") or 0)
    page.goto(app_server.url + f"/?year=2012&present=1&interval=3600&slide={index + 1}")  # slide=N: the Nth
    expect(slide).to_have_class("slide active", timeout=WAIT_MS)
    assert slide.locator("#scorecard td[data-district]").count() == 44
    assert slide.locator("button.grid-sort").count() == 0  # a slide is read, not sorted
    box = slide.locator(".slide-table").bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 1080 - 40
    page.wait_for_function("document.fonts.status === 'loaded'")  # the picture in its fonts (no fixed wait)
    screenshot(page, "scorecard-slide")


def monthly_expected(last: int) -> dict[str, dict[str, float | int | str]]:
    """district -> the monthly fixture's patent applications January–`last` of 2012 against the annual target."""
    with (MONTHLY / "observations.csv").open(encoding="utf-8") as f:
        months = {f"M{m:02d}" for m in range(1, last + 1)}
        rows = [r for r in csv.DictReader(f) if r["indicator"] == "patent_applications" and r["year"] == "2012"]
    with (MONTHLY / "targets.csv").open(encoding="utf-8") as f:
        goals = {r["district"]: float(r["target"]) for r in csv.DictReader(f) if r["year"] == "2012"}
    out: dict[str, dict[str, float | int | str]] = {}
    for d, goal in goals.items():
        actual = sum(float(r["value"]) for r in rows if r["district"] == d and r["period"] in months)
        pace = actual / goal / (last / 12)
        status = "on_track" if pace >= 1 else "at_risk" if pace >= 0.9 else "missed"
        out[d] = {"target": goal, "actual": actual, "completion": actual / goal, "status": status}
    for e in out.values():
        e["rank"] = 1 + sum(o["completion"] > e["completion"] for o in out.values())
    return out


def open_scorecard(page: Page) -> None:
    """Open the scorecard's tab and wait for its table (a table, no chart of its own to wait for)."""
    page.locator("#section-tabs [data-section=scorecard]").click()
    expect(page.locator("#section-tabs [data-section=scorecard]")).to_have_attribute("aria-selected", "true")
    page.wait_for_selector("#section-body #scorecard td[data-district]", timeout=WAIT_MS)


@pytest.fixture(scope="module")
def monthly(app_servers):
    server = app_servers.start(MONTHLY)
    yield server
    app_servers.stop(server)


def test_an_in_year_scorecard_reads_the_year_to_date_against_schedule(page: Page, monthly, screenshot) -> None:
    open_view(page, monthly.url + "/?period=2012-06&section=scorecard")
    open_scorecard(page)
    cells = page.evaluate(READ_CELLS)
    want = monthly_expected(6)
    assert len(cells) == len(want) == 4
    for c in cells:
        e = want[c["district"]]
        assert c["indicator"] == "patent_applications"
        assert (c["period"], float(c["schedule"])) == ("2012-06", pytest.approx(0.5))
        assert float(c["target"]) == pytest.approx(e["target"])
        assert float(c["actual"]) == pytest.approx(e["actual"])
        assert float(c["completion"]) == pytest.approx(e["completion"])
        assert int(c["rank"]) == e["rank"]
        assert c["status"] == e["status"]
        assert f"{float(e['completion']) * 100:.1f}%" in c["text"]
        assert "序时进度 50.0%" in c["text"]
    city = page.locator("#scorecard td[data-scope=city]")
    expect(city).to_have_attribute("data-total-period", "2012-06")
    expect(city).to_have_attribute("data-total-schedule", "0.5")
    expect(page.locator("#scorecard thead")).to_contain_text("2012年1–6月 · 序时进度 50.0%")
    expect(page.locator("#scorecard-summary")).to_contain_text("2012年1–6月，4个区县（市）1项考核指标（序时进度50.0%）")
    screenshot(page, "scorecard-in-year")
    # a quarter, in English: the same months, named as a quarter's end
    open_view(page, monthly.url + "/?period=2012-Q2&lang=en&section=scorecard")
    open_scorecard(page)
    first = page.locator("#scorecard td[data-district]").first
    expect(first).to_have_attribute("data-period", "2012-Q2")
    expect(first).to_contain_text("time elapsed 50.0%")
    expect(page.locator("#scorecard caption")).to_contain_text("Jan–Jun 2012")
