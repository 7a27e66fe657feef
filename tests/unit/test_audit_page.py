"""The audit trail's page for administrators (/audit) and its CSV, through the real app: who may see it, the
filters, the chain's state, and the CSV against the csv module reading it back."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from appsettings import PASSWORD, settings_in

from app import create_app
from components.server.audit import ZONE, Trail
from components.server.users import UserStore


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("auditpage")
    store = UserStore(tmp / "users.json")
    store.add("adam", "admin", PASSWORD)
    store.add("ann", "analyst", PASSWORD)
    trail = Trail(tmp / "audit")
    for day, user, action, result, obj in (
        (1, "ann", "login", "ok", ""),
        (2, "ann", "export", "ok", "/export/data.csv?year=2012"),
        (3, "mallory", "login", "failed", ""),
        (4, "ann", "refused", "403", "POST /library/publish"),
        (5, "ann", "export", "ok", '=HYPERLINK("http://x")'),  # a name a spreadsheet would run
    ):
        trail.append(
            action, user=user, address="10.0.0.7", obj=obj, result=result, when=datetime(2026, 11, day, 9, tzinfo=ZONE)
        )
    return create_app(settings_in(tmp)), trail


def _client(app, name: str):
    client = app.server.test_client()
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token}).status_code == 303
    return client


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr class="[^"]*" data-action="([^"]+)">', page)


def test_only_an_administrator_sees_the_trail(served) -> None:
    app, _ = served
    analyst = _client(app, "ann")
    assert analyst.get("/audit").status_code == 403
    assert analyst.get("/audit.csv").status_code == 403
    assert app.server.test_client().get("/audit").status_code == 302  # to the login


def test_the_page_filters_newest_first(served) -> None:
    app, _ = served
    admin = _client(app, "adam")
    page = admin.get("/audit?since=2026-11-02&until=2026-11-04&user=ann").data.decode()
    assert _rows(page) == ["refused", "export"]  # 4 Nov, then 2 Nov
    assert "审计链完整" in page
    assert 'href="/audit?lang=en&amp;since=2026-11-02&amp;until=2026-11-04&amp;user=ann"' in page  # filters kept
    assert 'href="/audit.csv?lang=zh&amp;since=2026-11-02&amp;until=2026-11-04&amp;user=ann"' in page
    assert _rows(admin.get("/audit?result=!ok&until=2026-11-30").data.decode()) == ["refused", "login"]
    assert _rows(admin.get("/audit?action=exp&until=2026-11-30").data.decode()) == ["export", "export"]
    assert _rows(admin.get("/audit?since=not-a-date&user=nobody").data.decode()) == []
    assert "No record matches." in admin.get("/audit?user=nobody&lang=en").data.decode()


def test_the_csv_holds_the_filtered_records_and_no_formula(served) -> None:
    app, trail = served
    admin = _client(app, "adam")
    resp = admin.get("/audit.csv?user=ann&until=2026-11-30")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/csv")
    text = resp.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    expected = [json.loads(line) for _, _, line in trail.lines()]
    expected = [r for r in expected if r["user"] == "ann" and r["time"] < "2026-12"]
    assert [r["hash"] for r in rows] == [r["hash"] for r in expected]
    assert [r["object"] for r in rows][-1] == '\'=HYPERLINK("http://x")'
    downloads = [r for r in trail.records(action="export") if r["object"].startswith("/audit.csv")]
    assert downloads[-1]["user"] == "adam"  # taking the trail out is itself recorded


def test_a_broken_chain_is_shown(served, tmp_path: Path) -> None:
    app, trail = served
    first = trail.files()[0]
    original = first.read_text(encoding="utf-8")
    try:
        first.write_text(original.replace("mallory", "nobody1"), encoding="utf-8")
        page = _client(app, "adam").get("/audit").data.decode()
        assert 'class="alert alert-danger"' in page
        assert "审计链断裂" in page
        assert first.name in page
    finally:
        first.write_text(original, encoding="utf-8")
