"""The rest of an asset's life: repairs, transfers between departments and disposal
(clause 215-219). A disposed asset leaves the active register but keeps its history."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from forms import opendata
from models import accounts, assets, integrity, lifecycle, loans, org
from models.accounts import SYSTEM, NewUser
from models.assets import AssetFilter
from models.errors import NotFound, PermissionDenied, ValidationError
from models.loans import LoanRequest
from models.schema import Asset, Department, DisposalCandidate, Repair

TODAY = dt.date(2026, 11, 2)
D = dt.timedelta


@pytest.fixture
def office(users, password_hash, sample_asset):
    head2 = accounts.create_user(SYSTEM, NewUser("head2", "", "dept_head", "หัวหน้า กองคลัง",
                                                 department=Department.get(code="04")),
                                 password_hash=password_hash)
    org.add_location(SYSTEM, "R1", "ห้อง 1", org.get_department("01"))
    org.add_location(SYSTEM, "S1", "คลังพัสดุ", org.get_department("04"))
    made = [assets.register_asset(SYSTEM, {**sample_asset, "serial_no": f"N{n}", "location": "R1",
                                           "name": f"โน้ตบุ๊ก {n}"}).asset_no for n in range(4)]
    return {**users, "head2": head2, "n": made}


def status_of(number):
    return Asset.get(Asset.asset_no == number).status


# ---- repairs -------------------------------------------------------------------------------

def test_an_asset_away_for_repair_cannot_be_lent_until_it_is_back(office):
    o = office
    number = o["n"][0]
    repair = lifecycle.send_for_repair(o["storekeeper"], number, "ร้านคอมพิวเตอร์แม่สอด", sent_on="2/11/2569",
                                       problem="จอไม่ติด", cost="1,500", today=TODAY)
    assert (repair.sent_on, repair.cost, status_of(number)) == (TODAY, Decimal("1500.00"), "repair")
    with pytest.raises(ValidationError, match=f"Asset {number} cannot be lent: it is repair"):
        loans.request_loan(o["staff"], LoanRequest([number], "ประชุม", "inside", TODAY, TODAY), today=TODAY)
    with pytest.raises(ValidationError, match="already away for repair at ร้านคอมพิวเตอร์แม่สอด since 2026-11-02"):
        lifecycle.send_for_repair(o["storekeeper"], number, "ร้านอื่น", today=TODAY)
    with pytest.raises(ValidationError, match="before the date sent 2026-11-02"):
        lifecycle.return_from_repair(o["storekeeper"], number, "2026-11-01", today=TODAY)
    back = lifecycle.return_from_repair(o["storekeeper"], number, TODAY + D(5), cost="1,850.50",
                                        note="เปลี่ยนจอ", today=TODAY + D(5))
    assert (back.returned_on, back.cost, back.open_flag, status_of(number)) == (
        TODAY + D(5), Decimal("1850.50"), None, "available")
    with pytest.raises(ValidationError, match=f"Asset {number} is not away for repair"):
        lifecycle.return_from_repair(o["storekeeper"], number, today=TODAY + D(5))
    assert loans.request_loan(o["staff"], LoanRequest([number], "ประชุม", "inside", TODAY + D(6), TODAY + D(6)),
                              today=TODAY + D(5)).status == "requested"
    assert [r.vendor for r in lifecycle.repairs(number)] == ["ร้านคอมพิวเตอร์แม่สอด"]
    actions = [h.action for h in assets.asset_history(number)]
    assert actions == ["asset.register", "asset.repair_out", "asset.repair_back", "loan.request"]
    assert integrity.verify().ok


def test_repairs_are_refused_for_what_is_out_lost_or_gone_and_for_readers(office):
    o = office
    number = o["n"][1]
    with pytest.raises(PermissionDenied, match="An auditor may not record repairs"):
        lifecycle.send_for_repair(o["auditor"], number, "ร้าน", today=TODAY)
    with pytest.raises(ValidationError, match="repairer .vendor. is missing"):
        lifecycle.send_for_repair(o["storekeeper"], number, " ", today=TODAY)
    with pytest.raises(ValidationError, match="is in the future"):
        lifecycle.send_for_repair(o["storekeeper"], number, "ร้าน", sent_on=TODAY + D(1), today=TODAY)
    with pytest.raises(ValidationError, match="cannot be negative"):
        lifecycle.send_for_repair(o["storekeeper"], number, "ร้าน", cost="-5", today=TODAY)
    loan = loans.request_loan(o["staff"], LoanRequest([number], "ประชุม", "inside", TODAY, TODAY + D(2)), today=TODAY)
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    with pytest.raises(ValidationError, match=f"out on loan {loan.loan_no}; take it back"):
        lifecycle.send_for_repair(o["storekeeper"], number, "ร้าน", today=TODAY)
    assert Repair.select().count() == 0


def test_an_item_returned_damaged_goes_to_the_repairer_and_back(office):
    o = office
    number = o["n"][2]
    loan = loans.request_loan(o["staff"], LoanRequest([number], "ประชุม", "inside", TODAY, TODAY + D(2)), today=TODAY)
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    loans.return_item(o["storekeeper"], loan.loan_no, number, "damaged", "บานพับหัก", today=TODAY)
    assert status_of(number) == "repair"
    lifecycle.send_for_repair(o["storekeeper"], number, "ร้านซ่อม", today=TODAY)
    lifecycle.return_from_repair(o["storekeeper"], number, today=TODAY)
    assert status_of(number) == "available"


# ---- transfers -----------------------------------------------------------------------------

def test_a_transfer_names_who_approved_it(office):
    o = office
    number = o["n"][0]
    with pytest.raises(PermissionDenied, match=r"หัวหน้า กองคลัง \(head2\) cannot approve this transfer: it is "
                                               r"approved by the head of สำนักปลัดเทศบาล"):
        lifecycle.transfer_asset(o["storekeeper"], number, "04", "head2", today=TODAY)
    with pytest.raises(PermissionDenied, match=r"\(staff\) cannot approve"):
        lifecycle.transfer_asset(o["storekeeper"], number, "04", "staff", today=TODAY)
    with pytest.raises(PermissionDenied, match="A department head may not transfer assets"):
        lifecycle.transfer_asset(o["dept_head"], number, "04", "dept_head", today=TODAY)
    with pytest.raises(ValidationError, match="already belongs to สำนักปลัดเทศบาล"):
        lifecycle.transfer_asset(o["storekeeper"], number, "01", "dept_head", today=TODAY)
    with pytest.raises(ValidationError, match="department 'ZZ' is unknown"):
        lifecycle.transfer_asset(o["storekeeper"], number, "ZZ", "dept_head", today=TODAY)
    moved = lifecycle.transfer_asset(o["storekeeper"], number, "04", "dept_head", on="1/11/2569",
                                     location="S1", note="ย้ายไปใช้ที่งานพัสดุ", today=TODAY)
    asset = assets.get_asset(number)
    assert (asset.department.code, asset.location.code) == ("04", "S1")
    assert (moved.on_date, moved.approved_by.username, moved.recorded_by.username) == (
        dt.date(2026, 11, 1), "dept_head", "storekeeper")
    back = lifecycle.transfer_asset(o["storekeeper"], number, "01", "agency_head", today=TODAY)
    assert back.from_department.code == "04" and assets.get_asset(number).location.code == "S1"
    entry = assets.asset_history(number)[1]
    assert entry.action == "asset.transfer"
    assert (entry.before, entry.after["department"], entry.after["approved_by"]) == (
        {"department": "01", "location": "R1"}, "04", "dept_head")
    assert [t.to_department.code for t in lifecycle.transfers(number)] == ["04", "01"]
    assert integrity.verify().ok


# ---- disposal ------------------------------------------------------------------------------

def test_a_disposed_asset_leaves_the_active_register_but_keeps_its_history(office):
    o = office
    gone, kept = o["n"][0], o["n"][1]
    lifecycle.send_for_repair(o["storekeeper"], gone, "ร้านซ่อม", today=TODAY - D(30))
    lifecycle.return_from_repair(o["storekeeper"], gone, today=TODAY - D(20))
    with pytest.raises(PermissionDenied, match=r"\(head2\) cannot order a disposal: the head of the agency"):
        lifecycle.dispose_asset(o["storekeeper"], gone, "auction", TODAY, "head2", today=TODAY)
    disposal = lifecycle.dispose_asset(o["storekeeper"], gone, "auction", "2/11/2569", "agency_head",
                                       document_no="พส 12/2569", today=TODAY)
    assert (disposal.method, disposal.ordered_on, disposal.approved_by.username) == ("auction", TODAY, "agency_head")
    asset = assets.get_asset(gone)   # still readable by its number
    assert (asset.status, asset.lendable) == ("disposed", False)
    active = [a.asset_no for a in assets.asset_query(AssetFilter())]
    assert gone not in active and kept in active
    assert assets.count_assets(AssetFilter()) == 3
    assert gone in [a.asset_no for a in assets.asset_query(AssetFilter(include_disposed=True))]
    assert [a.asset_no for a in assets.asset_query(AssetFilter(status="disposed"))] == [gone]
    assert gone not in [a.asset_no for a in assets.find_assets("โน้ตบุ๊ก")]
    assert assets.find_assets(gone)[0].asset_no == gone  # the exact number still finds it
    history = [h.action for h in assets.asset_history(gone)]
    assert history == ["asset.register", "asset.repair_out", "asset.repair_back", "asset.dispose"]
    out = io.BytesIO()
    opendata.export_assets(out, "json")
    exported = {r["asset_no"]: r["status"] for r in json.loads(out.getvalue())}
    assert exported[gone] == "disposed"   # auditors and open data still see it
    with pytest.raises(ValidationError, match="is disposed; its record can no longer change"):
        assets.update_asset(o["storekeeper"], gone, {"name": "x"})
    with pytest.raises(ValidationError, match="not lendable"):
        loans.request_loan(o["staff"], LoanRequest([gone], "ประชุม", "inside", TODAY, TODAY), today=TODAY)
    with pytest.raises(ValidationError, match="already disposed of on the order of 2026-11-02"):
        lifecycle.dispose_asset(o["storekeeper"], gone, "sale", TODAY, "agency_head", today=TODAY)
    with pytest.raises(ValidationError, match="disposed and cannot be transferred"):
        lifecycle.transfer_asset(o["storekeeper"], gone, "04", "agency_head", today=TODAY)
    assert integrity.verify().ok


def test_a_sale_records_the_amount_received_and_the_report_to_the_audit_office(office):
    o = office
    number = o["n"][2]
    lifecycle.dispose_asset(o["storekeeper"], number, "sale", TODAY, "agency_head", today=TODAY)
    late = TODAY + D(61)
    due = {d.asset_no: d for d in lifecycle.disposals_open(today=late)}
    assert due[number].complete_by == TODAY + D(60)
    assert "not carried out within 60 days of the order (1 มกราคม 2570)" in due[number].late
    with pytest.raises(ValidationError, match="Record the day the disposal was carried out before its report"):
        lifecycle.record_disposal(o["storekeeper"], number, reported_on=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="Give the amount received for the sale"):
        lifecycle.record_disposal(o["storekeeper"], number, completed_on=TODAY + D(10), today=TODAY + D(10))
    done = lifecycle.record_disposal(o["storekeeper"], number, completed_on=TODAY + D(10), amount="3,500",
                                     today=TODAY + D(10))
    assert (done.completed_on, done.amount) == (TODAY + D(10), Decimal("3500.00"))
    assert lifecycle.disposal_deadlines(done) == (TODAY + D(60), TODAY + D(40))
    assert "State Audit Office within 30 days" in {d.asset_no: d for d in
                                                   lifecycle.disposals_open(today=TODAY + D(41))}[number].late
    with pytest.raises(ValidationError, match="already recorded"):
        lifecycle.record_disposal(o["storekeeper"], number, amount="1", today=TODAY + D(10))
    lifecycle.record_disposal(o["storekeeper"], number, reported_on=TODAY + D(20), today=TODAY + D(20))
    assert lifecycle.disposals_open(today=TODAY + D(90)) == []
    assert [h.action for h in assets.asset_history(number)][-3:] == ["asset.dispose", "asset.disposal",
                                                                      "asset.disposal"]


def test_disposal_rules_by_method_and_state(office):
    o = office
    a, b, c = o["n"][0], o["n"][1], o["n"][3]
    with pytest.raises(ValidationError, match="disposal method must be one of: sale, auction"):
        lifecycle.dispose_asset(o["storekeeper"], a, "burn", TODAY, "agency_head", today=TODAY)
    with pytest.raises(ValidationError, match="Name the agency, charity or party receiving"):
        lifecycle.dispose_asset(o["storekeeper"], a, "transfer", TODAY, "agency_head", today=TODAY)
    with pytest.raises(PermissionDenied, match="An auditor may not dispose of assets"):
        lifecycle.dispose_asset(o["auditor"], a, "write_off", TODAY, "agency_head", today=TODAY)
    lifecycle.send_for_repair(o["storekeeper"], b, "ร้าน", today=TODAY)
    with pytest.raises(ValidationError, match="away for repair; record its return"):
        lifecycle.dispose_asset(o["storekeeper"], b, "destruction", TODAY, "agency_head", today=TODAY)
    loan = loans.request_loan(o["staff"], LoanRequest([c], "ประชุม", "inside", TODAY, TODAY + D(2)), today=TODAY)
    loans.approve_loan(o["dept_head"], loan.loan_no, today=TODAY)
    loans.issue_items(o["storekeeper"], loan.loan_no, today=TODAY)
    with pytest.raises(ValidationError, match=f"out on loan {loan.loan_no}"):
        lifecycle.dispose_asset(o["storekeeper"], c, "write_off", TODAY, "agency_head", today=TODAY)
    given = lifecycle.dispose_asset(o["storekeeper"], a, "โอน", TODAY, "agency_head",
                                    recipient="โรงเรียนบ้านแม่สอด", completed_on=TODAY, today=TODAY)
    assert (given.method, given.recipient, given.completed_on) == ("transfer", "โรงเรียนบ้านแม่สอด", TODAY)
    with pytest.raises(ValidationError, match="not for transfer to a state agency or charity"):
        lifecycle.record_disposal(o["storekeeper"], a, amount="10", today=TODAY)
    with pytest.raises(NotFound, match=f"Asset {b} has not been disposed of"):
        lifecycle.get_disposal(b)
    assert status_of(b) == "repair" and status_of(c) == "on_loan"


def test_disposing_of_a_candidate_settles_its_candidacy(office):
    o = office
    number = o["n"][0]
    cand = DisposalCandidate.create(asset=Asset.get(Asset.asset_no == number).id, reason="not_needed",
                                    created_by=o["storekeeper"].id)
    other = DisposalCandidate.create(asset=Asset.get(Asset.asset_no == o["n"][1]).id, reason="worn_out",
                                     created_by=o["storekeeper"].id)
    lifecycle.dispose_asset(o["storekeeper"], number, "destruction", TODAY, "agency_head", today=TODAY)
    assert DisposalCandidate.get_by_id(cand.id).status == "disposed"
    kept = lifecycle.drop_disposal_candidate(o["storekeeper"], other.id, "ซ่อมแล้วใช้งานได้")
    assert (kept.status, kept.note) == ("dropped", "ซ่อมแล้วใช้งานได้")
    with pytest.raises(ValidationError, match="already dropped"):
        lifecycle.drop_disposal_candidate(o["storekeeper"], other.id)


def test_verify_notices_a_status_that_disagrees_with_repairs_and_disposals(office):
    o = office
    lifecycle.send_for_repair(o["storekeeper"], o["n"][0], "ร้าน", today=TODAY)
    Asset.update(status="available").where(Asset.asset_no == o["n"][0]).execute()
    Asset.update(status="disposed", lendable=False).where(Asset.asset_no == o["n"][1]).execute()
    failed = [c for c in integrity.verify().checks if not c.ok]
    assert [c.name for c in failed] == ["repairs and disposals"]
    assert f"asset {o['n'][0]} is away for repair but marked available" in failed[0].detail
    assert f"asset {o['n'][1]} is marked disposed but has no disposal record" in failed[0].detail
