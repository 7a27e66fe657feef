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
