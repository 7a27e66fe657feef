"""STI dashboard (科技创新指标看板): `create_app(settings) -> Dash`, and `server` / `celery_app` for gunicorn and
Celery. `python app.py …` is the command line (components/server/cli.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash_bootstrap_components as dbc  # noqa: F401  (registers the component library)
import flask
from dash import Dash

from components.server import auth, bundle, routes
from components.server.cache import CacheDirError
from components.server.settings import ROOT, SAMPLE_DIR, Settings
from components.server.shell import INDEX_STRING, StiDash, index_string
from data.library.versions import LibraryError
from data.load import DatasetError, as_source
from data.source import Source

if TYPE_CHECKING:
    from data.library.versions import Library

MAX_REQUEST_BYTES = 256 * 1024


def open_library(settings: Settings) -> Library:
    """The data library of `settings`, seeded with the bundled sample when it has no version yet."""
    from data.library.versions import Library

    library = Library(settings.library_dir)
    library.seed(SAMPLE_DIR)
    return library


def create_app(settings: Settings | None = None) -> Dash:
    """Build the app for `settings` (read from the environment when omitted); loads the dataset once."""
    from components.page import drill_page, layout, meeting
    from components.page.warm import Warmer
    from components.server import reports
    from components.server.cache import open_cache
    from components.server.jobs import open_jobs
    from components.server.services import CONFIG_KEY, Services, code_fingerprint
    from data.library.store import DataStore

    settings = settings or Settings.from_env()
    library: Library | None = None
    source: Source
    if settings.data_dir:
        source = as_source(settings.data_dir)
    else:
        library = open_library(settings)
        source = library.source()
    store = DataStore(source, recheck=settings.reload_seconds, thresholds=settings.thresholds)
    cache = open_cache(settings)  # Redis with STI_REDIS_URL, else diskcache; CacheDirError: not ours
    jobs = open_jobs(settings)  # background jobs (the PPTX export): Celery on Redis, else forked processes
    plotly_bundle = bundle.built()  # else Dash loads the full plotly.js from the plotly package
    server = flask.Flask(__name__)
    runtime_url = plotly_bundle.runtime_url if plotly_bundle else None
    # The drill-down page first: Dash takes the app created last as the process's app (`dash.get_app()`,
    # which signs and checks background jobs), and that must be the dashboard with its job manager.
    drill = _drill_app(server, runtime_url)
    app = StiDash(
        __name__,
        # Dash 4 annotates `server` as bool | Callable[[], Any]; it takes a Flask app too (as its docs say)
        server=server,  # type: ignore[arg-type]
        title=store.get().meta["title_zh"],
        update_title="",  # the tab's title stays while a callback runs (Dash: None or '')
        suppress_callback_exceptions=True,  # no second copy of the layout in the page (checked by the tests)
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        compress=True,  # flask-compress on the shared server: br/gzip for both apps' pages, callbacks and JS
        enable_mcp=False,  # whatever DASH_MCP_ENABLED says
        external_stylesheets=["/vendor/bootstrap/css/bootstrap.min.css"],
        index_string=index_string(plotly_bundle),
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        background_callback_manager=jobs.manager,
    )
    app.runtime_url = runtime_url
    app.unused = ("dash_ag_grid",)  # the grid is the drill-down page's
    # Results depend on the code and on the status thresholds (not part of the data's version).
    code = f"{code_fingerprint(ROOT)}|{settings.thresholds.key}"
    services = Services(settings, store, cache, code, library=library)
    services.warmer = Warmer(services)
    server.config[CONFIG_KEY] = services
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    server.config["STI_CELERY"] = jobs.celery  # `app:celery_app` (make worker); None without STI_REDIS_URL
    layout.register(app)
    meeting.register(
        app,
        store,
        jobs,
        (settings.report_template, settings.pptx_template),
        lambda ds, view, name, body, fmt: reports.keep(settings, ds, view, name, body, fmt, "web"),
    )
    with server.app_context():  # Dash calls the layout function once here to validate it
        app.layout = layout.serve_layout
        drill.layout = drill_page.serve_layout
    auth.register(server, settings)
    routes.register(server, services, plotly_bundle, (app, drill))
    return app


def _drill_app(server: flask.Flask, runtime_url: str | None) -> StiDash:
    """The drill-down page at /drill/ (components/page/drill_page.py; its layout is set once the services are):
    a Dash app of its own on the same server, so only it loads the grid component."""
    drill = StiDash(
        __name__,
        # Dash 4 annotates `server` as bool | Callable[[], Any]; it takes a Flask app too (as its docs say)
        server=server,  # type: ignore[arg-type]
        url_base_pathname="/drill/",
        title="科技创新指标看板",
        update_title="",  # the tab's title stays while a callback runs (Dash: None or '')
        suppress_callback_exceptions=True,
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        # Compressed by the dashboard's flask-compress, which hooks the whole shared server (a second one
        # would only skip what the first compressed); False so DASH_COMPRESS cannot add it.
        compress=False,
        enable_mcp=False,
        external_stylesheets=["/vendor/bootstrap/css/bootstrap.min.css"],
        index_string=INDEX_STRING,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    drill.runtime_url = runtime_url
    return drill


def __getattr__(name: str) -> Any:
    """`app:server` for gunicorn and `app:celery_app` for `make worker`, built on first access (no I/O at
    import time). A cache directory that is not ours stops gunicorn with its one-line message."""
    if name in ("server", "celery_app"):
        try:
            app = create_app()
        except (CacheDirError, LibraryError, DatasetError) as exc:
            from gunicorn.errors import AppImportError  # gunicorn prints it (no traceback) and exits non-zero

            why = f"{exc.total} problem(s)\n{exc.report()}" if isinstance(exc, DatasetError) else str(exc)
            raise AppImportError(f"cannot start: {why}") from None
        if name == "celery_app" and app.server.config["STI_CELERY"] is None:
            raise SystemExit("the worker runs background jobs from Redis: set STI_REDIS_URL (redis://host:6379/0)")
        globals()["server"] = app.server
        globals()["celery_app"] = app.server.config["STI_CELERY"]
        return globals()[name]
    raise AttributeError(name)


if __name__ == "__main__":
    from components.server.cli import main

    raise SystemExit(main())
