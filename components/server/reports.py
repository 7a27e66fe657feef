"""The report of a view: its print page (`GET /report?<the page's query>`) and its documents
(`GET /export/report.pdf|docx?<query>`). Thin: parse the query like the page, call the builders in
components/exports (documents, print_report), send the bytes with a file name naming the view.

The documents take seconds (charts drawn by a browser): the page asks for them as a background job with progress
(components/page/meeting.py); these routes are for links, scripts and the print view.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask

from components.charts.prep import selection_name
from components.core.i18n import t
from components.core.state import View, to_query
from components.exports import view_data
from components.exports.documents import MIME, build_document
from components.exports.render import ExportError
from components.server import auth, report_archive
from components.server.downloads import view_of_request
from data.load import Dataset

log = logging.getLogger(__name__)
FORMATS = ("pdf", "docx")
PAGE = (Path(__file__).parent / "web" / "reports.html").read_text(encoding="utf-8")  # Jinja, autoescaped


def who() -> str:
    """Who asked, for the archive: the signed-in user, or 'web' (no users set up: this machine only)."""
    user = auth.user()
    return f"web:{user.name}" if user is not None and not user.open else "web"


def keep(settings: Any, ds: Dataset, view: View, name: str, body: bytes, fmt: str, by: str) -> str:
    """Keep a generated document in the archive; its entry id ('' when it could not be kept: a full disk is
    logged, never the delivery's failure)."""
    meta = report_archive.meta_for(view, fmt, to_query(view), by, scope=selection_name(ds, view.districts, view.lang))
    try:
        entry = report_archive.save(settings.report_dir, name, body, meta)
        report_archive.prune(settings.report_dir, settings.report_keep_days)
    except OSError:
        log.exception("report archive: could not keep %s", name)
        return ""
    log.info("report generated: %s by %s (%s, %d bytes), archived as %s", name, by, to_query(view), len(body), entry.id)
    return entry.id


def _failed(exc: ExportError, lang: str) -> flask.Response:
    """A document that cannot be made: the reason in one sentence (503: the server lacks what it needs)."""
    log.warning("report failed: %s %s", exc.key, exc.detail)
    resp = flask.jsonify({"error": exc.message(lang)})
    resp.status_code = 503
    return resp


def register(server: flask.Flask, services: Callable[[], Any]) -> None:
    """Add the report's routes to `server`."""

    @server.get("/report")
    def report_page() -> flask.Response:
        """The print view: the report as one A4 HTML page (printing it gives the same pages as the PDF)."""
        from components.exports import print_report
        from components.exports.render import ChartRenderer

        svc = services()
        found = view_of_request(svc)
        if isinstance(found, flask.Response):
            return found
        ds, view = found

        def build() -> str:
            with ChartRenderer(lang=view.lang) as renderer:
                return print_report.build_html(ds, view, renderer)

        try:
            page = svc.cached("report:html", ds, (repr(view),), build)
        except ExportError as exc:
            return _failed(exc, view.lang)
        resp = flask.Response(page, mimetype="text/html")
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @server.get("/export/report.<ext>")
    def export_report(ext: str) -> flask.Response:
        """The report as PDF or Word."""
        if ext not in FORMATS:
            flask.abort(404)
        svc = services()
        found = view_of_request(svc)
        if isinstance(found, flask.Response):
            return found
        ds, view = found
        settings = svc.settings
        try:
            body, names = build_document(ds, view, ext, None, settings.report_template, settings.pptx_template)
        except ExportError as exc:
            return _failed(exc, view.lang)
        keep(settings, ds, view, names[1], body, ext, who())
        resp = flask.Response(body, mimetype=MIME[ext])
        resp.headers["Content-Disposition"] = view_data.disposition(names)
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp

    @server.get("/reports")
    def archive_page() -> flask.Response:
        """报告库: the generated documents, newest first, with downloads (analysts and admins)."""
        settings = services().settings
        lang = auth.request_lang()
        report_archive.prune(settings.report_dir, settings.report_keep_days)
        body = flask.render_template_string(
            PAGE,
            lang=lang,
            other="en" if lang == "zh" else "zh",
            T=lambda key, **kw: t(key, lang, **kw),
            entries=report_archive.entries(settings.report_dir),
            keep_days=settings.report_keep_days,
        )
        resp = flask.Response(body, mimetype="text/html")
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @server.get("/reports/<entry_id>")
    def archive_download(entry_id: str) -> flask.Response:
        """One archived document, by its id only."""
        found = report_archive.open_entry(services().settings.report_dir, entry_id)
        if found is None:
            flask.abort(404)
        entry, body = found
        log.info("report archive: %s downloaded %s", who(), entry.id)
        resp = flask.Response(body, mimetype=MIME[entry.format])
        ascii_name = f"sti-report-{entry.id}"
        resp.headers["Content-Disposition"] = view_data.disposition((ascii_name, entry.name))
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp
