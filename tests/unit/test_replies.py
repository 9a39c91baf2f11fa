"""The plain-text reply parser: the forms people type, the ids of any force, and it never raises."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.copy import SLACK, reply_problem_message, reply_problem_text
from ncpi_core.domain.models import RAG
from ncpi_core.domain.replies import RAG_WORDS, ParsedReply, ReplyProblem, parse_reply

NYP = ["R1.1", "R1.2", "R3.1", "R3.2", "R3.20", "R10.1"]
OTHER_SCHEMES = ["C6.2", "1.2a", "AFI-3", "REC2/4", "7"]


def ok(text: str, ids: list[str] = NYP, action_id: str | None = None) -> ParsedReply:
    result = parse_reply(text, ids, action_id)
    assert isinstance(result, ParsedReply), result
    return result


def problem(text: str, ids: list[str] = NYP, action_id: str | None = None) -> ReplyProblem:
    result = parse_reply(text, ids, action_id)
    assert isinstance(result, ReplyProblem), result
    return result


def said(p: ReplyProblem) -> str:
    """What was wrong, as the catalogue words it in Slack."""
    return reply_problem_message(p, SLACK)


def test_the_example_in_the_product_description() -> None:
    r = ok("R3.2 amber 60% training slots delayed to June")
    assert r == ParsedReply("R3.2", RAG.AMBER, 60, "training slots delayed to June")


@pytest.mark.parametrize("text", [
    "r3.2 amber 60% training slots delayed to June",
    "R3.2: Amber 60 % training slots delayed to June",
    "  R3.2   AMBER   60%   training slots delayed to June",
    "R3.2 - amber - 60% - training slots delayed to June",
    "R3.2, at risk, 60 percent, training slots delayed to June",
    "R3.2 60% amber training slots delayed to June",
    "amber R3.2 60% training slots delayed to June",
    "*R3.2* amber 60% training slots delayed to June",
    "R3.2 RAG: amber progress: 60% training slots delayed to June",
    "R3.2 at-risk 60% training slots delayed to June",
    "R3.2 🟠 60% training slots delayed to June",
])
def test_forgives_case_spaces_punctuation_and_order(text: str) -> None:
    r = ok(text)
    assert (r.action_id, r.rag, r.progress) == ("R3.2", RAG.AMBER, 60)
    assert r.narrative == "training slots delayed to June"


@pytest.mark.parametrize(("word", "rag"), [
    ("green", RAG.GREEN), ("on track", RAG.GREEN), ("On Track", RAG.GREEN), ("g", RAG.GREEN),
    ("amber", RAG.AMBER), ("at risk", RAG.AMBER), ("a", RAG.AMBER),
    ("red", RAG.RED), ("off track", RAG.RED), ("R", RAG.RED),
    ("blue", RAG.BLUE), ("complete", RAG.BLUE), ("done", RAG.BLUE), ("b", RAG.BLUE),
])
def test_rag_synonyms(word: str, rag: RAG) -> None:
    assert ok(f"R1.1 {word}").rag == rag
    assert ok(f"R1.1 {word} 40%").rag == rag


@pytest.mark.parametrize("action_id", OTHER_SCHEMES)
def test_any_forces_id_scheme(action_id: str) -> None:
    r = ok(f"{action_id.lower()} red 10% waiting on partners", OTHER_SCHEMES)
    assert (r.action_id, r.rag, r.progress, r.narrative) == (action_id, RAG.RED, 10, "waiting on partners")


def test_the_longest_known_id_wins_and_an_id_must_end_where_it_ends() -> None:
    assert ok("R3.20 green").action_id == "R3.20"
    assert ok("R3.2 green").action_id == "R3.2"
    assert isinstance(parse_reply("R3.25 green", NYP), ReplyProblem)


def test_in_a_thread_the_id_is_optional() -> None:
    assert ok("amber 60% training slots delayed", action_id="R3.2") == ParsedReply(
        "R3.2", RAG.AMBER, 60, "training slots delayed")
    assert ok("R3.2 amber", action_id="R3.2").action_id == "R3.2"
    assert ok("on track, nothing new", action_id="r3.2").action_id == "R3.2"


def test_single_letters_are_rag_only_when_nothing_else_follows() -> None:
    # "a bit late" in a thread is not amber
    p = problem("a bit late", action_id="R3.2")
    assert "green" in said(p) and p.example.startswith("amber")
    assert ok("a 50%", action_id="R3.2").rag == RAG.AMBER
    assert ok("g", action_id="R3.2").rag == RAG.GREEN


def test_done_after_a_percentage_describes_it() -> None:
    r = ok("amber 60% done, rest in June", action_id="R3.2")
    assert (r.rag, r.progress, r.narrative) == (RAG.AMBER, 60, "done, rest in June")
    assert ok("100% complete", action_id="R3.2").rag == RAG.BLUE


def test_a_second_different_rag_word_starts_the_narrative() -> None:
    r = ok("R3.2 green red tape cleared")
    assert (r.rag, r.narrative) == (RAG.GREEN, "red tape cleared")


def test_filler_words_are_kept_when_no_value_follows() -> None:
    assert ok("R3.2 green is the colour of the month").narrative == "is the colour of the month"


def test_a_multiline_narrative_is_kept() -> None:
    assert ok("R3.2 amber 60%\nline one\nline two").narrative == "line one\nline two"


@pytest.mark.parametrize(("text", "says"), [
    ("", "empty"),
    ("   ", "empty"),
    ("hello there", "Start with the action id"),
    ("R3.9 amber 20%", "no action 'R3.9'"),
    ("R3.2", "Say how R3.2 is going"),
    ("R3.2 training delayed", "Say how R3.2 is going"),
    ("R3.2 amber 150%", "from 0 to 100"),
    ("R3.2 amber 60.5%", "whole percentage"),
])
def test_problems_say_what_was_wrong_with_an_example_that_works(text: str, says: str) -> None:
    p = problem(text)
    assert says in said(p)
    assert isinstance(parse_reply(p.example, NYP), ParsedReply), "the example must itself work"
    assert "For example" in reply_problem_text(p, SLACK)


def test_no_plan_loaded() -> None:
    assert "no plan" in said(problem("R3.2 amber", []))


def test_every_rag_word_is_understood() -> None:
    for word, rag in RAG_WORDS.items():
        assert ok(f"R1.1 {word} 10% x").rag == rag, word


ids_strategy = st.lists(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,6}", fullmatch=True), min_size=0, max_size=8)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), ids=ids_strategy, thread=st.booleans())
def test_never_raises(text: str, ids: list[str], thread: bool) -> None:
    action_id = ids[0] if ids and thread else None
    result = parse_reply(text, ids, action_id)
    assert isinstance(result, ParsedReply | ReplyProblem)
    if isinstance(result, ParsedReply):
        assert result.progress is None or 0 <= result.progress <= 100
        assert result.action_id in ids
    else:
        assert said(result) and result.example


@settings(max_examples=300, deadline=None)
@given(
    action_id=st.sampled_from(NYP),
    word=st.sampled_from(sorted(RAG_WORDS)),
    progress=st.one_of(st.none(), st.integers(0, 100)),
    narrative=st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]),
                      max_size=80).filter(lambda s: s.strip() == s and "\n" not in s),
    upper=st.booleans(),
)
def test_round_trip_of_well_formed_replies(action_id: str, word: str, progress: int | None,
                                           narrative: str, upper: bool) -> None:
    narrative = "note " + narrative  # a narrative starts with a word that is no value
    head = f"{action_id.upper() if upper else action_id.lower()} {word}"
    if progress is not None:
        head += f" {progress}%"
    result = parse_reply(f"{head} {narrative}", NYP)
    assert isinstance(result, ParsedReply), result
    assert result.action_id == action_id
    assert result.rag == RAG_WORDS[word]
    assert result.progress == progress
    assert result.narrative == re.sub(r"[ \t]+", " ", narrative).strip()
