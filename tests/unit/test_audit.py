"""The security audit trail (issue 25, item 1): a scripted session through the real app produces its records
with user and address; the chain verifies, and stops verifying when a line is edited, removed or swapped; two
processes appending at once keep one chain; the command line records the OS user, never a typed name."""

from __future__ import annotations

import getpass
import io
import json
import multiprocessing
import re
import sys
import zipfile
from pathlib import Path

import pytest
from appsettings import PASSWORD, settings_in

from app import create_app
from components.core import ids
from components.server.audit import GENESIS, Trail, seal, verify_lines
from components.server.auth import export_started
from components.server.cli import main
from components.server.users import UserStore
from data.library.versions import Library

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _token(page: str, name: str = "csrf_token") -> str:
    found = re.search(rf'name="{name}" (?:value|content)="([^"]+)"', page)
    assert found, f"no {name} on the page"
    return found.group(1)


def _client_from(tmp_path: Path, name: str, role: str, address: str):
    """A test client of a new app whose one user is `name`, its requests coming from `address`."""
    UserStore(tmp_path / "users.json").add(name, role, PASSWORD)
    c = create_app(settings_in(tmp_path)).server.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def _rows(tmp_path: Path) -> list[tuple[str, str, str, str, str]]:
    """The trail's records as (action, user, role, address, result)."""
    return [(r["action"], r["user"], r["role"], r["address"], r["result"]) for r in Trail(tmp_path / "audit").records()]


def test_a_scripted_session_leaves_exactly_its_records(tmp_path: Path) -> None:
    c = _client_from(tmp_path, "ann", "analyst", "10.1.2.3")
    form = _token(c.get("/login").data.decode())
    assert c.post("/login", data={"username": "ann", "password": "wrong", "csrf_token": form}).status_code == 401
    assert c.post("/login", data={"username": "ann", "password": PASSWORD, "csrf_token": form}).status_code == 303
    assert c.get("/export/data.csv?year=2012").status_code == 200
    assert c.post("/library/rollback", data={"csrf_token": _token(c.get("/library").data.decode())}).status_code == 403
    meta = _token(c.get("/").data.decode(), "sti-csrf")
    assert c.post("/logout", data={"csrf_token": meta}).status_code == 303
    records = Trail(tmp_path / "audit").records()
    assert _rows(tmp_path) == [
        ("login", "ann", "", "10.1.2.3", "failed"),
        ("login", "ann", "analyst", "10.1.2.3", "ok"),
        ("export", "ann", "analyst", "10.1.2.3", "ok"),
        ("refused", "ann", "analyst", "10.1.2.3", "403"),
        ("logout", "ann", "analyst", "10.1.2.3", "ok"),
    ]
    assert records[2]["object"] == "/export/data.csv?year=2012"
    assert records[3]["object"] == "POST /library/rollback"
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", r["time"]) for r in records)
    assert Trail(tmp_path / "audit").verify() is None


def test_an_administrator_s_scripted_session_leaves_exactly_its_records(tmp_path: Path) -> None:
    """The issue's script: login, export, publish (after its preview), rollback, logout; from one address."""
    c = _client_from(tmp_path, "adam", "admin", "10.1.2.4")
    form = _token(c.get("/login").data.decode())
    assert c.post("/login", data={"username": "adam", "password": PASSWORD, "csrf_token": form}).status_code == 303
    assert c.get("/export/data.xlsx?year=2011").status_code == 200
    library = Library(tmp_path / "library")
    first = library.current()
    csrf = _token(c.get("/library").data.decode())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted((FIXTURES / "minimal").iterdir()):
            zf.write(p, f"minimal/{p.name}")
    upload = {"csrf_token": csrf, "files": [(io.BytesIO(buf.getvalue()), "minimal.zip")]}
    staged = _token(c.post("/library/preview", data=upload, content_type="multipart/form-data").data.decode(), "token")
    assert c.post("/library/publish", data={"csrf_token": csrf, "token": staged}).status_code == 303
    published = library.current()
    assert c.post("/library/rollback", data={"csrf_token": csrf, "version": first}).status_code == 303
    assert library.current() == first
    assert c.post("/logout", data={"csrf_token": _token(c.get("/").data.decode(), "sti-csrf")}).status_code == 303
    records = Trail(tmp_path / "audit").records()
    assert _rows(tmp_path) == [
        ("login", "adam", "admin", "10.1.2.4", "ok"),
        ("export", "adam", "admin", "10.1.2.4", "ok"),
        ("import.preview", "adam", "admin", "10.1.2.4", "ok"),
        ("import.publish", "adam", "admin", "10.1.2.4", "ok"),
        ("import.rollback", "adam", "admin", "10.1.2.4", "ok"),
        ("logout", "adam", "admin", "10.1.2.4", "ok"),
    ]
    assert records[1]["object"] == "/export/data.xlsx?year=2011"
    assert "minimal.zip" in records[2]["object"]
    assert published[:12] in records[3]["object"]
    assert first[:12] in records[4]["object"]
    assert Trail(tmp_path / "audit").verify() is None


def _trail_with(tmp_path: Path, n: int = 5) -> Path:
    trail = Trail(tmp_path / "audit")
    for i in range(n):
        trail.append("export", user=f"u{i}", address="127.0.0.1", obj=f"/export/data.csv?n={i}")
    (path,) = trail.files()
    return path


def _cli(*args: str, monkeypatch, capsys) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("damage", ["edit", "delete", "swap", "delete_first", "insert"])
def test_verify_names_the_first_broken_record(tmp_path: Path, monkeypatch, capsys, damage: str) -> None:
    path = _trail_with(tmp_path)
    monkeypatch.setenv("STI_AUDIT_DIR", str(tmp_path / "audit"))
    monkeypatch.setenv("STI_USERS_FILE", str(tmp_path / "users.json"))
    code, out, _ = _cli("audit", "verify", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0
    assert "intact, 5 record(s)" in out
    lines = path.read_text(encoding="utf-8").splitlines()
    if damage == "edit":
        lines[2] = lines[2].replace('"u2"', '"someone"')
    elif damage == "delete":
        del lines[2]
    elif damage == "swap":
        lines[2], lines[3] = lines[3], lines[2]
    elif damage == "delete_first":
        del lines[0]
    else:  # a forged record, sealed correctly but chained to nothing before it
        forged = {"time": "2026-12-06T10:00:00+08:00", "user": "x", "action": "login", "prev": GENESIS}
        forged["hash"] = seal(forged, GENESIS)
        lines.insert(3, json.dumps(forged))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = _cli("audit", "verify", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1
    line = {"edit": 3, "delete": 3, "swap": 3, "delete_first": 1, "insert": 4}[damage]
    assert f"BROKEN at {path.name}:{line}:" in err


def _append_many(root: str, who: str, n: int) -> None:
    trail = Trail(Path(root))
    for i in range(n):
        trail.append("export", user=who, obj=str(i))


def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_append_many, args=(str(tmp_path / "audit"), f"w{k}", 150)) for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    trail = Trail(tmp_path / "audit")
    assert len(trail.records()) == 300
    assert trail.verify() is None


def test_verify_lines_is_pure() -> None:
    first = {"time": "t", "action": "a"}
    first["hash"] = seal(first, GENESIS)
    first["prev"] = GENESIS
    assert verify_lines([("f", 1, json.dumps(first))], GENESIS) is None
    assert "not a record" in str(verify_lines([("f", 1, "{nope")], GENESIS))


def test_the_command_line_records_the_os_user_never_a_typed_one(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("STI_AUDIT_DIR", str(tmp_path / "audit"))
    monkeypatch.setenv("STI_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.setenv("STI_LIBRARY_DIR", str(tmp_path / "library"))
    monkeypatch.setenv("STI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "li.wei", "--role", "analyst"]) == 0
    assert main(["rollback", "ffffffff", "--user", "web:viewer1"]) != 0
    capsys.readouterr()
    code, out, _ = _cli("audit", "show", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0
    records = Trail(tmp_path / "audit").records()
    assert [r["action"] for r in records] == ["user.add", "import.rollback"]
    assert {r["user"] for r in records} == {f"os:{getpass.getuser()}"}
    assert records[1]["result"].startswith("refused")
    assert "(--user web:viewer1)" in records[1]["object"]
    assert out.count("\n") == 2
    assert "user.add li.wei (analyst)" in out


def test_the_page_s_document_job_is_recorded_at_its_start_only() -> None:
    """The PPTX/Word/PDF of the page's menu come back inside a callback (a background job), not as a download:
    the request that starts the job names the button and the view; its polls (cacheKey) and other callbacks none."""
    body = {
        "output": f"..{ids.EXPORT_DOWNLOAD}.data...{ids.EXPORT_ERROR}.children..",
        "changedPropIds": [f"{ids.EXPORT_DOCX}.n_clicks"],
        "inputs": [{"id": ids.EXPORT_DOCX, "property": "n_clicks", "value": 1}],
        "state": [
            {"id": ids.FILTER_YEAR, "property": "value", "value": 2012},
            {"id": ids.FILTER_DISTRICTS, "property": "value", "value": ["d01", "d02"]},
            {"id": ids.FILTER_PERIOD, "property": "value", "value": "M11"},
        ],
    }
    started = export_started(body)
    assert (
        started
        == f"{ids.EXPORT_DOCX}.n_clicks {ids.FILTER_YEAR}=2012 {ids.FILTER_DISTRICTS}=d01,d02 {ids.FILTER_PERIOD}=M11"
    )
    assert export_started({**body, "output": "sections-content.children"}) is None
    assert export_started("not a body") is None
    assert export_started({**body, "state": "x", "inputs": None}) == f"{ids.EXPORT_DOCX}.n_clicks"
