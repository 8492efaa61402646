"""The Textual app. ``make_app`` builds it for the command line and the tests alike:
it binds the database, chooses the language and opens on the login screen."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial

import peewee
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from models import accounts, loans, org
from models.db import bind, db
from models.errors import DomainError
from models.schema import User

from .i18n import set_language, t
from .scanner import ScanAnywhere
from .screens import (
    ApprovalsScreen,
    AssetListScreen,
    HelpScreen,
    LoanDeskScreen,
    LoanRegisterScreen,
    LoginScreen,
    MyLoansScreen,
    OverdueScreen,
)
from .screens import stockcheck as stockcheck_screens
from .screens.print import PrintScreen
from .widgets import localize_bindings

SIGNED_OUT = "signed_out"  # the mode that holds the login screen after a logout
APPROVALS_RECOUNT = 60.0  # seconds between counts of the requests waiting for this user


@dataclass(frozen=True)
class Section:
    """A part of the app with its own stack of screens (a Textual mode), on a fixed key,
    offered to those whose role the domain lets do its work."""

    mode: str
    key: str
    screen: type[Screen]
    offered: Callable[[User], bool]


SECTIONS = (
    Section("register", "f2", AssetListScreen, lambda user: accounts.can(user, "asset.read")),
    Section("loans", "f3", LoanRegisterScreen, lambda user: accounts.can(user, "loan.read")),
    Section("requests", "f4", MyLoansScreen, lambda user: accounts.can(user, "loan.request")),
    Section("approvals", "f5", ApprovalsScreen, loans.decides_loans),
    Section("desk", "f6", LoanDeskScreen, lambda user: accounts.can(user, "loan.issue")),
    Section("overdue", "f7", OverdueScreen, lambda user: accounts.can(user, "loan.follow_up")),
    Section("stockcheck", "f8", stockcheck_screens.StockCheckScreen, stockcheck_screens.offered),
    Section("print", "f9", PrintScreen, lambda user: accounts.can(user, "asset.read")),
)


class ScreenCommands(Provider):
    """The command palette offers what the current screen's keys offer this user:
    an action a screen hides from a role (registering, for an auditor) is not offered."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if (not active.enabled or not binding.show or not binding.id
                    or binding.action in seen or binding.action == "command_palette"):
                continue
            seen.add(binding.action)
            yield (binding.description, binding.tooltip,
                   partial(self.app.run_action, binding.action, active.node))

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)


class AssetsApp(ScanAnywhere, App[None]):
    """The asset register for one agency. ``user`` is whoever logged in."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        *(Binding(section.key, f"section('{section.mode}')", f"section.{section.mode}",
                  tooltip=f"section.{section.mode}.tip", id=f"app.section.{section.mode}",
                  key_display=section.key.upper(), show=False)  # shown on the SectionBar
          for section in SECTIONS),
        Binding("f1,question_mark", "help", "bind.help", tooltip="bind.help.tip", id="app.help"),
        Binding("ctrl+l", "logout", "bind.logout", tooltip="bind.logout.tip", id="app.logout"),
        Binding("ctrl+q", "quit", "bind.quit", tooltip="bind.quit.tip", id="app.quit",
                priority=True, show=False),
        Binding("ctrl+p", "command_palette", "bind.palette", tooltip="bind.palette.tip",
                id="app.palette", priority=True, show=False),
    ]

    approvals_waiting: reactive[int | None] = reactive(None)
    """How many requests wait for this user's decision (None: not counted, or no inbox)."""

    @dataclass
    class ApprovalsCounted(Message):
        user: User
        count: int

    def __init__(self, lang: str = "th") -> None:
        super().__init__()
        localize_bindings(self)
        self.lang = lang
        self.user: User | None = None
        self.sections: list[str] = []  # the modes this user is offered
        self._recount: Timer | None = None

    def on_mount(self) -> None:
        try:
            self.title = org.get_setting("agency_name") or t("app.title")
        except peewee.DatabaseError:
            self.title = t("app.title")
        self.push_screen(LoginScreen(), callback=self._logged_in)

    def _logged_in(self, user: User | None) -> None:
        if user is None:
            return
        self.user = user
        self.sections = [section.mode for section in SECTIONS if section.offered(user)]
        for section in SECTIONS:
            if section.mode in self.sections:
                self.add_mode(section.mode, section.screen)
        self.switch_mode(self.sections[0])
        self.show_approvals_count(None)
        if "approvals" in self.sections:
            self.count_approvals()
            self._recount = self.set_interval(APPROVALS_RECOUNT, self.count_approvals)

    # ---- sections --------------------------------------------------------------------

    def action_section(self, mode: str) -> None:
        if mode in self.sections:
            self.switch_mode(mode)
            self.count_approvals()

    def offered_sections(self) -> list[tuple[str, str, str, str, bool]]:
        """(mode, key shown, label, tooltip, is current) of each section this user is offered."""
        offered = []
        for section in SECTIONS:
            if section.mode not in self.sections:
                continue
            [binding] = self._bindings.key_to_bindings[section.key]
            offered.append((section.mode, self.get_key_display(binding), binding.description,
                            binding.tooltip, section.mode == self.current_mode))
        return offered

    def show_approvals_count(self, count: int | None) -> None:
        """The approvals section says how many requests wait for this user."""
        label = t("section.approvals") + (f" ({count:,})" if count is not None else "")
        table = self._bindings.key_to_bindings
        for key, bindings in table.items():
            table[key] = [replace(b, description=label) if b.action == "section('approvals')" else b
                          for b in bindings]
        self.approvals_waiting = count
        self.refresh_bindings()

    def count_approvals(self) -> None:
        if self.user is not None and "approvals" in self.sections:
            self._count_approvals(self.user)

    @work(thread=True, exclusive=True, exit_on_error=False, group="approvals-count")
    def _count_approvals(self, user: User) -> None:
        with db.connection_context():
            count = len(loans.approvals_inbox(user))
        self.post_message(self.ApprovalsCounted(user, count))

    def on_assets_app_approvals_counted(self, counted: ApprovalsCounted) -> None:
        if counted.user is self.user:
            self.show_approvals_count(counted.count)

    # ---- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self.user is not None
        if action == "section":
            if not parameters or parameters[0] not in self.sections:
                return False
            return None if self.current_mode == parameters[0] else True
        return True

    async def action_logout(self) -> None:
        self.user = None
        if self._recount is not None:
            self._recount.stop()
            self._recount = None
        if self.current_mode in self.sections:
            # Textual cannot switch back to its first mode; a blank one holds the login.
            if SIGNED_OUT not in self._modes:
                self.add_mode(SIGNED_OUT, Screen)
            await self.switch_mode(SIGNED_OUT)
        for mode in self.sections:
            await self.remove_mode(mode)
        self.sections = []
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.push_screen(LoginScreen(), callback=self._logged_in)
        self.notify(t("login.logged_out"))

    async def action_new_request(self) -> None:
        """A new loan request, from anywhere: opens "my requests" with the request form."""
        if "requests" not in self.sections:
            return
        await self.switch_mode("requests")
        screen = self.screen
        if isinstance(screen, MyLoansScreen):
            screen.action_new_request()

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette",
                                            placeholder=t("palette.placeholder")))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The app-wide commands, in the app's language; the screen's own come from
        ``ScreenCommands``."""
        for mode, key, label, tooltip, current in self.offered_sections():
            if not current:
                yield SystemCommand(f"{label} ({key})", tooltip, partial(self.action_section, mode))
        if accounts.can(self.user, "loan.request") and "requests" in self.sections:
            yield SystemCommand(t("bind.new_request"), t("bind.new_request.tip"),
                                self.action_new_request)
        yield SystemCommand(t("palette.theme"), t("palette.theme.tip"), self.action_change_theme)
        yield SystemCommand(t("bind.quit"), t("bind.quit.tip"), self.action_quit)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen.sub_title or self.title, self.keys_of(self.screen)))

    def keys_of(self, screen: Screen) -> list[tuple[str, str, str]]:
        """(keys, what they do, longer explanation) for the app's own bindings active on
        ``screen``, one line per action."""
        by_action: dict[str, tuple[list[str], Binding]] = {}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.id or not binding.description:
                continue
            keys, _ = by_action.setdefault(binding.action, ([], binding))
            keys.append(self.get_key_display(binding))
        return [(" / ".join(dict.fromkeys(keys)), binding.description, binding.tooltip)
                for keys, binding in by_action.values()]

    # ---- failures --------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own background jobs report failures like the screens' do."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    def report_error(self, error: BaseException) -> None:
        """Show a failure as one sentence; the domain's own sentences as they are."""
        if isinstance(error, DomainError):
            message = error.message
        elif isinstance(error, peewee.DatabaseError):
            message = t("error.database", detail=str(error).strip() or type(error).__name__)
        else:
            message = t("error.unexpected", detail=f"{type(error).__name__}: {error}")
        self.log.error(repr(error))
        self.notify(message, severity="error", timeout=10, markup=False)


def make_app(db_url: str, lang: str = "th") -> AssetsApp:
    """Bind the database at ``db_url`` and build the app in ``lang`` (``th`` or ``en``)."""
    set_language(lang)
    bind(db_url)
    return AssetsApp(lang=lang)
