"""The audit log in the app, as an auditor reads it: newest first, narrowed by record and
user in the database, the highlighted event in full, the whole log exported as CSV; a
storekeeper is not offered it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from assets_tui.app import AssetsApp
from assets_tui.screens.audit_log import AuditLogScreen
from models import db as dbmod
from models.schema import Asset, AuditEvent
from tests.test_tui import build_database, fill, log_in, quick_hash, run, settle, text_of


@pytest.fixture
def log_db(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "documents"))
    url = f"sqlite:///{tmp_path}/log.db"
    build_database(url, quick_hash())
    yield url
    dbmod.close()


def first_column(screen) -> list[str]:
    table = screen.query_one("#audit-events", DataTable)
    return [str(key.value) for key in table.rows]


def test_an_auditor_reads_filters_and_exports_the_log(log_db, tmp_path):
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "auditor")
        await pilot.press("f10")
        await settle(pilot, 0.5)
        screen = app.screen
        assert isinstance(screen, AuditLogScreen)
        seen["all"] = first_column(screen)
        seen["detail"] = text_of(screen, "#audit-detail")
        notebook = Asset.select().order_by(Asset.asset_no).first().asset_no
        seen["notebook"] = notebook
        await fill(pilot, "record", notebook)
        await settle(pilot, 0.5)
        seen["one"] = first_column(screen)
        seen["one_count"] = text_of(screen, "#audit-count")
        await fill(pilot, "since", "31/2/2569")
        await settle(pilot, 0.5)
        seen["bad_date"] = text_of(screen, "#audit-error")
        screen.query_one("#audit-events").focus()
        await pilot.press("ctrl+e")
        await settle(pilot, 0.3)
        seen["notes"] = [n.message for n in app._notifications]

    run(log_db, scenario)
    newest_first = [str(seq) for seq, in AuditEvent.select(AuditEvent.seq)
                    .order_by(AuditEvent.seq.desc()).tuples()]
    assert seen["all"] == newest_first[:len(seen["all"])] and len(seen["all"]) >= 5
    assert seen["detail"].startswith(f"#{newest_first[0]} ") and "auditor" in seen["detail"]
    registered = [str(e.seq) for e in AuditEvent.select().where(
        AuditEvent.entity_id == seen["notebook"]).order_by(AuditEvent.seq.desc())]
    assert seen["one"] == registered and seen["one_count"].startswith(f"พบ {len(registered)} รายการ")
    assert "31/2/2569" in seen["bad_date"]
    [exported] = list((tmp_path / "documents").glob("audit-log-*.csv"))
    with exported.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == AuditEvent.select().count() and rows[0]["seq"] == "1"
    assert any(note.startswith(f"ส่งออก {len(rows):,} รายการ ไว้ที่ ") for note in seen["notes"])


def test_a_storekeeper_is_not_offered_the_log(log_db):
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        before = type(app.screen)
        await pilot.press("f10")
        await settle(pilot)
        seen["same"] = type(app.screen) is before and "audit" not in app.sections

    run(log_db, scenario)
    assert seen["same"]
