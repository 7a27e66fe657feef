"""The unit tier starts no process, server or browser: a test here that tries fails at once and says where it
belongs (tests/integration or tests/browser)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest


class ProcessStartedError(AssertionError):
    """A unit test started a process."""


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Any, args: Any, *rest: Any, **kwargs: Any) -> None:
        raise ProcessStartedError(f"a unit test started {args!r}: move it to tests/integration (or tests/browser)")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
