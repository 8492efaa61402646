"""The asset register: numbers, validation, edits, moves, history and search."""

import datetime as dt
from decimal import Decimal

import pytest

from models import assets, integrity
from models.accounts import SYSTEM
from models.assets import AssetFilter
from models.errors import NotFound, ValidationError
from models.schema import Asset, AssetNumberCounter, AuditEvent, Location, Person


def test_registering_gives_a_category_year_running_number(users, sample_asset):
    first = assets.register_asset(users["storekeeper"], sample_asset)
    second = assets.register_asset(users["storekeeper"], sample_asset)
    # คอมพิวเตอร์ is 430; 15/3/2567 is BE 2567.
    assert first.asset_no == "430-67-0001"
    assert second.asset_no == "430-67-0002"
    stored = Asset.get(Asset.asset_no == "430-67-0001")
    assert stored.price == Decimal("25900.00") and isinstance(stored.price, Decimal)
    assert stored.acquired_on == dt.date(2024, 3, 15)
    assert stored.funding_source == "budget"
    assert stored.status == "available" and stored.lendable


def test_numbers_continue_after_legacy_numbers_and_are_never_reused(users, sample_asset):
    # An old register's 430-67-0005: 0001-0004 may be assets disposed long ago.
    assets.register_asset(users["storekeeper"], {**sample_asset, "asset_no": "430-67-0005"})
    assets.register_asset(users["storekeeper"], {**sample_asset, "asset_no": "OLD/2540/17"})
    a = assets.register_asset(users["storekeeper"], sample_asset)
    b = assets.register_asset(users["storekeeper"], {**sample_asset, "acquired_on": "1/10/2568"})
    assert (a.asset_no, b.asset_no) == ("430-67-0006", "430-68-0001")
    assert integrity.verify().ok


def test_a_counter_behind_its_numbers_is_reported_by_verify(users, sample_asset):
    assets.register_asset(users["storekeeper"], sample_asset)
    AssetNumberCounter.update(last=0).execute()
    report = integrity.verify()
    assert not report.ok
    assert any("430-67" in c.detail for c in report.checks if not c.ok)


@pytest.mark.parametrize("written", ["เงินงบประมาณ", "งบประมาณ", "budget", "Budget"])
def test_funding_source_as_registers_write_it(users, sample_asset, written):
    a = assets.register_asset(users["storekeeper"], {**sample_asset, "funding_source": written})
    assert a.funding_source == "budget"


def test_duplicate_asset_number_is_refused_and_nothing_written(users, sample_asset):
    assets.register_asset(users["storekeeper"], {**sample_asset, "asset_no": "LEGACY-1"})
    events = AuditEvent.select().count()
    with pytest.raises(ValidationError, match="already registered") as err:
        assets.register_asset(users["storekeeper"], {**sample_asset, "asset_no": "LEGACY-1"})
    assert err.value.field == "asset_no"
    assert Asset.select().count() == 1 and AuditEvent.select().count() == events


@pytest.mark.parametrize("field, value, words", [
    ("acquired_on", "30/2/2567", "acquisition date"),
    ("price", "-5", "price cannot be negative"),
    ("category", "ครุภัณฑ์เวทมนตร์", "category 'ครุภัณฑ์เวทมนตร์' is unknown"),
    ("department", "99", "department '99' is unknown"),
    ("name", "  ", "name is missing"),
    ("funding_source", "เงินกู้", "funding source"),
    ("acquired_on", "1/1/2600", "in the future"),
])
def test_bad_input_names_the_field_and_writes_nothing(users, sample_asset, field, value, words):
    with pytest.raises(ValidationError, match=words) as err:
        assets.register_asset(users["storekeeper"], {**sample_asset, field: value})
    assert err.value.field == field
    assert Asset.select().count() == 0
    assert not AuditEvent.select().where(AuditEvent.entity == "asset").exists()


def test_category_with_or_without_the_word_kruphan(users, sample_asset):
    a = assets.register_asset(users["storekeeper"], {**sample_asset, "category": "ครุภัณฑ์สำนักงาน"})
    b = assets.register_asset(users["storekeeper"], {**sample_asset, "category": "สำนักงาน"})
    c = assets.register_asset(users["storekeeper"], {**sample_asset, "category": "416"})
    assert {a.category.code, b.category.code, c.category.code} == {"416"}


def test_edit_records_only_what_changed(users, sample_asset):
    a = assets.register_asset(users["storekeeper"], sample_asset)
    assets.update_asset(users["storekeeper"], a.asset_no, {"brand": "Dell", "price": "26,000"})
    assets.update_asset(users["storekeeper"], a.asset_no, {"brand": "Dell"})  # no change
    history = assets.asset_history(a.asset_no)
    assert [h.action for h in history] == ["asset.register", "asset.edit"]
    assert history[1].before == {"brand": "Lenovo", "price": "25900.00"}
    assert history[1].after == {"brand": "Dell", "price": "26000.00"}
    assert history[1].actor == "storekeeper"


def test_asset_number_never_changes(users, sample_asset):
    a = assets.register_asset(users["storekeeper"], sample_asset)
    with pytest.raises(ValidationError, match="never changes"):
        assets.update_asset(users["storekeeper"], a.asset_no, {"asset_no": "X-1"})


def test_move_and_custodian_change_are_in_the_history(users, sample_asset):
    a = assets.register_asset(users["storekeeper"], sample_asset)
    loc = Location.create(code="R-101", name="ห้องกองคลัง")
    person = Person.create(name="สมชาย ใจดี")
    assets.move_asset(users["storekeeper"], a.asset_no, department="กองคลัง", location="R-101")
    assets.change_custodian(users["storekeeper"], a.asset_no, person)
    moved = assets.get_asset(a.asset_no)
    assert (moved.department.code, moved.location_id, moved.custodian_id) == ("04", loc.id, person.id)
    history = assets.asset_history(a.asset_no)
    assert history[1].action == "asset.move"
    assert history[1].after == {"department": "04", "location": "R-101"}
    assert history[2].after == {"custodian": "สมชาย ใจดี"}
    # The custodian's name is now searchable.
    assert [x.asset_no for x in assets.find_assets("สมชาย")] == [a.asset_no]


def test_unknown_asset_is_named(users):
    with pytest.raises(NotFound, match="There is no asset number 'nope'"):
        assets.get_asset("nope")


def test_an_edit_leaves_alone_what_another_desk_changed_meanwhile(users, sample_asset, monkeypatch):
    """An edit writes only the fields it changes: a status set by a hand-over between the
    edit's read and its write stays (writing the whole row would put the old one back)."""
    asset = assets.register_asset(users["storekeeper"], sample_asset)
    real_clean = assets.clean_asset

    def meanwhile(*args, **kwargs):
        Asset.update(status="on_loan").where(Asset.asset_no == asset.asset_no).execute()
        return real_clean(*args, **kwargs)

    monkeypatch.setattr(assets, "clean_asset", meanwhile)
    assets.update_asset(users["storekeeper"], asset.asset_no, {"brand": "Dell"})
    stored = Asset.get(Asset.asset_no == asset.asset_no)
    assert (stored.brand, stored.status) == ("Dell", "on_loan")


def test_disposed_asset_cannot_be_edited(users, sample_asset):
    a = assets.register_asset(users["storekeeper"], sample_asset)
    Asset.update(status="disposed", lendable=False).where(Asset.id == a.id).execute()
    with pytest.raises(ValidationError, match="disposed"):
        assets.update_asset(users["storekeeper"], a.asset_no, {"brand": "Dell"})


def _register_many(actor, sample):
    rows = [
        {**sample, "name": "เครื่องคอมพิวเตอร์โน้ตบุ๊ก", "serial_no": "SN-AAA-1"},
        {**sample, "name": "เต็นท์ผ้าใบ ขนาด 4x8 เมตร", "category": "งานบ้านงานครัว",
         "brand": "ไทยเต็นท์", "model": "", "serial_no": ""},
        {**sample, "name": "Projector", "category": "โฆษณาและเผยแพร่", "brand": "Epson",
         "model": "EB-X51", "serial_no": "X51-9"},
    ]
    return [assets.register_asset(actor, r) for r in rows]


@pytest.mark.parametrize("query, expected", [
    ("เต็นท์", ["424-67-0001"]),
    ("ผ้าใบ", ["424-67-0001"]),
    ("epson", ["422-67-0001"]),
    ("eb-x", ["422-67-0001"]),
    ("sn-aaa", ["430-67-0001"]),
    ("430-67", ["430-67-0001"]),
    ("เต็นท์ 4x8", ["424-67-0001"]),
    ("100%", []),
])
def test_find_by_thai_words_brand_serial_number(users, sample_asset, query, expected):
    _register_many(users["storekeeper"], sample_asset)
    assert [a.asset_no for a in assets.find_assets(query)] == expected


def test_exact_number_comes_first(users, sample_asset):
    for _ in range(3):
        assets.register_asset(SYSTEM, sample_asset)
    assert assets.find_assets("430-67-0003")[0].asset_no == "430-67-0003"


def test_register_query_filters_sorts_and_pages_in_the_database(users, sample_asset):
    _register_many(users["storekeeper"], sample_asset)
    q = assets.asset_query(AssetFilter(sort="name"))
    assert [a.name for a in q.paginate(1, 2)] == ["Projector", "เครื่องคอมพิวเตอร์โน้ตบุ๊ก"]
    assert assets.count_assets(AssetFilter(category="424")) == 1
    assert assets.total_value() == Decimal("77700.00")


def test_a_capped_count_stops_one_past_the_cap(users, sample_asset):
    for _ in range(5):
        assets.register_asset(SYSTEM, sample_asset)
    wanted = AssetFilter(query="โน้ตบุ๊ก")
    assert assets.count_assets(wanted) == 5
    assert assets.count_assets(wanted, cap=3) == 4   # "3+"
    assert assets.count_assets(wanted, cap=5) == 5   # all of them, exactly
    assert assets.count_assets(AssetFilter(query="ไม่มีคำนี้"), cap=3) == 0
