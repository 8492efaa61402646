"""Open-data exports (ITA item O14): the asset register, the loan register, the results of
a stock check and the audit log as machine-readable CSV, JSON or XLSX.

Keys are stable; the first thirteen asset keys are the ones PRODUCT.md publishes and
the rest follow them. Values:

* ``category``, ``department``, ``location`` and ``funding_source`` are the Thai names a
  person reads; the ``*_code`` columns beside them carry the codes a program joins on.
* ``status`` is the code (``available``, ``on_loan``, ``repair``, ``lost``, ``disposed``).
* dates are ISO ``YYYY-MM-DD``; CSV and XLSX add ``acquired_on_be`` (``15/3/2567``).
* amounts are decimal strings with two places (``25900.00``); XLSX writes real numbers
  and dates so that sums and filters work in Excel.
* ``lendable`` is ``true``/``false`` (a JSON boolean).

The loan register (ทะเบียนการยืม) carries the keys ``loan_no``, ``kind`` (``inside``,
``outside``, ``agency``), ``borrower``, ``organisation`` (an outside borrower's), ``department``
(the Thai name of the unit lending; ``department_code`` beside it), ``purpose``, ``place``,
``status`` (the code), ``requested_on``, ``approved_by`` (the approver's name), ``start_on``,
``due_on``, ``issued_on``, ``returned_on`` and ``items``. In JSON ``items`` is a list of
``{"asset_no", "name", "returned_condition"}``; CSV and XLSX write one row per item with the
loan repeated, ``items`` holding all the loan's asset numbers (``, ``-separated) and
``asset_no``, ``item_name``, ``returned_condition`` that row's item, then the ``*_be`` twin of
every date.

The results of a stock check (การตรวจสอบพัสดุประจำปี), one record per row of the check in
asset-number order, carry the keys ``check_id``, ``fiscal_year``, ``check_status`` (``open``
while counting, ``closed`` when final), ``no``, ``asset_no`` (``null`` for a scanned code that
is not one of our asset numbers), ``code`` (what was scanned or listed), ``name``, ``brand``,
``department`` (Thai name; ``department_code`` beside it), ``location`` (the Thai name of the
location the register gave when the check opened), ``expected_location`` (its code),
``found_location`` (the code where it was scanned), ``status`` (``found``, ``misplaced``,
``missing``, ``on_loan``, ``in_repair``, ``unexpected``; while the check is open, the result
so far), ``condition`` (``in_use``, ``damaged``, ``deteriorated``, ``not_needed``, or ``null``
when not scanned), ``scanned_by`` (username), ``scanned_at`` (UTC, ISO 8601 with ``Z``),
``loan_no`` (the loan an unscanned asset was out on), ``explanation`` (the committee's),
``reason`` (why a code was unexpected), ``wear_and_tear`` (boolean), ``price`` (the register
price when the check opened), ``acquired_on`` and ``custodian``; CSV and XLSX add
``acquired_on_be`` and ``scanned_at_be`` (local time, ``5/10/2569 09:30``).

CSV is UTF-8 with a byte-order mark so that Excel shows Thai; JSON is one list of objects.
Everything streams: rows are read in pages and written as they come, so a register of
100,000 assets never sits in memory at once. A CSV or XLSX export reads back through
:mod:`forms.spreadsheet` and re-imports into an empty register.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, BinaryIO

import peewee as pw

from models.assets import funding_label
from models.loans import LoanFilter, loan_query
from models.schema import (
    Asset,
    AuditEvent,
    Category,
    DamageCase,
    Department,
    Loan,
    LoanFollowUp,
    LoanItem,
    Location,
    Person,
    User,
)
from models.values import format_date_be, local_date

FORMATS = ("csv", "json", "xlsx")
PAGE_SIZE = 1000

# The keys of PRODUCT.md "Open data", in order, then the register's other fields.
PUBLISHED_ASSET_KEYS = (
    "asset_no", "name", "category", "department", "location", "custodian", "status",
    "lendable", "acquired_on", "price", "funding_source", "acquisition_method", "serial_no",
)
ASSET_KEYS = PUBLISHED_ASSET_KEYS + (
    "brand", "model", "unit", "supplier", "document_no", "useful_life_years", "description",
    "remarks", "category_code", "department_code", "location_code", "funding_source_code",
)
# CSV and XLSX, read by people, also carry the acquisition date in the Buddhist Era.
ASSET_COLUMNS = ASSET_KEYS + ("acquired_on_be",)

# The loan register's keys of PRODUCT.md "Open data", in order.
PUBLISHED_LOAN_KEYS = (
    "loan_no", "kind", "borrower", "organisation", "department", "purpose", "place", "status",
    "requested_on", "approved_by", "start_on", "due_on", "issued_on", "returned_on", "items",
)
LOAN_KEYS = PUBLISHED_LOAN_KEYS + ("department_code",)
LOAN_DATES = ("requested_on", "start_on", "due_on", "issued_on", "returned_on")
# CSV and XLSX: one row per item, then the dates in the Buddhist Era.
LOAN_COLUMNS = (PUBLISHED_LOAN_KEYS + ("asset_no", "item_name", "returned_condition",
                                       "department_code")
                + tuple(f"{key}_be" for key in LOAN_DATES))

# The results of a stock check; CSV and XLSX add the Buddhist Era twins.
STOCKCHECK_KEYS = (
    "check_id", "fiscal_year", "check_status", "no", "asset_no", "code", "name", "brand",
    "department", "department_code", "location", "expected_location", "found_location", "status",
    "condition", "scanned_by", "scanned_at", "loan_no", "explanation", "reason", "wear_and_tear",
    "price", "acquired_on", "custodian",
)
STOCKCHECK_COLUMNS = STOCKCHECK_KEYS + ("acquired_on_be", "scanned_at_be")

AUDIT_KEYS = ("seq", "at", "actor", "action", "entity", "entity_id", "before", "after", "hash",
              "prev_hash")


def format_for(filename: str | None, given: str | None = None) -> str | None:
    """The export format named by ``given`` or by the file's extension."""
    if given:
        return given.lower()
    if filename:
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix in FORMATS:
            return suffix
        return None
    return "csv"


# ---- reading the register in pages -------------------------------------------------------

def _asset_select() -> pw.ModelSelect:
    return (Asset.select(
        Asset.asset_no, Asset.name, Asset.description, Asset.brand, Asset.model, Asset.serial_no,
        Asset.status, Asset.lendable, Asset.acquired_on, Asset.price, Asset.unit,
        Asset.funding_source, Asset.acquisition_method, Asset.supplier, Asset.document_no,
        Asset.useful_life_years, Asset.remarks,
        Category.name.alias("category"), Category.code.alias("category_code"),
        Department.name.alias("department"), Department.code.alias("department_code"),
        Location.name.alias("location"), Location.code.alias("location_code"),
        Person.name.alias("custodian"))
        .join(Category).switch(Asset).join(Department)
        .switch(Asset).join(Location, pw.JOIN.LEFT_OUTER)
        .switch(Asset).join(Person, pw.JOIN.LEFT_OUTER))


def iter_asset_rows(page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """Every asset as a flat row, in asset-number order, one page of ``page_size`` at a time
    (keyset paging, so memory stays flat on SQLite and PostgreSQL alike)."""
    last: str | None = None
    while True:
        q = _asset_select().order_by(Asset.asset_no).limit(page_size)
        if last is not None:
            q = q.where(Asset.asset_no > last)
        page = list(q.dicts())
        if not page:
            return
        yield from page
        if len(page) < page_size:
            return
        last = page[-1]["asset_no"]


def rows_for(asset_nos: Iterable[str]) -> list[dict[str, Any]]:
    """The flat rows of the given assets, in the order given."""
    wanted = list(asset_nos)
    found = {r["asset_no"]: r for r in _asset_select().where(Asset.asset_no.in_(wanted)).dicts()}
    return [found[n] for n in wanted if n in found]


def asset_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One asset with the open-data keys and JSON-ready values."""
    price = row["price"]
    return {
        "asset_no": row["asset_no"],
        "name": row["name"],
        "category": row["category"],
        "department": row["department"],
        "location": row["location"],
        "custodian": row["custodian"],
        "status": row["status"],
        "lendable": bool(row["lendable"]),
        "acquired_on": _iso(row["acquired_on"]),
        "price": None if price is None else f"{Decimal(price):.2f}",
        "funding_source": funding_label(row["funding_source"], "th"),
        "acquisition_method": row["acquisition_method"],
        "serial_no": row["serial_no"],
        "brand": row["brand"],
        "model": row["model"],
        "unit": row["unit"],
        "supplier": row["supplier"],
        "document_no": row["document_no"],
        "useful_life_years": row["useful_life_years"],
        "description": row["description"],
        "remarks": row["remarks"],
        "category_code": row["category_code"],
        "department_code": row["department_code"],
        "location_code": row["location_code"],
        "funding_source_code": row["funding_source"],
    }


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value))


def _text_cells(record: Mapping[str, Any], row: Mapping[str, Any]) -> list[str]:
    out = []
    for key in ASSET_COLUMNS:
        if key == "acquired_on_be":
            out.append(format_date_be(_as_date(row["acquired_on"]), short=True))
            continue
        value = record[key]
        if value is None:
            out.append("")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        else:
            out.append(str(value))
    return out


# ---- writers ---------------------------------------------------------------------------------

def export_assets(out: BinaryIO, fmt: str = "csv",
                  rows: Iterable[Mapping[str, Any]] | None = None) -> int:
    """Write the register (or the given flat rows) to a binary stream; returns the count."""
    rows = iter_asset_rows() if rows is None else rows
    fmt = fmt.lower()
    if fmt == "csv":
        return _write_csv(out, ASSET_COLUMNS,
                          (_text_cells(asset_record(r), r) for r in rows))
    if fmt == "json":
        return _write_json(out, (asset_record(r) for r in rows))
    if fmt == "xlsx":
        return _write_xlsx(out, "ทะเบียนครุภัณฑ์", ASSET_COLUMNS,
                           (_xlsx_asset_cells(asset_record(r), r) for r in rows),
                           dates=("acquired_on",), money=("price",))
    raise ValueError(f"unknown export format {fmt!r}")


# ---- the loan register ---------------------------------------------------------------

def _loan_select(f: LoanFilter | None = None) -> pw.ModelSelect:
    """The register's flat rows, filtered by the domain's own query."""
    approver = User.alias("approver")
    approver_person = Person.alias("approver_person")
    return (loan_query(f or LoanFilter())
            .select(Loan.id, Loan.loan_no, Loan.kind, Loan.place, Loan.purpose, Loan.status,
                    Loan.requested_at, Loan.decided_by, Loan.start_on, Loan.due_on,
                    Loan.issued_on, Loan.returned_on,
                    Person.name.alias("borrower"), Person.organisation.alias("organisation"),
                    Department.name.alias("department"), Department.code.alias("department_code"),
                    approver_person.name.alias("approver"))
            .switch(Loan).join(approver, pw.JOIN.LEFT_OUTER, on=(Loan.decided_by == approver.id))
            .join(approver_person, pw.JOIN.LEFT_OUTER, on=(approver.person == approver_person.id)))


def _with_items(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach each loan's items (one query for the whole page), in asset-number order."""
    by_loan: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in page}
    if by_loan:
        items = (LoanItem.select(LoanItem.loan, LoanItem.returned_condition,
                                 Asset.asset_no, Asset.name)
                 .join(Asset).where(LoanItem.loan.in_(list(by_loan)))
                 .order_by(LoanItem.loan, Asset.asset_no).dicts())
        for item in items:
            by_loan[item["loan"]].append(item)
    for row in page:
        row["items"] = by_loan[row["id"]]
    return page


def iter_loan_rows(f: LoanFilter | None = None, page_size: int = PAGE_SIZE,
                   newest_first: bool = False) -> Iterator[dict[str, Any]]:
    """Every loan the filter selects as a flat row with its items, oldest first (the order
    of the register book) or newest first, one page at a time (keyset paging on the id)."""
    order = Loan.id.desc() if newest_first else Loan.id
    last: int | None = None
    while True:
        q = _loan_select(f).order_by(order).limit(page_size)
        if last is not None:
            q = q.where(Loan.id < last if newest_first else Loan.id > last)
        page = list(q.dicts())
        if not page:
            return
        yield from _with_items(page)
        if len(page) < page_size:
            return
        last = page[-1]["id"]


def loan_rows_for(loan_nos: Iterable[str]) -> list[dict[str, Any]]:
    """The flat rows of the given loans, in the order given."""
    wanted = list(loan_nos)
    found = {r["loan_no"]: r for r in _with_items(list(
        _loan_select().where(Loan.loan_no.in_(wanted)).dicts()))}
    return [found[n] for n in wanted if n in found]


def loan_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One loan with the open-data keys and JSON-ready values."""
    approved = row["decided_by"] is not None and row["status"] != "rejected"
    return {
        "loan_no": row["loan_no"],
        "kind": row["kind"],
        "borrower": row["borrower"],
        "organisation": row["organisation"],
        "department": row["department"],
        "purpose": row["purpose"],
        "place": row["place"],
        "status": row["status"],
        "requested_on": _iso(local_date(row["requested_at"]) if isinstance(row["requested_at"], dt.datetime)
                             else row["requested_at"]),
        "approved_by": row["approver"] if approved else None,
        "start_on": _iso(row["start_on"]),
        "due_on": _iso(row["due_on"]),
        "issued_on": _iso(row["issued_on"]),
        "returned_on": _iso(row["returned_on"]),
        "items": [{"asset_no": i["asset_no"], "name": i["name"],
                   "returned_condition": i["returned_condition"]} for i in row["items"]],
        "department_code": row["department_code"],
    }


def _loan_lines(record: Mapping[str, Any], typed: bool = False) -> Iterator[list[Any]]:
    """One line per item (a loan without items still gets one line). ``typed`` keeps
    real dates for XLSX; otherwise every cell is text."""
    items = record["items"] or [{"asset_no": None, "name": None, "returned_condition": None}]
    numbers = ", ".join(i["asset_no"] for i in record["items"])
    for item in items:
        line: list[Any] = []
        for key in LOAN_COLUMNS:
            if key == "items":
                value: Any = numbers
            elif key == "item_name":
                value = item["name"]
            elif key in ("asset_no", "returned_condition"):
                value = item[key]
            elif key.endswith("_be"):
                day = _as_date(record[key[:-3]])
                value = format_date_be(day, short=True) if day else None
            elif key in LOAN_DATES and typed:
                value = _as_date(record[key])
            else:
                value = record[key]
            if typed:
                line.append(None if value == "" else value)
            else:
                line.append("" if value is None else str(value))
        yield line


def export_loans(out: BinaryIO, fmt: str = "csv", f: LoanFilter | None = None) -> int:
    """Write the loan register (or the loans ``f`` selects) to a binary stream, oldest loan
    first; returns the number of loans."""
    fmt = fmt.lower()
    count = 0

    def records() -> Iterator[dict[str, Any]]:
        nonlocal count
        for row in iter_loan_rows(f):
            count += 1
            yield loan_record(row)

    if fmt == "csv":
        _write_csv(out, LOAN_COLUMNS, (line for r in records() for line in _loan_lines(r)))
    elif fmt == "json":
        _write_json(out, records())
    elif fmt == "xlsx":
        _write_xlsx(out, "ทะเบียนการยืม", LOAN_COLUMNS,
                    (line for r in records() for line in _loan_lines(r, typed=True)),
                    dates=LOAN_DATES)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return count


def _stamp(value: dt.datetime | None) -> str | None:
    """A stored UTC time as ISO 8601 with its zone."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def loan_detail(loan_no: str) -> dict[str, Any]:
    """Everything on the loan slip (ใบยืมพัสดุ), JSON-ready: the register's keys, then the
    borrower's details, the decision, the period in the Buddhist Era, every item with its
    hand-over and return, the follow-ups and the damage cases."""
    from models.loans import get_loan, loan_items

    loan = get_loan(loan_no)
    [row] = loan_rows_for([loan.loan_no])
    record = loan_record(row)
    borrower = loan.borrower
    requester = User.select(User, Person).join(Person).where(User.id == loan.requested_by_id).get()
    decider = (User.select(User, Person).join(Person).where(User.id == loan.decided_by_id).get()
               if loan.decided_by_id else None)
    items = loan_items(loan)
    cases = {c.item_id: c for c in DamageCase.select().where(
        DamageCase.item.in_([i.id for i in items]))} if items else {}
    users = {u.id: u.username for u in User.select(User.id, User.username).where(User.id.in_(
        [i.issued_by_id for i in items] + [i.returned_by_id for i in items]
        + [c.settled_by_id for c in cases.values()]))}
    follow_ups = (LoanFollowUp.select(LoanFollowUp, User).join(User)
                  .where(LoanFollowUp.loan == loan.id)
                  .order_by(LoanFollowUp.on_date, LoanFollowUp.id))
    unit = (Department.get_by_id(borrower.department_id).name
            if borrower.department_id else None)
    record.update({
        "borrower_position": borrower.position,
        "borrower_unit": unit,
        "borrower_phone": borrower.phone,
        "borrower_address": borrower.address,
        "borrower_external": borrower.external,
        "requested_by": requester.username,
        "requested_by_name": requester.person.name,
        "requested_at": _stamp(loan.requested_at),
        "decided_by": decider.username if decider else None,
        "decided_by_name": decider.person.name if decider else None,
        "decided_at": _stamp(loan.decided_at),
        "decision_note": loan.decision_note,
        **{f"{key}_be": format_date_be(_as_date(record[key]), short=True) or None
           for key in LOAN_DATES},
        "items": [{
            "asset_no": i.asset.asset_no,
            "name": i.asset.name,
            "value_at_loan": _money(i.value_at_loan),
            "issued_at": _stamp(i.issued_at),
            "issued_by": users.get(i.issued_by_id),
            "returned_at": _stamp(i.returned_at),
            "returned_by": users.get(i.returned_by_id),
            "returned_condition": i.returned_condition,
            "return_note": i.return_note,
        } for i in items],
        "follow_ups": [{
            "on_date": _iso(fu.on_date),
            "on_date_be": format_date_be(fu.on_date, short=True),
            "method": fu.method,
            "by": fu.by_user.username,
            "note": fu.note,
        } for fu in follow_ups],
        "damage_cases": [{
            "asset_no": i.asset.asset_no,
            "condition": c.condition,
            "suggested_amount": _money(c.suggested_amount),
            "status": c.status,
            "referred": c.referred,
            "settlement": c.settlement,
            "amount": _money(c.amount),
            "settled_at": _stamp(c.settled_at),
            "settled_by": users.get(c.settled_by_id),
            "note": c.note,
        } for i in items if (c := cases.get(i.id)) is not None],
    })
    return record


# ---- the results of a stock check -----------------------------------------------------

def stockcheck_records(check_id: Any) -> list[dict[str, Any]]:
    """Every row of a stock check with the open-data keys and JSON-ready values, plus the
    raw acquisition date and scan time under ``_acquired_on`` and ``_scanned_at``."""
    from models.stockcheck import get_check, result_rows

    check = get_check(check_id)
    depts = dict(Department.select(Department.code, Department.name).tuples())
    places = dict(Location.select(Location.code, Location.name).tuples())
    records = []
    for row in result_rows(check.id):
        records.append({
            "check_id": check.id,
            "fiscal_year": check.fiscal_year,
            "check_status": check.status,
            "no": row["no"],
            "asset_no": row["asset_no"],
            "code": row["code"],
            "name": row["name"] or None,
            "brand": row["brand"] or None,
            "department": depts.get(row["department"]),
            "department_code": row["department"],
            "location": places.get(row["location"]),
            "expected_location": row["location"],
            "found_location": row["found_location"],
            "status": row["result"],
            "condition": row["condition"],
            "scanned_by": row["found_by"],
            "scanned_at": _stamp(row["found_at"]),
            "loan_no": row["loan_no"],
            "explanation": row["explanation"] or None,
            "reason": row["reason"] or None,
            "wear_and_tear": bool(row["wear_and_tear"]),
            "price": _money(row["price"]),
            "acquired_on": _iso(row["acquired_on"]),
            "custodian": row["custodian"],
            "_acquired_on": _as_date(row["acquired_on"]),
            "_scanned_at": row["found_at"],
        })
    return records


def _stockcheck_line(record: Mapping[str, Any], typed: bool = False) -> list[Any]:
    from models.values import local_datetime

    line: list[Any] = []
    for key in STOCKCHECK_COLUMNS:
        if key == "acquired_on_be":
            value: Any = format_date_be(record["_acquired_on"], short=True) or None
        elif key == "scanned_at_be":
            moment = local_datetime(record["_scanned_at"])
            value = f"{format_date_be(moment.date(), short=True)} {moment:%H:%M}" if moment else None
        elif typed and key == "acquired_on":
            value = record["_acquired_on"]
        elif typed and key == "price":
            value = None if record["price"] is None else Decimal(record["price"])
        else:
            value = record[key]
        if typed:
            line.append(None if value == "" else value)
        elif value is None:
            line.append("")
        elif isinstance(value, bool):
            line.append("true" if value else "false")
        else:
            line.append(str(value))
    return line


def export_stockcheck(out: BinaryIO, fmt: str, check_id: Any) -> int:
    """Write the results of one stock check; returns the number of rows."""
    fmt = fmt.lower()
    records = stockcheck_records(check_id)
    if fmt == "csv":
        return _write_csv(out, STOCKCHECK_COLUMNS, (_stockcheck_line(r) for r in records))
    if fmt == "json":
        return _write_json(out, ({k: r[k] for k in STOCKCHECK_KEYS} for r in records))
    if fmt == "xlsx":
        return _write_xlsx(out, "ผลการตรวจสอบพัสดุ", STOCKCHECK_COLUMNS,
                           (_stockcheck_line(r, typed=True) for r in records),
                           dates=("acquired_on",), money=("price",))
    raise ValueError(f"unknown export format {fmt!r}")


# ---- the audit log ---------------------------------------------------------------------

def iter_audit_rows(page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        page = list(AuditEvent.select().where(AuditEvent.seq > last)
                    .order_by(AuditEvent.seq).limit(page_size).dicts())
        if not page:
            return
        yield from page
        last = page[-1]["seq"]


def audit_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """One audit event. ``before``/``after`` stay the exact canonical JSON text the hash
    covers, so anyone can recompute the chain from the export alone."""
    return {"seq": row["seq"], "at": row["at"], "actor": row["actor"], "action": row["action"],
            "entity": row["entity"], "entity_id": row["entity_id"], "before": row["before"],
            "after": row["after"], "hash": row["hash"], "prev_hash": row["prev_hash"]}


def export_audit(out: BinaryIO, fmt: str = "csv") -> int:
    """Write the whole audit log, oldest event first; returns the count."""
    fmt = fmt.lower()
    records = (audit_record(r) for r in iter_audit_rows())
    if fmt == "csv":
        return _write_csv(out, AUDIT_KEYS, ([str(r[k]) for k in AUDIT_KEYS] for r in records))
    if fmt == "json":
        return _write_json(out, records)
    if fmt == "xlsx":
        return _write_xlsx(out, "audit", AUDIT_KEYS, ([r[k] for k in AUDIT_KEYS] for r in records))
    raise ValueError(f"unknown export format {fmt!r}")


def _write_csv(out: BinaryIO, header: Iterable[str], lines: Iterable[list[str]]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    count = 0
    try:
        writer = csv.writer(text)
        writer.writerow(list(header))
        for line in lines:
            writer.writerow(line)
            count += 1
        text.flush()
    finally:
        text.detach()
    return count


def _write_json(out: BinaryIO, records: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    out.write(b"[")
    for record in records:
        out.write(b",\n" if count else b"\n")
        out.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        count += 1
    out.write(b"\n]\n" if count else b"]\n")
    out.flush()
    return count


def _xlsx_asset_cells(record: Mapping[str, Any], row: Mapping[str, Any]) -> list[Any]:
    cells: list[Any] = []
    for key in ASSET_COLUMNS:
        if key == "acquired_on":
            cells.append(_as_date(row["acquired_on"]))
        elif key == "price":
            cells.append(None if row["price"] is None else Decimal(row["price"]))
        elif key == "acquired_on_be":
            cells.append(format_date_be(_as_date(row["acquired_on"]), short=True))
        else:
            value = record[key]
            cells.append(None if value == "" else value)  # empty cells are not written at all
    return cells


def _write_xlsx(out: BinaryIO, title: str, header: Iterable[str], lines: Iterable[list[Any]],
                dates: tuple[str, ...] = (), money: tuple[str, ...] = ()) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    header = list(header)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head_cells = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        head_cells.append(cell)
    ws.append(head_cells)
    formats = {i: "yyyy-mm-dd" for i, k in enumerate(header) if k in dates}
    formats.update({i: "#,##0.00" for i, k in enumerate(header) if k in money})
    count = 0
    for line in lines:
        if formats:
            line = list(line)
            for i, number_format in formats.items():
                if line[i] is not None:
                    cell = WriteOnlyCell(ws, value=line[i])
                    cell.number_format = number_format
                    line[i] = cell
        ws.append(line)
        count += 1
    workbook.save(out)
    return count
