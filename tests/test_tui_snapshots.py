"""What the screens look like, at a fixed terminal size on a fixed tiny register,
compared with the approved pictures in ``__snapshots__``. After a deliberate change,
look at the new pictures, then accept them with ``pytest --snapshot-update``."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui import SIZE, build_database, fill_new_asset, log_in, quick_hash, settle
from textual.pilot import Pilot
from textual.widgets import Input

from assets_tui.app import make_app
from models import db as dbmod


@pytest.fixture
def tui_db(tmp_path: Path):
    """The same two-asset register as the Pilot tests."""
    url = f"sqlite:///{tmp_path}/tui.db"
    build_database(url, quick_hash())
    yield url
    dbmod.close()


async def _steady(pilot: Pilot) -> None:
    """No blinking cursor, so the picture is the same every time."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_login_screen(snap_compare, tui_db):
    assert snap_compare(make_app(tui_db), terminal_size=SIZE, run_before=_steady)


def test_asset_register_after_login(snap_compare, tui_db):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await log_in(pilot, "storekeeper")
        await _steady(pilot)

    assert snap_compare(make_app(tui_db), terminal_size=SIZE, run_before=run_before)


def test_register_form_with_a_wrong_date(snap_compare, tui_db):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await log_in(pilot, "storekeeper")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await _steady(pilot)
        await fill_new_asset(pilot, "30/2/2569")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(make_app(tui_db), terminal_size=SIZE, run_before=run_before)
