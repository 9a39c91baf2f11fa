"""Repository: reads and writes of domain objects, translating rows to models and back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

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
from ncpi_core.storage.tables import (
    ActionRow,
    AuditRow,
    PersonRow,
    PlanRow,
    ProcessedEventRow,
    RecommendationRow,
    UpdateRow,
)


def to_person(row: PersonRow) -> Person:
    return Person(id=row.id, name=row.name, slack_user=row.slack_user,
                  roles=frozenset(Role(r) for r in row.roles or []))


def to_recommendation(row: RecommendationRow) -> Recommendation:
    return Recommendation(id=row.id, title=row.title, text=row.text or "", category=Category(row.category),
                          due=row.due, position=row.position)


def to_action(row: ActionRow) -> Action:
    return Action(id=row.id, recommendation_id=row.recommendation_id, title=row.title, owner=row.owner,
                  deputy=row.deputy, due=row.due, original_due=row.original_due,
                  status=ActionStatus(row.status), in_plan=row.in_plan, position=row.position)


def to_update(row: UpdateRow) -> Update:
    return Update(id=row.id, action_id=row.action_id, rag=RAG(row.rag), progress=row.progress,
                  narrative=row.narrative or "", blockers=row.blockers or "", evidence=row.evidence or "",
                  author=row.author, author_slack_user=row.author_slack_user, source=Source(row.source),
                  created_at=row.created_at)


class Repository:
    """All queries in one place, so indexes and query shapes are reviewed together."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- plan and people -------------------------------------------------------------------
    def plan_info(self) -> PlanInfo | None:
        row = self.session.get(PlanRow, 1)
        return PlanInfo(title=row.title, report=row.report, published=row.published) if row else None

    def people(self) -> list[Person]:
        rows = self.session.scalars(select(PersonRow).where(PersonRow.active).order_by(PersonRow.id))
        return [to_person(r) for r in rows]

    def person(self, person_id: str) -> Person | None:
        row = self.session.get(PersonRow, person_id)
        return to_person(row) if row and row.active else None

    def person_by_slack(self, slack_user: str) -> Person | None:
        row = self.session.scalars(
            select(PersonRow).where(PersonRow.slack_user == slack_user, PersonRow.active)
        ).first()
        return to_person(row) if row else None

    def recommendations(self, include_dropped: bool = False) -> list[Recommendation]:
        q = select(RecommendationRow).order_by(RecommendationRow.position, RecommendationRow.id)
        if not include_dropped:
            q = q.where(RecommendationRow.in_plan)
        return [to_recommendation(r) for r in self.session.scalars(q)]

    def actions(self, include_dropped: bool = False, owner: str | None = None) -> list[Action]:
        q = select(ActionRow).join(RecommendationRow).order_by(
            RecommendationRow.position, ActionRow.position, ActionRow.id)
        if not include_dropped:
            q = q.where(ActionRow.in_plan)
        if owner is not None:
            q = q.where(ActionRow.owner == owner)
        return [to_action(r) for r in self.session.scalars(q)]

    def action(self, action_id: str) -> Action | None:
        row = self.session.get(ActionRow, action_id)
        return to_action(row) if row else None

    def action_row(self, action_id: str, for_update: bool = False) -> ActionRow | None:
        q = select(ActionRow).where(ActionRow.id == action_id)
        if for_update:
            q = q.with_for_update()
        return self.session.scalars(q).first()

    def action_ids(self) -> list[str]:
        return list(self.session.scalars(select(ActionRow.id).where(ActionRow.in_plan)))

    # --- updates -----------------------------------------------------------------------------
    def add_update(self, update: Update, idempotency_key: str | None = None) -> Update | None:
        """Append an update; return None (and store nothing) if the key was already used."""
        row = UpdateRow(action_id=update.action_id, rag=update.rag.value, progress=update.progress,
                        narrative=update.narrative, blockers=update.blockers, evidence=update.evidence,
                        author=update.author, author_slack_user=update.author_slack_user,
                        source=update.source.value, created_at=update.created_at,
                        idempotency_key=idempotency_key)
        if idempotency_key is not None:
            nested = self.session.begin_nested()
            try:
                self.session.add(row)
                self.session.flush()
            except IntegrityError:
                nested.rollback()
                return None
            nested.commit()
        else:
            self.session.add(row)
            self.session.flush()
        return to_update(row)

    def latest_updates(self, as_of: datetime | None = None,
                       action_ids: Sequence[str] | None = None) -> dict[str, Update]:
        """The latest update of each action (optionally as it stood at `as_of`).

        One index probe per action on (action_id, created_at, id): the cost follows the number
        of actions, not the length of the history.
        """
        inner = aliased(UpdateRow)
        cond = [inner.action_id == ActionRow.id]
        if as_of is not None:
            cond.append(inner.created_at <= as_of)
        latest_id = (
            select(inner.id).where(and_(*cond))
            .order_by(inner.created_at.desc(), inner.id.desc()).limit(1)
            .correlate(ActionRow).scalar_subquery()
        )
        q = select(UpdateRow).join(ActionRow, UpdateRow.id == latest_id)
        if action_ids is not None:
            q = q.where(ActionRow.id.in_(list(action_ids)))
        return {r.action_id: to_update(r) for r in self.session.scalars(q)}

    def updates_for(self, action_id: str, limit: int | None = None) -> list[Update]:
        q = select(UpdateRow).where(UpdateRow.action_id == action_id).order_by(
            UpdateRow.created_at.desc(), UpdateRow.id.desc())
        if limit:
            q = q.limit(limit)
        return [to_update(r) for r in self.session.scalars(q)]

    def all_updates(self, since: datetime | None = None, until: datetime | None = None) -> Iterable[Update]:
        q = select(UpdateRow).order_by(UpdateRow.created_at, UpdateRow.id)
        if since is not None:
            q = q.where(UpdateRow.created_at > since)
        if until is not None:
            q = q.where(UpdateRow.created_at <= until)
        for row in self.session.scalars(q.execution_options(yield_per=1000)):
            yield to_update(row)

    def count_updates(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(UpdateRow)) or 0)

    # --- audit ---------------------------------------------------------------------------------
    def audit(self, at: datetime, entity: str, entity_id: str, event: str, *, field: str | None = None,
              old: object = None, new: object = None, actor: str | None = None, source: str = "system",
              reason: str | None = None) -> None:
        self.session.add(AuditRow(at=at, entity=entity, entity_id=entity_id, event=event, field=field,
                                  old=None if old is None else str(old),
                                  new=None if new is None else str(new),
                                  actor=actor, source=source, reason=reason))

    def audit_trail(self, entity_id: str | None = None) -> list[AuditRow]:
        q = select(AuditRow).order_by(AuditRow.at, AuditRow.id)
        if entity_id is not None:
            q = q.where(AuditRow.entity_id == entity_id)
        return list(self.session.scalars(q))

    # --- Slack re-deliveries ------------------------------------------------------------------
    def first_time(self, key: str, now: datetime) -> bool:
        """Record that an event was handled; False if it had been already (a re-delivery)."""
        nested = self.session.begin_nested()
        try:
            self.session.add(ProcessedEventRow(key=key, received_at=now))
            self.session.flush()
        except IntegrityError:
            nested.rollback()
            return False
        nested.commit()
        return True
