"""Every printed page carries the audit checkpoint of the moment it was printed, and
`verify --checkpoint` accepts it as printed, so a paper copy can later prove that the
record behind it was not rewritten."""

from __future__ import annotations

import re
import subprocess

from conftest import PASSWORD, SAMPLE_ASSET

from assets_tui.cli import main
from models import assets, backup
from models import db as dbmod
from models.accounts import SYSTEM
from models.schema import AuditEvent


def _text(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_a_printed_page_carries_the_checkpoint_that_verify_accepts(users, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    number = assets.register_asset(SYSTEM, dict(SAMPLE_ASSET)).asset_no
    head = backup.current_checkpoint()
    pdf = tmp_path / "history.pdf"
    assert main(["--db", db_url, "print", "history", number, "-o", str(pdf)]) == 0, capsys.readouterr().err
    printed = re.findall(r"verify --checkpoint (\d+):([0-9a-f]+)", _text(pdf))
    assert printed and set(printed) == {(str(head.seq), head.hash[:12])}
    capsys.readouterr()
    assert main(["--db", db_url, "verify", "--checkpoint", f"{head.seq}:{head.hash[:12]}"]) == 0
    capsys.readouterr()
    dbmod.bind(db_url)  # the printed event rewritten: the paper copy no longer matches
    AuditEvent.update(hash="f" * 64).where(AuditEvent.seq == head.seq).execute()
    dbmod.close()
    assert main(["--db", db_url, "verify", "--checkpoint", f"{head.seq}:{head.hash[:12]}"]) == 1
    assert f"Audit event {head.seq} no longer has the hash the checkpoint records" in capsys.readouterr().out


def test_a_checkpoint_shorter_than_twelve_digits_is_refused(users, db_url, capsys):
    assert main(["--db", db_url, "verify", "--checkpoint", "3:abc"]) == 1
    assert "12 to 64 hexadecimal digits" in capsys.readouterr().err
