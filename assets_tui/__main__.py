"""``python -m assets_tui``: the same as the ``assets-tui`` command."""

import sys

from assets_tui.cli import main

sys.exit(main())
