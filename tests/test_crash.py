"""Crash safety: each long write is killed (SIGKILL, no chance to clean up) at random
moments in a subprocess. Afterwards the database opens, `assets-tui verify` passes, and the
operation is wholly there or wholly absent: every imported asset or none, every loan item
handed over or none, a stock check closed with a result on every row or still open with
none, a demo register complete or nothing of it, a backup file complete and restorable or
no file under its name.

Runs on SQLite, and on PostgreSQL too when ``ASSETS_TUI_TEST_PG`` is set; every run gets
its own copy of a prepared database. ``ASSETS_TUI_CRASH_RUNS`` sets the kills per
operation (default 8); the delays come from a fixed seed, so a failure repeats.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from conftest import PASSWORD, SAMPLE_ASSET
from test_cli_stockcheck import checked_year
from test_import import THAI_HEADER, thai_register_rows, write_csv

from forms.spreadsheet import read_register
from models import accounts, assets, backup, loans, stockcheck
from models import db as dbmod
from models.loans import LoanRequest
from models.schema import Asset, AuditEvent, Loan, LoanItem, StockCheck, StockCheckItem

BIN = Path(sys.executable).with_name("assets-tui")
RUNS = int(os.environ.get("ASSETS_TUI_CRASH_RUNS", "8"))
ROOT = Path(__file__).resolve().parent.parent
IMPORT_ROWS = 3000
DEMO_ASSETS = 3000
LOAN_ITEMS = 20
WIDTH = 2  # runs side by side


class Copies:
    """Fresh copies of one prepared database: file copies on SQLite, template databases on
    PostgreSQL."""

    def __init__(self, base_url: str, tmp_path: Path):
        self.base_url, self.tmp_path, self.made = base_url, tmp_path, []

    def copy(self, name: str) -> str:
        dbmod.close()
        if self.base_url.startswith("sqlite:///"):
            target = self.tmp_path / f"{name}.db"
            shutil.copyfile(dbmod.sqlite_path(self.base_url), target)
            return f"sqlite:///{target}"
        return self._pg_create(name, template=True)

    def empty(self, name: str) -> str:
        """A new database with nothing in it."""
        dbmod.close()
        if self.base_url.startswith("sqlite:///"):
            return f"sqlite:///{self.tmp_path / name}.db"
        return self._pg_create(name, template=False)

    def _server(self):
        import psycopg

        parsed = urlparse(self.base_url)
        return psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True)

    def _pg_create(self, name: str, template: bool) -> str:
        parsed = urlparse(self.base_url)
        base = parsed.path.strip("/")
        clone = f"{base}_{name}"
        with self._server() as conn:
            conn.execute(f'drop database if exists "{clone}" with (force)')
            conn.execute(f'create database "{clone}"' + (f' template "{base}"' if template else ""))
        self.made.append(clone)
        return urlunparse(parsed._replace(path="/" + clone))

    def drop(self) -> None:
        if self.base_url.startswith("sqlite:///") or not self.made:
            return
        with self._server() as conn:
            for clone in self.made:
                conn.execute(f'drop database if exists "{clone}" with (force)')


@pytest.fixture
def copies(users, db_url, tmp_path) -> Iterator[Copies]:
    """The prepared database (an agency, an account per role) and its copies."""
    made = Copies(db_url, tmp_path)
    yield made
    dbmod.close()
    made.drop()


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "ASSETS_TUI_DB": url, "ASSETS_TUI_PASSWORD": PASSWORD,
            "PYTHONPATH": str(ROOT)}


def _kill_after(args: list[str], url: str, delay: float, ready: bool = False) -> bool:
    """Run ``args``, SIGKILL it ``delay`` seconds after it prints its first line; True when
    it was killed, False when it finished first."""
    proc = subprocess.Popen(args, env=_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT)
    try:
        if ready:
            assert proc.stdout.readline().strip() == b"ready", proc.stderr.read().decode()
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.002)
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if not killed:
            assert proc.returncode == 0, proc.stderr.read().decode()
        return killed
    finally:
        proc.stdout.close()
        proc.stderr.close()


def _kill_all(jobs: list[tuple[list[str], str, float]]) -> list[bool]:
    """Run the jobs (command, database, delay), ``WIDTH`` at a time, each SIGKILLed after
    its delay unless it finished first; True for each job that was killed."""
    killed = [False] * len(jobs)
    waiting, running = list(range(len(jobs))), {}
    while waiting or running:
        while waiting and len(running) < WIDTH:
            i = waiting.pop(0)
            args, url, delay = jobs[i]
            running[i] = (subprocess.Popen(args, env=_env(url), stdout=subprocess.DEVNULL,
                                           stderr=subprocess.PIPE, cwd=ROOT),
                          time.monotonic() + delay)
        now = time.monotonic()
        for i, (proc, deadline) in list(running.items()):
            if now >= deadline and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
                killed[i] = True
            if proc.poll() is not None:
                errors = proc.stderr.read().decode()
                proc.stderr.close()
                assert killed[i] or proc.returncode == 0, errors
                del running[i]
        time.sleep(0.002)
    return killed


def _verify(*urls: str) -> None:
    """`assets-tui verify` passes on each database (run ``WIDTH`` at a time)."""
    dbmod.close()
    for first in range(0, len(urls), WIDTH):
        runs = [(url, subprocess.Popen([str(BIN), "verify", "--db", url], stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, cwd=ROOT))
                for url in urls[first:first + WIDTH]]
        for url, proc in runs:
            out, _ = proc.communicate(timeout=120)
            assert proc.returncode == 0, f"{url}: {out.decode()}"


def _counts(url: str, *models) -> list[int]:
    dbmod.bind(url)
    try:
        return [m.select().count() for m in models]
    finally:
        dbmod.close()


def _timed(args: list[str], url: str) -> float:
    """Seconds one uninterrupted run takes: the kill delays are spread over it."""
    started = time.monotonic()
    out = subprocess.run(args, env=_env(url), capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return time.monotonic() - started


def _delays(seed: int, duration: float, side_by_side: bool = True) -> list[float]:
    """Kill moments spread from early start-up to past the end of a normal run (further
    past it for runs side by side, which share the processors and so take longer)."""
    rnd = random.Random(seed)
    end = 1.5 if side_by_side else 1.05
    return [rnd.uniform(0.1 * duration, end * duration) for _ in range(RUNS - 1)]


def test_a_killed_import_is_all_or_nothing(copies, tmp_path):
    sheet = write_csv(tmp_path / "register.csv", THAI_HEADER, thai_register_rows(IMPORT_ROWS))
    urls = [copies.copy(f"import{i}") for i in range(RUNS)]
    command = [str(BIN), "import", "assets", str(sheet), "--as", "storekeeper"]
    delays = [0.0, *_delays(11, _timed(command, urls[0]))]
    killed = [False, *_kill_all([(command, url, delay) for url, delay in zip(urls[1:], delays[1:], strict=True)])]
    _verify(*urls)
    outcomes = []
    for i, url in enumerate(urls):
        dbmod.bind(url)
        n = Asset.select().count()
        logged = AuditEvent.select().where(AuditEvent.action == "asset.import").count()
        dbmod.close()
        assert n in (0, IMPORT_ROWS), f"run {i}: {n} of {IMPORT_ROWS} assets after a kill at {delays[i]:.2f}s"
        assert logged == n
        outcomes.append(n)
    print(f"import: {sum(killed)} of {RUNS} killed; {outcomes.count(IMPORT_ROWS)} wholly there, "
          f"{outcomes.count(0)} wholly absent")
    assert any(killed)


def test_a_killed_demo_build_leaves_all_of_it_or_nothing(copies):
    urls = [copies.empty(f"demo{i}") for i in range(RUNS)]
    command = [str(BIN), "demo", "--assets", str(DEMO_ASSETS)]
    delays = [0.0, *_delays(12, _timed(command, urls[0]))]
    killed = [False, *_kill_all([(command, url, delay) for url, delay in zip(urls[1:], delays[1:], strict=True)])]
    built, complete, retried = [], 0, False
    for i, url in enumerate(urls):
        dbmod.bind(url)
        held = backup.held_rows()
        n = Asset.select().count() if Asset.table_exists() else 0
        dbmod.close()
        if held:
            assert n == DEMO_ASSETS, f"run {i}: {n} of {DEMO_ASSETS} demo assets after a kill at {delays[i]:.2f}s"
            built.append(url)
            complete += 1
        elif not retried:  # nothing of the demo was committed: the database takes a demo again
            retried = True
            out = subprocess.run([str(BIN), "demo", "--assets", "20", "--db", url],
                                 capture_output=True, text=True, cwd=ROOT)
            assert out.returncode == 0, out.stderr
            built.append(url)
    _verify(*built)
    print(f"demo: {sum(killed)} of {RUNS} killed; {complete} complete, {RUNS - complete} wholly absent")
    assert any(killed)


ISSUE = """\
import sys, time
from models import accounts, loans
from models import db as dbmod
dbmod.bind(sys.argv[1])
actor = accounts.get_user("storekeeper")
print("ready", flush=True)
started = time.perf_counter()
loans.issue_items(actor, sys.argv[2])
print(time.perf_counter() - started, flush=True)
"""


def test_a_killed_hand_over_of_many_items_hands_over_all_or_none(copies, users):
    dbmod.bind(copies.base_url)
    numbers = [assets.register_asset(accounts.SYSTEM, {**SAMPLE_ASSET, "name": f"เก้าอี้พับ {n}",
                                                        "category": "สำนักงาน", "serial_no": f"C{n}"}).asset_no
               for n in range(LOAN_ITEMS)]
    today = dt.date.today()
    loan = loans.request_loan(accounts.get_user("staff"),
                              LoanRequest(numbers, "ประชุมประชาคม", "inside", today, today + dt.timedelta(3)))
    loans.approve_loan(accounts.get_user("dept_head"), loan.loan_no)
    outcomes = []
    first = copies.copy("issue0")
    run = subprocess.run([sys.executable, "-c", ISSUE, first, loan.loan_no], env=_env(first),
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    took = float(run.stdout.split()[1])  # seconds inside issue_items
    for i, delay in enumerate([None, *_delays(13, took, side_by_side=False)]):
        url = first if delay is None else copies.copy(f"issue{i}")
        killed = delay is not None and _kill_after([sys.executable, "-c", ISSUE, url, loan.loan_no],
                                                   url, delay, ready=True)
        _verify(url)
        dbmod.bind(url)
        out = LoanItem.select().where(LoanItem.out_flag == 1).count()
        status = Loan.get(Loan.loan_no == loan.loan_no).status
        on_loan = Asset.select().where(Asset.status == "on_loan").count()
        dbmod.close()
        assert (out, status, on_loan) in ((0, "approved", 0), (LOAN_ITEMS, "active", LOAN_ITEMS)), \
            f"run {i}: {out} items out, loan {status}, after a kill at {delay}s"
        outcomes.append((killed, out))
    print(f"hand-over: {sum(k for k, _ in outcomes)} of {RUNS} killed; "
          f"{sum(1 for _, o in outcomes if o)} all out, {sum(1 for _, o in outcomes if not o)} none out")
    assert any(k for k, _ in outcomes)


def test_a_killed_backup_leaves_a_whole_file_or_none(copies, tmp_path):
    sheet = write_csv(tmp_path / "register.csv", THAI_HEADER, thai_register_rows(IMPORT_ROWS))
    url = copies.copy("backupsource")
    out = subprocess.run([str(BIN), "import", "assets", str(sheet), "--as", "storekeeper"],
                         env=_env(url), capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    targets = [tmp_path / f"run{i}.backup" for i in range(RUNS)]
    commands = [[str(BIN), "backup", "-o", str(target), "--as", "auditor"] for target in targets]
    delays = _delays(14, _timed(commands[0], url))
    killed = [False, *_kill_all([(command, url, delay) for command, delay in zip(commands[1:], delays, strict=True)])]
    _verify(url)
    whole = [t for t in targets if t.exists()]
    for target in whole:
        manifest = backup.read_manifest(target)  # complete: the data hashes to its manifest
        assert sum(t["rows"] for t in manifest["tables"]) > IMPORT_ROWS
    if whole:
        restored = tmp_path / "restored.db"
        out = subprocess.run([str(BIN), "restore", str(whole[0]), "--db", f"sqlite:///{restored}"],
                             capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 0, out.stderr
    leftovers = sorted(tmp_path.glob(".run*.backup.*.part"))  # what the killed runs left
    if leftovers:  # the next backup under that name clears them away
        again = Path(str(leftovers[0].name).split(".backup.")[0][1:] + ".backup")
        dbmod.bind(url)
        backup.take_backup(accounts.SYSTEM, tmp_path / again)
        dbmod.close()
        assert not list(tmp_path.glob(f".{again}.*.part"))
        assert backup.read_manifest(tmp_path / again)
    print(f"backup: {sum(killed)} of {RUNS} killed; {len(whole)} files complete, {RUNS - len(whole)} absent; "
          f"{len(leftovers)} partial files left by killed runs, cleared by the next backup")
    assert any(killed)


def test_a_killed_restore_loads_all_rows_or_none(copies, tmp_path):
    sheet = write_csv(tmp_path / "register.csv", THAI_HEADER, thai_register_rows(IMPORT_ROWS))
    source = copies.copy("restoresource")
    out = subprocess.run([str(BIN), "import", "assets", str(sheet), "--as", "storekeeper"],
                         env=_env(source), capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    file = tmp_path / "register.backup"
    dbmod.bind(source)
    taken = backup.take_backup(accounts.SYSTEM, file)
    urls = [copies.empty(f"restore{i}") for i in range(RUNS)]
    command = [str(BIN), "restore", str(file)]
    delays = [0.0, *_delays(15, _timed(command, urls[0]))]
    killed = [False, *_kill_all([(command, url, delay) for url, delay in zip(urls[1:], delays[1:], strict=True)])]
    loaded, retried = [], False
    for i, url in enumerate(urls):
        if dbmod.sqlite_path(url) and not dbmod.sqlite_path(url).exists():
            continue  # killed before the database file was made
        dbmod.bind(url)
        held = backup.held_rows()
        if held:
            assert Asset.select().count() == taken.rows["asset"], f"run {i}: killed at {delays[i]:.2f}s"
            assert AuditEvent.select().count() == taken.rows["audit_event"]
            loaded.append(url)
        elif not retried:  # nothing was loaded: the same restore runs again
            retried = True
            backup.restore_backup(file)
            loaded.append(url)
        dbmod.close()
    _verify(*loaded)
    print(f"restore: {sum(killed)} of {RUNS} killed; {len(loaded) - retried} loaded, "
          f"{RUNS - len(loaded) + retried} nothing loaded")
    assert any(killed)


CLOSE = """\
import sys, time
from models import accounts, stockcheck
from models import db as dbmod
dbmod.bind(sys.argv[1])
actor = accounts.get_user("staff")
print("ready", flush=True)
started = time.perf_counter()
stockcheck.close_check(actor, int(sys.argv[2]))
print(time.perf_counter() - started, flush=True)
"""
CHECK_ROWS = 1500
SCANNED = 150


def test_a_killed_stock_check_close_is_all_or_nothing(copies, users, tmp_path):
    sheet = write_csv(tmp_path / "register.csv", THAI_HEADER, thai_register_rows(CHECK_ROWS))
    dbmod.bind(copies.base_url)
    assets.import_assets(accounts.SYSTEM, read_register(sheet))
    check = stockcheck.open_stock_check(users["storekeeper"], checked_year(), ["staff", "dept_head"])
    codes = [a.asset_no for a in Asset.select(Asset.asset_no).order_by(Asset.asset_no).limit(SCANNED)]
    started = time.monotonic()
    for n, code in enumerate(codes):  # some found in a room other than the register's
        stockcheck.scan(users["staff"], check.id, code, location="ห้อง 100" if n % 10 == 0 else None,
                        condition="damaged" if n % 25 == 0 else "in_use")
    stockcheck.scan(users["staff"], check.id, "NOT-ON-THE-REGISTER")
    scanning = time.monotonic() - started
    expected = StockCheckItem.select().where(StockCheckItem.check == check.id).count()
    assert expected > CHECK_ROWS * 0.9
    outcomes = []
    first = copies.copy("close0")
    run = subprocess.run([sys.executable, "-c", CLOSE, first, str(check.id)], env=_env(first),
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    took = float(run.stdout.split()[1])  # seconds inside close_check
    delays = [None, *_delays(16, took, side_by_side=False)]
    urls = [first, *(copies.copy(f"close{i}") for i in range(1, RUNS))]
    killed = [False, *(_kill_after([sys.executable, "-c", CLOSE, url, str(check.id)], url, delay, ready=True)
                       for url, delay in zip(urls[1:], delays[1:], strict=True))]
    _verify(*urls)  # also fails when a closed check's rows no longer match its results hash
    for i, url in enumerate(urls):
        dbmod.bind(url)
        status = StockCheck.get_by_id(check.id).status
        rows = StockCheckItem.select().where(StockCheckItem.check == check.id)
        with_result = rows.where(StockCheckItem.result.is_null(False)).count()
        total = rows.count()
        logged = AuditEvent.select().where(AuditEvent.action == "stockcheck.close").count()
        dbmod.close()
        assert (status, with_result, logged) in (("open", 0, 0), ("closed", total, 1)), \
            f"run {i}: check {status}, {with_result} of {expected} rows with a result, after a kill at {delays[i]}s"
        outcomes.append((killed[i], status))
    print(f"stock-check close ({expected} rows, {SCANNED} scanned in {scanning:.1f}s, close {took:.2f}s): "
          f"{sum(k for k, _ in outcomes)} of {RUNS} killed; "
          f"{sum(1 for _, s in outcomes if s == 'closed')} closed, {sum(1 for _, s in outcomes if s == 'open')} still open")
    assert any(k for k, _ in outcomes)
