"""Sending a written PDF to a printer through CUPS (``lp``), where this computer has it.

Printing to paper is an operating-system service, so it lives here beside the command
line and the app, not in ``forms/`` (which only writes PDF files)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

LP_TIMEOUT = 60  # seconds for lp to accept the job


class PrinterError(Exception):
    """The PDF could not be handed to the printer; the message says why, in one sentence."""


def printing_available() -> bool:
    """Whether this computer has CUPS's ``lp`` to print with."""
    return shutil.which("lp") is not None


def send_to_printer(path: str | os.PathLike, printer: str) -> str:
    """Queue ``path`` on the CUPS printer ``printer`` and return what lp said (its job
    id). Raises PrinterError with a clear sentence when there is no lp, no such printer,
    or lp refuses the job."""
    printer = printer.strip()
    if not printer or printer.startswith("-") or any(c.isspace() for c in printer):
        raise PrinterError(f"--printer: '{printer}' is not a printer name; "
                           "`lpstat -p` lists this computer's printers.")
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError("--printer: this computer has no CUPS printing (the `lp` command was "
                           f"not found), so nothing was sent to '{printer}'.")
    try:
        done = subprocess.run([lp, "-d", printer, "--", os.fspath(Path(path))], capture_output=True,
                              text=True, timeout=LP_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrinterError(f"--printer: lp could not send the PDF to '{printer}': {exc}.") from None
    said = " ".join((done.stdout or done.stderr).split())
    if done.returncode != 0:
        raise PrinterError(f"--printer: the printer '{printer}' refused the job: "
                           f"{said or f'lp exited with {done.returncode}'}.")
    return said
