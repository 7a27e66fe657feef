"""Logging in, in a real Chromium: the login page, a viewer's dashboard, an analyst's exports, a wall screen's link."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_helpers import kpi, wait_all_graphs
from playwright.sync_api import Page, expect

from components.core import ids
from components.server.users import UserStore

PASSWORD = "A long enough password"


@pytest.fixture
def secured(app_server_factory, tmp_path: Path):
    """The app with three users and a wall screen set up: (server, users file, the screen's token)."""
    store = UserStore(tmp_path / "users.json")
    store.add("vera", "viewer", PASSWORD)
    store.add("ann", "analyst", PASSWORD)
    store.add("li.wei", "analyst", "Temporary pass 1", temporary=True)  # as `app.py user add` makes one
    token = store.add_screen("hall-1")
    server = app_server_factory(env={"STI_USERS_FILE": str(store.path), "STI_LOGIN_ATTEMPTS": "50"})
    return server, store, token


def _sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("#login-submit")


def _change(page: Page, current: str, new: str) -> None:
    """Fill and send the password page's form (the new password typed twice)."""
    page.fill("#current", current)
    page.fill("#new", new)
    page.fill("#again", new)
    page.click("#password-submit")


def test_a_viewer_signs_in_sees_the_dashboard_without_exports_and_signs_out(
    secured, page: Page, page_guard, screenshot: Callable[..., Path]
) -> None:
    server, _, _ = secured
    page_guard.tolerate_console_error(r"status of 401")  # the wrong password's answer
    page.goto(f"{server.url}/?year=2012")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F%3Fyear%3D2012$"))
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("label[for=username]")).to_have_text("用户名")
    _sign_in(page, "vera", "not the password")
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误。")
    _sign_in(page, "vera")
    expect(page).to_have_url(f"{server.url}/?year=2012")
    page.wait_for_selector(kpi("patent_applications"))
    wait_all_graphs(page)  # every callback request carried the session's CSRF token
    expect(page.locator(f"#{ids.USER_NAME}")).to_contain_text("vera")
    expect(page.locator(f"#{ids.USER_NAME}")).to_contain_text("查看者")
    expect(page.locator(f"#{ids.DATA_EXPORT_MENU}")).to_have_count(0)
    expect(page.locator(f"#{ids.EXPORT_BUTTON}")).to_have_count(0)
    expect(page.locator("a.drill-link")).to_have_count(0)
    screenshot(page, "login-viewer-dashboard")
    assert page.request.get(f"{server.url}/export/data.csv").status == 403  # the server refuses, not only the UI
    page.click(f"#{ids.LOGOUT}")
    expect(page.locator("#login-form")).to_be_visible()
    page.goto(server.url)
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    page_guard.assert_clean()


def test_an_analyst_exports_in_english_and_a_screen_link_opens_presentation_mode(
    secured, new_page, page_guard, screenshot: Callable[..., Path]
) -> None:
    server, store, token = secured
    page = new_page()
    page.goto(f"{server.url}/login?lang=en")
    expect(page.locator("label[for=username]")).to_have_text("User name")
    _sign_in(page, "ann")
    page.wait_for_selector(kpi("patent_applications"))
    expect(page).to_have_url(re.compile(r"\?lang=en$"))  # signed in in English: the dashboard in English
    expect(page.locator(f"#{ids.USER_NAME}")).to_contain_text("analyst")
    expect(page.locator(f"#{ids.DATA_EXPORT_MENU}")).to_be_visible()
    page.click(f"#{ids.DATA_EXPORT_MENU} summary")
    with page.expect_download() as download:
        page.click(f"#{ids.DATA_EXPORT_CSV}")
    assert download.value.suggested_filename.endswith(".csv")
    wall = new_page()
    wall.goto(f"{server.url}/screen/{token}")
    expect(wall).to_have_url(re.compile(r"/\?present=1"))  # the token left the address bar
    expect(wall.locator(f"#{ids.PRESENT_ROOT}")).to_be_visible()
    wall.wait_for_function(  # the slides run: a current slide and its charts drawn
        "() => { const r = document.getElementById('present-root');"
        " return r && r.dataset.current && r.querySelectorAll('.js-plotly-plot .main-svg').length > 0; }"
    )
    screenshot(wall, "login-screen-presentation")
    assert wall.request.get(f"{server.url}/export/data.csv").status == 403  # a screen only views
    store.remove_screen("hall-1")
    wall.reload()
    expect(wall.locator("#login-form")).to_be_visible()
    page_guard.assert_clean()


def test_a_temporary_password_is_replaced_at_first_login(
    secured, page: Page, page_guard, screenshot: Callable[..., Path]
) -> None:
    server, store, _ = secured
    page_guard.tolerate_console_error(r"status of 400")  # the weak password's answer
    page.goto(f"{server.url}/?year=2011")
    _sign_in(page, "li.wei", "Temporary pass 1")
    expect(page.locator("#password-form")).to_be_visible()  # before the dashboard
    expect(page.locator("#password-notice")).to_contain_text("临时密码")
    expect(page.locator("#password-rules")).to_contain_text("至少10个字符")
    screenshot(page, "login-password-change")
    _change(page, "Temporary pass 1", "Password123")
    expect(page.locator("#login-error")).to_contain_text("太容易被猜到")
    _change(page, "Temporary pass 1", "Blue kettle 47 sings")
    expect(page).to_have_url(f"{server.url}/?year=2011")  # on to where they were going
    page.wait_for_selector(kpi("patent_applications"))
    assert store.must_change("li.wei") is None
    page.click(f"#{ids.PASSWORD_LINK}")  # the header's 修改密码, any time
    expect(page.locator("#password-form")).to_be_visible()
    expect(page.locator("#password-notice")).to_have_count(0)
    page_guard.assert_clean()
