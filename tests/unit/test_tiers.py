"""The unit tier's guard (tests/unit/conftest.py) refuses a process, so no slow test hides in the fast tier."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_a_unit_test_cannot_start_a_process() -> None:
    with pytest.raises(AssertionError, match=r"a unit test started .* move it to tests/integration"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)
