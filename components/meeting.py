"""导出PPT: the current view as an editable .pptx, built in a background job with progress and cancel."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update

from components import ids
from components.export import ExportError, build_pptx, pptx_filename
from components.i18n import t
from components.state import resolve
from data.load import load_dataset

log = logging.getLogger(__name__)
HIDDEN, SHOWN = {"display": "none"}, {"display": "block"}


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


def make_export_job(data_dir: Path):
    """The background job for one app: reads the served directory itself (jobs run in their own process)."""

    def export_pptx(set_progress: Any, _clicks: object, year: object, districts: object, config: object) -> tuple:
        """Build the deck for the current filters, reporting each rendered chart."""
        cfg = config if isinstance(config, dict) else {}
        lang = "en" if cfg.get("lang") == "en" else "zh"
        try:
            ds = load_dataset(data_dir)
            view = resolve(ds, year, districts, lang, str(cfg.get("theme", "light")))

            def progress(done: int, total: int, label: str) -> None:
                set_progress((done, total, t("export_step", lang, done=done, total=total, label=label)))

            data = build_pptx(ds, view, progress)
        except ExportError as exc:
            log.warning("export failed: %s %s", exc.key, exc.detail)
            return no_update, dbc.Alert(exc.message(lang), color="danger", dismissable=True, className="py-2 mb-0")
        except Exception:  # a failed job must leave a message on the page, not a silent spinner
            log.exception("export failed")
            return no_update, dbc.Alert(
                t("export_failed", lang), color="danger", dismissable=True, className="py-2 mb-0"
            )
        return dcc.send_bytes(data, pptx_filename(ds, view)), None

    return export_pptx


def register(app: Dash, data_dir: Path) -> None:
    """Attach the export job (a Dash background callback on the app's DiskcacheManager)."""
    app.callback(
        Output(ids.EXPORT_DOWNLOAD, "data"),
        Output(ids.EXPORT_ERROR, "children"),
        Input(ids.EXPORT_BUTTON, "n_clicks"),
        State(ids.FILTER_YEAR, "value"),
        State(ids.FILTER_DISTRICTS, "value"),
        State(ids.CONFIG, "data"),
        background=True,
        prevent_initial_call=True,
        progress=[
            Output(ids.EXPORT_PROGRESS, "value"),
            Output(ids.EXPORT_PROGRESS, "max"),
            Output(ids.EXPORT_PROGRESS_LABEL, "children"),
        ],
        running=[
            (Output(ids.EXPORT_BUTTON, "disabled"), True, False),
            (Output(ids.EXPORT_PANEL, "style"), SHOWN, HIDDEN),
        ],
        cancel=[Input(ids.EXPORT_CANCEL, "n_clicks")],
    )(make_export_job(data_dir))
