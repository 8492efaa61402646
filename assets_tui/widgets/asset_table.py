"""A table of register rows, one page at a time."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable

from .localized import localize_bindings


class AssetTable(DataTable):
    """A row-cursor ``DataTable`` whose Enter ("open") shows in the footer."""

    BINDINGS = [
        Binding("enter", "select_cursor", "bind.open", tooltip="bind.open.tip", id="assets.open"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(*args, **kwargs)
        localize_bindings(self)
        self.shown_columns: list[int] | None = None
        """Which cells of a full row the columns show, when a narrow terminal left some out."""
