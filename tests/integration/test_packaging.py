"""The wheel built from the project holds every package, template and the sample (pyproject.toml once listed
the two top packages only: `components.sections`, `components/web/*.html` and `data/sample` were missing)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def expected_files() -> set[str]:
    """Every module, template and sample file the app needs, as paths inside the wheel (found by walking the
    checkout, not from the packaging configuration)."""
    out = {"app.py"}
    for top in ("components", "data"):
        for path in (ROOT / top).rglob("*"):
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and path.suffix in {".py", ".html", ".js", ".csv", ".json"}
            ):
                out.add(path.relative_to(ROOT).as_posix())
    return out


def test_the_wheel_contains_every_package_template_and_the_sample(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("sti_dashboard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = expected_files()
    assert "components/sections/patents.py" in wanted
    assert "data/sample/observations.csv" in wanted
    assert "components/server/web/login.html" in wanted
    missing = sorted(wanted - names)
    assert not missing, missing[:20]
