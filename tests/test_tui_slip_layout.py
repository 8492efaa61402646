"""A loan slip keeps Thai words whole, as an asset's page does (test_tui_detail_layout.py):
Thai has no spaces between words, so a value wrapped in a narrow column is cut in the
middle of a word. In an 80-column terminal each field of the slip has a line of its own;
in a wide one two fields share a line only where both values' words fit in half of it."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot

from assets_tui.app import make_app
from assets_tui.screens.loan_detail import LoanDetailScreen
from models.schema import Loan, Person
from tests.test_tui import log_in, settle, type_text

VOLUNTEER = "อาสาสมัครสาธารณสุขประจำหมู่บ้าน"  # a village health volunteer: one word of 31 cells


def volunteer_loan() -> Loan:
    """The demo's loan to a village health volunteer of a community."""
    return (Loan.select().join(Person, on=Loan.borrower == Person.id)
            .where(Person.position == VOLUNTEER, Person.organisation != "")
            .order_by(Loan.id).first())


def slip_lines(loan_no: str, url: str, size: tuple[int, int]) -> list[str]:
    """The lines of the terminal with the loan's slip open, as the storekeeper sees them."""
    app = make_app(url, "th")
    lines: list[str] = []

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await log_in(pilot, "storekeeper", "demo", section="f3")
            await open_slip(pilot, loan_no)
            lines.extend(strip.text for strip in app.screen._compositor.render_strips())

    asyncio.run(main())
    return lines


async def open_slip(pilot: Pilot, loan_no: str) -> None:
    await type_text(pilot, loan_no)  # the register's search field opens a loan by its number
    await pilot.press("enter")
    await settle(pilot, 0.2)
    assert isinstance(pilot.app.screen, LoanDetailScreen)
    assert pilot.app.screen.status is not None and pilot.app.screen.loan_no == loan_no


def on_one_line(word: str, lines: list[str]) -> bool:
    return any(word in line for line in lines)


def test_thai_values_of_a_slip_keep_their_words_whole_at_80_columns(demo_url):
    loan = volunteer_loan()
    borrower = loan.borrower
    words = [*borrower.name.split(), *borrower.position.split(), *borrower.organisation.split(),
             *loan.department.name.split(), *loan.purpose.split()]
    assert {VOLUNTEER, "กองสวัสดิการสังคม"} <= set(words)
    assert any(len(word) > 30 for word in loan.purpose.split())

    lines = slip_lines(loan.loan_no, demo_url, (80, 24))
    assert [word for word in words if not on_one_line(word, lines)] == [], "\n".join(lines)


def test_a_wide_slip_keeps_two_fields_to_a_line_where_their_words_fit(demo_url):
    loan = volunteer_loan()
    borrower = loan.borrower

    lines = slip_lines(loan.loan_no, demo_url, (120, 40))
    # half of a 120-column line less its label holds the volunteer's 31 cells
    [position] = [line for line in lines if VOLUNTEER in line]
    assert borrower.name in position, "\n".join(lines)
    assert any(loan.loan_no in line and "โดย" in line for line in lines), "\n".join(lines)
