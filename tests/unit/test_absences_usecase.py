"""Absences on the in-memory store: away with or without a deputy, replaced, ended early; who is told."""

from __future__ import annotations

from datetime import date

import pytest

from bot.copy import SLACK, error_text, notice_text, outcome_text
from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.errors import InvalidInput, InvalidTransition, NcpiError, NotFound, PermissionDenied
from ncpi_core.storage.memory import MemoryUowFactory
from ncpi_core.usecases.absences import absences_on, back, set_away
from tests.unit.governance_world import at, loaded, notices, on, trail, who


@pytest.fixture
def world(force_config: ForceConfig, plan_file: PlanFile) -> MemoryUowFactory:
    return loaded(force_config, plan_file)


def test_away_with_a_deputy_routes_and_tells_the_deputy(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    out = set_away(world, force_config, who(force_config, "head_ld"), "2022-05-09", "2022-05-20", "head_crime",
                   **at())
    assert outcome_text(out, SLACK) == ("Noted: you are away from 2022-05-09 to 2022-05-20. No prompts or nudges go "
                                        "to you then.\nHead of Crime will get the prompts for R3.2, R7.2, R9.1, R9.2, R9.3.")
    assert [(n.person, n.code) for n in out.notices] == [("head_crime", "absence.covering")]
    assert notice_text(out.notices[0], SLACK) == ("Head of Learning & Development is away from 2022-05-09 to "
                                                  "2022-05-20. You will get their prompts for R3.2, R7.2, R9.1, R9.2, R9.3 "
                                                  "and may update them then.")
    assert [r.key for r in notices(world)] == out.delivery_keys
    assert absences_on(world, date(2022, 5, 9)) == {"head_ld": "head_crime"}
    assert absences_on(world, date(2022, 5, 8)) == {} and absences_on(world, date(2022, 5, 21)) == {}
    [entry] = trail(world, "absence")
    assert (entry.event, entry.new, entry.actor, entry.reason) == ("away", "head_ld", "head_ld",
                                                                   "2022-05-09 to 2022-05-20, deputy head_crime")


def test_without_a_deputy_each_plan_deputy_covers_and_the_rest_is_said(world: MemoryUowFactory,
                                                                       force_config: ForceConfig) -> None:
    out = set_away(world, force_config, who(force_config, "head_safeguarding"), "2022-05-03", "2022-05-06", **at())
    text = outcome_text(out, SLACK)
    assert "Head of Crime will get the prompts for R2.2." in text
    assert "Nobody covers R2.1, R2.3, R5.1, R5.2 (no deputy in the plan): name one with `/ncpi away FROM TO @deputy`" in text
    assert [n.person for n in out.notices] == ["head_crime"]
    assert absences_on(world, date(2022, 5, 4)) == {"head_safeguarding": None}


def test_an_overlapping_absence_replaces_and_back_ends_it(world: MemoryUowFactory, force_config: ForceConfig) -> None:
    owner = who(force_config, "head_ld")
    set_away(world, force_config, owner, "2022-05-03", "2022-05-10", **at())
    out = set_away(world, force_config, owner, "2022-05-05", "2022-05-20", "head_crime", **at(1))
    assert "This replaces 1 earlier absence(s) overlapping these dates." in outcome_text(out, SLACK)
    assert absences_on(world, date(2022, 5, 4)) == {}  # the first was replaced, not kept
    set_away(world, force_config, owner, "2022-06-01", "2022-06-03", "head_safeguarding", **at(2))
    out = back(world, force_config, owner, **on(date(2022, 5, 9), 8))
    assert outcome_text(out, SLACK) == ("Welcome back: 2 absence(s) ended or cancelled; prompts come to you again.")
    assert [n.person for n in out.notices] == ["head_crime", "head_safeguarding"]
    assert notice_text(out.notices[0], SLACK) == ("Head of Learning & Development is back; you no longer cover "
                                                  "their actions.")
    # away 5–8 May stays on record (nobody is nudged for that window); nothing from the 9th
    assert absences_on(world, date(2022, 5, 8)) == {"head_ld": "head_crime"}
    assert absences_on(world, date(2022, 5, 9)) == {} and absences_on(world, date(2022, 6, 2)) == {}
    assert [e.event for e in trail(world, "absence")][-2:] == ["ended", "cancelled"]
    before = world.store.commits
    with pytest.raises(InvalidTransition) as err:
        back(world, force_config, owner, **on(date(2022, 5, 9), 8))
    assert error_text(err.value, SLACK) == ("You have no current or future absence recorded. Nothing to cancel. "
                                            "`/ncpi away FROM TO [@deputy]` records one.")
    assert world.store.commits == before


BAD = [
    ("2022-05-10", "2022-05-09", None, InvalidInput, "The end date 2022-05-09 is before the start date 2022-05-10. "
     "Give the first day away, then the last: `/ncpi away 2022-05-03 2022-05-17`."),
    ("2022-04-01", "2022-05-02", None, InvalidInput, "2022-04-01 to 2022-05-02 is wholly in the past. Give dates "
     "from 2022-05-03 on."),
    ("next week", "2022-05-09", None, InvalidInput, "The start date given is not a date I can read. Write it as "
     "YYYY-MM-DD, for example 2022-06-30."),
    ("2022-05-10", "2022-05-12", "nobody", NotFound, "The deputy you named is not one of the people in this plan. "
     "Name someone from ncpi.yaml with an @mention, or leave the deputy out so each action's plan deputy covers."),
    ("2022-05-10", "2022-05-12", "head_ld", InvalidInput, "You cannot be your own deputy. Name someone else, or "
     "leave the deputy out."),
]


@pytest.mark.parametrize(("start", "end", "deputy", "error", "said"), BAD)
def test_bad_absences_are_refused_and_store_nothing(world: MemoryUowFactory, force_config: ForceConfig, start: str,
                                                    end: str, deputy: str | None, error: type[NcpiError],
                                                    said: str) -> None:
    before = world.store.commits
    with pytest.raises(error) as err:
        set_away(world, force_config, who(force_config, "head_ld"), start, end, deputy, **at())
    assert error_text(err.value, SLACK) == said
    assert world.store.commits == before


def test_only_an_administrator_records_or_ends_someone_elses(world: MemoryUowFactory,
                                                             force_config: ForceConfig) -> None:
    with pytest.raises(PermissionDenied) as err:
        set_away(world, force_config, who(force_config, "head_crime"), "2022-05-10", "2022-05-12",
                 person_id="head_ld", **at())
    assert error_text(err.value, SLACK) == ("Sorry, only a plan administrator can record someone else's absence. "
                                            "Record your own with `/ncpi away YYYY-MM-DD YYYY-MM-DD [@deputy]`.")
    admin = who(force_config, "coordinator")
    with pytest.raises(NotFound) as unknown:
        set_away(world, force_config, admin, "2022-05-10", "2022-05-12", person_id="ghost", **at())
    assert error_text(unknown.value, SLACK) == "'ghost' is not one of the people in ncpi.yaml. Use a person id from it."
    out = set_away(world, force_config, admin, "2022-05-10", "2022-05-12", person_id="head_ld", **at())
    assert outcome_text(out, SLACK).startswith("Noted: Head of Learning & Development is away from 2022-05-10")
    assert absences_on(world, date(2022, 5, 11)) == {"head_ld": None}
    with pytest.raises(PermissionDenied):
        back(world, force_config, who(force_config, "head_crime"), person_id="head_ld", **at(1))
    out = back(world, force_config, admin, person_id="head_ld", **at(1))
    assert outcome_text(out, SLACK).endswith("prompts come to Head of Learning & Development again.")
