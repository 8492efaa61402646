"""Straight-line depreciation over the category's useful life, leaving 1.00 baht."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

RESIDUAL = Decimal("1.00")
CENT = Decimal("0.01")


def months_held(acquired_on: dt.date, on: dt.date) -> int:
    """Whole months from the month of acquisition (counted) up to ``on``."""
    if on < acquired_on:
        return 0
    return (on.year - acquired_on.year) * 12 + (on.month - acquired_on.month) + 1


def book_value(price: Decimal, acquired_on: dt.date, useful_life_years: int, on: dt.date) -> Decimal:
    """Net book value on a date: price less straight-line depreciation, never below 1.00."""
    if price <= RESIDUAL or useful_life_years <= 0:
        return price
    depreciable = price - RESIDUAL
    months = min(months_held(acquired_on, on), useful_life_years * 12)
    used = (depreciable * months / (useful_life_years * 12)).quantize(CENT, rounding=ROUND_HALF_UP)
    return (price - used).quantize(CENT)


def asset_book_value(asset, on: dt.date) -> Decimal:
    life = asset.useful_life_years or asset.category.useful_life_years
    return book_value(asset.price, asset.acquired_on, life, on)
