"""STI dashboard (科技创新指标看板): the command line (`python app.py …`).

python app.py run [--host H] [--port P] [--data-dir D]   serve with the built-in server
python app.py check DIR                                   validate a dataset directory
python app.py import SOURCE [--publish]                   validate and preview a dataset (dir, .zip, .xlsx);
                                                          --publish makes it the library's current version
python app.py versions                                    the library's versions (the current one marked)
python app.py rollback VERSION                            make an earlier version current again
python app.py user add NAME --role viewer|analyst|admin   a login (password from stdin, or prompted twice)
python app.py user list | remove NAME | passwd NAME | role NAME ROLE   the users file (STI_USERS_FILE)
python app.py screen add NAME | list | remove NAME        wall screens: a viewing link each (components/server/auth.py)
python app.py report --query Q --format docx,pdf --out D  the view's report documents, archived; --mail a@b,c@d
                                                          sends them (components/server/report_command.py)
python app.py backup FILE | restore FILE [--into DIR]     one archive of library, users, audit, reports, settings
                                                          (components/server/backup.py)
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from components.server import auth, backup, hardening, report_command
from components.server.audit import Trail, line_of
from components.server.cache import CacheDirError
from components.server.sessions import Sessions
from components.server.settings import Settings
from components.server.users import ROLES, UsersError, UserStore, check_name
from data.library.versions import LibraryError
from data.load import DatasetError, load_dataset, summary

log = logging.getLogger("sti")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="app.py", description="STI dashboard (科技创新指标看板)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the dashboard with the built-in server")
    run.add_argument("--host")
    run.add_argument("--port", type=int)
    run.add_argument("--data-dir", type=Path)
    check = sub.add_parser("check", help="validate a dataset directory")
    check.add_argument("directory", type=Path)
    imp = sub.add_parser(
        "import", help="validate a dataset (directory, .zip or .xlsx) and preview it against the current one"
    )
    imp.add_argument("source", type=Path)
    imp.add_argument("--publish", action="store_true", help="make it the current version when it is valid")
    imp.add_argument("--user", help="who publishes (the log; default: the login name and host)")
    sub.add_parser("versions", help="list the library's versions")
    back = sub.add_parser("rollback", help="make an earlier version current again")
    back.add_argument("version")
    back.add_argument("--user", help="who rolls back (the log)")
    users = sub.add_parser("user", help="manage the logins (the users file, STI_USERS_FILE)")
    users_sub = users.add_subparsers(dest="action", required=True)
    permanent = "the password is the person's own (typed by them): no change at the next login"
    add = users_sub.add_parser(
        "add", help="add a user (password from stdin when it is not a terminal; to be changed at first login)"
    )
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--permanent", action="store_true", help=permanent)
    users_sub.add_parser("list", help="list the users and their roles")
    users_sub.add_parser("remove", help="remove a user (their sessions end)").add_argument("name")
    passwd = users_sub.add_parser(
        "passwd", help="set a new password (their sessions end; to be changed at the next login)"
    )
    passwd.add_argument("name")
    passwd.add_argument("--permanent", action="store_true", help=permanent)
    role = users_sub.add_parser("role", help="give a user another role (their sessions end)")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    users_sub.add_parser("sessions", help="list a user's (or screen's) open sessions").add_argument("name")
    users_sub.add_parser("logout", help="end every session of a user (or screen) at once").add_argument("name")
    screens = sub.add_parser("screen", help="wall screens: a link that opens presentation mode as a viewer")
    screens_sub = screens.add_subparsers(dest="action", required=True)
    screens_sub.add_parser("add", help="make (or replace) a screen's link; printed once").add_argument("name")
    screens_sub.add_parser("list", help="list the screens")
    screens_sub.add_parser("remove", help="revoke a screen's link").add_argument("name")
    report_command.add_parser(sub)
    backup.add_parser(sub)
    trail = sub.add_parser("audit", help="the security audit trail (STI_AUDIT_DIR)")
    trail_sub = trail.add_subparsers(dest="action", required=True)
    show = trail_sub.add_parser("show", help="print the records, oldest first")
    show.add_argument("--since", default="", help="from this date or time (2026-12-01, 2026-12-01T08:00)")
    show.add_argument("--user", default="", help="of this user")
    show.add_argument("--action", default="", help="of this action (a prefix: login, export, import, ...)")
    trail_sub.add_parser("verify", help="check the chain: exit 0 when intact, 1 naming the first broken record")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    if args.command == "check":
        from components.sections import support

        try:
            ds = load_dataset(args.directory)
        except DatasetError as exc:
            sys.stdout.write(f"INVALID  {args.directory}: {exc.total} problem(s)\n{exc.report()}\n")
            return 1
        sys.stdout.write(summary(ds) + "\n    " + support(ds) + "\n")
        return 0

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        sys.stderr.write(f"configuration error: {exc}\n")
        return 2
    if args.command in ("import", "versions", "rollback"):
        from components.server import librarian

        code = librarian.command(args, settings, sys.stdout)
        if args.command == "rollback" or (args.command == "import" and args.publish):
            action, obj = (
                ("import.rollback", args.version) if args.command == "rollback" else ("import.publish", args.source)
            )
            typed = f" (--user {args.user})" if args.user else ""  # a note: the record's user is the OS's
            _cli_record(settings, action, f"{obj}{typed}", "ok" if code == 0 else f"refused (exit {code})")
        return code
    if args.command in ("user", "screen"):
        return users_command(args, settings)
    if args.command == "audit":
        return audit_command(args, settings)
    if args.command == "report":
        return report_command.command(args, settings, sys.stdout, sys.stderr)
    if args.command in ("backup", "restore"):
        code = backup.command(args, settings, sys.stdout, sys.stderr)
        if not getattr(args, "check", False):
            _cli_record(settings, args.command, str(args.file), "ok" if code == 0 else f"refused (exit {code})")
        return code
    overrides = {
        k: v
        for k, v in {
            "host": args.host,
            "port": args.port,
            "data_dir": args.data_dir and args.data_dir.resolve(),
        }.items()
        if v
    }
    settings = Settings(**{**settings.__dict__, **overrides})
    store = UserStore(settings.users_file)
    problem = auth.exposure_problem([settings.host], store)
    if problem:
        sys.stderr.write(problem + "\n")
        return 2
    if not store.configured():
        log.info("no users configured (%s): serving without login, to this machine only", settings.users_file)
    try:
        from app import create_app

        app = create_app(settings)
    except (CacheDirError, LibraryError) as exc:
        sys.stderr.write(f"cannot start: {exc}\n")
        return 1
    except DatasetError as exc:
        where = settings.data_dir or settings.library_dir
        sys.stderr.write(f"cannot serve {where}: {exc.total} problem(s)\n{exc.report()}\n")
        return 1
    # Every dev tool off explicitly (DASH_DEBUG, DASH_UI, ... are read for any left unset), debug=False
    # (Flask's FLASK_DEBUG and its Werkzeug debugger).
    logging.getLogger("werkzeug").addFilter(_QuietTokens())  # wall-screen tokens never reach the request log
    app.run(host=settings.host, port=settings.port, **hardening.DEV_TOOLS_OFF)
    return 0


class _QuietTokens(logging.Filter):
    """The dev server's request lines without wall-screen tokens (components/gunicorn_conf.quiet_tokens)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from components.server.gunicorn_conf import quiet_tokens

        record.msg = quiet_tokens(str(record.msg))
        record.args = tuple(quiet_tokens(a) if isinstance(a, str) else a for a in (record.args or ()))
        return True


def read_password(prompt: str = "Password: ") -> str:
    """A new password: one line of standard input when it is not a terminal, else typed twice (not echoed)."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(prompt)
    if getpass.getpass("Repeat: ") != first:
        raise UsersError("the two passwords differ")
    return first


def audit_command(args: argparse.Namespace, settings: Settings) -> int:
    """`app.py audit show|verify`."""
    trail = Trail(settings.audit_root)
    if args.action == "verify":
        lines = list(trail.lines())  # read once: checked and counted
        broken = trail.verify(lines)
        count = len(lines)
        if broken:
            sys.stderr.write(f"audit trail {settings.audit_root}: BROKEN at {broken}\n")
            return 1
        sys.stdout.write(f"audit trail {settings.audit_root}: intact, {count} record(s)\n")
        return 0
    for record in trail.records(args.since, args.user, args.action):
        sys.stdout.write(line_of(record) + "\n")
    return 0


def _cli_record(settings: Settings, action: str, obj: str, result: str = "ok") -> None:
    """A record of the audit trail for a command: the operating-system user it ran as (never a typed name)."""
    import getpass

    try:
        Trail(settings.audit_root).append(action, user=f"os:{getpass.getuser()}", address="cli", obj=obj, result=result)
    except OSError as exc:
        sys.stderr.write(f"warning: audit trail {settings.audit_root}: {exc}\n")


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds")


def users_command(args: argparse.Namespace, settings: Settings) -> int:
    """`app.py user ...` and `app.py screen ...`: change the users file, say what changed (never a password)."""
    store = UserStore(settings.users_file)
    out = sys.stdout
    try:
        if args.command == "user" and args.action == "list":
            rows = store.users()
            for row in rows:
                then = "  (must change it)" if row["must_change"] else ""
                out.write(
                    f"{row['name']:<24} {row['role']:<8} created {row['created']}  changed {row['changed']}{then}\n"
                )
            out.write(f"{len(rows)} user(s) in {store.path}\n")
        elif args.command == "user" and args.action in ("add", "passwd"):
            check_name(args.name)
            password = read_password()
            temporary = not args.permanent
            then = " (to be changed at the first login)" if temporary else ""
            if args.action == "add":
                store.add(args.name, args.role, password, temporary=temporary)
                _cli_record(settings, "user.add", f"{args.name} ({args.role}){then}")
                out.write(f"added {args.name} ({args.role}) to {store.path}{then}\n")
            else:
                store.passwd(args.name, password, temporary=temporary)
                ended = Sessions(settings).end_user(args.name)
                _cli_record(settings, "user.passwd", f"{args.name}{then}", f"ok, {ended} session(s) ended")
                out.write(f"changed the password of {args.name}{then}; their sessions have ended\n")
        elif args.command == "user" and args.action == "role":
            store.set_role(args.name, args.role)
            ended = Sessions(settings).end_user(args.name)
            _cli_record(settings, "user.role", f"{args.name} ({args.role})", f"ok, {ended} session(s) ended")
            out.write(f"{args.name} is now {args.role}; their sessions have ended\n")
        elif args.command == "user" and args.action in ("sessions", "logout"):
            check_name(args.name)
            sessions = Sessions(settings)
            if args.action == "sessions":
                found = sessions.of_user(args.name)
                for s in found:
                    kind = "screen" if s.screen else "login"
                    out.write(f"{kind:<7} since {_when(s.created)}  last seen {_when(s.seen)}  from {s.address}\n")
                out.write(f"{len(found)} open session(s) of {args.name}\n")
            else:
                ended = sessions.end_user(args.name)
                _cli_record(settings, "user.logout", args.name, f"{ended} session(s) ended")
                out.write(f"ended {ended} session(s) of {args.name}\n")
        elif args.command == "user":
            store.remove(args.name)
            Sessions(settings).end_user(args.name)
            _cli_record(settings, "user.remove", args.name)
            out.write(f"removed {args.name}; their sessions have ended\n")
        elif args.action == "add":
            token = store.add_screen(args.name)
            Sessions(settings).end_user(args.name)
            _cli_record(settings, "screen.add", args.name)
            out.write(
                f"screen {args.name}: open this address once on the screen (it is shown only now):\n"
                f"    http://{settings.host}:{settings.port}/screen/{token}\n"
                f"(behind a proxy, the same path on its address; revoke with `app.py screen remove {args.name}`)\n"
            )
        elif args.action == "list":
            rows = store.screens()
            for row in rows:
                out.write(f"{row['name']:<24} created {row['created']}\n")
            out.write(f"{len(rows)} screen(s) in {store.path}\n")
        else:
            store.remove_screen(args.name)
            Sessions(settings).end_user(args.name)
            _cli_record(settings, "screen.remove", args.name)
            out.write(f"revoked screen {args.name}\n")
    except UsersError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0
