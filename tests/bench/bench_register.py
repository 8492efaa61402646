"""How long the asset register of a fiscal year takes to print: assets streamed from the
database, each card's depreciation worked out, drawn and written as one PDF.

    assets-tui --db sqlite:////tmp/reg10k.db demo --assets 10000
    python -m tests.bench.bench_register --db sqlite:////tmp/reg10k.db [--fiscal-year 2569]

Without --db a demo register of --assets assets is built in a temporary SQLite file
first (not timed).
"""

from __future__ import annotations

import argparse
import io
import resource
import tempfile
import time
from pathlib import Path

from forms.pdf import paper_settings, register_fonts
from forms.register import register_cards, render_register, render_summary
from models import db as dbmod
from models.depreciation import register_summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a register to read (default: a fresh demo register)")
    parser.add_argument("--assets", type=int, default=10000)
    parser.add_argument("--fiscal-year", type=int, default=2569)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            dbmod.bind(args.db)
        else:
            from models.demo import build_demo

            dbmod.bind(f"sqlite:///{Path(tmp) / 'bench.db'}")
            start = time.perf_counter()
            build_demo(n_assets=args.assets, seed=1)
            print(f"demo register of {args.assets:,} assets built in "
                  f"{time.perf_counter() - start:.1f} s (not timed below)")
        settings = paper_settings()
        register_fonts()
        fy = args.fiscal_year

        start, cpu = time.perf_counter(), time.process_time()
        out = io.BytesIO()
        run = render_register(out, register_cards(fy), fy, settings, "bench")
        cards, cards_cpu = time.perf_counter() - start, time.process_time() - cpu
        size = len(out.getvalue())

        start = time.perf_counter()
        summary_out = io.BytesIO()
        summary = render_summary(summary_out, register_summary(fy), settings, "bench")
        totals = time.perf_counter() - start
        dbmod.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"register of fiscal year {fy}: {run.assets:,} assets on {run.pages:,} pages, "
          f"{size / 1024 / 1024:,.1f} MiB")
    print(f"  cards with ledgers      {cards:8.1f} s   ({cards_cpu:.1f} s of CPU: the figure to "
          "trust on a busy machine)")
    print(f"  summary register        {totals:8.1f} s   ({summary.pages} pages)")
    print(f"  peak memory             {peak:8.0f} MiB")


if __name__ == "__main__":
    main()
