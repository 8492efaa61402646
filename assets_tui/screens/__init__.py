"""The screens of the app."""

from .asset_detail import AssetDetailScreen
from .asset_form import AssetFormScreen
from .asset_list import AssetListScreen
from .help import HelpScreen
from .login import LoginScreen

__all__ = ["AssetDetailScreen", "AssetFormScreen", "AssetListScreen", "HelpScreen", "LoginScreen"]
