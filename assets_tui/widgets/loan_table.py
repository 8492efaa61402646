"""A table of loans, one row per loan slip."""

from __future__ import annotations

from textual.binding import Binding

from .asset_table import AssetTable


class LoanTable(AssetTable):
    """A row-cursor table whose Enter opens the loan on the highlighted row."""

    BINDINGS = [
        Binding("enter", "select_cursor", "bind.open", tooltip="bind.open_loan.tip", id="loans.open"),
    ]
