"""Hostile and broken input, gathered in one place: what a careless paste, an old
spreadsheet, a stuck key or a mischievous user feeds the register. Every entry must be
refused with one sentence naming the field, write nothing and never show a traceback.

Each entry is (field the refusal must name, the value, why it is bad).
"""

from __future__ import annotations

from decimal import Decimal

RLO = "\u202e"   # right-to-left override: makes "exe.txt" read as "txt.exe"
LRI = "\u2066"   # left-to-right isolate
LONG = "ก" * 5000

# Text fields of an asset: control characters, bidi overrides, lone surrogates, overlong.
ASSET_TEXT = [
    ("name", "", "empty"),
    ("name", "   \t ", "only blanks"),
    ("name", LONG, "far over 300 characters"),
    ("name", "โต๊ะ\x00ทำงาน", "NUL byte"),
    ("name", "โต๊ะ\x1b[31mแดง", "terminal escape sequence"),
    ("name", f"โต๊ะ{RLO}งานทำ", "right-to-left override"),
    ("name", f"{LRI}โต๊ะ", "bidi isolate"),
    ("name", "โต๊ะ\ud800", "lone surrogate, not encodable"),
    ("name", "\x7f\x08", "delete and backspace"),
    ("brand", "B" * 101, "over 100 characters"),
    ("model", f"E14{RLO}", "right-to-left override"),
    ("serial_no", "SN\x00001", "NUL byte"),
    ("supplier", "ห" * 201, "over 200 characters"),
    ("document_no", "\x1b]0;pwned\x07", "terminal title escape"),
    ("description", "ok\x00hidden", "NUL byte in free text"),
    ("remarks", f"note {RLO}", "right-to-left override in free text"),
    ("asset_no", "A" * 51, "over 50 characters"),
    ("asset_no", "ครุภัณฑ์-001", "Thai letters: a Code 128 label cannot carry them"),
    ("asset_no", "430-67-0001\x00", "NUL byte"),
    ("asset_no", "430 67 0001 ✓", "a symbol Code 128 cannot carry"),
]

# Wrong types, where a caller passes something that is not text or a number.
ASSET_TYPES = [
    ("name", ["โต๊ะ"], "a list"),
    ("name", {"th": "โต๊ะ"}, "a mapping"),
    ("price", [100], "a list"),
    ("price", True, "a yes/no"),
    ("acquired_on", 20240315, "a bare number"),
    ("brand", b"Lenovo", "bytes"),
]

DATES = [
    ("acquired_on", "2568-02-30", "30 February"),
    ("acquired_on", "31/13/2025", "month 13"),
    ("acquired_on", "30/2/2568", "30 February, BE"),
    ("acquired_on", "0/1/2568", "day 0"),
    ("acquired_on", "32/1/2568", "day 32"),
    ("acquired_on", "๓๑/๑๓/๒๕๖๘", "month 13 in Thai digits"),
    ("acquired_on", "๓๐/2/25๖8", "30 February, Thai and Arabic digits mixed"),
    ("acquired_on", "15/3/3110", "a BE year written with 543 added twice: in the future"),
    ("acquired_on", "15/3/1467", "a CE year minus 543: too far in the past"),
    ("acquired_on", "1/1/9999", "the far future"),
    ("acquired_on", "2567/03/15", "year first with slashes"),
    ("acquired_on", "15-มีนา-2567", "a month name that is not Thai's"),
    ("acquired_on", "'; DROP TABLE asset; --", "SQL"),
    ("acquired_on", "1/1/2567\x00", "NUL byte"),
    ("acquired_on", "๑๕/๓/๒๕๖๗" + RLO, "right-to-left override"),
    ("acquired_on", "2024-02-30T00:00", "a time on a day that does not exist"),
]

AMOUNTS = [
    ("price", "-1", "negative"),
    ("price", "-0.01", "negative"),
    ("price", "1e309", "overflows a float"),
    ("price", "99999999999999", "beyond ten billion baht"),
    ("price", "12.345", "three decimals"),
    ("price", "๑,๒๓๔.๕๖๗", "three decimals in Thai digits"),
    ("price", "NaN", "not a number"),
    ("price", "Infinity", "infinite"),
    ("price", "1.2.3", "two decimal points"),
    ("price", "หนึ่งพันบาท", "in words"),
    ("price", "0x1F", "hexadecimal"),
    ("price", "1 OR 1=1", "SQL"),
    ("price", Decimal("-5"), "a negative Decimal"),
    ("price", Decimal("1E+20"), "an enormous Decimal"),
    ("price", -3, "a negative int"),
    ("price", float("nan"), "a float NaN"),
]

THAI_IDS = [
    ("thai_id", "1234567890123", "wrong check digit"),
    ("thai_id", "123456789012", "12 digits"),
    ("thai_id", "12345678901234", "14 digits"),
    ("thai_id", "1-2345-67890-12-A", "a letter"),
    ("thai_id", "๑๒๓๔๕๖๗๘๙๐๑๒๓", "wrong check digit in Thai digits"),
    ("thai_id", "1101700230705\x00", "NUL byte"),
    ("thai_id", "' OR '1'='1", "SQL"),
]

SQLISH = [
    ("category", "' OR 1=1 --", "SQL in a lookup"),
    ("department", "01'; DROP TABLE asset; --", "SQL in a lookup"),
    ("funding_source", "เงินงบประมาณ" + RLO, "right-to-left override in a lookup"),
    ("useful_life_years", "-5", "negative years"),
    ("useful_life_years", "1e3", "not a whole number"),
    ("useful_life_years", "๙๙๙", "999 years in Thai digits"),
    ("lendable", "maybe", "neither yes nor no"),
]

# Everything an asset record can be fed, for the domain and for the import.
ASSET_FIELDS = ASSET_TEXT + DATES + AMOUNTS + SQLISH

# Scanned codes for a stock check: not labels of ours, refused before anything is recorded.
SCAN_CODES = [
    ("code", "", "empty"),
    ("code", "X" * 101, "longer than any label"),
    ("code", "430-67-0001\x00", "NUL byte"),
    ("code", "\x1b[2J", "terminal escape"),
    ("code", f"430-67-{RLO}1000", "right-to-left override"),
]

# File names typed into the print screen: each must stay inside the chosen folder.
OUTPUT_NAMES = [
    ("file", "../register.pdf", "climbs out of the folder"),
    ("file", "../../etc/cron.d/x", "climbs out of the folder"),
    ("file", "/etc/passwd", "an absolute path"),
    ("file", "sub/register.pdf", "a sub-folder"),
    ("file", "..", "the parent folder"),
    ("file", ".bashrc", "a hidden file"),
    ("file", "", "empty"),
    ("file", "register\x00.pdf", "NUL byte"),
    ("file", "register\n.pdf", "a line break"),
    ("file", f"gpj{RLO}.pdf", "right-to-left override"),
]
