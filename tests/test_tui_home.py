"""The app as people live in it: the home screen each role lands on and the lists behind
its numbers, the guideline to acknowledge at login, screens that follow what another
terminal records, the language switch, and failures reported in one sentence. Driven
with keys, then checked against what the domain recorded and what the screen shows."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from test_tui import build_database, log_in, quick_hash, run, settle, type_text
from test_tui_loans import add_deciders, approved, asset_no, notifications, request, user
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList

from assets_tui import i18n
from assets_tui.app import AssetsApp, make_app
from assets_tui.screens import (
    AcknowledgementReportScreen,
    ApprovalsScreen,
    GuidelineScreen,
    HomeScreen,
    LoanListScreen,
    LoanRegisterScreen,
    LoginScreen,
    OverdueScreen,
)
from assets_tui.screens.audit_log import AuditLogScreen
from models import dashboard, guideline, loans
from models import db as dbmod
from models.schema import GuidelineAcknowledgement, Loan

TODAY = dt.date.today()


@pytest.fixture
def home_db(tmp_path: Path, monkeypatch):
    """The two-asset register with its deciders; failures are logged under ``tmp_path``."""
    monkeypatch.setenv("ASSETS_TUI_LOG_DIR", str(tmp_path / "logs"))
    url = f"sqlite:///{tmp_path}/home.db"
    build_database(url, quick_hash())
    add_deciders(quick_hash())
    yield url
    dbmod.close()


def home_lines(app: AssetsApp) -> list[str]:
    """The lines of the home screen as shown, numbers first."""
    figures = app.screen.query_one("#home-figures", OptionList)
    return [" ".join(str(figures.get_option_at_index(i).prompt).split()) for i in range(figures.option_count)]


def line_with(app: AssetsApp, words: str) -> int:
    [index] = [i for i, line in enumerate(home_lines(app)) if words in line]
    return index


async def open_line(pilot: Pilot, words: str) -> None:
    figures = pilot.app.screen.query_one("#home-figures", OptionList)
    figures.highlighted = line_with(pilot.app, words)
    await pilot.press("enter")
    await settle(pilot)


def loans_listed(screen) -> list[str]:
    return [key.value for key in screen.query_one(DataTable).rows]


# ---- the home screen of each role -------------------------------------------------------

def test_the_storekeeper_lands_on_today_s_work_and_each_number_opens_its_list(home_db):
    notebook, desk = asset_no("เครื่องคอมพิวเตอร์โน้ตบุ๊ก"), asset_no("โต๊ะทำงานเหล็ก")
    to_hand_over = approved([notebook], start=TODAY)
    waiting = request([desk], start=TODAY + dt.timedelta(days=5))

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper", section=None)
        assert isinstance(app.screen, HomeScreen)
        lines = home_lines(app)
        assert "1 รอส่งมอบ (อนุมัติแล้ว ถึงวันเริ่มยืม)" in lines
        assert "0 ครบกำหนดคืนวันนี้" in lines
        assert "0 ค้างคืนเกินกำหนด" in lines
        assert "1 คำขอยืมรออนุมัติ (ทั้งหมด)" in lines
        assert "ไม่มีการตรวจนับที่เปิดอยู่" in lines
        await open_line(pilot, "รอส่งมอบ")
        assert isinstance(app.screen, LoanListScreen)
        assert loans_listed(app.screen) == [to_hand_over]
        await pilot.press("escape")
        await settle(pilot)
        await open_line(pilot, "คำขอยืมรออนุมัติ")
        assert loans_listed(app.screen) == [waiting]
        await pilot.press("escape")
        await settle(pilot)
        await open_line(pilot, "ค้างคืนเกินกำหนด")
        assert isinstance(app.screen, OverdueScreen)

    run(home_db, scenario)


def test_overdue_counts_match_the_overdue_screen(home_db):
    notebook, desk = asset_no("เครื่องคอมพิวเตอร์โน้ตบุ๊ก"), asset_no("โต๊ะทำงานเหล็ก")
    long_ago, lately = TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=4)
    keeper = user("storekeeper")
    for number, start in ((notebook, long_ago), (desk, lately)):
        loan_no = approved([number], start=start, today=start)
        loans.issue_items(keeper, loan_no, today=start)
    late = loans.overdue_loans()
    assert dashboard.overdue(TODAY).count() == len(late) == 2
    assert dashboard.overdue_unchased(TODAY).count() == sum(o.follow_up_late for o in late) == 1
    [chased] = [o.loan.loan_no for o in late if o.follow_up_late]
    loans.record_follow_up(keeper, chased, "phone")
    assert dashboard.overdue_unchased(TODAY).count() == 0
    assert dashboard.returns_due(TODAY).count() == 0


def test_a_head_sees_the_requests_waiting_for_a_decision(home_db):
    request([asset_no("เครื่องคอมพิวเตอร์โน้ตบุ๊ก")], place="inside")

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "head", section=None)
        assert "1 คำขอยืมรอท่านพิจารณา" in home_lines(app)
        assert not any("รอส่งมอบ" in line for line in home_lines(app))
        await open_line(pilot, "รอท่านพิจารณา")
        assert isinstance(app.screen, ApprovalsScreen)

    run(home_db, scenario)


def test_the_auditor_sees_the_registers_and_that_the_audit_log_is_intact(home_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "auditor", section=None)
        lines = home_lines(app)
        assert "2 ครุภัณฑ์ในทะเบียน" in lines
        assert "0 ใบยืมในทะเบียนยืม" in lines
        [audit_line] = [line for line in lines if "บันทึกการตรวจสอบ (audit log)" in line]
        assert "ห่วงโซ่ถูกต้อง ตรวจแล้ว" in audit_line
        await open_line(pilot, "ใบยืมในทะเบียนยืม")
        assert isinstance(app.screen, LoanRegisterScreen)
        await pilot.press("f12")
        await settle(pilot)
        await open_line(pilot, "รายการในบันทึกการตรวจสอบ")
        assert isinstance(app.screen, AuditLogScreen)

    run(home_db, scenario)


# ---- the guideline at login --------------------------------------------------------------

def publish_guideline() -> None:
    admin = user("admin")
    guideline.publish_version(admin, 1, "ข้อ ๑ ห้ามนำทรัพย์สินของราชการไปใช้ประโยชน์ส่วนตน",
                              effective_on=TODAY, text_en="1. Government property is not for private use.")
    guideline.sign_off(user("mayor"), 1)


def test_nobody_reaches_the_app_without_acknowledging_the_guideline(home_db):
    publish_guideline()

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff", section=None)
        assert isinstance(app.screen, GuidelineScreen)
        assert "ห้ามนำทรัพย์สินของราชการไปใช้ประโยชน์ส่วนตน" in str(
            app.screen.query_one("#guideline-text").render())
        await pilot.press("f2")  # the sections are not there yet
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None
        assert GuidelineAcknowledgement.select().count() == 0
        await log_in(pilot, "staff", section=None)
        assert isinstance(app.screen, GuidelineScreen)
        await pilot.press("enter")  # on "I have read and will comply"
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "บันทึกการรับทราบแนวทางปฏิบัติฉบับที่ 1 แล้ว" in notifications(app)

    run(home_db, scenario)
    [ack] = GuidelineAcknowledgement.select()
    assert ack.user.username == "staff" and ack.version.number == 1
    assert guideline.needs_acknowledgement(user("staff")) is None


def test_the_auditor_sees_who_has_not_acknowledged(home_db):
    publish_guideline()
    guideline.acknowledge(user("auditor"), 1)
    guideline.acknowledge(user("staff"), 1)

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "auditor", section=None)
        [line] = [line for line in home_lines(app) if "แนวทางปฏิบัติ" in line]
        assert line == "5 ยังไม่รับทราบแนวทางปฏิบัติฉบับที่ 1 (รับทราบแล้ว 2 จาก 7 คน)"
        await open_line(pilot, "ยังไม่รับทราบแนวทางปฏิบัติ")
        assert isinstance(app.screen, AcknowledgementReportScreen)
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][3] == "ยังไม่รับทราบ"  # those who have not, first
        acknowledged = {row[2] for row in rows if row[3] != "ยังไม่รับทราบ"}
        assert acknowledged == {"auditor", "staff"}

    run(home_db, scenario)


# ---- live: another terminal's change appears on its own -----------------------------------

def test_another_terminal_s_approval_appears_without_touching_a_key(home_db):
    notebook, desk = asset_no("เครื่องคอมพิวเตอร์โน้ตบุ๊ก"), asset_no("โต๊ะทำงานเหล็ก")
    first = request([notebook], start=TODAY + dt.timedelta(days=3))
    second = request([desk], start=TODAY + dt.timedelta(days=4))

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper", section="f3")
        screen = app.screen
        assert isinstance(screen, LoanRegisterScreen)
        table = screen.query_one("#loans", DataTable)
        table.focus()
        table.move_cursor(row=loans_listed(screen).index(first))
        await settle(pilot, 1.2)
        # the mayor approves in another terminal
        loans.approve_loan(user("mayor"), first)
        await settle(pilot, 2.5)
        statuses = {row[0].plain: row[1].plain for row in (table.get_row(k) for k in table.rows)}
        assert statuses[first] == "อนุมัติแล้ว"
        assert statuses[second] == "รออนุมัติ"
        assert table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value == first

    run(home_db, scenario)
    assert Loan.get(Loan.loan_no == first).status == "approved"


def test_the_home_counts_follow_another_terminal(home_db):
    notebook = asset_no("เครื่องคอมพิวเตอร์โน้ตบุ๊ก")

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper", section=None)
        assert "0 คำขอยืมรออนุมัติ (ทั้งหมด)" in home_lines(app)
        request([notebook], start=TODAY + dt.timedelta(days=2))
        await settle(pilot, 2.5)
        assert "1 คำขอยืมรออนุมัติ (ทั้งหมด)" in home_lines(app)

    run(home_db, scenario)


# ---- language and failures -----------------------------------------------------------------

def test_ctrl_t_switches_between_thai_and_english_where_the_user_is(home_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper", section="f3")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert i18n.language() == "en"
        assert isinstance(app.screen, LoanRegisterScreen)
        assert app.screen.sub_title == "Loan register"
        bar = str(app.screen.query_one("SectionBar").render())
        assert "F2 Assets" in bar and "F12 Home" in bar
        await pilot.press("f12")
        await settle(pilot)
        assert "0 Requests waiting for approval (all)" in home_lines(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert i18n.language() == "th"
        assert "0 คำขอยืมรออนุมัติ (ทั้งหมด)" in home_lines(app)
        assert app.user is not None and app.user.username == "storekeeper"

    try:
        run(home_db, scenario)
    finally:
        i18n.set_language("th")


def test_an_unexpected_failure_is_logged_and_shown_in_one_sentence(home_db, tmp_path, monkeypatch):
    def broken(self, target: str) -> None:
        raise RuntimeError("the list is not there")

    monkeypatch.setattr(HomeScreen, "open_target", broken)

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper", section=None)
        await open_line(pilot, "คำขอยืมรออนุมัติ")
        [message] = [m for m in notifications(app) if "RuntimeError" in m]
        assert "the list is not there" in message and str(tmp_path / "logs") in message
        # the app carries on
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f2")
        await settle(pilot)
        await type_text(pilot, "Lenovo")
        await settle(pilot, 0.3)
        assert app.current_mode == "register"

    run(home_db, scenario)
    log = (tmp_path / "logs" / "assets-tui.log").read_text("utf-8")
    assert "RuntimeError: the list is not there" in log
    # the traceback down to the frame that raised (the callers above it depend on the path
    # Textual took to deliver the key)
    assert "Traceback (most recent call last)" in log and ", in broken" in log


# ---- an 80×24 terminal ----------------------------------------------------------------------

def test_every_section_fits_an_80_by_24_terminal(home_db):
    """No table is wider than the screen (nothing hides past the right edge), and the
    section bar and the key a section is known by stay on screen."""
    notebook = asset_no("เครื่องคอมพิวเตอร์โน้ตบุ๊ก")
    loan_no = approved([notebook], start=TODAY - dt.timedelta(days=10), today=TODAY - dt.timedelta(days=10))
    loans.issue_items(user("storekeeper"), loan_no, today=TODAY - dt.timedelta(days=10))
    request([asset_no("โต๊ะทำงานเหล็ก")], place="inside", start=TODAY + dt.timedelta(days=3))
    app = make_app(home_db)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for username, keys in (("storekeeper", ("f12", "f2", "f3", "f4", "f6", "f7")),
                                   ("head", ("f12", "f5"))):
                await log_in(pilot, username, section=None)
                for key in keys:
                    await pilot.press(key)
                    await settle(pilot)
                    screen = app.screen
                    for table in screen.query(DataTable):
                        if table.display and table.columns and table.size.width:
                            assert table.virtual_size.width <= table.size.width, (key, table.id)
                    bar = str(screen.query_one("SectionBar").render())
                    assert f" {key.upper()} " in bar and bar.count("│") == len(app.sections) - 1
                await pilot.press("ctrl+l")
                await settle(pilot)

    asyncio.run(main())
