"""A command typed with words missing gets the same refusal and worked example in Slack and Teams."""

from __future__ import annotations

import pytest

from bot.copy import SLACK, error_text
from bot.copy.commands import require_words, worked_example
from ncpi_core.errors import InvalidInput


@pytest.mark.parametrize(("usage", "example"), [
    ("complete R3.2 <evidence link or text>", "complete R3.2 https://intranet/policy/123"),
    ("reject R3.2 [due] <reason>", "reject R3.2 training slots moved to June"),
    ("due R3.2 YYYY-MM-DD <reason>", "due R3.2 2022-07-31 training slots moved to June"),
    ("away YYYY-MM-DD YYYY-MM-DD [@deputy]", "away 2022-05-09 2022-05-20 @deputy"),
    ("challenge R3.2 <question>", "challenge R3.2 what does the dip-sample show?"),
    ("assurance", "assurance R4 partly training is done but the audit is not"),
])
def test_the_worked_example_has_no_placeholders(usage: str, example: str) -> None:
    assert worked_example(usage) == example
    assert "<" not in worked_example(usage) and "YYYY" not in worked_example(usage)


def test_fewer_words_than_needed_is_refused_with_the_example() -> None:
    require_words(["R3.2", "https://x"], 2, "complete R3.2 <evidence link or text>")  # enough: nothing raised
    with pytest.raises(InvalidInput) as err:
        require_words(["R3.2"], 2, "complete R3.2 <evidence link or text>")
    assert err.value.code == "command.incomplete"
    assert error_text(err.value, SLACK) == ("Something is missing from `/ncpi complete`. "
                                            "For example `/ncpi complete R3.2 https://intranet/policy/123`.")
