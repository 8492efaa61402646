"""The ITA evidence pack, built from the demo municipality as a new user would: every
document is there and reads as Thai, the index's links all work offline, the open data
validates against its dictionary, and no outside borrower's ID number, phone number or
address appears in any file."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assets_tui.cli import main
from forms.ita_pack import build_pack
from forms.pdf import PaperSettings
from models import accounts, demo, guideline, stockcheck
from models import db as dbmod
from models.errors import ValidationError
from models.schema import Asset, Person
from models.values import fiscal_year_of
from tests.pdf_checks import all_text, page_count

PRINTED_AT = dt.datetime(2026, 11, 28, 10, 0)
GUIDELINE = ("1. ทรัพย์สินของราชการใช้ได้เฉพาะเพื่อประโยชน์ของทางราชการเท่านั้น\n"
             "2. การยืมต้องทำเป็นหนังสือและได้รับอนุมัติก่อนนำออก")


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """The demo register with a signed-off guideline two staff acknowledged, the stock check
    of the year before partly counted, and its pack of the current fiscal year."""
    root = tmp_path_factory.mktemp("ita")
    dbmod.bind(f"sqlite:///{root}/demo.db")
    try:
        demo.build_demo(60, seed=1)
        admin, mayor = accounts.get_user("admin"), accounts.get_user("mayor")
        guideline.publish_version(admin, 1, GUIDELINE, effective_on=dt.date.today())
        guideline.sign_off(mayor, 1)
        staff_names = []
        for name in ("staff", "head"):
            user = accounts.get_user(name)
            guideline.acknowledge(user, 1)
            staff_names.append(Person.get_by_id(user.person_id).name)
        year = fiscal_year_of(dt.date.today())
        check = stockcheck.open_stock_check(admin, year - 1, ["inspector1", "inspector2", "inspector3"])
        numbers = [a.asset_no for a in Asset.select().where(Asset.status == "available")
                   .order_by(Asset.asset_no).limit(10)]
        list(stockcheck.scan_many(accounts.get_user("inspector1"), check.id, numbers))
        outsiders = list(Person.select().where(Person.external == True))  # noqa: E712
        secrets = ([p.phone for p in outsiders if p.phone] + [p.thai_id for p in outsiders if p.thai_id]
                   + [p.address for p in outsiders if p.address])
        result = build_pack(root / "pack", year, printed_by="tester", printed_at=PRINTED_AT,
                            settings=PaperSettings("เทศบาลนครแม่สอด"))
        yield {"result": result, "dir": root / "pack", "year": year, "secrets": secrets,
               "outsiders": outsiders, "numbers": numbers, "staff_names": staff_names}
    finally:
        dbmod.close()


def files_of(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def test_the_pack_holds_every_document(pack):
    d, year = pack["dir"], pack["year"]
    names = {p.relative_to(d).as_posix() for p in files_of(d)}
    assert names == {
        "index.html", "01-guideline.pdf", "02-guideline-acknowledgements.pdf", "03-flowchart.pdf",
        "04-loan-slip-blank.pdf", f"05-loan-register-{year}.pdf",
        f"06-stockcheck-report-{year - 1}.pdf", f"07-statistics-{year}.pdf",
        f"open-data/statistics-{year}.csv", f"open-data/statistics-{year}.json",
        "open-data/assets.csv", "open-data/assets.json",
        f"open-data/loans-{year}.csv", f"open-data/loans-{year}.json",
        f"open-data/stockcheck-{year - 1}.csv", f"open-data/stockcheck-{year - 1}.json",
        "open-data/datapackage.json", "open-data/data-dictionary.html",
    }
    assert pack["result"].missing == []
    # no temporary folder is left beside it
    assert [p.name for p in d.parent.iterdir() if p.name.startswith(".")] == []
    # a web server can read it: not the private permissions of a temporary folder
    umask = os.umask(0)
    os.umask(umask)
    assert d.stat().st_mode & 0o777 == 0o777 & ~umask


def test_every_pdf_reads_as_thai(pack):
    d, year = pack["dir"], pack["year"]
    expected = {
        "01-guideline.pdf": ["ประกาศเทศบาลนครแม่สอด", "เรื่อง แนวทางปฏิบัติการใช้ทรัพย์สินของราชการ",
                             "(ฉบับที่ 1)", "ทรัพย์สินของราชการใช้ได้เฉพาะเพื่อประโยชน์ของทางราชการเท่านั้น",
                             "ลงนามในระบบโดย"],
        "02-guideline-acknowledgements.pdf": ["สรุปผลการรับทราบแนวทางปฏิบัติการใช้ทรัพย์สินของราชการ",
                                              "รับทราบแล้ว 2 บัญชี"],
        "03-flowchart.pdf": ["แผนผังขั้นตอนการยืมทรัพย์สินของราชการ", "ติดตามทวงคืนภายใน 7 วัน"],
        "04-loan-slip-blank.pdf": ["ใบยืมพัสดุ", "ข้าพเจ้าจะนำพัสดุที่ยืมส่งคืนภายในวันที่"],
        f"05-loan-register-{year}.pdf": ["ทะเบียนการยืมทรัพย์สินของราชการ", f"ปีงบประมาณ {year}"],
        f"06-stockcheck-report-{year - 1}.pdf": [f"{pack['numbers'][0]}"],
        f"07-statistics-{year}.pdf": ["สถิติการให้บริการยืมทรัพย์สินของราชการ", f"ปีงบประมาณ {year}"],
    }
    for name, words in expected.items():
        path = d / name
        assert page_count(path) >= 1
        text = flat(all_text(path))
        for word in words:
            assert word in text, (name, word)
        # the frame on every page: agency, who printed and when
        assert "เทศบาลนครแม่สอด" in text and "พิมพ์เมื่อ 28 พฤศจิกายน 2569 เวลา 10:00 น. โดย tester" in text
    # the published acknowledgement summary carries counts, not staff names
    ack = flat(all_text(d / "02-guideline-acknowledgements.pdf"))
    assert "ฉบับเผยแพร่แสดงเฉพาะจำนวน" in ack
    assert not any(name in ack for name in pack["staff_names"])


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.tags: set[str] = set()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for key, value in attrs:
            if key == "href":
                self.links.append(value)
            if key == "src":
                self.sources.append(value)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_index_links_every_file_and_works_offline(pack):
    d = pack["dir"]
    index = d / "index.html"
    text = index.read_text(encoding="utf-8")
    year = pack["year"]
    assert (f"ผลการตรวจนับพัสดุทุกรายการ ซึ่งตรวจนับเมื่อต้นปีงบประมาณ {year} "
            f"(ทรัพย์สิน ณ วันที่ 30 กันยายน {year - 1})") in text
    assert '<html lang="th">' in text and '<meta charset="utf-8">' in text
    for page in (index, d / "open-data" / "data-dictionary.html"):
        parsed = _parse(page)
        assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
        assert parsed.sources == []
        assert not re.search(r"https?://|//[a-z]", page.read_text(encoding="utf-8"))
        for link in parsed.links:
            assert not link.startswith("/") and ".." not in link.replace("../index.html", "")
            assert (page.parent / link).resolve().is_file(), link
    linked = {(d / link).resolve() for link in _parse(index).links}
    assert {p.resolve() for p in files_of(d) if p.name != "index.html"} <= linked
    # each question of the assessment has its evidence
    for question in ("ขั้นตอนการขอยืมทรัพย์สินของราชการสะดวกเพียงใด",
                     "เจ้าหน้าที่รู้แนวทางปฏิบัติการใช้ทรัพย์สินของราชการหรือไม่",
                     "บุคคลภายนอกนำทรัพย์สินของราชการไปใช้โดยไม่ได้รับอนุญาตหรือไม่",
                     "หน่วยงานกำกับดูแลการใช้ทรัพย์สินของราชการหรือไม่"):
        assert question in text


def test_the_open_data_validates_against_its_dictionary(pack):
    from frictionless import validate

    d, year = pack["dir"], pack["year"]
    report = validate(str(d / "open-data" / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    assets = json.loads((d / "open-data" / "assets.json").read_text(encoding="utf-8"))
    loans = json.loads((d / "open-data" / f"loans-{year}.json").read_text(encoding="utf-8"))
    assert rows["assets-csv"] == rows["assets-json"] == len(assets) == 60
    assert rows["loans-json"] == len(loans) > 0
    assert rows["loans-csv"] == sum(len(loan["items"]) for loan in loans)
    assert rows["stockcheck-csv"] == rows["stockcheck-json"] >= 60


def test_a_file_that_breaks_its_dictionary_fails_validation(pack, tmp_path):
    """The check can fail: a loan status the dictionary does not know is caught."""
    import shutil

    from frictionless import validate

    year = pack["year"]
    copy = tmp_path / "open-data"
    shutil.copytree(pack["dir"] / "open-data", copy)
    loans = copy / f"loans-{year}.csv"
    text = loans.read_text(encoding="utf-8-sig")
    loans.write_text(re.sub(r",(returned|active|approved),", ",borrowed,", text, count=1),
                     encoding="utf-8-sig")
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    bad = [(t.name, [(e.field_name, e.type) for e in t.errors]) for t in report.tasks if not t.valid]
    assert bad == [("loans-csv", [("status", "constraint-error")])]


def test_no_outside_borrower_phone_id_or_address_anywhere(pack):
    secrets = pack["secrets"]
    assert len(secrets) >= 3 * 3 and all(len(s) >= 6 for s in secrets)
    outsiders = pack["outsiders"]
    d, year = pack["dir"], pack["year"]
    found_names = False
    for path in files_of(d):
        text = all_text(path) if path.suffix == ".pdf" else path.read_text(encoding="utf-8-sig")
        squeezed = re.sub(r"[\s\-]", "", text)
        for secret in secrets:
            assert secret not in text, (path.name, secret)
            assert re.sub(r"[\s\-]", "", secret) not in squeezed, (path.name, secret)
        found_names = found_names or any(p.name in text for p in outsiders)
    # the register does name its borrowers, and their organisations
    loans = json.loads((d / "open-data" / f"loans-{year}.json").read_text(encoding="utf-8"))
    assert found_names and any(loan["organisation"] for loan in loans)


def test_an_occupied_folder_is_refused(pack, tmp_path):
    dbmod.bind(f"sqlite:///{pack['dir'].parent}/demo.db")
    try:
        target = tmp_path / "site"
        target.mkdir()
        (target / "old.html").write_text("keep me", encoding="utf-8")
        with pytest.raises(ValidationError) as caught:
            build_pack(target, pack["year"])
        assert caught.value.field == "output"
        assert "is a folder that is not empty" in str(caught.value)
        assert [p.name for p in target.iterdir()] == ["old.html"]
    finally:
        dbmod.close()


def test_ita_pack_from_the_command_line(pack, tmp_path, capsys):
    url = f"sqlite:///{pack['dir'].parent}/demo.db"
    target = tmp_path / "empty"
    target.mkdir()  # an empty folder is fine
    assert main(["--db", url, "ita-pack", "--fiscal-year", str(pack["year"]), "-o", str(target)]) == 0
    out = capsys.readouterr().out
    assert out == (f"wrote the ITA evidence pack of fiscal year {pack['year']} to {target}: "
                   "17 files and index.html\n")
    assert (target / "index.html").is_file()
    assert main(["--db", url, "ita-pack", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"'{target}' is a folder that is not empty" in err


def test_guideline_and_acknowledgements_print_on_their_own(users, db_url, tmp_path, capsys,
                                                           monkeypatch):
    from tests.conftest import PASSWORD

    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    guideline.publish_version(users["admin"], 1, GUIDELINE)
    draft = tmp_path / "draft.pdf"
    assert main(["--db", db_url, "print", "guideline", "1", "-o", str(draft)]) == 0
    assert "ร่าง (ยังไม่ได้รับการลงนาม ไม่มีผลบังคับใช้)" in flat(all_text(draft))
    assert main(["--db", db_url, "print", "guideline", "-o", str(draft)]) == 1
    assert "No version of the asset-use guideline is in force yet" in capsys.readouterr().err

    guideline.sign_off(users["agency_head"], 1)
    guideline.acknowledge(users["staff"], 1)
    signed = tmp_path / "signed.pdf"
    assert main(["--db", db_url, "print", "guideline", "-o", str(signed)]) == 0
    text = flat(all_text(signed))
    assert "ร่าง" not in text and "ลงนามในระบบโดย ทดสอบ agency_head" in text

    counts = tmp_path / "counts.pdf"
    assert main(["--db", db_url, "print", "acknowledgements", "-o", str(counts)]) == 0
    assert "(1 acknowledged, 5 pending)" in capsys.readouterr().out
    text = flat(all_text(counts))
    assert "01 สำนักปลัดเทศบาล 2 1 1 50.0" in text and "รวม 6 1 5 16.7" in text
    assert "ทดสอบ staff" not in text

    named = tmp_path / "named.pdf"
    assert main(["--db", db_url, "print", "acknowledgements", "--names", "-o", str(named)]) == 1
    assert "Name yourself with --as USER" in capsys.readouterr().err
    assert main(["--db", db_url, "print", "acknowledgements", "--names", "--as", "staff",
                 "-o", str(named)]) == 1
    assert "staff member may not" in capsys.readouterr().err
    assert main(["--db", db_url, "print", "acknowledgements", "--names", "--as", "auditor",
                 "-o", str(named)]) == 0
    text = flat(all_text(named))
    assert "01 สำนักปลัดเทศบาล ทดสอบ staff staff" in text
    assert "01 สำนักปลัดเทศบาล ทดสอบ dept_head dept_head ยังไม่รับทราบ" in text
