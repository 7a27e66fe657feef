"""Application settings: one frozen object built from the environment at app creation."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
DEFAULT_LIBRARY = ROOT / "var" / "library"


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
        )
