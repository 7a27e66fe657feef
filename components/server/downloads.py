"""Download routes: `GET /export/data.csv|xlsx?<the page's query>` (the view's numbers) and the drill-down
tables behind a count (`/export/enterprises.*`, `/export/outages.*`). Thin: parse the query like the page,
call the pure builders in components/exports/view_data.py, send the bytes with a file name naming the view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask

from components.core.i18n import t
from components.core.state import View, from_query
from components.exports import drill
from components.exports import view_data as export
from components.server.services import dataset_for

MAX_QUERY_BYTES = 2048
TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _send(body: bytes, ext: str, names: tuple[str, str]) -> flask.Response:
    resp = flask.Response(body, mimetype=TYPES[ext])
    resp.headers["Content-Disposition"] = export.disposition(names)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def view_of_request(services: Any) -> tuple[Any, View] | flask.Response:
    """(dataset, view) for the request's query string, or a 409 answer when the page's version (`v=`) is no
    longer served (the page should reload rather than export numbers it does not show)."""
    query = flask.request.query_string[:MAX_QUERY_BYTES].decode("utf-8", "replace")
    asked = flask.request.args.get("v", "").strip()
    ds = dataset_for(services, asked)
    view = from_query(ds, query, services.settings.lang)
    if asked and asked != ds.version:
        resp = flask.jsonify({"error": t("export_stale", view.lang), "version": ds.version})
        resp.status_code = 409
        return resp
    return ds, view


def register(server: flask.Flask, services: Callable[[], Any]) -> None:
    """Add the download routes to `server`."""

    @server.get("/export/data.<ext>")
    def export_data(ext: str) -> flask.Response:
        if ext not in TYPES:
            flask.abort(404)
        found = view_of_request(services())
        if isinstance(found, flask.Response):
            return found
        ds, view = found
        sheets = export.view_tables(ds, view)
        header = export.header_rows(ds, view)
        if ext == "csv":
            body = export.to_csv(header, [tb for s in sheets for tb in s.tables])
        else:
            body = export.to_xlsx(header, sheets)
        return _send(body, ext, export.filename(ds, view, "data", ext))

    @server.get("/export/<kind>.<ext>")
    def export_drill(kind: str, ext: str) -> flask.Response:
        """The rows behind a count: `enterprises` (…&tier=) or `outages` (…&station=)."""
        if ext not in TYPES or kind not in drill.KINDS:
            flask.abort(404)
        found = view_of_request(services())
        if isinstance(found, flask.Response):
            return found
        ds, view = found
        d = drill.parse(ds, kind, view, flask.request.query_string[:MAX_QUERY_BYTES].decode("utf-8", "replace"))
        table = drill.table(ds, d)
        header = [*export.header_rows(ds, view), *drill.header_extra(ds, d)]
        body = (
            export.to_csv(header, [table])
            if ext == "csv"
            else export.to_xlsx(header, [export.Sheet(table.title, [table])])
        )
        return _send(body, ext, export.filename(ds, view, kind, ext, drill.file_part(d)))
