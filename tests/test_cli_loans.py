"""The loan slip driven from the command line, the way a script or a storekeeper at a
prompt would: every rule is the domain's, the command line only carries it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from assets_tui.cli import main
from forms import opendata
from models import accounts, assets, integrity, loans
from models.accounts import SYSTEM, NewUser
from models.loans import LoanRequest
from models.schema import AuditEvent, DamageCase, Department, Loan, Location
from models.values import fiscal_year_of, format_date_be
from tests.conftest import PASSWORD
from tests.test_cli import one_error

D = dt.timedelta


def today() -> dt.date:
    return dt.date.today()


def be(day: dt.date) -> str:
    """A date as a Thai office types it: day/month/BE year."""
    return format_date_be(day, short=True)


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)


@pytest.fixture
def office(users, sample_asset, password, db_url, password_hash):
    """Two projectors and a tent in สำนักปลัด (01), a chair in กองคลัง (04), a head of กองคลัง."""
    head2 = accounts.create_user(SYSTEM, NewUser("head2", "", "dept_head", "หัวหน้า กองคลัง",
                                                 department=Department.get(code="04")),
                                 password_hash=password_hash)
    made = [assets.register_asset(SYSTEM, {**sample_asset, "name": f"โปรเจกเตอร์ {n}",
                                           "category": "โฆษณาและเผยแพร่", "serial_no": f"P{n}"})
            for n in range(3)]
    chair = assets.register_asset(SYSTEM, {**sample_asset, "name": "เก้าอี้พลาสติก", "department": "04",
                                           "category": "สำนักงาน", "serial_no": ""})
    return {**users, "head2": head2, "p": [a.asset_no for a in made], "chair": chair.asset_no,
            "url": db_url}


def run(office, *argv) -> int:
    return main(["--db", office["url"], *argv])


def out_of(capsys) -> str:
    captured = capsys.readouterr()
    return captured.out


def request(office, capsys, *extra, assets_=None, place="outside", start=None, due=None,
            actor="staff") -> str:
    start = start or today()
    due = due or start + D(5)
    args = ["loan", "request"]
    for number in assets_ or office["p"][:2]:
        args += ["--asset", number]
    args += ["--purpose", "อบรมอาสาสมัครป้องกันภัยฝ่ายพลเรือน", "--place", place,
             "--start", start.isoformat(), "--due", be(due), *extra, "--as", actor]
    assert run(office, *args) == 0, capsys.readouterr().err
    return out_of(capsys).strip()


# ---- the whole slip ------------------------------------------------------------------------

def test_the_whole_slip_by_command_line(office, capsys):
    o = office
    p0, p1 = o["p"][:2]
    loan_no = request(o, capsys)
    assert loan_no == f"L{fiscal_year_of(today())}-0001"
    loan = loans.get_loan(loan_no)
    assert loan.kind == "outside" and loan.status == "requested" and loan.due_on == today() + D(5)

    # The department head may not approve a loan for use outside the premises.
    assert run(o, "loan", "approve", loan_no, "--as", "dept_head") == 1
    line = one_error(capsys)
    assert f"Loan {loan_no} (use outside the premises) may be approved only by the agency head" in line
    assert "ทดสอบ agency_head (agency_head)" in line
    assert loans.get_loan(loan_no).status == "requested"

    assert run(o, "loan", "inbox", "--as", "agency_head", "--json") == 0
    assert [r["loan_no"] for r in json.loads(out_of(capsys))] == [loan_no]
    assert run(o, "loan", "inbox", "--as", "dept_head") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "No request waits for dept_head's decision" in captured.err

    assert run(o, "loan", "approve", loan_no, "--note", "อนุมัติตามเสนอ", "--as", "agency_head") == 0
    assert out_of(capsys) == f"{loan_no}\n"
    assert run(o, "loan", "issue", loan_no, "--as", "storekeeper") == 0
    assert out_of(capsys) == f"{loan_no}\n"
    assert loans.get_loan(loan_no).status == "active"

    # A second request for one of the items in the same days names the first loan.
    before = Loan.select().count()
    assert run(o, "loan", "request", "--asset", p1, "--purpose", "ประชุม", "--place", "inside",
               "--start", (today() + D(2)).isoformat(), "--due", (today() + D(3)).isoformat(),
               "--borrower", "dept_head", "--as", "storekeeper") == 1
    line = one_error(capsys)
    assert f"Asset {p1} is already lent on loan {loan_no}" in line
    assert Loan.select().count() == before

    assert run(o, "loan", "return", loan_no, "--asset", p0, "--condition", "damaged",
               "--note", "เลนส์แตก", "--as", "storekeeper") == 0
    captured = capsys.readouterr()
    assert captured.out == f"{loan_no}\n" and "damage case is open" in captured.err
    assert DamageCase.select().where(DamageCase.status == "open").count() == 1
    assert run(o, "loan", "return", loan_no, "--asset", p1, "--as", "storekeeper") == 0
    capsys.readouterr()
    assert loans.get_loan(loan_no).status == "returned"
    assert run(o, "loan", "settle", loan_no, "--asset", p0, "--by", "paid", "--amount", "1,250.50",
               "--note", "ใบเสร็จเลขที่ 12/2570", "--as", "storekeeper") == 0
    assert out_of(capsys) == f"{loan_no}\n"

    # The register and the slip say what happened.
    assert run(o, "loan", "list", "--json") == 0
    [record] = json.loads(out_of(capsys))
    assert list(record) == list(opendata.LOAN_KEYS)
    assert record["loan_no"] == loan_no and record["status"] == "returned"
    assert record["approved_by"] == "ทดสอบ agency_head" and record["borrower"] == "ทดสอบ staff"
    assert record["department"] == "สำนักปลัดเทศบาล" and record["department_code"] == "01"
    assert record["start_on"] == today().isoformat()
    assert record["returned_on"] == today().isoformat()
    assert record["items"] == [
        {"asset_no": p0, "name": "โปรเจกเตอร์ 0", "returned_condition": "damaged"},
        {"asset_no": p1, "name": "โปรเจกเตอร์ 1", "returned_condition": "usable"}]

    assert run(o, "loan", "show", loan_no, "--json") == 0
    slip = json.loads(out_of(capsys))
    assert {k: slip[k] for k in opendata.PUBLISHED_LOAN_KEYS if k != "items"} == \
        {k: record[k] for k in opendata.PUBLISHED_LOAN_KEYS if k != "items"}
    assert slip["purpose"] == "อบรมอาสาสมัครป้องกันภัยฝ่ายพลเรือน" and slip["place"] == "outside"
    assert slip["decided_by"] == "agency_head" and slip["decision_note"] == "อนุมัติตามเสนอ"
    assert slip["requested_by"] == "staff" and slip["borrower_unit"] == "สำนักปลัดเทศบาล"
    assert slip["start_on_be"] == be(today()) and slip["due_on_be"] == be(today() + D(5))
    assert [(i["asset_no"], i["returned_condition"], i["return_note"]) for i in slip["items"]] == \
        [(p0, "damaged", "เลนส์แตก"), (p1, "usable", "")]
    assert all(i["issued_by"] == "storekeeper" for i in slip["items"])
    [case] = slip["damage_cases"]
    assert case["asset_no"] == p0 and case["status"] == "settled"
    assert case["settlement"] == "paid" and case["amount"] == "1250.50"
    assert case["note"] == "ใบเสร็จเลขที่ 12/2570"
    assert slip["follow_ups"] == []

    # The open-data export: one row per item under the documented header.
    assert run(o, "export", "loans") == 0
    text = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert text.lstrip("\ufeff").splitlines()[0].split(",") == list(opendata.LOAN_COLUMNS)
    assert [(r["loan_no"], r["asset_no"], r["returned_condition"]) for r in rows] == \
        [(loan_no, p0, "damaged"), (loan_no, p1, "usable")]
    assert rows[0]["items"] == f"{p0}, {p1}" and rows[0]["item_name"] == "โปรเจกเตอร์ 0"
    assert rows[0]["due_on_be"] == be(today() + D(5))

    assert run(o, "verify") == 0
    assert integrity.verify().ok


def test_the_slip_reads_in_thai_and_in_english(office, capsys):
    o = office
    loan_no = request(o, capsys)
    assert run(o, "loan", "show", loan_no) == 0
    out = out_of(capsys)
    assert "ใบยืมพัสดุเลขที่" in out and loan_no in out
    assert "รออนุมัติ" in out and "ยืมไปใช้นอกสถานที่" in out and "นอกสถานที่" in out
    start, due = today(), today() + D(5)
    assert f"{format_date_be(start)} – {format_date_be(due)}" in out
    assert "โปรเจกเตอร์ 0" in out and "โปรเจกเตอร์ 1" in out
    assert run(o, "--lang", "en", "loan", "show", loan_no) == 0
    out = out_of(capsys)
    assert "waiting for approval" in out and "use outside the premises" in out
    assert f"{start.isoformat()} ({be(start)})" in out


def test_an_acting_command_prints_the_slip_with_json(office, capsys):
    o = office
    loan_no = request(o, capsys, "--json")
    # the request printed the slip, not the number
    assert loan_no.startswith("{")
    slip = json.loads(loan_no)
    assert slip["status"] == "requested" and slip["approved_by"] is None
    assert run(o, "loan", "approve", slip["loan_no"], "--as", "agency_head", "--json") == 0
    approved = json.loads(out_of(capsys))
    assert approved["status"] == "approved" and approved["decided_by"] == "agency_head"


# ---- borrowers and decisions ---------------------------------------------------------------

def test_outside_borrower_and_state_agency_by_the_storekeeper(office, capsys):
    o = office
    outside = ["--external", "นายสมศักดิ์ รักชุมชน", "--organisation", "ชุมชนบ้านเหนือ",
               "--address", "12 ถ.อินทรคีรี แม่สอด ตาก", "--phone", "081-234-5678"]
    # staff may not enter a request for an outsider
    assert run(o, "loan", "request", "--asset", o["chair"], "--purpose", "งานวัด", "--place", "outside",
               "--start", today().isoformat(), "--due", today().isoformat(), *outside,
               "--as", "staff") == 1
    assert "Only a storekeeper" in one_error(capsys)
    # a field left out is named
    assert run(o, "loan", "request", "--asset", o["chair"], "--purpose", "งานวัด", "--place", "outside",
               "--start", today().isoformat(), "--due", today().isoformat(), *outside[:-2],
               "--as", "storekeeper") == 1
    assert "phone number is missing" in one_error(capsys)
    assert run(o, "loan", "request", "--asset", o["chair"], "--purpose", "งานวัด", "--place", "outside",
               "--start", today().isoformat(), "--due", today().isoformat(), *outside,
               "--thai-id", "1-1017-00207-13-4", "--as", "storekeeper") == 1
    assert "check digit" in one_error(capsys)

    loan_no = request(o, capsys, *outside, "--thai-id", "1101700207137", assets_=[o["chair"]],
                      actor="storekeeper")
    loan = loans.get_loan(loan_no)
    assert loan.borrower.external and loan.borrower.organisation == "ชุมชนบ้านเหนือ"
    assert run(o, "loan", "show", loan_no, "--json") == 0
    slip = json.loads(out_of(capsys))
    assert slip["organisation"] == "ชุมชนบ้านเหนือ" and slip["borrower_phone"] == "081-234-5678"
    assert slip["borrower_address"] == "12 ถ.อินทรคีรี แม่สอด ตาก" and "thai_id" not in json.dumps(slip)

    agency = request(o, capsys, "--external", "ผอ.โรงเรียน", "--organisation", "โรงเรียนเทศบาล ๑",
                     "--address", "แม่สอด", "--phone", "055-000000", "--state-agency",
                     assets_=[o["p"][2]], actor="storekeeper")
    assert loans.get_loan(agency).kind == "agency"
    assert run(o, "loan", "list", "--kind", "agency", "--json") == 0
    assert [r["loan_no"] for r in json.loads(out_of(capsys))] == [agency]


def test_inside_use_goes_to_the_head_of_the_department_holding_the_asset(office, capsys):
    o = office
    loan_no = request(o, capsys, assets_=[o["chair"]], place="inside")
    assert run(o, "loan", "approve", loan_no, "--as", "dept_head") == 1
    assert "only by the head of กองคลัง: หัวหน้า กองคลัง (head2)" in one_error(capsys)
    assert run(o, "loan", "inbox", "--as", "head2") == 0
    assert loan_no in capsys.readouterr().out
    assert run(o, "loan", "approve", loan_no, "--as", "head2") == 0
    capsys.readouterr()


def test_reject_cancel_and_extend(office, capsys):
    o = office
    rejected = request(o, capsys, assets_=[o["p"][0]])
    assert run(o, "loan", "reject", rejected, "--note", "ไม่ใช่ราชการ", "--as", "agency_head") == 0
    assert out_of(capsys) == f"{rejected}\n"
    assert run(o, "loan", "show", rejected, "--json") == 0
    slip = json.loads(out_of(capsys))
    assert slip["status"] == "rejected" and slip["approved_by"] is None
    assert slip["decided_by"] == "agency_head" and slip["decision_note"] == "ไม่ใช่ราชการ"

    withdrawn = request(o, capsys, assets_=[o["p"][0]])
    assert run(o, "loan", "cancel", withdrawn, "--as", "agency_head") == 1
    assert "Only the requester, the borrower or a storekeeper" in one_error(capsys)
    assert run(o, "loan", "cancel", withdrawn, "--note", "เลื่อนงาน", "--as", "staff") == 0
    assert out_of(capsys) == f"{withdrawn}\n"
    assert loans.get_loan(withdrawn).status == "cancelled"

    kept = request(o, capsys, assets_=[o["p"][0]], due=today() + D(3))
    assert run(o, "loan", "approve", kept, "--as", "agency_head") == 0
    capsys.readouterr()
    # the requester may not extend their own loan; the storekeeper may, with a Thai date
    assert run(o, "loan", "extend", kept, "--due", be(today() + D(9)), "--as", "staff") == 1
    assert "A staff member may not extend loans" in one_error(capsys)
    assert run(o, "loan", "extend", kept, "--due", be(today() + D(9)), "--as", "storekeeper") == 0
    captured = capsys.readouterr()
    assert captured.out == f"{kept}\n" and (today() + D(9)).isoformat() in captured.err
    assert loans.get_loan(kept).due_on == today() + D(9)
    assert run(o, "loan", "extend", kept, "--due", "30/2/2570", "--as", "storekeeper") == 1
    assert "does not exist in the calendar" in one_error(capsys)


def test_issue_named_items_one_at_a_time(office, capsys):
    o = office
    loan_no = request(o, capsys)
    assert run(o, "loan", "approve", loan_no, "--as", "agency_head") == 0
    capsys.readouterr()
    assert run(o, "loan", "issue", loan_no, "--asset", o["p"][0], "--as", "storekeeper") == 0
    captured = capsys.readouterr()
    assert captured.out == f"{loan_no}\n" and f"still in store: {o['p'][1]}" in captured.err
    assert loans.get_loan(loan_no).status == "approved"
    assert run(o, "loan", "issue", loan_no, "--asset", o["chair"], "--as", "storekeeper") == 1
    assert f"is not on loan {loan_no}" in one_error(capsys)
    assert run(o, "loan", "issue", loan_no, "--as", "storekeeper") == 0
    capsys.readouterr()
    assert loans.get_loan(loan_no).status == "active"


# ---- overdue loans -------------------------------------------------------------------------

def _overdue_loan(office, days_late: int) -> str:
    """A loan handed over in the past and due ``days_late`` days ago (the domain's today=)."""
    start = today() - D(days_late + 2)
    due = today() - D(days_late)
    loan = loans.request_loan(office["staff"], LoanRequest(
        [office["p"][2]], "ซ้อมแผนป้องกันอัคคีภัย", "inside", start, due), today=start)
    loans.approve_loan(office["dept_head"], loan.loan_no, today=start)
    loans.issue_items(office["storekeeper"], loan.loan_no, today=start)
    return loan.loan_no


def test_overdue_list_flags_loans_not_chased_and_a_follow_up_clears_it(office, capsys):
    o = office
    late = _overdue_loan(o, 10)
    on_time = request(o, capsys, assets_=[o["p"][0]])
    assert run(o, "loan", "approve", on_time, "--as", "agency_head") == 0
    assert run(o, "loan", "issue", on_time, "--as", "storekeeper") == 0
    capsys.readouterr()

    assert run(o, "loan", "list", "--overdue", "--json") == 0
    [record] = json.loads(out_of(capsys))
    assert record["loan_no"] == late and record["days_overdue"] == 10
    assert record["follow_up_late"] is True and record["last_follow_up_on"] is None
    assert record["items_out"] == [o["p"][2]]
    assert run(o, "loan", "list", "--overdue") == 0
    captured = capsys.readouterr()
    [row] = [line for line in captured.out.splitlines() if line.startswith(late)]
    assert " 10 " in row and "ยังไม่ติดตามเกิน 7 วัน" in row
    assert "1 overdue, 1 not chased within 7 days" in captured.err
    assert run(o, "--lang", "en", "loan", "list", "--overdue") == 0
    assert "not chased within 7 days" in out_of(capsys)

    # The loan that is not yet due cannot be chased; the late one can.
    assert run(o, "loan", "follow-up", on_time, "--method", "phone", "--as", "storekeeper") == 1
    assert "is not overdue" in one_error(capsys)
    assert run(o, "loan", "follow-up", late, "--method", "phone", "--note", "โทรแจ้งผู้ยืมแล้ว",
               "--as", "storekeeper") == 0
    assert out_of(capsys) == f"{late}\n"
    assert run(o, "loan", "list", "--overdue", "--json") == 0
    [record] = json.loads(out_of(capsys))
    assert record["follow_up_late"] is False and record["last_follow_up_method"] == "phone"
    assert record["last_follow_up_on"] == today().isoformat()
    assert run(o, "loan", "show", late, "--json") == 0
    [follow_up] = json.loads(out_of(capsys))["follow_ups"]
    assert follow_up == {"on_date": today().isoformat(), "on_date_be": be(today()),
                         "method": "phone", "by": "storekeeper", "note": "โทรแจ้งผู้ยืมแล้ว"}
    # filters narrow the overdue list too
    assert run(o, "loan", "list", "--overdue", "--department", "04", "--json") == 0
    assert json.loads(out_of(capsys)) == []


def test_nothing_overdue_is_said_on_stderr(office, capsys):
    assert run(office, "loan", "list", "--overdue") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "No loan is overdue." in captured.err


# ---- the register ----------------------------------------------------------------------------

def test_list_filters_and_table(office, capsys):
    o = office
    outside = request(o, capsys, assets_=[o["p"][0]])
    inside = request(o, capsys, assets_=[o["chair"]], place="inside")
    fy = fiscal_year_of(today())

    def listed(*argv):
        assert run(o, "loan", "list", *argv, "--json") == 0
        return [r["loan_no"] for r in json.loads(out_of(capsys))]

    assert listed() == [inside, outside]   # newest first
    assert listed("--kind", "inside") == [inside]
    assert listed("--department", "04") == [inside]
    assert listed("--status", "approved") == []
    assert listed("--fiscal-year", str(fy)) == [inside, outside]
    assert listed("--fiscal-year", str(fy - 1)) == []

    assert run(o, "loan", "list") == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split()[:2] == ["เลขที่ใบยืม", "สถานะ"]
    assert lines[2].startswith(inside) and be(today()) in lines[2] and "กองคลัง" in lines[2]
    assert "2 loans" in captured.err
    assert run(o, "--lang", "en", "loan", "list", "--status", "requested") == 0
    assert "waiting for approval" in out_of(capsys)

    assert run(o, "loan", "list", "--department", "99") == 1
    assert "There is no department '99'." in one_error(capsys)
    assert run(o, "loan", "list", "--fiscal-year", "2026") == 1
    assert "Buddhist Era" in one_error(capsys)


# ---- refusals ----------------------------------------------------------------------------------

@pytest.mark.parametrize("change, words", [
    ({"--asset": "NOPE-1"}, "There is no asset number 'NOPE-1'."),
    ({"--start": "past"}, "is in the past"),
    ({"--due": "30/2/2570"}, "does not exist in the calendar"),
    ({"--due": "soon"}, "is not a date"),
    ({"--purpose": " "}, "purpose is missing"),
    ({"--as": "auditor"}, "An auditor may not request loans"),
])
def test_bad_requests_are_one_sentence_and_write_nothing(office, capsys, change, words):
    values = {"--asset": office["p"][0], "--purpose": "อบรม", "--place": "inside",
              "--start": today().isoformat(), "--due": today().isoformat(), "--as": "staff"}
    values.update(change)
    if values["--start"] == "past":
        values["--start"] = (today() - D(1)).isoformat()
    argv = [x for pair in values.items() for x in pair]
    last = AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).first().seq
    assert run(office, "loan", "request", *argv) == 1
    assert words in one_error(capsys)
    assert Loan.select().count() == 0
    # only the login is logged
    assert [e.action for e in AuditEvent.select().where(AuditEvent.seq > last)] == ["user.login"]


def test_unknown_loan_wrong_password_and_usage_errors(office, capsys, monkeypatch):
    assert run(office, "loan", "show", "L2570-9999") == 1
    assert one_error(capsys) == "assets-tui: error: There is no loan number 'L2570-9999'."
    assert run(office, "loan", "approve", "L2570-9999", "--as", "agency_head") == 1
    assert "There is no loan number" in one_error(capsys)
    loan_no = request(office, capsys, assets_=[office["p"][0]])
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", "wrong")
    assert run(office, "loan", "approve", loan_no, "--as", "agency_head") == 1
    assert one_error(capsys) == "assets-tui: error: Wrong username or password."
    assert loans.get_loan(loan_no).status == "requested"
    assert run(office, "loan", "approve", loan_no) == 2                   # no --as
    assert run(office, "loan", "return", loan_no, "--as", "storekeeper") == 2   # no --asset
    assert run(office, "loan", "request", "--asset", "x", "--purpose", "x", "--place", "moon",
               "--start", "x", "--due", "x", "--as", "staff") == 2
    capsys.readouterr()
    assert run(office, "loan", "inbox", "--as", "nobody") == 1
    assert "There is no user 'nobody'." in one_error(capsys)


# ---- reference data ----------------------------------------------------------------------------

def test_department_and_location_add_and_list(office, capsys):
    o = office
    assert run(o, "department", "add", "05", "กองช่าง", "--as", "admin") == 0
    assert out_of(capsys) == "created department '05' (กองช่าง)\n"
    assert run(o, "department", "add", "05-1", "ฝ่ายการโยธา", "--parent", "05", "--as", "admin") == 0
    capsys.readouterr()
    assert Department.get(code="05-1").parent.code == "05"
    assert run(o, "location", "add", "R201", "ห้อง 201 อาคารกองช่าง", "--department", "05",
               "--as", "admin") == 0
    assert out_of(capsys) == "created location 'R201' (ห้อง 201 อาคารกองช่าง)\n"
    assert Location.get(code="R201").department.code == "05"

    assert run(o, "department", "list", "--json") == 0
    listed = json.loads(out_of(capsys))
    assert [d["code"] for d in listed] == ["01", "04", "05", "05-1"]
    assert listed[3] == {"code": "05-1", "name": "ฝ่ายการโยธา", "parent": "05", "active": True}
    assert run(o, "department", "list") == 0
    out = out_of(capsys)
    assert "กองช่าง" in out and out.splitlines()[0].startswith("รหัส")
    assert run(o, "location", "list", "--json") == 0
    assert json.loads(out_of(capsys)) == [
        {"code": "R201", "name": "ห้อง 201 อาคารกองช่าง", "department": "05", "active": True}]
    assert run(o, "--lang", "en", "location", "list") == 0
    assert out_of(capsys).splitlines()[0].split() == ["code", "name", "department", "active"]

    # refusals: not an administrator, a duplicate, an unknown parent
    assert run(o, "department", "add", "06", "กองการศึกษา", "--as", "storekeeper") == 1
    assert "A storekeeper may not change departments" in one_error(capsys)
    assert run(o, "department", "add", "05", "กองใหม่", "--as", "admin") == 1
    assert "already exists" in one_error(capsys)
    assert run(o, "location", "add", "R9", "ห้อง 9", "--department", "99", "--as", "admin") == 1
    assert "There is no department '99'." in one_error(capsys)
    assert not Department.select().where(Department.code == "06").exists()


def test_category_list(database, db_url, capsys):
    assert main(["--db", db_url, "category", "list", "--json"]) == 0
    listed = {c["code"]: c for c in json.loads(capsys.readouterr().out)}
    assert len(listed) == 17
    assert listed["430"] == {"code": "430", "name": "คอมพิวเตอร์", "name_en": "computer",
                             "useful_life_years": 3}
    assert main(["--db", db_url, "--lang", "en", "category", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["code", "name", "English", "name", "useful", "life", "(years)"]
    assert any(line.startswith("430") and "computer" in line for line in lines)


def test_a_fresh_database_is_set_up_without_python(tmp_path, monkeypatch, capsys):
    """init, departments, locations and a user: enough to register and lend."""
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", "admin-pass")
    monkeypatch.setenv("ASSETS_TUI_NEW_PASSWORD", "keeper-pass")
    url = f"sqlite:///{tmp_path}/fresh.db"
    assert main(["--db", url, "init", "--agency", "เทศบาลตำบลทดสอบ", "--admin", "admin"]) == 0
    assert main(["--db", url, "department", "add", "01", "สำนักปลัด", "--as", "admin"]) == 0
    assert main(["--db", url, "location", "add", "STORE", "ห้องพัสดุ", "--department", "01",
                 "--as", "admin"]) == 0
    assert main(["--db", url, "user", "add", "keeper", "--role", "storekeeper", "--name", "ผู้เก็บ",
                 "--department", "01", "--as", "admin"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "department", "list", "--json"]) == 0
    assert [d["code"] for d in json.loads(capsys.readouterr().out)] == ["01"]
