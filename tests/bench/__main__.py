"""``python -m tests.bench``: the whole benchmark suite (see tests/bench/suite.py)."""

import sys

from tests.bench.suite import main

sys.exit(main())
