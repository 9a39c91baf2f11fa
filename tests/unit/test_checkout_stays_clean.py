"""A test run leaves the checkout clean: the reliability figures go outside it unless asked for."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.reliability.conftest import FIGURES_ENV, figures_path
from tests.reliability.harness import LAST_RUN

ROOT = Path(__file__).resolve().parents[2]


def test_a_plain_run_writes_its_figures_outside_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIGURES_ENV, raising=False)
    out = figures_path()
    assert out != LAST_RUN and not out.resolve().is_relative_to(ROOT)
    assert out.parent == Path(tempfile.gettempdir())


def test_the_committed_figures_are_rewritten_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FIGURES_ENV, str(LAST_RUN))
    assert figures_path() == LAST_RUN
    main = (ROOT / "tests" / "reliability" / "__main__.py").read_text(encoding="utf-8")
    assert FIGURES_ENV in main and "last_run.md" in main
