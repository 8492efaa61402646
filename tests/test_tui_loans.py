"""Lending in the terminal app, driven with keys as each person would, then checked
against what the domain recorded: a request written by staff, decisions in the
approvals inbox, hand-over and return at the loan desk, and the chase of an overdue
loan. The rules themselves are tested in ``test_loans.py``; these prove the wiring."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_tui import (
    NOTEBOOK,
    build_database,
    choose,
    fill,
    log_in,
    quick_hash,
    run,
    settle,
    type_text,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, RichLog, Static

from assets_tui import i18n
from assets_tui.app import AssetsApp, ScreenCommands
from assets_tui.screens import (
    ApprovalsScreen,
    AssetListScreen,
    FollowUpScreen,
    HomeScreen,
    LoanDeskScreen,
    LoanDetailScreen,
    LoanRegisterScreen,
    LoanRequestScreen,
    MyLoansScreen,
    NoteScreen,
    OverdueScreen,
)
from models import accounts, loans
from models import db as dbmod
from models.schema import Asset, AuditEvent, DamageCase, Department, Loan, LoanFollowUp

TODAY = dt.date.today()


def add_deciders(password_hash: str) -> None:
    """The heads of the two departments and the agency head (the mayor)."""
    for username, role, department in (("head", "dept_head", "01"), ("head2", "dept_head", "04"),
                                       ("mayor", "agency_head", None)):
        accounts.create_user(
            accounts.SYSTEM,
            accounts.NewUser(username, "", role, f"ทดสอบ {username}",
                             department=Department.get(Department.code == department)
                             if department else None),
            password_hash=password_hash)


@pytest.fixture
def loan_db(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/loans.db"
    build_database(url, quick_hash())
    add_deciders(quick_hash())
    yield url
    dbmod.close()


def asset_no(name: str) -> str:
    return Asset.get(Asset.name == name).asset_no


def user(username: str):
    return accounts.get_user(username)


def request(numbers: list[str], place: str = "outside", start: dt.date = TODAY, days: int = 2,
            today: dt.date | None = None) -> str:
    """A request written by the staff member, through the domain."""
    loan = loans.request_loan(user("staff"), loans.LoanRequest(
        assets=numbers, purpose="ใช้ในงานประชุมประชาคม", place=place, start_on=start,
        due_on=start + dt.timedelta(days=days)), today=today)
    return loan.loan_no


def approved(numbers: list[str], **kwargs) -> str:
    loan_no = request(numbers, **kwargs)
    loans.approve_loan(user("mayor"), loan_no, today=kwargs.get("today"))
    return loan_no


def notifications(app: AssetsApp) -> list[str]:
    return [n.message for n in app._notifications]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def table_rows(screen, selector: str) -> list[list[str]]:
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def log_lines(screen) -> list[str]:
    return [strip.text for strip in screen.query_one(RichLog).lines]


async def scan(pilot: Pilot, text: str) -> None:
    """What a keyboard-wedge scanner does: the characters fast, then Enter."""
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


# ---- sections by role ------------------------------------------------------------------

@pytest.mark.parametrize(("username", "sections"), [
    ("auditor", ["home", "register", "loans"]),
    ("staff", ["home", "register", "loans", "requests"]),
    ("head", ["home", "register", "loans", "requests", "approvals", "overdue"]),
    ("mayor", ["home", "register", "loans", "requests", "approvals", "overdue"]),
    ("storekeeper", ["home", "register", "loans", "requests", "desk", "overdue"]),
])
def test_each_role_is_offered_its_sections_on_fixed_keys(loan_db, username, sections):
    keys = {"home": "F12", "register": "F2", "loans": "F3", "requests": "F4", "approvals": "F5",
            "desk": "F6", "overdue": "F7"}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, username, section=None)
        assert isinstance(app.screen, HomeScreen)
        assert [mode for mode in app.sections if mode in keys] == sections
        offered = [(mode, key) for mode, key, _, _, _ in app.offered_sections() if mode in keys]
        assert offered == [(m, keys[m]) for m in sections]
        # the section bar above the footer shows them, and so does the command palette
        bar = str(app.screen.query_one("SectionBar").render())
        assert all(f" {keys[m]} " in bar for m in sections)
        assert not any(f" {keys[m]} " in bar for m in set(keys) - set(sections))
        commands = [command.title for command in app.get_system_commands(app.screen)]
        for mode in sections[1:]:
            assert any(str(prompt).startswith(i18n.t(f"section.{mode}")) for prompt in commands)
        # a section the role is not offered does not open
        for mode in set(keys) - set(sections):
            await pilot.press(keys[mode].lower())
            await settle(pilot)
            assert app.current_mode == "home"
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, LoanRegisterScreen)

    run(loan_db, scenario)


def test_logging_out_forgets_the_sections_of_the_last_person(loan_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, LoanDeskScreen)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await log_in(pilot, "staff")
        assert app.sections == ["home", "register", "loans", "requests", "print", "stats"]
        assert isinstance(app.screen, AssetListScreen)
        await pilot.press("f6")
        await settle(pilot)
        assert not isinstance(app.screen, LoanDeskScreen)

    run(loan_db, scenario)


# ---- a request -------------------------------------------------------------------------

def test_staff_writes_a_request_and_the_loan_is_recorded(loan_db):
    notebook = asset_no(NOTEBOOK["name"])
    due = TODAY + dt.timedelta(days=3)

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, MyLoansScreen)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LoanRequestScreen)
        assert not form.query("#field-borrower_kind")  # staff ask for themselves only
        # an unknown number is refused with the domain's sentence, the list stays empty
        await scan(pilot, "999-99-0001")
        assert text_of(form, "#error-assets") == "ไม่มีครุภัณฑ์รหัส '999-99-0001'"
        assert form.asset_nos == []
        await fill(pilot, "asset", notebook)
        await pilot.press("enter")
        await settle(pilot)
        assert form.asset_nos == [notebook]
        assert table_rows(form, "#request-items")[0][0] == notebook
        await pilot.press("enter")  # the list is complete: on to the purpose
        assert form.focused is form.query_one("#field-purpose")
        await type_text(pilot, "ใช้นำเสนอผลงานในการประชุมประชาคม")
        await choose(pilot, "place", "นอก")
        await fill(pilot, "due_on", f"{due.day}/{due.month}/{due.year + 543}")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MyLoansScreen)
        loan = Loan.get()
        assert any(m.startswith(f"บันทึกคำขอยืมเลขที่ {loan.loan_no} แล้ว") and "ทดสอบ mayor" in m
                   for m in notifications(app))
        assert table_rows(app.screen, "#my-loan-table")[0][:2] == [loan.loan_no, "รออนุมัติ"]

    run(loan_db, scenario)
    loan = Loan.get()
    assert (loan.status, loan.kind, loan.place) == ("requested", "outside", "outside")
    assert loan.purpose == "ใช้นำเสนอผลงานในการประชุมประชาคม"
    assert (loan.start_on, loan.due_on) == (TODAY, due)
    assert loan.requested_by.username == "staff" and loan.borrower.name == "ทดสอบ staff"
    assert [i.asset.asset_no for i in loans.loan_items(loan)] == [notebook]


def test_a_wrong_date_is_shown_next_to_it_and_nothing_is_recorded(loan_db):
    notebook = asset_no(NOTEBOOK["name"])

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await fill(pilot, "asset", notebook)
        await pilot.press("enter")
        await fill(pilot, "purpose", "ประชุม")
        await choose(pilot, "place", "ภาย")
        await fill(pilot, "due_on", "30/2/2569")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LoanRequestScreen)
        assert text_of(form, "#error-due_on") == "วันครบกำหนดคืน '30/2/2569' ไม่มีอยู่จริงในปฏิทิน"
        assert form.focused is form.query_one("#field-due_on")

    run(loan_db, scenario)
    assert Loan.select().count() == 0


def test_the_storekeeper_enters_a_request_for_an_outside_state_agency(loan_db):
    notebook = asset_no(NOTEBOOK["name"])
    due = TODAY + dt.timedelta(days=1)

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        await fill(pilot, "asset", notebook)
        await pilot.press("enter")
        await fill(pilot, "purpose", "ใช้ในการอบรม")
        await choose(pilot, "place", "นอก")
        await fill(pilot, "due_on", due.isoformat())
        await choose(pilot, "borrower_kind", "บุค")  # an outside person or agency
        assert form.query_one("#row-external").display
        await fill(pilot, "external", "นายสมชาย ใจดี")
        await fill(pilot, "organisation", "โรงเรียนบ้านแม่ตาว")
        await fill(pilot, "address", "1 หมู่ 2 ตำบลแม่ตาว")
        await fill(pilot, "phone", "055-000-111")
        await fill(pilot, "thai_id", "1234567890123")  # a wrong check digit
        form.query_one("#field-state_agency").focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "มีเลขตรวจสอบหลักสุดท้ายไม่ถูกต้อง" in text_of(form, "#error-thai_id")
        await fill(pilot, "thai_id", "1234567890121")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MyLoansScreen)

    run(loan_db, scenario)
    loan = Loan.get()
    assert (loan.kind, loan.borrower.name, loan.borrower.organisation) == (
        "agency", "นายสมชาย ใจดี", "โรงเรียนบ้านแม่ตาว")
    assert loan.requested_by.username == "storekeeper"


def test_an_asset_can_be_picked_from_a_search(loan_db):
    notebook = asset_no(NOTEBOOK["name"])

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        await pilot.press("ctrl+f")
        await settle(pilot)
        await type_text(pilot, "Lenovo")
        await settle(pilot, 0.3)
        await pilot.press("enter")  # into the results
        await pilot.press("enter")  # pick the highlighted one
        await settle(pilot)
        assert app.screen is form and form.asset_nos == [notebook]

    run(loan_db, scenario)


def test_the_borrower_cancels_a_request_from_my_requests(loan_db):
    loan_no = request([asset_no(NOTEBOOK["name"])])

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, "เลื่อนการประชุม")
        await pilot.press("enter")
        await settle(pilot)
        assert table_rows(app.screen, "#my-loan-table")[0][:2] == [loan_no, "ยกเลิก"]

    run(loan_db, scenario)
    loan = loans.get_loan(loan_no)
    assert (loan.status, loan.decision_note) == ("cancelled", "เลื่อนการประชุม")


# ---- decisions -------------------------------------------------------------------------

def test_the_wrong_head_is_refused_with_the_name_of_the_agency_head(loan_db):
    loan_no = request([asset_no(NOTEBOOK["name"])], place="outside")
    before = AuditEvent.select().count()

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "head")
        # the request is not in this head's inbox ...
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        assert app.screen.query_one("#inbox", DataTable).row_count == 0
        # ... and approving it from the register is refused by the domain
        await pilot.press("f3")
        await settle(pilot)
        await scan(pilot, loan_no)
        detail = app.screen
        assert isinstance(detail, LoanDetailScreen)
        await pilot.press("a")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is detail
        refusal = f"ใบยืม {loan_no} ต้องได้รับอนุมัติจาก ทดสอบ mayor (mayor) เท่านั้น"
        assert text_of(detail, "#loan-error") == refusal
        assert refusal in notifications(app)
        assert text_of(detail, "#slip-status") == "รออนุมัติ"

    run(loan_db, scenario)
    assert loans.get_loan(loan_no).status == "requested"
    assert AuditEvent.select().where(AuditEvent.seq > before, AuditEvent.action != "user.login").count() == 0


def test_the_mayor_approves_with_a_and_enter(loan_db):
    notebook = asset_no(NOTEBOOK["name"])
    earlier = approved([notebook], start=TODAY - dt.timedelta(days=30), today=TODAY - dt.timedelta(days=30))
    loans.issue_items(user("storekeeper"), earlier, today=TODAY - dt.timedelta(days=30))
    loans.return_item(user("storekeeper"), earlier, notebook, today=TODAY - dt.timedelta(days=29))
    loan_no = request([notebook], start=TODAY + dt.timedelta(days=1))

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "mayor")
        assert "รออนุมัติ (1)" in str(app.screen.query_one("SectionBar").render())
        await pilot.press("f5")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, ApprovalsScreen)
        assert [row[0] for row in table_rows(inbox, "#inbox")] == [loan_no]
        assert text_of(inbox, "#request-purpose") == "ใช้ในงานประชุมประชาคม"
        assert text_of(inbox, "#request-place") == "นอกสถานที่"
        assert table_rows(inbox, "#approval-items")[0][0] == notebook
        history = table_rows(inbox, "#approval-history")
        assert history[0][:2] == [notebook, earlier] and history[0][4] == "คืนแล้ว"
        await pilot.press("a")
        await pilot.press("enter")
        await settle(pilot)
        assert table_rows(inbox, "#inbox") == []
        assert text_of(inbox, "#approvals-count") == "ไม่มีคำขอที่รอการพิจารณาของท่าน"
        assert "รออนุมัติ (0)" in str(inbox.query_one("SectionBar").render())
        assert f"อนุมัติคำขอยืม {loan_no} แล้ว" in notifications(app)

    run(loan_db, scenario)
    loan = loans.get_loan(loan_no)
    assert loan.status == "approved" and loan.decided_by.username == "mayor"


def test_rejecting_records_the_reason(loan_db):
    loan_no = request([asset_no(NOTEBOOK["name"])])

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "mayor")
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("r")
        await type_text(pilot, "ไม่ใช่งานราชการ")
        await pilot.press("enter")
        await settle(pilot)

    run(loan_db, scenario)
    loan = loans.get_loan(loan_no)
    assert (loan.status, loan.decision_note) == ("rejected", "ไม่ใช่งานราชการ")


def test_the_approvals_inbox_shows_a_clash_with_a_loan_approved_since(loan_db):
    notebook = asset_no(NOTEBOOK["name"])
    first = request([notebook], start=TODAY + dt.timedelta(days=2), days=4)
    second = request([notebook], start=TODAY + dt.timedelta(days=3), days=1)
    loans.approve_loan(user("mayor"), first)

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "mayor")
        await pilot.press("f5")
        await settle(pilot)
        inbox = app.screen
        assert [row[0] for row in table_rows(inbox, "#inbox")] == [second]
        clash = text_of(inbox, "#approval-conflicts")
        assert clash.startswith(f"⚠ {notebook} ถูกจองในใบยืม {first}")
        assert inbox.query_one("#approval-conflicts").has_class("-shown")
        await pilot.press("a")
        await pilot.press("enter")
        await settle(pilot)
        assert any(m.startswith(f"ครุภัณฑ์ {notebook} ถูกยืมตามใบยืม {first} แล้ว")
                   for m in notifications(app))

    run(loan_db, scenario)
    assert loans.get_loan(second).status == "requested"


# ---- the loan desk ---------------------------------------------------------------------

def test_the_desk_hands_items_over_and_takes_them_back_by_scanning(loan_db):
    notebook, desk = asset_no(NOTEBOOK["name"]), asset_no("โต๊ะทำงานเหล็ก")
    loan_no = approved([notebook, desk])

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LoanDeskScreen)
        scan_field = screen.query_one("#desk-scan")
        assert screen.focused is scan_field
        await scan(pilot, loan_no)
        assert screen.loan is not None and screen.loan.loan_no == loan_no
        assert [row[3] for row in table_rows(screen, "#desk-items")] == ["รอส่งมอบ", "รอส่งมอบ"]
        await scan(pilot, notebook)
        assert Asset.get(Asset.asset_no == notebook).status == "on_loan"
        assert loans.get_loan(loan_no).status == "approved"  # one item still in store
        await scan(pilot, "999-99-0001")  # not ours: red, nothing changes
        await scan(pilot, desk)
        assert loans.get_loan(loan_no).status == "active"
        states = [row[3] for row in table_rows(screen, "#desk-items")]
        assert all(state.startswith("ส่งมอบแล้ว") for state in states)
        # back again: the notebook usable, the desk damaged (Ctrl+D, then what happened)
        await scan(pilot, notebook)
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, "ขาโต๊ะหัก")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.condition == "damaged"
        await scan(pilot, desk)
        assert screen.condition == "usable"  # only that one item
        assert screen.focused is scan_field
        lines = log_lines(screen)
        assert lines[0].startswith(f"✓ เปิดใบยืม {loan_no}")
        assert lines[1] == f"✓ ส่งมอบ {notebook} {NOTEBOOK['name']} แล้ว"
        assert lines[2] == "✗ ไม่มีครุภัณฑ์รหัส '999-99-0001'"
        assert lines[-1] == f"✓ รับคืนครบทุกรายการ: ใบยืม {loan_no} คืนแล้ว"
        assert any(line.endswith("สภาพชำรุด: ขาโต๊ะหัก") for line in lines)

    run(loan_db, scenario)
    loan = loans.get_loan(loan_no)
    assert loan.status == "returned"
    assert Asset.get(Asset.asset_no == notebook).status == "available"
    assert Asset.get(Asset.asset_no == desk).status == "repair"
    case = DamageCase.get()
    assert (case.item.asset.asset_no, case.condition) == (desk, "damaged")
    issued = AuditEvent.select().where(AuditEvent.action == "loan.issue", AuditEvent.actor == "storekeeper")
    assert issued.count() == 2


def test_the_desk_says_why_it_cannot_hand_over(loan_db):
    notebook = asset_no(NOTEBOOK["name"])
    waiting = request([notebook])

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f6")
        await settle(pilot)
        await scan(pilot, notebook)  # an asset before any loan
        await scan(pilot, waiting)
        await scan(pilot, notebook)
        lines = log_lines(app.screen)
        assert lines[0] == f"✗ ไม่มีใบยืมเลขที่ '{notebook}' สแกนเลขที่ใบยืมก่อน"
        assert lines[-1] == f"✗ ใบยืม {waiting} อยู่ในสถานะรออนุมัติ จึงส่งมอบไม่ได้"

    run(loan_db, scenario)
    assert Asset.get(Asset.asset_no == notebook).status == "available"
    assert loans.get_loan(waiting).status == "requested"


# ---- overdue ---------------------------------------------------------------------------

def test_an_overdue_loan_is_flagged_and_f_records_a_follow_up(loan_db):
    notebook = asset_no(NOTEBOOK["name"])
    then = TODAY - dt.timedelta(days=20)
    loan_no = approved([notebook], start=then, days=3, today=then)
    loans.issue_items(user("storekeeper"), loan_no, today=then)

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, OverdueScreen)
        [row] = table_rows(screen, "#overdue-table")
        assert row[0] == "⚠ ยังไม่ติดตาม" and row[1] == loan_no
        assert row[5] == "17" and row[6] == notebook and row[7] == "ยังไม่เคยติดตาม"
        await pilot.press("f")
        assert isinstance(app.screen, FollowUpScreen)
        await pilot.press("down", "enter")  # phone
        await type_text(pilot, "ผู้ยืมรับปากจะนำมาคืนพรุ่งนี้")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        [row] = table_rows(screen, "#overdue-table")
        assert row[0] == "" and row[7].endswith("โทรศัพท์")

    run(loan_db, scenario)
    follow_up = LoanFollowUp.get()
    assert (follow_up.loan.loan_no, follow_up.method, follow_up.on_date) == (loan_no, "phone", TODAY)
    assert follow_up.note == "ผู้ยืมรับปากจะนำมาคืนพรุ่งนี้" and follow_up.by_user.username == "storekeeper"


def test_a_follow_up_needs_a_method(loan_db):
    notebook = asset_no(NOTEBOOK["name"])
    then = TODAY - dt.timedelta(days=10)
    loan_no = approved([notebook], start=then, days=1, today=then)
    loans.issue_items(user("storekeeper"), loan_no, today=then)

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "head")
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("f")
        await pilot.press("tab")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FollowUpScreen)
        assert text_of(form, "#error-method") == "วิธีติดตามต้องเป็น หนังสือ โทรศัพท์ หรือไปพบ"

    run(loan_db, scenario)
    assert LoanFollowUp.select().count() == 0


# ---- the loan register -----------------------------------------------------------------

def test_the_register_filters_by_status_and_opens_the_slip(loan_db):
    notebook, desk = asset_no(NOTEBOOK["name"]), asset_no("โต๊ะทำงานเหล็ก")
    first = approved([notebook])
    second = request([desk])

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "auditor")
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert [row[0] for row in table_rows(screen, "#loans")] == [second, first]
        screen.query_one("#filter-status").focus()
        await pilot.press("enter")
        await type_text(pilot, "อนุ")  # approved
        await pilot.press("enter")
        await settle(pilot)
        assert [row[0] for row in table_rows(screen, "#loans")] == [first]
        screen.query_one("#loans").focus()
        await pilot.press("enter")
        await settle(pilot)
        slip = app.screen
        assert isinstance(slip, LoanDetailScreen)
        assert text_of(slip, "#slip-loan_no") == first
        assert text_of(slip, "#slip-agency") == "เทศบาลทดสอบ"
        assert text_of(slip, "#slip-place") == "นอกสถานที่"
        assert text_of(slip, "#slip-decision").startswith("อนุมัติโดย ทดสอบ mayor (mayor)")
        start, due = TODAY, TODAY + dt.timedelta(days=2)
        assert text_of(slip, "#slip-period").endswith(f"{due.year + 543}") and str(start.day) in text_of(
            slip, "#slip-period")
        assert table_rows(slip, "#loan-items")[0][1] == notebook
        # an auditor reads: no approving, no cancelling
        actions = {b.binding.action for b in slip.active_bindings.values()}
        assert not actions & {"approve", "reject", "cancel_loan"}
        offered = [name for name, _, _ in ScreenCommands(slip)._commands()]
        assert i18n.t("bind.approve") not in offered

    run(loan_db, scenario)


def test_the_command_palette_opens_sections_and_a_new_request(loan_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "ทะเบียนยืม")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, 0.3)
        assert isinstance(app.screen, LoanRegisterScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "ขอยืมพัสดุ")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, 0.3)
        assert isinstance(app.screen, LoanRequestScreen)
        assert app.current_mode == "requests"

    run(loan_db, scenario)


# ---- what the screens ask of the domain ------------------------------------------------

def test_the_domain_says_which_assets_a_request_may_name_and_who_has_an_inbox(loan_db):
    from models import assets as register
    from models.errors import ValidationError

    notebook = asset_no(NOTEBOOK["name"])
    assert loans.lendable_asset(f" {notebook} ").asset_no == notebook
    register.set_lendable(user("storekeeper"), notebook, False)
    with pytest.raises(ValidationError, match=f"Asset {notebook} is not lendable."):
        loans.lendable_asset(notebook)
    with pytest.raises(ValidationError, match="There is no asset number '1-2-3'."):
        loans.lendable_asset("1-2-3")
    assert [u for u in ("staff", "storekeeper", "auditor", "head", "mayor")
            if loans.decides_loans(user(u))] == ["head", "mayor"]
