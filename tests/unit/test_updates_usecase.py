"""Recording an update, on the in-memory store: who may, what is refused, and that a refusal stores nothing."""

from __future__ import annotations

import pytest

from bot.copy import SLACK, error_text
from ncpi_core.config.schema import ForceConfig, PersonConfig, PlanFile
from ncpi_core.domain.models import RAG, Role, Source
from ncpi_core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PersonalDataRefused,
)
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases import absences, closure
from ncpi_core.usecases.updates import (
    UpdateCommand,
    check_can_update,
    known_action_ids,
    record_update,
)
from tests.unit.governance_world import at, loaded, who


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return loaded(force_config, plan_file)


def cmd(action_id: str = "R2.1", **kw: object) -> UpdateCommand:
    base: dict[str, object] = {"action_id": action_id, "rag": RAG.AMBER, "progress": 60,
                               "narrative": "slots delayed", "source": Source.DM}
    base.update(kw)
    return UpdateCommand(**base)  # type: ignore[arg-type]


def stored(world: MemoryUowFactory, action_id: str) -> list[tuple[RAG, int | None, str | None]]:
    with world() as uow:
        return [(u.rag, u.progress, u.author) for u in uow.updates.for_action(action_id)]


def test_an_update_is_stored_with_its_author_account_and_source(world: MemoryUowFactory,
                                                                force_config: ForceConfig) -> None:
    got = record_update(world, force_config, who(force_config, "head_safeguarding"),
                        cmd(author_identity="slack:U0SAFE0001", narrative="  slots delayed  "), **at())
    assert not got.duplicate and got.action.id == "R2.1"
    assert got.update.id is not None and got.update.narrative == "slots delayed"
    assert (got.update.author, got.update.author_identity, got.update.source) == (
        "head_safeguarding", "slack:U0SAFE0001", Source.DM)
    assert stored(world, "R2.1") == [(RAG.AMBER, 60, "head_safeguarding")]


def test_a_redelivered_event_stores_once(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    lead = who(force_config, "head_safeguarding")
    first = record_update(world, force_config, lead, cmd(idempotency_key="Ev01"), **at())
    again = record_update(world, force_config, lead, cmd(idempotency_key="Ev01", rag=RAG.RED), **at(1))
    assert not first.duplicate and again.duplicate
    assert again.update.id == first.update.id and again.update.rag == RAG.AMBER
    assert len(stored(world, "R2.1")) == 1


def test_on_track_keeps_the_last_progress(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    lead = who(force_config, "head_safeguarding")
    kept = record_update(world, force_config, lead, cmd(rag=RAG.GREEN, keep_progress=True, progress=None), **at())
    assert kept.update.progress is None  # nothing to keep yet
    record_update(world, force_config, lead, cmd(progress=45), **at(1))
    kept = record_update(world, force_config, lead, cmd(rag=RAG.GREEN, keep_progress=True, progress=None), **at(2))
    assert (kept.update.rag, kept.update.progress) == (RAG.GREEN, 45)


def test_owner_deputy_admin_and_cover_may_update_and_nobody_else(world: MemoryUowFactory,
                                                                  force_config: ForceConfig) -> None:
    record_update(world, force_config, who(force_config, "head_crime"), cmd("R2.2"), **at())  # the plan's deputy
    record_update(world, force_config, who(force_config, "coordinator"), cmd("R2.1"), **at())  # an admin
    before = world.store.commits
    with pytest.raises(PermissionDenied) as err:
        record_update(world, force_config, who(force_config, "head_customer_contact"), cmd("R2.1"), **at())
    assert err.value.code == "action.not_owner"
    assert error_text(err.value, SLACK) == ("Sorry, you cannot update R2.1. Only its owner (Head of Safeguarding) "
                                            "or a plan administrator can.")
    assert world.store.commits == before
    # someone the owner named to cover while away may update, only while they are away
    absences.set_away(world, force_config, who(force_config, "head_ld"), "2022-05-03", "2022-05-17", "head_crime",
                      **at())
    record_update(world, force_config, who(force_config, "head_crime"), cmd("R3.2"), **at(1))
    with pytest.raises(PermissionDenied):
        record_update(world, force_config, who(force_config, "head_crime"), cmd("R3.2"),
                      now=at()["now"], today=at()["today"].replace(day=18))


def test_a_person_new_in_ncpi_yaml_may_update_before_the_plan_is_loaded_again(
        world: MemoryUowFactory, force_config: ForceConfig) -> None:
    # people come from ncpi.yaml; the stored copy of people is for reports only
    newcomer = PersonConfig(id="new_admin", name="New Administrator", roles=[Role.ADMIN], teams_user="29:abc")
    config = force_config.model_copy(update={"people": [*force_config.people, newcomer]})
    got = record_update(world, config, who(config, "new_admin"), cmd("R2.1"), **at())
    assert got.update.author == "new_admin"
    with world() as uow:
        assert uow.people.get("new_admin") is None


def test_bad_updates_are_refused_and_store_nothing(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    lead = who(force_config, "head_safeguarding")
    before = world.store.commits
    with pytest.raises(NotFound) as err:
        record_update(world, force_config, lead, cmd("R99.9"), **at())
    assert error_text(err.value, SLACK) == ("There is no action 'R99.9' in the plan. Action ids look like "
                                            "R1.1, R1.2, R1.3, R2.1, R2.2, ….")
    with pytest.raises(InvalidInput) as long:
        record_update(world, force_config, lead, cmd(narrative="x" * 40_000), **at())
    assert (long.value.code, long.value.params["field"], long.value.params["length"]) == ("update.too_long",
                                                                                          "narrative", 40_000)
    assert error_text(long.value, SLACK) == ("The narrative is 40,000 characters long. Please keep it under 3,000 "
                                             "characters (a short summary is best; link to a document for the "
                                             "detail).")
    with pytest.raises(PersonalDataRefused) as refused:
        record_update(world, force_config, lead, cmd(narrative="victim DOB 01/02/2012 seen",
                                                     evidence="crime ref 12/34567/22"), **at())
    assert refused.value.params["findings"] == [["narrative", "dob"], ["evidence", "crime_ref"]]
    assert "01/02/2012" not in error_text(refused.value, SLACK) and "12/34567" not in str(refused.value)
    assert world.store.commits == before
    assert stored(world, "R2.1") == []


def test_a_closed_action_takes_no_more_updates(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    closure.supersede(world, force_config, who(force_config, "tacc"), "R2.1", "merged into R2.2", **at())
    with pytest.raises(InvalidTransition) as err:
        record_update(world, force_config, who(force_config, "head_safeguarding"), cmd("R2.1"), **at(1))
    assert error_text(err.value, SLACK) == ("R2.1 is superseded; it takes no more updates. "
                                            "Ask the Silver chair if it needs reopening.")


def test_ids_forgive_case_and_the_form_check_gives_the_latest(world: MemoryUowFactory,
                                                              force_config: ForceConfig) -> None:
    lead = who(force_config, "head_safeguarding")
    assert record_update(world, force_config, lead, cmd("r2.1"), **at()).action.id == "R2.1"
    action, latest = check_can_update(world, force_config, lead, "r2.1", today=at()["today"])
    assert action.id == "R2.1" and latest is not None and latest.progress == 60
    with pytest.raises(PermissionDenied):
        check_can_update(world, force_config, who(force_config, "communications"), "R2.1", today=at()["today"])


def test_known_ids_put_the_persons_own_open_actions_first(world: MemoryUowFactory) -> None:
    ids = known_action_ids(world, "head_safeguarding")
    assert ids[:3] == ["R2.1", "R2.2", "R2.3"] and len(ids) == 27
