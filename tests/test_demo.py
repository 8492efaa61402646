"""The demo municipality: complete, plausible, repeatable, on the audit chain, and never
built over a real register."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from models import accounts, audit, demo, integrity, loans, setup
from models import db as dbmod
from models.errors import AuthenticationError, ValidationError
from models.org import get_setting
from models.schema import (
    Asset,
    AuditEvent,
    Category,
    DamageCase,
    Department,
    Loan,
    LoanItem,
    Location,
    Person,
    Setting,
    User,
)
from models.values import BE_OFFSET, fiscal_year_bounds, fiscal_year_of, parse_thai_id

N = 300
NUMBER = re.compile(r"^(\d{3})-(\d{2})-(\d{4})$")


@pytest.fixture
def built(db_url):
    dbmod.bind(db_url)
    return demo.build_demo(N, seed=1)


def fresh_database(db_url: str, tmp_path, name: str) -> str:
    """Another empty database on the same backend, bound."""
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/{name}.db"
    else:
        import psycopg

        dbmod.close()
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("drop schema if exists public cascade")
            conn.execute("create schema public")
        url = db_url
    dbmod.bind(url)
    return url


def _without_times(text: str):
    """An audit event's values without the moments they record (they follow the clock)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not k.endswith("_at")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(json.loads(text)) if text else text


def loan_register() -> list[tuple]:
    """The demo's loans: who borrowed what, why and how it went; days counted from today."""
    today = dt.date.today()
    rows = []
    for loan in Loan.select().order_by(Loan.loan_no):
        items = [(i.asset.asset_no, i.returned_condition, i.return_note) for i in loans.loan_items(loan)]
        rows.append((loan.loan_no, loan.kind, loan.place, loan.borrower.name, loan.borrower.organisation,
                     loan.department.code, loan.purpose, loan.status, loan.requested_by.username,
                     loan.decided_by.username if loan.decided_by_id else None, loan.decision_note,
                     (loan.start_on - today).days, (loan.due_on - today).days, items))
    return rows


def register() -> dict[str, list[tuple]]:
    """Everything the demo drew, without timestamps and password hashes."""
    assets = [(a.asset_no, a.name, a.description, a.brand, a.model, a.serial_no, a.category.code,
               a.department.code, a.location.code if a.location_id else None,
               a.custodian.name if a.custodian_id else None, a.lendable, a.acquired_on, a.price,
               a.unit, a.funding_source, a.acquisition_method, a.supplier, a.document_no, a.remarks)
              for a in Asset.select().order_by(Asset.asset_no)]
    people = [(p.name, p.position, p.department.code if p.department_id else None, p.phone,
               p.external, p.organisation, p.address, p.thai_id)
              for p in Person.select().order_by(Person.id)]
    users = [(u.username, u.role, u.person.name) for u in User.select().order_by(User.id)]
    events = [(e.seq, e.actor, e.action, e.entity, e.entity_id, _without_times(e.before),
               _without_times(e.after)) for e in AuditEvent.select().order_by(AuditEvent.seq)]
    return {"assets": assets, "people": people, "users": users, "events": events,
            "loans": loan_register()}


def thai_id_is_valid(number: str) -> bool:
    if not re.fullmatch(r"\d{13}", number) or number[0] == "0":
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(number[:12]))
    return (11 - total % 11) % 10 == int(number[12])


# ---- the organisation --------------------------------------------------------------------

def test_the_agency_and_its_divisions_each_have_a_head(built):
    assert get_setting("agency_name") == "เทศบาลนครแม่สอด"
    depts = {d.name: d for d in Department.select()}
    for name in ("สำนักปลัดเทศบาล", "กองคลัง", "กองยุทธศาสตร์และงบประมาณ", "กองการเจ้าหน้าที่",
                 "กองช่าง", "กองการศึกษา", "กองสาธารณสุขและสิ่งแวดล้อม", "กองสวัสดิการสังคม",
                 "ฝ่ายนิติการ", "ฝ่ายวิเทศสัมพันธ์"):
        assert name in depts, name
    bureau = depts["สำนักปลัดเทศบาล"]
    assert depts["ฝ่ายนิติการ"].parent_id == bureau.id
    assert depts["ฝ่ายวิเทศสัมพันธ์"].parent_id == bureau.id
    assert all(d.code for d in depts.values())
    heads = defaultdict(list)
    for user in User.select().where(User.role == "dept_head"):
        heads[user.person.department_id].append(user.person)
    for dept in depts.values():
        assert heads[dept.id], f"{dept.name} has no head"
    assert heads[depts["กองคลัง"].id][0].position == "ผู้อำนวยการกองคลัง"
    assert Category.select().count() == 17
    # every room belongs to a division
    assert Location.select().count() >= 20
    assert not Location.select().where(Location.department.is_null()).exists()
    assert Location.get(Location.name.contains("ห้องประชุมสภา")).department.name == "สำนักปลัดเทศบาล"


def test_the_demo_accounts_have_their_roles_and_log_in_with_demo(built):
    users = {u.username: u for u in User.select()}
    expected = {"admin": "admin", "storekeeper": "storekeeper", "head": "dept_head",
                "head2": "dept_head", "mayor": "agency_head", "auditor": "auditor",
                "staff": "staff", "staff2": "staff", "inspector1": "staff",
                "inspector2": "staff", "inspector3": "staff"}
    for username, role in expected.items():
        assert users[username].role == role, username
        assert users[username].active
    dept = {name: u.person.department for name, u in users.items()}
    assert dept["head"].name == "สำนักปลัดเทศบาล"
    assert dept["head2"].name == "กองคลัง"
    assert dept["storekeeper"].name == "กองคลัง"
    assert dept["staff"].name == dept["staff2"].name == "สำนักปลัดเทศบาล"
    assert users["mayor"].person.position == "นายกเทศมนตรีนครแม่สอด"
    inspectors = [users[f"inspector{i}"] for i in (1, 2, 3)]
    assert len({u.person.department_id for u in inspectors}) == 3
    assert all(u.person.department.name != "กองคลัง" for u in inspectors)  # not supply officers
    assert sum(u.role == "dept_head" for u in users.values()) == Department.select().count()
    # all share one hash of the password "demo"; argon2 is slow, so two logins suffice
    assert len({u.password_hash for u in users.values()}) == 1
    assert accounts.login("storekeeper", "demo").role == "storekeeper"
    assert accounts.login("head", "demo").role == "dept_head"
    with pytest.raises(AuthenticationError):
        accounts.login("mayor", "wrong")


def test_outside_borrowers_have_valid_thai_ids_and_mae_sot_addresses(built):
    outsiders = list(Person.select().where(Person.external == True))  # noqa: E712
    assert len(outsiders) >= 10
    for person in outsiders:
        assert thai_id_is_valid(person.thai_id), (person.name, person.thai_id)
        assert parse_thai_id(person.thai_id) == person.thai_id  # the loan desk accepts it
        assert "แม่สอด" in person.address and "จังหวัดตาก" in person.address
        assert re.fullmatch(r"0\d{2}-\d{3}-\d{4}", person.phone)
        assert person.department_id is None
    assert all(p.organisation for p in outsiders)
    assert len({p.name for p in Person.select()}) == Person.select().count()  # names are unique


def test_thai_id_check_digit_follows_the_published_rule():
    # 1*13 + 1*12 + 0*11 + 1*10 + 7*9 + 0*8 + 0*7 + 2*6 + 3*5 + 0*4 + 7*3 + 0*2 = 146;
    # 146 % 11 = 3; 11 - 3 = 8
    assert demo.thai_id_check_digit("110170023070") == 8
    assert thai_id_is_valid("1101700230708") and not thai_id_is_valid("1101700230705")
    assert demo.thai_id_check_digit("010000000000") == 0  # 11 - 1 = 10 -> 0
    assert demo.thai_id_check_digit("000000000000") == 1  # 11 - 0 = 11 -> 1


# ---- the register ------------------------------------------------------------------------

def test_the_register_has_n_assets_numbered_by_the_products_rule(built):
    assets = list(Asset.select(Asset, Category).join(Category))
    assert len(assets) == N == built.assets
    numbers = [a.asset_no for a in assets]
    assert len(set(numbers)) == N
    by_prefix = defaultdict(list)
    for a in assets:
        m = NUMBER.match(a.asset_no)
        assert m, a.asset_no
        assert m[1] == a.category.code
        assert int(m[2]) == (a.acquired_on.year + BE_OFFSET) % 100
        by_prefix[m[1], m[2]].append((int(m[3]), a.acquired_on))
    for items in by_prefix.values():  # running numbers from 1, in order of acquisition
        items.sort()
        assert [seq for seq, _ in items] == list(range(1, len(items) + 1))
        assert [day for _, day in items] == sorted(day for _, day in items)


def test_prices_dates_and_acquisitions_are_plausible(built):
    today = dt.date.today()
    first_day, _ = fiscal_year_bounds(fiscal_year_of(demo.ANCHOR) - demo.FISCAL_YEARS + 1)
    methods = set()
    for a in Asset.select():
        assert isinstance(a.price, Decimal) and a.price.as_tuple().exponent == -2, a.price
        assert a.price > 0
        assert first_day <= a.acquired_on <= min(demo.ANCHOR, today)
        assert a.funding_source in ("budget", "subsidy", "off_budget", "donation")
        assert a.acquisition_method
        assert (a.acquisition_method == "รับบริจาค") == (a.funding_source == "donation")
        assert a.supplier and a.document_no and a.unit
        methods.add(a.acquisition_method)
    assert len(methods) >= 3
    years = {fiscal_year_of(a.acquired_on) for a in Asset.select(Asset.acquired_on)}
    assert len(years) >= 8  # spread over the ten fiscal years


def test_departments_rooms_and_custodians_agree(built):
    for a in Asset.select():
        if a.location_id:
            assert a.location.department_id == a.department_id, a.asset_no
        if a.custodian_id:
            assert a.custodian.department_id == a.department_id, a.asset_no
            assert not a.custodian.external
    lendable = Asset.select().where(Asset.lendable == True).count()  # noqa: E712
    assert 0.1 * N < lendable < 0.6 * N
    tents = Asset.select().where(Asset.name.contains("เต็นท์"))
    assert all(t.lendable for t in tents)
    assert not Asset.select().where(Asset.name.startswith("เครื่องคอมพิวเตอร์ สำหรับ")
                                    & (Asset.lendable == True)).exists()  # noqa: E712


def test_every_write_is_on_the_audit_chain(built):
    assert audit.verify_chain() == (built.audit_events, [])
    registered = AuditEvent.select().where((AuditEvent.action == "asset.register")
                                           & (AuditEvent.entity == "asset")).count()
    assert registered == N
    people = AuditEvent.select().where(AuditEvent.action == "person.create").count()
    assert people + User.select().count() == Person.select().count()
    assert AuditEvent.select().where(AuditEvent.action == "department.create").count() == \
        Department.select().count()
    assert integrity.verify().ok, [c for c in integrity.verify().checks if not c.ok]


def test_progress_is_reported(db_url):
    dbmod.bind(db_url)
    said: list[str] = []
    summary = demo.build_demo(40, seed=3, progress=said.append)
    assert "Registered 40 of 40 assets" in said
    assert said[-1].startswith("Lending assets over the past 60 days")
    assert "40 assets" in str(summary) and "เทศบาลนครแม่สอด" in str(summary)
    assert f"{summary.loans} loans" in str(summary)
    assert "\n" not in str(summary)


# ---- the loan register -------------------------------------------------------------------

def local_day(moment: dt.datetime) -> dt.date:
    return moment.replace(tzinfo=dt.UTC).astimezone().date()


def test_the_demo_shows_loans_in_every_state(built):
    today = dt.date.today()
    assert 25 <= built.loans == Loan.select().count() <= 40
    assert f"{built.loans} loans" in str(built)
    by_status = defaultdict(list)
    for loan in Loan.select():
        by_status[loan.status].append(loan)
    assert set(by_status) == {"requested", "approved", "active", "returned", "rejected", "cancelled"}
    assert any(loan.start_on >= today for loan in by_status["approved"])  # reservations ahead
    assert any(loan.due_on >= today for loan in by_status["active"])
    partly = [loan for loan in by_status["active"]
              if {i.returned_at is None for i in loans.loan_items(loan)} == {True, False}]
    assert partly, "no loan is partly returned"
    overdue = loans.overdue_loans(today)
    assert any(o.last_follow_up is not None and o.last_follow_up.on_date > o.loan.due_on
               for o in overdue)
    assert any(o.follow_up_late and o.days_overdue > 7 for o in overdue)
    cases = list(DamageCase.select())
    assert any(c.condition == "damaged" and c.status == "open" and not c.referred for c in cases)
    assert any(c.status == "settled" and c.settlement == "paid" and c.amount > 0 for c in cases)
    assert any(c.condition == "lost" and c.status == "open" and c.referred for c in cases)
    assert integrity.verify().ok, [c for c in integrity.verify().checks if not c.ok]


def test_every_approver_has_requests_waiting(built):
    users = {u.username: u for u in User.select()}
    mayor = loans.approvals_inbox(users["mayor"])
    assert mayor and {loan.kind for loan in mayor} <= {"outside", "agency"}
    assert {loan.kind for loan in mayor} == {"outside", "agency"}
    head = loans.approvals_inbox(users["head"])
    assert head and all(loan.kind == "inside" and loan.department.code.startswith("01") for loan in head)
    assert loans.approvals_inbox(users["head2"])  # the head of กองคลัง heads the supply unit
    assert get_setting("supply_head") == "head2"
    assert not loans.approvals_inbox(users["staff"])


def test_loans_were_made_by_the_right_people_through_the_loan_desk(built):
    today = dt.date.today()
    heads = {u.person.department_id: u.username for u in User.select().where(User.role == "dept_head")}
    agencies = {org for org, _, _ in demo._OUTSIDE} & demo._STATE_AGENCIES
    for loan in Loan.select():
        requester, borrower = loan.requested_by, loan.borrower
        if borrower.external:  # entered at the desk for an outside borrower, with a valid ID
            assert requester.username == "storekeeper"
            assert thai_id_is_valid(borrower.thai_id)
            assert (loan.kind == "agency") == (borrower.organisation in agencies), loan.loan_no
        else:  # staff ask for themselves
            assert requester.role == "staff" and requester.person_id == borrower.id
            assert loan.kind == loan.place
        if loan.decided_by_id:
            expected = heads[loan.department_id] if loan.kind == "inside" else "mayor"
            assert loan.decided_by.username == expected, loan.loan_no
        assert loan.purpose
        requested = local_day(loan.requested_at)
        assert today - dt.timedelta(days=demo.LOAN_DAYS) <= requested <= loan.start_on <= loan.due_on
        items = loans.loan_items(loan)
        assert items and all(i.asset.lendable and i.asset.category.code != "418" for i in items)
        assert len({i.asset.department_id for i in items}) == 1
        for item in items:  # moments agree with the days the loan register shows
            if item.issued_at:
                assert local_day(item.issued_at) == loan.issued_on
            if loan.status == "returned":
                assert local_day(item.returned_at) <= loan.returned_on <= today
        history = audit.history("loan", loan.loan_no)
        assert history[0].action == "loan.request" and history[0].actor == requester.username
        desk = {e.actor for e in history if e.action in ("loan.issue", "loan.return")}
        assert desk <= {"storekeeper"}
    out = LoanItem.select().where(LoanItem.out_flag == 1).count()
    assert Asset.select().where(Asset.status == "on_loan").count() == out > 0


@pytest.mark.parametrize("n_assets", [0, 25])
def test_a_tiny_demo_lends_what_it_has(db_url, n_assets):
    dbmod.bind(db_url)
    summary = demo.build_demo(n_assets, seed=5)
    assert summary.loans == Loan.select().count()
    assert integrity.verify().ok


# ---- repeatable ----------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_register(db_url, tmp_path):
    dbmod.bind(db_url)
    demo.build_demo(120, seed=7)
    first = register()
    fresh_database(db_url, tmp_path, "again")
    demo.build_demo(120, seed=7)
    second = register()
    assert len(first["assets"]) == 120
    assert len(first["loans"]) >= 15
    for part in ("assets", "people", "users", "events", "loans"):
        assert first[part] == second[part], part


def test_another_seed_gives_another_register(db_url, tmp_path):
    dbmod.bind(db_url)
    demo.build_demo(120, seed=1)
    first = register()
    fresh_database(db_url, tmp_path, "other")
    demo.build_demo(120, seed=2)
    second = register()
    assert first["people"] != second["people"]
    assert [a[1:] for a in first["assets"]] != [a[1:] for a in second["assets"]]
    assert {a[11] for a in first["assets"]} != {a[11] for a in second["assets"]}  # dates


# ---- never over a real register -----------------------------------------------------------

def counts() -> tuple:
    return (Asset.select().count(), User.select().count(), Person.select().count(),
            Department.select().count(), AuditEvent.select().count(),
            list(Setting.select().order_by(Setting.key).tuples()))


def test_a_database_with_an_account_is_refused_and_left_alone(db_url, password_hash):
    dbmod.bind(db_url)
    setup.init_database("เทศบาลตำบลตัวอย่าง")
    accounts.create_user(accounts.SYSTEM, accounts.NewUser("somchai", "", "admin", "สมชาย ใจดี"),
                         password_hash=password_hash)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        demo.build_demo(10)
    assert refused.value.field == "--db"
    assert "1 accounts" in str(refused.value) and "\n" not in str(refused.value)
    assert counts() == before
    assert get_setting("agency_name") == "เทศบาลตำบลตัวอย่าง"
    assert audit.verify_chain()[1] == []


def test_a_built_demo_is_not_built_twice(built):
    before = counts()
    with pytest.raises(ValidationError, match="already holds a register"):
        demo.build_demo(N, seed=1)
    assert counts() == before


def test_an_initialised_but_empty_database_becomes_the_demo(db_url):
    dbmod.bind(db_url)
    setup.init_database("ชื่อชั่วคราว")
    summary = demo.build_demo(20)
    assert summary.assets == 20
    assert get_setting("agency_name") == "เทศบาลนครแม่สอด"
    assert audit.verify_chain()[1] == []


@pytest.mark.parametrize("n_assets", [-1, 1.5, "10", True, demo.MAX_ASSETS + 1])
def test_a_bad_number_of_assets_is_refused(db_url, n_assets):
    dbmod.bind(db_url)
    with pytest.raises(ValidationError) as refused:
        demo.build_demo(n_assets)
    assert refused.value.field == "--assets"
