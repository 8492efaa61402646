"""The annual stock check of clause 213-214, tried the way a committee lives it: the
deadline on the right working day, a committee without supply officers, a list frozen at
opening, scans from several terminals, closing for good, and the follow-on."""

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import peewee as pw
import pytest

from models import accounts, assets, audit, demo, integrity, lifecycle, loans, org, stockcheck
from models import db as dbmod
from models.accounts import SYSTEM, NewUser
from models.assets import AssetFilter
from models.db import db
from models.errors import DomainError, PermissionDenied, ValidationError
from models.loans import LoanRequest
from models.schema import (
    Asset,
    Department,
    DisposalCandidate,
    FactFindingCase,
    LoanItem,
    Location,
    RegistryCorrection,
    StockCheck,
    StockCheckItem,
    StockCheckScan,
    User,
)
from models.stockcheck import Scope, WorkingCalendar, check_dates

FY = 2569                      # the check of FY2569 (1 Oct 2568 - 30 Sep 2569) ...
START = dt.date(2026, 10, 1)   # ... starts on Thu 1 Oct 2569
DEADLINE = dt.date(2026, 11, 16)
DAY = dt.date(2026, 10, 5)     # a Monday of counting
D = dt.timedelta


def test_the_stock_check_and_lifecycle_rules_load_no_ui_or_printing_library():
    code = ("import sys, models.stockcheck, models.lifecycle\n"
            "print(','.join(m for m in ('textual', 'rich', 'reportlab', 'barcode', 'openpyxl', 'forms',"
            " 'assets_tui') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == ""


# ---- the calendar --------------------------------------------------------------------------

@pytest.mark.parametrize("fiscal_year, cutoff, start, deadline", [
    # FY2568: Wed 1 Oct 2025 starts; Mon 13 Oct (King Bhumibol memorial day) and Thu 23 Oct
    # (Chulalongkorn day) fall on weekdays and are skipped: day 30 is Fri 14 Nov 2025.
    (2568, dt.date(2025, 9, 30), dt.date(2025, 10, 1), dt.date(2025, 11, 14)),
    # FY2569: Thu 1 Oct 2026; Tue 13 Oct and Fri 23 Oct skipped: day 30 is Mon 16 Nov 2026.
    (2569, dt.date(2026, 9, 30), dt.date(2026, 10, 1), dt.date(2026, 11, 16)),
    # FY2570: Fri 1 Oct 2027; Wed 13 Oct skipped, 23 Oct is a Saturday and its substitute
    # Mon 25 Oct is skipped: day 30 is Tue 16 Nov 2027.
    (2570, dt.date(2027, 9, 30), dt.date(2027, 10, 1), dt.date(2027, 11, 16)),
    # FY2571: 1 Oct 2028 is a Sunday, so counting starts Mon 2 Oct; Fri 13 Oct and Mon 23 Oct
    # skipped: day 30 is Wed 15 Nov 2028.
    (2571, dt.date(2028, 9, 30), dt.date(2028, 10, 2), dt.date(2028, 11, 15)),
])
def test_the_report_is_due_30_working_days_after_the_start(fiscal_year, cutoff, start, deadline):
    assert check_dates(fiscal_year, WorkingCalendar()) == (cutoff, start, deadline)


def test_weekends_and_thai_holidays_are_not_working_days():
    cal = WorkingCalendar()
    assert not cal.is_working_day(dt.date(2026, 10, 13))   # King Bhumibol memorial day
    assert not cal.is_working_day(dt.date(2026, 10, 23))   # Chulalongkorn day
    assert not cal.is_working_day(dt.date(2026, 10, 3))    # Saturday
    assert cal.is_working_day(dt.date(2026, 10, 12))
    assert cal.working_days_between(dt.date(2026, 10, 9), dt.date(2026, 10, 16)) == 4


def test_closure_days_of_the_agency_move_the_start_and_the_deadline(database):
    org.set_setting(SYSTEM, "closure_days", "2026-10-12, 2026-11-16")
    assert check_dates(FY) == (dt.date(2026, 9, 30), START, dt.date(2026, 11, 18))
    org.set_setting(SYSTEM, "closure_days", "1/10/2569")  # Thai dates are read too
    assert check_dates(FY)[1:] == (dt.date(2026, 10, 2), dt.date(2026, 11, 17))
    with pytest.raises(ValidationError, match="closure day '2026-02-30' does not exist"):
        org.set_setting(SYSTEM, "closure_days", "2026-02-30")
    assert check_dates(FY)[1:] == (dt.date(2026, 10, 2), dt.date(2026, 11, 17))  # unchanged


# ---- the office ----------------------------------------------------------------------------

@pytest.fixture
def office(users, password_hash, sample_asset):
    """Three inspectors, rooms R1 and R2 of สำนักปลัด (01) and the store S1 of กองคลัง (04),
    with two assets in each room and one in the store."""
    made = dict(users)
    for n in (1, 2, 3):
        made[f"insp{n}"] = accounts.create_user(
            SYSTEM, NewUser(f"insp{n}", "", "staff", f"กรรมการ {n}"), password_hash=password_hash)
    d01, d04 = org.get_department("01"), org.get_department("04")
    rooms = {"R1": d01, "R2": d01, "S1": d04}
    for code, dept in rooms.items():
        org.add_location(SYSTEM, code, f"ห้อง {code}", dept)
    numbers = {}
    for code, count in (("R1", 2), ("R2", 2), ("S1", 1)):
        for n in range(count):
            a = assets.register_asset(SYSTEM, {**sample_asset, "serial_no": f"{code}-{n}", "location": code,
                                               "department": rooms[code].code, "name": f"โต๊ะ {code}/{n}"})
            numbers.setdefault(code, []).append(a.asset_no)
    made["n"] = numbers
    return made


COMMITTEE = ("insp1", "insp2", "insp3")


def open_check(office, scope=None, names=COMMITTEE, actor="agency_head"):
    return stockcheck.open_stock_check(office[actor], FY, names, scope, today=dt.date(2026, 9, 20))


def scan(office, check, code, who="insp1", **kw):
    kw.setdefault("today", DAY)
    return stockcheck.scan(office[who], check.id, code, **kw)


# ---- opening -------------------------------------------------------------------------------

def test_a_storekeeper_cannot_inspect_and_the_refusal_names_them(office):
    with pytest.raises(ValidationError, match=r"ทดสอบ storekeeper \(storekeeper\) is a supply officer "
                                              r"\(storekeeper\) and cannot be an inspector"):
        open_check(office, names=("insp1", "storekeeper", "insp2"))
    with pytest.raises(ValidationError, match=r"ทดสอบ auditor \(auditor\) is an auditor"):
        open_check(office, names=("auditor",))
    org.set_setting(SYSTEM, "supply_head", "insp3")  # the head of the supply unit is a supply officer too
    with pytest.raises(ValidationError, match=r"กรรมการ 3 \(insp3\) is a supply officer"):
        open_check(office)
    with pytest.raises(ValidationError, match="at least one inspector"):
        open_check(office, names=())
    with pytest.raises(ValidationError, match="'insp1' is named twice"):
        open_check(office, names=("insp1", "insp1"))
    with pytest.raises(ValidationError, match="no user 'nobody'"):
        open_check(office, names=("insp1", "nobody"))
    assert StockCheck.select().count() == 0
    check = open_check(office, names=("insp1",))  # one inspector is the least accepted
    assert [u.username for u in stockcheck.committee(check)] == ["insp1"]


def test_who_may_open_a_check_and_when(office):
    with pytest.raises(PermissionDenied, match="may not open stock checks"):
        open_check(office, actor="staff")
    with pytest.raises(PermissionDenied, match="may not open stock checks"):
        open_check(office, actor="auditor")
    with pytest.raises(ValidationError, match="can be opened from 1 กันยายน 2569 .2026-09-01., the last month"):
        stockcheck.open_stock_check(office["agency_head"], FY, COMMITTEE, today=dt.date(2026, 8, 31))
    with pytest.raises(ValidationError, match="Buddhist Era year"):
        stockcheck.open_stock_check(office["agency_head"], 2026, COMMITTEE, today=DAY)
    check = open_check(office, actor="storekeeper")
    assert (check.cutoff_on, check.starts_on, check.deadline_on) == (dt.date(2026, 9, 30), START, DEADLINE)
    assert check.status == "open"
    event = audit.history("stock_check", check.id)[0]
    assert event.action == "stockcheck.open" and '"expected":5' in event.after


def test_scope_by_department_includes_the_units_under_it_and_one_check_per_asset_a_year(office, sample_asset):
    org.add_department(SYSTEM, "01-1", "ฝ่ายนิติการ", org.get_department("01"))
    legal = assets.register_asset(SYSTEM, {**sample_asset, "department": "01-1", "serial_no": "L"})
    check = open_check(office, Scope(departments=["01"]))
    codes = {i.code for i in StockCheckItem.select().where(StockCheckItem.check == check.id)}
    assert codes == set(office["n"]["R1"] + office["n"]["R2"] + [legal.asset_no])
    with pytest.raises(ValidationError, match=f"Asset {legal.asset_no} is already on stock check {check.id}"):
        open_check(office, Scope(departments=["01-1"]))
    store = open_check(office, Scope(locations=["S1"]))
    assert StockCheckItem.select().where(StockCheckItem.check == store.id).count() == 1
    with pytest.raises(ValidationError, match="No asset held on 30 กันยายน 2569 is in the scope"):
        open_check(office, Scope(categories=["ดนตรี"]))
    with pytest.raises(ValidationError, match="The location 'NOWHERE' is unknown"):
        open_check(office, Scope(locations=["NOWHERE"]))


def test_the_expected_list_is_frozen_at_opening(office, sample_asset):
    o = office
    first = o["n"]["R1"][0]
    check = open_check(o)
    assets.move_asset(o["storekeeper"], first, location="R2")
    assets.update_asset(o["storekeeper"], first, {"name": "ชื่อใหม่"})
    late = assets.register_asset(SYSTEM, {**sample_asset, "location": "R1", "serial_no": "late"})
    row = StockCheckItem.get((StockCheckItem.check == check.id) & (StockCheckItem.code == first))
    assert (row.name, Location.get_by_id(row.location_id).code) == ("โต๊ะ R1/0", "R1")
    assert stockcheck.progress(check.id, today=DAY).expected == 5
    # found where the register now puts it: still misplaced against the list as frozen
    assert scan(o, check, first, location="R2").outcome == "misplaced"
    result = scan(o, check, late.asset_no, location="R1")
    assert result.outcome == "unexpected" and "registered or moved into its scope since" in result.message


# ---- counting ------------------------------------------------------------------------------

def test_found_duplicate_misplaced_unexpected_and_out_of_scope(office, sample_asset):
    o = office
    r1, r2, s1 = o["n"]["R1"], o["n"]["R2"], o["n"]["S1"]
    check = open_check(o, Scope(departments=["01"]))
    found = scan(o, check, r1[0], location="R1")
    assert (found.outcome, found.problem) == ("found", False)
    assert found.message == f"{r1[0]} โต๊ะ R1/0: found."
    again = scan(o, check, " " + r1[0] + " ", who="insp2", location="R2", condition="damaged")
    assert again.outcome == "duplicate" and again.message == f"{r1[0]}: duplicate, already scanned by insp1 at R1; counted once."
    wrong = scan(o, check, r2[0], location="R1")
    assert wrong.outcome == "misplaced" and "registered at R2, found at R1" in wrong.message
    unknown = scan(o, check, "999-99-9999", location="R1")
    assert unknown.outcome == "unexpected" and "not an asset number of this register" in unknown.message
    assert scan(o, check, "999-99-9999", who="insp3").outcome == "duplicate"
    other = scan(o, check, s1[0], location="R1")
    assert other.outcome == "unexpected" and "outside the scope of this check (departments 01)" in other.message
    thai = scan(o, check, r2[1].translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")), location="R2")
    assert thai.outcome == "found" and thai.code == r2[1]
    row = StockCheckItem.get((StockCheckItem.check == check.id) & (StockCheckItem.code == r1[0]))
    assert row.condition == "in_use"  # the duplicate's condition does not overwrite the count
    outcomes = [s.outcome for s in StockCheckScan.select().where(StockCheckScan.check == check.id).order_by(StockCheckScan.id)]
    assert outcomes == ["found", "duplicate", "misplaced", "unexpected", "duplicate", "unexpected", "found"]
    p = stockcheck.progress(check.id, today=DAY)
    assert (p.expected, p.counted, p.misplaced, p.unexpected, p.duplicates, p.scans, p.missing) == (4, 3, 1, 2, 2, 7, 1)
    assert [(x.location, x.expected, x.counted, x.remaining) for x in p.locations] == [("R1", 2, 1, 1), ("R2", 2, 2, 0)]
    assert audit.history("stock_check", check.id)[-1].action == "stockcheck.scan"


def test_only_the_committee_scans_and_not_before_the_start(office):
    o = office
    check = open_check(o)
    number = o["n"]["R1"][0]
    with pytest.raises(PermissionDenied, match="A storekeeper may not scan for stock checks"):
        scan(o, check, number, who="storekeeper")
    with pytest.raises(PermissionDenied, match="An auditor may not scan"):
        scan(o, check, number, who="auditor")
    with pytest.raises(PermissionDenied, match=r"Only the committee of stock check \d+ may do this: "
                                               r"กรรมการ 1 \(insp1\), กรรมการ 2 \(insp2\), กรรมการ 3 \(insp3\)"):
        scan(o, check, number, who="staff")
    with pytest.raises(ValidationError, match="starts on 1 ตุลาคม 2569 .2026-10-01."):
        scan(o, check, number, today=dt.date(2026, 9, 30))
    with pytest.raises(ValidationError, match="condition must be in_use, damaged, deteriorated or not_needed"):
        scan(o, check, number, condition="broken")
    with pytest.raises(ValidationError, match="location 'ZZ' is unknown"):
        scan(o, check, number, location="ZZ")
    with pytest.raises(ValidationError, match="scanned code is empty"):
        scan(o, check, "  ")
    assert StockCheckScan.select().count() == 0


def test_assets_out_on_loan_or_away_for_repair_are_accounted_for(office):
    o = office
    lent, repaired = o["n"]["R1"]
    loan = loans.request_loan(o["staff"], LoanRequest([lent], "ประชุม", "inside", DAY, DAY + D(20)), today=DAY)
    loans.approve_loan(o["dept_head"], loan.loan_no, today=DAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=DAY)
    lifecycle.send_for_repair(o["storekeeper"], repaired, "ร้านซ่อมแม่สอด", sent_on=DAY, today=DAY)
    check = open_check(o, Scope(locations=["R1"]))
    p = stockcheck.progress(check.id, today=DAY)
    assert (p.expected, p.counted, p.on_loan, p.in_repair, p.missing) == (2, 0, 1, 1, 0)
    assert stockcheck.discrepancies(check.id) == []
    rows = {r["code"]: r for r in stockcheck.result_rows(check.id)}
    assert rows[lent]["result"] == "on_loan" and rows[repaired]["result"] == "in_repair"
    # the borrower brings it to the committee: found, and the loan is shown
    seen = scan(o, check, lent, location="R1")
    assert seen.outcome == "found" and seen.loan_no == loan.loan_no and loan.loan_no in seen.message
    closed = stockcheck.close_check(o["insp2"], check.id, today=DAY)
    assert closed.status == "closed"
    results = {i.code: (i.result, i.loan_no) for i in StockCheckItem.select().where(StockCheckItem.check == check.id)}
    assert results == {lent: ("found", ""), repaired: ("in_repair", "")}


def test_an_unscanned_asset_on_loan_keeps_its_loan_number_when_the_check_closes(office):
    o = office
    lent = o["n"]["S1"][0]
    loan = loans.request_loan(o["storekeeper"], LoanRequest([lent], "งานวัด", "inside", DAY, DAY + D(3),
                                                            borrower="staff"), today=DAY)
    # กองคลัง has no head here: the head of the supply unit approves loans used inside
    org.set_setting(SYSTEM, "supply_head", "dept_head")
    loans.approve_loan(o["dept_head"], loan.loan_no, today=DAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=DAY)
    check = open_check(o, Scope(locations=["S1"]))
    stockcheck.close_check(o["insp1"], check.id, today=DAY)
    row = StockCheckItem.get(StockCheckItem.check == check.id)
    assert (row.result, row.loan_no) == ("on_loan", loan.loan_no)
    assert stockcheck.progress(check.id, today=DAY).on_loan == 1


def test_working_days_left_count_to_the_deadline(office):
    check = open_check(office)
    left = lambda day: stockcheck.progress(check.id, today=day).working_days_left  # noqa: E731
    assert left(dt.date(2026, 9, 20)) == 30          # before the start: all thirty
    assert left(START) == 30
    assert left(dt.date(2026, 11, 13)) == 1          # Friday before the deadline
    assert left(DEADLINE) == 0                       # due today
    assert left(dt.date(2026, 11, 18)) == -2         # two working days late


# ---- review and closing --------------------------------------------------------------------

def test_discrepancies_explanations_and_closing_for_good(office):
    o = office
    r1, r2, s1 = o["n"]["R1"], o["n"]["R2"], o["n"]["S1"]
    check = open_check(o)
    scan(o, check, r1[0], location="R1", condition="damaged")
    scan(o, check, r1[1], location="R2", condition="deteriorated")
    scan(o, check, r2[0], location="R2", condition="not_needed")
    scan(o, check, "ABC-123", location="R2")
    # r2[1] and s1[0] are never scanned
    found = stockcheck.discrepancies(check.id)
    assert [(d.code, d.kinds) for d in found] == [
        (r2[1], ["missing"]), (s1[0], ["missing"]), (r1[1], ["misplaced", "deteriorated"]),
        (r1[0], ["damaged"]), (r2[0], ["not_needed"]), ("ABC-123", ["unexpected"])]
    stockcheck.explain(o["insp2"], check.id, r1[0], "ขาโต๊ะหักจากการใช้งานตามปกติ", wear_and_tear=True)
    stockcheck.explain(o["insp3"], check.id, "ABC-123", "ป้ายของโครงการเก่า ยังไม่ลงทะเบียน")
    with pytest.raises(ValidationError, match="a condition needs it scanned first"):
        stockcheck.explain(o["insp1"], check.id, r2[1], "ไม่พบ", condition="damaged")
    with pytest.raises(PermissionDenied, match="Only the committee"):
        stockcheck.explain(o["staff"], check.id, r1[0], "x")
    with pytest.raises(PermissionDenied, match="Only the committee"):
        stockcheck.close_check(o["staff"], check.id, today=DAY)
    closed = stockcheck.close_check(o["insp1"], check.id, today=DAY)
    assert closed.status == "closed" and len(closed.results_hash) == 64
    results = {i.code: i.result for i in StockCheckItem.select().where(StockCheckItem.check == check.id)}
    assert results == {r1[0]: "found", r1[1]: "misplaced", r2[0]: "found", r2[1]: "missing",
                       s1[0]: "missing", "ABC-123": "unexpected"}
    assert [(d.code, d.kinds) for d in stockcheck.discrepancies(check.id)] == [(d.code, d.kinds) for d in found]
    assert integrity.verify().ok
    refused = "was closed on 5 ตุลาคม 2569; its results are final and nothing can be"
    with pytest.raises(ValidationError, match=refused + " scanned"):
        scan(o, check, r2[1], location="R2")
    with pytest.raises(ValidationError, match=refused + " explained"):
        stockcheck.explain(o["insp1"], check.id, r2[1], "พบภายหลัง")
    with pytest.raises(ValidationError, match=refused + " closed again"):
        stockcheck.close_check(o["insp1"], check.id, today=DAY)
    assert stockcheck.progress(check.id).missing == 2


def test_verify_reports_a_closed_check_whose_rows_were_changed(office):
    o = office
    check = open_check(o)
    scan(o, check, o["n"]["R1"][0], location="R1")
    stockcheck.close_check(o["insp1"], check.id, today=DAY)
    assert integrity.verify().ok
    StockCheckItem.update(result="found").where((StockCheckItem.check == check.id)
                                                & (StockCheckItem.result == "missing")).execute()
    report = integrity.verify()
    failed = [c for c in report.checks if not c.ok]
    assert [c.name for c in failed] == ["stock checks"]
    assert f"stock check {check.id} (FY2569) changed after it was closed" in failed[0].detail


# ---- the follow-on -------------------------------------------------------------------------

def test_the_follow_on_opens_exactly_the_right_cases_once(office):
    o = office
    r1, r2, s1 = o["n"]["R1"], o["n"]["R2"], o["n"]["S1"]
    check = open_check(o)
    with pytest.raises(ValidationError, match="still open; close it before its follow-on"):
        stockcheck.follow_on(o["storekeeper"], check.id, today=DAY)
    scan(o, check, r1[0], location="R1", condition="damaged")       # damage: fact-finding
    scan(o, check, r1[1], location="R1", condition="damaged")       # worn by use: disposal candidate
    scan(o, check, r2[0], location="R1", condition="deteriorated")  # misplaced and worn out
    scan(o, check, s1[0], location="S1", condition="not_needed")    # not needed
    scan(o, check, "XYZ", location="S1")                            # unexpected: nothing follows
    stockcheck.explain(o["insp1"], check.id, r1[1], "เสื่อมตามอายุการใช้งาน", wear_and_tear=True)
    stockcheck.explain(o["insp1"], check.id, r2[1], "ไม่พบ สอบถามผู้ใช้แล้ว")  # r2[1] missing: loss
    stockcheck.close_check(o["insp3"], check.id, today=DAY)
    with pytest.raises(PermissionDenied, match="may not start the follow-on"):
        stockcheck.follow_on(o["staff"], check.id, today=DAY)
    made = stockcheck.follow_on(o["storekeeper"], check.id, today=DAY)
    number = {a.id: a.asset_no for a in Asset.select()}
    assert sorted((number[c.asset_id], c.kind) for c in made.fact_finding) == sorted(
        [(r1[0], "damage"), (r2[1], "loss")])
    assert [c.note for c in made.fact_finding if c.kind == "loss"] == ["ไม่พบ สอบถามผู้ใช้แล้ว"]
    assert sorted((number[c.asset_id], c.reason) for c in made.disposal_candidates) == sorted(
        [(r1[1], "worn_out"), (r2[0], "worn_out"), (s1[0], "not_needed")])
    assert [(number[c.asset_id], Location.get_by_id(c.to_location_id).code, c.status)
            for c in made.corrections] == [(r2[0], "R1", "pending")]
    assert (FactFindingCase.select().count(), DisposalCandidate.select().count(),
            RegistryCorrection.select().count()) == (2, 3, 1)
    with pytest.raises(ValidationError, match="was done on 5 ตุลาคม 2569 by storekeeper; it is done once"):
        stockcheck.follow_on(o["storekeeper"], check.id, today=DAY)
    assert (FactFindingCase.select().count(), DisposalCandidate.select().count()) == (2, 3)
    # the register moves only when a storekeeper confirms
    assert assets.get_asset(r2[0]).location.code == "R2"
    correction = made.corrections[0]
    with pytest.raises(PermissionDenied, match="may not confirm registry corrections"):
        stockcheck.decide_correction(o["dept_head"], correction.id)
    stockcheck.decide_correction(o["storekeeper"], correction.id)
    assert assets.get_asset(r2[0]).location.code == "R1"
    assert stockcheck.pending_corrections() == []
    with pytest.raises(ValidationError, match="already applied"):
        stockcheck.decide_correction(o["storekeeper"], correction.id)
    history = [h.action for h in assets.asset_history(r2[0])]
    assert history == ["asset.register", "disposal.propose", "correction.propose", "asset.move",
                       "correction.apply"]
    assert integrity.verify().ok


# ---- two terminals at once -----------------------------------------------------------------

def _race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except DomainError as exc:
            results[i] = exc
        finally:
            db.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_terminals_scanning_the_same_label_count_it_once(office, sample_asset):
    o = office
    extra = [assets.register_asset(SYSTEM, {**sample_asset, "location": "R1", "serial_no": f"X{n}"}).asset_no
             for n in range(6)]
    check = open_check(o, Scope(locations=["R1"]))
    for code in extra + ["UNKNOWN-1", "UNKNOWN-2"]:
        results = _race(lambda c=code: scan(o, check, c, who="insp1", location="R1"),
                        lambda c=code: scan(o, check, c, who="insp2", location="R2"))
        outcomes = sorted(r.outcome for r in results)
        if code.startswith("UNKNOWN"):
            assert outcomes == ["duplicate", "unexpected"], results
        else:
            assert outcomes in (["duplicate", "found"], ["duplicate", "misplaced"]), results
    p = stockcheck.progress(check.id, today=DAY)
    assert (p.counted, p.unexpected, p.duplicates, p.scans) == (6, 2, 8, 16)
    assert StockCheckItem.select().where((StockCheckItem.check == check.id)
                                         & StockCheckItem.found_at.is_null(False)).count() == 8


def test_closing_while_another_terminal_scans_leaves_no_scan_after_the_close(office, sample_asset):
    o = office
    check = open_check(o)
    codes = o["n"]["R1"] + o["n"]["R2"]
    results = _race(lambda: [scan(o, check, c, who="insp2", location="R1") for c in codes],
                    lambda: stockcheck.close_check(o["insp1"], check.id, today=DAY))
    closed = StockCheck.get_by_id(check.id)
    assert closed.status == "closed"
    assert closed.results_hash == stockcheck.results_hash(closed)
    scanner = results[0]
    assert isinstance(scanner, list | ValidationError), scanner
    assert integrity.verify().ok


# ---- the whole story on the demo municipality ----------------------------------------------

def test_a_new_user_runs_the_fy2569_check_on_the_demo_database(db_url):
    """Open the check for two departments with a three-person committee (a storekeeper is
    refused), scan from two terminals at once with a duplicate, a misplaced item, an unknown
    code and an item out on loan, leave three unscanned, close, follow on, dispose."""
    dbmod.bind(db_url)
    demo.build_demo(150, seed=1)
    who = {u.username: u for u in User.select()}
    cutoff = dt.date(2026, 9, 30)
    lent = (Asset.select(Asset).join(LoanItem).where((LoanItem.out_flag == 1) & (Asset.acquired_on <= cutoff))
            .order_by(Asset.asset_no).first())
    assert lent is not None, "the demo has assets out on loan"
    others = (Department.select(Department.code).join(Asset, on=(Asset.department == Department.id))
              .where((Department.id != lent.department_id) & (Asset.acquired_on <= cutoff)
                     & Asset.location.is_null(False))
              .group_by(Department.code).having(pw.fn.COUNT(Asset.id) >= 4)
              .order_by(pw.fn.COUNT(Asset.id)).first())
    departments = [Department.get_by_id(lent.department_id).code, others.code]
    with pytest.raises(ValidationError, match=r"\(storekeeper\) is a supply officer"):
        stockcheck.open_stock_check(who["mayor"], FY, ["inspector1", "storekeeper", "inspector2"],
                                    Scope(departments=departments), today=dt.date(2026, 9, 20))
    check = stockcheck.open_stock_check(who["mayor"], FY, ["inspector1", "inspector2", "inspector3"],
                                        Scope(departments=departments), today=dt.date(2026, 9, 20))
    assert check.deadline_on == dt.date(2026, 11, 16)   # Mon: 30 working days after Thu 1 Oct 2569
    rows = list(StockCheckItem.select().where(StockCheckItem.check == check.id).order_by(StockCheckItem.code))
    out = {r.code for r in rows if LoanItem.select().where((LoanItem.asset == r.asset_id)
                                                           & (LoanItem.out_flag == 1)).exists()}
    present = [r for r in rows if r.code not in out and r.location_id is not None]
    unscanned = {r.code for r in present[:3]}
    wrong_room = present[3]
    elsewhere = Location.select().where(Location.id != wrong_room.location_id).order_by(Location.code).first()
    not_needed, worn = present[4], present[5]
    counted = present[6:]
    room = {r.code: Location.get_by_id(r.location_id).code for r in rows if r.location_id}
    plan_a = [(lent.asset_no, room.get(lent.asset_no), "in_use")] + [
        (r.code, room[r.code], "in_use") for r in counted[::2]] + [
        (not_needed.code, room[not_needed.code], "not_needed")]
    plan_b = [(r.code, room[r.code], "in_use") for r in counted[1::2]] + [
        (counted[0].code, room[counted[0].code], "in_use"),       # the duplicate
        (wrong_room.code, elsewhere.code, "in_use"),              # misplaced
        ("000-00-0000", elsewhere.code, "in_use"),                # not one of ours
        (worn.code, room[worn.code], "deteriorated")]

    def terminal(user, plan):
        return lambda: [stockcheck.scan(who[user], check.id, code, loc, cond, today=DAY).outcome
                        for code, loc, cond in plan]

    a, b = _race(terminal("inspector1", plan_a), terminal("inspector2", plan_b))
    assert isinstance(a, list) and isinstance(b, list), (a, b)
    assert (a + b).count("duplicate") == 1            # whichever terminal came second
    assert a[0] == "found" and b[-3:] == ["misplaced", "unexpected", "found"]
    stockcheck.close_check(who["inspector3"], check.id, today=DAY)
    report = stockcheck.result_rows(check.id)
    by_result = {}
    for r in report:
        by_result.setdefault(r["result"], set()).add(r["code"])
    assert by_result["missing"] == unscanned
    assert {r["code"] for r in report if r["lost"]} == unscanned
    assert by_result["misplaced"] == {wrong_room.code}
    assert by_result["unexpected"] == {"000-00-0000"}
    assert lent.asset_no in by_result["found"]
    assert by_result.get("on_loan", set()) == out - {lent.asset_no}
    made = stockcheck.follow_on(who["storekeeper"], check.id, today=DAY)
    number = {x.id: x.asset_no for x in Asset.select()}
    assert {(number[c.asset_id], c.kind) for c in made.fact_finding} == {(c, "loss") for c in unscanned}
    assert {(number[c.asset_id], c.reason) for c in made.disposal_candidates} == {
        (not_needed.code, "not_needed"), (worn.code, "worn_out")}
    assert [number[c.asset_id] for c in made.corrections] == [wrong_room.code]
    lifecycle.dispose_asset(who["storekeeper"], not_needed.code, "auction", DAY + D(30), "mayor",
                            today=DAY + D(30))
    assert not_needed.code not in {x.asset_no for x in assets.asset_query(AssetFilter())}
    assert [h.action for h in assets.asset_history(not_needed.code)][-2:] == ["disposal.propose", "asset.dispose"]
    assert integrity.verify().ok

