"""The code fingerprint in every cache key covers every module and asset (it once globbed `components/*.py` and
`data/*.py` only, so a change in `components/sections/` kept serving results cached by the older code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.server.services import code_fingerprint
from components.server.settings import ROOT

FILES = (
    "components/page/layout.py",
    "components/sections/patents.py",
    "components/charts/figures.py",
    "data/load.py",
    "data/library/store.py",
    "assets/app.js",
    "assets/app.css",
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in FILES:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {name}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", FILES)
def test_a_change_anywhere_in_the_code_or_assets_changes_the_fingerprint(tree: Path, name: str) -> None:
    before = code_fingerprint(tree)
    (tree / name).write_text("# changed\n", encoding="utf-8")
    assert code_fingerprint(tree) != before


def test_a_new_module_deep_in_a_package_changes_the_fingerprint(tree: Path) -> None:
    before = code_fingerprint(tree)
    (tree / "components/sections/new_section.py").write_text("X = 1\n", encoding="utf-8")
    assert code_fingerprint(tree) != before


def test_a_moved_module_changes_the_fingerprint(tree: Path) -> None:
    before = code_fingerprint(tree)
    (tree / "components/charts/figures.py").rename(tree / "components/sections/figures.py")
    assert code_fingerprint(tree) != before


def test_the_fingerprint_is_stable_and_ignores_bytecode(tree: Path) -> None:
    before = code_fingerprint(tree)
    cache = tree / "components/sections/__pycache__"
    cache.mkdir()
    (cache / "patents.cpython-311.pyc").write_bytes(b"\0\1")
    assert code_fingerprint(tree) == before
    assert len(before) == 10


def test_the_project_fingerprint_reads_every_package() -> None:
    """The real tree: every package folder under components/ and data/ holds a module the hash reads."""
    packages = {p.parent for top in ("components", "data") for p in (ROOT / top).rglob("__init__.py")}
    assert ROOT / "components" / "sections" in packages
    assert len(code_fingerprint(ROOT)) == 10
