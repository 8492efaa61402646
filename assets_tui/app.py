"""The Textual app. ``make_app`` builds it for the command line and the tests alike:
it binds the database, chooses the language and opens on the login screen."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial

import peewee
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from models import org
from models.db import bind
from models.errors import DomainError
from models.schema import User

from .i18n import set_language, t
from .screens import AssetListScreen, HelpScreen, LoginScreen
from .widgets import localize_bindings


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


class AssetsApp(App[None]):
    """The asset register for one agency. ``user`` is whoever logged in."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ScreenCommands}
    BINDINGS = [
        Binding("f1,question_mark", "help", "bind.help", tooltip="bind.help.tip", id="app.help"),
        Binding("ctrl+l", "logout", "bind.logout", tooltip="bind.logout.tip", id="app.logout"),
        Binding("ctrl+q", "quit", "bind.quit", tooltip="bind.quit.tip", id="app.quit",
                priority=True, show=False),
        Binding("ctrl+p", "command_palette", "bind.palette", tooltip="bind.palette.tip",
                id="app.palette", priority=True, show=False),
    ]

    def __init__(self, lang: str = "th") -> None:
        super().__init__()
        localize_bindings(self)
        self.lang = lang
        self.user: User | None = None

    def on_mount(self) -> None:
        try:
            self.title = org.get_setting("agency_name") or t("app.title")
        except peewee.DatabaseError:
            self.title = t("app.title")
        self.push_screen(LoginScreen(), callback=self._logged_in)

    def _logged_in(self, user: User | None) -> None:
        if user is not None:
            self.user = user
            self.push_screen(AssetListScreen())

    # ---- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logout":
            return self.user is not None
        return True

    async def action_logout(self) -> None:
        self.user = None
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.push_screen(LoginScreen(), callback=self._logged_in)
        self.notify(t("login.logged_out"))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette",
                                            placeholder=t("palette.placeholder")))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The app-wide commands, in the app's language; the screen's own come from
        ``ScreenCommands``."""
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
