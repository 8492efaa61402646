"""The statistics dashboard: the year's totals, the month charts and the month table come
from the same figures as the printed page and the open data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Sparkline

from assets_tui.app import AssetsApp
from assets_tui.screens.stats import StatsScreen
from models import accounts, loans, stats
from models import db as dbmod
from models.schema import Asset
from models.values import fiscal_year_of
from tests.test_tui import build_database, log_in, quick_hash, run, settle, text_of


@pytest.fixture
def stats_db(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/stats.db"
    build_database(url, quick_hash())
    today = dt.date.today()
    staff = accounts.get_user("staff")
    for asset in Asset.select().order_by(Asset.asset_no):
        loans.request_loan(staff, loans.LoanRequest(
            assets=[asset.asset_no], purpose="ประชุมประจำเดือน", place="inside",
            start_on=today, due_on=today + dt.timedelta(days=2)))
    yield url
    dbmod.close()


def test_the_dashboard_shows_the_years_figures(stats_db):
    seen = {}

    async def scenario(app: AssetsApp, pilot: Pilot) -> None:
        await log_in(pilot, "auditor")
        await pilot.press("f11")
        await settle(pilot, 0.3)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        seen["summary"] = text_of(screen, "#stats-summary")
        table = screen.query_one("#stats-months", DataTable)
        seen["rows"] = table.row_count
        seen["requested"] = [str(table.get_row_at(n)[1]) for n in range(table.row_count)]
        seen["chart"] = list(screen.query_one("#chart-loans_requested", Sparkline).data or [])

    run(stats_db, scenario)
    year = fiscal_year_of(dt.date.today())
    figures = stats.service_statistics(accounts.get_user("auditor"), year)
    requested = figures.total("loans_requested")
    assert requested == 2
    assert seen["summary"].startswith(f"สถิติการให้บริการยืมทรัพย์สินของราชการ ปีงบประมาณ {year}")
    assert f"คำขอยืม {requested}" in seen["summary"]
    assert seen["rows"] == 12 and sum(int(n) for n in seen["requested"]) == requested
    assert sum(seen["chart"]) == requested
