"""Issue 17's roles and scrutiny on the in-memory store with the North Yorkshire plan: the PCC's
assurance, the inspectorate's status trail, and observers who read but never act."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.copy import SLACK, TEAMS, error_text, notice_text, outcome_text
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.models import RAG, Source
from ncpi_core.domain.scrutiny import Assurance, InspectorateStatus
from ncpi_core.domain.summaries.model import ExceptionKind
from ncpi_core.errors import NcpiError
from ncpi_core.reports.render import render_summary
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases import absences, challenges, closure, decisions, embedding, scrutiny
from ncpi_core.usecases.history import history
from ncpi_core.usecases.summaries import summary_now
from ncpi_core.usecases.updates import UpdateCommand, record_update
from tests.unit.governance_world import loaded, trail, who


def utc(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def when(at: datetime) -> dict[str, Any]:
    return {"now": at, "today": at.date()}


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return loaded(force_config, plan_file)


def refused(world: MemoryUowFactory, step: Callable[[], object]) -> NcpiError:
    before = (trail(world, "recommendation"), trail(world))
    with pytest.raises(NcpiError) as caught:
        step()
    assert (trail(world, "recommendation"), trail(world)) == before  # nothing stored half-way
    return caught.value


def test_the_pcc_rates_a_recommendation_kept_with_history_and_shown_to_gold(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    pcc = who(force_config, "opfcc")
    assert pcc.read_only
    first = scrutiny.rate(world, force_config, pcc, "r4", "partly assured training done, audit not yet",
                          now=utc(2022, 4, 20))
    assert first.params["rating"] == "partly" and first.params["comment"] == "training done, audit not yet"
    assert "Recorded the PCC's assurance of R4: partly assured" in outcome_text(first, SLACK)
    assert [n.person for n in first.notices] == ["dcc"]  # the Gold chair is told
    assert notice_text(first.notices[0], TEAMS).startswith("OPFCC Head of Policy rated R4")
    second = scrutiny.rate(world, force_config, pcc, "R4", "assured the re-audit shows the change",
                           now=utc(2022, 6, 1))
    assert second.params["previous"] == "partly assured"
    with world() as uow:
        assert [a.rating for a in uow.assurances.all("R4")] == [Assurance.PARTLY, Assurance.ASSURED]
    entries = [e for e in trail(world, "recommendation", "R4") if e.event == "assurance"]
    assert [(e.old, e.new, e.actor) for e in entries] == [(None, "partly", "opfcc"), ("partly", "assured", "opfcc")]
    g = summary_now(world, force_config, utc(2022, 6, 2), "gold")
    r4 = next(r for r in g.recommendations if r.id == "R4")
    assert r4.assurance is not None and r4.assurance.words == "assured"
    assert r4.assurance.text == "the re-audit shows the change" and r4.assurance.by_name == "OPFCC Head of Policy"
    for fmt in ("text", "markdown"):
        out = render_summary(g, fmt)
        assert "PCC's assurance: assured" in out and "the re-audit shows the change" in out, fmt
        assert fmt == "text" or "PCC: assured" in out  # beside the position (the text table wraps it)
    # the PCC's office reads what Gold reads, and history too
    assert history(world, force_config, pcc, "R4.1").entries is not None


@pytest.mark.parametrize(("said", "code"), [
    ("fullish fine", "assurance.unknown_rating"),
    ("partly", "text.missing"),
    ("not call 07700 900123 about the boy", "text.personal_data"),
])
def test_a_bad_rating_or_comment_is_refused_saying_what_works(world: MemoryUowFactory, force_config: ForceConfig,
                                                              said: str, code: str) -> None:
    err = refused(world, lambda: scrutiny.rate(world, force_config, who(force_config, "opfcc"), "R4", said,
                                               now=utc(2022, 4, 20)))
    assert err.code == code
    if code == "assurance.unknown_rating":
        text = error_text(err, SLACK)
        assert "'fullish' is not an assurance rating" in text and "assured, partly, not" in text
        assert "/ncpi assurance R4 partly" in text and "/ncpi" not in error_text(err, TEAMS)


def test_only_the_pccs_office_rates(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    err = refused(world, lambda: scrutiny.rate(world, force_config, who(force_config, "dcc"), "R4", "assured ok",
                                               now=utc(2022, 4, 20)))
    assert err.code == "role.required" and "Ask OPFCC Head of Policy" in error_text(err, SLACK)
    err = refused(world, lambda: scrutiny.rate(world, force_config, who(force_config, "hmicfrs_liaison"), "R4",
                                               "assured ok", now=utc(2022, 4, 20)))
    assert err.code == "role.read_only" and "as an observer" in error_text(err, SLACK)
    err = refused(world, lambda: scrutiny.rate(world, force_config, who(force_config, "opfcc"), "R99", "assured ok",
                                               now=utc(2022, 4, 20)))
    assert err.code == "recommendation.not_found" and "R1" in error_text(err, SLACK)


def test_the_inspectorate_trail_and_the_gold_flag_where_the_force_says_done(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    admin, today = who(force_config, "coordinator"), utc(2023, 1, 9)
    # R5 delivered in the force's view: every action signed off by Gold
    with world() as uow:
        r5 = [a.id for a in uow.plan.actions() if a.recommendation_id == "R5"]
    for i, aid in enumerate(r5):
        owner = who(force_config, next(a for a in loaded_actions(world) if a.id == aid).owner)
        at = utc(2022, 6, 1 + i)
        closure.propose_complete(world, force_config, owner, aid, "https://intranet/evidence", **when(at))
        closure.approve(world, force_config, who(force_config, "tacc"), aid, **when(at))
        closure.signoff(world, force_config, who(force_config, "dcc"), aid, **when(at))
    out = scrutiny.record_inspectorate(world, force_config, admin, "R5", "awaiting review 2022-12-01",
                                       **when(today))
    assert out.params["status"] == "awaiting_review" and out.params["on"] == "2022-12-01"
    g = summary_now(world, force_config, today, "gold")
    flagged = [e for e in g.exceptions_of(ExceptionKind.INSPECTORATE_OPEN)]
    assert [e.action_id for e in flagged] == ["R5"]
    assert "the force says delivered; the inspectorate: awaiting review (2022-12-01)" in flagged[0].detail
    assert "not yet closed by the inspectorate" in render_summary(g, "text")
    scrutiny.record_inspectorate(world, force_config, admin, "R5", "closed by the inspectorate 2023-01-06 revisit",
                                 **when(today))
    # recorded late with an older date: the trail keeps it, the current status stays the closure
    late = scrutiny.record_inspectorate(world, force_config, admin, "R5", "being progressed 2022-12-15",
                                        **when(today))
    assert late.params["current"] == "closed by the inspectorate"
    with world() as uow:
        assert [s.status for s in uow.inspectorate.all("R5")] == [
            InspectorateStatus.AWAITING_REVIEW, InspectorateStatus.CLOSED, InspectorateStatus.BEING_PROGRESSED]
    g = summary_now(world, force_config, today, "gold")
    assert not g.exceptions_of(ExceptionKind.INSPECTORATE_OPEN)
    r5_line = next(r for r in g.recommendations if r.id == "R5")
    assert r5_line.inspectorate is not None and r5_line.inspectorate.words == "closed by the inspectorate"
    assert "inspectorate: closed by the inspectorate (2023-01-06)" in render_summary(g, "markdown")


def loaded_actions(world: MemoryUowFactory) -> list[Any]:
    with world() as uow:
        return uow.plan.actions()


@pytest.mark.parametrize(("actor", "said", "code"), [
    ("dcc", "closed 2022-12-01", "role.required"),
    ("hmicfrs_liaison", "closed 2022-12-01", "role.read_only"),
    ("coordinator", "finished 2022-12-01", "inspectorate.unknown_status"),
    ("coordinator", "closed 2022-13-01", "date.unreadable"),
    ("coordinator", "closed 2030-01-01", "inspectorate.future_date"),
    ("coordinator", "re-opened 2022-12-01 the boy at 1 High Street", "text.personal_data"),
])
def test_a_bad_inspectorate_status_stores_nothing(world: MemoryUowFactory, force_config: ForceConfig,
                                                  actor: str, said: str, code: str) -> None:
    err = refused(world, lambda: scrutiny.record_inspectorate(world, force_config, who(force_config, actor), "R4",
                                                              said, **when(utc(2023, 1, 9))))
    assert err.code == code and error_text(err, SLACK)
    if code == "inspectorate.unknown_status":
        assert "awaiting review, being progressed, closed, reopened, superseded" in error_text(err, SLACK)


def test_an_observer_reads_but_every_step_is_refused_politely(world: MemoryUowFactory,
                                                              force_config: ForceConfig) -> None:
    obs, at = who(force_config, "hmicfrs_liaison"), utc(2022, 4, 20)
    assert summary_now(world, force_config, at, "gold").recommendations  # reading is fine
    assert history(world, force_config, obs, "R3.2").entries is not None
    steps: list[Callable[[], object]] = [
        lambda: record_update(world, force_config, obs, UpdateCommand(action_id="R3.2", rag=RAG.GREEN,
                                                                      source=Source.DM), **when(at)),
        lambda: closure.propose_complete(world, force_config, obs, "R3.2", "https://x", **when(at)),
        lambda: closure.approve(world, force_config, obs, "R3.2", **when(at)),
        lambda: closure.signoff(world, force_config, obs, "R3.2", **when(at)),
        lambda: challenges.ask(world, force_config, obs, "R3.2", "why?", **when(at)),
        lambda: decisions.record_decision(world, force_config, obs, "R3", "do it", "because", **when(at)),
        lambda: embedding.embed(world, force_config, obs, "R3.2", "impact", None, **when(at)),
        lambda: absences.set_away(world, force_config, obs, "2022-05-01", "2022-05-02", **when(at)),
    ]
    for step in steps:
        err = refused(world, step)
        assert err.code == "role.read_only", err
        text = error_text(err, SLACK)
        assert text.startswith("Sorry, as an observer you cannot") and "/ncpi summary gold" in text
        assert "/ncpi" not in error_text(err, TEAMS)
