"""Hostile input: the reply parser and every payload parser under hypothesis (random text, unicode,
40,000-character narratives, malformed JSON, missing fields, wrong types), then the same kind of
input through the running app: always an answer, never a partial write, and user text escaped
everywhere it is shown (confirmations, summaries, App Home, history)."""

from __future__ import annotations

import functools
import json
import random
import re
import time
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.copy import SLACK, reply_problem_message, reply_problem_text
from bot.slack.payloads import (
    parse_button,
    parse_command_text,
    parse_message_event,
    parse_modal_metadata,
    parse_update_view,
    to_plain_text,
)
from ncpi_core.domain.replies import RAG_WORDS, ParsedReply, ReplyProblem, parse_reply
from ncpi_core.errors import NcpiError
from ncpi_core.usecases.ledger import run_tick
from reliability.harness import TUESDAY, AppUnderTest, Figures, message_text, wait_until

IDS = ["R1.1", "R1.2", "R3.2", "R3.20", "C6.2", "1.2a", "R10.1"]
COUNTS: dict[str, int] = {}
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PAYLOAD_SETTINGS = settings(SETTINGS, max_examples=120)

NASTY = ["<!channel>", "<!here>", "<!everyone>", "<@U0DCC00001>", "<#C0GOLD0001>",
         "<https://evil.example|click me>", "&amp;", "&lt;!channel&gt;", "& < >", "*bold*",
         "```code```", "\u202etxet\u202c", "\u0000", "\ufeff", "🟢", "🔴", ":red_circle:", "é́́", "𝐑𝟑.𝟐",
         "%", "100%", "-5%", "1e9%", "NaN%", "\n\n", "\t", "R3.2.1", "R", "r3.2", "'; DROP TABLE updates; --"]


def _count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


heads = st.lists(st.one_of(st.sampled_from(IDS), st.sampled_from(sorted(RAG_WORDS)),
                           st.integers(-10, 10_000).map(lambda n: f"{n}%"), st.sampled_from(NASTY),
                           st.text(max_size=8)), max_size=6).map(" ".join)
replies = st.one_of(st.text(max_size=300), heads,
                    st.tuples(heads, st.text(min_size=0, max_size=50)).map(lambda t: t[0] + " " + t[1] * 800))


@SETTINGS
@given(text=replies, thread=st.one_of(st.none(), st.sampled_from(IDS + ["X9.9"])))
def test_reply_parser_never_raises_and_always_answers(text: str, thread: str | None) -> None:
    _count("reply parser")
    result = parse_reply(text, IDS, thread)
    if isinstance(result, ParsedReply):
        assert result.action_id in IDS or result.action_id == thread
        assert result.progress is None or 0 <= result.progress <= 100
        assert len(result.narrative) <= len(text)
    else:
        assert isinstance(result, ReplyProblem)
        assert reply_problem_message(result, SLACK) and "For example" in reply_problem_text(result, SLACK)
        assert parse_reply(result.example, IDS, thread if result.example.split()[0] not in IDS else None) \
            is not None


def test_forty_thousand_character_narrative() -> None:
    text = "R3.2 amber 60% " + ("lorem ipsum <!channel> & " * 1700)[:40_000]
    result = parse_reply(text, IDS)
    assert isinstance(result, ParsedReply) and len(result.narrative) > 39_000


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
SLACK_KEYS = ["type", "user", "actions", "container", "channel", "message", "trigger_id", "view", "state",
              "values", "text", "ts", "thread_ts", "subtype", "bot_id", "channel_type", "client_msg_id",
              "edited", "hidden", "id", "value", "action_id", "selected_option", "rag", "progress",
              "narrative", "blockers", "evidence", "private_metadata"]
slackish = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.sampled_from(NASTY)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(SLACK_KEYS), inner, max_size=6)),
    max_leaves=10)


def _tolerates(name: str, parse: Any, value: Any) -> Any:
    """The parser returns something or refuses with a message for a person; nothing else."""
    _count(name)
    try:
        return parse(value)
    except NcpiError as exc:
        assert str(exc)
        return None


@PAYLOAD_SETTINGS
@given(body=st.dictionaries(st.sampled_from(SLACK_KEYS), slackish, max_size=8))
def test_button_payload_parser_takes_anything(body: dict[str, Any]) -> None:
    _tolerates("button payload", parse_button, body)


@PAYLOAD_SETTINGS
@given(view=st.dictionaries(st.sampled_from(SLACK_KEYS), slackish, max_size=6))
def test_update_view_parser_takes_anything(view: dict[str, Any]) -> None:
    result = _tolerates("update modal payload", parse_update_view, view)
    assert result is None or isinstance(result, dict) or hasattr(result, "rag")


@PAYLOAD_SETTINGS
@given(event=st.dictionaries(st.sampled_from(SLACK_KEYS), slackish, max_size=8))
def test_message_event_parser_takes_anything(event: dict[str, Any]) -> None:
    _tolerates("message event", parse_message_event, {"type": "message", **event})


@SETTINGS
@given(raw=st.one_of(st.text(max_size=200), json_values.map(json.dumps), st.none()))
def test_modal_metadata_and_command_text_take_anything(raw: str | None) -> None:
    _tolerates("modal metadata", parse_modal_metadata, raw)
    name, args, rest = _tolerates("command text", parse_command_text, raw)
    assert name == name.lower() and isinstance(args, list) and isinstance(rest, str)
    assert isinstance(_tolerates("message markup", to_plain_text, raw), str)


# --- through the running app ----------------------------------------------------------------------
OWNER = "U0LAND0001"  # Head of Learning & Development, owns R3.2
CHAIR = "U0TACC0001"  # Silver chair
MARKED = "<!channel> <!here> <@U0DCC00001> <https://evil.example/x|click here> Q&A <b>"
UNESCAPED = re.compile(r"<!channel>|<!here>|<!everyone>|<@U0DCC00001>|<https://evil")


def bot_said_more(app: AppUnderTest, channel: str, than: int) -> bool:
    """The bot has posted more than `than` messages in the DM `channel`."""
    return len([m for m in app.slack.messages(channel) if m.user != OWNER]) > than


def told_more(app: AppUnderTest, user: str, than: int) -> bool:
    """The bot has shown `user` more than `than` messages (answers, ephemerals, DMs)."""
    return len(app.said_to(user)) > than


def hostile_texts(rng: random.Random, n: int) -> list[str]:
    out = [f"R3.2 amber 55% {MARKED}", "R3.2 green " + "x" * 40_000, "", "   ", "R3.2", "R3.2 purple",
           "R3.2 amber 250%", "R9.9 red", "<!channel>", "R3.2 red 10% \u0000\ufeff\u202e", "{\"json\": true}",
           "R3.2 blue 100% done " + "🟢" * 5000]
    alphabet = "R3.2 amber red green 60% <>&!@|:;\n\t\u202eé🟢"
    while len(out) < n:
        out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200))))
    return out


def test_hostile_dms_always_answered_never_half_stored(north_app: AppUnderTest, figures: Figures) -> None:
    app = north_app
    rng = random.Random(8)
    texts = hostile_texts(rng, 40)
    started = time.monotonic()
    unanswered: list[str] = []
    with app.deps.uow() as uow:
        before = len(uow.updates.for_action("R3.2"))
    stored = 0
    for text in texts:
        dm = app.slack.dm_channel(OWNER)
        n = len([m for m in app.slack.messages(dm) if m.user != OWNER])
        ack = app.dm(OWNER, text)
        assert ack.status == 200 and ack.elapsed < 3.0
        if not text.strip():
            continue  # Slack sends no event for an empty message; the bot may stay silent
        if not wait_until(functools.partial(bot_said_more, app, dm, n), 10):
            unanswered.append(text[:60])
        with app.deps.uow() as uow:
            now = len(uow.updates.for_action("R3.2"))
        assert now - before - stored in (0, 1), "one message stored more than one update"
        stored = now - before
    said = app.said_to(OWNER)
    assert not unanswered, unanswered
    assert app.slack.broadcast_mentions() == []
    bad = [message_text(m)[:200] for m in said if UNESCAPED.search(message_text(m))]
    figures.record("Hostile input through the app: DMs (40,000 chars, markup, control chars, random)",
                   runs=1, inputs=len(texts), deliveries=stored,
                   note=f"{len(texts) - len(unanswered)} answered, {stored} stored whole, "
                        f"{len(bad)} unescaped", seconds=time.monotonic() - started)
    assert not bad, bad


def test_user_text_escaped_everywhere_it_is_shown(north_app: AppUnderTest, figures: Figures) -> None:
    app = north_app
    started = time.monotonic()
    app.dm(OWNER, f"R3.2 amber 55% {MARKED}")
    wait_until(lambda: app.said_to(OWNER), 10)
    with app.deps.uow() as uow:
        updates = uow.updates.for_action("R3.2")
    assert updates and "<!channel>" in updates[0].narrative  # stored as typed, escaped when shown
    places = {"confirmation": (OWNER, None), "/ncpi my": (OWNER, "my"),
              "/ncpi summary": (CHAIR, "summary"), "/ncpi summary R3": (CHAIR, "summary R3"),
              "/ncpi history": (CHAIR, "history R3.2"), "/ncpi complete": (OWNER, f"complete R3.2 {MARKED}")}
    shown: dict[str, list[str]] = {}
    for place, (user, command) in places.items():
        k = len(app.said_to(user))
        if command:
            app.command(user, command)
            wait_until(functools.partial(told_more, app, user, k), 10)
            time.sleep(0.2)
        shown[place] = [message_text(m) for m in app.said_to(user)[k if command else 0:]]
    app.sender.app_home_opened(OWNER)
    wait_until(lambda: app.slack.home_view(OWNER) is not None, 10)
    shown["App Home"] = [json.dumps(app.slack.home_view(OWNER), ensure_ascii=False)]
    # what the tick posts: the Silver summary in its channel, prompts and nudges showing the latest
    # narrative (12:05 BST, after the summary's 12:00 and before Silver meets at 14:00)
    k = len(app.slack.messages())
    run_tick(app.core.uow, app.core.config, app.runtime.sender,
             TUESDAY + timedelta(hours=2, minutes=5))
    posted = app.slack.messages()[k:]
    shown["Silver summary post"] = [message_text(m) for m in posted if m.channel == "C0SILVER01"]
    shown["prompts, nudges, reminders"] = [message_text(m) for m in posted if m.channel != "C0SILVER01"]
    problems = [f"{place}: {t[:200]}" for place, texts in shown.items() for t in texts if UNESCAPED.search(t)]
    empty = [place for place, texts in shown.items() if not texts]
    carried = [place for place, texts in shown.items() if any("&lt;!channel&gt;" in t for t in texts)]
    figures.record("Escaping of <!channel>, <!here>, <@U…>, <url|label>, & in user text", runs=1,
                   inputs=len(shown), note=f"{len(shown) - len(problems)} places checked clean: "
                   + ", ".join(shown) + f"; the text shown escaped in: {', '.join(carried)}",
                   seconds=time.monotonic() - started)
    assert not empty, empty
    assert "confirmation" in carried, shown["confirmation"]
    assert app.slack.broadcast_mentions() == []
    assert not problems, "\n".join(problems)


def test_zz_record_parser_figures(figures: Figures) -> None:
    """The parser counts above, as one figure (runs last in this module)."""
    if COUNTS:
        figures.record("Hostile input (hypothesis): reply parser and payload parsers", runs=len(COUNTS),
                       inputs=sum(COUNTS.values()),
                       note="; ".join(f"{k} {v}" for k, v in sorted(COUNTS.items())) + "; 0 unhandled exceptions")
