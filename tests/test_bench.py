"""The benchmark suite still runs: a tiny `python -m tests.bench --quick` writes a table
with every operation. No figure is checked: speed is the benchmarks' business."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

OPERATIONS = [
    "demo build", "`import` of a", "search by asset number prefix", "search by a Thai word in the name",
    "search by serial", "open an asset with its history", "register page", "loans of a borrower",
    "overdue list", "approvals inbox of a head", "hand-over and return of a 5-item loan",
    "one stock-check scan", "stock-check progress", "`verify` of the whole database",
    "export of the register (CSV", "register PDF of FY", "labels (", "app start to the login screen",
    "login to the home screen with its numbers", "F2 to the asset list's first page",
    "search keystroke to updated results", "search: the typing pause's end to updated results",
    "loan desk: scan of an item handed over", "loan desk: scan of an item taken back",
    "stock-check counting screen: scan of an item",
    "peak memory of the running app", "`export assets` (CSV)", "`print register",
]


@pytest.mark.slow
def test_quick_suite_writes_a_table_with_every_operation(tmp_path):
    out = tmp_path / "bench.md"
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k != "ASSETS_TUI_DB"}
    run = subprocess.run([sys.executable, "-m", "tests.bench", "--quick", "--out", str(out)],
                         cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    table = out.read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    for operation in OPERATIONS:
        assert any(operation in row for row in rows), f"no row for {operation!r} in:\n{table}"
    assert "| operation | rows | product p50 | product p95 | raw p50 | ratio | target | met? |" in table
    assert "Machine: " in table
