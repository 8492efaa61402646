"""Parsing and showing the values people type: dates (BE or CE), money, yes/no.

Dates are stored Gregorian; the Buddhist Era (BE = CE + 543) and the Thai
fiscal year (1 Oct - 30 Sep, named by the BE year it ends in) are only for
input and display.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ValidationError

BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_MONTH_LOOKUP = {name: i + 1 for i, name in enumerate(THAI_MONTHS)}
_MONTH_LOOKUP.update({name: i + 1 for i, name in enumerate(THAI_MONTHS_SHORT)})
_MONTH_LOOKUP.update({name.replace(".", ""): i + 1 for i, name in enumerate(THAI_MONTHS_SHORT)})

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})\s*([^\d\s]+)\s*(\d{2}|\d{4})$")


# Invisible controls that change the order text is shown in: "ตู้<RLO>321" shows as "ตู้123".
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# What clean_text refuses, found in one pass (the loop below then names the character):
# the direction controls above, C0 and C1 controls but tab and line breaks, and surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _kind(value: object) -> str:
    return {list: "a list", tuple: "a list", dict: "a mapping", bytes: "bytes", bool: "yes/no",
            set: "a set"}.get(type(value), type(value).__name__)


def clean_text(value: object, field: str, label: str | None = None, limit: int | None = None,
               multiline: bool = False) -> str:
    """Text as people type it: blanks collapsed (on one line unless ``multiline``), and
    refused, naming the field, when it is not text, is longer than ``limit``, or carries
    what cannot be shown, printed, searched or stored: control characters (a NUL, a
    terminal escape), direction overrides that make it read differently from what is
    stored, or halves of characters that no encoding can write."""
    label = label or field.replace("_", " ")
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValidationError(field, f"The {label} must be text, not {_kind(value)}.")
    text = value if isinstance(value, str) else str(value)
    for ch in _UNSAFE.findall(text):
        if ch in BIDI_CONTROLS:
            raise ValidationError(field, f"The {label} contains an invisible direction control "
                                         f"(U+{ord(ch):04X}) that makes it read differently on screen; "
                                         "remove it.")
        kind = unicodedata.category(ch)
        if kind == "Cs" or (kind == "Cc" and ch not in "\t\n\r"):
            raise ValidationError(field, f"The {label} contains a control character (U+{ord(ch):04X}); "
                                         "remove it.")
    if multiline:
        text = "\n".join(" ".join(line.split()) for line in text.strip().splitlines())
    else:
        text = " ".join(text.split())
    if limit and len(text) > limit:
        raise ValidationError(field, f"The {label} is longer than {limit} characters.")
    return text


def thai_to_arabic_digits(text: str) -> str:
    return text.translate(_THAI_DIGITS)


def _year_from(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # two-digit years in Thai registers are BE: 68 -> 2568
        year += 2500
    if year > 2400:
        year -= BE_OFFSET
    return year


def parse_date(value: object, field: str = "date", label: str | None = None) -> dt.date:
    """A date from ISO ``2026-12-01``, Thai ``1/12/2569`` (or CE ``1/12/2026``),
    ``1 ธันวาคม 2569`` / ``1 ธ.ค. 69``, a ``date`` or a ``datetime``."""
    label = label or field.replace("_", " ")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = thai_to_arabic_digits(str(value or "")).strip()
    if not text:
        raise ValidationError(field, f"The {label} is missing.")
    day = month = year = None
    if m := _ISO.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        if year > 2400:
            year -= BE_OFFSET
    elif m := _DMY.match(text):
        day, month, year = int(m[1]), int(m[2]), _year_from(m[3])
    elif (m := _D_MONTH_Y.match(text)) and m[2] in _MONTH_LOOKUP:
        day, month, year = int(m[1]), _MONTH_LOOKUP[m[2]], _year_from(m[3])
    else:
        raise ValidationError(
            field,
            f"The {label} '{value}' is not a date: write it as 1/12/2569 (day/month/BE year) or 2026-12-01.",
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(field, f"The {label} '{value}' does not exist in the calendar.") from None


def format_date_be(value: dt.date | None, short: bool = False) -> str:
    """``28 พฤศจิกายน 2569``, or ``28/11/2569`` when ``short``."""
    if value is None:
        return ""
    if short:
        return f"{value.day}/{value.month}/{value.year + BE_OFFSET}"
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + BE_OFFSET}"


def fiscal_year_of(value: dt.date) -> int:
    """The BE fiscal year a date falls in: 1 Oct 2568 (CE 2025) opens FY 2569."""
    year = value.year + 1 if value.month >= 10 else value.year
    return year + BE_OFFSET


def fiscal_year_bounds(be_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of a BE fiscal year."""
    ce_end = be_year - BE_OFFSET
    return dt.date(ce_end - 1, 10, 1), dt.date(ce_end, 9, 30)


MONEY_PLACES = Decimal("0.01")
MONEY_MAX = Decimal("9999999999.99")


def parse_money(value: object, field: str = "price", label: str | None = None) -> Decimal:
    """A non-negative amount in baht with at most 2 decimals: ``12,345.50``, ``1 200 บาท``."""
    label = label or field.replace("_", " ")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal | None):
        raise ValidationError(field, f"The {label} must be an amount of money, not {_kind(value)}.")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = thai_to_arabic_digits(str(value or "")).strip()
        text = text.replace("บาท", "").replace(",", "").replace(" ", "").replace("\u00a0", "")
        if not text:
            raise ValidationError(field, f"The {label} is missing.")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(field, f"The {label} '{value}' is not an amount of money.") from None
    if not amount.is_finite():
        raise ValidationError(field, f"The {label} '{value}' is not an amount of money.")
    if amount < 0:
        raise ValidationError(field, f"The {label} cannot be negative ({value}).")
    if amount > MONEY_MAX:
        raise ValidationError(field, f"The {label} {value} is too large.")
    if amount != amount.quantize(MONEY_PLACES, rounding=ROUND_HALF_UP):
        raise ValidationError(field, f"The {label} '{value}' has more than 2 decimal places.")
    return amount.quantize(MONEY_PLACES)


def format_money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


_TRUE = {"1", "true", "yes", "y", "ใช่", "ได้", "ยืมได้", "x", "✓"}
_FALSE = {"0", "false", "no", "n", "ไม่", "ไม่ได้", "ยืมไม่ได้", "-", ""}


def parse_bool(value: object, field: str, label: str | None = None) -> bool:
    label = label or field.replace("_", " ")
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(field, f"The {label} '{value}' must be yes or no.")


def parse_thai_id(value: object, field: str = "thai_id", label: str | None = None) -> str:
    """A 13-digit Thai national ID with a valid check digit; dashes and spaces allowed."""
    label = label or "Thai ID number"
    digits = "".join(ch for ch in thai_to_arabic_digits(str(value or "")) if ch not in " -")
    if not digits:
        return ""
    if len(digits) != 13 or not digits.isdigit():
        raise ValidationError(field, f"The {label} '{value}' must have 13 digits.")
    total = sum(int(d) * w for d, w in zip(digits[:12], range(13, 1, -1), strict=True))
    if (11 - total % 11) % 10 != int(digits[12]):
        raise ValidationError(field, f"The {label} '{value}' has a wrong check digit.")
    return digits


def local_datetime(utc_naive: dt.datetime | None) -> dt.datetime | None:
    """A stored (naive UTC) time as the local wall-clock time of the machine, which runs
    on the agency's time like ``date.today()`` does."""
    if utc_naive is None:
        return None
    return utc_naive.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def local_date(utc_naive: dt.datetime | None) -> dt.date | None:
    """The local calendar day of a stored (naive UTC) time."""
    local = local_datetime(utc_naive)
    return local.date() if local else None
