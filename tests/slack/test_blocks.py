"""Block Kit built by bot/blocks.py stays valid and inside Slack's limits, however big the plan."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.copy import SLACK, error_text
from bot.slack.blocks import common as blocks
from bot.slack.payloads import ModalMetadata
from bot.standin.validation import check_blocks, check_view
from ncpi_core.domain.models import RAG, Action, ActionStatus, Source, Update
from ncpi_core.errors import InvalidInput, PermissionDenied, PersonalDataRefused

LONG = "word " * 900  # 4,500 characters
NASTY = "<!channel> & <https://evil.example|ok> " + LONG


def action(i: int, status: ActionStatus = ActionStatus.OPEN) -> Action:
    return Action(id=f"R{i // 3 + 1}.{i % 3 + 1}", recommendation_id=f"R{i // 3 + 1}", title=NASTY[:400],
                  owner="head_ld", due=date(2022, 6, 30), original_due=date(2022, 5, 31), status=status)


def update(action_id: str) -> Update:
    return Update(action_id=action_id, rag=RAG.AMBER, progress=60, narrative=NASTY, blockers=NASTY,
                  evidence=NASTY, source=Source.DM, created_at=datetime(2022, 5, 3, 9, tzinfo=UTC))


def test_the_update_modal_is_valid_with_and_without_a_previous_update() -> None:
    a = action(5)
    for latest in (None, update(a.id)):
        view = blocks.update_modal(a, latest, ModalMetadata(a.id, "D0LAND0001", "1.2"))
        assert check_view(view) is None
        assert "<!channel>" not in str(view["blocks"])


def test_a_confirmation_of_very_long_text_is_valid_and_escaped() -> None:
    a = action(1)
    text, body = blocks.recorded_message(a, update(a.id))
    assert check_blocks(body) is None
    assert "<!channel>" not in text + str(body)
    assert sum(len(b["text"]["text"]) for b in body if b["type"] == "section") > 4000  # split, not cut


def test_my_actions_and_home_stay_within_limits_for_a_big_plan() -> None:
    many = [action(i, ActionStatus.CLOSED if i % 7 == 0 else ActionStatus.OPEN) for i in range(150)]
    latest = {a.id: update(a.id) for a in many[::2]}
    text, body = blocks.my_actions_message(many, latest, date(2022, 7, 1), "Head of L&D")
    assert check_blocks(body) is None and len(body) <= 50
    assert "more" in str(body[-1])
    position = [f"*R{i}* {LONG[:200]}" for i in range(60)]
    view = blocks.home_view("Head of L&D", many, latest, date(2022, 7, 1), position)
    assert check_view(view) is None and len(view["blocks"]) <= 100
    assert "more" in str(view["blocks"][-2])


def test_modal_errors_land_on_the_field_they_are_about() -> None:
    state = {"values": {"narrative": {"narrative": {"type": "plain_text_input", "value": "fine"}},
                        "blockers": {"blockers": {"type": "plain_text_input", "value": "ring 07700 900123"}},
                        "evidence": {"evidence": {"type": "plain_text_input", "value": None}}}}
    refused = PersonalDataRefused("text.personal_data", findings=[["blockers", "phone"]])
    errors = blocks.modal_errors(refused, error_text(refused, SLACK), {"state": state})
    assert errors == {"blockers": "This looks like it contains a phone number. ncpi keeps action-plan progress only: "
                                  'name the team or role to contact ("the MASH duty desk") instead of a number.'}
    too_long = InvalidInput("update.too_long", field="evidence", length=3001, limit=3000)
    assert list(blocks.modal_errors(too_long, error_text(too_long, SLACK), {})) == ["evidence"]
    denied = PermissionDenied("action.not_owner", what="update", action_id="R3.2", owner="Head of L&D",
                              deputy=None, cover=False)
    said = error_text(denied, SLACK)
    assert said == "Sorry, you cannot update R3.2. Only its owner (Head of L&D) or a plan administrator can."
    assert blocks.modal_errors(denied, said, {}) == {"rag": said}
