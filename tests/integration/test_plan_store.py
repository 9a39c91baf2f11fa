"""Loading and syncing the plan, and recording updates, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ncpi_core.config.schema import PlanFile
from ncpi_core.domain.models import RAG, Source
from ncpi_core.errors import InvalidInput, NotFound, PermissionDenied, PersonalDataRefused
from ncpi_core.storage.tables import AuditRow, UpdateRow
from ncpi_core.usecases.services import UpdateCommand, load_plan, read_plan_state, record_update

T0 = datetime(2022, 3, 1, 9, tzinfo=UTC)
SAFE = "U0SAFE0001"  # Head of Safeguarding owns R2.1, R2.2
CRIME = "U0CRIME001"  # Head of Crime: deputy on R2.2
CUSTOMER = "U0CCON0001"  # Head of Customer Contact: owns R1.1, not R2.1
ADMIN = "U0CPC00001"


def _cmd(action: str, user: str, **kw: object) -> UpdateCommand:
    base = {"action_id": action, "rag": RAG.AMBER, "progress": 60, "narrative": "slots delayed",
            "slack_user": user, "source": Source.DM}
    base.update(kw)
    return UpdateCommand(**base)  # type: ignore[arg-type]


def test_loading_twice_changes_nothing(loaded, force_config, plan_file) -> None:  # type: ignore[no-untyped-def]
    with loaded() as uow:
        report = load_plan(plan_file, force_config, uow, T0 + timedelta(days=1))
        uow.commit()
    assert report.nothing_changed and report.unchanged == 37
    with loaded() as uow:
        state = read_plan_state(uow, T0)
    assert len(state.recommendations) == 10 and len(state.actions) == 27


def test_changed_plan_updates_keeps_history_and_reports_dropped(loaded, force_config,  # type: ignore[no-untyped-def]
                                                               plan_file: PlanFile) -> None:
    record_update(_cmd("R2.1", SAFE), loaded, T0, T0.date())
    changed = plan_file.model_copy(deep=True)
    changed.recommendations[1].actions[0].owner = "head_crime"
    changed.recommendations[1].actions[0].due = date(2022, 5, 15)
    dropped = changed.recommendations[2].actions.pop()  # R3.3
    with loaded() as uow:
        report = load_plan(changed, force_config, uow, T0 + timedelta(days=2), actor="coordinator")
        uow.commit()
    assert report.changed == ["R2.1"] and report.dropped == [dropped.id]
    with loaded() as uow:
        action = uow.repo.action("R2.1")
        assert action is not None and action.owner == "head_crime"
        assert action.due == date(2022, 5, 15) and action.original_due == date(2022, 4, 30)
        assert len(uow.repo.updates_for("R2.1")) == 1  # history kept
        trail = [(a.field, a.old, a.new, a.actor) for a in uow.repo.audit_trail("R2.1") if a.event == "changed"]
        assert ("owner", "head_safeguarding", "head_crime", "coordinator") in trail
        gone = uow.repo.action(dropped.id)
        assert gone is not None and not gone.in_plan  # kept, not deleted
        assert dropped.id not in {a.id for a in uow.repo.actions()}


def test_updates_are_append_only_and_latest_wins(loaded) -> None:  # type: ignore[no-untyped-def]
    for i, rag in enumerate([RAG.RED, RAG.AMBER, RAG.GREEN]):
        record_update(_cmd("R2.1", SAFE, rag=rag, progress=20 * i), loaded, T0 + timedelta(days=i), T0.date())
    with loaded() as uow:
        latest = uow.repo.latest_updates()
        assert latest["R2.1"].rag == RAG.GREEN and latest["R2.1"].progress == 40
        assert uow.repo.latest_updates(as_of=T0 + timedelta(hours=30))["R2.1"].rag == RAG.AMBER
        assert len(uow.repo.updates_for("R2.1")) == 3
        assert "R1.1" not in latest


def test_redelivered_event_stores_once(loaded) -> None:  # type: ignore[no-untyped-def]
    first = record_update(_cmd("R2.1", SAFE, idempotency_key="Ev01"), loaded, T0, T0.date())
    again = record_update(_cmd("R2.1", SAFE, idempotency_key="Ev01"), loaded, T0, T0.date())
    assert not first.duplicate and again.duplicate
    with loaded() as uow:
        assert uow.session.scalar(select(func.count()).select_from(UpdateRow)) == 1


def test_who_may_update(loaded) -> None:  # type: ignore[no-untyped-def]
    record_update(_cmd("R2.2", CRIME), loaded, T0, T0.date())  # the plan's deputy
    record_update(_cmd("R2.1", ADMIN), loaded, T0, T0.date())  # an admin
    with pytest.raises(PermissionDenied) as err:
        record_update(_cmd("R2.1", CUSTOMER), loaded, T0, T0.date())
    assert "Head of Safeguarding" in str(err.value)
    with pytest.raises(PermissionDenied):
        record_update(_cmd("R2.1", "U0STRANGER"), loaded, T0, T0.date())


def test_bad_updates_store_nothing(loaded) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound) as err:
        record_update(_cmd("R99.9", SAFE), loaded, T0, T0.date())
    assert "R1.1" in str(err.value)
    with pytest.raises(InvalidInput):
        record_update(_cmd("R2.1", SAFE, narrative="x" * 40_000), loaded, T0, T0.date())
    with pytest.raises(PersonalDataRefused) as refused:
        record_update(_cmd("R2.1", SAFE, narrative="victim DOB 01/02/2012 seen"), loaded, T0, T0.date())
    assert "01/02/2012" not in str(refused.value)
    with loaded() as uow:
        assert uow.session.scalar(select(func.count()).select_from(UpdateRow)) == 0


def test_action_ids_forgive_case(loaded) -> None:  # type: ignore[no-untyped-def]
    rec = record_update(_cmd("r2.1", SAFE), loaded, T0, T0.date())
    assert rec.action.id == "R2.1"


def test_every_plan_change_is_audited(loaded) -> None:  # type: ignore[no-untyped-def]
    with loaded() as uow:
        created = uow.session.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.event == "created"))
    assert created == 10 + 27 + 12
