"""Service statistics (สถิติการให้บริการ) of a fiscal year at a glance: the year's totals,
small charts of requests and decisions month by month, and the month table, all from the
same domain call that feeds the printed page and the open data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label, Select, Sparkline, Static

from models import stats
from models.db import db
from models.errors import DomainError
from models.values import fiscal_year_of

from ..domain_th import error_text
from ..i18n import t
from ..widgets import SectionBar
from .base import AppScreen, LiveList
from .loan_parts import cell

YEARS_SHOWN = 5
SUMMARY = ("loans_requested", "loans_approved", "loans_rejected", "loans_returned_on_time",
           "loans_returned_late", "loans_overdue_now", "external_requested", "damage_opened")
COLUMNS = ("loans_requested", "loans_approved", "loans_rejected", "loans_returned_on_time",
           "loans_returned_late", "external_requested", "median_decision_hours")
CHARTS = ("loans_requested", "loans_approved", "loans_returned_late")


@dataclass
class Figures:
    """What the screen shows, read in the background."""

    fiscal_year: int
    summary: dict[str, object]
    months: list[tuple[str, dict[str, object]]]
    stock_checks: int


class StatsScreen(LiveList, AppScreen[None]):
    @dataclass
    class Loaded(Message):
        figures: Figures | None
        error: BaseException | None = None

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("section.stats")

    def compose(self) -> ComposeResult:
        this_year = fiscal_year_of(dt.date.today())
        years = [(str(y), y) for y in range(this_year, this_year - YEARS_SHOWN, -1)]
        yield Header()
        with VerticalScroll(id="stats"):
            with Horizontal(id="stats-filters"):
                yield Label(t("stats.fiscal_year"), classes="filter-label")
                yield Select(years, id="stats-year", compact=True, allow_blank=False,
                             value=this_year)
            yield Static(t("assets.loading"), id="stats-summary", markup=False)
            with Vertical(id="stats-charts"):
                for measure in CHARTS:
                    yield Label(t(f"stats.{measure}"), classes="stats-chart-label")
                    yield Sparkline([], id=f"chart-{measure}", classes="stats-chart")
            yield DataTable(id="stats-months", cursor_type="row", zebra_stripes=True)
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#stats-months", DataTable)
        table.add_column(t("stats.month"), key="month", width=10)
        for measure in COLUMNS:
            table.add_column(Text(t(f"stats.short.{measure}"), justify="right"), key=measure, width=9)
        self.query_one("#stats-year").focus()
        self.reload()

    @on(Select.Changed, "#stats-year")
    def _year_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.load(int(self.query_one("#stats-year", Select).value))  # type: ignore[arg-type]

    @work(thread=True, exclusive=True, exit_on_error=False, group="stats")
    def load(self, fiscal_year: int) -> None:
        try:
            with db.connection_context():
                figures = stats.service_statistics(self.user, fiscal_year)
        except (DomainError, peewee.DatabaseError) as error:
            self.post_message(self.Loaded(None, error))
            return
        summary = figures.row(stats.ALL, stats.ALL)
        months = [(stats.month_label(m), figures.row(m, stats.ALL)) for m in figures.months]
        self.post_message(self.Loaded(Figures(fiscal_year, summary, months,
                                              len(figures.stock_checks))))

    def on_stats_screen_loaded(self, loaded: Loaded) -> None:
        if loaded.error is not None:
            self.query_one("#stats-summary", Static).update(error_text(loaded.error))
            return
        figures = loaded.figures
        assert figures is not None
        parts = [f"{t(f'stats.{m}')} {figures.summary[m]:,}" for m in SUMMARY]
        hours = figures.summary.get("median_decision_hours")
        parts.append(t("stats.median", hours=hours if hours is not None else "—"))
        self.query_one("#stats-summary", Static).update(
            t("stats.heading", year=figures.fiscal_year) + "\n" + " · ".join(parts))
        for measure in CHARTS:
            self.query_one(f"#chart-{measure}", Sparkline).data = [
                float(row[measure] or 0) for _, row in figures.months]  # type: ignore[arg-type]
        table = self.query_one("#stats-months", DataTable)
        table.clear()
        for label, row in figures.months:
            table.add_row(cell(label), *(cell("—" if row[m] is None else f"{row[m]:,}", justify="right")
                                         for m in COLUMNS), key=label)
