"""The plan (title, recommendations, actions) and the people, in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select, update

from ncpi_core.domain.models import (
    Action,
    ActionStatus,
    Category,
    ItemType,
    Person,
    PlanInfo,
    Recommendation,
    Role,
)
from ncpi_core.storage import rules
from ncpi_core.storage.base import PeopleRepository, PlanRepository
from ncpi_core.storage.sql.common import ACTIONS, PEOPLE, PLAN, RECOMMENDATIONS, SqlRepository

PLAN_ROW = 1  # the plan is one row


def to_recommendation(row: Row[Any]) -> Recommendation:
    return Recommendation(id=row.id, title=row.title, text=row.text or "", category=Category(row.category),
                          due=row.due, position=row.position, in_plan=row.in_plan, report=row.report or "",
                          type=ItemType(row.type or ItemType.RECOMMENDATION),
                          public_summary=row.public_summary or "")


def to_action(row: Row[Any]) -> Action:
    return Action(id=row.id, recommendation_id=row.recommendation_id, title=row.title, owner=row.owner,
                  deputy=row.deputy, due=row.due, original_due=row.original_due,
                  status=ActionStatus(row.status), in_plan=row.in_plan, position=row.position,
                  version=row.version)


def to_person(row: Row[Any]) -> Person:
    return Person(id=row.id, name=row.name, roles=frozenset(Role(r) for r in row.roles or []),
                  identities=dict(row.identities or {}), active=row.active)


def _in_plan_order(query: Select[Any]) -> Select[Any]:
    """Actions in plan order: the recommendation's position, the action's position, its id."""
    return (query.join(RECOMMENDATIONS, RECOMMENDATIONS.c.id == ACTIONS.c.recommendation_id)
            .order_by(RECOMMENDATIONS.c.position, ACTIONS.c.position, ACTIONS.c.id))


class SqlPlanRepository(SqlRepository, PlanRepository):
    def info(self) -> PlanInfo | None:
        row = self._db.execute(select(PLAN).where(PLAN.c.id == PLAN_ROW)).first()
        return PlanInfo(title=row.title, report=row.report, published=row.published) if row else None

    def loaded_at(self) -> datetime | None:
        at: datetime | None = self._db.scalar(select(PLAN.c.loaded_at).where(PLAN.c.id == PLAN_ROW))
        return at

    def save_info(self, info: PlanInfo, loaded_at: datetime) -> None:
        self._upsert(PLAN, ["id"], {"id": PLAN_ROW, "title": info.title, "report": info.report,
                                    "published": info.published, "loaded_at": loaded_at})

    def recommendations(self, include_dropped: bool = False) -> list[Recommendation]:
        q = select(RECOMMENDATIONS).order_by(RECOMMENDATIONS.c.position, RECOMMENDATIONS.c.id)
        if not include_dropped:
            q = q.where(RECOMMENDATIONS.c.in_plan)
        return [to_recommendation(r) for r in self._db.execute(q)]

    def save_recommendation(self, rec: Recommendation) -> None:
        self._upsert(RECOMMENDATIONS, ["id"], {
            "id": rec.id, "position": rec.position, "title": rec.title, "text": rec.text,
            "category": rules.plain(rec.category), "due": rec.due, "in_plan": rec.in_plan,
            "report": rec.report, "type": rules.plain(rec.type), "public_summary": rec.public_summary})

    def actions(self, include_dropped: bool = False, owner: str | None = None) -> list[Action]:
        q = _in_plan_order(select(ACTIONS))
        if not include_dropped:
            q = q.where(ACTIONS.c.in_plan)
        if owner is not None:
            q = q.where(ACTIONS.c.owner == owner)
        return [to_action(r) for r in self._db.execute(q)]

    def action(self, action_id: str, *, for_update: bool = False) -> Action | None:
        q = select(ACTIONS).where(ACTIONS.c.id == action_id)
        row = self._db.execute(self._locked(q) if for_update else q).first()
        return to_action(row) if row else None

    def resolve_action_id(self, typed: str) -> str | None:
        in_plan = _in_plan_order(select(ACTIONS.c.id)).where(ACTIONS.c.in_plan).limit(1)
        exact: str | None = self._db.scalar(in_plan.where(ACTIONS.c.id == typed))
        if exact is not None:
            return exact
        found: str | None = self._db.scalar(
            in_plan.where(func.lower(ACTIONS.c.id) == typed.strip().lower()))
        return found

    def action_ids(self) -> list[str]:
        return list(self._db.scalars(_in_plan_order(select(ACTIONS.c.id)).where(ACTIONS.c.in_plan)))

    def add_action(self, action: Action) -> None:
        self._db.execute(ACTIONS.insert().values(
            id=action.id, recommendation_id=action.recommendation_id, position=action.position,
            title=action.title, owner=action.owner, deputy=action.deputy, due=action.due,
            original_due=action.original_due, status=rules.plain(action.status), in_plan=action.in_plan,
            version=action.version))

    def change_action(self, action_id: str, expected_version: int, **values: Any) -> Action | None:
        # one conditional UPDATE: it writes only if nobody bumped the version since it was read
        row = self._db.execute(
            update(ACTIONS).where(ACTIONS.c.id == action_id, ACTIONS.c.version == expected_version)
            .values(version=expected_version + 1, **rules.action_changes(values))
            .returning(*ACTIONS.c)).first()
        return to_action(row) if row else None

    def statuses(self, recommendation_id: str) -> list[ActionStatus]:
        q = _in_plan_order(select(ACTIONS.c.status)).where(
            ACTIONS.c.recommendation_id == recommendation_id, ACTIONS.c.in_plan)
        return [ActionStatus(s) for s in self._db.scalars(q)]


class SqlPeopleRepository(SqlRepository, PeopleRepository):
    def all(self, include_inactive: bool = False) -> list[Person]:
        q = select(PEOPLE).order_by(PEOPLE.c.id)
        if not include_inactive:
            q = q.where(PEOPLE.c.active)
        return [to_person(r) for r in self._db.execute(q)]

    def get(self, person_id: str) -> Person | None:
        row = self._db.execute(select(PEOPLE).where(PEOPLE.c.id == person_id, PEOPLE.c.active)).first()
        return to_person(row) if row else None

    def save(self, person: Person) -> None:
        self._upsert(PEOPLE, ["id"], {
            "id": person.id, "name": person.name, "identities": dict(person.identities),
            "roles": sorted(rules.plain(r) for r in person.roles), "active": person.active})

    def names(self) -> dict[str, str]:
        return {pid: name for pid, name in self._db.execute(select(PEOPLE.c.id, PEOPLE.c.name))}
