"""Datasets of other shapes in a real browser: the page, presentation mode and the PPTX for each fixture.

Each fixture (tests/fixtures/) is served by its own app. Every tab of the dashboard is walked for the whole city
in zh and a district selection in en (whose whole-city first tab is checked too): every chart must draw data
or say why not, English pages hold no Chinese, no request fails, axe-core finds no critical or serious fault
on any tab (data tables open), and the page guard fails the test on any console error or foreign request.
Presentation mode is walked slide by slide in zh (titles and axe on the first slide in both languages), and
the exported deck's slides are the slides of the sections the data supports.
Screenshots: artifacts/screenshots/shape-<fixture>-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import (
    SECTION_TITLES,
    TAB_PARTS,
    WAIT_MS,
    axe,
    blocking,
    chart_text_problems,
    close_every_table,
    every_section,
    kpi,
    open_every_table,
    wait_all_graphs,
)
from oracle import CJK, FIXTURES, oracle
from playwright.sync_api import Page, expect
from pptx import Presentation

from components.sections import other, section

SECTIONS_OF = {  # which of the eight built-in sections each fixture has (the others lack their data)
    "other_city": (0, 1, 2, 3, 4, 6, 7),
    "minimal": (0, 1),
    "no_pipeline": (0, 1, 2, 3, 5, 7),  # the sample without firms and stations: tech services (5) stay
    "large": (0, 1, 2, 3, 4, 6),  # city targets only: no scorecard
    "monthly": (0, 1, 2, 3, 7),  # published by month (the page opens on its latest month, 2012年1–11月)
    "quarterly": (0, 1),  # published by quarter only (opens on 2012年前三季度)
}
OWN_OF = {  # the indicators of each fixture's own (no built-in section shows them), in file order
    "other_city": ("tech_market_turnover",),
    "minimal": ("tech_spending",),
    "no_pipeline": (
        "new_hightech_projects",
        "hightech_ent_revenue",
        "hightech_ent_st_spending",
        "engineering_centers",
        "innovation_index",
    ),
    "large": ("tech_market_turnover",),
    "monthly": ("hightech_firms", "tech_spending"),
    "quarterly": ("services_value_added", "services_institutions"),
}

_GRAPH_STATES = """() => [...document.querySelectorAll('.graph-holder')].map(h => {
    const g = h.querySelector('.js-plotly-plot');
    const box = g.getBoundingClientRect();
    return {id: h.id, marks: g.querySelectorAll('.trace .point, .trace path.js-line, .hm image, .sankey-node').length,
            notes: [...g.querySelectorAll('.annotation-text')].map(a => a.textContent.trim()).filter(Boolean),
            empty: !!(g.layout && g.layout.meta && g.layout.meta.empty), width: box.width, height: box.height};
})"""


def expected_slides(name: str, lang: str) -> list[str]:
    """The slide titles the fixture's data supports, in order (own indicators named from indicators.csv)."""
    o = oracle(FIXTURES / name)
    titles = [SECTION_TITLES[lang][i] for i in SECTIONS_OF[name]]
    return titles + [o.indicators[i]["name_en" if lang == "en" else "name_zh"] for i in OWN_OF[name]]


def watch_failures(page: Page) -> list[str]:
    """Responses of 400 and above, as they happen."""
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failed


def load_dashboard(page: Page, url: str) -> list[dict]:
    response = page.goto(url)
    assert response is not None
    assert response.ok, f"GET {url} -> {response.status}"
    page.wait_for_selector("#kpi-strip [data-indicator]", timeout=WAIT_MS)
    wait_all_graphs(page)
    return page.evaluate(_GRAPH_STATES)


@pytest.fixture(scope="module", params=list(SECTIONS_OF))
def shape(request, app_servers):
    """A fixture's name and the app serving it (one per fixture, shared by the tests of that fixture)."""
    server = app_servers.start(FIXTURES / request.param)
    yield request.param, server
    app_servers.stop(server)


# The views walked tab by tab (axe on every tab of each): the whole city in Chinese, a district selection in
# English. The English test also checks the whole city's first tab (charts, no Chinese) before it selects.
VIEWS = {"zh": "city", "en": "two"}


def check_tab(page: Page, name: str, lang: str, label: str, key: str) -> None:
    """The open tab: every chart drawn or explained, readable, own indicators where they belong, no Chinese in en."""
    states = page.evaluate(_GRAPH_STATES)
    assert states, "no chart on the page"
    for s in states:
        assert s["width"] > 100, s
        assert s["height"] > 100, s
        if s["marks"] == 0:
            assert s["empty"], f"{name}: {s['id']} draws nothing and says nothing"
            assert s["notes"], s
    if key == "other":
        own = page.evaluate(
            "[...document.querySelectorAll('#section-other .graph-holder')].map(h => h.dataset.graphIndicator)"
        )
        assert sorted(set(own)) == sorted(OWN_OF[name]), own
    problems = chart_text_problems(page)
    assert not problems, f"{name} {lang} {label} {key}: unreadable chart text {problems}"
    if lang == "en":
        text = page.evaluate(  # the switch to Chinese is rightly written in Chinese
            "document.body.innerText.replace(document.getElementById('header-lang-link').innerText, '')"
        )
        found = sorted(set(CJK.findall(text)))
        assert not found, f"{name} {label} {key}: Chinese on the English page: {found[:20]}"


@pytest.mark.parametrize("lang", list(VIEWS))
def test_dashboard_of_every_shape(new_page, shape, page_guard, screenshot, lang: str) -> None:
    """Every tab of the view drawn or explained, the sections the data has, axe-clean, no Chinese in en."""
    name, server = shape
    o = oracle(FIXTURES / name)
    page = new_page(viewport={"width": 1366, "height": 900})
    failed = watch_failures(page)
    label = VIEWS[lang]
    query = f"&district={','.join(sorted(o.codes[1:3]))}" if label == "two" else ""
    if query:  # the whole city's first tab in this language too, then the selection
        load_dashboard(page, f"{server.url}/?lang={lang}")
        check_tab(page, name, lang, "city", "overview")
    load_dashboard(page, f"{server.url}/?lang={lang}{query}")
    headings: list[str] = []
    for n, key in enumerate(every_section(page)):
        shown = page.evaluate("[...document.querySelectorAll('.section-title')].map(h => h.textContent.trim())")
        headings += shown[len(headings) and 1 :]  # the overview once, then each tab's section
        check_tab(page, name, lang, label, key)
        screenshot(page, f"shape-{name}-{lang}-{label}-{key}")
        open_every_table(page)
        faults = blocking(axe(page, within=TAB_PARTS if n else ()))  # the whole page once, then the tab
        close_every_table(page)
        assert not faults, f"{name} {lang} {label} {key}: accessibility {faults}"
    want = [SECTION_TITLES[lang][i] for i in SECTIONS_OF[name]] + [section(other.KEY).title(lang)]
    assert headings == want, headings
    assert not failed, failed


def test_presentation_and_pptx_of_every_shape(new_page, shape, page_guard, tmp_path: Path) -> None:
    """Every slide in order (one per section present and per own indicator; walked in zh, titled in both
    languages), then the deck with the same slides."""
    name, server = shape
    page = new_page(viewport={"width": 1920, "height": 1080})
    failed = watch_failures(page)
    for lang in ("zh", "en"):
        page.goto(f"{server.url}/?present=1&lang={lang}&interval=3600")
        page.wait_for_function("() => document.getElementById('present-root')?.dataset.current === '1'")
        titles = page.evaluate("[...document.querySelectorAll('#present-canvas .slide h2')].map(h => h.textContent)")
        assert titles == expected_slides(name, lang), titles
        faults = blocking(axe(page))
        assert not faults, f"{name} {lang} slide 1: accessibility {faults}"
        for n in range(2, len(titles) + 1 if lang == "zh" else 0):  # the charts are drawn alike in both languages
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "(n) => document.getElementById('present-root').dataset.current === String(n)", arg=n, timeout=5_000
            )
            drawn = page.evaluate(
                "() => [...document.querySelectorAll('#present-canvas .slide.active .js-plotly-plot')]"
                ".every(g => g._fullLayout && g.querySelector('svg.main-svg'))"
            )
            assert drawn, f"{name} slide {n}: a chart not drawn"
    page.goto(f"{server.url}/")
    expect(page.locator(kpi("patent_applications"))).to_be_visible(timeout=WAIT_MS)
    with page.expect_download(timeout=120_000) as info:
        page.locator("#export-button").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    deck = Presentation(str(path))
    titles = [s.shapes.title.text_frame.text for s in deck.slides]
    o = oracle(FIXTURES / name)
    assert titles == [f"{o.meta['city_zh']} · {o.meta['title_zh']}", *expected_slides(name, "zh")], titles
    assert not failed, failed
