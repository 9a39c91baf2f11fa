"""`python -m tests.reliability`: run the reliability scenarios and rewrite the committed
`tests/reliability/last_run.md` (a plain `python -m pytest` writes its figures outside the checkout)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    os.environ["NCPI_RELIABILITY_FIGURES"] = str(HERE / "last_run.md")
    sys.exit(pytest.main([str(HERE), *sys.argv[1:]]))
