"""The keys of the screen underneath, with what each does."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static

from ..i18n import t
from .base import AppModal


class HelpScreen(AppModal[None]):
    """Lists ``(key, what it does)`` pairs given by the app for the current screen."""

    BINDINGS = [
        Binding("escape,f1,question_mark", "close", "bind.close", tooltip="bind.close.tip",
                id="help.close"),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.heading = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(f"{t('help.title')}: {self.heading}", id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", show_cursor=False)
            yield Static(t("help.more"), id="help-more")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(t("help.key"), t("help.action"), "")
        for key, description, tooltip in self.keys:
            table.add_row(Text(key), Text(description), Text(tooltip))

    def action_close(self) -> None:
        self.dismiss()
