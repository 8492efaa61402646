"""The loan workflow of clause 207-211, tried the way the office lives it."""

import datetime as dt
from decimal import Decimal

import pytest

from models import accounts, assets, audit, integrity, loans
from models.accounts import SYSTEM, NewUser
from models.errors import PermissionDenied, ValidationError
from models.loans import ExternalBorrower, LoanRequest
from models.schema import Asset, AuditEvent, Department, Loan, LoanItem, Person

TODAY = dt.date(2026, 11, 2)
D = dt.timedelta


@pytest.fixture
def office(users, password_hash, sample_asset):
    """Two heads, a mayor, staff, and lendable assets in สำนักปลัด (01) and กองคลัง (04)."""
    head2 = accounts.create_user(SYSTEM, NewUser("head2", "", "dept_head", "หัวหน้า กองคลัง",
                                                 department=Department.get(code="04")),
                                 password_hash=password_hash)
    made = [assets.register_asset(SYSTEM, {**sample_asset, "name": f"โปรเจกเตอร์ {n}",
                                           "category": "โฆษณาและเผยแพร่", "serial_no": f"P{n}"})
            for n in range(3)]
    tent = assets.register_asset(SYSTEM, {**sample_asset, "name": "เต็นท์ผ้าใบ", "department": "04",
                                          "category": "งานบ้านงานครัว", "serial_no": ""})
    fixed = assets.register_asset(SYSTEM, {**sample_asset, "name": "ตู้เหล็ก", "lendable": "no",
                                           "category": "สำนักงาน", "serial_no": ""})
    return {**users, "head2": head2, "p": [a.asset_no for a in made], "tent": tent.asset_no,
            "fixed": fixed.asset_no}


def request(actor, numbers, place="inside", start=TODAY, due=None, **kw):
    due = due or TODAY + D(5)
    return loans.request_loan(actor, LoanRequest(assets=numbers, purpose="ประชุมประจำเดือน", place=place,
                                                 start_on=start, due_on=due, **kw), today=TODAY)


def status_of(number):
    return Asset.get(Asset.asset_no == number).status


def test_outside_use_goes_to_the_agency_head_and_the_whole_slip_flows(office):
    o = office
    loan = request(o["staff"], o["p"][:2], place="outside")
    assert loan.loan_no == "L2570-0001" and loan.kind == "outside" and loan.status == "requested"
    with pytest.raises(PermissionDenied, match="only by the agency head: ทดสอบ agency_head"):
        loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    loans.approve_loan(o["agency_head"], loan.loan_no, "อนุมัติ", today=TODAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, [o["p"][0]], today=TODAY)
    assert loans.get_loan(loan.loan_no).status == "approved"  # one item still in store
    assert status_of(o["p"][0]) == "on_loan"
    done = loans.issue_items(o["storekeeper"], loan.loan_no, [o["p"][1]], today=TODAY)
    assert done.status == "active" and done.issued_on == TODAY
    loans.return_item(o["storekeeper"], loan.loan_no, o["p"][0], today=TODAY + D(1))
    assert loans.get_loan(loan.loan_no).status == "active"
    assert status_of(o["p"][0]) == "available"
    loans.return_item(o["storekeeper"], loan.loan_no, o["p"][1], today=TODAY + D(2))
    closed = loans.get_loan(loan.loan_no)
    assert closed.status == "returned" and closed.returned_on == TODAY + D(2)
    actions = [e.action for e in audit.history("loan", loan.loan_no)]
    assert actions == ["loan.request", "loan.approve", "loan.issue", "loan.issue", "loan.activate",
                       "loan.return", "loan.return", "loan.close"]
    assert integrity.verify().ok


def test_inside_use_is_approved_by_the_head_of_the_asset_department(office):
    o = office
    loan = request(o["staff"], [o["tent"]])
    with pytest.raises(PermissionDenied, match="only by the head of กองคลัง: หัวหน้า กองคลัง \\(head2\\)"):
        loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    with pytest.raises(PermissionDenied, match="head of กองคลัง"):
        loans.approve_loan(o["agency_head"], loan.loan_no, today=TODAY)
    assert loans.approve_loan(o["head2"], loan.loan_no, today=TODAY).status == "approved"


def test_nobody_approves_their_own_request_or_loan(office):
    o = office
    own = request(o["dept_head"], [o["p"][0]])
    with pytest.raises(PermissionDenied, match="You requested loan"):
        loans.approve_loan(o["dept_head"], own.loan_no, today=TODAY)
    for_head = request(o["storekeeper"], [o["p"][1]], borrower="dept_head")
    with pytest.raises(PermissionDenied, match="You are the borrower"):
        loans.approve_loan(o["dept_head"], for_head.loan_no, today=TODAY)
    assert Loan.select().where(Loan.status == "approved").count() == 0


def test_staff_request_only_for_themselves(office):
    with pytest.raises(PermissionDenied, match="only for yourself"):
        request(office["staff"], [office["p"][0]], borrower="dept_head")
    with pytest.raises(PermissionDenied, match="Only a storekeeper"):
        request(office["staff"], [office["p"][0]], external=ExternalBorrower("ก", "ข", "ค", "0"))
    with pytest.raises(PermissionDenied, match="An auditor may not request loans"):
        request(office["auditor"], [office["p"][0]])
    assert Loan.select().count() == 0


def test_overlapping_request_is_refused_naming_the_first_loan(office):
    o = office
    first = request(o["staff"], o["p"][:2], place="outside", due=TODAY + D(10))
    loans.approve_loan(o["agency_head"], first.loan_no, today=TODAY)
    with pytest.raises(ValidationError, match=f"already lent on loan {first.loan_no}") as err:
        request(o["storekeeper"], [o["p"][1]], borrower="dept_head", start=TODAY + D(3), due=TODAY + D(4))
    assert err.value.field == "assets"
    later = request(o["storekeeper"], [o["p"][1]], borrower="dept_head", start=TODAY + D(11), due=TODAY + D(12))
    assert later.status == "requested"


def test_two_pending_requests_only_one_can_be_approved(office):
    o = office
    a = request(o["staff"], [o["p"][0]], start=TODAY + D(1), due=TODAY + D(3))
    b = request(o["storekeeper"], [o["p"][0]], borrower="agency_head", start=TODAY + D(2), due=TODAY + D(6))
    loans.approve_loan(o["dept_head"], a.loan_no, today=TODAY)
    with pytest.raises(ValidationError, match=a.loan_no):
        loans.approve_loan(o["dept_head"], b.loan_no, today=TODAY)
    assert loans.get_loan(b.loan_no).status == "requested"


def test_extension_into_a_reservation_is_refused(office):
    o = office
    a = request(o["staff"], [o["p"][0]], due=TODAY + D(3))
    loans.approve_loan(o["dept_head"], a.loan_no, today=TODAY)
    b = request(o["storekeeper"], [o["p"][0]], borrower="agency_head", start=TODAY + D(6), due=TODAY + D(8))
    loans.approve_loan(o["dept_head"], b.loan_no, today=TODAY)
    assert loans.extend_loan(o["storekeeper"], a.loan_no, TODAY + D(5), today=TODAY).due_on == TODAY + D(5)
    with pytest.raises(ValidationError, match=f"already lent on loan {b.loan_no}"):
        loans.extend_loan(o["storekeeper"], a.loan_no, TODAY + D(7), today=TODAY)
    assert loans.get_loan(a.loan_no).due_on == TODAY + D(5)


def test_damaged_item_opens_a_case_settled_by_payment(office):
    o = office
    loan = request(o["staff"], [o["p"][0]])
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    with pytest.raises(ValidationError, match="Describe how"):
        loans.return_item(o["storekeeper"], loan.loan_no, o["p"][0], "damaged", today=TODAY)
    loans.return_item(o["storekeeper"], loan.loan_no, o["p"][0], "damaged", "เลนส์แตก", today=TODAY)
    assert status_of(o["p"][0]) == "repair"
    [case] = loans.open_damage_cases()
    item = LoanItem.get_by_id(case.item_id)
    assert case.suggested_amount == item.value_at_loan
    assert Decimal("1.00") <= case.suggested_amount <= Decimal("25900.00")
    with pytest.raises(ValidationError, match="amount paid"):
        loans.settle_damage(o["storekeeper"], loan.loan_no, o["p"][0], "paid", "-1")
    settled = loans.settle_damage(o["storekeeper"], loan.loan_no, o["p"][0], "paid", "12,000.50")
    assert settled.status == "settled" and settled.amount == Decimal("12000.50")
    assert loans.open_damage_cases() == []
    # A repaired case puts the asset back in store.
    loan2 = request(o["staff"], [o["p"][1]])
    loans.approve_loan(o["dept_head"], loan2.loan_no, today=TODAY)
    loans.issue_items(o["storekeeper"], loan2.loan_no, today=TODAY)
    loans.return_item(o["storekeeper"], loan2.loan_no, o["p"][1], "damaged", "สายขาด", today=TODAY)
    loans.refer_damage(o["storekeeper"], loan2.loan_no, o["p"][1], "ไม่ใช่การเสื่อมสภาพตามปกติ")
    loans.settle_damage(o["storekeeper"], loan2.loan_no, o["p"][1], "repaired")
    assert status_of(o["p"][1]) == "available"


def test_overdue_list_and_follow_up(office):
    o = office
    loan = request(o["staff"], [o["p"][0]], due=TODAY + D(2))
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    assert loans.overdue_loans(TODAY + D(2)) == []
    [late] = loans.overdue_loans(TODAY + D(5))
    assert late.days_overdue == 3 and not late.follow_up_late
    [late] = loans.overdue_loans(TODAY + D(12))
    assert late.days_overdue == 10 and late.follow_up_late
    loans.record_follow_up(o["storekeeper"], loan.loan_no, "phone", "โทรแจ้งผู้ยืม", today=TODAY + D(12))
    [late] = loans.overdue_loans(TODAY + D(12))
    assert not late.follow_up_late and late.last_follow_up.method == "phone"
    # An overdue item keeps holding its asset: a request for the next days is refused.
    with pytest.raises(ValidationError, match=loan.loan_no):
        loans.request_loan(o["storekeeper"], LoanRequest([o["p"][0]], "งาน", "inside", TODAY + D(13),
                                                         TODAY + D(14), borrower="agency_head"),
                           today=TODAY + D(12))
    grouped = loans.overdue_by_borrower(TODAY + D(12))
    assert list(grouped) == [o["staff"].person_id]


def test_follow_up_of_a_loan_not_overdue_is_refused(office):
    loan = request(office["staff"], [office["p"][0]])
    with pytest.raises(ValidationError, match="not overdue"):
        loans.record_follow_up(office["storekeeper"], loan.loan_no, "letter", today=TODAY)


@pytest.mark.parametrize("change, field, words", [
    ({"purpose": " "}, "purpose", "purpose is missing"),
    ({"place": "moon"}, "place", "inside or outside"),
    ({"due_on": TODAY - D(1)}, "due_on", "before the start date"),
    ({"start_on": "30/2/2570"}, "start_on", "does not exist"),
    ({"start_on": TODAY - D(1)}, "start_on", "in the past"),
    ({"assets": ["NOPE-1"]}, "assets", "no asset number 'NOPE-1'"),
    ({"assets": []}, "assets", "at least one"),
])
def test_bad_requests_name_the_field_and_write_nothing(office, change, field, words):
    data = dict(assets=[office["p"][0]], purpose="อบรม", place="inside", start_on=TODAY, due_on=TODAY + D(1))
    data.update(change)
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match=words) as err:
        loans.request_loan(office["staff"], LoanRequest(**data), today=TODAY)
    assert err.value.field == field
    assert Loan.select().count() == 0 and AuditEvent.select().count() == events


def test_only_lendable_assets_in_store_can_be_requested(office):
    o = office
    with pytest.raises(ValidationError, match="not lendable"):
        request(o["staff"], [o["fixed"]])
    Asset.update(status="repair").where(Asset.asset_no == o["p"][2]).execute()
    with pytest.raises(ValidationError, match="it is repair"):
        request(o["staff"], [o["p"][2]])


def test_outside_borrower_with_thai_id(office):
    o = office
    ext = ExternalBorrower("นายสมศักดิ์ รักชุมชน", "ชุมชนบ้านเหนือ", "12 ถ.อินทรคีรี แม่สอด ตาก",
                           "081-234-5678", thai_id="1-1017-00207-13-4")
    with pytest.raises(ValidationError, match="check digit") as err:
        request(o["storekeeper"], [o["tent"]], place="outside", external=ext)
    assert err.value.field == "thai_id"
    ext.thai_id = "1101700207137"
    loan = request(o["storekeeper"], [o["tent"]], place="outside", external=ext)
    assert loan.borrower.external and loan.borrower.thai_id == "1101700207137"
    assert loan.kind == "outside"
    agency = request(o["storekeeper"], [o["p"][0]], place="outside", state_agency=True, start=TODAY + D(20),
                     due=TODAY + D(21), external=ExternalBorrower("ผอ.โรงเรียน", "โรงเรียนเทศบาล ๑",
                                                                  "แม่สอด", "055-000000"))
    assert agency.kind == "agency"
    with pytest.raises(PermissionDenied, match="agency head"):
        loans.approve_loan(o["dept_head"], agency.loan_no, today=TODAY)


def test_cannot_hand_over_what_is_not_on_the_slip_or_twice(office):
    o = office
    loan = request(o["staff"], [o["p"][0]])
    with pytest.raises(ValidationError, match="waiting for approval"):
        loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    with pytest.raises(ValidationError, match=f"not on loan {loan.loan_no}"):
        loans.issue_items(o["storekeeper"], loan.loan_no, [o["p"][1]], today=TODAY)
    with pytest.raises(ValidationError, match="no asset number"):
        loans.issue_items(o["storekeeper"], loan.loan_no, ["ZZZ"], today=TODAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    with pytest.raises(ValidationError, match="is on loan; it cannot be handed over"):
        loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)


def test_a_second_desk_finds_nothing_left_to_hand_over(office):
    """A desk that read the loan as approved just before another desk handed everything
    over is told so, and the loan is not activated (nor logged) a second time."""
    o = office
    loan = request(o["staff"], [o["p"][0]])
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    # the other desk's hand-over, as the first desk's stale read of the loan sees it
    LoanItem.update(issued_at=TODAY, issued_by=o["storekeeper"].id, out_flag=1).where(
        LoanItem.loan == loan.id).execute()
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match=f"Every item of loan {loan.loan_no} has already been handed over"):
        loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    assert loans.get_loan(loan.loan_no).status == "approved" and AuditEvent.select().count() == events


def test_a_reservation_is_not_handed_over_early(office):
    o = office
    loan = request(o["staff"], [o["p"][0]], start=TODAY + D(3), due=TODAY + D(4))
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    with pytest.raises(ValidationError, match="cannot be handed over before"):
        loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)


def test_cancel_by_requester_not_by_others(office):
    o = office
    loan = request(o["staff"], [o["p"][0]])
    with pytest.raises(PermissionDenied, match="Only the requester"):
        loans.cancel_loan(o["agency_head"], loan.loan_no)
    assert loans.cancel_loan(o["staff"], loan.loan_no).status == "cancelled"
    # The asset is free again.
    assert request(o["storekeeper"], [o["p"][0]], borrower="agency_head").status == "requested"


def test_the_database_refuses_an_asset_out_on_two_loans(office):
    """Even a write that skips the rules cannot put one asset on two open loans."""
    import peewee as pw

    o = office
    a = request(o["staff"], [o["p"][0]], due=TODAY + D(1))
    loans.approve_loan(o["dept_head"], a.loan_no, today=TODAY)
    loans.issue_items(o["storekeeper"], a.loan_no, today=TODAY)
    b = request(o["storekeeper"], [o["p"][0]], borrower="agency_head", start=TODAY + D(2), due=TODAY + D(3))
    item = LoanItem.get(LoanItem.loan == b.id)
    with pytest.raises(pw.IntegrityError):
        LoanItem.update(out_flag=1).where(LoanItem.id == item.id).execute()


def test_register_filters(office):
    o = office
    a = request(o["staff"], [o["p"][0]], place="outside")
    request(o["staff"], [o["tent"]])
    assert [x.loan_no for x in loans.loan_query(loans.LoanFilter(kind="outside"))] == [a.loan_no]
    assert loans.loan_query(loans.LoanFilter(department="04")).count() == 1
    assert loans.loan_query(loans.LoanFilter(fiscal_year=2570)).count() == 2
    assert loans.loan_query(loans.LoanFilter(fiscal_year=2569)).count() == 0
    assert [x.loan_no for x in loans.approvals_inbox(o["agency_head"])] == [a.loan_no]
    assert loans.approvals_inbox(o["staff"]) == []


def test_person_record_is_reused_for_a_returning_outside_borrower(office):
    o = office
    ext = ExternalBorrower("นางสาวมาลี ดีงาม", "วัดไทยวัฒนาราม", "แม่สอด", "089-1")
    request(o["storekeeper"], [o["tent"]], place="outside", external=ext)
    request(o["storekeeper"], [o["p"][0]], place="outside", external=ext)
    assert Person.select().where(Person.name == "นางสาวมาลี ดีงาม").count() == 1


def test_an_assets_history_shows_its_loans_and_damage(office):
    o = office
    loan = request(o["staff"], o["p"][:2])
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    loans.return_item(o["storekeeper"], loan.loan_no, o["p"][0], "damaged", "ขาตั้งหัก", today=TODAY)
    loans.settle_damage(o["storekeeper"], loan.loan_no, o["p"][0], "paid", "500")
    history = assets.asset_history(o["p"][0])
    assert [h.action for h in history] == ["asset.register", "loan.request", "loan.approve", "loan.issue",
                                           "loan.return", "damage.open", "damage.settle"]
    assert {h.ref for h in history[1:]} == {loan.loan_no}
    assert history[4].after["condition"] == "damaged"
    # The other item's hand-over is in its own history, not in this one.
    other = assets.asset_history(o["p"][1])
    assert [h.action for h in other].count("loan.issue") == 1
    assert "damage.open" not in [h.action for h in other]
