"""The plan as it stands (or stood): what a summary, a chart and the delivery content are built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ncpi_core.domain.models import Action, Person, PlanInfo, Recommendation, Update


@dataclass
class PlanState:
    """The plan's recommendations and actions, each action's latest update, and people's names."""

    info: PlanInfo | None
    recommendations: list[Recommendation]
    actions: list[Action]
    latest: dict[str, Update]
    people: dict[str, Person]
    as_of: datetime

    def actions_of(self, rec_id: str) -> list[Action]:
        return [a for a in self.actions if a.recommendation_id == rec_id]

    def person_name(self, person_id: str | None) -> str:
        if person_id is None:
            return ""
        p = self.people.get(person_id)
        return p.name if p else person_id
