"""The PPTX export's background job, played the way dash-renderer plays it (start, then poll with the signed
handles) against the real app: a missing Chromium and a Redis that does not answer both end in a clear message
in the page's export error area, in the page's language; never a 5xx."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from integration.redis_helpers import RedisServer, background_call, dash_config, free_port

from app import create_app
from bench import Page
from components.core import ids
from components.core.i18n import t
from components.server import jobs
from components.server.settings import ROOT, Settings

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"


def _export_body(client, lang: str) -> dict:
    page = Page.load(lambda path: client.get(path).get_json())
    values = {
        (ids.EXPORT_BUTTON, "n_clicks"): 1,
        (ids.FILTER_YEAR, "value"): 2020,
        (ids.FILTER_DISTRICTS, "value"): [],
        (ids.CONFIG, "data"): {"lang": lang, "theme": "light"},
    }
    return page.body(page.callback(f"{ids.EXPORT_DOWNLOAD}.data"), values, changed=f"{ids.EXPORT_BUTTON}.n_clicks")


def _play(app, lang: str) -> tuple[dict, float]:
    client = app.server.test_client()
    end_id = dash_config(client.get("/").get_data(as_text=True))["end_id"]

    def post(path: str, body: dict) -> tuple[int, dict | None]:
        resp = client.post(path, json=body)
        return resp.status_code, resp.get_json(silent=True)

    return background_call(post, end_id, _export_body(client, lang))


def _error_text(answer: dict) -> str:
    return json.dumps(answer["response"][ids.EXPORT_ERROR], ensure_ascii=False)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_export_without_chromium_says_so_in_the_page(tmp_path: Path, monkeypatch, lang: str) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))  # the forked job inherits it
    app = create_app(Settings(data_dir=MINIMAL, cache_dir=tmp_path / "cache", prewarm=False))
    answer, _ = _play(app, lang)
    assert t("export_no_chromium", lang) in _error_text(answer)
    assert ids.EXPORT_DOWNLOAD not in answer["response"], "no file"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_export_while_redis_is_down_says_so_in_the_page(tmp_path: Path, lang: str) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = create_app(Settings(data_dir=MINIMAL, cache_dir=tmp_path / "cache", prewarm=False, redis_url=dead))
    assert isinstance(app._background_manager, jobs.SharedJobs)
    answer, seconds = _play(app, lang)
    assert t("export_unavailable", lang) in _error_text(answer)
    assert seconds < 5, f"answered in {seconds:.1f} s"


def test_the_export_slot_is_shared_through_redis(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    try:
        first, second = jobs.RedisSlot(server.url), jobs.RedisSlot(server.url)
        assert first.acquire("a", 60) is True
        assert second.acquire("b", 60) is False, "one export at a time among every instance"
        second.release("b")  # not b's: left alone
        assert second.acquire("b", 60) is False
        first.release("a")
        assert second.acquire("b", 1) is True
        time.sleep(1.2)
        assert first.acquire("a", 60) is True, "a dead job's slot expires"
        server.stop()
        with pytest.raises(Exception, match="onnect"):
            first.acquire("a", 60)
        first.release("a")  # Redis gone: no error, the slot expires by itself
    finally:
        server.stop()
