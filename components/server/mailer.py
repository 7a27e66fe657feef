"""Sending the generated documents by the intranet's mail server (smtplib and email of the standard library).

`STI_SMTP_URL`: `smtp://host:25` (plain), `smtp+starttls://host:587` (STARTTLS) or `smtps://host:465` (TLS from the
start); the login from `STI_SMTP_USER` and `STI_SMTP_PASSWORD` (never in the URL: it would show in process lists
and logs); the sender `STI_SMTP_FROM`. **Nothing half-sent**: every recipient is offered to the server before the
message is; if the server refuses the sender, the login or any one recipient, the transaction is reset and nobody
gets the message, and MailError says what was refused (the server's code and words).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

SCHEMES = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}
# A plain address: no display name, no comments, nothing a header could be split with.
ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*$"
)


class MailError(Exception):
    """Mail that was not sent, in one sentence (nobody received it)."""


@dataclass(frozen=True)
class MailConfig:
    """Where and how to send."""

    host: str
    port: int
    security: str  # plain, starttls or tls
    sender: str
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0


def parse_config(url: str, env: Mapping[str, str]) -> MailConfig:
    """The mail settings from STI_SMTP_URL and the STI_SMTP_* variables; ValueError with the reason."""
    parts = urlsplit(url.strip())
    security = SCHEMES.get(parts.scheme.lower())
    if security is None:
        raise ValueError(f"STI_SMTP_URL: the scheme must be one of {', '.join(SCHEMES)} (got {parts.scheme!r})")
    if parts.username or parts.password:
        raise ValueError("STI_SMTP_URL: put the login in STI_SMTP_USER and STI_SMTP_PASSWORD, not in the URL")
    if not parts.hostname:
        raise ValueError("STI_SMTP_URL: no mail server host")
    try:
        port = parts.port or DEFAULT_PORTS[security]
    except ValueError as exc:
        raise ValueError(f"STI_SMTP_URL: {exc}") from exc
    sender = env.get("STI_SMTP_FROM", "").strip() or f"sti-dashboard@{parts.hostname}"
    if not ADDRESS.match(sender):
        raise ValueError(f"STI_SMTP_FROM: {sender!r} is not a plain mail address")
    try:
        timeout = float(env.get("STI_SMTP_TIMEOUT", "30") or 30)
    except ValueError as exc:
        raise ValueError("STI_SMTP_TIMEOUT: not a number of seconds") from exc
    return MailConfig(
        parts.hostname,
        port,
        security,
        sender,
        env.get("STI_SMTP_USER", "").strip(),
        env.get("STI_SMTP_PASSWORD", ""),
        max(1.0, min(timeout, 600.0)),
    )


def check_recipients(recipients: Sequence[str]) -> list[str]:
    """The recipients as given; MailError naming the first that is not a plain address (or none at all)."""
    out = [r.strip() for r in recipients if r.strip()]
    if not out:
        raise MailError("no recipient")
    for r in out:
        if not ADDRESS.match(r):
            raise MailError(f"not a mail address: {r!r}")
    return out


def message(
    config: MailConfig,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]],
) -> EmailMessage:
    """The message: text body and the attachments (file names in UTF-8, RFC 2231)."""
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=config.sender.split("@", 1)[1])
    msg.set_content(body)
    for name, data, mime in attachments:
        main, _, sub = mime.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub or "octet-stream", filename=name)
    return msg


def _refused(what: str, code: int, text: bytes | str) -> MailError:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return MailError(f"the mail server refused {what}: {code} {words.strip()}")


def send_documents(
    config: MailConfig,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]],
) -> None:
    """One message with every attachment to every recipient, or to nobody (MailError)."""
    to = check_recipients(recipients)
    msg = message(config, to, subject, body, attachments)
    context = ssl.create_default_context()
    try:
        if config.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"cannot reach the mail server {config.host}:{config.port}: {exc}") from exc
    try:
        smtp.ehlo()
        if config.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if config.user:
            smtp.login(config.user, config.password)
        code, text = smtp.mail(config.sender)
        if code != 250:
            raise _refused(f"the sender {config.sender}", code, text)
        for r in to:
            code, text = smtp.rcpt(r)
            if code not in (250, 251):
                smtp.rset()
                raise _refused(f"the recipient {r} (nothing was sent)", code, text)
        code, text = smtp.data(msg.as_bytes(policy=policy.SMTP))  # CRLF line ends: smtplib sends bytes as they are
        if code != 250:
            raise _refused("the message", code, text)
    except smtplib.SMTPAuthenticationError as exc:
        raise _refused("the login", exc.smtp_code, exc.smtp_error) from exc
    except smtplib.SMTPResponseException as exc:
        raise _refused("the message", exc.smtp_code, exc.smtp_error) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"the mail server {config.host}:{config.port} failed: {exc}") from exc
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
