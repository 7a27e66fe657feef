"""Page helpers shared by the browser tests (Playwright + Debian Chromium)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

WAIT_MS = 15_000
N_GRAPHS = 21  # graphs on the sample's normal page: 14 in the five sections, 7 of its own indicators


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
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    if (plots.length < n || document.querySelector('[data-dash-is-loading="true"]')) return false;
    return plots.every(g => g._fullLayout && (
        g.querySelectorAll('.trace .point, .trace path.js-line, .hm image, .sankey-node, .pielayer .slice').length
        || g.querySelector('.annotation-text')));
}"""


def wait_all_graphs(page: Page, n: int = N_GRAPHS) -> None:
    """Wait until the normal page's graphs have all drawn something (data marks or a message)."""
    page.wait_for_function(_ALL_GRAPHS_READY, arg=n, timeout=WAIT_MS)
