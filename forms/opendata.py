"""Open-data exports (ITA item O14): the asset register and the audit log as
machine-readable CSV, JSON or XLSX.

Keys are stable; the first thirteen asset keys are the ones PRODUCT.md publishes and
the rest follow them. Values:

* ``category``, ``department``, ``location`` and ``funding_source`` are the Thai names a
  person reads; the ``*_code`` columns beside them carry the codes a program joins on.
* ``status`` is the code (``available``, ``on_loan``, ``repair``, ``lost``, ``disposed``).
* dates are ISO ``YYYY-MM-DD``; CSV and XLSX add ``acquired_on_be`` (``15/3/2567``).
* amounts are decimal strings with two places (``25900.00``); XLSX writes real numbers
  and dates so that sums and filters work in Excel.
* ``lendable`` is ``true``/``false`` (a JSON boolean).

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
from models.schema import Asset, AuditEvent, Category, Department, Location, Person
from models.values import format_date_be

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
