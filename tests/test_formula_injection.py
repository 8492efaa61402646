"""Text typed by staff or borrowers that a spreadsheet would run as a formula (OWASP "CSV
injection") is exported as text: with a leading apostrophe in CSV, as a string cell in XLSX,
and it re-imports unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from assets_tui.cli import main
from forms import opendata
from forms.spreadsheet import quote_formula, read_register, unquote_formula
from models import accounts, assets, audit, org
from models import db as dbmod
from tests.conftest import PASSWORD

LINK = '=HYPERLINK("http://example.com","x")'
REMARKS = {"PLUS/1": "+66 81 234 5678", "MINUS/1": "-ชำรุด-", "AT/1": "@ห้องประชุม"}


@pytest.fixture
def risky(users, sample_asset):
    """Four assets: one named as a formula, three whose remarks start with +, - and @."""
    keeper = users["storekeeper"]
    assets.register_asset(keeper, {**sample_asset, "asset_no": "LINK/1", "name": LINK})
    for number, remark in REMARKS.items():
        assets.register_asset(keeper, {**sample_asset, "asset_no": number, "remarks": remark})
    return users


def _export(db_url, path) -> None:
    assert main(["--db", db_url, "export", "assets", "-o", str(path)]) == 0


def _by_number(rows):
    return {r["asset_no"]: r for r in rows}


def test_csv_prefixes_formula_text_with_an_apostrophe(risky, db_url, tmp_path):
    target = tmp_path / "register.csv"
    _export(db_url, target)
    rows = _by_number(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows["LINK/1"]["name"] == "'" + LINK
    assert {n: rows[n]["remarks"] for n in REMARKS} == {n: "'" + r for n, r in REMARKS.items()}
    # numbers, dates and plain text are written as before
    assert rows["LINK/1"]["price"] == "25900.00"
    assert rows["LINK/1"]["acquired_on"] == "2024-03-15"
    assert rows["PLUS/1"]["name"] == "เครื่องคอมพิวเตอร์โน้ตบุ๊ก"


def test_xlsx_writes_formula_text_as_string_cells(risky, db_url, tmp_path):
    target = tmp_path / "register.xlsx"
    _export(db_url, target)
    ws = openpyxl.load_workbook(target).active
    header = [c.value for c in ws[1]]
    cells = {row[0].value: dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)}
    name = cells["LINK/1"]["name"]
    assert (name.data_type, name.value) == ("s", LINK)
    for number, remark in REMARKS.items():
        cell = cells[number]["remarks"]
        assert (cell.data_type, cell.value) == ("s", remark)
    price = cells["LINK/1"]["price"]
    assert price.data_type == "n" and price.value == 25900
    assert cells["LINK/1"]["acquired_on"].value == dt.datetime(2024, 3, 15)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_reimports_the_original_text(risky, db_url, tmp_path, monkeypatch, capsys, suffix):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    source = tmp_path / f"register.{suffix}"
    _export(db_url, source)
    read = _by_number(row for _, row in read_register(source))
    assert read["LINK/1"]["name"] == LINK
    assert {n: read[n]["remarks"] for n in REMARKS} == REMARKS

    empty = f"sqlite:///{tmp_path}/empty.db"
    assert main(["--db", empty, "init", "--agency", "เทศบาลปลายทาง", "--admin", "admin"]) == 0
    dbmod.bind(empty)
    org.add_department(accounts.SYSTEM, "01", "สำนักปลัดเทศบาล")
    assert main(["--db", empty, "import", "assets", str(source), "--as", "admin"]) == 0
    assert "imported 4 assets" in capsys.readouterr().out
    assert main(["--db", empty, "export", "assets", "--format", "json"]) == 0
    back = _by_number(json.loads(capsys.readouterr().out))
    assert back["LINK/1"]["name"] == LINK
    assert {n: back[n]["remarks"] for n in REMARKS} == REMARKS
    assert back["LINK/1"]["price"] == "25900.00"


def test_json_keeps_the_text_as_it_is(risky, db_url, capsys):
    assert main(["--db", db_url, "export", "assets", "--format", "json"]) == 0
    records = _by_number(json.loads(capsys.readouterr().out))
    assert records["LINK/1"]["name"] == LINK
    assert records["MINUS/1"]["remarks"] == "-ชำรุด-"


def test_numbers_stay_numbers_and_every_cell_round_trips():
    out = io.BytesIO()
    lines = [["-12.50", "+5", "-1e3", "=1+1", "-", "\tx", "\rx", "'=x", "''-5", "'plain", "x=1", ""]]
    opendata._write_csv(out, [f"c{i}" for i in range(len(lines[0]))], lines)
    [written] = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))[1:]
    assert written == ["-12.50", "+5", "-1e3", "'=1+1", "'-", "'\tx", "'\rx", "''=x", "'''-5",
                       "'plain", "x=1", ""]
    assert [unquote_formula(cell) for cell in written] == lines[0]
    assert quote_formula("-7") == "-7" and quote_formula("'-7") == "''-7"


def test_a_negative_amount_in_xlsx_is_a_number_and_formula_text_is_not(tmp_path):
    from decimal import Decimal

    target = tmp_path / "t.xlsx"
    with target.open("wb") as out:
        opendata._write_xlsx(out, "t", ["price", "note", "error"],
                             [[Decimal("-12.50"), "=SUM(A1:A9)", "#N/A"]], money=("price",))
    price, note, error = next(openpyxl.load_workbook(target).active.iter_rows(min_row=2))
    assert price.data_type == "n" and price.value == -12.5
    assert (note.data_type, note.value) == ("s", "=SUM(A1:A9)")
    assert (error.data_type, error.value) == ("s", "#N/A")


def test_the_loan_register_quotes_a_borrowers_organisation(users, sample_asset, db_url, capsysbinary):
    from models import loans
    from models.loans import ExternalBorrower, LoanRequest

    keeper = users["storekeeper"]
    item = assets.register_asset(keeper, {**sample_asset, "lendable": "yes"})
    day = dt.date(2026, 11, 2)
    loans.request_loan(keeper, LoanRequest(
        [item.asset_no], "@งานวัด", "outside", day, day + dt.timedelta(days=3),
        external=ExternalBorrower("นายสมศักดิ์ รักชุมชน", "=cmd|' /C calc'!A0", "แม่สอด", "081")),
        today=day)
    assert main(["--db", db_url, "export", "loans"]) == 0
    [row] = csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig")))
    assert row["organisation"] == "'=cmd|' /C calc'!A0"
    assert row["purpose"] == "'@งานวัด"
    assert row["borrower"] == "นายสมศักดิ์ รักชุมชน"


def test_the_audit_log_csv_quotes_formula_text_and_the_chain_still_checks(users, sample_asset,
                                                                          db_url, capsysbinary):
    assets.register_asset(users["storekeeper"], {**sample_asset, "asset_no": "@SUM(A1)"})
    assert main(["--db", db_url, "export", "audit"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig"))))
    [event] = [r for r in rows if r["entity"] == "asset"]
    assert event["entity_id"] == "'@SUM(A1)"
    # Undoing the apostrophe gives the text the hash covers.
    assert audit.event_hash(int(event["seq"]), event["at"], event["actor"], event["action"],
                            event["entity"], unquote_formula(event["entity_id"]), event["before"],
                            event["after"], event["prev_hash"]) == event["hash"]
