"""The append-only, hash-chained audit log.

Every write in the product calls :func:`record` inside its own transaction.
Each event's hash is SHA-256 over a canonical JSON encoding of the event and
the previous event's hash, so editing, removing, inserting or reordering any
event breaks the chain at that point, which :func:`verify_chain` reports.
Writers serialise on the single ``audit_head`` row (an UPDATE takes its lock
on PostgreSQL; SQLite writers already hold the database's write lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from peewee import __exception_wrapper__

from .db import db, insert_rows
from .schema import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
SYSTEM_ACTOR = "system"


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} in the audit log")


# Built once: json.dumps with options builds a new encoder on every call, which costs
# more than the hashing itself when a million events are written or verified.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_quote = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept as is
# UPDATE ... RETURNING: PostgreSQL, and SQLite from 3.35.
_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)


def encode(value: dict | None) -> str:
    """Canonical JSON: sorted keys, no spaces, Thai kept as is."""
    if value is None:
        return ""
    return _CANONICAL.encode(value)


def event_hash(seq: int, at: str, actor: str, action: str, entity: str, entity_id: str,
               before: str, after: str, prev_hash: str) -> str:
    """SHA-256 of the event as a compact JSON list (Thai kept as is) with the previous hash.
    The list is joined by hand from the encoder's own string quoting: the same bytes as
    ``_PAYLOAD.encode([...])``, without its per-call overhead, which ``verify`` pays a
    million times."""
    payload = (f"[{int(seq)},{_quote(at)},{_quote(actor)},{_quote(action)},{_quote(entity)},"
               f"{_quote(entity_id)},{_quote(before)},{_quote(after)},{_quote(prev_hash)}]")
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Change:
    """One change to log: what happened to which record, with before/after values."""

    action: str
    entity: str
    entity_id: str
    before: dict | None = None
    after: dict | None = None


def actor_name(actor: Any) -> str:
    if actor is None:
        return SYSTEM_ACTOR
    return getattr(actor, "username", None) or str(actor)


def record(actor: Any, action: str, entity: str, entity_id: Any,
           before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Append one event; must run inside the caller's transaction."""
    return record_many(actor, [Change(action, entity, str(entity_id), before, after)])[-1]


def record_many(actor: Any, changes: Iterable[Change], batch: int = 500,
                keep: bool = True) -> list[AuditEvent]:
    """Append many events in one go (imports, demo builds); same chain, fewer round trips.
    Returns the events written, or nothing when ``keep`` is false (a big import)."""
    changes = list(changes)
    if not changes:
        return []
    name = actor_name(actor)
    with db.atomic():
        seq, prev = _lock_head()
        at = _now_text()
        rows = []
        for change in changes:
            seq += 1
            before, after = encode(change.before), encode(change.after)
            digest = event_hash(seq, at, name, change.action, change.entity, change.entity_id,
                                before, after, prev)
            rows.append(dict(seq=seq, at=at, actor=name, action=change.action,
                             entity=change.entity, entity_id=change.entity_id,
                             before=before, after=after, prev_hash=prev, hash=digest))
            prev = digest
        insert_rows(AuditEvent, rows, batch)
        AuditHead.update(seq=seq, hash=prev).where(AuditHead.id == 1).execute()
    return [AuditEvent(**row) for row in rows] if keep else []


def _lock_head() -> tuple[int, str]:
    """Take the chain's lock (an UPDATE of its head row), then read where the chain ends:
    in one statement where the database can return the updated row."""
    touch = AuditHead.update(seq=AuditHead.seq).where(AuditHead.id == 1)
    if _RETURNING:
        row = touch.returning(AuditHead.seq, AuditHead.hash).tuples().execute()
        for seq, digest in row:
            return seq, digest
    touch.execute()
    head = AuditHead.get_by_id(1)
    return head.seq, head.hash


def append_past(events: Iterable[tuple[str, str, Change]], batch: int = 5000) -> int:
    """Append events that carry their own actor and time, ``(actor name, UTC ISO time,
    change)``, in the order given: a bulk load of past records (a demo's years of loans).
    The events are streamed: hashes chained in one pass, rows written a batch at a time,
    the head moved once at the end. Returns the number of events appended."""
    written = 0
    with db.atomic():
        seq, prev = _lock_head()
        rows: list[dict[str, Any]] = []
        for name, at, change in events:
            seq += 1
            before, after = encode(change.before), encode(change.after)
            digest = event_hash(seq, at, name, change.action, change.entity, change.entity_id,
                                before, after, prev)
            rows.append(dict(seq=seq, at=at, actor=name, action=change.action, entity=change.entity,
                             entity_id=change.entity_id, before=before, after=after,
                             prev_hash=prev, hash=digest))
            prev = digest
            if len(rows) >= batch:
                insert_rows(AuditEvent, rows, 1000)
                written += len(rows)
                rows = []
        insert_rows(AuditEvent, rows, 1000)
        written += len(rows)
        AuditHead.update(seq=seq, hash=prev).where(AuditHead.id == 1).execute()
    return written


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str


def verify_chain(batch: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Recompute the whole chain. Returns (events checked, problems found);
    the first problem names the first broken event."""
    problems: list[ChainProblem] = []
    expected_seq, prev = 1, GENESIS_HASH
    checked = 0
    for seq, at, actor, action, entity, entity_id, before, after, prev_hash, stored in _iter_rows(batch):
        checked += 1
        if seq != expected_seq:
            if seq > expected_seq:
                problems.append(ChainProblem(expected_seq, f"Audit event {expected_seq} is missing (the log jumps to {seq})."))
            else:
                problems.append(ChainProblem(seq, f"Audit event {seq} is out of order."))
            return checked, problems
        if prev_hash != prev:
            problems.append(ChainProblem(seq, f"Audit event {seq} does not follow event {seq - 1}: an event was removed, inserted or reordered."))
            return checked, problems
        digest = event_hash(seq, at, actor, action, entity, entity_id, before, after, prev_hash)
        if digest != stored:
            problems.append(ChainProblem(seq, f"Audit event {seq} ({action} {entity} {entity_id}) was altered after it was written."))
            return checked, problems
        prev = stored
        expected_seq += 1
    head = AuditHead.get_or_none(AuditHead.id == 1)
    last_seq = expected_seq - 1
    if head is None:
        problems.append(ChainProblem(None, "The audit log's head record is missing."))
    elif head.seq != last_seq or head.hash != prev:
        problems.append(ChainProblem(last_seq + 1 if head.seq > last_seq else head.seq,
                                     f"The audit log ends at event {last_seq} but its head records event {head.seq}: events were cut from the end or the head was edited."))
    return checked, problems


def verify_checkpoint(seq: int, digest: str) -> ChainProblem | None:
    """Check the log against a checkpoint kept outside the database (in a backup's manifest
    or on a printed report): event ``seq`` must still exist with hash ``digest``. Cutting
    events from the end and rewriting the head to match escapes :func:`verify_chain`, but
    not this."""
    if seq == 0:
        return None
    event = AuditEvent.get_or_none(AuditEvent.seq == seq)
    if event is None:
        last = AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).scalar() or 0
        if last < seq:
            return ChainProblem(last + 1, f"The audit log ends at event {last} but the checkpoint "
                                          f"records event {seq}: events were cut from the end.")
        return ChainProblem(seq, f"Audit event {seq}, which the checkpoint records, is missing.")
    if not digest or not event.hash.startswith(digest):  # a printed checkpoint has the hash's head
        return ChainProblem(seq, f"Audit event {seq} no longer has the hash the checkpoint records: "
                                 "the log was rewritten up to or after that point.")
    return None


def _iter_rows(batch: int) -> Iterator[tuple]:
    """The log as plain rows in chain order, a batch at a time: a million events are
    checked without building a million model objects."""
    columns = (AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.entity,
               AuditEvent.entity_id, AuditEvent.before, AuditEvent.after, AuditEvent.prev_hash,
               AuditEvent.hash)
    last = 0
    while True:
        query = AuditEvent.select(*columns).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        with __exception_wrapper__:  # every column is text or a whole number: no conversion needed
            cursor = db.execute(query)
        try:
            page = cursor.fetchall()
        finally:
            cursor.close()
        if not page:
            return
        yield from page
        last = page[-1][0]


def history(entity: str, entity_id: Any) -> list[AuditEvent]:
    """All events about one record, oldest first."""
    return list(AuditEvent.select()
                .where((AuditEvent.entity == entity) & (AuditEvent.entity_id == str(entity_id)))
                .order_by(AuditEvent.seq))


def decode(text: str) -> dict:
    return json.loads(text) if text else {}


def last_seq() -> int:
    """A cheap change counter: screens poll it to know when to refresh."""
    return AuditHead.select(AuditHead.seq).where(AuditHead.id == 1).scalar() or 0


__all__ = ["Change", "ChainProblem", "record", "record_many", "append_past", "verify_chain", "verify_checkpoint", "history",
           "decode", "last_seq", "GENESIS_HASH", "SYSTEM_ACTOR"]
