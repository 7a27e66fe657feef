"""Crafted requests against every callback of both Dash apps and every route of the server.

The bulk goes through the Flask test client of a real app (create_app over a tmp library, users file,
secret and cache; faster than HTTP); a sample goes to a real gunicorn over raw HTTP (paths sent exactly as
written, no client-side normalisation). Every answer must be < 500 and carry no traceback, source path,
site-packages path or temporary path; refusals carry the right code where the rule is clear (401 without a
usable session, 403 for a lower role or a missing/wrong CSRF token, 413 over the request limit).
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask
import pytest
from gunicorn_helpers import gunicorn

from app import MAX_REQUEST_BYTES, create_app
from bench import Page
from components.core import ids
from components.server import auth
from components.server.settings import ROOT, Settings
from components.server.users import UserStore

PASSWORD = "fuzz-password-1"
CALLBACK = "/_dash-update-component"
OVER = MAX_REQUEST_BYTES + 10_000
LEAKS = ("Traceback", 'File "', "site-packages", str(ROOT))
# What a traversal must never return: a system file or this project's (or a library's) Python source.
STOLEN = (b"root:x:0:0", b"def create_app", b"from __future__", b"import flask", b"PRIVATE KEY")
EXPORT_OUTPUT = ids.EXPORT_DOWNLOAD  # the background (PPTX) callback: analyst and up


@dataclass(frozen=True)
class Probe:
    """One crafted request: who sends it, what, and which codes are right (None: any below 500)."""

    label: str
    who: str
    method: str
    path: str
    data: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: tuple[int, ...] | None = None
    traversal: bool = False


# --- bodies ------------------------------------------------------------------------------------------

BAD_VALUES: list[Any] = [
    None,
    0,
    -1,
    10**30,
    1.5,
    "",
    "2012",
    "x" * 1000,
    True,
    [],
    {},
    {"$ne": 1},
    [None],
    [[1, 2], {"a": 1}],
    ["330212"] * 3000,
    list(range(20_000)),  # a huge list within the request limit
    "界" * 40_000,  # a huge string within the limit (120 KB of UTF-8)
    {"a": {"b": {"c": {"d": [1] * 50}}}},
    "<script>alert(1)</script>",
    "../../etc/passwd",
]


def value_bodies(page: Page, dep: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The callback's own request with every input and state set to one crafted value, value by value."""
    for i, value in enumerate(BAD_VALUES):
        yield f"values[{i}]", page.body(dep, default=value)


def shape_bodies(page: Page, dep: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The callback's own request with its parts of the wrong JSON type or naming unknown IDs."""
    good = page.body(dep)
    swaps = {
        "output": [1, None, [], {"id": "x"}, "nope.children", "..nope.children...also.nope..", ""],
        "outputs": ["x", None, [1], {"id": 1, "property": None}],
        "inputs": [{}, "x", None, [1, 2], [{"id": "nope", "property": "value", "value": 1}], [{"value": 1}]],
        "state": ["x", None, [{"id": {"type": ["ALL"]}, "property": "p"}]],
        "changedPropIds": ["x", None, [1], ["nope.value"], [None]],
    }
    for key, values in swaps.items():
        for i, value in enumerate(values):
            yield f"{key}={i}", {**good, key: value}
    yield "empty object", {}
    yield "no inputs key", {k: v for k, v in good.items() if k != "inputs"}
    yield "extra keys", {**good, "__proto__": {"x": 1}, "constructor": "y"}
    yield "list body", [good]


def raw_bodies() -> Iterator[tuple[str, bytes, str]]:
    """Malformed JSON and wrong content types: (label, bytes, content type)."""
    yield "truncated", b'{"output": "x", "inputs": [', "application/json"
    yield "bare null", b"null", "application/json"
    yield "bare list", b"[]", "application/json"
    yield "NaN", b'{"output": "x", "inputs": [NaN]}', "application/json"
    yield "nul bytes", b"\x00\x00\x00", "application/json"
    yield "not utf-8", b'{"output": "\xff\xfe"}', "application/json"
    yield "deep nesting", b"[" * 5000 + b"]" * 5000, "application/json"
    yield "text/plain", b'{"output": "x"}', "text/plain"
    yield "form", b"output=x&inputs=y", "application/x-www-form-urlencoded"
    yield (
        "multipart",
        b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\ny\r\n--b--\r\n",
        "multipart/form-data; boundary=b",
    )
    yield "no content type", b'{"output": "x"}', ""


def over_limit(page: Page, dep: dict[str, Any]) -> bytes:
    """The callback's own request grown past the request limit."""
    return json.dumps(page.body(dep, default="y" * OVER)).encode()


GARBAGE_JOBS = [
    "cacheKey=x&job=1",
    "cacheKey=" + "a" * 3000 + "&job=abc",
    "cacheKey=../../etc/passwd&job=-1",
    "cacheKey=null&job=null",
    "cacheKey=%00&job=%00",
    "cacheKey=abc.def.ghi&job=99999999",
    "cacheKey=eyJhIjoxfQ.x.y&job=1&oldJob=1",
    "cacheKey=x&oldJob=1&oldJob=" + "9" * 30,
]

TRAVERSALS = [
    "/assets/../app.py",
    "/assets/..%2fapp.py",
    "/assets/%2e%2e/%2e%2e/etc/passwd",
    "/assets/....//....//app.py",
    "/assets//etc/passwd",
    "/assets/%00",
    "/assets/..%5c..%5capp.py",
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/dash/..%2f..%2f__init__.py",
    "/_dash-component-suites/dash/deps/..%2f..%2f_callback.py",
    "/_dash-component-suites/os/path.py",
    "/_dash-component-suites/dash/dcc/..%2f..%2f..%2fflask%2f__init__.py",
    "/_dash-component-suites/..%2f..%2fapp.py/x.js",
    "/vendor/bootstrap/../../../../etc/passwd",
    "/vendor/bootstrap/..%2f..%2f..%2f__init__.py",
    "/vendor/bootstrap/%2e%2e/%2e%2e/%2e%2e/__init__.py",
    "/vendor/plotly/..%2f..%2fmanifest.json/x",
    "/vendor/plotly/x/..%2f..%2f..%2fapp.py",
    "/drill/..%2f..%2fapp.py",
    "/drill/assets/..%2f..%2fapp.py",
    "/drill/_dash-component-suites/dash/..%2f..%2f_callback.py",
    "/drill/_dash-component-suites/dash_ag_grid/..%2f__init__.py",
    "/export/..%2f..%2fapp.py",
    "/export/data.csv/../../app.py",
    "/export/..%2f..%2fdata%2fsettings.py.csv",
    "/export/enterprises.csv?tier=../../etc/passwd",
    "/export/outages.csv?station=..%2f..%2fapp.py",
    "/export/data.csv?year=../../../etc/passwd&district=..%2f..",
    "/audit?since=../../etc&until=%00&user=%ff%fe&action=" + "a" * 3000 + "&result=%00",
    "/audit.csv?since=2026-13-99&user[]=x&result=!ok!",
]


def route_paths(server: flask.Flask) -> list[str]:
    """A concrete path for every rule of the server's url_map (placeholders filled with plausible values)."""
    fill = {
        "filename": "app.css",
        "path": "nope/deeper",
        "package_name": "dash",
        "fingerprinted_path": "dcc/async-graph.js",
        "digest": "0123456789ab",
        "name": "plotly.min.js",
        "token": "not-a-screen-token",
        "ext": "csv",
        "kind": "enterprises",
    }
    out = []
    for rule in server.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: fill.get(m.group(1), "x"), rule.rule)
        out.append(path)
    return sorted(set(out))


# --- the app and its sessions -------------------------------------------------------------------------


@dataclass
class World:
    """The app, its test clients by who they are, and their CSRF tokens."""

    app: Any
    tmp: Path
    clients: dict[str, Any]
    csrf: dict[str, str]


def _login(client: Any, name: str) -> str:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"})
    assert resp.status_code == 303, resp.get_data()[:300]
    html = client.get("/").get_data(as_text=True)
    return re.search(r'<meta name="sti-csrf" content="([^"]+)">', html).group(1)


def _forge(server: flask.Flask, payload: dict[str, Any], key: str | None = None) -> str:
    """A session cookie value for `payload`, signed with the app's key (or another `key`)."""
    signer_app = server
    if key is not None:
        signer_app = flask.Flask("another")
        signer_app.secret_key = key
    return server.session_interface.get_signing_serializer(signer_app).dumps(payload)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    tmp = tmp_path_factory.mktemp("fuzz")
    store = UserStore(tmp / "users.json")
    for name, role in (("vera", "viewer"), ("ann", "analyst"), ("adam", "admin"), ("gone", "viewer")):
        store.add(name, role, PASSWORD)
    settings = Settings(
        library_dir=tmp / "library",
        cache_dir=tmp / "cache",
        users_file=tmp / "users.json",
        secret_file=tmp / "secret.key",
        login_attempts=100,  # the crafted logins below must not lock the address out of the real ones
    )
    app = create_app(settings)
    server = app.server
    clients: dict[str, Any] = {}
    csrf: dict[str, str] = {}
    for who, name in (("viewer", "vera"), ("analyst", "ann"), ("admin", "adam"), ("removed", "gone")):
        clients[who] = server.test_client()
        csrf[who] = _login(clients[who], name)
    vera = server.session_interface.get_signing_serializer(server).loads(
        clients["viewer"].get_cookie(auth.SESSION_COOKIE).value
    )
    store.remove("gone")
    clients["none"] = server.test_client()
    for who, value in (
        ("garbage", "garbage.cookie.value"),
        ("other-key", _forge(server, dict(vera), key="k" * 48)),
        ("expired", _forge(server, {**vera, "t": int(time.time()) - 13 * 3600})),
    ):
        clients[who] = server.test_client()
        clients[who].set_cookie(auth.SESSION_COOKIE, value)
    for who in ("garbage", "other-key", "expired", "none"):
        csrf[who] = csrf["viewer"]  # the right token cannot stand in for a session
    return World(app, tmp, clients, csrf)


def pages(world: World) -> dict[str, Page]:
    """Each Dash app's callbacks and components as the admin's browser loads them."""
    admin = world.clients["admin"]
    admin.get("/drill/enterprises")
    return {
        base: Page.load(lambda path, base=base: admin.get(base.rstrip("/") + path).get_json())
        for base in ("/", "/drill/")
    }


# --- the probes ---------------------------------------------------------------------------------------

SLOW = ("/export/", "/drill/_dash-layout", "/library/workbook")  # pages that take seconds to build
NO_SESSION = ("none", "garbage", "other-key", "expired", "removed")
ROLES = ("viewer", "analyst", "admin")


def callback_probes(world: World) -> list[Probe]:
    """Crafted callback requests to both apps: every dependency, values, shapes, raw bodies, sessions."""
    probes: list[Probe] = []
    found = pages(world)
    for base, page in found.items():
        url = base.rstrip("/") + CALLBACK
        need = "analyst" if base == "/drill/" else "viewer"
        deps = page.dependencies or [{"output": "drill-nothing.children", "inputs": [{"id": "x", "property": "y"}]}]
        for dep in deps:
            export = EXPORT_OUTPUT in dep["output"]
            need_here = "analyst" if export else need
            # Analysts and up: only posts that poll a (garbage) job, never ones that start a real PPTX export.
            jobs = GARBAGE_JOBS if export else [""]
            bodies = [*value_bodies(page, dep), *shape_bodies(page, dep)]
            for i, (label, body) in enumerate(bodies):
                query = jobs[i % len(jobs)]
                path = f"{url}?{query}" if query else url
                data = json.dumps(body).encode()
                probes.append(Probe(f"{base} {dep['output'][:40]} {label}", "admin", "POST", path, data))
            good = json.dumps(page.body(dep)).encode()
            path = f"{url}?{jobs[0]}" if jobs[0] else url
            for who in NO_SESSION:
                probes.append(Probe(f"{base} {dep['output'][:40]} as {who}", who, "POST", path, good, expect=(401,)))
            probes.append(
                Probe(f"{base} no csrf", "viewer", "POST", url, good, headers={"X-CSRF-Token": "absent"}, expect=(403,))
            )
            probes.append(
                Probe(f"{base} empty csrf", "viewer", "POST", url, good, headers={"X-CSRF-Token": ""}, expect=(403,))
            )
            probes.append(
                Probe(
                    f"{base} wrong csrf", "viewer", "POST", url, good, headers={"X-CSRF-Token": "w" * 43}, expect=(403,)
                )
            )
            for who in ROLES:
                lower = ROLES.index(who) < ROLES.index(need_here)
                if not lower and export:
                    continue  # (the polls above cover it: a valid post would start a real export)
                probes.append(
                    Probe(
                        f"{base} {dep['output'][:40]} as {who}",
                        who,
                        "POST",
                        path,
                        good,
                        expect=(403,) if lower else None,
                    )
                )
            over = over_limit(page, dep)
            probes.append(
                Probe(
                    f"{base} over the limit",
                    "viewer" if need == "viewer" else "analyst",
                    "POST",
                    url,
                    over,
                    expect=(413,),
                )
            )
        for label, data, ctype in raw_bodies():
            probes.append(Probe(f"{base} raw {label}", "admin", "POST", url, data, content_type=ctype))
        for query in GARBAGE_JOBS:
            probes.append(Probe(f"{base} job params on no body", "admin", "POST", f"{url}?{query}", b"{}"))
    return probes


def route_probes(world: World) -> list[Probe]:
    """GET and POST of every route, by every kind of session; the traversal paths."""
    probes: list[Probe] = []
    for path in route_paths(world.app.server):
        public = auth.needed_role(urllib.parse.urlsplit(path).path) is None
        for who in (*NO_SESSION, *ROLES):
            if who != "admin" or not path.startswith(SLOW):  # (the analyst's GET runs the same code, for seconds)
                probes.append(Probe(f"GET {path} as {who}", who, "GET", path))
            probes.append(
                Probe(f"POST {path} as {who}", who, "POST", path, b"x=1", "application/x-www-form-urlencoded")
            )
        for who in NO_SESSION:
            if public:
                continue
            page = "/_" not in path and not path.startswith(("/export/", "/vendor/", "/assets/"))  # a person's page
            probes.append(Probe(f"GET {path} without a session", who, "GET", path, expect=(302,) if page else (401,)))
    for path in (
        "/export/data.csv",
        "/export/data.xlsx",
        "/export/enterprises.csv?tier=x",
        "/drill/enterprises",
        "/library",
        "/library/workbook.xlsx",
    ):
        probes.append(Probe(f"GET {path} as viewer", "viewer", "GET", path, expect=(403,)))
    for path in ("/library/publish", "/library/rollback"):
        probes.append(
            Probe(
                f"POST {path} as analyst",
                "analyst",
                "POST",
                path,
                b"token=x&version=x",
                "application/x-www-form-urlencoded",
                {"X-CSRF-Token": "set"},
                expect=(403,),
            )
        )
    for path in TRAVERSALS:
        for who in ("none", "admin"):
            probes.append(Probe(f"traversal {path} as {who}", who, "GET", path, traversal=True))
    # Form posts with crafted fields: login, logout, the data page's preview, publish and rollback.
    forms = [
        ("/login", b"username=" + b"a" * 5000 + b"&password=x&csrf_token=x"),
        ("/login", b"username[]=a&username[]=b&password=&csrf_token="),
        ("/login", b"password=" + b"p" * 200_000),
        ("/login", b"username=%00&password=%ff%fe&csrf_token=%00&next=//evil.example"),
        ("/logout", b"csrf_token=nope"),
        ("/password", b"current=" + b"c" * 5000 + b"&new=" + b"n" * 200_000 + b"&again=x&csrf_token=x"),
        ("/password", b"current[]=a&new=%00%ff&again=%00%ff&csrf_token=&next=//evil.example"),
        ("/library/preview", b"csrf_token=x"),
        ("/library/publish", b"token=../../etc&csrf_token=x"),
        ("/library/rollback", b"version=" + b"z" * 3000 + b"&csrf_token=x"),
    ]
    for path, body in forms:
        for who in ("none", "viewer", "admin"):
            probes.append(Probe(f"form {path} as {who}", who, "POST", path, body, "application/x-www-form-urlencoded"))
        probes.append(
            Probe(
                f"form {path} over the limit",
                "admin",
                "POST",
                path,
                b"x=" + b"y" * OVER,
                "application/x-www-form-urlencoded",
            )
        )
    probes.append(
        Probe(
            "multipart garbage preview",
            "admin",
            "POST",
            "/library/preview",
            b"--b\r\nContent-Disposition: form-data; name=files; filename=../../x.zip\r\n\r\n"
            b"PK\x03\x04garbage\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        )
    )
    return probes


def leaks(body: bytes, tmp: Path) -> list[str]:
    """What an answer must not carry."""
    text = body.decode("utf-8", "replace")
    return [s for s in (*LEAKS, str(tmp)) if s in text]


def send(world: World, probe: Probe) -> tuple[int, bytes]:
    """One probe through its client: (status, body)."""
    client = world.clients[probe.who]
    headers = {"X-CSRF-Token": world.csrf.get(probe.who, "")}
    headers.update(probe.headers)
    if headers.get("X-CSRF-Token") == "absent":
        del headers["X-CSRF-Token"]
    if headers.get("X-CSRF-Token") == "set":
        headers["X-CSRF-Token"] = world.csrf[probe.who]
    kwargs: dict[str, Any] = {"headers": headers}
    if probe.data is not None:
        kwargs["data"] = probe.data
        kwargs["content_type"] = "application/json" if probe.content_type is None else probe.content_type
    resp = client.open(probe.path, method=probe.method, **kwargs)
    return resp.status_code, resp.get_data()


def judge(probe: Probe, status: int, body: bytes, tmp: Path) -> str | None:
    """Why an answer is wrong, or None."""
    if status >= 500:
        return f"{status}"
    found = leaks(body, tmp)
    if found:
        return f"leaks {found}"
    if probe.expect is not None and status not in probe.expect:
        return f"{status}, expected {probe.expect}"
    if probe.traversal and any(s in body for s in STOLEN):
        return f"{status}: a file's content came back"
    return None


MIN_PROBES = 300


def test_crafted_requests_never_fail_or_leak(world: World) -> None:
    probes = callback_probes(world) + route_probes(world)
    wrong = []
    codes: dict[int, int] = {}
    for probe in probes:
        status, body = send(world, probe)
        codes[status] = codes.get(status, 0) + 1
        why = judge(probe, status, body, world.tmp)
        if why:
            wrong.append(f"{probe.label} ({probe.who} {probe.method} {probe.path[:120]}): {why}: {body[:160]!r}")
    print(f"fuzz: {len(probes)} crafted requests, answers by status {dict(sorted(codes.items()))}")  # for the notes
    assert len(probes) >= MIN_PROBES, len(probes)
    assert not wrong, f"{len(wrong)} of {len(probes)} wrong:\n" + "\n".join(wrong[:40])
    assert codes.get(200, 0) > 50, codes  # the valid-but-odd ones were answered, not just refused
    assert codes.get(401, 0) > 30, codes
    assert codes.get(403, 0) > 10, codes


# --- the same over HTTP, on a real gunicorn -----------------------------------------------------------


def _raw(base: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes, Any]:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)  # the path exactly as written
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body or b"")
        resp = conn.getresponse()
        return resp.status, resp.read(), resp
    finally:
        conn.close()


def test_a_sample_over_http_on_gunicorn(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.json")
    store.add("vera", "viewer", PASSWORD)
    with gunicorn(tmp_path) as (base, _):
        status, form, resp = _raw(base, "GET", "/login", None, {})
        cookie = resp.getheader("Set-Cookie").split(";", 1)[0]
        token = re.search(rb'name="csrf_token" value="([^"]+)"', form).group(1).decode()
        fields = urllib.parse.urlencode({"username": "vera", "password": PASSWORD, "csrf_token": token, "next": "/"})
        status, _, resp = _raw(
            base,
            "POST",
            "/login",
            fields.encode(),
            {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 303
        cookie = resp.getheader("Set-Cookie").split(";", 1)[0]
        html = _raw(base, "GET", "/", None, {"Cookie": cookie})[1].decode()
        csrf = re.search(r'<meta name="sti-csrf" content="([^"]+)">', html).group(1)
        page = Page.load(lambda path: json.loads(_raw(base, "GET", path, None, {"Cookie": cookie})[1]))
        dep = page.callback('"type":"sti-graph"')
        session = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
        sample: list[tuple[str, str, bytes | None, dict[str, str], tuple[int, ...] | None]] = []
        for label, body in [*list(value_bodies(page, dep))[::3], *list(shape_bodies(page, dep))[::4]]:
            sample.append((label, CALLBACK, json.dumps(body).encode(), session, None))
        for label, data, ctype in raw_bodies():
            sample.append((label, CALLBACK, data, {**session, "Content-Type": ctype}, None))
        good = json.dumps(page.body(dep)).encode()
        sample += [
            ("no session", CALLBACK, good, {"Content-Type": "application/json"}, (401,)),
            ("garbage cookie", CALLBACK, good, {**session, "Cookie": "sti_session=garbage"}, (401,)),
            ("no csrf", CALLBACK, good, {k: v for k, v in session.items() if k != "X-CSRF-Token"}, (403,)),
            ("empty csrf", CALLBACK, good, {**session, "X-CSRF-Token": ""}, (403,)),
            ("wrong csrf", CALLBACK, good, {**session, "X-CSRF-Token": "w" * 43}, (403,)),
            ("over the limit", CALLBACK, over_limit(page, dep), session, (413,)),
        ]
        export = page.callback(EXPORT_OUTPUT)
        sample.append(("pptx as viewer", CALLBACK, json.dumps(page.body(export)).encode(), session, (403,)))
        for path in TRAVERSALS:
            sample.append((f"traversal {path}", path, None, {"Cookie": cookie}, None))
        wrong = []
        for label, path, data, headers, expect in sample:
            method = "GET" if data is None else "POST"
            status, body, _ = _raw(base, method, path, data, headers)
            if status >= 500 or leaks(body, tmp_path) or (expect and status not in expect):
                wrong.append(f"{label} {path[:80]}: {status} {body[:160]!r}")
            elif data is None and any(s in body for s in STOLEN):
                wrong.append(f"{label} {path[:80]}: a file's content came back")
        assert len(sample) >= 50, len(sample)
        assert not wrong, "\n".join(wrong)
