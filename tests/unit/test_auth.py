"""Login, roles, sessions, CSRF and the lockout, through the real app (Flask test client) and the command line."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
import time
import zipfile
from pathlib import Path

import pytest
from appsettings import PASSWORD, settings_in

from app import create_app
from bench import SECTIONS_OUTPUT, Page
from components.core import ids
from components.server import auth
from components.server.cli import main
from components.server.settings import SAMPLE_DIR
from components.server.users import UsersError, UserStore

CALLBACK = "/_dash-update-component"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """One app for the module (creating one takes seconds); each test resets its users and lockouts."""
    tmp = tmp_path_factory.mktemp("auth")
    return tmp, create_app(settings_in(tmp, login_attempts=3))


@pytest.fixture(scope="module")
def pristine_users(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three users, hashed once for the module (argon2 is slow on purpose); each test starts from a copy."""
    store = UserStore(tmp_path_factory.mktemp("pristine") / "users.json")
    for name, role in (("vera", "viewer"), ("ann", "analyst"), ("adam", "admin")):
        store.add(name, role, PASSWORD)
    return store.path


@pytest.fixture
def users(served, pristine_users: Path) -> UserStore:
    tmp, app = served
    fresh = tmp / ".users.json.fresh"
    shutil.copyfile(pristine_users, fresh)  # a new file with a new time, renamed over the old one, as UserStore writes
    fresh.chmod(pristine_users.stat().st_mode & 0o777)
    os.replace(fresh, tmp / "users.json")
    store = UserStore(tmp / "users.json")
    assert [u["name"] for u in store.users()] == ["adam", "ann", "vera"]
    throttle = app.server.config[auth.GUARD_KEY].throttle
    throttle._disk.clear()
    throttle._local.clear()
    return store


@pytest.fixture
def app(served, users: UserStore):
    return served[1]


def _login(client, name: str, password: str = PASSWORD, next_: str = "/"):
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token, "next": next_})


def _csrf(client) -> str:
    page = client.get("/").data.decode()
    return re.search(r'<meta name="sti-csrf" content="([^"]+)">', page).group(1)


def _section_body(client) -> dict:
    page = Page.load(lambda path: client.get(path).get_json())
    return page.body(page.callback(SECTIONS_OUTPUT), {("filter-year", "value"): 2012})


def _export_body(client) -> dict:
    page = Page.load(lambda path: client.get(path).get_json())
    return page.body(page.callback(ids.EXPORT_DOWNLOAD), {(ids.EXPORT_BUTTON, "n_clicks"): 1})


# --- the users file ------------------------------------------------------------------------------


def test_the_users_file_keeps_argon2_hashes_only(users: UserStore) -> None:
    text = users.path.read_text()
    assert PASSWORD not in text
    assert text.count("$argon2id$") == 3
    assert oct(users.path.stat().st_mode & 0o777) == "0o600"
    assert [u["name"] for u in users.users()] == ["adam", "ann", "vera"]
    assert "hash" not in json.dumps(users.users())
    assert users.verify("ann", PASSWORD).role == "analyst"
    assert users.verify("ann", "wrong password") is None
    assert users.verify("nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("ann", "viewer", PASSWORD, "exists already"),
        ("bad name", "viewer", PASSWORD, "invalid name"),
        ("", "viewer", PASSWORD, "invalid name"),
        ("zoe", "root", PASSWORD, "unknown role"),
        ("zoe", "viewer", "short", "at least 10"),
    ],
)
def test_refused_user_changes_say_why(users: UserStore, name: str, role: str, password: str, message: str) -> None:
    with pytest.raises(UsersError, match=message):
        users.add(name, role, password)
    assert len(users.users()) == 3


def test_a_new_password_or_removal_ends_the_sessions(users: UserStore) -> None:
    old = users.verify("vera", PASSWORD)
    assert users.user("vera", old.stamp) == old
    users.passwd("vera", "Another password 2")
    assert users.user("vera", old.stamp) is None
    assert users.verify("vera", "Another password 2") is not None
    users.remove("vera")
    assert users.verify("vera", "Another password 2") is None
    with pytest.raises(UsersError, match="no user"):
        users.remove("vera")


def test_the_command_line_manages_users_and_screens(tmp_path: Path, monkeypatch, capsys) -> None:
    """In-process (components.server.cli.main); the real `app.py user add` with its password piped in is
    tests/integration/test_cli.py."""
    monkeypatch.setenv("STI_USERS_FILE", str(tmp_path / "u.json"))

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, err = run("user", "add", "li.wei", "--role", "analyst", stdin=PASSWORD + "\n")  # not a terminal
    assert code == 0, err
    assert "added li.wei (analyst)" in out
    assert PASSWORD not in out + err

    assert run("user", "add", "li.wei", "--role", "viewer", stdin=PASSWORD + "\n")[0] == 1
    code, _, err = run("user", "add", "wang", "--role", "viewer", stdin="short\n")
    assert code == 1
    assert "at least 10" in err
    code, out, _ = run("user", "list")
    assert re.search(r"li\.wei\s+analyst", out)
    assert "1 user(s)" in out
    assert "(must change it)" in out  # an administrator's password is temporary
    assert UserStore(tmp_path / "u.json").must_change("li.wei") == "first"
    assert run("user", "passwd", "li.wei", stdin="A new password 2\n")[0] == 0
    assert UserStore(tmp_path / "u.json").verify("li.wei", "A new password 2") is not None
    assert UserStore(tmp_path / "u.json").must_change("li.wei") == "first"
    code, _, err = run("user", "passwd", "li.wei", "--permanent", stdin="A new password 2\n")
    assert (code, "last 5" in err) == (1, True)  # the current one again
    assert run("user", "passwd", "li.wei", "--permanent", stdin="A newer password 3\n")[0] == 0
    assert UserStore(tmp_path / "u.json").must_change("li.wei") is None
    code, out, _ = run("user", "role", "li.wei", "admin")
    assert (code, "li.wei is now admin" in out) == (0, True)
    assert re.search(r"li\.wei\s+admin", run("user", "list")[1])
    token = re.search(r"/screen/(\S+)", run("screen", "add", "hall-1")[1]).group(1)
    assert UserStore(tmp_path / "u.json").screen_by_token(token).name == "hall-1"
    assert token not in (tmp_path / "u.json").read_text()
    assert "hall-1" in run("screen", "list")[1]
    assert run("screen", "remove", "hall-1")[0] == 0
    assert run("user", "remove", "li.wei")[0] == 0
    assert run("user", "remove", "li.wei")[0] == 1
    assert "0 user(s)" in run("user", "list")[1]


def test_serving_off_loopback_without_users_refuses_to_start(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("STI_USERS_FILE", str(tmp_path / "none.json"))
    assert main(["run", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "refusing to serve on 0.0.0.0 without users" in err
    assert "python app.py user add NAME --role admin" in err
    assert auth.exposure_problem(["127.0.0.1", "::1", "localhost"], UserStore(tmp_path / "none.json")) is None
    store = UserStore(tmp_path / "some.json")
    store.add("adam", "admin", PASSWORD)
    assert auth.exposure_problem(["0.0.0.0"], store) is None


# --- the app ---------------------------------------------------------------------------------------


def test_without_a_session_pages_redirect_and_the_rest_answers_401(app) -> None:
    c = app.server.test_client()
    home = c.get("/?year=2012")
    assert home.status_code == 302
    assert home.headers["Location"] == "/login?next=%2F%3Fyear%3D2012"
    assert c.get("/drill/enterprises").status_code == 302
    for path in ("/_dash-layout", "/_dash-dependencies", "/export/data.csv", "/export/enterprises.xlsx"):
        assert c.get(path).status_code == 401, path
    assert c.post(CALLBACK, json={"output": "x"}).status_code == 401
    assert c.post("/library/preview", data={}).status_code == 401
    assert c.post("/library/publish", data={}).status_code == 401
    assert c.get("/healthz").status_code == 200
    assert c.get("/vendor/bootstrap/css/bootstrap.min.css").status_code == 200
    form = c.get("/login?lang=en").data.decode()
    assert 'name="username"' in form
    assert 'name="password"' in form
    assert "Sign in" in form
    assert "登录" in c.get("/login").data.decode()


def test_logging_in_sets_a_hardened_session_and_goes_where_asked(app) -> None:
    c = app.server.test_client()
    wrong = _login(c, "ann", "wrong password")
    assert wrong.status_code == 401
    assert "用户名或密码错误" in wrong.data.decode()
    ok = _login(c, "ann", next_="/?year=2012")
    assert ok.status_code == 303
    assert ok.headers["Location"] == "/?year=2012"
    cookie = ok.headers["Set-Cookie"]
    assert cookie.startswith(auth.SESSION_COOKIE + "=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert c.get("/").status_code == 200
    assert 'id="header-user"' not in c.get("/").data.decode()  # the header is in the layout, not the index
    layout = json.dumps(c.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert '"header-user"' in layout
    assert "分析员" in layout


def test_secure_cookies_and_a_foreign_next_are_honoured_safely(tmp_path: Path, users: UserStore) -> None:
    settings = settings_in(tmp_path, secure_cookies=True, users_file=users.path)
    c = create_app(settings).server.test_client()
    resp = _login(c, "vera", next_="//evil.example/steal")
    assert resp.headers["Location"] == "/"
    assert "Secure" in resp.headers["Set-Cookie"]
    assert auth.safe_next("https://evil.example/") == "/"
    assert auth.safe_next("/\\evil.example") == "/"
    assert auth.safe_next("/drill/enterprises?tier=hte") == "/drill/enterprises?tier=hte"


def test_a_login_post_without_its_form_token_is_refused(app) -> None:
    c = app.server.test_client()
    resp = c.post("/login", data={"username": "adam", "password": PASSWORD})
    assert resp.status_code == 400
    assert c.get("/").status_code == 302


def _client_at(app, address: str):
    c = app.server.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def test_repeated_failures_lock_the_name_out_from_that_address_only(app) -> None:
    """Three wrong passwords for adam from one address lock adam out from there; another user's correct password
    from the same address (everyone behind one proxy) and adam's from elsewhere are still accepted."""
    c = app.server.test_client()
    for _ in range(3):
        assert _login(c, "adam", "wrong password").status_code == 401
    locked = _login(c, "adam")  # the right password, too late
    assert locked.status_code == 429
    assert "15分钟" in locked.data.decode()
    assert c.get("/").status_code == 302
    assert _login(app.server.test_client(), "vera").status_code == 303  # the same address, another name
    assert _login(_client_at(app, "127.0.0.9"), "adam").status_code == 303  # the same name, from elsewhere


def test_guessing_one_name_from_many_addresses_locks_it(app) -> None:
    """The name's failures over every address together: four times the per-address limit locks it everywhere."""
    for n in range(4):
        c = _client_at(app, f"10.0.0.{n + 1}")
        for _ in range(3):
            assert _login(c, "ann", "wrong password").status_code == 401
    assert _login(_client_at(app, "10.0.0.99"), "ann").status_code == 429
    assert _login(_client_at(app, "10.0.0.99"), "vera").status_code == 303


def test_a_trusted_proxy_forwards_the_client_address_and_no_one_else_does(tmp_path: Path, users: UserStore) -> None:
    """Behind a listed proxy the lockout counts the real client (X-Forwarded-For); a forged header from anyone
    else is ignored (it cannot dodge the lockout nor shift it onto another address)."""
    shutil.copyfile(users.path, tmp_path / "users.json")
    proxied = create_app(settings_in(tmp_path, login_attempts=3, trusted_proxies=("127.0.0.1",)))
    first = proxied.server.test_client()
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.10"
    for _ in range(3):
        assert _login(first, "adam", "wrong password").status_code == 401
    assert _login(first, "adam").status_code == 429
    second = proxied.server.test_client()
    second.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.11"  # another person behind the same proxy
    assert _login(second, "adam").status_code == 303
    outsider = _client_at(proxied, "198.51.100.7")  # not the proxy: its forwarding header is ignored
    outsider.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.12"
    for _ in range(3):
        assert _login(outsider, "vera", "wrong password").status_code == 401
    moved = _client_at(proxied, "198.51.100.7")
    moved.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.13"  # a new forged address: still the same client
    assert _login(moved, "vera").status_code == 429


@pytest.mark.parametrize(
    ("name", "export", "drill", "library", "publish", "pptx"),
    [
        ("vera", 403, 403, 403, 403, 403),
        ("ann", 200, 200, 200, 403, 200),
        ("adam", 200, 200, 200, 200, 200),
    ],
)
def test_each_role_gets_what_it_may_on_the_server(app, name, export, drill, library, publish, pptx) -> None:
    c = app.server.test_client()
    _login(c, name)
    token = _csrf(c)
    assert c.get("/export/data.csv?year=2012").status_code == export
    assert c.get("/export/enterprises.csv").status_code == export
    assert c.get("/drill/enterprises").status_code == drill
    assert c.get("/drill/_dash-layout").status_code == drill
    assert c.get("/library").status_code == library
    assert c.get("/reports").status_code == export  # the report archive: analysts and admins
    assert c.get("/reports/20121130T000000Z-0123abcd.pdf").status_code == (404 if export == 200 else 403)
    if export == 403:  # (an analyst's request would draw a real report: tests/integration has those)
        assert c.get("/export/report.pdf?period=2012-11").status_code == 403
        assert c.get("/export/report.docx").status_code == 403
        assert c.get("/report?period=2012-11").status_code == 403
    rollback = c.post("/library/rollback", data={"csrf_token": token, "version": "ffffffff"})
    assert rollback.status_code == publish
    if publish == 200:
        assert "no version" in rollback.data.decode()
    body = _section_body(c)
    assert c.post(CALLBACK, json=body, headers={auth.CSRF_HEADER: token}).status_code == 200
    export_body = _export_body(c)
    assert auth.callback_role(export_body) == "analyst"
    if pptx == 403:  # (an analyst's request would start a real export job: the browser tests run one)
        assert c.post(CALLBACK, json=export_body, headers={auth.CSRF_HEADER: token}).status_code == 403
    layout = json.dumps(c.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert (ids.DATA_EXPORT_MENU in layout) == (export == 200)
    assert (ids.EXPORT_BUTTON in layout) == (export == 200)
    assert (ids.REPORT_MENU in layout) == (export == 200)


def test_callbacks_need_the_sessions_csrf_token(app) -> None:
    c = app.server.test_client()
    _login(c, "vera")
    body = _section_body(c)
    assert c.post(CALLBACK, json=body).status_code == 403
    assert c.post(CALLBACK, json=body, headers={auth.CSRF_HEADER: "forged" * 8}).status_code == 403
    assert c.post(CALLBACK, json=body, headers={auth.CSRF_HEADER: _csrf(c)}).status_code == 200
    analyst = app.server.test_client()
    _login(analyst, "adam")
    no_token = analyst.post("/library/rollback", data={"version": "ffffffff"})
    assert no_token.status_code == 403


def _sample_zip(changed: str) -> bytes:
    """The sample as a .zip with one observation's value changed (a valid new version)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(SAMPLE_DIR.iterdir()):
            data = path.read_bytes()
            if path.name == "observations.csv":
                lines = data.decode("utf-8").splitlines()
                head, first = lines[0], lines[1].split(",")
                first[-1] = changed
                data = "\n".join([head, ",".join(first), *lines[2:]]).encode("utf-8") + b"\n"
            zf.writestr(f"sample/{path.name}", data)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "may_publish"), [("ann", False), ("adam", True)])
def test_an_analyst_previews_and_only_an_admin_gets_the_publish_button(app, name: str, may_publish: bool) -> None:
    c = app.server.test_client()
    _login(c, name)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/library").data.decode()).group(1)
    data = {"csrf_token": token, "files": [(io.BytesIO(_sample_zip("4321")), "sample.zip")]}
    page = c.post("/library/preview", data=data, content_type="multipart/form-data").data.decode()
    assert 'id="library-preview"' in page
    assert ('id="publish-button"' in page) is may_publish
    assert ('id="publish-admin-only"' in page) is not may_publish


def test_a_changed_password_a_removed_user_and_an_old_session_end_at_once(app, users: UserStore) -> None:
    c = app.server.test_client()
    _login(c, "vera")
    assert c.get("/").status_code == 200
    users.passwd("vera", "Brand new password 3")
    assert c.get("/").status_code == 302
    assert c.get("/_dash-layout").status_code == 401
    _login(c, "vera", "Brand new password 3")
    assert c.get("/").status_code == 200
    with c.session_transaction() as session:
        session["t"] = time.time() - 13 * 3600  # older than session_hours (12)
    assert c.get("/").status_code == 302
    _login(c, "vera", "Brand new password 3")
    users.remove("vera")
    assert c.get("/").status_code == 302


def test_logout_needs_the_form_token_and_ends_the_session(app) -> None:
    c = app.server.test_client()
    _login(c, "ann")
    c.post("/logout", data={})  # a cross-site post: no token, nothing happens
    assert c.get("/").status_code == 200
    c.post("/logout", data={"csrf_token": _csrf(c)})
    assert c.get("/").status_code == 302


def test_a_screen_link_grants_viewing_only_until_revoked(app, users: UserStore) -> None:
    token = users.add_screen("hall-1")
    c = app.server.test_client()
    assert c.get("/screen/not-a-token").status_code == 403
    opened = c.get(f"/screen/{token}")
    assert opened.status_code == 303
    assert opened.headers["Location"].startswith("/?present=1")
    assert c.get("/?present=1").status_code == 200
    assert c.get("/export/data.csv").status_code == 403
    assert c.get("/library").status_code == 403
    users.remove_screen("hall-1")
    assert c.get("/?present=1").status_code == 302


def test_the_secret_key_is_generated_once_private_and_shared(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    key = auth.secret_key(settings)
    assert len(key) >= 32
    assert oct(settings.secret_file.stat().st_mode & 0o777) == "0o600"
    assert auth.secret_key(settings) == key
    assert auth.secret_key(settings_in(tmp_path, secret_key="from-the-settings-" * 3)) == "from-the-settings-" * 3


def test_with_no_users_only_direct_loopback_requests_are_served(tmp_path: Path) -> None:
    app = create_app(settings_in(tmp_path, data_dir=SAMPLE_DIR))
    c = app.server.test_client()
    assert c.get("/").status_code == 200
    assert c.get("/login").status_code == 303  # nothing to log in to
    proxied = c.get("/", headers={"X-Forwarded-For": "10.1.2.3"})
    assert proxied.status_code == 403
    assert "python app.py user add" in proxied.data.decode()
    rebound = c.get("/_dash-layout", headers={"Host": "evil.example:8050"})  # DNS rebinding: not our name
    assert rebound.status_code == 403
    assert c.get("/", headers={"Via": "1.1 proxy"}).status_code == 403
    assert c.get("/_dash-layout", headers={"Host": "[::1]:8050"}).status_code == 200
    remote = app.server.test_client()
    remote.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert remote.get("/_dash-layout").status_code == 403
    assert remote.get("/healthz").status_code == 200


def test_screen_tokens_never_reach_the_request_logs() -> None:
    import logging

    from components.server.cli import _QuietTokens
    from components.server.gunicorn_conf import quiet_tokens

    assert quiet_tokens('"GET /screen/abc-DEF_123 HTTP/1.1" 303') == '"GET /screen/*** HTTP/1.1" 303'
    assert quiet_tokens("/screen/abc?lang=en") == "/screen/***?lang=en"
    line = ("127.0.0.1", "GET /screen/s3cr3t HTTP/1.1", 303)
    record = logging.LogRecord("werkzeug", 20, "", 0, '%s - "%s" %s', line, None)
    _QuietTokens().filter(record)
    assert "s3cr3t" not in record.getMessage()
    assert "/screen/***" in record.getMessage()


def test_a_password_change_is_seen_even_when_the_file_keeps_its_size_and_time(users: UserStore) -> None:
    for i in range(5):  # the history of old passwords full (four): a change keeps the file's size
        users.passwd("vera", f"Current pass {i}!")
    worker = UserStore(users.path)  # another process's copy, read before the change
    assert worker.verify("vera", "Current pass 4!") is not None
    st = users.path.stat()
    users.passwd("vera", "Changed pass 6!")  # a password of the same length: a file of the same size
    os.utime(users.path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and, on a coarse clock, the same time
    assert users.path.stat().st_size == st.st_size
    assert worker.verify("vera", "Current pass 4!") is None
