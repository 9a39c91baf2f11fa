"""Deliveries over real HTTP against the Slack stand-in: a month once, faults, a SIGKILL mid fan-out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from slack_sdk.http_retry import builtin_handlers

from bot.slack.gateway import SlackGateway, build_web_client
from bot.slack.sender import DeliverySender
from bot.standin import SlackStandIn
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.ledger import Kind
from ncpi_core.domain.models import RAG, Source, Update
from ncpi_core.domain.summaries.chart import ChartData, ChartUnavailable
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.usecases.ledger import LEASE, run_tick
from tests.conftest import CONFIG_DIR

ROOT = Path(__file__).resolve().parents[2]
MARCH_1_0900 = datetime(2022, 3, 1, 9, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def slack(force_config: ForceConfig) -> Any:
    with SlackStandIn.from_config(force_config) as standin:
        yield standin


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk sleeps Retry-After + random() seconds; keep the random part tiny in tests."""
    monkeypatch.setattr(builtin_handlers, "random", SimpleNamespace(random=lambda: 0.01))


def sender_for(slack: Any, loaded: Any, config: ForceConfig) -> DeliverySender:
    return DeliverySender(SlackGateway(build_web_client("xoxb-test", slack.api_url), loaded), config)


def keys(slack: Any) -> Counter[str]:
    return Counter((m.metadata or {}).get("event_payload", {}).get("key") for m in slack.messages()
                   if m.metadata)


def prompts_by_user(slack: Any, meeting: str = "silver:20220308T1400Z") -> Counter[str]:
    """How many prompt messages each DM channel got for one meeting."""
    return Counter(m.channel for m in slack.messages()
                   if (m.metadata or {}).get("event_payload", {}).get("key", "").startswith(f"prompt:{meeting}:"))


def test_a_month_with_the_standin_sends_each_delivery_once(slack: Any, loaded: Any,
                                                            force_config: ForceConfig) -> None:
    from tests.integration.test_deliveries_ledger import ticks

    port = sender_for(slack, loaded, force_config)
    with loaded() as uow:  # one owner has replied with text that must not ping anyone
        uow.updates.add(Update(action_id="R2.1", rag=RAG.AMBER, progress=60,
                               narrative="slots <!channel> delayed & moved", source=Source.DM,
                               created_at=utc(2022, 2, 25, 10)))
        uow.commit()
    for now in ticks(force_config, utc(2022, 3, 1), utc(2022, 3, 31, 23)):
        run_tick(loaded, force_config, port, now, draw_chart=render_chart_png)
    counts = keys(slack)
    assert counts and max(counts.values()) == 1
    kinds = Counter(k.split(":")[0] for k in counts)
    assert kinds == {"prompt": 81, "nudge": 81, "escalation": 2, "silver_summary": 2, "gold_summary": 3,
                     "gold_reminder": 24}
    assert slack.invalid_payloads == []
    msgs = {m.metadata["event_payload"]["key"]: m for m in slack.messages() if m.metadata}
    prompt = msgs["prompt:silver:20220308T1400Z:R2.1"]
    buttons = [e for b in prompt.blocks if b["type"] == "actions" for e in b["elements"]]
    assert {(b["action_id"], b["value"]) for b in buttons} == {
        ("ncpi_on_track", "R2.1"), ("ncpi_update_open", "R2.1"), ("ncpi_propose_complete", "R2.1")}
    shown = str(prompt.blocks)
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown and "&amp; moved" in shown
    assert "or reply in this thread" in shown
    nudge = msgs["nudge:silver:20220308T1400Z:R2.1:1"]
    assert nudge.thread_ts == prompt.ts and nudge.channel == prompt.channel
    assert msgs["silver_summary:silver:20220308T1400Z"].channel == "C0SILVER01"
    assert msgs["gold_summary:gold:20220318T1000Z"].channel == "C0GOLD0001"
    assert "Gold meets on Fri 18 Mar at 10:00; updates by Thu 17 Mar at 09:00" in \
        msgs["gold_reminder:gold:20220318T1000Z:head_safeguarding"].text
    # DM channels were opened once per person, then cached
    opened = Counter(c.params.get("users") for c in slack.calls_to("conversations.open") if c.ok)
    assert opened and max(opened.values()) == 1


def test_429s_and_500s_every_owner_still_gets_exactly_one_prompt(slack: Any, loaded: Any,
                                                                 force_config: ForceConfig,
                                                                 fast_retries: None) -> None:
    slack.set_fault_rates(rate_limited=0.3, server_error=0.1, seed=7, retry_after=0,
                          methods=["chat.postMessage", "conversations.open", "conversations.history"])
    port = sender_for(slack, loaded, force_config)
    now = MARCH_1_0900
    for _ in range(12):  # the scheduler's next ticks pick up whatever is waiting for a retry
        run_tick(loaded, force_config, port, now)
        now += timedelta(minutes=10)
    assert slack.served_429 > 5 and slack.served_500 > 0
    per_user = prompts_by_user(slack)
    assert len(per_user) == 8 and sum(per_user.values()) == 27  # 8 owners, 27 actions
    counts = keys(slack)
    assert max(counts.values()) == 1
    assert sum(1 for k in counts if k.startswith("prompt:silver:20220308T1400Z:")) == 27


def _tick_process(db_url: str, slack: Any, now: datetime) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NCPI_DATABASE_URL": db_url, "SLACK_BOT_TOKEN": "xoxb-test",
           "SLACK_API_URL": slack.api_url, "NCPI_CONFIG_DIR": str(CONFIG_DIR)}
    return subprocess.Popen([sys.executable, "-m", "bot", "tick", "--now", now.isoformat()], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_tick_killed_mid_fan_out_and_run_again_sends_each_prompt_once(slack: Any, loaded: Any,
                                                                       db_url: str) -> None:
    slack.set_fault_rates(slow=1.0, slow_seconds=0.15, methods=["chat.postMessage"])
    proc = _tick_process(db_url, slack, MARCH_1_0900)
    deadline = time.monotonic() + 60
    while len(slack.messages()) < 6 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    before = len(slack.messages())
    assert 0 < before < 35, "the kill should land mid fan-out"
    slack.set_fault_rates()
    # at once: the dead process's claims are still leased, so nothing of theirs is sent twice
    again = _tick_process(db_url, slack, MARCH_1_0900 + timedelta(seconds=5))
    assert again.wait(60) == 0, again.stderr.read() if again.stderr else ""
    # after the lease: its rows are looked up by metadata key and only the missing ones are sent
    later = _tick_process(db_url, slack, MARCH_1_0900 + LEASE + timedelta(seconds=5))
    out, err = later.communicate(timeout=60)
    assert later.returncode == 0, err
    counts = keys(slack)
    assert max(counts.values()) == 1
    assert sum(1 for k in counts if k.startswith("prompt:silver:20220308T1400Z:")) == 27
    assert len(prompts_by_user(slack)) == 8
    assert b"recovered=" in out
    engine = build_engine(db_url)
    with SqlUowFactory(engine)() as uow:
        states = Counter(r.state for r in uow.ledger.records(kinds=[Kind.PROMPT])
                         if r.meeting == "silver:20220308T1400Z")
    engine.dispose()
    assert states == {"sent": 27}


def test_schedule_cli_previews_march(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import json

    from bot.cli import main

    os.environ["NCPI_DATABASE_URL"] = f"sqlite:///{tmp_path / 'none.db'}"
    try:
        assert main(["schedule", "--from", "2022-03-01", "--to", "2022-03-31", "--format", "json"]) == 0
    finally:
        del os.environ["NCPI_DATABASE_URL"]
    items = json.loads(capsys.readouterr().out)
    gold = [i["local"][:10] for i in items if i["kind"] == "meeting" and i["to"] == "gold"]
    assert gold == ["2022-03-04", "2022-03-18"]
    prompts = {i["local"][:16] for i in items if i["kind"] == "prompt"}
    assert prompts == {"2022-03-01T09:00", "2022-03-15T09:00", "2022-03-29T09:00"}
    assert main(["schedule", "--from", "2022-03-01", "--to", "2022-03-10"]) == 0
    text = capsys.readouterr().out
    assert "Tue 01 Mar 2022 09:00  prompt" in text and "Gold summary post" in text
    assert main(["next", "--now", "2022-03-02T12:00"]) == 0
    assert "Silver — Tue 08 Mar 2022 14:00" in capsys.readouterr().out


def test_gold_summary_post_carries_the_chart(slack: Any, loaded: Any, force_config: ForceConfig) -> None:
    port = sender_for(slack, loaded, force_config)
    run_tick(loaded, force_config, port, utc(2022, 3, 3, 9), draw_chart=render_chart_png)  # Gold for Fri 4 March
    gold = [m for m in slack.messages(force_config.channel("gold", "slack")) if m.metadata]
    assert len(gold) == 1
    upload = [c for c in slack.calls_to("files.completeUploadExternal")]
    assert len(upload) == 1 and upload[0].params.get("channel_id") == force_config.channel("gold", "slack")
    assert upload[0].params.get("thread_ts") == gold[0].ts
    png = next(iter(slack.files.values()))
    assert png.startswith(b"\x89PNG")


def test_without_matplotlib_the_summary_goes_and_the_note_is_said_once(
        slack: Any, loaded: Any, force_config: ForceConfig) -> None:
    def no_matplotlib(_data: ChartData) -> bytes:
        raise ChartUnavailable()

    port = sender_for(slack, loaded, force_config)
    run_tick(loaded, force_config, port, utc(2022, 3, 3, 9), draw_chart=no_matplotlib)
    run_tick(loaded, force_config, port, utc(2022, 3, 17, 9), draw_chart=no_matplotlib)  # the next Gold summary
    gold = slack.messages(force_config.channel("gold", "slack"))
    summaries = [m for m in gold if m.metadata]
    notes = [m for m in gold if "chart is not attached" in m.text]
    assert len(summaries) == 2 and len(notes) == 1
    assert "force's IT" in notes[0].text and "pip" not in notes[0].text  # a channel is never told to run pip
    assert not slack.calls_to("files.completeUploadExternal")


def test_an_unreachable_slack_stops_the_tick_instead_of_queueing_behind_it(
        loaded: Any, force_config: ForceConfig) -> None:
    dead_end = build_web_client("xoxb-test", "http://127.0.0.1:9/api/", timeout=1, max_retries=1)
    port = DeliverySender(SlackGateway(dead_end, loaded), force_config)
    result = run_tick(loaded, force_config, port, MARCH_1_0900, senders=1)
    assert result.halted >= 1 and result.sent == 0
    assert result.failed < 27  # the rest waits for the next tick, with its attempts untouched
    with loaded() as uow:
        pending = [r for r in uow.ledger.records(states=["pending"]) if r.attempts == 0]
    assert pending
