"""Reading the audit log as an auditor does: newest first, narrowed by who, what, which
record and when, in the database (the log may hold millions of events), and each event's
change in a line a person can read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import peewee as pw

from .accounts import require
from .audit import decode
from .schema import AuditEvent
from .values import parse_date

MAX_VALUE = 40  # characters of one value shown in a summary


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None      # a username, exactly
    action: str | None = None     # an action or its start, e.g. "loan." or "asset.register"
    record: str | None = None     # a record's number: an asset, a loan, a username...
    since: Any = None             # a date (ISO or Thai BE), local time, inclusive
    until: Any = None             # a date, inclusive


def _utc_text(day: dt.date) -> str:
    """Local midnight of ``day`` as the log writes times (UTC ISO text)."""
    moment = dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def audit_query(user, f: AuditFilter) -> pw.ModelSelect:
    """The events matching ``f``, newest first; reading the log is the auditors' right."""
    require(user, "audit.read")
    query = AuditEvent.select().order_by(AuditEvent.seq.desc())
    if f.actor and f.actor.strip():
        query = query.where(AuditEvent.actor == f.actor.strip())
    if f.action and f.action.strip():
        action = f.action.strip()
        query = query.where((AuditEvent.action == action) | AuditEvent.action.startswith(action))
    if f.record and f.record.strip():
        query = query.where(AuditEvent.entity_id == f.record.strip())
    since = parse_date(f.since, "since", "first day") if f.since not in (None, "") else None
    until = parse_date(f.until, "until", "last day") if f.until not in (None, "") else None
    if since:
        query = query.where(AuditEvent.at >= _utc_text(since))
    if until:
        query = query.where(AuditEvent.at < _utc_text(until + dt.timedelta(days=1)))
    return query


def local_time(event: AuditEvent) -> dt.datetime:
    """When the event happened, in this computer's time zone."""
    moment = dt.datetime.fromisoformat(event.at.replace("Z", "+00:00"))
    return moment.astimezone().replace(tzinfo=None)


def _short(value: Any) -> str:
    text = " ".join(str(value).split()) if value is not None else "—"
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def change_summary(event: AuditEvent) -> str:
    """What changed, e.g. ``status: approved → active; due_on: 2026-12-01 → 2026-12-08``;
    for a new record its fields, for a removed one what it held."""
    before, after = decode(event.before), decode(event.after)
    if before and after:
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        return "; ".join(f"{k}: {_short(before.get(k))} → {_short(after.get(k))}" for k in keys)
    shown = after or before
    return "; ".join(f"{k}: {_short(v)}" for k, v in shown.items() if v not in (None, "", [], {}))
