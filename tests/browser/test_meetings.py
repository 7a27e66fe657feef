"""Meetings in a real browser: presentation mode (?present=1) and the 导出PPT export.

Presentation: every slide's text fits the 16:9 canvas at 1080p and 4K, the keyboard pages through the five
slides, auto-advance and pause, Esc back to the normal view with the same filters, entering from the header
link, English everywhere with lang=en, picking up a new dataset version, and the connection-lost notice.
Export: the background job's progress panel, the downloaded .pptx (opened with python-pptx), and cancel.

Expected numbers are recomputed from the dataset's CSV files with the csv module; expected strings are the
catalogue's (components/core/i18n.py) copied here. Every test uses ``page_guard``.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import docx
import psutil
import pytest
from browser_helpers import (
    SECTION_TITLES,
    WAIT_MS,
    choose,
    every_section,
    kpi,
    open_view,
    query,
    wait_all_graphs,
    wait_number,
)
from oracle import CJK
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from components.server.audit import Trail

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
YINZHOU, YUYAO = "330212", "330281"
# The five sections, then one slide per indicator of the sample's own (named as in its indicators.csv).
OWN_ZH = (
    "新引进高新技术项目",
    "高新技术企业主营业务收入",
    "高新技术企业科技活动经费支出",
    "市级以上企业工程（技术）中心",
    "全市创新指数",
)
SLIDE_TITLES_ZH = (*SECTION_TITLES["zh"], *OWN_ZH)
OWN_EN = (
    "New high-tech projects",
    "High-tech enterprises' revenue",
    "High-tech enterprises' S&T spending",
    "Enterprise engineering centres",
    "City innovation index",
)
SLIDE_TITLES_EN = (*SECTION_TITLES["en"], *OWN_EN)
N_SLIDES = len(SLIDE_TITLES_ZH)
TABLE_SLIDES = ("目标考核", "Assessment")  # a table, no chart
# Charts on the slides: overview shows KPI cards only; patents 3, high-tech 2, plans 2, pipeline 4, services 2,
# seismic 3, the scorecard a table (no chart), own 1 each.
SLIDE_GRAPHS = 16 + len(OWN_ZH)
# Pictures per slide of the exported deck: title slide, then the charts of each slide.
DECK_PICTURES = (0, 2, 3, 2, 2, 4, 2, 3, 0, *[1] * len(OWN_ZH))
DECK_TITLE = "宁波 · 科技创新指标看板"
OFFLINE_ZH = "与服务器的连接中断，正在重试…"
PAUSED_ZH = "已暂停（按P继续）"
HAN = re.compile(CJK.pattern + "+")  # ideographs and CJK / full-width punctuation
# Failed fetches the browser logs while it is (deliberately) cut off from the server.
NETWORK_DOWN_ERRORS = r"^Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|CONNECTION_REFUSED)$"


# --------------------------------------------------------------------------------------------------
# Independent expectations from the CSV files
# --------------------------------------------------------------------------------------------------


def observation_sum(data_dir: Path, indicator: str, year: int, districts: tuple[str, ...]) -> float:
    """Sum of an indicator over `districts` in `year`, from observations.csv (each district must report it)."""
    with (data_dir / "observations.csv").open(encoding="utf-8-sig", newline="") as handle:
        values = {
            r["district"]: float(r["value"])
            for r in csv.DictReader(handle)
            if r["indicator"] == indicator and int(r["year"]) == year and not r.get("period")  # the year's own row
        }
    return sum(values[d] for d in districts)


def district_names(data_dir: Path) -> dict[str, str]:
    """Chinese district names by code, from districts.csv."""
    with (data_dir / "districts.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {r["code"]: r["name_zh"] for r in csv.DictReader(handle)}


# --------------------------------------------------------------------------------------------------
# Page helpers
# --------------------------------------------------------------------------------------------------


def root_attr(page: Page, name: str) -> str | None:
    """An attribute of #present-root (None when absent)."""
    return page.evaluate(
        "(n) => { const r = document.getElementById('present-root'); return r ? r.getAttribute(n) : null; }", name
    )


def current(page: Page) -> int:
    """The 1-based current slide as #present-root says."""
    return int(root_attr(page, "data-current") or 0)


_SLIDES_READY = """(n) => {
    const root = document.getElementById('present-root');
    if (!root || !root.dataset.current) return false;
    const plots = [...root.querySelectorAll('.js-plotly-plot')];
    return plots.length >= n && plots.every((g) => g._fullLayout && g.querySelector('svg.main-svg'));
}"""


def open_present(page: Page, url: str, graphs: int = SLIDE_GRAPHS) -> None:
    """Load a presentation URL and wait until the slides run (data-current set) and every chart has drawn."""
    response = page.goto(url)
    assert response is not None, f"GET {url}: no response"
    assert response.ok, f"GET {url} -> {response.status}"
    try:
        page.wait_for_function(_SLIDES_READY, arg=graphs, timeout=WAIT_MS)
    except PlaywrightTimeoutError:
        state = page.evaluate(
            "() => { const r = document.getElementById('present-root');"
            " return r ? {...r.dataset, plots: r.querySelectorAll('.js-plotly-plot').length} : 'no #present-root'; }"
        )
        pytest.fail(f"presentation at {url} did not start: {state}", pytrace=False)


def wait_current(page: Page, expected: int, what: str) -> None:
    """Wait until data-current is `expected`."""
    try:
        page.wait_for_function(
            "(n) => document.getElementById('present-root').dataset.current === String(n)", arg=expected, timeout=5_000
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"{what}: data-current = {current(page)}, expected {expected}", pytrace=False)


def active_slide(page: Page) -> dict:
    """Index, title, number and caption of the slide(s) marked active (textContent: hidden slides too)."""
    return page.evaluate(
        """() => {
            const act = [...document.querySelectorAll('#present-canvas .slide.active')];
            const s = act[0];
            return {count: act.length, index: s ? Number(s.dataset.slide) : -1,
                    title: s ? s.querySelector('h2').innerText.trim() : '',
                    number: s ? s.querySelector('.slide-number').innerText.trim() : '',
                    caption: s ? s.querySelector('.slide-caption').innerText : '',
                    visible: s ? getComputedStyle(s).visibility : ''};
        }"""
    )


_SLIDE_TEXT = """() => {
    const canvasEl = document.getElementById('present-canvas');
    const slide = canvasEl.querySelector('.slide.active');
    const rect = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
    const items = [];
    const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent.trim();
        if (!text || n.parentElement.closest('svg')) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const r = range.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;  // not rendered
        items.push({kind: 'html', text, box: rect(r)});
    }
    for (const t of slide.querySelectorAll('svg text')) {
        const text = t.textContent.trim();
        const r = t.getBoundingClientRect();
        if (!text || r.width === 0 || r.height === 0) continue;
        items.push({kind: 'svg', text, box: rect(r)});
    }
    const overflowing = [];
    // Boxes that clip their text (overflow not visible): the sentence, chart titles (ellipsis), and any other.
    const clipping = [...slide.querySelectorAll('*')].filter((e) => !(e instanceof SVGElement)
        && [...e.childNodes].some((c) => c.nodeType === Node.TEXT_NODE && c.textContent.trim())
        && (getComputedStyle(e).overflowX !== 'visible' || getComputedStyle(e).overflowY !== 'visible'));
    for (const e of new Set([...slide.querySelectorAll('.slide-sentence'), ...clipping])) {
        if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1) {
            overflowing.push([e.className || e.tagName, e.textContent.trim().slice(0, 60),
                              e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]);
        }
    }
    const de = document.documentElement;
    return {items, overflowing, canvas: rect(canvasEl.getBoundingClientRect()),
            view: {width: window.innerWidth, height: window.innerHeight},
            scroll: [de.scrollWidth, de.clientWidth, de.scrollHeight, de.clientHeight]};
}"""


def text_out_of_bounds(page: Page) -> tuple[dict, list[str]]:
    """(raw measurements, problems) for the active slide: text outside the canvas or viewport, overflow."""
    m = page.evaluate(_SLIDE_TEXT)
    canvas, view = m["canvas"], m["view"]
    tol = 1.0
    problems = []
    for item in m["items"]:
        b = item["box"]
        if (
            b["left"] < canvas["left"] - tol
            or b["top"] < canvas["top"] - tol
            or b["right"] > canvas["right"] + tol
            or b["bottom"] > canvas["bottom"] + tol
        ):
            problems.append(f"{item['kind']} text outside the canvas: {item['text'][:60]!r} {b}")
        if (
            b["left"] < -tol
            or b["top"] < -tol
            or b["right"] > view["width"] + tol
            or b["bottom"] > view["height"] + tol
        ):
            problems.append(f"{item['kind']} text outside the viewport: {item['text'][:60]!r} {b}")
    problems += [f"text overflows its box: {o}" for o in m["overflowing"]]
    return m, problems


# --------------------------------------------------------------------------------------------------
# 1. Every slide fits the screen, at 1080p and 4K, in both languages
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "lang"),
    [
        pytest.param(1920, 1080, "zh", id="1080p-zh"),
        pytest.param(1920, 1080, "en", id="1080p-en"),
        pytest.param(3840, 2160, "zh", id="4k-zh"),
        pytest.param(3840, 2160, "en", id="4k-en"),
    ],
)
def test_every_slide_fits_the_screen(
    new_page, app_server, page_guard, screenshot, width: int, height: int, lang: str
) -> None:
    """No scrollbars; the canvas is scaled to fit; every text of every slide lies inside canvas and viewport.

    Screenshots of each slide at 1920x1080: artifacts/screenshots/present-<lang>-<n>.png.
    """
    page = new_page(viewport={"width": width, "height": height})
    open_present(page, f"{app_server.url}/?present=1&year=2012&lang={lang}&interval=3600")
    titles = SLIDE_TITLES_ZH if lang == "zh" else SLIDE_TITLES_EN
    page.keyboard.press("Home")
    found: list[str] = []
    for n in range(1, len(titles) + 1):
        if n > 1:
            page.keyboard.press("ArrowRight")
        wait_current(page, n, f"slide {n}")
        slide = active_slide(page)
        assert slide["title"] == titles[n - 1], slide
        m, problems = text_out_of_bounds(page)
        sw, cw, sh, ch = m["scroll"]
        assert sw <= cw, f"slide {n}: horizontal scrollbar (scrollWidth {sw} > clientWidth {cw})"
        assert sh <= ch, f"slide {n}: vertical scrollbar (scrollHeight {sh} > clientHeight {ch})"
        canvas = m["canvas"]
        cw_, ch_ = canvas["right"] - canvas["left"], canvas["bottom"] - canvas["top"]
        assert abs(cw_ - width) <= 2 or abs(ch_ - height) <= 2, f"canvas {cw_}x{ch_} not fitted to {width}x{height}"
        assert abs(cw_ / ch_ - 16 / 9) < 0.01, f"canvas {cw_}x{ch_} is not 16:9"
        svg_texts = sum(1 for i in m["items"] if i["kind"] == "svg")
        charts = n != 1 and titles[n - 1] not in TABLE_SLIDES  # the KPI cards and the scorecard are HTML
        assert not charts or svg_texts >= 6, f"slide {n}: only {svg_texts} chart texts measured (charts not drawn?)"
        assert len(m["items"]) >= 10, f"slide {n}: only {len(m['items'])} texts measured"
        found += [f"slide {n} ({titles[n - 1]}): {p}" for p in problems]
        if width == 1920:
            path = screenshot(page, f"present-{lang}-{n}", full_page=False)
            assert path.stat().st_size > 10_000, path
    assert not found, f"{width}x{height} {lang}:\n  " + "\n  ".join(found)


# Pairs of chart texts on the active slide whose boxes overlap by more than 2 px both ways (rotated labels,
# whose boxes overlap by nature, are left out).
_OVERLAPS = """() => {
    const slide = document.querySelector('#present-canvas .slide.active');
    const out = [];
    for (const g of slide.querySelectorAll('.js-plotly-plot')) {
        const texts = [...g.querySelectorAll('svg text')].filter((t) => {
            const r = t.getBoundingClientRect(), m = t.getCTM();
            return t.textContent.trim() && r.width > 0 && m && Math.abs(m.b) < 1e-3 && Math.abs(m.c) < 1e-3;
        });
        for (let i = 0; i < texts.length; i++) {
            for (let j = i + 1; j < texts.length; j++) {
                const a = texts[i].getBoundingClientRect(), b = texts[j].getBoundingClientRect();
                const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
                const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                if (w > 2 && h > 2) {
                    out.push([g.closest('[id^=present-graph-]').id, texts[i].textContent.trim(),
                              texts[j].textContent.trim(), Math.round(h)]);
                }
            }
        }
    }
    return out;
}"""


@pytest.mark.parametrize(
    ("slide", "key"),
    [
        pytest.param(n, key, id=key)
        for n, key in ((2, "patents"), (3, "hightech"), (4, "plans"), (5, "pipeline"), (6, "services"), (7, "seismic"))
    ],
)
def test_slide_chart_labels_do_not_overlap(new_page, app_server, page_guard, slide: int, key: str) -> None:
    """At 1920x1080, in both languages, no two chart labels of a chart slide are drawn over each other."""
    page = new_page(viewport={"width": 1920, "height": 1080})
    found = []
    for lang in ("zh", "en"):
        open_present(page, f"{app_server.url}/?present=1&year=2012&lang={lang}&interval=3600&slide={slide}")
        assert current(page) == slide
        pairs = page.evaluate(_OVERLAPS)
        for _ in range(15):  # let Plotly finish laying out (fonts, legends) before judging: a real overlap stays
            if not pairs:
                break
            page.wait_for_timeout(200)
            pairs = page.evaluate(_OVERLAPS)
        found += [[lang, *pair] for pair in pairs]
    assert not found, f"slide {slide} ({key}): overlapping labels [lang, graph, text, text, px]:\n  " + "\n  ".join(
        map(str, found)
    )


# --------------------------------------------------------------------------------------------------
# 2. Keyboard paging, titles and captions
# --------------------------------------------------------------------------------------------------


def test_keyboard_pages_through_every_slide(page: Page, app_server, page_guard) -> None:
    """→ ↓ PageDown Space forward, ← ↑ PageUp back, Home/End, wrapping; each slide titled and captioned."""
    open_present(page, f"{app_server.url}/?present=1&year=2012&interval=3600")
    titles = page.evaluate("[...document.querySelectorAll('#present-canvas .slide h2')].map(h => h.textContent)")
    assert tuple(titles) == SLIDE_TITLES_ZH, titles
    assert current(page) == 1

    n = N_SLIDES
    steps = [
        ("ArrowRight", 2),
        ("ArrowDown", 3),
        ("PageDown", 4),
        ("Space", 5),
        ("End", n),
        ("ArrowRight", 1),  # wraps after the last slide
        ("ArrowLeft", n),  # and back before the first
        ("ArrowUp", n - 1),
        ("PageUp", n - 2),
        *[("ArrowLeft", k) for k in range(n - 3, 0, -1)],
        ("Home", 1),
        ("End", n),
        ("End", n),
        ("Home", 1),
    ]
    seen: set[int] = set()
    for key, expected in steps:
        page.keyboard.press(key)
        wait_current(page, expected, f"after {key}")
        slide = active_slide(page)
        assert slide["count"] == 1, f"after {key}: {slide['count']} slides active"
        assert slide["index"] == expected - 1, f"after {key}: active slide {slide}, data-current {expected}"
        assert slide["visible"] == "visible", slide
        assert slide["title"] == SLIDE_TITLES_ZH[expected - 1], slide
        assert slide["number"] == f"{expected} / {n}", slide
        assert query(page).get("slide") == [str(expected)], page.evaluate("location.search")
        if expected not in seen:
            seen.add(expected)
            for part in ("2012年", "全市", "数据截至 2012-12-31", "示例数据"):
                assert part in slide["caption"], f"slide {expected}: caption {slide['caption']!r} lacks {part!r}"
    assert seen == set(range(1, n + 1))

    # F toggles full screen without moving the slides
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === document.documentElement", timeout=5_000)
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement === null", timeout=5_000)
    assert current(page) == 1

    # A 5:4 screen letterboxes the 16:9 canvas: full width, centred vertically
    page.set_viewport_size({"width": 1280, "height": 1024})
    page.wait_for_function(
        "() => Math.abs(document.getElementById('present-canvas').getBoundingClientRect().width - 1280) <= 2",
        timeout=5_000,
    )
    box = page.evaluate("document.getElementById('present-canvas').getBoundingClientRect().toJSON()")
    assert abs(box["height"] - 720) <= 2, box
    assert abs(box["top"] - (1024 - 720) / 2) <= 2, box

    # slide=5 starts on the fifth slide
    open_present(page, f"{app_server.url}/?present=1&year=2012&interval=3600&slide=5")
    assert current(page) == 5
    assert active_slide(page)["title"] == "创新型企业梯队"


# --------------------------------------------------------------------------------------------------
# 3. Auto-advance and pause
# --------------------------------------------------------------------------------------------------


def progress_width(page: Page) -> float:
    """The progress bar's drawn width in px."""
    return float(page.evaluate("document.getElementById('present-progress').getBoundingClientRect().width"))


def status(page: Page) -> dict:
    """#present-status: text, whether it is marked visible, and its opacity."""
    return page.evaluate(
        """() => { const s = document.getElementById('present-status');
            return {text: s.textContent, shown: s.classList.contains('visible'),
                    opacity: Number(getComputedStyle(s).opacity)}; }"""
    )


def test_auto_advance_and_pause(page: Page, app_server, page_guard) -> None:
    """interval=3: slide 2 after ~3 s with a growing progress bar; P pauses (> 4 s still), P resumes."""
    open_present(page, f"{app_server.url}/?present=1&interval=3", graphs=0)
    began = time.monotonic()  # the slide timer starts when data-current is first set
    assert root_attr(page, "data-interval") == "3"
    assert current(page) == 1
    page.wait_for_timeout(700)
    first = progress_width(page)
    page.wait_for_timeout(800)
    second = progress_width(page)
    assert 0 < first < second, f"progress bar did not grow: {first} -> {second}"
    assert current(page) == 1, "advanced before the interval"
    wait_current(page, 2, "auto-advance after 3 s")
    elapsed = time.monotonic() - began
    assert 2.5 <= elapsed <= 4.5, f"advanced after {elapsed:.1f} s, interval 3 s"

    page.wait_for_timeout(1_200)  # pause part-way through slide 2
    page.keyboard.press("p")
    page.wait_for_function("document.getElementById('present-root').dataset.paused === '1'", timeout=2_000)
    page.wait_for_timeout(300)  # let the 100 ms ticker draw the frozen bar
    paused_at, bar_at = current(page), progress_width(page)
    assert paused_at == 2, paused_at
    assert bar_at > 0.2 * page.viewport_size["width"], f"progress bar {bar_at} px after 1.2 s of 3 s"
    shown = status(page)
    assert shown["shown"], shown
    assert shown["text"] == PAUSED_ZH, shown
    page.wait_for_timeout(4_500)
    assert current(page) == paused_at, f"advanced while paused: {paused_at} -> {current(page)}"
    assert abs(progress_width(page) - bar_at) < 1, (
        f"progress bar moved while paused: {bar_at} -> {progress_width(page)}"
    )
    assert root_attr(page, "data-paused") == "1"

    page.keyboard.press("p")
    resumed = time.monotonic()
    page.wait_for_function("document.getElementById('present-root').dataset.paused === '0'", timeout=2_000)
    wait_status(page, False, "", "after resuming")
    wait_current(page, 3, "auto-advance after resuming")
    elapsed = time.monotonic() - resumed
    # The slide had ~1.3 s behind it when paused: it continues, it does not start over.
    assert elapsed <= 2.6, f"slide 3 came {elapsed:.1f} s after resuming (about 1.7 s left on slide 2)"


# --------------------------------------------------------------------------------------------------
# 4. Esc leaves to the normal view with the same filters
# --------------------------------------------------------------------------------------------------


def test_escape_returns_to_the_same_view(page: Page, app_server, page_guard) -> None:
    """?present=1&year=2011&district=鄞州区,余姚市 → Esc → normal page on 2011, same districts, right KPI."""
    data_dir = Path(app_server.data_dir)
    names = district_names(data_dir)
    open_present(page, f"{app_server.url}/?present=1&year=2011&district={YINZHOU},{YUYAO}&lang=zh&interval=3600")
    captions = page.evaluate("[...document.querySelectorAll('#present-canvas .slide-caption')].map(c => c.textContent)")
    assert len(captions) == N_SLIDES - 1, captions  # no district targets for 2011: no scorecard slide
    for text in captions:
        for part in ("2011年", names[YINZHOU], names[YUYAO], "数据截至 2012-12-31", "示例数据"):
            assert part in text, f"slide caption {text!r} lacks {part!r}"
    page.keyboard.press("ArrowRight")
    wait_current(page, 2, "ArrowRight")

    with page.expect_navigation():
        page.keyboard.press("Escape")
    page.wait_for_selector(kpi("patent_applications"), timeout=WAIT_MS)
    q = query(page)
    for name in ("present", "slide", "interval"):
        assert name not in q, q
    assert q.get("year") == ["2011"], q
    assert q.get("district") == [f"{YINZHOU},{YUYAO}"], q
    expect(page.locator("#present-root")).to_have_count(0)
    caption = page.locator("#filter-caption")
    expect(caption).to_contain_text("2011")
    expect(caption).to_contain_text(names[YINZHOU])
    expect(caption).to_contain_text(names[YUYAO])
    wait_number(
        page, kpi("patent_applications"), observation_sum(data_dir, "patent_applications", 2011, (YINZHOU, YUYAO))
    )


# --------------------------------------------------------------------------------------------------
# 5. Entering from the normal view
# --------------------------------------------------------------------------------------------------


def test_present_link_follows_the_filters(page: Page, app_server, page_guard) -> None:
    """After choosing 2010年, the header's 演示 link points at present=1&year=2010 and opens 2010's slides."""
    open_view(page, app_server.url)
    link = page.locator("#header-present-link")
    expect(link).to_have_text("演示")
    choose(page, "filter-year", "2010年")
    try:
        page.wait_for_function(
            """() => { const a = document.getElementById('header-present-link');
                const q = new URLSearchParams((a.getAttribute('href') || '').split('?')[1] || '');
                return q.get('present') === '1' && q.get('year') === '2010'; }""",
            timeout=WAIT_MS,
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"#header-present-link href = {link.get_attribute('href')!r}", pytrace=False)
    assert query(page).get("year") == ["2010"]

    with page.expect_navigation():
        link.click()
    page.wait_for_function(_SLIDES_READY, arg=SLIDE_GRAPHS, timeout=WAIT_MS)
    q = query(page)
    assert q.get("present") == ["1"], q
    assert q.get("year") == ["2010"], q
    slide = active_slide(page)
    assert slide["index"] == 0, slide
    assert "2010年" in slide["caption"], slide
    assert "全市" in slide["caption"], slide
    assert "2010年" in page.locator("#present-canvas .slide.active .slide-sentence").inner_text()
    assert parse_qs(urlsplit(str(root_attr(page, "data-exit"))).query).get("year") == ["2010"]


# --------------------------------------------------------------------------------------------------
# 6. English everywhere with lang=en; Plotly's modebar in Chinese with lang=zh
# --------------------------------------------------------------------------------------------------

# Visible text: the body's innerText (minus the link to the Chinese version, labelled in Chinese on
# purpose) plus every drawn SVG text (chart labels).
_VISIBLE_TEXT = """() => {
    const skip = document.getElementById('header-lang-link');
    const saved = skip ? skip.textContent : null;
    const svg = [...document.querySelectorAll('svg text')]
        .filter((t) => t.getBoundingClientRect().width > 0).map((t) => t.textContent);
    let body;
    if (skip) skip.textContent = '';
    try { body = document.body.innerText; } finally { if (skip) skip.textContent = saved; }
    return body + '\\n' + svg.join('\\n');
}"""


def chinese_in(text: str) -> list[str]:
    """Each run of Chinese characters in `text`, with a little context."""
    return [text[max(0, m.start() - 20) : m.end() + 20].replace("\n", " ") for m in HAN.finditer(text)]


def test_english_page_and_slides_have_no_chinese(page: Page, app_server, page_guard) -> None:
    """lang=en: normal page and every slide show no Chinese character; <html lang> is 'en'."""
    open_view(page, f"{app_server.url}/?lang=en")
    wait_all_graphs(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#header-lang-link")).to_have_text("中文")  # the way back, in its own language
    for key in every_section(page):
        found = chinese_in(page.evaluate(_VISIBLE_TEXT))
        assert not found, f"Chinese on the English page ({key}): {found[:10]}"

    open_present(page, f"{app_server.url}/?present=1&lang=en&interval=3600")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert root_attr(page, "lang") == "en"
    for n in range(1, 6):
        if n > 1:
            page.keyboard.press("ArrowRight")
        wait_current(page, n, f"slide {n}")
        found = chinese_in(page.evaluate(_VISIBLE_TEXT))
        assert not found, f"Chinese on English slide {n}: {found[:10]}"
    for name in ("data-text-paused", "data-text-offline"):
        assert not HAN.search(str(root_attr(page, name))), f"{name} = {root_attr(page, name)!r}"


def modebar_titles(page: Page, graph_id: str) -> list[str]:
    """Hover a normal-page graph and return its modebar buttons' data-title."""
    graph = page.locator(f"#{graph_id} .js-plotly-plot")
    graph.scroll_into_view_if_needed()
    graph.hover()
    page.locator(f"#{graph_id} .modebar-btn").first.wait_for(state="attached")
    return page.evaluate(
        "(gid) => [...document.querySelectorAll('#' + gid + ' .modebar-btn')].map(b => b.getAttribute('data-title'))",
        graph_id,
    )


def test_modebar_speaks_chinese(page: Page, app_server, page_guard) -> None:
    """lang=zh: the modebar's download and zoom buttons carry the catalogue's Chinese titles."""
    open_view(page, app_server.url)
    wait_all_graphs(page)
    titles = modebar_titles(page, "patents-trend-graph")
    assert "下载图表（PNG）" in titles, titles
    assert "缩放" in titles, titles
    for english in ("Download plot as a PNG", "Zoom", "Pan", "Reset axes"):
        assert english not in titles, titles


def test_modebar_has_no_cloud_upload_and_no_english(page: Page, app_server, page_guard) -> None:
    """lang=zh: every modebar title is Chinese and none offers to send the chart to another host."""
    open_view(page, app_server.url)
    wait_all_graphs(page)
    titles = modebar_titles(page, "patents-trend-graph")
    english = [t for t in titles if not HAN.search(t or "")]
    assert not english, f"modebar titles not in Chinese: {english} (all: {titles})"
    cloud = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._context.showSendToCloud).length"
    )
    assert cloud == 0, f"{cloud} graphs offer 'send to cloud'"


def test_png_download_notice_speaks_chinese(page: Page, app_server, page_guard) -> None:
    """lang=zh: the notices shown while a chart is downloaded as PNG are in Chinese."""
    open_view(page, app_server.url)
    wait_all_graphs(page)
    modebar_titles(page, "patents-trend-graph")
    with page.expect_download():
        page.locator("#patents-trend-graph .modebar-btn[data-title='下载图表（PNG）']").click()
    notes = page.locator(".notifier-note")
    expect(notes.first).to_be_visible()
    texts = notes.all_inner_texts()
    english = [t for t in texts if re.search(r"[A-Za-z]{4,}", t.replace("patents-trend-graph.png", ""))]
    assert not english, f"English notices on the Chinese page: {english}"


# --------------------------------------------------------------------------------------------------
# 7. A new dataset version reloads the slides
# --------------------------------------------------------------------------------------------------


def poll_root(page: Page, name: str, check: Callable[[str | None], bool], timeout_s: float) -> str | None:
    """Poll #present-root's attribute `name` (surviving reloads) until `check` holds; the last value seen."""
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        try:
            value = root_attr(page, name)
        except PlaywrightError:  # the page is reloading
            value = None
        if check(value):
            return value
        time.sleep(0.5)
    return value


def test_new_dataset_version_reloads_the_slides(new_page, app_server_factory, page_guard, tmp_path: Path) -> None:
    """A valid change to the served directory: at the page's next poll (every 20 s) the slides carry the new
    version. The page's clock is Playwright's: once the server serves the new version, the test moves the
    page's time on by one poll instead of waiting for it."""
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data_dir)
    server = app_server_factory(data_dir, env={"STI_RELOAD_SECONDS": "1"})
    page = new_page()
    page.clock.install()  # time flows as usual until fast_forward
    open_present(page, f"{server.url}/?present=1&interval=3600")
    old = root_attr(page, "data-version")
    assert old == server.version, (old, server.version)
    page.evaluate("window.__marker = 1")

    peers = data_dir / "peers.csv"
    text = peers.read_text(encoding="utf-8")
    peers.write_text(text + ("" if text.endswith("\n") else "\n") + "广州,Guangzhou,rd_intensity,2011,2.1\n", "utf-8")

    deadline = time.monotonic() + 30
    while server.get_json("/healthz")["version"] == old and time.monotonic() < deadline:
        time.sleep(0.2)  # the server's own check runs every second (STI_RELOAD_SECONDS=1)
    assert server.get_json("/healthz")["version"] != old, "the server did not take the new version in 30 s"
    page.clock.fast_forward(20_000)  # the page's next /healthz poll
    new = poll_root(page, "data-version", lambda v: v is not None and v != old, 30)
    assert new is not None, "no #present-root after the reload"
    assert new != old, f"data-version still {new!r} 30 s after the poll"
    health = server.get_json("/healthz")
    assert health["status"] == "ok", health
    assert new == health["version"], (new, health)
    assert page.evaluate("window.__marker") is None, "the version changed without a page reload"
    page.wait_for_function(_SLIDES_READY, arg=SLIDE_GRAPHS, timeout=WAIT_MS)
    assert current(page) >= 1


# --------------------------------------------------------------------------------------------------
# 8. Connection lost
# --------------------------------------------------------------------------------------------------


def wait_status(page: Page, shown: bool, text: str, what: str) -> None:
    """Wait until #present-status is shown with `text` (or hidden and empty)."""
    try:
        page.wait_for_function(
            """([shown, text]) => { const s = document.getElementById('present-status');
                return s.classList.contains('visible') === shown && s.textContent === text
                    && Math.abs(Number(getComputedStyle(s).opacity) - (shown ? 1 : 0)) < 0.01; }""",
            arg=[shown, text],
            timeout=5_000,
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"{what}: #present-status = {status(page)}", pytrace=False)


def test_connection_lost_notice(new_page, app_server_factory, page_guard) -> None:
    """Browser offline, or /healthz unreachable: the offline notice shows; back online it goes away."""
    page_guard.tolerate_console_error(NETWORK_DOWN_ERRORS)
    server = app_server_factory()
    page = new_page()
    open_present(page, f"{server.url}/?present=1&interval=3600")
    assert root_attr(page, "data-text-offline") == OFFLINE_ZH
    wait_status(page, False, "", "at start")

    page.context.set_offline(True)  # Chromium fires window 'offline'
    wait_status(page, True, OFFLINE_ZH, "browser offline")
    assert page.locator("#present-status").is_visible()
    page.context.set_offline(False)  # fires 'online': the page polls /healthz at once
    wait_status(page, False, "", "browser back online")

    # The server stops answering while the browser stays online: a failed poll shows the notice.
    page.route("**/healthz", lambda route: route.abort("connectionrefused"))
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the page's own retry trigger
    wait_status(page, True, OFFLINE_ZH, "/healthz refused")
    assert current(page) == 1, "the slides must keep running while the server is away"
    page.unroute("**/healthz")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_status(page, False, "", "/healthz answering again")


# --------------------------------------------------------------------------------------------------
# 9. 导出PPT
# --------------------------------------------------------------------------------------------------


def export_state(page: Page) -> dict:
    """The export button's disabled flag, the panel's display and the error area's text."""
    return page.evaluate(
        """() => ({disabled: document.getElementById('export-button').disabled,
                   panel: getComputedStyle(document.getElementById('export-panel')).display,
                   error: document.getElementById('export-error').innerText.trim()})"""
    )


def test_export_pptx_and_cancel(page: Page, app_server, page_guard, tmp_path: Path) -> None:
    """导出PPT: progress panel, a deck of every slide with their titles and pictures; a cancel downloads nothing."""
    page.clock.install()  # time flows as usual; after the cancel the test moves it on past any poll still due
    open_view(page, app_server.url)
    button = page.locator("#export-button")
    expect(button).to_have_text("导出PPT")
    expect(page.locator("#export-panel")).to_be_hidden()

    with page.expect_download(timeout=90_000) as info:
        button.click()
        expect(page.locator("#export-panel")).to_be_visible()
        expect(page.locator("#export-panel")).to_contain_text("正在生成文件")
        expect(button).to_be_disabled()
        expect(page.locator("#export-progress-label")).to_contain_text("张图", timeout=60_000)
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "sti-2012-city-zh.pptx", download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    expect(button).to_be_enabled()
    expect(page.locator("#export-panel")).to_be_hidden()
    assert export_state(page)["error"] == "", export_state(page)

    deck = Presentation(str(path))
    slides = list(deck.slides)
    assert len(slides) == 1 + N_SLIDES, len(slides)
    titles = [s.shapes.title.text_frame.text.strip() if s.shapes.title is not None else None for s in slides]
    assert titles == [DECK_TITLE, *SLIDE_TITLES_ZH], titles
    pictures = [[sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE] for s in slides]
    assert tuple(len(p) for p in pictures) == DECK_PICTURES, [len(p) for p in pictures]
    for index, (slide, pics) in enumerate(zip(slides, pictures, strict=True)):
        text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        for part in ("2012年", "全市", "数据截至 2012-12-31", "示例数据"):
            assert part in text, f"slide {index + 1} lacks {part!r}"
        for pic in pics:
            assert pic.image.content_type == "image/png", pic.image.content_type
            w, h = pic.image.size
            where = (index + 1, pic.name, w, h)
            assert w >= 400, where
            assert h >= 200, where
            assert len(pic.image.blob) > 5_000, where
            assert pic.left >= 0, where
            assert pic.top >= 0, where
            assert pic.left + pic.width <= deck.slide_width, where
            assert pic.top + pic.height <= deck.slide_height, where
    assert path.stat().st_size > 100_000, path.stat().st_size

    # A second export, cancelled as soon as its panel shows: the server ends the job, the page stops asking for
    # it, nothing downloads, the button is usable again.
    downloads: list[str] = []
    page.on("download", lambda d: downloads.append(d.suggested_filename))

    def job_poll(request) -> bool:  # the page asking for a job's result: it knows the job (`job=` in the URL)
        return "_dash-update-component" in request.url and "job=" in request.url

    with page.expect_request(job_poll, timeout=WAIT_MS):  # the job is running and the page knows it: only
        button.click()  # then can a cancel name it (a cancel before Dash has the job's id cancels nothing)
    expect(page.locator("#export-panel")).to_be_visible()
    page.locator("#export-cancel").click()
    expect(button).to_be_enabled(timeout=WAIT_MS)
    expect(page.locator("#export-panel")).to_be_hidden()
    polls: list[str] = []  # polls after the cancel
    page.on("request", lambda r: polls.append(r.url) if job_poll(r) else None)
    server = psutil.Process(app_server.process.pid)
    deadline = time.monotonic() + 60
    while server.children(recursive=True):  # the job's process (and its renderer) killed, not left to finish
        assert time.monotonic() < deadline, f"the cancelled job still runs: {server.children(recursive=True)}"
        time.sleep(0.2)
    page.clock.fast_forward(10_000)  # any poll the page still had due fires now
    page.evaluate("0")  # deliver the events in flight
    assert polls == [], f"the page still polls the cancelled job: {polls}"
    assert downloads == [], f"a cancelled export still downloaded {downloads}"
    state = export_state(page)
    assert state == {"disabled": False, "panel": "none", "error": ""}, state


# --------------------------------------------------------------------------------------------------
# 10. 导出报告: the written report as Word and PDF (background jobs like the PPT), and its print view
# --------------------------------------------------------------------------------------------------


def test_export_the_report_as_pdf_and_word_from_the_menu(page: Page, app_server, page_guard, tmp_path: Path) -> None:
    """The report menu of an in-year view: its print link follows the view; 导出PDF runs as a job with progress
    and downloads an A4 PDF whose text holds the KPI card's value; 导出Word a .docx with its tables; both are
    listed in the report archive."""
    open_view(page, f"{app_server.url}/?period=2012-11")
    card = page.locator(kpi("patent_applications"))
    expect(card).to_contain_text("64,937")
    menu = page.locator("#report-menu")
    menu.locator("summary").click()
    printed = page.locator("#report-print")
    expect(printed).to_be_visible()
    with page.expect_popup() as popup:
        printed.click()
    view = popup.value
    view.wait_for_load_state()
    assert "period=2012-11" in view.url, view.url
    expect(view.locator("h1")).to_have_text("宁波科技创新主要指标月报（2012年1–11月）", timeout=90_000)
    expect(view.locator("table[data-table=kpis] tr[data-key=patent_applications] td").first).to_have_text("64,937件")
    assert view.locator("figure.report-figure svg").count() >= 8
    view.close()

    for button, ext in (("#export-pdf", "pdf"), ("#export-docx", "docx")):
        if not page.locator(button).is_visible():
            menu.locator("summary").click()
        with page.expect_download(timeout=120_000) as info:
            page.locator(button).click()
            expect(page.locator("#export-panel")).to_be_visible()
            expect(page.locator("#export-progress-label")).to_contain_text("图", timeout=90_000)
        download = info.value
        assert download.failure() is None, download.failure()
        assert download.suggested_filename == f"宁波科技创新主要指标月报（2012年1–11月）.{ext}", (
            download.suggested_filename
        )
        path = tmp_path / f"report.{ext}"
        download.save_as(path)
        expect(page.locator("#export-panel")).to_be_hidden()
        if ext == "pdf":
            assert path.read_bytes().startswith(b"%PDF")
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
            assert "64,937件" in "".join(text.split())
        else:
            doc = docx.Document(str(path))
            assert [c.text for c in doc.tables[0].rows[1].cells][:3] == ["专利申请量", "64,937件", "+55.71%"]
    archive = page.request.get(f"{app_server.url}/reports").text()
    assert archive.count("data-entry=") >= 2
    assert 'data-format="pdf"' in archive
    taken = [r["object"] for r in Trail(app_server.cache_dir.parent / "audit").records(action="export")]
    for button in ("export-pdf", "export-docx"):  # the jobs' documents are in the audit trail too
        assert any(o.startswith(f"{button}.n_clicks") and "filter-period=M11" in o for o in taken), taken
    assert 'data-format="docx"' in archive


def test_presentation_mode_downloads_the_report_with_d(page: Page, app_server, page_guard, tmp_path: Path) -> None:
    """In presentation mode D downloads the view's written report as PDF; the slides stay where they were."""
    page.goto(f"{app_server.url}/?present=1&period=2012-11&interval=3600")
    page.wait_for_function("() => document.getElementById('present-root')?.dataset.current === '1'")
    root = page.locator("#present-root")
    expect(root).to_have_attribute("data-report", "/export/report.pdf?period=2012-11")
    page.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-current", "2")
    with page.expect_download(timeout=120_000) as info:
        page.keyboard.press("d")
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "宁波科技创新主要指标月报（2012年1–11月）.pdf", download.suggested_filename
    path = tmp_path / "report.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    expect(root).to_have_attribute("data-current", "2")  # still presenting, on the same slide
