"""The words on screen, in Thai (the default) and English.

``t(key, **values)`` gives the text for ``key`` in the current language, with
``{name}`` placeholders filled from ``values``. The language is chosen once when
the app is built (``set_language``). Field names of the register come from the
domain's own glossary (``models.assets.FIELD_LABELS``) so that screen and paper
use the same words; domain error sentences are shown as the domain wrote them.
"""

from __future__ import annotations

from models import assets as asset_rules

LANGUAGES = ("th", "en")
_language = "th"

# key -> (Thai, English)
STRINGS: dict[str, tuple[str, str]] = {
    # the application
    "app.title": ("ทะเบียนครุภัณฑ์", "Asset register"),
    "app.signed_in": ("{name} ({role})", "{name} ({role})"),
    # key bindings: description, then tooltip
    "bind.help": ("ช่วยเหลือ", "Help"),
    "bind.help.tip": ("แสดงปุ่มลัดของหน้าจอนี้", "Show the keys of this screen"),
    "bind.logout": ("ออกจากระบบ", "Log out"),
    "bind.logout.tip": ("ออกจากระบบและกลับไปหน้าเข้าสู่ระบบ", "Log out and return to the login screen"),
    "bind.quit": ("ปิดโปรแกรม", "Quit"),
    "bind.quit.tip": ("ปิดโปรแกรมและกลับสู่บรรทัดคำสั่ง", "Quit the app and return to the command prompt"),
    "bind.palette": ("คำสั่ง", "Commands"),
    "bind.palette.tip": ("ค้นหาและเรียกใช้คำสั่ง", "Find and run a command"),
    "bind.login": ("เข้าสู่ระบบ", "Log in"),
    "bind.login.tip": ("ตรวจสอบชื่อผู้ใช้และรหัสผ่าน", "Check the username and password"),
    "bind.clear": ("ล้าง", "Clear"),
    "bind.clear.tip": ("ล้างข้อความที่กรอก", "Clear what was typed"),
    "bind.open": ("เปิด", "Open"),
    "bind.open.tip": ("เปิดรายละเอียดครุภัณฑ์ที่เลือก", "Open the selected asset"),
    "bind.scan": ("ค้นหา/เปิด", "Search/open"),
    "bind.scan.tip": ("เปิดครุภัณฑ์ทันทีเมื่อตรงกับรหัส มิฉะนั้นค้นหา",
                      "Open the asset at once if the text is its number, otherwise search"),
    "bind.to_results": ("ไปที่ผลลัพธ์", "To results"),
    "bind.to_results.tip": ("ย้ายไปที่ตารางผลการค้นหา", "Move to the table of results"),
    "bind.search": ("ค้นหา", "Search"),
    "bind.search.tip": ("ไปที่ช่องค้นหา", "Go to the search box"),
    "bind.next_page": ("หน้าถัดไป", "Next page"),
    "bind.next_page.tip": ("แสดงผลการค้นหาหน้าถัดไป", "Show the next page of results"),
    "bind.prev_page": ("หน้าก่อน", "Previous page"),
    "bind.prev_page.tip": ("แสดงผลการค้นหาหน้าก่อนหน้า", "Show the previous page of results"),
    "bind.register": ("ลงทะเบียนใหม่", "Register new"),
    "bind.register.tip": ("ลงทะเบียนครุภัณฑ์รายการใหม่", "Register a new asset"),
    "bind.clear_search": ("ล้างคำค้น", "Clear search"),
    "bind.clear_search.tip": ("ล้างคำค้นและแสดงทั้งหมด", "Clear the search and show everything"),
    "bind.back": ("กลับ", "Back"),
    "bind.back.tip": ("กลับไปหน้าก่อน", "Go back to the previous screen"),
    "bind.edit": ("แก้ไข", "Edit"),
    "bind.edit.tip": ("แก้ไขข้อมูลในทะเบียน", "Edit the register record"),
    "bind.move": ("ย้าย/ผู้รับผิดชอบ", "Move/custodian"),
    "bind.move.tip": ("ย้ายหน่วยงานหรือสถานที่ หรือเปลี่ยนผู้รับผิดชอบ",
                      "Move to another department or location, or change the custodian"),
    "bind.reload": ("โหลดใหม่", "Reload"),
    "bind.reload.tip": ("อ่านข้อมูลล่าสุดจากฐานข้อมูล", "Read the latest data from the database"),
    "bind.save": ("บันทึก", "Save"),
    "bind.save.tip": ("ตรวจสอบและบันทึกลงทะเบียน", "Check and save to the register"),
    "bind.cancel": ("ยกเลิก", "Cancel"),
    "bind.cancel.tip": ("ปิดโดยไม่บันทึก", "Close without saving"),
    "bind.close": ("ปิด", "Close"),
    "bind.close.tip": ("ปิดหน้าต่างนี้", "Close this window"),
    # the command palette
    "palette.placeholder": ("พิมพ์ชื่อคำสั่ง…", "Type a command…"),
    "palette.theme": ("ชุดสี", "Colours"),
    "palette.theme.tip": ("เปลี่ยนชุดสีของหน้าจอ", "Change the colour theme"),
    # login
    "login.title": ("เข้าสู่ระบบ", "Log in"),
    "login.heading": ("ระบบทะเบียนครุภัณฑ์ การยืม และการตรวจสอบพัสดุประจำปี",
                      "Asset register, loans and annual stock check"),
    "login.username": ("ชื่อผู้ใช้", "Username"),
    "login.password": ("รหัสผ่าน", "Password"),
    "login.submit": ("เข้าสู่ระบบ", "Log in"),
    "login.checking": ("กำลังตรวจสอบ…", "Checking…"),
    "login.missing": ("กรุณากรอกชื่อผู้ใช้และรหัสผ่าน", "Enter a username and a password."),
    "login.not_initialised": (
        "ฐานข้อมูลยังไม่ได้ตั้งค่า: ใช้คำสั่ง assets-tui init ก่อน",
        "The database is not set up yet: run assets-tui init first."),
    "login.welcome": ("ยินดีต้อนรับ {name}", "Welcome, {name}"),
    "login.logged_out": ("ออกจากระบบแล้ว", "Logged out."),
    # the asset list
    "assets.title": ("ทะเบียนครุภัณฑ์", "Asset register"),
    "assets.search": ("ค้นหา", "Search"),
    "assets.search_placeholder": (
        "รหัส ชื่อ ยี่ห้อ รุ่น หมายเลขเครื่อง หรือผู้รับผิดชอบ (สแกนบาร์โค้ดได้)",
        "number, name, brand, model, serial or custodian (scan a barcode)"),
    "assets.count": ("พบ {matched} จาก {total} รายการ · หน้า {page}/{pages}",
                     "{matched} of {total} assets · page {page} of {pages}"),
    "assets.loading": ("กำลังค้นหา…", "Searching…"),
    "assets.none": ("ไม่พบครุภัณฑ์ที่ตรงกับ “{query}”", "No asset matches “{query}”."),
    "assets.brand_model": ("ยี่ห้อ/รุ่น", "Brand/model"),
    "assets.status": ("สถานะ", "Status"),
    "assets.registered": ("ลงทะเบียนแล้ว: {asset_no}", "Registered as {asset_no}."),
    # one asset
    "asset.title": ("ครุภัณฑ์ {asset_no}", "Asset {asset_no}"),
    "asset.loading": ("กำลังอ่านข้อมูล…", "Loading…"),
    "asset.agency": ("หน่วยงานของรัฐ", "Agency"),
    "asset.history": ("ประวัติการเปลี่ยนแปลง", "Change history"),
    "asset.history.when": ("วันเวลา", "When"),
    "asset.history.who": ("ผู้ทำรายการ", "By"),
    "asset.history.what": ("รายการ", "What"),
    "asset.history.change": ("การเปลี่ยนแปลง (เดิม → ใหม่)", "Change (before → after)"),
    "asset.history.none": ("ยังไม่มีประวัติ", "No history yet."),
    "asset.saved": ("บันทึกการแก้ไข {asset_no} แล้ว", "Saved the changes to {asset_no}."),
    "asset.unchanged": ("ไม่มีข้อมูลเปลี่ยนแปลง", "Nothing was changed."),
    "asset.yes": ("ได้", "yes"),
    "asset.no": ("ไม่ได้", "no"),
    "asset.useful_life_default": ("{years} (ตามประเภท)", "{years} (category default)"),
    # what the history calls each change
    "action.asset.register": ("ลงทะเบียน", "registered"),
    "action.asset.import": ("นำเข้าทะเบียน", "imported"),
    "action.asset.edit": ("แก้ไข", "edited"),
    "action.asset.move": ("ย้าย/เปลี่ยนผู้รับผิดชอบ", "moved"),
    # asset statuses
    "status.available": ("พร้อมใช้งาน", "available"),
    "status.on_loan": ("ถูกยืม", "on loan"),
    "status.repair": ("ส่งซ่อม", "in repair"),
    "status.lost": ("สูญหาย", "lost"),
    "status.disposed": ("จำหน่ายแล้ว", "disposed"),
    # the register form
    "form.register": ("ลงทะเบียนครุภัณฑ์ใหม่", "Register a new asset"),
    "form.edit": ("แก้ไขครุภัณฑ์ {asset_no}", "Edit asset {asset_no}"),
    "form.move": ("ย้าย/เปลี่ยนผู้รับผิดชอบ {asset_no}", "Move asset {asset_no} / change custodian"),
    "form.choose": ("— เลือก —", "— choose —"),
    "form.none": ("— ไม่ระบุ —", "— none —"),
    "form.date_hint": ("เช่น 15/3/2568 หรือ 2025-03-15", "e.g. 15/3/2568 or 2025-03-15"),
    "form.price_hint": ("เช่น 25,900.00", "e.g. 25,900.00"),
    "form.custodian_hint": ("ชื่อบุคคลในทะเบียน", "a person already on record"),
    "form.save": ("บันทึก", "Save"),
    "form.cancel": ("ยกเลิก", "Cancel"),
    "form.lendable": ("ให้ยืมเพื่อใช้ในราชการได้", "may be lent for official use"),
    "form.required": ("* จำเป็นต้องกรอก", "* required"),
    # help
    "help.title": ("ปุ่มลัดของหน้าจอนี้", "Keys on this screen"),
    "help.key": ("ปุ่ม", "Key"),
    "help.action": ("ทำอะไร", "Does"),
    "help.more": ("Ctrl+P เปิดรายการคำสั่งทั้งหมด · Esc ปิด",
                  "Ctrl+P opens every command · Esc closes"),
    # errors
    "error.database": ("ฐานข้อมูลขัดข้อง: {detail}", "The database failed: {detail}"),
    "error.unexpected": ("เกิดข้อผิดพลาด: {detail}", "Something went wrong: {detail}"),
}


def set_language(language: str) -> None:
    """Choose the language of every later ``t`` call: ``th`` or ``en``."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"The language '{language}' is not available; use one of: {', '.join(LANGUAGES)}.")
    _language = language


def language() -> str:
    return _language


def has(key: str) -> bool:
    return key in STRINGS


def t(key: str, **values: object) -> str:
    """The text for ``key`` in the current language; an unknown key shows as itself."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[0] if _language == "th" else pair[1]
    return text.format(**values) if values else text


def field_label(name: str) -> str:
    """The register's name for a field (ราคา (บาท) / price), from the domain glossary."""
    text = asset_rules.label(name, _language)
    return text[:1].upper() + text[1:] if _language == "en" else text


def status_label(status: str) -> str:
    return t(f"status.{status}") if has(f"status.{status}") else status


def action_label(action: str) -> str:
    return t(f"action.{action}") if has(f"action.{action}") else action
