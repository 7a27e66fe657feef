"""Hardened serving: security headers and a Content-Security-Policy on every response, a bounded CSP
violation report endpoint, long-lived caching of versioned static files, and no debug mode or dev tools
whatever the environment says (DASH_DEBUG, DASH_UI, FLASK_DEBUG, ...).

`register(server, settings, apps)` is the one call app.py makes; nothing here computes a number.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, TypedDict

import flask
from dash import Dash
from dash.fingerprint import check_fingerprint

from components.server.settings import Settings

log = logging.getLogger("sti.csp")

REPORT_PATH = "/csp-report"
MAX_REPORT_BYTES = 8 * 1024
REPORTS_PER_MINUTE = 30  # per process; more are answered 429 and not logged
REPORT_TYPES = ("application/csp-report", "application/json", "application/reports+json")
YEAR = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"  # an unversioned static URL: its content may change with the next deploy
VENDOR = "public, max-age=86400"  # /vendor/bootstrap: the installed package's files, unversioned URLs


class DevTools(TypedDict):
    """The dev-tool switches (a TypedDict, so a `**` splat of them is checked against each keyword)."""

    debug: bool
    dev_tools_ui: bool
    dev_tools_props_check: bool
    dev_tools_serve_dev_bundles: bool
    dev_tools_hot_reload: bool
    dev_tools_silence_routes_logging: bool
    dev_tools_disable_version_check: bool
    dev_tools_prune_errors: bool
    dev_tools_validate_callbacks: bool


# Every Dash dev tool off, explicitly: Dash reads DASH_DEBUG, DASH_UI, DASH_PROPS_CHECK, DASH_HOT_RELOAD,
# DASH_SERVE_DEV_BUNDLES, ... for any of these left as None. Arguments of both `Dash.enable_dev_tools`
# and `Dash.run`.
DEV_TOOLS_OFF: DevTools = {
    "debug": False,
    "dev_tools_ui": False,
    "dev_tools_props_check": False,
    "dev_tools_serve_dev_bundles": False,
    "dev_tools_hot_reload": False,
    "dev_tools_silence_routes_logging": False,
    "dev_tools_disable_version_check": True,
    "dev_tools_prune_errors": True,
    "dev_tools_validate_callbacks": False,
}


def script_hashes(apps: Sequence[Dash]) -> list[str]:
    """The CSP hashes of the inline scripts of every app (Dash's renderer line, inline clientside
    callbacks), without repeats. The first app is asked first: Dash hands the process's global inline
    scripts to whichever app asks first, and that must be the dashboard, deterministically."""
    seen: dict[str, None] = {}
    for app in apps:
        seen.update(dict.fromkeys(app.csp_hashes()))
    return list(seen)


def policy(hashes: Sequence[str], frame_ancestors: Sequence[str] = ()) -> str:
    """The Content-Security-Policy: scripts only from this origin or with a listed hash (no 'unsafe-eval',
    no 'unsafe-inline'); inline styles allowed (plotly.js, dcc and the grid set style attributes and add
    <style> rules); data:/blob: images for plotly's PNG export; embedding only by `frame_ancestors`."""
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self'", *hashes]),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors " + (" ".join(frame_ancestors) if frame_ancestors else "'none'"),
        f"report-uri {REPORT_PATH}",
    ]
    return "; ".join(directives)


HSTS = "max-age=31536000; includeSubDomains"  # a year: the browser keeps to HTTPS for this host


def security_headers(csp: str, frame_ancestors: Sequence[str] = (), https: bool = False) -> dict[str, str]:
    """The headers every response carries (`https`: served over TLS only, so HSTS too)."""
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    if not frame_ancestors:  # X-Frame-Options cannot name origins: with embedders, frame-ancestors alone
        headers["X-Frame-Options"] = "DENY"
    return headers


def static_cache_control(path: str, args: Any, view_args: dict[str, Any] | None, prefixes: Sequence[str]) -> str | None:
    """Cache-Control for a static file's URL, or None for anything else.

    Dash's component suites with a fingerprint in the path (`.v4_4_1m123.js`), assets with Dash's `?m=`
    mtime and the favicon with its `?v=` are versioned: a year, immutable. Unversioned requests of the
    same files (dcc's lazily loaded chunks, an asset without `?m=`): five minutes.
    """
    if "/_dash-component-suites/" in path and view_args and "fingerprinted_path" in view_args:
        return YEAR if check_fingerprint(str(view_args["fingerprinted_path"]))[1] else SHORT
    if any(path.startswith(p + "assets/") for p in prefixes):
        return YEAR if args.get("m") else SHORT
    if any(path == p + "_favicon.ico" for p in prefixes):
        return YEAR if args.get("v") else SHORT
    if path.startswith("/vendor/bootstrap/") or path == "/favicon.ico":
        return VENDOR
    return None


class ReportWindow:
    """At most `limit` reports per `seconds` (one process's fixed window; a flood never fills the log)."""

    def __init__(self, limit: int = REPORTS_PER_MINUTE, seconds: float = 60.0) -> None:
        self.limit, self.seconds = limit, seconds
        self._start, self._count = 0.0, 0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Count one report; False once this window's quota is used."""
        with self._lock:
            now = time.monotonic()
            if now - self._start >= self.seconds:
                self._start, self._count = now, 0
            self._count += 1
            return self._count <= self.limit


def _clean(value: object, limit: int = 200) -> str:
    """A report field fit for one log line: printable, short."""
    text = str(value if value is not None else "-")
    return "".join(c if c.isprintable() else "?" for c in text[:limit])


def parse_report(raw: bytes) -> list[dict[str, Any]] | None:
    """The violation bodies of a report: `{"csp-report": {...}}` (report-uri) or a Reporting API list of
    `{"type": "csp-violation", "body": {...}}`; None for anything else."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list) and data and all(isinstance(r, dict) and isinstance(r.get("body"), dict) for r in data):
        return [r["body"] for r in data[:10]]
    return None


def _describe(body: dict[str, Any]) -> str:
    def field(*names: str) -> str:
        return _clean(next((body[n] for n in names if body.get(n) is not None), None))

    return (
        f"{field('effective-directive', 'effectiveDirective', 'violated-directive')} blocked "
        f"{field('blocked-uri', 'blockedURL')} on {field('document-uri', 'documentURL')} "
        f"({field('source-file', 'sourceFile')}:{field('line-number', 'lineNumber')})"
    )


def no_debug(server: flask.Flask, apps: Sequence[Dash]) -> None:
    """Debug mode off on the Flask server (FLASK_DEBUG sets it when the server is built) and every Dash
    dev tool off, whatever DASH_* variables say (Dash reads them in its constructor)."""
    server.debug = False
    for app in apps:
        app.enable_dev_tools(**DEV_TOOLS_OFF)


def register(server: flask.Flask, settings: Settings, apps: Sequence[Dash]) -> None:
    """Harden `server`, which serves the Dash `apps` (the dashboard first; its page lives at its root, so
    any other path under it answers 404 instead of the page): headers, the policy, the report endpoint,
    static caching, no debug."""
    no_debug(server, apps)
    csp = policy(script_hashes(apps), settings.frame_ancestors)
    headers = security_headers(csp, settings.frame_ancestors, settings.secure_cookies)
    prefixes = [app.config.routes_pathname_prefix for app in apps]
    window = ReportWindow()
    catch_all = apps[0].config.routes_pathname_prefix + "<path:path>"

    @server.before_request
    def dashboard_root_only() -> None:
        if flask.request.endpoint == catch_all:
            flask.abort(404)

    # Browsers ask for /favicon.ico on pages without an icon link (the library page, a JSON answer): Dash's.
    icon = server.view_functions[apps[0].config.routes_pathname_prefix + "_favicon.ico"]
    server.add_url_rule("/favicon.ico", "favicon", icon)

    @server.post(REPORT_PATH)
    def csp_report() -> tuple[str, int]:
        """A browser's report of a blocked resource: logged at warning (bounded in size and rate)."""
        req = flask.request
        req.max_content_length = MAX_REPORT_BYTES
        if req.mimetype not in REPORT_TYPES:
            return "", 415
        raw = req.get_data(cache=False)  # over the limit: 413, through the app's error handler
        if not window.allow():
            return "", 429
        bodies = parse_report(raw)
        if bodies is None:
            return "", 400
        for body in bodies:
            log.warning("content security policy: %s", _describe(body))
        return "", 204

    @server.after_request
    def harden(resp: flask.Response) -> flask.Response:
        for name, value in headers.items():
            resp.headers[name] = value
        if resp.status_code in (200, 304):
            req = flask.request
            cache = static_cache_control(req.path, req.args, req.view_args, prefixes)
            if cache:
                resp.headers["Cache-Control"] = cache
        return resp
