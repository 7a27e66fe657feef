"""导出PPT and the report menu (导出Word, 导出PDF, 打印版): the current view as an editable .pptx or as the bureau's
written report, built in a background job with progress and cancel (one export at a time: each starts a browser)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, ctx, dcc, html, no_update
from dash.exceptions import MissingCallbackContextException

from components.core import ids
from components.core.i18n import t
from components.core.state import View, resolve, to_query
from components.exports.documents import build_document
from components.exports.render import ExportError
from components.page.callbacks import view_states
from components.server.jobs import DiskSlot, Jobs, Slot, Unavailable, job_owner
from data.library.store import DataStore

log = logging.getLogger(__name__)
HIDDEN, SHOWN = {"display": "none"}, {"display": "block"}


def report_menu(view: View) -> html.Details:
    """'导出报告': the view's written report as Word or PDF (background jobs, like the PPT), or its print view.
    The print link carries the page's query when followed (assets/app.js, as the data exports)."""
    lang = view.lang
    return html.Details(
        [
            html.Summary(t("report_menu", lang), className="btn btn-sm btn-outline-secondary dropdown-toggle"),
            html.Div(
                [
                    html.Button(t("export_docx", lang), id=ids.EXPORT_DOCX, className="dropdown-item", type="button"),
                    html.Button(t("export_pdf", lang), id=ids.EXPORT_PDF, className="dropdown-item", type="button"),
                    html.A(
                        t("report_print", lang),
                        id=ids.REPORT_PRINT,
                        href=f"/report{to_query(view)}",
                        target="_blank",
                        rel="noopener",
                        className="dropdown-item data-export-link",
                    ),
                ],
                className="dropdown-menu show",
            ),
        ],
        id=ids.REPORT_MENU,
        className="me-2 dropdown sti-menu report-menu",
    )


def layout(lang: str) -> html.Div:
    """The export button, and a panel with progress, cancel and errors shown while a job runs."""
    return html.Div(
        [
            dbc.Button(
                t("export_pptx", lang),
                id=ids.EXPORT_BUTTON,
                color="secondary",
                outline=True,
                size="sm",
                className="me-2",
                title=t("export_hint", lang),
            ),
            html.Div(
                [
                    html.Div(t("export_running", lang), className="export-label"),
                    dbc.Progress(
                        id=ids.EXPORT_PROGRESS, value=0, max=1, striped=True, animated=True, className="export-progress"
                    ),
                    html.Div(id=ids.EXPORT_PROGRESS_LABEL, className="export-step"),
                    dbc.Button(t("export_cancel", lang), id=ids.EXPORT_CANCEL, color="link", size="sm"),
                ],
                id=ids.EXPORT_PANEL,
                className="export-panel",
                style=HIDDEN,
            ),
            html.Div(id=ids.EXPORT_ERROR, className="export-error", role="alert"),
            dcc.Download(id=ids.EXPORT_DOWNLOAD),
        ],
        className="export-box",
    )


MAX_EXPORT_SECONDS = 600


def _alert(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="danger", dismissable=True, className="py-2 mb-0")


def _lang(config: object) -> str:
    return "en" if isinstance(config, dict) and config.get("lang") == "en" else "zh"


def unavailable() -> Unavailable:
    """The export's answer when its job cannot be queued (Redis down): the message in the page's error area."""
    return Unavailable(
        tag=lambda args: _lang(args[-1] if args else None),
        output=lambda tag: (no_update, _alert(t("export_unavailable", "en" if tag == "en" else "zh"))),
    )


Keep = Callable[[Any, Any, str, bytes, str], str]  # (dataset, view, file name, bytes, format) -> archive id


def make_export_job(
    store: DataStore,
    slots: Path | Callable[[], Slot],
    templates: tuple[Path | None, Path | None] = (None, None),
    keep: Keep | None = None,
) -> Callable[..., tuple[Any, ...]]:
    """The background job for one app (run in a process forked from the server's, or by a Celery worker that
    built the same app, with its data store).

    One export runs at a time (per server, or among all instances sharing Redis): each starts a browser, and a
    crafted flood of requests must not start dozens. The slot (`components.server.jobs`: an atomic `add` in the jobs
    directory, or SET NX EX in Redis) expires if a job dies. `slots` is the jobs directory or a slot factory;
    `templates`: the bureau's Word and PowerPoint templates (STI_REPORT_TEMPLATE, STI_PPTX_TEMPLATE); `keep`
    puts each document in the report archive.
    """
    new_slot = (lambda: DiskSlot(slots)) if isinstance(slots, Path) else slots

    def export_pptx(
        set_progress: Any,
        _pptx: object,
        _docx: object,
        _pdf: object,
        year: object,
        districts: object,
        period: object,
        basis: object,
        config: object,
    ) -> tuple:
        """Build the deck for the current filters, reporting each rendered chart."""
        cfg = config if isinstance(config, dict) else {}
        lang = _lang(cfg)
        slot, owner = new_slot(), job_owner()
        try:
            acquired = slot.acquire(owner, MAX_EXPORT_SECONDS)
        except Exception:  # the shared store (Redis) does not answer: say so on the page
            log.warning("export slot unreachable", exc_info=True)
            return no_update, _alert(t("export_unavailable", lang))
        if not acquired:
            return no_update, _alert(t("export_busy", lang))
        try:  # the button pressed (each keeps its count of clicks, so the values alone do not tell)
            pressed = str(ctx.triggered_id)
        except MissingCallbackContextException:  # called directly (tests): the one button given a click
            pressed = ids.EXPORT_BUTTON if _pptx else ids.EXPORT_DOCX if _docx else ids.EXPORT_PDF
        kind = {ids.EXPORT_DOCX: "docx", ids.EXPORT_PDF: "pdf"}.get(pressed, "pptx")
        try:
            return _export(set_progress, kind, year, districts, period, basis, cfg, lang)
        finally:
            slot.release(owner)

    def _export(
        set_progress: Any,
        kind: str,
        year: object,
        districts: object,
        period: object,
        basis: object,
        cfg: dict,
        lang: str,
    ) -> tuple:
        try:
            ds = store.get()
            theme = str(cfg.get("theme", "light"))
            view = resolve(ds, year, districts, lang, theme, (), period or "", basis or "ytd")

            def progress(done: int, total: int, label: str) -> None:
                set_progress((done, total, t("export_step", lang, done=done, total=total, label=label)))

            data, (_, filename) = build_document(ds, view, kind, progress, *templates)
            if keep is not None:
                keep(ds, view, filename, data, kind)
        except ExportError as exc:
            log.warning("export failed: %s %s", exc.key, exc.detail)
            return no_update, _alert(exc.message(lang))
        except Exception:  # a failed job must leave a message on the page, not a silent spinner
            log.exception("export failed")
            return no_update, _alert(t("export_failed", lang))
        return dcc.send_bytes(data, filename), None

    return export_pptx


def register(
    app: Dash,
    store: DataStore,
    jobs: Jobs | Path,
    templates: tuple[Path | None, Path | None] = (None, None),
    keep: Keep | None = None,
) -> None:
    """Attach the export job (a Dash background callback on the app's job manager, components.server.jobs);
    `templates`: the Word and PowerPoint templates the documents take."""
    if isinstance(jobs, Jobs):
        jobs.on_unavailable(unavailable())
    app.callback(
        Output(ids.EXPORT_DOWNLOAD, "data"),
        Output(ids.EXPORT_ERROR, "children"),
        Input(ids.EXPORT_BUTTON, "n_clicks"),
        Input(ids.EXPORT_DOCX, "n_clicks"),
        Input(ids.EXPORT_PDF, "n_clicks"),
        *view_states(),
        background=True,
        prevent_initial_call=True,
        progress=[
            Output(ids.EXPORT_PROGRESS, "value"),
            Output(ids.EXPORT_PROGRESS, "max"),
            Output(ids.EXPORT_PROGRESS_LABEL, "children"),
        ],
        running=[
            (Output(ids.EXPORT_BUTTON, "disabled"), True, False),
            (Output(ids.EXPORT_DOCX, "disabled"), True, False),
            (Output(ids.EXPORT_PDF, "disabled"), True, False),
            (Output(ids.EXPORT_PANEL, "style"), SHOWN, HIDDEN),
        ],
        cancel=[Input(ids.EXPORT_CANCEL, "n_clicks")],
        cache_ignore_triggered=False,  # which button was pressed decides the document
    )(make_export_job(store, jobs.slot if isinstance(jobs, Jobs) else jobs, templates, keep))
