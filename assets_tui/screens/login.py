"""The login screen: username and password; the domain decides who gets in."""

from __future__ import annotations

from dataclasses import dataclass

import peewee
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, Static
from textual.worker import Worker, WorkerState

from models import accounts, org
from models.db import db
from models.errors import AuthenticationError
from models.schema import User

from ..domain_th import error_text
from ..i18n import t
from .base import AppScreen


class LoginScreen(AppScreen[User]):
    """Dismisses with the logged-in user."""

    AUTO_FOCUS = "#username"
    BINDINGS = [
        Binding("escape", "clear", "bind.clear", tooltip="bind.clear.tip", id="login.clear",
                show=False),
    ]

    @dataclass
    class Accepted(Message):
        user: User

    @dataclass
    class Refused(Message):
        reason: str

    def __init__(self) -> None:
        super().__init__()
        self.sub_title = t("login.title")

    def compose(self) -> ComposeResult:
        agency, ready = self._agency_name()
        yield Header()
        with Center(), Vertical(id="login-box"):
            yield Static(agency, id="login-agency", markup=False)
            yield Static(t("login.heading"), id="login-heading")
            yield Label(t("login.username"), classes="login-label")
            yield Input(id="username", max_length=50)
            yield Label(t("login.password"), classes="login-label")
            yield Input(id="password", password=True)
            yield Static(
                "" if ready else t("login.not_initialised"), id="login-error",
                classes="" if ready else "-shown", markup=False)
            yield Button(t("login.submit"), variant="primary", id="login-submit")
        yield Footer()

    @staticmethod
    def _agency_name() -> tuple[str, bool]:
        try:
            return org.get_setting("agency_name") or t("app.title"), True
        except peewee.DatabaseError:
            return t("app.title"), False

    def show_error(self, message: str) -> None:
        error = self.query_one("#login-error", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")

    @on(Input.Submitted, "#username")
    def _username_entered(self) -> None:
        if self.query_one("#password", Input).value:
            self.submit()
        else:
            self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#login-submit")
    def submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not username or not password:
            self.show_error(t("login.missing"))
            self.query_one("#username" if not username else "#password", Input).focus()
            return
        self.show_error("")
        self.query_one("#login-submit", Button).disabled = True
        self.query_one("#login-submit", Button).label = t("login.checking")
        self.check_password(username, password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def check_password(self, username: str, password: str) -> None:
        with db.connection_context():
            try:
                user = accounts.login(username, password)
            except AuthenticationError as refused:
                self.post_message(self.Refused(error_text(refused)))
                return
        self.post_message(self.Accepted(user))

    def _ready_again(self) -> None:
        button = self.query_one("#login-submit", Button)
        button.disabled = False
        button.label = t("login.submit")

    def on_login_screen_refused(self, message: Refused) -> None:
        self._ready_again()
        self.show_error(message.reason)
        password = self.query_one("#password", Input)
        password.clear()
        password.focus()

    def on_login_screen_accepted(self, message: Accepted) -> None:
        self._ready_again()
        self.dismiss(message.user)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group == "login" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._ready_again()

    def action_clear(self) -> None:
        self.query_one("#password", Input).clear()
        self.show_error("")
