"""The print screen, driven with keys: pick a document and what it covers, see how much will
print, write the PDF into the chosen folder; a file name that would leave the folder is
refused under its field; an auditor prints too, and printing records nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Select

from assets_tui.app import AssetsApp
from assets_tui.screens.print import PrintScreen
from models import audit
from models import db as dbmod
from models.schema import Asset
from tests.pdf_checks import all_text, decode_code128, rasterise
from tests.test_tui import build_database, fill, log_in, quick_hash, run, settle, text_of


@pytest.fixture
def print_db(tmp_path: Path):
    """The test agency: a notebook in สำนักปลัดเทศบาล (01), a desk in กองคลัง (04)."""
    url = f"sqlite:///{tmp_path}/print.db"
    build_database(url, quick_hash())
    yield url
    dbmod.close()


async def open_print_screen(pilot: Pilot, username: str) -> PrintScreen:
    await log_in(pilot, username)
    await pilot.press("f9")
    await settle(pilot, 0.4)
    screen = pilot.app.screen
    assert isinstance(screen, PrintScreen)
    return screen


def written_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pdf")) if folder.exists() else []


def test_the_register_of_a_department_is_previewed_then_written(print_db, tmp_path):
    out = tmp_path / "printed"
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        screen = await open_print_screen(pilot, "storekeeper")
        assert screen.query_one("#field-document", Select).value == "register"
        await settle(pilot, 0.4)
        seen["all"] = text_of(screen, "#print-preview")
        screen.query_one("#field-department", Select).value = "01"
        await fill(pilot, "fiscal_year", "2569")
        await settle(pilot, 0.4)
        seen["01"] = text_of(screen, "#print-preview")
        await fill(pilot, "folder", str(out))
        await pilot.press("ctrl+s")
        await settle(pilot, 0.2)
        seen["done"] = text_of(screen, "#print-done")

    run(print_db, scenario)
    assert seen["all"] == "ครุภัณฑ์ 2 รายการ" and seen["01"] == "ครุภัณฑ์ 1 รายการ"
    [pdf] = written_files(out)
    assert pdf.name.startswith("register-2569-01-")
    assert seen["done"].startswith("บันทึก 1 หน้า ไว้ที่ ") and str(pdf) in seen["done"].replace("\n", "")
    text = all_text(pdf)
    assert "ทะเบียนคุมทรัพย์สิน" in text and "เครื่องคอมพิวเตอร์โน้ตบุ๊ก" in text
    assert "โต๊ะทำงานเหล็ก" not in text  # กองคลัง's desk is not on สำนักปลัด's register


def test_labels_with_qr_from_the_screen_scan_back(print_db, tmp_path):
    out = tmp_path / "labels"
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        screen = await open_print_screen(pilot, "storekeeper")
        screen.query_one("#field-document", Select).value = "labels"
        await settle(pilot, 0.4)
        seen["before"] = text_of(screen, "#error-assets")
        numbers = [a.asset_no for a in Asset.select().order_by(Asset.asset_no)]
        seen["numbers"] = numbers
        await fill(pilot, "assets", " ".join(numbers))
        screen.query_one("#field-template", Select).value = "roll-50x25"
        screen.query_one("#field-qr", Checkbox).value = True
        await settle(pilot, 0.4)
        seen["preview"] = text_of(screen, "#print-preview")
        await fill(pilot, "folder", str(out))
        await fill(pilot, "file", "roll.pdf")
        await pilot.press("ctrl+s")
        await settle(pilot, 0.2)

    run(print_db, scenario)
    assert seen["before"].startswith("Choose what to label")
    assert seen["preview"] == "ป้าย 2 ดวง บนกระดาษ 2 แผ่น"
    [pdf] = written_files(out)
    assert pdf.name == "roll.pdf"
    assert [decode_code128(rasterise(pdf, page, 300)) for page in range(2)] == \
        [[n] for n in seen["numbers"]]


def test_a_file_name_that_leaves_the_folder_is_refused(print_db, tmp_path):
    out = tmp_path / "printed"
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        screen = await open_print_screen(pilot, "storekeeper")
        await fill(pilot, "folder", str(out))
        await fill(pilot, "file", "../../etc/evil.pdf")
        await pilot.press("ctrl+s")
        await settle(pilot, 0.2)
        seen["error"] = text_of(screen, "#error-file")

    run(print_db, scenario)
    assert seen["error"].startswith("'../../etc/evil.pdf' is not a file name")
    assert not out.exists() and not (tmp_path / "etc").exists()


def test_an_auditor_prints_and_nothing_is_recorded(print_db, tmp_path):
    out = tmp_path / "audit"
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        screen = await open_print_screen(pilot, "auditor")
        seen["seq"] = audit.last_seq()
        screen.query_one("#field-document", Select).value = "summary"
        await fill(pilot, "fiscal_year", "2569")
        await fill(pilot, "folder", str(out))
        await pilot.press("ctrl+s")
        await settle(pilot, 0.2)
        seen["after"] = audit.last_seq()

    run(print_db, scenario)
    [pdf] = written_files(out)
    assert pdf.name.startswith("summary-2569-")
    assert "ทดสอบ auditor (auditor)" in all_text(pdf)  # who printed, in the footer
    assert seen["after"] == seen["seq"]
