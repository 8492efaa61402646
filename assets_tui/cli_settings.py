"""``assets-tui setting``: the agency's settings (who approves which loan, the follow-up
days, closure days, Thai digits on paper, where depreciation starts...). Reading needs no
login; changing one is an administrator's task and is recorded in the audit log."""

from __future__ import annotations

import argparse
import json
from typing import Any

SETTINGS_WHY = "changing a setting is an administrator's task"

MEANINGS = {
    "agency_name": "the agency's name, as every printed document heads it",
    "asset_number_pattern": "how new asset numbers are made, e.g. {category}-{yy}-{seq:04d}",
    "thai_digits": "print Thai digits (๑๒๓) on paper: yes or no",
    "language": "the app's language when --lang is not given: th or en",
    "approver_inside": "who approves loans for use inside the premises: dept_head or agency_head",
    "approver_outside": "who approves loans taken outside the premises: dept_head or agency_head",
    "approver_agency": "who approves loans to other state agencies: dept_head or agency_head",
    "agency_head_delegates": "usernames who may approve in the agency head's place (comma-separated)",
    "supply_head": "the username of the supply unit's head, who may approve loans used inside",
    "follow_up_days": "days after the due date within which an overdue loan must be chased",
    "closure_days": "the agency's own closure days (dates, comma-separated)",
    "depreciation_from": "the first year's depreciation starts in the acquisition_month or the "
                         "next_month",
}


def _base():
    from . import cli

    return cli


def cmd_setting_list(args: argparse.Namespace) -> int:
    from models import org

    cli = _base()
    cli.open_database(args)
    current = org.settings()
    if args.json:
        cli._say(json.dumps(current, ensure_ascii=False, indent=2))
        return 0
    cli.print_table(["setting", "value", "meaning"],
                    [[key, value, MEANINGS.get(key, "")] for key, value in current.items()],
                    [None, 40, None])
    return 0


def cmd_setting_set(args: argparse.Namespace) -> int:
    from models import org

    cli = _base()
    cli.open_database(args)
    actor = cli.authenticate(args, SETTINGS_WHY)
    org.set_setting(actor, args.key, args.value)
    cli._say(f"{args.key} = {org.get_setting(args.key)}")
    return 0


def add_parsers(sub: Any) -> None:
    cli = _base()
    p = cli._add(sub, "setting", help="the agency's settings",
                 description="List the agency's settings, or change one (an administrator's "
                             "task, recorded in the audit log). Each value is checked: an "
                             "approver must be dept_head or agency_head, a username must have "
                             "an account, a date must exist.")
    acts = p.add_subparsers(dest="setting_command", metavar="ACTION", required=True)
    q = cli._add(acts, "list", help="list every setting with its value",
                 description="Every setting, its current value and what it means.")
    q.add_argument("--json", action="store_true", help="print a JSON object")
    q.set_defaults(func=cmd_setting_list)
    q = cli._add(acts, "set", help="change a setting",
                 description="Change one setting, e.g. `setting set approver_outside "
                             "dept_head --as admin`.")
    q.add_argument("key", metavar="KEY", help="the setting, as `setting list` names it")
    q.add_argument("value", metavar="VALUE", help="its new value")
    q.add_argument("--as", dest="actor", metavar="ADMIN", required=True,
                   help=f"the administrator acting (password from ${cli.ENV_PASSWORD})")
    q.set_defaults(func=cmd_setting_set)
