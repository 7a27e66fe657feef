"""Sending documents (components/server/mailer.py) to a real SMTP server on a loopback port (aiosmtpd): the
message arrives whole, or nothing is sent at all."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from components.server import mailer
from components.server.mailer import MailConfig, MailError, send_documents, smtp_config

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_BYTES = b"PK\x03\x04" + bytes(range(256)) * 40  # not a real document: the bytes must arrive unchanged
PDF_BYTES = b"%PDF-1.7\n" + bytes(reversed(range(256))) * 30 + b"\n%%EOF\n"
ATTACHMENTS = [
    ("宁波-2012年1–11月-全市-科技创新报告.docx", DOCX_BYTES, DOCX),
    ("宁波-2012年1–11月-全市-科技创新报告.pdf", PDF_BYTES, "application/pdf"),
]
SUBJECT = "宁波市科技创新指标报告（2012年1–11月）"
BODY = "各位领导：\n\n附件为本期科技创新指标报告（Word 和 PDF）。\n"
REFUSED = "nobody@bureau.example"
USER, PASSWORD = "sti-bot", "s3cret-pass"
# The login tests without TLS are on loopback, on purpose (aiosmtpd warns about AUTH without TLS).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


class Recorder:
    """An aiosmtpd handler that keeps what it received, the commands it saw, and refuses `refuse`."""

    def __init__(self, refuse: str = "") -> None:
        self.refuse = refuse
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.commands: list[str] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        self.commands.append(f"RCPT {address}")
        if address == self.refuse:
            return "550 5.1.1 <nobody@bureau.example>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.commands.append("RSET")
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.commands.append("DATA")
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def checks_password(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def serve(handler: Recorder, **kwargs: Any) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, Controller]]:
    handler = Recorder(refuse=REFUSED)
    controller = serve(handler)
    yield handler, controller
    controller.stop()


def config_for(controller: Controller, scheme: str = "smtp", **kw: Any) -> MailConfig:
    return smtp_config(f"{scheme}://127.0.0.1:{controller.port}", sender="科技局看板 <sti@bureau.example>", **kw)


def _assert_delivered(handler: Recorder, recipients: list[str]) -> None:
    assert len(handler.messages) == 1
    sender, rcpts, msg = handler.messages[0]
    assert sender == "sti@bureau.example"
    assert rcpts == recipients
    assert msg["Subject"] == SUBJECT
    assert msg.get_content_type() == "multipart/mixed"
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == BODY  # type: ignore[union-attr]
    got = [(part.get_filename(), part.get_content(), part.get_content_type()) for part in msg.iter_attachments()]
    assert got == [(name, data, kind) for name, data, kind in ATTACHMENTS]


def test_one_message_with_both_attachments_reaches_every_recipient(smtp_server) -> None:
    handler, controller = smtp_server
    to = ["director@bureau.example", "office@bureau.example"]
    message_id = send_documents(config_for(controller), to, SUBJECT, BODY, ATTACHMENTS)
    _assert_delivered(handler, to)
    assert handler.messages[0][2]["Message-ID"] == message_id
    assert "RSET" not in handler.commands


def test_a_refused_recipient_means_nothing_is_sent_to_anyone(smtp_server) -> None:
    handler, controller = smtp_server
    to = ["director@bureau.example", REFUSED, "office@bureau.example"]
    with pytest.raises(MailError) as err:
        send_documents(config_for(controller), to, SUBJECT, BODY, ATTACHMENTS, lang="en")
    assert handler.messages == []
    assert "DATA" not in handler.commands
    assert handler.commands[-1] == "RSET"  # the transaction dropped before QUIT
    assert err.value.refused == (REFUSED,)
    assert err.value.code == 550
    text = str(err.value)
    assert REFUSED in text
    assert "550" in text
    assert "User unknown" in text
    assert "sent to nobody" in text
    assert "\n" not in text
    assert "Traceback" not in text


def test_the_refusal_in_chinese(smtp_server) -> None:
    handler, controller = smtp_server
    with pytest.raises(MailError, match=r"邮件服务器拒绝了收件人 nobody@bureau\.example") as err:
        send_documents(config_for(controller), [REFUSED], SUBJECT, BODY, ATTACHMENTS)
    assert "未发送给任何人" in str(err.value)
    assert handler.messages == []


@pytest.fixture
def auth_server() -> Iterator[tuple[Recorder, Controller]]:
    handler = Recorder()
    controller = serve(handler, authenticator=checks_password, auth_required=True, auth_require_tls=False)
    yield handler, controller
    controller.stop()


def test_login_with_the_right_password_sends(auth_server) -> None:
    handler, controller = auth_server
    send_documents(config_for(controller, user=USER, password=PASSWORD), ["a@bureau.example"], SUBJECT, BODY, [])
    assert len(handler.messages) == 1


def test_a_wrong_password_is_refused_and_nothing_sent(auth_server) -> None:
    handler, controller = auth_server
    config = config_for(controller, user=USER, password="wrong")
    with pytest.raises(MailError) as err:
        send_documents(config, ["a@bureau.example"], SUBJECT, BODY, ATTACHMENTS, lang="en")
    assert err.value.code == 535
    assert "refused the login of sti-bot" in str(err.value)
    assert "wrong" not in str(err.value)  # the password never appears
    assert handler.messages == []


def test_a_server_that_wants_a_login_refuses_the_sender_without_one(auth_server) -> None:
    handler, controller = auth_server
    with pytest.raises(MailError) as err:
        send_documents(config_for(controller), ["a@bureau.example"], SUBJECT, BODY, ATTACHMENTS, lang="en")
    assert err.value.code == 530
    assert "refused the sender sti@bureau.example" in str(err.value)
    assert handler.messages == []


def test_nothing_listening_fails_at_once() -> None:
    config = smtp_config(f"smtp://127.0.0.1:{free_port()}", timeout=5)
    started = time.monotonic()
    with pytest.raises(MailError) as err:
        send_documents(config, ["a@bureau.example"], SUBJECT, BODY, ATTACHMENTS, lang="en")
    assert time.monotonic() - started < 2
    assert str(err.value).startswith(f"Cannot reach the mail server 127.0.0.1:{config.port} (Connection refused)")
    assert err.value.__cause__ is None
    assert err.value.__suppress_context__


def test_a_silent_server_times_out() -> None:
    with socket.socket() as listener:  # accepts connections (the kernel's backlog) and never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        config = smtp_config(f"smtp://127.0.0.1:{listener.getsockname()[1]}", timeout=1)
        started = time.monotonic()
        with pytest.raises(MailError, match="did not answer within 1 s"):
            send_documents(config, ["a@bureau.example"], SUBJECT, BODY, ATTACHMENTS, lang="en")
        assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "bad", ["not-an-address", "a@b@c", "Director <d@bureau.example>", "a@bureau.example\r\nRCPT TO:<x@y.z>", ""]
)
def test_a_bad_address_is_refused_before_connecting(smtp_server, monkeypatch, bad: str) -> None:
    handler, controller = smtp_server

    def no_connection(config: MailConfig) -> None:
        raise AssertionError("connected despite a bad address")

    monkeypatch.setattr(mailer, "_connect", no_connection)
    with pytest.raises(MailError, match="Not a valid recipient address"):
        send_documents(config_for(controller), ["ok@bureau.example", bad], SUBJECT, BODY, ATTACHMENTS, lang="en")
    assert handler.commands == []


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(ValueError, match="STI_SMTP_USER and STI_SMTP_PASSWORD") as err:
        smtp_config("smtp://sti-bot:hunter2@mail.bureau.example:25")
    assert "hunter2" not in str(err.value)


# STARTTLS and implicit TLS, with a certificate made for the test by the openssl command (Debian's; the
# `cryptography` package is not installed here): skipped on a machine without it.


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to make a test certificate")
    tmp = tmp_path_factory.mktemp("tls")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


@pytest.fixture
def starttls_server(certificate) -> Iterator[tuple[Recorder, Controller]]:
    handler = Recorder()
    controller = serve(
        handler,
        tls_context=_server_context(certificate),
        require_starttls=True,
        authenticator=checks_password,
        auth_required=True,
    )
    yield handler, controller
    controller.stop()


def test_starttls_then_login_sends(starttls_server, certificate) -> None:
    handler, controller = starttls_server
    config = config_for(controller, "smtp+starttls", user=USER, password=PASSWORD, cafile=certificate[0])
    send_documents(config, ["a@bureau.example"], SUBJECT, BODY, ATTACHMENTS)
    _assert_delivered(handler, ["a@bureau.example"])


def test_an_untrusted_certificate_fails_the_tls_step(starttls_server) -> None:
    handler, controller = starttls_server
    config = config_for(controller, "smtp+starttls", user=USER, password=PASSWORD)
    with pytest.raises(MailError, match=r"encrypted connection .* failed .*certificate verify failed"):
        send_documents(config, ["a@bureau.example"], SUBJECT, BODY, ATTACHMENTS, lang="en")
    assert handler.messages == []


def test_starttls_asked_of_a_server_without_it_fails(smtp_server) -> None:
    handler, controller = smtp_server
    with pytest.raises(MailError, match="does not offer STARTTLS"):
        send_documents(config_for(controller, "smtp+starttls"), ["a@bureau.example"], SUBJECT, BODY, [], lang="en")
    assert handler.messages == []


def test_implicit_tls_sends(certificate) -> None:
    handler = Recorder()
    controller = serve(handler, ssl_context=_server_context(certificate))
    try:
        config = config_for(controller, "smtps", cafile=certificate[0])
        send_documents(config, ["a@bureau.example"], SUBJECT, BODY, ATTACHMENTS)
    finally:
        controller.stop()
    _assert_delivered(handler, ["a@bureau.example"])
