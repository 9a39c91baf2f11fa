"""The delivery ledger through the Teams sender: proactive 1:1 prompts in each person's chat, nudges
answering their prompt, summaries in the Teams channels (the Gold chart as an image in the card, a
long summary in its first part's thread), Teams' 429s and 5xx, someone the app is not installed
for, and the send journal that makes a crash mid-summary neither repeat nor lose a part."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.standin.faults import Fault
from bot.standin.teams import TeamsStandIn, render_posted
from bot.teams.sender import journal_name
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import Kind, Recipient
from ncpi_core.domain.models import RAG
from ncpi_core.ports import Outgoing, SendFailed, SummaryContent
from ncpi_core.reports.chart import render_chart_png
from ncpi_core.usecases.summaries import summary_now
from ncpi_core.usecases.updates import UpdateCommand, record_update
from tests.teams.conftest import TeamsHarness, start_teams

SILVER_SUMMARY_AT = datetime(2022, 5, 3, 11, 0, tzinfo=UTC)  # 12:00 BST, two hours before Silver
GOLD_SUMMARY_AT = datetime(2022, 5, 12, 8, 0, tzinfo=UTC)  # 09:00 BST, a working day before Gold on 13 May


def _prompts(keys: list[str]) -> int:
    """How many of these ledger keys are prompts (a tick also sends the plan's clock reminders)."""
    return sum(1 for k in keys if k.startswith("prompt:"))


def _records(teams: TeamsHarness, kind: Kind) -> list[object]:
    with teams.core.uow() as uow:
        return list(uow.ledger.records(kinds=[kind]))


def test_prompts_go_to_each_persons_chat_once_and_nudges_answer_them(teams: TeamsHarness) -> None:
    first = teams.tick()
    assert _prompts(first.keys_sent) == 27 and first.failed == 0
    assert teams.tick().sent == 0  # a second tick owes nothing more
    prompts = [m for m in teams.bot_said("head_ld") if "Update needed" in render_posted(m)]
    assert len(prompts) == 5 and all(m.card() is not None for m in prompts)
    assert not [m for m in teams.bot_said("tacc") if "Update needed" in render_posted(m)]  # owns no action
    for record in _records(teams, Kind.PROMPT):
        assert record.state == "sent" and record.platform == "teams"  # type: ignore[attr-defined]
        assert record.where.conversation.startswith("a:")  # type: ignore[attr-defined]
    # next cycle's prompts, then two working days later a nudge to whoever did not answer
    teams.clock.set(datetime(2022, 5, 10, 8, 0, tzinfo=UTC))
    teams.tick()
    teams.message("head_ld", "R3.2 green 70% on course")
    teams.clock.set(datetime(2022, 5, 12, 8, 30, tzinfo=UTC))
    teams.tick()
    nudges = [m for m in teams.bot_said("head_ld") if "Reminder: no update yet" in render_posted(m)]
    assert nudges and not any("R3.2" in render_posted(m).splitlines()[1] for m in nudges)
    prompt_ids = {m.id for m in teams.bot_said("head_ld") if "Update needed" in render_posted(m)}
    assert all(n.reply_to in prompt_ids for n in nudges)  # each nudge answers its own prompt


def test_summaries_go_to_the_teams_channels_with_the_chart_as_an_image(teams: TeamsHarness) -> None:
    teams.tick()
    teams.clock.set(SILVER_SUMMARY_AT)
    teams.tick()
    silver = teams.channel("silver")
    assert silver and "Silver summary" in render_posted(silver[0]) and silver[0].thread is None
    teams.clock.set(GOLD_SUMMARY_AT)
    teams.tick(draw_chart=render_chart_png)
    (gold,) = [m for m in teams.channel("gold") if "Gold summary" in render_posted(m) and m.thread is None]
    card = gold.card()
    assert card is not None
    (image,) = [e for e in card["body"] if e["type"] == "Image"]
    assert image["altText"].startswith("Chart of") and "Now:" in image["altText"]  # the chart in words
    png = base64.b64decode(image["url"].split(",", 1)[1])
    with Image.open(io.BytesIO(png)) as chart:
        assert max(chart.size) <= 1024 and chart.format == "PNG"
    sent = [r for r in _records(teams, Kind.GOLD_SUMMARY) if r.state == "sent"]  # type: ignore[attr-defined]
    assert len(sent) == 1 and sent[0].where.message == gold.id  # type: ignore[attr-defined]


def _long_summary(teams: TeamsHarness) -> SummaryContent:
    config, now = teams.core.config, teams.clock()
    with teams.core.uow() as uow:
        actions = [a.id for a in uow.plan.actions()]
    for i, action_id in enumerate(actions):
        owner = teams.core.config.person(next(a.owner for a in _plan_actions(teams) if a.id == action_id))
        assert owner is not None
        cmd = UpdateCommand(action_id=action_id, rag=RAG.AMBER, progress=i, narrative=f"{action_id}: " + "slow " * 190,
                            blockers="supplier " * 60, source="dm")
        record_update(teams.core.uow, config, owner, cmd, now=now, today=now.date())
    summary = summary_now(teams.core.uow, config, now, "silver")
    return SummaryContent(level="silver", meeting_at=now + timedelta(hours=2), summary=summary)


def _plan_actions(teams: TeamsHarness) -> list[object]:
    with teams.core.uow() as uow:
        return list(uow.plan.actions())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_long_summary_is_split_in_a_thread_and_a_crash_mid_way_repeats_no_part(teams: TeamsHarness) -> None:
    message = Outgoing(key="silver_summary:test", kind=Kind.SILVER_SUMMARY, recipient=Recipient.of_body("silver"),
                       content=_long_summary(teams), tz=teams.core.tz)
    sender = teams.runtime.sender
    teams.standin.faults.fail_next("reply", Fault(status=503), count=20)  # part 2 cannot go
    with pytest.raises(SendFailed) as failed:
        sender.send(message)
    assert failed.value.outcome_unknown
    assert len(teams.channel("silver")) == 1  # part 1 went, and the journal says so
    assert sender.find_sent(message, teams.clock()) is None  # not all of it: it must be sent on
    teams.standin.faults.clear()
    ref = sender.send(message)  # the retry: the journal skips part 1
    posts = teams.channel("silver")
    roots = [m for m in posts if m.thread is None]
    assert len(roots) == 1 and ref.message == roots[0].id and len(posts) >= 3
    assert all(m.thread == roots[0].id for m in posts[1:])
    assert "Part 1 of" in render_posted(posts[0]) and f"Part {len(posts)} of {len(posts)}" in render_posted(posts[-1])
    assert sender.find_sent(message, teams.clock()) == ref  # after a crash now: found, not sent again
    with teams.core.uow() as uow:
        assert uow.state.get(journal_name("silver_summary:test")) is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_429_is_waited_out_for_its_retry_after_and_a_5xx_tried_again(teams: TeamsHarness) -> None:
    teams.standin.faults.fail_next("send", Fault(status=429, retry_after=1))
    teams.standin.faults.fail_next("send", Fault(status=502), count=2)
    result = teams.tick(senders=1)
    assert _prompts(result.keys_sent) == 27 and result.failed == 0 and result.dead == 0
    sends = teams.standin.calls_of("send")
    assert [c.status for c in sends[:4]] == [429, 502, 502, 201]
    assert sends[1].at - sends[0].at >= 1.0  # nobody posted before Retry-After had passed
    assert all(len([m for m in teams.bot_said(p) if "Update needed" in render_posted(m)]) == n
               for p, n in (("head_ld", 5), ("head_crime", 3)))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_someone_the_app_is_not_installed_for_is_reported_to_the_admins(teams: TeamsHarness) -> None:
    ld = teams.id("head_ld")
    teams.client.uninstall(ld)  # removed for them: Teams says so, the reference is forgotten
    result = teams.tick()
    assert result.dead == 5 and _prompts(result.keys_sent) == 22  # the prompts of the others went
    assert sum(1 for k in result.keys_sent if k.startswith("failure:")) == 5  # and a report of each failure
    reports = [m for m in teams.bot_said("coordinator") if "could not deliver a prompt" in render_posted(m)]
    assert len(reports) == 5 and ld in render_posted(reports[0])
    assert "not installed for them" in render_posted(reports[0])


def test_a_lost_reference_is_found_again_by_opening_the_chat(teams_config: ForceConfig, plan_file: PlanFile,
                                                             db_url: str) -> None:
    """Installed for everyone, but the bot never heard (it was down): Teams opens the chat on request."""
    from bot.bootstrap import ManualClock

    clock = ManualClock(datetime(2022, 5, 3, 8, 0, tzinfo=UTC))
    with TeamsStandIn.from_config(teams_config) as standin:
        core, runtime, server, _ = start_teams(standin, teams_config, plan_file, db_url, clock, install=False)
        try:
            from ncpi_core.usecases.ledger import run_tick

            result = run_tick(core.uow, core.config, runtime.sender, clock(), worker="test")
            assert _prompts(result.keys_sent) == 27 and result.failed == 0, result
            with core.uow() as uow:
                opened = uow.conversations.addresses("teams")
            assert len(opened) >= 8  # everyone with an action (and whoever else was owed a message)
            assert len(standin.calls_of("create")) == len(opened)  # each chat opened once
        finally:
            server.stop()
            runtime.gateway.close()
            core.engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_with_no_service_url_known_the_ledger_waits_instead_of_giving_up(teams_config: ForceConfig,
                                                                        plan_file: PlanFile, db_url: str,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.bootstrap import ManualClock
    from ncpi_core.usecases.ledger import run_tick

    clock = ManualClock(datetime(2022, 5, 3, 8, 0, tzinfo=UTC))
    with TeamsStandIn.from_config(teams_config) as standin:
        monkeypatch.setattr(standin, "settings", lambda: {k: v for k, v in TeamsStandIn.settings(standin).items()
                                                          if k != "NCPI_TEAMS_SERVICE_URL"})
        core, runtime, server, _ = start_teams(standin, teams_config, plan_file, db_url, clock, install=False)
        try:
            result = run_tick(core.uow, core.config, runtime.sender, clock(), worker="test")
            assert result.sent == 0 and result.dead == 0 and result.halted >= 1
            with core.uow() as uow:
                waiting = [r for r in uow.ledger.records(kinds=[Kind.PROMPT]) if r.state == "failed"]
            assert waiting and all(r.attempts == 0 for r in waiting)  # its attempt given back: it goes once
            assert not standin.bot_messages()                           # the app is added
        finally:
            server.stop()
            runtime.gateway.close()
            core.engine.dispose()
