"""Pure parts of the workflows: dates, deputies, free text, and the Block Kit they produce."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.blocks import workflow as bw
from ncpi_core.errors import InvalidInput, PersonalDataRefused
from ncpi_core.usecases import workflows as wf


def test_parse_date_reads_iso_and_says_how_otherwise() -> None:
    assert wf.parse_date("2022-06-30") == date(2022, 6, 30)
    assert wf.parse_date(" 2022-06-30 ") == date(2022, 6, 30)
    assert wf.parse_date(date(2022, 1, 1)) == date(2022, 1, 1)
    for bad in ("30/06/2022", "2022-02-30", "tomorrow", ""):
        with pytest.raises(InvalidInput) as err:
            wf.parse_date(bad, "new due date")
        assert "new due date" in err.value.message and "YYYY-MM-DD" in err.value.hint


@given(st.dates())
def test_parse_date_round_trips(d: date) -> None:
    assert wf.parse_date(d.isoformat()) == d


@pytest.mark.parametrize("ref", ["<@U0CRIME001|head_crime>", "<@U0CRIME001>", "U0CRIME001", "head_crime",
                                 "@head_crime"])
def test_deputy_references_slack_sends(force_config, ref: str) -> None:  # type: ignore[no-untyped-def]
    person = wf._resolve_person(force_config, ref)
    assert person is not None and person.id == "head_crime"


def test_unknown_deputy_is_none(force_config) -> None:  # type: ignore[no-untyped-def]
    assert wf._resolve_person(force_config, "<@U0NOBODY99|ghost>") is None


def test_free_text_required_bounded_and_guarded() -> None:
    assert wf.check_free_text("reason", "  fine  ", required=True, example="x") == "fine"
    assert wf.check_free_text("reason", "", required=False, example="x") == ""
    with pytest.raises(InvalidInput, match="reason is missing"):
        wf.check_free_text("reason", "   ", required=True, example="`/ncpi reject R3.2 why`")
    with pytest.raises(InvalidInput, match="3,001 characters"):
        wf.check_free_text("evidence", "x" * 3001, required=True, example="x")
    with pytest.raises(PersonalDataRefused, match="the evidence looks like it contains a postcode"):
        wf.check_free_text("evidence", "held at YO30 4XZ", required=True, example="x")


def _all_text(blocks: list[dict]) -> str:  # type: ignore[type-arg]
    return json.dumps(blocks)


@pytest.mark.parametrize(("kind", "buttons"), [
    ("review_closure", [bw.APPROVE_CLOSURE, bw.REJECT_CLOSURE]),
    ("review_due", [bw.APPROVE_DUE, bw.REJECT_DUE]),
    ("signoff", [bw.SIGNOFF]),
    ("info", []),
])
def test_notice_buttons_and_escaping(kind: str, buttons: list[str]) -> None:
    notice = wf.Notice("U1", "X proposes R3.2 complete.\nEvidence: <!channel> & <https://x|y>", kind, "R3.2")  # type: ignore[arg-type]
    text, blocks = bw.notice_message(notice)
    found = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert found == buttons
    assert all(e["value"] == "R3.2" for b in blocks if b["type"] == "actions" for e in b["elements"])
    shown = _all_text(blocks)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert len(blocks) <= 50


def test_history_splits_within_limits() -> None:
    at = datetime(2022, 5, 3, 9, tzinfo=UTC)
    entries = [wf.HistoryEntry(at, "head_ld", "Head of L&D", "update", "x" * 2500 + " <!here>", "dm")
               for _ in range(200)]
    messages = bw.history_messages("R3.2", "Training <b>", date(2022, 7, 31), date(2022, 6, 30), "open",
                                   entries, ZoneInfo("Europe/London"))
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
        wf.parse_date("<!channel>", "start date")
    assert "<" not in str(err.value) and "start date given" in err.value.message
    with pytest.raises(InvalidInput) as err:
        wf.parse_date("31/06/2022", "start date")
    assert "'31/06/2022'" in err.value.message
