"""Schema changes go through numbered scripts; the result matches the models exactly."""

from models import db as dbmod
from models import setup
from models.schema import MODELS


def test_migrations_build_every_table_and_column_the_models_use(db_url):
    database = dbmod.bind(db_url)
    scripts = sorted(p.stem for p in setup.MIGRATIONS_DIR.glob("[0-9]*.py"))
    assert scripts[:2] == ["0001_initial", "0002_loans"]
    assert setup.pending_migrations() == scripts
    assert setup.upgrade() == scripts
    assert setup.upgrade() == []
    for model in MODELS:
        table = model._meta.table_name
        columns = {c.name for c in database.get_columns(table)}
        assert columns == {f.column_name for f in model._meta.sorted_fields}, table


def test_init_twice_changes_nothing(db_url):
    dbmod.bind(db_url)
    first = setup.init_database("เทศบาลทดสอบ", "admin", "secret1")
    second = setup.init_database("เทศบาลอื่น", "admin", "other")
    assert first.applied[0] == "0001_initial" and first.admin_created == "admin"
    assert first.categories_added == 17
    assert (second.applied, second.admin_created, second.categories_added, second.agency_set) == (
        [], None, 0, False)
    from models.accounts import login
    from models.org import get_setting

    assert get_setting("agency_name") == "เทศบาลทดสอบ"
    assert login("admin", "secret1").role == "admin"
