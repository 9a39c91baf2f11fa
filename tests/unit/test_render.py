"""Rendering summaries: text/markdown/csv/json, and Block Kit messages within Slack's limits."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.models.blocks import Block
from test_summaries import CYCLE, NOW, PREV, TODAY, TZ, other_force_state, upd

from bot.copy import decision_hint
from bot.slack.blocks.deliveries import Addresses, render, render_failure
from bot.slack.blocks.summary import summary_messages
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.ledger import Recipient
from ncpi_core.domain.models import RAG, Action, ActionStatus, Category, PlanInfo, Recommendation
from ncpi_core.domain.participation import PromptSent, build_participation
from ncpi_core.domain.plan_state import PlanState
from ncpi_core.domain.summaries.build import build_summary
from ncpi_core.ports import EscalationContent, FailureContent, MissingLine, Outgoing
from ncpi_core.reports.common import ACTION_COLUMNS, NO_PLAN
from ncpi_core.reports.render import render_summary


def _summary(level: str = "silver", **kw: object):  # type: ignore[no-untyped-def]
    latest = {
        "C1.1": upd("C1.1", RAG.GREEN, 70, NOW - timedelta(days=2), "Guidance <!channel> drafted & agreed"),
        "C1.2": upd("C1.2", RAG.RED, 20, NOW - timedelta(days=3), "Supplier slipped", "=cmd|' /C calc'!A0"),
        "C6.2": upd("C6.2", RAG.AMBER, 40, NOW - timedelta(days=20), "Partly | done"),
    }
    state = other_force_state(latest)
    return build_summary(level, state, now=NOW, today=TODAY, cycle=CYCLE, previous=other_force_state({}, as_of=PREV),
                         force="Other Police", tz=TZ, previous_meeting_at=PREV, **kw)  # type: ignore[arg-type]


def _valid(messages: list[tuple[str, list[dict]]]) -> None:
    assert messages
    for text, blocks in messages:
        assert text and len(blocks) <= 50
        for b in blocks:
            Block.parse(b).validate_json()  # raises on any limit Slack enforces
            if b["type"] == "section":
                assert len(b["text"]["text"]) <= 3000


def _all_text(messages: list[tuple[str, list[dict]]]) -> str:
    return json.dumps([m[1] for m in messages], ensure_ascii=False)


def test_text_gold_has_every_recommendation_in_a_narrow_table() -> None:
    text = render_summary(_summary("gold"), "text")
    assert "Other Police — Child protection improvement plan: Gold summary" in text
    for i in range(1, 9):
        assert f"\nC{i} " in text
    assert max(len(line) for line in text.splitlines()) <= 120
    assert "C1.2" in text and "Red (off track)" in text
    assert "\nC1.1 " not in text  # Gold has no per-action detail table


def test_text_silver_shows_every_action_and_its_detail() -> None:
    text = render_summary(_summary("silver"), "text")
    for i in range(1, 9):
        for j in (1, 2):
            assert f"C{i}.{j}" in text
    assert "C1.2 Blockers: =cmd" in text and "Head of Operations" in text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_markdown_escapes_pipes() -> None:
    md = render_summary(_summary("silver"), "markdown")
    assert "Partly \\| done" in md and md.startswith("# Other Police")


def test_csv_one_row_per_action_with_formula_guard() -> None:
    rows = list(csv.DictReader(io.StringIO(render_summary(_summary(), "csv"))))
    assert len(rows) == 16 and list(rows[0]) == ACTION_COLUMNS
    c12 = next(r for r in rows if r["action_id"] == "C1.2")
    assert c12["blockers"].startswith("'=") and c12["rag"] == "red" and c12["category"] == "immediate"
    assert next(r for r in rows if r["action_id"] == "C6.2")["category"] == "six_months"


def test_json_is_stable_with_iso_dates() -> None:
    out = render_summary(_summary("gold"), "json")
    assert out == render_summary(_summary("gold"), "json")
    data = json.loads(out)
    assert list(data) == sorted(data)
    assert data["generated_at"] == "2023-07-10T10:00:00+01:00"
    action = data["recommendations"][0]["actions"][1]
    assert action["due"] == "2023-07-31" and action["rag"] == "red" and action["bucket"] == "red"


def test_empty_and_unknown_format() -> None:
    empty = build_summary("gold", PlanState(None, [], [], {}, {}, NOW), now=NOW, today=TODAY)
    assert render_summary(empty, "text").strip() == NO_PLAN
    assert json.loads(render_summary(empty, "json"))["error"] == "no_plan"
    assert summary_messages(empty)[0][0] == NO_PLAN
    with pytest.raises(ValueError):
        render_summary(_summary(), "pdf")


@pytest.mark.parametrize("level", ["silver", "gold"])
def test_blocks_valid_escaped_with_emoji(level: str) -> None:
    messages = summary_messages(_summary(level))
    _valid(messages)
    text = _all_text(messages)
    assert "<!channel>" not in text
    if level == "silver":
        assert "&lt;!channel&gt;" in text and "&amp; agreed" in text
    assert ":red_circle:" in text and ":white_circle:" in text and ":large_green_circle:" in text
    assert len(messages) == 1


def test_filtered_to_nothing_still_says_so() -> None:
    messages = summary_messages(_summary("silver", recommendation="C2", only="red"))
    _valid(messages)
    assert "Nothing matches" in _all_text(messages)


def _big_state(n_recs: int = 100, per_rec: int = 20) -> PlanState:
    recs, actions, latest = [], [], {}
    for i in range(1, n_recs + 1):
        recs.append(Recommendation(id=f"C{i}", title=f"Area {i} " + "x" * 80, category=Category.OTHER,
                                   due=date(2023, 1, 1), position=i))
        for j in range(1, per_rec + 1):
            aid = f"C{i}.{j}"
            actions.append(Action(id=aid, recommendation_id=f"C{i}", title=f"Step {j} <b> & more " * 3,
                                  owner="pvp", due=date(2023, 6, 1), original_due=date(2023, 5, 1), position=j))
            if j % 3:
                latest[aid] = upd(aid, [RAG.RED, RAG.AMBER, RAG.GREEN][j % 3], j, NOW - timedelta(days=j),
                                  "narrative " * 60 + "<!here>", "blocked by <@U123>" if j % 5 == 0 else "")
    return PlanState(info=PlanInfo(title="Big plan"), recommendations=recs, actions=actions, latest=latest,
                     people=other_force_state({}).people, as_of=NOW)


@pytest.mark.parametrize("level", ["silver", "gold"])
def test_two_thousand_actions_split_across_valid_messages(level: str) -> None:
    s = build_summary(level, _big_state(), now=NOW, today=TODAY, cycle=CYCLE, tz=TZ)
    assert s.total == 2000
    messages = summary_messages(s)
    _valid(messages)
    text = _all_text(messages)
    assert "<!here>" not in text and "<@U123>" not in text
    if level == "silver":
        assert len(messages) > 1
        for a in s.actions:  # nothing cut silently: every action is in some message
            assert f"*{a.id}* " in text
        assert "Part 1 of" in text
    else:
        for r in s.recommendations:
            assert f"*{r.id}* " in text


def test_a_very_long_narrative_is_shortened_visibly() -> None:
    state = other_force_state({"C1.1": upd("C1.1", RAG.GREEN, 5, NOW, "word " * 2000)})
    messages = summary_messages(build_summary("silver", state, now=NOW, today=TODAY))
    _valid(messages)
    assert "…" in _all_text(messages)


def test_participation_shares_and_medians() -> None:
    t0 = datetime(2023, 7, 4, 8, tzinfo=UTC)
    prompts = [PromptSent("pvp", "C1.1", t0, "2023-07-11"), PromptSent("pvp", "C1.2", t0, "2023-07-11"),
               PromptSent("ops", "C2.1", t0, "2023-07-11"), PromptSent("pvp", "C1.1", t0 + timedelta(days=14),
                                                                       "2023-07-25")]
    updates = {"C1.1": [t0 + timedelta(hours=2), t0 + timedelta(days=15)], "C1.2": [t0 - timedelta(days=1)],
               "C2.1": [t0 + timedelta(hours=30)]}
    p = build_participation(prompts, updates, {"pvp": "Head of PVP", "ops": "Head of Operations"})
    rows = {(r.cycle, r.person): r for r in p.rows}
    assert rows[("2023-07-11", "pvp")].answered == 1 and rows[("2023-07-11", "pvp")].prompts == 2
    assert rows[("2023-07-11", "pvp")].median_response == timedelta(hours=2)
    assert rows[("2023-07-11", "ops")].median_response == timedelta(hours=30)
    assert rows[("2023-07-25", "pvp")].median_response == timedelta(days=1)
    assert [r.cycle for r in p.latest()] == ["2023-07-25"]
    overall = {r.person: r for r in p.overall()}
    assert overall["pvp"].share == pytest.approx(2 / 3)
    s = build_summary("silver", other_force_state({}), now=NOW, today=TODAY, participation=p)
    text = render_summary(s, "text")
    assert "PARTICIPATION" in text and "Head of PVP" in text and "1/1" in text
    _valid(summary_messages(s))
    assert "Participation" in _all_text(summary_messages(s))


def test_a_sign_off_is_data_each_front_end_words() -> None:
    state = other_force_state({}, statuses={"C6.2": ActionStatus.ACCEPTED})
    s = build_summary("gold", state, now=NOW, today=TODAY)
    assert "sign off as complete (Gold chair: `signoff C6.2`)" in _all_text(summary_messages(s))
    text = render_summary(s, "text")
    assert "sign off as complete (Gold chair)" in text and "`signoff" not in text
    assert "(Gold chair: `signoff C6.2`)" in render_summary(s, "markdown", hint=decision_hint)
    [item] = [e for e in json.loads(render_summary(s, "json"))["exceptions"]
              if e["decision"] and e["decision"]["kind"] == "signoff"]
    assert item["decision"] == {"action_id": "C6.2", "kind": "signoff", "new_due": None, "reason": ""}


def test_deliveries_mention_people_by_their_slack_id_from_ncpi_yaml(force_config: ForceConfig) -> None:
    addresses = Addresses(force_config)
    at = datetime(2022, 3, 8, 14, tzinfo=UTC)
    escalation = EscalationContent(at, [MissingLine("head_crime", "Head of Crime", ["R6.1"]),
                                        MissingLine("gone", "Someone <Gone>", ["R9.9"])])
    text = json.dumps(render(Outgoing("escalation:x", "escalation", Recipient.of_person("tacc"), escalation, TZ),
                             addresses)[0][1], ensure_ascii=False)
    assert "<@U0CRIME001> — R6.1" in text and "Someone &lt;Gone&gt; — R9.9" in text
    failure = FailureContent("prompt:x:R2.1", "prompt", "person:head_safeguarding", 6, "HTTP 503")
    [(_, blocks)] = render(Outgoing("failure:x", "failure_report", Recipient.of_person("coordinator"), failure, TZ),
                           addresses)
    assert "To: `U0SAFE0001`" in blocks[0]["text"]["text"]  # as the admins have always been told
    to_gold = FailureContent("gold_summary:x", "gold_summary", "body:gold", 6, "channel_not_found")
    assert "To: `C0GOLD0001`" in render_failure(to_gold, TZ, addresses)[1][0]["text"]["text"]
