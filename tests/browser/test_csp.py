"""The Content-Security-Policy in real Chromium: every view of the product, with the policy the server sends
(components/server/hardening.py: no 'unsafe-eval', scripts by origin or hash), raises no violation.

A listener added before any page script (`securitypolicyviolation`, reported to Python through a binding, so
it survives navigations) and the console ("Content Security Policy", "Refused to") collect violations while
the tests walk: the dashboard in Chinese for the whole city with every section's tab, the PNG download of a
chart (modebar), the CSV and Excel data exports and the PPTX export until its file downloads; a district in
English; presentation mode; the drill-down grid (sorted, filtered); the data library page. A canary (an
inline script injected on purpose) shows the listener, the console watch and the report endpoint all see a
real violation.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import WAIT_MS, every_section, kpi, open_view, wait_all_graphs
from playwright.sync_api import ConsoleMessage, Page, expect

LISTENER = """window.__stiCspCount = 0;
document.addEventListener('securitypolicyviolation', (e) => {
    window.__stiCspCount += 1;
    window.__stiCsp({directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
                     line: e.lineNumber, sample: e.sample, page: location.pathname + location.search});
}, true);"""
CONSOLE_MARKS = ("Content Security Policy", "Refused to")
YINZHOU = "330212"


class Violations:
    """Every CSP violation a page reported, from its documents' listener and from the console."""

    def __init__(self, page: Page) -> None:
        self.events: list[dict[str, Any]] = []
        self.console: list[str] = []
        page.expose_binding("__stiCsp", lambda _source, report: self.events.append(report))
        page.add_init_script(LISTENER)
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if any(mark in message.text for mark in CONSOLE_MARKS):
            self.console.append(message.text)

    def check(self, page: Page, where: str) -> None:
        """Fail with what was blocked, if anything was (after delivering events in flight)."""
        page.evaluate("0")
        assert not self.events, f"{where}: CSP violations {self.events}"
        assert not self.console, f"{where}: console {self.console}"


@pytest.fixture
def watched(page: Page) -> tuple[Page, Violations]:
    return page, Violations(page)


def _policy(response: Any) -> str:
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp, csp
    assert "'unsafe-eval'" not in csp, csp
    return csp


def _download(page: Page, click: Any, timeout: float = WAIT_MS) -> str:
    with page.expect_download(timeout=timeout) as info:
        click()
    download = info.value
    assert download.failure() is None, download.failure()
    return download.suggested_filename


def test_the_dashboard_its_sections_and_every_download(watched, app_server, page_guard, tmp_path: Path) -> None:
    page, violations = watched
    response = page.goto(app_server.url + "/?year=2012")
    assert response is not None
    _policy(response)
    page.wait_for_selector(kpi("patent_applications"), timeout=WAIT_MS)
    wait_all_graphs(page)
    violations.check(page, "the dashboard (zh, whole city)")

    graph = page.locator("#patents-trend-graph .js-plotly-plot")  # the default section's first chart
    graph.scroll_into_view_if_needed()
    graph.hover()
    png = page.locator("#patents-trend-graph .modebar-btn[data-title='下载图表（PNG）']")
    assert _download(page, png.click).endswith(".png")
    violations.check(page, "a chart's PNG download")

    for item, ext in (("data-export-csv", ".csv"), ("data-export-xlsx", ".xlsx")):
        page.locator("#data-export-menu").click()
        assert _download(page, page.locator(f"#{item}").click).endswith(ext)
    violations.check(page, "the data exports")

    walked = list(every_section(page))
    assert len(walked) >= 5, walked
    violations.check(page, f"the sections {walked}")

    button = page.locator("#export-button")
    button.scroll_into_view_if_needed()
    assert _download(page, button.click, timeout=120_000).endswith(".pptx")
    expect(button).to_be_enabled()
    violations.check(page, "the PPTX export (background job, dcc.Download)")


def test_english_presentation_drill_down_and_library(watched, app_server, page_guard) -> None:
    page, violations = watched
    open_view(page, app_server.url + f"/?year=2011&lang=en&district={YINZHOU}")
    wait_all_graphs(page)
    violations.check(page, "a district in English")

    response = page.goto(app_server.url + "/?present=1&interval=3600")
    assert response is not None
    _policy(response)
    page.wait_for_function(
        """() => { const r = document.getElementById('present-root');
            const plots = r ? [...r.querySelectorAll('.js-plotly-plot')] : [];
            return r && r.dataset.current && plots.length && plots.every((g) => g._fullLayout); }""",
        timeout=WAIT_MS,
    )
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.getElementById('present-root').dataset.current === '2'", timeout=WAIT_MS)
    violations.check(page, "presentation mode")

    response = page.goto(app_server.url + "/drill/enterprises?year=2012&tier=hightech_enterprise")
    assert response is not None
    _policy(response)
    grid = page.locator("#drill-grid")
    expect(grid.locator(".ag-row").first).to_be_visible(timeout=WAIT_MS)
    grid.locator(".ag-header-cell", has_text="认定年份").click()
    grid.locator(".ag-floating-filter [aria-label]").first.fill("新材料")
    expect(grid.locator(".ag-row").first).to_contain_text("新材料")
    violations.check(page, "the drill-down grid")

    response = page.goto(app_server.url + "/library")
    assert response is not None
    _policy(response)
    expect(page.locator("#library-readonly")).to_be_visible()
    violations.check(page, "the data library page")


def test_a_violation_is_seen_by_the_listener_the_console_and_the_report_endpoint(
    watched, app_server, page_guard
) -> None:
    """The canary: an inline script injected into a served page is blocked and reported every way."""
    page, violations = watched
    page_guard.tolerate_console_error(r"^Executing inline script violates the following Content Security Policy")
    page.goto(app_server.url + "/library")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__stiRan = 1';"
        " document.head.appendChild(s); }"
    )
    page.wait_for_function("window.__stiCspCount > 0", timeout=WAIT_MS)
    page.evaluate("0")
    assert page.evaluate("window.__stiRan") is None, "the injected inline script ran"
    assert [e["directive"] for e in violations.events] == ["script-src-elem"], violations.events
    assert violations.events[0]["blocked"] == "inline"
    assert any("inline script violates" in m for m in violations.console), violations.console
    deadline = time.monotonic() + 10
    while "content security policy: script-src-elem blocked inline" not in app_server.log():
        assert time.monotonic() < deadline, f"no report in the server log: {app_server.log()[-1500:]}"
        time.sleep(0.1)
