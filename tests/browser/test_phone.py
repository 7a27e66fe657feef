"""The phone layout in a real browser, with mobile emulation and touch: 360×740, 390×844 and a phone on its side
(844×390). What a leader sees: no page wider than the screen, nothing on top of anything else, every KPI card
and the active section in view and readable, controls big enough for a thumb; what they do: the filter sheet
changes the view and the URL, a tap on a card opens its detail, the ☰ menu holds the header's buttons."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from browser_helpers import WAIT_MS, axe, blocking, kpi, open_view, wait_all_graphs, wait_number, wait_query
from playwright.sync_api import Page, expect

from tests.oracle import SAMPLE, oracle

PHONES = [(360, 740), (390, 844), (844, 390)]
MIN_TEXT_PX = 11.0  # the smallest text a phone shows (cards, tabs, chart labels)
MIN_VALUE_PX = 18.0  # a card's value, read at arm's length
TOUCH_PX = 44.0


def phone_page(new_page, width: int, height: int, **extra) -> Page:
    """A page as a phone's browser has it: its screen size, touch, mobile viewport."""
    return new_page(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True, **extra)


_LAYOUT = """() => {
    const box = (el) => {
        const r = el.getBoundingClientRect();
        return {x: r.left, y: r.top + scrollY, w: r.width, h: r.height};
    };
    const px = (el) => parseFloat(getComputedStyle(el).fontSize);
    const shown = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const cards = [...document.querySelectorAll('#kpi-strip .kpi-card')].map(c => ({
        id: c.dataset.indicator, box: box(c), status: c.dataset.status,
        parts: ['.kpi-label', '.kpi-value', '.kpi-change'].map(s => c.querySelector(s)).filter(shown)
            .map(el => ({cls: el.className, box: box(el), px: px(el), text: el.textContent,
                         clipped: el.scrollWidth > el.clientWidth + 1})),
        icon: (() => { const i = c.querySelector('.kpi-status .status-icon'); return i && shown(i) ? px(i) : null; })(),
        open: (() => { const b = c.querySelector('.kpi-open'); return b && shown(b) ? box(b) : null; })(),
    }));
    const targets = ['#menu-toggle', '#filter-open', '#section-tabs .nav-link']
        .flatMap(s => [...document.querySelectorAll(s)]).filter(shown)
        .map(el => ({what: el.id || el.textContent, box: box(el)}));
    const header = ['.page-title', '.asof', '#menu-toggle', '#filter-caption', '#filter-open']
        .map(s => document.querySelector(s)).filter(el => el && shown(el))
        .map(el => ({what: el.id || el.className, box: box(el)}));
    const hidden = ['#header-actions', '#filter-year'].map(s => document.querySelector(s))
        .filter(el => el && shown(el)).map(el => el.id);
    const body = document.querySelector('#section-body');
    return {scroll: document.documentElement.scrollWidth, width: innerWidth, cards, targets, header, hidden,
            section: body ? box(body) : null,
            tabs: [...document.querySelectorAll('#section-tabs .nav-link')].map(px)};
}"""

_CHART_TEXT = """(least) => [...document.querySelectorAll('.graph-holder .main-svg text')]
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => [t.closest('.graph-holder').id, t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize)])
    .filter(x => x[2] < least)"""


def overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of boxes that overlap by more than a pixel each way."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            p, q = a["box"], b["box"]
            dx = min(p["x"] + p["w"], q["x"] + q["w"]) - max(p["x"], q["x"])
            dy = min(p["y"] + p["h"], q["y"] + q["h"]) - max(p["y"], q["y"])
            if dx > 1 and dy > 1:
                found.append(
                    (
                        str(a.get("what") or a.get("id") or a.get("cls")),
                        str(b.get("what") or b.get("id") or b.get("cls")),
                    )
                )
    return found


@pytest.mark.parametrize(("width", "height"), PHONES)
@pytest.mark.parametrize("query", ["", "?lang=en&theme=dark"])
def test_the_phone_layout_fits_and_reads(new_page, app_server, page_guard, screenshot, width, height, query) -> None:
    page = phone_page(new_page, width, height)
    open_view(page, f"{app_server.url}/{query}")
    wait_all_graphs(page)
    got = page.evaluate(_LAYOUT)
    assert got["scroll"] <= got["width"], f"the page scrolls sideways: {got['scroll']} px wide at {got['width']}"
    assert not got["hidden"], f"desk-only parts shown on a phone: {got['hidden']}"
    assert len(got["cards"]) == 8
    for card in got["cards"]:
        assert card["box"]["x"] >= 0, card["id"]
        assert card["box"]["x"] + card["box"]["w"] <= width + 0.5, card["id"]
        assert len(card["parts"]) == 3, f"{card['id']}: label, value and 同比 should all show: {card['parts']}"
        for part in card["parts"]:
            least = MIN_VALUE_PX if "kpi-value" in part["cls"] else MIN_TEXT_PX
            assert part["px"] >= least, f"{card['id']} {part['cls']}: {part['px']} px"
            assert not part["clipped"], f"{card['id']}: {part['text']!r} is cut off"
        assert not overlaps([{"what": p["cls"], "box": p["box"]} for p in card["parts"]]), card
        if card["status"]:
            assert card["icon"], f"{card['id']}: no status icon"
            assert card["icon"] >= MIN_TEXT_PX, f"{card['id']}: status icon {card['icon']} px"
        assert card["open"] is not None, f"{card['id']}: no tap target"
    rows = sorted({round(c["box"]["y"]) for c in got["cards"]})
    per_row = 4 if width > height else 2
    assert len(rows) == len(got["cards"]) // per_row, f"cards should sit {per_row} in a row: rows at {rows}"
    assert not overlaps([{"what": c["id"], "box": c["box"]} for c in got["cards"]])
    assert not overlaps(got["header"]), got["header"]
    for target in got["targets"]:
        assert target["box"]["h"] >= TOUCH_PX - 0.5, target
        assert target["box"]["w"] >= TOUCH_PX - 0.5, target
    assert got["section"], "no section body"
    assert got["section"]["h"] > 200, "the active section is not shown"
    assert min(got["tabs"]) >= MIN_TEXT_PX
    small = page.evaluate(_CHART_TEXT, MIN_TEXT_PX)
    assert not small, f"chart text under {MIN_TEXT_PX} px: {small[:8]}"
    lang = "en" if "en" in query else "zh"
    screenshot(page, f"phone-{width}x{height}-{lang}{'-dark' if 'dark' in query else ''}")


def test_the_filter_sheet_changes_the_view_and_the_url(new_page, app_server, page_guard) -> None:
    page = phone_page(new_page, 390, 844)
    open_view(page, app_server.url)
    expect(page.locator("#filter-year")).to_be_hidden()
    page.tap("#filter-open")
    expect(page.locator("#filter-open")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#filter-year")).to_be_visible()
    page.locator("#filter-year").tap()
    page.locator(".dash-dropdown-content").get_by_role("option", name="2011年", exact=True).tap()
    wait_query(page, lambda q: q.get("year") == ["2011"], "year=2011")
    truth = oracle(SAMPLE)
    wait_number(page, kpi("patent_applications"), truth.total("patent_applications", 2011))
    page.tap("#filter-done")
    expect(page.locator("#filter-year")).to_be_hidden()
    expect(page.locator("#filter-caption")).to_contain_text("2011")
    expect(page.locator("#filter-open")).to_have_attribute("aria-expanded", "false")


def test_a_tap_on_a_card_opens_its_detail(new_page, app_server, page_guard) -> None:
    page = phone_page(new_page, 390, 844)
    open_view(page, app_server.url)
    truth = oracle(SAMPLE)
    page.tap(f"{kpi('patent_applications')} .kpi-open")
    modal = page.locator("#kpi-modal")
    expect(modal).to_be_visible()
    expect(page.locator("#kpi-modal-title")).to_have_text("专利申请量")
    card = modal.locator("[data-indicator=patent_applications]")
    assert float(card.get_attribute("data-value") or "nan") == truth.total("patent_applications", 2012)
    expect(card.locator(".kpi-target")).to_be_visible()  # what the strip leaves out on a phone
    expect(card.locator(".kpi-target")).to_contain_text("目标")
    expect(modal.locator(".kpi-detail-info")).to_contain_text("口径")
    page.wait_for_function(
        "() => ['trend', 'districts'].every(k => {"
        " const g = document.querySelector('#kpi-detail-' + k + ' .js-plotly-plot');"
        " return g && g._fullLayout && g.querySelectorAll('.trace').length; })",
        timeout=WAIT_MS,
    )
    years = page.evaluate("document.querySelector('#kpi-detail-trend .js-plotly-plot').data[0].y")
    assert years[-1] == truth.total("patent_applications", 2012)
    assert blocking(axe(page, within=("#kpi-modal",))) == []
    modal.get_by_role("button", name="Close").or_(modal.get_by_role("button", name="关闭")).first.tap()
    expect(modal).to_be_hidden()


def test_the_menu_holds_the_header_buttons(new_page, app_server, page_guard) -> None:
    page = phone_page(new_page, 360, 740)
    open_view(page, app_server.url)
    expect(page.locator("#header-actions")).to_be_hidden()
    page.tap("#menu-toggle")
    expect(page.locator("#menu-toggle")).to_have_attribute("aria-expanded", "true")
    link = page.locator("#header-actions").get_by_role("link", name="English")
    expect(link).to_be_visible()
    boxes = page.evaluate(
        "[...document.querySelectorAll('#header-actions > .btn, #header-actions > details > summary')]"
        ".map(b => { const r = b.getBoundingClientRect(); return [b.textContent, r.width, r.height, r.right]; })"
    )
    for text, w, h, right in boxes:
        assert h >= TOUCH_PX - 0.5, (text, w, h)
        assert right <= 360, (text, right)
    assert blocking(axe(page)) == []
    link.tap()
    page.wait_for_url("**lang=en**", timeout=WAIT_MS)
    expect(page.locator("#menu-toggle")).to_contain_text("Menu")


@pytest.mark.parametrize("query", ["", "?lang=en&theme=dark&district=330212,330281"])
def test_the_phone_layout_has_no_serious_accessibility_fault(new_page, app_server, page_guard, query) -> None:
    page = phone_page(new_page, 390, 844)
    open_view(page, f"{app_server.url}/{query}")
    wait_all_graphs(page)
    found = blocking(axe(page))
    page.tap("#filter-open")
    found += blocking(axe(page, within=(".filter-bar",)))
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_a_tap_on_a_chart_shows_what_hover_shows(new_page, app_server, page_guard) -> None:
    """No hover-only information: a tap on a point gives its label, as a pointer resting on it does."""
    page = phone_page(new_page, 390, 844)
    open_view(page, f"{app_server.url}/?section=patents")
    page.locator("#patents-trend-graph").scroll_into_view_if_needed()
    point = page.locator("#patents-trend-graph .trace .point").last
    expect(point).to_be_visible()
    wait_all_graphs(page)
    box = point.bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = page.locator("#patents-trend-graph .hoverlayer .hovertext")
    expect(label).to_contain_text("73,647件")


def test_a_phone_signs_in_and_reads_the_dashboard(app_server_factory, new_page, page_guard, tmp_path) -> None:
    """Behind the login, as a phone's browser or the mobile work platform's WebView opens it."""
    from components.server.users import UserStore

    store = UserStore(tmp_path / "users.json")
    store.add("vera", "viewer", "A long enough password")
    server = app_server_factory(env={"STI_USERS_FILE": str(store.path)})
    page = phone_page(new_page, 360, 740)
    page.goto(server.url)
    expect(page.locator("#login-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for field in ("#username", "#password", "#login-submit"):
        box = page.locator(field).bounding_box()
        assert box is not None
        assert box["height"] >= TOUCH_PX - 0.5, (field, box)
    page.locator("#username").fill("vera")
    page.locator("#password").fill("A long enough password")
    page.locator("#login-submit").tap()
    page.wait_for_selector(kpi("patent_applications"))
    got = page.evaluate(_LAYOUT)
    assert got["scroll"] <= 360
    assert len({round(c["box"]["y"]) for c in got["cards"]}) == len(got["cards"]) // 2
    page.tap("#menu-toggle")
    expect(page.locator("#header-actions").get_by_text("vera")).to_be_visible()


@contextlib.contextmanager
def portal_serving(framed: dict[str, str]) -> Iterator[str]:
    """A portal of its own on loopback (another port: another origin) whose page frames `framed["url"]`
    (set once the dashboard is up: it is started knowing the portal's origin)."""

    class Portal(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = (
                '<!doctype html><html lang="zh-CN"><meta name="viewport" content="width=device-width, initial-scale=1">'
                '<title>portal</title><body style="margin:0">'
                f'<iframe src="{framed["url"]}/" title="STI" style="border:0;width:100vw;height:100vh"></iframe>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_phone_layout_inside_a_portal_frame(app_server_factory, browser) -> None:
    """A portal that frames the dashboard (STI_FRAME_ANCESTORS names it) on a phone: the frame is phone-sized,
    so the page inside is the phone layout, and its filters work there."""
    framed: dict[str, str] = {}
    with portal_serving(framed) as portal:
        server = app_server_factory(env={"STI_FRAME_ANCESTORS": portal})
        framed["url"] = server.url
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        try:
            page = context.new_page()
            page.goto(f"{portal}/")
            frame = page.frame_locator("iframe")
            expect(frame.locator(kpi("patent_applications"))).to_be_visible(timeout=WAIT_MS)
            inner = next(f for f in page.frames if f.url.startswith(server.url))
            assert inner.evaluate("document.documentElement.scrollWidth") <= 390
            frame.locator("#filter-open").tap()
            expect(frame.locator("#filter-year")).to_be_visible()
            frame.locator("#filter-year").tap()
            frame.locator(".dash-dropdown-content").get_by_role("option", name="2011年", exact=True).tap()
            expected = oracle(SAMPLE).total("patent_applications", 2011)
            inner.wait_for_function(
                "(v) => Number(document.querySelector('#kpi-strip [data-indicator=patent_applications]')"
                ".getAttribute('data-value')) === v",
                arg=expected,
                timeout=WAIT_MS,
            )
        finally:
            context.close()
