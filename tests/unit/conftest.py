"""Shared fixtures for unit tests: the sample dataset, a private copy of it, and an app on a tmp cache."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.server.settings import SAMPLE_DIR, Settings
from data.load import Dataset, load_dataset


@pytest.fixture(scope="session")
def sample() -> Dataset:
    """The bundled sample dataset (read-only: never mutate its frames)."""
    return load_dataset(SAMPLE_DIR)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample dataset directory."""
    dest = tmp_path / "dataset"
    shutil.copytree(SAMPLE_DIR, dest)
    return dest


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator:
    """Factory: a real app (real diskcache directory under tmp_path) on a dataset directory."""
    from app import create_app

    def make(data_dir: Path = SAMPLE_DIR, reload_seconds: int = 30):
        settings = Settings(
            data_dir=data_dir,
            cache_dir=tmp_path / "cache",
            reload_seconds=reload_seconds,
            users_file=tmp_path / "users.json",  # nobody set up: the loopback no-login default
            secret_file=tmp_path / "secret.key",
        )
        return create_app(settings)

    return make
