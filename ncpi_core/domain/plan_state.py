"""The plan as it stands (or stood): what a summary, a chart and the delivery content are built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ncpi_core.domain.models import Action, Person, PlanInfo, Recommendation, Update
from ncpi_core.domain.records import Challenge, DecisionRecord, Embedding
from ncpi_core.domain.scrutiny import AssuranceRecord, InspectorateRecord


@dataclass
class PlanState:
    """The plan's recommendations and actions, each action's latest update, and people's names;
    with the governance records a summary shows beside them (left empty where not needed: the
    chart's past positions read only the plan)."""

    info: PlanInfo | None
    recommendations: list[Recommendation]
    actions: list[Action]
    latest: dict[str, Update]
    people: dict[str, Person]
    as_of: datetime
    challenges: list[Challenge] = field(default_factory=list)  # open ones, oldest first
    decisions: list[DecisionRecord] = field(default_factory=list)  # the decision log, oldest first
    embeddings: dict[str, Embedding] = field(default_factory=dict)  # by action id
    # for each action whose latest update says nothing (Green, no words): when that run began
    wordless_since: dict[str, datetime] = field(default_factory=dict)
    # scrutiny from outside the force, by recommendation id: the PCC's current rating and the
    # inspectorate's current status (`domain.scrutiny`)
    assurances: dict[str, AssuranceRecord] = field(default_factory=dict)
    inspectorate: dict[str, InspectorateRecord] = field(default_factory=dict)

    def actions_of(self, rec_id: str) -> list[Action]:
        return [a for a in self.actions if a.recommendation_id == rec_id]

    def person_name(self, person_id: str | None) -> str:
        if person_id is None:
            return ""
        p = self.people.get(person_id)
        return p.name if p else person_id
