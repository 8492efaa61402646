"""Text boxes whose Enter does one named thing, shown in the footer: where a barcode
scanner types at the loan desk, the loan register's search, a picker's search and a note."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

from .localized import localize_bindings
from .search_box import SearchBox


class ScanBox(Input):
    """The loan desk's scan field: a keyboard-wedge scanner types a number and Enter."""

    BINDINGS = [
        Binding("enter", "submit", "bind.scan_desk", tooltip="bind.scan_desk.tip", id="desk.scan"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)


class LoanSearchBox(SearchBox):
    """The loan register's search: a loan number opens that loan, other text searches."""

    BINDINGS = [
        Binding("enter", "submit", "bind.scan", tooltip="bind.scan_loan.tip", id="loans.search.submit"),
    ]


class PickerBox(SearchBox):
    """The search of a list to pick from: Enter (or Down) moves into the results."""

    BINDINGS = [
        Binding("enter", "submit", "bind.to_results", tooltip="bind.to_results.tip",
                id="picker.submit"),
    ]


class ConfirmBox(Input):
    """A one-line answer in a small dialog: Enter confirms it."""

    BINDINGS = [
        Binding("enter", "submit", "bind.confirm", tooltip="bind.confirm.tip", id="note.confirm"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)
