"""What the screens look like, at a fixed terminal size on a fixed tiny register,
compared with the approved pictures in ``__snapshots__``. After a deliberate change,
look at the new pictures, then accept them with ``pytest --snapshot-update``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_tui import SIZE, build_database, fill_new_asset, log_in, quick_hash, settle, type_text
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


# ---- loans: fixed days far ahead, so the pictures do not change with the calendar -------

def _loans_on_fixed_days() -> dict[str, str]:
    """An earlier loan of the notebook (returned), a request for the notebook and the desk
    waiting for the mayor, and an approved loan with one of its two items handed over."""
    from test_tui_loans import add_deciders

    from models import accounts, loans
    from models.schema import Asset

    add_deciders(quick_hash())
    staff, mayor, keeper = (accounts.get_user(u) for u in ("staff", "mayor", "storekeeper"))
    notebook, desk = (a.asset_no for a in Asset.select().order_by(Asset.id))

    def ask(day: dt.date, numbers: list[str], start: dt.date, due: dt.date, purpose: str) -> str:
        return loans.request_loan(staff, loans.LoanRequest(
            assets=numbers, purpose=purpose, place="outside", start_on=start, due_on=due),
            today=day).loan_no

    earlier = ask(dt.date(2099, 1, 2), [notebook], dt.date(2099, 1, 3), dt.date(2099, 1, 4),
                  "ใช้นำเสนองานในการประชุมสภาเทศบาล")
    loans.approve_loan(mayor, earlier, today=dt.date(2099, 1, 2))
    loans.issue_items(keeper, earlier, today=dt.date(2099, 1, 3))
    loans.return_item(keeper, earlier, notebook, today=dt.date(2099, 1, 4))
    waiting = ask(dt.date(2099, 1, 10), [notebook, desk], dt.date(2099, 1, 15), dt.date(2099, 1, 17),
                  "ใช้ในงานประชาคมหมู่บ้าน ชุมชนหนองบัว")
    out = ask(dt.date(2099, 1, 20), [notebook, desk], dt.date(2099, 1, 21), dt.date(2099, 1, 23),
              "ใช้ในการอบรมอาสาสมัครสาธารณสุข")
    loans.approve_loan(mayor, out, today=dt.date(2099, 1, 20))
    loans.issue_items(keeper, out, [notebook], today=dt.date(2099, 1, 21))
    return {"waiting": waiting, "out": out}


def test_approvals_inbox_with_a_request_waiting(snap_compare, tui_db):
    _loans_on_fixed_days()

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await log_in(pilot, "mayor")
        await pilot.press("f5")
        await settle(pilot)
        await _steady(pilot)

    assert snap_compare(make_app(tui_db), terminal_size=SIZE, run_before=run_before)


def test_loan_desk_with_a_loan_half_handed_over(snap_compare, tui_db):
    out = _loans_on_fixed_days()["out"]

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await log_in(pilot, "storekeeper")
        await pilot.press("f6")
        await settle(pilot)
        await _steady(pilot)
        await type_text(pilot, out)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(tui_db), terminal_size=SIZE, run_before=run_before)


# ---- the home screen: Thai and English, a small terminal and a large one -----------------

@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_home_of_the_storekeeper(snap_compare, tui_db, lang, size):
    _loans_on_fixed_days()  # one request waiting; nothing due in the days around today

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await log_in(pilot, "storekeeper", section=None)
        await _steady(pilot)

    assert snap_compare(make_app(tui_db, lang), terminal_size=size, run_before=run_before)
