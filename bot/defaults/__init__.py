"""The North Yorkshire example configuration (and the Slack app manifest, whose scopes the stand-in
grants), shipped inside the package for `ncpi demo`.

`config/` in the repository is the copy people edit; a test keeps these two identical.
"""

from __future__ import annotations

from pathlib import Path

DEFAULTS_DIR = Path(__file__).resolve().parent
