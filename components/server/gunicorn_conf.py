"""gunicorn's configuration: `gunicorn -c python:components.server.gunicorn_conf app:server` (make serve).

Workers, host and port come from the app's settings (STI_WORKERS, STI_HOST, STI_PORT); the access log
names the worker (pid) that answered and whether a callback came from the shared cache (X-STI-Cache).
Read by gunicorn's master when it starts; the app itself is built in each worker.
"""

from __future__ import annotations

import html
import os
import re
from typing import TYPE_CHECKING

from gunicorn import glogging, util

from components.server.settings import Settings

if TYPE_CHECKING:
    from gunicorn.arbiter import Arbiter

_settings = Settings.from_env()

bind = [f"[{_settings.host}]:{_settings.port}" if ":" in _settings.host else f"{_settings.host}:{_settings.port}"]
workers = _settings.workers
worker_class = "sync"
# Callbacks answer in well under a second and the PPTX export runs in a background job, not in the
# request: a worker silent for 60 s is stuck and is restarted.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Request limits: a view's URL is a few hundred bytes; callback bodies are bounded by the app (256 KB).
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
# Worker heartbeats on a memory file system when there is one (a disk-backed /tmp can stall them).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
logger_class = "components.server.gunicorn_conf.QuietTokens"  # wall-screen tokens never reach the access log
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s cache=%({x-sti-cache}o)s'
proc_name = "sti-dashboard"


def on_starting(server: Arbiter) -> None:
    """Refuse to serve off this machine with nobody set up to log in (the same rule as `app.py run`)."""
    import sys

    from components.server.auth import exposure_problem
    from components.server.users import UserStore

    users = UserStore(_settings.users_file)
    hosts = [_host(address) for address in server.cfg.bind]
    problem = exposure_problem([h for h in hosts if h is not None], users)
    if problem:
        sys.stderr.write(problem + "\n")
        sys.exit(2)
    if not users.configured():
        server.log.info("no users configured (%s): serving without login, to this machine only", users.path)


def _host(address: str) -> str | None:
    """The host of a gunicorn bind address ('h:p', '[v6]:p', 'unix:/path' — None: local by nature)."""
    if address.startswith(("unix:", "fd://")):
        return None
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 or address.startswith("[") else address
    return host.strip("[]")


SCREEN_TOKEN = re.compile(r"(/screen/)[^ ?\"]+")


def quiet_tokens(text: str) -> str:
    """A request line with any wall-screen token (`/screen/<token>`, a login) replaced by `***`."""
    return SCREEN_TOKEN.sub(r"\1***", text)


class QuietTokens(glogging.Logger):
    """gunicorn's logger, with wall-screen tokens left out of the access log."""

    def atoms(self, resp: object, req: object, environ: dict, request_time: object) -> dict:
        """The access log's fields, the request line and path without a token."""
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = quiet_tokens(atoms[key])
        return atoms


# gunicorn answers a request it cannot parse (a request line or header over the limits above, a malformed
# request) itself, before the app, with a page of its own that carried none of the app's security headers.
# gunicorn has no setting or hook for that page: its writer is replaced here, in the master, before the workers
# are forked (they call `util.write_error` through the module).
ERROR_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    **({"Strict-Transport-Security": "max-age=31536000; includeSubDomains"} if _settings.secure_cookies else {}),
}


def write_error(sock: object, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's error answer, with the security headers every answer of the app carries (and no echo of the
    request in the page: its message is left out)."""
    title = html.escape(f"{status_int} {reason}")
    body = f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close", "Content-Type: text/html; charset=utf-8"]
    head += [f"{k}: {v}" for k, v in ERROR_HEADERS.items()] + [f"Content-Length: {len(body.encode())}"]
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n" + body).encode("latin-1", "replace"))


util.write_error = write_error
