"""Service statistics of a fiscal year equal what a clerk counts by hand from the slips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import assets, loans, stats
from models.accounts import SYSTEM
from models.errors import PermissionDenied, ValidationError
from models.loans import ExternalBorrower, LoanRequest
from models.schema import Department

D = dt.date
AS_OF = D(2026, 1, 15)


def _request(actor, numbers, on, due, place="inside", **kw):
    return loans.request_loan(actor, LoanRequest(assets=numbers, purpose="ใช้ในงานราชการ", place=place,
                                                 start_on=on, due_on=due, **kw), today=on).loan_no


@pytest.fixture
def year(users, sample_asset):
    """Six loans of FY 2569 (Oct 2568 - Sep 2569), written out in the test's comments."""
    u = users
    p = [assets.register_asset(SYSTEM, {**sample_asset, "name": f"โปรเจกเตอร์ {n}", "serial_no": f"S{n}"}).asset_no
         for n in range(3)]
    tents = [assets.register_asset(SYSTEM, {**sample_asset, "name": f"เต็นท์ {n}", "department": "04",
                                            "category": "งานบ้านงานครัว", "serial_no": ""}).asset_no
             for n in range(2)]
    outsider = ExternalBorrower("นายสมชาย ใจดี", "ชุมชนบ้านใหม่", "12 หมู่ 3", "0812345678")
    agency = ExternalBorrower("นางสาวอรทัย ราชการ", "โรงเรียนบ้านใหม่", "1 หมู่ 1", "055000000")

    # L1, 01: requested 6 Oct, approved next day (24 h), back on 9 Oct before its due date.
    l1 = _request(u["staff"], [p[0]], D(2025, 10, 6), D(2025, 10, 10))
    loans.approve_loan(u["dept_head"], l1, today=D(2025, 10, 7))
    loans.issue_items(u["storekeeper"], l1, today=D(2025, 10, 7))
    loans.return_item(u["storekeeper"], l1, p[0], today=D(2025, 10, 9))
    # L2, 01: requested 20 Oct, rejected three days later (72 h).
    l2 = _request(u["staff"], [p[1]], D(2025, 10, 20), D(2025, 10, 22))
    loans.reject_loan(u["dept_head"], l2, "ไม่ว่าง", today=D(2025, 10, 23))
    # L3, 04, outside borrower: requested 3 Nov, approved next day (24 h), back late and
    # damaged on 10 Nov, paid for on 20 Nov.
    l3 = _request(u["storekeeper"], [tents[0]], D(2025, 11, 3), D(2025, 11, 5), "outside", external=outsider)
    loans.approve_loan(u["agency_head"], l3, today=D(2025, 11, 4))
    loans.issue_items(u["storekeeper"], l3, today=D(2025, 11, 4))
    loans.return_item(u["storekeeper"], l3, tents[0], "damaged", "ผ้าใบขาด", today=D(2025, 11, 10))
    loans.settle_damage(u["storekeeper"], l3, tents[0], "paid", "500.00", today=D(2025, 11, 20))
    # L4, 04, another state agency: requested 1 Dec, approved 6 Dec (120 h), due 10 Dec,
    # still out on 15 Jan.
    l4 = _request(u["storekeeper"], [tents[1]], D(2025, 12, 1), D(2025, 12, 10), "outside",
                  external=agency, state_agency=True)
    loans.approve_loan(u["agency_head"], l4, today=D(2025, 12, 6))
    loans.issue_items(u["storekeeper"], l4, today=D(2025, 12, 6))
    # L5, 01: requested 1 Dec, never decided.
    _request(u["staff"], [p[2]], D(2025, 12, 1), D(2025, 12, 2))
    # L6, 01: requested and approved on 5 Jan (0 h), due 8 Jan, reported lost on 12 Jan.
    l6 = _request(u["staff"], [p[0]], D(2026, 1, 5), D(2026, 1, 8))
    loans.approve_loan(u["dept_head"], l6, today=D(2026, 1, 5))
    loans.issue_items(u["storekeeper"], l6, today=D(2026, 1, 5))
    loans.return_item(u["storekeeper"], l6, p[0], "lost", "หายระหว่างงาน", today=D(2026, 1, 12))
    # A loan of the next fiscal year counts nowhere in 2569.
    _request(u["staff"], [p[1]], D(2026, 10, 1), D(2026, 10, 2))
    return {**{d.code: d.id for d in Department.select()}, "l4": l4, "tent": tents[1]}


def test_statistics_match_the_hand_count(users, year):
    s = stats.service_statistics(users["staff"], 2569, today=AS_OF)
    d01, d04 = year["01"], year["04"]
    assert s.months[0] == "2025-10" and s.months[-1] == "2026-09"
    assert (s.first_day, s.last_day) == (D(2025, 10, 1), D(2026, 9, 30))

    expected_year = {
        "loans_requested": 6, "loans_approved": 4, "loans_rejected": 1,
        "loans_returned_on_time": 1, "loans_returned_late": 2, "loans_overdue_now": 1,
        "external_requested": 2, "external_approved": 2, "external_rejected": 0,
        "damage_opened": 2, "damage_lost": 1, "damage_settled": 1, "damage_repaired": 0,
        "damage_replaced": 0, "damage_paid": 1, "damage_amount_paid": Decimal("500.00"),
        "damage_open_now": 1,
    }
    assert {m: s.total(m) for m in expected_year} == expected_year
    assert isinstance(s.total("damage_amount_paid"), Decimal)

    assert [s.total("loans_requested", m) for m in s.months[:4]] == [2, 1, 2, 1]
    assert s.total("loans_requested", "2025-12", d01) == 1
    assert s.total("loans_requested", "2025-12", d04) == 1
    assert s.total("loans_rejected", "2025-10", d01) == 1
    assert s.total("loans_returned_late", "2025-11", d04) == 1
    assert s.total("loans_returned_late", "2026-01", d01) == 1
    assert s.total("loans_overdue_now", "2025-12", d04) == 1
    assert s.total("external_approved", department=d04) == 2
    assert s.total("damage_amount_paid", "2025-11", d04) == Decimal("500.00")
    assert s.total("damage_open_now", "2026-01", d01) == 1

    # Decision times 0, 24, 24, 72, 120 hours.
    assert len(s.decisions()) == 5
    assert s.median_decision_hours() == Decimal("24.0")
    assert s.median_decision_hours("2025-10") == Decimal("48.0")
    assert s.median_decision_hours(department=d01) == Decimal("24.0")
    assert s.median_decision_hours(department=d04) == Decimal("72.0")
    assert s.median_decision_hours("2026-02") is None

    # Once L4 comes back it is no longer overdue, and was late.
    loans.return_item(users["storekeeper"], year["l4"], year["tent"], today=D(2026, 1, 20))
    later = stats.service_statistics(users["staff"], 2569, today=D(2026, 1, 21))
    assert later.total("loans_overdue_now") == 0
    assert later.total("loans_returned_late", "2026-01") == 2


def test_open_data_rows(users, year):
    s = stats.service_statistics(users["auditor"], "2569", today=AS_OF)
    rows = s.rows()
    assert all(list(r) == stats.COLUMNS for r in rows)
    total = rows[-1]
    assert (total["level"], total["month"], total["department_code"]) == ("year", "", "")
    assert total["loans_requested"] == 6 and total["median_decision_hours"] == Decimal("24.0")
    assert total["stockcheck_expected"] == 0
    nov = [r for r in rows if r["level"] == "month_department" and r["month"] == "2025-11"]
    assert [(r["department_code"], r["loans_requested"], r["month_be"]) for r in nov] == [("04", 1, "พ.ย. 2568")]
    months = [r for r in rows if r["level"] == "month"]
    assert len(months) == 12 and sum(r["loans_requested"] for r in months) == 6
    assert months[-1]["stockcheck_missing"] is None
    departments = {r["department_code"]: r for r in rows if r["level"] == "department"}
    assert departments["01"]["loans_requested"] == 4 and departments["04"]["loans_requested"] == 2


def test_an_empty_year_and_bad_input(users):
    s = stats.service_statistics(users["staff"], 2569)
    assert s.total("loans_requested") == 0 and s.median_decision_hours() is None
    assert len(s.rows()) == 12 + 1  # the months and the year
    with pytest.raises(ValidationError, match="not a BE year") as err:
        stats.service_statistics(users["staff"], "69x")
    assert err.value.field == "fiscal_year"
    with pytest.raises(ValidationError, match="not a BE year"):
        stats.service_statistics(users["staff"], 2026)
    with pytest.raises(PermissionDenied):
        stats.service_statistics(None, 2569)


def test_stock_check_findings_by_department(users, year):
    from models import stockcheck
    from models.schema import StockCheckItem

    check = stockcheck.open_stock_check(users["agency_head"], 2569, ["dept_head", "staff"],
                                        today=D(2026, 9, 15))
    first = StockCheckItem.select().where((StockCheckItem.check == check.id)
                                          & (StockCheckItem.department == year["01"])).first()
    stockcheck.scan(users["staff"], check.id, first.code, condition="damaged", note="จอแตก",
                    today=D(2026, 10, 5))
    s = stats.service_statistics(users["staff"], 2569, today=D(2026, 10, 5))
    expected = StockCheckItem.select().where(StockCheckItem.check == check.id).count()
    assert s.total("stockcheck_expected") == expected > 0
    assert s.total("stockcheck_counted") == 1
    assert s.total("stockcheck_damaged", department=year["01"]) == 1
    assert s.total("stockcheck_damaged", department=year["04"]) == 0
    assert s.total("stockcheck_missing") == 0  # nothing is missing until the check closes
    assert [c["status"] for c in s.stock_checks] == ["open"]
    row = [r for r in s.rows() if r["level"] == "department" and r["department_code"] == "01"][0]
    assert row["stockcheck_counted"] == 1 and row["stockcheck_damaged"] == 1


def test_statistics_from_the_command_line(users, year, db_url, tmp_path, capsys):
    import csv
    import json

    from assets_tui.cli import main

    target = tmp_path / "stats.csv"
    assert main(["--db", db_url, "stats", "--fiscal-year", "2569", "--format", "csv", "-o", str(target)]) == 0
    with target.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == stats.COLUMNS
    year_row = rows[-1]
    assert year_row["level"] == "year" and year_row["loans_requested"] == "6"
    assert year_row["damage_amount_paid"] == "500.00"
    # a department name that a spreadsheet would run as a formula is written as text
    from models.schema import Department
    real_name = Department.get(Department.code == "01").name
    Department.update(name="=HYPERLINK(\"http://example.com\")").where(Department.code == "01").execute()
    assert main(["--db", db_url, "stats", "--fiscal-year", "2569", "--format", "csv", "-o", str(target)]) == 0
    with target.open(encoding="utf-8-sig", newline="") as f:
        names = {r["department_code"]: r["department_name"] for r in csv.DictReader(f)}
    assert names["01"] == "'=HYPERLINK(\"http://example.com\")"
    Department.update(name=real_name).where(Department.code == "01").execute()
    capsys.readouterr()
    assert main(["--db", db_url, "stats", "--fiscal-year", "2569", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fiscal_year"] == 2569 and data["rows"][-1]["loans_requested"] == 6
    assert {c["column"] for c in data["columns"]} == set(stats.COLUMNS)
    assert main(["--db", db_url, "stats", "--fiscal-year", "2569"]) == 0
    out = capsys.readouterr().out
    assert "ต.ค. 2568" in out and "01 สำนักปลัดเทศบาล" in out and "500.00 baht paid" in out
