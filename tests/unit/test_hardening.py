"""Hardened serving through the Flask test client: the security headers and the policy on every kind of
response, the policy's script hashes against the inline scripts the pages really carry, the violation
report endpoint, static caching, compression of both apps, and debug settings in the environment ignored
(here; under a real `app.py run`: tests/integration/test_cli.py); the gunicorn configuration module."""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash_debug import DEBUG_ENV

from bench import SECTIONS_OUTPUT, Page
from components.server import hardening
from components.server.settings import SAMPLE_DIR, Settings

REPORT = {
    "csp-report": {
        "document-uri": "http://127.0.0.1/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "http://127.0.0.1/",
        "line-number": 12,
    }
}


def _get(client: Any, path: str, **kw: Any) -> Any:
    """A response read to the end and closed (static files are streamed)."""
    resp = client.get(path, **kw)
    resp.get_data()
    resp.close()
    return resp


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from app import create_app

    return create_app(Settings(data_dir=SAMPLE_DIR, cache_dir=tmp_path_factory.mktemp("hardening") / "cache"))


@pytest.fixture(scope="module")
def client(app: Any) -> Any:
    return app.server.test_client()


@pytest.fixture(scope="module")
def page(client: Any) -> Page:
    return Page.load(lambda path: client.get(path).get_json())


@pytest.fixture
def debug_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An app built with every debug switch on in the environment, embeddable by one intranet origin."""
    from app import create_app

    for name, value in DEBUG_ENV.items():
        monkeypatch.setenv(name, value)
    settings = Settings(
        data_dir=SAMPLE_DIR, cache_dir=tmp_path / "cache", frame_ancestors=("https://portal.example", "'self'")
    )
    return create_app(settings)


def _page_scripts(html: str) -> list[str]:
    """The inline scripts a browser runs (not JSON data blocks)."""
    found = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
    return [body for attrs, body in found if "application/json" not in attrs]


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _script_src(csp: str) -> list[str]:
    directive = next(d.strip() for d in csp.split(";") if d.strip().startswith("script-src "))
    return directive.split()[1:]


def _suite_url(html: str, part: str) -> str:
    return next(u for u in re.findall(r'src="([^"]+)"', html) if part in u)


def _kinds(client: Any, page: Page) -> Iterator[tuple[str, Any, int]]:
    """(what, response, expected status) for every kind of response the server gives."""
    html = client.get("/").get_data(as_text=True)
    drill = client.get("/drill/enterprises").get_data(as_text=True)
    values = {("filter-year", "value"): 2012, ("filter-districts", "value"): [], ("page-config", "data"): {}}
    body = page.body(page.callback(SECTIONS_OUTPUT), values)
    yield "page", _get(client, "/?year=2012&lang=en"), 200
    yield "presentation", _get(client, "/?present=1"), 200
    yield "layout", _get(client, "/_dash-layout"), 200
    yield "dependencies", _get(client, "/_dash-dependencies"), 200
    yield "callback", client.post("/_dash-update-component", json=body), 200
    yield "asset", _get(client, _suite_url(html, "/assets/app.js")), 200
    yield "component suite", _get(client, _suite_url(html, "dash_renderer")), 200
    yield "lazy chunk", _get(client, "/_dash-component-suites/dash/dcc/async-graph.js"), 200
    yield "favicon", _get(client, "/_favicon.ico?v=1"), 200
    yield "favicon.ico", _get(client, "/favicon.ico"), 200  # browsers ask for it on pages without an icon
    yield "bootstrap", _get(client, "/vendor/bootstrap/css/bootstrap.min.css"), 200
    if "/vendor/plotly/" in html:
        yield "plotly bundle", _get(client, _suite_url(html, "/vendor/plotly/")), 200
    yield "drill page", _get(client, "/drill/enterprises?year=2012"), 200
    yield "drill suite", _get(client, _suite_url(drill, "dash_ag_grid")), 200
    yield "drill layout", _get(client, "/drill/_dash-layout"), 200
    yield "library", _get(client, "/library"), 200
    yield "export", _get(client, "/export/data.csv?year=2012"), 200
    yield "healthz", _get(client, "/healthz"), 200
    yield "404", _get(client, "/no/such/page"), 404
    yield "console", _get(client, "/console"), 404
    yield "405", client.post("/healthz"), 405
    yield "400", client.post("/_dash-update-component", data=b"not json", content_type="application/json"), 400
    yield "413", client.post("/_dash-update-component", data=b"x" * 300_000, content_type="application/json"), 413
    yield "csp report", client.post(hardening.REPORT_PATH, json=REPORT), 204


def test_every_kind_of_response_carries_the_headers(client: Any, page: Page) -> None:
    csp = _get(client, "/").headers["Content-Security-Policy"]
    seen = []
    for what, resp, status in _kinds(client, page):
        assert resp.status_code == status, (what, resp.status_code)
        assert resp.headers.get("Content-Security-Policy") == csp, what
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", what
        assert resp.headers.get("Referrer-Policy") == "same-origin", what
        assert resp.headers.get("X-Frame-Options") == "DENY", what
        assert b"Traceback" not in resp.get_data(), what
        seen.append(what)
    assert len(seen) >= 22


def test_the_policy_allows_exactly_the_pages_inline_scripts_and_no_eval(app: Any, client: Any) -> None:
    csp = _get(client, "/").headers["Content-Security-Policy"]
    allowed = _script_src(csp)
    assert allowed[0] == "'self'"
    assert "'unsafe-eval'" not in csp
    assert "'unsafe-inline'" not in allowed
    assert all(h.startswith("'sha256-") for h in allowed[1:])
    assert set(app.csp_hashes()) <= set(allowed)
    inline = set()
    for path in ("/", "/?lang=en", "/?present=1", "/drill/", "/drill/enterprises?tier=hightech_enterprise"):
        scripts = _page_scripts(client.get(path).get_data(as_text=True))
        assert scripts, path  # Dash's renderer line at least
        inline |= {_sha256(s) for s in scripts}
    assert inline <= set(allowed), inline - set(allowed)
    assert len(inline) >= 2  # the renderer line and the dashboard's inline clientside callback
    for directive in (
        "default-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "report-uri /csp-report",
    ):
        assert directive in [d.strip() for d in csp.split(";")], directive


def test_versioned_static_files_are_cached_for_a_year_unversioned_briefly(client: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    year, short = hardening.YEAR, hardening.SHORT
    for url in (_suite_url(html, "dash_renderer"), _suite_url(html, "/assets/app.js"), "/_favicon.ico?v=4.4.1"):
        assert "?m=" in url or ".v" in url or "?v=" in url, url
        assert _get(client, url).headers["Cache-Control"] == year, url
    assert _get(client, "/assets/app.js").headers["Cache-Control"] == short
    assert _get(client, "/_dash-component-suites/dash/dcc/async-graph.js").headers["Cache-Control"] == short
    assert _get(client, "/drill/assets/app.css?m=1").headers["Cache-Control"] == year
    assert _get(client, "/vendor/bootstrap/css/bootstrap.min.css").headers["Cache-Control"] == hardening.VENDOR
    assert "immutable" not in _get(client, "/healthz").headers.get("Cache-Control", "")
    assert "immutable" not in _get(client, "/").headers.get("Cache-Control", "")


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_both_apps_are_compressed(client: Any, page: Page, encoding: str) -> None:
    html = client.get("/").get_data(as_text=True)
    drill = client.get("/drill/").get_data(as_text=True)
    values = {("filter-year", "value"): 2012, ("filter-districts", "value"): [], ("page-config", "data"): {}}
    body = page.body(page.callback(SECTIONS_OUTPUT), values)
    headers = {"Accept-Encoding": encoding}
    answers = {
        "page": _get(client, "/", headers=headers),
        "layout": _get(client, "/_dash-layout", headers=headers),
        "callback": client.post("/_dash-update-component", json=body, headers=headers),
        "js": _get(client, _suite_url(html, "dash_renderer"), headers=headers),
        "drill page": _get(client, "/drill/enterprises", headers=headers),
        "drill layout": _get(client, "/drill/_dash-layout", headers=headers),
        "drill js": _get(client, _suite_url(drill, "dash_ag_grid"), headers=headers),
    }
    for what, resp in answers.items():
        assert resp.status_code == 200, what
        assert resp.headers.get("Content-Encoding") == encoding, what
    # Assets are streamed files: flask-compress streams br (never gzip) for them.
    assert (
        _get(client, _suite_url(html, "/assets/app.js"), headers={"Accept-Encoding": "br"}).headers["Content-Encoding"]
        == "br"
    )


def test_a_violation_report_is_logged_and_garbage_refused_without_5xx(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    path = hardening.REPORT_PATH
    with caplog.at_level(logging.WARNING, logger="sti.csp"):
        assert client.post(path, data=json.dumps(REPORT), content_type="application/csp-report").status_code == 204
        listed = [{"type": "csp-violation", "body": {"effectiveDirective": "img-src", "blockedURL": "http://x/\n1"}}]
        assert client.post(path, data=json.dumps(listed), content_type="application/reports+json").status_code == 204
    lines = [r.getMessage() for r in caplog.records if r.name == "sti.csp"]
    assert any("script-src-elem blocked inline on http://127.0.0.1/" in line for line in lines), lines
    assert any("img-src blocked http://x/?1" in line for line in lines), lines  # no line break reaches the log
    garbage = [
        (b"not json", "application/csp-report", 400),
        (b'{"csp-report": "x"}', "application/csp-report", 400),
        (b"[1, 2]", "application/reports+json", 400),
        (b"\xff\xfe", "application/json", 400),
        (json.dumps(REPORT).encode(), "text/plain", 415),
        (b'{"csp-report": {"a": "' + b"x" * 20_000 + b'"}}', "application/csp-report", 413),
    ]
    for data, kind, status in garbage:
        resp = client.post(path, data=data, content_type=kind)
        assert resp.status_code == status, (data[:30], kind, resp.status_code)
    assert client.get(path).status_code in (404, 405)


def test_a_flood_of_reports_is_cut_off(debug_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = debug_app.server.test_client()
    with caplog.at_level(logging.WARNING, logger="sti.csp"):
        statuses = [client.post(hardening.REPORT_PATH, json=REPORT).status_code for _ in range(45)]
    assert statuses.count(204) == hardening.REPORTS_PER_MINUTE
    assert set(statuses[hardening.REPORTS_PER_MINUTE :]) == {429}
    assert len([r for r in caplog.records if r.name == "sti.csp"]) == hardening.REPORTS_PER_MINUTE


def test_the_report_window_opens_again() -> None:
    window = hardening.ReportWindow(limit=2, seconds=0.05)
    assert [window.allow() for _ in range(3)] == [True, True, False]
    time.sleep(0.06)
    assert window.allow()


def test_frame_ancestors_come_from_settings_and_drop_x_frame_options(debug_app: Any) -> None:
    resp = _get(debug_app.server.test_client(), "/")
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors https://portal.example 'self'" in [d.strip() for d in csp.split(";")]
    assert "X-Frame-Options" not in resp.headers
    embedded = hardening.policy([], ("https://a.example",))
    assert embedded.endswith("frame-ancestors https://a.example; report-uri /csp-report")


def test_debug_switches_in_the_environment_are_ignored(debug_app: Any) -> None:
    server = debug_app.server

    def boom() -> str:
        raise RuntimeError("secret detail")

    server.add_url_rule("/boom", view_func=boom)  # an unhandled error, under FLASK_DEBUG=1
    assert os.environ["FLASK_DEBUG"] == "1"
    assert server.debug is False
    client = server.test_client()
    html = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["ui"] is False
    assert config["props_check"] is False
    assert "hot_reload" not in config
    assert ".dev.js" not in html
    assert "dev_tools" not in html
    assert "dash_renderer" in html
    assert _get(client, "/console").status_code == 404
    assert not [r.rule for r in server.url_map.iter_rules() if "_mcp" in r.rule]  # no MCP server
    assert client.post("/_mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).status_code in (404, 405)

    resp = client.get("/boom")
    assert resp.status_code == 500
    assert resp.get_json() == {"error": "internal error"}
    assert b"secret detail" not in resp.get_data()
    assert b"Traceback" not in resp.get_data()


def test_gunicorn_config_follows_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STI_WORKERS", "3")
    monkeypatch.setenv("STI_HOST", "0.0.0.0")
    monkeypatch.setenv("STI_PORT", "9123")
    sys.modules.pop("components.server.gunicorn_conf", None)
    conf = importlib.import_module("components.server.gunicorn_conf")
    try:
        assert conf.workers == 3
        assert conf.bind == ["0.0.0.0:9123"]
        assert "%(p)s" in conf.access_log_format
        assert "%({x-sti-cache}o)s" in conf.access_log_format
        assert conf.worker_tmp_dir == ("/dev/shm" if os.path.isdir("/dev/shm") else None)
        assert 30 <= conf.timeout <= 120
        assert conf.limit_request_line <= 8190
    finally:
        sys.modules.pop("components.server.gunicorn_conf", None)
