"""`python -m tests.bench [pytest args]`: run every benchmark and rewrite docs/PERFORMANCE.md."""

from __future__ import annotations

import os
import sys

import pytest

if __name__ == "__main__":
    os.environ["NCPI_BENCH"] = "1"
    here = os.path.dirname(os.path.abspath(__file__))
    raise SystemExit(pytest.main([here, "-m", "bench", "-s", "-p", "no:cacheprovider", "--timeout=3600",
                                 *sys.argv[1:]]))
