"""The app under a real gunicorn with two workers sharing one real diskcache directory."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from gunicorn_helpers import gunicorn as serve
from gunicorn_helpers import request

from bench import SECTIONS_OUTPUT, Page


def _post(url: str, body: dict) -> tuple[int, bytes]:
    status, data, _ = request(url, body)
    return status, data


@pytest.fixture
def gunicorn(tmp_path: Path):
    with serve(tmp_path) as (base, _):
        yield base, tmp_path / "cache"


def test_two_workers_share_the_cache_and_reject_crafted_requests(gunicorn) -> None:
    base, cache_dir = gunicorn
    health = json.loads(urllib.request.urlopen(base + "/healthz", timeout=10).read())
    assert health["status"] == "ok"
    page = Page.load(lambda path: json.loads(urllib.request.urlopen(base + path, timeout=10).read()))
    values = {
        ("filter-year", "value"): 2012,
        ("filter-districts", "value"): ["330212"],
        ("page-config", "data"): {"lang": "zh", "theme": "light"},
    }
    body = page.body(page.callback(SECTIONS_OUTPUT), values)
    answers = set()
    for _ in range(6):  # several requests: both workers answer some of them
        status, data = _post(base + "/_dash-update-component", body)
        assert status == 200
        answers.add(data)
    assert len(answers) == 1, "every worker returns the same result"
    assert any(cache_dir.iterdir()), "results land in the shared cache directory"
    assert oct(cache_dir.stat().st_mode & 0o777) == "0o700"
    bad = page.body(
        page.callback(SECTIONS_OUTPUT),
        {**values, ("filter-year", "value"): {"$ne": 1}, ("filter-districts", "value"): "x" * 1000},
    )
    assert _post(base + "/_dash-update-component", bad)[0] == 200
    status, data = _post(base + "/_dash-update-component", {"output": "nope"})
    assert status == 400
    assert b"Traceback" not in data
