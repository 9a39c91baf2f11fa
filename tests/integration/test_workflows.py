"""Workflows on SQLite and PostgreSQL: closure, due changes, absences, history, concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.copy import SLACK, error_parts, history_detail, history_what, notice_text, outcome_text
from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.models import RAG, ActionStatus, Person, Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.domain.preview import preview
from ncpi_core.domain.records import RequestKind, RequestState
from ncpi_core.errors import (
    InvalidInput,
    InvalidTransition,
    NcpiError,
    NotFound,
    PermissionDenied,
    PersonalDataRefused,
)
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases import absences, closure, due_dates, embedding
from ncpi_core.usecases.absences import absences_on
from ncpi_core.usecases.history import HistoryEntry, history
from ncpi_core.usecases.ledger.record import read_facts
from ncpi_core.usecases.updates import UpdateCommand, record_update

OWNER = "U0LAND0001"  # head_ld owns R3.2
SILVER = "U0TACC0001"
GOLD = "U0DCC00001"
ADMIN = "U0CPC00001"
CRIME = "U0CRIME001"  # head_crime: bronze, no role on R3.2
SAFE = "U0SAFE0001"
T0 = datetime(2022, 5, 3, 9, 0, tzinfo=UTC)
TODAY = date(2022, 5, 3)
Step = Callable[..., Outcome]


def person(config: ForceConfig, slack_user: str) -> Person:
    """The actor, resolved from the Slack id as the Slack front end does (a stranger is refused there)."""
    return permissions.require_person(config.person_by_identity("slack", slack_user))


def run(step: Step, uow_factory: UowFactory, config: ForceConfig, slack_user: str, *args: Any,
        **kw: Any) -> Outcome:
    return step(uow_factory, config, person(config, slack_user), *args, **kw)


def told(config: ForceConfig, out: Outcome) -> list[tuple[str | None, str]]:
    """(Slack id, kind) of each notice, in order."""
    return [(config.person(n.person).identity("slack"), n.kind) for n in out.notices]  # type: ignore[union-attr]


def trail_of(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str) -> list[HistoryEntry]:
    return history(uow_factory, config, person(config, slack_user), action_id).entries


def at(minutes: int) -> dict[str, object]:
    t = T0 + timedelta(minutes=minutes)
    return {"now": t, "today": t.date()}


def snapshot(uow_factory: UowFactory) -> tuple[Any, ...]:
    """Everything a workflow may write, so a refusal can be shown to change nothing."""
    with uow_factory() as uow:
        actions = [(a.id, a.status, a.due, a.original_due, a.version) for a in uow.plan.actions(include_dropped=True)]
        written = uow.data_version()  # the newest update, audit entry and delivery
        trail = len(uow.audit.trail())
        pending = [(r.id, r.state) for r in uow.requests.all_pending(list(RequestKind))]
        away = [(a.id, a.end, a.cancelled_at) for a in uow.absences.active()]
    return actions, written, trail, pending, away


def status(uow_factory: UowFactory, action_id: str) -> str:
    with uow_factory() as uow:
        action = uow.plan.action(action_id)
    assert action is not None
    return action.status.value


def test_whole_closure_path_ends_closed_with_names_and_dates(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    out = run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "https://intranet/policy/123", **at(0))
    assert out.action is not None and out.action.status == ActionStatus.PROPOSED
    assert told(force_config, out) == [(SILVER, "review_closure")]
    assert "https://intranet/policy/123" in notice_text(out.notices[0], SLACK)

    out = run(closure.approve, loaded, force_config, SILVER, "r3.2", **at(60), source=Source.BUTTON)
    assert out.action is not None and out.action.status == ActionStatus.ACCEPTED
    kinds = dict(told(force_config, out))
    assert kinds[GOLD] == "signoff" and kinds[OWNER] == "info"

    out = run(closure.signoff, loaded, force_config, GOLD, "R3.2", **at(24 * 60))
    assert out.action is not None and out.action.status == ActionStatus.CLOSED
    assert {slack for slack, _ in told(force_config, out)} == {OWNER, SILVER}
    assert out.recommendation_complete is None  # R3.1 and R3.3 are still open

    with loaded() as uow:
        latest = uow.updates.for_action("R3.2", limit=1)[0]
        req = uow.requests.latest("R3.2", RequestKind.CLOSURE, RequestState.SIGNED_OFF)
        assert req is not None
        who = (req.state, req.requested_by, req.decided_by, req.signed_off_by)
        owed = uow.ledger.records(kinds=["notice"])
    assert latest.rag.value == "blue" and latest.progress == 100
    assert latest.evidence == "https://intranet/policy/123"
    assert "Head of Learning & Development" in latest.narrative and "T/ACC" in latest.narrative
    assert who == ("signed_off", "head_ld", "tacc", "dcc")
    # every notice is owed in the delivery ledger, written with its step
    assert [(r.person, r.state) for r in owed] == [("tacc", "pending"), ("dcc", "pending"), ("head_ld", "pending"),
                                                   ("head_ld", "pending"), ("tacc", "pending")]

    trail = trail_of(loaded, force_config, SILVER, "R3.2")
    steps = [(history_what(e), e.who, e.at, e.source) for e in trail if history_what(e) != "added to the plan"]
    assert steps[:3] == [
        ("proposed complete", "head_ld", T0, "slash"),
        ("accepted by Silver", "tacc", T0 + timedelta(hours=1), "button"),
        ("signed off by Gold (closed)", "dcc", T0 + timedelta(days=1), "slash"),
    ]
    assert steps[3][0] == "update"
    assert "https://intranet/policy/123" in history_detail(trail[1])
    assert [e.at for e in trail] == sorted(e.at for e in trail)


def test_recommendation_complete_when_all_actions_embedded_or_superseded(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    for aid in ("R4.1", "R4.2"):
        owner = "U0CJC00001"
        run(closure.propose_complete, loaded, force_config, owner, aid, "custody audit report on the intranet",
            **at(0))
        run(closure.approve, loaded, force_config, SILVER, aid, **at(1))
    out = run(closure.signoff, loaded, force_config, GOLD, "R4.1", **at(2))
    assert out.recommendation_complete is None
    out = run(closure.supersede, loaded, force_config, GOLD, "R4.2", "replaced by the regional protocol", **at(3))
    # R4.1 is delivered, not yet embedded: R4 is not complete (issue 16)
    assert out.recommendation_complete is None and "complete" not in outcome_text(out, SLACK)
    out = run(embedding.embed, loaded, force_config, SILVER, "R4.1", "re-audit: every child detained overnight "
              "reviewed", "2022-08-05", **at(95 * 24 * 60))
    assert out.recommendation_complete == "R4"
    assert "R4 is complete" in outcome_text(out, SLACK)
    with loaded() as uow:
        states = {aid: state for aid in ("R4.1", "R4.2") for state in RequestState
                  if uow.requests.latest(aid, RequestKind.CLOSURE, state) is not None}
    assert states == {"R4.1": "signed_off", "R4.2": "withdrawn"}


def test_reject_goes_back_to_owner_with_reason(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "training register", **at(0))
    out = run(closure.reject, loaded, force_config, SILVER, "R3.2", "only 40% of officers trained so far", **at(5))
    assert out.action is not None and out.action.status == ActionStatus.OPEN
    assert [slack for slack, _ in told(force_config, out)] == [OWNER]
    assert "only 40% of officers trained so far" in notice_text(out.notices[0], SLACK)
    # and it may be proposed again
    run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "training register, now 95%", **at(10))
    assert status(loaded, "R3.2") == "proposed"
    trail = [history_what(e) for e in trail_of(loaded, force_config, OWNER, "R3.2")]
    assert trail[-3:] == ["proposed complete", "closure rejected", "proposed complete"]


REFUSALS: list[tuple[str, Step, tuple[str, ...], type[NcpiError]]] = [
    # (who, step, args, error)
    (SILVER, closure.approve, (), InvalidTransition),  # nobody proposed it
    (SILVER, closure.reject, ("not enough",), InvalidTransition),
    (GOLD, closure.signoff, (), InvalidTransition),  # Silver has not accepted
    (OWNER, closure.approve, (), PermissionDenied),  # an owner cannot approve
    (CRIME, closure.propose_complete, ("report",), PermissionDenied),  # no role on R3.2
    (OWNER, closure.propose_complete, ("",), InvalidInput),  # evidence required
    (OWNER, closure.propose_complete, ("DOB 12/03/2015 seen",), PersonalDataRefused),
    (SILVER, closure.reject, ("",), InvalidInput),  # reason required
    ("U0NOBODY01", closure.propose_complete, ("report",), PermissionDenied),
    (OWNER, closure.supersede, ("no longer needed",), PermissionDenied),
    (SILVER, due_dates.approve_due_change, (), InvalidTransition),
    (OWNER, due_dates.request_due_change, ("2022-05-02", "late"), InvalidInput),  # in the past
    (OWNER, due_dates.request_due_change, ("2022-05-03", "late"), InvalidInput),  # today
    (OWNER, due_dates.request_due_change, ("30/06/2022", "late"), InvalidInput),  # unparseable
    (OWNER, due_dates.request_due_change, ("2022-06-30", "late"), InvalidInput),  # the same date
    (OWNER, due_dates.request_due_change, ("2022-07-30", ""), InvalidInput),  # reason required
    (OWNER, due_dates.request_due_change, ("2022-07-30", "ring 07700 900123"), PersonalDataRefused),
]


def test_out_of_order_or_bad_input_is_refused_and_changes_nothing(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    # one database for the whole table: each refusal must leave it exactly as it was
    before = snapshot(loaded)
    for i, (who, step, args, error) in enumerate(REFUSALS):
        with pytest.raises(NcpiError) as err:
            run(step, loaded, force_config, who, "R3.2", *args, **at(0))
        assert isinstance(err.value, error), (i, err.value)
        message, hint = error_parts(err.value, SLACK)
        assert message and hint, (i, err.value)
        assert snapshot(loaded) == before, i


def refused(err: pytest.ExceptionInfo[NcpiError]) -> str:
    message, hint = error_parts(err.value, SLACK)
    return f"{message} {hint}"


def test_every_step_after_the_first_refused_out_of_order(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "report", **at(0))
    for who, step in ((OWNER, closure.propose_complete),):
        before = snapshot(loaded)
        with pytest.raises(InvalidTransition) as err:
            run(step, loaded, force_config, who, "R3.2", "again", **at(1))
        assert "awaits the Silver chair" in refused(err)
        assert snapshot(loaded) == before
    before = snapshot(loaded)
    with pytest.raises(InvalidTransition) as err:
        run(closure.signoff, loaded, force_config, GOLD, "R3.2", **at(1))
    assert "Silver" in refused(err)
    assert snapshot(loaded) == before
    run(closure.approve, loaded, force_config, SILVER, "R3.2", **at(2))
    for step, args in ((closure.approve, ()), (closure.reject, ("no",)), (closure.propose_complete, ("x",))):
        who = OWNER if step is closure.propose_complete else SILVER
        before = snapshot(loaded)
        with pytest.raises(InvalidTransition) as err:
            run(step, loaded, force_config, who, "R3.2", *args, **at(3))
        assert "awaits Gold sign-off" in refused(err)
        assert snapshot(loaded) == before
    run(closure.signoff, loaded, force_config, GOLD, "R3.2", **at(4))
    for who, step, args in ((GOLD, closure.signoff, ()), (SILVER, closure.supersede, ("x",)),
                            (OWNER, due_dates.request_due_change, ("2022-09-01", "late"))):
        before = snapshot(loaded)
        with pytest.raises(InvalidTransition) as err:
            run(step, loaded, force_config, who, "R3.2", *args, **at(5))
        assert "already closed" in refused(err)
        assert snapshot(loaded) == before


def test_unknown_action_names_ids_that_exist(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound) as err:
        run(closure.propose_complete, loaded, force_config, OWNER, "R99.9", "report", **at(0))
    message, hint = error_parts(err.value, SLACK)
    assert "R99.9" in message and "R1.1" in hint


def test_due_change_keeps_original_and_shows_both(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    out = run(due_dates.request_due_change, loaded, force_config, OWNER, "R3.2", "2022-07-31",
              "training slots delayed to June", **at(0))
    assert told(force_config, out) == [(SILVER, "review_due")]
    said = notice_text(out.notices[0], SLACK)
    assert "2022-06-30" in said and "2022-07-31" in said
    assert closure.pending_review(loaded, "R3.2") == "due_change"
    out = run(due_dates.approve_due_change, loaded, force_config, SILVER, "R3.2", **at(30))
    assert out.action is not None
    assert (out.action.due, out.action.original_due) == (date(2022, 7, 31), date(2022, 6, 30))
    assert "2022-07-31" in outcome_text(out, SLACK) and "2022-06-30" in outcome_text(out, SLACK)
    assert [slack for slack, _ in told(force_config, out)] == [OWNER]
    # a second move keeps the very first date as the original
    run(due_dates.request_due_change, loaded, force_config, OWNER, "R3.2", date(2022, 8, 31), "supplier again",
        **at(60))
    out = run(due_dates.approve_due_change, loaded, force_config, SILVER, "R3.2", **at(61))
    assert out.action is not None
    assert (out.action.due, out.action.original_due) == (date(2022, 8, 31), date(2022, 6, 30))
    trail = [(history_what(e), history_detail(e)) for e in trail_of(loaded, force_config, SILVER, "R3.2")]
    assert ("due date changed", "due 2022-06-30 → 2022-07-31; training slots delayed to June") in trail
    assert closure.pending_review(loaded, "R3.2") is None


def test_due_change_rejected_and_replaced(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    run(due_dates.request_due_change, loaded, force_config, OWNER, "R3.2", "2022-07-31", "first ask", **at(0))
    run(due_dates.request_due_change, loaded, force_config, OWNER, "R3.2", "2022-07-15", "second thoughts",
        **at(1))
    with loaded() as uow:
        withdrawn = uow.requests.latest("R3.2", RequestKind.DUE_CHANGE, RequestState.WITHDRAWN)
        pending = uow.requests.pending("R3.2", RequestKind.DUE_CHANGE)
    assert withdrawn is not None and pending is not None and withdrawn.id < pending.id  # type: ignore[operator]
    out = run(due_dates.reject_due_change, loaded, force_config, SILVER, "R3.2", "the inspectorate expects June",
              **at(2))
    assert out.action is not None and out.action.due == date(2022, 6, 30)
    said = notice_text(out.notices[0], SLACK)
    assert "2022-07-15" in said and "inspectorate" in said
    with pytest.raises(InvalidTransition):
        run(due_dates.reject_due_change, loaded, force_config, SILVER, "R3.2", "again", **at(3))


def test_due_change_for_a_closure_in_progress_is_allowed(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "report", **at(0))
    run(due_dates.request_due_change, loaded, force_config, OWNER, "R3.2", "2022-07-31", "awaiting review", **at(1))
    assert closure.pending_review(loaded, "R3.2") == "closure"  # closure first
    run(closure.approve, loaded, force_config, SILVER, "R3.2", **at(2))
    assert closure.pending_review(loaded, "R3.2") == "due_change"


def test_deputy_may_propose_and_cover_while_away(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    # R2.2: owner head_safeguarding, plan deputy head_crime
    run(closure.propose_complete, loaded, force_config, CRIME, "R2.2", "weekly review log", **at(0))
    assert status(loaded, "R2.2") == "proposed"
    # head_crime has no role on R3.2, until head_ld is away naming them
    with pytest.raises(PermissionDenied):
        run(due_dates.request_due_change, loaded, force_config, CRIME, "R3.2", "2022-07-31", "cover", **at(0))
    run(absences.set_away, loaded, force_config, OWNER, "2022-05-03", "2022-05-17", "head_crime", **at(0))
    run(due_dates.request_due_change, loaded, force_config, CRIME, "R3.2", "2022-07-31", "cover", **at(1))


def test_away_records_routing_data(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    out = run(absences.set_away, loaded, force_config, OWNER, "2022-05-09", "2022-05-20", "head_crime", **at(0))
    assert "Head of Crime will get the prompts for R3.2" in outcome_text(out, SLACK)
    assert [slack for slack, _ in told(force_config, out)] == [CRIME]
    assert absences_on(loaded, date(2022, 5, 9)) == {"head_ld": "head_crime"}
    assert absences_on(loaded, date(2022, 5, 8)) == {}
    assert absences_on(loaded, date(2022, 5, 21)) == {}
    # no deputy: each action's plan deputy (none for head_ld's actions) — the reply says who is uncovered
    out = run(absences.set_away, loaded, force_config, SAFE, "2022-05-03", "2022-05-06", **at(1))
    assert "Head of Crime will get the prompts for R2.2" in outcome_text(out, SLACK)
    assert "Nobody covers" in outcome_text(out, SLACK)
    assert absences_on(loaded, date(2022, 5, 4)) == {"head_safeguarding": None}
    with loaded() as uow:
        [absence] = [a for a in uow.absences.active() if a.person == "head_ld"]
    assert (absence.start, absence.end, absence.deputy, absence.created_by) == (
        date(2022, 5, 9), date(2022, 5, 20), "head_crime", "head_ld")


def test_away_overlapping_replaces_and_back_ends_it(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    run(absences.set_away, loaded, force_config, OWNER, "2022-05-01", "2022-05-10", **at(0))
    run(absences.set_away, loaded, force_config, OWNER, "2022-05-05", "2022-05-20", "head_crime", **at(1))
    assert absences_on(loaded, date(2022, 5, 3)) == {}  # the first was replaced
    assert absences_on(loaded, date(2022, 5, 6)) == {"head_ld": "head_crime"}
    run(absences.set_away, loaded, force_config, OWNER, "2022-06-01", "2022-06-03", **at(2))
    later = {"now": datetime(2022, 5, 9, 8, tzinfo=UTC), "today": date(2022, 5, 9)}
    out = run(absences.back, loaded, force_config, OWNER, **later)
    assert [slack for slack, _ in told(force_config, out)] == [CRIME]
    # they were away 5–8 May (kept, so nobody is nudged for that window); not any more from the 9th
    assert absences_on(loaded, date(2022, 5, 8)) == {"head_ld": "head_crime"}
    assert absences_on(loaded, date(2022, 5, 9)) == {}
    assert absences_on(loaded, date(2022, 6, 2)) == {}
    with pytest.raises(InvalidTransition):
        run(absences.back, loaded, force_config, OWNER, **later)


BAD_ABSENCES = [
    ("2022-05-10", "2022-05-09", None, InvalidInput),  # end before start
    ("2022-04-01", "2022-05-02", None, InvalidInput),  # wholly in the past
    ("next week", "2022-05-09", None, InvalidInput),
    ("2022-05-10", "2022-05-12", "U0NOBODY99", NotFound),  # a mention of someone not in ncpi.yaml
    ("2022-05-10", "2022-05-12", "nobody", NotFound),
    ("2022-05-10", "2022-05-12", "head_ld", InvalidInput),  # oneself
]


def test_bad_absences_refused_and_change_nothing(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(loaded)
    for start, end, deputy, error in BAD_ABSENCES:
        with pytest.raises(error) as err:
            run(absences.set_away, loaded, force_config, OWNER, start, end, deputy, **at(0))
        assert error_parts(err.value, SLACK)[1]
        assert snapshot(loaded) == before


def test_only_admin_records_someone_elses_absence(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        run(absences.set_away, loaded, force_config, CRIME, "2022-05-10", "2022-05-12", person_id="head_ld",
            **at(0))
    run(absences.set_away, loaded, force_config, ADMIN, "2022-05-10", "2022-05-12", person_id="head_ld", **at(0))
    assert absences_on(loaded, date(2022, 5, 11)) == {"head_ld": None}


def test_history_permissions_and_content(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    record_update(loaded, force_config, person(force_config, OWNER),
                  UpdateCommand(action_id="R3.2", rag=RAG.AMBER, progress=60,
                                narrative="training slots delayed to June", source=Source.DM),
                  now=T0, today=TODAY)
    trail = trail_of(loaded, force_config, OWNER, "R3.2")
    assert history_what(trail[0]) == "added to the plan"
    assert history_what(trail[-1]) == "update" and "AMBER 60%" in history_detail(trail[-1])
    assert trail[-1].source == "dm"
    assert trail[-1].who_name == "Head of Learning & Development"
    with pytest.raises(PermissionDenied):
        trail_of(loaded, force_config, "U0PEOP0001", "R3.2")  # bronze, not the owner


def _race(fn, n: int = 2) -> list[object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_concurrent_approvals_one_wins(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "report", **at(0))
    results = _race(lambda i: run(closure.approve, loaded, force_config, SILVER, "R3.2", **at(1 + i)), n=3)
    wins = [r for r in results if isinstance(r, Outcome)]
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(wins) == 1 and len(losses) == 2, results
    with loaded() as uow:
        events = [a.event for a in uow.audit.trail("action", "R3.2")]
        action = uow.plan.action("R3.2")
        assert action is not None
        got = (action.status, action.version)
        notices = uow.ledger.records(kinds=["notice"])
    assert events.count("approved") == 1
    assert got == ("accepted", 3)
    assert len(notices) == 1 + 2  # the proposal's, and the one winning approval's: the losers queued none


def test_concurrent_approve_and_reject_one_wins(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "report", **at(0))

    def step(i: int) -> Outcome:
        if i == 0:
            return run(closure.approve, loaded, force_config, SILVER, "R3.2", **at(1))
        return run(closure.reject, loaded, force_config, SILVER, "R3.2", "not yet", **at(1))

    results = _race(step)
    assert sum(isinstance(r, Outcome) for r in results) == 1, results
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1, results
    with loaded() as uow:
        states = [state for state in RequestState if uow.requests.latest("R3.2", RequestKind.CLOSURE, state)]
        assert uow.requests.pending("R3.2", RequestKind.CLOSURE) is None
    assert len(states) == 1 and states[0] in ("approved", "rejected")


def test_personal_data_refused_everywhere_and_not_stored(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(loaded)
    cmd = UpdateCommand(action_id="R3.2", rag=RAG.AMBER, narrative="child Tom DOB 12/03/2015", source=Source.DM)
    with pytest.raises(PersonalDataRefused):
        record_update(loaded, force_config, person(force_config, OWNER), cmd, now=T0, today=TODAY)
    with pytest.raises(PersonalDataRefused) as err:
        run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "see crime ref 12/34567/22", **at(0))
    assert "evidence" in refused(err)
    assert snapshot(loaded) == before
    run(closure.propose_complete, loaded, force_config, OWNER, "R3.2", "https://intranet/policy/123", **at(0))
    before = snapshot(loaded)
    with pytest.raises(PersonalDataRefused) as err:
        run(closure.reject, loaded, force_config, SILVER, "R3.2", "victim Jane Smith not seen", **at(1))
    assert "reason" in refused(err)
    assert "Jane" not in refused(err) and "Jane" not in str(err.value)
    assert snapshot(loaded) == before


def test_a_fortnight_away_routes_prompts_to_the_deputy(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    """End to end with the deliveries engine: the owner away gets no prompt; the deputy does."""
    run(absences.set_away, loaded, force_config, OWNER, "2022-05-09", "2022-05-20", "head_crime", **at(0))
    start, end = datetime(2022, 5, 4, tzinfo=UTC), datetime(2022, 5, 17, 12, tzinfo=UTC)
    with loaded() as uow:
        facts = read_facts(uow, force_config, [])
    planned = preview(force_config, facts, start, end, "slack")
    prompts = [p for p in planned if p.kind == "prompt" and "R3.2" in p.action_ids]
    assert prompts and {p.to for p in prompts} == {"head_crime"}
    away = [p for p in planned if p.to == "head_ld" and date(2022, 5, 9) <= p.at.date() <= date(2022, 5, 20)]
    assert away == []  # nothing at all goes to the owner while away
    # back early: from then on the prompts are the owner's again
    run(absences.back, loaded, force_config, OWNER, now=datetime(2022, 5, 9, 7, tzinfo=UTC), today=date(2022, 5, 9))
    with loaded() as uow:
        facts = read_facts(uow, force_config, [])
    planned = preview(force_config, facts, start, end, "slack")
    assert {p.to for p in planned if p.kind == "prompt" and "R3.2" in p.action_ids} == {"head_ld"}
