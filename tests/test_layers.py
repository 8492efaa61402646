"""The domain stands on its own: no terminal, printing or file-format code below the UI."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_importing_the_domain_loads_no_ui_or_printing_library():
    code = (
        "import sys, models.assets, models.accounts, models.audit, models.integrity, models.setup\n"
        "bad = [m for m in ('textual', 'rich', 'reportlab', 'barcode', 'openpyxl', 'forms', 'assets_tui')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: 2 kept, 0 broken" in out.stdout
