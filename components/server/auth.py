"""Who may see what: the login page, sessions, CSRF tokens, the lockout, and the role every request needs.

Roles (components/server/users.py): viewer (the dashboard, presentation mode, chart pictures), analyst (+ the data
and PPTX exports, the drill-down, the data page's import preview), admin (+ publish and rollback; users are
managed with `app.py user ...`). One `before_request` hook decides every request on the server:

- no users configured: the no-login default for one person on their own machine — only direct loopback
  requests (not through a proxy) are served, as admin; `app.py run` refuses any other bind address;
- otherwise a signed session cookie (HttpOnly, SameSite=Lax, Secure from settings) names the user; pages
  without one redirect to /login, everything else answers 401; a role below the one needed answers 403;
- every state-changing request carries the session's CSRF token: Dash's callback requests in a header
  (assets/app.js reads it from the page's `<meta name="sti-csrf">`), forms in a `csrf_token` field.

Wall screens open `/screen/<token>` once (`app.py screen add NAME` prints it): a viewer session that lasts
`screen_days`, ended by `screen remove NAME`; the token leaves the address bar at once (a redirect).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import time
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlencode, urlsplit

import diskcache
import flask
from werkzeug.wrappers import Response as WerkzeugResponse  # flask.redirect's type; flask.Response's base

from components.core import ids
from components.core.i18n import t
from components.core.wall import SCREEN_PARAMS
from components.server.audit import Trail
from components.server.sessions import Sessions
from components.server.settings import Settings
from components.server.users import ADMIN, ANALYST, ROLES, VIEWER, User, UsersError, UserStore
from data.parse import visible

log = logging.getLogger("sti.auth")

SESSION_COOKIE = "sti_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_META = "sti-csrf"
LOGIN_PAGE = (Path(__file__).parent / "web" / "login.html").read_text(encoding="utf-8")  # Jinja, autoescaped
GUARD_KEY = "STI_AUTH"

# Reachable without a session: the login page and what it loads, the health check, CSP reports.
PUBLIC = (
    "/login",
    "/logout",
    "/healthz",
    "/csp-report",
    "/screen/",
    "/assets/",
    "/vendor/bootstrap/",
    "/_favicon.ico",
    "/favicon.ico",
)
# The role a path needs (first match); every other path needs a viewer.
PATH_ROLES = (
    ("/drill/", ANALYST),
    ("/export/", ANALYST),
    ("/report", ANALYST),  # the print view of the report (and the report archive, /reports)
    ("/audit", ADMIN),  # the audit trail's page and CSV
    ("/library/publish", ADMIN),
    ("/library/rollback", ADMIN),
    ("/library", ANALYST),
)
# Callbacks of the dashboard that need more than a viewer, by an output id they write.
CALLBACK_ROLES = ((ids.EXPORT_DOWNLOAD, ANALYST),)
# Form posts that check their own `csrf_token` field (after reading the form with their own size limit).
FORM_POSTS = ("/login", "/logout", "/password", "/library/")
PASSWORD_PATHS = ("/password", "/logout")  # all a user who must change their password may open (and PUBLIC)
DOWNLOADS = (
    "/export/",
    "/reports/",
    "/library/workbook.xlsx",
    "/audit.csv",
)  # answers that are files taken out (audited)
NAME_FACTOR = 4  # a name's failures from every address together may reach this many times the per-address limit
API_PREFIXES = ("/export/", "/vendor/", "/assets/")  # with "/_dash-…" paths: answered 401/403, never a page
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether `host` (a bind address or a client address) is this machine only."""
    host = (host or "").strip().strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


FORWARDING = ("X-Forwarded-For", "Forwarded", "X-Forwarded-Host", "Via")  # a proxy passed the request on


def host_name(host: str) -> str:
    """The name in a Host header ('127.0.0.1:8050' -> '127.0.0.1', '[::1]:8050' -> '::1')."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def exposure_problem(hosts: Iterable[str], users: UserStore) -> str | None:
    """Why serving on `hosts` must not start (an address off this machine and nobody set up to log in), or None."""
    off = [h for h in hosts if not is_loopback(h)]
    if not off or users.configured():
        return None
    return (
        f"refusing to serve on {', '.join(off)} without users: anyone who reaches the port would see the data.\n"
        f"Add a user first (users file {users.path}):\n"
        "    python app.py user add NAME --role admin\n"
        "or serve on 127.0.0.1 only (no login, this machine only)."
    )


def secret_key(settings: Settings) -> str:
    """The key that signs session cookies: the setting, else a random key kept in `secret_file` (0600),
    created on first use (one file shared by every worker and, on a shared directory, every machine)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.secret_file
    for _ in range(50):
        try:
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            text = ""
        if len(text) >= 32:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
            return text
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(tmp, path)  # atomic: of several workers starting at once, one key wins
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
            continue
        time.sleep(0.05)  # another process is writing it
    raise RuntimeError(f"secret key file {path} is empty or too short: delete it to have a new one made")


class Throttle:
    """Failed logins per name and per address in a shared store; `login_attempts` within the lockout
    window locks that name (and that address) for `lockout_minutes`. The store is a diskcache directory
    next to the result cache (every worker on this machine), or Redis when configured (every machine)."""

    def __init__(self, settings: Settings) -> None:
        self.limit = settings.login_attempts
        self.window = settings.lockout_minutes * 60
        self._redis = None
        self._disk: diskcache.Cache | None = None
        if settings.redis_url:
            import redis

            self._redis = redis.Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
        else:
            from components.server.cache import private_dir

            self._disk = diskcache.Cache(str(private_dir(settings.cache_dir / "logins")))
        self._local: dict[str, tuple[int, float]] = {}  # when the store fails: this process still counts

    def _keys(self, name: str, address: str) -> list[str]:
        """The (name, address) pair's count, then the name's over every address."""
        who = name.lower()[:64]
        return [f"sti:login:pair:{who}|{address[:64]}", f"sti:login:name:{who}"]

    def _limits(self) -> list[int]:
        # One address guessing one name: `limit` tries. The name from every address together: NAME_FACTOR times
        # that (guessing spread over many machines), so one client, or many behind one proxy, cannot lock anyone
        # else out: other names, and the same name from elsewhere, keep working.
        return [self.limit, self.limit * NAME_FACTOR]

    def _count(self, key: str) -> int:
        try:
            if self._redis is not None:
                # redis-py types every reply as `Awaitable[Any] | Any` (one signature for both clients): sync here
                return int(cast("bytes | None", self._redis.get(key)) or 0)
            assert self._disk is not None  # no Redis: the diskcache store (__init__)
            return int(self._disk.get(key, 0))
        except Exception:  # a store that is down must not open the gate: fall back to this process's count
            count, until = self._local.get(key, (0, 0.0))
            return count if until > time.time() else 0

    def locked(self, name: str, address: str) -> bool:
        """Whether logins for this name from this address (or for this name from everywhere) are locked now."""
        return any(self._count(k) >= n for k, n in zip(self._keys(name, address), self._limits(), strict=True))

    def failed(self, name: str, address: str) -> None:
        """Count one failed login."""
        for key in self._keys(name, address):
            count, until = self._local.get(key, (0, 0.0))
            self._local[key] = (count + 1 if until > time.time() else 1, time.time() + self.window)
            try:
                if self._redis is not None:
                    with self._redis.pipeline() as pipe:
                        pipe.incr(key)
                        pipe.expire(key, self.window, nx=True)
                        pipe.execute()
                else:
                    assert self._disk is not None  # no Redis: the diskcache store (__init__)
                    self._disk.add(key, 0, expire=self.window)
                    self._disk.incr(key, default=0)
            except Exception:
                log.warning("login throttle store unavailable; counting in this process only")

    def cleared(self, name: str, address: str) -> None:
        """Forget this name's failures from this address after a successful login from it."""
        key = self._keys(name, address)[0]
        self._local.pop(key, None)
        try:
            if self._redis is not None:
                self._redis.delete(key)
            else:
                assert self._disk is not None  # no Redis: the diskcache store (__init__)
                self._disk.delete(key)
        except Exception:
            log.warning("login throttle store unavailable")


class TrustedProxies:
    """WSGI middleware: a request from a listed reverse proxy takes the client address it forwards (Werkzeug's
    ProxyFix, one hop of X-Forwarded-For and -Proto); from anyone else, forwarding headers change nothing."""

    def __init__(self, app: Any, proxies: Iterable[str]) -> None:
        from werkzeug.middleware.proxy_fix import ProxyFix

        self.app = app
        self.proxies = frozenset(proxies)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        trusted = environ.get("REMOTE_ADDR") in self.proxies
        return (self.fixed if trusted else self.app)(environ, start_response)


class Auth:
    """The access rules of one app: its users file, session settings and login throttle."""

    def __init__(self, settings: Settings, users: UserStore | None = None) -> None:
        self.settings = settings
        self.users = users or UserStore(settings.users_file)
        self.throttle = Throttle(settings)
        self.sessions = Sessions(settings)
        self.trail = Trail(settings.audit_root)

    def record(self, action: str, obj: str = "", result: str = "ok", who: User | None = None, name: str = "") -> None:
        """One record of the audit trail for this request: its user (or the name tried), role and address. A
        trail that cannot be written is logged as an error; the request goes on."""
        req = flask.request
        try:
            self.trail.append(
                action,
                user=visible(who.name if who else name),
                role=who.role if who else "",
                address=req.remote_addr or "",
                obj=visible(obj),
                result=result,
            )
        except OSError as exc:
            log.error("audit trail %s: %s", self.settings.audit_root, exc)

    def enabled(self) -> bool:
        """Whether logins are required (anyone is set up in the users file)."""
        try:
            return self.users.configured()
        except UsersError as exc:  # an unreadable users file locks everyone out rather than opening up
            log.error("%s", exc)
            return True

    def current(self) -> User | None:
        """The identity of this request: the session's user or screen, the local admin with no users
        configured (direct loopback requests only), else None."""
        if not self.enabled():
            req = flask.request
            # Direct from this machine, and addressed to it: a page elsewhere whose name was re-pointed at
            # 127.0.0.1 (DNS rebinding) sends its own Host, and proxies add forwarding headers.
            direct = (
                is_loopback(req.remote_addr or "")
                and is_loopback(host_name(req.host or ""))
                and not any(req.headers.get(h) for h in FORWARDING)
            )
            return User("local", ADMIN, open=True) if direct else None
        sess = flask.session
        name, stamp, issued = sess.get("u"), sess.get("g"), sess.get("t")
        if not isinstance(name, str) or not isinstance(stamp, str) or not isinstance(issued, (int, float)):
            return None
        screen = bool(sess.get("s"))
        hours = self.settings.screen_days * 24 if screen else self.settings.session_hours
        if time.time() - issued > hours * 3600:
            return None
        try:
            found = self.users.screen(name, stamp) if screen else self.users.user(name, stamp)
        except UsersError as exc:
            log.error("%s", exc)
            return None
        # The server's record too: a copied cookie of a session that logged out, idled or was ended is nothing.
        if found is None:
            return None
        status = self.sessions.status(sess.get("sid"), name)
        if status == "expired":
            self.record("session.expired", who=found)
        return found if status == "open" else None

    def must_change(self, who: User) -> str | None:
        """Why `who` must set a new password before anything else ("first", "expired"), else None."""
        try:
            return self.users.must_change(who.name, self.settings.password_days)
        except UsersError as exc:
            log.error("%s", exc)
            return None

    def start(self, user: User) -> None:
        """A new session for `user` (a fresh CSRF token: nothing from before the login carries over), recorded
        on the server. A person's cookie ends with the browser (its session ends earlier on the server: idle,
        lifetime, logout); a wall screen's lasts its viewing days, through the screen's restarts."""
        flask.session.clear()
        flask.session.permanent = user.screen
        sid = self.sessions.open(user.name, user.screen, flask.request.remote_addr or "")
        flask.session.update(
            {"u": user.name, "g": user.stamp, "t": int(time.time()), "s": int(user.screen), "sid": sid}
        )
        flask.session["csrf"] = secrets.token_urlsafe(32)


def auth() -> Auth:
    """The Auth of the app handling this request."""
    return flask.current_app.config[GUARD_KEY]


def user() -> User | None:
    """Who is asking (cached for the request)."""
    if "sti_user" not in flask.g:
        flask.g.sti_user = auth().current()
    return flask.g.sti_user


def may(role: str) -> bool:
    """Whether this request's identity has at least `role` (False outside a request)."""
    if not flask.has_request_context() or GUARD_KEY not in flask.current_app.config:
        return False
    who = user()
    return who is not None and who.may(role)


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = flask.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        flask.session["csrf"] = token
    return token


def csrf_matches(sent: object) -> bool:
    """Whether `sent` is this session's CSRF token."""
    token = flask.session.get("csrf")
    return isinstance(sent, str) and isinstance(token, str) and bool(sent) and secrets.compare_digest(sent, token)


def needed_role(path: str) -> str | None:
    """The role a request for `path` needs (None: public); the dashboard's callbacks are refined by their
    outputs in `callback_role`."""
    if path.endswith("/_reload-hash"):  # Dash's hot-reload route lists the app's packages: not for everyone
        return ADMIN
    if any(path == p or (p.endswith("/") and path.startswith(p)) for p in PUBLIC):
        return None
    return next((role for prefix, role in PATH_ROLES if path.startswith(prefix)), VIEWER)


def callback_role(body: object) -> str:
    """The role a dashboard callback request needs, from the outputs it names."""
    output = body.get("output") if isinstance(body, dict) else None
    text = output if isinstance(output, str) else ""
    return max((role for out_id, role in CALLBACK_ROLES if out_id in text), key=ROLES.index, default=VIEWER)


def export_started(body: object) -> str | None:
    """What a callback request that starts the page's document job exports ("export-docx.n_clicks year=2012
    district=…"), else None."""
    if not isinstance(body, dict) or ids.EXPORT_DOWNLOAD not in str(body.get("output", "")):
        return None
    changed = body.get("changedPropIds")
    pressed = str(changed[0]) if isinstance(changed, list) and changed else ""
    values = []
    inputs, state = body.get("inputs"), body.get("state")
    for item in [*(inputs if isinstance(inputs, list) else []), *(state if isinstance(state, list) else [])]:
        if isinstance(item, dict) and item.get("id") in (ids.FILTER_YEAR, ids.FILTER_DISTRICTS, ids.FILTER_PERIOD):
            value = item.get("value")
            values.append(f"{item['id']}={','.join(map(str, value)) if isinstance(value, list) else value}")
    return " ".join([pressed or "export", *values])[:500]


def request_lang(with_form: bool = False) -> str:
    """The language a page asks for: the URL's `lang` (with_form: else a posted form's; never read where a
    request's body must stay unread), else the settings' language."""
    default = auth().settings.lang
    lang = flask.request.args.get("lang") or (flask.request.form.get("lang") if with_form else None) or default
    return lang if lang in ("zh", "en") else default


def _lang() -> str:
    return request_lang(with_form=True)


def _refuse(status: int, key: str) -> WerkzeugResponse:
    lang = _lang() if flask.request.method == "GET" else auth().settings.lang
    if status == 401 and flask.request.method == "GET" and _is_page(flask.request.path):
        return flask.redirect("/login?next=" + quote(_here(), safe=""), code=302)
    if flask.request.method == "GET" and _is_page(flask.request.path):
        return _login_page(status, denied=t(key, lang))
    resp = flask.jsonify({"error": t(key, lang)})
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _is_page(path: str) -> bool:
    """Whether a GET of `path` is a person's navigation (answered with pages), not a script's request."""
    return "/_" not in path and not path.startswith(API_PREFIXES)


def _here() -> str:
    req = flask.request
    query = req.query_string.decode("utf-8", "replace")[:1500]
    return req.path + (f"?{query}" if query else "")


def safe_next(target: object) -> str:
    """Where to go after logging in: a path on this site only (never another host)."""
    text = target if isinstance(target, str) else ""
    parts = urlsplit(text)
    if not text.startswith("/") or text.startswith("//") or "\\" in text or parts.scheme or parts.netloc:
        return "/"
    if parts.path.startswith(("/login", "/logout", "/password")):
        return "/"
    return text[:2000]


def guard() -> WerkzeugResponse | None:
    """The before_request hook: the identity, role and CSRF token every request needs."""
    req = flask.request
    role = needed_role(req.path)
    if role is None:
        return None
    who = user()
    if who is None:
        if not auth().enabled():  # no users, and the request came from elsewhere (another host, a proxy)
            return _refuse(403, "auth_local_only")
        return _refuse(401, "auth_required")
    if req.path.endswith("/_dash-update-component"):
        if req.method == "POST" and not who.open and not csrf_matches(req.headers.get(CSRF_HEADER, "")):
            return _refuse(403, "auth_csrf")
        if req.path == "/_dash-update-component":
            role = max(role, callback_role(req.get_json(silent=True)), key=ROLES.index)
    elif (
        req.method not in ("GET", "HEAD", "OPTIONS")
        and not who.open
        and not req.path.startswith(FORM_POSTS)
        and not csrf_matches(req.headers.get(CSRF_HEADER, ""))
    ):
        return _refuse(403, "auth_csrf")
    if not who.open and not who.screen and req.path not in PASSWORD_PATHS and auth().must_change(who):
        if req.method == "GET" and _is_page(req.path):
            return flask.redirect(f"/password?lang={_lang()}&next=" + quote(_here(), safe=""), code=302)
        return _refuse(403, "pw_must_change")
    if not who.may(role):
        log.info("refused %s %s to %s (%s)", req.method, req.path[:200], visible(who.name), who.role)
        auth().record("refused", f"{req.method} {req.path[:200]}", "403", who=who)
        return _refuse(403, "auth_forbidden")
    return None


def _login_page(status: int = 200, **ctx: Any) -> flask.Response:
    lang = _lang()
    body = flask.render_template_string(
        LOGIN_PAGE,
        lang=lang,
        other="en" if lang == "zh" else "zh",
        T=lambda key, **kw: t(key, lang, **kw),
        csrf=csrf_token(),
        next=safe_next(flask.request.values.get("next", "/")),
        who=user(),
        **{"error": "", "username": "", "denied": "", "change": False, "notice": "", **ctx},
    )
    resp = flask.Response(body, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def register(server: flask.Flask, settings: Settings) -> Auth:
    """Session settings, /login, /logout and /screen/<token> on `server`, and the guard before every request
    (added first, so nothing runs for a request it refuses)."""
    state = Auth(settings)
    server.config[GUARD_KEY] = state
    if settings.trusted_proxies:
        server.wsgi_app = TrustedProxies(server.wsgi_app, settings.trusted_proxies)  # type: ignore[method-assign]
    server.secret_key = secret_key(settings)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # The cookie's signature expires after the longest session; each session's own limit is checked too.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=max(settings.session_hours, settings.screen_days * 24)),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    server.before_request_funcs.setdefault(None, []).insert(0, guard)

    @server.after_request
    def audit_downloads(resp: flask.Response) -> flask.Response:
        """Every file taken out (exports, documents, the archive's, the template workbook): a record."""
        req = flask.request
        if req.method == "GET" and resp.status_code == 200 and req.path.startswith(DOWNLOADS):
            state.record("export", _here(), who=user())
        elif req.path == "/_dash-update-component" and resp.status_code == 200 and "cacheKey" not in req.args:
            started = export_started(req.get_json(silent=True))  # the page's PPTX/Word/PDF job (not its polls)
            if started:
                state.record("export", started, who=user())
        return resp

    @server.route("/login", methods=["GET", "POST"])
    def login() -> WerkzeugResponse:
        """The login form (GET) and its answer (POST): a session and a redirect, or the form with why not."""
        if not state.enabled():
            return flask.redirect(safe_next(flask.request.values.get("next")), code=303)
        if flask.request.method == "GET":
            return _login_page()
        form = flask.request.form
        name = str(form.get("username", ""))[:64].strip()
        password = str(form.get("password", ""))
        address = flask.request.remote_addr or ""
        if not csrf_matches(form.get(CSRF_FIELD)):
            return _login_page(400, error=t("login_expired", _lang()), username=name)
        if state.throttle.locked(name, address):
            log.warning("login locked out: %r from %s", name, address)
            state.record("login", result="locked", name=name)
            return _login_page(429, error=t("login_locked", _lang(), minutes=settings.lockout_minutes), username=name)
        found = state.users.verify(name, password)
        if found is None:
            state.throttle.failed(name, address)
            log.warning("login failed: %r from %s", name, address)
            state.record("login", result="failed", name=name)
            return _login_page(401, error=t("login_failed", _lang()), username=name)
        state.throttle.cleared(name, address)
        state.start(found)
        log.info("login: %s (%s) from %s", found.name, found.role, address)
        state.record("login", who=found)
        target = safe_next(form.get("next"))
        if _lang() == "en" and "lang=" not in target:  # signed in in English: the dashboard in English too
            target += ("&" if "?" in target else "?") + "lang=en"
        return flask.redirect(target, code=303)

    @server.post("/logout")
    def logout() -> WerkzeugResponse:
        """End the session (a form post with the session's token; a cross-site post changes nothing)."""
        if csrf_matches(flask.request.form.get(CSRF_FIELD)):
            who = user()
            state.sessions.end(flask.session.get("sid"))  # on the server: a copy of the cookie ends with it
            flask.session.clear()
            if who is not None:
                log.info("logout: %s", who.name)
                state.record("logout", who=who)
        return flask.redirect(f"/login?lang={_lang()}", code=303)

    @server.route("/password", methods=["GET", "POST"])
    def password() -> WerkzeugResponse:
        """Set a new password (GET: the form; POST: current, new twice). Every session of the user ends,
        this one continues under the new password; a wrong current password counts as a failed login."""
        who = user()
        lang = _lang()
        if who is None or who.open or who.screen:
            return flask.redirect(f"/?lang={lang}", code=303)
        why = state.must_change(who)
        notice = t(f"pw_{why}", lang) if why else ""
        if flask.request.method == "GET":
            return _login_page(change=True, notice=notice)
        form = flask.request.form
        address = flask.request.remote_addr or ""
        if not csrf_matches(form.get(CSRF_FIELD)):
            return _login_page(400, change=True, notice=notice, error=t("login_expired", lang))
        if state.throttle.locked(who.name, address):
            state.record("password.change", result="locked", who=who)
            error = t("login_locked", lang, minutes=settings.lockout_minutes)
            return _login_page(429, change=True, notice=notice, error=error)
        if state.users.verify(who.name, str(form.get("current", ""))) is None:
            state.throttle.failed(who.name, address)
            state.record("password.change", result="refused: wrong current password", who=who)
            return _login_page(401, change=True, notice=notice, error=t("pw_wrong_current", lang))
        new, again = str(form.get("new", "")), str(form.get("again", ""))
        try:
            if new != again:
                raise UsersError("the two new passwords differ", "pw_mismatch")
            state.users.passwd(who.name, new)
        except UsersError as exc:
            state.record("password.change", result=f"refused: {exc.key or exc}", who=who)
            return _login_page(400, change=True, notice=notice, error=exc.text(lang))
        state.throttle.cleared(who.name, address)
        ended = state.sessions.end_user(who.name)
        found = state.users.verify(who.name, new)
        if found is not None:
            state.start(found)
        log.info("password changed: %s (%d session(s) ended)", who.name, ended)
        state.record("password.change", who=who)
        return flask.redirect(safe_next(form.get("next")), code=303)

    @server.get("/screen/<token>")
    def screen(token: str) -> WerkzeugResponse:
        """A wall screen's one-time address: a long viewing session, then presentation mode."""
        found = state.users.use_screen(token[:200]) if state.enabled() else None
        if found is None:  # unknown, revoked, or opened once already: `app.py screen add NAME` gives a new link
            state.record("screen.open", result="refused")
            return _refuse(403, "auth_screen_unknown")
        state.start(found)
        log.info("screen session: %s from %s", found.name, flask.request.remote_addr)
        state.record("screen.open", who=found)
        lang = _lang()
        return flask.redirect(f"/?present=1&lang={lang}" + screen_params(flask.request.args), code=303)

    return state


def screen_params(args: Mapping[str, str]) -> str:
    """The wall's own settings a screen link may carry on to presentation mode (`/screen/<token>?wall=5760x1080
    &views=…`): its size, saved views, interval, reload time, theme and first view; '&…' or ''."""
    kept = [(k, args[k][:2000]) for k in SCREEN_PARAMS if args.get(k)]
    return "&" + urlencode(kept, safe=",") if kept else ""


def identity_header(lang: str) -> list[Any]:
    """The signed-in user's name and role with a logout button (the header; nothing without a login)."""
    from dash import dcc, html

    who = user() if flask.has_request_context() and GUARD_KEY in flask.current_app.config else None
    if who is None or who.open:
        return []
    return [
        html.Span(
            [html.Span(who.name, className="fw-semibold"), " · ", t(f"role_{who.role}", lang)],
            id=ids.USER_NAME,
            className="small text-body-secondary me-2",
        ),
        *(
            []
            if who.screen
            else [
                html.A(
                    t("change_password", lang),
                    href=f"/password?lang={lang}",
                    id=ids.PASSWORD_LINK,
                    className="btn btn-sm btn-link me-2",
                )
            ]
        ),
        html.Form(
            [
                dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token()),
                dcc.Input(type="hidden", name="lang", value=lang),
                html.Button(t("logout", lang), type="submit", id=ids.LOGOUT, className="btn btn-sm btn-link me-2"),
            ],
            action="/logout",
            method="POST",
            className="d-inline m-0",
        ),
    ]


def csrf_meta() -> str:
    """The page's `<meta>` with this session's CSRF token, for assets/app.js's callback requests."""
    if not flask.has_request_context() or GUARD_KEY not in flask.current_app.config:
        return ""
    return f'<meta name="{CSRF_META}" content="{csrf_token()}">'
