"""The agency's asset-use guideline at login, and who has acknowledged it.

After a good password, a person who has not yet acknowledged the version in force reads
it here and confirms "I have read and will comply" before reaching the app; Escape logs
out instead. The domain records the acknowledgement (``models.guideline.acknowledge``).
Those who supervise see, from the home screen, who has and who has not acknowledged it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Header, Static

from models import guideline
from models.db import db
from models.errors import DomainError
from models.schema import GuidelineVersion, User

from ..domain_th import error_text
from ..i18n import language, t
from .base import AppScreen
from .loan_parts import day, local_day


class GuidelineScreen(AppScreen[bool]):
    """Dismisses with True once the acknowledgement is recorded, False to log out."""

    AUTO_FOCUS = "#guideline-accept"
    BINDINGS = [
        Binding("ctrl+s", "accept", "bind.accept", tooltip="bind.accept.tip", id="guideline.accept"),
        Binding("escape", "decline", "guideline.decline", tooltip="bind.decline.tip",
                id="guideline.decline"),
    ]

    def __init__(self, user: User, version: GuidelineVersion) -> None:
        super().__init__()
        self.reader = user
        self.version = version
        self.sub_title = version.title

    def compose(self) -> ComposeResult:
        version = self.version
        english = language() == "en" and version.text_en
        yield Header()
        with Vertical(id="guideline"):
            yield Static(version.title, id="guideline-title", markup=False)
            yield Static(t("guideline.heading", version=version.number, day=day(version.effective_on)),
                         id="guideline-version", markup=False)
            with VerticalScroll(id="guideline-scroll"):
                if language() == "en" and not version.text_en:
                    yield Static(t("guideline.english_missing"), classes="guideline-note", markup=False)
                yield Static(version.text_en if english else version.text_th, id="guideline-text",
                             markup=False)
            yield Static(t("guideline.ask"), id="guideline-ask", markup=False)
            with Horizontal(id="guideline-buttons"):
                yield Button(t("guideline.accept"), variant="primary", id="guideline-accept")
                yield Button(t("guideline.decline"), id="guideline-decline")
        yield Footer()

    @on(Button.Pressed, "#guideline-accept")
    def action_accept(self) -> None:
        try:
            guideline.acknowledge(self.reader, self.version)
        except DomainError as refused:
            self.notify(error_text(refused), severity="error", markup=False)
            return
        self.notify(t("guideline.thanks", version=self.version.number))
        self.dismiss(True)

    @on(Button.Pressed, "#guideline-decline")
    def action_decline(self) -> None:
        self.dismiss(False)


class AcknowledgementReportScreen(AppScreen[None]):
    """Who has acknowledged the version in force, by department; those who have not first."""

    BINDINGS = [
        Binding("escape", "back", "bind.back", tooltip="bind.back.tip", id="report.back"),
    ]

    @dataclass
    class Loaded(Message):
        summary: str
        rows: list[tuple[Text, ...]]

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("report.title")

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="ack-report"):
            yield Static(t("assets.loading"), id="ack-summary", markup=False)
            yield DataTable(id="ack-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key in ("department", "name", "username", "when"):
            table.add_column(Text(t(f"report.column.{key}")), key=key)
        table.focus()
        if self.user is not None:
            self.load(self.user)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ack-report")
    def load(self, user: User) -> None:
        with db.connection_context():
            report = guideline.acknowledgement_report(user)
        rows: list[tuple[Text, ...]] = []
        for pending in (True, False):
            for dept in report.departments:
                for s in dept.pending if pending else dept.acknowledged:
                    when = t("report.pending") if s.acknowledged_at is None else local_day(s.acknowledged_at)
                    rows.append((Text(dept.name), Text(s.name), Text(s.username),
                                 Text(when, style="bold" if pending else "")))
        summary = t("report.summary", version=report.version.number, done=f"{report.acknowledged:,}",
                    pending=f"{report.pending:,}")
        self.post_message(self.Loaded(summary, rows))

    def on_acknowledgement_report_screen_loaded(self, loaded: Loaded) -> None:
        self.query_one("#ack-summary", Static).update(loaded.summary)
        table = self.query_one(DataTable)
        table.clear()
        for row in loaded.rows:
            table.add_row(*row)

    def action_back(self) -> None:
        self.dismiss()
