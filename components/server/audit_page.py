"""The audit trail for administrators (`GET /audit`, `GET /audit.csv`): the records newest first, filtered by
date, user, action and result, the chain's state, and the filtered records as CSV (UTF-8 with BOM, for Excel;
no cell a spreadsheet would run as a formula). Thin: the records and the check are components/server/audit.py.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlencode

import flask

from components.core.i18n import t
from components.exports.view_data import disposition, safe
from components.server import auth
from components.server.audit import FIELDS, Trail

PAGE = (Path(__file__).parent / "web" / "audit.html").read_text(encoding="utf-8")  # Jinja, autoescaped
SHOWN = 500  # records on one page; the CSV has every one that matches
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Filters(TypedDict):
    """The page's filters, as `Trail.records` takes them."""

    since: str
    until: str
    user: str
    action: str
    result: str


def filters(args: Any) -> Filters:
    """The page's filters from its query, each checked (a malformed one is ignored, never an error)."""
    since, until = (str(args.get(k, ""))[:10] for k in ("since", "until"))
    result = str(args.get("result", ""))
    return {
        "since": since if DATE.fullmatch(since) else "",
        "until": until if DATE.fullmatch(until) else "",
        "user": str(args.get("user", "")).strip()[:64],
        "action": str(args.get("action", "")).strip()[:64],
        "result": result if result in ("ok", "!ok") else "",
    }


def csv_bytes(records: list[dict[str, Any]]) -> bytes:
    """The records as CSV: a header of the fields, then one row per record with its chain hashes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*FIELDS, "prev", "hash"])
    for r in records:
        writer.writerow([safe(str(r.get(k, ""))) for k in (*FIELDS, "prev", "hash")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def register(server: flask.Flask, services: Callable[[], Any]) -> None:
    """Add /audit and /audit.csv to `server` (the guard lets administrators only reach them)."""

    def _trail() -> Trail:
        return Trail(services().settings.audit_root)

    @server.get("/audit")
    def audit_page() -> flask.Response:
        """The records newest first (the latest SHOWN of those matching), with the chain's state."""
        lang = auth.request_lang()
        trail = _trail()
        chosen = filters(flask.request.args)
        lines = list(trail.lines())  # read once: the records shown and the chain's check
        found = trail.records(**chosen, lines=lines)
        body = flask.render_template_string(
            PAGE,
            lang=lang,
            other="en" if lang == "zh" else "zh",
            T=lambda key, **kw: t(key, lang, **kw),
            f=chosen,
            records=found[::-1][:SHOWN],
            total=len(found),
            shown=min(len(found), SHOWN),
            broken=trail.verify(lines),
            csv_query=urlencode({"lang": lang, **{k: v for k, v in chosen.items() if v}}),
            other_query=urlencode({"lang": "en" if lang == "zh" else "zh", **{k: v for k, v in chosen.items() if v}}),
            fields=FIELDS,
        )
        resp = flask.Response(body, mimetype="text/html")
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @server.get("/audit.csv")
    def audit_csv() -> flask.Response:
        """Every record matching the filters, oldest first, as CSV."""
        chosen = filters(flask.request.args)
        resp = flask.Response(csv_bytes(_trail().records(**chosen)), mimetype="text/csv")
        span = "-".join(v for v in (chosen["since"], chosen["until"]) if v) or "all"
        resp.headers["Content-Disposition"] = disposition((f"audit-{span}.csv", f"审计记录-{span}.csv"))
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp
