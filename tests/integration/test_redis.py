"""Two app instances behind one Redis: a real redis-server, ONE shared data library, TWO gunicorns (two workers
each) with STI_REDIS_URL, and a real Celery worker (`celery -A app:celery_app worker`, what `make worker` runs).

Both instances serve the same dataset version; an export started through instance A completes on the worker and
its result is fetched through instance B; a publish is served by both within the recheck time; with Redis killed
every callback still answers 200 with the right numbers, and once Redis is back the cache fills and hits again.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gunicorn_helpers import gunicorn, health, request
from redis_helpers import background_call, celery_worker, dash_config, redis_server

from bench import SECTIONS_OUTPUT, Page
from components.server.cache import RETRY_SECONDS
from components.server.settings import ROOT

RECHECK = 2  # STI_RELOAD_SECONDS of both instances
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"  # the smallest dataset: the export renders few charts
BEFORE, AFTER = "2,470", "2,570"  # the city's 2020 patent applications before and after the publish (KPI text)


def _publish(source: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "app.py", "import", str(source), "--publish", "--user", "ci"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.split("→")[1].split()[0]  # "版本：OLD → NEW"


def _edited(tmp_path: Path) -> Path:
    dest = tmp_path / "edited"
    shutil.copytree(MINIMAL, dest)
    obs = dest / "observations.csv"
    obs.write_text(obs.read_text("utf-8").replace("339901,2020,1200", "339901,2020,1300"), encoding="utf-8")
    return dest


def _decoded(data: bytes | str) -> object:
    """A callback answer as plain objects, JSON nested in strings decoded too (the page painter's payload), so
    answers compare by content: processes order some component props differently."""

    def walk(value: object) -> object:
        if isinstance(value, str) and value[:1] in "[{":
            try:
                return walk(json.loads(value))
            except ValueError:
                return value
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(json.loads(data))


def _json_post(base: str):
    def post(path: str, body: dict) -> tuple[int, dict | None]:
        status, data, _ = request(base + path, body)
        return status, (json.loads(data) if data else None)

    return post


def _sections_body(base: str) -> dict:
    page = Page.load(lambda path, query="": json.loads(request(base + path)[1]))
    values = {
        ("filter-year", "value"): 2020,
        ("filter-districts", "value"): [],
        ("page-config", "data"): {"lang": "zh", "theme": "light"},
    }
    return page.body(page.callback(SECTIONS_OUTPUT), values, changed="filter-districts.value")


def _export_body(base: str) -> dict:
    page = Page.load(lambda path, query="": json.loads(request(base + path)[1]))
    values = {
        ("export-button", "n_clicks"): 1,
        ("filter-year", "value"): 2020,
        ("filter-districts", "value"): [],
        ("page-config", "data"): {"lang": "zh", "theme": "light"},
    }
    return page.body(page.callback("export-download.data"), values, changed="export-button.n_clicks")


def _wait_for_version(bases: list[str], version: str, within: float) -> float:
    began = time.monotonic()
    while time.monotonic() - began < within:
        if all((health(b) or {}).get("version") == version for b in bases):
            return time.monotonic() - began
        time.sleep(0.1)
    pytest.fail(f"not every instance serves {version} within {within} s: {[health(b) for b in bases]}")


def test_two_instances_share_jobs_cache_and_library_through_redis(tmp_path: Path) -> None:
    import redis as redis_client

    library = tmp_path / "library"
    with redis_server(tmp_path / "redis") as redis:
        env = {
            "STI_LIBRARY_DIR": str(library),
            "STI_REDIS_URL": redis.url,
            "STI_RELOAD_SECONDS": str(RECHECK),
            "STI_PREWARM": "0",
            "NO_PROXY": "*",
            # What every instance behind one load balancer shares: the key that signs sessions and job handles,
            # and who may log in.
            "STI_SECRET_KEY": "one-key-for-every-instance-" + "x" * 24,
            "STI_USERS_FILE": str(tmp_path / "users.json"),
            "STI_REPORT_DIR": str(tmp_path / "reports"),  # the exports' archive: this test's, not the checkout's
        }
        base_env = {**{k: v for k, v in os.environ.items() if k not in ("STI_DATA_DIR", "DASH_DEBUG")}, **env}
        first = _publish(MINIMAL, {**base_env, "STI_CACHE_DIR": str(tmp_path / "cli-cache")})
        with (
            gunicorn(tmp_path / "a", **env) as (a, env_a),
            gunicorn(tmp_path / "b", **env) as (b, _),
            celery_worker(env_a, tmp_path / "worker.log"),
        ):
            assert health(a)["version"] == health(b)["version"] == first

            # An export started through A, run by the worker, fetched through B.
            end_id = dash_config(request(a + "/")[1].decode())["end_id"]
            posts = iter([_json_post(a)])

            def post(path: str, body: dict) -> tuple[int, dict | None]:
                return next(posts, _json_post(b))(path, body)

            answer, seconds = background_call(post, end_id, _export_body(a), timeout=120)
            download = answer["response"]["export-download"]["data"]
            assert download["filename"].endswith(".pptx")
            assert base64.b64decode(download["content"])[:2] == b"PK", "a .pptx (a zip)"
            assert not answer["response"].get("export-error", {}).get("children")
            worker_log = (tmp_path / "worker.log").read_text(errors="replace")
            assert "Task background_callback_" in worker_log, "the worker ran the export"
            assert "succeeded" in worker_log
            print(f"export through A, fetched through B, in {seconds:.1f} s")

            # A publish is served by both within the recheck time.
            body = _sections_body(a)
            for base in (a, b):
                status, data, _ = request(base + "/_dash-update-component", body)
                assert status == 200
                assert BEFORE in data.decode()
            second = _publish(_edited(tmp_path), env_a)
            published = time.monotonic()
            moved = _wait_for_version([a, b], second, RECHECK + 3)
            assert moved <= RECHECK + 1.5, moved
            # /healthz answered from one worker of each instance; each worker process rechecks on its own, so
            # only once the recheck time has passed since the publish does every worker serve it.
            time.sleep(max(0.0, published + RECHECK + 0.3 - time.monotonic()))

            answers = {}
            for base in (a, b):
                status, data, _ = request(base + "/_dash-update-component", body)
                assert status == 200
                assert AFTER in data.decode()
                answers[base] = _decoded(data)
            keys = redis_client.Redis.from_url(redis.url)
            assert keys.keys("sti:*"), "results are cached in Redis under the sti: prefix"

            # Redis killed: degraded, never failing.
            redis.stop()
            for base in (a, b, a, b):
                began = time.perf_counter()
                status, data, _ = request(base + "/_dash-update-component", body)
                assert (status, _decoded(data)) == (200, answers[base]), "the same figures, without the cache"
                assert time.perf_counter() - began < 5
            assert health(a)["status"] == "ok"

            # Redis back (empty): after the back-off the cache fills and hits again.
            redis.start()
            keys = redis_client.Redis.from_url(redis.url)
            deadline = time.monotonic() + 20
            while not keys.keys("sti:*") and time.monotonic() < deadline:
                for base in (a, b):
                    status, data, _ = request(base + "/_dash-update-component", body)
                    assert (status, _decoded(data)) == (200, answers[base])
                time.sleep(0.5)
            assert keys.keys("sti:*"), "results are stored in Redis again"
            # Each worker process leaves its own back-off (RETRY_SECONDS after its last failure): a request may
            # land on one still waiting, so ask until one is answered from Redis, within the back-off and a margin.
            hits = keys.info("stats")["keyspace_hits"]
            deadline = time.monotonic() + RETRY_SECONDS + 10
            while keys.info("stats")["keyspace_hits"] <= hits and time.monotonic() < deadline:
                for base in (a, b):
                    status, data, _ = request(base + "/_dash-update-component", body)
                    assert (status, _decoded(data)) == (200, answers[base])
                time.sleep(0.2)
            assert keys.info("stats")["keyspace_hits"] > hits, "the cache hits again"
