"""The domain's sentences in Thai, for the Thai interface.

The rules below the interface (``models``) refuse bad input with one English sentence
naming the field; the command line and the English interface show it as written. The Thai
interface shows it through this catalogue: each entry is a sentence pattern with named
parts and its Thai wording, and the parts that are words of the product (field names,
statuses, roles, permissions) are put into Thai as well. A sentence with no entry yet is
shown as the domain wrote it, so nothing is ever lost in translation.
"""

from __future__ import annotations

import re
from functools import cache

from models.accounts import ACTION_PHRASES, ROLE_NAMES
from models.assets import FIELD_LABELS
from models.errors import DomainError
from models.loans import STATUS_NAMES

from .i18n import has, language, t

# English words of the product that appear inside sentences, and their Thai.
EXTRA_LABELS = {
    "start date": "วันเริ่มยืม",
    "due date": "วันครบกำหนดคืน",
    "new due date": "วันครบกำหนดคืนใหม่",
    "date": "วันที่",
    "amount": "จำนวนเงิน",
    "closure day": "วันหยุดของหน่วยงาน",
    "first day": "วันเริ่มต้น",
    "last day": "วันสิ้นสุด",
    "useful life": "อายุการใช้งาน",
    "thai id": "เลขประจำตัวประชาชน",
    "Thai ID number": "เลขประจำตัวประชาชน",
    "borrower's name": "ชื่อผู้ยืม",
    "borrower's organisation": "หน่วยงาน/องค์กรของผู้ยืม",
    "borrower's address": "ที่อยู่ของผู้ยืม",
    "borrower's phone number": "โทรศัพท์ของผู้ยืม",
    "purpose": "วัตถุประสงค์",
    "note": "หมายเหตุ",
    "user's full name": "ชื่อ-นามสกุลผู้ใช้",
    "position": "ตำแหน่ง",
    "username": "ชื่อผู้ใช้",
    "password": "รหัสผ่าน",
    "fiscal year": "ปีงบประมาณ",
    "phone number": "หมายเลขโทรศัพท์",
    "organisation": "หน่วยงาน/องค์กร",
    "address": "ที่อยู่",
}
ASSET_STATES = {
    "available": "พร้อมใช้งาน", "on loan": "อยู่ระหว่างยืม", "repair": "ส่งซ่อม",
    "under repair": "อยู่ระหว่างซ่อม", "lost": "สูญหาย", "disposed": "จำหน่ายแล้ว",
    "pending disposal": "รอจำหน่าย", "damaged": "ชำรุด",
}
DOINGS = {
    "approved": "อนุมัติ", "rejected": "ไม่อนุมัติ", "decided on": "พิจารณา",
    "handed over": "ส่งมอบ", "returned": "รับคืน", "extended": "ขยายเวลา",
    "cancelled": "ยกเลิก", "followed up": "บันทึกการติดตาม", "settled": "ชดใช้",
}

# (English pattern with named parts, Thai wording); the patterns match whole sentences.
CATALOGUE: tuple[tuple[str, str], ...] = (
    # logging in and permissions
    (r"Wrong username or password\.", "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"),
    (r"You must log in first\.", "กรุณาเข้าสู่ระบบก่อน"),
    (r"The account '(?P<user>.+)' is deactivated\.", "บัญชี '{user}' ถูกระงับการใช้งาน"),
    (r"The account '(?P<user>.+)' is locked after (?P<n>\d+) failed logins; try again in "
     r"(?P<min>\d+) minutes or ask an administrator\.",
     "บัญชี '{user}' ถูกล็อกเพราะใส่รหัสผ่านผิด {n} ครั้ง ลองใหม่ในอีก {min} นาที "
     "หรือติดต่อผู้ดูแลระบบ"),
    (r"The account '(?P<user>.+)' is now locked for (?P<min>\d+) minutes after (?P<n>\d+) "
     r"failed logins\.",
     "บัญชี '{user}' ถูกล็อก {min} นาที เพราะใส่รหัสผ่านผิด {n} ครั้ง"),
    (r"An? (?P<role>.+?) may not (?P<action>.+?); only: (?P<allowed>.+)\.",
     "{role}ไม่มีสิทธิ์{action} (ทำได้เฉพาะ: {allowed})"),
    (r"There is no user '(?P<user>.+)'\.", "ไม่มีผู้ใช้ '{user}'"),
    # records that do not exist
    (r"There is no asset number '(?P<no>.+)'\.", "ไม่มีครุภัณฑ์รหัส '{no}'"),
    (r"There is no loan number '(?P<no>.+)'\.", "ไม่มีใบยืมเลขที่ '{no}'"),
    (r"No asset or loan slip has the number '(?P<no>.+)'\.",
     "ไม่พบครุภัณฑ์หรือใบยืมเลขที่ '{no}'"),
    (r"'(?P<text>.*)' is not an asset or loan number\.", "'{text}' ไม่ใช่รหัสครุภัณฑ์หรือเลขที่ใบยืม"),
    (r"There is no department '(?P<code>.+)'\.", "ไม่มีหน่วยงาน '{code}'"),
    (r"There is no location '(?P<code>.+)'\.", "ไม่มีสถานที่ '{code}'"),
    (r"There is no category '(?P<code>.+)'\.", "ไม่มีประเภทครุภัณฑ์ '{code}'"),
    (r"The location '(?P<text>.+)' is unknown\.", "ไม่รู้จักสถานที่ '{text}'"),
    (r"The custodian '(?P<text>.+)' is not a known person\.", "ไม่พบผู้รับผิดชอบชื่อ '{text}' ในทะเบียน"),
    # values typed into fields
    (r"The (?P<label>.+?) '(?P<value>.*)' is not a date: write it as 1/12/2569 \(day/month/BE "
     r"year\) or 2026-12-01\.",
     "{label} '{value}' ไม่ใช่วันที่ ให้เขียนเป็น 1/12/2569 (วัน/เดือน/ปี พ.ศ.) หรือ 2026-12-01"),
    (r"The (?P<label>.+?) '(?P<value>.*)' does not exist in the calendar\.",
     "{label} '{value}' ไม่มีอยู่จริงในปฏิทิน"),
    (r"The (?P<label>.+?) '(?P<value>.*)' is not an amount of money\.",
     "{label} '{value}' ไม่ใช่จำนวนเงิน"),
    (r"The (?P<label>.+?) '(?P<value>.*)' has more than 2 decimal places\.",
     "{label} '{value}' มีทศนิยมเกิน 2 ตำแหน่ง"),
    (r"The (?P<label>.+?) cannot be negative \((?P<value>.*)\)\.", "{label}ติดลบไม่ได้ ({value})"),
    (r"The (?P<label>.+?) (?P<value>\S+) is too large\.", "{label} {value} มากเกินไป"),
    (r"The (?P<label>.+?) '(?P<value>.*)' must be yes or no\.", "{label} '{value}' ต้องเป็น ใช่ หรือ ไม่ใช่"),
    (r"The (?P<label>.+?) '(?P<value>.*)' must have 13 digits\.", "{label} '{value}' ต้องมี 13 หลัก"),
    (r"The (?P<label>.+?) '(?P<value>.*)' has a wrong check digit\.",
     "{label} '{value}' มีเลขตรวจสอบหลักสุดท้ายไม่ถูกต้อง"),
    (r"The (?P<label>.+?) is longer than (?P<n>\d+) characters\.", "{label}ยาวเกิน {n} ตัวอักษร"),
    (r"The (?P<label>.+?) (?P<value>\S+) is in the future\.", "{label} {value} เป็นวันในอนาคต"),
    (r"The (?P<label>.+?) must be between 1 and 100 years\.", "{label}ต้องอยู่ระหว่าง 1 ถึง 100 ปี"),
    (r"The asset number '(?P<no>.+)' is already registered\.", "รหัสครุภัณฑ์ '{no}' มีอยู่ในทะเบียนแล้ว"),
    (r"Asset (?P<no>\S+) is disposed; its record can no longer change\.",
     "ครุภัณฑ์ {no} จำหน่ายแล้ว แก้ไขข้อมูลไม่ได้อีก"),
    (r"The funding source '(?P<text>.+)' is unknown; use one of: (?P<choices>.+)\.",
     "ไม่รู้จักแหล่งเงิน '{text}' ให้เลือก: {choices}"),
    # loan requests
    (r"The purpose is missing: loans are for official use only\.",
     "กรุณาระบุวัตถุประสงค์ การยืมต้องเป็นไปเพื่อใช้ในราชการเท่านั้น"),
    (r"The place of use must be inside or outside \(the premises\)\.",
     "สถานที่ใช้ต้องเป็นภายในหรือภายนอกสถานที่"),
    (r"The start date (?P<day>\S+) is in the past\.", "วันเริ่มยืม {day} เป็นวันที่ผ่านมาแล้ว"),
    (r"The due date (?P<due>\S+) is before the start date (?P<start>\S+)\.",
     "วันครบกำหนดคืน {due} อยู่ก่อนวันเริ่มยืม {start}"),
    (r"Name at least one asset to borrow\.", "กรุณาระบุครุภัณฑ์ที่จะยืมอย่างน้อยหนึ่งรายการ"),
    (r"An asset is named twice in the request\.", "มีครุภัณฑ์ซ้ำกันในคำขอ"),
    (r"The assets belong to different departments; request them separately, one department per "
     r"request\.", "ครุภัณฑ์อยู่ต่างหน่วยงานกัน กรุณาแยกคำขอ หนึ่งหน่วยงานต่อหนึ่งคำขอ"),
    (r"Name the borrower\.", "กรุณาระบุผู้ยืม"),
    (r"Name either a staff borrower or an outside borrower, not both\.",
     "ระบุผู้ยืมที่เป็นเจ้าหน้าที่หรือบุคคลภายนอกอย่างใดอย่างหนึ่งเท่านั้น"),
    (r"The outside borrower's name is missing\.", "กรุณากรอกชื่อผู้ยืมภายนอก"),
    (r"The outside borrower's organisation is missing\.", "กรุณากรอกหน่วยงาน/องค์กรของผู้ยืมภายนอก"),
    (r"The outside borrower's address is missing\.", "กรุณากรอกที่อยู่ของผู้ยืมภายนอก"),
    (r"The outside borrower's phone number is missing\.", "กรุณากรอกโทรศัพท์ของผู้ยืมภายนอก"),
    (r"You may request loans only for yourself; a storekeeper can enter a request on someone's "
     r"behalf\.", "ท่านยื่นคำขอยืมได้เฉพาะในนามตนเอง เจ้าหน้าที่พัสดุจึงจะบันทึกคำขอแทนผู้อื่นได้"),
    (r"Asset (?P<no>\S+) is not lendable\.", "ครุภัณฑ์ {no} ไม่เปิดให้ยืม"),
    (r"Asset (?P<no>\S+) cannot be lent(?: now)?: it is (?P<state>.+)\.",
     "ครุภัณฑ์ {no} ให้ยืมไม่ได้ เพราะ{state}"),
    (r"Asset (?P<no>\S+) is already lent on loan (?P<loan>\S+) (?P<rest>.+)",
     "ครุภัณฑ์ {no} ถูกยืมตามใบยืม {loan} แล้ว ({rest})"),
    # deciding, handing over, taking back
    (r"You requested loan (?P<loan>\S+); somebody else must decide on it\.",
     "ท่านเป็นผู้ยื่นคำขอ {loan} เอง ต้องให้ผู้อื่นเป็นผู้พิจารณา"),
    (r"You are the borrower of loan (?P<loan>\S+); somebody else must decide on it\.",
     "ท่านเป็นผู้ยืมตามใบยืม {loan} เอง ต้องให้ผู้อื่นเป็นผู้พิจารณา"),
    (r"Loan (?P<loan>\S+) \((?P<kind>.+?)\) may be approved only by (?P<who>.+?): (?P<names>.+)\.",
     "ใบยืม {loan} ต้องได้รับอนุมัติจาก {names} เท่านั้น"),
    (r"Loan (?P<loan>\S+) is (?P<status>.+?); it cannot be (?P<doing>.+)\.",
     "ใบยืม {loan} อยู่ในสถานะ{status} จึง{doing}ไม่ได้"),
    (r"Loan (?P<loan>\S+) starts on (?P<day>\S+); it cannot be handed over before then\.",
     "ใบยืม {loan} เริ่มยืมวันที่ {day} ยังส่งมอบก่อนวันนั้นไม่ได้"),
    (r"Asset (?P<no>\S+) is not on loan (?P<loan>\S+)\.", "ครุภัณฑ์ {no} ไม่อยู่ในใบยืม {loan}"),
    (r"Asset (?P<no>\S+) of loan (?P<loan>\S+) has already been handed over\.",
     "ครุภัณฑ์ {no} ของใบยืม {loan} ส่งมอบไปแล้ว"),
    (r"Every item of loan (?P<loan>\S+) has already been handed over\.",
     "ครุภัณฑ์ทุกรายการของใบยืม {loan} ส่งมอบไปแล้ว"),
    (r"Asset (?P<no>\S+) of loan (?P<loan>\S+) has already been returned\.",
     "ครุภัณฑ์ {no} ของใบยืม {loan} รับคืนแล้ว"),
    (r"Asset (?P<no>\S+) of loan (?P<loan>\S+) was never handed over\.",
     "ครุภัณฑ์ {no} ของใบยืม {loan} ยังไม่เคยส่งมอบ"),
    (r"Asset (?P<no>\S+) is still out on loan (?P<loan>\S+)\.",
     "ครุภัณฑ์ {no} ยังถูกยืมอยู่ตามใบยืม {loan}"),
    (r"Asset (?P<no>\S+) is not in store: it is (?P<state>.+)\.",
     "ครุภัณฑ์ {no} ไม่อยู่ในคลัง เพราะ{state}"),
    (r"Asset (?P<no>\S+) is already out on another loan\.", "ครุภัณฑ์ {no} ถูกยืมไปตามใบยืมอื่นแล้ว"),
    (r"Items of loan (?P<loan>\S+) have been handed over; take them back instead of cancelling\.",
     "ใบยืม {loan} ส่งมอบพัสดุไปแล้ว ให้รับคืนแทนการยกเลิก"),
    (r"Only the requester, the borrower or a storekeeper may cancel loan (?P<loan>\S+)\.",
     "เฉพาะผู้ยื่นคำขอ ผู้ยืม หรือเจ้าหน้าที่พัสดุเท่านั้นที่ยกเลิกใบยืม {loan} ได้"),
    (r"The condition must be usable, damaged or lost\.", "สภาพต้องเป็น ใช้การได้ ชำรุด หรือสูญหาย"),
    (r"Describe how the asset was (?P<state>.+)\.", "กรุณาบรรยายว่าครุภัณฑ์{state}อย่างไร"),
    (r"The new due date must be after (?P<day>\S+)\.", "วันครบกำหนดคืนใหม่ต้องหลังวันที่ {day}"),
    (r"You cannot extend loan (?P<loan>\S+), which you requested or borrow\.",
     "ท่านขยายเวลาใบยืม {loan} ที่ท่านยื่นคำขอหรือเป็นผู้ยืมเองไม่ได้"),
    (r"The follow-up method must be letter, phone or visit\.",
     "วิธีติดตามต้องเป็น หนังสือ โทรศัพท์ หรือไปพบ"),
    (r"The (?P<label>.+?) contains an invisible direction control \((?P<code>U\+[0-9A-F]+)\) that "
     r"makes it read differently on screen; remove it\.",
     "{label}มีอักขระควบคุมทิศทางที่มองไม่เห็น ({code}) ซึ่งทำให้แสดงผลผิดไปจากที่เขียน กรุณาลบออก"),
    (r"The (?P<label>.+?) contains a control character \((?P<code>U\+[0-9A-F]+)\); remove it\.",
     "{label}มีอักขระควบคุม ({code}) กรุณาลบออก"),
    (r"The asset number '(?P<no>.+)' has characters a Code 128 barcode label cannot carry "
     r"\((?P<odd>.+)\): use Latin letters, digits and punctuation such as - / \.",
     "รหัสครุภัณฑ์ '{no}' มีอักขระที่บาร์โค้ด Code 128 บนป้ายพิมพ์ไม่ได้ ({odd}) "
     "ให้ใช้อักษรละติน ตัวเลข และเครื่องหมาย เช่น - / ."),
    # the most general sentences last
    (r"The (?P<label>.+?) is missing\.", "กรุณากรอก{label}"),
    # the database
    (r"The database is busy: another program has kept it locked for writing for over "
     r"(?P<seconds>\S+) seconds, so nothing was changed; try again in a moment \(or raise "
     r"(?P<env>\w+)\)\.",
     "ฐานข้อมูลถูกโปรแกรมอื่นล็อกการเขียนไว้นานเกิน {seconds} วินาที จึงยังไม่ได้บันทึกสิ่งใด "
     "กรุณาลองใหม่อีกครั้ง (หรือเพิ่มค่า {env})"),
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern, re.DOTALL), thai) for pattern, thai in CATALOGUE)


@cache
def _words() -> dict[str, str]:
    """English words of the product that appear inside sentences, and their Thai."""
    words = {en: th for en, th in FIELD_LABELS.values()}
    words.update(EXTRA_LABELS)
    words.update({en: th for th, en in ROLE_NAMES.values()})
    words.update({en: th for th, en in STATUS_NAMES.values()})
    words.update(ASSET_STATES)
    words.update(DOINGS)
    return words


def _action_in_thai(phrase: str) -> str:
    for action, words in ACTION_PHRASES.items():
        if words == phrase and has(f"permission.{action}"):
            return t(f"permission.{action}")
    return phrase


def _word(name: str, value: str) -> str:
    if name == "action":
        return _action_in_thai(value)
    if name == "allowed":
        return ", ".join(_words().get(role.strip(), role.strip()) for role in value.split(","))
    if name in ("label", "role", "status", "doing", "state"):
        words = _words()
        return words.get(value, words.get(value.lower(), value))
    return value


def in_thai(sentence: str) -> str:
    """The domain's English sentence in Thai, or as it is when the catalogue lacks it."""
    text = sentence.strip()
    for pattern, thai in _compiled():
        found = pattern.fullmatch(text)
        if found:
            return thai.format(**{k: _word(k, v or "") for k, v in found.groupdict().items()})
    return sentence


def error_text(error: BaseException | str) -> str:
    """What a refusal says on screen, in the interface's language."""
    sentence = error.message if isinstance(error, DomainError) else str(error)
    return in_thai(sentence) if language() == "th" else sentence
