"""Sending documents to a CUPS printer with ``--printer``: the PDF reaches ``lp`` with the
printer's name, nothing is left on disk when no -o was given, and a computer without CUPS
or a printer that refuses the job gets one clear sentence."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assets_tui.cli import main
from models import assets
from tests.pdf_checks import decode_code128, page_text, rasterise
from tests.test_cli import one_error


def _fake_lp(folder: Path, script: str) -> Path:
    """An ``lp`` on PATH that runs ``script`` (sh), with its arguments in $@."""
    folder.mkdir(exist_ok=True)
    lp = folder / "lp"
    lp.write_text("#!/bin/sh\n" + script)
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    return lp


@pytest.fixture
def laptop(users, sample_asset):
    return assets.register_asset(users["storekeeper"], sample_asset)


@pytest.fixture
def spool(tmp_path, monkeypatch):
    """A printer that keeps a copy of each job it is sent, and says its job id."""
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    _fake_lp(tmp_path / "bin", f'echo "$@" > {jobs}/args\ncp "$4" {jobs}/job.pdf\n'
                               'echo "request id is office-laser-17 (1 file(s))"\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return jobs


def test_labels_go_to_the_named_printer_and_leave_nothing_behind(laptop, db_url, spool, tmp_path,
                                                                  capsys):
    assert main(["print", "labels", "--db", db_url, "--asset", laptop.asset_no,
                 "--template", "roll-50x25", "--printer", "office-laser"]) == 0
    out = capsys.readouterr().out
    assert "sent to the printer office-laser: request id is office-laser-17" in out
    args = (spool / "args").read_text().split()
    assert args[:3] == ["-d", "office-laser", "--"]
    # the printer got the labels, and they scan
    assert decode_code128(rasterise(spool / "job.pdf", 0, 300)) == [laptop.asset_no]
    # no -o: the temporary PDF is gone
    assert list((tmp_path / "tmp").iterdir()) == []


def test_with_an_output_file_the_pdf_is_kept_and_printed(laptop, db_url, spool, tmp_path, capsys):
    kept = tmp_path / "history.pdf"
    assert main(["print", "history", laptop.asset_no, "--db", db_url, "-o", str(kept),
                 "--printer", "office-laser"]) == 0
    assert kept.exists() and (spool / "job.pdf").read_bytes() == kept.read_bytes()
    assert laptop.asset_no in page_text(kept)


def test_no_cups_on_this_computer_is_one_sentence(laptop, db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "labels.pdf"
    assert main(["print", "labels", "--db", db_url, "--asset", laptop.asset_no, "-o", str(out),
                 "--printer", "office-laser"]) == 1
    assert "no CUPS printing (the `lp` command was not found)" in one_error(capsys)
    assert not out.exists()


def test_a_printer_that_refuses_says_why(laptop, db_url, tmp_path, monkeypatch, capsys):
    _fake_lp(tmp_path / "bin", 'echo "lp: The printer or class does not exist." >&2\nexit 1\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert main(["print", "labels", "--db", db_url, "--asset", laptop.asset_no,
                 "--printer", "nosuch"]) == 1
    assert one_error(capsys).endswith("the printer 'nosuch' refused the job: "
                                      "lp: The printer or class does not exist.")


def test_a_printer_name_cannot_smuggle_options(laptop, db_url, spool, capsys):
    assert main(["print", "labels", "--db", db_url, "--asset", laptop.asset_no,
                 "--printer=-oraw"]) == 1
    assert "'-oraw' is not a printer name" in one_error(capsys)
    assert not (spool / "args").exists()
