"""RAG is never colour alone (WCAG 2.2, 1.4.1): every coloured circle in Block Kit has its word beside it.

The demo's whole cycle (prompts, confirmations, summaries, notices, forms) is walked text by text,
and so is App Home with a plan whose actions have every status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.slack.demo import DemoResult, run_demo
from tests.slack.conftest import SAFEGUARDING, SILVER_CHAIR, BotHarness, wait_for

# each circle (Slack's name or the character) and the words that may say what it means
CIRCLES = {
    "red": (r":(?:large_)?red_circle:|🔴", r"red|off track"),
    "amber": (r":(?:large_)?orange_circle:|:(?:large_)?yellow_circle:|🟠|🟡", r"amber|at risk"),
    "green": (r":(?:large_)?green_circle:|🟢", r"green|on track"),
    "blue": (r":(?:large_)?blue_circle:|🔵", r"blue|complete|closed"),
    "none": (r":white_circle:|⚪", r"not started|no update"),
}
# the word must follow the circle at once (markup such as * or _ aside)
AFTER = r"[\s*_]*(?:{words})\b"


def texts(node: Any) -> Iterator[str]:
    """Every `text` string in a Block Kit structure (sections, fields, context, buttons, options)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def colour_alone(text: str) -> list[str]:
    """The circles in `text` with no word of their meaning right after them."""
    bad = []
    for name, (circle, words) in CIRCLES.items():
        for m in re.finditer(circle, text):
            if not re.match(AFTER.format(words=words), text[m.end():], re.IGNORECASE):
                bad.append(f"{name} at …{text[max(0, m.start() - 30):m.end() + 30]}…")
    return bad


def test_the_checker_finds_a_circle_without_its_word() -> None:
    assert colour_alone("RAG changes: R2.1 :white_circle: → :large_orange_circle:") != []
    assert colour_alone(":red_circle: 40% *C1.1* Title") != []
    assert colour_alone(":large_green_circle: Amber") != []  # the wrong word is no word
    assert colour_alone("R2.1 :white_circle: Not started → :large_orange_circle: *Amber*") == []
    assert colour_alone("🔵 Complete · :red_circle: Red (off track)") == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    url = f"sqlite:///{tmp_path_factory.mktemp('rag') / 'demo.db'}"
    import io

    return run_demo(url, out=io.StringIO())


def test_every_rag_circle_the_demo_shows_in_slack_has_its_word(demo: DemoResult) -> None:
    walked = [t for surface in demo.surfaces for t in texts(surface)]
    assert len(walked) > 300  # the whole cycle: prompts, summaries, forms, confirmations
    circles = [t for t in walked if any(re.search(c, t) for c, _ in CIRCLES.values())]
    assert len(circles) > 20  # summaries and confirmations do show colours
    bad = [b for t in walked for b in colour_alone(t)]
    assert bad == []


def test_app_home_says_each_rag_in_words(bot: BotHarness, tmp_path: Path) -> None:
    for user in (SILVER_CHAIR, SAFEGUARDING):
        bot.sender.app_home_opened(user)
        view = wait_for(lambda u=user: bot.slack.home_view(u), what=f"home of {user}")
        walked = list(texts(view))
        assert any(":white_circle:" in t for t in walked)
        assert [b for t in walked for b in colour_alone(t)] == []


def test_the_gold_chart_is_uploaded_with_alternative_text_summarising_it(demo: DemoResult) -> None:
    assert len(demo.file_alt_texts) == 2  # the Gold summaries of 17 and 31 March
    alt = demo.file_alt_texts[-1] or ""
    assert alt.startswith("Chart of North Yorkshire Police") and len(alt) <= 1000
    assert re.search(r"Now: 27 actions, \d+ red, \d+ amber, \d+ green, \d+ closed, \d+ embedded, \d+ not started",
                     alt)
    assert re.search(r"R7 \d+% RED", alt) and "R1 0% RED (OVERDUE)" in alt and "R10" in alt
