"""`python app.py report`: the view's documents generated unattended (cron, a systemd timer), kept in the report
archive (报告库) and, with `--mail`, sent by the intranet's mail server.

    python app.py report --query 'period=2012-11' --format docx,pdf --out DIR [--mail a@b,c@d]

The query is the page's (`year=`, `period=2012-11`, `basis=`, `district=`, `lang=`); a part the dataset cannot
show (an unknown district, a period it has not published) is an error here, not a silent default. Exit codes:
0 done, 1 a document could not be made or sent, 2 a bad command line or configuration.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import time
from pathlib import Path
from typing import TextIO

from components.core.i18n import t
from components.core.state import from_query
from components.exports.documents import FORMATS, build_document
from components.exports.render import ExportError
from components.server.reports import keep
from components.server.settings import Settings
from data.load import Dataset, DatasetError

log = logging.getLogger("sti.report")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The `report` subcommand's arguments."""
    rep = sub.add_parser("report", help="generate the view's report documents (for cron or a systemd timer)")
    rep.add_argument("--query", default="", help="the page's query, e.g. 'period=2012-11&district=330212'")
    rep.add_argument("--format", default="docx,pdf", help=f"comma-separated: {', '.join(FORMATS)} (default docx,pdf)")
    rep.add_argument("--out", type=Path, required=True, help="the directory to write the documents to")
    rep.add_argument("--mail", default="", help="comma-separated recipients (needs STI_SMTP_URL)")


def _dataset(settings: Settings) -> Dataset:
    """The dataset the server would serve: STI_DATA_DIR, else the library's current version."""
    from app import as_source, open_library
    from data.library.store import DataStore

    source = as_source(settings.data_dir) if settings.data_dir else open_library(settings).source()
    return DataStore(source, recheck=0, thresholds=settings.thresholds).get()


def command(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    """Run `app.py report`; messages on `out`, errors on `err`."""
    formats = [f.strip().lower() for f in str(args.format).split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if not formats or unknown:
        err.write(f"error: --format takes {', '.join(FORMATS)} (got {args.format!r})\n")
        return 2
    recipients = [a.strip() for a in str(args.mail).split(",") if a.strip()]
    if recipients and settings.smtp is None:
        err.write("error: --mail needs STI_SMTP_URL (the intranet's mail server)\n")
        return 2
    try:
        ds = _dataset(settings)
    except DatasetError as exc:
        err.write(f"error: the dataset cannot be read: {exc.total} problem(s)\n{exc.report()}\n")
        return 1
    view = from_query(ds, args.query, settings.lang)
    if view.notices:
        for key, params in view.notices:
            err.write(f"error: --query {args.query!r}: {t(key, 'en', **params)}\n")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    made: list[tuple[str, bytes, str]] = []
    who = f"cli:{getpass.getuser()}"
    for fmt in formats:
        began = time.perf_counter()
        try:
            body, (file_name, name) = build_document(
                ds, view, fmt, None, settings.report_template, settings.pptx_template
            )
        except ExportError as exc:
            err.write(f"error: {fmt}: {exc.message('en')} ({exc.detail})\n")
            return 1
        path = args.out / file_name  # ascii on disk (scripts pick it up); the title's name in mail and archive
        path.write_bytes(body)
        made.append((name, body, fmt))
        entry = keep(settings, ds, view, name, body, fmt, who)
        archived = f"  (archive: {entry})" if entry else "  (not archived: see the log)"
        out.write(f"{path}  {len(body):,} bytes  {time.perf_counter() - began:.1f} s{archived}\n")
    if recipients:
        return _mail(settings, recipients, ds, view, made, out, err)
    return 0


def _mail(
    settings: Settings,
    recipients: list[str],
    ds: Dataset,
    view: object,
    made: list[tuple[str, bytes, str]],
    out: TextIO,
    err: TextIO,
) -> int:
    from components.exports.documents import MIME
    from components.exports.report import build_report
    from components.server import mailer

    report = build_report(ds, view)  # type: ignore[arg-type]
    assert settings.smtp is not None  # checked before any document was made
    try:
        mailer.send_documents(
            settings.smtp,
            recipients,
            report.title,
            "\n\n".join([report.title, report.as_of, *report.summary]),
            [(name, body, MIME[fmt]) for name, body, fmt in made],
            lang="en",
        )
    except mailer.MailError as exc:
        err.write(f"error: mail not sent: {exc}\n")
        return 1
    out.write(f"mailed to {', '.join(recipients)}\n")
    return 0
