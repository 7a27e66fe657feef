"""Application settings: one frozen object built from the environment at app creation."""

from __future__ import annotations

import ipaddress
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from components.core.wall import parse_reload_at, parse_views
from components.server.mailer import DEFAULT_TIMEOUT, MailConfig, smtp_config
from data.rules import DEFAULT_THRESHOLDS, Thresholds

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "data" / "sample"
VAR_DIR = ROOT / "var"  # the app's own state (git-ignored): library, users, secret key
DEFAULT_LIBRARY = VAR_DIR / "library"
T = TypeVar("T")


def _default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"sti-dashboard-cache-{os.getuid()}"


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}: {raw!r} is not an integer") from exc
    if not lo <= value <= hi:
        raise ValueError(f"environment variable {name}: {value} is outside {lo}..{hi}")
    return value


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else default


def _origins(raw: str) -> tuple[str, ...]:
    """Space-separated origins (https://intranet.example) for the CSP's frame-ancestors."""
    origins = tuple(raw.split())
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|'self'", origin):
            raise ValueError(f"environment variable STI_FRAME_ANCESTORS: {origin!r} is not an origin like https://host")
    return origins


def _proxies(raw: str) -> tuple[str, ...]:
    """The reverse proxies' addresses (STI_TRUSTED_PROXIES, spaces or commas): only their forwarded headers count."""
    found = tuple(a for a in re.split(r"[\s,]+", raw.strip()) if a)
    for address in found:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(
                f"environment variable STI_TRUSTED_PROXIES: {address!r} is not an IP address (e.g. 127.0.0.1)"
            ) from None
    return found


def _thresholds(env: Mapping[str, str]) -> Thresholds:
    """The status thresholds from STI_STATUS_* (percent), on track never below at risk."""
    on_track = _int(env, "STI_STATUS_ON_TRACK", 100, 1, 200)
    at_risk = _int(env, "STI_STATUS_AT_RISK", 90, 1, 200)
    if at_risk > on_track:
        raise ValueError(
            f"environment variables STI_STATUS_AT_RISK ({at_risk}) must not exceed STI_STATUS_ON_TRACK ({on_track})"
        )
    return Thresholds(on_track / 100, at_risk / 100, _int(env, "STI_STATUS_DECLINE", 0, 0, 100) / 100)


def _smtp(env: Mapping[str, str]) -> MailConfig | None:
    """The mail server from STI_SMTP_URL and the other STI_SMTP_* variables; None when the URL is unset."""
    url = env.get("STI_SMTP_URL", "").strip()
    if not url:
        return None
    cafile = env.get("STI_SMTP_CA_FILE", "").strip()
    return smtp_config(
        url,
        user=env.get("STI_SMTP_USER", "").strip(),
        password=env.get("STI_SMTP_PASSWORD", ""),
        sender=env.get("STI_SMTP_FROM", ""),
        timeout=_int(env, "STI_SMTP_TIMEOUT", DEFAULT_TIMEOUT, 1, 600),
        cafile=Path(cafile).expanduser().resolve() if cafile else None,
    )


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one app instance."""

    # None: serve the data library's current version (`library_dir`, seeded with the sample on first start);
    # a directory: serve that one directory read-only (imports refused).
    data_dir: Path | None = None
    library_dir: Path = DEFAULT_LIBRARY
    cache_dir: Path = field(default_factory=_default_cache_dir)
    host: str = "127.0.0.1"
    port: int = 8050
    lang: str = "zh"
    reload_seconds: int = 30
    present_interval: int = 20
    prewarm: bool = False  # compute the usual views of a new dataset version in the background (STI_PREWARM)
    upload_max_mb: int = 20  # the largest import the upload page and `app.py import` accept (STI_UPLOAD_MAX_MB)
    # Access control (components/server/auth.py): the users file; with no users, loopback only and no login.
    users_file: Path = VAR_DIR / "users.json"
    # Signs session cookies (STI_SECRET_KEY); empty: a generated 0600 file, `secret_file`.
    secret_key: str = field(default="", repr=False)
    secret_file: Path = VAR_DIR / "secret.key"
    session_hours: int = 12  # a login lasts this long (STI_SESSION_HOURS)
    screen_days: int = 365  # a wall screen's viewing session lasts this long (STI_SCREEN_DAYS)
    idle_minutes: int = 30  # a session with no request for this long ends (STI_IDLE_MINUTES)
    secure_cookies: bool = False  # cookies only over HTTPS: set behind a TLS proxy (STI_SECURE_COOKIES=1)
    login_attempts: int = 5  # failed logins per name and address before a lockout (STI_LOGIN_ATTEMPTS)
    lockout_minutes: int = 15  # (STI_LOCKOUT_MINUTES)
    password_days: int = 0  # a password older than this must be changed at the next login; 0: no expiry
    frame_ancestors: tuple[str, ...] = ()  # origins that may embed the pages (STI_FRAME_ANCESTORS, spaces)
    # The reverse proxies in front (STI_TRUSTED_PROXIES): a request from one of them is from the address it
    # forwards (X-Forwarded-For, one hop); anyone else's forwarding headers are ignored.
    trusted_proxies: tuple[str, ...] = ()
    # Serving (make serve) and scale-out.
    workers: int = 2  # gunicorn worker processes (STI_WORKERS)
    # Redis for the result cache and Celery background jobs (STI_REDIS_URL; may hold a password); empty: diskcache.
    redis_url: str = field(default="", repr=False)
    # When a completion is on track / at risk (STI_STATUS_ON_TRACK, STI_STATUS_AT_RISK: percent, default 100
    # and 90) and how far a 同比 may fall before a KPI warns (STI_STATUS_DECLINE: percent, default 0).
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    # The bureau's own templates for the documents (STI_REPORT_TEMPLATE: a .docx; STI_PPTX_TEMPLATE: a .pptx).
    report_template: Path | None = None
    pptx_template: Path | None = None
    # The report archive (报告库): every generated document, kept STI_REPORT_KEEP_DAYS (STI_REPORT_DIR).
    report_dir: Path = VAR_DIR / "reports"
    # The security audit trail (STI_AUDIT_DIR; components/server/audit.py): by default `audit/` beside the users
    # file (var/audit), the other security state: see `audit_root`.
    audit_dir: Path | None = None
    report_keep_days: int = 365
    # The intranet's mail server for `app.py report --mail` (STI_SMTP_URL, STI_SMTP_USER, STI_SMTP_PASSWORD,
    # STI_SMTP_FROM, STI_SMTP_TIMEOUT, STI_SMTP_CA_FILE); None: no mail.
    smtp: MailConfig | None = None
    # Wall screens: saved views a screen rotates through (STI_SCREEN_VIEWS: queries separated by ';' or
    # newlines) and the time of its daily full reload (STI_SCREEN_RELOAD_AT, HH:MM; 'off': none).
    screen_views: tuple[str, ...] = ()
    screen_reload_at: str | None = "04:00"

    @property
    def audit_root(self) -> Path:
        """Where the audit trail is kept: STI_AUDIT_DIR, else `audit/` beside the users file."""
        return self.audit_dir or self.users_file.parent / "audit"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read STI_* variables (STI_DATA_DIR, STI_LIBRARY_DIR, STI_CACHE_DIR, STI_HOST, STI_PORT, STI_LANG, ...)."""
        env = os.environ if env is None else env
        lang = env.get("STI_LANG", "zh").strip() or "zh"
        if lang not in ("zh", "en"):
            raise ValueError(f"environment variable STI_LANG: {lang!r} is not 'zh' or 'en'")
        return cls(
            data_dir=Path(env["STI_DATA_DIR"]).expanduser().resolve() if env.get("STI_DATA_DIR", "").strip() else None,
            library_dir=Path(env.get("STI_LIBRARY_DIR") or DEFAULT_LIBRARY).expanduser().resolve(),
            cache_dir=Path(env.get("STI_CACHE_DIR") or _default_cache_dir()).expanduser().resolve(),
            host=env.get("STI_HOST", "127.0.0.1").strip() or "127.0.0.1",
            port=_int(env, "STI_PORT", 8050, 1, 65535),
            lang=lang,
            reload_seconds=_int(env, "STI_RELOAD_SECONDS", 30, 1, 3600),
            present_interval=_int(env, "STI_PRESENT_INTERVAL", 20, 3, 3600),
            prewarm=_int(env, "STI_PREWARM", 1, 0, 1) == 1,
            upload_max_mb=_int(env, "STI_UPLOAD_MAX_MB", 20, 1, 1024),
            users_file=_path(env, "STI_USERS_FILE", VAR_DIR / "users.json"),
            secret_key=env.get("STI_SECRET_KEY", "").strip(),
            secret_file=_path(env, "STI_SECRET_FILE", VAR_DIR / "secret.key"),
            session_hours=_int(env, "STI_SESSION_HOURS", 12, 1, 24 * 90),
            screen_days=_int(env, "STI_SCREEN_DAYS", 365, 1, 3650),
            idle_minutes=_int(env, "STI_IDLE_MINUTES", 30, 1, 24 * 60),
            secure_cookies=_int(env, "STI_SECURE_COOKIES", 0, 0, 1) == 1,
            login_attempts=_int(env, "STI_LOGIN_ATTEMPTS", 5, 1, 100),
            lockout_minutes=_int(env, "STI_LOCKOUT_MINUTES", 15, 1, 1440),
            password_days=_int(env, "STI_PASSWORD_DAYS", 0, 0, 3650),
            frame_ancestors=_origins(env.get("STI_FRAME_ANCESTORS", "")),
            trusted_proxies=_proxies(env.get("STI_TRUSTED_PROXIES", "")),
            workers=_int(env, "STI_WORKERS", 2, 1, 64),
            redis_url=env.get("STI_REDIS_URL", "").strip(),
            thresholds=_thresholds(env),
            report_template=_template(env, "STI_REPORT_TEMPLATE", ".docx"),
            pptx_template=_template(env, "STI_PPTX_TEMPLATE", ".pptx"),
            report_dir=_path(env, "STI_REPORT_DIR", VAR_DIR / "reports"),
            audit_dir=_path(env, "STI_AUDIT_DIR", VAR_DIR / "audit") if env.get("STI_AUDIT_DIR", "").strip() else None,
            report_keep_days=_int(env, "STI_REPORT_KEEP_DAYS", 365, 1, 3650),
            smtp=_smtp(env),
            screen_views=_screen(env, "STI_SCREEN_VIEWS", parse_views, ""),
            screen_reload_at=_screen(env, "STI_SCREEN_RELOAD_AT", parse_reload_at, "04:00"),
        )


def _screen(env: Mapping[str, str], key: str, parse: Callable[[str], T], default: str) -> T:
    """A wall screen's setting `key` parsed (`default` when unset); ValueError naming the variable when bad."""
    raw = env.get(key)
    try:
        return parse(default if raw is None else raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {key}: {exc}") from exc


def _template(env: Mapping[str, str], key: str, suffix: str) -> Path | None:
    """A template file named by `key` (None when unset); ValueError when it is not a readable `suffix` file."""
    raw = env.get(key, "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser().resolve()
    if path.suffix.lower() != suffix or not path.is_file() or not os.access(path, os.R_OK):
        raise ValueError(f"environment variable {key}: {raw!r} is not a readable {suffix} file")
    return path
