"""Many hands on one register at once.

A locked SQLite file never reaches the user as a crash: a writer waits, tries again with
growing pauses and, past ``ASSETS_TUI_LOCK_WAIT`` seconds, says in one sentence that the
database is busy, having written nothing.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import PASSWORD

from models import accounts, org
from models import db as dbmod
from models.errors import DatabaseUnavailable
from models.schema import AuditEvent, Location

BIN = Path(sys.executable).with_name("assets-tui")
ROOT = Path(__file__).resolve().parent.parent


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
    if not db_url.startswith("sqlite:///"):
        pytest.skip("the write lock of a file is SQLite's")
    dbmod.close()
    return db_url


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
