"""Thai text for paper: amounts in words (บาทถ้วน), Thai digits, and where a line of Thai
may be cut.

Amounts in words follow the way Thai officials write them on cheques, receipts and
letters (and Excel's BAHTTEXT):

* a one in the tens place is สิบ, a two is ยี่สิบ (21 = ยี่สิบเอ็ด);
* a one in the units place of a number above ten is เอ็ด (11 = สิบเอ็ด, 101 = หนึ่งร้อยเอ็ด,
  1,000,001 = หนึ่งล้านเอ็ด); alone it is หนึ่ง;
* millions repeat: 1,000,000,000,000 = หนึ่งล้านล้าน;
* whole baht end in ถ้วน; satang are read as a number of their own (0.50 = ห้าสิบสตางค์,
  12.01 = สิบสองบาทหนึ่งสตางค์).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGIT_WORDS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
PLACE_WORDS = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")
MILLION = 1_000_000

_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def thai_digits(text: str) -> str:
    """``2569`` as ``๒๕๖๙``; every other character stays."""
    return text.translate(_TO_THAI)


def _below_million(n: int, after_higher: bool) -> str:
    """Read 0 < n < 1,000,000. ``after_higher`` says that digits stand before these (the
    millions), so a lone final one is still เอ็ด."""
    digits = str(n)
    words = []
    for i, ch in enumerate(digits):
        d = int(ch)
        place = len(digits) - 1 - i
        if d == 0:
            continue
        if place == 1:
            words.append({1: "", 2: "ยี่"}.get(d, DIGIT_WORDS[d]) + "สิบ")
        elif place == 0 and d == 1 and (n > 1 or after_higher):
            words.append("เอ็ด")
        else:
            words.append(DIGIT_WORDS[d] + PLACE_WORDS[place])
    return "".join(words)


def number_text(n: int) -> str:
    """A whole number in Thai words: 12345 as หนึ่งหมื่นสองพันสามร้อยสี่สิบห้า."""
    if n < 0:
        raise ValueError("number_text reads numbers of zero and above")
    if n == 0:
        return DIGIT_WORDS[0]
    return _read(n, after_higher=False)


def _read(n: int, after_higher: bool) -> str:
    high, low = divmod(n, MILLION)
    out = ""
    if high:
        out = _read(high, after_higher) + "ล้าน"
    if low:
        out += _below_million(low, after_higher or bool(high))
    return out


def baht_text(amount: Decimal | int | str) -> str:
    """An amount of baht in words, as on a receipt: ``12345`` is
    หนึ่งหมื่นสองพันสามร้อยสี่สิบห้าบาทถ้วน, ``0.75`` is เจ็ดสิบห้าสตางค์."""
    try:
        value = Decimal(str(amount).replace(",", "")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount of money") from None
    if value < 0:
        raise ValueError("an amount in words cannot be negative")
    baht = int(value)
    satang = int((value - baht) * 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    out = number_text(baht) + "บาท" if baht else ""
    return out + (number_text(satang) + "สตางค์" if satang else "ถ้วน")


# ---- where Thai may be cut ---------------------------------------------------------------

def _attaches_to_previous(ch: str) -> bool:
    """Marks above and below, and the following vowels ะ า ำ ๅ, never start a piece."""
    code = ord(ch)
    return (code == 0x0E31 or 0x0E34 <= code <= 0x0E3A or 0x0E47 <= code <= 0x0E4E
            or code in (0x0E30, 0x0E32, 0x0E33, 0x0E45))


def _leads(ch: str) -> bool:
    """The vowels written before their consonant: เ แ โ ใ ไ."""
    return 0x0E40 <= ord(ch) <= 0x0E44


def clusters(text: str) -> list[str]:
    """The text in pieces that can stand apart on paper: a consonant with its vowels and
    tone marks (a leading vowel stays with the consonant after it)."""
    pieces: list[str] = []
    pending = ""
    for ch in text:
        if pieces and not pending and _attaches_to_previous(ch):
            pieces[-1] += ch
        elif _leads(ch):
            pending += ch
        else:
            pieces.append(pending + ch)
            pending = ""
    if pending:
        pieces.append(pending)
    return pieces


def leads_syllable(piece: str) -> bool:
    """Whether a cluster opens with a vowel written before its consonant (เ แ โ ใ ไ): a
    syllable starts there, so a line cut just before it reads naturally."""
    return bool(piece) and _leads(piece[0])
