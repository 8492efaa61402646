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
import shlex
import sys
import textwrap
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee

from models import accounts, loans, setup
from models import db as dbmod
from models.errors import DomainError, ValidationError
from models.schema import ROLES, utcnow
from models.values import format_date_be

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
        if pending and source == "--demo" and Path(dbmod.sqlite_path(url) or "").exists():
            setup.upgrade()  # the demo file is the product's own: bring it up to date
            pending = []
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

def _tui_database(args: argparse.Namespace) -> str:
    """The database the app opens: the demo (built on first use) or the chosen one, set up."""
    if getattr(args, "demo", False):
        url, source = _db_url(args)
        _bind(url, source, create=True)
        if not _has_assets():
            _note(f"Building the demo database at {dbmod.describe(url)} …")
            summary = _build_demo(300, 1)
            _note(str(summary))
        elif setup.pending_migrations():
            setup.upgrade()  # a demo built by an earlier version
    else:
        url = open_database(args)
    dbmod.close()
    return url


def cmd_tui(args: argparse.Namespace) -> int:
    url = _tui_database(args)
    from assets_tui.app import make_app

    make_app(url, lang=_lang(args)).run()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The same app in a browser: textual-serve runs one app per browser tab, each on the
    same database, each with its own login."""
    url = _tui_database(args)
    try:
        from textual_serve.server import Server
    except ImportError:
        raise CommandError("The browser version needs the textual-serve package: "
                           "pip install textual-serve") from None
    command = shlex.join([sys.executable, "-m", "assets_tui", "--db", url, "--lang", _lang(args)])
    _note(f"Open http://{args.host}:{args.port} in a browser; Ctrl+C stops the server.")
    Server(command, host=args.host, port=args.port, title=PROG).serve()
    return 0


def _has_assets() -> bool:
    from models.schema import Asset

    return Asset.table_exists() and Asset.select().exists()


def _build_demo(n_assets: int, seed: int):
    from models.demo import build_demo

    return build_demo(n_assets=n_assets, seed=seed, progress=lambda text: _note(f"  {text}"))


def cmd_init(args: argparse.Namespace) -> int:
    url, source = _db_url(args)
    path = dbmod.sqlite_path(url) if url.strip().startswith("sqlite:///") else None
    new_dirs = [] if path is None else [d for d in path.parents if not d.exists()]
    new_file = path is not None and not path.exists()
    try:
        return _init(args, url, source)
    except BaseException:
        if new_file:  # a failed init leaves nothing behind
            dbmod.close()
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            for folder in sorted(new_dirs, key=lambda d: len(d.parts), reverse=True):
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise


def _init(args: argparse.Namespace, url: str, source: str) -> int:
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
    if (args.what == "stockcheck") != (args.check is not None):
        raise CommandError("Name the stock check: export stockcheck ID." if args.what == "stockcheck"
                           else f"export {args.what} takes no ID: only export stockcheck takes one.")
    if args.fiscal_year is not None and args.what != "stats":
        raise CommandError("--fiscal-year goes with export stats only.")
    open_database(args)
    write, noun = {"assets": (opendata.export_assets, "assets"),
                   "stats": (lambda out, fmt: opendata.export_stats(out, fmt, _statistics(args)),
                             "rows of statistics"),
                   "loans": (opendata.export_loans, "loans"),
                   "audit": (opendata.export_audit, "audit events"),
                   "stockcheck": (lambda out, fmt: opendata.export_stockcheck(out, fmt, args.check),
                                  "stock check rows")}[args.what]
    with _output(args.output, binary_ok_on_tty=fmt != "xlsx") as out:
        count = write(out, fmt)
    if args.output:
        _say(f"wrote {count:,} {noun} to {args.output} ({fmt})")
    return 0


def _statistics(args: argparse.Namespace):
    """The service statistics of --fiscal-year (open data: anyone may read them)."""
    from models import stats
    from models.accounts import SYSTEM
    from models.values import fiscal_year_of

    return stats.service_statistics(SYSTEM, args.fiscal_year or fiscal_year_of(date.today()))


def cmd_verify(args: argparse.Namespace) -> int:
    open_database(args, require_setup=False)
    from assets_tui.cli_backup import checkpoints
    from models import integrity

    report = integrity.verify(checkpoints=checkpoints(args))
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


# ---- loans -------------------------------------------------------------------------------

PLACE_LABELS = {"inside": ("ภายในสถานที่", "inside the premises"),
                "outside": ("นอกสถานที่", "outside the premises")}
CONDITION_LABELS = {"usable": ("ใช้การได้", "usable"), "damaged": ("ชำรุด", "damaged"),
                    "lost": ("สูญหาย", "lost")}
METHOD_LABELS = {"letter": ("หนังสือทวงคืน", "letter"), "phone": ("โทรศัพท์", "phone"),
                 "visit": ("ไปพบ", "visit")}
SETTLEMENT_LABELS = {"repaired": ("ซ่อมแล้ว", "repaired"), "replaced": ("ชดใช้เป็นของ", "replaced"),
                     "paid": ("ชดใช้เป็นเงิน", "paid")}
CASE_LABELS = {"open": ("ยังไม่ยุติ", "open"), "settled": ("ยุติแล้ว", "settled")}


def _label(table: dict[str, tuple[str, str]], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    return table.get(code, (code, code))[0 if lang == "th" else 1]


def _day(iso: str | None, lang: str, long: bool = False) -> str:
    """A date for people: Buddhist Era in Thai, ISO (with the BE date) in English."""
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    if lang == "th":
        return format_date_be(day, short=not long)
    return f"{iso} ({format_date_be(day, short=True)})" if long else iso


def _local_day(stamp: str | None, lang: str) -> str:
    """The local calendar day of a stored UTC time."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp.removesuffix("Z")).replace(tzinfo=UTC).astimezone()
    return _day(moment.date().isoformat(), lang)


def _loan_done(args: argparse.Namespace, loan_no: str, note: str | None = None) -> int:
    """What every acting loan command prints: the loan's number, or with --json the slip."""
    from forms.opendata import loan_detail

    if args.json:
        _say(json.dumps(loan_detail(loan_no), ensure_ascii=False, indent=2))
    else:
        _say(loan_no)
    if note:
        _note(note)
    return 0


def _status_note(loan) -> str:
    return f"loan {loan.loan_no} is {loans.STATUS_NAMES[loan.status][1]}"


LOAN_WHY = "this command changes the loan register"


def cmd_loan_request(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, LOAN_WHY)
    external = None
    outside = (args.external, args.organisation, args.address, args.phone, args.thai_id)
    if any(value is not None for value in outside):
        external = loans.ExternalBorrower(
            name=args.external or "", organisation=args.organisation or "",
            address=args.address or "", phone=args.phone or "", thai_id=args.thai_id or "")
    loan = loans.request_loan(actor, loans.LoanRequest(
        assets=args.assets, purpose=args.purpose, place=args.place, start_on=args.start,
        due_on=args.due, borrower=args.borrower, external=external,
        state_agency=args.state_agency))
    approvers = ", ".join(f"{u.person.name} ({u.username})" for u in loans.eligible_approvers(loan))
    return _loan_done(args, loan.loan_no,
                      f"{_status_note(loan)}; it may be approved by: {approvers or 'nobody is set up yet'}")


def _loan_change(change: Callable[[Any, argparse.Namespace], str | None]
                 ) -> Callable[[argparse.Namespace], int]:
    """An acting loan command: open, log in, call the domain, print the loan number; the
    change may return a line for stderr (else the loan's new status is said)."""

    def run(args: argparse.Namespace) -> int:
        open_database(args)
        actor = authenticate(args, LOAN_WHY)
        note = change(actor, args)
        loan = loans.get_loan(args.loan_no)
        return _loan_done(args, loan.loan_no, note or _status_note(loan))

    return run


def _approve(actor, args) -> None:
    loans.approve_loan(actor, args.loan_no, args.note or "")


def _reject(actor, args) -> None:
    loans.reject_loan(actor, args.loan_no, args.note or "")


def _cancel(actor, args) -> None:
    loans.cancel_loan(actor, args.loan_no, args.note or "")


def _issue(actor, args) -> str | None:
    loan = loans.issue_items(actor, args.loan_no, args.assets or None)
    waiting = [i.asset.asset_no for i in loans.loan_items(loan) if i.issued_at is None]
    if waiting:
        return f"{_status_note(loan)}; still in store: {', '.join(waiting)}"
    return None


def _return(actor, args) -> str | None:
    loan = loans.return_item(actor, args.loan_no, args.asset, args.condition, args.note or "")
    if args.condition != "usable":
        return (f"asset {args.asset.strip()} came back {args.condition}: a damage case is open until "
                f"it is settled (`{PROG} loan settle {loan.loan_no} --asset {args.asset.strip()} --by ...`)")
    return None


def _extend(actor, args) -> str | None:
    loan = loans.extend_loan(actor, args.loan_no, args.due)
    return f"loan {loan.loan_no} is now due on {loan.due_on:%Y-%m-%d}"


def _follow_up(actor, args) -> str | None:
    done = loans.record_follow_up(actor, args.loan_no, args.method, args.note or "")
    return f"follow-up by {done.method} recorded on {done.on_date:%Y-%m-%d}"


def _settle(actor, args) -> str | None:
    case = loans.settle_damage(actor, args.loan_no, args.asset, args.by, args.amount, args.note or "")
    paid = f" ({case.amount:,.2f} baht)" if case.amount is not None else ""
    return f"damage case of asset {args.asset.strip()} settled: {case.settlement}{paid}"


def _refer(actor, args) -> str | None:
    loans.refer_damage(actor, args.loan_no, args.asset, args.note or "")
    return f"damage case of asset {args.asset.strip()} referred to a fact-finding committee"


cmd_loan_approve = _loan_change(_approve)
cmd_loan_reject = _loan_change(_reject)
cmd_loan_cancel = _loan_change(_cancel)
cmd_loan_issue = _loan_change(_issue)
cmd_loan_return = _loan_change(_return)
cmd_loan_extend = _loan_change(_extend)
cmd_loan_follow_up = _loan_change(_follow_up)
cmd_loan_settle = _loan_change(_settle)
cmd_loan_refer = _loan_change(_refer)


def _loan_filter(args: argparse.Namespace):
    from models.org import get_department

    if args.fiscal_year is not None and args.fiscal_year < 2400:
        raise CommandError(f"--fiscal-year {args.fiscal_year}: give the Buddhist Era year "
                           f"in which the fiscal year ends, such as {args.fiscal_year + 543}.")
    if args.department:
        get_department(args.department)
    return loans.LoanFilter(status=args.status, fiscal_year=args.fiscal_year,
                      department=args.department, kind=args.kind)


def _loan_table(records: Sequence[dict[str, Any]], lang: str) -> None:
    kinds, statuses = loans.KIND_NAMES, loans.STATUS_NAMES
    th = lang == "th"
    header = (["เลขที่ใบยืม", "สถานะ", "ประเภท", "ผู้ยืม", "หน่วยงาน", "ตั้งแต่", "ถึง", "รายการ"] if th
              else ["loan no", "status", "kind", "borrower", "department", "from", "due", "items"])
    rows = []
    for r in records:
        borrower = r["borrower"] + (f" ({r['organisation']})" if r["organisation"] else "")
        rows.append([r["loan_no"], _label(statuses, r["status"], lang),
                     _label(kinds, r["kind"], lang), borrower, r["department"],
                     _day(r["start_on"], lang), _day(r["due_on"], lang),
                     ", ".join(i["asset_no"] for i in r["items"])])
    print_table(header, rows, [None, None, 24, 36, 24, None, None, 40])


def cmd_loan_list(args: argparse.Namespace) -> int:
    from forms.opendata import iter_loan_rows, loan_record

    open_database(args)
    f = _loan_filter(args)
    if args.overdue:
        return _list_overdue(args, f)
    records = [loan_record(r) for r in iter_loan_rows(f, newest_first=True)]
    if args.json:
        _say(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not records:
        _note("No loan matches.")
        return 0
    _loan_table(records, _lang(args))
    _note(f"{len(records):,} loans")
    return 0


def _list_overdue(args: argparse.Namespace, f) -> int:
    from forms.opendata import loan_record, loan_rows_for
    late = loans.overdue_loans()
    if any((f.status, f.fiscal_year, f.department, f.kind)):
        chosen = {loan.id for loan in loans.loan_query(f)}
        late = [o for o in late if o.loan.id in chosen]
    limit = loans.follow_up_days()
    rows = {r["loan_no"]: r for r in loan_rows_for(o.loan.loan_no for o in late)}
    records = []
    for o in late:
        record = loan_record(rows[o.loan.loan_no])
        last = o.last_follow_up
        record.update({
            "days_overdue": o.days_overdue,
            "items_out": [i.asset.asset_no for i in o.items],
            "borrower_phone": o.loan.borrower.phone,
            "last_follow_up_on": last.on_date.isoformat() if last else None,
            "last_follow_up_method": last.method if last else None,
            "follow_up_late": o.follow_up_late,
        })
        records.append(record)
    if args.json:
        _say(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not records:
        _note("No loan is overdue.")
        return 0
    lang = _lang(args)
    th = lang == "th"
    header = (["เลขที่ใบยืม", "ผู้ยืม", "โทรศัพท์", "ครบกำหนด", "เกิน (วัน)", "ยังไม่คืน",
               "ติดตามล่าสุด", "ต้องติดตาม"] if th
              else ["loan no", "borrower", "phone", "due", "days over", "still out",
                    "last follow-up", "chase"])
    flag = f"ยังไม่ติดตามเกิน {limit} วัน" if th else f"not chased within {limit} days"
    table = []
    for r in records:
        last = (f"{_day(r['last_follow_up_on'], lang)} {_label(METHOD_LABELS, r['last_follow_up_method'], lang)}"
                if r["last_follow_up_on"] else "")
        borrower = r["borrower"] + (f" ({r['organisation']})" if r["organisation"] else "")
        table.append([r["loan_no"], borrower, r["borrower_phone"], _day(r["due_on"], lang),
                      str(r["days_overdue"]), ", ".join(r["items_out"]), last,
                      flag if r["follow_up_late"] else ""])
    print_table(header, table, [None, 36, 24, None, None, 40, None, None])
    chase = sum(1 for r in records if r["follow_up_late"])
    _note(f"{len(records):,} overdue, {chase:,} not chased within {limit} days of the due date")
    return 0


def cmd_loan_show(args: argparse.Namespace) -> int:
    from forms.opendata import loan_detail

    open_database(args)
    slip = loan_detail(args.loan_no)
    if args.json:
        _say(json.dumps(slip, ensure_ascii=False, indent=2))
        return 0
    _print_slip(slip, _lang(args))
    return 0


def _print_slip(s: dict[str, Any], lang: str) -> None:
    kinds, statuses = loans.KIND_NAMES, loans.STATUS_NAMES
    th = lang == "th"

    def who(name: str | None, username: str | None) -> str:
        return f"{name} ({username})" if name else ""

    borrower = s["borrower"] + (f", {s['borrower_position']}" if s["borrower_position"] else "")
    decision = ""
    if s["decided_by"]:
        verb = ({"rejected": "ไม่อนุมัติ"}.get(s["status"], "อนุมัติ") if th
                else {"rejected": "rejected"}.get(s["status"], "approved"))
        by = "โดย" if th else "by"
        decision = (f"{verb} {by} {who(s['decided_by_name'], s['decided_by'])} "
                    f"{_local_day(s['decided_at'], lang)}")
        if s["decision_note"]:
            decision += f": {s['decision_note']}"
    elif s["status"] == "requested":
        decision = "รออนุมัติ" if th else "waiting for approval"
    requested = (f"{_local_day(s['requested_at'], lang)} "
                 f"{'โดย' if th else 'by'} {who(s['requested_by_name'], s['requested_by'])}")
    period = f"{_day(s['start_on'], lang, long=True)} – {_day(s['due_on'], lang, long=True)}"
    fields = [
        (("ใบยืมพัสดุเลขที่", "loan slip"), s["loan_no"]),
        (("สถานะ", "status"), _label(statuses, s["status"], lang)),
        (("ประเภทการยืม", "kind"), _label(kinds, s["kind"], lang)),
        (("ผู้ยืม", "borrower"), borrower),
        (("สังกัด", "unit"), s["organisation"] or s["borrower_unit"] or ""),
        (("ที่อยู่", "address"), s["borrower_address"]),
        (("โทรศัพท์", "phone"), s["borrower_phone"]),
        (("หน่วยงานเจ้าของพัสดุ", "lent by"), f"{s['department']} ({s['department_code']})"),
        (("วัตถุประสงค์", "purpose"), s["purpose"]),
        (("สถานที่ใช้", "place of use"), _label(PLACE_LABELS, s["place"], lang)),
        (("ระยะเวลายืม", "period"), period),
        (("ยื่นคำขอ", "requested"), requested),
        (("ผลการพิจารณา", "decision"), decision),
        (("ส่งมอบครบ", "handed over"), _day(s["issued_on"], lang, long=True)),
        (("คืนครบ", "returned"), _day(s["returned_on"], lang, long=True)),
    ]
    shown = [(label[0 if th else 1], value) for label, value in fields if value]
    width = max(cell_width(label) for label, _ in shown)
    for label, value in shown:
        _say(f"{label}{' ' * (width - cell_width(label))}  {_sentence(value)}")

    _say("")
    header = (["ที่", "รหัสครุภัณฑ์", "รายการ", "มูลค่าขณะยืม", "ส่งมอบ", "คืน", "สภาพ", "หมายเหตุ"] if th
              else ["no.", "asset no", "item", "value at loan", "handed over", "returned",
                    "condition", "note"])
    print_table(header, [[str(n), i["asset_no"], i["name"], f"{Decimal(i['value_at_loan']):,.2f}",
                          _local_day(i["issued_at"], lang), _local_day(i["returned_at"], lang),
                          _label(CONDITION_LABELS, i["returned_condition"], lang), i["return_note"]]
                         for n, i in enumerate(s["items"], start=1)],
                [None, None, 40, None, None, None, None, 40])
    if s["follow_ups"]:
        _say("")
        _say("การติดตามทวงคืน" if th else "follow-ups")
        print_table(["วันที่", "วิธี", "โดย", "หมายเหตุ"] if th else ["date", "method", "by", "note"],
                    [[_day(f["on_date"], lang), _label(METHOD_LABELS, f["method"], lang), f["by"],
                      f["note"]] for f in s["follow_ups"]], [None, None, None, 60])
    if s["damage_cases"]:
        _say("")
        _say("ความเสียหาย" if th else "damage cases")
        header = (["รหัสครุภัณฑ์", "สภาพ", "มูลค่าที่ต้องชดใช้", "สถานะ", "การชดใช้", "จำนวนเงิน",
                   "สอบข้อเท็จจริง", "หมายเหตุ"] if th
                  else ["asset no", "condition", "suggested", "case", "settled by", "amount",
                        "referred", "note"])
        yes = "ส่งแล้ว" if th else "yes"
        print_table(header, [[c["asset_no"], _label(CONDITION_LABELS, c["condition"], lang),
                              f"{Decimal(c['suggested_amount']):,.2f}",
                              _label(CASE_LABELS, c["status"], lang),
                              _label(SETTLEMENT_LABELS, c["settlement"], lang),
                              f"{Decimal(c['amount']):,.2f}" if c["amount"] else "",
                              yes if c["referred"] else "", c["note"]]
                             for c in s["damage_cases"]], [None] * 7 + [40])


def cmd_loan_inbox(args: argparse.Namespace) -> int:
    from forms.opendata import loan_record, loan_rows_for
    open_database(args)
    user = accounts.get_user(args.actor)
    waiting = loans.approvals_inbox(user)
    records = [loan_record(r) for r in loan_rows_for(loan.loan_no for loan in waiting)]
    if args.json:
        _say(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not records:
        _note(f"No request waits for {user.username}'s decision.")
        return 0
    _loan_table(records, _lang(args))
    _note(f"{len(records):,} waiting for {user.username}")
    return 0


# ---- reference data ----------------------------------------------------------------------

ORG_WHY = "changing departments and locations is an administrator's task"


def cmd_department_add(args: argparse.Namespace) -> int:
    from models import org

    open_database(args)
    actor = authenticate(args, ORG_WHY)
    parent = org.get_department(args.parent) if args.parent else None
    dept = org.add_department(actor, args.code, args.name, parent)
    _say(f"created department '{dept.code}' ({dept.name})")
    return 0


def cmd_location_add(args: argparse.Namespace) -> int:
    from models import org

    open_database(args)
    actor = authenticate(args, ORG_WHY)
    department = org.get_department(args.department) if args.department else None
    loc = org.add_location(actor, args.code, args.name, department)
    _say(f"created location '{loc.code}' ({loc.name})")
    return 0


def _reference_list(args: argparse.Namespace, records: list[dict[str, Any]],
                    header: tuple[list[str], list[str]], limits: list[int | None]) -> int:
    if args.json:
        _say(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    if not records:
        _note("None yet.")
        return 0
    def cell(value: Any) -> str:
        if isinstance(value, bool):
            return "✓" if value else "✗"
        return "" if value is None else str(value)

    print_table(header[0] if _lang(args) == "th" else header[1],
                [[cell(v) for v in r.values()] for r in records], limits)
    return 0


def cmd_department_list(args: argparse.Namespace) -> int:
    from models import org

    open_database(args)
    every = org.departments()
    codes = {d.id: d.code for d in every}
    records = [{"code": d.code, "name": d.name, "parent": codes.get(d.parent_id),
                "active": d.active} for d in every]
    return _reference_list(args, records, (["รหัส", "หน่วยงาน", "สังกัด", "ใช้งาน"],
                                           ["code", "name", "parent", "active"]),
                           [None, 50, None, None])


def cmd_location_list(args: argparse.Namespace) -> int:
    from models import org

    open_database(args)
    codes = {d.id: d.code for d in org.departments()}
    records = [{"code": loc.code, "name": loc.name, "department": codes.get(loc.department_id),
                "active": loc.active} for loc in org.locations()]
    return _reference_list(args, records, (["รหัส", "สถานที่", "หน่วยงาน", "ใช้งาน"],
                                           ["code", "name", "department", "active"]),
                           [None, 60, None, None])


def cmd_category_list(args: argparse.Namespace) -> int:
    from models import org

    open_database(args)
    records = [{"code": c.code, "name": c.name, "name_en": c.name_en,
                "useful_life_years": c.useful_life_years} for c in org.categories()]
    return _reference_list(args, records,
                           (["รหัส", "ประเภทครุภัณฑ์", "ชื่ออังกฤษ", "อายุการใช้งาน (ปี)"],
                            ["code", "name", "English name", "useful life (years)"]),
                           [None, 40, 40, None])


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

    p = _add(sub, "serve", help="the same app in a browser (textual-serve)",
             description="Serve the app to web browsers: each browser tab gets its own app on the "
                         "same database, starting at the login screen. For heads who have no "
                         "terminal habit. Listens on localhost unless --host says otherwise.")
    p.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    p.add_argument("--host", default="localhost",
                   help="the address to listen on (default: localhost; 0.0.0.0 for every network)")
    p.set_defaults(func=cmd_serve)

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

    p = _add(sub, "export", help="export the registers, a stock check's results, the statistics "
                                 "or the audit log (open data)",
                       description="Write the asset register, the loan register, the results of a "
                                   "stock check ('export stockcheck ID'), the service statistics of "
                                   "a fiscal year ('export stats --fiscal-year BE') or the audit log "
                                   "as CSV (UTF-8 with BOM, for Excel), JSON (a list of objects) or "
                                   "XLSX. Dates are ISO YYYY-MM-DD; CSV/XLSX add a *_be twin of each "
                                   "in the Buddhist Era. Loans in CSV/XLSX are one row per item; in "
                                   "JSON items is a list of asset_no, name, returned_condition. The "
                                   "audit log carries seq, at, actor, action, entity, entity_id, "
                                   "before, after, hash and prev_hash. Reading needs no login.")
    from forms.opendata import dictionary_summary
    p.description += ("\n\nThe data dictionary (in full: docs/data-dictionary.md; written\n"
                      "as datapackage.json by ita-pack):\n" + "\n".join(
                          textwrap.fill(line, 79, subsequent_indent="  ")
                          for line in dictionary_summary().splitlines()))
    p.add_argument("what", choices=("assets", "loans", "audit", "stockcheck", "stats"))
    p.add_argument("check", nargs="?", metavar="ID", help="the stock check's number (stockcheck only)")
    p.add_argument("--fiscal-year", type=int, metavar="BE",
                   help="stats only: the fiscal year, e.g. 2569 (default: the current one)")
    p.add_argument("--format", choices=("csv", "json", "xlsx"),
                   help="default: from -o's extension, else csv")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_export)

    p = _add(sub, "verify", help="check integrity, data rules and the audit-log chain",
                       description="Check the database, the data rules and the hash chain of the "
                                   "audit log; exit 0 only when every check holds. With --checkpoint "
                                   "or --against, also prove that no audit event up to a checkpoint "
                                   "kept outside the database was cut or rewritten.")
    from assets_tui.cli_backup import add_checkpoint_options
    add_checkpoint_options(p)
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

    _loan_parsers(sub)
    _reference_parsers(sub)
    from assets_tui.cli_print import add_print_parser
    add_print_parser(sub)
    from assets_tui.cli_stockcheck import add_parsers as _stockcheck_parsers
    _stockcheck_parsers(sub)
    from assets_tui.cli_backup import add_parsers as _backup_parsers
    _backup_parsers(sub)
    from assets_tui.cli_ita import add_parsers as _ita_parsers
    _ita_parsers(sub)
    from assets_tui.cli_settings import add_parsers as _settings_parsers
    _settings_parsers(sub)
    return parser


def _acting(p: argparse.ArgumentParser, who: str = "the user acting") -> None:
    p.add_argument("--as", dest="actor", metavar="USER", required=True,
                   help=f"{who} (password from ${ENV_PASSWORD})")


def _loan_no(p: argparse.ArgumentParser) -> None:
    p.add_argument("loan_no", metavar="LOAN_NO", help="the loan's number, e.g. L2570-0001")


def _json_slip(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true",
                   help="print the whole loan slip as JSON instead of its number")


def _loan_parsers(sub) -> None:
    p = _add(sub, "loan", help="request, approve, hand over, return and chase loans",
             description="The loan register (ทะเบียนการยืม): written requests, approval by the "
                         "authority each kind of loan calls for, hand-over and return per item, "
                         "extensions, the follow-up of overdue loans and damage cases. Every rule "
                         "is checked by the product, whichever command asks. Acting commands print "
                         "the number of the loan they created or changed (with --json, the whole "
                         "slip as JSON).")
    acts = p.add_subparsers(dest="loan_command", metavar="ACTION", required=True)

    q = _add(acts, "request", help="record a written loan request",
             description="Record a loan request; it waits for the approver its kind calls for "
                         "(by default, inside the premises: the head of the department holding the "
                         "assets or of the supply unit; outside the premises or to another state "
                         "agency: the agency head). Staff request for themselves; a storekeeper may enter a "
                         "request for a colleague (--borrower) or an outside borrower (--external "
                         "with --organisation, --address and --phone). Prints the new loan number.")
    q.add_argument("--asset", dest="assets", action="append", required=True, metavar="NO",
                   help="an asset to borrow (repeat for more)")
    q.add_argument("--purpose", required=True, metavar="TEXT", help="the official purpose")
    q.add_argument("--place", required=True, choices=("inside", "outside"),
                   help="used inside or outside the premises")
    q.add_argument("--start", required=True, metavar="DATE", help="first day of the loan")
    q.add_argument("--due", required=True, metavar="DATE", help="the return date")
    q.add_argument("--borrower", metavar="USER", help="a colleague borrowing (default: yourself)")
    q.add_argument("--external", metavar="NAME", help="an outside borrower's name")
    q.add_argument("--organisation", metavar="ORG", help="the outside borrower's organisation")
    q.add_argument("--address", metavar="TEXT", help="the outside borrower's address")
    q.add_argument("--phone", metavar="P", help="the outside borrower's phone number")
    q.add_argument("--thai-id", metavar="ID", help="the outside borrower's 13-digit Thai ID (optional)")
    q.add_argument("--state-agency", action="store_true",
                   help="the outside borrower is another state agency")
    _acting(q, "the person requesting")
    _json_slip(q)
    q.set_defaults(func=cmd_loan_request)

    for name, func, text, detail in (
            ("approve", cmd_loan_approve, "approve a loan request",
             "Approve a request. Only the authority its kind calls for may, and never the "
             "requester or the borrower."),
            ("reject", cmd_loan_reject, "reject a loan request",
             "Reject a request (the same people as approve may); --note gives the reason."),
            ("cancel", cmd_loan_cancel, "withdraw a request not yet handed over",
             "Withdraw a request or an approved loan before anything is handed over (the "
             "requester, the borrower or a storekeeper).")):
        q = _add(acts, name, help=text, description=detail)
        _loan_no(q)
        q.add_argument("--note", metavar="TEXT", help="a note kept with the decision")
        _acting(q)
        _json_slip(q)
        q.set_defaults(func=func)

    q = _add(acts, "issue", help="hand over approved items",
             description="Hand over the named items of an approved loan, or every item not yet "
                         "handed over when none is named. The loan becomes active once every "
                         "item is out.")
    _loan_no(q)
    q.add_argument("--asset", dest="assets", action="append", metavar="NO",
                   help="an item to hand over (repeat for more; default: all)")
    _acting(q, "the storekeeper handing over")
    _json_slip(q)
    q.set_defaults(func=cmd_loan_issue)

    q = _add(acts, "return", help="take one item back",
             description="Take one item back and record its condition. A damaged or lost item "
                         "needs --note and opens a damage case, settled with `loan settle`; the "
                         "loan is returned once every item is back.")
    _loan_no(q)
    q.add_argument("--asset", required=True, metavar="NO", help="the item coming back")
    q.add_argument("--condition", choices=("usable", "damaged", "lost"), default="usable",
                   help="its condition (default: usable)")
    q.add_argument("--note", metavar="T", help="how it was damaged or lost")
    _acting(q, "the storekeeper taking it back")
    _json_slip(q)
    q.set_defaults(func=cmd_loan_return)

    q = _add(acts, "extend", help="move the due date later",
             description="Move the due date later, unless that runs into another reservation of "
                         "the same assets. Not by the requester or the borrower.")
    _loan_no(q)
    q.add_argument("--due", required=True, metavar="DATE", help="the new return date")
    _acting(q)
    _json_slip(q)
    q.set_defaults(func=cmd_loan_extend)

    q = _add(acts, "follow-up", help="record the chase of an overdue loan",
             description="Record a follow-up (ติดตามทวงคืน) of an overdue loan: a letter, a phone "
                         "call or a visit. Overdue loans must be chased within 7 days of the due "
                         "date (the follow_up_days setting); `loan list --overdue` flags the ones "
                         "that were not.")
    _loan_no(q)
    q.add_argument("--method", required=True, choices=("letter", "phone", "visit"),
                   help="how the borrower was chased")
    q.add_argument("--note", metavar="T", help="what was said or sent")
    _acting(q)
    _json_slip(q)
    q.set_defaults(func=cmd_loan_follow_up)

    q = _add(acts, "settle", help="close a damage case",
             description="Close the damage case of an item returned damaged or lost: the borrower "
                         "repaired it, replaced it with the same kind, size and quality, or paid "
                         "its value (--amount in baht). A repaired item goes back into store.")
    _loan_no(q)
    q.add_argument("--asset", required=True, metavar="NO", help="the damaged or lost item")
    q.add_argument("--by", required=True, choices=("repaired", "replaced", "paid"),
                   help="how the borrower made good")
    q.add_argument("--amount", metavar="BAHT", help="the amount paid (with --by paid), e.g. 1,250.00")
    q.add_argument("--note", metavar="T", help="receipt number or other detail")
    _acting(q, "the storekeeper settling")
    _json_slip(q)
    q.set_defaults(func=cmd_loan_settle)

    q = _add(acts, "refer", help="send a damage case to a fact-finding committee",
             description="Send the damage case of an item to a fact-finding committee when the "
                         "damage or loss is not plain wear and tear. The case stays open until "
                         "it is settled.")
    _loan_no(q)
    q.add_argument("--asset", required=True, metavar="NO", help="the damaged or lost item")
    q.add_argument("--note", metavar="T", help="why it is referred")
    _acting(q, "the storekeeper referring")
    _json_slip(q)
    q.set_defaults(func=cmd_loan_refer)

    q = _add(acts, "list", help="the loan register, or the overdue loans",
             description="List loans, newest first, or with --overdue the loans past their due "
                         "date with items still out, most overdue first: days overdue, what is "
                         "still out, the last follow-up and a flag on loans not chased within the "
                         "follow-up days. Reading needs no login.")
    q.add_argument("--status", choices=("requested", "approved", "rejected", "cancelled", "active",
                                        "returned"))
    q.add_argument("--overdue", action="store_true", help="only overdue loans, with their follow-up")
    q.add_argument("--fiscal-year", type=int, metavar="BE",
                   help="loans starting in this fiscal year (Buddhist Era, e.g. 2570)")
    q.add_argument("--department", metavar="CODE", help="loans of this department's assets")
    q.add_argument("--kind", choices=("inside", "outside", "agency"))
    q.add_argument("--json", action="store_true", help="print a JSON list with the open-data keys")
    q.set_defaults(func=cmd_loan_list)

    q = _add(acts, "show", help="the whole loan slip",
             description="Show a loan slip (ใบยืมพัสดุ): borrower, organisation, purpose, place, "
                         "period, items with their condition, the decision, follow-ups and "
                         "damage cases. Reading needs no login.")
    _loan_no(q)
    q.add_argument("--json", action="store_true", help="print the slip as JSON")
    q.set_defaults(func=cmd_loan_show)

    q = _add(acts, "inbox", help="requests waiting for a user's decision",
             description="List the requests the named user may approve or reject, earliest start "
                         "first. Reading needs no login, so no password is asked.")
    q.add_argument("--as", dest="actor", metavar="USER", required=True, help="whose inbox")
    q.add_argument("--json", action="store_true", help="print a JSON list with the open-data keys")
    q.set_defaults(func=cmd_loan_inbox)


def _reference_parsers(sub) -> None:
    p = _add(sub, "department", help="departments (หน่วยงาน)",
             description="List departments, or add one (an administrator's task).")
    acts = p.add_subparsers(dest="department_command", metavar="ACTION", required=True)
    q = _add(acts, "add", help="add a department", description="Add a department, optionally "
                                                               "under a parent unit. Prints its code.")
    q.add_argument("code", metavar="CODE", help="a short code, e.g. 05")
    q.add_argument("name", metavar="NAME", help="its Thai name, e.g. กองช่าง")
    q.add_argument("--parent", metavar="CODE", help="the unit it belongs to")
    _acting(q, "the administrator acting")
    q.set_defaults(func=cmd_department_add)
    q = _add(acts, "list", help="list departments", description="List departments by code.")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=cmd_department_list)

    p = _add(sub, "location", help="locations (สถานที่ตั้ง)",
             description="List locations, or add one (an administrator's task).")
    acts = p.add_subparsers(dest="location_command", metavar="ACTION", required=True)
    q = _add(acts, "add", help="add a location", description="Add a location (a room, a building, "
                                                             "a store), optionally of a department.")
    q.add_argument("code", metavar="CODE", help="a short code, e.g. R101")
    q.add_argument("name", metavar="NAME", help="its name, e.g. ห้อง 101 อาคารสำนักงาน")
    q.add_argument("--department", metavar="CODE", help="the department it belongs to")
    _acting(q, "the administrator acting")
    q.set_defaults(func=cmd_location_add)
    q = _add(acts, "list", help="list locations", description="List locations by code.")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=cmd_location_list)

    p = _add(sub, "category", help="asset categories (ประเภทครุภัณฑ์)",
             description="List the asset categories.")
    acts = p.add_subparsers(dest="category_command", metavar="ACTION", required=True)
    q = _add(acts, "list", help="list asset categories",
             description="List the asset categories: code (it heads the asset numbers), Thai and "
                         "English name, and useful life in years.")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=cmd_category_list)


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
