"""The domain's refusals read in Thai in the Thai interface: real refusals, raised by the
rules themselves, come out as Thai sentences with their numbers and dates kept; the English
interface and the command line keep the domain's English; a sentence the catalogue lacks is
shown as written rather than lost."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from assets_tui import i18n
from assets_tui.domain_th import CATALOGUE, error_text, in_thai
from models import accounts, assets, loans
from models.errors import DomainError
from models.values import clean_text, parse_date, parse_money

THAI = re.compile(r"[\u0e00-\u0e7f]")
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")  # a lower-case English word left untranslated


@pytest.fixture
def thai():
    i18n.set_language("th")
    yield
    i18n.set_language("th")


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value


def test_every_pattern_compiles_and_names_only_known_parts():
    for pattern, wording in CATALOGUE:
        names = set(re.compile(pattern).groupindex)
        assert set(re.findall(r"{(\w+)}", wording)) <= names, pattern


def test_real_refusals_read_in_thai(users, sample_asset, thai):
    keeper, auditor, staff = users["storekeeper"], users["auditor"], users["staff"]
    laptop = assets.register_asset(keeper, sample_asset)
    today = dt.date.today()
    ask = loans.LoanRequest(assets=[laptop.asset_no], purpose="ประชุม", place="inside",
                            start_on=today, due_on=today + dt.timedelta(days=2))
    cases = [
        refusal(lambda: accounts.login("storekeeper", "wrong")),
        refusal(lambda: assets.register_asset(auditor, sample_asset)),
        refusal(lambda: loans.request_loan(staff, loans.LoanRequest(**{**vars(ask), "purpose": ""}))),
        refusal(lambda: loans.request_loan(staff, loans.LoanRequest(
            **{**vars(ask), "start_on": today - dt.timedelta(days=3)}))),
        refusal(lambda: loans.request_loan(staff, loans.LoanRequest(
            **{**vars(ask), "assets": ["999-99-9999"]}))),
        refusal(lambda: parse_date("30/2/2569", "acquired_on", "acquisition date")),
        refusal(lambda: parse_money("12,3x", "price")),
        refusal(lambda: clean_text("ประชุม\u202e", "purpose", "purpose")),
        refusal(lambda: assets.register_asset(keeper, {**sample_asset, "asset_no": "ก-0001"})),
    ]
    loan = loans.request_loan(staff, ask)
    cases.append(refusal(lambda: loans.issue_items(keeper, loan.loan_no)))  # not yet approved
    cases.append(refusal(lambda: loans.approve_loan(staff, loan.loan_no)))  # own request
    for error in cases:
        thai_text = error_text(error)
        assert thai_text != error.message and THAI.search(thai_text), error.message
        assert not ENGLISH_WORD.search(thai_text), (error.message, thai_text)
    # numbers and dates survive translation
    assert "999-99-9999" in error_text(cases[4]) and "30/2/2569" in error_text(cases[5])


def test_english_and_unknown_sentences_stay_as_written(thai):
    assert in_thai("A sentence nobody has translated yet.") == "A sentence nobody has translated yet."
    i18n.set_language("en")
    assert error_text(DomainError("Wrong username or password.")) == "Wrong username or password."
    i18n.set_language("th")
    assert error_text(DomainError("Wrong username or password.")) == "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
