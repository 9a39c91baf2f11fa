"""The plan's clocks (six-week action plan, the PCC's 56-day response) and the deadlines a plan
file sets: computed from `plan.published`, shown until they pass, reminded through the ledger;
actions planned after their recommendation's deadline flagged when the plan is loaded."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.slack.blocks.deliveries import Addresses, render
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.clocks import ClockKind, plan_clocks, running_clocks
from ncpi_core.domain.deadlines import late_actions
from ncpi_core.domain.deliveries import Facts, derive_owed
from ncpi_core.domain.ledger import Claim, Kind, Recipient
from ncpi_core.domain.preview import preview
from ncpi_core.ports import ClockReminderContent
from ncpi_core.reports.render import render_summary
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.ledger.content import ContentBuilder
from ncpi_core.usecases.plan import load_plan
from ncpi_core.usecases.summaries import summary_now

PUBLISHED = date(2022, 3, 29)


def test_the_clocks_count_calendar_days_from_publication() -> None:
    clocks = plan_clocks(PUBLISHED)
    assert [(c.kind, c.due) for c in clocks] == [(ClockKind.ACTION_PLAN, date(2022, 5, 10)),
                                                 (ClockKind.PCC_RESPONSE, date(2022, 5, 24))]
    assert plan_clocks(None) == []
    # shown until they pass: on its own day too, not the day after
    assert [c.kind for c in running_clocks(PUBLISHED, date(2022, 5, 10))] == [ClockKind.ACTION_PLAN,
                                                                             ClockKind.PCC_RESPONSE]
    assert [c.kind for c in running_clocks(PUBLISHED, date(2022, 5, 11))] == [ClockKind.PCC_RESPONSE]
    assert running_clocks(PUBLISHED, date(2022, 5, 25)) == []
    # another report, published in December: across the new year
    assert [c.due for c in plan_clocks(date(2023, 12, 14))] == [date(2024, 1, 25), date(2024, 2, 8)]


def _facts(config: ForceConfig, published: date | None) -> Facts:
    return Facts(actions=[], people={p.id: p for p in config.persons()}, latest={}, published=published)


def test_reminders_go_to_the_gold_chair_and_administrators_working_days_before(force_config: ForceConfig) -> None:
    # five working days before Tue 10 May 2022 is Tue 3 May (Monday 2 May is a bank holiday)
    early = derive_owed(force_config, _facts(force_config, PUBLISHED), datetime(2022, 5, 3, 7, 59, tzinfo=UTC),
                        "slack", meetings=[])
    assert early == []
    owed = derive_owed(force_config, _facts(force_config, PUBLISHED), datetime(2022, 5, 3, 8, 0, tzinfo=UTC),
                       "slack", meetings=[])
    assert [(o.kind, o.recipient, o.key) for o in owed] == [
        (Kind.CLOCK_REMINDER, Recipient.of_person("coordinator"), "clock_reminder:action_plan:2022-05-10:coordinator"),
        (Kind.CLOCK_REMINDER, Recipient.of_person("dcc"), "clock_reminder:action_plan:2022-05-10:dcc")]
    assert owed[0].due_at == datetime(2022, 5, 3, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert owed[0].expires_at == datetime(2022, 5, 10, 23, 0, tzinfo=UTC)  # the end of the clock's day
    later = derive_owed(force_config, _facts(force_config, PUBLISHED), datetime(2022, 5, 17, 9, tzinfo=UTC), "slack",
                        meetings=[])
    assert {o.payload["clock"] for o in later} == {"action_plan", "pcc_response"}  # the first stays, stale
    assert derive_owed(force_config, _facts(force_config, None), datetime(2022, 5, 17, 9, tzinfo=UTC), "slack",
                       meetings=[]) == []
    # long past: owed nothing at all
    assert derive_owed(force_config, _facts(force_config, PUBLISHED), datetime(2023, 1, 5, 9, tzinfo=UTC), "slack",
                       meetings=[]) == []


def test_the_timing_moves_the_reminder_and_the_preview_shows_the_clocks(force_config: ForceConfig) -> None:
    config = force_config.model_copy(update={"timings": force_config.timings.model_copy(
        update={"clock_reminder_working_days_before": 10})})
    owed = derive_owed(config, _facts(config, PUBLISHED), datetime(2022, 5, 17, 9, tzinfo=UTC), "slack", meetings=[])
    assert min(o.due_at for o in owed) == datetime(2022, 4, 25, 8, 0, tzinfo=UTC)  # 10 working days before 10 May
    items = preview(force_config, _facts(force_config, PUBLISHED), datetime(2022, 5, 1, tzinfo=UTC),
                    datetime(2022, 5, 31, tzinfo=UTC), "slack")
    assert [(p.kind, p.to, p.at.date()) for p in items if p.kind == "clock"] == [
        ("clock", "action_plan", date(2022, 5, 9)), ("clock", "pcc_response", date(2022, 5, 23))]  # 00:00 BST in UTC
    assert {p.to for p in items if p.kind == "clock_reminder"} == {"dcc", "coordinator"}


def test_the_gold_summary_shows_the_clocks_until_they_pass(force_config: ForceConfig, plan_file: PlanFile) -> None:
    world = MemoryUowFactory()
    with world() as uow:
        load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, tzinfo=UTC))
        uow.commit()
    gold = summary_now(world, force_config, datetime(2022, 5, 9, 9, tzinfo=UTC), "gold")
    assert [c.kind for c in gold.clocks] == [ClockKind.ACTION_PLAN, ClockKind.PCC_RESPONSE]
    text = render_summary(gold, "text")
    assert "The inspectorate's six-week date for the action plan: Tue 10 May 2022 (in 1 day" in text
    assert "The PCC's 56-day response (s55 Police Act 1996): Tue 24 May 2022 (in 15 days" in text
    assert summary_now(world, force_config, datetime(2022, 5, 9, 9, tzinfo=UTC), "silver").clocks == []
    assert [c.kind for c in summary_now(world, force_config, datetime(2022, 5, 11, 9, tzinfo=UTC),
                                        "gold").clocks] == [ClockKind.PCC_RESPONSE]
    # the reminder's content, and its words in Slack
    claim = Claim(1, "clock_reminder:action_plan:2022-05-10:dcc", Kind.CLOCK_REMINDER.value,
                  Recipient.of_person("dcc"), None, None, "dcc",
                  {"clock": "action_plan", "due": "2022-05-10", "published": "2022-03-29"}, 0, False,
                  datetime(2022, 5, 3, 8, tzinfo=UTC), None)
    out = ContentBuilder(world, force_config, datetime(2022, 5, 3, 8, tzinfo=UTC)).build(claim)
    assert out is not None and out.content == ClockReminderContent("action_plan", date(2022, 5, 10), PUBLISHED, 7)
    [(text, blocks)] = render(out, Addresses(force_config))
    assert text == "The inspectorate's six-week date for the action plan: Tue 10 May 2022 (in 7 days)"
    # a corrected publication date makes the old reminder stale (not sent with a wrong date)
    stale = Claim(2, "x", Kind.CLOCK_REMINDER.value, Recipient.of_person("dcc"), None, None, "dcc",
                  {"clock": "action_plan", "due": "2022-05-11", "published": "2022-03-30"}, 0, False,
                  datetime(2022, 5, 3, 8, tzinfo=UTC), None)
    assert ContentBuilder(world, force_config, datetime(2022, 5, 3, 8, tzinfo=UTC)).build(stale) is None


def test_actions_due_after_their_recommendations_deadline_are_flagged_when_the_plan_is_loaded(
        force_config: ForceConfig, plan_file: PlanFile) -> None:
    world = MemoryUowFactory()
    with world() as uow:
        report = load_plan(plan_file, force_config, uow, datetime(2022, 3, 1, tzinfo=UTC))
        uow.commit()
    r1 = next(line for line in report.lines() if line.startswith("warning: R1 "))
    assert r1 == ("warning: R1 is due 2022-03-29, but R1.1 is due 2022-04-30, R1.2 is due 2022-05-31, "
                  "R1.3 is due 2022-06-30: they cannot deliver R1 by its deadline")
    assert len([x for x in report.late if x.recommendation_id == "R6"]) == 1  # R6.3, due 30 September
    assert late_actions([("C1", date(2023, 7, 31), [("C1.1", date(2023, 7, 31)), ("C1.2", date(2023, 8, 1))])]) == [
        late_actions([("C1", date(2023, 7, 31), [("C1.2", date(2023, 8, 1))])])[0]]


def test_a_plan_without_a_publication_date_has_no_clocks(force_config: ForceConfig, plan_file: PlanFile) -> None:
    plan = plan_file.model_copy(update={"plan": plan_file.plan.model_copy(update={"published": None})})
    world = MemoryUowFactory()
    with world() as uow:
        load_plan(plan, force_config, uow, datetime(2022, 3, 1, tzinfo=UTC))
        uow.commit()
    assert summary_now(world, force_config, datetime(2022, 5, 9, 9, tzinfo=UTC), "gold").clocks == []
