"""Importing registers from CSV and XLSX: header mapping, encodings, line numbers, and the
all-or-nothing import through ``assets-tui import assets``."""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets_tui.cli import main
from forms.spreadsheet import (
    HEADER_MAP,
    field_for_header,
    normalise_header,
    read_register,
    split_brand_model,
)
from models import accounts, assets
from models import db as dbmod
from models.errors import ValidationError
from models.schema import Asset, AuditEvent, Location, Person
from tests.conftest import PASSWORD

THAI_HEADER = ["ลำดับ", "รหัสครุภัณฑ์", "รายการ", "ยี่ห้อ/รุ่น", "หมายเลขเครื่อง", "ประเภท", "หน่วยงาน",
               "สถานที่ตั้ง", "ผู้รับผิดชอบ", "วัน เดือน ปี ที่ได้มา", "ราคา (บาท)", "แหล่งเงิน",
               "วิธีการได้มา", "ผู้ขาย/ผู้รับจ้าง/ผู้บริจาค", "เลขที่เอกสาร", "หมายเหตุ"]
CATEGORIES = ["คอมพิวเตอร์", "ครุภัณฑ์คอมพิวเตอร์", "สำนักงาน", "ครุภัณฑ์สำนักงาน", "430",
              "ครุภัณฑ์ไฟฟ้าและวิทยุ"]
ITEMS = [("เครื่องคอมพิวเตอร์โน้ตบุ๊ก", "Lenovo / ThinkPad E14"), ("โต๊ะทำงานเหล็ก", ""),
         ("เครื่องพิมพ์เลเซอร์", "HP LaserJet Pro M404dn"), ("เก้าอี้สำนักงาน", "Modernform"),
         ("เครื่องขยายเสียง", "ยี่ห้อ TOA รุ่น A-2240")]


def thai_register_rows(n: int, seed: int = 7) -> list[list[str]]:
    """A register as a Thai office keeps it: BE dates, prices with thousands separators,
    categories with and without the word ครุภัณฑ์, departments by name or code, half the
    rows with legacy asset numbers."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        name, brand_model = ITEMS[i % len(ITEMS)]
        legacy = f"OLD-{i:05d}" if i % 2 else ""
        day, month, year = rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(2555, 2567)
        baht = Decimal(rnd.randint(100, 250_000)) + Decimal(rnd.choice([0, 50, 25])) / 100
        rows.append([
            str(i + 1), legacy, name, brand_model, f"SN{i:06d}", CATEGORIES[i % len(CATEGORIES)],
            "สำนักปลัดเทศบาล" if i % 3 else "04", f"ห้อง {100 + i % 7}",
            f"นาย ทดสอบ คนที่{i % 5}", f"{day}/{month}/{year}", f"{baht:,.2f}",
            ["เงินงบประมาณ", "เงินอุดหนุน", "บริจาค"][i % 3], "วิธีเฉพาะเจาะจง",
            "หจก. ทดสอบพาณิชย์", f"ฎ{i:04d}/2567", "",
        ])
    return rows


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def asset_count() -> int:
    return Asset.select().count()


# ---- header mapping -----------------------------------------------------------------------

@pytest.mark.parametrize("header, code", [
    ("รหัสครุภัณฑ์", "asset_no"), ("เลขทะเบียน", "asset_no"), ("หมายเลขครุภัณฑ์", "asset_no"),
    ("asset_no", "asset_no"), ("Asset Number", "asset_no"), ("รายการ", "name"),
    ("ชื่อครุภัณฑ์", "name"), ("name", "name"), ("ยี่ห้อ/รุ่น", "brand_model"),
    ("ยี่ห้อ / รุ่น", "brand_model"), ("ยี่ห้อ", "brand"), ("รุ่น", "model"),
    ("หมายเลขเครื่อง", "serial_no"), ("Serial No.", "serial_no"), ("ประเภท", "category"),
    ("หมวด", "category"), ("หน่วยงาน", "department"), ("กอง", "department"),
    ("สถานที่ตั้ง", "location"), ("ที่ตั้ง", "location"), ("ผู้รับผิดชอบ", "custodian"),
    ("ผู้ใช้", "custodian"), ("วัน เดือน ปี ที่ได้มา", "acquired_on"), ("วันที่ได้มา", "acquired_on"),
    ("วันที่ซื้อ", "acquired_on"), ("ราคา (บาท)", "price"), ("ราคาต่อหน่วย", "price"),
    ("  ราคา  ", "price"), ("ราคา\n(บาท)", "price"), ("แหล่งเงิน", "funding_source"),
    ("ประเภทเงิน", "funding_source"), ("วิธีการได้มา", "acquisition_method"), ("ผู้ขาย", "supplier"),
    ("ผู้รับจ้าง", "supplier"), ("ผู้บริจาค", "supplier"), ("เลขที่เอกสาร", "document_no"),
    ("หน่วยนับ", "unit"), ("ให้ยืมได้", "lendable"), ("อายุการใช้งาน (ปี)", "useful_life_years"),
    ("หมายเหตุ", "remarks"), ("acquired_on_be", "acquired_on_be"),
    ("category_code", "category_code"), ("ลำดับ", None), ("สถานะ", None), ("status", None),
])
def test_headers_map_to_field_codes(header, code):
    assert field_for_header(header) == code


def test_every_field_label_the_product_prints_is_recognised():
    for code, (en, th) in assets.FIELD_LABELS.items():
        assert field_for_header(code) == code
        assert field_for_header(en) == code
        assert field_for_header(th) == code


@given(header=st.sampled_from(sorted(HEADER_MAP)), pad=st.sampled_from(["", " ", "  ", "\t"]),
       unit=st.sampled_from(["", " (บาท)", "(ปี)", " [หน่วย]"]), upper=st.booleans())
def test_header_normalisation_ignores_spacing_case_and_brackets(header, pad, unit, upper):
    variant = pad + (header.upper() if upper else header) + unit + pad
    assert normalise_header(variant) == normalise_header(header)
    assert field_for_header(variant) == HEADER_MAP[header]


@pytest.mark.parametrize("text, expected", [
    ("Lenovo / ThinkPad E14", ("Lenovo", "ThinkPad E14")),
    ("Lenovo ThinkPad", ("Lenovo", "ThinkPad")),
    ("HP LaserJet Pro M404dn", ("HP", "LaserJet Pro M404dn")),
    ("ยี่ห้อ TOA รุ่น A-2240", ("TOA", "A-2240")),
    ("Canon - IR2525", ("Canon", "IR2525")),
    ("Modernform", ("Modernform", "")),
    ("", ("", "")),
    ("-", ("", "")),
])
def test_combined_brand_model_is_split(text, expected):
    assert split_brand_model(text) == expected


# ---- reading files ------------------------------------------------------------------------

def test_csv_rows_keep_spreadsheet_line_numbers_and_skip_blank_rows(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "ทะเบียนครุภัณฑ์ เทศบาลทดสอบ,,,\n"
        "รายการ,ประเภท,หน่วยงาน,วันที่ได้มา,ราคา (บาท),แหล่งเงิน,ยี่ห้อ/รุ่น,ลำดับ\n"
        "โต๊ะ,สำนักงาน,01,1/10/2559,\"4,500\",เงินงบประมาณ,Lenovo ThinkPad,1\n"
        ",,,,,,,\n"
        "\n"
        "เก้าอี้,สำนักงาน,01,2/10/2559,900,เงินงบประมาณ,,2\n",
        encoding="utf-8")
    register = read_register(path)
    assert register.header_line == 2
    assert register.ignored == ["ลำดับ"]
    rows = list(register)
    assert [line for line, _ in rows] == [3, 6]
    assert rows[0][1]["name"] == "โต๊ะ"
    assert rows[0][1]["price"] == "4,500"
    assert (rows[0][1]["brand"], rows[0][1]["model"]) == ("Lenovo", "ThinkPad")


def test_separate_brand_and_model_columns_win_over_the_combined_one(tmp_path):
    path = write_csv(tmp_path / "r.csv",
                     ["รายการ", "ประเภท", "หน่วยงาน", "วันที่ได้มา", "ราคา", "แหล่งเงิน", "ยี่ห้อ/รุ่น", "รุ่น"],
                     [["โต๊ะ", "สำนักงาน", "01", "1/10/2559", "1", "เงินงบประมาณ", "Dell Latitude", "5440"]])
    (_, row), = list(read_register(path))
    assert (row["brand"], row["model"]) == ("Dell", "5440")


def test_semicolon_csv_without_bom_and_tis620_csv_are_read(tmp_path):
    header = ["รายการ", "ประเภท", "หน่วยงาน", "วันที่ได้มา", "ราคา", "แหล่งเงิน"]
    row = ["ตู้เหล็ก", "ครุภัณฑ์สำนักงาน", "01", "1/10/2559", "3500", "เงินงบประมาณ"]
    semi = tmp_path / "semi.csv"
    semi.write_text(";".join(header) + "\n" + ";".join(row) + "\n", encoding="utf-8")
    tis = tmp_path / "tis.csv"
    tis.write_bytes((",".join(header) + "\r\n" + ",".join(row) + "\r\n").encode("cp874"))
    for path in (semi, tis):
        (line, data), = list(read_register(path))
        assert line == 2
        assert data["name"] == "ตู้เหล็ก" and data["category"] == "ครุภัณฑ์สำนักงาน"


def test_missing_required_column_is_one_error_naming_it(tmp_path):
    path = write_csv(tmp_path / "r.csv", ["รายการ", "ประเภท", "หน่วยงาน", "วันที่ได้มา", "แหล่งเงิน"],
                     [["โต๊ะ", "สำนักงาน", "01", "1/10/2559", "เงินงบประมาณ"]])
    with pytest.raises(ValidationError) as info:
        read_register(path)
    assert info.value.field == "price"
    assert "price" in str(info.value) and "ราคา" in str(info.value)


@pytest.mark.parametrize("name, content, words", [
    ("missing.csv", None, "does not exist"),
    ("register.pdf", b"%PDF-1.4", "neither CSV nor XLSX"),
    ("broken.xlsx", b"this is not a zip file", "not a readable XLSX"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx"),
    ("binary.csv", bytes(range(256)) * 4, "not a text"),
    ("empty.csv", b"", "empty"),
])
def test_unreadable_files_are_one_sentence(tmp_path, name, content, words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValidationError) as info:
        read_register(path)
    assert info.value.field == "FILE"
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_xlsx_register_with_real_date_cells_and_numbers(users, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ทะเบียน"
    ws.append(["ทะเบียนครุภัณฑ์ เทศบาลทดสอบ ปีงบประมาณ 2567"])
    ws.append(["รหัสครุภัณฑ์", "รายการ", "ยี่ห้อ", "รุ่น", "ประเภท", "หน่วยงาน", "วันที่ได้มา",
               "ราคา (บาท)", "แหล่งเงิน", "อายุการใช้งาน (ปี)", "หมายเลขเครื่อง"])
    ws.append(["X-1", "โน้ตบุ๊ก", "Acer", "Swift 3", "คอมพิวเตอร์", "01", dt.datetime(2024, 3, 15),
               25900.5, "เงินงบประมาณ", 5, 123456789])
    ws.append([])
    # typed as 1/10/2566 in an Excel that took 2566 as the year
    ws.append(["X-2", "โต๊ะ", None, None, "ครุภัณฑ์สำนักงาน", "กองคลัง", dt.datetime(2566, 10, 1),
               4500, "เงินอุดหนุน", None, None])
    ws.append(["X-3", "เก้าอี้", None, None, "สำนักงาน", "01", dt.date(2030, 1, 1), 10,
               "เงินงบประมาณ", None, None])
    path = tmp_path / "register.xlsx"
    wb.save(path)

    register = read_register(path)
    assert register.sheet == "ทะเบียน" and register.header_line == 2
    rows = list(register)
    assert [line for line, _ in rows] == [3, 5, 6]
    first = rows[0][1]
    assert first["acquired_on"] == dt.date(2024, 3, 15)
    assert first["price"] == Decimal("25900.5")
    assert first["useful_life_years"] == "5" and first["serial_no"] == "123456789"
    assert rows[1][1]["acquired_on"] == dt.date(2023, 10, 1)

    report = assets.import_assets(users["storekeeper"], register)
    assert [(e.line, e.field) for e in report.errors] == [(6, "acquired_on")]
    assert "future" in report.errors[0].message
    assert asset_count() == 0

    ws.delete_rows(6)
    wb.save(path)
    report = assets.import_assets(users["storekeeper"], read_register(path))
    assert report.ok and report.imported == 2
    notebook = assets.get_asset("X-1")
    assert notebook.acquired_on == dt.date(2024, 3, 15)
    assert notebook.price == Decimal("25900.50")
    assert notebook.useful_life_years == 5 and notebook.brand == "Acer"
    assert assets.get_asset("X-2").acquired_on == dt.date(2023, 10, 1)


# ---- the import through the command line ----------------------------------------------------

def _import(db_url, path, *extra, user="storekeeper"):
    return main(["--db", db_url, "import", "assets", str(path), "--as", user, *extra])


@pytest.mark.slow
def test_thousand_row_thai_register_all_or_nothing(users, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    rows = thai_register_rows(1000)
    rows[99][9] = "30/02/2567"     # line 101: no such day
    rows[699][10] = "-5"           # line 701: negative price
    path = write_csv(tmp_path / "ทะเบียน.csv", THAI_HEADER, rows)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    audit_before = AuditEvent.select().count()

    assert _import(db_url, path) == 1
    out, err = capsys.readouterr()
    error_lines = [ln for ln in err.splitlines() if ln.startswith("line ")]
    assert error_lines == [
        "line 101, acquisition date: The acquisition date '30/02/2567' does not exist in the calendar.",
        "line 701, price: The price cannot be negative (-5).",
    ]
    assert "read 1,000 rows" in out
    assert "nothing was imported" in err.splitlines()[-1]
    assert asset_count() == 0
    # only the login was logged; no asset, location or person was written
    assert [e.action for e in AuditEvent.select().where(AuditEvent.seq > audit_before)] == ["user.login"]
    assert Location.select().count() == 0

    rows[99][9], rows[699][10] = "29/02/2567", "1,234.50"   # 2567 BE = 2024, a leap year
    write_csv(path, THAI_HEADER, rows)
    assert _import(db_url, path) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "imported 1,000 assets" in out
    assert "new locations created (7)" in out and "new custodians created (5)" in out
    assert asset_count() == 1000
    fixed = Asset.get(Asset.serial_no == "SN000699")
    assert fixed.price == Decimal("1234.50") and fixed.asset_no == "OLD-00699"
    assert Asset.get(Asset.serial_no == "SN000099").acquired_on == dt.date(2024, 2, 29)
    laptop = Asset.get(Asset.serial_no == "SN000000")
    assert (laptop.brand, laptop.model, laptop.category.code) == ("Lenovo", "ThinkPad E14", "430")
    assert laptop.department.code == "04" and laptop.custodian.name == "นาย ทดสอบ คนที่0"
    assert Asset.get(Asset.serial_no == "SN000001").category.code == "430"   # ครุภัณฑ์คอมพิวเตอร์
    assert Asset.get(Asset.serial_no == "SN000005").category.code == "421"   # ครุภัณฑ์ไฟฟ้าและวิทยุ
    generated = Asset.get(Asset.serial_no == "SN000002")
    assert generated.asset_no.startswith("416-")
    # A thousand rows fill the search index in one pass; every row is found, Thai words
    # included, and the index still follows the assets registered afterwards.
    assert [a.serial_no for a in assets.find_assets("sn000999")] == ["SN000999"]
    assert len(assets.find_assets("เครื่องพิมพ์เลเซอร์", limit=500)) == 200
    later = assets.register_asset(users["storekeeper"], {
        "name": "ตู้เย็นห้องพยาบาล", "category": "420", "department": "01", "acquired_on": "1/10/2567",
        "price": "8,900", "funding_source": "เงินงบประมาณ"})
    assert [a.asset_no for a in assets.find_assets("ห้องพยาบาล")] == [later.asset_no]


@pytest.mark.slow
def test_a_bulk_import_that_fails_half_way_leaves_nothing_behind(users, tmp_path, monkeypatch):
    """The rows, the search index and (on SQLite) the index's trigger, set aside while a big
    import writes, all roll back together when the import fails after the rows are in."""
    path = write_csv(tmp_path / "ทะเบียน.csv", THAI_HEADER, thai_register_rows(1000))
    audit_before = AuditEvent.select().count()

    real = assets.audit.record_many

    def failing(actor, changes, *args, **kwargs):
        changes = list(changes)
        if changes and changes[0].action == "asset.import":  # the asset rows are in by now
            assert asset_count() == 1000
            raise RuntimeError("the disk is full")
        return real(actor, changes, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(assets.audit, "record_many", failing)
        with pytest.raises(RuntimeError):
            assets.import_assets(users["storekeeper"], read_register(path))
    assert asset_count() == 0 and AuditEvent.select().count() == audit_before
    later = assets.register_asset(users["storekeeper"], {
        "name": "ตู้เย็นห้องพยาบาล", "category": "420", "department": "01", "acquired_on": "1/10/2567",
        "price": "8,900", "funding_source": "เงินงบประมาณ"})
    assert [a.asset_no for a in assets.find_assets("ห้องพยาบาล")] == [later.asset_no]
    assert assets.find_assets("เครื่องพิมพ์เลเซอร์") == []
    if dbmod.is_sqlite():  # the trigram index holds exactly the rows of the register
        dbmod.db.execute_sql("INSERT INTO asset_search(asset_search) VALUES ('integrity-check')")


def test_dry_run_needs_no_login_and_writes_nothing(users, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ASSETS_TUI_PASSWORD", raising=False)
    path = write_csv(tmp_path / "r.csv", THAI_HEADER, thai_register_rows(20))
    audit_before = AuditEvent.select().count()
    assert main(["import", "assets", str(path), "--dry-run", "--db", db_url]) == 0
    out, _ = capsys.readouterr()
    assert "dry run: all 20 rows are valid; nothing was written" in out
    assert "new locations would be created" in out
    assert asset_count() == 0 and Location.select().count() == 0
    assert AuditEvent.select().count() == audit_before


def test_import_without_as_is_refused_unless_dry_run(users, db_url, tmp_path, capsys):
    path = write_csv(tmp_path / "r.csv", THAI_HEADER, thai_register_rows(3))
    assert main(["--db", db_url, "import", "assets", str(path)]) == 1
    err = capsys.readouterr().err
    assert "--as USER" in err and "--dry-run" in err
    assert asset_count() == 0


def test_duplicate_asset_numbers_in_the_file_and_in_the_database(users, db_url, tmp_path,
                                                                 monkeypatch, capsys, sample_asset):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    assets.register_asset(users["storekeeper"], {**sample_asset, "asset_no": "OLD-00003"})
    rows = thai_register_rows(6)
    rows[5][1] = "OLD-00001"       # line 7 repeats line 3
    path = write_csv(tmp_path / "r.csv", THAI_HEADER, rows)
    assert _import(db_url, path) == 1
    err = capsys.readouterr().err
    assert "line 7, asset number: The asset number 'OLD-00001' also appears on line 3." in err
    assert "line 5, asset number: The asset number 'OLD-00003' is already registered." in err
    assert asset_count() == 1


def test_unknown_category_and_department_are_errors(users, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    rows = thai_register_rows(4)
    rows[1][5] = "ครุภัณฑ์ยานอวกาศ"
    rows[2][6] = "กองช่างไม้"
    path = write_csv(tmp_path / "r.csv", THAI_HEADER, rows)
    assert _import(db_url, path) == 1
    err = capsys.readouterr().err
    assert "line 3, category: The category 'ครุภัณฑ์ยานอวกาศ' is unknown." in err
    assert "line 4, department: The department 'กองช่างไม้' is unknown." in err
    assert asset_count() == 0


def test_unknown_locations_and_custodians_are_created_and_listed(users, db_url, tmp_path,
                                                                 monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    rows = thai_register_rows(3)
    for row, (place, person) in zip(rows, [("ห้องประชุมใหญ่", "นางใจดี มีสุข"),
                                           ("ห้องประชุมใหญ่", "นายสมชาย รักงาน"),
                                           ("ห้องพัสดุ", "")], strict=True):
        row[7], row[8] = place, person
    path = write_csv(tmp_path / "r.csv", THAI_HEADER, rows)
    assert _import(db_url, path) == 0
    out = capsys.readouterr().out
    assert "new locations created (2): ห้องประชุมใหญ่, ห้องพัสดุ" in out
    assert "new custodians created (2): นางใจดี มีสุข, นายสมชาย รักงาน" in out
    assert {loc.name for loc in Location.select()} == {"ห้องประชุมใหญ่", "ห้องพัสดุ"}
    assert {p.name for p in Person.select().where(Person.name.startswith("นา"))} >= {
        "นางใจดี มีสุข", "นายสมชาย รักงาน"}
    assert Asset.get(Asset.serial_no == "SN000001").location.name == "ห้องประชุมใหญ่"
    assert Asset.get(Asset.serial_no == "SN000002").custodian is None


def test_an_auditor_cannot_import(users, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    path = write_csv(tmp_path / "r.csv", THAI_HEADER, thai_register_rows(5))
    assert _import(db_url, path, user="auditor") == 1
    err = capsys.readouterr().err
    assert err.startswith("assets-tui: error: An auditor may not ")
    assert "only: administrator, storekeeper" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert asset_count() == 0 and Location.select().count() == 0


def test_wrong_password_is_refused(users, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", "not-the-password")
    path = write_csv(tmp_path / "r.csv", THAI_HEADER, thai_register_rows(5))
    assert _import(db_url, path) == 1
    assert capsys.readouterr().err == "assets-tui: error: Wrong username or password.\n"
    assert asset_count() == 0
    assert accounts.get_user("storekeeper").failed_logins == 1


def test_missing_column_through_the_cli_is_one_sentence(users, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    header = [h for h in THAI_HEADER if h not in ("แหล่งเงิน", "ประเภท")]
    rows = [[c for h, c in zip(THAI_HEADER, r, strict=True) if h in header]
            for r in thai_register_rows(2)]
    path = write_csv(tmp_path / "r.csv", header, rows)
    assert _import(db_url, path) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "no column for the category (ประเภท), funding source (แหล่งเงิน)" in err

