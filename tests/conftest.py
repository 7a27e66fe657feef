"""Shared fixtures of every tier: the sample dataset, a private copy of it, apps on a tmp cache (a fresh one per test,
or one on the sample shared by the tests that only read from it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.server.settings import SAMPLE_DIR, Settings
from data.library.versions import Library
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


@pytest.fixture(scope="session")
def sample_app(tmp_path_factory: pytest.TempPathFactory):
    """One real app on data/sample for the whole session (per xdist worker), for tests that only read from it:
    building an app costs more than most of the tests that use one. A test that changes an app's state (users,
    lockouts, its dataset, its cache) builds its own with `make_app`."""
    from app import create_app

    tmp = tmp_path_factory.mktemp("sample-app")
    return create_app(
        Settings(
            data_dir=SAMPLE_DIR,
            cache_dir=tmp / "cache",
            users_file=tmp / "users.json",  # nobody set up: the loopback no-login default
            secret_file=tmp / "secret.key",
        )
    )


_TIER_ORDER = {"integration": 0, "browser": 1, "unit": 2}
_FIRST = ("test_bench_smoke.py",)  # one test of minutes: started first, it is not the run's tail


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first, for xdist's scheduler (`make test` runs every tier at once): the integration tier's long
    process tests, then the browser tier, then the many short unit tests that fill the workers' last minutes.
    The order within a file is kept."""
    tests = Path(__file__).resolve().parent

    def rank(item: pytest.Item) -> tuple[int, int]:
        tier = item.path.relative_to(tests).parts[0] if tests in item.path.parents else ""
        return (0 if item.path.name in _FIRST else 1, _TIER_ORDER.get(tier, 3))

    items.sort(key=rank)  # stable: every worker collects the same order


@pytest.fixture
def library(tmp_path: Path) -> Library:
    """A data library in a temporary directory, seeded with the sample."""
    lib = Library(tmp_path / "library")
    lib.seed(SAMPLE_DIR)
    return lib
