"""The annual stock check in the terminal app, driven with keys as an inspector would,
then checked against what the domain recorded: scans through the scan field, the
progress table against ``progress()``, a storekeeper's scan refused by the domain, and
closing after the review. The rules themselves are tested in ``test_stockcheck.py``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_tui import DESK, NOTEBOOK, build_database, log_in, quick_hash, run, settle, type_text
from test_tui_loans import add_deciders, log_lines, notifications, scan, table_rows, text_of
from textual.binding import Binding
from textual.pilot import Pilot

from assets_tui import i18n
from assets_tui.app import AssetsApp
from assets_tui.domain_th import in_thai
from assets_tui.screens import AssetListScreen, NoteScreen
from assets_tui.screens import stockcheck as screens
from models import accounts, org, stockcheck
from models import assets as register
from models import db as dbmod
from models.errors import PermissionDenied
from models.schema import Asset, Department, StockCheckItem, StockCheckScan
from models.values import fiscal_year_of

# A fiscal year whose check has started, whatever day the tests run on.
FY = fiscal_year_of(dt.date.today() - dt.timedelta(days=20)) - 1
COMMITTEE = ["staff", "head", "mayor"]
CHAIR = {**DESK, "name": "เก้าอี้สำนักงาน", "department": "01", "location": "R101", "serial_no": "CH-1"}


@pytest.fixture
def check_db(tmp_path: Path):
    """The test agency, a second room, a chair left in room 1 and nobody's check yet."""
    url = f"sqlite:///{tmp_path}/stockcheck.db"
    build_database(url, quick_hash())
    add_deciders(quick_hash())
    org.add_location(accounts.SYSTEM, "R102", "ห้องประชุม 2", Department.get(Department.code == "01"))
    register.register_asset(accounts.get_user("storekeeper"), CHAIR)
    yield url
    dbmod.close()


def open_check() -> int:
    check = stockcheck.open_stock_check(accounts.get_user("storekeeper"), FY, COMMITTEE)
    return check.id


def number(name: str) -> str:
    return Asset.get(Asset.name == name).asset_no


async def count_screen(app: AssetsApp, pilot: Pilot, username: str) -> screens.CountScreen:
    """Log in, open the stock check section (F8) and the first check in it (Enter)."""
    await log_in(pilot, username)
    await pilot.press("f8")
    await settle(pilot)
    assert isinstance(app.screen, screens.StockCheckScreen)
    await pilot.press("enter")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, screens.CountScreen)
    assert screen.focused is screen.query_one("#sc-scan")
    return screen


async def set_location(pilot: Pilot, code: str) -> None:
    await pilot.press("ctrl+o")
    assert isinstance(pilot.app.screen, NoteScreen)
    await type_text(pilot, code)
    await pilot.press("enter")
    await settle(pilot)


def test_the_section_is_offered_once_a_check_exists_to_its_committee_and_overseers(check_db):
    staff, storekeeper, auditor = (accounts.get_user(n) for n in ("staff", "storekeeper", "auditor"))
    assert not any(screens.offered(u) for u in (staff, storekeeper, auditor))
    open_check()
    assert all(screens.offered(u) for u in (staff, storekeeper, auditor, accounts.get_user("mayor")))
    assert not screens.offered(accounts.get_user("head2"))  # a head not on the committee

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        assert isinstance(app.screen, AssetListScreen)
        assert "stockcheck" in app.sections
        assert " F8 " in str(app.screen.query_one("SectionBar").render())
        await pilot.press("f8")
        await settle(pilot)
        rows = table_rows(app.screen, "#sc-checks")
        assert len(rows) == 1
        assert rows[0][1] == str(FY)
        assert rows[0][3] == "กำลังตรวจนับ"
        assert rows[0][6] == "0/3"
        assert rows[0][7] == "ท่านเป็นกรรมการ"

    run(check_db, scenario)


def test_an_inspector_scans_found_duplicate_misplaced_and_unknown(check_db):
    check_id = open_check()
    desk, notebook = number(DESK["name"]), number(NOTEBOOK["name"])
    bells: list[int] = []

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
        screen = await count_screen(app, pilot, "staff")
        await set_location(pilot, "R102")
        assert screen.location == "R102"
        assert screen.focused is screen.query_one("#sc-scan")
        await scan(pilot, desk)          # registered with no room: found
        await scan(pilot, desk)          # again: a duplicate
        await pilot.press("ctrl+d")      # the next one is damaged
        assert screen.condition == "damaged"
        await scan(pilot, notebook)      # registered in R101: misplaced
        assert screen.condition == "in_use"
        await scan(pilot, "999-99-0001")  # not ours
        await settle(pilot)
        shown = {i18n.t(f"sc.outcome.{o}") for o in ("found", "duplicate", "misplaced", "unexpected")}
        words = [line.split()[0] for line in log_lines(screen) if line.split()[0] in shown]  # long ones wrap
        assert words == ["พบ", "ซ้ำ", "ผิดที่", "ไม่อยู่ในรายการ"]
        assert len(bells) == 3
        # the progress shown is the domain's
        p = stockcheck.progress(check_id)
        assert (p.expected, p.counted, p.misplaced, p.unexpected, p.duplicates, p.missing) == (3, 2, 1, 1, 1, 1)
        summary = text_of(screen, "#sc-summary")
        assert summary.startswith(f"ตรวจพบ {p.counted}/{p.expected} · ยังไม่พบ {p.missing} · ผิดที่ {p.misplaced}")
        assert f"ไม่อยู่ในรายการ {p.unexpected} · สแกนซ้ำ {p.duplicates}" in summary
        shown = [(row[0], row[2], row[3], row[5]) for row in table_rows(screen, "#sc-progress")]
        assert shown == [(place.location or "(ไม่ระบุสถานที่)", str(place.counted), str(place.expected),
                          str(place.remaining)) for place in p.locations]

    run(check_db, scenario)
    scans = StockCheckScan.select().order_by(StockCheckScan.id)
    assert [(s.code, s.outcome, s.scanned_by.username, s.location.code) for s in scans] == [
        (desk, "found", "staff", "R102"), (desk, "duplicate", "staff", "R102"),
        (notebook, "misplaced", "staff", "R102"), ("999-99-0001", "unexpected", "staff", "R102")]
    assert StockCheckItem.get(StockCheckItem.code == notebook).condition == "damaged"
    assert StockCheckItem.get(StockCheckItem.code == desk).condition == "in_use"


def test_a_storekeeper_sees_progress_but_the_domain_refuses_the_scan(check_db):
    check_id = open_check()
    notebook = number(NOTEBOOK["name"])
    with pytest.raises(PermissionDenied) as refusal:  # what the domain says, recording nothing
        stockcheck.scan(accounts.get_user("storekeeper"), check_id, notebook)
    said = " ".join(in_thai(refusal.value.message).split())  # as the Thai screen words it
    assert said.startswith("เจ้าหน้าที่พัสดุไม่มีสิทธิ์สแกนตรวจนับพัสดุ")

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        screen = await count_screen(app, pilot, "storekeeper")
        assert "ท่านไม่ได้เป็นกรรมการ" in text_of(screen, "#sc-heading")
        await scan(pilot, notebook)
        line = " ".join(" ".join(log_lines(screen)).split())  # long lines wrap
        assert line == f"ไม่บันทึก {said}"
        assert in_thai(refusal.value.message) in notifications(app)
        assert text_of(screen, "#sc-summary").startswith("ตรวจพบ 0/3")

    run(check_db, scenario)
    assert StockCheckScan.select().count() == 0
    assert stockcheck.progress(check_id).counted == 0


def test_the_committee_explains_and_closes_the_check_from_the_review(check_db):
    check_id = open_check()
    desk, notebook, chair = number(DESK["name"]), number(NOTEBOOK["name"]), number(CHAIR["name"])

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        screen = await count_screen(app, pilot, "head")
        await set_location(pilot, "R101")
        await scan(pilot, notebook)
        await scan(pilot, desk)
        await pilot.press("ctrl+r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, screens.ReviewScreen)
        assert [row[0] for row in table_rows(review, "#sc-discrepancies")] == [chair]
        assert table_rows(review, "#sc-discrepancies")[0][1] == "ไม่พบ"
        await pilot.press("e")
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, "ยืมไปใช้ที่ศูนย์เด็กเล็ก")
        await pilot.press("enter")
        await settle(pilot)
        assert table_rows(review, "#sc-discrepancies")[0][7] == "ยืมไปใช้ที่ศูนย์เด็กเล็ก"
        await pilot.press("c")
        assert isinstance(app.screen, screens.ConfirmClose)
        await pilot.press("escape")       # not yet
        assert stockcheck.get_check(check_id).status == "open"
        await pilot.press("c")
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is review
        assert f"ปิดการตรวจนับที่ {check_id} แล้ว" in notifications(app)
        assert review.check_action("close_check", ()) is None  # closed: no close key any more
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert not screen.query_one("#sc-scan-bar").display

    run(check_db, scenario)
    check = stockcheck.get_check(check_id)
    assert check.status == "closed" and check.closed_by.username == "head"
    results = {i.code: i.result for i in StockCheckItem.select()}
    assert results == {notebook: "found", desk: "found", chair: "missing"}
    assert StockCheckItem.get(StockCheckItem.code == chair).explanation == "ยืมไปใช้ที่ศูนย์เด็กเล็ก"


def test_closing_is_refused_to_someone_outside_the_committee(check_db):
    check_id = open_check()

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await count_screen(app, pilot, "storekeeper")
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("c")
        await pilot.press("y")
        await settle(pilot)
        assert any(message.startswith("เจ้าหน้าที่พัสดุไม่มีสิทธิ์ทบทวนหรือปิดการตรวจนับพัสดุ")
                   for message in notifications(app))

    run(check_db, scenario)
    assert stockcheck.get_check(check_id).status == "open"


def test_the_stock_check_keys_have_ids_and_words_in_both_languages():
    for cls in (screens.StockCheckScreen, screens.CountScreen, screens.ReviewScreen, screens.ConfirmClose,
                screens.StockScanBox, screens.CheckTable, screens.DiscrepancyTable):
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id, (cls.__name__, binding.key)
            assert i18n.has(binding.description), (cls.__name__, binding.description)
            assert i18n.has(binding.tooltip), (cls.__name__, binding.tooltip)
