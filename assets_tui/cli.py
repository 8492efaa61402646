"""``assets-tui``: the terminal app and its scriptable command line.

Every sub-command is a thin wrapper: it opens the database, calls one function of
``models`` (which decides everything) or ``forms`` (which reads and writes files), and
prints the answer. Errors the product expects (a bad row, a wrong password, a refused
permission, an unreachable database) print one sentence on stderr and exit with 1;
mistakes in the command itself exit with 2, as argparse does.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import re
import sys
import textwrap
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import peewee

from models import accounts, setup
from models import db as dbmod
from models.errors import DomainError, ValidationError
from models.schema import ROLES, utcnow

PROG = "assets-tui"
ENV_PASSWORD = "ASSETS_TUI_PASSWORD"
ENV_NEW_PASSWORD = "ASSETS_TUI_NEW_PASSWORD"
INIT_HINT = f"{PROG} init --agency NAME --admin USER"

ENVIRONMENT = f"""\
dates:
  DATE is ISO (2026-12-01) or Thai day/month/BE year (1/12/2569); spreadsheets may
  also hold real date cells.

environment:
  {dbmod.ENV_DB:<25}database URL used when --db is not given
                           (sqlite:///PATH/TO/FILE.db or postgresql://USER@HOST/NAME)
  {ENV_PASSWORD:<25}password of the user named by --as (and of the first
                           administrator in `init`); asked for when unset
  {ENV_NEW_PASSWORD:<25}password of the user created by `user add`; asked for when unset
"""

STATUS_LABELS = {
    "available": ("พร้อมใช้", "available"),
    "on_loan": ("ถูกยืม", "on loan"),
    "repair": ("ส่งซ่อม", "in repair"),
    "lost": ("สูญหาย", "lost"),
    "disposed": ("จำหน่ายแล้ว", "disposed"),
}


class CommandError(Exception):
    """A command that cannot go on; the message is the one sentence to show."""


# ---- output helpers ------------------------------------------------------------------

def _say(*parts: object) -> None:
    print(*parts, flush=True)


def _note(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def _sentence(text: str) -> str:
    """One line; a driver message that already ends a sentence keeps a single stop."""
    return re.sub(r"([.?!])\.$", r"\1", " ".join(str(text).split()))


def _error(message: str) -> None:
    print(f"{PROG}: error: {_sentence(message)}", file=sys.stderr, flush=True)


def cell_width(text: str) -> int:
    """Columns a string takes in a terminal: Thai vowel and tone marks take none,
    wide (CJK) characters two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _clip(text: str, limit: int | None) -> str:
    text = _sentence(text)
    if limit is None or cell_width(text) <= limit:
        return text
    out, width = "", 0
    for ch in text:
        w = cell_width(ch)
        if width + w > limit - 1:
            break
        out += ch
        width += w
    return out + "…"


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]],
                limits: Sequence[int | None] | None = None) -> None:
    """Columns aligned by terminal width, long cells cut with an ellipsis."""
    limits = limits or [None] * len(header)
    cells = [[_clip(str(c), limits[i]) for i, c in enumerate(row)] for row in rows]
    widths = [max([cell_width(h)] + [cell_width(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (widths[i] - cell_width(v)) for i, v in enumerate(values)).rstrip()

    _say(line(header))
    _say(line(["-" * w for w in widths]))
    for row in cells:
        _say(line(row))


# ---- the database and the acting user --------------------------------------------------

def _explicit_db(args: argparse.Namespace) -> str | None:
    return getattr(args, "db", None)


def _db_url(args: argparse.Namespace) -> tuple[str, str]:
    """(URL, where it came from) — the source names the option in error messages."""
    if _explicit_db(args):
        return args.db, "--db"
    if getattr(args, "demo", False):
        return dbmod.demo_db_url(), "--demo"
    if os.environ.get(dbmod.ENV_DB):
        return os.environ[dbmod.ENV_DB], dbmod.ENV_DB
    return dbmod.default_db_url(), "the default database"


def _bind(url: str, source: str, create: bool) -> None:
    path = dbmod.sqlite_path(url) if url.strip().startswith("sqlite:///") else None
    if not create and path is not None and not path.exists():
        raise CommandError(f"There is no database at {path}: create it with `{INIT_HINT}`"
                           f"{' (or check ' + source + ')' if source.startswith(('--', 'ASSETS')) else ''}.")
    try:
        dbmod.bind(url)
    except ValidationError as exc:
        if exc.field == "--db":
            raise CommandError(f"{source}: {exc.message}") from None
        raise


def open_database(args: argparse.Namespace, *, create: bool = False,
                  require_setup: bool = True) -> str:
    """Bind the chosen database; unless told otherwise, insist that `init` has run."""
    url, source = _db_url(args)
    _bind(url, source, create)
    if require_setup:
        pending = setup.pending_migrations()
        if pending:
            from models.schema import Setting

            if not Setting.table_exists():
                raise CommandError(f"The database {dbmod.describe(url)} is not set up yet: run `{INIT_HINT}` first.")
            raise CommandError(f"The database {dbmod.describe(url)} needs upgrading "
                               f"({', '.join(pending)}): run `{PROG} init` first.")
        if not setup.is_initialised():
            raise CommandError(f"The database {dbmod.describe(url)} has no agency yet: run `{INIT_HINT}` first.")
    return url


def _password(env: str, prompt: str, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandError(f"No password given: set {env} or run the command in a terminal to be asked for it.")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Type it again: ") != first:
        raise CommandError("The two passwords differ; nothing was changed.")
    return first


def authenticate(args: argparse.Namespace, why: str = "this command changes the register"):
    username = getattr(args, "actor", None)
    if not username:
        raise CommandError(f"Name yourself with --as USER: {why}.")
    return accounts.login(username, _password(ENV_PASSWORD, f"Password for {username}: "))


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", None) or "th"


# ---- sub-commands ----------------------------------------------------------------------

def cmd_tui(args: argparse.Namespace) -> int:
    if args.demo:
        url, source = _db_url(args)
        _bind(url, source, create=True)
        if not _has_assets():
            _note(f"Building the demo database at {dbmod.describe(url)} …")
            summary = _build_demo(300, 1)
            _note(str(summary))
    else:
        url = open_database(args)
    dbmod.close()
    from assets_tui.app import make_app

    make_app(url, lang=_lang(args)).run()
    return 0


def _has_assets() -> bool:
    from models.schema import Asset

    return Asset.table_exists() and Asset.select().exists()


def _build_demo(n_assets: int, seed: int):
    from models.demo import build_demo

    return build_demo(n_assets=n_assets, seed=seed, progress=lambda text: _note(f"  {text}"))


def cmd_init(args: argparse.Namespace) -> int:
    url, source = _db_url(args)
    _bind(url, source, create=True)
    from models.org import get_setting
    from models.schema import User

    agency_before = get_setting("agency_name") if setup.is_initialised() else ""
    if not agency_before and not args.agency:
        raise CommandError('No agency is set yet: give its name with --agency NAME '
                           '(for example --agency "เทศบาลนครแม่สอด").')
    users_exist = User.table_exists()
    existing = (User.get_or_none(User.username == args.admin)
                if users_exist and args.admin else None)
    if not args.admin and not (users_exist and setup.has_admin()):
        raise CommandError("The database has no administrator yet: name one with --admin USER.")
    password = None
    if args.admin and existing is None:
        password = _password(ENV_PASSWORD, f"Password for the administrator '{args.admin}': ",
                             confirm=True)
        accounts.validate_password(password)
    result = setup.init_database(agency=args.agency, admin=args.admin,
                                 admin_password=password, admin_name=args.admin_name)
    parts = []
    if result.applied:
        parts.append(f"schema created or upgraded ({', '.join(result.applied)})")
    else:
        parts.append("database is up to date")
    if result.agency_set:
        parts.append(f"agency set to '{args.agency.strip()}'")
    elif args.agency and agency_before and args.agency.strip() != agency_before:
        parts.append(f"agency stays '{agency_before}' (--agency only names a new database)")
    if result.categories_added:
        parts.append(f"{result.categories_added} asset categories added")
    if result.admin_created:
        parts.append(f"administrator '{result.admin_created}' created")
    elif existing is not None:
        kind = "administrator" if existing.role == "admin" else f"user ({existing.role})"
        parts.append(f"{kind} '{existing.username}' already exists")
    _say("; ".join(parts))
    _say(f"database: {dbmod.describe(url)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if _explicit_db(args):
        url, source = args.db, "--db"
    elif os.environ.get(dbmod.ENV_DB):
        url, source = os.environ[dbmod.ENV_DB], dbmod.ENV_DB
    else:
        url, source = dbmod.demo_db_url(), "the demo database"
    if args.assets < 1:
        raise CommandError("--assets must be at least 1.")
    _bind(url, source, create=True)
    summary = _build_demo(args.assets, args.seed)
    _say(str(summary))
    _say(f"database: {dbmod.describe(url)}")
    opener = f"{PROG} --demo" if url == dbmod.demo_db_url() else f"{PROG} --db {dbmod.describe(url)}"
    _say(f"open it with: {opener}   (every demo account's password is 'demo')")
    return 0


def cmd_find(args: argparse.Namespace) -> int:
    from models.assets import find_assets

    open_database(args)
    if args.limit < 1:
        raise CommandError("--limit must be at least 1.")
    found = find_assets(args.query, limit=args.limit)
    if args.json:
        from forms.opendata import asset_record, rows_for

        records = [asset_record(r) for r in rows_for(a.asset_no for a in found)]
        _say(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not found:
        _note(f"No asset matches '{args.query}'.")
        return 0
    th = _lang(args) == "th"
    header = (["รหัสครุภัณฑ์", "รายการ", "ยี่ห้อ/รุ่น", "หน่วยงาน", "สถานที่ตั้ง", "ผู้รับผิดชอบ", "สถานะ"]
              if th else ["asset no", "name", "brand/model", "department", "location",
                          "custodian", "status"])
    rows = []
    for a in found:
        status = STATUS_LABELS.get(a.status, (a.status, a.status))[0 if th else 1]
        rows.append([a.asset_no, a.name, " ".join(p for p in (a.brand, a.model) if p),
                     a.department.name, a.location.name if a.location_id else "",
                     a.custodian.name if a.custodian_id else "", status])
    print_table(header, rows, [None, 40, 28, 24, 24, 24, None])
    more = " (there may be more: raise --limit)" if len(found) == args.limit else ""
    _note(f"{len(found)} found{more}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from forms.spreadsheet import read_register
    from models.assets import import_assets, label

    open_database(args)
    if args.dry_run and not args.actor:
        actor = accounts.SYSTEM  # validation only: import_assets writes nothing on a dry run
    else:
        actor = authenticate(args, "importing registers assets (add --dry-run to only check the file)")
    register = read_register(args.file)
    sheet = f", sheet '{register.sheet}'" if register.sheet else ""
    report = import_assets(actor, register, dry_run=args.dry_run)
    _say(f"read {report.rows:,} rows from {register.path.name}{sheet} (header on line {register.header_line})")
    if register.ignored:
        _say(f"ignored columns: {', '.join(register.ignored)}")
    for err in report.errors:
        where = f"line {err.line}, " if err.line > 0 else ""
        print(f"{where}{label(err.field)}: {_sentence(err.message)}", file=sys.stderr)
    sys.stderr.flush()
    if report.errors:
        bad_lines = len({e.line for e in report.errors})
        raise CommandError(f"{bad_lines:,} of {report.rows:,} rows have errors "
                           f"({len(report.errors):,} in all); nothing was imported.")
    verb = "would be created" if args.dry_run else "created"
    if report.new_locations:
        _say(f"new locations {verb} ({len(report.new_locations)}): {', '.join(report.new_locations)}")
    if report.new_custodians:
        _say(f"new custodians {verb} ({len(report.new_custodians)}): {', '.join(report.new_custodians)}")
    if args.dry_run:
        _say(f"dry run: all {report.rows:,} rows are valid; nothing was written")
        return 0
    if report.imported == 1:
        _say(f"imported 1 asset: {report.first_asset_no}")
    else:
        _say(f"imported {report.imported:,} assets: {report.first_asset_no} … "
             f"{report.last_asset_no} (first and last row of the file)")
    return 0


@contextlib.contextmanager
def _output(path: str | None, binary_ok_on_tty: bool) -> Iterator[Any]:
    """A binary stream to the file (written beside it, then renamed, so a failed export
    never leaves half a file) or to stdout."""
    if path is None:
        if not binary_ok_on_tty and sys.stdout.isatty():
            raise CommandError("XLSX is a binary file: write it with -o FILE.xlsx.")
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"-o: '{path}' is a directory; give a file name.")
    partial = target.with_name(target.name + ".part")
    try:
        with open(partial, "wb") as out:
            yield out
        os.replace(partial, target)
    except OSError as exc:
        raise CommandError(f"-o: cannot write '{path}': {exc.strerror or exc}.") from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()


def cmd_export(args: argparse.Namespace) -> int:
    from forms import opendata

    fmt = opendata.format_for(args.output, args.format)
    if fmt is None:
        raise CommandError(f"-o: cannot tell the format from '{args.output}': "
                           "name the file .csv, .json or .xlsx, or give --format.")
    open_database(args)
    write = opendata.export_assets if args.what == "assets" else opendata.export_audit
    with _output(args.output, binary_ok_on_tty=fmt != "xlsx") as out:
        count = write(out, fmt)
    if args.output:
        noun = "assets" if args.what == "assets" else "audit events"
        _say(f"wrote {count:,} {noun} to {args.output} ({fmt})")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    open_database(args, require_setup=False)
    from models import integrity

    report = integrity.verify()
    for check in report.checks:
        mark = "✓" if check.ok else "✗"
        detail = f": {_sentence(check.detail)}" if check.detail else ""
        _say(f"{mark} {check.name}{detail}")
    if not report.ok:
        failed = sum(1 for c in report.checks if not c.ok)
        raise CommandError(f"{failed} of {len(report.checks)} checks failed.")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from models.org import get_department

    open_database(args)
    actor = authenticate(args, "adding a user is an administrator's task")
    department = get_department(args.department) if args.department else None
    password = _password(ENV_NEW_PASSWORD, f"Password for the new user {args.username}: ", confirm=True)
    user = accounts.create_user(actor, accounts.NewUser(
        username=args.username, password=password, role=args.role, name=args.name,
        position=args.position or "", department=department, phone=args.phone or ""))
    _say(f"created user '{user.username}' ({accounts.role_label(user.role, 'en')})")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from models.schema import Department, Person, User

    open_database(args)
    query = (User.select(User, Person, Department).join(Person)
             .join(Department, peewee.JOIN.LEFT_OUTER).order_by(User.username))
    now = utcnow()
    records = []
    for u in query:
        locked = bool(u.locked_until and u.locked_until > now)
        records.append({"username": u.username, "name": u.person.name, "role": u.role,
                        "department": u.person.department.code if u.person.department_id else None,
                        "position": u.person.position, "active": u.active, "locked": locked})
    if args.json:
        _say(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    lang = _lang(args)
    header = (["ผู้ใช้", "ชื่อ", "บทบาท", "หน่วยงาน", "สถานะ"] if lang == "th"
              else ["username", "name", "role", "department", "state"])
    rows = []
    for r in records:
        state = "active" if r["active"] else "deactivated"
        if r["locked"]:
            state += ", locked"
        rows.append([r["username"], r["name"], accounts.role_label(r["role"], lang),
                     r["department"] or "", state])
    print_table(header, rows, [None, 30, None, None, None])
    return 0


def _user_change(verb: str, change: Callable[[Any, str], Any]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        open_database(args)
        actor = authenticate(args, "changing accounts is an administrator's task")
        change(actor, args.username)
        _say(f"{verb} user '{args.username}'")
        return 0

    return run


cmd_user_deactivate = _user_change("deactivated", lambda a, u: accounts.set_active(a, u, False))
cmd_user_activate = _user_change("reactivated", lambda a, u: accounts.set_active(a, u, True))
cmd_user_unlock = _user_change("unlocked", accounts.unlock)


# ---- the parser ------------------------------------------------------------------------

def _common() -> argparse.ArgumentParser:
    """Options accepted before or after any sub-command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help=f"database URL (default: ${dbmod.ENV_DB}, else SQLite in the user's data directory)")
    common.add_argument("--lang", choices=("th", "en"), default=argparse.SUPPRESS,
                        help="language of the interface and of table headings (default: th)")
    return common


_STYLE = {"parents": [_common()], "epilog": ENVIRONMENT,
          "formatter_class": argparse.RawDescriptionHelpFormatter}


def _add(group, name: str, help: str, description: str) -> argparse.ArgumentParser:
    """A sub-command taking the common options, its description wrapped, the dates and
    environment variables below."""
    return group.add_parser(name, help=help, description=textwrap.fill(description, 79), **_STYLE)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=textwrap.fill(
            "Government asset register, loans and stock checks, in the terminal. "
            "With no sub-command it opens the app (the login screen first).", 79), **_STYLE)
    parser.add_argument("--demo", action="store_true",
                        help="use the demo database (a separate file; built on first use) "
                             "unless --db is given")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.set_defaults(func=cmd_tui, command=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _add(sub, "init", help="create or upgrade the database and the first administrator",
                       description="Create the schema (or apply new migrations), name the agency, "
                                   "seed the asset categories and create the first administrator. "
                                   "Running it again changes nothing that exists.")
    p.add_argument("--agency", metavar="NAME", help="the agency's name, e.g. เทศบาลนครแม่สอด "
                                                    "(needed the first time)")
    p.add_argument("--admin", metavar="USER", help="username of the first administrator "
                                                   f"(password from ${ENV_PASSWORD} or asked twice)")
    p.add_argument("--admin-name", metavar="NAME", help="the administrator's full name (default: USER)")
    p.set_defaults(func=cmd_init)

    p = _add(sub, "demo", help="build a realistic demo database",
                       description="Fill an empty database with a realistic agency: departments, "
                                   "staff, assets, loans and their history. Built into --db or "
                                   f"${dbmod.ENV_DB} when given, else into the separate demo database. "
                                   "Every demo account's password is 'demo'.")
    p.add_argument("--assets", type=int, default=300, metavar="N", help="number of assets (default 300)")
    p.add_argument("--seed", type=int, default=1, metavar="S",
                   help="random seed: the same seed builds the same data (default 1)")
    p.set_defaults(func=cmd_demo)

    p = _add(sub, "find", help="search the register",
                       description="Search asset numbers, names, brands, models, serial numbers "
                                   "and custodians (Thai or English, partial words).")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="print a JSON list with the open-data keys")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N results (default 50)")
    p.set_defaults(func=cmd_find)

    p = _add(sub, "import", help="import a register from CSV or XLSX (all or nothing)",
                       description="Import assets from a CSV (UTF-8 or TIS-620) or XLSX register. "
                                   "Thai or English headers are recognised (รหัสครุภัณฑ์, รายการ, "
                                   "ยี่ห้อ/รุ่น, ประเภท, หน่วยงาน, วันที่ได้มา, ราคา (บาท), แหล่งเงิน, ...). "
                                   "Every bad row is reported by line and field and then nothing is "
                                   "written. Unknown locations and custodians are created; unknown "
                                   "categories and departments are errors. --dry-run only checks the "
                                   "file and needs no --as.")
    p.add_argument("what", choices=("assets",), help="what the file holds")
    p.add_argument("file", metavar="FILE", help=".csv or .xlsx file")
    p.add_argument("--dry-run", action="store_true",
                   help="check every row and report, write nothing (no --as needed)")
    p.add_argument("--as", dest="actor", metavar="USER",
                   help=f"the storekeeper or administrator importing (password from ${ENV_PASSWORD})")
    p.set_defaults(func=cmd_import)

    p = _add(sub, "export", help="export the register or the audit log (open data)",
                       description="Write the asset register or the audit log as CSV (UTF-8 with "
                                   "BOM, for Excel), JSON (a list of objects) or XLSX. Assets carry "
                                   "the open-data keys asset_no, name, category, department, location, "
                                   "custodian, status, lendable, acquired_on, price, funding_source, "
                                   "acquisition_method, serial_no, then brand, model, unit, supplier, "
                                   "document_no, useful_life_years, description, remarks and the "
                                   "*_code columns; CSV/XLSX add acquired_on_be. Reading needs no "
                                   "login.")
    p.add_argument("what", choices=("assets", "audit"))
    p.add_argument("--format", choices=("csv", "json", "xlsx"),
                   help="default: from -o's extension, else csv")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_export)

    p = _add(sub, "verify", help="check integrity, data rules and the audit-log chain",
                       description="Check the database, the data rules and the hash chain of the "
                                   "audit log; exit 0 only when every check holds.")
    p.set_defaults(func=cmd_verify)

    p = _add(sub, "user", help="manage user accounts", description="Manage user accounts.")
    users = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    roles = ", ".join(ROLES)
    q = _add(users, "add", help="create a user", description="Create a user account "
                         f"(password from ${ENV_NEW_PASSWORD} or asked twice).")
    q.add_argument("username", metavar="USERNAME")
    q.add_argument("--role", required=True, metavar="ROLE", help=f"one of: {roles}")
    q.add_argument("--name", required=True, metavar="NAME", help="full name")
    q.add_argument("--department", metavar="CODE", help="department code (required for dept_head)")
    q.add_argument("--position", metavar="P", help="position (ตำแหน่ง)")
    q.add_argument("--phone", metavar="P", help="phone number")
    q.add_argument("--as", dest="actor", metavar="ADMIN", required=True,
                   help=f"the administrator acting (password from ${ENV_PASSWORD})")
    q.set_defaults(func=cmd_user_add)
    q = _add(users, "list", help="list users", description="List user accounts.")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=cmd_user_list)
    for name, func, text in (("deactivate", cmd_user_deactivate, "stop an account from logging in"),
                             ("activate", cmd_user_activate, "let a deactivated account log in again"),
                             ("unlock", cmd_user_unlock, "clear a lock after failed logins")):
        q = _add(users, name, help=text, description=text[0].upper() + text[1:] + ".")
        q.add_argument("username", metavar="USERNAME")
        q.add_argument("--as", dest="actor", metavar="ADMIN", required=True,
                       help=f"the administrator acting (password from ${ENV_PASSWORD})")
        q.set_defaults(func=func)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("assets-tui")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or a usage error (exit 2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except (DomainError, CommandError) as exc:
        _error(str(exc))
        return 1
    except peewee.DatabaseError as exc:
        _error(f"The database refused the operation: {exc}.")
        return 1
    except KeyboardInterrupt:
        _note("")
        return 130
    except BrokenPipeError:  # e.g. `assets-tui export assets | head`
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 141
    finally:
        dbmod.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
