"""How long 1,000 asset labels take to print: read from the register, barcodes drawn as
vector bars, names shaped and fitted, written as one PDF.

    python -m tests.bench.bench_labels [--db URL] [--labels 1000] [--template a4-3x8]

Without --db a demo register of the size asked for is built in a temporary SQLite file
first (not timed).
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from forms import labels
from forms.pdf import paper_settings, register_fonts
from models import db as dbmod
from models.schema import Asset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a register to read (default: a fresh demo register)")
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--template", default=labels.DEFAULT_TEMPLATE)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            dbmod.bind(args.db)
        else:
            from models.demo import build_demo

            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            dbmod.bind(url)
            start = time.perf_counter()
            build_demo(n_assets=args.labels, seed=1)
            print(f"demo register of {args.labels:,} assets built in "
                  f"{time.perf_counter() - start:.1f} s (not timed below)")
        numbers = [n for (n,) in Asset.select(Asset.asset_no).where(Asset.status != "disposed")
                   .order_by(Asset.asset_no).limit(args.labels).tuples()]
        template = labels.get_template(args.template)
        settings = paper_settings()
        start = time.perf_counter()
        register_fonts()
        fonts = time.perf_counter() - start

        start = time.perf_counter()
        out = io.BytesIO()
        run = labels.render_labels(out, (labels.label_data(a) for a in labels.select_assets(numbers)),
                                   template, settings=settings)
        cold = time.perf_counter() - start

        start = time.perf_counter()
        out = io.BytesIO()
        labels.render_labels(out, (labels.label_data(a) for a in labels.select_assets(numbers)),
                             template, settings=settings)
        warm = time.perf_counter() - start

        dbmod.close()
    print(f"{run.labels:,} labels on {run.pages:,} sheets ({template.name}), "
          f"{len(out.getvalue()) / 1024:,.0f} KiB")
    print(f"  fonts registered        {fonts * 1000:8.0f} ms")
    print(f"  register to PDF (first) {cold * 1000:8.0f} ms")
    print(f"  register to PDF (again) {warm * 1000:8.0f} ms   (shaping and barcodes cached)")


if __name__ == "__main__":
    main()
