"""The command line as an operator runs it, each a real `python app.py ...` process: `check` on the sample and
on damaged copies, `run` refusing an invalid dataset and ignoring debug switches in the environment, `user add`
with its password piped in. (The same commands in-process are in tests/unit.)"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from dash_debug import DEBUG_ENV

from components.server.settings import ROOT, SAMPLE_DIR
from data.load import Dataset

SAMPLE = SAMPLE_DIR
PASSWORD = "correct horse 1"


def run_check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "app.py", "check", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_command_valid_and_invalid(tmp_path: Path, sample_copy: Path) -> None:
    ok = subprocess.run([sys.executable, "app.py", "check", "data/sample"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout
    assert "observations.csv" in ok.stdout
    (sample_copy / "observations.csv").write_text(
        "indicator,district,year,value\nx,330212,2012,abc\n", encoding="utf-8"
    )
    bad = subprocess.run(
        [sys.executable, "app.py", "check", str(sample_copy)], cwd=ROOT, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "observations.csv:2: column 'value': 'abc' is not a number" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_run_refuses_an_invalid_dataset_without_traceback(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "app.py", "run", "--data-dir", str(tmp_path), "--port", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 1
    assert "dataset.json: file is missing" in res.stderr
    assert "Traceback" not in res.stderr


def test_app_check_accepts_the_sample(sample: Dataset) -> None:
    proc = run_check(SAMPLE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sample.version in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_app_check_reports_a_damaged_copy(tmp_path: Path) -> None:
    root = tmp_path / "damaged"
    shutil.copytree(SAMPLE, root)
    obs = root / "observations.csv"
    lines = obs.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[4].split(",")
    cells[3] = "abc"  # line 5: a value that is not a number
    lines[4] = ",".join(cells)
    obs.write_text("".join(lines), encoding="utf-8")
    ent = root / "enterprises.csv"
    text = ent.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = text[1].split(",")
    cells[4] = "galactic_enterprise"  # line 2: an unknown tier
    text[1] = ",".join(cells)
    ent.write_text("".join(text), encoding="utf-8")
    assert not filecmp.cmp(obs, SAMPLE / "observations.csv", shallow=False)

    proc = run_check(root)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out
    assert re.search(r"^observations\.csv:5: column 'value': 'abc' is not a number", out, re.MULTILINE), out
    assert re.search(r"^enterprises\.csv:2: column 'tier': 'galactic_enterprise'", out, re.MULTILINE), out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> tuple[int, str, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as resp:
            return resp.status, resp.headers.get_content_type(), resp.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), err.read().decode(errors="replace")


def test_app_py_run_ignores_debug_switches(tmp_path: Path) -> None:
    """`app.py run` with FLASK_DEBUG and DASH_DEBUG set: no Werkzeug debugger (its console and its
    resources), no reloader, no dev tools in the page."""
    port = _free_port()
    env = {**os.environ, **DEBUG_ENV, "STI_DATA_DIR": str(SAMPLE_DIR), "STI_CACHE_DIR": str(tmp_path / "c")}
    env |= {"STI_PREWARM": "0", "NO_PROXY": "*"}
    proc = subprocess.Popen(
        [sys.executable, "app.py", "run", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _fetch(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, "app.py run exited"
            assert time.monotonic() < deadline, "app.py run did not answer in 30 s"
            time.sleep(0.2)
        assert _fetch(base + "/console")[0] == 404
        _status, kind, text = _fetch(base + "/?__debugger__=yes&cmd=resource&f=debugger.js")
        assert kind == "text/html"
        assert "<html" in text
        assert '"ui":false' in text
        assert '"props_check":false' in text
        assert "hot_reload" not in text
        assert _fetch(base + "/_reload-hash")[0] in (200, 404)  # answers, never a reloader's traceback
    finally:
        os.killpg(proc.pid, 15)
        out = proc.communicate(timeout=15)[0].decode(errors="replace")
    assert "Debugger is active" not in out, out[-2000:]
    assert "Restarting with" not in out, out[-2000:]
    assert "Traceback" not in out, out[-2000:]


def test_app_py_user_add_takes_a_piped_password_and_never_prints_it(tmp_path: Path) -> None:
    env = {**os.environ, "STI_USERS_FILE": str(tmp_path / "u.json")}
    added = subprocess.run(  # the real command, its password piped in (not a terminal)
        [sys.executable, "app.py", "user", "add", "li.wei", "--role", "analyst"],
        cwd=ROOT,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    assert "added li.wei (analyst)" in added.stdout
    assert PASSWORD not in added.stdout + added.stderr
