"""Search and list timings at scale, each beside a hand-written raw SQL query giving the
same answer through the bare driver, so the ORM's overhead shows as a ratio.

    python -m tests.bench.bench_search --db sqlite:////tmp/big.db [--repeat 50]

Build the database first with ``assets-tui --db URL demo --assets 100000``.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from collections.abc import Callable

from models import assets
from models import db as dbmod
from models.assets import AssetFilter


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    dbmod.bind(args.db)
    path = dbmod.sqlite_path(args.db)
    if path is None:
        raise SystemExit("only SQLite is measured against its raw driver here")
    raw = sqlite3.connect(path)
    total = raw.execute("select count(*) from asset").fetchone()[0]

    def raw_find(term: str) -> list:
        """The best hand-written query: the same trigram index, then the same joins."""
        return raw.execute(
            "select a.asset_no from asset a join category c on c.id = a.category_id "
            "join department d on d.id = a.department_id left join location l on l.id = a.location_id "
            "left join person p on p.id = a.custodian_id "
            "where a.id in (select rowid from asset_search where asset_search match ?) "
            "and a.search_text like ? order by a.asset_no limit 50",
            (f'"{term}"', f"%{term}%")).fetchall()

    def raw_page(page: int) -> list:
        return raw.execute(
            "select a.asset_no from asset a join category c on c.id = a.category_id "
            "join department d on d.id = a.department_id left join location l on l.id = a.location_id "
            "left join person p on p.id = a.custodian_id order by a.name, a.asset_no limit 40 offset ?",
            ((page - 1) * 40,)).fetchall()

    cases = [
        ("find: Thai word 'เต็นท์'", lambda: assets.find_assets("เต็นท์"), lambda: raw_find("เต็นท์")),
        ("find: asset number prefix '430-6'", lambda: assets.find_assets("430-6"), lambda: raw_find("430-6")),
        ("find: serial fragment 'wmx'", lambda: assets.find_assets("wmx"), lambda: raw_find("wmx")),
        ("find: no match", lambda: assets.find_assets("zzzzqq"), lambda: raw_find("zzzzqq")),
        ("register page 100 sorted by name",
         lambda: list(assets.asset_query(AssetFilter(sort="name")).paginate(100, 40)), lambda: raw_page(100)),
        ("count for a search", lambda: assets.count_assets(AssetFilter(query="เครื่อง")),
         lambda: raw.execute("select count(*) from asset where id in (select rowid from asset_search "
                             "where asset_search match '\"เครื่อง\"') and search_text like '%เครื่อง%'").fetchone()),
    ]
    print(f"{total:,} assets, {args.repeat} repetitions each\n")
    print("| operation | product p50 ms | product p95 ms | raw p50 ms | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, product, rawq in cases:
        p50, p95, _ = _timed(product, args.repeat)
        r50, _, _ = _timed(rawq, args.repeat)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {r50:.1f} | {p50 / r50 if r50 else float('nan'):.2f} |")


if __name__ == "__main__":
    main()
