"""A publish while a real gunicorn with two workers serves the data library.

Pages are played the way a browser does (the layout, then the section callback carrying the page's
version) throughout the publish. Every worker (told apart by the pid on /healthz) moves to the new version
within the recheck time, and no page ever gets numbers of a version other than its own: a stale page's
request is answered 409 (the browser then reloads the whole page), never with the other version's numbers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from gunicorn_helpers import gunicorn, health, request

from bench import SECTIONS_OUTPUT, Page
from components.server.settings import ROOT, SAMPLE_DIR

RECHECK = 2  # STI_RELOAD_SECONDS of the served app
OLD, NEW = "73,647", "75,000"  # the city's 2012 patent applications in each version (KPI text)


def _version_of(layout: object) -> str:
    text = json.dumps(layout)
    key = '"data-version": "'
    start = text.index(key) + len(key)
    return text[start : start + 12]


@pytest.fixture
def served(tmp_path: Path):
    with gunicorn(tmp_path, STI_RELOAD_SECONDS=str(RECHECK)) as running:
        yield running


def _edited(tmp_path: Path) -> Path:
    dest = tmp_path / "edited"
    shutil.copytree(SAMPLE_DIR, dest)
    obs = dest / "observations.csv"
    obs.write_text(
        obs.read_text("utf-8").replace("patent_applications,330203,2012,4108", "patent_applications,330203,2012,5461")
    )
    return dest


def test_every_worker_moves_to_a_published_version_and_no_page_mixes_two(served, tmp_path: Path) -> None:
    base, env = served
    get = lambda path, query="": json.loads(  # noqa: E731
        request(base + path, headers={"Referer": f"{base}/{query}"} if query else {})[1]
    )
    template = Page.load(get, "?year=2012")
    dep = template.callback(SECTIONS_OUTPUT)
    values = {
        ("filter-year", "value"): 2012,
        ("filter-districts", "value"): [],
        ("page-config", "data"): {"lang": "zh", "theme": "light"},
    }
    body = template.body(dep, values, changed="filter-districts.value")

    seen: dict[int, str] = {}
    deadline = time.monotonic() + 30
    while len(seen) < 2 and time.monotonic() < deadline:
        h = health(base)
        if h:
            seen[h["pid"]] = h["version"]
    assert len(seen) == 2, f"both workers answer /healthz: {seen}"
    old_version = next(iter(seen.values()))
    assert set(seen.values()) == {old_version}

    pages: list[tuple[str, list[tuple[int, str]]]] = []  # (page version, [(status, numbers seen)])
    stop = threading.Event()

    def play() -> None:
        while not stop.is_set():
            status, data, _ = request(base + "/_dash-layout", headers={"Referer": f"{base}/?year=2012"})
            version = _version_of(json.loads(data))
            answers = []
            for _ in range(3):
                status, data, headers = request(base + "/_dash-update-component", body, {"X-STI-Version": version})
                text = data.decode("utf-8", "replace")
                found = ("old" if OLD in text else "") + ("new" if NEW in text else "")
                answers.append((status, found if status == 200 else headers.get("X-STI-Reload", "")))
            pages.append((version, answers))

    player = threading.Thread(target=play)
    player.start()
    try:
        time.sleep(1.0)
        done = subprocess.run(
            [sys.executable, "app.py", "import", str(_edited(tmp_path)), "--publish", "--user", "ci"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        published = time.monotonic()
        assert done.returncode == 0, done.stdout + done.stderr
        new_version = next(w for w in done.stdout.split() if len(w) == 12 and w != old_version and w.isalnum())
        moved: dict[int, float] = {}
        while len(moved) < 2 and time.monotonic() - published < RECHECK + 5:
            h = health(base)
            if h and h["version"] == new_version and h["pid"] in seen:
                moved.setdefault(h["pid"], time.monotonic() - published)
        time.sleep(0.5)
    finally:
        stop.set()
        player.join(60)

    assert set(moved) == set(seen), f"workers that moved: {moved}, workers: {list(seen)}"
    assert max(moved.values()) <= RECHECK + 1.0, moved  # within the recheck time (and a request's margin)
    versions = {v for v, _ in pages}
    assert versions == {old_version, new_version}, versions
    for version, answers in pages:
        for status, found in answers:
            if status == 200:
                assert found == ("old" if version == old_version else "new"), (version, status, found)
            else:
                assert (status, found, version) == (409, "1", old_version)
    assert any(s == 200 for v, a in pages if v == new_version for s, _ in a)
    stale = sum(1 for _, a in pages for s, _ in a if s == 409)
    print(f"{len(pages)} pages, {stale} stale answers (409), workers moved after {sorted(moved.values())} s")
