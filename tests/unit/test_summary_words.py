"""The words after `summary`, read the same way by every front end."""

from __future__ import annotations

import pytest

from ncpi_core.errors import NotFound
from ncpi_core.usecases.summaries import read_summary_words

IDS = ["R1", "R2", "VSA1", "AFI-3", "R10"]


def test_every_kind_of_word_in_any_order_and_case() -> None:
    ask = read_summary_words(["POST", "r10", "Red", "Gold", "report=VSA", "TYPE=cause_of_concern"], IDS, "u")
    assert (ask.level, ask.recommendation, ask.only, ask.post) == ("gold", "R10", "red", True)
    assert ask.narrow == {"report": "VSA", "item_type": "cause_of_concern"}  # the value keeps its case


def test_no_words_is_the_silver_summary_of_everything() -> None:
    ask = read_summary_words([], IDS, "u")
    assert (ask.level, ask.recommendation, ask.only, ask.post, ask.narrow) == ("silver", None, None, False, {})


@pytest.mark.parametrize("word", ["R11", "platinum", "report=", "colour=red", "R1.1"])
def test_an_unknown_word_names_itself_the_usage_and_some_ids(word: str) -> None:
    with pytest.raises(NotFound) as err:
        read_summary_words(["gold", word], IDS, "summary [silver|gold]")
    assert err.value.code == "summary.unknown_word"
    assert err.value.params["word"] == word and err.value.params["usage"] == "summary [silver|gold]"
    assert err.value.params["sample"] == "R1, R2, VSA1, AFI-3"
