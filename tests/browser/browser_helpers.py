"""Page helpers shared by the browser tests (Playwright + Debian Chromium)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import parse_qs

import axe_playwright_python
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from components.sections import SECTIONS, other

WAIT_MS = 15_000
# The built-in sections' titles in page order (a dataset has those its data supports; then its own indicators),
# from the registry: every section but the generic one of a dataset's own indicators.
SECTION_TITLES = {lang: tuple(s.title(lang) for s in SECTIONS if s.key != other.KEY) for lang in ("zh", "en")}
N_GRAPHS = 25  # graphs of the sample's normal page over all its tabs: 20 in the seven sections, 5 of its own


def kpi(indicator: str) -> str:
    """Selector of a KPI card (the pipeline and seismic headlines reuse some indicator ids)."""
    return f"#kpi-strip [data-indicator={indicator}]"


_ATTR_MATCHES = """([sel, attr, expected, tol]) => {
    const el = document.querySelector(sel);
    if (!el || !el.hasAttribute(attr)) return false;
    const raw = el.getAttribute(attr);
    if (expected === null) return raw === '';
    if (raw === '') return false;
    return Math.abs(Number(raw) - expected) <= tol;
}"""


def attr(page: Page, selector: str, name: str) -> str | None:
    """An attribute of the first element matching `selector` (None when there is no such element)."""
    return page.evaluate(
        "([sel, name]) => { const el = document.querySelector(sel); return el ? el.getAttribute(name) : null; }",
        [selector, name],
    )


def wait_number(
    page: Page, selector: str, expected: float | None, *, name: str = "data-value", tol: float = 1e-6
) -> None:
    """Wait until `selector`'s attribute `name` is `expected` (±tol), or empty when `expected` is None."""
    try:
        page.wait_for_function(_ATTR_MATCHES, arg=[selector, name, expected, tol], timeout=WAIT_MS)
    except PlaywrightTimeoutError:
        pytest.fail(
            f"{selector} [{name}] = {attr(page, selector, name)!r}, expected {expected!r} (±{tol})", pytrace=False
        )


def search(page: Page) -> str:
    """The query string as the browser has it (Dash writes it with history.pushState)."""
    return str(page.evaluate("location.search"))


def query(page: Page) -> dict[str, list[str]]:
    """The parsed query string."""
    return parse_qs(search(page).lstrip("?"), keep_blank_values=True)


def wait_query(page: Page, check: Callable[[dict[str, list[str]]], bool], what: str) -> None:
    """Wait (briefly polling) until the parsed query string satisfies `check`."""
    for _ in range(WAIT_MS // 100):
        if check(query(page)):
            return
        page.wait_for_timeout(100)
    pytest.fail(f"location.search = {search(page)!r}: expected {what}", pytrace=False)


def open_view(page: Page, url: str) -> None:
    """Load the page and wait for the KPI strip."""
    response = page.goto(url)
    assert response is not None, f"GET {url}: no response"
    assert response.ok, f"GET {url} -> {response.status}"
    page.wait_for_selector(kpi("patent_applications"), timeout=WAIT_MS)


def choose(page: Page, dropdown_id: str, *labels: str) -> None:
    """Open a Dash 4 dcc.Dropdown and click the options with these exact labels (a multi one stays open)."""
    page.locator(f"#{dropdown_id}").click()
    for label in labels:
        option = page.locator(".dash-dropdown-content").get_by_role("option", name=label, exact=True)
        expect(option).to_be_visible()
        option.click()


def close_dropdown(page: Page) -> None:
    """Close an open dropdown popover."""
    page.keyboard.press("Escape")
    expect(page.locator(".dash-dropdown-content")).to_have_count(0)


_ALL_GRAPHS_READY = """(n) => {
    // Charts draw the first time they come into view (assets/app.js): bring the first one not drawn yet into
    // view, as a reader scrolling down would.
    const pending = [...document.querySelectorAll('.graph-holder')].find(h => {
        const g = h.querySelector('.js-plotly-plot');
        return !g || !g._fullLayout;
    });
    if (pending) {
        // Wholly in view, as a reader would have it: a holder whose edge shows can still hold its chart below
        // the fold (the page waits for the chart itself to come into view, not its card).
        const r = pending.getBoundingClientRect();
        if (r.top < 0 || r.bottom > window.innerHeight) pending.scrollIntoView({block: 'center'});
        return false;
    }
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    const want = n === null ? document.querySelectorAll('.graph-holder').length : n;
    if (!want || plots.length < want || document.querySelector('[data-dash-is-loading="true"]')) return false;
    return plots.every(g => g._fullLayout && (
        g.querySelectorAll('.trace .point, .trace path.js-line, .hm image, .sankey-node, .pielayer .slice').length
        || g.querySelector('.annotation-text')));
}"""


_GRAPH_STATES = """() => ({
    viewport: [window.innerWidth, window.innerHeight, window.scrollY],
    loading: [...document.querySelectorAll('[data-dash-is-loading="true"]')].map(e => e.id || e.className),
    holders: [...document.querySelectorAll('.graph-holder')].map(h => {
        const g = h.querySelector('.js-plotly-plot'), r = h.getBoundingClientRect();
        return [h.id, Math.round(r.top), Math.round(r.bottom), g ? (g._fullLayout ? 'drawn' : 'mounted') : 'none',
                g && g._fullLayout ? g.querySelectorAll('.trace').length : 0];
    }),
})"""


def wait_all_graphs(page: Page, n: int | None = None) -> None:
    """Wait until the page's graphs (`n`, or as many as it has chart holders) have all drawn something,
    scrolling each one not drawn yet into view; the page is scrolled back to where it was."""
    y = page.evaluate("window.scrollY")
    try:
        page.wait_for_function(_ALL_GRAPHS_READY, arg=n, timeout=WAIT_MS)
    except PlaywrightTimeoutError:
        raise AssertionError(f"charts not all drawn after {WAIT_MS} ms: {page.evaluate(_GRAPH_STATES)}") from None
    page.evaluate("(y) => window.scrollTo(0, y)", y)


def section_keys(page: Page) -> list[str]:
    """The sections the page offers as tabs, in order."""
    return page.evaluate("[...document.querySelectorAll('#section-tabs [data-section]')].map(b => b.dataset.section)")


def show_section(page: Page, key: str) -> None:
    """Open a section's tab (as a person does: a click) and wait until its charts have drawn."""
    page.locator(f"#section-tabs [data-section={key}]").click()
    page.wait_for_selector(f"#section-body #section-{key}", timeout=WAIT_MS)
    expect(page.locator(f"#section-tabs [data-section={key}]")).to_have_attribute("aria-selected", "true")
    wait_all_graphs(page)


def every_section(page: Page) -> Iterator[str]:
    """Open each tab in turn (its charts drawn), yielding its key."""
    for key in section_keys(page):
        show_section(page, key)
        yield key


# Text a reader cannot read in one graph: [kind, detail...] per problem (tolerance 1-3 px).
_TEXT_PROBLEMS = """(gid) => {
    const root = document.getElementById(gid);
    const g = root && root.querySelector('.js-plotly-plot');
    if (!g || !g._fullLayout) return [['not rendered', gid]];
    const box = (e) => e.getBoundingClientRect();
    const cut = (a, b, tol) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > tol
        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > tol;
    const text = (sel) => [...g.querySelectorAll(sel)].filter((e) => box(e).width > 0 && e.textContent.trim());
    const svg = box(g.querySelector('svg.main-svg'));
    const out = [];
    for (const e of text('.xtick text, .ytick text, .y2tick text, .g-xtitle text, .g-ytitle text, '
                         + '.g-y2title text, .annotation-text, .legendtext, .cbtitle text, .cbaxis text')) {
        const r = box(e);
        const over = Math.max(svg.left - r.left, r.right - svg.right, svg.top - r.top, r.bottom - svg.bottom);
        if (over > 3) out.push(['cut off by the chart edge', e.textContent.trim(), Math.round(over)]);
    }
    const ticks = text('.xtick text, .ytick text, .y2tick text');
    for (const title of text('.g-xtitle text, .g-ytitle text, .g-y2title text')) {
        for (const tick of ticks) {
            if (cut(box(title), box(tick), 1)) {
                out.push(['axis title over tick label', title.textContent.trim(), tick.textContent.trim()]);
            }
        }
    }
    const notes = text('.annotation-text');
    for (let i = 0; i < notes.length; i++) {
        for (let j = i + 1; j < notes.length; j++) {
            if (cut(box(notes[i]), box(notes[j]), 1)) {
                out.push(['annotations overlap', notes[i].textContent.trim(), notes[j].textContent.trim()]);
            }
        }
    }
    for (const e of text('.xtick text, .ytick text, .y2tick text, .cbaxis text, .annotation-text, .legendtext, '
                         + '.textpoint text, .bartext')) {
        if (/[~{}]|%[a-zA-Z]/.test(e.textContent)) out.push(['format code shown as text', e.textContent.trim()]);
    }
    const values = text('.scatterlayer .textpoint text');
    for (const note of notes) {
        for (const v of values) {
            if (cut(box(note), box(v), 1)) {
                out.push(['annotation over data label', note.textContent.trim(), v.textContent.trim()]);
            }
        }
    }
    const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis;
    if (xa && ya && xa._length && ya._length) {
        const area = {left: svg.left + xa._offset, right: svg.left + xa._offset + xa._length,
                      top: svg.top + ya._offset, bottom: svg.top + ya._offset + ya._length};
        for (const e of text('.scatterlayer .textpoint text')) {
            const r = box(e);
            const over = Math.max(area.left - r.left, r.right - area.right, area.top - r.top, r.bottom - area.bottom);
            if (over > 3) out.push(['data label cut off by the plot area', e.textContent.trim(), Math.round(over)]);
        }
    }
    if (gid === 'overview-map-graph') {
        const trace = g.querySelector('.scatterlayer .trace');
        const tiles = trace ? [...trace.querySelectorAll('.point')].map(box) : [];
        for (let i = 0; i < tiles.length; i++) {
            for (let j = i + 1; j < tiles.length; j++) {
                if (cut(tiles[i], tiles[j], 2)) {
                    out.push(['tiles overlap', i, j, Math.round(Math.min(tiles[i].right, tiles[j].right)
                              - Math.max(tiles[i].left, tiles[j].left))]);
                }
            }
        }
    }
    return out;
}"""

_TILE_LABELS_OUTSIDE = """() => {
    const g = document.querySelector('#overview-map-graph .js-plotly-plot');
    if (!g || !g._fullLayout) return [['no tile map']];
    const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis;
    const svg = g.querySelector('svg.main-svg').getBoundingClientRect();
    const out = [];
    for (const t of g.querySelectorAll('.heatmap-label text')) {
        const r = t.getBoundingClientRect();
        if (!r.width) continue;
        const col = Math.round(xa.p2d((r.left + r.right) / 2 - svg.left - xa._offset));
        const row = Math.round(ya.p2d((r.top + r.bottom) / 2 - svg.top - ya._offset));
        const left = svg.left + xa._offset + xa.d2p(col - 0.5), right = svg.left + xa._offset + xa.d2p(col + 0.5);
        const y0 = svg.top + ya._offset + ya.d2p(row - 0.5), y1 = svg.top + ya._offset + ya.d2p(row + 0.5);
        const top = Math.min(y0, y1), bottom = Math.max(y0, y1);
        const over = Math.max(left - r.left, r.right - right, top - r.top, r.bottom - bottom);
        if (over > 1) out.push([t.textContent, Math.round(over)]);
    }
    return out;
}"""


def graph_ids(page: Page) -> list[str]:
    """The stable IDs of every chart on the page (the elements holding them)."""
    return page.evaluate("[...document.querySelectorAll('.graph-holder')].map(h => h.id)")


def chart_text_problems(page: Page) -> dict[str, list[list[object]]]:
    """Unreadable text per chart on the page: cut off, overlapping, format codes, tile labels over their tile."""
    found = {gid: page.evaluate(_TEXT_PROBLEMS, gid) for gid in graph_ids(page)}
    if "overview-map-graph" in found:
        found["overview-map-graph"] += [
            ["tile label outside its tile", *p] for p in page.evaluate(_TILE_LABELS_OUTSIDE)
        ]
    return {gid: problems for gid, problems in found.items() if problems}


_HOVERED = """(gid) => {
    const g = document.querySelector('#' + gid + ' .js-plotly-plot');
    return Boolean(g && g._hoverdata && g._hoverdata.length);
}"""


def click_chart(page: Page, graph_id: str, x: float | None = None, y: float | None = None, *, mark=None) -> None:
    """Click a Plotly chart as a person does: the pointer rests on the mark until the chart has registered the
    hover, then clicks. Plotly's click reports the hovered point, and its hover is throttled (50 ms): a pointer
    that arrives and clicks at once, or a redraw between the two, made a click report nothing under load.

    Give page coordinates (`x`, `y`) or a locator of the mark (`mark`), whose centre is clicked."""
    if mark is not None:
        mark.scroll_into_view_if_needed()
        box = mark.bounding_box()
        assert box is not None, f"{graph_id}: the mark to click is not laid out"
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert x is not None, f"{graph_id}: give x and y, or a mark"
    assert y is not None, f"{graph_id}: give x and y, or a mark"
    for attempt in range(WAIT_MS // 100):
        page.mouse.move(x + attempt % 2, y)  # a pointer that moves by a pixel has Plotly hover again
        page.wait_for_timeout(100)
        if page.evaluate(_HOVERED, graph_id):
            break
    else:
        pytest.fail(f"{graph_id}: no point under the pointer at ({x:.0f}, {y:.0f})", pytrace=False)
    page.wait_for_timeout(60)  # past the hover throttle, so the click's own hover runs
    page.mouse.click(x + attempt % 2, y)


# axe-core from the `axe-playwright-python` wheel (its axe.min.js, injected into the page): no network.
AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"critical", "serious"}


# What a tab switch changes on the dashboard: the tab strip and the section below the overview. Once axe has
# checked a whole page, the other tabs need only these checked (the header, filters and overview are the same).
TAB_PARTS = ("#section-tabs", "#section-body")


def axe(page: Page, within: Sequence[str] = ()) -> list[dict]:
    """Run axe-core on the page as it is (or on the parts matching the `within` selectors only); its
    violations (rule id, impact, the first few targets)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_JS)
    # A colour in the middle of a CSS transition (a button's hover after a tap: .15 s) is no colour anyone reads:
    # measure contrast once the page has come to rest.
    page.wait_for_function(
        "() => !document.getAnimations().some(a => a instanceof CSSTransition && a.playState === 'running')",
        timeout=WAIT_MS,
    )
    # resultTypes: details for the violations only (the passes are not read; axe skips building them)
    result = page.evaluate(
        """([tags, within]) => axe.run(within.length ? {include: within.map(s => [s])} : document,
            {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [TAGS, list(within)],
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def blocking(found: list[dict]) -> list[dict]:
    """The critical and serious ones."""
    return [v for v in found if v["impact"] in BLOCKING]


def open_every_table(page: Page) -> None:
    """Open every chart's data table (so axe checks the tables too)."""
    page.evaluate("document.querySelectorAll('.chart-data details').forEach(d => { d.open = true; })")
    page.wait_for_function(
        "[...document.querySelectorAll('.chart-data details')].every(d => d.querySelector('.chart-table').textContent)",
        timeout=WAIT_MS,
    )


def close_every_table(page: Page) -> None:
    """Close every chart's data table again."""
    page.evaluate("document.querySelectorAll('.chart-data details').forEach(d => { d.open = false; })")
