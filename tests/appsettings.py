"""Test helper: the app's settings with all its state (library, cache, users, secret, and so the audit trail
beside the users file) in one temporary directory, and the password the tests' users share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from components.server.settings import Settings

PASSWORD = "correct horse 1"


def settings_in(tmp_path: Path, **kw: Any) -> Settings:
    """Settings keeping everything under `tmp_path`; `kw` overrides any field."""
    base = {
        "library_dir": tmp_path / "library",
        "cache_dir": tmp_path / "cache",
        "users_file": tmp_path / "users.json",
        "secret_file": tmp_path / "secret.key",
    }
    return Settings(**{**base, **kw})
