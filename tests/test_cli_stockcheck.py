"""The stock check and the end of an asset's life driven from the command line, as a
committee with a scanner file or a storekeeper at a prompt would: the rules are the
domain's, the command line carries them and prints one line per outcome."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assets_tui.cli import main
from models import accounts, assets, integrity, org
from models.accounts import SYSTEM, NewUser
from models.schema import Asset, StockCheck
from models.stockcheck import check_dates
from models.values import fiscal_year_of
from tests.conftest import PASSWORD
from tests.test_cli import one_error


def checked_year() -> int:
    """The latest fiscal year whose check has started by today."""
    year = fiscal_year_of(dt.date.today()) - 1
    while check_dates(year)[1] > dt.date.today():
        year -= 1
    return year


@pytest.fixture
def office(users, sample_asset, password_hash, db_url, monkeypatch):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    for n in (1, 2, 3):
        accounts.create_user(SYSTEM, NewUser(f"insp{n}", "", "staff", f"กรรมการ {n}"), password_hash=password_hash)
    org.add_location(SYSTEM, "R1", "ห้อง 1", org.get_department("01"))
    org.add_location(SYSTEM, "R2", "ห้อง 2", org.get_department("01"))
    numbers = [assets.register_asset(SYSTEM, {**sample_asset, "serial_no": f"S{n}", "location": "R1" if n < 3 else "R2",
                                              "name": f"โต๊ะ {n}"}).asset_no for n in range(5)]
    return {"url": db_url, "n": numbers}


def run(office, *argv) -> int:
    return main(["--db", office["url"], *argv])


def opened(office, capsys, *extra) -> str:
    assert run(office, "stockcheck", "open", "--fiscal-year", str(checked_year()), *extra,
               "--committee", "insp1,insp2,insp3", "--as", "agency_head") == 0, capsys.readouterr().err
    return capsys.readouterr().out.strip()


def test_opening_refuses_a_storekeeper_on_the_committee_and_prints_the_number(office, capsys):
    year = str(checked_year())
    assert run(office, "stockcheck", "open", "--fiscal-year", year, "--committee", "insp1,storekeeper,insp2",
               "--as", "agency_head") == 1
    assert one_error(capsys) == ("assets-tui: error: ทดสอบ storekeeper (storekeeper) is a supply officer "
                                 "(storekeeper) and cannot be an inspector: the committee must come from "
                                 "outside the supply unit.")
    assert StockCheck.select().count() == 0
    assert run(office, "stockcheck", "open", "--fiscal-year", "2026", "--committee", "insp1", "--as", "agency_head") == 1
    assert "give the Buddhist Era year" in one_error(capsys)
    assert run(office, "stockcheck", "open", "--fiscal-year", year, "--department", "01",
               "--committee", "insp1", "--committee", "insp2", "--as", "agency_head") == 0
    captured = capsys.readouterr()
    check = StockCheck.get()
    assert captured.out == f"{check.id}\n"
    assert f"stock check {check.id} of FY{year} (departments 01): 5 assets expected" in captured.err
    assert "the committee has 2 inspectors; a committee is usually 3" in captured.err


def test_scanning_from_the_line_and_from_a_scanner_file(office, capsys, tmp_path):
    n = office["n"]
    check = opened(office, capsys)
    codes = tmp_path / "scanner.txt"
    codes.write_text(f"{n[0]}\n\n# room 1, second pass\n{n[0]}\n{n[3]}\n999-99-9999\n", encoding="utf-8")
    assert run(office, "stockcheck", "scan", check, "--from", str(codes), "--location", "R1", "--as", "insp1") == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"found      {n[0]} โต๊ะ 0: found.",
        f"duplicate  {n[0]}: duplicate, already scanned by insp1 at R1; counted once.",
        f"misplaced  {n[3]} โต๊ะ 3: misplaced, registered at R2, found at R1.",
        "unexpected 999-99-9999: unexpected, not an asset number of this register.",
    ]
    assert captured.err.strip() == "4 scanned: 1 found, 1 misplaced, 1 duplicate, 1 unexpected"
    assert run(office, "stockcheck", "scan", check, n[4], "--location", "R2", "--condition", "damaged",
               "--json", "--as", "insp2") == 0
    [record] = json.loads(capsys.readouterr().out)
    assert (record["outcome"], record["asset_no"], record["problem"]) == ("found", n[4], False)
    assert run(office, "stockcheck", "scan", check, n[1], "--as", "storekeeper") == 1
    assert "A storekeeper may not scan for stock checks" in one_error(capsys)
    assert run(office, "stockcheck", "scan", check, "--as", "insp1") == 1
    assert one_error(capsys) == "assets-tui: error: Give the codes to scan, or a file of them with --from FILE."
    assert run(office, "stockcheck", "scan", check, "--from", str(tmp_path / "none.txt"), "--as", "insp1") == 1
    assert "--from: cannot read" in one_error(capsys)

    assert run(office, "stockcheck", "status", check, "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert {k: status[k] for k in ("expected", "counted", "misplaced", "missing", "unexpected", "duplicates",
                                   "scans", "status")} == {
        "expected": 5, "counted": 3, "misplaced": 1, "missing": 2, "unexpected": 1, "duplicates": 1,
        "scans": 5, "status": "open"}
    assert [(x["location"], x["expected"], x["counted"], x["remaining"]) for x in status["locations"]] == [
        ("R1", 3, 1, 2), ("R2", 2, 2, 0)]
    assert run(office, "--lang", "en", "stockcheck", "status", check) == 0
    out = capsys.readouterr().out
    assert "counted          3 / 5 (1 misplaced)" in out and "missing so far   2" in out

    assert run(office, "--lang", "en", "stockcheck", "discrepancies", check) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[2:]] == [n[1], n[2], n[3], n[4], "999-99-9999"]


def test_close_then_nothing_changes_and_the_follow_on_runs_once(office, capsys):
    n = office["n"]
    check = opened(office, capsys)
    assert run(office, "stockcheck", "scan", check, n[0], n[1], n[2], "--location", "R1", "--as", "insp1") == 0
    assert run(office, "stockcheck", "scan", check, n[3], "--location", "R1", "--condition", "not_needed",
               "--as", "insp2") == 0
    assert run(office, "stockcheck", "explain", check, n[4], "--text", "ยืมไปใช้ที่ศูนย์ ไม่ได้แจ้ง",
               "--as", "insp3") == 0
    capsys.readouterr()
    assert run(office, "stockcheck", "close", check, "--as", "insp1") == 0
    captured = capsys.readouterr()
    assert captured.out == f"{check}\n"
    assert "closed for good: 4 of 5 counted (1 misplaced), 0 out on loan, 0 away for repair, 1 missing" in captured.err
    assert run(office, "stockcheck", "scan", check, n[4], "--as", "insp1") == 1
    assert "its results are final and nothing can be scanned" in one_error(capsys)
    assert run(office, "stockcheck", "follow-on", check, "--as", "storekeeper") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("fact-finding case 1: " + n[4] + " (loss)")
    assert out[1].startswith("disposal candidate 1: " + n[3] + " (not needed)")
    assert out[2].startswith("registry correction 1: " + n[3] + " to R1")
    assert run(office, "stockcheck", "followup", check, "--as", "storekeeper") == 1
    assert "it is done once" in one_error(capsys)
    assert run(office, "stockcheck", "corrections", "--json") == 0
    assert [c["asset_no"] for c in json.loads(capsys.readouterr().out)] == [n[3]]
    assert run(office, "stockcheck", "confirm", "1", "--as", "storekeeper") == 0
    assert capsys.readouterr().out == f"{n[3]}\n"
    assert Asset.get(Asset.asset_no == n[3]).location.code == "R1"
    assert run(office, "stockcheck", "results", check, "--json") == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows[n[4]]["result"], rows[n[4]]["lost"], rows[n[3]]["not_needed"]) == ("missing", True, True)
    assert run(office, "stockcheck", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "closed"
    assert integrity.verify().ok


def test_repair_transfer_and_disposal_from_the_command_line(office, capsys):
    n = office["n"]
    assert run(office, "asset", "repair", n[0], "--vendor", "ร้านซ่อม", "--cost", "900", "--as", "storekeeper") == 0
    assert capsys.readouterr().out == f"{n[0]}\n"
    assert Asset.get(Asset.asset_no == n[0]).status == "repair"
    assert run(office, "asset", "repaired", n[0], "--cost", "1,200.50", "--as", "storekeeper") == 0
    assert "cost 1,200.50 baht" in capsys.readouterr().err
    assert run(office, "asset", "transfer", n[1], "--to", "04", "--approved-by", "dept_head", "--as", "storekeeper") == 0
    assert "transferred from 01 to 04" in capsys.readouterr().err
    assert run(office, "asset", "dispose", n[2], "--method", "auction", "--ordered", "1/11/2569",
               "--approved-by", "dept_head", "--as", "storekeeper") == 1
    assert "cannot order a disposal" in one_error(capsys)
    assert run(office, "asset", "dispose", n[2], "--method", "auction", "--ordered", "1/11/2569",
               "--approved-by", "agency_head", "--as", "storekeeper") == 0
    assert "it has left the active register" in capsys.readouterr().err
    assert run(office, "asset", "disposal", n[2], "--done", "2026-11-10", "--amount", "800",
               "--as", "storekeeper") == 0
    assert "800.00 baht received" in capsys.readouterr().err
    assert run(office, "find", "โต๊ะ", "--json") == 0
    assert n[2] not in [r["asset_no"] for r in json.loads(capsys.readouterr().out)]
    assert run(office, "find", n[2], "--json") == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["disposed"]
    assert run(office, "asset", "repair", n[3], "--vendor", "x", "--as", "auditor") == 1
    assert "An auditor may not record repairs" in one_error(capsys)


def test_help_names_the_stock_check_commands(capsys):
    assert main(["stockcheck", "--help"]) == 0
    out = capsys.readouterr().out
    for action in ("open", "scan", "status", "discrepancies", "explain", "close", "follow-on", "confirm"):
        assert action in out
