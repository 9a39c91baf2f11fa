"""What happened, append-only: the updates about actions and the audit trail, in SQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, and_, func, literal, or_, select, update

from ncpi_core.domain.ledger import Kind
from ncpi_core.domain.models import RAG, Source, Update
from ncpi_core.domain.records import AuditEntry
from ncpi_core.storage import rules
from ncpi_core.storage.base import AuditRepository, UpdateRepository
from ncpi_core.storage.sql.common import (
    ACTIONS,
    AUDIT,
    CHUNK,
    DELIVERIES,
    UPDATES,
    SqlRepository,
    aware,
    chunks,
)
from ncpi_core.storage.tables import UTCDateTime

BEFORE_ANY = datetime(1970, 1, 1, tzinfo=UTC)  # earlier than any update (no worded one yet)


def to_update(row: Row[Any]) -> Update:
    return Update(id=row.id, action_id=row.action_id, rag=RAG(row.rag), progress=row.progress,
                  narrative=row.narrative or "", blockers=row.blockers or "", evidence=row.evidence or "",
                  author=row.author, author_identity=row.author_identity, source=Source(row.source),
                  created_at=row.created_at)


def to_audit(row: Row[Any]) -> AuditEntry:
    return AuditEntry(at=row.at, entity=row.entity, entity_id=row.entity_id, event=row.event,
                      field=row.field, old=row.old, new=row.new, actor=row.actor, source=row.source,
                      reason=row.reason, id=row.id)


class SqlUpdateRepository(SqlRepository, UpdateRepository):
    def add(self, update: Update, idempotency_key: str | None = None) -> Update | None:
        values = {"action_id": update.action_id, "rag": rules.plain(update.rag), "progress": update.progress,
                  "narrative": update.narrative, "blockers": update.blockers, "evidence": update.evidence,
                  "author": update.author, "author_identity": update.author_identity,
                  "source": rules.plain(update.source), "created_at": update.created_at,
                  "idempotency_key": idempotency_key}
        if idempotency_key is None:
            new_id = self._db.execute(UPDATES.insert().values(values).returning(UPDATES.c.id)).scalar_one()
        else:
            # a re-delivered event (same key, even from a concurrent transaction) stores nothing
            ids = self._insert_ignoring(UPDATES, ["idempotency_key"], [values], returning="id")
            if not ids:
                return None
            new_id = ids[0]
        self._answer_prompts(update.action_id, rules.utc(update.created_at))
        return update.model_copy(update={"id": new_id, "created_at": rules.utc(update.created_at)})

    def _answer_prompts(self, action_id: str, at: datetime) -> None:
        """The action's prompts sent by `at` and not answered earlier are answered at `at`."""
        self._db.execute(update(DELIVERIES).where(
            DELIVERIES.c.action_id == action_id, DELIVERIES.c.kind == Kind.PROMPT.value,
            DELIVERIES.c.sent_at.is_not(None), DELIVERIES.c.sent_at <= at,
            or_(DELIVERIES.c.answered_at.is_(None), DELIVERIES.c.answered_at > at)).values(answered_at=at))

    def latest(self, as_of: datetime | None = None,
               action_ids: Sequence[str] | None = None) -> dict[str, Update]:
        # one index probe per action on (action_id, created_at, id), whatever the history's length
        inner = UPDATES.alias("newest")
        cond = [inner.c.action_id == ACTIONS.c.id]
        if as_of is not None:
            cond.append(inner.c.created_at <= as_of)
        latest_id = (select(inner.c.id).where(and_(*cond))
                     .order_by(inner.c.created_at.desc(), inner.c.id.desc()).limit(1)
                     .correlate(ACTIONS).scalar_subquery())
        q = select(UPDATES).select_from(UPDATES.join(ACTIONS, UPDATES.c.id == latest_id))
        if action_ids is None:
            return {r.action_id: to_update(r) for r in self._db.execute(q)}
        out: dict[str, Update] = {}
        for some in chunks(list(action_ids), CHUNK):
            out.update((r.action_id, to_update(r)) for r in self._db.execute(q.where(ACTIONS.c.id.in_(some))))
        return out

    def actions_updated_after(self, update_id: int | None) -> set[str]:
        q = select(UPDATES.c.action_id).distinct()
        if update_id is not None:
            q = q.where(UPDATES.c.id > update_id)  # the primary key: only the new rows are read
        return set(self._db.scalars(q))

    def for_action(self, action_id: str, limit: int | None = None) -> list[Update]:
        q = (select(UPDATES).where(UPDATES.c.action_id == action_id)
             .order_by(UPDATES.c.created_at.desc(), UPDATES.c.id.desc()))
        if limit:
            q = q.limit(limit)
        return [to_update(r) for r in self._db.execute(q)]

    def all(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[Update]:
        q = select(UPDATES).order_by(UPDATES.c.created_at, UPDATES.c.id)
        if since is not None:
            q = q.where(UPDATES.c.created_at > since)
        if until is not None:
            q = q.where(UPDATES.c.created_at <= until)
        # streamed in batches (a server-side cursor on PostgreSQL): an export reads every update
        for row in self._db.execute(q.execution_options(yield_per=1000)):
            yield to_update(row)

    def wordless_since(self, as_of: datetime | None = None) -> dict[str, datetime]:
        # per action: the newest update that said something (walking its index backwards), then
        # the first update after it; an action whose latest update said something has none after
        said_ = UPDATES.alias("said")
        says = or_(said_.c.rag != RAG.GREEN.value, func.coalesce(said_.c.narrative, "") != "",
                   func.coalesce(said_.c.evidence, "") != "")
        cond = [said_.c.action_id == ACTIONS.c.id, says]
        if as_of is not None:
            cond.append(said_.c.created_at <= as_of)
        last_said = (select(said_.c.created_at).where(and_(*cond))
                     .order_by(said_.c.created_at.desc(), said_.c.id.desc()).limit(1)
                     .correlate(ACTIONS).scalar_subquery())
        run = UPDATES.alias("run")
        # one value to compare with (not an OR), so the database walks the index from it
        after = [run.c.action_id == ACTIONS.c.id,
                 run.c.created_at > func.coalesce(last_said, literal(BEFORE_ANY, UTCDateTime()))]
        if as_of is not None:
            after.append(run.c.created_at <= as_of)
        first = (select(run.c.created_at).where(and_(*after)).order_by(run.c.created_at, run.c.id).limit(1)
                 .correlate(ACTIONS).scalar_subquery())
        rows = self._db.execute(select(ACTIONS.c.id, first.label("since")))
        return {r.id: since for r in rows if (since := aware(r.since)) is not None}


class SqlAuditRepository(SqlRepository, AuditRepository):
    def add(self, entry: AuditEntry) -> None:
        self._db.execute(AUDIT.insert().values(
            at=entry.at, entity=entry.entity, entity_id=entry.entity_id, event=entry.event, field=entry.field,
            old=rules.audit_text(entry.old), new=rules.audit_text(entry.new), actor=entry.actor,
            source=entry.source, reason=entry.reason))

    def trail(self, entity: str | None = None, entity_id: str | None = None) -> list[AuditEntry]:
        q = select(AUDIT).order_by(AUDIT.c.at, AUDIT.c.id)
        if entity is not None:
            q = q.where(AUDIT.c.entity == entity)
        if entity_id is not None:
            q = q.where(AUDIT.c.entity_id == entity_id)
        return [to_audit(r) for r in self._db.execute(q)]

    def changes_since(self, at: datetime, entity: str, fields: Sequence[str]) -> list[AuditEntry]:
        q = (select(AUDIT).where(AUDIT.c.entity == entity, AUDIT.c.at > at, AUDIT.c.field.in_(list(fields)))
             .order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc()))
        return [to_audit(r) for r in self._db.execute(q)]
