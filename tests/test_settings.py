"""The agency's settings: each value checked before it is stored (one sentence naming the
setting), changes recorded in the audit log, an administrator's task at the command line
too; and the depreciation start rule, against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assets_tui.cli import main
from forms.register import register_cards
from models import assets, org
from models.depreciation import NEXT_MONTH, book_value, register_summary, schedule
from models.errors import PermissionDenied, ValidationError
from models.schema import AuditEvent
from tests.test_cli import one_error

D = Decimal


@pytest.mark.parametrize(("key", "value", "words"), [
    ("approver_outside", "boss", "must be one of dept_head, agency_head, not 'boss'"),
    ("approver_inside", "", "must be one of dept_head, agency_head"),
    ("follow_up_days", "0", "a number of days from 1 to 365, not '0'"),
    ("follow_up_days", "seven", "not 'seven'"),
    ("supply_head", "nobody", "names 'nobody', who has no account"),
    ("agency_head_delegates", "admin, ghost", "names 'ghost', who has no account"),
    ("thai_digits", "maybe", "must be yes or no"),
    ("language", "fr", "must be one of th, en"),
    ("closure_days", "2026-02-30", "closure day '2026-02-30' does not exist"),
    ("depreciation_from", "whenever", "acquisition_month, next_month"),
    ("agency_name", "   ", "agency's name is missing"),
    ("colour", "blue", "There is no setting 'colour'"),
])
def test_a_bad_value_is_refused_and_nothing_changes(users, key, value, words):
    before = org.settings()
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match=words) as refused:
        org.set_setting(users["admin"], key, value)
    assert refused.value.field == ("key" if key == "colour" else key)
    assert org.settings() == before and AuditEvent.select().count() == events


def test_values_are_stored_as_the_product_reads_them(users):
    admin = users["admin"]
    org.set_setting(admin, "approver_outside", " Dept_Head ")
    org.set_setting(admin, "thai_digits", "yes")
    org.set_setting(admin, "closure_days", "31/12/2569, 2026-12-05, 5/12/2569")
    org.set_setting(admin, "agency_head_delegates", " admin , storekeeper ")
    org.set_setting(admin, "follow_up_days", "010")
    current = org.settings()
    assert current["approver_outside"] == "dept_head" and current["thai_digits"] == "1"
    assert current["closure_days"] == "2026-12-05,2026-12-31"
    assert current["agency_head_delegates"] == "admin,storekeeper"
    assert current["follow_up_days"] == "10"
    change = AuditEvent.select().where(AuditEvent.action == "setting.change") \
        .order_by(AuditEvent.seq.desc()).first()
    assert change.entity_id == "follow_up_days"


def test_only_an_administrator_changes_settings(users):
    with pytest.raises(PermissionDenied):
        org.set_setting(users["storekeeper"], "follow_up_days", "10")
    assert org.get_setting("follow_up_days") == "7"


def test_settings_at_the_command_line(users, db_url, capsys, monkeypatch):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", "pass1234")
    assert main(["setting", "list", "--db", db_url, "--json"]) == 0
    listed = capsys.readouterr().out
    assert '"depreciation_from": "acquisition_month"' in listed
    assert main(["setting", "set", "depreciation_from", "next_month", "--as", "admin",
                 "--db", db_url]) == 0
    assert capsys.readouterr().out.strip() == "depreciation_from = next_month"
    assert main(["setting", "set", "approver_agency", "boss", "--as", "admin", "--db", db_url]) == 1
    assert "approver_agency must be one of dept_head, agency_head" in one_error(capsys)
    assert main(["setting", "set", "follow_up_days", "3", "--as", "storekeeper",
                 "--db", db_url]) == 1
    assert "only: administrator" in one_error(capsys)
    assert org.get_setting("follow_up_days") == "7"


# ---- where depreciation starts ----------------------------------------------------------

def test_from_the_next_month_45000_baht_over_5_years():
    # Acquired 15 Mar 2567; depreciation starts in April: FY2567 holds Apr-Sep = 6 months,
    # 44,999 x 6/60 = 4,499.90; the last year runs Oct 2571 - Mar 2572, 6 months.
    rows = schedule(D("45000.00"), dt.date(2024, 3, 15), 5, 2580, NEXT_MONTH)
    assert [(r.fiscal_year, r.months, str(r.depreciation), str(r.net_book_value)) for r in rows] == [
        (2567, 6, "4499.90", "40500.10"),
        (2568, 12, "8999.80", "31500.30"),
        (2569, 12, "8999.80", "22500.50"),
        (2570, 12, "8999.80", "13500.70"),
        (2571, 12, "8999.80", "4500.90"),
        (2572, 6, "4499.90", "1.00"),
    ]
    # acquired in September: nothing in the first year, the whole of the next
    late = schedule(D("12000.00"), dt.date(2024, 9, 20), 5, 2568, NEXT_MONTH)
    assert [(r.fiscal_year, r.months, str(r.depreciation)) for r in late] == [
        (2567, 0, "0.00"), (2568, 12, "2399.80")]
    # December rolls into January of the next calendar year
    assert book_value(D("1201.00"), dt.date(2024, 12, 31), 1, dt.date(2025, 1, 31), NEXT_MONTH) \
        == D("1101.00")


def test_the_register_follows_the_agency_setting(users, sample_asset):
    asset = assets.register_asset(users["storekeeper"], {
        **sample_asset, "price": "45,000.00", "acquired_on": "15/3/2567", "useful_life_years": "5"})
    [card] = [c for c in register_cards(2569) if c.asset_no == asset.asset_no]
    assert [r.months for r in card.years] == [7, 12, 12]
    org.set_setting(users["admin"], "depreciation_from", "next_month")
    [card] = [c for c in register_cards(2569) if c.asset_no == asset.asset_no]
    assert [r.months for r in card.years] == [6, 12, 12]
    assert card.years[-1].net_book_value == D("22500.50")
    summary = register_summary(2569)  # the summary register reads the same rule
    assert (summary.total.count, summary.total.depreciation, summary.total.net_book_value) == \
        (1, D("8999.80"), D("22500.50"))
