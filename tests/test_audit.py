"""The audit log is a hash chain: any edit, removal, insertion or reordering done
behind the product's back is found, and the first broken event is named."""

import pytest

from models import assets, audit, integrity
from models.db import db
from models.schema import AuditEvent


@pytest.fixture
def history(users, sample_asset):
    a = assets.register_asset(users["storekeeper"], sample_asset)
    for brand in ("Dell", "HP", "Acer"):
        assets.update_asset(users["storekeeper"], a.asset_no, {"brand": brand})
    return a


def _edit_seq():
    return AuditEvent.select(AuditEvent.seq).where(AuditEvent.action == "asset.edit") \
        .order_by(AuditEvent.seq).first().seq


def test_untouched_log_verifies(history):
    count, problems = audit.verify_chain()
    assert problems == [] and count == AuditEvent.select().count()
    assert integrity.verify().ok


def test_an_edited_value_is_found(history):
    seq = _edit_seq()
    db.execute_sql("update audit_event set after = %s where seq = %s" if db.param == "%s"
                   else "update audit_event set after = ? where seq = ?", ('{"brand":"Forged"}', seq))
    _, problems = audit.verify_chain()
    assert problems[0].seq == seq and "altered" in problems[0].message
    report = integrity.verify()
    assert not report.ok
    assert any(f"event {seq}" in c.detail for c in report.checks if not c.ok)


def test_a_removed_event_is_found(history):
    seq = _edit_seq()
    AuditEvent.delete().where(AuditEvent.seq == seq).execute()
    _, problems = audit.verify_chain()
    assert problems[0].seq == seq and "missing" in problems[0].message


def test_swapped_events_are_found(history):
    seq = _edit_seq()
    a, b = AuditEvent.get_by_id(seq), AuditEvent.get_by_id(seq + 1)
    fields = ["at", "actor", "action", "entity", "entity_id", "before", "after", "prev_hash", "hash"]
    a_vals, b_vals = ({f: getattr(e, f) for f in fields} for e in (a, b))
    AuditEvent.update(hash="x").where(AuditEvent.seq == seq).execute()
    AuditEvent.update(**a_vals).where(AuditEvent.seq == seq + 1).execute()
    AuditEvent.update(**b_vals).where(AuditEvent.seq == seq).execute()
    _, problems = audit.verify_chain()
    assert problems[0].seq == seq


def test_a_cut_tail_is_found(history):
    last = AuditEvent.select().order_by(AuditEvent.seq.desc()).first().seq
    AuditEvent.delete().where(AuditEvent.seq == last).execute()
    _, problems = audit.verify_chain()
    assert problems and "cut from the end" in problems[0].message


def test_a_recomputed_forgery_still_breaks_the_next_link(history):
    seq = _edit_seq()
    ev = AuditEvent.get_by_id(seq)
    forged_after = '{"brand":"Forged"}'
    digest = audit.event_hash(ev.seq, ev.at, ev.actor, ev.action, ev.entity, ev.entity_id,
                              ev.before, forged_after, ev.prev_hash)
    AuditEvent.update(after=forged_after, hash=digest).where(AuditEvent.seq == seq).execute()
    _, problems = audit.verify_chain()
    assert problems[0].seq == seq + 1


def test_every_asset_change_is_logged_with_actor_and_values(history):
    events = audit.history("asset", history.asset_no)
    assert [e.action for e in events] == ["asset.register"] + ["asset.edit"] * 3
    assert {e.actor for e in events} == {"storekeeper"}
    assert audit.decode(events[-1].after) == {"brand": "Acer"}
