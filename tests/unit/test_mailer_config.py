"""The mail settings (STI_SMTP_*) and the message built for sending (components/server/mailer.py), no server."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from components.server.mailer import (
    MailConfig,
    MailError,
    build_message,
    checked_recipients,
    smtp_config,
    valid_address,
)
from components.server.settings import Settings


@pytest.mark.parametrize(
    ("url", "security", "port"),
    [
        ("smtp://mail.bureau.local", "plain", 25),
        ("smtp://mail.bureau.local:2525", "plain", 2525),
        ("smtp+starttls://mail.bureau.local", "starttls", 587),
        ("SMTP+STARTTLS://mail.bureau.local:587/", "starttls", 587),
        ("smtps://mail.bureau.local", "tls", 465),
        ("smtps://10.1.2.3:4650", "tls", 4650),
    ],
)
def test_the_url_names_server_port_and_security(url: str, security: str, port: int) -> None:
    config = smtp_config(url)
    assert (config.security, config.port) == (security, port)
    assert config.user == config.password == ""


def test_the_sender_defaults_to_the_server_host() -> None:
    assert smtp_config("smtp://mail.bureau.local").sender == "sti-dashboard@mail.bureau.local"
    assert smtp_config("smtp://10.1.2.3").envelope_sender == "sti-dashboard@[10.1.2.3]"
    named = smtp_config("smtp://mail.bureau.local", sender="科技局看板 <sti@bureau.local>")
    assert named.envelope_sender == "sti@bureau.local"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("smtp://bot:hunter2@mail.bureau.local", "must not carry a user name or password"),
        ("smtp://bot@mail.bureau.local", "STI_SMTP_USER and STI_SMTP_PASSWORD instead"),
        ("http://mail.bureau.local", "is not one of smtp://"),
        ("mail.bureau.local:25", "is not one of smtp://"),
        ("smtp://:25", "no host"),
        ("smtp://mail.bureau.local:99999", "not a URL"),
        ("smtp://mail.bureau.local/inbox?x=1", "only a scheme, a host and a port"),
    ],
)
def test_a_bad_url_is_refused_with_a_reason(url: str, words: str) -> None:
    with pytest.raises(ValueError, match="STI_SMTP_URL") as err:
        smtp_config(url)
    assert words in str(err.value)
    assert "hunter2" not in str(err.value)


def test_settings_read_the_smtp_variables(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    env = {
        "STI_SMTP_URL": "smtp+starttls://mail.bureau.local:587",
        "STI_SMTP_USER": "sti-bot",
        "STI_SMTP_PASSWORD": "hunter2",
        "STI_SMTP_FROM": "sti@bureau.local",
        "STI_SMTP_TIMEOUT": "12",
        "STI_SMTP_CA_FILE": str(ca),
        "STI_REPORT_DIR": str(tmp_path / "reports"),
        "STI_REPORT_KEEP_DAYS": "90",
    }
    settings = Settings.from_env(env)
    assert settings.smtp == MailConfig(
        "mail.bureau.local", 587, "starttls", "sti@bureau.local", "sti-bot", "hunter2", 12.0, ca
    )
    assert "hunter2" not in repr(settings)
    assert settings.report_dir == tmp_path / "reports"
    assert settings.report_keep_days == 90
    defaults = Settings.from_env({})
    assert defaults.smtp is None
    assert defaults.report_dir.parts[-2:] == ("var", "reports")
    assert defaults.report_keep_days == 365


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"STI_SMTP_URL": "smtp://u:p@h"}, "STI_SMTP_USER"),
        ({"STI_SMTP_URL": "smtp://h", "STI_SMTP_USER": "u"}, "set both or neither"),
        ({"STI_SMTP_URL": "smtp://h", "STI_SMTP_FROM": "not an address"}, "STI_SMTP_FROM"),
        ({"STI_SMTP_URL": "smtp://h", "STI_SMTP_TIMEOUT": "0"}, "STI_SMTP_TIMEOUT"),
        ({"STI_SMTP_URL": "smtp://h", "STI_SMTP_CA_FILE": "/nonexistent/ca.pem"}, "STI_SMTP_CA_FILE"),
        ({"STI_REPORT_KEEP_DAYS": "0"}, "STI_REPORT_KEEP_DAYS"),
    ],
)
def test_settings_refuse_bad_mail_values(env: dict[str, str], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("director@bureau.example", True),
        ("li.ming+reports@kjj.nb.gov.cn", True),
        ("a@[10.0.0.5]", True),
        ("no-at-sign", False),
        ("a@b@c", False),
        ("Li Ming <li@kjj.gov.cn>", False),
        ("li@kjj.gov.cn\r\nBcc: x@y.z", False),
        (".li@kjj.gov.cn", False),
        ("li@-kjj.gov.cn", False),
        ("李明@kjj.gov.cn", False),
        ("a" * 250 + "@b.cn", False),
    ],
)
def test_addresses_are_checked_strictly(address: str, ok: bool) -> None:
    assert valid_address(address) is ok


def test_recipients_are_checked_and_deduplicated() -> None:
    assert checked_recipients([" a@b.cn ", "A@B.cn", "c@b.cn"]) == ["a@b.cn", "c@b.cn"]
    with pytest.raises(MailError, match="收件人地址无效"):
        checked_recipients(["a@b.cn", "oops"])
    with pytest.raises(MailError, match="No recipients"):
        checked_recipients([], "en")


def test_the_message_carries_chinese_names_per_rfc_2231() -> None:
    config = smtp_config("smtp://mail.bureau.local", sender="sti@bureau.local")
    name = "宁波-2012-全市-报告.docx"
    msg = build_message(config, ["a@b.cn"], "报告\r\nBcc: x@y.z", "正文", [(name, b"PK\x03\x04", "application/x-docx")])
    raw = msg.as_bytes()
    assert raw.isascii()  # 7-bit clean: no 8BITMIME needed
    assert b"filename*" in raw
    assert b"utf-8''" in raw
    back = email.message_from_bytes(raw, policy=policy.default)
    assert back["Subject"] == "报告 Bcc: x@y.z"  # a newline cannot add a header
    assert back["Bcc"] is None
    assert [p.get_filename() for p in back.iter_attachments()] == [name]  # type: ignore[attr-defined]
