"""``assets-tui guideline ...`` and ``assets-tui stats``: the integrity and transparency
(ITA) evidence from the command line: the asset-use guideline, who has acknowledged it,
and the service statistics of a fiscal year as a table or open data (CSV or JSON).

Thin wrappers, as every command: each opens the database, calls one function of
``models.guideline`` or ``models.stats`` (which decide everything) and prints the answer.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms.spreadsheet import quote_formula
from models import guideline, stats
from models.values import fiscal_year_of, format_date_be, local_date

from .cli import (
    ENV_PASSWORD,
    CommandError,
    _acting,
    _add,
    _lang,
    _note,
    _output,
    _say,
    authenticate,
    open_database,
    print_table,
)

WHY = "this command changes the asset-use guideline"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _dump(value: Any) -> None:
    _say(json.dumps(value, ensure_ascii=False, indent=2, default=_plain))


def _read_text(path: str | None, option: str) -> str:
    if not path:
        return ""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"{option}: cannot read '{path}': {exc.strerror or exc}.") from None
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{option}: '{path}' is neither UTF-8 nor TIS-620 text.")


def _version_record(version, lang: str = "en") -> dict[str, Any]:
    return {
        "number": version.number,
        "title": version.title,
        "status": guideline.version_state(version),
        "status_label": guideline.status_label(version, lang=lang),
        "effective_on": version.effective_on,
        "published_by": version.published_by.username,
        "published_on": local_date(version.published_at),
        "signed_off_by": version.signed_off_by.username if version.signed_off_by_id else None,
        "signed_off_on": local_date(version.signed_off_at),
        "text_th": version.text_th,
        "text_en": version.text_en,
    }


# ---- guideline -------------------------------------------------------------------------

def cmd_publish(args: argparse.Namespace) -> int:
    open_database(args)
    text = _read_text(args.file, "--file")
    english = _read_text(args.english, "--english")
    actor = authenticate(args, WHY)
    version = guideline.publish_version(actor, args.version, text, args.effective, english, args.title)
    _say(f"guideline version {version.number}: published, in effect from "
         f"{format_date_be(version.effective_on)}; waiting for the agency head's sign-off "
         f"(`guideline signoff {version.number}`)")
    return 0


def cmd_signoff(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, WHY)
    version = guideline.sign_off(actor, args.number)
    state = guideline.status_label(version)
    _say(f"guideline version {version.number}: signed off by {actor.username} ({state}); "
         "every account will be asked to acknowledge it")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    open_database(args)
    lang = _lang(args)
    if args.number is not None:
        version = guideline.get_version(args.number)
    else:
        version = guideline.current_version()
        if version is None:
            drafts = guideline.versions()
            if not drafts:
                raise CommandError("No version of the asset-use guideline has been published yet.")
            newest = drafts[0]
            if guideline.version_state(newest) == "draft":
                why = f"version {newest.number} is still a draft waiting for the agency head's sign-off"
            else:
                why = f"version {newest.number} takes effect on {format_date_be(newest.effective_on)}"
            raise CommandError(f"No version of the asset-use guideline is in force yet: {why}.")
    record = _version_record(version, lang)
    if args.json:
        _dump(record)
        return 0
    _say(f"{version.title} (ฉบับที่ {version.number})")
    _say(f"status: {record['status_label']}; in effect from {format_date_be(version.effective_on)}")
    signed = (f"signed off by {record['signed_off_by']} on {format_date_be(record['signed_off_on'])}"
              if record["signed_off_by"] else "not signed off")
    _say(f"published by {record['published_by']} on {format_date_be(record['published_on'])}; {signed}")
    _say("")
    _say(version.text_en if lang == "en" and version.text_en else version.text_th)
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    open_database(args)
    found = guideline.versions()
    if args.json:
        _dump([{k: v for k, v in _version_record(g).items() if not k.startswith("text")} for g in found])
        return 0
    print_table(["ฉบับที่", "สถานะ", "มีผลตั้งแต่", "ผู้ลงนาม"] if _lang(args) == "th" else
                ["version", "status", "in effect from", "signed off by"],
                [[str(g.number), guideline.status_label(g, lang=_lang(args)),
                  format_date_be(g.effective_on, short=True),
                  g.signed_off_by.username if g.signed_off_by_id else ""] for g in found])
    return 0


def cmd_acknowledge(args: argparse.Namespace) -> int:
    open_database(args)
    user = authenticate(args, "an acknowledgement is in your own name")
    if args.version is not None:
        version = guideline.get_version(args.version)
    else:
        version = guideline.needs_acknowledgement(user)
        if version is None:
            current = guideline.current_version()
            if current is None:
                raise CommandError("No version of the asset-use guideline is in force yet; "
                                   "there is nothing to acknowledge.")
            version = current
    ack = guideline.acknowledge(user, version)
    _say(f"{user.username} has read guideline version {version.number} and will comply "
         f"(acknowledged on {format_date_be(local_date(ack.acknowledged_at))})")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, "the report names who has not yet acknowledged")
    report = guideline.acknowledgement_report(actor, args.number)
    if args.json:
        _dump(report.as_dict())
        return 0
    version = report.version
    _say(f"guideline version {version.number}: {report.acknowledged} acknowledged, "
         f"{report.pending} pending")
    rows = []
    for dept in report.departments:
        label = f"{dept.code} {dept.name}".strip()
        for s in dept.acknowledged:
            rows.append([label, s.username, s.name, format_date_be(local_date(s.acknowledged_at), short=True)])
        for s in dept.pending:
            rows.append([label, s.username, s.name, "pending" if _lang(args) == "en" else "ยังไม่รับทราบ"])
    heads = (["หน่วยงาน", "ผู้ใช้", "ชื่อ", "รับทราบเมื่อ"] if _lang(args) == "th" else
             ["department", "user", "name", "acknowledged"])
    print_table(heads, rows, [30, None, 30, None])
    return 0


# ---- statistics ----------------------------------------------------------------------------

def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _stats_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(stats.COLUMNS)
    for row in rows:
        # text a spreadsheet shows, never runs as a formula (a department named "=..."); numbers stay
        writer.writerow([quote_formula(_cell(row[c])) for c in stats.COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def _stats_json(data: dict[str, Any]) -> bytes:
    data = {**data, "columns": stats.data_dictionary()}
    return (json.dumps(data, ensure_ascii=False, indent=1, default=_plain) + "\n").encode("utf-8")


def cmd_stats(args: argparse.Namespace) -> int:
    open_database(args)
    from models.accounts import SYSTEM

    fiscal_year = args.fiscal_year or fiscal_year_of(dt.date.today())
    # The statistics are open data: anyone may read them, as `export` needs no login.
    result = stats.service_statistics(SYSTEM, fiscal_year)
    fmt = args.format or ("json" if args.json else None)
    if fmt is None and args.output:
        fmt = "json" if args.output.lower().endswith(".json") else "csv"
    if fmt is not None:
        payload = _stats_csv(result.rows()) if fmt == "csv" else _stats_json(result.as_dict())
        with _output(args.output, binary_ok_on_tty=True) as out:
            out.write(payload)
        if args.output:
            _say(f"wrote the statistics of fiscal year {result.fiscal_year} to {args.output} ({fmt})")
        return 0
    _say(f"service statistics, fiscal year {result.fiscal_year} "
         f"({format_date_be(result.first_day)} - {format_date_be(result.last_day)}), "
         f"as of {format_date_be(result.as_of)}")
    shown = ("loans_requested", "loans_approved", "loans_rejected", "loans_returned_on_time",
             "loans_returned_late", "loans_overdue_now", "external_requested", "external_approved",
             "damage_opened", "damage_settled")
    heads = (["เดือน", "ขอยืม", "อนุมัติ", "ไม่อนุมัติ", "คืนตรงเวลา", "คืนช้า", "ค้างคืน", "ภายนอก",
              "ภายนอกอนุมัติ", "ชำรุด/หาย", "ชดใช้แล้ว", "มัธยฐาน ชม."] if _lang(args) == "th" else
             ["month", "req", "appr", "rej", "on time", "late", "overdue", "ext", "ext appr",
              "damage", "settled", "median h"])
    lines = []
    for month in result.months + [stats.ALL]:
        median = result.median_decision_hours(month)
        lines.append([stats.month_label(month)] + [str(result.total(m, month)) for m in shown]
                     + [_cell(median)])
    print_table(heads, lines)
    _say("")
    dept_lines = []
    for department in result.department_ids():
        code, name = result.departments.get(department, ("", ""))
        dept_lines.append([f"{code} {name}".strip()] + [str(result.total(m, department=department)) for m in shown]
                          + [_cell(result.median_decision_hours(department=department))])
    if dept_lines:
        print_table(["หน่วยงาน" if _lang(args) == "th" else "department"] + heads[1:], dept_lines, [30] + [None] * (len(heads) - 1))
    paid = result.total("damage_amount_paid")
    _say(f"damage and loss: {result.total('damage_opened')} cases ({result.total('damage_lost')} lost), "
         f"{result.total('damage_settled')} settled, {paid:,.2f} baht paid, "
         f"{result.total('damage_open_now')} still open")
    if result.stock_checks:
        _say(f"stock check: {result.total('stockcheck_expected')} expected, "
             f"{result.total('stockcheck_counted')} counted, {result.total('stockcheck_missing')} missing, "
             f"{result.total('stockcheck_damaged')} damaged, {result.total('stockcheck_deteriorated')} "
             f"deteriorated, {result.total('stockcheck_not_needed')} no longer needed")
    else:
        _note(f"no stock check of fiscal year {result.fiscal_year} yet")
    return 0


# ---- printed evidence and the pack -------------------------------------------------------------

def _print_helpers():
    from . import cli_print

    return cli_print


def cmd_print_flowchart(args: argparse.Namespace) -> int:
    from forms.flowchart import render_flowchart, routing
    from forms.pdf import paper_settings

    helpers = _print_helpers()
    output = helpers._need_output(args)
    open_database(args)
    route = routing()
    with _output(output, binary_ok_on_tty=False) as out:
        render_flowchart(out, route, paper_settings(), helpers._printed_by(args), dt.datetime.now())
    who = "; ".join(f"{k.kind}: {k.role}" for k in route.kinds)
    _say(f"wrote the borrowing procedure flowchart ({who}; follow-up within "
         f"{route.follow_up_days} days) to {output}")
    return 0


def cmd_print_stats(args: argparse.Namespace) -> int:
    from forms.pdf import paper_settings
    from forms.stats_report import render_stats_report
    from models.accounts import SYSTEM

    helpers = _print_helpers()
    output = helpers._need_output(args)
    open_database(args)
    fiscal_year = args.fiscal_year or fiscal_year_of(dt.date.today())
    result = stats.service_statistics(SYSTEM, fiscal_year)
    with _output(output, binary_ok_on_tty=False) as out:
        pages = render_stats_report(out, result, paper_settings(), helpers._printed_by(args),
                                    dt.datetime.now())
    _say(f"wrote the service statistics of fiscal year {fiscal_year} on {helpers._pages(pages)} "
         f"to {output}")
    return 0


def _version_or_current(number: Any):
    if number is not None:
        return guideline.get_version(number)
    version = guideline.current_version()
    if version is None:
        raise CommandError("No version of the asset-use guideline is in force yet; name a "
                           "version to print it as a draft.")
    return version


def cmd_print_guideline(args: argparse.Namespace) -> int:
    from forms.guideline_doc import render_guideline
    from forms.pdf import paper_settings

    helpers = _print_helpers()
    output = helpers._need_output(args)
    open_database(args)
    version = _version_or_current(args.number)
    with _output(output, binary_ok_on_tty=False) as out:
        pages = render_guideline(out, version, paper_settings(), helpers._printed_by(args),
                                 dt.datetime.now())
    _say(f"wrote guideline version {version.number} ({guideline.status_label(version)}) on "
         f"{helpers._pages(pages)} to {output}")
    return 0


def cmd_print_acknowledgements(args: argparse.Namespace) -> int:
    from forms.guideline_doc import render_acknowledgements
    from forms.pdf import paper_settings
    from models.accounts import SYSTEM

    helpers = _print_helpers()
    output = helpers._need_output(args)
    open_database(args)
    # counts by department only are what the evidence pack publishes; names need a login
    actor = authenticate(args, "the list names who has not yet acknowledged") if args.names else SYSTEM
    printed_by = helpers._printed_by(argparse.Namespace(printed_as=args.actor))
    version = _version_or_current(args.number)
    report = guideline.acknowledgement_report(actor, version)
    with _output(output, binary_ok_on_tty=False) as out:
        pages = render_acknowledgements(out, report, paper_settings(), printed_by,
                                        dt.datetime.now(), names=args.names)
    _say(f"wrote the acknowledgements of guideline version {version.number} "
         f"({report.acknowledged} acknowledged, {report.pending} pending"
         f"{', with names' if args.names else ''}) on {helpers._pages(pages)} to {output}")
    return 0


def cmd_ita_pack(args: argparse.Namespace) -> int:
    from forms.ita_pack import build_pack

    helpers = _print_helpers()
    open_database(args)
    fiscal_year = args.fiscal_year or fiscal_year_of(dt.date.today())
    result = build_pack(args.output, fiscal_year, printed_by=helpers._printed_by(args))
    _say(f"wrote the ITA evidence pack of fiscal year {fiscal_year} to {result.directory}: "
         f"{len(result.items)} files and index.html")
    for missing in result.missing:
        _note(f"not in the pack: {missing}")
    return 0


def add_print_parsers(kinds) -> None:
    """``print flowchart|stats|guideline|acknowledgements`` (registered by ``print``)."""
    helpers = _print_helpers()
    q = _add(kinds, "flowchart", help="the borrowing procedure flowchart (แผนผังขั้นตอนการยืม)",
             description="The procedure flowchart (แผนผังขั้นตอนการยืมทรัพย์สินของราชการ) as one "
                         "A4 page, drawn from the approval routing the product enforces: who "
                         "approves each kind of loan (settings approver_inside, approver_outside, "
                         "approver_agency, agency_head_delegates, supply_head) and the days "
                         "within which an overdue loan is chased (follow_up_days). Change a "
                         "setting and the chart changes with it.")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    helpers._printed_as(q)
    q.set_defaults(func=cmd_print_flowchart)

    q = _add(kinds, "stats", help="the service statistics of a fiscal year, with charts",
             description="The borrowing service's statistics (สถิติการให้บริการ) of a fiscal year "
                         "with charts: requests, approvals and rejections by month; returns on "
                         "time, late and overdue; the median time to a decision; by department; "
                         "damage and loss cases; the stock-check findings. The same figures as "
                         "`export stats`.")
    q.add_argument("--fiscal-year", type=helpers._fiscal_year, metavar="BE",
                   help="e.g. 2569 (default: the current one)")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    helpers._printed_as(q)
    q.set_defaults(func=cmd_print_stats)

    q = _add(kinds, "guideline", help="the asset-use guideline as an announcement",
             description="The current version of the asset-use guideline (or version N) as the "
                         "agency's announcement: number, text, effective date and the agency "
                         "head's sign-off. A version not signed off prints marked as a draft.")
    q.add_argument("number", metavar="N", nargs="?", help="a version number (default: the current one)")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    helpers._printed_as(q)
    q.set_defaults(func=cmd_print_guideline)

    q = _add(kinds, "acknowledgements", help="who has acknowledged the guideline, by department",
             description="The acknowledgement summary of the current guideline (or version N): "
                         "per department, the active accounts that have and have not "
                         "acknowledged it. Counts only, as published, unless --names lists the "
                         "people too, which needs --as USER with the right to see the report.")
    q.add_argument("number", metavar="N", nargs="?", help="a version number (default: the current one)")
    q.add_argument("--names", action="store_true", help="list who has and has not acknowledged")
    q.add_argument("--as", dest="actor", metavar="USER",
                   help=f"who asks (with --names; password from ${ENV_PASSWORD})")
    q.add_argument("-o", "--output", metavar="FILE.pdf", help="the PDF to write")
    q.set_defaults(func=cmd_print_acknowledgements)


# ---- parsers ---------------------------------------------------------------------------------

def add_parsers(sub) -> None:
    p = _add(sub, "guideline", help="the asset-use guideline and its acknowledgement",
             description="The agency's asset-use and borrowing guideline (ประกาศแนวทางปฏิบัติการใช้"
                         "ทรัพย์สินของราชการ): an administrator publishes a version, the agency head "
                         "signs it off, and from its effective date every account must acknowledge "
                         "it once (\"I have read and will comply\").")
    acts = p.add_subparsers(dest="guideline_command", metavar="ACTION", required=True)

    q = _add(acts, "publish", help="publish a new version as a draft",
             description="Publish a version of the guideline from a text file (UTF-8 or TIS-620). "
                         "It is a draft until the agency head signs it off; publishing the number of "
                         "a draft again replaces its text.")
    q.add_argument("--version", required=True, metavar="N", help="the version number, e.g. 2")
    q.add_argument("--file", required=True, metavar="TEXT.txt", help="the Thai text")
    q.add_argument("--english", metavar="TEXT.txt", help="an English rendering (optional)")
    q.add_argument("--effective", metavar="DATE", help="the day it takes effect (default: today)")
    q.add_argument("--title", metavar="TEXT", help="the title (default: ประกาศแนวทางปฏิบัติการใช้"
                                                    "ทรัพย์สินของราชการ)")
    _acting(q, "the administrator publishing")
    q.set_defaults(func=cmd_publish)

    q = _add(acts, "signoff", help="sign a version off (the agency head)",
             description="The agency head signs a draft off; from its effective date it is the "
                         "current version and every account is asked to acknowledge it.")
    q.add_argument("number", metavar="N", help="the version number")
    _acting(q, "the agency head")
    q.set_defaults(func=cmd_signoff)

    q = _add(acts, "show", help="show the current version (or version N)",
             description="Print the current version of the guideline, or version N, with its "
                         "status and sign-off. Reading needs no login.")
    q.add_argument("number", metavar="N", nargs="?", help="a version number (default: the current one)")
    q.add_argument("--json", action="store_true", help="print it as JSON")
    q.set_defaults(func=cmd_show)

    q = _add(acts, "list", help="every version and its status",
             description="List every version of the guideline, newest first, drafts included.")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=cmd_versions)

    q = _add(acts, "acknowledge", help="acknowledge the current version",
             description="Record that you have read the current version of the guideline and will "
                         "comply. Doing it again changes nothing.")
    q.add_argument("--version", metavar="N", help="the version (default: the current one)")
    _acting(q, "the account acknowledging")
    q.set_defaults(func=cmd_acknowledge)

    q = _add(acts, "report", help="who has and has not acknowledged, by department",
             description="List the active accounts by department: who has acknowledged the current "
                         "version (or version N) and when, and who has not yet. For administrators, "
                         "the agency head, department heads and auditors.")
    q.add_argument("number", metavar="N", nargs="?", help="a version number (default: the current one)")
    q.add_argument("--json", action="store_true", help="print the report as JSON")
    q.add_argument("--as", dest="actor", metavar="USER", required=True,
                   help=f"who asks (password from ${ENV_PASSWORD})")
    q.set_defaults(func=cmd_report)

    p = _add(sub, "stats", help="service statistics of a fiscal year (open data)",
             description="The borrowing service's statistics (สถิติการให้บริการ) of a fiscal year, by "
                         "month and by department: loans requested, approved, rejected, returned on "
                         "time or late and overdue now; loans to outside borrowers; the median time "
                         "from request to decision; damage and loss cases and their settlement; the "
                         "year's stock-check findings. --format csv|json (or --json) writes the open-"
                         "data table (one row per month and department, per month, per department "
                         "and for the year; JSON adds the data dictionary). Reading needs no login.")
    p.add_argument("--fiscal-year", type=int, metavar="BE", help="e.g. 2569 (default: the current one)")
    p.add_argument("--format", choices=("csv", "json"), help="write open data instead of the tables")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_stats)

    p = _add(sub, "ita-pack", help="write the ITA evidence pack of a fiscal year into a folder",
             description="Write, in one go, a folder ready to publish on the agency's website as "
                         "evidence for the integrity and transparency assessment (ITA): the "
                         "current asset-use guideline and its acknowledgement summary, the "
                         "procedure flowchart, the blank loan slip, the loan register and the "
                         "stock-check report (PDF), the service statistics (PDF, CSV, JSON), the "
                         "asset and loan registers as open data with their data dictionary "
                         "(data-dictionary.html, datapackage.json), and index.html linking each "
                         "to the assessment's questions (plain Thai HTML, relative links, works "
                         "offline). No ID number, phone number or address of a borrower is in "
                         "it. The folder must be new or empty. Reading needs no login.")
    p.add_argument("--fiscal-year", type=_pack_fiscal_year, metavar="BE",
                   help="e.g. 2569 (default: the current one)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="a new or empty folder")
    p.add_argument("--as", dest="printed_as", metavar="USER",
                   help="who made the pack, named in the PDFs' footers (no password)")
    p.set_defaults(func=cmd_ita_pack)


def _pack_fiscal_year(value: str) -> int:
    return _print_helpers()._fiscal_year(value)
