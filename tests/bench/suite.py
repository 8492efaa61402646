"""The whole benchmark suite: builds its databases with the demo generator, times every
operation through the product and through a hand-written raw SQL query giving the same
answer, and writes one Markdown table.

    python -m tests.bench [--assets 100000] [--loan-lines 1000000] [--pg URL]
                          [--pg-assets 1000000] [--pg-loan-lines N] [--quick] [--out FILE.md]

SQLite is always measured, in a temporary file. With ``--pg`` (a server URL such as
postgresql://postgres@127.0.0.1:5432/postgres) a throwaway database is created beside it,
measured and dropped. ``--pg-prebuilt URL`` measures a demo database built beforehand
(``assets-tui --db URL demo --assets 1000000``) instead of building one.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from tests.bench.raw import Raw

# ---- figures -------------------------------------------------------------------------

INTERACTIVE = "interactive"


@dataclass
class Figure:
    """One line of the table."""

    operation: str
    rows: str
    product: list[float]  # seconds, one per repetition
    raw: list[float] = field(default_factory=list)
    target: str = ""
    limit: float | None = None  # seconds the product's p95 (or single run) must stay under
    ratio_limit: float | None = None  # the most product p50 / raw p50 may be
    note: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.product)

    @property
    def p95(self) -> float:
        ordered = sorted(self.product)
        return ordered[max(0, int(round(len(ordered) * 0.95)) - 1)]

    @property
    def raw50(self) -> float | None:
        return statistics.median(self.raw) if self.raw else None

    @property
    def ratio(self) -> float | None:
        raw = self.raw50
        return self.p50 / raw if raw else None

    @property
    def met(self) -> bool | None:
        if self.limit is None and self.ratio_limit is None:
            return None
        ok = True
        if self.limit is not None:
            ok &= self.p95 < self.limit
        if self.ratio_limit is not None and self.ratio is not None:
            ok &= self.ratio <= self.ratio_limit
        return ok


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:,.1f} s"
    return f"{seconds * 1000:,.1f} ms"


def timed(fn: Callable[[], Any], repeat: int, warm: int = 1) -> tuple[list[float], Any]:
    """Run ``fn`` ``warm`` times untimed (caches, prepared statements), then ``repeat`` times."""
    result = None
    for _ in range(warm):
        result = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return samples, result


def once(fn: Callable[[], Any]) -> tuple[list[float], Any]:
    start = time.perf_counter()
    result = fn()
    return [time.perf_counter() - start], result


def same(what: str, product: Any, raw: Any) -> None:
    """The comparison means nothing unless both sides gave the same answer."""
    if product != raw:
        raise AssertionError(f"{what}: the product and the raw query disagree:\n  {product!r}\n  {raw!r}")


# ---- the machine -------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} at the end"
    return (f"{cpu}, {os.cpu_count()} cores{memory}{load}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")


def pg_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("show server_version").fetchone()[0]


# ---- building --------------------------------------------------------------------------

def build(url: str, assets: int, loan_lines: int, say: Callable[[str], None]) -> tuple[float, Any]:
    from models import db as dbmod
    from models.demo import build_demo

    dbmod.bind(url)
    start = time.perf_counter()
    summary = build_demo(assets, 1, progress=lambda m: say("    " + m), loan_lines=loan_lines)
    return time.perf_counter() - start, summary


def raw_copy_seconds(source: Path, target: Path) -> float:
    """The floor for a demo build: the same rows of its big tables written into a file of
    the same shape with one plain ``executemany`` per table in one transaction."""
    from tests.bench.bench_demo import copy_rows

    return copy_rows(source, target, ["asset", "loan", "loan_item", "audit_event"])[1]


def import_csv(source_url: str, folder: Path, limit: int) -> Path:
    """The register as a CSV an agency would import: the product's own export, without the
    asset numbers and statuses the import assigns itself."""
    from forms.opendata import export_assets
    from models import db as dbmod

    dbmod.bind(source_url)
    raw = io.BytesIO()
    export_assets(raw, "csv")
    rows = list(csv.DictReader(io.StringIO(raw.getvalue().decode("utf-8-sig"))))[:limit]
    keep = [c for c in rows[0] if c not in ("asset_no", "status")]
    path = folder / "import.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, keep, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def measure_import(folder: Path, csv_path: Path, say: Callable[[str], None]) -> Figure:
    """Import the CSV into a fresh demo agency without assets; the raw side writes the same
    asset rows with one executemany into a file of the same shape."""
    from forms.spreadsheet import read_register
    from models import db as dbmod
    from models.assets import import_assets
    from models.demo import build_demo
    from models.schema import User

    url = f"sqlite:///{folder / 'import.db'}"
    dbmod.bind(url)
    build_demo(0, 1)
    desk = User.get(User.username == "storekeeper")
    samples, report = once(lambda: import_assets(desk, read_register(csv_path)))
    if report.errors:
        raise AssertionError(f"import failed: {report.errors[:3]}")
    dbmod.close()
    from tests.bench.bench_demo import copy_rows

    rows, raw = copy_rows(folder / "import.db", folder / "import-raw.db", ["asset"])
    say(f"  import of {report.imported:,} rows: {samples[0]:.1f} s (raw {raw:.1f} s)")
    return Figure(f"`import` of a {report.imported:,}-row CSV", f"{report.imported:,}", samples, [raw],
                  "< 30 s at 100,000", 30.0 * max(1.0, report.imported / 100_000))


# ---- the operations ----------------------------------------------------------------------

@dataclass
class Subjects:
    """What the operations work on, picked from the built register."""

    prefix: str
    word: str
    serial: str
    busy_asset: str
    department: str
    page: int
    borrower: str
    head: str
    today: dt.date


def pick_subjects() -> Subjects:
    import peewee as pw

    from models.schema import Asset, Department, Loan, LoanItem, Person

    count = Asset.select().count()
    middle = Asset.select(Asset.asset_no).order_by(Asset.asset_no).offset(count // 2).limit(1).scalar()
    serial = (Asset.select(Asset.serial_no).where(Asset.serial_no != "").order_by(Asset.asset_no)
              .offset(Asset.select().where(Asset.serial_no != "").count() // 3).limit(1).scalar())
    busy = (LoanItem.select(Asset.asset_no).join(Asset).group_by(Asset.asset_no)
            .order_by(pw.fn.COUNT(LoanItem.id).desc(), Asset.asset_no).limit(1).scalar()) or middle
    dept_id, n = (Asset.select(Asset.department, pw.fn.COUNT(Asset.id)).group_by(Asset.department)
                  .order_by(pw.fn.COUNT(Asset.id).desc()).limit(1).tuples().get())
    borrower = (Loan.select(Person.name).join(Person).group_by(Person.name)
                .order_by(pw.fn.COUNT(Loan.id).desc()).limit(1).scalar()) or ""
    return Subjects(prefix=middle[:-2], word="เต็นท์", serial=serial.lower() if serial else "xx",
                    busy_asset=busy, department=Department.get_by_id(dept_id).code,
                    page=max(1, min(100, n // 40 // 2)), borrower=borrower, head="head",
                    today=dt.date.today())


def interactive(raw: Raw, s: Subjects, repeat: int, limit: float, label: str) -> list[Figure]:
    """Search, open, list, inbox and overdue: product and raw, same answers checked."""
    from models import assets, loans
    from models.assets import AssetFilter
    from models.loans import LoanFilter
    from models.schema import User

    def fig(name: str, product: Callable[[], Any], rawq: Callable[[], Any],
            answer: Callable[[Any], Any] = lambda r: r, rows: Callable[[Any], int] = len) -> Figure:
        p_samples, p_result = timed(product, repeat)
        r_samples, r_result = timed(rawq, repeat)
        same(name, answer(p_result), r_result)
        return Figure(name, f"{rows(r_result):,}", p_samples, r_samples,
                      f"p95 < {limit * 1000:.0f} ms, ≤ 3× raw ({label})", limit, 3.0)

    numbers = lambda rows: [a.asset_no for a in rows]  # noqa: E731
    head = User.get(User.username == s.head)
    figures = [
        fig(f"search by asset number prefix '{s.prefix}'", lambda: assets.find_assets(s.prefix),
            lambda: raw.find(s.prefix), numbers),
        fig(f"search by a Thai word in the name '{s.word}'", lambda: assets.find_assets(s.word),
            lambda: raw.find(s.word), numbers),
        fig(f"search by serial '{s.serial}'", lambda: assets.find_assets(s.serial),
            lambda: raw.find(s.serial), numbers),
        fig(f"open an asset with its history ({s.busy_asset})",
            lambda: (assets.get_asset(s.busy_asset), assets.asset_history(s.busy_asset)),
            lambda: raw.history(s.busy_asset),
            lambda r: [(h.seq, h.action) for h in r[1]]),
        fig(f"register page {s.page}, department {s.department}, sorted by name",
            lambda: list(assets.asset_query(AssetFilter(department=s.department, sort="name"))
                         .paginate(s.page, 40)),
            lambda: raw.page(s.department, s.page), numbers),
        fig("loans of a borrower, first page",
            lambda: list(loans.loan_query(LoanFilter(borrower=s.borrower)).limit(40)),
            lambda: raw.borrower_loans(s.borrower), lambda r: [x.loan_no for x in r]),
        fig("overdue list", lambda: loans.overdue_loans(s.today), lambda: raw.overdue(s.today),
            lambda r: [(o.loan.loan_no, len(o.items)) for o in r]),
        fig(f"approvals inbox of a head ({s.head})", lambda: loans.approvals_inbox(head),
            lambda: raw.inbox(s.head), lambda r: [x.loan_no for x in r]),
    ]
    return figures


def _five_item_loan() -> str:
    """An approved loan of five store items, ready to hand over (set-up, not timed). Each
    round gives its items back, so the next one may take them again."""
    from models import loans
    from models.loans import LoanRequest
    from models.schema import Asset, Category, Loan, LoanItem, User

    today = dt.date.today()
    held = (LoanItem.select(LoanItem.asset).join(Loan)
            .where(Loan.status.in_(("requested", "approved", "active"))))
    chosen = [no for (no,) in Asset.select(Asset.asset_no).join(Category)
              .where((Asset.lendable == True) & (Asset.status == "available")  # noqa: E712
                     & (Category.code != "418") & Asset.id.not_in(held))
              .order_by(Asset.asset_no).limit(5).tuples()]
    loan = loans.request_loan(User.get(User.username == "staff"), LoanRequest(
        assets=chosen, purpose="ใช้ในการอบรม", place="outside", start_on=today, due_on=today), today=today)
    loans.approve_loan(User.get(User.username == "mayor"), loan.loan_no, "", today=today)
    return loan.loan_no


def writes(raw: Raw, repeat: int, limit: float, label: str) -> list[Figure]:
    """Hand-over and return of a 5-item loan, one stock-check scan: product and raw, each on
    rows of its own so both do the same work."""
    from models import loans, stockcheck
    from models.depreciation import year_end
    from models.loans import get_loan
    from models.schema import StockCheckItem, User
    from models.stockcheck import Scope
    from models.values import fiscal_year_of

    desk = User.get(User.username == "storekeeper")

    def product_round(loan_no: str) -> None:
        loan = loans.issue_items(desk, loan_no)
        for item in loans.loan_items(loan):
            loans.return_item(desk, loan_no, item.asset.asset_no, "usable", "")

    product_round(_five_item_loan())  # warm
    p_samples, r_samples = [], []
    for _ in range(repeat):
        loan_no = _five_item_loan()
        start = time.perf_counter()
        product_round(loan_no)
        p_samples.append(time.perf_counter() - start)
        loan_no = _five_item_loan()
        start = time.perf_counter()
        raw.hand_over_and_return(loan_no, desk.id, desk.username)
        r_samples.append(time.perf_counter() - start)
        same("hand-over and return", get_loan(loan_no).status, "returned")
    figures = [Figure("hand-over and return of a 5-item loan", "5", p_samples, r_samples,
                      f"p95 < {limit * 1000:.0f} ms, ≤ 3× raw ({label})", limit, 3.0,
                      note="1 hand-over + 5 returns, each its own transaction")]

    fy = fiscal_year_of(dt.date.today()) - 1
    on = year_end(fy)
    inspector = User.get(User.username == "inspector1")
    opened = [c for c in stockcheck.checks(fy) if c.status == "open"]
    # a database measured before keeps the check it opened: count on with what is left
    check = opened[0] if opened else stockcheck.open_stock_check(
        desk, fy, ["inspector1", "inspector2", "inspector3"], Scope(departments=["05"]), today=on)
    day = check.starts_on
    codes = [c for (c,) in StockCheckItem.select(StockCheckItem.code)
             .where((StockCheckItem.check == check.id) & StockCheckItem.expected
                    & StockCheckItem.found_at.is_null()).order_by(StockCheckItem.code).tuples()]
    half = len(codes) // 2
    product_codes, raw_codes = codes[:min(half, repeat + 1)], codes[half:half + repeat]
    stockcheck.scan(inspector, check.id, product_codes.pop(), today=day)
    p_samples = []
    for code in product_codes:
        start = time.perf_counter()
        result = stockcheck.scan(inspector, check.id, code, today=day)
        p_samples.append(time.perf_counter() - start)
    same("scan", result.outcome, "found")
    r_samples = []
    for code in raw_codes:
        start = time.perf_counter()
        outcome = raw.scan(check.id, code, inspector.id, inspector.username)
        r_samples.append(time.perf_counter() - start)
    same("raw scan", outcome, "found")
    figures.append(Figure(f"one stock-check scan (department 05, {len(codes):,} expected)", "1",
                          p_samples, r_samples, f"p95 < {limit * 1000:.0f} ms, ≤ 3× raw ({label})",
                          limit, 3.0))
    p_samples, progress = timed(lambda: stockcheck.progress(check.id, today=day), repeat)
    r_samples, (expected, counted) = timed(lambda: raw.progress(check.id), repeat)
    same("progress", (progress.expected, progress.counted), (expected, counted))
    figures.append(Figure("stock-check progress", f"{expected:,}", p_samples, r_samples,
                          f"p95 < {limit * 1000:.0f} ms, ≤ 3× raw ({label})", limit, 3.0))
    return figures


def whole(raw: Raw, folder: Path, documents: bool, pdf_assets: int, labels: int,
          say: Callable[[str], None]) -> list[Figure]:
    """verify, export, and (on the SQLite register) the printed documents."""
    from forms.opendata import export_assets
    from models import integrity
    from models.schema import Asset, AuditEvent

    events = AuditEvent.select().count()
    samples, report = once(integrity.verify)
    if not report.ok:
        raise AssertionError(f"verify found problems: {[c for c in report.checks if not c.ok]}")
    r_samples, checked = once(raw.verify_chain)
    scale = 1_000_000 / max(1, events)
    figures = [Figure(f"`verify` of the whole database ({events:,} audit events)", f"{events:,}",
                      samples, r_samples, "1,000,000 events < 30 s", 30.0 * max(1.0, 1 / scale),
                      note="raw: the chain alone")]
    say(f"  verify: {samples[0]:.1f} s for {events:,} events (raw chain {r_samples[0]:.1f} s)")

    count = Asset.select().count()
    samples, written = once(lambda: export_assets(io.BytesIO(), "csv"))
    r_samples, r_written = once(raw.export_csv)
    same("export", written, r_written)
    figures.append(Figure(f"export of the register (CSV, {written:,} assets)", f"{written:,}", samples,
                          r_samples, "< 5 s at 100,000", 5.0 * max(1.0, count / 100_000)))
    say(f"  export: {samples[0]:.1f} s")
    if documents:
        figures += print_documents(raw, pdf_assets, labels, say)
    return figures


def print_documents(raw: Raw, pdf_assets: int, n_labels: int, say: Callable[[str], None]) -> list[Figure]:
    from forms import labels
    from forms.pdf import paper_settings, register_fonts
    from forms.register import register_cards, render_register
    from models.depreciation import year_end
    from models.schema import Asset

    register_fonts()
    settings = paper_settings()
    # the fiscal year whose register holds closest to (not over) pdf_assets assets
    years = []
    for fy in range(2555, 2571):
        n = Asset.select().where(Asset.acquired_on <= year_end(fy)).count()
        years.append((n, fy))
    fitting = [y for y in years if 0 < y[0] <= pdf_assets] or [min(y for y in years if y[0])]
    n, fy = max(fitting)
    samples, run = once(lambda: render_register(io.BytesIO(), register_cards(fy), fy, settings, "bench"))
    r_samples, r_rows = once(lambda: raw.register_rows(year_end(fy)))
    same("register", run.assets, r_rows)
    figures = [Figure(f"register PDF of FY{fy} ({run.assets:,} assets, {run.pages:,} pages)", f"{run.assets:,}",
                      samples, r_samples, "< 20 s for 10,000", 20.0 * max(1.0, run.assets / 10_000),
                      note="raw: reading the same rows")]
    say(f"  register PDF: {samples[0]:.1f} s for {run.assets:,} assets")
    numbers = [no for (no,) in Asset.select(Asset.asset_no).where(Asset.status != "disposed")
               .order_by(Asset.asset_no).limit(n_labels).tuples()]
    template = labels.get_template(labels.DEFAULT_TEMPLATE)

    def label_run() -> Any:
        return labels.render_labels(io.BytesIO(), (labels.label_data(a) for a in labels.select_assets(numbers)),
                                    template, settings=settings)

    samples, lrun = timed(label_run, 3)
    marks = ", ".join("?" * len(numbers))
    r_samples, r_rows = timed(lambda: raw.all(f"select asset_no, name, acquired_on from asset where asset_no in "
                                              f"({marks})", numbers), 3)
    same("labels", lrun.labels, len(r_rows))
    figures.append(Figure(f"{lrun.labels:,} labels ({template.name}, {lrun.pages} sheets)", f"{lrun.labels:,}",
                          samples, r_samples, "< 5 s for 1,000", 5.0 * max(1.0, lrun.labels / 1000),
                          note="raw: reading the same rows"))
    return figures


# ---- the app and memory, in processes of their own -----------------------------------------

def app_screens(url: str, repeat: int, starts: int) -> list[Figure]:
    """The app as a person notices it: start, login, the asset list, search, the loan desk
    and the stock check's scans, and the app's memory, driven in a process of its own
    (tests/bench/tui.py); ``starts`` processes time the start."""
    from tests.bench.tui import measure

    return measure(url, repeat, starts)


# Started from a small process: a child forked straight from this one would count the pages
# it shares with this (large) process in its own peak until it execs the command.
_PEAK = r"""
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
if os.waitstatus_to_exitcode(status):
    sys.exit(err.decode()[-500:])
print(usage.ru_maxrss)
"""


def peak_rss(args: list[str]) -> tuple[float, float]:
    """(seconds, peak resident memory in MiB) of one command in a process of its own."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True)
    if run.returncode:
        raise AssertionError(f"{' '.join(args)} failed: {run.stderr[-500:]}")
    return time.perf_counter() - start, int(run.stdout.split()[-1]) / 1024


def memory(small: tuple[str, int], big: tuple[str, int], folder: Path) -> list[list[str]]:
    """Peak memory of the big commands on a small and a big register."""
    cli = [sys.executable, "-m", "assets_tui"]  # this environment's app, on PATH or not
    from models.demo import ANCHOR, FISCAL_YEARS
    from models.values import fiscal_year_of

    fy = fiscal_year_of(ANCHOR) - FISCAL_YEARS + 1  # the first year: a tenth of the register
    rows = []
    for what, args in (
        ("`export assets` (CSV)", ["export", "assets", "-o", str(folder / "x.csv")]),
        (f"`print register --fiscal-year {fy}` (PDF)",
         ["print", "register", "--fiscal-year", str(fy), "-o", str(folder / "x.pdf")]),
    ):
        measured = []
        for url, n in (small, big):
            seconds, mib = peak_rss([*cli, "--db", url, *args])
            measured.append((n, seconds, mib))
        (n1, s1, m1), (n2, s2, m2) = measured
        rows.append([what, f"{n1:,}", f"{m1:,.0f} MiB ({s1:.1f} s)", f"{n2:,}", f"{m2:,.0f} MiB ({s2:.1f} s)",
                     f"{m2 / m1:.2f}×"])
    return rows


# ---- the report ----------------------------------------------------------------------------

def table(figures: list[Figure]) -> list[str]:
    lines = ["| operation | rows | product p50 | product p95 | raw p50 | ratio | target | met? |",
             "|---|---:|---:|---:|---:|---:|---|:-:|"]
    for f in figures:
        ratio = f"{f.ratio:.2f}" if f.ratio is not None else "—"
        met = {None: "—", True: "yes", False: "**no**"}[f.met]
        note = f" ({f.note})" if f.note else ""
        lines.append(f"| {f.operation}{note} | {f.rows} | {_fmt(f.p50)} | {_fmt(f.p95)} | {_fmt(f.raw50)} "
                     f"| {ratio} | {f.target or '—'} | {met} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=100_000, help="assets on SQLite (default 100,000)")
    parser.add_argument("--loan-lines", type=int, default=1_000_000,
                        help="lines of past loans on SQLite (default 1,000,000)")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server to build a throwaway database on")
    parser.add_argument("--pg-assets", type=int, default=1_000_000)
    parser.add_argument("--pg-loan-lines", type=int, default=None, help="default: as --loan-lines")
    parser.add_argument("--pg-prebuilt", metavar="URL", help="measure this built demo database instead")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=50, help="repetitions of each interactive operation")
    parser.add_argument("--quick", action="store_true",
                        help="a small run (400 assets, few repetitions) that only shows the suite works")
    parser.add_argument("--out", type=Path, help="also write the Markdown to this file")
    parser.add_argument("--keep", type=Path, help="keep the built databases in this folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.assets, args.loan_lines, args.repeat = 400, 1_500, 5
        args.pg_assets = min(args.pg_assets, 2_000)
    pdf_assets, n_labels = (10_000, 1_000) if not args.quick else (100, 100)
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731

    folder = args.keep or Path(tempfile.mkdtemp(prefix="assets-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    out: list[str] = [f"# Benchmarks, {dt.datetime.now():%Y-%m-%d %H:%M}", ""]
    try:
        if not args.no_sqlite:
            out += run_sqlite(args, folder, pdf_assets, n_labels, say)
        if args.pg or args.pg_prebuilt:
            out += run_postgres(args, folder, say)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    out += ["", f"Machine: {machine()}."]
    text = "\n".join(out) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


def run_sqlite(args, folder: Path, pdf_assets: int, n_labels: int, say) -> list[str]:
    from models import db as dbmod

    small_n = max(1, args.assets // 10)
    url = f"sqlite:///{folder / 'big.db'}"
    small_url = f"sqlite:///{folder / 'small.db'}"
    say(f"SQLite: building {args.assets:,} assets with {args.loan_lines:,} past loan lines")
    seconds, summary = build(url, args.assets, args.loan_lines, say)
    dbmod.close()
    say(f"  built in {seconds:.1f} s: {summary}")
    raw_build = raw_copy_seconds(folder / "big.db", folder / "raw-copy.db")
    (folder / "raw-copy.db").unlink()
    figures = [Figure(f"demo build ({summary.assets:,} assets, {summary.loans:,} loans, "
                      f"{summary.audit_events:,} audit events)", f"{summary.assets:,}", [seconds], [raw_build],
                      note="raw: the same rows of asset, loan, loan_item, audit_event by executemany")]
    csv_path = import_csv(url, folder, args.assets)
    dbmod.close()
    figures.append(measure_import(folder, csv_path, say))

    dbmod.bind(url)
    raw = Raw(sqlite_path=str(folder / "big.db"))
    subjects = pick_subjects()
    figures += interactive(raw, subjects, args.repeat, 0.050, "SQLite")
    figures += writes(raw, min(args.repeat, 20), 0.050, "SQLite")
    figures += whole(raw, folder, True, pdf_assets, n_labels, say)
    raw.close()
    dbmod.close()
    figures += app_screens(url, 3 if args.quick else min(args.repeat, 20), 1 if args.quick else 5)

    say(f"SQLite: building a small register of {small_n:,} assets for the memory comparison")
    build(small_url, small_n, args.loan_lines // 10, say)
    dbmod.close()
    mem = memory((small_url, small_n), (url, summary.assets), folder)
    lines = [f"## SQLite: {summary.assets:,} assets, {args.loan_lines:,} past loan lines requested, "
             f"{summary.loans:,} loans, {summary.audit_events:,} audit events", ""]
    lines += table(figures)
    lines += ["", "Peak memory (resident set) of the big commands, each in a process of its own:", "",
              "| command | assets | peak memory | assets | peak memory | growth |",
              "|---|---:|---:|---:|---:|---:|"]
    lines += ["| " + " | ".join(row) + " |" for row in mem]
    return lines


def _database_url(server: str, name: str) -> str:
    parts = urlparse(server)
    return urlunparse(parts._replace(path="/" + name))


def run_postgres(args, folder: Path, say) -> list[str]:
    import psycopg

    from models import db as dbmod

    created = None
    if args.pg_prebuilt:
        from models.setup import upgrade

        url, build_seconds, summary = args.pg_prebuilt, None, None
        dbmod.bind(url)
        upgrade()  # as `assets-tui init` would: a database built by an older version gets new indexes
        dbmod.close()
    else:
        name = f"assets_bench_{os.getpid()}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        created = name
        url = _database_url(args.pg, name)
        lines_wanted = args.loan_lines if args.pg_loan_lines is None else args.pg_loan_lines
        say(f"PostgreSQL: building {args.pg_assets:,} assets with {lines_wanted:,} past loan lines")
        build_seconds, summary = build(url, args.pg_assets, lines_wanted, say)
        dbmod.close()
    try:
        dbmod.bind(url)
        from models.schema import Asset, AuditEvent, Loan, LoanItem

        n_assets, n_loans = Asset.select().count(), Loan.select().count()
        n_lines, n_events = LoanItem.select().count(), AuditEvent.select().count()
        figures = []
        if build_seconds is not None:
            figures.append(Figure(f"demo build ({n_assets:,} assets, {n_loans:,} loans)", f"{n_assets:,}",
                                  [build_seconds]))
        raw = Raw(pg_url=url)
        subjects = pick_subjects()
        figures += interactive(raw, subjects, args.repeat, 0.100, "PostgreSQL")
        figures += writes(raw, min(args.repeat, 20), 0.100, "PostgreSQL")
        figures += whole(raw, folder, False, 0, 0, say)
        raw.close()
        dbmod.close()
        version = pg_version(url)
    finally:
        if created:
            dbmod.close()
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{created}"')
    lines = ["", f"## PostgreSQL {version}: {n_assets:,} assets, {n_loans:,} loans with {n_lines:,} lines, "
                 f"{n_events:,} audit events" + (" (built beforehand with `assets-tui demo`)"
                                                  if build_seconds is None else ""), ""]
    return lines + table(figures)


__all__ = ["Figure", "main"]
