"""Reports delivered: the archive (报告库) on a real directory; `app.py report` as cron runs it, mailing to a real
SMTP server (aiosmtpd) on loopback. The mailer's own cases (refusals, TLS, logins): tests/integration/test_mailer.py."""

from __future__ import annotations

import datetime as dt
import email
import os
import socket
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from components.server import report_archive

ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    """A mail server's handler: keeps what it accepts; refuses recipients whose address starts 'no'."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook names)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address.startswith("no"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


# --- the archive ---------------------------------------------------------------------------------------------


def test_the_archive_keeps_lists_opens_and_prunes(tmp_path: Path) -> None:
    meta = {
        "format": "pdf",
        "period": "2012年1–11月",
        "scope": "全市",
        "lang": "zh",
        "query": "?period=2012-11",
        "by": "cli:root",
    }
    old = report_archive.save(tmp_path, "旧.pdf", b"old", meta, now=dt.datetime(2011, 1, 1, tzinfo=dt.UTC))
    new = report_archive.save(tmp_path, "新.pdf", b"new", meta)
    assert (tmp_path.stat().st_mode & 0o777) == 0o700
    assert [e.id for e in report_archive.entries(tmp_path)] == [new.id, old.id]
    entry, body = report_archive.open_entry(tmp_path, new.id)
    assert (entry.name, body, entry.by, entry.size) == ("新.pdf", b"new", "cli:root", 3)
    assert entry.at.endswith("+08:00")
    for crafted in ("../../etc/passwd", new.id + "/../x", "x.pdf", new.id.replace(".pdf", ".json")):
        assert report_archive.open_entry(tmp_path, crafted) is None
    (tmp_path / f"{new.id}.json").write_text("{damaged", encoding="utf-8")
    assert [e.id for e in report_archive.entries(tmp_path)] == [old.id]  # skipped, not failed
    assert report_archive.prune(tmp_path, 365) == 1
    assert not (tmp_path / old.id).exists()
    assert not (tmp_path / f"{old.id}.json").exists()
    assert (tmp_path / new.id).exists()


def _save_many(args: tuple[str, int]) -> int:
    directory, n = args
    meta = {"format": "docx", "by": "w"}
    for i in range(n):
        report_archive.save(Path(directory), f"{i}.docx", os.urandom(64), meta)
    return n


def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    from multiprocessing import get_context

    with get_context("spawn").Pool(2) as pool:
        assert sum(pool.map(_save_many, [(str(tmp_path), 25), (str(tmp_path), 25)])) == 50
    found = report_archive.entries(tmp_path)
    assert len(found) == 50
    assert all(report_archive.open_entry(tmp_path, e.id) is not None for e in found)
    assert not list(tmp_path.glob(".tmp-*"))


# --- app.py report -----------------------------------------------------------------------------------------------


def _cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {
        **os.environ,
        "STI_DATA_DIR": str(ROOT / "data" / "sample"),
        "STI_CACHE_DIR": str(tmp_path / "cache"),
        "STI_REPORT_DIR": str(tmp_path / "archive"),
        "STI_USERS_FILE": str(tmp_path / "users.json"),
        "STI_SECRET_FILE": str(tmp_path / "secret.key"),
    }
    return subprocess.run(
        [sys.executable, "app.py", "report", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium (make test installs it)")
def test_the_cli_writes_archives_and_mails_the_report(tmp_path: Path, smtp) -> None:
    inbox, port = smtp
    out = tmp_path / "out"
    done = _cli(
        tmp_path,
        "--query", "period=2012-11", "--format", "docx", "--out", str(out), "--mail", "a@bureau.example",
        env={"STI_SMTP_URL": f"smtp://127.0.0.1:{port}", "STI_SMTP_FROM": "sti@bureau.example"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = out / "sti-report-2012-11-city-zh.docx"
    assert written.stat().st_size > 10_000
    entries = report_archive.entries(tmp_path / "archive")
    assert [(e.format, e.period, e.scope) for e in entries] == [("docx", "2012年1–11月", "全市")]
    assert entries[0].by.startswith("cli:")
    assert report_archive.open_entry(tmp_path / "archive", entries[0].id)[1] == written.read_bytes()
    assert len(inbox.messages) == 1
    msg = email.message_from_bytes(inbox.messages[0][1], policy=policy.default)
    assert msg["Subject"] == "宁波科技创新主要指标月报（2012年1–11月）"
    assert [p.get_content() for p in msg.iter_attachments()] == [written.read_bytes()]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--query", "district=999999", "--format", "docx"], "--query"),
        (["--query", "period=2031-05", "--format", "docx"], "--query"),
        (["--format", "odt"], "--format takes"),
        (["--format", "pdf", "--mail", "a@bureau.example"], "STI_SMTP_URL"),
    ],
)
def test_the_cli_refuses_a_bad_command_line(tmp_path: Path, args: list[str], says: str) -> None:
    done = _cli(tmp_path, *args, "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
