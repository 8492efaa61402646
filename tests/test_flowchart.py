"""The borrowing procedure flowchart says what the product enforces: its approvers and
follow-up days come from the routing settings, and change when they change."""

from __future__ import annotations

import datetime as dt

from assets_tui.cli import main
from forms.flowchart import TITLE, render_flowchart, routing
from forms.pdf import PaperSettings
from models import accounts, loans, org
from models.loans import ExternalBorrower, LoanRequest
from models.schema import Department
from tests.conftest import PASSWORD
from tests.pdf_checks import all_text, page_count, page_text

AGENCY = PaperSettings("เทศบาลทดสอบ")
TODAY = dt.date(2026, 11, 28)


def flat(text: str) -> str:
    """Whitespace as one space: the chart wraps its boxes where their width puts them."""
    return " ".join(text.split())


def chart_text(tmp_path, name="flow.pdf") -> str:
    path = tmp_path / name
    assert render_flowchart(path, routing(TODAY), AGENCY, "tester") == 1
    assert page_count(path) == 1
    return flat(page_text(path))


def test_the_default_routing_is_drawn_in_words(users, tmp_path):
    text = chart_text(tmp_path)
    assert TITLE in text
    assert "เทศบาลทดสอบ ตามระเบียบกระทรวงการคลัง" in text
    assert "ณ วันที่ 28 พฤศจิกายน 2569" in text
    assert "ยืมใช้ภายในสถานที่ ผู้อนุมัติ: หัวหน้าหน่วยงาน ที่ครอบครองพัสดุนั้น" in text
    assert "ยืมไปใช้นอกสถานที่ ผู้อนุมัติ: หัวหน้าหน่วยงานของรัฐ" in text
    assert "ยืมระหว่างหน่วยงานของรัฐ ผู้อนุมัติ: หัวหน้าหน่วยงานของรัฐ" in text
    assert "ติดตามทวงคืนภายใน 7 วัน" in text
    assert "ผู้ขอยืมหรือผู้ได้ประโยชน์จากการยืมจะอนุมัติการยืมนั้นเองไม่ได้" in text
    for step in ("ประเภทของการยืม", "พิจารณาอนุมัติ", "ส่งคืนภายในกำหนด?", "สภาพเมื่อคืน",
                 "ชำรุด/สูญหาย", "ปิดการยืม"):
        assert step in text


def test_changing_a_setting_changes_the_chart(users, tmp_path):
    admin = users["admin"]
    before = chart_text(tmp_path, "before.pdf")
    org.set_setting(admin, "approver_outside", "dept_head")
    org.set_setting(admin, "follow_up_days", "10")
    org.set_setting(admin, "agency_head_delegates", "dept_head")
    org.set_setting(admin, "supply_head", "storekeeper")
    after = chart_text(tmp_path, "after.pdf")
    assert after != before
    assert "ติดตามทวงคืนภายใน 10 วัน" in after and "ภายใน 7 วัน" not in after
    assert "ยืมไปใช้นอกสถานที่ ผู้อนุมัติ: หัวหน้าหน่วยงาน ที่ครอบครองพัสดุนั้น" in after
    # the head of the supply unit and the delegate are named where they may approve
    assert "หรือหัวหน้าหน่วยพัสดุ ทดสอบ storekeeper" in after
    assert ("ยืมระหว่างหน่วยงานของรัฐ ผู้อนุมัติ: หัวหน้าหน่วยงานของรัฐ "
            "หรือผู้ได้รับมอบหมาย ทดสอบ dept_head") in after


def test_the_chart_follows_the_rule_the_loans_enforce(users, sample_asset, tmp_path):
    """What the chart names as the outside-loan approver is who the loan rules accept."""
    from models import assets

    admin = users["admin"]
    org.set_setting(admin, "approver_outside", "dept_head")
    chart = chart_text(tmp_path)
    assert "ยืมไปใช้นอกสถานที่ ผู้อนุมัติ: หัวหน้าหน่วยงาน ที่ครอบครองพัสดุนั้น" in chart
    asset = assets.register_asset(accounts.SYSTEM, sample_asset).asset_no
    start = dt.date.today() + dt.timedelta(days=1)
    loan = loans.request_loan(users["storekeeper"], LoanRequest(
        assets=[asset], purpose="งานประเพณี", place="outside", start_on=start,
        due_on=start + dt.timedelta(days=2),
        external=ExternalBorrower("นายสมชาย ใจดี", "ชุมชนบ้านใหม่", "12 หมู่ 3", "0812345678")))
    approvers = {u.username for u in loans.eligible_approvers(loan)}
    assert approvers == {"dept_head"}
    assert loans.approve_loan(users["dept_head"], loan.loan_no).status == "approved"


def test_many_delegates_still_fit_one_page(users, password_hash, tmp_path):
    dept = Department.get(Department.code == "01")
    names = []
    for n in range(4):
        user = accounts.create_user(accounts.SYSTEM, accounts.NewUser(
            f"deputy{n}", "", "staff", f"นายรองนายก คนที่{n} ผู้ได้รับมอบอำนาจ", department=dept,
            position="รองนายกเทศมนตรี"), password_hash=password_hash)
        names.append(user.username)
    org.set_setting(users["admin"], "agency_head_delegates", ",".join(names))
    text = chart_text(tmp_path)
    for n in range(4):
        assert f"นายรองนายก คนที่{n} ผู้ได้รับมอบอำนาจ (รองนายกเทศมนตรี)" in text


def test_print_flowchart_from_the_command_line(users, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    target = tmp_path / "flowchart.pdf"
    assert main(["--db", db_url, "print", "flowchart", "-o", str(target), "--as", "admin"]) == 0
    said = capsys.readouterr().out
    assert said == (f"wrote the borrowing procedure flowchart (inside: dept_head; outside: "
                    f"agency_head; agency: agency_head; follow-up within 7 days) to {target}\n")
    text = flat(all_text(target))
    assert TITLE in text and "ผู้ดูแล ระบบ (admin)" in text
    assert main(["--db", db_url, "print", "flowchart"]) == 1
    assert "Name the PDF to write with -o FILE.pdf." in capsys.readouterr().err
