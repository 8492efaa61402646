"""The asset-use guideline: publish, sign-off, acknowledgement and the report by department."""

from __future__ import annotations

import datetime as dt

import pytest

from models import accounts, audit, guideline
from models.errors import NotFound, PermissionDenied, ValidationError
from models.schema import GuidelineAcknowledgement

TEXT = "ข้อ ๑ ห้ามนำทรัพย์สินของราชการไปใช้ประโยชน์ส่วนตน\nข้อ ๒ การยืมต้องทำเป็นหนังสือ"


def _actions(number: int) -> list[str]:
    return [e.action for e in audit.history("guideline", number)]


def test_publish_signoff_acknowledge_and_report(users):
    admin, head, staff = users["admin"], users["agency_head"], users["staff"]
    draft = guideline.publish_version(admin, 1, TEXT, "1/10/2569", text_en="Rule 1: no private use.")
    assert draft.effective_on == dt.date(2026, 10, 1)
    # A draft binds nobody.
    assert guideline.current_version() is None
    assert guideline.needs_acknowledgement(staff) is None
    with pytest.raises(ValidationError, match="not signed off"):
        guideline.acknowledge(staff, draft)

    signed = guideline.sign_off(head, 1)
    assert signed.signed_off_by_id == head.id and signed.signed_off_at is not None
    assert guideline.current_version().number == 1
    assert guideline.status_label(signed) == "current"

    assert guideline.needs_acknowledgement(staff).number == 1
    first = guideline.acknowledge(staff, signed)
    assert guideline.needs_acknowledgement(staff) is None
    again = guideline.acknowledge(staff, 1)  # harmless the second time
    assert again.id == first.id
    assert GuidelineAcknowledgement.select().count() == 1
    assert _actions(1) == ["guideline.publish", "guideline.signoff", "guideline.acknowledge"]

    report = guideline.acknowledgement_report(admin)
    assert report.version.number == 1
    assert (report.acknowledged, report.pending) == (1, 5)
    by_code = {d.code: d for d in report.departments}
    assert [s.username for s in by_code["01"].acknowledged] == ["staff"]
    assert [s.username for s in by_code["01"].pending] == ["dept_head"]
    # Accounts with no department come last, all still pending.
    assert report.departments[-1].code == "" and report.departments[-1].acknowledged == []
    assert {s.username for s in report.departments[-1].pending} == {
        "admin", "storekeeper", "agency_head", "auditor"}
    data = report.as_dict()
    assert data["acknowledged"] == 1 and data["departments"][0]["code"] == "01"


def test_a_new_version_asks_everyone_again(users):
    admin, head, staff = users["admin"], users["agency_head"], users["staff"]
    guideline.publish_version(admin, 1, TEXT, "1/10/2568")
    guideline.sign_off(head, 1)
    guideline.acknowledge(staff, 1)
    guideline.publish_version(admin, 2, TEXT + "\nข้อ ๓ คืนตามกำหนด", "1/10/2568")
    # Version 2 is only a draft: version 1 stays current and acknowledged.
    assert guideline.needs_acknowledgement(staff) is None
    guideline.sign_off(head, 2)
    assert guideline.needs_acknowledgement(staff).number == 2
    with pytest.raises(ValidationError, match="replaced by version 2"):
        guideline.acknowledge(users["auditor"], 1)
    assert guideline.acknowledgement_report(head, 1).acknowledged == 1
    assert guideline.acknowledgement_report(head).acknowledged == 0
    assert guideline.status_label(guideline.get_version(1)) == "superseded"


def test_a_version_in_effect_later_is_not_current_yet(users):
    admin, head = users["admin"], users["agency_head"]
    guideline.publish_version(admin, 1, TEXT, "1/10/2569")
    guideline.sign_off(head, 1)
    assert guideline.current_version(today=dt.date(2026, 9, 30)) is None
    assert guideline.needs_acknowledgement(users["staff"], today=dt.date(2026, 9, 30)) is None
    assert guideline.current_version(today=dt.date(2026, 10, 1)).number == 1


def test_redrafting_and_what_cannot_change(users):
    admin, head = users["admin"], users["agency_head"]
    guideline.publish_version(admin, 1, "ร่างแรก", "1/10/2568")
    revised = guideline.publish_version(admin, 1, TEXT, "1/10/2568")
    assert revised.text_th == TEXT
    assert _actions(1) == ["guideline.publish", "guideline.revise"]
    guideline.sign_off(head, 1)
    with pytest.raises(ValidationError, match="signed off and cannot change") as err:
        guideline.publish_version(admin, 1, "แก้ไข")
    assert err.value.field == "version"
    with pytest.raises(ValidationError, match="already signed off"):
        guideline.sign_off(head, 1)


def test_bad_input_names_the_field(users):
    admin = users["admin"]
    for number, text, effective, field, words in (
            ("two", TEXT, None, "version", "not a whole number"),
            (0, TEXT, None, "version", "1 or more"),
            (1, "   ", None, "text_th", "Thai text"),
            (1, TEXT, "31/2/2569", "effective_on", "does not exist"),
    ):
        with pytest.raises(ValidationError, match=words) as err:
            guideline.publish_version(admin, number, text, effective)
        assert err.value.field == field
    with pytest.raises(NotFound, match="no version 7"):
        guideline.sign_off(users["agency_head"], 7)


def test_permissions(users):
    guideline.publish_version(users["admin"], 1, TEXT, "1/10/2568")
    with pytest.raises(PermissionDenied, match="may not publish the asset-use guideline"):
        guideline.publish_version(users["staff"], 2, TEXT)
    with pytest.raises(PermissionDenied, match="may not sign off"):
        guideline.sign_off(users["admin"], 1)
    with pytest.raises(PermissionDenied, match="may not see who has acknowledged"):
        guideline.acknowledgement_report(users["staff"], 1)
    guideline.sign_off(users["agency_head"], 1)
    # A deactivated account is asked nothing and cannot acknowledge.
    accounts.set_active(users["admin"], "auditor", False)
    auditor = accounts.get_user("auditor")
    assert guideline.needs_acknowledgement(auditor) is None
    with pytest.raises(PermissionDenied, match="deactivated"):
        guideline.acknowledge(auditor, 1)
    report = guideline.acknowledgement_report(users["admin"])
    assert "auditor" not in {s.username for d in report.departments for s in d.pending}


def test_an_older_draft_cannot_be_signed_after_a_newer_version(users):
    admin, head = users["admin"], users["agency_head"]
    guideline.publish_version(admin, 1, TEXT, "1/10/2568")
    guideline.publish_version(admin, 2, TEXT, "1/10/2568")
    guideline.sign_off(head, 2)
    with pytest.raises(ValidationError, match="older than version 2"):
        guideline.sign_off(head, 1)
    # The old draft can no longer be redrafted either.
    with pytest.raises(ValidationError, match="must be above 2"):
        guideline.publish_version(admin, 1, TEXT)


# ---- from the command line -----------------------------------------------------------------

def test_the_guideline_from_the_command_line(users, db_url, tmp_path, monkeypatch, capsys):
    import json

    from assets_tui.cli import main
    from tests.conftest import PASSWORD

    monkeypatch.setenv("ASSETS_TUI_PASSWORD", PASSWORD)
    text = tmp_path / "guideline.txt"
    text.write_text(TEXT, encoding="utf-8")

    def run(*argv) -> tuple[int, str, str]:
        code = main(["--db", db_url, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, err = run("guideline", "publish", "--version", "1", "--file", str(text), "--as", "staff")
    assert code == 1 and "may not publish the asset-use guideline" in err
    code, out, _ = run("guideline", "publish", "--version", "1", "--file", str(text),
                       "--effective", "1/10/2568", "--as", "admin")
    assert code == 0 and "waiting for the agency head's sign-off" in out
    code, _, err = run("guideline", "show")
    assert code == 1 and "version 1 is still a draft" in err
    assert run("guideline", "signoff", "1", "--as", "agency_head")[0] == 0
    code, out, _ = run("guideline", "show", "--json")
    shown = json.loads(out)
    assert (shown["number"], shown["status"], shown["signed_off_by"]) == (1, "current", "agency_head")
    assert shown["text_th"] == TEXT
    code, out, _ = run("guideline", "acknowledge", "--as", "staff")
    assert code == 0 and "staff has read guideline version 1" in out
    assert run("guideline", "acknowledge", "--as", "staff")[0] == 0  # harmless again
    assert GuidelineAcknowledgement.select().count() == 1
    code, _, err = run("guideline", "report", "--as", "staff")
    assert code == 1 and "may not see who has acknowledged" in err
    code, out, _ = run("guideline", "report", "--json", "--as", "dept_head")
    report = json.loads(out)
    assert (report["acknowledged"], report["pending"]) == (1, 5)
    assert report["departments"][0]["pending"][0]["username"] == "dept_head"
    code, out, _ = run("guideline", "report", "--as", "admin")
    assert code == 0 and "1 acknowledged, 5 pending" in out and "01 สำนักปลัดเทศบาล" in out
