"""The analysts' data page (/library, zh/en): upload a workbook, a zip or CSV files, read the validation
messages or the preview, publish with one click, see the versions and roll back.

Plain server-rendered HTML (Jinja, escaped) on the Bootstrap the dashboard serves: no script needed, the
file field takes dropped files. Every change goes through components/server/librarian.py, the same steps as
`app.py import|rollback`. Analysts see the page and preview imports; publish and rollback are an admin's
(components/server/auth.py decides every request; the page only leaves out the buttons a role may not use). Every
form carries the session's CSRF token (no cross-site posts).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as WerkzeugResponse  # flask.redirect's type; flask.Response's base

from components.core.i18n import t
from components.server import auth, librarian
from components.server.users import ADMIN
from data import schema
from data.library.importing import ImportRefusedError, Limits, open_files, workbook_bytes, workbook_sheets
from data.library.versions import Library, LibraryError
from data.load import DatasetError
from data.source import DirectorySource

UPLOADS = "uploads"  # staged uploads inside the library, waiting for their publish click
CHECKING = ".checking.lock"  # in UPLOADS: held while an upload is read and checked
RETRY_SECONDS = 5
STAGED_HOURS = 24
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PAGE = (Path(__file__).parent / "web" / "library.html").read_text(encoding="utf-8")  # Jinja, autoescaped


def _staged_dir(library: Library, token: str) -> Path | None:
    if not token.isalnum() or len(token) > 64:
        return None
    path = library.root / UPLOADS / token
    return path if path.is_dir() else None


def _clear_old(library: Library) -> None:
    base = library.root / UPLOADS
    if not base.is_dir():
        return
    for p in base.iterdir():
        if p.is_dir() and time.time() - p.stat().st_mtime > STAGED_HOURS * 3600:
            shutil.rmtree(p, ignore_errors=True)


def _stage_files(library: Library, staged: librarian.Staged) -> str:
    """Keep a valid upload's files until its publish click; returns the token naming them."""
    _clear_old(library)
    token = secrets.token_hex(16)
    path = library.root / UPLOADS / token
    path.mkdir(parents=True)
    assert staged.files is not None
    for name, data in staged.files.items():
        (path / name).write_bytes(data)
    (path / "upload.json").write_text(json.dumps({"label": staged.label, "source_hash": staged.source_hash}), "utf-8")
    return token


@contextlib.contextmanager
def one_check(library: Library | None) -> Iterator[bool]:
    """Whether this request may read and check an upload now: one at a time per library, across every worker (an
    flock, let go when the request ends or its process dies). Taken before the body is read, so uploads hold one
    sync worker at most, however slowly they arrive, and the others answer the page's callbacks."""
    if library is None:  # a read-only app refuses imports (after the form token is checked)
        yield True
        return
    path = library.root / UPLOADS / CHECKING
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def register(server: flask.Flask, services: Callable[[], Any]) -> None:
    """Add /library and its form posts to `server`."""

    def render(status: int = 200, **ctx: Any) -> flask.Response:
        """The page with `ctx` (a message, problems, a preview). Problems found in a dataset are the page's answer
        (200); refusals have error codes: not on loopback, a bad form token, a read-only app, and an upload that
        cannot be read at all (damaged, too large, too many rows: 422, with its one sentence)."""
        svc = services()
        lang = auth.request_lang()
        library: Library | None = svc.library
        readonly = "" if library is not None else t("lib_readonly", lang, path=svc.settings.data_dir)
        body = flask.render_template_string(
            PAGE,
            lang=lang,
            other="en" if lang == "zh" else "zh",
            T=lambda key, **kw: t(key, lang, **kw),
            csrf=auth.csrf_token(),
            admin=auth.may(ADMIN),
            readonly=readonly,
            current=library.current() if library else svc.dataset().version,
            versions=list(reversed(library.versions())) if library else [],
            log=list(reversed(library.log()))[:30] if library else [],
            max_mb=svc.settings.upload_max_mb,
            **{"message": "", "message_kind": "info", "problems": [], "preview": None, **ctx},
        )
        resp = flask.Response(body, status=status, mimetype="text/html")
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def guard() -> tuple[Any, Library, str] | flask.Response:
        """(services, library, language) for a request that may see or change the library, or the refusal:
        a post without its form token, a change asked of a read-only app (roles: components/server/auth.py)."""
        svc = services()
        lang = auth.request_lang()
        if flask.request.method == "POST":
            # An upload may be larger than the app's limit for callback requests (read before the form is).
            flask.request.max_content_length = Limits.from_mb(svc.settings.upload_max_mb).max_bytes + 64 * 1024
            try:
                sent = flask.request.form.get(auth.CSRF_FIELD, "")
            except RequestEntityTooLarge:
                return render(problems=[t("lib_too_large", lang, mb=svc.settings.upload_max_mb)], label="")
            if not auth.csrf_matches(sent):
                return render(403, message=t("lib_csrf", lang), message_kind="danger")
            if svc.library is None:
                return render(409, message=t("lib_readonly", lang, path=svc.settings.data_dir), message_kind="danger")
        return svc, svc.library, lang

    def changed(svc: Any, lang: str, done: str, version: str) -> WerkzeugResponse:
        """After a publish or a rollback: this process serves it at once (the others at their next recheck),
        and the page says so (a redirect, so a reload does not post again)."""
        svc.store.refresh()
        return flask.redirect(f"/library?lang={lang}&done={done}&version={version}", code=303)

    def guarded(view: Callable[..., WerkzeugResponse]) -> Callable[[], WerkzeugResponse]:
        """A route that runs `view(services, library, language)` once `guard` lets the request through."""

        @functools.wraps(view)
        def wrap() -> WerkzeugResponse:
            found = guard()
            return found if isinstance(found, flask.Response) else view(*found)

        return wrap

    def one_at_a_time(view: Callable[[], WerkzeugResponse]) -> Callable[[], WerkzeugResponse]:
        """A route that reads and checks an upload: while another is being checked, refused at once (429, before
        its body is read) with the sentence to try again in a moment."""

        @functools.wraps(view)
        def wrap() -> WerkzeugResponse:
            svc = services()
            with one_check(svc.library) as mine:
                if mine:
                    return view()
            _audit("import.preview", "", "refused: another import was being checked")
            busy = render(429, message=t("lib_busy", auth.request_lang()), message_kind="warning")
            busy.headers["Retry-After"] = str(RETRY_SECONDS)
            return busy

        return wrap

    @server.get("/library")
    @guarded
    def library_page(svc: Any, _library: Library, lang: str) -> flask.Response:
        key = {"published": "lib_published_ok", "rolled_back": "lib_rolled_back_ok"}.get(
            flask.request.args.get("done", "")
        )
        version = flask.request.args.get("version", "")[:12]
        message = t(key, lang, version=version, seconds=svc.settings.reload_seconds) if key else ""
        return render(message=message, message_kind="success")

    @server.get("/library/workbook.xlsx")
    @guarded
    def library_workbook(svc: Any, _library: Library, _lang: str) -> flask.Response:
        """The version served now as the import's workbook: the template to edit and import again."""
        ds = svc.dataset()
        src = (
            DirectorySource(svc.library.path_of(ds.version)) if svc.library else DirectorySource(svc.settings.data_dir)
        )
        files = {n: d for n in schema.CONTRACT_FILES if (d := src.raw(n)) is not None}
        resp = flask.Response(workbook_bytes(workbook_sheets(files)), mimetype=XLSX)
        resp.headers["Content-Disposition"] = f'attachment; filename="dataset-{ds.version}.xlsx"'
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @server.post("/library/preview")
    @one_at_a_time
    @guarded
    def library_preview(svc: Any, library: Library, lang: str) -> flask.Response:
        limits = Limits.from_mb(svc.settings.upload_max_mb)
        uploads = [(f.filename or "upload", f.read(limits.max_bytes + 1)) for f in flask.request.files.getlist("files")]
        uploads = [(n, d) for n, d in uploads if d]
        if not uploads:
            return render(message=t("lib_no_file", lang), message_kind="warning")
        label = ", ".join(n for n, _ in uploads)
        try:
            source = open_files(uploads, limits)
        except ImportRefusedError as exc:
            library.record_refusal(label, "", 1, user=_user())
            _audit("import.preview", label, f"refused: {exc}")
            return render(422, problems=[str(exc)], label=label)
        staged = librarian.stage(source, label, librarian.bytes_hash(uploads), library, lang, svc.dataset())
        if not staged.ok:
            library.record_refusal(label, staged.source_hash, len(staged.problems), user=_user())
            _audit("import.preview", label, f"refused: {len(staged.problems)} problem(s)")
            return render(problems=list(staged.problems), label=label)
        _audit("import.preview", label)
        return render(preview=staged.preview, label=label, token=_stage_files(library, staged))

    @server.post("/library/publish")
    @guarded
    def library_publish(svc: Any, library: Library, lang: str) -> WerkzeugResponse:
        path = _staged_dir(library, flask.request.form.get("token", ""))
        if path is None:
            return render(message=t("lib_staged_gone", lang), message_kind="warning")
        meta = json.loads((path / "upload.json").read_text("utf-8"))
        files = {p.name: p.read_bytes() for p in path.iterdir() if p.name != "upload.json"}
        try:
            info = library.publish(files, source=meta["label"], source_hash=meta["source_hash"], user=_user())
        except (DatasetError, LibraryError) as exc:
            _audit("import.publish", meta["label"], f"refused: {exc}")
            return render(problems=[str(exc)], label=meta["label"])
        finally:
            shutil.rmtree(path, ignore_errors=True)
        _audit("import.publish", f"{meta['label']} → {info.hash}")
        return changed(svc, lang, "published", info.hash)

    @server.post("/library/rollback")
    @guarded
    def library_rollback(svc: Any, library: Library, lang: str) -> WerkzeugResponse:
        try:
            info = library.rollback(library.find(flask.request.form.get("version", "")), user=_user())
        except (LibraryError, DatasetError) as exc:
            _audit("import.rollback", flask.request.form.get("version", "")[:40], f"refused: {exc}")
            return render(message=str(exc), message_kind="danger")
        _audit("import.rollback", info.hash)
        return changed(svc, lang, "rolled_back", info.hash)


def _audit(action: str, obj: str, result: str = "ok") -> None:
    """A record of the audit trail for this request (components/server/audit.py)."""
    auth.auth().record(action, obj, result, who=auth.user())


def _user() -> str:
    """Who did it, for the import log: the signed-in user (or, with no users set up, this machine's login)."""
    from data.library.versions import current_user

    who = auth.user()
    return f"web:{who.name}" if who is not None and not who.open else f"web:{current_user()}"
