"""The server's own routes beside the Dash apps: the built plotly.js, Bootstrap, /healthz, and the error handler."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import flask
from dash import Dash
from dash.exceptions import DependencyException
from werkzeug.exceptions import HTTPException

from components.server import audit_page, auth, bundle, downloads, hardening, reports, upload_page
from components.server.services import cache_header, pin_request
from components.server.shell import bootstrap_dir
from components.server.users import ADMIN

log = logging.getLogger("sti")


def register(server: flask.Flask, services: Any, plotly_bundle: bundle.Bundle | None, apps: Sequence[Dash]) -> None:
    """Hardening, request pinning, downloads, the upload page and the routes below, on `server`."""
    static = bootstrap_dir()
    files = plotly_bundle.files() if plotly_bundle else {}
    hardening.register(server, services.settings, apps)
    server.before_request(lambda: pin_request(services))
    server.after_request(cache_header)
    downloads.register(server, lambda: services)
    reports.register(server, lambda: services)
    audit_page.register(server, lambda: services)
    upload_page.register(server, lambda: services)

    @server.get("/vendor/plotly/<digest>/<name>")
    def vendor_plotly(digest: str, name: str) -> flask.Response:
        """The partial plotly.js and the regenerator runtime, precompressed; their URLs name their content,
        so they are cached for a year."""
        path = files.get((digest, name))
        if path is None:
            flask.abort(404)
        accepted = flask.request.accept_encodings
        copies = {"br": path.with_name(path.name + ".br"), "gzip": path.with_name(path.name + ".gz")}
        encoding = next((e for e, p in copies.items() if accepted[e] and p.is_file()), None)
        resp = flask.send_file(
            copies[encoding] if encoding else path,
            mimetype="application/javascript",
            max_age=31_536_000,
            conditional=True,
            etag=f"{digest}-{encoding}",
        )
        resp.headers.pop("Content-Disposition", None)
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        resp.headers["Vary"] = "Accept-Encoding"
        if encoding:
            resp.headers["Content-Encoding"] = encoding
        return resp

    @server.get("/vendor/bootstrap/<path:filename>")
    def vendor_bootstrap(filename: str) -> flask.Response:
        return flask.send_from_directory(static, filename, max_age=86400)

    @server.get("/healthz")
    def healthz() -> flask.Response:
        store = services.store
        ds = services.dataset()
        warmer = services.warmer
        body: dict[str, Any] = {"status": "ok" if store.last_error is None else "degraded", "version": ds.version}
        if not auth.may(ADMIN):  # anyone (a monitor, a wall screen): whether it serves, and which data
            return flask.jsonify(body)
        body |= {
            "pid": os.getpid(),  # which worker answered (several serve one port)
            "cache": services.cache_counts(),  # this process's result-cache hits and misses
            "as_of": ds.meta["as_of"],
            "sample": bool(ds.meta["sample"]),
            "warming": bool(warmer and warmer.warming(ds)),
        }
        if store.last_error is not None:
            body["rejected_update"] = [str(i) for i in store.last_error.issues[:5]]
        return flask.jsonify(body)

    @server.errorhandler(Exception)
    def no_tracebacks(exc: Exception) -> Any:
        """Crafted requests get a short JSON error, never a 500 page with a traceback."""
        if isinstance(exc, HTTPException):
            return flask.jsonify({"error": exc.name}), exc.code
        if isinstance(exc, DependencyException):  # an unknown /_dash-component-suites/ path
            log.warning("no such component file: %s", flask.request.path[:200])
            return flask.jsonify({"error": "Not Found"}), 404
        if flask.request.path.endswith("/_dash-update-component"):
            log.warning("rejected callback request: %s: %.200s", type(exc).__name__, exc)  # no traceback flood
            return flask.jsonify({"error": "bad request"}), 400
        log.exception("unhandled error")
        return flask.jsonify({"error": "internal error"}), 500
