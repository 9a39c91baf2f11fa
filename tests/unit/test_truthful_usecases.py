"""Issue 16's use cases on the in-memory store with the North Yorkshire plan: unverified greens,
challenges answered like a prompt, Gold's decision log, embedding after the demonstration period,
and refusals that store nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.copy import SLACK, error_text, history_detail, history_what, notice_text, outcome_text
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.ledger import Kind, MessageRef, Recipient
from ncpi_core.domain.models import RAG, ActionStatus, Person, Source
from ncpi_core.domain.summaries.model import DecisionKind, ExceptionKind, RollUp, Summary
from ncpi_core.errors import InvalidInput, InvalidTransition, NcpiError, NotFound, PermissionDenied
from ncpi_core.ports import ChallengeContent
from ncpi_core.reports.render import render_summary
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases import challenges, closure, decisions, embedding
from ncpi_core.usecases.exports import build_export
from ncpi_core.usecases.history import history
from ncpi_core.usecases.ledger.content import ContentBuilder
from ncpi_core.usecases.summaries import summary_now
from ncpi_core.usecases.updates import UpdateCommand, record_update, thread_action
from tests.unit.governance_world import loaded, who


def utc(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


def when(at: datetime) -> dict[str, Any]:
    return {"now": at, "today": at.date()}


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return loaded(force_config, plan_file)


def click(world: MemoryUowFactory, config: ForceConfig, owner: str, aid: str, at: datetime) -> None:
    """The prompt's "On track, no change": Green, last progress kept, no words."""
    record_update(world, config, who(config, owner), UpdateCommand(action_id=aid, rag=RAG.GREEN, keep_progress=True,
                  source=Source.BUTTON, idempotency_key=f"click:{aid}:{at}"), **when(at))


def say(world: MemoryUowFactory, config: ForceConfig, owner: str, aid: str, rag: RAG, narrative: str,
        at: datetime, progress: int | None = None) -> Any:
    return record_update(world, config, who(config, owner), UpdateCommand(
        action_id=aid, rag=rag, progress=progress, narrative=narrative, source=Source.DM), **when(at))


def gold(world: MemoryUowFactory, config: ForceConfig, at: datetime) -> Summary:
    return summary_now(world, config, at, "gold")


def silver(world: MemoryUowFactory, config: ForceConfig, at: datetime) -> Summary:
    return summary_now(world, config, at, "silver")


def counts(world: MemoryUowFactory) -> tuple[int, ...]:
    """Everything these use cases may write, so that a refusal can be shown to store nothing."""
    with world() as uow:
        return (len(uow.challenges.open()), len(uow.decisions.all()), len(uow.embeddings.all()),
                len(uow.audit.trail()), len(uow.ledger.records()), len(list(uow.updates.all())))


def refused(world: MemoryUowFactory, step: Callable[[], object]) -> NcpiError:
    before = counts(world)
    with pytest.raises(NcpiError) as err:
        step()
    assert counts(world) == before, "a refusal stored something"
    return err.value


# --- unverified greens ----------------------------------------------------------------------------
def test_green_kept_by_clicks_with_no_words_for_more_than_a_cycle_is_unverified(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    first = utc(2022, 3, 15, 10, 30)  # the 22 March cycle opened 15 March 09:00
    for aid in ("R2.2", "R5.1", "R5.2"):
        click(world, force_config, "head_safeguarding", aid, first)
    say(world, force_config, "head_ld", "R3.2", RAG.GREEN, "first cohort trained", first, 70)
    # within the cycle it began in, a wordless Green is not yet unverified
    assert silver(world, force_config, utc(2022, 3, 22, 11)).unverified == 0
    # R5.2 says something in the next cycle; R3.2 is clicked on after its words
    second = utc(2022, 3, 29, 10)  # the 5 April cycle opened 29 March 09:00 BST
    say(world, force_config, "head_safeguarding", "R5.2", RAG.GREEN, "standard agreed with two partners", second)
    click(world, force_config, "head_ld", "R3.2", second)
    s = silver(world, force_config, utc(2022, 3, 31, 8))
    lines = {a.id: a for a in s.actions}
    assert {aid for aid, a in lines.items() if a.unverified} == {"R2.2", "R5.1"}
    assert lines["R5.1"].unverified is not None and lines["R5.1"].unverified.cycles == 2
    assert lines["R5.1"].unverified.since == first.astimezone(force_config.tz)
    g = gold(world, force_config, utc(2022, 3, 31, 8))
    assert [e.action_id for e in g.exceptions_of(ExceptionKind.UNVERIFIED)] == ["R2.2", "R5.1"]
    text = render_summary(s, "text")
    assert "Green 4 (2 unverified)" in text
    assert "R5.1 Unverified: Green with no narrative or evidence since 15 Mar 2022 (2 cycles)" in text
    # words answer it
    say(world, force_config, "head_safeguarding", "R5.1", RAG.GREEN, "attendance monitored weekly since March",
        utc(2022, 3, 31, 9))
    assert {a.id for a in silver(world, force_config, utc(2022, 3, 31, 10)).actions if a.unverified} == {"R2.2"}


@pytest.mark.parametrize(("after", "expected"), [(0, {"R2.2"}), (1, {"R2.2"}), (2, set())])
def test_the_number_of_cycles_is_a_timing(world: MemoryUowFactory, force_config: ForceConfig, after: int,
                                          expected: set[str]) -> None:
    config = force_config.model_copy(update={"timings": force_config.timings.model_copy(
        update={"unverified_green_after_cycles": after})})
    click(world, config, "head_safeguarding", "R2.2", utc(2022, 3, 15, 10))
    assert {a.id for a in silver(world, config, utc(2022, 3, 30, 9)).actions if a.unverified} == expected


# --- challenges -----------------------------------------------------------------------------------
def test_a_challenge_is_owed_to_the_owner_shown_until_answered_and_the_chair_told(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    tacc = who(force_config, "tacc")
    click(world, force_config, "head_safeguarding", "R2.2", utc(2022, 3, 15, 10))
    out = challenges.ask(world, force_config, tacc, "r2.2", "What shows supervisors review every episode?",
                         **when(utc(2022, 3, 22, 15)))
    assert outcome_text(out, SLACK).startswith("Asked Head of Safeguarding about R2.2")
    with world() as uow:
        [row] = uow.ledger.records(kinds=[Kind.CHALLENGE])
        [open_] = uow.challenges.open()
    assert (row.recipient, row.action_id, row.key) == (Recipient.of_person("head_safeguarding"), "R2.2",
                                                       f"challenge:{open_.id}:head_safeguarding")
    assert out.delivery_keys == [row.key] and open_.update_id is not None
    content = ContentBuilder(world, force_config, utc(2022, 3, 22, 15, 1)).build(_claim(row))
    assert content is not None and isinstance(content.content, ChallengeContent)
    assert content.content.question == "What shows supervisors review every episode?"
    assert content.content.asked_by == "T/ACC" and content.content.latest is not None
    # shown in both summaries until answered
    for s in (silver(world, force_config, utc(2022, 3, 23, 9)), gold(world, force_config, utc(2022, 3, 23, 9))):
        assert [e.action_id for e in s.exceptions_of(ExceptionKind.CHALLENGED)] == ["R2.2"]
    line = next(a for a in silver(world, force_config, utc(2022, 3, 23, 9)).actions if a.id == "R2.2")
    assert line.challenge is not None and line.challenge.asked_by_name == "T/ACC"
    # a reply in the challenge's thread is an update to its action
    with world() as uow:
        [claim] = uow.ledger.claim_keys([row.key], utc(2022, 3, 22, 15), "t", utc(2022, 3, 22, 16))
        uow.ledger.mark_sent(claim.id, "t", "slack", MessageRef("D0SAFE", "171.0001"), utc(2022, 3, 22, 15))
        uow.commit()
    assert thread_action(world, "slack", MessageRef("D0SAFE", "171.0001")) == "R2.2"
    # a click with no words does not answer it
    click(world, force_config, "head_safeguarding", "R2.2", utc(2022, 3, 23, 9, 30))
    assert silver(world, force_config, utc(2022, 3, 23, 10)).exceptions_of(ExceptionKind.CHALLENGED)
    answered = say(world, force_config, "head_safeguarding", "R2.2", RAG.GREEN,
                   "dip-sample of 40 episodes: 38 reviewed by a supervisor", utc(2022, 3, 23, 11))
    assert [(n.person, n.code) for n in answered.notices] == [("tacc", "challenge.answered")]
    assert notice_text(answered.notices[0], SLACK).startswith("Head of Safeguarding answered your challenge on R2.2")
    assert silver(world, force_config, utc(2022, 3, 23, 12)).exceptions_of(ExceptionKind.CHALLENGED) == []
    assert ContentBuilder(world, force_config, utc(2022, 3, 23, 12)).build(_claim(row)) is None  # not sent late
    steps = [history_what(e) for e in history(world, force_config, tacc, "R2.2").entries]
    assert "challenged by Silver" in steps and "challenge answered" in steps
    # once answered, a new question may be asked
    challenges.ask(world, force_config, tacc, "R2.2", "And the other 2?", **when(utc(2022, 3, 24, 9)))


def _claim(row: Any) -> Any:
    from ncpi_core.domain.ledger import Claim

    return Claim(row.id, row.key, row.kind, row.recipient, row.meeting, row.action_id, row.person, row.payload,
                 0, False, row.due_at, None)


def test_a_challenge_goes_to_whoever_covers_for_an_absent_owner(world: MemoryUowFactory,
                                                                force_config: ForceConfig) -> None:
    from ncpi_core.usecases import absences

    absences.set_away(world, force_config, who(force_config, "head_safeguarding"), "2022-03-21", "2022-03-25",
                      "head_crime", **when(utc(2022, 3, 18)))
    challenges.ask(world, force_config, who(force_config, "tacc"), "R2.1", "Has the local authority replied?",
                   **when(utc(2022, 3, 22, 15)))
    with world() as uow:
        [row] = uow.ledger.records(kinds=[Kind.CHALLENGE])
    assert row.person == "head_crime" and row.payload["on_behalf_of"] == "head_safeguarding"


@pytest.mark.parametrize(("actor", "action_id", "question", "code"), [
    ("head_ld", "R3.2", "Is the training evaluated?", "role.required"),  # a Bronze lead
    ("dcc", "R3.2", "Is the training evaluated?", "role.required"),  # the Gold chair: not Silver's question
    ("tacc", "R99.9", "Is the training evaluated?", "action.not_found"),
    ("tacc", "R3.2", "", "text.missing"),
    ("tacc", "R3.2", "Did the officer speak to Jane Smith (DOB 03/04/2015)?", "text.personal_data"),
    ("tacc", "R3.2", "x" * 3001, "text.too_long"),
])
def test_a_challenge_refused_stores_nothing(world: MemoryUowFactory, force_config: ForceConfig, actor: str,
                                           action_id: str, question: str, code: str) -> None:
    err = refused(world, lambda: challenges.ask(world, force_config, who(force_config, actor), action_id, question,
                                                **when(utc(2022, 3, 22, 15))))
    assert err.code == code and error_text(err, SLACK)


def test_one_open_challenge_per_action_and_none_on_a_closed_one(world: MemoryUowFactory,
                                                                force_config: ForceConfig) -> None:
    tacc = who(force_config, "tacc")
    challenges.ask(world, force_config, tacc, "R3.2", "Is the training evaluated?", **when(utc(2022, 3, 22)))
    err = refused(world, lambda: challenges.ask(world, force_config, tacc, "R3.2", "And?", **when(utc(2022, 3, 23))))
    assert isinstance(err, InvalidTransition) and err.code == "challenge.already_open"
    assert "already has an open challenge from T/ACC" in error_text(err, SLACK)
    _deliver(world, force_config, "R4.1", utc(2022, 3, 16))
    err = refused(world, lambda: challenges.ask(world, force_config, tacc, "R4.1", "Really?", **when(utc(2022, 3, 23))))
    assert err.code == "action.wrong_status"


# --- Gold's decision log ------------------------------------------------------------------------
def test_a_decision_clears_decision_needed_shows_since_the_meeting_in_history_and_audit(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    dcc = who(force_config, "dcc")
    say(world, force_config, "head_crime", "R7.1", RAG.RED, "screening tool procurement delayed",
        utc(2022, 3, 15, 10), 20)
    g = gold(world, force_config, utc(2022, 3, 31, 8))  # the Gold summary before Gold on 1 April
    needed = {(e.action_id, e.decision.kind) for e in g.exceptions_of(ExceptionKind.DECISION) if e.decision}
    assert {("R1", DecisionKind.OVERDUE), ("R2", DecisionKind.OVERDUE), ("R7.1", DecisionKind.RED)} <= needed
    text = render_summary(g, "markdown", hint=lambda d: f" (decision {d.action_id})")
    assert "missed its deadline 2022-03-29" in text
    # at the meeting (Gold, Fri 1 April 10:00 BST), the Gold chair records two decisions
    out = decisions.record_decision(world, force_config, dcc, "r1", "Accept revised dates to 30 June",
                                    "partner consultation on the control-room guidance", **when(utc(2022, 4, 1, 9, 40)))
    assert out.params["overdue_cleared"] and "It answers the decision the summaries asked for" in outcome_text(out, SLACK)
    decisions.record_decision(world, force_config, dcc, "R7", "Fund the screening tool from the reserve",
                              "procurement slipped to July", **when(utc(2022, 4, 1, 9, 45)))
    g = gold(world, force_config, utc(2022, 4, 7, 8))  # the next Gold summary (Gold on 8 April)
    needed = {(e.action_id, e.decision.kind) for e in g.exceptions_of(ExceptionKind.DECISION) if e.decision}
    assert ("R1", DecisionKind.OVERDUE) not in needed and ("R7.1", DecisionKind.RED) not in needed
    assert ("R2", DecisionKind.OVERDUE) in needed
    assert [(d.subject, d.by_name) for d in g.movement.decisions] == [("R1", "Deputy Chief Constable"),
                                                                      ("R7", "Deputy Chief Constable")]
    assert "Gold decision on R1 (Deputy Chief Constable" in render_summary(g, "text")
    assert [d.subject for d in silver(world, force_config, utc(2022, 4, 5, 11)).movement.decisions] == ["R1", "R7"]
    # a new Red update after the decision asks again
    say(world, force_config, "head_crime", "R7.1", RAG.RED, "supplier withdrew", utc(2022, 4, 6, 10), 20)
    assert ("R7.1", DecisionKind.RED) in {(e.action_id, e.decision.kind) for e in gold(
        world, force_config, utc(2022, 4, 7, 8)).exceptions_of(ExceptionKind.DECISION) if e.decision}
    # in every action's history of the recommendation, and in the export's audit
    entry = next(e for e in history(world, force_config, dcc, "R1.2").entries if e.event == "decision")
    assert history_what(entry) == "Gold decision"
    assert history_detail(entry) == ("on R1: Accept revised dates to 30 June; rationale: partner consultation on "
                                     "the control-room guidance")
    audit = build_export(world, force_config, utc(2022, 4, 7)).audit
    assert [(a.entity_id, a.new, a.reason) for a in audit if a.event == "decision"][0] == (
        "R1", "Accept revised dates to 30 June", "partner consultation on the control-room guidance")


@pytest.mark.parametrize(("actor", "subject", "decision", "rationale", "code"), [
    ("tacc", "R1", "Accept the dates", "partners", "role.required"),  # the Silver chair
    ("head_crime", "R1", "Accept the dates", "partners", "role.required"),
    ("dcc", "R99", "Accept the dates", "partners", "decision.subject_not_found"),
    ("dcc", "R1", "Accept the dates", "", "text.missing"),
    ("dcc", "R1", "", "partners", "text.missing"),
    ("dcc", "R1", "Call 07700 900123 about the boy", "partners", "text.personal_data"),
])
def test_a_decision_refused_stores_nothing(world: MemoryUowFactory, force_config: ForceConfig, actor: str,
                                          subject: str, decision: str, rationale: str, code: str) -> None:
    err = refused(world, lambda: decisions.record_decision(world, force_config, who(force_config, actor), subject,
                                                           decision, rationale, **when(utc(2022, 4, 1))))
    assert err.code == code and error_text(err, SLACK)


def test_an_administrator_may_record_a_decision_on_an_action(world: MemoryUowFactory,
                                                             force_config: ForceConfig) -> None:
    out = decisions.record_decision(world, force_config, who(force_config, "coordinator"), "R2.3",
                                    "Escalate to the partnership board", "no reply from partners in six weeks",
                                    **when(utc(2022, 4, 1)))
    assert out.params["subject"] == "R2.3" and out.params["recommendation_id"] == "R2"
    assert [n.person for n in out.notices] == ["head_safeguarding"]  # the owner is told


# --- delivered vs embedded ----------------------------------------------------------------------
def _deliver(world: MemoryUowFactory, config: ForceConfig, aid: str, at: datetime) -> None:
    owner = who(config, "head_cjc")
    closure.propose_complete(world, config, owner, aid, "https://intranet/custody/audit.pdf", **when(at))
    closure.approve(world, config, who(config, "tacc"), aid, **when(at + timedelta(hours=1)))
    closure.signoff(world, config, who(config, "dcc"), aid, **when(at + timedelta(hours=2)))


def test_embedding_after_the_demonstration_period_counts_apart_and_completes_only_when_all_are(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    tacc = who(force_config, "tacc")
    _deliver(world, force_config, "R4.1", utc(2022, 3, 16))
    err = refused(world, lambda: embedding.embed(world, force_config, tacc, "R4.1", "re-audit", **when(
        utc(2022, 5, 1))))
    assert err.code == "embed.too_soon" and err.params["earliest"] == "2022-06-14"
    assert "can be recorded as embedded from 2022-06-14, after the 90-day demonstration period" in error_text(
        err, SLACK)
    out = embedding.embed(world, force_config, tacc, "R4.1", "re-audit: every child detained overnight reviewed",
                          "2022-06-20", **when(utc(2022, 6, 21)))
    assert out.action is not None and out.action.status is ActionStatus.EMBEDDED
    assert out.recommendation_complete is None  # R4.2 is still open
    s = silver(world, force_config, utc(2022, 6, 21, 12))
    r4 = next(r for r in s.recommendations if r.id == "R4")
    assert s.totals["embedded"] == 1 and not r4.complete
    line = next(a for a in r4.actions if a.id == "R4.1")
    assert line.embedding is not None and line.embedding.retested_on == date(2022, 6, 20)
    assert "re-tested 20 Jun 2022" in render_summary(s, "text")
    assert s.movement.newly_embedded == ["R4.1"] and "Newly embedded: R4.1" in render_summary(s, "text")
    with world() as uow:
        assert uow.embeddings.get("R4.1") is not None


@pytest.mark.parametrize(("actor", "action_id", "impact", "retested", "code"), [
    ("head_cjc", "R4.1", "re-audit", None, "role.required"),  # the owner may not embed their own
    ("dcc", "R4.1", "re-audit", None, "role.required"),
    ("tacc", "R4.2", "re-audit", None, "action.wrong_status"),  # open, not delivered
    ("tacc", "R9.9", "re-audit", None, "action.not_found"),
    ("tacc", "R4.1", "", None, "text.missing"),
    ("tacc", "R4.1", "Re-audit of crime ref 12/34567/22", None, "text.personal_data"),
    ("tacc", "R4.1", "re-audit", "2022-12-01", "embed.retest_in_future"),
    ("tacc", "R4.1", "re-audit", "2022-03-01", "embed.retest_before_delivery"),
    ("tacc", "R4.1", "re-audit", "1st of June", "date.unreadable"),
])
def test_an_embedding_refused_stores_nothing(world: MemoryUowFactory, force_config: ForceConfig, actor: str,
                                            action_id: str, impact: str, retested: str | None, code: str) -> None:
    _deliver(world, force_config, "R4.1", utc(2022, 3, 16))
    err = refused(world, lambda: embedding.embed(world, force_config, who(force_config, actor), action_id, impact,
                                                 retested, **when(utc(2022, 7, 1))))
    assert err.code == code and error_text(err, SLACK)


def test_an_administrator_may_embed_and_the_last_one_completes_the_recommendation(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    admin: Person = who(force_config, "coordinator")
    _deliver(world, force_config, "R4.1", utc(2022, 3, 16))
    closure.supersede(world, force_config, who(force_config, "tacc"), "R4.2", "replaced by the regional protocol",
                      **when(utc(2022, 3, 17)))
    out = embedding.embed(world, force_config, admin, "R4.1", "re-audit: all reviewed", **when(utc(2022, 6, 30)))
    assert out.recommendation_complete == "R4"
    r4 = next(r for r in gold(world, force_config, utc(2022, 6, 30, 12)).recommendations if r.id == "R4")
    assert r4.complete and r4.rollup is RollUp.COMPLETE
    assert isinstance(refused(world, lambda: embedding.embed(world, force_config, admin, "R4.1", "again",
                                                             **when(utc(2022, 7, 1)))), InvalidTransition)


def test_refusal_types_are_the_cores(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    with pytest.raises(PermissionDenied):
        challenges.ask(world, force_config, who(force_config, "head_ld"), "R3.2", "?", **when(utc(2022, 3, 22)))
    with pytest.raises(NotFound):
        decisions.record_decision(world, force_config, who(force_config, "dcc"), "Z1", "d", "r",
                                  **when(utc(2022, 3, 22)))
    with pytest.raises(InvalidInput):
        embedding.embed(world, force_config, who(force_config, "tacc"), "R4.1", "", **when(utc(2022, 3, 22)))
