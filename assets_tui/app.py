"""The Textual app. ``make_app`` builds it for the command line and the tests alike:
it binds the database, chooses the language and opens on the login screen."""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from logging.handlers import RotatingFileHandler
from pathlib import Path

import peewee
import platformdirs
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from models import accounts, audit, guideline, loans, org
from models.db import bind, db
from models.errors import DomainError
from models.schema import User

from .domain_th import error_text
from .i18n import language, set_language, t
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
from .screens.audit_log import AuditLogScreen
from .screens.base import LiveList
from .screens.guideline import GuidelineScreen
from .screens.home import HomeScreen
from .screens.stats import StatsScreen
from .widgets import localize_bindings

SIGNED_OUT = "signed_out"  # the mode that holds the login screen after a logout
LIVE_POLL = 1.0  # seconds between looks at the audit log's change counter
LOG_DIR_VARIABLE = "ASSETS_TUI_LOG_DIR"  # where unexpected failures are written, if set


def log_file() -> Path:
    """The file that keeps the traceback of every unexpected failure: in the user's log
    directory (platformdirs), or in ``$ASSETS_TUI_LOG_DIR``."""
    folder = os.environ.get(LOG_DIR_VARIABLE) or platformdirs.user_log_dir("assets-tui", appauthor=False)
    return Path(folder) / "assets-tui.log"


def log_failure(error: BaseException) -> Path:
    """Write ``error`` with its traceback to the log file; returns the file's path."""
    path = log_file()
    logger = logging.getLogger("assets_tui.failures")
    if not any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
        for old in list(logger.handlers):
            logger.removeHandler(old)
            old.close()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.error("%s\n%s", f"{type(error).__name__}: {error}",
                 "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip())
    return path


@dataclass(frozen=True)
class Section:
    """A part of the app with its own stack of screens (a Textual mode), on a fixed key,
    offered to those whose role the domain lets do its work."""

    mode: str
    key: str
    screen: Callable[[], Screen]  # a screen class, or a function that imports one when first used
    offered: Callable[[User], bool]


def _print_screen() -> Screen:
    """The print screen, imported on first use: it brings the PDF library, which the rest of
    the app does not need to start."""
    from .screens.print import PrintScreen

    return PrintScreen()


SECTIONS = (
    Section("home", "f12", HomeScreen, lambda user: True),
    Section("register", "f2", AssetListScreen, lambda user: accounts.can(user, "asset.read")),
    Section("loans", "f3", LoanRegisterScreen, lambda user: accounts.can(user, "loan.read")),
    Section("requests", "f4", MyLoansScreen, lambda user: accounts.can(user, "loan.request")),
    Section("approvals", "f5", ApprovalsScreen, loans.decides_loans),
    Section("desk", "f6", LoanDeskScreen, lambda user: accounts.can(user, "loan.issue")),
    Section("overdue", "f7", OverdueScreen, lambda user: accounts.can(user, "loan.follow_up")),
    Section("stockcheck", "f8", stockcheck_screens.StockCheckScreen, stockcheck_screens.offered),
    Section("print", "f9", _print_screen, lambda user: accounts.can(user, "asset.read")),
    Section("audit", "f10", AuditLogScreen, lambda user: accounts.can(user, "audit.read")),
    Section("stats", "f11", StatsScreen, lambda user: accounts.can(user, "stats.read")),
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
        Binding("ctrl+t", "switch_language", "bind.language", tooltip="bind.language.tip",
                id="app.language", show=False),  # in the help and the command palette
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

    @dataclass
    class Changed(Message):
        """The audit log's change counter, read in the background."""

        seq: int

    def __init__(self, lang: str = "th") -> None:
        super().__init__()
        localize_bindings(self)
        self.lang = lang
        self.user: User | None = None
        self.sections: list[str] = []  # the modes this user is offered
        self._live: Timer | None = None
        self._seen_seq: int | None = None
        self._reading: Worker | None = None

    def on_mount(self) -> None:
        try:
            self.title = org.get_setting("agency_name") or t("app.title")
        except peewee.DatabaseError:
            self.title = t("app.title")
        self.push_screen(LoginScreen(), callback=self._logged_in)

    def _logged_in(self, user: User | None) -> None:
        if user is None:
            return
        version = guideline.needs_acknowledgement(user)
        if version is not None:
            self.push_screen(GuidelineScreen(user, version),
                             callback=lambda read: self._guideline_read(user, read))
            return
        self._enter(user)

    def _guideline_read(self, user: User, read: bool | None) -> None:
        """Nobody reaches the app without acknowledging the guideline in force."""
        if read:
            self._enter(user)
        else:
            self.push_screen(LoginScreen(), callback=self._logged_in)
            self.notify(t("login.logged_out"))

    def _enter(self, user: User, mode: str | None = None) -> None:
        self.user = user
        self.sections = [section.mode for section in SECTIONS if section.offered(user)]
        for section in SECTIONS:
            if section.mode in self.sections:
                self.add_mode(section.mode, section.screen)
        self.switch_mode(mode if mode in self.sections else self.sections[0])
        self.show_approvals_count(None)
        self.count_approvals()
        self._seen_seq = audit.last_seq()  # the screens about to load read everything up to here
        if self._live is None:
            self._live = self.set_interval(LIVE_POLL, self.look_for_changes)

    # ---- live: other terminals' changes ----------------------------------------------

    def look_for_changes(self) -> None:
        reading = self._reading
        if self.user is not None and (reading is None or reading.is_finished):
            self._reading = self._read_change_counter()  # one look at a time, never queued

    @work(thread=True, exit_on_error=False, group="live")
    def _read_change_counter(self) -> None:
        with db.connection_context():
            seq = audit.last_seq()
        if seq != self._seen_seq:
            self.post_message(self.Changed(seq))

    def on_assets_app_changed(self, changed: Changed) -> None:
        """Something was recorded (here or in another terminal): the screen in front reads
        its data again, and the approvals waiting are counted again."""
        self._seen_seq = changed.seq
        if self.user is None:
            return
        self.count_approvals()
        screen = self.screen
        if isinstance(screen, LiveList):
            screen.data_changed()

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
        if self._live is not None:
            self._live.stop()
            self._live = None
        self._seen_seq = None
        await self._leave_sections()
        self.push_screen(LoginScreen(), callback=self._logged_in)
        self.notify(t("login.logged_out"))

    async def _leave_sections(self) -> None:
        """Close every section's screens, leaving a blank screen to build on."""
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

    async def action_switch_language(self) -> None:
        """Thai to English and back: every screen is built again in the other language,
        on the same section (a record that was open is closed)."""
        set_language("en" if language() == "th" else "th")
        self.lang = language()
        self._bindings = self._merged_bindings.copy() if self._merged_bindings else self._bindings
        localize_bindings(self)
        try:
            self.title = org.get_setting("agency_name") or t("app.title")
        except peewee.DatabaseError:
            self.title = t("app.title")
        user, mode = self.user, self.current_mode
        if user is None:
            if isinstance(self.screen, LoginScreen):
                await self.pop_screen()
                self.push_screen(LoginScreen(), callback=self._logged_in)
        else:
            await self._leave_sections()
            self._enter(user, mode)
        self.notify(t("language.switched"))

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
        yield SystemCommand(f"{t('bind.language')} (^t)", t("bind.language.tip"),
                            self.action_switch_language)
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
        """Show a failure as one sentence; the domain's own sentences as they are. Anything
        unexpected is also written, with its traceback, to the log file the sentence names."""
        if isinstance(error, DomainError):
            message = error_text(error)
        elif isinstance(error, peewee.DatabaseError):
            message = t("error.database", detail=str(error).strip() or type(error).__name__)
            self._log_failure(error)
        else:
            path = self._log_failure(error)
            detail = f"{type(error).__name__}: {error}"
            message = (t("error.logged", detail=detail, path=path) if path is not None
                       else t("error.unexpected", detail=detail))
        self.log.error(repr(error))
        self.notify(message, severity="error", timeout=10, markup=False)

    def _log_failure(self, error: BaseException) -> Path | None:
        try:
            return log_failure(error)
        except OSError:
            return None  # the log directory cannot be written: the notification still says what failed

    def _handle_exception(self, error: Exception) -> None:
        """What still escapes (a failure inside a widget) closes the app as Textual does,
        but is written to the log file first."""
        self._log_failure(error)
        super()._handle_exception(error)

    async def _dispatch_message(self, message: Message) -> None:
        """A failure in one of the app's own handlers or actions (a key, a command) is
        reported as a sentence and logged; the app carries on instead of closing with a
        traceback over the screen."""
        try:
            await super()._dispatch_message(message)
        except Exception as error:  # noqa: BLE001 - the last line of defence, reported and logged
            self.report_error(error)


def make_app(db_url: str, lang: str = "th") -> AssetsApp:
    """Bind the database at ``db_url`` and build the app in ``lang`` (``th`` or ``en``)."""
    set_language(lang)
    bind(db_url)
    return AssetsApp(lang=lang)
