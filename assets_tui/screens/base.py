"""What every screen shares: key bindings in the chosen language, the logged-in
user, and one place where a failed background job is reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from ..widgets.localized import localize_bindings

if TYPE_CHECKING:
    from models.schema import User

ResultType = TypeVar("ResultType")


class _Shared:
    """Behaviour common to full screens and dialogs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)  # type: ignore[arg-type]

    @property
    def user(self) -> User | None:
        return getattr(self.app, "user", None)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background job that raised is reported once, here, as a notification."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_error(event.worker.error)  # type: ignore[attr-defined]


class AppScreen(_Shared, Screen[ResultType]):
    """A full screen of the app."""


class AppModal(_Shared, ModalScreen[ResultType]):
    """A dialog over the current screen; Escape closes it."""


class PagedList:
    """Paging for a screen that shows one page of a database list at a time: the screen
    keeps ``page`` and ``pages`` and reloads the current page with ``reload()``."""

    page: int
    pages: int

    def paging_allowed(self, action: str) -> bool | None:
        """For ``check_action``: hide the page key that would lead nowhere."""
        if action == "next_page":
            return None if self.page >= self.pages else True
        if action == "previous_page":
            return None if self.page <= 1 else True
        return True

    def action_next_page(self) -> None:
        if self.page < self.pages:
            self.page += 1
            self.reload()

    def action_previous_page(self) -> None:
        if self.page > 1:
            self.page -= 1
            self.reload()
