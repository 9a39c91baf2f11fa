"""Pure parts of the workflows: dates, deputies, free text, and the Block Kit they produce."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.copy import SLACK, error_parts, error_text
from bot.slack.blocks import workflow as bw
from bot.slack.listeners.workflow import deputy_id
from ncpi_core.domain.models import RAG, Action, Source, Update
from ncpi_core.domain.notices import Notice
from ncpi_core.domain.text import check_free_text
from ncpi_core.errors import InvalidInput, PersonalDataRefused
from ncpi_core.usecases.common import parse_date
from ncpi_core.usecases.history import History, HistoryEntry


def test_parse_date_reads_iso_and_says_how_otherwise() -> None:
    assert parse_date("2022-06-30") == date(2022, 6, 30)
    assert parse_date(" 2022-06-30 ") == date(2022, 6, 30)
    assert parse_date(date(2022, 1, 1)) == date(2022, 1, 1)
    for bad in ("30/06/2022", "2022-02-30", "tomorrow", ""):
        with pytest.raises(InvalidInput) as err:
            parse_date(bad, "new_due")
        message, hint = error_parts(err.value, SLACK)
        assert "new due date" in message and "YYYY-MM-DD" in hint


@given(st.dates())
def test_parse_date_round_trips(d: date) -> None:
    assert parse_date(d.isoformat()) == d


@pytest.mark.parametrize("ref", ["<@U0CRIME001|head_crime>", "<@U0CRIME001>", "U0CRIME001", "head_crime",
                                 "@head_crime"])
def test_deputy_references_slack_sends(force_config, ref: str) -> None:  # type: ignore[no-untyped-def]
    assert deputy_id(force_config, ref) == "head_crime"


def test_unknown_deputy_is_passed_on_as_typed(force_config) -> None:  # type: ignore[no-untyped-def]
    assert deputy_id(force_config, "<@U0NOBODY99|ghost>") == "U0NOBODY99"
    assert force_config.person(deputy_id(force_config, "@ghost")) is None


def test_free_text_required_bounded_and_guarded() -> None:
    assert check_free_text("reason", "  fine  ", required=True, example="reject") == "fine"
    assert check_free_text("reason", "", required=False, example="reject") == ""
    with pytest.raises(InvalidInput) as missing:
        check_free_text("reason", "   ", required=True, example="reject", action_id="R3.2")
    assert error_text(missing.value, SLACK) == ("The reason is missing. For example: "
                                                "`/ncpi reject R3.2 the dip-sample shows no change yet`")
    with pytest.raises(InvalidInput) as long:
        check_free_text("evidence", "x" * 3001, required=True, example="complete")
    assert "3,001 characters" in error_text(long.value, SLACK)
    with pytest.raises(PersonalDataRefused) as personal:
        check_free_text("evidence", "held at YO30 4XZ", required=True, example="complete")
    assert "the evidence looks like it contains a postcode" in error_text(personal.value, SLACK)


def _all_text(blocks: list[dict]) -> str:  # type: ignore[type-arg]
    return json.dumps(blocks)


@pytest.mark.parametrize(("kind", "buttons"), [
    ("review_closure", [bw.APPROVE_CLOSURE, bw.REJECT_CLOSURE]),
    ("review_due", [bw.APPROVE_DUE, bw.REJECT_DUE]),
    ("signoff", [bw.SIGNOFF]),
    ("info", []),
])
def test_notice_buttons_and_escaping(kind: str, buttons: list[str]) -> None:
    notice = Notice("head_ld", "closure.proposed", {"by": "X", "action_id": "R3.2", "title": "T",
                                                    "evidence": "<!channel> & <https://x|y>"}, kind, "R3.2")  # type: ignore[arg-type]
    text, blocks = bw.notice_message(notice)
    found = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert found == buttons
    assert all(e["value"] == "R3.2" for b in blocks if b["type"] == "actions" for e in b["elements"])
    shown = _all_text(blocks)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert len(blocks) <= 50


def test_history_splits_within_limits() -> None:
    at = datetime(2022, 5, 3, 9, tzinfo=UTC)
    update = Update(action_id="R3.2", rag=RAG.AMBER, narrative="x" * 2500 + " <!here>", source=Source.DM,
                    created_at=at)
    entries = [HistoryEntry(at, "head_ld", "Head of L&D", "update", "dm", update=update) for _ in range(200)]
    action = Action(id="R3.2", recommendation_id="R3", title="Training <b>", owner="head_ld",
                    due=date(2022, 7, 31), original_due=date(2022, 6, 30))
    messages = bw.history_messages(History(action, entries), ZoneInfo("Europe/London"))
    assert len(messages) > 1
    for _text, blocks in messages:
        assert len(blocks) <= 50
        for b in blocks:
            assert len(b["text"]["text"]) <= 3000
        assert "<!here>" not in _all_text(blocks)
    head = messages[0][1][0]["text"]["text"]
    assert "originally 2022-06-30" in head and "&lt;b&gt;" in head
    assert "10:00" in messages[0][1][1]["text"]["text"]  # local time (BST)


def test_modals_within_limits() -> None:
    view = bw.complete_modal("R3.2", "t" * 500, {"action_id": "R3.2"})
    assert view["callback_id"] == "ncpi_complete_modal" and len(view["title"]["text"]) <= 24
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == ["evidence"]
    view = bw.reject_modal("R3.2", "due_change", {"action_id": "R3.2", "kind": "due_change"})
    assert "due-date change" in view["blocks"][0]["text"]["text"]
    assert json.loads(view["private_metadata"])["kind"] == "due_change"


def test_parse_date_quotes_only_harmless_input() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_date("<!channel>", "start")
    assert "<" not in error_text(err.value, SLACK) and "start date given" in error_parts(err.value, SLACK)[0]
    with pytest.raises(InvalidInput) as err:
        parse_date("31/06/2022", "start")
    assert "'31/06/2022'" in error_parts(err.value, SLACK)[0]
