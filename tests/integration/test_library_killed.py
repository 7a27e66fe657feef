"""A publish to the data library killed midway by SIGKILL, in a real process: the served version survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from components.server.settings import ROOT
from data.library.versions import Library
from data.load import load_dataset
from data.source import DirectorySource

FIXTURES = ROOT / "tests" / "fixtures"


_PUBLISH = """
import sys
from data.library.versions import Library
from data.source import DirectorySource
src = DirectorySource(sys.argv[2])
files = {n: src.raw(n) for n in sys.argv[3:]}
files = {n: d for n, d in files.items() if d is not None}
Library(sys.argv[1]).publish(files, source="big")
"""


def test_a_publish_killed_midway_leaves_the_served_version_intact(library: Library, tmp_path: Path) -> None:
    """A real process publishing the large fixture is SIGKILLed as soon as it has started writing the new
    version; the pointer still names the old version, which loads; the next publish clears the leftovers."""
    before = library.current()
    big = FIXTURES / "large"
    names = [p.name for p in big.iterdir()]
    proc = subprocess.Popen(
        [sys.executable, "-c", _PUBLISH, str(library.root), str(big), *names],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    staging = library.root / "staging"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if staging.is_dir() and any(any(d.iterdir()) for d in staging.iterdir() if d.is_dir()):
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL, "the publish finished before it could be killed"
    assert library.current() == before
    assert load_dataset(library.source()).version == before
    assert [v.hash for v in library.versions()] == [before]
    assert list(staging.iterdir()), "the kill left nothing half-written (it came too late to test anything)"
    minimal = DirectorySource(FIXTURES / "minimal")
    files = {n: minimal.raw(n) for n in ("dataset.json", "districts.csv", "indicators.csv", "observations.csv")}
    info = library.publish(files, source="minimal")
    assert library.current() == info.hash
    assert [p.name for p in staging.iterdir()] == []  # the killed publish's leftovers are gone
