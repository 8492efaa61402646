"""The app as a person notices it: one process starts the TUI headless on a database and
drives it with the keys a storekeeper and an inspector press, timing each step from the
key to the first frame that shows its answer.

    python -m tests.bench.tui URL [--repeat N] [--start-only] [--launched-at SECONDS]

Measured, in this order: start to the login screen; the password's Enter to the home
screen with its numbers; F2 to the asset list's first page; each key of a Thai word
typed into the register's search to the table holding that word's results (the list waits
for a pause in the typing, which is inside the time; the time after that pause is shown
too); at the loan desk (F6) a scan of an item of an approved loan to the desk's answer,
and the scan that takes it back; in a stock check's counting screen a scan to its answer;
and the process's peak resident memory at the end. Login, the list and the search are
repeated after logging out and in again; set-up (loans to hand over, an open stock check)
goes through the domain while the login screen is up and is not timed.

"Shows" means the frame Textual composes for the terminal after the widget took its new
content: the time includes the app's own refresh, not the terminal's drawing. The
process prints one line of JSON; ``measure()`` runs it and makes the suite's figures.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()  # before the app's imports, as close to the process start as Python gets

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

    from tests.bench.suite import Figure

SIZE = (120, 40)  # the terminal: a desk's window, as wide as the register's columns want
WORD = "เต็นท์"  # typed into the register's search one key at a time
STOREKEEPER, INSPECTOR, PASSWORD = "storekeeper", "inspector1", "demo"
WAIT = 120.0  # seconds any one step may take before the run is called broken
TARGETS = {  # seconds, from the product's issue on the TUI
    "start": 1.0, "login": 0.300, "list": 0.200, "keystroke": 0.100, "scan": 0.050,
}
MEMORY_MB = 200  # the running app's limit


# ---- watching the screen -------------------------------------------------------------------

class Frames:
    """Notes the first frame composed while ``ready()`` holds: the app hands each frame to
    ``App._display`` (which writes nothing when headless), so wrapping it on this one app
    sees every frame a terminal would have been sent."""

    def __init__(self, app: App) -> None:
        self.ready: Callable[[], bool] | None = None
        self.shown_at: float | None = None
        self.came = asyncio.Event()
        display = app._display

        def display_and_note(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None and self.ready is not None and self.ready():
                self.shown_at = time.monotonic()
                self.ready = None
                self.came.set()

        app._display = display_and_note  # type: ignore[method-assign]

    def expect(self, ready: Callable[[], bool]) -> None:
        """From now on, note the first frame in which ``ready()`` holds."""
        self.shown_at = None
        self.came.clear()
        self.ready = ready

    async def shown(self, what: str) -> float:
        """When the frame expected came (``expect`` first, then the key)."""
        try:
            await asyncio.wait_for(self.came.wait(), WAIT)
        except TimeoutError:
            raise TimeoutError(f"{what}: nothing shown within {WAIT:.0f} s") from None
        assert self.shown_at is not None
        return self.shown_at


def press(app: App, *keys: str) -> None:
    """Keys as a terminal delivers them, one after another without waiting for the app; a
    single character (Thai vowel and tone marks too) is the key event a terminal's input
    parser makes of it."""
    from textual import events
    from textual.keys import _character_to_key

    for key in keys:
        if len(key) == 1:
            event = events.Key(key if key.isalnum() else _character_to_key(key), key)
        else:
            event = events.Key(key, "\r" if key == "enter" else None)
        event.set_sender(app)
        app._driver.send_message(event)  # type: ignore[union-attr]


async def idle(pilot: Pilot) -> None:
    """Let background queries finish and their answers reach the screen (not timed: a
    person reads the answer before the next key)."""
    import contextlib

    from textual.worker import WorkerCancelled

    await pilot.pause()
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot: Pilot, what: str, ready: Callable[[], bool]) -> None:
    """Wait (untimed) for a state the next step needs."""
    deadline = time.monotonic() + WAIT
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached within {WAIT:.0f} s")
        await pilot.pause(0.005)


# ---- set-up through the domain (not timed) ----------------------------------------------------

def loans_to_hand_over(count: int) -> list[str]:
    """Approved loans of five store items each, as the suite prepares them."""
    from tests.bench.suite import _five_item_loan

    return [_five_item_loan() for _ in range(count)]


def open_check_and_codes(count: int) -> tuple[int, list[str]]:
    """The open stock check of last fiscal year (opened as the suite's write measures open
    it when there is none) and ``count`` of its asset numbers nobody has scanned yet."""
    import datetime as dt

    from models import stockcheck
    from models.depreciation import year_end
    from models.schema import StockCheckItem, User
    from models.stockcheck import Scope
    from models.values import fiscal_year_of

    fy = fiscal_year_of(dt.date.today()) - 1
    opened = [c for c in stockcheck.checks(fy) if c.status == "open"]
    check = opened[0] if opened else stockcheck.open_stock_check(
        User.get(User.username == STOREKEEPER), fy, [INSPECTOR, "inspector2", "inspector3"],
        Scope(departments=["05"]), today=year_end(fy))
    members = {u.username for u in stockcheck.committee(check)}
    if INSPECTOR not in members:
        raise AssertionError(f"{INSPECTOR} is not on the committee of stock check {check.id}: {members}")
    codes = [c for (c,) in StockCheckItem.select(StockCheckItem.code)
             .where((StockCheckItem.check == check.id) & StockCheckItem.expected
                    & StockCheckItem.found_at.is_null())
             .order_by(StockCheckItem.code.desc()).limit(count).tuples()]
    if len(codes) < count:
        raise AssertionError(f"stock check {check.id} has {len(codes)} items left to count, {count} wanted")
    return check.id, codes


# ---- the session -------------------------------------------------------------------------

@dataclass
class Session:
    app: Any
    pilot: Any
    frames: Frames

    async def log_in(self, username: str) -> tuple[float, float]:
        """(password's Enter to the password accepted, to the home screen's numbers)."""
        from assets_tui.screens import HomeScreen
        from assets_tui.screens.login import LoginScreen

        app = self.app
        await until(self.pilot, "the login screen", lambda: isinstance(app.screen, LoginScreen))
        press(app, *username)
        await self.pilot.pause()
        press(app, "enter")
        await self.pilot.pause()
        press(app, *PASSWORD)
        await self.pilot.pause()
        accepted: list[float] = []

        def home_counted() -> bool:
            if app.user is not None and not accepted:
                accepted.append(time.monotonic())
            screen = app.screen
            return isinstance(screen, HomeScreen) and bool(screen.lines)

        self.frames.expect(home_counted)
        start = time.monotonic()
        press(app, "enter")
        shown = await self.frames.shown(f"home screen of {username}")
        await idle(self.pilot)
        return (accepted[0] if accepted else shown) - start, shown - start

    async def log_out(self) -> None:
        await self.app.action_logout()
        await idle(self.pilot)

    async def open_asset_list(self) -> float:
        from textual.widgets import DataTable

        from assets_tui.screens import AssetListScreen

        app = self.app

        def rows() -> bool:
            screen = app.screen
            return isinstance(screen, AssetListScreen) and screen.query_one("#assets", DataTable).row_count > 0

        self.frames.expect(rows)
        start = time.monotonic()
        press(app, "f2")
        shown = await self.frames.shown("the asset list")
        await idle(self.pilot)
        return shown - start

    async def search(self, word: str) -> tuple[list[float], list[float]]:
        """Each key of ``word``: (key to the new results shown, the typing pause's end to
        them). The next key comes once the results are read."""
        from textual.widgets import Static

        from assets_tui.i18n import t
        from assets_tui.widgets import SearchBox

        app = self.app
        screen = app.screen
        count = screen.query_one("#result-count", Static)
        loading = str(t("assets.loading"))
        box = screen.query_one(SearchBox)
        await until(self.pilot, "the search box", lambda: app.focused is box)
        to_results, after_pause = [], []
        for n in range(1, len(word) + 1):
            typed = word[:n]
            searched: list[float] = []

            # the list says it is loading when the pause ends and it starts the query, and
            # puts the count of what was found in its place along with the rows
            def updated(typed: str = typed, searched: list[float] = searched) -> bool:
                if screen.query_text == typed and not searched:
                    searched.append(time.monotonic())
                return screen.query_text == typed and str(count.render()) != loading

            self.frames.expect(updated)
            start = time.monotonic()
            press(app, typed[-1])
            shown = await self.frames.shown(f"results for {typed!r}")
            await idle(self.pilot)
            to_results.append(shown - start)
            after_pause.append(shown - (searched[0] if searched else start))
        return to_results, after_pause

    async def section(self, key: str, screen_type: type, ready: Callable[[Any], bool]) -> Any:
        """Open a section with its key (not timed) and wait until it is ready to use."""
        from textual.css.query import NoMatches

        app = self.app

        def usable() -> bool:
            try:
                return isinstance(app.screen, screen_type) and ready(app.screen)
            except NoMatches:  # still being built
                return False

        press(app, key)
        await until(self.pilot, f"the section on {key}", usable)
        await idle(self.pilot)
        return app.screen

    async def scan(self, code: str, log: Any, what: str) -> float:
        """A scanner's burst (the code and Enter) into the focused scan field, to the frame
        that shows the answer's line in ``log``."""
        lines = len(log.lines)
        self.frames.expect(lambda: len(log.lines) > lines)
        start = time.monotonic()
        press(self.app, *code, "enter")
        shown = await self.frames.shown(f"{what} of {code}")
        await idle(self.pilot)
        return shown - start


async def drive(url: str, repeat: int, start_only: bool, launched_at: float) -> dict[str, Any]:
    from assets_tui.app import make_app
    from assets_tui.screens.login import LoginScreen

    app = make_app(url)
    frames = Frames(app)
    frames.expect(lambda: isinstance(app.screen, LoginScreen))
    figures: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        figures["start"] = [await frames.shown("the login screen") - launched_at]
        if start_only:
            return figures
        await idle(pilot)
        desk_loans = loans_to_hand_over(math.ceil(repeat / 5))
        check_id, codes = open_check_and_codes(repeat)
        session = Session(app, pilot, frames)
        for key in ("password", "login", "list", "keystroke", "after_pause", "hand_over", "take_back",
                    "stock_scan"):
            figures[key] = []
        for _ in range(repeat):
            password, home = await session.log_in(STOREKEEPER)
            figures["password"].append(password)
            figures["login"].append(home)
            figures["list"].append(await session.open_asset_list())
            keys, after = await session.search(WORD)
            figures["keystroke"] += keys
            figures["after_pause"] += after
            await session.log_out()
        await desk(session, desk_loans, repeat, figures)
        await count(session, check_id, codes, figures)
    figures["peak_mib"] = peak_mib()
    figures["assets"], figures["loans"] = register_size()
    return figures


async def desk(session: Session, desk_loans: list[str], repeat: int, figures: dict[str, Any]) -> None:
    """Each loan: its number opens it, each item's scan hands it over, then each item's scan
    again takes it back (usable), so the items are free again afterwards."""
    from textual.widgets import RichLog

    from assets_tui.screens import LoanDeskScreen
    from assets_tui.widgets import ScanBox
    from models import loans

    await session.log_in(STOREKEEPER)
    screen = await session.section("f6", LoanDeskScreen, lambda s: s.focused is s.query_one(ScanBox))
    log = screen.query_one(RichLog)
    for loan_no in desk_loans:
        await session.scan(loan_no, log, "the loan")
        if screen.loan is None or screen.loan.loan_no != loan_no:
            raise AssertionError(f"the desk did not open {loan_no}")
        items = [i.asset.asset_no for i in loans.loan_items(loans.get_loan(loan_no))]
        for asset_no in items:
            if len(figures["hand_over"]) < repeat:
                figures["hand_over"].append(await session.scan(asset_no, log, "hand-over"))
            else:
                await session.scan(asset_no, log, "hand-over")
        for asset_no in items:
            if len(figures["take_back"]) < repeat:
                figures["take_back"].append(await session.scan(asset_no, log, "take-back"))
            else:
                await session.scan(asset_no, log, "take-back")
        status = loans.get_loan(loan_no).status
        if status != "returned":
            raise AssertionError(f"{loan_no} is {status} after its items were scanned out and back")
    await session.log_out()


async def count(session: Session, check_id: int, codes: list[str], figures: dict[str, Any]) -> None:
    """The inspector opens the check from the list of checks and scans its items."""
    from textual.widgets import RichLog, Static

    from assets_tui.screens import stockcheck as screens
    from models.schema import StockCheckItem

    await session.log_in(INSPECTOR)
    checks = await session.section("f8", screens.StockCheckScreen,
                                   lambda s: s.query_one(screens.CheckTable).row_count > 0)
    table = checks.query_one(screens.CheckTable)
    table.move_cursor(row=table.get_row_index(str(check_id)), animate=False)
    await session.pilot.pause()
    counting = await session.section(
        "enter", screens.CountScreen,
        lambda s: s.check_id == check_id and bool(str(s.query_one("#sc-summary", Static).render())))
    log = counting.query_one(RichLog)
    for code in codes:
        figures["stock_scan"].append(await session.scan(code, log, "stock-check scan"))
    counted = (StockCheckItem.select().where((StockCheckItem.check == check_id) & StockCheckItem.code.in_(codes)
                                             & StockCheckItem.found_at.is_null(False)).count())
    if counted != len(codes):
        raise AssertionError(f"{counted} of the {len(codes)} items scanned were counted")
    await session.log_out()


def peak_mib() -> float:
    """The process's peak resident memory. ``VmHWM`` belongs to this program alone; the
    ``getrusage`` figure may also carry the peak of a large parent that started it
    (Linux keeps a process's peak across exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def register_size() -> tuple[int, int]:
    from models.schema import Asset, LoanItem

    return Asset.select().count(), LoanItem.select().count()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.tui", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the database (a demo)")
    parser.add_argument("--repeat", type=int, default=10, help="rounds of login, list and search; scans of each kind")
    parser.add_argument("--start-only", action="store_true", help="measure the start to the login screen alone")
    parser.add_argument("--launched-at", type=float, default=STARTED,
                        help="time.monotonic() when the process was launched (default: its first line)")
    args = parser.parse_args(argv)
    figures = asyncio.run(drive(args.url, args.repeat, args.start_only, args.launched_at))
    print(json.dumps(figures))
    return 0


# ---- in the suite ----------------------------------------------------------------------------

def run_child(url: str, *args: str) -> dict[str, Any]:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    launched = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "tests.bench.tui", url, "--launched-at", repr(launched), *args],
                         capture_output=True, text=True, timeout=3600, cwd=root)
    if out.returncode:
        raise AssertionError(f"the TUI benchmark failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(url: str, repeat: int, starts: int) -> list[Figure]:
    """One process drives the whole session; ``starts - 1`` more only start the app."""
    from tests.bench.suite import Figure

    Memory = _memory_figure()  # noqa: N806 - a class
    got = run_child(url, "--repeat", str(repeat))
    for _ in range(starts - 1):
        got["start"] += run_child(url, "--start-only")["start"]

    def target(what: str) -> str:
        seconds = TARGETS[what]
        return f"< {seconds:g} s" if seconds >= 1 else f"< {seconds * 1000:.0f} ms"

    def ms(samples: list[float]) -> str:
        return f"{sorted(samples)[len(samples) // 2] * 1000:,.0f} ms"

    from assets_tui.screens.asset_list import SEARCH_DELAY

    scan_note = "from the scan's first key to the frame showing its line in the log"
    figures = [
        Figure("app start to the login screen (new process)", "—", got["start"], [], target("start"),
               TARGETS["start"], note="from launching Python to the first frame of the login screen, "
                                      "imports included"),
        Figure("login to the home screen with its numbers", "—", got["login"], [], target("login"), TARGETS["login"],
               note=f"from the password's Enter; the password check alone p50 {ms(got['password'])}"),
        Figure("F2 to the asset list's first page", f"{got['assets']:,}", got["list"], [], target("list"),
               TARGETS["list"], note="from the key to the first frame with rows"),
        Figure(f"search keystroke to updated results ('{WORD}' typed one key at a time)", f"{got['assets']:,}",
               got["keystroke"], [], target("keystroke"), TARGETS["keystroke"],
               note=f"includes the list's {SEARCH_DELAY * 1000:.0f} ms wait for a pause in the typing"),
        Figure("search: the typing pause's end to updated results", f"{got['assets']:,}", got["after_pause"], [],
               target("keystroke"), TARGETS["keystroke"], note="the query and the table, without the wait"),
        Figure("loan desk: scan of an item handed over", f"{got['loans']:,}", got["hand_over"], [],
               target("scan"), TARGETS["scan"], note=scan_note),
        Figure("loan desk: scan of an item taken back", f"{got['loans']:,}", got["take_back"], [],
               target("scan"), TARGETS["scan"], note=scan_note),
        Figure("stock-check counting screen: scan of an item", f"{got['assets']:,}", got["stock_scan"], [],
               target("scan"), TARGETS["scan"], note=scan_note),
        Memory("peak memory of the running app", "—", [], [], f"< {MEMORY_MB} MB",
               note=f"the highest resident set over the session above: {got['peak_mib']:,.0f} MiB "
                    f"({got['peak_mib'] * 1.048576:,.0f} MB)", mib=got["peak_mib"]),
    ]
    return figures


def _memory_figure() -> type:
    from tests.bench.suite import Figure

    @dataclass
    class Memory(Figure):
        """A row of the table that is not a time: its figure is in the note, its columns of
        times stay empty, and it is met when the peak stays under the limit."""

        mib: float = 0.0

        @property  # type: ignore[override]
        def p50(self) -> None:  # type: ignore[override]
            return None

        @property  # type: ignore[override]
        def p95(self) -> None:  # type: ignore[override]
            return None

        @property
        def met(self) -> bool:
            return self.mib * 1.048576 < MEMORY_MB

    return Memory


if __name__ == "__main__":
    sys.exit(main())
