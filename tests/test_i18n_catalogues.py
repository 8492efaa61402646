"""The interface's words live in gettext catalogues: English in the source, Thai in the .po.

The committed .mo is what an installed app reads, so it must say what the .po says; the
.pot must be what a fresh ``pybabel extract`` gives; every text must have its Thai, with
the same placeholders as the English, or the Thai screen would show English or fail to
format.
"""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from assets_tui import i18n

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "assets_tui" / "locale"
POT = LOCALE / "assets_tui.pot"
THAI_PO = LOCALE / "th" / "LC_MESSAGES" / "assets_tui.po"
THAI_MO = LOCALE / "th" / "LC_MESSAGES" / "assets_tui.mo"


def read(path: Path):
    with path.open("rb") as file:
        return read_mo(file) if path.suffix == ".mo" else read_po(file)


def texts(catalog) -> dict[tuple[str | None, str], str]:
    """(context, English) -> Thai for every message of a catalogue but its header."""
    return {(message.context, message.id): message.string for message in catalog if message.id}


def placeholders(text: str) -> list[tuple[str, str, str | None]]:
    return sorted((name, spec, conversion)
                  for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None)


@pytest.fixture(scope="module")
def thai():
    return read(THAI_PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """A fresh template, extracted the way the README says."""
    out = tmp_path_factory.mktemp("pot") / "assets_tui.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "--no-default-keywords", "-k", "N_:1c,2", "-o", str(out),
                                str(ROOT)])
    return read(out)


@pytest.fixture
def restore_language():
    i18n.set_language("en")
    yield
    i18n.set_language("th")


def test_the_committed_mo_says_what_the_po_says(thai):
    compiled = io.BytesIO()
    write_mo(compiled, thai)
    compiled.seek(0)
    from_po = texts(read_mo(compiled))
    assert len(from_po) == len(i18n.ENGLISH)
    assert texts(read(THAI_MO)) == from_po


def test_a_fresh_extract_gives_exactly_the_template(extracted):
    fresh = set(texts(extracted))
    assert fresh == set(texts(read(POT)))
    # the texts the app looks up at run time are the ones extracted, key for key
    assert fresh == {(key, text) for key, text in i18n.ENGLISH.items()}


def test_every_text_has_its_thai_and_nothing_else_is_in_the_catalogue(extracted, thai):
    wanted = set(texts(extracted))
    assert set(texts(thai)) == wanted
    untranslated = sorted(message.context for message in thai if message.id and not message.string)
    fuzzy = sorted(message.context for message in thai if message.id and message.fuzzy)
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
    assert not thai.obsolete, list(thai.obsolete)


def test_thai_keeps_the_placeholders_of_the_english(thai):
    differ = {message.context: (message.id, message.string) for message in thai
              if message.id and placeholders(message.string) != placeholders(message.id)}
    assert not differ, differ


def test_the_login_screen_words_in_thai_and_english(restore_language):
    i18n.set_language("th")
    assert i18n.t("bind.login") == "เข้าสู่ระบบ"
    assert i18n.t("login.welcome", name="สมชาย") == "ยินดีต้อนรับ สมชาย"
    assert i18n.t("print.written", pages=1234, path="/tmp/a.pdf") == \
        "บันทึก 1,234 หน้า ไว้ที่ /tmp/a.pdf"
    assert i18n.status_label("on_loan") == "ถูกยืม"
    # the same English word, said differently where it stands
    assert (i18n.t("bind.confirm"), i18n.t("bind.accept")) == ("ยืนยัน", "ยืนยันว่าอ่านแล้ว")
    i18n.set_language("en")
    assert i18n.t("bind.login") == "Log in"
    assert i18n.t("login.welcome", name="Somchai") == "Welcome, Somchai"
    assert i18n.t("print.written", pages=1234, path="/tmp/a.pdf") == \
        "Wrote 1,234 pages to /tmp/a.pdf"
    assert i18n.status_label("on_loan") == "on loan"
    assert (i18n.t("bind.confirm"), i18n.t("bind.accept")) == ("Confirm", "Confirm")


@pytest.mark.parametrize("language", ["th", "en"])
def test_an_unknown_key_shows_as_itself(restore_language, language):
    i18n.set_language(language)
    assert not i18n.has("login.no_such_text")
    assert i18n.t("login.no_such_text") == "login.no_such_text"
    assert i18n.status_label("no_such_status") == "no_such_status"
