"""Straight-line depreciation over the category's useful life, leaving 1.00 baht.

Depreciation is posted once a fiscal year, on 30 Sep. The first year counts the months
held from the month of acquisition (acquired on 15 Mar: Mar to Sep, 7 months; on 1 Oct:
the whole year; on 30 Sep: one month), or, where the agency's ``depreciation_from``
setting says ``next_month``, from the month after it (15 Mar: Apr to Sep, 6 months). The monthly amount, (price - 1.00) / (life x 12),
is not rounded; what is rounded to the satang is the depreciation accumulated at each
30 Sep, and a year's depreciation is the difference of two accumulated amounts. So the
years always add up to the accumulated figure, the net book value equals
``book_value`` on that day, and the last year leaves exactly 1.00 baht.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import peewee as pw

from .values import BE_OFFSET, fiscal_year_of

RESIDUAL = Decimal("1.00")
CENT = Decimal("0.01")
ACQUISITION_MONTH = "acquisition_month"
NEXT_MONTH = "next_month"


def start_rule() -> str:
    """The agency's choice of where the first year's depreciation starts."""
    from .org import get_setting

    return get_setting("depreciation_from") or ACQUISITION_MONTH


def depreciation_start(acquired_on: dt.date, rule: str = ACQUISITION_MONTH) -> dt.date:
    """The first day whose month is depreciated: the day acquired, or the first of the
    following month under the ``next_month`` rule."""
    if rule != NEXT_MONTH:
        return acquired_on
    return dt.date(acquired_on.year + acquired_on.month // 12, acquired_on.month % 12 + 1, 1)


def months_held(acquired_on: dt.date, on: dt.date) -> int:
    """Whole months from the month of acquisition (counted) up to ``on``."""
    if on < acquired_on:
        return 0
    return (on.year - acquired_on.year) * 12 + (on.month - acquired_on.month) + 1


def book_value(price: Decimal, acquired_on: dt.date, useful_life_years: int, on: dt.date,
               rule: str = ACQUISITION_MONTH) -> Decimal:
    """Net book value on a date: price less straight-line depreciation, never below 1.00."""
    if price <= RESIDUAL or useful_life_years <= 0:
        return price
    depreciable = price - RESIDUAL
    months = min(months_held(depreciation_start(acquired_on, rule), on), useful_life_years * 12)
    used = (depreciable * months / (useful_life_years * 12)).quantize(CENT, rounding=ROUND_HALF_UP)
    return (price - used).quantize(CENT)


def asset_book_value(asset, on: dt.date, rule: str | None = None) -> Decimal:
    life = asset.useful_life_years or asset.category.useful_life_years
    return book_value(asset.price, asset.acquired_on, life, on, rule or start_rule())


# ---- the yearly schedule of the asset register -----------------------------------------

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class YearRow:
    """One fiscal year's line of the register's depreciation columns, as posted on 30 Sep."""

    fiscal_year: int          # BE, e.g. 2568 for 1 Oct 2567 - 30 Sep 2568
    posted_on: dt.date        # 30 Sep of that fiscal year
    months: int               # months depreciated in this year (0 once fully depreciated)
    depreciation: Decimal     # this year's depreciation
    accumulated: Decimal      # accumulated depreciation at 30 Sep
    net_book_value: Decimal   # price less accumulated depreciation


def year_end(fiscal_year: int) -> dt.date:
    """30 Sep of a BE fiscal year, the day depreciation is posted."""
    return dt.date(fiscal_year - BE_OFFSET, 9, 30)


def annual_rate(useful_life_years: int) -> Decimal:
    """The yearly rate in per cent, as the register prints it: 5 years is 20.00."""
    if useful_life_years <= 0:
        return ZERO
    return (Decimal(100) / useful_life_years).quantize(CENT, rounding=ROUND_HALF_UP)


def annual_depreciation(price: Decimal, useful_life_years: int) -> Decimal:
    """A full year's depreciation: (price - 1.00) / life, to the satang."""
    if price <= RESIDUAL or useful_life_years <= 0:
        return ZERO
    return ((price - RESIDUAL) / useful_life_years).quantize(CENT, rounding=ROUND_HALF_UP)


def accumulated_depreciation(price: Decimal, acquired_on: dt.date, useful_life_years: int,
                             on: dt.date, rule: str = ACQUISITION_MONTH) -> Decimal:
    """Depreciation accumulated by a date, to the satang."""
    return (price - book_value(price, acquired_on, useful_life_years, on, rule)).quantize(CENT)


def last_fiscal_year(acquired_on: dt.date, useful_life_years: int,
                     rule: str = ACQUISITION_MONTH) -> int:
    """The fiscal year whose 30 Sep posting leaves the asset at 1.00 baht."""
    start = depreciation_start(acquired_on, rule)
    months = max(useful_life_years, 0) * 12
    index = start.year * 12 + start.month - 1 + max(months - 1, 0)
    return fiscal_year_of(dt.date(index // 12, index % 12 + 1, 1))


def year_row(price: Decimal, acquired_on: dt.date, useful_life_years: int,
             fiscal_year: int, rule: str = ACQUISITION_MONTH) -> YearRow:
    """One fiscal year of the schedule, computed on its own (the summary register needs one
    year of every asset, not every year of each)."""
    end = year_end(fiscal_year)
    start = dt.date(end.year - 1, 9, 30)
    accumulated = accumulated_depreciation(price, acquired_on, useful_life_years, end, rule)
    before = accumulated_depreciation(price, acquired_on, useful_life_years, start, rule)
    life_months = max(useful_life_years, 0) * 12
    first = depreciation_start(acquired_on, rule)
    months = (min(months_held(first, end), life_months)
              - min(months_held(first, start), life_months))
    if price <= RESIDUAL:
        months = 0
    return YearRow(fiscal_year, end, months, accumulated - before, accumulated,
                   (price - accumulated).quantize(CENT))


def schedule(price: Decimal, acquired_on: dt.date, useful_life_years: int,
             through_fy: int, rule: str = ACQUISITION_MONTH) -> list[YearRow]:
    """The yearly depreciation from the fiscal year of acquisition through ``through_fy``
    (BE), stopping at the year that leaves 1.00 baht. Empty when the asset was acquired
    after that fiscal year. An asset of 1.00 baht or less is never depreciated: it gets
    its first year only, with nothing posted."""
    return list(iter_schedule(price, acquired_on, useful_life_years, through_fy, rule))


def iter_schedule(price: Decimal, acquired_on: dt.date, useful_life_years: int,
                  through_fy: int, rule: str = ACQUISITION_MONTH) -> Iterator[YearRow]:
    first = fiscal_year_of(acquired_on)
    last = min(through_fy, max(first, last_fiscal_year(acquired_on, useful_life_years, rule)))
    if price <= RESIDUAL or useful_life_years <= 0:
        last = min(through_fy, first)
    for fy in range(first, last + 1):
        yield year_row(price, acquired_on, useful_life_years, fy, rule)


# ---- the register of a fiscal year -------------------------------------------------------

def register_assets(fiscal_year: int, department: str | None = None,
                    category: str | None = None):
    """The assets on the register at 30 Sep of a fiscal year (BE), by asset number: acquired
    by then and not yet ordered disposed of by then (an asset disposed of later was still on
    that year's register). A query to iterate, never a list: a register may hold 100,000."""
    from .assets import AssetFilter, asset_query
    from .schema import Asset, Disposal

    end = year_end(fiscal_year)
    disposed_later = pw.fn.EXISTS(Disposal.select(Disposal.id).where(
        (Disposal.asset == Asset.id) & (Disposal.ordered_on > end)))
    return (asset_query(AssetFilter(department=department, category=category,
                                    include_disposed=True))
            .where((Asset.acquired_on <= end)
                   & ((Asset.status != "disposed") | disposed_later)))


def useful_life(asset) -> int:
    """The asset's own useful life where one was recorded, else its category's."""
    return asset.useful_life_years or asset.category.useful_life_years


@dataclass
class SummaryLine:
    """One line of the summary register: a category in a department, or a total."""

    category_code: str
    category: str
    department_code: str
    department: str
    count: int = 0
    cost: Decimal = ZERO
    depreciation: Decimal = ZERO   # posted this fiscal year
    accumulated: Decimal = ZERO
    net_book_value: Decimal = ZERO

    def add(self, cost: Decimal, row: YearRow, count: int = 1) -> None:
        self.count += count
        self.cost += cost
        self.depreciation += row.depreciation
        self.accumulated += row.accumulated
        self.net_book_value += row.net_book_value


@dataclass
class RegisterSummary:
    fiscal_year: int
    lines: list[SummaryLine]                 # by category code, then department code
    by_category: list[SummaryLine]
    by_department: list[SummaryLine]
    total: SummaryLine


def register_summary(fiscal_year: int, department: str | None = None,
                     category: str | None = None) -> RegisterSummary:
    """Count, cost, this year's depreciation, accumulated depreciation and net book value of
    a fiscal year's register, by category and department, read in one streamed pass."""
    from .schema import Asset, Category, Department

    q = (register_assets(fiscal_year, department, category)
         .select(Asset.price, Asset.acquired_on, Asset.useful_life_years, Category.code,
                 Category.name, Category.useful_life_years, Department.code, Department.name)
         .order_by()
         .tuples())
    rule = start_rule()
    lines: dict[tuple[str, str], SummaryLine] = {}
    cats: dict[str, SummaryLine] = {}
    depts: dict[str, SummaryLine] = {}
    total = SummaryLine("", "", "", "")
    for price, acquired_on, life, cat_code, cat_name, cat_life, dept_code, dept_name in q.iterator():
        row = year_row(price, acquired_on, life or cat_life, fiscal_year, rule)
        key = (cat_code, dept_code)
        if key not in lines:
            lines[key] = SummaryLine(cat_code, cat_name, dept_code, dept_name)
        lines[key].add(price, row)
        cats.setdefault(cat_code, SummaryLine(cat_code, cat_name, "", "")).add(price, row)
        depts.setdefault(dept_code, SummaryLine("", "", dept_code, dept_name)).add(price, row)
        total.add(price, row)
    return RegisterSummary(fiscal_year, [lines[k] for k in sorted(lines)],
                           [cats[k] for k in sorted(cats)], [depts[k] for k in sorted(depts)], total)
