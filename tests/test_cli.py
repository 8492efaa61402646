"""The command line as a script uses it: options anywhere, one-sentence errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from assets_tui import cli
from assets_tui.cli import cell_width, main
from models import accounts, assets, setup
from models import db as dbmod
from models.errors import AuthenticationError
from models.schema import AuditEvent, User
from tests.conftest import PASSWORD


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    monkeypatch.delenv("ASSETS_TUI_NEW_PASSWORD", raising=False)
    return PASSWORD


@pytest.fixture
def laptop(users, sample_asset):
    return assets.register_asset(users["storekeeper"],
                                 {**sample_asset, "custodian": None, "location": None})


def one_error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("assets-tui: error: ") and "Traceback" not in err
    return lines[0]


# ---- choosing the database ---------------------------------------------------------------

@pytest.mark.parametrize("where", ["before", "after"])
def test_db_option_before_or_after_the_sub_command(laptop, db_url, capsys, where):
    args = ["find", "โน้ตบุ๊ก"]
    argv = ["--db", db_url, *args] if where == "before" else [*args, "--db", db_url]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert laptop.asset_no in out


def test_db_from_the_environment(laptop, db_url, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_DB", db_url)
    assert main(["find", "PF3XK2LM"]) == 0
    assert laptop.asset_no in capsys.readouterr().out


@pytest.mark.parametrize("url", ["sqlite://relative.db", "mysql://x@localhost/db", "nonsense",
                                 "postgresql://localhost"])
def test_malformed_db_url_is_one_sentence_naming_the_option(url, capsys):
    assert main(["--db", url, "find", "x"]) == 1
    line = one_error(capsys)
    assert line.startswith("assets-tui: error: --db: ")


def test_a_missing_database_file_is_not_created_by_a_reading_command(tmp_path, capsys):
    path = tmp_path / "typo.db"
    assert main(["--db", f"sqlite:///{path}", "find", "x"]) == 1
    assert "There is no database at" in one_error(capsys)
    assert not path.exists()


def test_unreachable_postgresql_is_one_sentence(capsys):
    assert main(["--db", "postgresql://nobody@127.0.0.1:1/none", "find", "x"]) == 1
    assert "Cannot open the database" in one_error(capsys)


def test_usage_errors_keep_exit_code_2(capsys):
    assert main(["find"]) == 2
    assert main(["export", "loans-and-more"]) == 2
    assert main(["user", "add", "x", "--role", "staff", "--name", "X"]) == 2   # no --as
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["init"], ["demo"], ["find"], ["import"], ["export"],
                                  ["verify"], ["user"], ["user", "add"], ["user", "list"],
                                  ["user", "deactivate"], ["user", "unlock"], ["loan"],
                                  *[["loan", action] for action in (
                                      "request", "approve", "reject", "cancel", "issue", "return",
                                      "extend", "follow-up", "settle", "refer", "list", "show",
                                      "inbox")],
                                  ["department"], ["department", "add"], ["department", "list"],
                                  ["location"], ["location", "add"], ["location", "list"],
                                  ["category"], ["category", "list"]])
def test_every_help_documents_dates_and_environment(argv, capsys):
    assert main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    for text in ("--db", "2026-12-01", "1/12/2569", "ASSETS_TUI_DB", "ASSETS_TUI_PASSWORD"):
        assert text in out, (argv, text)


def test_import_help_says_dry_run_needs_no_login(capsys):
    assert main(["import", "--help"]) == 0
    assert "no --as needed" in " ".join(capsys.readouterr().out.split())


# ---- init --------------------------------------------------------------------------------

def test_init_twice_is_harmless(db_url, password, capsys):
    assert main(["--db", db_url, "init", "--agency", "เทศบาลนครแม่สอด", "--admin", "admin"]) == 0
    first = capsys.readouterr().out
    assert "agency set to 'เทศบาลนครแม่สอด'" in first and "administrator 'admin' created" in first
    assert "17 asset categories added" in first
    events = AuditEvent.select().count()

    os.environ.pop("ASSETS_TUI_PASSWORD")   # no password needed the second time
    assert main(["init", "--admin", "admin", "--db", db_url]) == 0
    second = capsys.readouterr().out
    assert second.splitlines()[0] == "database is up to date; administrator 'admin' already exists"
    assert AuditEvent.select().count() == events
    assert setup.pending_migrations() == []
    assert accounts.login("admin", PASSWORD).role == "admin"


def test_init_without_an_agency_names_the_option(db_url, password, capsys):
    assert main(["--db", db_url, "init", "--admin", "admin"]) == 1
    assert "--agency" in one_error(capsys)


def test_init_without_a_password_outside_a_terminal_says_how(db_url, monkeypatch, capsys):
    monkeypatch.delenv("ASSETS_TUI_PASSWORD", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert main(["--db", db_url, "init", "--agency", "ท", "--admin", "admin"]) == 1
    assert "ASSETS_TUI_PASSWORD" in one_error(capsys)
    assert not User.table_exists() or not User.select().exists()


def test_init_prompts_twice_in_a_terminal(db_url, monkeypatch, capsys):
    monkeypatch.delenv("ASSETS_TUI_PASSWORD", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(["secret-1", "secret-2"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    assert main(["--db", db_url, "init", "--agency", "ท", "--admin", "admin"]) == 1
    assert "differ" in one_error(capsys)
    answers = iter(["secret-1", "secret-1"])
    assert main(["--db", db_url, "init", "--agency", "ท", "--admin", "admin"]) == 0
    dbmod.bind(db_url)
    assert accounts.login("admin", "secret-1").username == "admin"


def test_weak_admin_password_is_refused_before_anything_is_created(db_url, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", "ab")
    assert main(["--db", db_url, "init", "--agency", "ท", "--admin", "admin"]) == 1
    assert "at least 4 characters" in one_error(capsys)


# ---- the TUI and the demo ------------------------------------------------------------------

@pytest.fixture
def fake_app(monkeypatch):
    """The app module's factory, recorded instead of run (the TUI is tested on its own)."""
    opened = []

    class App:
        def __init__(self, url, lang):
            self.url, self.lang = url, lang

        def run(self):
            opened.append((self.url, self.lang))

    module = types.ModuleType("assets_tui.app")
    module.make_app = lambda db_url, lang="th": App(db_url, lang)
    monkeypatch.setitem(sys.modules, "assets_tui.app", module)
    return opened


def test_tui_opens_on_an_initialised_database(database, db_url, fake_app):
    assert main(["--db", db_url, "--lang", "en"]) == 0
    assert fake_app == [(db_url, "en")]


def test_tui_refuses_an_uninitialised_database_with_the_init_command(db_url, fake_app, capsys):
    assert main(["--db", db_url]) == 1
    assert "assets-tui init" in one_error(capsys)
    assert fake_app == []


def test_demo_flag_builds_the_separate_demo_database_once(tmp_path, monkeypatch, fake_app, capsys):
    demo_url = f"sqlite:///{tmp_path}/demo.db"
    monkeypatch.setattr(dbmod, "demo_db_url", lambda: demo_url)
    monkeypatch.setenv("ASSETS_TUI_DB", f"sqlite:///{tmp_path}/real.db")
    calls = []

    def build_demo(n_assets=300, seed=1, progress=None):
        calls.append((n_assets, seed))
        progress("departments")
        setup.init_database("เทศบาลสาธิต")
        assets.register_asset(accounts.SYSTEM, {
            "name": "โน้ตบุ๊ก", "category": "430", "department": _department().code,
            "acquired_on": "1/1/2567", "price": "1", "funding_source": "เงินงบประมาณ"})
        return "1 asset"

    monkeypatch.setitem(sys.modules, "models.demo", types.SimpleNamespace(build_demo=build_demo))
    assert main(["--demo"]) == 0
    assert main(["--demo"]) == 0
    assert calls == [(300, 1)]
    assert fake_app == [(demo_url, "th"), (demo_url, "th")]
    err = capsys.readouterr().err
    assert "departments" in err and "1 asset" in err
    assert not (tmp_path / "real.db").exists()


def _department():
    from models import org

    return org.add_department(accounts.SYSTEM, "01", "สำนักปลัดเทศบาล")


def test_demo_command_builds_a_small_demo(tmp_path, capsys):
    pytest.importorskip("models.demo")
    url = f"sqlite:///{tmp_path}/demo.db"
    assert main(["demo", "--assets", "30", "--seed", "3", "--db", url]) == 0
    out = capsys.readouterr().out
    assert f"database: {url}" in out
    dbmod.bind(url)
    assert assets.count_assets(assets.AssetFilter()) == 30
    assert main(["demo", "--assets", "30", "--db", url]) == 1   # never over existing data
    one_error(capsys)


# ---- find ----------------------------------------------------------------------------------

def test_find_by_thai_word_and_by_serial(laptop, users, db_url, capsys, sample_asset):
    other = assets.register_asset(users["storekeeper"], {**sample_asset, "name": "โต๊ะทำงานไม้",
                                                         "category": "สำนักงาน", "serial_no": "",
                                                         "brand": "", "model": ""})
    assert main(["--db", db_url, "find", "โน้ตบุ๊ก"]) == 0
    out = capsys.readouterr().out
    assert laptop.asset_no in out and other.asset_no not in out
    header, rule, row = out.splitlines()
    assert header.startswith("รหัสครุภัณฑ์")
    # columns line up by terminal width, Thai vowel and tone marks taking none
    assert cell_width(header.split("รายการ")[0]) == cell_width(row.split("เครื่อง")[0])
    assert "Lenovo ThinkPad E14" in row and "สำนักปลัดเทศบาล" in row and "พร้อมใช้" in row

    assert main(["--db", db_url, "--lang", "en", "find", "pf3xk2lm"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["asset", "no", "name", "brand/model", "department",
                                           "location", "custodian", "status"]
    assert laptop.asset_no in out and "available" in out

    assert main(["--db", db_url, "find", "ไม่มีแน่นอน"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "No asset matches" in captured.err


def test_find_json_and_limit(laptop, users, db_url, capsys, sample_asset):
    for i in range(3):
        assets.register_asset(users["storekeeper"], {**sample_asset, "serial_no": f"X{i}"})
    assert main(["--db", db_url, "find", "lenovo", "--json", "--limit", "2"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 2
    assert list(records[0])[:13] == ["asset_no", "name", "category", "department", "location",
                                     "custodian", "status", "lendable", "acquired_on", "price",
                                     "funding_source", "acquisition_method", "serial_no"]


def test_cell_width_counts_thai_marks_as_zero():
    assert cell_width("ที่") == 1
    assert cell_width("เครื่องคอมพิวเตอร์") == 14
    assert cell_width("abc") == 3


# ---- verify --------------------------------------------------------------------------------

def test_verify_passes_then_detects_an_edited_audit_event(laptop, db_url, capsys):
    assert main(["--db", db_url, "verify"]) == 0
    out = capsys.readouterr().out
    assert out and all(line.startswith("✓ ") for line in out.splitlines())
    event = AuditEvent.select().where(AuditEvent.action == "asset.register").get()
    AuditEvent.update(after=event.after.replace("25900.00", "2590.00")).where(
        AuditEvent.seq == event.seq).execute()
    assert main(["verify", "--db", db_url]) == 1
    captured = capsys.readouterr()
    assert any(line.startswith("✗ ") and str(event.seq) in line for line in captured.out.splitlines())
    assert "checks failed" in captured.err


# ---- users ---------------------------------------------------------------------------------

def test_admin_adds_a_user_who_can_then_log_in(users, db_url, password, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_NEW_PASSWORD", "new-pass-1")
    assert main(["--db", db_url, "user", "add", "keeper2", "--role", "storekeeper",
                 "--name", "นางสาวใหม่ ขยัน", "--department", "04", "--position", "เจ้าพนักงานพัสดุ",
                 "--as", "admin"]) == 0
    assert capsys.readouterr().out == "created user 'keeper2' (storekeeper)\n"
    user = accounts.login("keeper2", "new-pass-1")
    assert user.person.department.code == "04" and user.person.position == "เจ้าพนักงานพัสดุ"

    assert main(["--db", db_url, "user", "list", "--json"]) == 0
    listed = {u["username"]: u for u in json.loads(capsys.readouterr().out)}
    assert listed["keeper2"]["role"] == "storekeeper" and listed["keeper2"]["active"] is True
    assert main(["--db", db_url, "--lang", "en", "user", "list"]) == 0
    assert "keeper2" in capsys.readouterr().out


def test_only_an_admin_manages_users(users, db_url, password, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_NEW_PASSWORD", "new-pass-1")
    before = User.select().count()
    assert main(["--db", db_url, "user", "add", "x1", "--role", "staff", "--name", "X",
                 "--as", "storekeeper"]) == 1
    line = one_error(capsys)
    assert "A storekeeper may not " in line and "only: administrator" in line
    assert User.select().count() == before


def test_bad_department_and_role_are_one_sentence(users, db_url, password, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_NEW_PASSWORD", "new-pass-1")
    assert main(["--db", db_url, "user", "add", "x1", "--role", "staff", "--name", "X",
                 "--department", "99", "--as", "admin"]) == 1
    assert "There is no department '99'." in one_error(capsys)
    assert main(["--db", db_url, "user", "add", "x1", "--role", "boss", "--name", "X",
                 "--as", "admin"]) == 1
    assert "role 'boss' is unknown" in one_error(capsys)


def test_deactivate_activate_and_unlock(users, db_url, password, capsys):
    assert main(["--db", db_url, "user", "deactivate", "staff", "--as", "admin"]) == 0
    assert capsys.readouterr().out == "deactivated user 'staff'\n"
    with pytest.raises(AuthenticationError):
        accounts.login("staff", PASSWORD)
    assert main(["--db", db_url, "user", "activate", "staff", "--as", "admin"]) == 0
    capsys.readouterr()
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            accounts.login("staff", "wrong")
    with pytest.raises(AuthenticationError, match="locked"):
        accounts.login("staff", PASSWORD)
    assert main(["--db", db_url, "user", "unlock", "staff", "--as", "admin"]) == 0
    assert capsys.readouterr().out == "unlocked user 'staff'\n"
    assert accounts.login("staff", PASSWORD).username == "staff"


def test_wrong_password_is_refused_and_changes_nothing(users, db_url, monkeypatch, capsys):
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", "wrong")
    assert main(["--db", db_url, "user", "deactivate", "staff", "--as", "admin"]) == 1
    assert one_error(capsys) == "assets-tui: error: Wrong username or password."
    assert accounts.get_user("staff").active


# ---- the installed command -----------------------------------------------------------------

def test_installed_console_script(tmp_path):
    script = Path(sys.executable).with_name("assets-tui")
    assert script.exists(), "the package is not installed with its console script"
    env = {**os.environ, "ASSETS_TUI_DB": f"sqlite:///{tmp_path}/a.db",
           "ASSETS_TUI_PASSWORD": "admin-pass"}

    def run(*args):
        return subprocess.run([str(script), *args], env=env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)

    done = run("init", "--agency", "เทศบาลนครแม่สอด", "--admin", "admin")
    assert done.returncode == 0, done.stderr
    assert "administrator 'admin' created" in done.stdout
    done = run("export", "assets", "--db", "sqlite://oops")
    assert done.returncode == 1
    assert done.stderr.startswith("assets-tui: error: --db: ") and "Traceback" not in done.stderr


def test_a_failed_init_leaves_no_database_behind(tmp_path, monkeypatch, capsys):
    from assets_tui.cli import main

    target = tmp_path / "new" / "dir" / "assets.db"
    monkeypatch.setenv("ASSETS_TUI_PASSWORD", "x")  # too short
    assert main(["--db", f"sqlite:///{target}", "init", "--agency", "เทศบาลทดสอบ", "--admin", "admin"]) == 1
    assert "at least 4 characters" in capsys.readouterr().err
    assert not target.exists() and not (tmp_path / "new").exists()


def test_a_demo_built_by_an_earlier_version_is_brought_up_to_date(tmp_path, monkeypatch, capsys):
    demo_url = f"sqlite:///{tmp_path}/demo.db"
    monkeypatch.setattr(dbmod, "demo_db_url", lambda: demo_url)
    assert main(["demo", "--assets", "20"]) == 0
    # Make the demo file look as if its newest migration had not run yet.
    database = dbmod.bind(demo_url)
    newest = setup.migration_runner().status()[-1].name
    database.execute_sql("delete from schema_migration where name = ?", (newest,))
    assert setup.pending_migrations() == [newest]
    dbmod.close()
    calls = []
    monkeypatch.setattr(setup, "upgrade", lambda: calls.append("upgrade") or [])
    capsys.readouterr()
    assert main(["--demo", "find", "เครื่อง"]) == 0
    assert calls == ["upgrade"]
    # The same file named as a register of one's own is never upgraded behind one's back.
    capsys.readouterr()
    assert main(["--db", demo_url, "find", "เครื่อง"]) == 1
    assert "needs upgrading" in one_error(capsys) and calls == ["upgrade"]
