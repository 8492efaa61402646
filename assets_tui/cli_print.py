"""``assets-tui print``: printed documents as PDF files.

Printing only reads the register, so it needs no login and records nothing. ``--as USER``
only names who printed the document in its footer (the operating system's account name
is used otherwise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import getpass
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _base():
    """The main command line module (imported late: it imports this one)."""
    from . import cli

    return cli


def _printed_by(args: argparse.Namespace) -> str:
    """Who printed, as the page footer says it."""
    username = getattr(args, "printed_as", None)
    if username:
        from models.accounts import get_user
        from models.schema import Person

        user = get_user(username)
        person = Person.get_by_id(user.person_id)
        return f"{person.name} ({user.username})"
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no account name on this system
        return ""


def _need_output(args: argparse.Namespace) -> str:
    cli = _base()
    if not args.output:
        raise cli.CommandError("Name the PDF to write with -o FILE.pdf.")
    return args.output


def cmd_print_labels(args: argparse.Namespace) -> int:
    from forms import labels
    from forms.pdf import paper_settings

    cli = _base()
    if args.list_templates:
        rows = [[t.name, f"{t.per_sheet}", t.description] for t in labels.templates().values()]
        cli.print_table(["template", "labels", "description"], rows)
        return 0
    output = _need_output(args)
    template = labels.get_template(args.template)
    if not 1 <= args.start_at <= template.per_sheet:
        raise cli.CommandError(f"--start-at must be between 1 and {template.per_sheet} on the "
                               f"{template.name} template.")
    cli.open_database(args)
    chosen = labels.select_assets(args.assets or (), department=args.department,
                                  location=args.location, category=args.category)
    settings = paper_settings()
    with cli._output(output, binary_ok_on_tty=False) as out:
        run = labels.render_labels(out, (labels.label_data(a) for a in chosen), template,
                                   start_at=args.start_at, settings=settings, outline=args.outline,
                                   qr=args.qr)
        if run.labels == 0:
            raise cli.CommandError("No asset matches: no labels were printed.")
    sheets = ("page" if template.per_sheet == 1 else "sheet") + ("" if run.pages == 1 else "s")
    cli._say(f"wrote {run.labels:,} labels on {run.pages:,} {sheets} ({template.name}) to {output}")
    if run.narrow_barcode:
        cli._note(f"{len(run.narrow_barcode):,} barcodes are too long for {template.name} labels "
                  f"and may not scan ({', '.join(run.narrow_barcode[:5])}"
                  f"{', …' if len(run.narrow_barcode) > 5 else ''}): use a wider template")
    if run.without_barcode:
        cli._note(f"{len(run.without_barcode):,} labels have no barcode: Code 128 carries only "
                  f"ASCII letters, digits and signs ({', '.join(run.without_barcode[:5])}"
                  f"{', …' if len(run.without_barcode) > 5 else ''})")
    return 0


def cmd_print_slip(args: argparse.Namespace) -> int:
    from forms.pdf import paper_settings
    from forms.slip import render_slip, slip_data

    cli = _base()
    output = _need_output(args)
    cli.open_database(args)
    data = slip_data(args.loan_no)
    settings = paper_settings()
    printed_by = _printed_by(args)
    with cli._output(output, binary_ok_on_tty=False) as out:
        pages = render_slip(out, data, settings, printed_by=printed_by, printed_at=dt.datetime.now())
    cli._say(f"wrote the loan slip {data.loan_no} ({pages} {'page' if pages == 1 else 'pages'}) "
             f"to {output}")
    return 0


def cmd_print_stockcheck(args: argparse.Namespace) -> int:
    from forms.pdf import paper_settings
    from forms.stockcheck_report import render_report, report_data

    cli = _base()
    output = _need_output(args)
    cli.open_database(args)
    data = report_data(args.check)
    settings = paper_settings()
    printed_by = _printed_by(args)
    with cli._output(output, binary_ok_on_tty=False) as out:
        pages = render_report(out, data, settings, printed_by=printed_by, printed_at=dt.datetime.now())
    draft = " as a draft: the check is still open" if data.draft else ""
    cli._say(f"wrote the report of stock check {data.check_id} (FY{data.fiscal_year}, {pages} "
             f"{'page' if pages == 1 else 'pages'}) to {output}{draft}")
    return 0


def _pages(n: int) -> str:
    return f"{n:,} {'page' if n == 1 else 'pages'}"


def _fiscal_year(value: str) -> int:
    """A fiscal year as people write it: 2569 (BE); 69 is read as 2569."""
    text = value.strip().removeprefix("FY").removeprefix("ปีงบประมาณ").strip()
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"'{value}' is not a fiscal year: write it in the "
                                         "Buddhist Era, e.g. 2569")
    year = int(text)
    year = year + 2500 if year < 100 else year
    if not 2400 < year < 2700:
        raise argparse.ArgumentTypeError(f"'{value}' is not a fiscal year in the Buddhist Era "
                                         "(e.g. 2569)")
    return year


def _chosen(args: argparse.Namespace) -> tuple[str, str]:
    """The department and category named by --department and --category, as printed."""
    from models.errors import ValidationError
    from models.org import find_category, find_department

    cli = _base()
    department = category = ""
    try:
        if getattr(args, "department", None):
            d = find_department(args.department)
            args.department = d.code
            department = f"{d.code} {d.name}"
        if getattr(args, "category", None):
            c = find_category(args.category)
            args.category = c.code
            category = f"{c.code} ครุภัณฑ์{c.name}"
    except ValidationError as exc:
        raise cli.CommandError(str(exc)) from None
    return department, category


def cmd_print_register(args: argparse.Namespace) -> int:
    from forms.pdf import paper_settings
    from forms.register import register_cards, render_register, render_summary
    from models.depreciation import register_summary

    cli = _base()
    output = _need_output(args)
    cli.open_database(args)
    department, category = _chosen(args)
    settings = paper_settings()
    printed_by = _printed_by(args)
    fy = args.fiscal_year
    with cli._output(output, binary_ok_on_tty=False) as out:
        if args.summary:
            run = render_summary(out, register_summary(fy, args.department, args.category),
                                 settings, printed_by, dt.datetime.now(), department, category)
            what = "summary register"
        else:
            run = render_register(out, register_cards(fy, args.department, args.category), fy,
                                  settings, printed_by, dt.datetime.now(), department, category)
            what = "asset register"
    cli._say(f"wrote the {what} of fiscal year {fy}: {run.assets:,} "
             f"{'asset' if run.assets == 1 else 'assets'} on {_pages(run.pages)} to {output}")
    return 0


def cmd_print_loan_register(args: argparse.Namespace) -> int:
    from forms.loan_register import loan_lines, render_loan_register
    from forms.pdf import paper_settings

    cli = _base()
    output = _need_output(args)
    cli.open_database(args)
    department, _ = _chosen(args)
    settings = paper_settings()
    printed_by = _printed_by(args)
    with cli._output(output, binary_ok_on_tty=False) as out:
        run = render_loan_register(out, loan_lines(args.fiscal_year, args.department), settings,
                                   printed_by, dt.datetime.now(), args.fiscal_year, department)
    year = f" of fiscal year {args.fiscal_year}" if args.fiscal_year else ""
    cli._say(f"wrote the loan register{year}: {run.loans:,} {'loan' if run.loans == 1 else 'loans'} "
             f"on {_pages(run.pages)} to {output}")
    return 0


def cmd_print_overdue_letter(args: argparse.Namespace) -> int:
    from forms.letters import overdue_letter_data, render_overdue_letter
    from forms.pdf import paper_settings

    cli = _base()
    output = _need_output(args)
    cli.open_database(args)
    data = overdue_letter_data(args.loan_no, signer=args.signer, letter_no=args.letter_no or "")
    settings = paper_settings()
    printed_by = _printed_by(args)
    with cli._output(output, binary_ok_on_tty=False) as out:
        pages = render_overdue_letter(out, data, settings, printed_by, dt.datetime.now())
    loans = ", ".join(no for no, _ in data.loans)
    cli._say(f"wrote the follow-up letter to {data.borrower} for {len(data.items)} overdue "
             f"{'item' if len(data.items) == 1 else 'items'} ({loans}) on {_pages(pages)} "
             f"to {output}")
    cli._note("once it is sent, record it: assets-tui loan follow-up "
              f"{args.loan_no} --method letter")
    return 0


def cmd_print_history(args: argparse.Namespace) -> int:
    from forms.history_card import history_card, render_history_card
    from forms.pdf import paper_settings

    cli = _base()
    output = _need_output(args)
    cli.open_database(args)
    card = history_card(args.asset_no)
    settings = paper_settings()
    printed_by = _printed_by(args)
    with cli._output(output, binary_ok_on_tty=False) as out:
        pages = render_history_card(out, card, settings, printed_by, dt.datetime.now())
    cli._say(f"wrote the history card of {card.asset_no}: {len(card.lines):,} "
             f"{'event' if len(card.lines) == 1 else 'events'} on {_pages(pages)} to {output}")
    return 0


def _to_printer(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``--printer NAME``: the document is written as usual (to a temporary file when no
    -o is given) and then sent to that CUPS printer."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        from .printing import PrinterError, printing_available, send_to_printer

        cli = _base()
        printer = getattr(args, "printer", None)
        if printer is None or getattr(args, "list_templates", False):
            return func(args)
        if not printing_available():
            raise cli.CommandError("--printer: this computer has no CUPS printing (the `lp` "
                                   "command was not found); write a PDF with -o FILE.pdf instead.")
        with tempfile.TemporaryDirectory(prefix="assets-tui-print-") as spool:
            if not args.output:
                args.output = str(Path(spool) / f"{args.print_command}.pdf")
            status = func(args)
            try:
                said = send_to_printer(args.output, printer)
            except PrinterError as exc:
                raise cli.CommandError(str(exc)) from None
        cli._say(f"sent to the printer {printer}" + (f": {said}" if said else ""))
        return status

    return run


def _printed_as(q: argparse.ArgumentParser) -> None:
    q.add_argument("--as", dest="printed_as", metavar="USER",
                   help="who is printing, named in the footer (no password: nothing is "
                        "recorded; default: this computer's account name)")


def add_print_parser(sub: Any) -> None:
    """Register ``print`` and its documents on the main parser's sub-commands."""
    cli = _base()
    p = cli._add(sub, "print", help="print labels, slips, registers and letters as PDF",
                 description="Write printed documents as PDF files: asset labels with Code 128 "
                             "barcodes, loan slips (ใบยืมพัสดุ), the asset register with "
                             "depreciation (ทะเบียนคุมทรัพย์สิน), the loan register, follow-up "
                             "letters for overdue loans and asset history cards. Thai text is shaped for paper "
                             "and copies as the same words. Printing only reads the register: "
                             "no login is needed and nothing is recorded.")
    kinds = p.add_subparsers(dest="print_command", metavar="DOCUMENT", required=True)

    q = cli._add(kinds, "labels", help="asset labels on label sheets or a roll",
                 description="Asset labels: the asset number as a Code 128 barcode and in "
                             "text, the asset's name (shortened to fit), the agency and the "
                             "fiscal year acquired. Choose assets by number, department, "
                             "location or category (criteria combine); disposed assets get no "
                             "label. --start-at continues a partly used sheet. "
                             "--list-templates shows the label sheets known.")
    q.add_argument("--asset", dest="assets", action="append", metavar="NO",
                   help="an asset to label (repeat for more)")
    q.add_argument("--department", metavar="CODE", help="the assets of this department")
    q.add_argument("--location", metavar="CODE", help="the assets at this location")
    q.add_argument("--category", metavar="CODE", help="the assets of this category, e.g. 416")
    q.add_argument("--template", metavar="NAME", default=None,
                   help="the label sheet (default a4-3x8; see --list-templates)")
    q.add_argument("--start-at", type=int, default=1, metavar="N",
                   help="the first free position on the sheet, counted along the rows from "
                        "the top left (default 1)")
    q.add_argument("--outline", action="store_true",
                   help="draw each label's edge, for a trial print on plain paper")
    q.add_argument("--qr", action="store_true",
                   help="also print a QR code of the number on each label, for phone cameras "
                        "and 2D scanners")
    q.add_argument("--list-templates", action="store_true", help="list the label templates")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    q.set_defaults(func=cmd_print_labels)

    q = cli._add(kinds, "slip", help="a loan slip (ใบยืมพัสดุ)",
                 description="The loan slip filled from the loan register: borrower, purpose, "
                             "period, items, the borrower's undertaking, and the blocks to sign "
                             "for the endorsement, the supply officer's check, the approval, "
                             "the hand-over and the return. The slip number is printed as a "
                             "barcode, so a paper slip scanned at the desk opens its loan.")
    q.add_argument("loan_no", metavar="LOAN_NO", help="the loan's number, e.g. L2570-0001")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    q.add_argument("--as", dest="printed_as", metavar="USER",
                   help="who is printing, named in the footer (no password: nothing is "
                        "recorded; default: this computer's account name)")
    q.set_defaults(func=cmd_print_slip)

    q = cli._add(kinds, "register", help="the asset register (ทะเบียนคุมทรัพย์สิน) of a fiscal year",
                 description="The asset register as it stood on 30 Sep of a fiscal year: per "
                             "asset a card with the register header (category, number, "
                             "description, brand and model, serial number, location, seller, "
                             "funding, method, date and price) and the ledger with the "
                             "straight-line depreciation posted each year, leaving 1.00 baht. "
                             "--summary prints instead the totals by category and department: "
                             "count, cost, the year's depreciation, accumulated depreciation "
                             "and net book value.")
    q.add_argument("--fiscal-year", type=_fiscal_year, required=True, metavar="BE",
                   help="the fiscal year in the Buddhist Era, e.g. 2569 (1 Oct 2568 - 30 Sep 2569)")
    q.add_argument("--department", metavar="CODE", help="only the assets of this department")
    q.add_argument("--category", metavar="CODE", help="only the assets of this category, e.g. 416")
    q.add_argument("--summary", action="store_true",
                   help="the summary register by category and department instead of the cards")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    _printed_as(q)
    q.set_defaults(func=cmd_print_register)

    q = cli._add(kinds, "loan-register",
                 help="the loan register (ทะเบียนการยืมทรัพย์สินของราชการ)",
                 description="The loan register: every loan approved, in the order requested, "
                             "with its number and date, the borrower and their organisation, "
                             "the asset numbers lent, purpose, place of use, period, approver, "
                             "the dates handed over and returned, and items that came back "
                             "damaged or lost. Requests refused, cancelled or still waiting are "
                             "not loans and are left out.")
    q.add_argument("--fiscal-year", type=_fiscal_year, metavar="BE",
                   help="only loans starting in this fiscal year (Buddhist Era, e.g. 2569)")
    q.add_argument("--department", metavar="CODE",
                   help="only loans of assets held by this department")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    _printed_as(q)
    q.set_defaults(func=cmd_print_loan_register)

    q = cli._add(kinds, "overdue-letter", help="a follow-up letter for overdue loans (หนังสือทวงคืน)",
                 description="The follow-up letter (หนังสือทวงคืน) to the borrower of an overdue "
                             "loan, as a Thai official letter at 16 pt: it lists every item the "
                             "borrower still holds past its due date, on this loan and any "
                             "other, with loan numbers, due dates, days overdue and values, the "
                             "total in figures and in words, and asks for their return within 7 "
                             "days. Signed by the loan's approver unless --signer names the "
                             "supply officer or another user. Printing records nothing: record "
                             "the follow-up itself with `loan follow-up`.")
    q.add_argument("loan_no", metavar="LOAN_NO", help="an overdue loan of the borrower to write to")
    q.add_argument("--signer", metavar="USER", help="who signs (default: the loan's approver)")
    q.add_argument("--letter-no", metavar="TEXT",
                   help="the letter's number (ที่), e.g. 'ตก 52001/123' (default: dots to fill in)")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    _printed_as(q)
    q.set_defaults(func=cmd_print_overdue_letter)

    q = cli._add(kinds, "history", help="an asset's history card (บัตรประวัติครุภัณฑ์)",
                 description="One asset's history card: its register header and net book value "
                             "today, then every event of its life from the audit log, oldest "
                             "first (registration and edits, moves and transfers, each loan's "
                             "request, approval, hand-over, return and follow-up, damage cases, "
                             "repairs, disposal) and the annual stock checks that counted it.")
    q.add_argument("asset_no", metavar="ASSET_NO", help="the asset's number, e.g. 416-68-0001")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    _printed_as(q)
    q.set_defaults(func=cmd_print_history)

    q = cli._add(kinds, "stockcheck", help="the annual stock check report (รายงานผลการตรวจสอบพัสดุประจำปี)",
                 description="The inspection report of a stock check: agency, fiscal year and the "
                             "period it covers, start and deadline, the committee, the result list "
                             "(ticks for damaged, deteriorated, lost, not needed, in use; date "
                             "acquired, register price, user, remarks), the counts, the "
                             "discrepancies with the committee's explanations, and a signature "
                             "block for each member. A check still open prints as a draft.")
    q.add_argument("check", metavar="ID", help="the stock check's number")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    q.add_argument("--as", dest="printed_as", metavar="USER",
                   help="who is printing, named in the footer (no password: nothing is "
                        "recorded; default: this computer's account name)")
    q.set_defaults(func=cmd_print_stockcheck)

    from .cli_ita import add_print_parsers
    add_print_parsers(kinds)

    for q in kinds.choices.values():
        q.add_argument("--printer", metavar="NAME",
                       help="also send the document to this CUPS printer with lp (`lpstat -p` "
                            "lists them); without -o nothing is kept on disk")
        q.set_defaults(func=_to_printer(q.get_default("func")))
