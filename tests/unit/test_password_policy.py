"""The password policy (等保 身份鉴别): what it refuses and accepts, no reuse of the last five, and a temporary or
expired password changed before anything else, through the real app (Flask test client)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from appsettings import settings_in

from app import create_app
from components.server.audit import Trail
from components.server.users import UsersError, UserStore, password_problem

TEMPORARY = "Temporary pass 1"
MINE = "Blue kettle 47 sings"


@pytest.mark.parametrize(
    ("password", "name", "key"),
    [
        ("12345678", "vera", "pw_short"),  # the probe's three
        ("password", "vera", "pw_short"),
        ("        ", "vera", "pw_short"),
        ("            ", "vera", "pw_short"),  # twelve spaces: long, and nothing
        ("a long enough password", "vera", "pw_classes"),  # lower case and spaces: two kinds
        ("ABCDEFGHIJ12", "vera", "pw_classes"),
        ("Vera-2026-sky", "vera", "pw_name"),  # the name, in any case
        ("xVERAx2026!", "vera", "pw_name"),
        ("Password123", "vera", "pw_weak"),  # three kinds, eleven characters, and the most common pattern there is
        ("Qwerty12345!", "vera", "pw_weak"),  # a keyboard row
        ("Aaaaaaaaaa1!", "vera", "pw_weak"),  # a repetition
        ("x" * 1025, "vera", "pw_long"),
    ],
)
def test_the_policy_refuses(password: str, name: str, key: str) -> None:
    problem = password_problem(password, name) or ("accepted", {})
    assert problem[0] == key, problem


@pytest.mark.parametrize(
    "password", ["correct horse 1", MINE, "Kx7#pQ2!vL9m", "宁波科技局-Stat-2026", "Ve-ra is 1 name"]
)
def test_the_policy_accepts(password: str) -> None:
    assert password_problem(password, "vera") is None


def test_none_of_the_last_five_again(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.json")
    store.add("vera", "viewer", "First pass 0!")
    for i in range(1, 5):
        store.passwd("vera", f"First pass {i}!")
    for i in range(5):  # the current one and the four before it
        with pytest.raises(UsersError, match="last 5") as refused:
            store.passwd("vera", f"First pass {i}!")
        assert refused.value.key == "pw_reused"
    store.passwd("vera", "First pass 5!")
    store.passwd("vera", "First pass 0!")  # six changes ago: allowed again
    assert store.verify("vera", "First pass 0!") is not None


@pytest.fixture
def served(tmp_path: Path):
    app = create_app(settings_in(tmp_path, password_days=30))
    store = UserStore(tmp_path / "users.json")
    store.add("li.wei", "analyst", TEMPORARY, temporary=True)
    store.add("vera", "viewer", MINE)
    return app.server.test_client(), store, Trail(tmp_path / "audit")


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _login(client, name: str, password: str):
    token = _token(client.get("/login").data.decode())
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token, "next": "/"})


def _change(client, current: str, new: str, again: str | None = None):
    token = _token(client.get("/password").data.decode())
    form = {"current": current, "new": new, "again": new if again is None else again, "csrf_token": token}
    return client.post("/password", data={**form, "next": "/?year=2011"})


def test_a_temporary_password_is_changed_before_anything_else(served) -> None:
    client, store, trail = served
    assert _login(client, "li.wei", TEMPORARY).status_code == 303
    page = client.get("/")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/password?")
    assert client.get("/_dash-layout").status_code == 403
    assert client.get("/export/data.csv?year=2012").status_code == 403
    form = client.get("/password").data.decode()
    assert "管理员为您设置的是临时密码" in form
    assert 'autocomplete="new-password"' in form

    assert _change(client, "wrong one", MINE).status_code == 401
    refused = _change(client, TEMPORARY, "Password123")
    assert refused.status_code == 400
    assert "太容易被猜到" in refused.data.decode()
    assert _change(client, TEMPORARY, MINE, MINE + "x").status_code == 400
    reused = _change(client, TEMPORARY, TEMPORARY)
    assert reused.status_code == 400
    assert "最近5次" in reused.data.decode()
    assert store.verify("li.wei", TEMPORARY) is not None  # nothing refused changed anything

    copied = client.get_cookie("sti_session").value  # a cookie taken before the change
    done = _change(client, TEMPORARY, MINE)
    assert (done.status_code, done.headers["Location"]) == (303, "/?year=2011")
    assert client.get("/").status_code == 200  # this browser goes on, under the new password
    assert store.must_change("li.wei") is None
    other = client.application.test_client()
    other.set_cookie("sti_session", copied)
    assert other.get("/").status_code == 302  # every other session ended
    assert _login(other, "li.wei", TEMPORARY).status_code == 401
    assert _login(other, "li.wei", MINE).status_code == 303

    changes = [(r["user"], r["result"]) for r in trail.records(action="password.change")]
    assert changes[-1] == ("li.wei", "ok")
    assert ("li.wei", "refused: wrong current password") in changes
    assert ("li.wei", "refused: pw_weak") in changes
    assert trail.verify() is None


def test_an_expired_password_is_changed_at_the_next_login(served) -> None:
    client, store, _ = served
    assert _login(client, "vera", MINE).status_code == 303
    assert client.get("/").status_code == 200  # changed today: 30 days to go
    data = json.loads(store.path.read_text())
    data["users"]["vera"]["changed"] = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.path.write_text(json.dumps(data))
    assert store.must_change("vera", 30) == "expired"
    assert client.get("/?lang=en").headers["Location"].startswith("/password?lang=en")
    assert "older than the period allowed" in client.get("/password?lang=en").data.decode()
    assert _change(client, MINE, "Green kettle 58 hums").status_code == 303
    assert client.get("/").status_code == 200


def test_everyone_may_change_their_own_password(served) -> None:
    client, store, _ = served
    _login(client, "vera", MINE)
    assert _change(client, MINE, "Green kettle 58 hums").status_code == 303
    assert store.verify("vera", "Green kettle 58 hums") is not None
