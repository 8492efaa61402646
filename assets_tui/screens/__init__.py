"""The screens of the app."""

from .approvals import ApprovalsScreen
from .asset_detail import AssetDetailScreen
from .asset_form import AssetFormScreen
from .asset_list import AssetListScreen
from .guideline import AcknowledgementReportScreen, GuidelineScreen
from .help import HelpScreen
from .home import HomeScreen, LoanListScreen
from .loan_desk import LoanDeskScreen
from .loan_detail import LoanDetailScreen
from .loan_parts import NoteScreen
from .loan_register import LoanRegisterScreen
from .loan_request import AssetPickerScreen, LoanRequestScreen
from .login import LoginScreen
from .my_loans import MyLoansScreen
from .overdue import FollowUpScreen, OverdueScreen

__all__ = [
    "AcknowledgementReportScreen", "ApprovalsScreen", "AssetDetailScreen", "AssetFormScreen", "AssetListScreen",
    "AssetPickerScreen", "FollowUpScreen", "GuidelineScreen", "HelpScreen", "HomeScreen", "LoanDeskScreen",
    "LoanDetailScreen", "LoanListScreen",
    "LoanRegisterScreen", "LoanRequestScreen", "LoginScreen", "MyLoansScreen", "NoteScreen",
    "OverdueScreen",
]
