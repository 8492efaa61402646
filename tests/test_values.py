"""Dates in BE or CE, money and yes/no as people type them."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import ValidationError
from models.values import (
    fiscal_year_bounds,
    fiscal_year_of,
    format_date_be,
    parse_bool,
    parse_date,
    parse_money,
)


@pytest.mark.parametrize("text", ["1/12/2569", "01/12/2569", "2026-12-01", "1/12/2026",
                                  "1 ธันวาคม 2569", "1 ธ.ค. 69", "๑/๑๒/๒๕๖๙", "1.12.2569"])
def test_the_same_day_written_many_ways(text):
    assert parse_date(text) == dt.date(2026, 12, 1)


@pytest.mark.parametrize("text", ["30/2/2569", "31/4/2568", "29/2/2569", "0/1/2569", "1/13/2569"])
def test_days_that_do_not_exist_are_refused(text):
    with pytest.raises(ValidationError, match="does not exist") as err:
        parse_date(text, "acquired_on", "acquisition date")
    assert err.value.field == "acquired_on"
    assert "acquisition date" in str(err.value)


def test_29_february_of_a_leap_year_is_accepted():
    assert parse_date("29/2/2567") == dt.date(2024, 2, 29)


@pytest.mark.parametrize("text", ["", "tomorrow", "12/2569", "2569"])
def test_text_that_is_not_a_date(text):
    with pytest.raises(ValidationError):
        parse_date(text, "start")


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_be_display_reads_back_as_the_same_date(day):
    assert parse_date(format_date_be(day)) == day
    assert parse_date(format_date_be(day, short=True)) == day


def test_long_be_format():
    assert format_date_be(dt.date(2026, 11, 28)) == "28 พฤศจิกายน 2569"


@pytest.mark.parametrize("day, fy", [(dt.date(2025, 10, 1), 2569), (dt.date(2025, 9, 30), 2568),
                                     (dt.date(2026, 9, 30), 2569), (dt.date(2026, 11, 28), 2570)])
def test_fiscal_year_is_named_by_the_be_year_it_ends_in(day, fy):
    assert fiscal_year_of(day) == fy


def test_fiscal_year_2568_runs_from_1_october_2567():
    assert fiscal_year_bounds(2568) == (dt.date(2024, 10, 1), dt.date(2025, 9, 30))


@pytest.mark.parametrize("text, amount", [("12,345.50", "12345.50"), ("1 200 บาท", "1200.00"),
                                          ("0", "0.00"), ("๒๕,๙๐๐", "25900.00")])
def test_money_as_written_in_thai_registers(text, amount):
    value = parse_money(text)
    assert value == Decimal(amount) and isinstance(value, Decimal)
    assert str(value) == amount


@pytest.mark.parametrize("text, words", [("-5", "negative"), ("1.234", "2 decimal"),
                                         ("abc", "not an amount"), ("nan", "not an amount"),
                                         ("", "missing")])
def test_bad_money_names_the_field(text, words):
    with pytest.raises(ValidationError, match=words) as err:
        parse_money(text, "price", "price")
    assert err.value.field == "price"


def test_float_input_keeps_its_decimal_meaning():
    assert parse_money(0.1) == Decimal("0.10")


@pytest.mark.parametrize("text, value", [("yes", True), ("ใช่", True), ("1", True), ("no", False),
                                         ("ไม่ได้", False), ("", False)])
def test_yes_no(text, value):
    assert parse_bool(text, "lendable") is value


def test_unclear_yes_no_is_refused():
    with pytest.raises(ValidationError, match="yes or no"):
        parse_bool("maybe", "lendable")


def test_stored_utc_times_show_on_the_local_day(monkeypatch):
    import os
    import time

    from models.values import local_date, local_datetime

    monkeypatch.setenv("TZ", "Asia/Bangkok")
    time.tzset()
    try:
        # 20:30 UTC on 27 Nov is 03:30 on 28 Nov in Bangkok.
        assert local_date(dt.datetime(2026, 11, 27, 20, 30)) == dt.date(2026, 11, 28)
        assert local_datetime(dt.datetime(2026, 11, 27, 20, 30)) == dt.datetime(2026, 11, 28, 3, 30)
        assert local_date(None) is None
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
        assert "TZ" not in os.environ
