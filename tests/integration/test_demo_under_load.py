"""`ncpi demo` waits for the answers it expects, not for a quiet spell: it gives the same tour on a
machine whose cores are all busy, and says plainly when an answer never comes."""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import time
from collections.abc import Iterator

import pytest

from bot.slack import tour
from bot.slack.demo import run_demo


def _spin(stop_at: float) -> None:
    while time.monotonic() < stop_at:
        pass


@pytest.fixture
def busy_cores() -> Iterator[int]:
    """Two busy processes per core, for at most five minutes (ended when the test ends)."""
    n = 2 * (os.cpu_count() or 2)
    stop_at = time.monotonic() + 300
    procs = [multiprocessing.get_context("spawn").Process(target=_spin, args=(stop_at,), daemon=True)
             for _ in range(n)]
    for p in procs:
        p.start()
    try:
        yield n
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.join(timeout=10)


@pytest.mark.slow
def test_the_demo_gives_the_whole_tour_with_every_core_busy(busy_cores: int, tmp_path: object,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from slack_sdk import WebClient

    opening = WebClient.views_open

    def slow_views_open(self: WebClient, **kwargs: object) -> object:
        time.sleep(0.6)  # a listener that starts late, as on the loaded machine where the form was not open yet
        return opening(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(WebClient, "views_open", slow_views_open)
    out = io.StringIO()
    result = run_demo(f"sqlite:///{tmp_path}/loaded.db", out=out)  # type: ignore[str-bytes-safe]
    text = out.getvalue()
    assert result.by_kind["prompt"] == 27 + 26 and result.by_kind["gold_summary"] == 2  # two cycles (issue 16)
    assert "fills in the update form" in text and "Recorded for *R2.1" not in text  # printed as Slack shows it
    # each person's action is followed by the bot's answer to it, in order
    assert re.search(r"fills in the update form.*\n(?:.*\n){0,3}?.*→ DM to Head of Safeguarding", text)
    assert re.search(r"types: /ncpi approve R4\.1\n\s+\d\d:\d\d\s+→", text)


def test_an_answer_that_never_comes_stops_the_demo_with_a_clear_message(
        monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from bot.cli import main

    monkeypatch.setattr(tour, "ANSWER_LIMIT", 0.5)
    original = tour.Tour.dm

    def dm_expecting_two(self: tour.Tour, user: str, text: str, thread: object = None) -> None:
        original(self, user, text, thread)  # type: ignore[arg-type]
        self.await_bot("a DM that is answered once", messages=1)  # a second answer never comes

    monkeypatch.setattr(tour.Tour, "dm", dm_expecting_two)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert main(["demo", "--quiet", "--database", f"sqlite:///{tmp_path}/stall.db"]) == 1
    said = err.getvalue()
    assert "gave 0 of the 1 answer(s) to a DM that is answered once" in said and "run ncpi demo again" in said
    assert "Traceback" not in said and "IndexError" not in said
