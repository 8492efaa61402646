"""A barcode scanner used anywhere in the app: a fast burst of keys ending in Enter, outside
a text field, opens the asset or the loan slip it names; the same keys typed at a person's
pace are not a scan; an unknown code is one notification, never a crash."""

from __future__ import annotations

import datetime as dt

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Select

from assets_tui.app import AssetsApp
from assets_tui.scanner import MAX_GAP, ScanCollector
from assets_tui.screens import AssetDetailScreen, LoanDetailScreen
from models import accounts, loans
from models import db as dbmod
from models.schema import Asset
from tests.test_tui import build_database, log_in, quick_hash, run, settle, type_text


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_ending_in_enter_is_a_scan_and_typing_is_not():
    clock = Clock()
    scans = ScanCollector(clock)
    for char in "416-69-0001":
        scans.feed(char)
        clock.now += 0.01
    assert scans.take() == "416-69-0001"
    assert scans.take() is None  # taken once
    for char in "4169":  # a person's pace
        scans.feed(char)
        clock.now += MAX_GAP * 3
    assert scans.take() is None
    for char in "abc":  # too short for a label
        scans.feed(char)
    assert scans.take() is None
    for char in "slow" + "L2570-0001":  # typing, a pause, then a scan: only the scan counts
        scans.feed(char)
        clock.now += 0.2 if char == "w" else 0.005
    assert scans.take() == "L2570-0001"


@pytest.fixture
def scan_db(tmp_path):
    """The test agency with one loan request of the notebook."""
    url = f"sqlite:///{tmp_path}/scan.db"
    build_database(url, quick_hash())
    staff = accounts.get_user("staff")
    notebook = Asset.select().order_by(Asset.asset_no).first()
    loan = loans.request_loan(staff, loans.LoanRequest(
        assets=[notebook.asset_no], purpose="ประชุมประจำเดือน", place="inside",
        start_on=dt.date.today(), due_on=dt.date.today() + dt.timedelta(days=3)))
    yield url, notebook.asset_no, loan.loan_no
    dbmod.close()


async def scan(pilot: Pilot, code: str) -> None:
    """The keys of a scanner: the code and Enter in one burst, outside any text field."""
    pilot.app.screen.set_focus(None)
    for char in code:
        pilot.app.post_message(events.Key(char if char.isalnum() else _character_to_key(char), char))
    pilot.app.post_message(events.Key("enter", "\r"))
    await settle(pilot)


def test_scanning_a_label_or_a_slip_opens_it(scan_db):
    url, asset_no, loan_no = scan_db
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f3")  # the loan register: its table has focus, no text field
        await settle(pilot)
        await scan(pilot, asset_no)
        seen["asset"] = type(app.screen), getattr(app.screen, "asset_no", None)
        await pilot.press("escape")
        await settle(pilot)
        await scan(pilot, loan_no.lower())  # a slip scanned with caps lock off
        seen["loan"] = type(app.screen), getattr(app.screen, "loan_no", None)
        await pilot.press("escape")
        await settle(pilot)
        before = type(app.screen)
        await scan(pilot, "999-99-9999")
        seen["unknown"] = type(app.screen) is before, [n.message for n in app._notifications]

    run(url, scenario)
    assert seen["asset"] == (AssetDetailScreen, asset_no)
    assert seen["loan"] == (LoanDetailScreen, loan_no)
    stayed, messages = seen["unknown"]
    assert stayed and "ไม่พบครุภัณฑ์หรือใบยืมเลขที่ '999-99-9999'" in messages


def test_a_fast_burst_into_a_text_field_stays_in_the_field(scan_db):
    """The asset list's search box takes a scan itself (and opens an exact number); the
    app does not take the Enter away from it."""
    url, asset_no, _ = scan_db
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f2")
        await settle(pilot)
        app.screen.query_one("#search").focus()
        await type_text(pilot, "ตู้เย็นxx")
        await pilot.press("enter")
        await settle(pilot)
        seen["notes"] = [n.message for n in app._notifications]
        seen["search"] = app.screen.query_one("#search").value

    run(url, scenario)
    assert seen["search"] == "ตู้เย็นxx"
    assert not any("No asset or loan slip" in note for note in seen["notes"])


def test_a_burst_into_a_drop_down_is_its_type_ahead_not_a_scan(scan_db):
    """A drop-down jumps to what is typed; a quick word and Enter there chooses, as always."""
    url, _, _ = scan_db
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f9")
        await settle(pilot)
        document = app.screen.query_one("#field-document", Select)
        document.focus()
        for char in "1234":
            pilot.app.post_message(events.Key(char, char))
        pilot.app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        seen["expanded"] = document.expanded
        seen["notes"] = [n.message for n in app._notifications]

    run(url, scenario)
    assert seen["expanded"]  # Enter reached the drop-down and opened it
    assert not any("ไม่พบครุภัณฑ์" in note for note in seen["notes"])


def test_keys_typed_slowly_then_enter_open_nothing(scan_db):
    url, asset_no, _ = scan_db
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "storekeeper")
        await pilot.press("f3")
        await settle(pilot)
        before = type(app.screen)
        app.screen.set_focus(None)
        for char in asset_no:
            await type_text(pilot, char)
            await pilot.pause(MAX_GAP * 2)
        await pilot.press("enter")
        await settle(pilot)
        seen["screen"] = type(app.screen) is before

    run(url, scenario)
    assert seen["screen"]
