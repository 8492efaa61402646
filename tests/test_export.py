"""Open-data exports: documented keys, encodings, streaming, and the round trip back
through the import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from playhouse.test_utils import count_queries

from assets_tui.cli import main
from forms import opendata
from forms.spreadsheet import read_register
from models import accounts, assets, audit, org
from models import db as dbmod
from models.schema import Asset, AuditEvent
from tests.conftest import PASSWORD

PRODUCT_KEYS = ["asset_no", "name", "category", "department", "location", "custodian", "status",
                "lendable", "acquired_on", "price", "funding_source", "acquisition_method",
                "serial_no"]


@pytest.fixture
def register(users, sample_asset):
    """Three assets: one with a location and custodian, one generated number, one legacy."""
    keeper = users["storekeeper"]
    org.add_location(accounts.SYSTEM, "R101", "ห้อง 101 อาคารสำนักงาน")
    assets.import_assets(keeper, [(2, {**sample_asset, "location": "R101",
                                       "custodian": "นางสาวสมใจ ใจดี", "unit": "เครื่อง",
                                       "useful_life_years": "5", "remarks": "ใช้งานประจำ",
                                       "description": "CPU i5, RAM 16 GB", "supplier": "หจก. ทดสอบ",
                                       "document_no": "ฎ12/2567",
                                       "acquisition_method": "วิธีเฉพาะเจาะจง"})])
    assets.register_asset(keeper, {"name": "โต๊ะทำงาน, เหล็ก \"พิเศษ\"", "category": "416",
                                   "department": "04", "acquired_on": "2016-10-01",
                                   "price": "4500", "funding_source": "เงินอุดหนุน",
                                   "lendable": "no"})
    assets.register_asset(keeper, {"asset_no": "OLD/0001", "name": "รถจักรยานยนต์",
                                   "category": "ครุภัณฑ์ยานพาหนะและขนส่ง", "department": "01",
                                   "acquired_on": "1/10/2550", "price": "0",
                                   "funding_source": "บริจาค"})
    return users


def _csv_export(db_url, capsysbinary, *extra) -> bytes:
    assert main(["export", "assets", "--db", db_url, *extra]) == 0
    return capsysbinary.readouterr().out


def test_csv_has_bom_and_the_documented_header(register, db_url, capsysbinary):
    data = _csv_export(db_url, capsysbinary)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:13] == PRODUCT_KEYS
    assert header == list(opendata.ASSET_COLUMNS)
    assert [r["asset_no"] for r in rows] == ["416-59-0001", "430-67-0001", "OLD/0001"]
    laptop = rows[1]
    assert laptop["price"] == "25900.00"
    assert laptop["acquired_on"] == "2024-03-15" and laptop["acquired_on_be"] == "15/3/2567"
    assert laptop["category"] == "คอมพิวเตอร์" and laptop["category_code"] == "430"
    assert laptop["department"] == "สำนักปลัดเทศบาล" and laptop["department_code"] == "01"
    assert laptop["location"] == "ห้อง 101 อาคารสำนักงาน" and laptop["location_code"] == "R101"
    assert laptop["custodian"] == "นางสาวสมใจ ใจดี"
    assert laptop["funding_source"] == "เงินงบประมาณ" and laptop["funding_source_code"] == "budget"
    assert laptop["status"] == "available" and laptop["lendable"] == "true"
    assert rows[0]["name"] == "โต๊ะทำงาน, เหล็ก \"พิเศษ\"" and rows[0]["lendable"] == "false"
    assert rows[2]["price"] == "0.00" and rows[2]["location"] == ""


def test_json_export_parses_with_the_open_data_keys(register, db_url, tmp_path, capsys):
    target = tmp_path / "register.json"
    assert main(["--db", db_url, "export", "assets", "-o", str(target)]) == 0
    assert capsys.readouterr().out == f"wrote 3 assets to {target} (json)\n"
    records = json.loads(target.read_text(encoding="utf-8"))
    assert isinstance(records, list) and len(records) == 3
    assert list(records[1]) == list(opendata.ASSET_KEYS)
    assert records[1]["price"] == "25900.00" and records[1]["lendable"] is True
    assert records[1]["useful_life_years"] == 5 and records[2]["location"] is None
    assert records[0]["acquired_on"] == "2016-10-01"
    # find --json speaks the same keys and values
    assert main(["--db", db_url, "find", "PF3XK2LM", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [records[1]]


def test_xlsx_export_opens_with_real_dates_and_numbers(register, db_url, tmp_path):
    target = tmp_path / "register.xlsx"
    assert main(["--db", db_url, "export", "assets", "-o", str(target)]) == 0
    wb = openpyxl.load_workbook(target)
    ws = wb.active
    values = list(ws.iter_rows(values_only=True))
    assert list(values[0]) == list(opendata.ASSET_COLUMNS)
    laptop = dict(zip(values[0], values[2], strict=True))
    assert laptop["asset_no"] == "430-67-0001"
    assert laptop["acquired_on"] == dt.datetime(2024, 3, 15)
    assert laptop["price"] == 25900 and laptop["lendable"] is True
    assert laptop["name"] == "เครื่องคอมพิวเตอร์โน้ตบุ๊ก"
    assert len(values) == 4


def test_export_with_no_assets_is_a_header_or_an_empty_list(users, db_url, capsysbinary):
    data = _csv_export(db_url, capsysbinary)
    assert data.decode("utf-8-sig").strip() == ",".join(opendata.ASSET_COLUMNS)
    data = _csv_export(db_url, capsysbinary, "--format", "json")
    assert json.loads(data) == []


def test_format_from_the_file_name_or_a_clear_error(register, db_url, tmp_path, capsys):
    assert main(["--db", db_url, "export", "assets", "-o", str(tmp_path / "r.txt")]) == 1
    err = capsys.readouterr().err
    assert "cannot tell the format" in err and "--format" in err
    assert not (tmp_path / "r.txt").exists()
    assert main(["--db", db_url, "export", "assets", "--format", "csv", "-o", str(tmp_path / "r.txt")]) == 0
    assert (tmp_path / "r.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["--db", db_url, "export", "assets", "-o", str(tmp_path / "no" / "such" / "r.csv")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_csv_and_xlsx_exports_reimport_into_an_empty_database(register, db_url, tmp_path,
                                                              monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    csv_file, xlsx_file = tmp_path / "register.csv", tmp_path / "register.xlsx"
    assert main(["--db", db_url, "export", "assets", "-o", str(csv_file)]) == 0
    assert main(["--db", db_url, "export", "assets", "-o", str(xlsx_file)]) == 0
    before = json.loads(_json_of(db_url, capsys))

    for source in (csv_file, xlsx_file):
        empty = f"sqlite:///{tmp_path}/empty-{source.suffix[1:]}.db"
        assert main(["--db", empty, "init", "--agency", "เทศบาลปลายทาง", "--admin", "admin"]) == 0
        dbmod.bind(empty)
        org.add_department(accounts.SYSTEM, "01", "สำนักปลัดเทศบาล")
        org.add_department(accounts.SYSTEM, "04", "กองคลัง")
        capsys.readouterr()
        assert main(["--db", empty, "import", "assets", str(source), "--as", "admin"]) == 0
        out = capsys.readouterr().out
        assert "imported 3 assets" in out
        assert "ignored columns: status" in out
        after = json.loads(_json_of(empty, capsys))
        assert _without_location_code(after) == _without_location_code(before)
        assert after[1]["location_code"] == "ห้อง 101 อาคารสำนักงาน"


def _without_location_code(records):
    """A location created by an import is named as in the file; its code is made from the name."""
    return [{k: v for k, v in r.items() if k != "location_code"} for r in records]


def _json_of(url, capsys) -> str:
    capsys.readouterr()
    assert main(["--db", url, "export", "assets", "--format", "json"]) == 0
    return capsys.readouterr().out


def test_paged_reading_returns_every_row_once_in_order(register, sample_asset):
    keeper = register["storekeeper"]
    for i in range(8):
        assets.register_asset(keeper, {**sample_asset, "serial_no": f"S{i}"})
    everything = [r["asset_no"] for r in opendata.iter_asset_rows(page_size=1000)]
    assert len(everything) == 11
    with count_queries() as counter:
        paged = [r["asset_no"] for r in opendata.iter_asset_rows(page_size=3)]
    assert paged == everything == sorted(everything)
    assert counter.count == 4   # 3 + 3 + 3 + 2: pages, never the whole table at once


def test_audit_export_carries_the_chain_so_anyone_can_recompute_it(register, db_url, capsysbinary,
                                                                   tmp_path):
    assert main(["--db", db_url, "export", "audit"]) == 0
    data = capsysbinary.readouterr().out
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["seq", "at", "actor", "action", "entity", "entity_id", "before",
                             "after", "hash", "prev_hash"]
    assert len(rows) == AuditEvent.select().count()
    prev = audit.GENESIS_HASH
    for row in rows:
        assert row["prev_hash"] == prev
        assert audit.event_hash(int(row["seq"]), row["at"], row["actor"], row["action"],
                                row["entity"], row["entity_id"], row["before"], row["after"],
                                prev) == row["hash"]
        prev = row["hash"]
    imported = [r for r in rows if r["action"] == "asset.import"]
    assert json.loads(imported[0]["after"])["price"] == "25900.00"

    target = tmp_path / "audit.json"
    assert main(["--db", db_url, "export", "audit", "-o", str(target)]) == 0
    events = json.loads(target.read_text(encoding="utf-8"))
    assert [e["hash"] for e in events] == [r["hash"] for r in rows]
    assert events[0]["seq"] == 1


def test_export_of_a_large_register_streams(users, sample_asset):
    """1,200 assets written through pages of 1,000: every row once, prices exact."""
    rows = [(i + 2, {**sample_asset, "serial_no": f"BULK{i:05d}", "price": f"{i}.{i % 100:02d}"})
            for i in range(1200)]
    report = assets.import_assets(users["storekeeper"], rows)
    assert report.imported == 1200
    out = io.BytesIO()
    assert opendata.export_assets(out, "csv") == 1200
    parsed = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert len({r["asset_no"] for r in parsed}) == 1200
    prices = {r["serial_no"]: Decimal(r["price"]) for r in parsed}
    assert prices["BULK01199"] == Decimal("1199.99")
    assert Asset.select().count() == 1200
    out = io.BytesIO()
    assert opendata.export_assets(out, "xlsx") == 1200
    assert sum(1 for _ in read_register_bytes(out.getvalue())) == 1200


def read_register_bytes(data: bytes):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.xlsx"
        path.write_bytes(data)
        yield from read_register(path)
