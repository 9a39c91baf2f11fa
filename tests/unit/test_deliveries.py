"""Deriving what is owed: each delivery kind at its moment, absences, closed actions, the preview."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.calendar import WorkingDays, meetings_between
from ncpi_core.domain.deliveries import Facts, derive_owed, in_working_hours
from ncpi_core.domain.ledger import Kind, MessageRef, Owed, Recipient, Sent
from ncpi_core.domain.models import RAG, Action, ActionStatus, Body, Source, Update
from ncpi_core.domain.preview import preview
from ncpi_core.domain.records import Absence

LONDON = ZoneInfo("Europe/London")
SILVER_8_MARCH = "silver:20220308T1400Z"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def facts(force_config: ForceConfig, plan_file: PlanFile) -> Facts:
    actions = [Action(id=a.id, recommendation_id=r.id, title=a.title, owner=a.owner, deputy=a.deputy,
                      due=a.due, original_due=a.due)
               for r in plan_file.recommendations for a in r.actions]
    return Facts(actions=actions, people={p.id: p for p in force_config.persons()}, latest={})


def owed_at(config: ForceConfig, facts: Facts, now: datetime) -> dict[str, Owed]:
    return {o.key: o for o in derive_owed(config, facts, now, "slack")}


def only(owed: dict[str, Owed], kind: Kind, meeting: str | None = None) -> list[Owed]:
    return [o for o in owed.values() if o.kind == kind and (meeting is None or o.meeting == meeting)]


def mark_sent(facts: Facts, owed: list[Owed], at: datetime) -> None:
    for o in owed:
        facts.ledger[o.key] = Sent(o.key, "sent", o.person, at, MessageRef("D0TEST", f"{at.timestamp():.6f}"))


def test_prompts_open_five_working_days_before_silver_at_0900(force_config: ForceConfig, facts: Facts) -> None:
    before = owed_at(force_config, facts, utc(2022, 3, 1, 8, 59))
    assert only(before, Kind.PROMPT, SILVER_8_MARCH) == []
    at = owed_at(force_config, facts, utc(2022, 3, 1, 9))
    prompts = only(at, Kind.PROMPT, SILVER_8_MARCH)
    assert len(prompts) == len(facts.actions) == 27
    p = next(o for o in prompts if o.action_id == "R2.1")
    assert p.key == f"prompt:{SILVER_8_MARCH}:R2.1"
    assert p.recipient == Recipient.of_person("head_safeguarding") and p.person == "head_safeguarding"
    assert facts.people["head_safeguarding"].identity("slack") == "U0SAFE0001"
    assert p.due_at == utc(2022, 3, 1, 9) and p.expires_at == utc(2022, 3, 8, 14)


def test_closed_superseded_and_proposed_actions_get_nothing(force_config: ForceConfig, facts: Facts) -> None:
    statuses = {"R1.1": ActionStatus.CLOSED, "R1.2": ActionStatus.SUPERSEDED, "R1.3": ActionStatus.PROPOSED}
    facts.actions = [a.model_copy(update={"status": statuses.get(a.id, a.status)}) for a in facts.actions]
    owed = owed_at(force_config, facts, utc(2022, 3, 11, 9))
    ids = {o.action_id for o in owed.values() if o.action_id}
    ids |= {i for o in owed.values() for i in o.payload.get("action_ids", [])}
    assert not ids & set(statuses)
    assert "R2.1" in ids


def test_nudge_after_two_working_days_in_the_prompt_thread_unless_updated(force_config: ForceConfig,
                                                                         facts: Facts) -> None:
    prompts = only(owed_at(force_config, facts, utc(2022, 3, 1, 9)), Kind.PROMPT, SILVER_8_MARCH)
    assert only(owed_at(force_config, facts, utc(2022, 3, 3, 9)), Kind.NUDGE) == []  # prompt not sent yet
    mark_sent(facts, prompts, utc(2022, 3, 1, 9))
    assert only(owed_at(force_config, facts, utc(2022, 3, 3, 8, 59)), Kind.NUDGE) == []
    facts.latest["R2.1"] = Update(action_id="R2.1", rag=RAG.GREEN, source=Source.DM,
                                  created_at=utc(2022, 3, 2, 10))
    facts.latest["R2.2"] = Update(action_id="R2.2", rag=RAG.GREEN, source=Source.DM,
                                  created_at=utc(2022, 2, 20, 10))  # last cycle's: still owed
    nudges = only(owed_at(force_config, facts, utc(2022, 3, 3, 9)), Kind.NUDGE)
    assert len(nudges) == 26
    assert "R2.1" not in {n.action_id for n in nudges} and "R2.2" in {n.action_id for n in nudges}
    n = nudges[0]
    assert n.due_at == utc(2022, 3, 3, 9) and n.payload["thread_message"]
    assert n.payload["thread_conversation"] == "D0TEST"


def test_escalation_to_the_silver_chair_after_one_nudge(force_config: ForceConfig, facts: Facts) -> None:
    prompts = only(owed_at(force_config, facts, utc(2022, 3, 1, 9)), Kind.PROMPT, SILVER_8_MARCH)
    mark_sent(facts, prompts, utc(2022, 3, 1, 9))
    nudges = only(owed_at(force_config, facts, utc(2022, 3, 3, 9)), Kind.NUDGE)
    mark_sent(facts, nudges[:3], utc(2022, 3, 3, 9))  # only three nudges went out
    assert only(owed_at(force_config, facts, utc(2022, 3, 4, 17)), Kind.ESCALATION) == []
    esc = only(owed_at(force_config, facts, utc(2022, 3, 7, 9)), Kind.ESCALATION)
    assert [(e.person, e.recipient) for e in esc] == [("tacc", Recipient.of_person("tacc"))]
    assert sorted(m["action_id"] for m in esc[0].payload["missing"]) == sorted(n.action_id for n in nudges[:3])
    assert esc[0].key == f"escalation:{SILVER_8_MARCH}:tacc" and esc[0].expires_at == utc(2022, 3, 8, 14)


def test_summaries_and_gold_reminders_at_their_moments(force_config: ForceConfig, facts: Facts) -> None:
    silver = only(owed_at(force_config, facts, utc(2022, 3, 8, 12)), Kind.SILVER_SUMMARY, SILVER_8_MARCH)
    assert [(s.recipient, s.due_at) for s in silver] == [(Recipient.of_body(Body.SILVER), utc(2022, 3, 8, 12))]
    assert force_config.channel(Body.SILVER, "slack") == "C0SILVER01"
    assert only(owed_at(force_config, facts, utc(2022, 3, 8, 11, 59)), Kind.SILVER_SUMMARY, SILVER_8_MARCH) == []
    gold = "gold:20220318T1000Z"
    reminders = only(owed_at(force_config, facts, utc(2022, 3, 11, 9)), Kind.GOLD_REMINDER, gold)
    assert {r.person for r in reminders} == {a.owner for a in facts.actions}
    assert all(r.due_at == utc(2022, 3, 11, 9) for r in reminders)
    assert reminders[0].payload["updates_by"] == utc(2022, 3, 17, 9).isoformat()
    summary = only(owed_at(force_config, facts, utc(2022, 3, 17, 9)), Kind.GOLD_SUMMARY, gold)
    assert [(s.recipient, s.due_at, s.expires_at) for s in summary] == [
        (Recipient.of_body(Body.GOLD), utc(2022, 3, 17, 9), utc(2022, 3, 18, 10))]


def test_owner_away_prompt_goes_to_the_deputy_and_nobody_is_nudged(force_config: ForceConfig,
                                                                    facts: Facts) -> None:
    facts.absences = [Absence("business_insight", date(2022, 2, 28), date(2022, 3, 4), deputy=None),
                      Absence("head_crime", date(2022, 3, 2), date(2022, 3, 2))]
    prompts = {o.action_id: o for o in only(owed_at(force_config, facts, utc(2022, 3, 1, 9)), Kind.PROMPT,
                                            SILVER_8_MARCH)}
    assert prompts["R1.2"].person == "head_customer_contact"  # the plan's deputy of R1.2
    assert prompts["R1.2"].payload["on_behalf_of"] == "business_insight"
    assert prompts["R3.1"].person == "business_insight"  # no deputy anywhere: the owner still gets it
    mark_sent(facts, list(prompts.values()), utc(2022, 3, 1, 9))
    nudged = {o.action_id for o in only(owed_at(force_config, facts, utc(2022, 3, 3, 9)), Kind.NUDGE)}
    assert "R3.1" not in nudged  # business_insight away in the window
    assert "R6.1" not in nudged  # head_crime away one day in the window
    assert "R1.2" in nudged  # the deputy, who is not away
    with_deputy = [Absence("head_safeguarding", date(2022, 3, 1), date(2022, 3, 1), deputy="head_ld")]
    facts.absences = with_deputy
    p = only(owed_at(force_config, facts, utc(2022, 3, 1, 9)), Kind.PROMPT, SILVER_8_MARCH)
    assert {o.person for o in p if o.action_id == "R2.1"} == {"head_ld"}


def test_prompts_and_reminders_never_on_a_weekend_or_bank_holiday_all_year(force_config: ForceConfig,
                                                                           facts: Facts) -> None:
    wd = WorkingDays()
    items = preview(force_config, facts, utc(2022, 1, 1), utc(2022, 12, 31, 23), "slack")
    personal = [p for p in items if p.kind in ("prompt", "nudge", "escalation", "gold_reminder")]
    assert len({p.at for p in personal}) > 60
    for p in personal:
        local = p.at.astimezone(LONDON)
        assert wd.is_working(local.date()), p
        assert (local.hour, local.minute) == (9, 0), p
    # the Jubilee: Silver Tue 14 June opens Tue 7 June; Gold Fri 10 June reminders on Fri 1 June
    assert utc(2022, 6, 7, 8) in {p.at for p in personal if p.kind == "prompt"}
    assert utc(2022, 6, 1, 8) in {p.at for p in personal if p.kind == "gold_reminder"}


def test_keys_are_unique_and_stable_across_ticks(force_config: ForceConfig, facts: Facts) -> None:
    a = derive_owed(force_config, facts, utc(2022, 3, 15, 10), "slack")
    b = derive_owed(force_config, facts, utc(2022, 3, 15, 10), "slack")
    assert len({o.key for o in a}) == len(a) and [o.key for o in a] == [o.key for o in b]


def test_expired_items_are_derived_so_the_ledger_records_them_stale(force_config: ForceConfig,
                                                                     facts: Facts) -> None:
    owed = owed_at(force_config, facts, utc(2022, 3, 10, 9))
    summary = next(o for o in owed.values() if o.kind == Kind.SILVER_SUMMARY and o.meeting == SILVER_8_MARCH)
    assert summary.expires_at is not None and summary.expires_at < utc(2022, 3, 10, 9)
    # and nothing is derived for a meeting long gone
    assert not [o for o in owed.values() if o.meeting and o.meeting < "silver:20220201"
                and o.meeting.startswith("silver")]


def test_working_hours_for_personal_messages(force_config: ForceConfig) -> None:
    assert in_working_hours(utc(2022, 3, 1, 9), force_config)
    assert not in_working_hours(utc(2022, 3, 1, 8, 59), force_config)
    assert not in_working_hours(utc(2022, 3, 5, 12), force_config)  # Saturday
    assert not in_working_hours(utc(2022, 6, 2, 12), force_config)  # Jubilee
    assert in_working_hours(utc(2022, 3, 28, 8), force_config)  # 09:00 BST
    assert not in_working_hours(utc(2022, 3, 1, 19), force_config)


def test_preview_matches_the_meetings(force_config: ForceConfig, facts: Facts) -> None:
    items = preview(force_config, facts, utc(2022, 3, 1), utc(2022, 3, 31, 23), "slack")
    meetings = [p for p in items if p.kind == "meeting"]
    assert len(meetings) == len(meetings_between(force_config, utc(2022, 3, 1), utc(2022, 3, 31, 23)))
    kinds = {p.kind for p in items}
    assert kinds == {"meeting", "prompt", "nudge", "escalation", "silver_summary", "gold_reminder",
                     "gold_summary"}
    assert all(p.conditional for p in items if p.kind in ("nudge", "escalation"))
    assert max(p.at for p in items) <= utc(2022, 3, 31, 23) and min(p.at for p in items) >= utc(2022, 3, 1)
    assert timedelta(0) < utc(2022, 3, 8, 14) - utc(2022, 3, 1, 9)


def test_people_and_bodies_without_an_address_on_the_platform_are_owed_nothing(force_config: ForceConfig,
                                                                               facts: Facts) -> None:
    facts.people["head_safeguarding"] = facts.people["head_safeguarding"].model_copy(update={"identities": {}})
    owed = owed_at(force_config, facts, utc(2022, 3, 8, 12))
    prompts = only(owed, Kind.PROMPT, SILVER_8_MARCH)
    owned = sum(a.owner == "head_safeguarding" for a in facts.actions)
    assert owned and len(prompts) == 27 - owned  # none for the actions of someone with no id on it
    assert "head_safeguarding" not in {o.person for o in prompts}
    assert only(owed, Kind.SILVER_SUMMARY, SILVER_8_MARCH)
    assert derive_owed(force_config, facts, utc(2022, 3, 8, 12), "teams") == []  # no ids, no channels there
