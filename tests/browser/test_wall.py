"""Wall screens in a real browser: presentation mode laid out across a spliced wall (?present=1&wall=WxH).

At 3840x1080, 5760x1080 and 6656x1792 (and a 5760x1080 screen detected without wall=): the panes cover the
wall, every page of slides keeps its text inside its pane, no chart text is smaller than 1/70 of the wall's
height; 7680x2160 is a composed 大屏 (KPIs across the top, the overview's map in the centre, slides beside it);
rotation pages by the panes and keeps the filters; saved views (views=) follow the last slide; a server
restart during rotation shows 重新连接中 and is survived without an error page.

Screenshots: artifacts/screenshots/wall-<W>x<H>-<lang>[-light].png. Every test uses ``page_guard``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from browser_helpers import WAIT_MS, query
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.oracle import SAMPLE, oracle

REPO_ROOT = Path(__file__).resolve().parents[2]
RECONNECTING = {"zh": "重新连接中…", "en": "Reconnecting…"}
READABLE = 70  # no chart text below 1/70 of the wall's height
# Failed fetches the browser logs while the server is (deliberately) down.
NETWORK_DOWN_ERRORS = r"^Failed to load resource: net::ERR_(INTERNET_DISCONNECTED|CONNECTION_REFUSED)$"

_WALL_READY = """() => {
    const root = document.getElementById('present-root');
    if (!root || !root.dataset.current || !root.dataset.wall) return false;
    const charts = root.querySelectorAll('.slide-chart');
    const plots = [...root.querySelectorAll('.slide-chart .js-plotly-plot')];
    return plots.length === charts.length && plots.every((g) => g._fullLayout && g.querySelector('svg.main-svg'));
}"""


def open_wall(page: Page, url: str) -> None:
    """Load a wall URL and wait until the slides run on the wall and every chart has drawn."""
    response = page.goto(url)
    assert response is not None, f"GET {url}: no response"
    assert response.ok, f"GET {url} -> {response.status}"
    try:
        page.wait_for_function(_WALL_READY, timeout=WAIT_MS * 2)
    except PlaywrightTimeoutError:
        state = page.evaluate(
            "() => { const r = document.getElementById('present-root'); return r ? {...r.dataset} : 'no root'; }"
        )
        pytest.fail(f"the wall at {url} did not start: {state}", pytrace=False)


def root_data(page: Page) -> dict[str, str]:
    """#present-root's data attributes."""
    return page.evaluate("() => ({...document.getElementById('present-root').dataset})")


def wait_current(page: Page, expected: int, what: str, timeout: int = 5_000) -> None:
    """Wait until data-current (the first pane's slide, 1-based) is `expected`."""
    try:
        page.wait_for_function(
            "(n) => document.getElementById('present-root').dataset.current === String(n)",
            arg=expected,
            timeout=timeout,
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"{what}: data-current = {root_data(page).get('current')}, expected {expected}", pytrace=False)


# The shown panes: their boxes, texts (HTML and chart) and clipped boxes; the chart texts' drawn font sizes.
_MEASURE = """() => {
    const rect = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                          width: r.width, height: r.height});
    const panes = [...document.querySelectorAll('#present-canvas .slide.active')]
        .sort((a, b) => Number(a.dataset.pane) - Number(b.dataset.pane));
    const out = [];
    for (const slide of panes) {
        const box = slide.getBoundingClientRect();
        const scale = box.width / 1920;  // the slide's design pixels to the screen's
        const items = [];
        const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const text = n.textContent.trim();
            if (!text || n.parentElement.closest('svg')) continue;
            if (getComputedStyle(n.parentElement).visibility === 'hidden') continue;
            const range = document.createRange();
            range.selectNodeContents(n);
            const r = range.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            items.push({kind: 'html', text, box: rect(r)});
        }
        const chart = [];
        for (const t of slide.querySelectorAll('.js-plotly-plot svg text')) {
            const text = t.textContent.trim();
            const r = t.getBoundingClientRect();
            if (!text || r.width === 0 || r.height === 0) continue;
            const px = parseFloat(getComputedStyle(t).fontSize) * scale;
            items.push({kind: 'svg', text, box: rect(r)});
            chart.push({text, px, height: r.height});
        }
        const overflowing = [];
        const clipping = [...slide.querySelectorAll('*')].filter((e) => !(e instanceof SVGElement)
            && [...e.childNodes].some((c) => c.nodeType === Node.TEXT_NODE && c.textContent.trim())
            && (getComputedStyle(e).overflowX !== 'visible' || getComputedStyle(e).overflowY !== 'visible'));
        for (const e of new Set([...slide.querySelectorAll('.slide-sentence'), ...clipping])) {
            if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1) {
                overflowing.push([e.className || e.tagName, e.textContent.trim().slice(0, 60)]);
            }
        }
        out.push({index: Number(slide.dataset.slide), title: slide.querySelector('h2').textContent,
                  box: rect(box), items, chart, overflowing});
    }
    const de = document.documentElement;
    const info = document.querySelector('.wall-info');
    return {panes: out, view: {width: window.innerWidth, height: window.innerHeight},
            canvas: rect(document.getElementById('present-canvas').getBoundingClientRect()),
            info: info ? {text: info.innerText, box: rect(info.getBoundingClientRect())} : null,
            scroll: [de.scrollWidth, de.clientWidth, de.scrollHeight, de.clientHeight]};
}"""


def measure(page: Page) -> tuple[dict, list[str]]:
    """(raw measurements, problems) for the shown panes: text outside its pane or the viewport, overflow."""
    m = page.evaluate(_MEASURE)
    view, tol = m["view"], 1.0
    problems = []
    for pane in m["panes"]:
        p = pane["box"]
        for item in pane["items"]:
            b = item["box"]
            where = f"slide {pane['index'] + 1} ({pane['title']}): {item['kind']} text {item['text'][:50]!r}"
            if (
                b["left"] < p["left"] - tol
                or b["top"] < p["top"] - tol
                or b["right"] > p["right"] + tol
                or b["bottom"] > p["bottom"] + tol
            ):
                problems.append(f"{where} outside its pane {b}")
            if (
                min(b["left"], b["top"]) < -tol
                or b["right"] > view["width"] + tol
                or b["bottom"] > view["height"] + tol
            ):
                problems.append(f"{where} outside the viewport {b}")
        problems += [f"slide {pane['index'] + 1}: text overflows its box: {o}" for o in pane["overflowing"]]
    return m, problems


WALLS = [
    pytest.param(3840, 1080, "zh", "", id="3840x1080-zh"),
    pytest.param(3840, 1080, "en", "light", id="3840x1080-en-light"),
    pytest.param(5760, 1080, "zh", "", id="5760x1080-zh"),
    pytest.param(5760, 1080, "en", "", id="5760x1080-en"),
    pytest.param(6656, 1792, "zh", "", id="6656x1792-zh"),
    pytest.param(6656, 1792, "en", "light", id="6656x1792-en-light"),
]
PANES = {3840: 2, 5760: 3, 6656: 2}


@pytest.mark.parametrize(("width", "height", "lang", "theme"), WALLS)
def test_the_wall_is_used_and_readable(
    new_page, app_server, page_guard, screenshot, width: int, height: int, lang: str, theme: str
) -> None:
    """Every page of slides across the wall: the panes cover ≥ 90% of its width side by side, all text inside
    its pane and the viewport, no overflow, no chart text below H/70 px as drawn; the clock and as-of date."""
    page = new_page(viewport={"width": width, "height": height}, locale="zh-CN" if lang == "zh" else "en-US")
    theme_q = f"&theme={theme}" if theme else ""
    open_wall(page, f"{app_server.url}/?present=1&wall={width}x{height}&year=2012&lang={lang}&interval=3600{theme_q}")
    data = root_data(page)
    assert data["wall"] == f"{width}x{height}"
    assert data["bsTheme"] == ("light" if theme else "dark")
    n = page.locator("#present-canvas .slide").count()
    step = PANES[width]
    found: list[str] = []
    smallest: tuple[float, str] = (1e9, "")
    for first in range(1, n + 1, step):
        if first > 1:
            page.keyboard.press("ArrowRight")
        wait_current(page, first, f"page from slide {first}")
        m, problems = measure(page)
        found += problems
        sw, cw, sh, ch = m["scroll"]
        assert sw <= cw, f"horizontal scrollbar ({sw} > {cw})"
        assert sh <= ch, f"vertical scrollbar ({sh} > {ch})"
        panes = m["panes"]
        assert [p["index"] for p in panes] == [(first - 1 + k) % n for k in range(step)], "pane k shows current + k"
        for a, b in itertools.pairwise(panes):
            assert a["box"]["right"] <= b["box"]["left"] + 1, "panes side by side, not overlapping"
        covered = sum(p["box"]["width"] for p in panes) / width
        assert covered >= 0.9, f"the panes cover {covered:.1%} of the wall's width"
        for p in panes:
            assert abs(p["box"]["height"] - height) <= 2 or abs(p["box"]["width"] - width / step) <= 2, p["box"]
            for c in p["chart"]:
                if c["px"] < smallest[0]:
                    smallest = (c["px"], f"slide {p['index'] + 1}: {c['text'][:40]!r}")
        charts = sum(len(p["chart"]) for p in panes)
        if first > 1:
            assert charts >= 6, f"page from slide {first}: only {charts} chart texts measured"
        if first == 1:
            info = m["info"]
            assert info is not None
            now = datetime.now(ZoneInfo("Asia/Shanghai"))
            clock = re.search(r"\b(\d{2}):(\d{2})\b", info["text"])
            assert clock, info
            shown = int(clock.group(1)) * 60 + int(clock.group(2))
            assert abs(shown - (now.hour * 60 + now.minute)) % (24 * 60) <= 1, (info, now)
            assert ("数据截至 2012-12-31" if lang == "zh" else "2012-12-31") in info["text"], info
            assert info["box"]["right"] <= width + 1
            assert info["box"]["top"] >= 0
            suffix = f"-{theme}" if theme else ""
            path = screenshot(page, f"wall-{width}x{height}-{lang}{suffix}", full_page=False)
            assert path.stat().st_size > 20_000, path
    assert not found, f"{width}x{height} {lang}:\n  " + "\n  ".join(found)
    print(
        f"\n{width}x{height} {lang}: smallest chart text {smallest[0]:.2f} px ({smallest[1]}); H/70 {height / 70:.2f}"
    )
    assert smallest[0] >= height / READABLE - 0.01, f"smallest chart text {smallest} < {height / READABLE:.2f} px"


_STRIP = """() => {
    const strip = document.querySelector('#present-canvas .wall-kpis');
    if (!strip) return null;
    const r = strip.getBoundingClientRect();
    const cards = [...strip.querySelectorAll('.kpi-card')].map((c) => {
        const b = c.getBoundingClientRect();
        const texts = [...c.querySelectorAll('*')].filter((e) => [...e.childNodes].some(
            (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()) && e.getBoundingClientRect().width > 0);
        return {box: {left: b.left, top: b.top, right: b.right, bottom: b.bottom},
                value: c.querySelector('.kpi-value').textContent,
                smallest: Math.min(...texts.map((e) => parseFloat(getComputedStyle(e).fontSize))),
                overflow: c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1};
    });
    return {box: {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height},
            cards, scale: r.width / strip.offsetWidth};
}"""


@pytest.mark.parametrize(("lang", "theme"), [("zh", ""), ("en", "light")])
def test_a_composed_wall_has_kpis_on_top_the_map_in_the_centre_and_slides_beside_it(
    new_page, app_server, page_guard, screenshot, lang: str, theme: str
) -> None:
    """7680x2160: the KPI cards in one row across the top (values as the oracle has them, text ≥ H/70), the
    overview's map and plan chart pinned in the centre, two slides beside it rotating through the rest; every
    page keeps its text inside its pane and its chart text ≥ H/70."""
    width, height = 7680, 2160
    page = new_page(viewport={"width": width, "height": height}, locale="zh-CN" if lang == "zh" else "en-US")
    theme_q = f"&theme={theme}" if theme else ""
    open_wall(page, f"{app_server.url}/?present=1&wall={width}x{height}&year=2012&lang={lang}&interval=3600{theme_q}")
    strip = page.evaluate(_STRIP)
    assert strip is not None, "no KPI strip"
    box = strip["box"]
    assert box["width"] >= 0.95 * width, box
    assert 0 <= box["top"] < box["bottom"] <= 0.25 * height, box
    cards = strip["cards"]
    assert len(cards) == 8
    for a, b in itertools.pairwise(cards):
        assert a["box"]["right"] <= b["box"]["left"] + 1, "side by side"
        assert abs(a["box"]["top"] - b["box"]["top"]) < 1, "one row"
    assert not [c for c in cards if c["overflow"]], cards
    drawn = min(c["smallest"] for c in cards) * strip["scale"]  # design px to the wall's
    assert drawn >= height / READABLE - 0.01, (drawn, cards)
    expected = f"{oracle(SAMPLE).total('patent_applications', 2012):,.0f}"
    assert cards[0]["value"].startswith(expected), (cards[0]["value"], expected)
    n = page.locator("#present-canvas .slide").count()
    rotating = n - 1
    found: list[str] = []
    smallest = 1e9
    for first in range(1, rotating + 1, 2):
        if first > 1:
            page.keyboard.press("ArrowRight")
        wait_current(page, first, f"page from slide {first}")
        m, problems = measure(page)
        found += problems
        panes = m["panes"]
        assert next(p["index"] for p in panes) == 0, "the overview stays in the centre"
        assert [p["index"] for p in panes][1:] == [1 + (first - 1 + k) % rotating for k in range(len(panes) - 1)]
        assert len(panes) == 3
        centre, left, right = (p["box"] for p in panes)
        assert abs((centre["left"] + centre["right"]) / 2 - width / 2) <= 2, centre
        assert left["right"] <= centre["left"], (left, centre)
        assert centre["right"] <= right["left"], (centre, right)
        assert min(p["top"] for p in (left, centre, right)) >= box["bottom"], "slides under the strip"
        smallest = min([smallest, *(c["px"] for p in panes for c in p["chart"])])
        if first == 1:
            assert page.locator("#present-canvas .slide.active[data-pane='0'] .js-plotly-plot").count() == 2
            path = screenshot(page, f"wall-composed-{width}x{height}-{lang}{'-' + theme if theme else ''}")
            assert path.stat().st_size > 20_000, path
    assert not found, "\n  ".join(found)
    assert smallest >= height / READABLE - 0.01, smallest


def test_a_wide_screen_is_taken_for_a_wall(new_page, app_server, page_guard) -> None:
    """Without wall=, a 5760x1080 window (wider than 2:1) lays itself out as a 5760x1080 wall of three panes."""
    page = new_page(viewport={"width": 5760, "height": 1080})
    open_wall(page, f"{app_server.url}/?present=1&year=2012&interval=3600")
    assert root_data(page)["wall"] == "5760x1080"
    assert query(page).get("wall") == ["5760x1080"]
    m, problems = measure(page)
    assert not problems, problems
    assert len(m["panes"]) == 3
    assert sum(p["box"]["width"] for p in m["panes"]) >= 0.9 * 5760


def test_a_16_9_screen_is_not_a_wall(new_page, app_server, page_guard) -> None:
    """1920x1080 without wall=: the usual presentation (one slide, no clock)."""
    page = new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{app_server.url}/?present=1&year=2012&interval=3600")
    page.wait_for_function("() => document.getElementById('present-root')?.dataset.current", timeout=WAIT_MS)
    assert root_data(page)["wall"] == ""
    assert "wall" not in query(page)
    assert page.locator(".wall-info").count() == 0
    assert page.locator("#present-canvas .slide.active").count() == 1


def test_rotation_pages_by_the_panes_and_keeps_the_filters(new_page, app_server, page_guard) -> None:
    """interval=3 on a two-pane wall: slides 1-2, then 3-4, then 5-6; district and year stay in the URL and on
    every slide's caption."""
    page = new_page(viewport={"width": 3840, "height": 1080})
    open_wall(page, f"{app_server.url}/?present=1&wall=3840x1080&year=2011&district=330212&interval=3")
    for expected in (3, 5):
        wait_current(page, expected, "auto-advance", timeout=10_000)
        q = query(page)
        assert q.get("year") == ["2011"], q
        assert q.get("district") == ["330212"], q
        assert q.get("wall") == ["3840x1080"], q
        assert q.get("slide") == [str(expected)], q
        m, _ = measure(page)
        assert [p["index"] for p in m["panes"]] == [expected - 1, expected]
        captions = page.evaluate(
            "[...document.querySelectorAll('#present-canvas .slide.active .slide-caption')].map(c => c.innerText)"
        )
        assert len(captions) == 2
        assert all("2011年" in c and "鄞州区" in c for c in captions), captions


def test_saved_views_follow_the_last_slide(new_page, app_server, page_guard) -> None:
    """views=year=2011;year=2012&district=330212: after the last page of slides the wall goes to the first saved
    view, keeping presentation mode, the wall, the interval and the views."""
    page = new_page(viewport={"width": 3840, "height": 1080})
    views = quote("year=2011;year=2012&district=330212", safe="")
    base = f"{app_server.url}/?present=1&wall=3840x1080&year=2012&interval=3&views={views}"
    open_wall(page, base + "&slide=100")  # out of range: starts on the last page
    n = page.locator("#present-canvas .slide").count()
    assert int(root_data(page)["current"]) == n
    assert root_data(page)["nextView"].startswith("/?year=2011&present=1&wall=3840x1080&interval=3&views=")
    page.wait_for_function("() => new URLSearchParams(location.search).get('vi') === '0'", timeout=20_000)
    open_wall_after_navigation(page)
    q = query(page)
    assert q.get("year") == ["2011"], q
    assert "district" not in q, q
    assert q.get("present") == ["1"], q
    assert q.get("wall") == ["3840x1080"], q
    assert q.get("interval") == ["3"], q
    assert q.get("views") == ["year=2011;year=2012&district=330212"], q
    assert root_data(page)["current"] == "1"
    caption = page.locator("#present-canvas .slide.active .slide-caption").first.inner_text()
    assert "2011年" in caption, caption
    assert root_data(page)["nextView"].startswith("/?year=2012&district=330212&present=1&wall=3840x1080&interval=3")


def open_wall_after_navigation(page: Page) -> None:
    """Wait until the page the wall went to runs."""
    try:
        page.wait_for_function(_WALL_READY, timeout=WAIT_MS * 2)
    except PlaywrightTimeoutError:
        pytest.fail(f"the wall did not start after going to {page.url}", pytrace=False)


# --------------------------------------------------------------------------------------------------
# A server restart during rotation
# --------------------------------------------------------------------------------------------------


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def restarted(server) -> Iterator[subprocess.Popen[bytes]]:
    """The app again on `server`'s port, data, cache and secret (as conftest's AppServers starts it)."""
    rundir = server.cache_dir.parent
    env = {k: v for k, v in os.environ.items() if k != "DASH_DEBUG"}
    env |= {
        "STI_DATA_DIR": str(server.data_dir),
        "STI_CACHE_DIR": str(server.cache_dir),
        "PYTHONUNBUFFERED": "1",
        "STI_PREWARM": "0",
        "STI_USERS_FILE": str(rundir / "users.json"),
        "STI_SECRET_FILE": str(rundir / "secret.key"),
        "STI_REPORT_DIR": str(rundir / "reports"),
    }
    port = server.url.rsplit(":", 1)[1]
    with (rundir / "restarted.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "app.py", "run", "--host", "127.0.0.1", "--port", port],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while not _healthy(server.url):
            assert process.poll() is None, (rundir / "restarted.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "the restarted server did not answer /healthz in 30 s"
            time.sleep(0.1)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def marker(page: Page) -> dict:
    """#present-status: its text and whether it shows."""
    return page.evaluate(
        """() => { const s = document.getElementById('present-status');
            return {text: s.textContent, shown: s.classList.contains('visible')}; }"""
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_server_restart_is_survived(new_page, app_server_factory, app_servers, page_guard, lang: str) -> None:
    """The server stops while the wall rotates: 重新连接中 shows, the slides go on, no error page; the server
    comes back on the same port: the marker goes, the page is still the wall (same page, no reload)."""
    page_guard.tolerate_console_error(NETWORK_DOWN_ERRORS)
    server = app_server_factory()
    page = new_page(viewport={"width": 3840, "height": 1080}, locale="zh-CN" if lang == "zh" else "en-US")
    open_wall(page, f"{server.url}/?present=1&wall=3840x1080&year=2012&lang={lang}&interval=3")
    page.evaluate("window.__same_page = 1")
    assert marker(page) == {"text": "", "shown": False}

    app_servers.stop(server)
    assert not _healthy(server.url)
    try:
        page.wait_for_function(
            "(text) => { const s = document.getElementById('present-status');"
            " return s.classList.contains('visible') && s.textContent === text; }",
            arg=RECONNECTING[lang],
            timeout=20_000,  # the wall polls /healthz every 10 s
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"no reconnecting marker while the server is down: {marker(page)}", pytrace=False)
    assert page.locator("#present-status").is_visible()
    before = int(root_data(page)["current"])
    wait_current(page, (before + 2 - 1) % page.locator("#present-canvas .slide").count() + 1, "rotation while down")

    with restarted(server):
        try:
            page.wait_for_function(
                "() => !document.getElementById('present-status').classList.contains('visible')", timeout=30_000
            )
        except PlaywrightTimeoutError:
            pytest.fail(f"the marker stayed after the server came back: {marker(page)}", pytrace=False)
        assert page.url.startswith(server.url), page.url
        assert not page.url.startswith("chrome-error://")
        assert page.locator("#present-root").count() == 1
        assert page.evaluate("window.__same_page") == 1, "the page reloaded though the version did not change"
        assert root_data(page)["version"] == server.version
        assert marker(page)["text"] == ""


def test_the_daily_reload_waits_for_the_server(new_page, app_server_factory, page_guard) -> None:
    """reload_at=04:00: at 04:00 the wall reloads itself, but only once /healthz answers (a down server never
    yields the browser's error page: the wall keeps its slides and shows 重新连接中 meanwhile)."""
    page_guard.tolerate_console_error(NETWORK_DOWN_ERRORS)
    app_server = app_server_factory()
    page = new_page(viewport={"width": 3840, "height": 1080})
    page.clock.install(time=datetime(2026, 12, 7, 3, 59, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    open_wall(page, f"{app_server.url}/?present=1&wall=3840x1080&year=2012&interval=3600&reload_at=4:00")
    assert root_data(page)["reloadAt"] == "04:00"
    page.evaluate("window.__same_page = 1")
    page.route("**/healthz", lambda route: route.abort("connectionrefused"))
    page.clock.fast_forward(70_000)  # 04:00:10
    try:
        page.wait_for_function(
            "() => document.getElementById('present-status').classList.contains('visible')", timeout=10_000
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"no marker while the reload waits for the server: {marker(page)}", pytrace=False)
    assert marker(page)["text"] == RECONNECTING["zh"]
    assert page.evaluate("window.__same_page") == 1, "reloaded while the server did not answer"
    page.unroute("**/healthz")
    page.clock.fast_forward(20_000)  # the next retry
    page.wait_for_function("() => window.__same_page === undefined", timeout=WAIT_MS)
    open_wall_after_navigation(page)
    assert page.url.startswith(app_server.url)
    assert query(page).get("reload_at") == ["4:00"]
