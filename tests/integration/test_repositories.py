"""The storage contract (ncpi_core/storage/base.py), held the same on memory, SQLite and PostgreSQL.

Each test runs three times through `any_uow_factory`; the in-memory fake that use-case unit tests
rely on is thereby checked against the databases. The ledger's part is in
test_repositories_ledger.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from ncpi_core.domain.models import (
    RAG,
    Action,
    ActionStatus,
    Category,
    Person,
    PlanInfo,
    Recommendation,
    Role,
    Source,
    Update,
)
from ncpi_core.domain.records import (
    Absence,
    AuditEntry,
    Challenge,
    DecisionRecord,
    Embedding,
    Request,
    RequestKind,
    RequestState,
)
from ncpi_core.storage.base import UnitOfWork, UowFactory

T = TypeVar("T")
NOW = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
DAY = date(2022, 3, 1)


def rec(rid: str, position: int, in_plan: bool = True) -> Recommendation:
    return Recommendation(id=rid, title=f"Recommendation {rid}", text="why", category=Category.THREE_MONTHS,
                          due=date(2022, 6, 30), position=position, in_plan=in_plan)


def act(aid: str, rid: str, position: int, owner: str = "lead_a", **kw: object) -> Action:
    return Action.model_validate({"id": aid, "recommendation_id": rid, "title": f"Action {aid}",
                                  "owner": owner, "due": date(2022, 5, 31), "original_due": date(2022, 5, 31),
                                  "position": position, **kw})


def seed_plan(factory: UowFactory) -> None:
    """R2 before R1 by position; R1's actions out of id order; one dropped action."""
    with factory() as uow:
        uow.plan.save_recommendation(rec("R1", 2))
        uow.plan.save_recommendation(rec("R2", 1))
        uow.plan.save_recommendation(rec("R9", 3, in_plan=False))
        uow.plan.add_action(act("R1.2", "R1", 0, owner="lead_b"))
        uow.plan.add_action(act("R1.1", "R1", 1))
        uow.plan.add_action(act("R2.1", "R2", 0, deputy="lead_b"))
        uow.plan.add_action(act("R9.1", "R9", 0, in_plan=False))
        uow.commit()


def read(factory: UowFactory, f: Callable[[UnitOfWork], T]) -> T:
    with factory() as uow:
        return f(uow)


def update(aid: str, at: datetime, rag: RAG = RAG.GREEN, **kw: object) -> Update:
    return Update.model_validate({"action_id": aid, "rag": rag, "source": Source.DM, "created_at": at,
                                  "author": "lead_a", "author_identity": "chat:U1", **kw})


# --- the unit of work ------------------------------------------------------------------------------
def test_nothing_is_stored_without_commit_and_rollback_discards(any_uow_factory: UowFactory) -> None:
    with any_uow_factory() as uow:
        uow.plan.save_recommendation(rec("R1", 0))
    assert read(any_uow_factory, lambda u: u.plan.recommendations()) == []
    with any_uow_factory() as uow:
        uow.plan.save_recommendation(rec("R1", 0))
        uow.rollback()
        uow.plan.save_recommendation(rec("R2", 0))
        uow.commit()
    assert [r.id for r in read(any_uow_factory, lambda u: u.plan.recommendations())] == ["R2"]


def test_an_error_in_the_block_stores_nothing(any_uow_factory: UowFactory) -> None:
    with pytest.raises(KeyError), any_uow_factory() as uow:
        uow.state.put("x", "1", NOW)
        raise KeyError("boom")
    assert read(any_uow_factory, lambda u: u.state.get("x")) is None


def test_data_version_moves_with_every_write_a_summary_reads(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    empty = read(any_uow_factory, lambda u: u.data_version())
    assert (empty.updates, empty.audit, empty.deliveries, empty.sent_at) == (None, None, None, None)
    assert empty.settled_by(NOW)
    with any_uow_factory() as uow:
        uow.updates.add(update("R1.1", NOW + timedelta(hours=1)))
        uow.commit()
    v1 = read(any_uow_factory, lambda u: u.data_version())
    assert v1 != empty and v1.updates_at == NOW + timedelta(hours=1)
    assert not v1.settled_by(NOW) and v1.settled_by(NOW + timedelta(hours=1))
    with any_uow_factory() as uow:
        uow.audit.add(AuditEntry(at=NOW - timedelta(days=1), entity="action", entity_id="R1.1", event="x"))
        uow.audit.add(AuditEntry(at=NOW - timedelta(days=2), entity="action", entity_id="R1.1", event="y"))
        uow.commit()
    v2 = read(any_uow_factory, lambda u: u.data_version())
    # the newest audit row's time, not the latest time: the last written
    assert v2 != v1 and v2.audit_at == NOW - timedelta(days=2) and v2.audit is not None


# --- plan and people ------------------------------------------------------------------------------
def test_plan_info_is_one_row_saved_again_and_again(any_uow_factory: UowFactory) -> None:
    assert read(any_uow_factory, lambda u: (u.plan.info(), u.plan.loaded_at())) == (None, None)
    for title, at in (("First", NOW), ("Second", NOW + timedelta(days=1))):
        with any_uow_factory() as uow:
            uow.plan.save_info(PlanInfo(title=title, report="HMICFRS", published=DAY), at)
            uow.commit()
    info, loaded = read(any_uow_factory, lambda u: (u.plan.info(), u.plan.loaded_at()))
    assert info == PlanInfo(title="Second", report="HMICFRS", published=DAY)
    assert loaded == NOW + timedelta(days=1) and loaded is not None and loaded.tzinfo is not None


def test_recommendations_and_actions_come_in_plan_order(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        assert [r.id for r in uow.plan.recommendations()] == ["R2", "R1"]
        assert [r.id for r in uow.plan.recommendations(include_dropped=True)] == ["R2", "R1", "R9"]
        assert [a.id for a in uow.plan.actions()] == ["R2.1", "R1.2", "R1.1"]
        assert [a.id for a in uow.plan.actions(include_dropped=True)] == ["R2.1", "R1.2", "R1.1", "R9.1"]
        assert [a.id for a in uow.plan.actions(owner="lead_b")] == ["R1.2"]
        assert uow.plan.action_ids() == ["R2.1", "R1.2", "R1.1"]
        assert uow.plan.actions()[0] == act("R2.1", "R2", 0, deputy="lead_b")
        uow.plan.save_recommendation(rec("R1", 0).model_copy(update={"title": "Renamed"}))
        uow.commit()
    recs = read(any_uow_factory, lambda u: u.plan.recommendations())
    assert [(r.id, r.title) for r in recs] == [("R1", "Renamed"), ("R2", "Recommendation R2")]


def test_an_action_by_exact_id_or_resolved_from_what_was_typed(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        found = uow.plan.action("R9.1")
        assert found is not None and not found.in_plan  # dropped ones too
        assert uow.plan.action("r1.1") is None
        assert uow.plan.action("R1.1", for_update=True) == act("R1.1", "R1", 1)
        assert uow.plan.resolve_action_id("R1.1") == "R1.1"
        assert uow.plan.resolve_action_id(" r1.1 ") == "R1.1"
        assert uow.plan.resolve_action_id("R9.1") is None  # not in the plan
        assert uow.plan.resolve_action_id("R7.7") is None
        assert uow.plan.statuses("R1") == [ActionStatus.OPEN, ActionStatus.OPEN]
        assert uow.plan.statuses("R9") == []


def test_change_action_writes_only_over_the_version_it_read(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    seen = read(any_uow_factory, lambda u: u.plan.action("R1.1"))
    assert seen is not None and seen.version == 1
    with any_uow_factory() as uow:
        changed = uow.plan.change_action("R1.1", 1, status=ActionStatus.PROPOSED, due=date(2022, 7, 1))
        uow.commit()
    assert changed is not None and changed.version == 2 and changed.status is ActionStatus.PROPOSED
    with any_uow_factory() as uow:
        # someone else read version 1 too: their write is refused, nothing changes
        assert uow.plan.change_action("R1.1", 1, status=ActionStatus.OPEN) is None
        assert uow.plan.change_action("R7.7", 1, status=ActionStatus.OPEN) is None
        with pytest.raises(ValueError):
            uow.plan.change_action("R1.1", 2, version=9)
        uow.commit()
    stored = read(any_uow_factory, lambda u: u.plan.action("R1.1"))
    assert stored == changed and stored is not None and stored.due == date(2022, 7, 1)
    with any_uow_factory() as uow:
        uow.plan.change_action("R1.2", 1, status=ActionStatus.CLOSED)
        assert uow.plan.statuses("R1") == [ActionStatus.CLOSED, ActionStatus.PROPOSED]
        uow.plan.change_action("R1.2", 2, in_plan=False)
        assert uow.plan.statuses("R1") == [ActionStatus.PROPOSED]


def test_people_with_their_identities_inactive_ones_kept_for_names(any_uow_factory: UowFactory) -> None:
    ana = Person(id="ana", name="Ana", roles=frozenset({Role.BRONZE, Role.ADMIN}),
                 identities={"slack": "U0ANA", "teams": "29:ana"})
    bo = Person(id="bo", name="Bo", roles=frozenset({Role.GOLD_CHAIR}), active=False)
    with any_uow_factory() as uow:
        for p in (bo, ana):
            uow.people.save(p)
        uow.commit()
    with any_uow_factory() as uow:
        assert uow.people.all() == [ana]
        assert uow.people.all(include_inactive=True) == [ana, bo]
        assert uow.people.get("ana") == ana and uow.people.get("bo") is None
        assert uow.people.get("ana").identity("teams") == "29:ana"  # type: ignore[union-attr]
        assert uow.people.names() == {"ana": "Ana", "bo": "Bo"}
        uow.people.save(ana.model_copy(update={"name": "Ana B", "identities": {}}))
        uow.commit()
    assert read(any_uow_factory, lambda u: u.people.get("ana")) == Person(
        id="ana", name="Ana B", roles=frozenset({Role.BRONZE, Role.ADMIN}))


# --- updates and audit -----------------------------------------------------------------------------
def test_an_update_is_stored_once_per_key(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        first = uow.updates.add(update("R1.1", NOW, progress=40, narrative="on it"), "Ev1")
        assert first is not None and first.id is not None and first.narrative == "on it"
        assert uow.updates.add(update("R1.1", NOW, rag=RAG.RED), "Ev1") is None
        assert uow.updates.add(update("R1.1", NOW), None) is not None
        assert uow.updates.add(update("R1.1", NOW), None) is not None  # no key: never a duplicate
        uow.commit()
    with any_uow_factory() as uow:
        assert uow.updates.add(update("R1.2", NOW), "Ev1") is None  # a later re-delivery too
        stored = uow.updates.for_action("R1.1")
    assert len(stored) == 3 and first in stored and all(u.rag is RAG.GREEN for u in stored)
    assert stored[-1].author_identity == "chat:U1" and stored[-1].source is Source.DM


def test_latest_updates_as_they_stood(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    london = ZoneInfo("Europe/London")
    with any_uow_factory() as uow:
        a = uow.updates.add(update("R1.1", NOW, RAG.RED))
        b = uow.updates.add(update("R1.1", NOW + timedelta(days=2), RAG.AMBER))
        c = uow.updates.add(update("R1.1", NOW + timedelta(days=2), RAG.GREEN))  # same time: newer id
        d = uow.updates.add(update("R2.1", (NOW + timedelta(days=1)).astimezone(london), RAG.BLUE))
        uow.commit()
    assert d is not None and d.created_at.tzinfo == UTC
    with any_uow_factory() as uow:
        assert uow.updates.latest() == {"R1.1": c, "R2.1": d}
        assert uow.updates.latest(as_of=NOW + timedelta(days=1)) == {"R1.1": a, "R2.1": d}
        assert uow.updates.latest(as_of=NOW - timedelta(seconds=1)) == {}
        assert uow.updates.latest(action_ids=["R2.1", "R7.7"]) == {"R2.1": d}
        assert uow.updates.latest(action_ids=[]) == {}
        assert uow.updates.for_action("R1.1") == [c, b, a]
        assert uow.updates.for_action("R1.1", limit=1) == [c]
        assert list(uow.updates.all()) == [a, d, b, c]
        assert list(uow.updates.all(since=NOW, until=NOW + timedelta(days=1))) == [d]


def test_the_audit_trail_in_order_and_changes_since(any_uow_factory: UowFactory) -> None:
    entries = [
        AuditEntry(at=NOW, entity="action", entity_id="R1.1", event="created", source="cli"),
        AuditEntry(at=NOW + timedelta(days=1), entity="action", entity_id="R1.1", event="due_changed",
                   field="due", old=date(2022, 5, 31), new=date(2022, 7, 1), actor="chair",  # type: ignore[arg-type]
                   reason="supplier"),
        AuditEntry(at=NOW + timedelta(days=1), entity="action", entity_id="R1.1", event="proposed",
                   field="status", old="open", new="proposed"),
        AuditEntry(at=NOW + timedelta(days=2), entity="action", entity_id="R2.1", event="changed",
                   field="title", old="a", new="b"),
        AuditEntry(at=NOW + timedelta(days=3), entity="absence", entity_id="1", event="away", field="status"),
    ]
    with any_uow_factory() as uow:
        for e in entries:
            uow.audit.add(e)
        uow.commit()
    with any_uow_factory() as uow:
        trail = uow.audit.trail()
        assert [e.event for e in trail] == ["created", "due_changed", "proposed", "changed", "away"]
        assert trail[1].old == "2022-05-31" and trail[1].new == "2022-07-01" and trail[1].actor == "chair"
        assert trail[0].source == "cli" and trail[1].reason == "supplier" and trail[0].id is not None
        assert [e.event for e in uow.audit.trail("action", "R1.1")] == ["created", "due_changed", "proposed"]
        assert [e.event for e in uow.audit.trail(entity_id="1")] == ["away"]
        assert [e.event for e in uow.audit.changes_since(NOW, "action", ("status", "due"))] == [
            "proposed", "due_changed"]
        assert uow.audit.changes_since(NOW + timedelta(days=1), "action", ("status", "due")) == []


# --- requests and absences -------------------------------------------------------------------------
def _request(kind: RequestKind, at: datetime, aid: str = "R1.1", **kw: object) -> Request:
    values: dict[str, object] = {"state": RequestState.PENDING, **kw}
    return Request(action_id=aid, kind=kind, requested_by="lead_a", requested_at=at,
                   **values)  # type: ignore[arg-type]


def test_requests_pending_decided_and_saved(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        old = uow.requests.add(_request(RequestKind.CLOSURE, NOW, evidence="link"))
        new = uow.requests.add(_request(RequestKind.CLOSURE, NOW + timedelta(hours=1)))
        due = uow.requests.add(_request(RequestKind.DUE_CHANGE, NOW, new_due=date(2022, 8, 1), reason="late"))
        other = uow.requests.add(_request(RequestKind.SUPERSEDE, NOW - timedelta(days=1), aid="R2.1"))
        assert old.id is not None and len({old.id, new.id, due.id, other.id}) == 4
        uow.commit()
    with any_uow_factory() as uow:
        pending = uow.requests.pending("R1.1", RequestKind.CLOSURE)
        assert pending == new
        assert uow.requests.pending("R2.1", RequestKind.CLOSURE) is None
        assert [r.id for r in uow.requests.all_pending([RequestKind.DUE_CHANGE, RequestKind.SUPERSEDE])] == [
            other.id, due.id]
        for r, when in ((old, NOW + timedelta(days=2)), (new, NOW + timedelta(days=1))):
            r.state, r.decided_by, r.decided_at = RequestState.APPROVED, "chair", when
            r.evidence = "not written back by save"
            uow.requests.save(r)
        withdrawn = uow.requests.pending("R1.1", RequestKind.DUE_CHANGE)
        assert withdrawn is not None
        withdrawn.state, withdrawn.decision_reason = RequestState.WITHDRAWN, "replaced"
        withdrawn.decided_at = NOW + timedelta(days=1)
        uow.requests.save(withdrawn)
        uow.commit()
    with any_uow_factory() as uow:
        latest = uow.requests.latest("R1.1", RequestKind.CLOSURE, RequestState.APPROVED)
        assert latest is not None and latest.id == old.id and latest.evidence == "link"
        assert latest.decided_by == "chair" and latest.decided_at == NOW + timedelta(days=2)
        assert uow.requests.pending("R1.1", RequestKind.CLOSURE) is None
        gone = uow.requests.latest("R1.1", RequestKind.DUE_CHANGE, RequestState.WITHDRAWN)
        assert gone is not None and gone.decision_reason == "replaced" and gone.new_due == date(2022, 8, 1)
        # one never decided (decided_at NULL) comes after every decided one, on every database
        uow.requests.add(_request(RequestKind.DUE_CHANGE, NOW + timedelta(days=5), state=RequestState.WITHDRAWN))
        later = uow.requests.latest("R1.1", RequestKind.DUE_CHANGE, RequestState.WITHDRAWN)
        assert later is not None and later.id == gone.id


def _away(person: str, first: date, last: date, deputy: str | None = None,
          at: datetime = NOW) -> Absence:
    return Absence(person=person, start=first, end=last, deputy=deputy, created_by=person, created_at=at)


def test_absences_by_day_person_and_deputy(any_uow_factory: UowFactory) -> None:
    d = DAY
    with any_uow_factory() as uow:
        a = uow.absences.add(_away("ana", d, d + timedelta(days=4), "bo", at=NOW + timedelta(hours=2)))
        b = uow.absences.add(_away("cy", d + timedelta(days=2), d + timedelta(days=3), "bo", at=NOW))
        c = uow.absences.add(_away("ana", d + timedelta(days=10), d + timedelta(days=12), at=NOW + timedelta(hours=3)))
        gone = uow.absences.add(_away("cy", d, d + timedelta(days=9)))
        gone.cancelled_at = NOW
        uow.absences.save(gone)
        assert a.id is not None and len({a.id, b.id, c.id, gone.id}) == 4
        uow.commit()
    with any_uow_factory() as uow:
        assert [x.id for x in uow.absences.active()] == [b.id, a.id, c.id]  # oldest first
        assert [x.id for x in uow.absences.on(d + timedelta(days=2))] == [b.id, a.id]
        assert uow.absences.on(d + timedelta(days=5)) == []
        assert uow.absences.covered_by("bo", d + timedelta(days=3)) == {"ana", "cy"}
        assert uow.absences.covered_by("bo", d) == {"ana"}
        assert [x.id for x in uow.absences.overlapping("ana", d + timedelta(days=4), d + timedelta(days=10))] == [
            a.id, c.id]
        assert uow.absences.overlapping("ana", d + timedelta(days=5), d + timedelta(days=9)) == []
        assert [x.id for x in uow.absences.current_and_future("ana", d + timedelta(days=5))] == [c.id]
        assert uow.absences.current_and_future("cy", d + timedelta(days=4)) == []
        first = uow.absences.current_and_future("ana", d)[0]
        first.end = d + timedelta(days=1)
        uow.absences.save(first)
        uow.commit()
    stored = read(any_uow_factory, lambda u: u.absences.active())
    assert stored[1] == Absence(person="ana", start=d, end=d + timedelta(days=1), deputy="bo",
                                created_by="ana", created_at=NOW + timedelta(hours=2), id=a.id)


# --- events, state, conversations ------------------------------------------------------------------
def test_an_event_is_handled_the_first_time_only(any_uow_factory: UowFactory) -> None:
    with any_uow_factory() as uow:
        assert uow.events.first_time("Ev1", NOW)
        assert not uow.events.first_time("Ev1", NOW)
        uow.rollback()
        assert uow.events.first_time("Ev1", NOW)  # the rollback forgot it
        uow.commit()
    with any_uow_factory() as uow:
        assert not uow.events.first_time("Ev1", NOW)
        assert uow.events.first_time("Ev2", NOW)


def test_named_state(any_uow_factory: UowFactory) -> None:
    with any_uow_factory() as uow:
        assert uow.state.get("chart") is None
        assert uow.state.put_if_absent("chart", "said", NOW)
        assert not uow.state.put_if_absent("chart", "again", NOW)
        uow.state.put("cursor", "1", NOW)
        uow.state.put("cursor", "2", NOW)
        uow.commit()
    assert read(any_uow_factory, lambda u: (u.state.get("chart"), u.state.get("cursor"))) == ("said", "2")


def test_conversations_per_platform_upserted(any_uow_factory: UowFactory) -> None:
    reference = {"service_url": "https://example.test/", "conversation": {"id": "a:1"}, "n": [1, 2]}
    with any_uow_factory() as uow:
        assert uow.conversations.get("chat", "U1") is None
        uow.conversations.put("chat", "U1", "D1", None, NOW)
        uow.conversations.put("chat", "U2", "D2", None, NOW)
        uow.conversations.put("other", "U1", "a:1", reference, NOW)
        uow.commit()
    with any_uow_factory() as uow:
        uow.conversations.put("chat", "U1", "D9", None, NOW + timedelta(hours=1))  # replaced, not an error
        uow.commit()
    with any_uow_factory() as uow:
        assert uow.conversations.get("chat", "U1") == ("D9", None)
        assert uow.conversations.get("other", "U1") == ("a:1", reference)
        assert uow.conversations.addresses("chat") == {"U1", "U2"}
        assert uow.conversations.addresses("nowhere") == set()
        assert uow.conversations.conversations("chat") == {"U1": "D9", "U2": "D2"}  # every one, in one read
        assert uow.conversations.conversations("other") == {"U1": "a:1"}
        assert uow.conversations.conversations("nowhere") == {}


# --- at the same time -------------------------------------------------------------------------------
def overlapping(factory: UowFactory, first: Callable[[UnitOfWork], T],
                second: Callable[[UnitOfWork], T]) -> tuple[T, T, bool]:
    """Run `first` in a transaction, then `second` in another thread's transaction while the
    first is still open; commit the first, then the second. Returns both results, and whether
    the second was done before the first committed (it did not wait for the first's locks)."""
    results: dict[str, T] = {}
    started, done = threading.Event(), threading.Event()

    def other() -> None:
        started.wait(10)
        with factory() as uow:
            results["second"] = second(uow)
            uow.commit()
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with factory() as uow:
        results["first"] = first(uow)
        started.set()
        early = done.wait(0.5)  # PostgreSQL: the other may finish now; SQLite and memory: it waits for us
        uow.commit()
    thread.join(30)
    assert not thread.is_alive()
    return results["first"], results["second"], early


def on_postgres(factory: UowFactory) -> bool:
    engine = getattr(factory, "engine", None)
    return engine is not None and engine.dialect.name == "postgresql"


def test_the_same_event_or_update_key_at_once_is_kept_once(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    assert overlapping(any_uow_factory, lambda u: u.events.first_time("Ev1", NOW),
                       lambda u: u.events.first_time("Ev1", NOW)) == (True, False, False)
    first, second, early = overlapping(any_uow_factory, lambda u: u.updates.add(update("R1.1", NOW), "k"),
                                       lambda u: u.updates.add(update("R1.1", NOW), "k"))
    assert first is not None and second is None and not early
    assert len(read(any_uow_factory, lambda u: u.updates.for_action("R1.1"))) == 1


def test_rows_read_for_update_stay_locked_until_the_transaction_ends(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        uow.absences.add(_away("ana", DAY, DAY + timedelta(days=2)))
        uow.commit()
    locks: list[Callable[[UnitOfWork], object]] = [
        lambda u: u.plan.action("R1.1", for_update=True),
        lambda u: u.absences.overlapping("ana", DAY, DAY),
        lambda u: u.absences.current_and_future("ana", DAY)]
    for lock in locks:
        assert overlapping(any_uow_factory, lock, lock)[2] is False  # the second waited
    # a plain read waits for nobody on PostgreSQL (SQLite and memory: one transaction at a time)
    plain = overlapping(any_uow_factory, locks[0], lambda u: u.plan.action("R1.1"))[2]
    assert plain is on_postgres(any_uow_factory)


# --- the governance records beside the plan (issue 16) ------------------------------------------------
def test_wordless_greens_since_the_last_update_that_said_something(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    day = timedelta(days=1)
    with any_uow_factory() as uow:
        # R1.1: worded, then two wordless greens (the run began at the first of them)
        uow.updates.add(update("R1.1", NOW, narrative="guidance drafted"))
        uow.updates.add(update("R1.1", NOW + day))
        uow.updates.add(update("R1.1", NOW + 2 * day))
        # R1.2: only wordless greens (the run began at its first update); whitespace is stripped by callers
        uow.updates.add(update("R1.2", NOW - day))
        uow.updates.add(update("R1.2", NOW + day))
        # R2.1: a wordless green, then an amber with no words: that says something (not green)
        uow.updates.add(update("R2.1", NOW))
        uow.updates.add(update("R2.1", NOW + day, rag=RAG.AMBER))
        # R9.1 (dropped from the plan, still an action) and an evidence-only green elsewhere
        uow.updates.add(update("R9.1", NOW, evidence="https://intranet/doc"))
        uow.commit()
    runs = read(any_uow_factory, lambda u: u.updates.wordless_since())
    assert runs == {"R1.1": NOW + day, "R1.2": NOW - day}
    # as it stood: before R1.1's second wordless green; before any of R1.1's and R2.1's amber
    assert read(any_uow_factory, lambda u: u.updates.wordless_since(as_of=NOW + day)) == {
        "R1.1": NOW + day, "R1.2": NOW - day}
    assert read(any_uow_factory, lambda u: u.updates.wordless_since(as_of=NOW + day / 2)) == {
        "R1.2": NOW - day, "R2.1": NOW}


def test_challenges_open_until_answered(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        first = uow.challenges.add(Challenge("R1.1", "What shows it works?", "chair", NOW, update_id=None))
        second = uow.challenges.add(Challenge("R2.1", "Which districts?", "chair", NOW + timedelta(hours=1)))
        older = uow.challenges.add(Challenge("R1.1", "And the dip-sample?", "chair", NOW - timedelta(hours=1)))
        uow.commit()
    assert first.id is not None and second.id is not None and older.id is not None
    assert [c.question for c in read(any_uow_factory, lambda u: u.challenges.open())] == [
        "And the dip-sample?", "What shows it works?", "Which districts?"]
    assert [c.id for c in read(any_uow_factory, lambda u: u.challenges.open("R1.1"))] == [older.id, first.id]
    with any_uow_factory() as uow:
        got = uow.challenges.get(first.id)
        assert got is not None and got.is_open and got.asked_at == NOW
        got.answered_at, got.answer_update_id, got.answered_by = NOW + timedelta(days=1), 7, "lead_a"
        uow.challenges.save(got)
        uow.commit()
    assert [c.id for c in read(any_uow_factory, lambda u: u.challenges.open())] == [older.id, second.id]
    answered = read(any_uow_factory, lambda u: u.challenges.get(first.id or 0))
    assert answered is not None and not answered.is_open and answered.answered_by == "lead_a"
    assert answered.answered_at == NOW + timedelta(days=1) and answered.answer_update_id == 7
    with any_uow_factory() as uow, pytest.raises(ValueError):
        uow.challenges.save(Challenge("R1.1", "?", "chair", NOW, id=999))


def test_the_decision_log_in_order_by_recommendation(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        late = uow.decisions.add(DecisionRecord("R1.2", "R1", "Fund the tool", "Procurement slipped", "dcc",
                                                NOW + timedelta(days=2), "slash"))
        uow.decisions.add(DecisionRecord("R2", "R2", "Accept 30 June", "Partners consulted", "dcc", NOW))
        uow.decisions.add(DecisionRecord("R1", "R1", "Escalate", "Missed the deadline", "admin",
                                         NOW + timedelta(days=1)))
        uow.commit()
    assert late.id is not None and late.decided_at == NOW + timedelta(days=2)
    log = read(any_uow_factory, lambda u: u.decisions.all())
    assert [d.decision for d in log] == ["Accept 30 June", "Escalate", "Fund the tool"]
    assert log[2] == late
    assert [d.subject for d in read(any_uow_factory, lambda u: u.decisions.all("R1"))] == ["R1", "R1.2"]


def test_an_action_is_embedded_once(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        stored = uow.embeddings.add(Embedding("R1.1", "Re-audit: 95% of calls flag risk", date(2022, 6, 1),
                                              "chair", NOW))
        uow.commit()
    assert stored.id is not None
    assert read(any_uow_factory, lambda u: u.embeddings.get("R1.1")) == stored
    assert read(any_uow_factory, lambda u: u.embeddings.get("R1.2")) is None
    assert read(any_uow_factory, lambda u: u.embeddings.all()) == {"R1.1": stored}
    with pytest.raises(Exception), any_uow_factory() as uow:  # noqa: B017,PT011 - SQL and memory raise their own
        uow.embeddings.add(Embedding("R1.1", "again", date(2022, 6, 2), "chair", NOW))
    assert read(any_uow_factory, lambda u: u.embeddings.all()) == {"R1.1": stored}


def test_an_embedded_status_is_stored_and_read_back(any_uow_factory: UowFactory) -> None:
    seed_plan(any_uow_factory)
    with any_uow_factory() as uow:
        uow.plan.change_action("R1.1", 1, status=ActionStatus.EMBEDDED)
        uow.commit()
    action = read(any_uow_factory, lambda u: u.plan.action("R1.1"))
    assert action is not None and action.status is ActionStatus.EMBEDDED and action.is_closed
