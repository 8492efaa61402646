"""Creating and upgrading a database, and the first administrator."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playhouse.migrations import Runner

from . import audit
from .accounts import SYSTEM, NewUser, create_user
from .db import db
from .org import DEFAULT_CATEGORIES, get_setting
from .schema import Category, Setting, User

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def migration_runner() -> Runner:
    return Runner(db.obj, directory=str(MIGRATIONS_DIR))


def pending_migrations() -> list[str]:
    return [m.name for m in migration_runner().status() if m.path and not m.applied]


def upgrade() -> list[str]:
    """Apply the numbered schema scripts not yet applied; returns their names."""
    return migration_runner().up()


def is_initialised() -> bool:
    return Setting.table_exists() and bool(get_setting("agency_name"))


@dataclass
class InitResult:
    applied: list[str] = field(default_factory=list)
    agency_set: bool = False
    categories_added: int = 0
    admin_created: str | None = None


def init_database(agency: str | None = None, admin: str | None = None,
                  admin_password: str | None = None, admin_name: str | None = None) -> InitResult:
    """Bring the schema up to date, set the agency name, seed the asset categories and
    create the first administrator. Running it again changes nothing that exists."""
    result = InitResult(applied=upgrade())
    with db.atomic():
        if agency and not get_setting("agency_name"):
            Setting.insert(key="agency_name", value=agency.strip()).on_conflict(
                conflict_target=[Setting.key], update={Setting.value: agency.strip()}).execute()
            audit.record(SYSTEM, "setting.change", "setting", "agency_name", {"value": ""},
                         {"value": agency.strip()})
            result.agency_set = True
        if not Category.select().exists():
            Category.insert_many([
                {"code": code, "name": name, "name_en": en, "useful_life_years": life}
                for code, name, en, life in DEFAULT_CATEGORIES
            ]).execute()
            audit.record_many(SYSTEM, [
                audit.Change("category.create", "category", code, None,
                             {"code": code, "name": name, "useful_life_years": life})
                for code, name, _, life in DEFAULT_CATEGORIES
            ])
            result.categories_added = len(DEFAULT_CATEGORIES)
        if admin and not User.select().where(User.username == admin).exists():
            create_user(SYSTEM, NewUser(username=admin, password=admin_password or "", role="admin",
                                        name=admin_name or admin))
            result.admin_created = admin
    return result


def has_admin() -> bool:
    return User.select().where((User.role == "admin") & (User.active == True)).exists()  # noqa: E712
