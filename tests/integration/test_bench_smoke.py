"""A short run of every benchmark (`python -m bench <mode> --smoke`, one test per mode): the harness works.

Nothing here is timed against a target (speed lives in `make bench` and the README); the checks are that
each mode ran against the real apps (gunicorn, Chromium), answered without errors, and reported numbers.
"""

from __future__ import annotations

import re
import subprocess
import sys

from components.server.settings import ROOT

NUMBER = r"[0-9]+(?:\.[0-9]+)?"


def _rows(report: str, section: str) -> dict[str, list[str]]:
    """The Markdown table rows of one `## section` of the report, by their first cell."""
    part = report.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split("|") for line in part.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): [c.strip() for c in cells[1:]] for cells in rows if not cells[0].strip().startswith("-")}


def _smoke(mode: str) -> str:
    """`python -m bench <mode> --smoke`: its report (the test fails with the stderr tail if it did not finish)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench", mode, "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith(f"## {mode}\n"), done.stdout[:200]
    return done.stdout


# One test per mode, so the suite's workers run them side by side (the modes share nothing).


def test_the_server_benchmark_runs_briefly() -> None:
    report = _smoke("server")
    server = _rows(report, "server")
    assert {"overview + patents", "overview + seismic"} <= set(server), server
    for cells in server.values():
        if cells[0] != "cold p50 ms":
            assert all(re.fullmatch(NUMBER, c) for c in cells), cells
    assert "naive Dash app (its one callback)" in server, "the server mode's baseline is missing"
    assert re.search(r"the dashboard answers " + NUMBER + "× faster than the naive app", report)


def test_the_browser_benchmark_runs_briefly() -> None:
    report = _smoke("browser")
    browser = _rows(report, "browser")
    for app in ("this dashboard", "naive Dash app"):
        cells = browser[app]
        assert all(re.fullmatch(NUMBER, c) for c in cells), cells
        assert float(cells[2]) >= 1, f"{app}: no chart redrawn per filter change"
        assert float(cells[3]) > 100, f"{app}: first load of {cells[3]} KiB cannot be the whole page"
    assert re.search(r"Ratio \(p50\): the dashboard is " + NUMBER + "×", report)


def test_the_throughput_benchmark_runs_briefly() -> None:
    load = _rows(_smoke("throughput"), "throughput")
    for app in ("this dashboard", "naive Dash app"):
        changes, errors = load[app][1:3]
        assert int(changes) > 0, load[app]
        assert int(errors) == 0, f"{app}: {errors} errors under load"


def test_the_lighthouse_benchmark_runs_briefly() -> None:
    rows = _rows(_smoke("lighthouse"), "lighthouse")  # the smoke run scores the dashboard only, desk and phone
    for name in ("this dashboard", "this dashboard (mobile)"):
        cells = rows[name]
        assert all(re.fullmatch(NUMBER, c) for c in cells), cells
        assert 0 < float(cells[0]) <= 100, cells
        assert float(cells[1]) >= 95, f"{name}: accessibility score {cells[1]}"


def test_the_monthly_benchmark_runs_briefly() -> None:
    report = _smoke("monthly")  # the smoke run: the monthly dataset at its tiny size, no sample column
    rows = _rows(report, "monthly")
    for label in (
        "browser: change p50 ms",
        "browser: change p95 ms",
        "slowest single change, all runs, ms",
        "`app.py check DIR` s",
    ):
        assert re.fullmatch(NUMBER, rows[label][0]), (label, rows[label])
    for label in ("as a browser sends it", "every chart of the tab answered"):
        assert re.fullmatch(rf"{NUMBER} / {NUMBER}", rows[f"server: change warm p50 / p95 ms, {label}"][0])
    assert re.fullmatch(rf"{NUMBER}×; {NUMBER}×", rows["ratio to the naive peer (p50; p95)"][0])
    assert all(float(r) > 50 for r in rows["product worker RSS after load MiB (each)"][0].split(" / "))
    assert re.search(r"\((period|basis|districts)\)", rows["browser, first run: slowest change ms (what moved)"][0])
    assert "Goals missed (monthly): " in report
