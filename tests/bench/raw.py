"""The hand-written side of the benchmark: the same answers as the product's calls, written
as plain SQL through the bare driver (sqlite3 or psycopg), with nothing of the ORM between.

Each function returns what the product's call shows (asset numbers, loan numbers, counts,
history entries), so the suite can check both give the same answer before it compares
their times."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from models.audit import GENESIS_HASH, encode, event_hash

# what a register row shows: the asset with its category, department, location and custodian
_ROW = "a.*, c.*, d.*, l.*, p.*"


class Raw:
    """One bare connection, SQLite or PostgreSQL; queries are written with ``?``."""

    def __init__(self, sqlite_path: str | None = None, pg_url: str | None = None):
        if sqlite_path:
            self.conn: Any = sqlite3.connect(sqlite_path, isolation_level=None)
            self.conn.execute("pragma journal_mode=wal")
            self.sqlite = True
        else:
            import psycopg

            self.conn = psycopg.connect(pg_url, autocommit=True)
            self.sqlite = False

    def sql(self, text: str) -> str:
        return text if self.sqlite else text.replace("?", "%s")

    def all(self, text: str, params: Sequence[Any] = ()) -> list[tuple]:
        cur = self.conn.execute(self.sql(text), tuple(params))
        return cur.fetchall()

    def one(self, text: str, params: Sequence[Any] = ()) -> tuple | None:
        return self.conn.execute(self.sql(text), tuple(params)).fetchone()

    def close(self) -> None:
        self.conn.close()

    # ---- search and lists ------------------------------------------------------------

    def find(self, term: str, limit: int = 50) -> list[str]:
        """Assets whose search text holds ``term``, by number: the same trigram index."""
        term = term.lower()
        like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if self.sqlite:
            where = ("a.id in (select rowid from asset_search where asset_search match ?) "
                     "and a.search_text like ? escape '\\'")
            params: list[Any] = ['"' + term.replace('"', '""') + '"', like]
        else:
            where, params = "a.search_text ilike ?", [like]
        return [r[1] for r in self.all(
            f"select {_ROW} from asset a join category c on c.id = a.category_id "
            "join department d on d.id = a.department_id left join location l on l.id = a.location_id "
            f"left join person p on p.id = a.custodian_id where {where} and a.status <> 'disposed' "
            "order by a.asset_no limit ?", [*params, limit])]

    def page(self, department: str, page: int, size: int = 40) -> list[str]:
        """Page ``page`` of one department's register, sorted by name: the department by its
        id, so the (department, name, number) index gives the page in order."""
        return [r[1] for r in self.all(
            f"select {_ROW} from asset a join category c on c.id = a.category_id "
            "join department d on d.id = a.department_id left join location l on l.id = a.location_id "
            "left join person p on p.id = a.custodian_id "
            "where a.department_id = (select id from department where code = ?) and a.status <> 'disposed' "
            "order by a.name, a.asset_no limit ? offset ?", [department, size, (page - 1) * size])]

    def borrower_loans(self, name: str, size: int = 40) -> list[str]:
        return [r[1] for r in self.all(
            "select l.*, p.*, d.* from loan l join person p on p.id = l.borrower_id "
            "join department d on d.id = l.department_id where p.name like ? "
            "order by l.requested_at desc, l.id desc limit ?", [f"%{name}%", size])]

    def overdue(self, today: dt.date) -> list[tuple[str, int]]:
        """(loan number, items still out) of loans past due, most overdue first: the same
        rows the overdue screen reads (each loan with its borrower and department, the items
        still out with their asset and category, the latest follow-up after the due date)."""
        loans = self.all(
            "select l.*, p.*, d.* from loan l join person p on p.id = l.borrower_id "
            "join department d on d.id = l.department_id "
            "where l.status in ('approved', 'active') and l.due_on < ? and exists (select 1 from "
            "loan_item i where i.loan_id = l.id and i.out_flag = 1) order by l.due_on, l.loan_no",
            [today.isoformat()])
        ids = [row[0] for row in loans]
        out: dict[int, int] = dict.fromkeys(ids, 0)
        if ids:
            marks = ", ".join("?" * len(ids))
            for row in self.all(f"select i.*, a.*, c.* from loan_item i join asset a on a.id = i.asset_id "
                                f"join category c on c.id = a.category_id where i.loan_id in ({marks}) "
                                "and i.out_flag = 1 order by a.asset_no", ids):
                out[row[1]] += 1
            self.all(f"select f.* from loan_follow_up f join loan l on l.id = f.loan_id where f.loan_id in "
                     f"({marks}) and f.on_date > l.due_on order by f.on_date desc, f.id desc", ids)
        return [(row[1], out[row[0]]) for row in loans]

    def inbox(self, username: str) -> list[str]:
        """Requests waiting that this head may decide: loans used inside the premises of
        the head's department or a unit under it, not asked by or for the head."""
        me = self.one('select u.id, u.person_id, p.department_id from "user" u '
                      "join person p on p.id = u.person_id where u.username = ?", [username])
        uid, pid, dept = me
        return [r[1] for r in self.all(
            "with recursive up(id, parent) as (select id, parent_id from department "
            "union all select up.id, d.parent_id from up join department d on d.id = up.parent) "
            "select l.*, p.*, d.* from loan l join person p on p.id = l.borrower_id "
            "join department d on d.id = l.department_id "
            "where l.status = 'requested' and l.kind = 'inside' and l.requested_by_id <> ? "
            "and l.borrower_id <> ? and (l.department_id = ? or l.department_id in "
            "(select id from up where parent = ?)) order by l.start_on, l.id", [uid, pid, dept, dept])]

    def history(self, asset_no: str) -> list[tuple[int, str]]:
        """(seq, action) of everything that happened to an asset, oldest first."""
        asset_id = self.one(
            f"select {_ROW} from asset a join category c on c.id = a.category_id "
            "join department d on d.id = a.department_id left join location l on l.id = a.location_id "
            "left join person p on p.id = a.custodian_id where a.asset_no = ?", [asset_no])[0]
        own = [(seq, action) for seq, action, before, after in self.all(
            "select seq, action, before, after from audit_event where entity = 'asset' and entity_id = ? "
            "order by seq", [asset_no]) if (json.loads(before or "{}"), json.loads(after or "{}"))]
        loans = self.all("select i.id, l.loan_no from loan_item i join loan l on l.id = i.loan_id "
                         "where i.asset_id = ?", [asset_id])
        wide = ("loan.request", "loan.approve", "loan.reject", "loan.cancel", "loan.extend",
                "loan.follow_up")
        entries = list(own)
        numbers = sorted({no for _, no in loans})
        for start in range(0, len(numbers), 500):
            chunk = numbers[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for seq, action, before, after in self.all(
                    f"select seq, action, before, after from audit_event where entity = 'loan' "
                    f"and entity_id in ({marks}) order by seq", chunk):
                json.loads(before or "{}")
                if action in wide or (after and json.loads(after).get("asset_no") == asset_no):
                    entries.append((seq, action))
        items = [i for i, _ in loans]
        if items:
            marks = ", ".join("?" * len(items))
            cases = [str(c) for (c,) in self.all(f"select id from damage_case where item_id in ({marks})", items)]
            if cases:
                marks = ", ".join("?" * len(cases))
                entries += self.all(f"select seq, action from audit_event where entity = 'damage_case' "
                                    f"and entity_id in ({marks})", cases)
        return sorted((int(s), a) for s, a in entries)

    def progress(self, check_id: int) -> tuple[int, int]:
        """(expected, counted) of an open stock check, from the same breakdown the progress
        screen shows: per location the rows expected, counted, out on loan and away for
        repair, the misplaced, then the unexpected codes, duplicate scans and all scans."""
        yes = "1" if self.sqlite else "true"
        on_loan = "exists (select 1 from loan_item li where li.asset_id = i.asset_id and li.out_flag = 1)"
        repair = "exists (select 1 from repair r where r.asset_id = i.asset_id and r.open_flag = 1)"
        rows = self.all(
            "select i.location_id, l.code, l.name, count(i.id), "
            "sum(case when i.found_at is not null then 1 else 0 end), "
            f"sum(case when i.found_at is null and {on_loan} then 1 else 0 end), "
            f"sum(case when i.found_at is null and {repair} and not {on_loan} then 1 else 0 end), "
            "sum(case when i.found_at is not null and i.found_location_id <> i.location_id then 1 else 0 end) "
            "from stock_check_item i left join location l on l.id = i.location_id "
            f"where i.check_id = ? and i.expected = {yes} group by i.location_id, l.code, l.name "
            "order by l.code", [check_id])
        self.one(f"select count(*) from stock_check_item where check_id = ? and not expected = {yes}", [check_id])
        self.one("select count(*) from stock_check_scan where check_id = ? and outcome = 'duplicate'", [check_id])
        self.one("select count(*) from stock_check_scan where check_id = ?", [check_id])
        return sum(int(r[3]) for r in rows), sum(int(r[4] or 0) for r in rows)

    # ---- writes: the same rows the product writes, with the audit chain ----------------

    def _log(self, events: list[tuple[str, str, str, str, dict | None, dict | None]]) -> None:
        """Append events to the chain inside the open transaction, as the product does."""
        if not self.sqlite:
            self.conn.execute("update audit_head set seq = seq where id = 1")
        seq, prev = self.one("select seq, hash from audit_head where id = 1")
        at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        rows = []
        for actor, action, entity, entity_id, before, after in events:
            seq += 1
            b, a = encode(before), encode(after)
            digest = event_hash(seq, at, actor, action, entity, entity_id, b, a, prev)
            rows.append((seq, at, actor, action, entity, entity_id, b, a, prev, digest))
            prev = digest
        self.conn.cursor().executemany(self.sql(
            'insert into audit_event (seq, at, actor, action, entity, entity_id, "before", "after", '
            "prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), rows)
        self.conn.execute(self.sql("update audit_head set seq = ?, hash = ? where id = 1"), (seq, prev))

    def hand_over_and_return(self, loan_no: str, desk_id: int, desk: str) -> None:
        """Hand over every item of an approved loan, then take each back usable."""
        self.conn.execute("begin")
        loan_id, = self.one("select id from loan where loan_no = ?", [loan_no])
        items = self.all("select i.id, a.id, a.asset_no from loan_item i join asset a on a.id = i.asset_id "
                         "where i.loan_id = ? order by a.asset_no", [loan_id])
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        today = dt.date.today()
        for item_id, asset_id, _ in items:
            self.conn.execute(self.sql("update loan_item set issued_at = ?, issued_by_id = ?, out_flag = 1 "
                                       "where id = ?"), (now, desk_id, item_id))
            self.conn.execute(self.sql("update asset set status = 'on_loan', updated_at = ? where id = ?"),
                              (now, asset_id))
        self.conn.execute(self.sql("update loan set status = 'active', issued_on = ? where id = ?"),
                          (today, loan_id))
        events = [(desk, "loan.issue", "loan", loan_no, {"asset_no": n, "status": "available"},
                   {"asset_no": n, "status": "on_loan"}) for _, _, n in items]
        events.append((desk, "loan.activate", "loan", loan_no, {"status": "approved", "issued_on": None},
                       {"status": "active", "issued_on": today}))
        self._log(events)
        self.conn.execute("commit")
        for item_id, asset_id, number in items:
            self.conn.execute("begin")
            self.conn.execute(self.sql(
                "update loan_item set returned_at = ?, returned_by_id = ?, returned_condition = 'usable', "
                "return_note = '', out_flag = null where id = ?"), (now, desk_id, item_id))
            self.conn.execute(self.sql("update asset set status = 'available', updated_at = ? where id = ?"),
                              (now, asset_id))
            events = [(desk, "loan.return", "loan", loan_no, {"asset_no": number, "status": "on_loan"},
                       {"asset_no": number, "status": "available", "condition": "usable", "note": ""})]
            left, = self.one("select count(*) from loan_item where loan_id = ? and returned_at is null",
                             [loan_id])
            if left == 0:
                self.conn.execute(self.sql("update loan set status = 'returned', returned_on = ? where id = ?"),
                                  (today, loan_id))
                events.append((desk, "loan.close", "loan", loan_no, {"status": "active", "returned_on": None},
                               {"status": "returned", "returned_on": today}))
            self._log(events)
            self.conn.execute("commit")

    def scan(self, check_id: int, code: str, user_id: int, username: str) -> str:
        """Count one expected asset of a stock check; returns the outcome."""
        self.conn.execute("begin")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        item = self.one("select id, found_at from stock_check_item where check_id = ? and code = ?",
                        [check_id, code])
        outcome = "found" if item[1] is None else "duplicate"
        if outcome == "found":
            self.conn.execute(self.sql("update stock_check_item set found_at = ?, found_by_id = ?, "
                                       "condition = 'in_use', note = '' where id = ?"), (now, user_id, item[0]))
        self.conn.execute(self.sql(
            "insert into stock_check_scan (check_id, code, item_id, outcome, location_id, condition, note, "
            "scanned_by_id, scanned_at) values (?, ?, ?, ?, null, 'in_use', '', ?, ?)"),
            (check_id, code, item[0], outcome, user_id, now))
        self._log([(username, "stockcheck.scan", "stock_check", str(check_id), None,
                    {"code": code, "outcome": outcome, "location": None, "condition": "in_use", "note": ""})])
        self.conn.execute("commit")
        return outcome

    # ---- whole-database reads ------------------------------------------------------------

    def verify_chain(self, batch: int = 20_000) -> int:
        """Recompute the audit chain; returns the events checked (raises on a break)."""
        last, prev, checked = 0, GENESIS_HASH, 0
        while True:
            rows = self.all('select seq, at, actor, action, entity, entity_id, "before", "after", '
                            "prev_hash, hash from audit_event where seq > ? order by seq limit ?",
                            [last, batch])
            if not rows:
                return checked
            for seq, at, actor, action, entity, entity_id, before, after, prev_hash, digest in rows:
                payload = json.dumps([seq, at, actor, action, entity, entity_id, before, after, prev_hash],
                                     ensure_ascii=False, separators=(",", ":"))
                if prev_hash != prev or hashlib.sha256(payload.encode()).hexdigest() != digest:
                    raise AssertionError(f"audit event {seq} breaks the chain")
                prev = digest
            checked += len(rows)
            last = rows[-1][0]

    def export_csv(self) -> int:
        """The register as CSV (the same columns as the product's export), streamed."""
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8-sig", newline="")
        writer = csv.writer(out)
        writer.writerow(["asset_no", "name", "category", "department", "location", "custodian", "status",
                         "lendable", "acquired_on", "price", "funding_source", "serial_no", "brand", "model"])
        cur = self.conn.cursor()
        cur.execute(
            "select a.asset_no, a.name, c.name, d.name, l.name, p.name, a.status, a.lendable, a.acquired_on, "
            "a.price, a.funding_source, a.serial_no, a.brand, a.model from asset a "
            "join category c on c.id = a.category_id join department d on d.id = a.department_id "
            "left join location l on l.id = a.location_id left join person p on p.id = a.custodian_id "
            "order by a.asset_no")
        n = 0
        while rows := cur.fetchmany(5000):
            writer.writerows(rows)
            n += len(rows)
        out.flush()
        return n

    def register_rows(self, fiscal_year_end: dt.date, limit: int | None = None) -> int:
        """The rows a fiscal year's register prints (assets held at its end), read only."""
        cur = self.conn.cursor()
        cur.execute(self.sql(
            "select a.asset_no, a.name, a.price, a.acquired_on, c.useful_life_years, d.name, l.name "
            "from asset a join category c on c.id = a.category_id join department d on d.id = a.department_id "
            "left join location l on l.id = a.location_id where a.acquired_on <= ? order by a.asset_no"
            + (f" limit {int(limit)}" if limit else "")), (fiscal_year_end.isoformat(),))
        n = 0
        while rows := cur.fetchmany(5000):
            n += len(rows)
        return n


__all__ = ["Raw"]
