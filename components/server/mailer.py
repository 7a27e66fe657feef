"""Generated documents sent by the intranet's mail server (STI_SMTP_URL), with the standard library only.

`smtp_config(...)` reads the settings into a `MailConfig` (Settings.from_env calls it, so a bad URL stops the
app at start). `send_documents(config, recipients, subject, body, attachments)` sends one MIME message with every
attachment to every recipient, or nothing at all: the addresses are checked before connecting, and DATA is sent
only once the server has accepted the sender and every recipient; a refusal is answered with RSET and QUIT and
raised as `MailError`, a one-sentence message (zh or en) naming what was refused and the server's reply.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from components.core.i18n import t

log = logging.getLogger("sti.mail")

Security = Literal["plain", "starttls", "tls"]
SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}
DEFAULT_TIMEOUT = 30
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS = re.compile(rf"\A{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9.]+\])\Z")
MAX_ADDRESS = 254


class MailError(Exception):
    """A message that was not sent (and reached nobody): one sentence in the caller's language; `code` and
    `reply` carry the server's answer when it refused something, `refused` the recipients it refused."""

    def __init__(self, message: str, *, code: int | None = None, reply: str = "", refused: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.reply = reply
        self.refused = tuple(refused)


@dataclass(frozen=True)
class MailConfig:
    """Where and how to send: the server, its security (plain, STARTTLS or implicit TLS), the login, the
    sender, the timeout and an optional CA bundle (PEM) for an intranet certificate authority."""

    host: str
    port: int
    security: Security = "plain"
    sender: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = DEFAULT_TIMEOUT
    cafile: Path | None = None

    @property
    def server(self) -> str:
        """host:port, for messages."""
        return f"{self.host}:{self.port}"

    @property
    def envelope_sender(self) -> str:
        """The sender's bare address (MAIL FROM), from `sender` ('Name <a@b>' or 'a@b')."""
        return parseaddr(self.sender)[1] or default_sender(self.host)


def default_sender(host: str) -> str:
    """sti-dashboard@<host> (an IP address as an address literal, sti-dashboard@[10.0.0.5])."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return f"sti-dashboard@{host}"
    return f"sti-dashboard@[{host}]"


def smtp_config(
    url: str,
    user: str = "",
    password: str = "",
    sender: str = "",
    timeout: float = DEFAULT_TIMEOUT,
    cafile: Path | None = None,
) -> MailConfig:
    """STI_SMTP_URL (`smtp://host:port`, `smtp+starttls://host:587`, `smtps://host:465`) with the other
    STI_SMTP_* values as a MailConfig; ValueError naming the variable for anything wrong (a user name or a
    password in the URL above all: they belong in STI_SMTP_USER / STI_SMTP_PASSWORD, not in a URL that
    ends up in process listings and logs; the URL itself is never repeated in the message)."""
    try:
        parts = urlsplit(url.strip())
        port_text = parts.port
    except ValueError:
        raise ValueError("environment variable STI_SMTP_URL: not a URL like smtp://host:25") from None
    if "@" in parts.netloc:
        raise ValueError(
            "environment variable STI_SMTP_URL must not carry a user name or password: "
            "put them in STI_SMTP_USER and STI_SMTP_PASSWORD instead"
        )
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(
            f"environment variable STI_SMTP_URL: scheme {scheme!r} is not one of smtp://, smtp+starttls://, smtps://"
        )
    if not parts.hostname:
        raise ValueError("environment variable STI_SMTP_URL: no host (smtp://host:25)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("environment variable STI_SMTP_URL: only a scheme, a host and a port (smtp://host:25)")
    if bool(user) != bool(password):
        raise ValueError("environment variables STI_SMTP_USER and STI_SMTP_PASSWORD: set both or neither")
    security, default_port = SCHEMES[scheme]
    host = parts.hostname
    sender = sender.strip() or default_sender(host)
    if not valid_address(parseaddr(sender)[1]):
        raise ValueError(f"environment variable STI_SMTP_FROM: {sender!r} is not a mail address")
    if cafile is not None and not cafile.is_file():
        raise ValueError(f"environment variable STI_SMTP_CA_FILE: {cafile} is not a file")
    return MailConfig(host, port_text or default_port, security, sender, user, password, float(timeout), cafile)


def valid_address(address: str) -> bool:
    """Whether `address` is one plain mail address (local@domain, ASCII, no display name, no comments)."""
    return len(address) <= MAX_ADDRESS and ADDRESS.match(address) is not None


def checked_recipients(recipients: Sequence[str], lang: str = "zh") -> list[str]:
    """The recipients stripped and without repeats (case-insensitive), or MailError naming the first bad one."""
    seen: dict[str, str] = {}
    for raw in recipients:
        address = str(raw).strip()
        if not valid_address(address):
            raise MailError(t("mail_bad_address", lang, address=repr(address)[1:-1][:100]))
        seen.setdefault(address.lower(), address)
    if not seen:
        raise MailError(t("mail_no_recipients", lang))
    return list(seen.values())


def build_message(
    config: MailConfig,
    recipients: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]],
) -> EmailMessage:
    """One multipart message: the text body, then each (file name, bytes, content type) as an attachment
    (a Chinese file name encoded per RFC 2231, a subject per RFC 2047)."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = config.sender or config.envelope_sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = " ".join(subject.split())  # one line: no header injection through a newline
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=config.envelope_sender.rsplit("@", 1)[-1].strip("[]") or None)
    msg.set_content(body, cte="base64")  # 7-bit clean: no 8BITMIME needed of the server
    for name, data, content_type in attachments:
        maintype, _, subtype = content_type.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(bytes(data), maintype=maintype, subtype=subtype, filename=name)
    return msg


def send_documents(
    config: MailConfig,
    recipients: list[str],
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
    lang: str = "zh",
) -> str:
    """Send one message with every attachment to every recipient; returns its Message-ID.

    All or nothing: bad addresses raise MailError before connecting; after EHLO (STARTTLS when asked, then
    EHLO again) and the login (when credentials are set), MAIL FROM and RCPT TO for each recipient; if the
    server refuses the sender, any recipient or the login, RSET and QUIT, then MailError — DATA only once
    everything was accepted. Connection, timeout and TLS failures are MailError too (one sentence, no traceback).
    """
    to = checked_recipients(recipients, lang)
    msg = build_message(config, to, subject, body, attachments)
    data = msg.as_bytes()
    server = config.server
    conn: smtplib.SMTP | None = None
    try:
        conn = _connect(config)
        conn.ehlo_or_helo_if_needed()
        if config.security == "starttls":
            if not conn.has_extn("starttls"):
                _abandon(conn)
                raise MailError(t("mail_no_starttls", lang, server=server))
            conn.starttls(context=_tls_context(config))
            conn.ehlo_or_helo_if_needed()
        if config.user:
            _login(conn, config, lang)
        options = [f"SIZE={len(data)}"] if conn.has_extn("size") else []
        code, reply = conn.mail(config.envelope_sender, options)
        if code != 250:
            _abandon(conn)
            raise MailError(
                t("mail_sender_refused", lang, sender=config.envelope_sender, code=code, reply=_text(reply)),
                code=code,
                reply=_text(reply),
            )
        refused: dict[str, tuple[int, str]] = {}
        for address in to:
            code, reply = conn.rcpt(address)
            if code not in (250, 251):
                refused[address] = (code, _text(reply))
        if refused:
            _abandon(conn)
            first_code, first_reply = next(iter(refused.values()))
            named = "; ".join(f"{a} ({c} {r})" for a, (c, r) in refused.items())
            raise MailError(
                t("mail_recipients_refused", lang, refused=named),
                code=first_code,
                reply=first_reply,
                refused=list(refused),
            )
        code, reply = conn.data(data)
        if code != 250:
            _abandon(conn)
            raise MailError(t("mail_data_refused", lang, code=code, reply=_text(reply)), code=code, reply=_text(reply))
        _quit(conn)
    except MailError:
        raise
    except smtplib.SMTPResponseException as exc:  # an unexpected refusal (EHLO, STARTTLS, ...)
        if conn is not None:
            _abandon(conn)
        text = _text(exc.smtp_error)
        raise MailError(
            t("mail_refused", lang, server=server, code=exc.smtp_code, reply=text), code=exc.smtp_code, reply=text
        ) from None
    except TimeoutError:
        raise MailError(t("mail_timeout", lang, server=server, seconds=f"{config.timeout:g}")) from None
    except ssl.SSLError as exc:
        raise MailError(t("mail_tls", lang, server=server, reason=_reason(exc))) from None
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib reports a read that timed out as a disconnect
            raise MailError(t("mail_timeout", lang, server=server, seconds=f"{config.timeout:g}")) from None
        raise MailError(t("mail_disconnected", lang, server=server, reason=_reason(exc))) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(t("mail_connect", lang, server=server, reason=_reason(exc))) from None
    finally:
        if conn is not None:
            conn.close()
    log.info("mail sent via %s to %d recipient(s): %s (%d bytes)", server, len(to), ", ".join(to), len(data))
    return str(msg["Message-ID"])


def _connect(config: MailConfig) -> smtplib.SMTP:
    if config.security == "tls":
        return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=_tls_context(config))
    return smtplib.SMTP(config.host, config.port, timeout=config.timeout)


def _tls_context(config: MailConfig) -> ssl.SSLContext:
    """Certificates checked against the system's authorities, plus the configured CA bundle."""
    context = ssl.create_default_context()
    if config.cafile is not None:
        context.load_verify_locations(cafile=str(config.cafile))
    return context


def _login(conn: smtplib.SMTP, config: MailConfig, lang: str) -> None:
    try:
        conn.login(config.user, config.password)
    except smtplib.SMTPNotSupportedError:
        _abandon(conn)
        raise MailError(t("mail_no_auth", lang, server=config.server)) from None
    except smtplib.SMTPAuthenticationError as exc:
        _abandon(conn)
        text = _text(exc.smtp_error)
        raise MailError(
            t("mail_auth_refused", lang, user=config.user, server=config.server, code=exc.smtp_code, reply=text),
            code=exc.smtp_code,
            reply=text,
        ) from None
    except smtplib.SMTPException as exc:  # no mechanism in common
        _abandon(conn)
        raise MailError(t("mail_no_auth", lang, server=config.server) + f" ({_reason(exc)})") from None


def _abandon(conn: smtplib.SMTP) -> None:
    """RSET and QUIT, as far as the connection still allows (the transaction is dropped: nothing is sent)."""
    with contextlib.suppress(OSError, smtplib.SMTPException):
        conn.rset()
    _quit(conn)


def _quit(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        conn.quit()


def _text(reply: bytes | str) -> str:
    """A server reply as one line of text."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:300]


def _reason(exc: BaseException) -> str:
    """An OS or TLS error as a short phrase ('Connection refused', 'certificate verify failed: ...')."""
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"certificate verify failed: {exc.verify_message}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return _text(str(exc) or type(exc).__name__)
