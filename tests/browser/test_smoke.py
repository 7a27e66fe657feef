"""Smoke test: the real app serves its home page offline, with the dataset version in the footer."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError


def _settle(page: Page, timeout_ms: int = 10_000) -> None:
    """Wait until the network has been idle for 500 ms, so late requests reach the guard.

    Bounded: a page that polls (dcc.Interval) never goes idle, and that alone is no failure.
    """
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_load_state("networkidle", timeout=timeout_ms)


def test_home_page_shows_city_and_dataset_version(
    page: Page, app_server, page_guard, screenshot: Callable[..., Path]
) -> None:
    """The header names 宁波, the footer carries the /healthz version, and nothing leaves the host."""
    assert re.fullmatch(r"[0-9a-f]{12}", app_server.version), app_server.version

    response = page.goto(app_server.url)
    assert response is not None
    assert response.ok, f"GET {app_server.url} -> {response.status}"

    expect(page.locator("#header-city")).to_contain_text("宁波")
    expect(page.locator("#footer-version")).to_contain_text(app_server.version)
    _settle(page)
    screenshot(page, "smoke-home")

    assert page_guard.external_requests == [], page_guard.external_requests
    page_guard.assert_clean()


def test_painted_blocks_never_carry_code(page: Page, app_server, page_guard) -> None:
    """The page paints blocks from component JSON: script-like elements, on* handlers and javascript: links
    in that JSON are dropped, text stays text."""
    page.goto(app_server.url)
    page.wait_for_selector("#kpi-strip [data-indicator]")
    got = page.evaluate(
        """() => {
            window.__pwned = 0;
            const el = document.createElement('div');
            const h = (type, props) => ({type, namespace: 'dash_html_components', props});
            el.setAttribute('data-paint', JSON.stringify([
                h('Script', {children: 'window.__pwned = 1'}),
                h('A', {children: '<b>x</b>', href: 'javascript:window.__pwned=2', onClick: 'window.__pwned=3',
                        title: 'ok'}),
                h('Img', {src: ' JavaScript:alert(1)', alt: 'a'}),
            ]));
            document.body.appendChild(el);
            window.__stiPaint(el);
            const a = el.querySelector('a');
            return {scripts: el.querySelectorAll('script').length, href: a.getAttribute('href'),
                    onclick: a.getAttribute('onclick'), title: a.getAttribute('title'), text: a.textContent,
                    src: el.querySelector('img').getAttribute('src'), pwned: window.__pwned};
        }"""
    )
    assert got == {
        "scripts": 0,
        "href": None,
        "onclick": None,
        "title": "ok",
        "text": "<b>x</b>",
        "src": None,
        "pwned": 0,
    }, got
