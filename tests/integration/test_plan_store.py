"""Loading and syncing the plan, and recording updates, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.copy import SLACK, error_text
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain import permissions
from ncpi_core.domain.models import RAG, Source
from ncpi_core.errors import InvalidInput, NotFound, PermissionDenied, PersonalDataRefused
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.plan import load_plan
from ncpi_core.usecases.summaries import read_plan_state
from ncpi_core.usecases.updates import Recorded, UpdateCommand, record_update

T0 = datetime(2022, 3, 1, 9, tzinfo=UTC)
SAFE = "U0SAFE0001"  # Head of Safeguarding owns R2.1, R2.2
CRIME = "U0CRIME001"  # Head of Crime: deputy on R2.2
CUSTOMER = "U0CCON0001"  # Head of Customer Contact: owns R1.1, not R2.1
ADMIN = "U0CPC00001"


def _cmd(action: str, **kw: object) -> UpdateCommand:
    base: dict[str, object] = {"action_id": action, "rag": RAG.AMBER, "progress": 60, "narrative": "slots delayed",
                               "source": Source.DM}
    base.update(kw)
    return UpdateCommand(**base)  # type: ignore[arg-type]


def record(uow_factory: UowFactory, config: ForceConfig, user: str, cmd: UpdateCommand, now: datetime,
           today: date) -> Recorded:
    """Record as the Slack front end does: the actor resolved from their Slack id first."""
    actor = permissions.require_person(config.person_by_identity("slack", user))
    return record_update(uow_factory, config, actor, cmd.model_copy(update={"author_identity": f"slack:{user}"}),
                         now=now, today=today)


def count_updates(uow_factory: UowFactory) -> int:
    with uow_factory() as uow:
        return len(list(uow.updates.all()))


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
    record(loaded, force_config, SAFE, _cmd("R2.1"), T0, T0.date())
    changed = plan_file.model_copy(deep=True)
    changed.recommendations[1].actions[0].owner = "head_crime"
    changed.recommendations[1].actions[0].due = date(2022, 5, 15)
    dropped = changed.recommendations[2].actions.pop()  # R3.3
    with loaded() as uow:
        report = load_plan(changed, force_config, uow, T0 + timedelta(days=2), actor="coordinator")
        uow.commit()
    assert report.changed == ["R2.1"] and report.dropped == [dropped.id]
    with loaded() as uow:
        action = uow.plan.action("R2.1")
        assert action is not None and action.owner == "head_crime"
        assert action.due == date(2022, 5, 15) and action.original_due == date(2022, 4, 30)
        assert len(uow.updates.for_action("R2.1")) == 1  # history kept
        trail = [(a.field, a.old, a.new, a.actor) for a in uow.audit.trail("action", "R2.1") if a.event == "changed"]
        assert ("owner", "head_safeguarding", "head_crime", "coordinator") in trail
        gone = uow.plan.action(dropped.id)
        assert gone is not None and not gone.in_plan  # kept, not deleted
        assert dropped.id not in {a.id for a in uow.plan.actions()}


def test_updates_are_append_only_and_latest_wins(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    for i, rag in enumerate([RAG.RED, RAG.AMBER, RAG.GREEN]):
        record(loaded, force_config, SAFE, _cmd("R2.1", rag=rag, progress=20 * i), T0 + timedelta(days=i), T0.date())
    with loaded() as uow:
        latest = uow.updates.latest()
        assert latest["R2.1"].rag == RAG.GREEN and latest["R2.1"].progress == 40
        assert uow.updates.latest(as_of=T0 + timedelta(hours=30))["R2.1"].rag == RAG.AMBER
        assert len(uow.updates.for_action("R2.1")) == 3
        assert "R1.1" not in latest
        assert latest["R2.1"].author_identity == f"slack:{SAFE}"


def test_redelivered_event_stores_once(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    first = record(loaded, force_config, SAFE, _cmd("R2.1", idempotency_key="Ev01"), T0, T0.date())
    again = record(loaded, force_config, SAFE, _cmd("R2.1", idempotency_key="Ev01"), T0, T0.date())
    assert not first.duplicate and again.duplicate
    assert count_updates(loaded) == 1


def test_who_may_update(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    record(loaded, force_config, CRIME, _cmd("R2.2"), T0, T0.date())  # the plan's deputy
    record(loaded, force_config, ADMIN, _cmd("R2.1"), T0, T0.date())  # an admin
    with pytest.raises(PermissionDenied) as err:
        record(loaded, force_config, CUSTOMER, _cmd("R2.1"), T0, T0.date())
    assert "Head of Safeguarding" in error_text(err.value, SLACK)
    with pytest.raises(PermissionDenied):
        record(loaded, force_config, "U0STRANGER", _cmd("R2.1"), T0, T0.date())


def test_bad_updates_store_nothing(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound) as err:
        record(loaded, force_config, SAFE, _cmd("R99.9"), T0, T0.date())
    assert "R1.1" in error_text(err.value, SLACK)
    with pytest.raises(InvalidInput):
        record(loaded, force_config, SAFE, _cmd("R2.1", narrative="x" * 40_000), T0, T0.date())
    with pytest.raises(PersonalDataRefused) as refused:
        record(loaded, force_config, SAFE, _cmd("R2.1", narrative="victim DOB 01/02/2012 seen"), T0, T0.date())
    assert "01/02/2012" not in error_text(refused.value, SLACK) and "01/02/2012" not in str(refused.value)
    assert count_updates(loaded) == 0


def test_action_ids_forgive_case(loaded, force_config) -> None:  # type: ignore[no-untyped-def]
    rec = record(loaded, force_config, SAFE, _cmd("r2.1"), T0, T0.date())
    assert rec.action.id == "R2.1"


def test_every_plan_change_is_audited(loaded) -> None:  # type: ignore[no-untyped-def]
    with loaded() as uow:
        created = [a for a in uow.audit.trail() if a.event == "created"]
    assert len(created) == 10 + 27 + 13  # recommendations, actions, people in ncpi.yaml


def test_people_follow_ncpi_yaml_and_every_change_is_audited(loaded, force_config, plan_file) -> None:  # type: ignore[no-untyped-def]
    people = [p.model_copy(update={"teams_user": "29:ld"}) if p.id == "head_ld" else p
              for p in force_config.people if p.id != "opfcc"]
    changed = force_config.model_copy(update={"people": people})
    with loaded() as uow:
        report = load_plan(plan_file, changed, uow, T0)
        uow.commit()
    assert (report.people_added, report.people_changed) == ([], ["head_ld", "opfcc"])
    with loaded() as uow:
        ld = uow.people.get("head_ld")
        assert ld is not None and ld.identities == {"slack": "U0LAND0001", "teams": "29:ld"}
        assert uow.people.get("opfcc") is None and uow.people.names()["opfcc"] == "OPFCC Head of Policy"
        trail = [(a.entity_id, a.event, a.field) for a in uow.audit.trail("person")]
    assert ("head_ld", "changed", "identities") in trail and ("opfcc", "deactivated", None) in trail
