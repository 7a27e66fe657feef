"""STI dashboard (科技创新指标看板): create_app(settings) -> Dash, `server` for gunicorn, and the command line.

python app.py run [--host H] [--port P] [--data-dir D]   serve with the built-in server
python app.py check DIR                                   validate a dataset directory
python app.py import SOURCE [--publish]                   validate and preview a dataset (dir, .zip, .xlsx);
                                                          --publish makes it the library's current version
python app.py versions                                    the library's versions (the current one marked)
python app.py rollback VERSION                            make an earlier version current again
python app.py user add NAME --role viewer|analyst|admin   a login (password from stdin, or prompted twice)
python app.py user list | remove NAME | passwd NAME       the users file (STI_USERS_FILE)
python app.py screen add NAME | list | remove NAME        wall screens: a viewing link each (components/auth.py)
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc  # noqa: F401  (registers the component library)
import flask
from dash import Dash
from dash.exceptions import DependencyException
from werkzeug.exceptions import HTTPException

from components import auth, bundle, downloads, hardening, upload_page
from components.users import ROLES, UsersError, UserStore, check_name
from data.cache import CacheDirError
from data.library import LibraryError
from data.load import DatasetError, as_source, load_dataset, summary
from data.settings import ROOT, SAMPLE_DIR, Settings

log = logging.getLogger("sti")

MAX_REQUEST_BYTES = 256 * 1024
INDEX_STRING = """<!DOCTYPE html>
<html lang="zh-CN">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""


# dcc's lazily loaded chunks every dashboard page needs: fetched with the page, not after its first render.
DCC_CHUNKS = ("async-graph.js", "async-dropdown.js")


def index_string(plotly_bundle: bundle.Bundle | None) -> str:
    """The page template. The head preloads dcc's chart and dropdown chunks and, when built, the partial
    plotly.js, which assets/app.js evaluates while the layout request is out and dcc.Graph then uses.
    Without the build, Dash's full plotly.js as dcc.Graph loads it."""
    links = [f'<link rel="preload" as="script" href="/_dash-component-suites/dash/dcc/{c}">' for c in DCC_CHUNKS]
    if plotly_bundle is not None:
        links.insert(0, f'<link rel="preload" as="script" href="{plotly_bundle.url}" id="sti-plotly">')
    return INDEX_STRING.replace("{%css%}", "\n        ".join([*links, "{%css%}"]))


POLYFILL_TAG = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>')


def swap_polyfill(scripts: str, runtime_url: str) -> str:
    """Dash's script tags with its @babel/polyfill replaced by the regenerator runtime (all the component
    bundles need of it on the browsers Dash 4 supports); unchanged when Dash no longer lists the polyfill."""
    return POLYFILL_TAG.sub(lambda _: f'<script src="{runtime_url}"></script>', scripts, count=1)


def drop_scripts(scripts: str, packages: tuple[str, ...]) -> str:
    """Dash's script tags without those of component packages this page never uses (Dash lists every
    package imported anywhere in the process: the drill-down page's grid would load on the dashboard too)."""
    for package in packages:
        scripts = re.sub(
            rf'<script src="[^"]*/_dash-component-suites/{re.escape(package)}/[^"]*"></script>\s*', "", scripts
        )
    return scripts


class StiDash(Dash):
    """Dash with the page's scripts trimmed: the build's runtime for the polyfill (`swap_polyfill`), and no
    scripts of the component packages in `unused`."""

    runtime_url: str | None = None
    unused: tuple[str, ...] = ()

    def interpolate_index(self, **kwargs: Any) -> str:
        """The index page; the polyfill swapped when the build is there, unused packages left out."""
        if self.runtime_url:
            kwargs["scripts"] = swap_polyfill(kwargs["scripts"], self.runtime_url)
        kwargs["metas"] = kwargs.get("metas", "") + auth.csrf_meta()
        kwargs["scripts"] = drop_scripts(kwargs["scripts"], self.unused)
        return super().interpolate_index(**kwargs)


def bootstrap_dir() -> Path:
    """Bootstrap 5 CSS and icons as installed by the bootstrap-flask package (served, never copied)."""
    import flask_bootstrap

    return Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"


def code_fingerprint() -> str:
    """A hash of the code and library versions that shape cached results (part of every cache key)."""
    import dash
    import plotly

    h = hashlib.sha256(f"{dash.__version__}|{plotly.__version__}".encode())
    for path in sorted([*ROOT.glob("components/*.py"), *ROOT.glob("data/*.py")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:10]


def open_library(settings: Settings) -> Any:
    """The data library of `settings`, seeded with the bundled sample when it has no version yet."""
    from data.library import Library

    library = Library(settings.library_dir)
    library.seed(SAMPLE_DIR)
    return library


def create_app(settings: Settings | None = None) -> Dash:
    """Build the app for `settings` (read from the environment when omitted); loads the dataset once."""
    from components import drill_page, layout, meeting
    from components.jobs import open_jobs
    from components.services import CONFIG_KEY, Services
    from components.warm import Warmer
    from data.cache import open_cache
    from data.store import DataStore

    settings = settings or Settings.from_env()
    library = None if settings.data_dir else open_library(settings)
    source = as_source(settings.data_dir) if settings.data_dir else library.source()
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
        server=server,
        title=store.get().meta["title_zh"],
        update_title=None,
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
    code = f"{code_fingerprint()}|{settings.thresholds.key}"
    services = Services(settings, store, cache, code, library=library)
    services.warmer = Warmer(services)
    server.config[CONFIG_KEY] = services
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    server.config["STI_CELERY"] = jobs.celery  # `app:celery_app` (make worker); None without STI_REDIS_URL
    layout.register(app)
    meeting.register(app, store, jobs)
    with server.app_context():  # Dash calls the layout function once here to validate it
        app.layout = layout.serve_layout
        drill.layout = drill_page.serve_layout
    auth.register(server, settings)
    _routes(server, services, plotly_bundle, (app, drill))
    return app


def _drill_app(server: flask.Flask, runtime_url: str | None) -> StiDash:
    """The drill-down page at /drill/ (components/drill_page.py; its layout is set once the services are):
    a Dash app of its own on the same server, so only it loads the grid component."""
    drill = StiDash(
        __name__,
        server=server,
        url_base_pathname="/drill/",
        title="科技创新指标看板",
        update_title=None,
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


def _routes(server: flask.Flask, services: Any, plotly_bundle: bundle.Bundle | None, apps: Sequence[Dash]) -> None:
    static = bootstrap_dir()

    files = plotly_bundle.files() if plotly_bundle else {}

    from components.services import cache_header, pin_request

    hardening.register(server, services.settings, apps)
    server.before_request(lambda: pin_request(services))
    server.after_request(cache_header)
    downloads.register(server, lambda: services)
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
        body: dict[str, Any] = {
            "status": "ok",
            "version": ds.version,
            "pid": os.getpid(),  # which worker answered (several serve one port)
            "cache": services.cache_counts(),  # this process's result-cache hits and misses
            "as_of": ds.meta["as_of"],
            "sample": bool(ds.meta["sample"]),
            "warming": bool(warmer and warmer.warming(ds)),
        }
        if store.last_error is not None:
            body["status"] = "degraded"
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


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="app.py", description="STI dashboard (科技创新指标看板)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the dashboard with the built-in server")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--data-dir", type=Path)
    check = sub.add_parser("check", help="validate a dataset directory")
    check.add_argument("directory", type=Path)
    imp = sub.add_parser(
        "import", help="validate a dataset (directory, .zip or .xlsx) and preview it against the current one"
    )
    imp.add_argument("source", type=Path)
    imp.add_argument("--publish", action="store_true", help="make it the current version when it is valid")
    imp.add_argument("--user", help="who publishes (the log; default: the login name and host)")
    sub.add_parser("versions", help="list the library's versions")
    back = sub.add_parser("rollback", help="make an earlier version current again")
    back.add_argument("version")
    back.add_argument("--user", help="who rolls back (the log)")
    users = sub.add_parser("user", help="manage the logins (the users file, STI_USERS_FILE)")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="add a user (password from stdin when it is not a terminal)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    users_sub.add_parser("list", help="list the users and their roles")
    users_sub.add_parser("remove", help="remove a user (their sessions end)").add_argument("name")
    users_sub.add_parser("passwd", help="set a new password (their other sessions end)").add_argument("name")
    screens = sub.add_parser("screen", help="wall screens: a link that opens presentation mode as a viewer")
    screens_sub = screens.add_subparsers(dest="action", required=True)
    screens_sub.add_parser("add", help="make (or replace) a screen's link; printed once").add_argument("name")
    screens_sub.add_parser("list", help="list the screens")
    screens_sub.add_parser("remove", help="revoke a screen's link").add_argument("name")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    if args.command == "check":
        from components.sections import support

        try:
            ds = load_dataset(args.directory)
        except DatasetError as exc:
            sys.stdout.write(f"INVALID  {args.directory}: {exc.total} problem(s)\n{exc.report()}\n")
            return 1
        sys.stdout.write(summary(ds) + "\n    " + support(ds) + "\n")
        return 0

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        sys.stderr.write(f"configuration error: {exc}\n")
        return 2
    if args.command in ("import", "versions", "rollback"):
        from components import librarian

        return librarian.command(args, settings, sys.stdout)
    if args.command in ("user", "screen"):
        return users_command(args, settings)
    overrides = {
        k: v
        for k, v in {
            "host": args.host,
            "port": args.port,
            "data_dir": args.data_dir and args.data_dir.resolve(),
        }.items()
        if v
    }
    settings = Settings(**{**settings.__dict__, **overrides})
    store = UserStore(settings.users_file)
    problem = auth.exposure_problem([settings.host], store)
    if problem:
        sys.stderr.write(problem + "\n")
        return 2
    if not store.configured():
        log.info("no users configured (%s): serving without login, to this machine only", settings.users_file)
    try:
        app = create_app(settings)
    except (CacheDirError, LibraryError) as exc:
        sys.stderr.write(f"cannot start: {exc}\n")
        return 1
    except DatasetError as exc:
        where = settings.data_dir or settings.library_dir
        sys.stderr.write(f"cannot serve {where}: {exc.total} problem(s)\n{exc.report()}\n")
        return 1
    # Every dev tool off explicitly (DASH_DEBUG, DASH_UI, ... are read for any left unset), debug=False
    # (Flask's FLASK_DEBUG and its Werkzeug debugger).
    logging.getLogger("werkzeug").addFilter(_QuietTokens())  # wall-screen tokens never reach the request log
    app.run(host=settings.host, port=settings.port, **hardening.DEV_TOOLS_OFF)
    return 0


class _QuietTokens(logging.Filter):
    """The dev server's request lines without wall-screen tokens (components/gunicorn_conf.quiet_tokens)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from components.gunicorn_conf import quiet_tokens

        record.msg = quiet_tokens(str(record.msg))
        record.args = tuple(quiet_tokens(a) if isinstance(a, str) else a for a in (record.args or ()))
        return True


def read_password(prompt: str = "Password: ") -> str:
    """A new password: one line of standard input when it is not a terminal, else typed twice (not echoed)."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Repeat: ") != first:
        raise UsersError("the two passwords differ")
    return first


def users_command(args: argparse.Namespace, settings: Settings) -> int:
    """`app.py user ...` and `app.py screen ...`: change the users file, say what changed (never a password)."""
    store = UserStore(settings.users_file)
    out = sys.stdout
    try:
        if args.command == "user" and args.action == "list":
            rows = store.users()
            for row in rows:
                out.write(f"{row['name']:<24} {row['role']:<8} created {row['created']}  changed {row['changed']}\n")
            out.write(f"{len(rows)} user(s) in {store.path}\n")
        elif args.command == "user" and args.action in ("add", "passwd"):
            check_name(args.name)
            password = read_password()
            if args.action == "add":
                store.add(args.name, args.role, password)
                out.write(f"added {args.name} ({args.role}) to {store.path}\n")
            else:
                store.passwd(args.name, password)
                out.write(f"changed the password of {args.name}; their other sessions have ended\n")
        elif args.command == "user":
            store.remove(args.name)
            out.write(f"removed {args.name}; their sessions have ended\n")
        elif args.action == "add":
            token = store.add_screen(args.name)
            out.write(
                f"screen {args.name}: open this address once on the screen (it is shown only now):\n"
                f"    http://{settings.host}:{settings.port}/screen/{token}\n"
                f"(behind a proxy, the same path on its address; revoke with `app.py screen remove {args.name}`)\n"
            )
        elif args.action == "list":
            rows = store.screens()
            for row in rows:
                out.write(f"{row['name']:<24} created {row['created']}\n")
            out.write(f"{len(rows)} screen(s) in {store.path}\n")
        else:
            store.remove_screen(args.name)
            out.write(f"revoked screen {args.name}\n")
    except UsersError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
