"""Reading asset registers kept as spreadsheets (CSV or XLSX) into rows for the import.

Thai offices keep their registers (ทะเบียนครุภัณฑ์) in Excel with headers such as
รหัสครุภัณฑ์, รายการ, ยี่ห้อ/รุ่น, วัน เดือน ปี ที่ได้มา, ราคา (บาท). This module finds the
header row, maps each column to a field code of :data:`models.assets.FIELD_LABELS`, and
yields ``(line number, {field: raw value})`` for every non-blank row. It judges no value:
dates, amounts, categories and departments are checked by :func:`models.assets.import_assets`.

Line numbers are the spreadsheet's own row numbers (the header is usually line 1), so an
error message points at the row a person sees in Excel.

A CSV cell that starts with an apostrophe followed by ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return loses that apostrophe: it is the one :func:`quote_formula` adds when the
product writes such text to CSV, so that a spreadsheet shows it as text, not as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from models.assets import FIELD_LABELS, REQUIRED, label
from models.errors import ValidationError
from models.values import BE_OFFSET

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 20

# A combined "ยี่ห้อ/รุ่น" column is split into brand and model.
BRAND_MODEL = "brand_model"

# Text starting with one of these is a formula to Excel and LibreOffice (OWASP "CSV injection").
FORMULA_STARTS = frozenset("=+-@\t\r")
_QUOTABLE = FORMULA_STARTS | {"'"}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def quote_formula(text: str) -> str:
    """CSV text a spreadsheet will not run: ``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``,
    ``-ชำรุด-`` -> ``'-ชำรุด-``. A plain number such as ``-12.50`` stays as it is. Text that
    already starts with apostrophes before such a character gets one more, so that
    :func:`unquote_formula` gives back exactly the text written."""
    first = text[:1]
    if first not in _QUOTABLE:
        return text
    if first != "'" and _NUMBER.fullmatch(text):
        return text
    return "'" + text if text.lstrip("'")[:1] in FORMULA_STARTS else text


def unquote_formula(cell: str) -> str:
    """The text :func:`quote_formula` was given: one leading apostrophe less when it stands
    before ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (after any further
    apostrophes); any other cell as it is."""
    if cell[:1] == "'" and cell.lstrip("'")[:1] in FORMULA_STARTS:
        return cell[1:]
    return cell


# Columns that stand in for another when that one is absent or blank: the twins written
# by our own open-data export, so an export re-imports as it is.
FALLBACKS = {
    "category_code": "category",
    "department_code": "department",
    "location_code": "location",
    "funding_source_code": "funding_source",
    "acquired_on_be": "acquired_on",
}

_HEADERS: dict[str, tuple[str, ...]] = {
    "asset_no": ("รหัสครุภัณฑ์", "เลขทะเบียน", "หมายเลขครุภัณฑ์", "เลขครุภัณฑ์", "เลขที่ครุภัณฑ์",
                 "หมายเลขทะเบียน", "รหัสพัสดุ", "รหัสทรัพย์สิน", "asset no", "asset number",
                 "asset code"),
    "name": ("รายการ", "ชื่อครุภัณฑ์", "ชื่อพัสดุ", "ชื่อรายการ", "ชื่อ", "name", "item",
             "asset name"),
    "description": ("รายละเอียด", "คุณลักษณะ", "รายละเอียด/คุณลักษณะ", "รายละเอียดคุณลักษณะ",
                    "description", "specification"),
    "brand": ("ยี่ห้อ", "brand", "make", "manufacturer"),
    "model": ("รุ่น", "model"),
    BRAND_MODEL: ("ยี่ห้อ/รุ่น", "ยี่ห้อรุ่น", "ยี่ห้อ,รุ่น", "ยี่ห้อและรุ่น", "brand/model",
                  "brand and model", "make/model"),
    "serial_no": ("หมายเลขเครื่อง", "หมายเลขประจำเครื่อง", "เลขเครื่อง", "serial no",
                  "serial number", "serial", "s/n", "sn"),
    "category": ("ประเภท", "หมวด", "ประเภทครุภัณฑ์", "หมวดครุภัณฑ์", "category", "class"),
    "department": ("หน่วยงาน", "กอง", "สำนัก/กอง", "กอง/สำนัก", "ส่วนราชการ", "สังกัด",
                   "หน่วยงานที่รับผิดชอบ", "department", "division"),
    "location": ("สถานที่ตั้ง", "ที่ตั้ง", "สถานที่", "สถานที่ใช้งาน", "location", "place"),
    "custodian": ("ผู้รับผิดชอบ", "ผู้ใช้", "ผู้ใช้งาน", "ผู้ถือครอง", "ผู้ครอบครอง",
                  "custodian", "responsible", "holder"),
    "lendable": ("ให้ยืมได้", "ยืมได้", "lendable", "loanable"),
    "acquired_on": ("วัน เดือน ปี ที่ได้มา", "วันที่ได้มา", "วันที่ซื้อ", "วันที่ได้รับ",
                    "วัน เดือน ปี", "acquired on", "acquisition date", "date acquired",
                    "purchase date"),
    "price": ("ราคา", "ราคาต่อหน่วย", "ราคาทุน", "ราคาซื้อ", "price", "unit price", "cost"),
    "unit": ("หน่วยนับ", "หน่วย", "unit"),
    "funding_source": ("แหล่งเงิน", "ประเภทเงิน", "แหล่งงบประมาณ", "แหล่งที่มาของเงิน",
                       "funding source", "funding", "source of funds"),
    "acquisition_method": ("วิธีการได้มา", "วิธีได้มา", "วิธีการจัดหา", "acquisition method",
                           "method"),
    "supplier": ("ผู้ขาย", "ผู้รับจ้าง", "ผู้บริจาค", "ผู้ขาย/ผู้รับจ้าง/ผู้บริจาค", "ร้านค้า",
                 "supplier", "vendor", "seller", "contractor", "donor"),
    "document_no": ("เลขที่เอกสาร", "เอกสารอ้างอิง", "document no", "document number",
                    "document"),
    "useful_life_years": ("อายุการใช้งาน", "useful life", "useful life years"),
    "remarks": ("หมายเหตุ", "remarks", "remark", "notes", "note"),
}


def normalise_header(text: object) -> str:
    """The comparable form of a header: no brackets such as ``(บาท)``, no spaces,
    underscores, dashes, dots or colons, lower case. ``"ราคา (บาท)"`` -> ``"ราคา"``,
    ``"Serial No."`` -> ``"serialno"``, ``"asset_no"`` -> ``"assetno"``."""
    raw = unicodedata.normalize("NFC", str(text if text is not None else "")).replace("\ufeff", "")
    stripped = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", raw)
    if not stripped.strip():
        stripped = raw
    return re.sub(r"[\s_\-.:*#]+", "", stripped.lower())


def _header_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, names in _HEADERS.items():
        for name in names:
            out.setdefault(normalise_header(name), code)
    for code, (en, th) in FIELD_LABELS.items():  # the labels the product itself prints
        out.setdefault(normalise_header(code), code)
        out.setdefault(normalise_header(en), code)
        out.setdefault(normalise_header(th), code)
    for twin in FALLBACKS:
        out.setdefault(normalise_header(twin), twin)
    return out


HEADER_MAP = _header_map()


def field_for_header(header: object) -> str | None:
    """The field code a column header stands for, or None when it is not one of ours."""
    return HEADER_MAP.get(normalise_header(header))


_BRAND_MODEL_THAI = re.compile(r"^\s*ยี่ห้อ\s*(?P<brand>.*?)\s*รุ่น\s*(?P<model>.*?)\s*$")


def split_brand_model(text: str) -> tuple[str, str]:
    """``"Lenovo / ThinkPad E14"``, ``"ยี่ห้อ Lenovo รุ่น ThinkPad"`` or ``"Lenovo ThinkPad E14"``
    -> ``("Lenovo", "ThinkPad E14")``; a single word is the brand alone."""
    text = " ".join(str(text or "").split())
    if not text or text in ("-", "–"):
        return "", ""
    if m := _BRAND_MODEL_THAI.match(text):
        return m["brand"].strip(" /-,"), m["model"].strip(" /-,")
    for sep in ("/", " - ", " – ", ","):
        if sep in text:
            brand, model = text.split(sep, 1)
            return brand.strip(), model.strip()
    text = text.removeprefix("ยี่ห้อ").strip()
    brand, _, model = text.partition(" ")
    return brand, model.strip()


@dataclass
class Register:
    """A register file, read lazily: the header is known at once, rows are yielded on
    iteration as ``(line, {field: value})``. ``columns`` maps each used header to its field
    code; ``ignored`` lists the headers that are not imported."""

    path: Path
    kind: str
    header_line: int
    columns: dict[str, str]
    ignored: list[str]
    sheet: str | None = None
    _rows: Callable[[], Iterator[tuple[int, list[Any]]]] = field(repr=False, default=None)
    _positions: list[tuple[int, str]] = field(repr=False, default_factory=list)
    width: int = 0  # cells in the header row

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for line, cells in self._rows():
            if line <= self.header_line or _blank(cells):
                continue
            if self.kind == "csv" and len(cells) > self.width and not _blank(cells[self.width:]):
                # A comma inside an unquoted value ("4,500.00") shifts every cell after it.
                raise ValidationError("FILE", f"Line {line} of '{self.path.name}' has {len(cells)} cells but "
                                              f"the header has {self.width}: a value with a comma must be "
                                              "in quotes; nothing was imported.")
            yield line, self._row(cells)

    def _row(self, cells: list[Any]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        twins: dict[str, Any] = {}
        combined = None
        for index, code in self._positions:
            value = _cell_value(cells[index] if index < len(cells) else None, code)
            if code == BRAND_MODEL:
                combined = value
            elif code in FALLBACKS:
                twins[FALLBACKS[code]] = value
            else:
                row[code] = value
        if combined is not None:
            brand, model = split_brand_model(combined)
            if _empty(row.get("brand")):
                row["brand"] = brand
            if _empty(row.get("model")) and (model or "model" not in row):
                row["model"] = model
        for code, value in twins.items():
            if _empty(row.get(code)) and not _empty(value):
                row[code] = value
        return row


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _blank(cells: list[Any]) -> bool:
    return all(_empty(c) for c in cells)


def _cell_value(value: Any, code: str) -> Any:
    """What a cell hands to the domain: text, or a date / Decimal / bool the spreadsheet
    already typed. Excel keeps numbers as floats, so prices go through ``str``."""
    if type(value) is str:  # every cell of a CSV: the common case first
        return value
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if code in ("acquired_on", "acquired_on_be"):
            if day.year > 2400:  # typed as 15/3/2567 in an Excel that took 2567 as the year
                try:
                    return day.replace(year=day.year - BE_OFFSET)
                except ValueError:
                    return f"{day.day}/{day.month}/{day.year}"
            return day
        return day.isoformat()
    if isinstance(value, bool):
        return value if code == "lendable" else str(value).upper()
    if isinstance(value, int | float | Decimal):
        if code == "price":
            return Decimal(str(value))
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return str(value)


def read_register(path: str | Path) -> Register:
    """Open a CSV or XLSX register and map its header; raise one sentence if the file
    cannot be read or lacks a required column."""
    path = Path(path)
    if not path.exists():
        raise ValidationError("FILE", f"The file '{path}' does not exist.")
    if not path.is_file():
        raise ValidationError("FILE", f"'{path}' is not a file.")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _open(path, "csv", _csv_rows(path), None)
    if suffix in XLSX_SUFFIXES:
        sheet, rows = _xlsx_rows(path)
        return _open(path, "xlsx", rows, sheet)
    if suffix == ".xls":
        raise ValidationError("FILE", f"The file '{path.name}' is an old Excel 97-2003 workbook: "
                                      "save it as .xlsx or .csv (UTF-8) and import that.")
    raise ValidationError("FILE", f"The file '{path.name}' is neither CSV nor XLSX.")


def _open(path: Path, kind: str, rows: Callable[[], Iterator[tuple[int, list[Any]]]],
          sheet: str | None) -> Register:
    header_line, header = _find_header(rows)
    positions: list[tuple[int, str]] = []
    columns: dict[str, str] = {}
    ignored: list[str] = []
    taken: set[str] = set()
    for index, cell in enumerate(header):
        text = " ".join(str(cell if cell is not None else "").replace("\ufeff", "").split())
        if not text:
            continue
        code = field_for_header(text)
        if code is None:
            ignored.append(text)
        elif code in taken:
            ignored.append(f"{text} (a second {_describe(code)} column)")
        else:
            taken.add(code)
            positions.append((index, code))
            columns[text] = code
    if BRAND_MODEL in taken:
        taken |= {"brand", "model"}
    taken |= {FALLBACKS[c] for c in taken if c in FALLBACKS}
    missing = [code for code in REQUIRED if code not in taken]
    if missing:
        names = ", ".join(_describe(code) for code in missing)
        where = f"line {header_line}" if header_line else "the file"
        raise ValidationError(
            missing[0],
            f"The file '{path.name}' has no column for the {names} "
            f"(the header on {where} was not recognised for {'it' if len(missing) == 1 else 'them'}).")
    return Register(path=path, kind=kind, header_line=header_line, columns=columns,
                    ignored=ignored, sheet=sheet, _rows=rows, _positions=positions,
                    width=len(header))


def _describe(code: str) -> str:
    if code == BRAND_MODEL:
        return "brand/model (ยี่ห้อ/รุ่น)"
    if code in FIELD_LABELS:
        return f"{label(code)} ({label(code, 'th')})"
    return code


def _looks_like_header(cells: list[Any]) -> bool:
    return len({field_for_header(c) for c in cells if not _empty(c)} - {None}) >= 2


def _find_header(rows: Callable[[], Iterator[tuple[int, list[Any]]]]) -> tuple[int, list[Any]]:
    """The first row naming at least two known fields (title rows above it are skipped);
    failing that, the first non-blank row."""
    first: tuple[int, list[Any]] | None = None
    with closing(rows()) as lines:
        for line, cells in lines:
            if _blank(cells):
                continue
            if first is None:
                first = (line, cells)
            if _looks_like_header(cells):
                return line, cells
            if line >= HEADER_SEARCH_ROWS:
                break
    if first is None:
        raise ValidationError("FILE", "The file is empty: it has no header row and no asset rows.")
    return first


# ---- CSV -------------------------------------------------------------------------------

def _decode(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        if data[:4] == b"PK\x03\x04":
            raise ValidationError("FILE", f"The file '{path.name}' is a workbook, not CSV: "
                                          "name it .xlsx to import it.")
        raise ValidationError("FILE", f"The file '{path.name}' is not a text (CSV) file.")
    for encoding in ("utf-8-sig", "cp874"):  # cp874 is the Windows form of TIS-620
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("FILE", f"The file '{path.name}' is neither UTF-8 nor TIS-620 text: "
                                  "save it from Excel as 'CSV UTF-8'.")


def _delimiter(sample: str) -> str:
    """Excel writes ',' or, in some locales, ';'; tab-separated text comes from copy-paste.
    The commonest of them in the first lines wins (csv.Sniffer guesses quoting wrongly on
    cells that hold quotes)."""
    counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(path: Path) -> Callable[[], Iterator[tuple[int, list[Any]]]]:
    text = _decode(path)
    first_lines = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = _delimiter(first_lines)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for line, cells in enumerate(reader, start=1):
                for i, cell in enumerate(cells):
                    if cell[:1] == "'":
                        cells[i] = unquote_formula(cell)
                yield line, cells
        except csv.Error as exc:
            raise ValidationError("FILE", f"The file '{path.name}' is not valid CSV near line "
                                          f"{reader.line_num}: {exc}.") from None

    return rows


# ---- XLSX ------------------------------------------------------------------------------

def _load_workbook(path: Path):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ValidationError("FILE", f"The file '{path.name}' is not a readable XLSX workbook "
                                      f"({type(exc).__name__}).") from None


def _sheet_rows(path: Path, sheet: str) -> Iterator[tuple[int, list[Any]]]:
    workbook = _load_workbook(path)
    try:
        ws = workbook[sheet]
        ws.reset_dimensions()  # some writers record wrong dimensions; read every row
        for line, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            yield line, list(cells)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError("FILE", f"The workbook '{path.name}' is damaged "
                                      f"({type(exc).__name__}).") from None
    finally:
        workbook.close()


def _xlsx_rows(path: Path) -> tuple[str, Callable[[], Iterator[tuple[int, list[Any]]]]]:
    """The first sheet whose header we recognise (else the first sheet)."""
    workbook = _load_workbook(path)
    try:
        names = list(workbook.sheetnames)
    finally:
        workbook.close()
    if not names:
        raise ValidationError("FILE", f"The workbook '{path.name}' has no sheets.")
    for name in names:
        with closing(_sheet_rows(path, name)) as lines:
            for line, cells in lines:
                if _looks_like_header(cells):
                    return name, lambda name=name: _sheet_rows(path, name)
                if line >= HEADER_SEARCH_ROWS:
                    break
    return names[0], lambda: _sheet_rows(path, names[0])
