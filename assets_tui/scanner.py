"""Telling a keyboard-wedge barcode scanner from a person typing.

A scanner types the whole code in a burst, a few milliseconds per key, and ends it with
Enter; people type far slower. Keys that reach the app outside a text field are collected
with their times; Enter after a fast burst of at least ``MIN_LENGTH`` keys is a scan."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.dom import DOMNode
from textual.widgets import Input, OptionList, Select, TextArea

MAX_GAP = 0.08    # seconds between a scanner's keys, with room for a slow link
MIN_LENGTH = 4    # shorter bursts are someone's fingers, not a label


class ScanCollector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._chars: list[str] = []
        self._last = 0.0

    def feed(self, char: str) -> None:
        """A printable key that no widget took."""
        now = self._clock()
        if self._chars and now - self._last > MAX_GAP:
            self._chars.clear()  # a pause: what came before was typed, not scanned
        self._chars.append(char)
        self._last = now

    def reset(self) -> None:
        self._chars.clear()

    def take(self) -> str | None:
        """At Enter: the scanned code, or None when the keys before it were not a scan."""
        now = self._clock()
        code = "".join(self._chars)
        fresh = bool(self._chars) and now - self._last <= MAX_GAP
        self._chars.clear()
        return code if fresh and len(code) >= MIN_LENGTH else None


class ScanAnywhere(DOMNode):
    """For the app: a scan outside a text field opens what it names, an asset's record or
    a loan slip. Enter is taken only when it ends a scanner's burst; any other Enter goes
    on to whatever has focus. Where the focused widget reads typing itself (a text field,
    a drop-down's type-ahead) nothing is taken: the loan desk and stock-check scan boxes
    drive their own workflows."""

    @property
    def scans(self) -> ScanCollector:
        collector = getattr(self, "_scans", None)
        if collector is None:
            collector = self._scans = ScanCollector()
        return collector

    def _takes_typing(self) -> bool:
        """Whether the focused widget reads typed characters itself: a text field, or a
        drop-down or option list that jumps to what is typed."""
        return isinstance(self.app.focused, (Input, TextArea, Select, OptionList))

    async def on_event(self, event: events.Event) -> None:
        # Keys are read here as they arrive, before they are passed on: they reach the
        # focused widget (and bubble back) only after the Enter behind them is already read.
        if (isinstance(event, events.Key) and not event.is_forwarded
                and getattr(self, "user", None) is not None):
            if self._takes_typing():
                self.scans.reset()
            elif event.key == "enter":
                code = self.scans.take()
                if code is not None:
                    self.open_scanned(code)
                    return  # the scan's Enter is not also an Enter for whatever has focus
            elif event.is_printable and event.character:
                self.scans.feed(event.character)
        await super().on_event(event)  # type: ignore[misc]

    def open_scanned(self, code: str) -> None:
        user = getattr(self, "user", None)
        from models.errors import DomainError
        from models.scanning import resolve

        from .domain_th import error_text
        from .screens import AssetDetailScreen, LoanDetailScreen

        app = self.app
        try:
            found = resolve(user, code)
        except DomainError as refused:
            app.notify(error_text(refused), severity="warning", markup=False)
            return
        screen = AssetDetailScreen(found.number) if found.kind == "asset" else LoanDetailScreen(found.number)
        app.push_screen(screen)
