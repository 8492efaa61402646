"""Service statistics (สถิติการให้บริการ) of a fiscal year: what the ITA assessment asks an
agency to publish about the borrowing of government property, from the product's records.

Everything is counted by month and by department (the department whose assets were lent),
each event in the month it happened, on the agency's local calendar:

- ``loans_requested``: requests made that month (whatever became of them);
- ``loans_approved`` / ``loans_rejected``: decisions taken that month;
- ``loans_returned_on_time`` / ``loans_returned_late``: loans whose last item came back
  that month, on or before / after the due date;
- ``loans_overdue_now``: loans due that month that are past due with items still out
  on the day the statistics are drawn (``as_of``);
- ``external_*``: the same for loans to outside borrowers (used outside the premises or
  lent to another state agency);
- ``damage_*``: damage and loss cases opened that month, cases settled that month by how
  (repaired, replaced, paid) and the baht paid, and cases opened that month still open;
- ``median_decision_hours``: the median time from request to decision of the decisions of
  that month (how easy borrowing is); medians are given for every month, department and
  the year, since they cannot be added up;
- ``stockcheck_*``: the findings of the year's stock check by department (no month).

Counts and sums run in the database (one grouped query per measure); only the median is
taken in Python, from the decision times the database computes.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import peewee as pw

from .accounts import require
from .db import is_postgres
from .errors import ValidationError
from .loans import OPEN_STATUSES
from .schema import (
    DamageCase,
    Department,
    Loan,
    LoanItem,
    Person,
    StockCheck,
    StockCheckItem,
)
from .values import BE_OFFSET, THAI_MONTHS_SHORT, fiscal_year_bounds

EXTERNAL_KINDS = ("outside", "agency")

LOAN_MEASURES = (
    "loans_requested", "loans_approved", "loans_rejected", "loans_returned_on_time",
    "loans_returned_late", "loans_overdue_now", "external_requested", "external_approved",
    "external_rejected",
)
DAMAGE_MEASURES = (
    "damage_opened", "damage_lost", "damage_settled", "damage_repaired", "damage_replaced",
    "damage_paid", "damage_amount_paid", "damage_open_now",
)
STOCKCHECK_MEASURES = (
    "stockcheck_expected", "stockcheck_counted", "stockcheck_found", "stockcheck_misplaced",
    "stockcheck_on_loan", "stockcheck_in_repair", "stockcheck_missing", "stockcheck_unexpected",
    "stockcheck_damaged", "stockcheck_deteriorated", "stockcheck_not_needed",
)
MONTHLY_MEASURES = LOAN_MEASURES + DAMAGE_MEASURES
MONEY_MEASURES = frozenset({"damage_amount_paid"})

# Thai headings for the open-data dictionary and the printed page.
MEASURE_NAMES = {
    "loans_requested": "คำขอยืม",
    "loans_approved": "อนุมัติ",
    "loans_rejected": "ไม่อนุมัติ",
    "loans_returned_on_time": "คืนตามกำหนด",
    "loans_returned_late": "คืนเกินกำหนด",
    "loans_overdue_now": "ค้างคืนเกินกำหนด",
    "external_requested": "คำขอยืมของบุคคลภายนอก",
    "external_approved": "บุคคลภายนอก อนุมัติ",
    "external_rejected": "บุคคลภายนอก ไม่อนุมัติ",
    "damage_opened": "ชำรุดหรือสูญหาย",
    "damage_lost": "สูญหาย",
    "damage_settled": "ชดใช้แล้ว",
    "damage_repaired": "ซ่อมแซมแล้ว",
    "damage_replaced": "ชดใช้เป็นพัสดุ",
    "damage_paid": "ชดใช้เป็นเงิน",
    "damage_amount_paid": "จำนวนเงินชดใช้ (บาท)",
    "damage_open_now": "ยังไม่ได้ชดใช้",
    "median_decision_hours": "เวลาพิจารณา (มัธยฐาน ชั่วโมง)",
    "decisions": "จำนวนคำขอที่พิจารณาแล้ว",
    "stockcheck_expected": "ตรวจสอบตามทะเบียน",
    "stockcheck_counted": "ตรวจนับแล้ว",
    "stockcheck_found": "พบ",
    "stockcheck_misplaced": "พบผิดที่",
    "stockcheck_on_loan": "อยู่ระหว่างยืม",
    "stockcheck_in_repair": "อยู่ระหว่างซ่อม",
    "stockcheck_missing": "ไม่พบ",
    "stockcheck_unexpected": "พบแต่ไม่อยู่ในรายการ",
    "stockcheck_damaged": "ชำรุด",
    "stockcheck_deteriorated": "เสื่อมสภาพ",
    "stockcheck_not_needed": "หมดความจำเป็น",
}

ALL = ""  # the month or department of a total row


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _offset_minutes() -> int:
    """The agency's offset from UTC (the machine's, as ``values.local_date`` uses; Thailand
    keeps no daylight saving time, so one offset serves the whole year)."""
    offset = dt.datetime.now().astimezone().utcoffset() or dt.timedelta(0)
    return int(offset.total_seconds() // 60)


def _month_of_time(column: pw.Field, offset: int) -> pw.Node:
    """'YYYY-MM' of a stored UTC time on the local calendar, in SQL."""
    if is_postgres():
        shifted = pw.NodeList((column, pw.SQL(f"+ interval '{offset} minutes'")))
        return pw.fn.to_char(shifted, pw.SQL("'YYYY-MM'"))
    return pw.fn.strftime(pw.SQL("'%Y-%m'"), column, pw.SQL(f"'{offset:+d} minutes'"))


def _month_of_date(column: pw.Field) -> pw.Node:
    if is_postgres():
        return pw.fn.to_char(column, pw.SQL("'YYYY-MM'"))
    return pw.fn.strftime(pw.SQL("'%Y-%m'"), column)


def _seconds_between(start: pw.Field, end: pw.Field) -> pw.Node:
    if is_postgres():
        return pw.NodeList((pw.SQL("EXTRACT(EPOCH FROM ("), end, pw.SQL("-"), start, pw.SQL("))")))
    return (pw.fn.julianday(end) - pw.fn.julianday(start)) * 86400


def _in_year(column: pw.Field, start: dt.datetime, end: dt.datetime) -> pw.Expression:
    return (column >= start) & (column < end)


def months_of(fiscal_year: int) -> list[str]:
    first, _ = fiscal_year_bounds(fiscal_year)
    out, year, month = [], first.year, first.month
    for _ in range(12):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_label(month: str) -> str:
    """'2025-10' -> 'ต.ค. 2568'."""
    if not month:
        return "ทั้งปี"
    year, number = (int(p) for p in month.split("-"))
    return f"{THAI_MONTHS_SHORT[number - 1]} {year + BE_OFFSET}"


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _hours(seconds: float | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 3600).quantize(Decimal("0.1"))


@dataclass
class ServiceStatistics:
    fiscal_year: int
    as_of: dt.date
    first_day: dt.date
    last_day: dt.date
    months: list[str]
    departments: dict[int | None, tuple[str, str]]
    # (month, department id) -> measure -> value; month is 'YYYY-MM'
    cells: dict[tuple[str, int | None], dict[str, Any]] = field(default_factory=dict)
    # decision times in seconds per (month, department id)
    decision_seconds: dict[tuple[str, int | None], list[float]] = field(default_factory=dict)
    # department id -> stock-check measure -> count (all of the year's checks)
    stockcheck: dict[int | None, dict[str, int]] = field(default_factory=dict)
    stock_checks: list[dict[str, Any]] = field(default_factory=list)

    # ---- reading --------------------------------------------------------------------

    def _keys(self, month: str | None, department: int | None | str) -> list[tuple[str, int | None]]:
        return [k for k in self.cells.keys() | self.decision_seconds.keys()
                if (month in (None, ALL) or k[0] == month)
                and (department == ALL or k[1] == department)]

    def total(self, measure: str, month: str | None = ALL, department: int | None | str = ALL) -> Any:
        """A measure summed over a month (or the year) and a department (or all of them)."""
        zero: Any = Decimal("0.00") if measure in MONEY_MEASURES else 0
        if measure.startswith("stockcheck_"):
            if month not in (None, ALL):
                return 0
            return sum((v.get(measure, 0) for d, v in self.stockcheck.items()
                        if department == ALL or d == department), 0)
        return sum((self.cells.get(k, {}).get(measure, zero) for k in self._keys(month, department)), zero)

    def decisions(self, month: str | None = ALL, department: int | None | str = ALL) -> list[float]:
        return sorted(s for k in self._keys(month, department) for s in self.decision_seconds.get(k, []))

    def median_decision_hours(self, month: str | None = ALL,
                              department: int | None | str = ALL) -> Decimal | None:
        times = self.decisions(month, department)
        return _hours(statistics.median(times)) if times else None

    def department_ids(self) -> list[int | None]:
        used = {k[1] for k in self.cells} | {k[1] for k in self.decision_seconds} | set(self.stockcheck)
        return sorted(used, key=lambda d: (d is None, self.departments.get(d, ("", ""))[0]))

    def row(self, month: str, department: int | None | str) -> dict[str, Any]:
        code, name = ("", "ทุกหน่วยงาน") if department == ALL else self.departments.get(department, ("", ""))
        level = ("year" if department == ALL else "department") if month == ALL else \
            ("month" if department == ALL else "month_department")
        out: dict[str, Any] = {
            "fiscal_year": self.fiscal_year, "level": level, "month": month,
            "month_be": month_label(month), "department_code": code, "department_name": name,
        }
        for measure in MONTHLY_MEASURES:
            out[measure] = self.total(measure, month, department)
        out["decisions"] = len(self.decisions(month, department))
        out["median_decision_hours"] = self.median_decision_hours(month, department)
        for measure in STOCKCHECK_MEASURES:
            out[measure] = self.total(measure, month, department) if month == ALL else None
        return out

    def rows(self) -> list[dict[str, Any]]:
        """The open-data table: a row per month and department with anything to count, a
        total per month, a total per department, and the year (level says which)."""
        out = []
        departments = self.department_ids()
        for month in self.months:
            for department in departments:
                if (month, department) in self.cells or (month, department) in self.decision_seconds:
                    out.append(self.row(month, department))
            out.append(self.row(month, ALL))
        for department in departments:
            out.append(self.row(ALL, department))
        out.append(self.row(ALL, ALL))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"fiscal_year": self.fiscal_year, "as_of": self.as_of, "from": self.first_day,
                "to": self.last_day, "stock_checks": self.stock_checks, "rows": self.rows()}


# ---- computing ---------------------------------------------------------------------------

def _grouped(query: pw.ModelSelect, month: pw.Node, department: pw.Node, value: pw.Node | None = None,
             ) -> dict[tuple[str, int | None], Any]:
    value = value if value is not None else pw.fn.COUNT(pw.SQL("*"))
    rows = (query.select(month.alias("m"), department.alias("d"), value.alias("n"))
            .group_by(pw.SQL("1"), pw.SQL("2")).tuples())
    return {(m, d): n for m, d, n in rows}


def service_statistics(actor, fiscal_year: Any, today: dt.date | None = None) -> ServiceStatistics:
    """The statistics of a fiscal year named by its BE year (2569 = Oct 2568 - Sep 2569)."""
    require(actor, "stats.read")
    try:
        fiscal_year = int(str(fiscal_year).strip())
    except (TypeError, ValueError):
        raise ValidationError("fiscal_year", f"The fiscal year '{fiscal_year}' is not a BE year such as 2569.") from None
    if not 2400 < fiscal_year < 2800:
        raise ValidationError("fiscal_year", f"The fiscal year {fiscal_year} is not a BE year such as 2569.")
    today = _today(today)
    first, last = fiscal_year_bounds(fiscal_year)
    offset = _offset_minutes()
    shift = dt.timedelta(minutes=offset)
    start = dt.datetime.combine(first, dt.time()) - shift
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time()) - shift
    stats = ServiceStatistics(
        fiscal_year, today, first, last, months_of(fiscal_year),
        {d.id: (d.code, d.name) for d in Department.select(Department.id, Department.code, Department.name)})
    stats.departments[None] = ("", "ไม่ระบุหน่วยงาน")

    def put(measure: str, counts: dict[tuple[str, int | None], Any]) -> None:
        for key, n in counts.items():
            if n:
                stats.cells.setdefault(key, {})[measure] = _money(n) if measure in MONEY_MEASURES else int(n)

    external = Loan.kind.in_(EXTERNAL_KINDS) & (Person.external == True)  # noqa: E712
    loans = Loan.select().join(Person, on=(Loan.borrower == Person.id))
    requested_month = _month_of_time(Loan.requested_at, offset)
    decided_month = _month_of_time(Loan.decided_at, offset)
    returned_month = _month_of_date(Loan.returned_on)
    dept = Loan.department
    requested = loans.where(_in_year(Loan.requested_at, start, end))
    put("loans_requested", _grouped(requested, requested_month, dept))
    put("external_requested", _grouped(requested.where(external), requested_month, dept))
    decided = loans.where(_in_year(Loan.decided_at, start, end) & Loan.decided_by.is_null(False))
    approved = decided.where(Loan.status != "rejected")
    rejected = decided.where(Loan.status == "rejected")
    put("loans_approved", _grouped(approved, decided_month, dept))
    put("loans_rejected", _grouped(rejected, decided_month, dept))
    put("external_approved", _grouped(approved.where(external), decided_month, dept))
    put("external_rejected", _grouped(rejected.where(external), decided_month, dept))
    returned = loans.where((Loan.status == "returned") & (Loan.returned_on >= first)
                           & (Loan.returned_on <= last))
    put("loans_returned_on_time", _grouped(returned.where(Loan.returned_on <= Loan.due_on),
                                           returned_month, dept))
    put("loans_returned_late", _grouped(returned.where(Loan.returned_on > Loan.due_on),
                                        returned_month, dept))
    overdue = loans.where(
        Loan.status.in_(OPEN_STATUSES) & (Loan.due_on < today) & (Loan.due_on >= first)
        & (Loan.due_on <= last)
        & pw.fn.EXISTS(LoanItem.select(LoanItem.id).where(
            (LoanItem.loan == Loan.id) & (LoanItem.out_flag == 1))))
    put("loans_overdue_now", _grouped(overdue, _month_of_date(Loan.due_on), dept))

    seconds = _seconds_between(Loan.requested_at, Loan.decided_at)
    for m, d, s in (decided.select(decided_month.alias("m"), dept.alias("d"), seconds.alias("s"))
                    .tuples()):
        stats.decision_seconds.setdefault((m, d), []).append(max(0.0, float(s)))

    cases = DamageCase.select().join(LoanItem).join(Loan)
    opened_month = _month_of_time(DamageCase.opened_at, offset)
    settled_month = _month_of_time(DamageCase.settled_at, offset)
    opened = cases.where(_in_year(DamageCase.opened_at, start, end))
    put("damage_opened", _grouped(opened, opened_month, dept))
    put("damage_lost", _grouped(opened.where(DamageCase.condition == "lost"), opened_month, dept))
    put("damage_open_now", _grouped(opened.where(DamageCase.status == "open"), opened_month, dept))
    settled = cases.where((DamageCase.status == "settled") & _in_year(DamageCase.settled_at, start, end))
    put("damage_settled", _grouped(settled, settled_month, dept))
    for how in ("repaired", "replaced", "paid"):
        put(f"damage_{how}", _grouped(settled.where(DamageCase.settlement == how), settled_month, dept))
    put("damage_amount_paid", _grouped(settled.where(DamageCase.settlement == "paid"), settled_month,
                                       dept, pw.fn.SUM(DamageCase.amount)))

    _stock_check_findings(stats)
    return stats


def _stock_check_findings(stats: ServiceStatistics) -> None:
    checks = list(StockCheck.select().where(StockCheck.fiscal_year == stats.fiscal_year)
                  .order_by(StockCheck.id))
    if not checks:
        return
    stats.stock_checks = [{"id": c.id, "status": c.status, "starts_on": c.starts_on,
                           "deadline_on": c.deadline_on, "closed_at": c.closed_at} for c in checks]
    item = StockCheckItem

    def count(cond: pw.Expression) -> pw.Node:
        return pw.fn.SUM(pw.Case(None, [(cond, 1)], 0))

    columns = {
        "stockcheck_expected": count(item.expected == True),  # noqa: E712
        "stockcheck_counted": count(item.found_at.is_null(False)),
        "stockcheck_found": count(item.result == "found"),
        "stockcheck_misplaced": count(item.result == "misplaced"),
        "stockcheck_on_loan": count(item.result == "on_loan"),
        "stockcheck_in_repair": count(item.result == "in_repair"),
        "stockcheck_missing": count(item.result == "missing"),
        "stockcheck_unexpected": count(item.expected == False),  # noqa: E712
        "stockcheck_damaged": count(item.condition == "damaged"),
        "stockcheck_deteriorated": count(item.condition == "deteriorated"),
        "stockcheck_not_needed": count(item.condition == "not_needed"),
    }
    query = (item.select(item.department.alias("d"), *[c.alias(k) for k, c in columns.items()])
             .where(item.check.in_([c.id for c in checks])).group_by(item.department).dicts())
    for row in query:
        department = row.pop("d")
        stats.stockcheck[department] = {k: int(v or 0) for k, v in row.items()}


def data_dictionary() -> list[dict[str, str]]:
    """What each column of the open-data table means (for the published dictionary)."""
    described = {
        "fiscal_year": ("ปีงบประมาณ (พ.ศ.)", "integer"),
        "level": ("ระดับของแถว: month_department, month, department หรือ year", "text"),
        "month": ("เดือน (ค.ศ. YYYY-MM) ว่างคือทั้งปี", "text"),
        "month_be": ("เดือน (พ.ศ.)", "text"),
        "department_code": ("รหัสหน่วยงานเจ้าของทรัพย์สิน ว่างคือทุกหน่วยงาน", "text"),
        "department_name": ("ชื่อหน่วยงาน", "text"),
    }
    out = [{"column": k, "description": v[0], "type": v[1]} for k, v in described.items()]
    for measure in MONTHLY_MEASURES + ("decisions", "median_decision_hours") + STOCKCHECK_MEASURES:
        kind = "decimal" if measure in MONEY_MEASURES or measure == "median_decision_hours" else "integer"
        out.append({"column": measure, "description": MEASURE_NAMES[measure], "type": kind})
    return out


COLUMNS = [d["column"] for d in data_dictionary()]

__all__ = ["ServiceStatistics", "service_statistics", "months_of", "month_label", "data_dictionary",
           "COLUMNS", "MEASURE_NAMES", "ALL"]
