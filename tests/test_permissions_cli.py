"""The permission matrix walked through the command line, role by role and action by action.

Every allowed command succeeds and leaves its audit event; every forbidden one exits 1 with
one sentence on stderr and writes nothing: no row in any table, no audit event but the
login that identified the user, no file. Separation of duties holds at the prompt too: no
one approves their own request, a supply officer does not inspect the stock, an auditor
changes nothing.

One register is prepared per backend (a loan in every state, stock checks open, closed and
followed on, a guideline draft), with a separate target for each command, so that all the
cases of one role can run one after another on one copy of it (a copy of a PostgreSQL
database takes seconds).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import peewee
import pytest
from argon2 import PasswordHasher
from conftest import BACKENDS, PASSWORD, PG_URL, SAMPLE_ASSET
from test_cli_stockcheck import checked_year

from assets_tui.cli import main
from models import accounts, assets, guideline, loans, org, setup, stockcheck
from models import db as dbmod
from models.accounts import PERMISSIONS, SYSTEM, WRITERS, NewUser
from models.loans import LoanRequest
from models.schema import MODELS, ROLES, AuditEvent, Department, RegistryCorrection
from models.stockcheck import Scope

TODAY = dt.date.today()
D = dt.timedelta
LOGIN_ACTIONS = {"user.login"}


@dataclass
class Seed:
    """What the prepared register holds, by the names the cases use."""

    free: list[str]          # assets nobody has asked for
    pending: str             # a loan waiting for its department head
    pending2: str
    approved: str            # a loan waiting to be handed over
    active: str              # an overdue loan, its items out
    active_item: str
    damaged: str             # a loan with a damaged item returned, its case open
    damaged_item: str
    damaged2: str
    damaged2_item: str
    check_open: int          # committee: admin, dept_head, agency_head, staff
    check_open_code: str
    check_closed: int        # closed, follow-on not yet done
    correction: int          # a registry correction waiting for a storekeeper
    year: int


def _seed(password_hash: str) -> Seed:
    setup.init_database("เทศบาลทดสอบ")
    new = accounts.create_user
    new(SYSTEM, NewUser("admin", "", "admin", "ผู้ดูแล ระบบ"), password_hash=password_hash)
    org.add_department(SYSTEM, "01", "สำนักปลัดเทศบาล")
    org.add_department(SYSTEM, "04", "กองคลัง")
    org.add_location(SYSTEM, "R1", "ห้อง 1", org.get_department("01"))
    org.add_location(SYSTEM, "R2", "ห้อง 2", org.get_department("01"))
    depts = {"dept_head": "01", "staff": "01"}
    for role in ("storekeeper", "dept_head", "agency_head", "auditor", "staff"):
        dept = Department.get(Department.code == depts[role]) if role in depts else None
        new(SYSTEM, NewUser(role, "", role, f"ทดสอบ {role}", department=dept), password_hash=password_hash)
    for name in ("insp1", "insp2", "spare", "spare2"):
        new(SYSTEM, NewUser(name, "", "staff", f"ทดสอบ {name}"), password_hash=password_hash)

    def asset(n: int, dept: str = "01", location: str = "R1") -> str:
        return assets.register_asset(SYSTEM, {**SAMPLE_ASSET, "name": f"โต๊ะทำงาน {n}", "serial_no": f"S{n}",
                                              "department": dept, "location": location}).asset_no

    numbers = [asset(n) for n in range(14)]
    for n in range(14, 16):
        asset(n, "04", "")
    staff, head = accounts.get_user("staff"), accounts.get_user("dept_head")
    keeper = accounts.get_user("storekeeper")
    past = TODAY - D(30)

    def loan(nos: list[str], start: dt.date, due: dt.date) -> str:
        return loans.request_loan(staff, LoanRequest(nos, "อบรม", "inside", start, due), today=start).loan_no

    pending = loan([numbers[0]], TODAY + D(20), TODAY + D(22))
    pending2 = loan([numbers[12]], TODAY + D(20), TODAY + D(22))
    approved = loan([numbers[1]], TODAY, TODAY + D(3))
    loans.approve_loan(head, approved)
    active = loan([numbers[2], numbers[3]], past, past + D(5))
    loans.approve_loan(head, active, today=past)
    loans.issue_items(keeper, active, today=past)
    damaged = loan([numbers[4]], past, past + D(2))
    loans.approve_loan(head, damaged, today=past)
    loans.issue_items(keeper, damaged, today=past)
    loans.return_item(keeper, damaged, numbers[4], "damaged", "ขาหัก", today=past + D(1))
    damaged2 = loan([numbers[13]], past, past + D(2))
    loans.approve_loan(head, damaged2, today=past)
    loans.issue_items(keeper, damaged2, today=past)
    loans.return_item(keeper, damaged2, numbers[13], "damaged", "จอแตก", today=past + D(1))

    year = checked_year()
    committee = ["admin", "dept_head", "agency_head", "staff"]
    check_open = stockcheck.open_stock_check(keeper, year, committee, Scope(departments=["01"])).id
    insp = accounts.get_user("insp1")

    def closed(fiscal_year: int) -> int:
        check = stockcheck.open_stock_check(keeper, fiscal_year, ["insp1", "insp2"], Scope(departments=["01"]))
        stockcheck.scan(insp, check.id, numbers[5], location="R2")  # found in the wrong room
        stockcheck.close_check(insp, check.id)
        return check.id

    check_closed = closed(year - 1)
    followed = closed(year - 2)
    stockcheck.follow_on(keeper, followed)
    correction = RegistryCorrection.get(RegistryCorrection.check == followed).id

    admin = accounts.get_user("admin")
    guideline.publish_version(admin, 1, "ห้ามนำทรัพย์สินของราชการไปใช้ส่วนตัว")
    guideline.sign_off(accounts.get_user("agency_head"), 1)
    guideline.publish_version(admin, 2, "ฉบับปรับปรุง: ห้ามนำทรัพย์สินของราชการไปใช้ส่วนตัว")
    return Seed(free=numbers[6:12], pending=pending, pending2=pending2, approved=approved, active=active,
                active_item=numbers[2], damaged=damaged, damaged_item=numbers[4], damaged2=damaged2,
                damaged2_item=numbers[13],
                check_open=check_open, check_open_code=numbers[7], check_closed=check_closed,
                correction=correction, year=year)


class Register:
    """The prepared register of one backend and fresh copies of it."""

    def __init__(self, backend: str, folder: Path, worker: str):
        self.backend, self.folder = backend, folder
        if backend == "sqlite":
            self.url = f"sqlite:///{folder}/base.db"
        else:
            parsed = urlparse(PG_URL)
            self.base = f"{parsed.path.strip('/')}_perm_{worker}"
            self.url = urlunparse(parsed._replace(path="/" + self.base))
        self.made: list[str] = []
        self.by_role: dict[str, str] = {}

    def _server(self):
        import psycopg

        return psycopg.connect(urlunparse(urlparse(PG_URL)._replace(path="/postgres")), autocommit=True)

    def create(self) -> None:
        if self.backend == "postgresql":
            with self._server() as conn:
                conn.execute(f'drop database if exists "{self.base}" with (force)')
                conn.execute(f'create database "{self.base}"')

    def copy(self, name: str) -> str:
        dbmod.close()
        if self.backend == "sqlite":
            target = self.folder / f"{name}.db"
            shutil.copyfile(self.folder / "base.db", target)
            return f"sqlite:///{target}"
        clone = f"{self.base}_{len(self.made)}"
        with self._server() as conn:
            conn.execute(f'drop database if exists "{clone}" with (force)')
            conn.execute(f'create database "{clone}" template "{self.base}"')
        self.made.append(clone)
        return urlunparse(urlparse(self.url)._replace(path="/" + clone))

    def drop(self) -> None:
        if self.backend == "postgresql":
            with self._server() as conn:
                for clone in self.made:
                    conn.execute(f'drop database if exists "{clone}" with (force)')
            with self._server() as conn:
                conn.execute(f'drop database if exists "{self.base}" with (force)')


@pytest.fixture(scope="module", params=BACKENDS)
def register(request, tmp_path_factory, worker_id) -> Iterator[tuple[Register, Seed]]:
    reg = Register(request.param, tmp_path_factory.mktemp(f"perm_{request.param}"), worker_id)
    reg.create()
    dbmod.bind(reg.url)
    # Still Argon2, with light parameters: every case logs in, and the product's own cost
    # (chosen to slow down guessing) would make the walk through the matrix take minutes.
    light = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    try:
        seed = _seed(light)
    finally:
        dbmod.close()
    yield reg, seed
    dbmod.close()
    reg.drop()


@pytest.fixture
def fresh(register, request, monkeypatch, tmp_path) -> Iterator[tuple[str, Seed, Path]]:
    """A copy of the prepared register of its own, the seed's names, a folder for files."""
    reg, seed = register
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    monkeypatch.setenv("ASSETS_TUI_NEW_PASSWORD", "newpass1")
    yield reg.copy(request.node.name.replace("[", "_").replace("]", "")[:40]), seed, tmp_path
    dbmod.close()


@pytest.fixture
def per_role(register, role, monkeypatch, tmp_path) -> tuple[str, Seed, Path]:
    """The copy that every case of ``role`` runs on in turn, made on first use."""
    reg, seed = register
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    monkeypatch.setenv("ASSETS_TUI_NEW_PASSWORD", "newpass1")
    if role not in reg.by_role:
        reg.by_role[role] = reg.copy(f"role_{role}")
    return reg.by_role[role], seed, tmp_path


# ---- the cases: (action in the matrix, command line, roles it is allowed to) -------------

def _import_file(folder: Path) -> str:
    path = folder / "register.csv"
    path.write_text("รหัสครุภัณฑ์,รายการ,ประเภท,หน่วยงาน,วัน เดือน ปี ที่ได้มา,ราคา (บาท),แหล่งเงิน\n"
                    "999-67-0001,ตู้เหล็ก,สำนักงาน,01,15/3/2567,\"4,500.00\",เงินงบประมาณ\n",
                    encoding="utf-8")
    return str(path)


def _guideline_file(folder: Path) -> str:
    path = folder / "guideline.txt"
    path.write_text("ฉบับที่ 3: ยืมแล้วต้องคืนตามกำหนด", encoding="utf-8")
    return str(path)


def _d(day: dt.date) -> str:
    return day.isoformat()


Args = Callable[[Seed, Path], list[str]]

CASES: dict[str, tuple[str, Args, frozenset[str]]] = {
    "import": ("asset.import", lambda s, f: ["import", "assets", _import_file(f)], WRITERS),
    "department-add": ("org.manage", lambda s, f: ["department", "add", "09", "กองช่าง"], PERMISSIONS["org.manage"]),
    "location-add": ("org.manage", lambda s, f: ["location", "add", "R9", "ห้องเก็บของ"], PERMISSIONS["org.manage"]),
    "user-add": ("user.manage", lambda s, f: ["user", "add", "newbie", "--role", "staff", "--name", "ใหม่ มาก"],
                 PERMISSIONS["user.manage"]),
    "user-deactivate": ("user.manage", lambda s, f: ["user", "deactivate", "spare"], PERMISSIONS["user.manage"]),
    "user-unlock": ("user.manage", lambda s, f: ["user", "unlock", "spare2"], PERMISSIONS["user.manage"]),
    "loan-request": ("loan.request", lambda s, f: [
        "loan", "request", "--asset", s.free[0], "--purpose", "ประชุม", "--place", "inside",
        "--start", _d(TODAY + D(1)), "--due", _d(TODAY + D(2))], PERMISSIONS["loan.request"]),
    # Narrowed per loan: an inside loan of สำนักปลัด (01) is decided by that department's head.
    "loan-approve": ("loan.decide", lambda s, f: ["loan", "approve", s.pending], frozenset({"dept_head"})),
    "loan-reject": ("loan.decide", lambda s, f: ["loan", "reject", s.pending2, "--note", "ไม่ว่าง"],
                    frozenset({"dept_head"})),
    "loan-issue": ("loan.issue", lambda s, f: ["loan", "issue", s.approved], PERMISSIONS["loan.issue"]),
    "loan-return": ("loan.return", lambda s, f: ["loan", "return", s.active, "--asset", s.active_item],
                    PERMISSIONS["loan.return"]),
    # A follow-up needs the loan still overdue: it comes before the extension.
    "loan-follow-up": ("loan.follow_up", lambda s, f: ["loan", "follow-up", s.active, "--method", "phone"],
                       PERMISSIONS["loan.follow_up"]),
    "loan-extend": ("loan.extend", lambda s, f: ["loan", "extend", s.active, "--due", _d(TODAY + D(7))],
                    PERMISSIONS["loan.extend"]),
    "loan-settle": ("damage.settle", lambda s, f: ["loan", "settle", s.damaged, "--asset", s.damaged_item,
                                                   "--by", "repaired"], PERMISSIONS["damage.settle"]),
    "loan-refer": ("damage.settle", lambda s, f: ["loan", "refer", s.damaged2, "--asset", s.damaged2_item],
                   PERMISSIONS["damage.settle"]),
    "stockcheck-open": ("stockcheck.open", lambda s, f: [
        "stockcheck", "open", "--fiscal-year", str(s.year), "--department", "04",
        "--committee", "insp1,insp2"], PERMISSIONS["stockcheck.open"]),
    # Narrowed per check to its committee, which is every role the matrix lets inspect.
    "stockcheck-scan": ("stockcheck.scan", lambda s, f: ["stockcheck", "scan", str(s.check_open),
                                                         s.check_open_code], PERMISSIONS["stockcheck.scan"]),
    "stockcheck-explain": ("stockcheck.close", lambda s, f: [
        "stockcheck", "explain", str(s.check_open), s.check_open_code, "--text", "อยู่ห้องประชุม"],
        PERMISSIONS["stockcheck.close"]),
    "stockcheck-close": ("stockcheck.close", lambda s, f: ["stockcheck", "close", str(s.check_open)],
                         PERMISSIONS["stockcheck.close"]),
    "stockcheck-follow-on": ("stockcheck.follow_up", lambda s, f: ["stockcheck", "follow-on", str(s.check_closed)],
                             PERMISSIONS["stockcheck.follow_up"]),
    "stockcheck-confirm": ("stockcheck.correct", lambda s, f: ["stockcheck", "confirm", str(s.correction)],
                           PERMISSIONS["stockcheck.correct"]),
    "asset-repair": ("asset.repair", lambda s, f: ["asset", "repair", s.free[1], "--vendor", "ร้านซ่อมดี"],
                     PERMISSIONS["asset.repair"]),
    "asset-transfer": ("asset.transfer", lambda s, f: ["asset", "transfer", s.free[2], "--to", "04",
                                                       "--approved-by", "dept_head"], PERMISSIONS["asset.transfer"]),
    "asset-dispose": ("asset.dispose", lambda s, f: ["asset", "dispose", s.free[3], "--method", "sale",
                                                     "--ordered", _d(TODAY), "--approved-by", "agency_head"],
                      PERMISSIONS["asset.dispose"]),
    "guideline-publish": ("guideline.publish", lambda s, f: ["guideline", "publish", "--version", "3",
                                                             "--file", _guideline_file(f)],
                          PERMISSIONS["guideline.publish"]),
    "guideline-signoff": ("guideline.signoff", lambda s, f: ["guideline", "signoff", "2"],
                          PERMISSIONS["guideline.signoff"]),
    "guideline-acknowledge": ("guideline.acknowledge", lambda s, f: ["guideline", "acknowledge"],
                              PERMISSIONS["guideline.acknowledge"]),
    # Not in the matrix: a backup holds every password hash (models.backup.may_take_backup).
    "backup": ("backup", lambda s, f: ["backup", "-o", str(f / "register.backup")],
               frozenset({"admin", "auditor"})),
}


def _state(url: str) -> tuple[dict[str, int], list[tuple[str, str]], int]:
    """Rows in every table but the audit log, its events (action, actor) and the last
    sequence."""
    dbmod.bind(url)
    try:
        counts = {m._meta.table_name: m.select().count() for m in MODELS if m is not AuditEvent}
        events = list(AuditEvent.select(AuditEvent.action, AuditEvent.actor).order_by(AuditEvent.seq).tuples())
        last = AuditEvent.select(peewee.fn.MAX(AuditEvent.seq)).scalar() or 0
    finally:
        dbmod.close()
    return counts, events, last


def _run(url: str, argv: list[str], actor: str, capsys) -> tuple[int, str, str]:
    code = main(["--db", url, *argv, "--as", actor])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_cli_action_names_an_action_of_the_matrix():
    for action, _, allowed in CASES.values():
        if action != "backup":
            assert allowed <= PERMISSIONS[action], action  # narrowing never widens the matrix
    commands = {action for action, _, _ in CASES.values()}
    writes = {a for a in PERMISSIONS if not a.endswith((".read", ".report", ".export")) and a != "verify.run"}
    assert writes - commands <= {"asset.register", "asset.edit", "asset.move"}  # TUI-only writes


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_the_command_line_keeps_the_matrix(per_role, case, role, capsys):
    url, seed, folder = per_role
    action, args, allowed = CASES[case]
    argv = args(seed, folder)
    counts, events, last = _state(url)
    code, out, err = _run(url, argv, role, capsys)
    assert "Traceback" not in err
    after_counts, after_events, after_last = _state(url)
    new = after_events[len(events):]
    assert after_events[:len(events)] == events  # nothing earlier touched
    if role in allowed:
        assert code == 0, f"{role} {case}: {err}"
        if case == "backup":
            assert (folder / "register.backup").exists()
        else:
            assert [a for a, who in new if a not in LOGIN_ACTIONS and who == role], f"{case}: nothing logged"
    else:
        lines = err.strip().splitlines()
        assert code == 1 and len(lines) == 1, f"{role} {case}: exit {code}, {err!r}"
        assert lines[0].startswith("assets-tui: error: ") and len(lines[0]) < 400
        assert any(w in lines[0] for w in ("may not", "Only", "only")), lines[0]
        assert out == ""
        assert new == [("user.login", role)] and after_last == last + 1
        assert after_counts == counts
        assert not (folder / "register.backup").exists()
        assert not [p for p in folder.iterdir() if p.suffix == ".part" or p.name.endswith(".part")]


# ---- separation of duties --------------------------------------------------------------

def test_nobody_approves_their_own_request(fresh, capsys):
    url, seed, folder = fresh
    code, out, err = _run(url, ["loan", "request", "--asset", seed.free[0], "--purpose", "ประชุม",
                                "--place", "inside", "--start", _d(TODAY + D(1)), "--due", _d(TODAY + D(2))],
                          "dept_head", capsys)
    assert code == 0, err
    own = out.strip()
    counts, events, _ = _state(url)
    code, _, err = _run(url, ["loan", "approve", own], "dept_head", capsys)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert own in err or "own" in err
    after_counts, after_events, _ = _state(url)
    assert after_counts == counts and after_events[len(events):] == [("user.login", "dept_head")]


def test_a_supply_officer_never_sits_on_the_committee(fresh, capsys):
    url, seed, folder = fresh
    counts, _, _ = _state(url)
    code, _, err = _run(url, ["stockcheck", "open", "--fiscal-year", str(seed.year), "--department", "04",
                              "--committee", "insp1,storekeeper"], "agency_head", capsys)
    assert code == 1
    assert err.strip() == ("assets-tui: error: ทดสอบ storekeeper (storekeeper) is a supply officer "
                           "(storekeeper) and cannot be an inspector: the committee must come from "
                           "outside the supply unit.")
    code, _, err = _run(url, ["stockcheck", "open", "--fiscal-year", str(seed.year), "--department", "04",
                              "--committee", "insp1,auditor"], "agency_head", capsys)
    assert code == 1 and "is an auditor" in err
    assert _state(url)[0] == counts


def test_an_auditor_changes_nothing_whatever_the_command(fresh, capsys):
    """One after another on the same register: every command that changes the register is
    refused. An auditor only takes backups and, like every account, acknowledges the
    guideline (which changes nothing in the register)."""
    url, seed, folder = fresh
    assert {c for c, (_, _, ok) in CASES.items() if "auditor" in ok} == {"backup", "guideline-acknowledge"}
    counts, events, _ = _state(url)
    refused = 0
    for case, (_, args, allowed) in CASES.items():
        if "auditor" in allowed:
            continue
        code, _, err = _run(url, args(seed, folder), "auditor", capsys)
        assert code == 1 and "Traceback" not in err, case
        refused += 1
    after_counts, after_events, _ = _state(url)
    assert after_counts == counts
    assert {a for a, _ in after_events[len(events):]} == {"user.login"}
    assert refused == len(CASES) - 2


def test_each_role_is_exercised_both_ways():
    """The matrix is not trivially all-allowed or all-refused for any role at the prompt."""
    for role in ROLES:
        allowed = [c for c, (_, _, ok) in CASES.items() if role in ok]
        assert 0 < len(allowed) < len(CASES), role
