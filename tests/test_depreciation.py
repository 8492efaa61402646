"""The register's depreciation schedule, against figures worked out by hand: straight
line over the useful life, leaving 1.00 baht, posted on 30 Sep of each fiscal year, the
first year counting the months from the month of acquisition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from models.depreciation import (
    YearRow,
    annual_depreciation,
    annual_rate,
    book_value,
    last_fiscal_year,
    schedule,
    year_row,
)

D = Decimal


def figures(rows: list[YearRow]) -> list[tuple[int, int, str, str, str]]:
    return [(r.fiscal_year, r.months, str(r.depreciation), str(r.accumulated), str(r.net_book_value))
            for r in rows]


def test_45000_baht_over_5_years_from_15_march_2567():
    # 44,999.00 to depreciate over 60 months: 749.98333... a month.
    # FY2567 holds Mar-Sep 2567 = 7 months: 44,999 x 7/60 = 5,249.8833 -> 5,249.88.
    # Accumulated at each 30 Sep: 19, 31, 43, 55 months; the last 5 months (Oct 2571 -
    # Feb 2572) bring it to 44,999.00 and leave 1.00.
    rows = schedule(D("45000.00"), dt.date(2024, 3, 15), 5, 2580)
    assert figures(rows) == [
        (2567, 7, "5249.88", "5249.88", "39750.12"),
        (2568, 12, "8999.80", "14249.68", "30750.32"),
        (2569, 12, "8999.80", "23249.48", "21750.52"),
        (2570, 12, "8999.80", "32249.28", "12750.72"),
        (2571, 12, "8999.80", "41249.08", "3750.92"),
        (2572, 5, "3749.92", "44999.00", "1.00"),
    ]
    assert [r.posted_on for r in rows][:2] == [dt.date(2024, 9, 30), dt.date(2025, 9, 30)]
    assert annual_depreciation(D("45000.00"), 5) == D("8999.80")
    assert annual_rate(5) == D("20.00")


def test_the_schedule_stops_at_the_fiscal_year_asked_for():
    rows = schedule(D("45000.00"), dt.date(2024, 3, 15), 5, 2569)
    assert [r.fiscal_year for r in rows] == [2567, 2568, 2569]
    assert rows[-1].net_book_value == D("21750.52")
    assert schedule(D("45000.00"), dt.date(2024, 3, 15), 5, 2566) == []


def test_acquired_on_1_october_the_first_year_is_a_whole_year():
    # 1 Oct 2567 opens FY2568: 12 months in the first year, 11,999 / 5 = 2,399.80 a year.
    rows = schedule(D("12000.00"), dt.date(2024, 10, 1), 5, 2600)
    assert figures(rows) == [
        (2568, 12, "2399.80", "2399.80", "9600.20"),
        (2569, 12, "2399.80", "4799.60", "7200.40"),
        (2570, 12, "2399.80", "7199.40", "4800.60"),
        (2571, 12, "2399.80", "9599.20", "2400.80"),
        (2572, 12, "2399.80", "11999.00", "1.00"),
    ]
    assert last_fiscal_year(dt.date(2024, 10, 1), 5) == 2572


def test_acquired_on_30_september_the_first_year_is_one_month():
    # 29,999 over 36 months = 833.3055... a month. FY2567: 1 month -> 833.31.
    # 30 Sep 2568: 13 months -> 10,832.9722 -> 10,832.97 (9,999.66 this year);
    # 30 Sep 2569: 25 months -> 20,832.6388 -> 20,832.64 (9,999.67); the remaining
    # 11 months (Oct 2569 - Aug 2570) end at 29,999.00.
    rows = schedule(D("30000.00"), dt.date(2024, 9, 30), 3, 2600)
    assert figures(rows) == [
        (2567, 1, "833.31", "833.31", "29166.69"),
        (2568, 12, "9999.66", "10832.97", "19167.03"),
        (2569, 12, "9999.67", "20832.64", "9167.36"),
        (2570, 11, "9166.36", "29999.00", "1.00"),
    ]


def test_a_computer_over_3_years():
    # 25,900 (the sample notebook), 15 Mar 2567, 3 years: 25,899 / 36 = 719.4166... a month.
    # 7 months: 5,035.9166 -> 5,035.92; 19: 13,668.9166 -> 13,668.92; 31: 22,301.9166 ->
    # 22,301.92; 36: 25,899.00.
    rows = schedule(D("25900.00"), dt.date(2024, 3, 15), 3, 2600)
    assert figures(rows) == [
        (2567, 7, "5035.92", "5035.92", "20864.08"),
        (2568, 12, "8633.00", "13668.92", "12231.08"),
        (2569, 12, "8633.00", "22301.92", "3598.08"),
        (2570, 5, "3597.08", "25899.00", "1.00"),
    ]
    assert annual_rate(3) == D("33.33")


def test_an_item_of_1_baht_is_never_depreciated():
    rows = schedule(D("1.00"), dt.date(2024, 3, 15), 5, 2580)
    assert figures(rows) == [(2567, 0, "0.00", "0.00", "1.00")]
    assert year_row(D("1.00"), dt.date(2024, 3, 15), 5, 2570).net_book_value == D("1.00")
    assert annual_depreciation(D("1.00"), 5) == D("0.00")


def test_one_year_alone_matches_the_schedule_and_stays_at_1_baht_after_the_end():
    price, on = D("45000.00"), dt.date(2024, 3, 15)
    assert year_row(price, on, 5, 2569) == schedule(price, on, 5, 2569)[-1]
    after = year_row(price, on, 5, 2575)
    assert (after.months, after.depreciation, after.accumulated, after.net_book_value) == (
        0, D("0.00"), D("44999.00"), D("1.00"))


@given(price=st.decimals(min_value=0, max_value=10_000_000, places=2),
       acquired=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
       life=st.integers(1, 25))
def test_the_years_add_up_and_end_at_1_baht(price, acquired, life):
    rows = schedule(price, acquired, life, 2700)
    assert rows and all(r.depreciation >= 0 for r in rows)
    assert sum((r.depreciation for r in rows), D("0")) == rows[-1].accumulated
    assert sum(r.months for r in rows) == (life * 12 if price > 1 else 0)
    assert rows[-1].net_book_value == (D("1.00") if price > 1 else price)
    for r in rows:
        assert r.net_book_value == book_value(price, acquired, life, r.posted_on)
        assert r.depreciation <= annual_depreciation(price, life) + D("0.01")
