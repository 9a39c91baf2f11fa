"""The example config shipped in the package (for `ncpi demo`) is the same as config/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.defaults import DEFAULTS_DIR

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["ncpi.yaml", "action_plan.yaml", "slack_manifest.yaml"])
def test_packaged_example_matches_config(name: str) -> None:
    assert (DEFAULTS_DIR / name).read_text() == (ROOT / "config" / name).read_text(), (
        f"copy config/{name} to bot/defaults/{name}"
    )
