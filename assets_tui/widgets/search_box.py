"""The register's search box, which is also where a barcode scanner types."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from .localized import localize_bindings


class SearchBox(Input):
    """An ``Input`` whose Enter means "open this asset number, or search", shown in the
    footer, and whose Down arrow moves into the results."""

    BINDINGS = [
        Binding("enter", "submit", "bind.scan", tooltip="bind.scan.tip", id="search.submit"),
        Binding("down", "to_results", "bind.to_results", tooltip="bind.to_results.tip",
                id="search.to_results", show=False),
    ]

    class ToResults(Message):
        """The person wants to move from the search box into the results."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)

    def action_to_results(self) -> None:
        self.post_message(self.ToResults())
