"""Shared fixtures. Every data-rule test runs on SQLite, and on PostgreSQL too when
``ASSETS_TUI_TEST_PG`` holds a URL (each test gets an empty schema)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from models import accounts, org, setup
from models import db as dbmod
from models.demo import build_demo
from models.schema import Department

PG_URL = os.environ.get("ASSETS_TUI_TEST_PG", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "pass1234"


def _pg_worker_url(worker: str) -> str:
    """One database per xdist worker, created on first use from the given URL's server."""
    import psycopg

    parsed = urlparse(PG_URL)
    name = f"{parsed.path.strip('/')}_{worker}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'create database "{name}"')
    return urlunparse(parsed._replace(path="/" + name))


def _reset_pg(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop schema if exists public cascade")
        conn.execute("create schema public")


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, worker_id):
    """The URL of a fresh, empty database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/assets.db"
    else:
        url = _pg_worker_url(worker_id if worker_id != "master" else "main")
        _reset_pg(url)
    yield url
    dbmod.close()


@pytest.fixture(scope="session")
def password_hash():
    return accounts.hash_password(PASSWORD)


@pytest.fixture
def database(db_url, password_hash):
    """A bound, initialised database with an agency, two departments and an admin."""
    dbmod.bind(db_url)
    setup.init_database("เทศบาลทดสอบ")
    accounts.create_user(accounts.SYSTEM, accounts.NewUser("admin", "", "admin", "ผู้ดูแล ระบบ"),
                         password_hash=password_hash)
    org.add_department(accounts.SYSTEM, "01", "สำนักปลัดเทศบาล")
    org.add_department(accounts.SYSTEM, "04", "กองคลัง")
    yield db_url
    dbmod.close()


@pytest.fixture
def users(database, password_hash):
    """One active account per role (username = role), password ``PASSWORD``."""
    made = {"admin": accounts.get_user("admin")}
    depts = {"dept_head": "01", "staff": "01"}
    for role in ("storekeeper", "dept_head", "agency_head", "auditor", "staff"):
        dept = Department.get(Department.code == depts[role]) if role in depts else None
        made[role] = accounts.create_user(
            accounts.SYSTEM,
            accounts.NewUser(role, "", role, f"ทดสอบ {role}", department=dept),
            password_hash=password_hash)
    return made


SAMPLE_ASSET = {
    "name": "เครื่องคอมพิวเตอร์โน้ตบุ๊ก",
    "category": "คอมพิวเตอร์",
    "department": "01",
    "acquired_on": "15/3/2567",
    "price": "25,900.00",
    "funding_source": "เงินงบประมาณ",
    "brand": "Lenovo",
    "model": "ThinkPad E14",
    "serial_no": "PF3XK2LM",
}


@pytest.fixture
def sample_asset():
    return dict(SAMPLE_ASSET)


@pytest.fixture
def demo_url(tmp_path: Path):
    """A SQLite file holding the demo municipality with 40 assets and its loans."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    dbmod.bind(url)
    build_demo(n_assets=40, seed=1)
    yield url
    dbmod.close()
