"""The security probe's findings that are about what the server shows (issue 25, item 4), each closed:
/healthz tells anonymous callers status and version only, Dash's /_reload-hash is for admins, HSTS goes with
secure cookies. (The template workbook, damaged archives and oversized uploads: tests/unit/test_upload_page.py;
gunicorn's own error pages: tests/integration/test_gunicorn.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from appsettings import PASSWORD, settings_in

from app import create_app
from components.server.settings import Settings
from components.server.users import UserStore


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("probe")
    store = UserStore(tmp / "users.json")
    for name, role in (("vera", "viewer"), ("adam", "admin")):
        store.add(name, role, PASSWORD)
    return create_app(settings_in(tmp, secure_cookies=True))


def _login(app, name: str):
    c = app.server.test_client()
    form = c.get("/login").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = c.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"})
    assert resp.status_code == 303, resp.data[:300]
    return c


def test_healthz_tells_anyone_status_and_version_only(secured) -> None:
    anonymous = secured.server.test_client().get("/healthz")
    assert anonymous.status_code == 200
    assert set(anonymous.get_json()) == {"status", "version"}
    viewer = _login(secured, "vera").get("/healthz").get_json()
    assert set(viewer) == {"status", "version"}
    admin = _login(secured, "adam").get("/healthz").get_json()
    assert {"status", "version", "pid", "cache", "as_of", "sample", "warming"} <= set(admin)


def test_the_reload_hash_route_is_for_admins_only(secured) -> None:
    assert secured.server.test_client().get("/_reload-hash").status_code == 401
    assert _login(secured, "vera").get("/_reload-hash").status_code == 403
    answer = _login(secured, "adam").get("/_reload-hash")
    assert answer.status_code == 200
    assert "packages" in answer.get_json()


def test_hsts_goes_with_secure_cookies(secured, tmp_path: Path) -> None:
    resp = secured.server.test_client().get("/login")
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = create_app(settings_in(tmp_path)).server.test_client().get("/healthz")
    assert "Strict-Transport-Security" not in plain.headers


def test_the_local_admin_without_users_sees_the_details(tmp_path: Path) -> None:
    """No users set up (one person on their own machine, direct loopback): the local admin, the whole answer."""
    body = create_app(settings_in(tmp_path)).server.test_client().get("/healthz").get_json()
    assert {"pid", "cache", "warming"} <= set(body)


RLO = "\u202e"


def test_a_name_with_a_bidi_control_is_shown_escaped(tmp_path: Path) -> None:
    """A district named with a right-to-left override: loaded, drawn and exported with the control written out."""
    import csv
    import io
    import shutil

    from components.server.settings import SAMPLE_DIR
    from data.load import load_dataset

    data = shutil.copytree(SAMPLE_DIR, tmp_path / "bidi")
    path = data / "districts.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    col = rows[0].index("name_zh")
    rows[1][col] = f"海曙{RLO}区fdp"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    names = list(load_dataset(data).districts["name_zh"])
    assert "海曙<U+202E>区fdp" in names
    assert not any(RLO in n for n in names)
    app = create_app(settings_in(tmp_path, data_dir=data, library_dir=None))
    csv_out = app.server.test_client().get("/export/data.csv?lang=zh").data.decode("utf-8-sig")
    assert "海曙<U+202E>区fdp" in csv_out
    assert RLO not in csv_out


@pytest.mark.parametrize("name", [f"adm{RLO}nimda", "\u2066vera\u2069", "ann\u200f"])
def test_a_user_name_with_a_bidi_control_is_refused(tmp_path: Path, name: str) -> None:
    from components.server.users import UsersError

    with pytest.raises(UsersError, match="invalid name"):
        UserStore(tmp_path / "users.json").add(name, "viewer", PASSWORD)


def test_trusted_proxies_are_ip_addresses() -> None:
    assert Settings.from_env({"STI_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.2 ::1"}).trusted_proxies == (
        "127.0.0.1",
        "10.0.0.2",
        "::1",
    )
    with pytest.raises(ValueError, match=r"STI_TRUSTED_PROXIES: 'proxy\.local' is not an IP address"):
        Settings.from_env({"STI_TRUSTED_PROXIES": "proxy.local"})
