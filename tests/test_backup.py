"""Backups: one portable file that restores row for row on SQLite and PostgreSQL alike,
refuses what is damaged, foreign or aimed at a register that exists, and carries the audit
checkpoint that still catches a log whose tail was cut and whose head was made to match."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PG_URL, _pg_worker_url, _reset_pg

from models import accounts, audit, backup, integrity
from models import db as dbmod
from models.db import db
from models.demo import build_demo
from models.schema import MODELS, Asset, AuditEvent, AuditHead

CLI = Path(sys.executable).with_name("assets-tui")
THAI = "โต๊ะทำงานไม้สัก ที่ห้องประชุม ๑"
PRICE = Decimal("12345.67")


def _url(kind: str, tmp_path: Path, name: str, worker_id: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/{name}.db"
    url = _pg_worker_url(f"{worker_id}_{name}")
    _reset_pg(url)
    return url


def _register(url: str) -> None:
    """A small demo register, plus one asset with Thai text and an exact price."""
    dbmod.bind(url)
    build_demo(n_assets=40, seed=3)
    first = Asset.select().order_by(Asset.id).first()
    Asset.update(name=THAI, price=PRICE).where(Asset.id == first.id).execute()
    audit.record(accounts.SYSTEM, "asset.edit", "asset", first.asset_no, {}, {"name": THAI})


def _dump() -> dict[str, list[tuple]]:
    return {m._meta.table_name: list(m.select(*m._meta.sorted_fields)
                                      .order_by(m._meta.primary_key).tuples())
            for m in MODELS}


def _take(url: str, target: Path) -> backup.BackupResult:
    dbmod.bind(url)
    return backup.take_backup(accounts.SYSTEM, target)


def _restore(url: str, source: Path) -> backup.RestoreResult:
    dbmod.bind(url)
    return backup.restore_backup(source)


KINDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PAIRS = [(a, b) for a in KINDS for b in KINDS]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}-to-{b}" for a, b in PAIRS])
def test_a_backup_restores_row_for_row_and_verifies(source, target, tmp_path, worker_id):
    src, dst = _url(source, tmp_path, "src", worker_id), _url(target, tmp_path, "dst", worker_id)
    _register(src)
    before = _dump()
    taken = _take(src, tmp_path / "register.backup")
    dbmod.close()
    restored = _restore(dst, tmp_path / "register.backup")
    assert restored.rows == taken.rows and restored.checkpoint == taken.checkpoint
    assert _dump() == before
    asset = Asset.get(Asset.name == THAI)
    assert asset.price == PRICE and isinstance(asset.price, Decimal)
    report = integrity.verify(checkpoints=[restored.checkpoint])
    assert report.ok, [c for c in report.checks if not c.ok]
    # the restored register goes on working: new ids do not collide with loaded ones
    audit.record(accounts.SYSTEM, "asset.edit", "asset", asset.asset_no, {}, {"price": "1.00"})
    person = accounts.create_user(accounts.SYSTEM, accounts.NewUser("after", "", "staff", "หลังกู้คืน"),
                                  password_hash="x")
    assert person.id > max(r[0] for r in before["user"])
    assert integrity.verify().ok


def test_restore_refuses_a_register_that_exists(database, tmp_path):
    taken = backup.take_backup(accounts.SYSTEM, tmp_path / "b.zip")
    events = AuditEvent.select().count()
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore_backup(taken.path)
    assert AuditEvent.select().count() == events


def test_only_an_administrator_or_auditor_takes_a_backup(users, tmp_path):
    for role in ("storekeeper", "staff", "dept_head", "agency_head"):
        with pytest.raises(accounts.PermissionDenied, match="may not take a backup"):
            backup.take_backup(users[role], tmp_path / f"{role}.zip")
        assert not (tmp_path / f"{role}.zip").exists()
    for role in ("admin", "auditor"):
        assert backup.take_backup(users[role], tmp_path / f"{role}.zip").path.exists()


def _rewrite(source: Path, target: Path, data: bytes | None = None, manifest: bytes | None = None) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        new.writestr(backup.DATA, data if data is not None else old.read(backup.DATA))
        new.writestr(backup.MANIFEST, manifest if manifest is not None else old.read(backup.MANIFEST))


def test_damaged_truncated_and_foreign_files_are_refused(database, tmp_path):
    good = backup.take_backup(accounts.SYSTEM, tmp_path / "good.zip").path
    data = zipfile.ZipFile(good).read(backup.DATA)
    forged = tmp_path / "forged.zip"
    _rewrite(good, forged, data=data.replace("เทศบาลทดสอบ".encode(), "เทศบาลปลอม".encode()))
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    foreign = tmp_path / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("readme.txt", "hello")
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    cases = {forged: "no longer matches the SHA-256", truncated: "damaged or not an assets-tui backup",
             foreign: "not an assets-tui backup", text: "damaged or not an assets-tui backup",
             tmp_path / "missing.zip": "no backup file"}
    dbmod.close()
    for path, message in cases.items():
        target = tmp_path / f"restore-{path.stem}.db"
        out = subprocess.run([str(CLI), "restore", str(path), "--db", f"sqlite:///{target}"],
                             capture_output=True, text=True)
        assert out.returncode == 1, out.stderr
        assert message in out.stderr and "Traceback" not in out.stderr
        assert not target.exists()


def test_an_interrupted_backup_leaves_no_file_under_the_name(database, tmp_path, monkeypatch):
    def fail(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_line", fail)
    with pytest.raises(Exception, match="No space left"):
        backup.take_backup(accounts.SYSTEM, tmp_path / "b.zip")
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".*part")) == []


def _sql(text: str) -> str:
    return text.replace("?", "%s") if db.param == "%s" else text


def _cut_tail_and_fix_head(keep: int) -> None:
    db.execute_sql(_sql("delete from audit_event where seq > ?"), (keep,))
    digest = AuditEvent.get_by_id(keep).hash
    db.execute_sql(_sql("update audit_head set seq = ?, hash = ? where id = 1"), (keep, digest))


def test_a_checkpoint_catches_a_cut_tail_with_a_fixed_head(users, sample_asset, tmp_path):
    from models import assets, org

    assets.register_asset(users["storekeeper"], sample_asset)
    org.add_department(accounts.SYSTEM, "05", "กองช่าง")
    org.add_department(accounts.SYSTEM, "06", "กองสาธารณสุขและสิ่งแวดล้อม")
    head = AuditHead.get_by_id(1)
    checkpoint = backup.Checkpoint(head.seq, head.hash)
    _cut_tail_and_fix_head(head.seq - 2)
    assert audit.verify_chain()[1] == []  # the chain alone cannot tell
    report = integrity.verify(checkpoints=[checkpoint])
    failed = [c for c in report.checks if not c.ok]
    assert [c.name for c in failed] == ["audit checkpoint"]
    assert f"ends at event {head.seq - 2}" in failed[0].detail and f"event {head.seq}" in failed[0].detail


def test_a_checkpoint_catches_a_rewritten_log_of_the_same_length(users, sample_asset):
    from models import assets

    assets.register_asset(users["storekeeper"], sample_asset)
    head = AuditHead.get_by_id(1)
    checkpoint = backup.Checkpoint(head.seq, head.hash)
    # forge the last event and recompute its hash and the head: the chain verifies again
    ev = AuditEvent.get_by_id(head.seq)
    forged = '{"price":"1.00"}'
    digest = audit.event_hash(ev.seq, ev.at, ev.actor, ev.action, ev.entity, ev.entity_id,
                              ev.before, forged, ev.prev_hash)
    db.execute_sql(_sql("update audit_event set after = ?, hash = ? where seq = ?"), (forged, digest, ev.seq))
    db.execute_sql(_sql("update audit_head set hash = ? where id = 1"), (digest,))
    assert audit.verify_chain()[1] == []
    problem = audit.verify_checkpoint(checkpoint.seq, checkpoint.hash)
    assert problem is not None and problem.seq == head.seq and "no longer has the hash" in problem.message
    assert audit.verify_checkpoint(checkpoint.seq - 1, AuditEvent.get_by_id(head.seq - 1).hash) is None


def test_verify_on_the_command_line_takes_a_checkpoint_or_a_backup(database, tmp_path):
    env = {**os.environ, "ASSETS_TUI_DB": database, "ASSETS_TUI_PASSWORD": "pass1234"}
    dbmod.close()
    out = subprocess.run([str(CLI), "backup", "-o", str(tmp_path / "b.zip"), "--as", "admin"],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    point = next(line.split(": ", 1)[1] for line in out.stdout.splitlines() if line.startswith("audit checkpoint"))
    seq = int(point.split(":")[0])
    for extra in (["--checkpoint", point], ["--against", str(tmp_path / "b.zip")]):
        ok = subprocess.run([str(CLI), "verify", *extra], capture_output=True, text=True, env=env)
        assert ok.returncode == 0 and "✓ audit checkpoint" in ok.stdout, ok.stdout + ok.stderr
    dbmod.bind(database)
    _cut_tail_and_fix_head(seq - 1)
    dbmod.close()
    plain = subprocess.run([str(CLI), "verify"], capture_output=True, text=True, env=env)
    assert plain.returncode == 0  # what the check cannot see without a checkpoint
    for extra in (["--checkpoint", point], ["--against", str(tmp_path / "b.zip")]):
        bad = subprocess.run([str(CLI), "verify", *extra], capture_output=True, text=True, env=env)
        assert bad.returncode == 1 and f"✗ audit checkpoint: The audit log ends at event {seq - 1}" in bad.stdout
    wrong = subprocess.run([str(CLI), "verify", "--checkpoint", "12:abc"], capture_output=True, text=True, env=env)
    assert wrong.returncode == 1 and "is not SEQ:HASH" in wrong.stderr and "Traceback" not in wrong.stderr


WRITER = """\
import json, sys
from models import accounts, assets
from models import db as dbmod
dbmod.bind(sys.argv[1])
sample = json.loads(sys.argv[2])
print("ready", flush=True)
for n in range(int(sys.argv[3])):
    assets.register_asset(accounts.SYSTEM, {**sample, "serial_no": f"W{n}"})
"""


def test_a_backup_taken_while_others_write_holds_one_moment(database, sample_asset, tmp_path):
    """Assets registered by another process during the backups: each backup restores to a
    register whose rows and audit log agree, and verifies."""
    import json

    dbmod.close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, database, json.dumps(sample_asset), "150"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=Path(__file__).resolve().parent.parent)
    assert writer.stdout.readline().strip() == b"ready"
    seen = []
    try:
        for i in range(3):
            dbmod.bind(database)
            taken = backup.take_backup(accounts.SYSTEM, tmp_path / f"during{i}.zip")
            dbmod.bind(f"sqlite:///{tmp_path}/during{i}.db")
            backup.restore_backup(taken.path)
            report = integrity.verify(checkpoints=[taken.checkpoint])
            assert report.ok, [c for c in report.checks if not c.ok]
            registered = AuditEvent.select().where(AuditEvent.action == "asset.register").count()
            assert Asset.select().count() == registered == taken.rows["asset"]
            seen.append(registered)
            dbmod.close()
    finally:
        writer.wait(timeout=120)
        writer.stdout.close()
        writer.stderr.close()
    assert writer.returncode == 0
    print("registered at each backup:", seen)
    assert seen == sorted(seen)
