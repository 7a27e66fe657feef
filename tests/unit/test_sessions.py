"""Sessions that end (issue 25, item 2): the server's record of each session, through the real app (Flask test
client), the command line and a real diskcache directory. The probe's finding first: a session cookie copied
before logout no longer opens anything after it."""

from __future__ import annotations

import io
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from appsettings import PASSWORD, settings_in

from app import create_app
from components.server import auth
from components.server.cli import main
from components.server.sessions import Sessions
from components.server.users import UserStore


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("sessions")
    store = UserStore(tmp / "users.json")
    store.add("ann", "analyst", PASSWORD)
    store.add("vera", "viewer", PASSWORD)
    return tmp, create_app(settings_in(tmp))


def _login(app, name: str):
    c = app.server.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").data.decode()).group(1)
    resp = c.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"})
    assert resp.status_code == 303
    return c, resp


def _cookie(client) -> str:
    cookie = client.get_cookie(auth.SESSION_COOKIE)
    assert cookie is not None
    return cookie.value


def _with_cookie(app, value: str):
    c = app.server.test_client()
    c.set_cookie(auth.SESSION_COOKIE, value)
    return c


def _logout(client) -> None:
    page = client.get("/?lang=zh").data.decode()
    token = re.search(r'name="sti-csrf" content="([^"]+)"', page)  # the session's token, as the logout form has it
    assert token, "no session token on the page"
    assert client.post("/logout", data={"csrf_token": token.group(1)}).status_code == 303


def test_a_cookie_copied_before_logout_opens_nothing_after_it(served) -> None:
    _, app = served
    c, _ = _login(app, "ann")
    copied = _cookie(c)
    assert _with_cookie(app, copied).get("/export/data.csv").status_code == 200  # the copy works while logged in
    _logout(c)
    thief = _with_cookie(app, copied)
    assert thief.get("/export/data.csv").status_code == 401
    assert thief.get("/library").status_code == 302  # a page: to the login
    assert thief.get("/library").headers["Location"].startswith("/login")


def test_a_persons_cookie_ends_with_the_browser(served) -> None:
    """The cookie's own lifetime is no longer than the session's: no Expires for a person's login (the server
    ends it after the idle time or the lifetime, whichever comes first)."""
    _, app = served
    _, resp = _login(app, "vera")
    header = resp.headers["Set-Cookie"]
    assert header.startswith(auth.SESSION_COOKIE + "=")
    assert "Expires" not in header
    assert "HttpOnly" in header


def test_an_idle_session_ends(served) -> None:
    _, app = served
    c, _ = _login(app, "vera")
    assert c.get("/export/data.csv").status_code == 403  # signed in (a viewer): refused by role, not 401
    sessions = app.server.config[auth.GUARD_KEY].sessions
    (mine,) = [s for s in sessions.of_user("vera") if s.sid == _sid(app, c)]
    sessions._put(replace(mine, seen=mine.seen - 31 * 60))  # half an hour and a minute without a request
    assert c.get("/export/data.csv").status_code == 401
    assert not [s for s in sessions.of_user("vera") if s.sid == mine.sid], "the idle session is gone"
    trail = app.server.config[auth.GUARD_KEY].trail
    assert trail.records(user="vera", action="session.expired")[-1]["result"] == "ok"  # and recorded, once:
    assert c.get("/export/data.csv").status_code == 401
    assert len(trail.records(user="vera", action="session.expired")) == 1


def _sid(app, client) -> str:
    """The session id the client's cookie carries (read with the app's own signer)."""
    server = app.server
    iface = server.session_interface
    data = iface.get_signing_serializer(server).loads(_cookie(client))
    return data["sid"]


def test_the_command_line_lists_and_ends_a_users_sessions(served, monkeypatch, capsys) -> None:
    tmp, app = served
    monkeypatch.setenv("STI_USERS_FILE", str(tmp / "users.json"))
    monkeypatch.setenv("STI_CACHE_DIR", str(tmp / "cache"))
    monkeypatch.setenv("STI_LIBRARY_DIR", str(tmp / "library"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    Sessions(app.server.config[auth.GUARD_KEY].settings).end_user("ann")
    one, _ = _login(app, "ann")
    two, _ = _login(app, "ann")
    assert main(["user", "sessions", "ann"]) == 0
    listed = capsys.readouterr().out
    assert "2 open session(s) of ann" in listed
    assert listed.count("login   since ") == 2
    assert main(["user", "logout", "ann"]) == 0
    assert "ended 2 session(s) of ann" in capsys.readouterr().out
    assert one.get("/export/data.csv").status_code == 401
    assert two.get("/export/data.csv").status_code == 401


def test_a_screen_link_opens_once_and_its_session_lasts(tmp_path: Path) -> None:
    app = create_app(settings_in(tmp_path))
    token = UserStore(tmp_path / "users.json").add_screen("hall-1")
    wall = app.server.test_client()
    opened = wall.get(f"/screen/{token}")
    assert opened.status_code == 303
    assert "Expires" in opened.headers["Set-Cookie"]  # a wall keeps its session through its restarts
    assert wall.get("/?present=1").status_code == 200
    again = app.server.test_client().get(f"/screen/{token}")
    assert again.status_code == 403  # the link is spent: a copy of it opens nothing
    assert wall.get("/?present=1").status_code == 200  # the screen that opened it keeps viewing
