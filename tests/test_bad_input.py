"""The bad-input corpus (tests/corpus/bad_input.py) fed to the domain, the command line and
the import: every entry is refused with one sentence naming its field, nothing is written
(no row, no audit event), and no traceback reaches the user. Each test walks a whole part
of the corpus and lists every entry that got through, so one run shows all the gaps.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import peewee
import pytest
from argon2 import PasswordHasher
from conftest import PASSWORD, SAMPLE_ASSET
from corpus import bad_input as corpus
from hypothesis import given
from hypothesis import strategies as st

from assets_tui.cli import main
from forms import documents
from forms.spreadsheet import HEADER_MAP
from models import accounts, assets, loans, stockcheck, values
from models.accounts import SYSTEM, NewUser
from models.assets import FIELD_LABELS
from models.errors import ValidationError
from models.loans import LoanRequest
from models.schema import MODELS, AuditEvent, Category
from models.values import parse_thai_id, thai_to_arabic_digits

TODAY = dt.date.today()


@pytest.fixture(scope="session")
def password_hash():
    """Argon2 with light parameters: these tests log in through the command line often."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


@pytest.fixture
def office(users, monkeypatch, db_url):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    monkeypatch.setenv("ASSETS_TUI_NEW_PASSWORD", "newpass1")
    laptop = assets.register_asset(SYSTEM, dict(SAMPLE_ASSET))
    return {**users, "url": db_url, "laptop": laptop.asset_no}


def _state() -> tuple[dict[str, int], int]:
    counts = {m._meta.table_name: m.select().count() for m in MODELS if m is not AuditEvent}
    return counts, AuditEvent.select(peewee.fn.MAX(AuditEvent.seq)).scalar() or 0


def _show(entry) -> str:
    field, value, why = entry
    text = repr(value)
    return f"{field}={text[:40]}{'…' if len(text) > 40 else ''} ({why})"


# ---- the domain --------------------------------------------------------------------------

def test_the_domain_refuses_every_bad_asset_value_naming_its_field(office):
    keeper = office["storekeeper"]
    before = _state()
    through = []
    for entry in corpus.ASSET_FIELDS + corpus.ASSET_TYPES:
        field, value, _ = entry
        try:
            assets.register_asset(keeper, {**SAMPLE_ASSET, field: value})
        except ValidationError as exc:
            if exc.field != field or not str(exc).endswith(".") or "\n" in str(exc):
                through.append(f"{_show(entry)}: refused as {exc.field}: {exc}")
        except Exception as exc:  # noqa: BLE001 - the corpus is looking for exactly these
            through.append(f"{_show(entry)}: {type(exc).__name__}: {exc}")
        else:
            through.append(f"{_show(entry)}: accepted")
    assert not through, "\n".join(through)
    assert _state() == before


def test_an_edit_refuses_the_same_values_and_leaves_the_asset_as_it_was(office):
    keeper, number = office["storekeeper"], office["laptop"]
    before = _state()
    through = []
    for entry in corpus.ASSET_TEXT + corpus.AMOUNTS + corpus.DATES:
        field, value, _ = entry
        if field == "asset_no":
            continue
        try:
            assets.update_asset(keeper, number, {field: value})
        except ValidationError as exc:
            if exc.field != field:
                through.append(f"{_show(entry)}: refused as {exc.field}")
        except Exception as exc:  # noqa: BLE001
            through.append(f"{_show(entry)}: {type(exc).__name__}: {exc}")
        else:
            through.append(f"{_show(entry)}: accepted")
    assert not through, "\n".join(through)
    assert _state() == before


def test_parsers_refuse_bad_dates_amounts_and_thai_ids(office):
    through = []
    for entry in corpus.AMOUNTS:
        try:
            values.parse_money(entry[1], "price")
            through.append(f"{_show(entry)}: accepted")
        except ValidationError as exc:
            assert exc.field == "price"
    for entry in corpus.THAI_IDS:
        try:
            parse_thai_id(entry[1])
            through.append(f"{_show(entry)}: accepted")
        except ValidationError as exc:
            assert exc.field == "thai_id"
    assert not through, "\n".join(through)


def test_a_loan_request_refuses_bad_dates_text_and_thai_ids(office):
    staff, keeper = office["staff"], office["storekeeper"]
    good = dict(assets=[office["laptop"]], purpose="อบรม", place="inside", start_on=TODAY,
                due_on=TODAY + dt.timedelta(2))
    cases = [(("start_on", v, w), {"start_on": v}) for _, v, w in corpus.DATES if "future" not in w and "past" not in w]
    cases += [(("due_on", v, w), {"due_on": v}) for _, v, w in corpus.DATES[:6]]
    cases += [(("purpose", v, w), {"purpose": v}) for f, v, w in corpus.ASSET_TEXT if f == "name" and isinstance(v, str)]
    cases += [(("assets", v, w), {"assets": [v]}) for _, v, w in corpus.SCAN_CODES]
    before = _state()
    through = []
    for entry, change in cases:
        try:
            loans.request_loan(staff, LoanRequest(**{**good, **change}))
        except ValidationError as exc:
            if exc.field not in (entry[0], entry[0].removesuffix("s"), "asset"):
                through.append(f"{_show(entry)}: refused as {exc.field}: {exc}")
        except Exception as exc:  # noqa: BLE001
            through.append(f"{_show(entry)}: {type(exc).__name__}: {exc}")
        else:
            through.append(f"{_show(entry)}: accepted")
    outside = dict(good, place="outside")
    for entry in corpus.THAI_IDS:
        borrower = loans.ExternalBorrower("นาย ภายนอก", "บริษัท ทดสอบ", "1 ถนนหลวง", "0812345678", entry[1])
        try:
            loans.request_loan(keeper, LoanRequest(**outside, external=borrower))
            through.append(f"{_show(entry)}: accepted")
        except ValidationError as exc:
            if exc.field != "thai_id":
                through.append(f"{_show(entry)}: refused as {exc.field}: {exc}")
    for field, value in (("name", corpus.LONG), ("organisation", "บ" * 300), ("address", "ก\x00"),
                         ("phone", "0" * 80), ("phone", corpus.RLO + "191")):
        parts = {"name": "นาย ภายนอก", "organisation": "บริษัท ทดสอบ", "address": "1 ถนนหลวง",
                 "phone": "0812345678", field: value}
        try:
            loans.request_loan(keeper, LoanRequest(**outside, external=loans.ExternalBorrower(**parts)))
            through.append(f"external {field}={value[:20]!r}: accepted")
        except ValidationError as exc:
            if field not in exc.field:
                through.append(f"external {field}: refused as {exc.field}: {exc}")
        except Exception as exc:  # noqa: BLE001
            through.append(f"external {field}: {type(exc).__name__}: {exc}")
    assert not through, "\n".join(through)
    assert _state() == before


def test_a_stock_check_refuses_codes_that_are_not_labels(office, password_hash):
    from test_cli_stockcheck import checked_year

    for n in (1, 2):
        accounts.create_user(SYSTEM, NewUser(f"insp{n}", "", "staff", f"กรรมการ {n}"), password_hash=password_hash)
    check = stockcheck.open_stock_check(office["agency_head"], checked_year(), ["insp1", "insp2"])
    inspector = accounts.get_user("insp1")
    before = _state()
    through = []
    for entry in corpus.SCAN_CODES:
        try:
            stockcheck.scan(inspector, check.id, entry[1])
            through.append(f"{_show(entry)}: accepted")
        except ValidationError as exc:
            if exc.field != "code":
                through.append(f"{_show(entry)}: refused as {exc.field}")
    assert not through, "\n".join(through)
    assert _state() == before


def test_names_typed_for_a_printed_file_never_leave_the_chosen_folder(tmp_path):
    through = []
    for entry in corpus.OUTPUT_NAMES:
        try:
            path = Path(documents.output_path(tmp_path, entry[1]))
            through.append(f"{_show(entry)}: accepted as {path}")
        except ValidationError as exc:
            assert exc.field == "file"
    assert not through, "\n".join(through)
    assert Path(documents.output_path(tmp_path, "ทะเบียน 2569")).parent == tmp_path


# ---- the import --------------------------------------------------------------------------

def _header(field: str) -> str:
    return FIELD_LABELS[field][1] if FIELD_LABELS[field][1] in HEADER_MAP else \
        next(h for h, f in HEADER_MAP.items() if f == field)


def _write_sheet(path: Path, rows: list[dict[str, object]]) -> Path:
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([_header(f) for f in fields])
        for row in rows:
            writer.writerow([row.get(f, "") for f in fields])
    return path


def _cli(office, capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", office["url"], *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _encodable(value: object) -> bool:
    return isinstance(value, str) and "\x00" not in value and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)


def test_the_import_refuses_every_bad_value_by_line_and_field(office, tmp_path, capsys):
    good = {"name": "ตู้เหล็ก", "category": "สำนักงาน", "department": "01", "acquired_on": "15/3/2567",
            "price": "4,500.00", "funding_source": "เงินงบประมาณ"}
    before = _state()
    through = []
    for n, entry in enumerate(corpus.ASSET_FIELDS):
        field, value, _ = entry
        if not _encodable(value) and not isinstance(value, int | float):
            continue  # a CSV cannot hold it; the NUL-byte files below cover what a file can
        sheet = _write_sheet(tmp_path / f"bad{n}.csv", [good, {**good, field: value}])
        code, out, err = _cli(office, capsys, "import", "assets", str(sheet), "--as", "storekeeper")
        lines = err.strip().splitlines()
        wanted = f"line 3, {assets.label(field)}: "
        if "Traceback" in err or code != 1 or not any(line.startswith(wanted) for line in lines) \
                or "nothing was imported" not in lines[-1]:
            through.append(f"{_show(entry)}: exit {code}: {err.strip()[:300]}")
    assert not through, "\n".join(through)
    assert _state()[0] == before[0]


def _xlsx(path: Path, build) -> Path:
    book = openpyxl.Workbook()
    build(book.active)
    book.save(path)
    return path


HEADER = ["รหัสครุภัณฑ์", "รายการ", "ประเภท", "หน่วยงาน", "วันที่ได้มา", "ราคา", "แหล่งเงิน"]
ROW = ["", "ตู้เหล็ก", "สำนักงาน", "01", "15/3/2567", "4500", "เงินงบประมาณ"]


def _merged(sheet):
    sheet.append(HEADER)
    sheet.append(ROW)
    sheet.append(["", "", "สำนักงาน", "01", "15/3/2567", "4500", "เงินงบประมาณ"])
    sheet.merge_cells("B2:B3")  # one name over two rows: the second row has none


def _formulas(sheet):
    sheet.append(HEADER)
    sheet.append(["", "ตู้เหล็ก", "สำนักงาน", "01", "15/3/2567", "=1500*3", "เงินงบประมาณ"])


def _formula_text(sheet):
    sheet.append(HEADER)
    sheet.append(["", "=HYPERLINK(\"http://x\",\"คลิก\")", "สำนักงาน", "01", "15/3/2567", "4500", "เงินงบประมาณ"])


def _no_header(sheet):
    sheet.append(ROW)
    sheet.append(ROW)


BAD_FILES = [
    ("tis620-declared-utf8.csv", lambda p: p.write_bytes(b"\xff\xfe\x00\x00" + "รายการ".encode("utf-32-le")),
     "not a text"),
    ("latin1.csv", lambda p: p.write_bytes(("รายการ,ราคา\n" + "café,12\n").encode("utf-8")[:-6] + b"\xe9\xff\xfe,12\n"),
     "neither UTF-8 nor TIS-620"),
    ("nul.csv", lambda p: p.write_bytes(",".join(HEADER).encode() + b"\n" + ",".join(ROW).encode() + b"\x00\n"),
     ""),
    ("empty.csv", lambda p: p.write_bytes(b""), "empty"),
    ("only-bom.csv", lambda p: p.write_bytes(b"\xef\xbb\xbf"), "empty"),
    ("no-header.csv", lambda p: p.write_text("\n".join(",".join(ROW) for _ in range(3)), encoding="utf-8"), "header"),
    ("missing-columns.csv", lambda p: p.write_text("รายการ,ยี่ห้อ\nตู้,Lucky\n", encoding="utf-8"), ""),
    ("ragged.csv", lambda p: p.write_text(",".join(HEADER) + "\n" + ",".join(ROW + ["x", "y", "z"]) + "\n",
                                          encoding="utf-8"), ""),
    ("quote.csv", lambda p: p.write_text(",".join(HEADER) + '\n"ตู้,' + "ก" * 200_000 + "\n", encoding="utf-8"), ""),
    ("binary.csv", lambda p: p.write_bytes(bytes(range(256)) * 4), ""),
    ("zip-bomb-ish.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 100), "XLSX"),
    ("not-a-zip.xlsx", lambda p: p.write_text("รายการ,ราคา\n", encoding="utf-8"), ""),
    ("random-zip.xlsx", lambda p: zipfile.ZipFile(p, "w").writestr("hello.txt", "hi"), ""),
    ("merged.xlsx", lambda p: _xlsx(p, _merged), ""),
    ("formulas.xlsx", lambda p: _xlsx(p, _formulas), ""),
    ("formula-text.xlsx", lambda p: _xlsx(p, _formula_text), ""),
    ("no-header.xlsx", lambda p: _xlsx(p, _no_header), "header"),
    ("old.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512), "97-2003"),
    ("register.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n"), "neither CSV nor XLSX"),
]


@pytest.mark.parametrize("name,make,words", BAD_FILES, ids=[f[0] for f in BAD_FILES])
def test_a_malformed_file_is_refused_in_one_place_and_nothing_imported(office, tmp_path, capsys, name, make, words):
    path = tmp_path / name
    make(path)
    before = _state()
    code, out, err = _cli(office, capsys, "import", "assets", str(path), "--as", "storekeeper")
    assert code == 1, out + err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines and lines[-1].startswith("assets-tui: error: ")
    assert len(lines) <= 10
    assert words in err
    assert _state()[0] == before[0]


# ---- the command line --------------------------------------------------------------------

def _cli_cases(office) -> list[tuple[str, list[str]]]:
    """(word the refusal must contain, command line) for hostile option values."""
    laptop = office["laptop"]
    start, due = TODAY.isoformat(), (TODAY + dt.timedelta(2)).isoformat()

    def request(**change: str) -> list[str]:
        opts = {"--asset": laptop, "--purpose": "อบรม", "--place": "inside", "--start": start, "--due": due, **change}
        return ["loan", "request", *[x for kv in opts.items() for x in kv], "--as", "staff"]

    cases = []
    for _, value, why in corpus.DATES:
        if _encodable(value) and "future" not in why and "past" not in why:
            cases.append(("start", request(**{"--start": value})))
    for field, value, _ in corpus.ASSET_TEXT:
        if field == "name" and _encodable(value) and value.strip():
            cases.append(("purpose", request(**{"--purpose": value})))
    for _, value, _ in corpus.SCAN_CODES[1:]:
        if _encodable(value):
            cases.append(("asset", request(**{"--asset": value})))
    for _, value, _ in corpus.THAI_IDS:
        if _encodable(value):
            cases.append(("Thai ID", ["loan", "request", "--asset", laptop, "--purpose", "อบรม", "--place", "outside",
                                      "--start", start, "--due", due, "--external", "นาย ก", "--organisation", "บริษัท ข",
                                      "--address", "1 ถนนหลวง", "--phone", "0812345678", "--thai-id", value,
                                      "--as", "storekeeper"]))
    for _, value, _ in corpus.AMOUNTS:
        if isinstance(value, str):
            cases.append(("cost", ["asset", "repair", laptop, "--vendor", "ร้านซ่อม", "--cost", value,
                                   "--as", "storekeeper"]))
    cases += [
        ("repairer", ["asset", "repair", laptop, "--vendor", "ร้าน\x1b[2J", "--as", "storekeeper"]),
        ("repairer", ["asset", "repair", laptop, "--vendor", "ร" * 1000, "--as", "storekeeper"]),
        ("date", ["asset", "repair", laptop, "--vendor", "ร้าน", "--on", "31/13/2025", "--as", "storekeeper"]),
        ("code", ["department", "add", "0" * 40, "กองช่าง", "--as", "admin"]),
        ("code", ["department", "add", "09'; DROP TABLE asset; --", "กองช่าง", "--as", "admin"]),
        ("name", ["department", "add", "09", "ก" * 500, "--as", "admin"]),
        ("name", ["department", "add", "09", "กอง" + corpus.RLO + "ช่าง", "--as", "admin"]),
        ("code", ["location", "add", "R" * 60, "ห้อง", "--as", "admin"]),
        ("name", ["location", "add", "R9", "ห้อง\x1b[31m", "--as", "admin"]),
        ("name", ["user", "add", "newbie", "--role", "staff", "--name", "ก" * 500, "--as", "admin"]),
        ("name", ["user", "add", "newbie", "--role", "staff", "--name", "นาย\x1b[2Jก", "--as", "admin"]),
        ("username", ["user", "add", "x" * 80, "--role", "staff", "--name", "นาย ก", "--as", "admin"]),
        ("phone", ["user", "add", "newbie", "--role", "staff", "--name", "นาย ก", "--phone", "0" * 80, "--as", "admin"]),
    ]
    return cases


def test_the_command_line_refuses_hostile_values_in_one_sentence(office, capsys):
    before = _state()
    through = []
    for word, argv in _cli_cases(office):
        code, out, err = _cli(office, capsys, *argv)
        lines = err.strip().splitlines()
        if code != 1 or "Traceback" in err or len(lines) != 1 or word.lower() not in lines[0].lower():
            shown = " ".join(a if len(a) < 40 else a[:40] + "…" for a in argv)
            through.append(f"{shown!r}: exit {code}: {err.strip()[:300]}")
    assert not through, "\n".join(through)
    counts, _ = _state()
    assert counts == before[0]
    assert not AuditEvent.select().where((AuditEvent.seq > before[1])
                                         & ~AuditEvent.action.in_(["user.login"])).exists()


# ---- properties of the parsers --------------------------------------------------------------

def _check_digit(first12: str) -> str:
    total = sum(int(d) * w for d, w in zip(first12, range(13, 1, -1), strict=True))
    return str((11 - total % 11) % 10)


THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@given(st.text("0123456789", min_size=12, max_size=12), st.sampled_from(["plain", "dashes", "spaces", "thai"]))
def test_a_thai_id_with_its_check_digit_reads_back_however_it_is_written(first12, style):
    number = first12 + _check_digit(first12)
    written = {"plain": number,
               "dashes": f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}",
               "spaces": f"{number[0]} {number[1:5]} {number[5:10]} {number[10:12]} {number[12]}",
               "thai": number.translate(THAI)}[style]
    assert parse_thai_id(written) == number


@given(st.text("0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_a_thai_id_with_any_other_last_digit_is_refused(first12, shift):
    wrong = str((int(_check_digit(first12)) + shift) % 10)
    with pytest.raises(ValidationError, match="wrong check digit"):
        parse_thai_id(first12 + wrong)


@given(st.text(min_size=1, max_size=20).filter(lambda t: thai_to_arabic_digits(t).strip(" -")
                                               and not thai_to_arabic_digits(t).replace(" ", "").replace("-", "").isdigit()))
def test_a_thai_id_with_anything_but_digits_is_refused(text):
    with pytest.raises(ValidationError):
        parse_thai_id(text)


PATTERNS = ["{category}-{yy}-{seq:04d}", "{category}/{yyyy}/{seq}", "ครุภัณฑ์ {category}.{yy}.{seq:05d}",
            "{yy}{category}{seq:03d}"]
CODES = ["120", "430", "999"]  # the DLA classification's codes: three digits each


@given(st.sampled_from(PATTERNS), st.sampled_from(CODES),
       st.dates(dt.date(1958, 1, 1), dt.date(2099, 12, 31)), st.integers(1, 99_999))
def test_an_asset_number_made_from_the_pattern_reads_back(pattern, code, acquired, seq):
    category = Category(code=code, name="x")
    number = assets.format_number(pattern, category, acquired, seq)
    reader = assets.number_reader(pattern, CODES)
    found = reader.match(number)
    assert found is not None, number
    be = acquired.year + values.BE_OFFSET
    assert int(found["seq"]) == seq
    assert found.groupdict().get("yy", f"{be % 100:02d}") == f"{be % 100:02d}"


@given(st.text(max_size=30))
def test_any_text_as_an_asset_number_is_read_or_refused_never_a_crash(text):
    reader = assets.number_reader("{category}-{yy}-{seq:04d}", ["430", "120"])
    found = reader.match(text)
    if found is not None:
        assert text == f"{found['category']}-{found['yy']}-{found['seq']}"
