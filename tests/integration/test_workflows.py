"""Workflows on SQLite and PostgreSQL: closure, due changes, absences, history, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ncpi_core.domain.models import ActionStatus, Source
from ncpi_core.errors import (
    InvalidInput,
    InvalidTransition,
    NcpiError,
    NotFound,
    PermissionDenied,
    PersonalDataRefused,
)
from ncpi_core.storage.tables import AbsenceRow, ActionRow, AuditRow, RequestRow, UpdateRow
from ncpi_core.usecases import workflows as wf

OWNER = "U0LAND0001"  # head_ld owns R3.2
SILVER = "U0TACC0001"
GOLD = "U0DCC00001"
ADMIN = "U0CPC00001"
CRIME = "U0CRIME001"  # head_crime: bronze, no role on R3.2
SAFE = "U0SAFE0001"
T0 = datetime(2022, 5, 3, 9, 0, tzinfo=UTC)
TODAY = date(2022, 5, 3)


def at(minutes: int) -> dict[str, object]:
    t = T0 + timedelta(minutes=minutes)
    return {"now": t, "today": t.date()}


def snapshot(uow_factory) -> tuple:  # type: ignore[no-untyped-def]
    """Everything a workflow may write, so a refusal can be shown to change nothing."""
    with uow_factory() as uow:
        s = uow.session
        actions = [(a.id, a.status, a.due, a.original_due, a.version)
                   for a in s.scalars(select(ActionRow).order_by(ActionRow.id))]
        counts = tuple(s.scalar(select(func.count()).select_from(t)) for t in
                       (AuditRow, RequestRow, UpdateRow, AbsenceRow))
        absences = [(r.id, r.end, r.cancelled_at) for r in s.scalars(select(AbsenceRow))]
        requests = [(r.id, r.state) for r in s.scalars(select(RequestRow))]
    return actions, counts, absences, requests


def status(uow_factory, action_id: str) -> str:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        return uow.repo.action(action_id).status.value


def test_whole_closure_path_ends_closed_with_names_and_dates(loaded, force_config) -> None:
    out = wf.propose_complete(loaded, force_config, OWNER, "R3.2", "https://intranet/policy/123", **at(0))
    assert out.action.status == ActionStatus.PROPOSED
    assert [(n.slack_user, n.kind) for n in out.notify] == [(SILVER, "review_closure")]
    assert "https://intranet/policy/123" in out.notify[0].text

    out = wf.approve(loaded, force_config, SILVER, "r3.2", **at(60), source=Source.BUTTON)
    assert out.action.status == ActionStatus.ACCEPTED
    kinds = {n.slack_user: n.kind for n in out.notify}
    assert kinds[GOLD] == "signoff" and kinds[OWNER] == "info"

    out = wf.signoff(loaded, force_config, GOLD, "R3.2", **at(24 * 60))
    assert out.action.status == ActionStatus.CLOSED
    assert {n.slack_user for n in out.notify} == {OWNER, SILVER}
    assert out.recommendation_complete is None  # R3.1 and R3.3 are still open

    with loaded() as uow:
        latest = uow.repo.updates_for("R3.2", limit=1)[0]
        req = uow.session.scalars(select(RequestRow).where(RequestRow.action_id == "R3.2")).one()
        who = (req.state, req.requested_by, req.decided_by, req.signed_off_by)
    assert latest.rag.value == "blue" and latest.progress == 100
    assert latest.evidence == "https://intranet/policy/123"
    assert "Head of Learning & Development" in latest.narrative and "T/ACC" in latest.narrative
    assert who == ("signed_off", "head_ld", "tacc", "dcc")

    trail = wf.history(loaded, force_config, SILVER, "R3.2")
    steps = [(e.what, e.who, e.at, e.source) for e in trail if e.what != "added to the plan"]
    assert steps[:3] == [
        ("proposed complete", "head_ld", T0, "slash"),
        ("accepted by Silver", "tacc", T0 + timedelta(hours=1), "button"),
        ("signed off by Gold (closed)", "dcc", T0 + timedelta(days=1), "slash"),
    ]
    assert steps[3][0] == "update"
    assert "https://intranet/policy/123" in trail[1].detail
    assert [e.at for e in trail] == sorted(e.at for e in trail)


def test_recommendation_complete_when_all_actions_closed_or_superseded(loaded, force_config) -> None:
    for aid in ("R4.1", "R4.2"):
        owner = "U0CJC00001"
        wf.propose_complete(loaded, force_config, owner, aid, "custody audit report on the intranet", **at(0))
        wf.approve(loaded, force_config, SILVER, aid, **at(1))
    out = wf.signoff(loaded, force_config, GOLD, "R4.1", **at(2))
    assert out.recommendation_complete is None
    out = wf.supersede(loaded, force_config, GOLD, "R4.2", "replaced by the regional protocol", **at(3))
    assert out.recommendation_complete == "R4"
    assert "R4 is complete" in out.message
    with loaded() as uow:
        states = dict(uow.session.execute(select(RequestRow.action_id, RequestRow.state)
                                          .where(RequestRow.kind == "closure")).all())
    assert states == {"R4.1": "signed_off", "R4.2": "withdrawn"}


def test_reject_goes_back_to_owner_with_reason(loaded, force_config) -> None:
    wf.propose_complete(loaded, force_config, OWNER, "R3.2", "training register", **at(0))
    out = wf.reject(loaded, force_config, SILVER, "R3.2", "only 40% of officers trained so far", **at(5))
    assert out.action.status == ActionStatus.OPEN
    assert [n.slack_user for n in out.notify] == [OWNER]
    assert "only 40% of officers trained so far" in out.notify[0].text
    # and it may be proposed again
    wf.propose_complete(loaded, force_config, OWNER, "R3.2", "training register, now 95%", **at(10))
    assert status(loaded, "R3.2") == "proposed"
    trail = [e.what for e in wf.history(loaded, force_config, OWNER, "R3.2")]
    assert trail[-3:] == ["proposed complete", "closure rejected", "proposed complete"]


REFUSALS = [
    # (who, step, args, error)
    (SILVER, wf.approve, (), InvalidTransition),  # nobody proposed it
    (SILVER, wf.reject, ("not enough",), InvalidTransition),
    (GOLD, wf.signoff, (), InvalidTransition),  # Silver has not accepted
    (OWNER, wf.approve, (), PermissionDenied),  # an owner cannot approve
    (CRIME, wf.propose_complete, ("report",), PermissionDenied),  # no role on R3.2
    (OWNER, wf.propose_complete, ("",), InvalidInput),  # evidence required
    (OWNER, wf.propose_complete, ("DOB 12/03/2015 seen",), PersonalDataRefused),
    (SILVER, wf.reject, ("",), InvalidInput),  # reason required
    ("U0NOBODY01", wf.propose_complete, ("report",), PermissionDenied),
    (OWNER, wf.supersede, ("no longer needed",), PermissionDenied),
    (SILVER, wf.approve_due_change, (), InvalidTransition),
    (OWNER, wf.request_due_change, ("2022-05-02", "late"), InvalidInput),  # in the past
    (OWNER, wf.request_due_change, ("2022-05-03", "late"), InvalidInput),  # today
    (OWNER, wf.request_due_change, ("30/06/2022", "late"), InvalidInput),  # unparseable
    (OWNER, wf.request_due_change, ("2022-06-30", "late"), InvalidInput),  # the same date
    (OWNER, wf.request_due_change, ("2022-07-30", ""), InvalidInput),  # reason required
    (OWNER, wf.request_due_change, ("2022-07-30", "ring 07700 900123"), PersonalDataRefused),
]


def test_out_of_order_or_bad_input_is_refused_and_changes_nothing(loaded, force_config) -> None:
    # one database for the whole table: each refusal must leave it exactly as it was
    before = snapshot(loaded)
    for i, (who, step, args, error) in enumerate(REFUSALS):
        with pytest.raises(NcpiError) as err:
            step(loaded, force_config, who, "R3.2", *args, **at(0))
        assert isinstance(err.value, error), (i, err.value)
        assert err.value.message and err.value.hint, (i, err.value)
        assert snapshot(loaded) == before, i


def test_every_step_after_the_first_refused_out_of_order(loaded, force_config) -> None:
    wf.propose_complete(loaded, force_config, OWNER, "R3.2", "report", **at(0))
    for who, step in ((OWNER, wf.propose_complete),):
        before = snapshot(loaded)
        with pytest.raises(InvalidTransition, match="awaits the Silver chair"):
            step(loaded, force_config, who, "R3.2", "again", **at(1))
        assert snapshot(loaded) == before
    before = snapshot(loaded)
    with pytest.raises(InvalidTransition, match="Silver"):
        wf.signoff(loaded, force_config, GOLD, "R3.2", **at(1))
    assert snapshot(loaded) == before
    wf.approve(loaded, force_config, SILVER, "R3.2", **at(2))
    for step, args in ((wf.approve, ()), (wf.reject, ("no",)), (wf.propose_complete, ("x",))):
        who = OWNER if step is wf.propose_complete else SILVER
        before = snapshot(loaded)
        with pytest.raises(InvalidTransition, match="awaits Gold sign-off"):
            step(loaded, force_config, who, "R3.2", *args, **at(3))
        assert snapshot(loaded) == before
    wf.signoff(loaded, force_config, GOLD, "R3.2", **at(4))
    for who, step, args in ((GOLD, wf.signoff, ()), (SILVER, wf.supersede, ("x",)),
                            (OWNER, wf.request_due_change, ("2022-09-01", "late"))):
        before = snapshot(loaded)
        with pytest.raises(InvalidTransition, match="already closed"):
            step(loaded, force_config, who, "R3.2", *args, **at(5))
        assert snapshot(loaded) == before


def test_unknown_action_names_ids_that_exist(loaded, force_config) -> None:
    with pytest.raises(NotFound) as err:
        wf.propose_complete(loaded, force_config, OWNER, "R99.9", "report", **at(0))
    assert "R99.9" in err.value.message and "R1.1" in err.value.hint


def test_due_change_keeps_original_and_shows_both(loaded, force_config) -> None:
    out = wf.request_due_change(loaded, force_config, OWNER, "R3.2", "2022-07-31",
                                "training slots delayed to June", **at(0))
    assert [(n.slack_user, n.kind) for n in out.notify] == [(SILVER, "review_due")]
    assert "2022-06-30" in out.notify[0].text and "2022-07-31" in out.notify[0].text
    assert wf.pending_review(loaded, "R3.2") == "due_change"
    out = wf.approve_due_change(loaded, force_config, SILVER, "R3.2", **at(30))
    assert (out.action.due, out.action.original_due) == (date(2022, 7, 31), date(2022, 6, 30))
    assert "2022-07-31" in out.message and "2022-06-30" in out.message
    assert [n.slack_user for n in out.notify] == [OWNER]
    # a second move keeps the very first date as the original
    wf.request_due_change(loaded, force_config, OWNER, "R3.2", date(2022, 8, 31), "supplier again", **at(60))
    out = wf.approve_due_change(loaded, force_config, SILVER, "R3.2", **at(61))
    assert (out.action.due, out.action.original_due) == (date(2022, 8, 31), date(2022, 6, 30))
    trail = [(e.what, e.detail) for e in wf.history(loaded, force_config, SILVER, "R3.2")]
    assert ("due date changed", "due 2022-06-30 → 2022-07-31; training slots delayed to June") in trail
    assert wf.pending_review(loaded, "R3.2") is None


def test_due_change_rejected_and_replaced(loaded, force_config) -> None:
    wf.request_due_change(loaded, force_config, OWNER, "R3.2", "2022-07-31", "first ask", **at(0))
    wf.request_due_change(loaded, force_config, OWNER, "R3.2", "2022-07-15", "second thoughts", **at(1))
    with loaded() as uow:
        states = [r.state for r in uow.session.scalars(select(RequestRow).order_by(RequestRow.id))]
    assert states == ["withdrawn", "pending"]
    out = wf.reject_due_change(loaded, force_config, SILVER, "R3.2", "the inspectorate expects June", **at(2))
    assert out.action.due == date(2022, 6, 30)
    assert "2022-07-15" in out.notify[0].text and "inspectorate" in out.notify[0].text
    with pytest.raises(InvalidTransition):
        wf.reject_due_change(loaded, force_config, SILVER, "R3.2", "again", **at(3))


def test_due_change_for_a_closure_in_progress_is_allowed(loaded, force_config) -> None:
    wf.propose_complete(loaded, force_config, OWNER, "R3.2", "report", **at(0))
    wf.request_due_change(loaded, force_config, OWNER, "R3.2", "2022-07-31", "awaiting review", **at(1))
    assert wf.pending_review(loaded, "R3.2") == "closure"  # closure first
    wf.approve(loaded, force_config, SILVER, "R3.2", **at(2))
    assert wf.pending_review(loaded, "R3.2") == "due_change"


def test_deputy_may_propose_and_cover_while_away(loaded, force_config) -> None:
    # R2.2: owner head_safeguarding, plan deputy head_crime
    wf.propose_complete(loaded, force_config, CRIME, "R2.2", "weekly review log", **at(0))
    assert status(loaded, "R2.2") == "proposed"
    # head_crime has no role on R3.2, until head_ld is away naming them
    with pytest.raises(PermissionDenied):
        wf.request_due_change(loaded, force_config, CRIME, "R3.2", "2022-07-31", "cover", **at(0))
    wf.set_away(loaded, force_config, OWNER, "2022-05-03", "2022-05-17", "<@U0CRIME001|head_crime>", **at(0))
    wf.request_due_change(loaded, force_config, CRIME, "R3.2", "2022-07-31", "cover", **at(1))


def test_away_records_routing_data(loaded, force_config) -> None:
    out = wf.set_away(loaded, force_config, OWNER, "2022-05-09", "2022-05-20", "<@U0CRIME001>", **at(0))
    assert "Head of Crime will get the prompts for R3.2, R10.1" in out.message or "Head of Crime" in out.message
    assert [n.slack_user for n in out.notify] == [CRIME]
    assert wf.absences_on(loaded, date(2022, 5, 9)) == {"head_ld": "head_crime"}
    assert wf.absences_on(loaded, date(2022, 5, 8)) == {}
    assert wf.absences_on(loaded, date(2022, 5, 21)) == {}
    # no deputy: each action's plan deputy (none for head_ld's actions) — the reply says who is uncovered
    out = wf.set_away(loaded, force_config, SAFE, "2022-05-03", "2022-05-06", **at(1))
    assert "Head of Crime will get the prompts for R2.2" in out.message
    assert "Nobody covers" in out.message
    assert wf.absences_on(loaded, date(2022, 5, 4)) == {"head_safeguarding": None}
    with loaded() as uow:
        row = uow.session.scalars(select(AbsenceRow).where(AbsenceRow.person == "head_ld")).one()
        got = (row.start, row.end, row.deputy, row.created_by)
    assert got == (date(2022, 5, 9), date(2022, 5, 20),
                                                                "head_crime", "head_ld")


def test_away_overlapping_replaces_and_back_ends_it(loaded, force_config) -> None:
    wf.set_away(loaded, force_config, OWNER, "2022-05-01", "2022-05-10", **at(0))
    wf.set_away(loaded, force_config, OWNER, "2022-05-05", "2022-05-20", "head_crime", **at(1))
    assert wf.absences_on(loaded, date(2022, 5, 3)) == {}  # the first was replaced
    assert wf.absences_on(loaded, date(2022, 5, 6)) == {"head_ld": "head_crime"}
    wf.set_away(loaded, force_config, OWNER, "2022-06-01", "2022-06-03", **at(2))
    later = {"now": datetime(2022, 5, 9, 8, tzinfo=UTC), "today": date(2022, 5, 9)}
    out = wf.back(loaded, force_config, OWNER, **later)
    assert [n.slack_user for n in out.notify] == [CRIME]
    # they were away 5–8 May (kept, so nobody is nudged for that window); not any more from the 9th
    assert wf.absences_on(loaded, date(2022, 5, 8)) == {"head_ld": "head_crime"}
    assert wf.absences_on(loaded, date(2022, 5, 9)) == {}
    assert wf.absences_on(loaded, date(2022, 6, 2)) == {}
    with pytest.raises(InvalidTransition):
        wf.back(loaded, force_config, OWNER, **later)


BAD_ABSENCES = [
    ("2022-05-10", "2022-05-09", None, InvalidInput),  # end before start
    ("2022-04-01", "2022-05-02", None, InvalidInput),  # wholly in the past
    ("next week", "2022-05-09", None, InvalidInput),
    ("2022-05-10", "2022-05-12", "<@U0NOBODY99|ghost>", NotFound),
    ("2022-05-10", "2022-05-12", "nobody", NotFound),
    ("2022-05-10", "2022-05-12", "<@U0LAND0001>", InvalidInput),  # oneself
]


def test_bad_absences_refused_and_change_nothing(loaded, force_config) -> None:
    before = snapshot(loaded)
    for start, end, deputy, error in BAD_ABSENCES:
        with pytest.raises(error) as err:
            wf.set_away(loaded, force_config, OWNER, start, end, deputy, **at(0))
        assert err.value.hint
        assert snapshot(loaded) == before


def test_only_admin_records_someone_elses_absence(loaded, force_config) -> None:
    with pytest.raises(PermissionDenied):
        wf.set_away(loaded, force_config, CRIME, "2022-05-10", "2022-05-12", person_id="head_ld", **at(0))
    wf.set_away(loaded, force_config, ADMIN, "2022-05-10", "2022-05-12", person_id="head_ld", **at(0))
    assert wf.absences_on(loaded, date(2022, 5, 11)) == {"head_ld": None}


def test_history_permissions_and_content(loaded, force_config) -> None:
    from ncpi_core.domain.models import RAG
    from ncpi_core.usecases.services import UpdateCommand, record_update

    record_update(UpdateCommand(action_id="R3.2", rag=RAG.AMBER, progress=60,
                                narrative="training slots delayed to June", slack_user=OWNER,
                                source=Source.DM), loaded, T0, TODAY)
    trail = wf.history(loaded, force_config, OWNER, "R3.2")
    assert trail[0].what == "added to the plan"
    assert trail[-1].what == "update" and "AMBER 60%" in trail[-1].detail and trail[-1].source == "dm"
    assert trail[-1].who_name == "Head of Learning & Development"
    with pytest.raises(PermissionDenied):
        wf.history(loaded, force_config, "U0PEOP0001", "R3.2")  # bronze, not the owner


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


def test_two_concurrent_approvals_one_wins(loaded, force_config) -> None:
    wf.propose_complete(loaded, force_config, OWNER, "R3.2", "report", **at(0))
    results = _race(lambda i: wf.approve(loaded, force_config, SILVER, "R3.2", **at(1 + i)), n=3)
    wins = [r for r in results if isinstance(r, wf.Outcome)]
    losses = [r for r in results if isinstance(r, InvalidTransition)]
    assert len(wins) == 1 and len(losses) == 2, results
    with loaded() as uow:
        events = [a.event for a in uow.repo.audit_trail("R3.2")]
        row = uow.repo.action_row("R3.2")
        got = (row.status, row.version)
    assert events.count("approved") == 1
    assert got == ("accepted", 3)


def test_concurrent_approve_and_reject_one_wins(loaded, force_config) -> None:
    wf.propose_complete(loaded, force_config, OWNER, "R3.2", "report", **at(0))

    def step(i: int) -> wf.Outcome:
        if i == 0:
            return wf.approve(loaded, force_config, SILVER, "R3.2", **at(1))
        return wf.reject(loaded, force_config, SILVER, "R3.2", "not yet", **at(1))

    results = _race(step)
    assert sum(isinstance(r, wf.Outcome) for r in results) == 1, results
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1, results
    with loaded() as uow:
        states = [r.state for r in uow.session.scalars(select(RequestRow))]
    assert len(states) == 1 and states[0] in ("approved", "rejected")


def test_personal_data_refused_everywhere_and_not_stored(loaded, force_config) -> None:
    from ncpi_core.domain.models import RAG
    from ncpi_core.usecases.services import UpdateCommand, record_update

    before = snapshot(loaded)
    cmd = UpdateCommand(action_id="R3.2", rag=RAG.AMBER, narrative="child Tom DOB 12/03/2015",
                        slack_user=OWNER, source=Source.DM)
    with pytest.raises(PersonalDataRefused):
        record_update(cmd, loaded, T0, TODAY)
    with pytest.raises(PersonalDataRefused, match="evidence"):
        wf.propose_complete(loaded, force_config, OWNER, "R3.2", "see crime ref 12/34567/22", **at(0))
    wf.propose_complete(loaded, force_config, OWNER, "R3.2", "https://intranet/policy/123", **at(0))
    before = snapshot(loaded)
    with pytest.raises(PersonalDataRefused, match="reason") as err:
        wf.reject(loaded, force_config, SILVER, "R3.2", "victim Jane Smith not seen", **at(1))
    assert "Jane" not in str(err.value)
    assert snapshot(loaded) == before


def test_a_fortnight_away_routes_prompts_to_the_deputy(loaded, force_config) -> None:
    """End to end with the deliveries engine: the owner away gets no prompt; the deputy does."""
    from ncpi_core.domain.deliveries import preview
    from ncpi_core.usecases.schedule import read_facts

    wf.set_away(loaded, force_config, OWNER, "2022-05-09", "2022-05-20", "<@U0CRIME001|head_crime>", **at(0))
    start, end = datetime(2022, 5, 4, tzinfo=UTC), datetime(2022, 5, 17, 12, tzinfo=UTC)
    with loaded() as uow:
        facts = read_facts(uow, [])
    planned = preview(force_config, facts, start, end)
    prompts = [p for p in planned if p.kind == "prompt" and "R3.2" in p.action_ids]
    assert prompts and {p.to for p in prompts} == {"head_crime"}
    away = [p for p in planned if p.to == "head_ld" and date(2022, 5, 9) <= p.at.date() <= date(2022, 5, 20)]
    assert away == []  # nothing at all goes to the owner while away
    # back early: from then on the prompts are the owner's again
    wf.back(loaded, force_config, OWNER, now=datetime(2022, 5, 9, 7, tzinfo=UTC), today=date(2022, 5, 9))
    with loaded() as uow:
        facts = read_facts(uow, [])
    planned = preview(force_config, facts, start, end)
    assert {p.to for p in planned if p.kind == "prompt" and "R3.2" in p.action_ids} == {"head_ld"}
