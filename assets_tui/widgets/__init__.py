"""Widgets of the app that screens share."""

from .asset_table import AssetTable
from .loan_table import LoanTable
from .localized import localize_bindings
from .scan_box import ConfirmBox, LoanSearchBox, PickerBox, ScanBox
from .search_box import SearchBox
from .section_bar import SectionBar

__all__ = ["AssetTable", "ConfirmBox", "LoanSearchBox", "LoanTable", "PickerBox", "ScanBox",
           "SearchBox", "SectionBar", "localize_bindings"]
