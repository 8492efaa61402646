"""The Textual app, driven with keys as a person would, then checked against what the
domain recorded. Each test gets its own SQLite file (thread workers cannot see an
in-memory database); the rules themselves are tested below the UI."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from functools import cache
from pathlib import Path

import peewee
import pytest
from argon2 import PasswordHasher
from textual import events
from textual.binding import Binding
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from textual.worker import WorkerCancelled

import assets_tui
from assets_tui import i18n
from assets_tui.app import AssetsApp, ScreenCommands, make_app
from assets_tui.screens import (
    AssetDetailScreen,
    AssetFormScreen,
    AssetListScreen,
    HelpScreen,
    HomeScreen,
    LoginScreen,
)
from models import accounts, org, setup
from models import assets as register
from models import db as dbmod
from models.errors import PermissionDenied
from models.schema import Asset, AuditEvent

PASSWORD = "pass1234"
SIZE = (120, 40)

NOTEBOOK = {
    "name": "เครื่องคอมพิวเตอร์โน้ตบุ๊ก", "category": "430", "department": "01",
    "location": "R101", "brand": "Lenovo", "model": "ThinkPad E14", "serial_no": "PF3XK2LM",
    "acquired_on": "15/3/2567", "price": "25,900.00", "funding_source": "budget",
}
DESK = {
    "name": "โต๊ะทำงานเหล็ก", "category": "416", "department": "04", "brand": "Lucky",
    "model": "DX-100", "acquired_on": "1/10/2566", "price": "4,500", "funding_source": "budget",
}


def build_database(url: str, password_hash: str, extra_assets: int = 0) -> None:
    """An agency with two departments, a room, one account per role we need and two assets."""
    dbmod.bind(url)
    setup.init_database("เทศบาลทดสอบ")
    system = accounts.SYSTEM
    office = org.add_department(system, "01", "สำนักปลัดเทศบาล")
    org.add_department(system, "04", "กองคลัง")
    org.add_location(system, "R101", "ห้องประชุม 1", office)
    for role in ("admin", "storekeeper", "auditor", "staff"):
        accounts.create_user(
            system,
            accounts.NewUser(role, "", role, f"ทดสอบ {role}",
                             department=office if role in ("storekeeper", "staff") else None),
            password_hash=password_hash)
    keeper = accounts.get_user("storekeeper")
    register.register_asset(keeper, NOTEBOOK)
    register.register_asset(keeper, DESK)
    if extra_assets:
        rows = [(n + 2, {**DESK, "serial_no": f"SN{n:05d}"}) for n in range(extra_assets)]
        report = register.import_assets(keeper, rows)
        assert report.ok, report.errors


@cache
def quick_hash() -> str:
    """A valid argon2 hash made with small costs: checking it at each login takes
    milliseconds instead of most of a second. Verification reads the costs from the hash."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


@pytest.fixture
def tui_db(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/tui.db"
    build_database(url, quick_hash())
    yield url
    dbmod.close()


@pytest.fixture
def big_db(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/big.db"
    build_database(url, quick_hash(), extra_assets=100)
    yield url
    dbmod.close()


# ---- driving the app -------------------------------------------------------------------

Scenario = Callable[[AssetsApp, Pilot], Awaitable[None]]


def run(url: str, scenario: Scenario, lang: str = "th") -> AssetsApp:
    app = make_app(url, lang)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(main())
    return app


async def settle(pilot: Pilot, delay: float = 0.0) -> None:
    """Let typing pauses pass and background queries finish and reach the screen."""
    await pilot.pause(delay)
    for _ in range(4):
        with contextlib.suppress(WorkerCancelled):  # a newer query replaced it: wait for that
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    """Type as fast as a terminal (or a barcode scanner) delivers keys. ``Pilot.press``
    cannot name Thai vowel and tone marks (ุ ้ ๊), so each character is sent as the key
    event a terminal's input parser makes of it."""
    for char in text:
        name = char if char.isalnum() else _character_to_key(char)
        pilot.app.post_message(events.Key(name, char))
    await pilot.pause()


async def log_in(pilot: Pilot, username: str, password: str = PASSWORD, section: str | None = "f2") -> None:
    """Log in; the app opens on the home screen, and most tests go on to a section
    (the asset register unless told otherwise) with its key, as a person would."""
    await type_text(pilot, username)
    await pilot.press("enter")
    await type_text(pilot, password)
    await pilot.press("enter")
    await settle(pilot)
    if section is not None and pilot.app.user is not None:
        await pilot.press(section)
        await settle(pilot)


async def search(pilot: Pilot, text: str) -> None:
    await type_text(pilot, text)
    await settle(pilot, 0.3)


def row_keys(screen) -> list[str]:
    table = screen.query_one("#assets", DataTable)
    return [key.value for key in table.rows]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def fill(pilot: Pilot, field: str, text: str) -> None:
    """Move into a form field, clear it and type."""
    pilot.app.screen.query_one(f"#field-{field}", Input).focus()
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, text)


async def choose(pilot: Pilot, field: str, typed: str) -> None:
    """Open a drop-down, type the start of an option and pick it."""
    pilot.app.screen.query_one(f"#field-{field}", Select).focus()
    await pilot.press("enter")
    await pilot.pause()
    await type_text(pilot, typed)
    # A person looks at the option before pressing Enter; typing and Enter in one burst
    # outside a text field is what a barcode scanner does (assets_tui.scanner).
    await pilot.pause(0.15)
    await pilot.press("enter")
    await pilot.pause()


def asset_count() -> int:
    return Asset.select().count()


# ---- login -----------------------------------------------------------------------------

def test_login_refuses_a_wrong_password_then_lets_the_right_one_in(tui_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        assert isinstance(app.screen, LoginScreen)
        assert app.title == "เทศบาลทดสอบ"
        await log_in(pilot, "storekeeper", "not-the-password")
        assert isinstance(app.screen, LoginScreen)
        assert text_of(app.screen, "#login-error") == "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
        assert app.screen.query_one("#password", Input).value == ""
        assert app.user is None
        await type_text(pilot, PASSWORD)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.user is not None and app.user.username == "storekeeper"

    run(tui_db, scenario)
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.entity_id == "storekeeper")
               .order_by(AuditEvent.seq)]
    assert actions[-2:] == ["user.login_failed", "user.login"]


def test_a_deactivated_account_is_told_so(tui_db):
    accounts.set_active(accounts.SYSTEM, "staff", False)

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        assert isinstance(app.screen, LoginScreen)
        assert text_of(app.screen, "#login-error") == "บัญชี 'staff' ถูกระงับการใช้งาน"

    run(tui_db, scenario)


# ---- the register ----------------------------------------------------------------------

def test_search_by_a_thai_word_finds_the_asset(tui_db):
    notebook = Asset.get(Asset.name == NOTEBOOK["name"]).asset_no

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        assert sorted(row_keys(app.screen)) == sorted(a.asset_no for a in Asset.select())
        await search(pilot, "โน้ตบุ๊ก")
        assert row_keys(app.screen) == [notebook]
        assert text_of(app.screen, "#result-count").startswith("พบ 1 จาก 2 รายการ")
        await pilot.press("escape")  # clear the search
        await settle(pilot, 0.3)
        assert len(row_keys(app.screen)) == 2

    run(tui_db, scenario)


def test_pages_hold_only_what_fits_and_page_down_shows_the_next(big_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        screen = app.screen
        first = row_keys(screen)
        assert 5 <= len(first) == screen.page_size < 102
        assert f"จาก {102:,} รายการ · หน้า 1/" in text_of(screen, "#result-count")
        await pilot.press("pagedown")
        await settle(pilot)
        second = row_keys(screen)
        assert screen.page == 2 and second and not set(first) & set(second)
        await pilot.press("pageup")
        await settle(pilot)
        assert row_keys(screen) == first

    run(big_db, scenario)


def test_a_search_matching_very_many_says_how_many_it_counted_to(big_db, monkeypatch):
    from assets_tui.screens import asset_list

    monkeypatch.setattr(asset_list, "COUNT_CAP", 20)  # 10,000 in use; 102 assets here

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        await type_text(pilot, "-")  # in every asset number
        await settle(pilot, 0.3)
        summary = text_of(app.screen, "#result-count")
        assert summary.startswith(f"พบ 20+ จาก {102:,} รายการ"), summary
        assert len(row_keys(app.screen)) == app.screen.page_size

    run(big_db, scenario)


def test_scanning_an_asset_number_opens_that_asset(tui_db):
    desk = Asset.get(Asset.name == DESK["name"]).asset_no

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        await type_text(pilot, desk)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AssetDetailScreen)
        assert text_of(app.screen, "#value-asset_no") == desk
        await pilot.press("escape")
        # A scan while the results have focus still goes to the search box.
        app.screen.query_one("#assets", DataTable).focus()
        await pilot.pause()
        await type_text(pilot, desk)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AssetDetailScreen) and app.screen.asset_no == desk

    run(tui_db, scenario)


def test_enter_on_a_row_opens_the_asset_with_its_register_fields_and_history(tui_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        await search(pilot, "Lenovo")
        await pilot.press("down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssetDetailScreen)
        assert text_of(screen, "#value-agency") == "เทศบาลทดสอบ"
        assert text_of(screen, "#value-acquired_on") == "15 มีนาคม 2567"
        assert text_of(screen, "#value-price") == "25,900.00"
        assert text_of(screen, "#value-funding_source") == "เงินงบประมาณ"
        assert text_of(screen, "#value-location") == "ห้องประชุม 1"
        history = screen.query_one("#history", DataTable)
        assert history.row_count == 1
        when, who, what, _ = (str(cell) for cell in history.get_row_at(0))
        assert re.fullmatch(r"\d{1,2}/\d{1,2}/25\d\d \d\d:\d\d", when)
        assert (who, what) == ("ทดสอบ storekeeper", "ลงทะเบียน")

    run(tui_db, scenario)


# ---- registering and editing -----------------------------------------------------------

async def fill_new_asset(pilot: Pilot, acquired_on: str) -> None:
    await fill(pilot, "name", "เครื่องฉายภาพ")
    await choose(pilot, "category", "430")
    await fill(pilot, "brand", "Epson")
    await fill(pilot, "serial_no", "X5K-0099")
    await fill(pilot, "acquired_on", acquired_on)
    await fill(pilot, "price", "12,345.50")
    await choose(pilot, "funding_source", "เงินอุ")  # เงินอุดหนุน
    await fill(pilot, "document_no", "กค 0405/123")


def test_registering_through_the_form_saves_the_asset_and_logs_it(tui_db):
    before = asset_count()

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, AssetFormScreen)
        # The storekeeper's own department is filled in for them.
        assert app.screen.query_one("#field-department", Select).value == "01"
        await fill_new_asset(pilot, "2025-03-15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AssetDetailScreen)

    run(tui_db, scenario)
    assert asset_count() == before + 1
    asset = Asset.select().order_by(Asset.id.desc()).get()
    assert asset.name == "เครื่องฉายภาพ"
    assert asset.category.code == "430" and asset.department.code == "01"
    assert asset.price == Decimal("12345.50")
    assert asset.acquired_on == dt.date(2025, 3, 15)
    assert asset.funding_source == "subsidy"
    assert asset.document_no == "กค 0405/123"
    assert asset.asset_no.startswith("430-68-")
    event = AuditEvent.get((AuditEvent.entity == "asset") & (AuditEvent.entity_id == asset.asset_no))
    assert (event.action, event.actor) == ("asset.register", "storekeeper")


def test_an_impossible_date_is_shown_next_to_the_date_and_nothing_is_saved(tui_db):
    before_assets, before_events = asset_count(), AuditEvent.select().count()

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        before_events_now = AuditEvent.select().count()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await fill_new_asset(pilot, "30/2/2569")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, AssetFormScreen)
        error = text_of(form, "#error-acquired_on")
        assert error == "วันที่ได้มา '30/2/2569' ไม่มีอยู่จริงในปฏิทิน"
        assert form.query_one("#error-acquired_on").has_class("-shown")
        assert form.focused is form.query_one("#field-acquired_on")
        assert AuditEvent.select().count() == before_events_now
        await pilot.press("escape")
        assert isinstance(app.screen, AssetListScreen)

    run(tui_db, scenario)
    assert asset_count() == before_assets
    assert AuditEvent.select().where(AuditEvent.action == "asset.register").count() == 2
    assert AuditEvent.select().count() == before_events + 1  # only the login


def test_editing_changes_the_record_and_the_history_shows_the_change(tui_db):
    notebook = Asset.get(Asset.name == NOTEBOOK["name"]).asset_no

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await type_text(pilot, notebook)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AssetFormScreen)
        assert app.screen.query_one("#field-price", Input).value == "25,900.00"
        await fill(pilot, "price", "26,500")
        await fill(pilot, "custodian", "ทดสอบ staff")
        await pilot.press("ctrl+s")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, AssetDetailScreen)
        assert text_of(detail, "#value-price") == "26,500.00"
        history = detail.query_one("#history", DataTable)
        changes = [str(history.get_row_at(i)[3]) for i in range(history.row_count)]
        assert "ราคา (บาท): 25,900.00 → 26,500.00" in changes
        assert "ผู้รับผิดชอบ: — → ทดสอบ staff" in changes
        assert str(history.get_row_at(0)[2]) == "แก้ไข"

    run(tui_db, scenario)
    asset = register.get_asset(notebook)
    assert asset.price == Decimal("26500.00") and asset.custodian.name == "ทดสอบ staff"
    last = AuditEvent.select().where(AuditEvent.entity_id == notebook).order_by(
        AuditEvent.seq.desc()).get()
    assert last.action == "asset.edit"


def test_moving_an_asset_goes_through_the_register_as_a_move(tui_db):
    notebook = Asset.get(Asset.name == NOTEBOOK["name"]).asset_no

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await type_text(pilot, notebook)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, AssetFormScreen)
        assert [w.id for w in form.query(".form-row")] == [
            "row-department", "row-location", "row-custodian"]
        await choose(pilot, "department", "04")
        form.query_one("#field-location", Select).clear()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert text_of(app.screen, "#value-department") == "กองคลัง"

    run(tui_db, scenario)
    asset = register.get_asset(notebook)
    assert asset.department.code == "04" and asset.location is None
    last = AuditEvent.select().where(AuditEvent.entity_id == notebook).order_by(
        AuditEvent.seq.desc()).get()
    assert last.action == "asset.move"


# ---- who may do what -------------------------------------------------------------------

def test_an_auditor_has_no_register_or_edit_keys_and_the_domain_refuses_anyway(tui_db):
    before = asset_count()
    notebook = Asset.get(Asset.name == NOTEBOOK["name"]).asset_no

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "auditor")
        screen = app.screen
        assert isinstance(screen, AssetListScreen)
        actions = {b.binding.action for b in screen.active_bindings.values()}
        assert "register" not in actions and "logout" in actions
        offered = [name for name, _, _ in ScreenCommands(screen)._commands()]
        assert i18n.t("bind.register") not in offered
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen is screen  # nothing opened
        await type_text(pilot, notebook)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, AssetDetailScreen)
        actions = {b.binding.action for b in detail.active_bindings.values()}
        assert not actions & {"edit", "move"}
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is detail
        # Forced past the screen, the form still cannot save: the domain says no.
        app.push_screen(AssetFormScreen())
        await pilot.pause()
        await fill_new_asset(pilot, "15/3/2568")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AssetFormScreen)
        refusal = text_of(app.screen, "#form-error")
        assert refusal.startswith("ผู้ตรวจสอบไม่มีสิทธิ์ลงทะเบียนครุภัณฑ์")
        assert refusal in [n.message for n in app._notifications]

    run(tui_db, scenario)
    assert asset_count() == before
    with pytest.raises(PermissionDenied):
        register.register_asset(accounts.get_user("auditor"), NOTEBOOK)


def test_the_storekeeper_is_offered_registering_in_the_command_palette(tui_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        offered = [name for name, _, _ in ScreenCommands(app.screen)._commands()]
        assert i18n.t("bind.register") in offered and i18n.t("bind.logout") in offered
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "ลงทะเบียน")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, AssetFormScreen)

    run(tui_db, scenario)


# ---- moving around ---------------------------------------------------------------------

def test_escape_backs_out_of_every_screen_and_logout_returns_to_login(tui_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys", DataTable)
        described = [str(keys.get_row_at(i)[1]) for i in range(keys.row_count)]
        assert i18n.t("bind.register") in described
        await pilot.press("escape")
        assert isinstance(app.screen, AssetListScreen)
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, AssetFormScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, AssetListScreen)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AssetDetailScreen)
        await pilot.press("e")
        assert isinstance(app.screen, AssetFormScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, AssetDetailScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, AssetListScreen)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.user is None
        assert len(app.screen_stack) == 2  # the login screen over the empty base

    run(tui_db, scenario)


def test_the_app_speaks_english_when_asked(tui_db):
    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        assert str(app.screen.query_one(".login-label").render()) == "Username"
        await log_in(pilot, "staff")
        table = app.screen.query_one("#assets", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers[:2] == ["Asset number", "Name"]
        assert text_of(app.screen, "#result-count") == "2 of 2 assets · page 1 of 1"

    try:
        run(tui_db, scenario, lang="en")
    finally:
        i18n.set_language("th")


def test_a_failed_query_is_a_notification_not_a_crash(tui_db, monkeypatch):
    from assets_tui.screens import asset_list

    def broken(_filter):
        raise peewee.OperationalError("disk I/O error")

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "staff")
        monkeypatch.setattr(asset_list, "asset_query", broken)
        await search(pilot, "x")
        assert isinstance(app.screen, AssetListScreen)
        messages = [n.message for n in app._notifications]
        assert any("disk I/O error" in m for m in messages), messages

    run(tui_db, scenario)


# ---- house rules -----------------------------------------------------------------------

def test_every_binding_has_an_id_and_words_in_both_languages():
    from assets_tui import app as app_module
    from assets_tui import screens, widgets

    classes = [app_module.AssetsApp, *(getattr(screens, n) for n in screens.__all__),
               *(getattr(widgets, n) for n in widgets.__all__ if isinstance(getattr(widgets, n), type))]
    for cls in classes:
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id, (cls.__name__, binding.key)
            assert i18n.has(binding.description), (cls.__name__, binding.description)
            assert i18n.has(binding.tooltip), (cls.__name__, binding.tooltip)


def test_every_text_key_used_on_screen_exists():
    source = Path(assets_tui.__file__).parent
    used: set[str] = set()
    for path in source.rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", path.read_text("utf-8")))
        used |= set(re.findall(r'"(bind\.[a-z_.]+)"', path.read_text("utf-8")))
    missing = sorted(key for key in used if not i18n.has(key))
    assert not missing, missing
    assert all(th and en for th, en in i18n.STRINGS.values())


def test_history_rows_name_loan_events_with_their_loan():
    from assets_tui.screens.asset_detail import loan_event_detail
    from models.assets import HistoryEntry

    returned = HistoryEntry(9, "2026-11-28T03:00:00.000000Z", "storekeeper", "loan.return", {},
                            {"asset_no": "422-64-0003", "condition": "damaged", "note": "ขาตั้งหัก"}, "L2570-0001")
    settled = HistoryEntry(10, "2026-11-28T03:05:00.000000Z", "storekeeper", "damage.settle", {},
                           {"settlement": "paid", "amount": "1500.00"}, "L2570-0001")
    assert loan_event_detail(returned) == "สภาพ: ชำรุด · หมายเหตุ: ขาตั้งหัก"
    assert loan_event_detail(settled) == "ชดใช้โดย: ชดใช้เป็นเงิน · จำนวนเงิน: 1,500.00"
