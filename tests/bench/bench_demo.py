"""How long the demo municipality takes to build, next to the floor for the same rows.

    python -m tests.bench.bench_demo [--assets N] [--seed S] [--db URL]

Builds the demo (default 100,000 assets) into a temporary SQLite file, or into the empty
database at ``--db``, and prints the build time. On SQLite it then copies the rows the
build wrote into a fresh file of the same table shape (the same CREATE TABLE and indexes)
with a plain ``sqlite3`` ``executemany`` in one transaction: the asset rows alone, and
the asset rows with their audit events. The ratio says how far the build is from that
floor; the difference pays for drawing the data, numbering, validation and hashing.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from models import audit
from models import db as dbmod
from models.demo import build_demo


def copy_rows(source: Path, target: Path, tables: list[str]) -> tuple[int, float]:
    """Copy ``tables`` from ``source`` into a new file with the same shape; returns
    (rows, seconds of the inserts alone)."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, isolation_level=None)
    dst.execute("pragma journal_mode=wal")
    dst.execute("pragma synchronous=normal")
    data = {}
    for table in tables:
        for (sql,) in src.execute("select sql from sqlite_master where tbl_name = ? and sql is not null and type != 'trigger' "
                                  "order by type = 'index'", (table,)):
            dst.execute(sql)
        data[table] = src.execute(f'select * from "{table}"').fetchall()
    src.close()
    started = time.perf_counter()
    dst.execute("begin")
    for table, rows in data.items():
        marks = ", ".join("?" * len(rows[0])) if rows else ""
        if rows:
            dst.executemany(f'insert into "{table}" values ({marks})', rows)
    dst.execute("commit")
    seconds = time.perf_counter() - started
    dst.close()
    return sum(len(rows) for rows in data.values()), seconds


def line(label: str, seconds: float, note: str) -> None:
    print(f"{label:<52} {seconds:8.2f} s   {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=100_000, help="assets to build (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="an empty database URL; default: a temporary SQLite file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        url = args.db or f"sqlite:///{tmp}/demo.db"
        dbmod.bind(url)
        started = time.perf_counter()
        summary = build_demo(args.assets, args.seed, progress=lambda m: print("  " + m, flush=True))
        build = time.perf_counter() - started
        print(summary)
        started = time.perf_counter()
        checked, problems = audit.verify_chain()
        check = time.perf_counter() - started
        backend = "SQLite" if dbmod.is_sqlite() else "PostgreSQL"
        dbmod.close()

        rate = summary.assets / build if build else 0
        print()
        line(f"demo build, {summary.assets:,} assets on {backend}", build, f"{rate:,.0f} assets/s")
        line(f"audit chain check, {checked:,} events", check,
             "intact" if not problems else problems[0].message)
        path = dbmod.sqlite_path(url)
        if path is None:
            print("(the raw executemany comparison runs on SQLite only)")
            return 1 if problems else 0
        rows, raw = copy_rows(path, Path(tmp) / "raw-assets.db", ["asset"])
        line(f"raw sqlite3 executemany, {rows:,} asset rows", raw, f"build / raw = {build / raw:,.1f}x")
        rows, raw_all = copy_rows(path, Path(tmp) / "raw-all.db", ["asset", "audit_event"])
        line(f"raw sqlite3 executemany, {rows:,} asset + audit rows", raw_all,
             f"build / raw = {build / raw_all:,.1f}x")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
