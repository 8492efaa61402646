"""Many hands on one register at once.

The soak: several processes do what an office does all day (request, approve, hand over,
take back, scan for the stock check, edit assets), chosen at random, against one database
for a bounded time. Refusals by the rules (an asset already lent, a loan already decided)
are expected; a crash is not. Afterwards `verify` passes (no asset on two open loans,
statuses agree, the audit chain holds). ``ASSETS_TUI_SOAK_SECONDS`` sets the time
(default 15), ``ASSETS_TUI_SOAK_WORKERS`` the processes (default 3 on SQLite, 5 on
PostgreSQL).

A locked SQLite file never reaches the user as a crash: a writer waits, tries again with
growing pauses and, past ``ASSETS_TUI_LOCK_WAIT`` seconds, says in one sentence that the
database is busy, having written nothing.
"""

from __future__ import annotations

import collections
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import peewee
import pytest
from conftest import PASSWORD, SAMPLE_ASSET
from test_cli_stockcheck import checked_year

from models import accounts, assets, audit, integrity, org, stockcheck
from models import db as dbmod
from models.accounts import SYSTEM, NewUser
from models.errors import DatabaseUnavailable
from models.schema import AuditEvent, Department, Loan, LoanItem, Location

BIN = Path(sys.executable).with_name("assets-tui")
ROOT = Path(__file__).resolve().parent.parent
SOAK_SECONDS = float(os.environ.get("ASSETS_TUI_SOAK_SECONDS", "15"))
SOAK_ASSETS = 24


def _env(url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "ASSETS_TUI_DB": url, "ASSETS_TUI_PASSWORD": PASSWORD,
            "PYTHONPATH": str(ROOT), **extra}


def _write_lock(url: str) -> sqlite3.Connection:
    """Another program's open write transaction on the file behind ``url``."""
    conn = sqlite3.connect(dbmod.sqlite_path(url), isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE setting SET value = value WHERE key = 'agency_name'")
    return conn


@pytest.fixture
def sqlite_register(users, db_url):
    dbmod.close()
    return db_url


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a file lock is SQLite's
def test_a_locked_file_is_a_clear_sentence_and_writes_nothing(sqlite_register):
    holder = _write_lock(sqlite_register)
    try:
        started = time.monotonic()
        out = subprocess.run([str(BIN), "location", "add", "R9", "ห้องเก็บของ", "--as", "admin"],
                             env=_env(sqlite_register, ASSETS_TUI_LOCK_WAIT="1.5"),
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
        waited = time.monotonic() - started
        reading = subprocess.run([str(BIN), "category", "list"], env=_env(sqlite_register),
                                 capture_output=True, text=True, cwd=ROOT, timeout=60)
    finally:
        holder.rollback()
        holder.close()
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines() == [
        "assets-tui: error: The database is busy: another program has kept it locked for writing "
        "for over 1.5 seconds, so nothing was changed; try again in a moment (or raise "
        "ASSETS_TUI_LOCK_WAIT)."]
    assert waited >= 1.5  # it did wait before giving up
    assert reading.returncode == 0 and "คอมพิวเตอร์" in reading.stdout  # readers are never held up
    dbmod.bind(sqlite_register)
    assert not Location.select().where(Location.code == "R9").exists()
    assert not AuditEvent.select().where(AuditEvent.action.startswith("location")).exists()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a file lock is SQLite's
def test_a_writer_waits_out_a_lock_released_in_time(sqlite_register):
    holder = _write_lock(sqlite_register)
    release = threading.Timer(2.0, lambda: (holder.rollback(), holder.close()))
    release.start()
    try:
        out = subprocess.run([str(BIN), "location", "add", "R9", "ห้องเก็บของ", "--as", "admin"],
                             env=_env(sqlite_register, ASSETS_TUI_LOCK_WAIT="30"),
                             capture_output=True, text=True, cwd=ROOT, timeout=60)
    finally:
        release.join()
    assert out.returncode == 0, out.stderr
    dbmod.bind(sqlite_register)
    assert Location.select().where(Location.code == "R9").count() == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # a file lock is SQLite's
def test_the_domain_retries_with_pauses_then_refuses(sqlite_register, monkeypatch):
    monkeypatch.setenv(dbmod.ENV_LOCK_WAIT, "0.8")
    dbmod.bind(sqlite_register)
    admin = accounts.get_user("admin")
    attempts = []
    real_begin = dbmod.peewee.SqliteDatabase.begin

    def counted(self, lock_type=None):
        attempts.append(time.monotonic())
        return real_begin(self, lock_type)

    monkeypatch.setattr(dbmod.peewee.SqliteDatabase, "begin", counted)
    holder = _write_lock(sqlite_register)
    try:
        with pytest.raises(DatabaseUnavailable, match="busy.*over 0.8 seconds"):
            org.add_location(admin, "R9", "ห้องเก็บของ")
    finally:
        holder.rollback()
        holder.close()
    assert len(attempts) >= 2  # tried again, not just once
    org.add_location(admin, "R9", "ห้องเก็บของ")  # the lock gone, the same call goes through
    assert Location.select().where(Location.code == "R9").count() == 1


def test_a_lock_wait_that_is_not_a_number_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv(dbmod.ENV_LOCK_WAIT, "soon")
    with pytest.raises(Exception, match="ASSETS_TUI_LOCK_WAIT must be a number of seconds, not 'soon'"):
        dbmod.make_database(f"sqlite:///{tmp_path}/x.db")


# ---- the soak ----------------------------------------------------------------------------

WORKER = """\
import collections, datetime as dt, json, random, sys, time
from models import accounts, assets, loans, stockcheck
from models import db as dbmod
from models.errors import DatabaseUnavailable, DomainError
from models.loans import LoanRequest
from models.schema import Asset, Loan, LoanItem

url, seed, seconds, check_id = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
dbmod.bind(url)
who = {name: accounts.get_user(name) for name in
       ("staff", "staff2", "dept_head", "storekeeper", "keeper2", "insp1", "insp2")}
numbers = [a for (a,) in Asset.select(Asset.asset_no).tuples()]
today = dt.date.today()
done, refused = collections.Counter(), collections.Counter()


def pick(query):
    rows = list(query.limit(20))
    return rnd.choice(rows) if rows else None


def request():
    nos = rnd.sample(numbers, rnd.randint(1, 3))
    start = today + dt.timedelta(rnd.randint(0, 2))
    loans.request_loan(who[rnd.choice(["staff", "staff2"])],
                       LoanRequest(nos, "ประชุม", "inside", start, start + dt.timedelta(rnd.randint(0, 4))))


def approve():
    loan = pick(Loan.select(Loan.loan_no).where(Loan.status == "requested").order_by(Loan.id.desc()))
    if loan:
        (loans.approve_loan if rnd.random() < 0.85 else loans.reject_loan)(who["dept_head"], loan.loan_no)
        return True


def issue():
    loan = pick(Loan.select(Loan.loan_no).where((Loan.status == "approved") & (Loan.start_on <= today)))
    if loan:
        loans.issue_items(who[rnd.choice(["storekeeper", "keeper2"])], loan.loan_no)
        return True


def give_back():
    item = pick(LoanItem.select(LoanItem, Loan, Asset).join(Loan).switch(LoanItem).join(Asset)
                .where(LoanItem.out_flag == 1).order_by(LoanItem.id))
    if item:
        loans.return_item(who[rnd.choice(["storekeeper", "keeper2"])], item.loan.loan_no, item.asset.asset_no)
        return True


def scan():
    stockcheck.scan(who[rnd.choice(["insp1", "insp2"])], check_id, rnd.choice(numbers),
                    location=rnd.choice([None, "R1", "R2"]))


def edit():
    assets.update_asset(who["storekeeper"], rnd.choice(numbers), {"brand": rnd.choice(["Lenovo", "Dell", "HP", "Acer"])})


work = [(request, 3), (approve, 3), (issue, 3), (give_back, 3), (scan, 2), (edit, 1)]
print("ready", flush=True)
sys.stdin.readline()  # every worker starts at once
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    job = rnd.choices([w for w, _ in work], [n for _, n in work])[0]
    try:
        if job() is not None or job in (request, scan, edit):
            done[job.__name__] += 1
    except DatabaseUnavailable:
        refused["busy"] += 1
    except DomainError:
        refused[job.__name__] += 1
print(json.dumps({"done": done, "refused": refused}), flush=True)
"""


def _workers(db_url: str) -> int:
    default = 5 if db_url.startswith("postgresql") else 3
    return int(os.environ.get("ASSETS_TUI_SOAK_WORKERS", default))


@pytest.fixture
def office(users, password_hash):
    """Two requesters, a head, two storekeepers, a two-member committee, assets in two rooms
    and an open stock check."""
    dept = Department.get(Department.code == "01")
    for name, role in (("staff2", "staff"), ("keeper2", "storekeeper"), ("insp1", "staff"), ("insp2", "staff")):
        accounts.create_user(SYSTEM, NewUser(name, "", role, f"ทดสอบ {name}", department=dept if role == "staff" else None),
                             password_hash=password_hash)
    org.add_location(SYSTEM, "R1", "ห้อง 1", dept)
    org.add_location(SYSTEM, "R2", "ห้อง 2", dept)
    for n in range(SOAK_ASSETS):
        assets.register_asset(SYSTEM, {**SAMPLE_ASSET, "name": f"โปรเจกเตอร์ {n}", "serial_no": f"P{n}",
                                       "location": "R1" if n % 2 else "R2"})
    check = stockcheck.open_stock_check(users["storekeeper"], checked_year(), ["insp1", "insp2"])
    return check.id


def test_many_processes_at_once_keep_every_rule(office, db_url):
    dbmod.close()
    n = _workers(db_url)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, db_url, str(seed), str(SOAK_SECONDS), str(office)],
                              env=_env(db_url), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
             for seed in range(n)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    done, refused = collections.Counter(), collections.Counter()
    for proc in procs:
        out, err = proc.communicate(timeout=SOAK_SECONDS + 120)
        assert proc.returncode == 0 and "Traceback" not in err, err
        counts = json.loads(out.strip().splitlines()[-1])
        done.update(counts["done"])
        refused.update(counts["refused"])
    dbmod.bind(db_url)
    report = integrity.verify()
    assert report.ok, [(c.name, c.detail) for c in report.checks if not c.ok]
    checked, problems = audit.verify_chain()
    assert not problems
    doubles = (LoanItem.select(LoanItem.asset).where(LoanItem.out_flag == 1)
               .group_by(LoanItem.asset).having(peewee.fn.COUNT(LoanItem.id) > 1).count())
    assert doubles == 0
    assert refused["busy"] == 0  # nobody waited past the limit
    total = sum(done.values())
    assert done["approve"] and done["issue"] and done["give_back"], done  # the workflows did happen
    assert AuditEvent.select().count() == checked
    print(f"soak ({db_url.split(':')[0]}, {n} processes, {SOAK_SECONDS:g} s): {total:,} operations "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(done.items()))}), "
          f"{sum(refused.values()):,} refused by the rules ({dict(sorted(refused.items()))}); {Loan.select().count():,} loans, "
          f"{checked:,} audit events; verify passes, {doubles} double loans")
