"""Widgets of the app that screens share."""

from .asset_table import AssetTable
from .localized import localize_bindings
from .search_box import SearchBox

__all__ = ["AssetTable", "SearchBox", "localize_bindings"]
