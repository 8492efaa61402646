"""How many labels the print screen says it will print: the same labels printing makes, and
counted by the database (the assets of a department, location or category are not read one
by one), so the figure comes at once on a register of a hundred thousand assets."""

from __future__ import annotations

import logging
from math import ceil
from pathlib import Path

import pytest

from forms import documents, labels
from models import db as dbmod
from models.errors import DomainError
from models.schema import Asset
from tests.test_tui import build_database, quick_hash


@pytest.fixture
def register(tmp_path: Path):
    """The test agency with 30 more desks in กองคลัง (04), one of them disposed of."""
    build_database(f"sqlite:///{tmp_path}/labels.db", quick_hash(), extra_assets=30)
    gone = Asset.select().where(Asset.serial_no == "SN00007").get()
    Asset.update(status="disposed").where(Asset.id == gone.id).execute()
    yield
    dbmod.close()


class Statements(logging.Handler):
    """The SQL statements the database is sent while it is installed on peewee's logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple):
            self.sql.append(str(record.msg[0]))

    def __enter__(self) -> Statements:
        logger = logging.getLogger("peewee")
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        logger = logging.getLogger("peewee")
        logger.removeHandler(self)
        logger.setLevel(self._level)


def test_the_preview_counts_the_labels_a_department_prints(register):
    template = labels.get_template(None)
    printed = sum(1 for _ in labels.select_assets(department="04"))
    assert printed == 30  # 31 desks, less the one disposed of

    preview = documents.preview("labels", documents.Choice(department="04"))
    assert (preview.count, preview.unit) == (30, "labels")
    assert preview.pages == ceil(30 / template.per_sheet)

    later = documents.preview("labels", documents.Choice(department="04", start_at=template.per_sheet))
    assert later.pages == ceil((template.per_sheet - 1 + 30) / template.per_sheet)
    assert documents.preview("labels", documents.Choice(department="01")).count == 1
    assert documents.preview("labels", documents.Choice(department="01", category="416")).count == 0


def test_the_preview_counts_in_the_database_without_reading_the_assets(register):
    with Statements() as statements:
        assert documents.preview("labels", documents.Choice(department="04", category="416")).count == 30
    on_assets = [sql for sql in statements.sql if 'FROM "asset"' in sql]
    assert on_assets and all(sql.startswith("SELECT COUNT(") for sql in on_assets), statements.sql


def test_named_assets_are_counted_and_checked_as_printing_checks_them(register):
    numbers = [a.asset_no for a in Asset.select().where(Asset.status != "disposed").limit(3)]
    assert documents.preview("labels", documents.Choice(assets=numbers)).count == 3
    gone = Asset.get(Asset.status == "disposed").asset_no
    with pytest.raises(DomainError, match="disposed"):
        documents.preview("labels", documents.Choice(assets=[*numbers, gone]))


@pytest.mark.parametrize(("choice", "refusal"), [
    (documents.Choice(department="99"), "There is no department '99'."),
    (documents.Choice(location="NOWHERE"), "There is no location 'NOWHERE'."),
    (documents.Choice(department="04", category="999"), "There is no category '999'."),
])
def test_an_unknown_department_location_or_category_is_refused_as_printing_refuses_it(
        register, choice, refusal):
    with pytest.raises(DomainError) as printing:
        list(labels.select_assets(department=choice.department, location=choice.location,
                                  category=choice.category))
    with pytest.raises(DomainError) as previewing:
        documents.preview("labels", choice)
    assert str(previewing.value) == str(printing.value) == refusal
