"""``assets-tui stockcheck ...`` and ``assets-tui asset repair|repaired|transfer|dispose|disposal``:
the annual stock check and the end of an asset's life from the command line.

Thin wrappers, as every command: each opens the database, calls one function of
``models.stockcheck`` or ``models.lifecycle`` (which decide everything) and prints the
answer. A count can be fed from a file of scanned codes (``scan --from FILE``).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from models import lifecycle, stockcheck
from models.values import format_date_be

from .cli import (
    PROG,
    CommandError,
    _acting,
    _add,
    _day,
    _label,
    _lang,
    _note,
    _say,
    _sentence,
    authenticate,
    open_database,
    print_table,
)

CHECK_WHY = "this command changes a stock check"
ASSET_WHY = "this command changes the register"


def _check_id(p: argparse.ArgumentParser) -> None:
    p.add_argument("check", metavar="ID", help="the stock check's number (printed by `stockcheck open`)")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _when(day, lang: str) -> str:
    return _day(_iso(day), lang, long=True)


def _dump(value: Any) -> None:
    _say(json.dumps(value, ensure_ascii=False, indent=2, default=lambda v: v.isoformat()
                    if hasattr(v, "isoformat") else str(v)))


# ---- stockcheck open -------------------------------------------------------------------

def cmd_open(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, CHECK_WHY)
    if args.fiscal_year < 2400:
        raise CommandError(f"--fiscal-year {args.fiscal_year}: give the Buddhist Era year in which the "
                           f"fiscal year ends, such as {args.fiscal_year + 543}.")
    names = [n.strip() for part in args.committee for n in part.split(",") if n.strip()]
    scope = stockcheck.Scope(departments=args.departments or [], locations=args.locations or [],
                             categories=args.categories or [])
    check = stockcheck.open_stock_check(actor, args.fiscal_year, names, scope)
    progress = stockcheck.progress(check.id)
    _say(check.id)
    _note(f"stock check {check.id} of FY{check.fiscal_year} ({stockcheck.scope_of(check).describe()}): "
          f"{progress.expected:,} assets expected as of {check.cutoff_on:%Y-%m-%d}; counting starts "
          f"{check.starts_on:%Y-%m-%d} ({format_date_be(check.starts_on)}), report due "
          f"{check.deadline_on:%Y-%m-%d} ({format_date_be(check.deadline_on)})")
    if len(names) < stockcheck.COMMITTEE_SIZE:
        _note(f"note: the committee has {len(names)} inspector{'s' if len(names) != 1 else ''}; "
              f"a committee is usually {stockcheck.COMMITTEE_SIZE}")
    return 0


# ---- stockcheck scan -------------------------------------------------------------------

def _codes_from(path: str) -> Iterator[str]:
    """One code a line (a keyboard-wedge scanner's file); blank lines and # comments skipped."""
    if path == "-":
        lines = sys.stdin.read().splitlines()
    else:
        try:
            lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
        except OSError as exc:
            raise CommandError(f"--from: cannot read '{path}': {exc.strerror or exc}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"--from: '{path}' is not a UTF-8 text file of scanned codes.") from None
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            yield text


def cmd_scan(args: argparse.Namespace) -> int:
    codes = list(args.codes or [])
    if args.from_file:
        codes += list(_codes_from(args.from_file))
    if not codes:
        raise CommandError("Give the codes to scan, or a file of them with --from FILE.")
    open_database(args)
    actor = authenticate(args, CHECK_WHY)
    tally: dict[str, int] = {}
    records = []
    try:
        for result in stockcheck.scan_many(actor, args.check, codes, args.location, args.condition):
            tally[result.outcome] = tally.get(result.outcome, 0) + 1
            if args.json:
                records.append(result.__dict__ | {"problem": result.problem})
            else:
                _say(f"{result.outcome:<10} {_sentence(result.message)}")
    finally:
        if args.json and records:
            _dump(records)
        if tally:
            _note(f"{sum(tally.values()):,} scanned: " + ", ".join(
                f"{tally[k]:,} {k}" for k in ("found", "misplaced", "duplicate", "unexpected") if k in tally))
    return 0


# ---- stockcheck status / discrepancies / results ---------------------------------------

def _status_record(check_id: str) -> dict[str, Any]:
    check = stockcheck.get_check(check_id)
    p = stockcheck.progress(check.id)
    return {**stockcheck.summary(check), "working_days_left": p.working_days_left,
            "expected": p.expected, "counted": p.counted, "misplaced": p.misplaced, "on_loan": p.on_loan,
            "in_repair": p.in_repair, "missing": p.missing, "unexpected": p.unexpected,
            "duplicates": p.duplicates, "scans": p.scans,
            "locations": [{"location": x.location, "name": x.name, "expected": x.expected,
                           "counted": x.counted, "on_loan": x.on_loan, "in_repair": x.in_repair,
                           "remaining": x.remaining} for x in p.locations]}


def cmd_status(args: argparse.Namespace) -> int:
    open_database(args)
    r = _status_record(args.check)
    if args.json:
        _dump(r)
        return 0
    lang = _lang(args)
    th = lang == "th"
    status = {"open": ("กำลังตรวจนับ", "open"), "closed": ("ปิดแล้ว", "closed")}
    left = r["working_days_left"]
    if r["status"] == "closed":
        days = ""
    elif left > 0:
        days = f" — เหลือ {left} วันทำการ" if th else f" — {left} working days left"
    elif left == 0:
        days = " — ครบกำหนดวันนี้" if th else " — due today"
    else:
        days = f" — เกินกำหนด {-left} วันทำการ" if th else f" — {-left} working days late"
    fields = [
        (("การตรวจสอบ", "stock check"), f"{r['id']} ({'ปีงบประมาณ' if th else 'FY'}{r['fiscal_year']}, "
                                        f"{_label(status, r['status'], lang)})"),
        (("ขอบเขต", "scope"), r["scope"]),
        (("คณะกรรมการ", "committee"), ", ".join(r["committee"])),
        (("เริ่มตรวจ", "starts"), _day(r["starts_on"], lang, long=True)),
        (("กำหนดรายงาน", "report due"), _day(r["deadline_on"], lang, long=True) + days),
        (("ตรวจนับแล้ว", "counted"), f"{r['counted']:,} / {r['expected']:,}"
                                     + (f" ({r['misplaced']:,} {'ผิดที่' if th else 'misplaced'})" if r["misplaced"] else "")),
        (("อยู่ระหว่างยืม", "out on loan"), f"{r['on_loan']:,}"),
        (("ส่งซ่อม", "away for repair"), f"{r['in_repair']:,}"),
        (("ยังไม่พบ", "missing so far") if r["status"] == "open" else ("ไม่พบ", "missing"), f"{r['missing']:,}"),
        (("ไม่อยู่ในบัญชี", "unexpected"), f"{r['unexpected']:,}"),
        (("สแกนซ้ำ", "duplicate scans"), f"{r['duplicates']:,}"),
    ]
    from .cli import cell_width

    shown = [(label[0 if th else 1], value) for label, value in fields]
    width = max(cell_width(label) for label, _ in shown)
    for label, value in shown:
        _say(f"{label}{' ' * (width - cell_width(label))}  {value}")
    _say("")
    header = (["สถานที่", "ชื่อ", "ตามบัญชี", "นับแล้ว", "ยืม", "ซ่อม", "คงเหลือ"] if th
              else ["location", "name", "expected", "counted", "on loan", "repair", "remaining"])
    print_table(header, [[x["location"] or "-", x["name"], str(x["expected"]), str(x["counted"]),
                          str(x["on_loan"]), str(x["in_repair"]), str(x["remaining"])]
                         for x in r["locations"]], [None, 40, None, None, None, None, None])
    return 0


def cmd_discrepancies(args: argparse.Namespace) -> int:
    open_database(args)
    found = stockcheck.discrepancies(args.check)
    if args.json:
        _dump([d.__dict__ for d in found])
        return 0
    if not found:
        _note(f"Stock check {stockcheck.get_check(args.check).id} has no discrepancy so far.")
        return 0
    lang = _lang(args)
    th = lang == "th"
    header = (["รหัส", "รายการ", "ข้อสังเกต", "ตามบัญชี", "ที่พบ", "คำชี้แจง"] if th
              else ["code", "item", "discrepancy", "registered at", "found at", "explanation"])
    rows = []
    for d in found:
        kinds = ", ".join(_label(stockcheck.DISCREPANCY_NAMES, k, lang) for k in d.kinds)
        note = d.explanation or d.reason
        if d.wear_and_tear:
            note = ("เสื่อมตามการใช้งาน; " if th else "wear and tear; ") + note
        rows.append([d.code, d.name, kinds, d.expected_location or "", d.found_location or "", note])
    print_table(header, rows, [None, 36, 28, None, None, 50])
    _note(f"{len(found):,} discrepancies")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, CHECK_WHY)
    wear = True if args.wear_and_tear else (False if args.not_wear_and_tear else None)
    item = stockcheck.explain(actor, args.check, args.code, args.text, wear, args.condition)
    _say(item.code)
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    open_database(args)
    records = stockcheck.result_rows(args.check)
    if args.json:
        _dump(records)
        return 0
    lang = _lang(args)
    th = lang == "th"
    tick = "✓"
    header = (["ที่", "รหัสครุภัณฑ์", "รายการ", "ผล", "ใช้งาน", "ชำรุด", "เสื่อม", "สูญหาย", "ไม่จำเป็น", "หมายเหตุ"] if th
              else ["no.", "asset no", "item", "result", "in use", "damaged", "deteriorated", "lost",
                    "not needed", "remarks"])
    rows = [[str(r["no"]), r["code"], r["name"], _label(stockcheck.RESULT_NAMES, r["result"], lang),
             *(tick if r[k] else "" for k in ("in_use", "damaged", "deteriorated", "lost", "not_needed")),
             " ".join(p for p in (r["loan_no"] or "", r["explanation"] or r["reason"]) if p)]
            for r in records]
    print_table(header, rows, [None, None, 36, None, None, None, None, None, None, 50])
    return 0


# ---- stockcheck close / follow-on / corrections -----------------------------------------

def cmd_close(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, CHECK_WHY)
    check = stockcheck.close_check(actor, args.check)
    p = stockcheck.progress(check.id)
    _say(check.id)
    _note(f"stock check {check.id} closed for good: {p.counted:,} of {p.expected:,} counted "
          f"({p.misplaced:,} misplaced), {p.on_loan:,} out on loan, {p.in_repair:,} away for repair, "
          f"{p.missing:,} missing, {p.unexpected:,} unexpected; next: `{PROG} stockcheck follow-on {check.id}`")
    return 0


def cmd_follow_on(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, CHECK_WHY)
    made = stockcheck.follow_on(actor, args.check)
    for case in made.fact_finding:
        _say(f"fact-finding case {case.id}: {case.asset.asset_no} ({case.kind})")
    for cand in made.disposal_candidates:
        _say(f"disposal candidate {cand.id}: {cand.asset.asset_no} ({cand.reason.replace('_', ' ')})")
    for corr in made.corrections:
        _say(f"registry correction {corr.id}: {corr.asset.asset_no} to {corr.to_location.code} "
             f"(waits for a storekeeper: `{PROG} stockcheck confirm {corr.id}`)")
    _note(f"{len(made.fact_finding):,} fact-finding cases, {len(made.disposal_candidates):,} disposal "
          f"candidates, {len(made.corrections):,} registry corrections")
    return 0


def cmd_corrections(args: argparse.Namespace) -> int:
    open_database(args)
    pending = stockcheck.pending_corrections(args.check)
    records = [{"id": c.id, "check": c.check_id, "asset_no": c.asset.asset_no,
                "from_location": c.from_location.code if c.from_location_id else None,
                "to_location": c.to_location.code, "note": c.note} for c in pending]
    if args.json:
        _dump(records)
        return 0
    if not records:
        _note("No registry correction waits for confirmation.")
        return 0
    print_table(["id", "check", "asset no", "from", "to", "note"],
                [[str(r["id"]), str(r["check"]), r["asset_no"], r["from_location"] or "", r["to_location"],
                  r["note"]] for r in records], [None] * 5 + [50])
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, ASSET_WHY)
    corr = stockcheck.decide_correction(actor, args.correction, apply=not args.reject, note=args.note or "")
    _say(corr.asset.asset_no)
    _note(f"registry correction {corr.id} {corr.status}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    open_database(args)
    records = [stockcheck.summary(c) for c in stockcheck.checks(args.fiscal_year)]
    if args.json:
        _dump(records)
        return 0
    if not records:
        _note("No stock check yet.")
        return 0
    lang = _lang(args)
    print_table(["id", "FY", "status", "scope", "starts", "report due", "committee"],
                [[str(r["id"]), str(r["fiscal_year"]), r["status"], r["scope"], _day(r["starts_on"], lang),
                  _day(r["deadline_on"], lang), ", ".join(r["committee"])] for r in records],
                [None, None, None, 40, None, None, 40])
    return 0


# ---- asset repair / transfer / dispose ---------------------------------------------------

def _asset_done(asset_no: str, note: str) -> int:
    _say(asset_no)
    _note(note)
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, ASSET_WHY)
    r = lifecycle.send_for_repair(actor, args.asset_no, args.vendor, args.on, args.problem or "", args.cost)
    return _asset_done(r.asset.asset_no, f"sent to {r.vendor} on {r.sent_on:%Y-%m-%d}; it cannot be lent "
                                         f"until `{PROG} asset repaired {r.asset.asset_no}`")


def cmd_repaired(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, ASSET_WHY)
    r = lifecycle.return_from_repair(actor, args.asset_no, args.on, args.cost, args.note or "")
    cost = f", cost {r.cost:,.2f} baht" if r.cost is not None else ""
    return _asset_done(r.asset.asset_no, f"back from {r.vendor} on {r.returned_on:%Y-%m-%d}{cost}")


def cmd_transfer(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, ASSET_WHY)
    t = lifecycle.transfer_asset(actor, args.asset_no, args.to, args.approved_by, args.on, args.location,
                                 args.note or "")
    return _asset_done(t.asset.asset_no, f"transferred from {t.from_department.code} to {t.to_department.code} "
                                         f"on {t.on_date:%Y-%m-%d}, approved by {t.approved_by.username}")


def cmd_dispose(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, ASSET_WHY)
    d = lifecycle.dispose_asset(actor, args.asset_no, args.method, args.ordered, args.approved_by,
                                args.recipient or "", args.amount, args.done, args.document or "",
                                args.note or "")
    complete_by, _ = lifecycle.disposal_deadlines(d)
    return _asset_done(d.asset.asset_no, f"disposed of by {lifecycle.DISPOSAL_METHOD_NAMES[d.method][1]}; "
                                         f"it has left the active register; carry it out by "
                                         f"{complete_by:%Y-%m-%d} and report it to the State Audit Office "
                                         f"within {lifecycle.AUDIT_OFFICE_DAYS} days")


def cmd_disposal(args: argparse.Namespace) -> int:
    open_database(args)
    actor = authenticate(args, ASSET_WHY)
    d = lifecycle.record_disposal(actor, args.asset_no, args.done, args.amount, args.reported, args.note)
    parts = [f"carried out {d.completed_on:%Y-%m-%d}" if d.completed_on else "not carried out yet"]
    if d.amount is not None:
        parts.append(f"{d.amount:,.2f} baht received")
    parts.append(f"reported {d.reported_on:%Y-%m-%d}" if d.reported_on else "not reported yet")
    return _asset_done(d.asset.asset_no, "disposal: " + ", ".join(parts))


# ---- the parsers -------------------------------------------------------------------------

def add_parsers(sub) -> None:
    """Register ``stockcheck`` and ``asset`` with the main parser."""
    conditions = ("in_use", "damaged", "deteriorated", "not_needed")
    p = _add(sub, "stockcheck", help="the annual stock check: open, scan, status, close, follow-on",
             description="The annual stock check (การตรวจสอบพัสดุประจำปี): the agency head appoints a "
                         "committee (no supply officer may sit on it) and the list of what should be where "
                         "is frozen; inspectors scan labels from any number of terminals; the report is due "
                         "30 working days after the first working day of the new fiscal year (weekends, Thai "
                         "holidays and the closure_days setting excluded); closing is final; the follow-on "
                         "opens fact-finding cases, proposes disposals and queues registry corrections. "
                         "Reading needs no login.")
    acts = p.add_subparsers(dest="stockcheck_command", metavar="ACTION", required=True)

    q = _add(acts, "open", help="appoint the committee and freeze the expected list",
             description="Open the stock check of a fiscal year for all assets or for chosen departments "
                         "(with the units under them), locations or categories. Prints the check's number.")
    q.add_argument("--fiscal-year", type=int, required=True, metavar="BE",
                   help="the fiscal year checked (Buddhist Era, e.g. 2569: assets on hand on 30 Sep 2569)")
    q.add_argument("--department", dest="departments", action="append", metavar="CODE",
                   help="only this department and the units under it (repeat for more)")
    q.add_argument("--location", dest="locations", action="append", metavar="CODE",
                   help="only this location (repeat for more)")
    q.add_argument("--category", dest="categories", action="append", metavar="CODE",
                   help="only this asset category (repeat for more)")
    q.add_argument("--committee", action="append", required=True, metavar="USER,USER,USER",
                   help="the inspectors' usernames, the chair first (usually three)")
    _acting(q, "the agency head, or the storekeeper preparing the order")
    q.set_defaults(func=cmd_open)

    q = _add(acts, "scan", help="record scanned labels",
             description="Record scanned codes, typed on the line or read from a file (one code a line, "
                         "as a keyboard-wedge scanner writes them; '-' reads standard input). Each code's "
                         "outcome is printed on a line: found, misplaced (found away from its registered "
                         "location), duplicate (already counted, not counted again) or unexpected (not one "
                         "of ours, or outside the check). Only the committee may scan.")
    _check_id(q)
    q.add_argument("codes", nargs="*", metavar="CODE", help="asset numbers as scanned")
    q.add_argument("--from", dest="from_file", metavar="FILE", help="a file of scanned codes")
    q.add_argument("--location", metavar="CODE", help="where the items were found")
    q.add_argument("--condition", choices=conditions, default="in_use",
                   help="their condition (default: in_use)")
    q.add_argument("--json", action="store_true", help="print the outcomes as a JSON list")
    _acting(q, "the inspector scanning")
    q.set_defaults(func=cmd_scan)

    q = _add(acts, "status", help="progress: counted / expected per location, days left",
             description="Show the check's progress: counted against expected per location, what is out "
                         "on loan or away for repair (accounted for), what is still missing, and the "
                         "working days left to the report's deadline.")
    _check_id(q)
    q.add_argument("--json", action="store_true", help="print the progress as JSON")
    q.set_defaults(func=cmd_status)

    q = _add(acts, "discrepancies", help="what the committee reviews before closing",
             description="List the missing, misplaced, damaged, deteriorated, not needed and unexpected "
                         "rows with the explanations added so far.")
    _check_id(q)
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=cmd_discrepancies)

    q = _add(acts, "explain", help="add the committee's explanation to one row",
             description="Add an explanation to one row before closing; say whether damage is plain wear "
                         "and tear (it then becomes a disposal candidate, not a fact-finding case), or "
                         "settle the condition found.")
    _check_id(q)
    q.add_argument("code", metavar="CODE", help="the asset number or scanned code")
    q.add_argument("--text", required=True, metavar="T", help="the explanation")
    wear = q.add_mutually_exclusive_group()
    wear.add_argument("--wear-and-tear", action="store_true", help="the damage is plain wear and tear")
    wear.add_argument("--not-wear-and-tear", action="store_true", help="the damage is not wear and tear")
    q.add_argument("--condition", choices=conditions, help="the condition the committee settled on")
    _acting(q, "an inspector")
    q.set_defaults(func=cmd_explain)

    q = _add(acts, "results", help="every row with its result and ticks",
             description="The result list: no., asset number, item, result and the ticks for in use, "
                         "damaged, deteriorated, lost and not needed, with remarks.")
    _check_id(q)
    q.add_argument("--json", action="store_true", help="print a JSON list (open data)")
    q.set_defaults(func=cmd_results)

    q = _add(acts, "close", help="close the check for good",
             description="Write every row's result and close the check. Closing is final: afterwards "
                         "nothing about the check can change, and `verify` proves it.")
    _check_id(q)
    _acting(q, "an inspector")
    q.set_defaults(func=cmd_close)

    q = acts.add_parser("follow-on", aliases=["followup"], help="open the cases that follow a closed check",
                        description=textwrap.fill(
                            "From a closed check, in one step: fact-finding cases for losses and damage "
                            "that is not wear and tear, disposal candidates for items no longer needed or "
                            "worn out, and registry corrections for misplaced items, which a storekeeper "
                            "confirms one by one. Done once per check.", 79),
                        **_style())
    _check_id(q)
    _acting(q, "the storekeeper or the agency head")
    q.set_defaults(func=cmd_follow_on)

    q = _add(acts, "corrections", help="registry corrections waiting for a storekeeper",
             description="List the registry corrections waiting for a storekeeper's confirmation.")
    q.add_argument("check", nargs="?", metavar="ID", help="only those of this check")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=cmd_corrections)

    q = _add(acts, "confirm", help="apply (or reject) one registry correction",
             description="Apply a queued registry correction (the register moves the asset to where the "
                         "committee found it), or reject it with --reject. Prints the asset number.")
    q.add_argument("correction", type=int, metavar="CORRECTION_ID")
    q.add_argument("--reject", action="store_true", help="reject instead of applying")
    q.add_argument("--note", metavar="T")
    _acting(q, "the storekeeper confirming")
    q.set_defaults(func=cmd_confirm)

    q = _add(acts, "list", help="the stock checks", description="List stock checks, newest first.")
    q.add_argument("--fiscal-year", type=int, metavar="BE")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    q.set_defaults(func=cmd_list)

    p = _add(sub, "asset", help="repairs, transfers and disposal of one asset",
             description="Record an asset's repair, its transfer to another department or its disposal "
                         "(จำหน่าย). Each prints the asset number.")
    acts = p.add_subparsers(dest="asset_command", metavar="ACTION", required=True)

    q = _add(acts, "repair", help="send an asset for repair",
             description="Send an asset to a repairer; it cannot be lent until it is back.")
    q.add_argument("asset_no", metavar="NO")
    q.add_argument("--vendor", required=True, metavar="NAME", help="the repairer")
    q.add_argument("--on", metavar="DATE", help="the day sent (default: today)")
    q.add_argument("--problem", metavar="T", help="what is wrong")
    q.add_argument("--cost", metavar="BAHT", help="the quoted cost")
    _acting(q, "the storekeeper")
    q.set_defaults(func=cmd_repair)

    q = _add(acts, "repaired", help="an asset is back from repair",
             description="Record that an asset is back from the repairer, with the cost.")
    q.add_argument("asset_no", metavar="NO")
    q.add_argument("--on", metavar="DATE", help="the day it came back (default: today)")
    q.add_argument("--cost", metavar="BAHT", help="what the repair cost")
    q.add_argument("--note", metavar="T")
    _acting(q, "the storekeeper")
    q.set_defaults(func=cmd_repaired)

    q = _add(acts, "transfer", help="transfer an asset to another department",
             description="Transfer an asset to another department, approved by the head of the department "
                         "giving it up or by the agency head.")
    q.add_argument("asset_no", metavar="NO")
    q.add_argument("--to", required=True, metavar="CODE", help="the receiving department")
    q.add_argument("--approved-by", required=True, metavar="USER", help="who approved the transfer")
    q.add_argument("--on", metavar="DATE", help="the day of the transfer (default: today)")
    q.add_argument("--location", metavar="CODE", help="its new location")
    q.add_argument("--note", metavar="T")
    _acting(q, "the storekeeper")
    q.set_defaults(func=cmd_transfer)

    q = _add(acts, "dispose", help="dispose of an asset (it leaves the active register)",
             description="Record the agency head's order to dispose of an asset by sale, auction, exchange, "
                         "transfer to a state agency or charity, conversion or destruction, or write-off as "
                         "lost. The asset leaves the active register at once but keeps its history. Carry "
                         "it out within 60 days and report it to the State Audit Office within 30 days.")
    q.add_argument("asset_no", metavar="NO")
    q.add_argument("--method", required=True, choices=lifecycle.DISPOSAL_METHOD_NAMES)
    q.add_argument("--ordered", required=True, metavar="DATE", help="the date of the order")
    q.add_argument("--approved-by", required=True, metavar="USER", help="the agency head who ordered it")
    q.add_argument("--recipient", metavar="NAME", help="buyer, agency or charity receiving it")
    q.add_argument("--done", metavar="DATE", help="the day it was carried out")
    q.add_argument("--amount", metavar="BAHT", help="the amount received (sale or auction)")
    q.add_argument("--document", metavar="NO", help="the order's document number")
    q.add_argument("--note", metavar="T")
    _acting(q, "the storekeeper")
    q.set_defaults(func=cmd_dispose)

    q = _add(acts, "disposal", help="record a disposal carried out or reported",
             description="Record the day a disposal was carried out (with the amount received for a sale), "
                         "or the day it was reported to the State Audit Office.")
    q.add_argument("asset_no", metavar="NO")
    q.add_argument("--done", metavar="DATE", help="the day it was carried out")
    q.add_argument("--amount", metavar="BAHT", help="the amount received (sale or auction)")
    q.add_argument("--reported", metavar="DATE", help="the day it was reported to the State Audit Office")
    q.add_argument("--note", metavar="T")
    _acting(q, "the storekeeper")
    q.set_defaults(func=cmd_disposal)


def _style() -> dict[str, Any]:
    from .cli import _STYLE

    return dict(_STYLE)
