"""What the SQL repositories share: the tables as Core tables, the connection of their unit of
work, and the statements that differ by database (idempotent inserts, upserts, row locks).

The repositories speak SQLAlchemy Core over the unit of work's one connection: every read returns
domain values, never a mapped row, so no stale identity map can hide a conditional UPDATE.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Connection, Insert, Select, Table

from ncpi_core.storage import tables

T = TypeVar("T")

PLAN = cast(Table, tables.PlanRow.__table__)
PEOPLE = cast(Table, tables.PersonRow.__table__)
RECOMMENDATIONS = cast(Table, tables.RecommendationRow.__table__)
ACTIONS = cast(Table, tables.ActionRow.__table__)
UPDATES = cast(Table, tables.UpdateRow.__table__)
AUDIT = cast(Table, tables.AuditRow.__table__)
REQUESTS = cast(Table, tables.RequestRow.__table__)
ABSENCES = cast(Table, tables.AbsenceRow.__table__)
DELIVERIES = cast(Table, tables.DeliveryRow.__table__)
CONVERSATIONS = cast(Table, tables.ConversationRow.__table__)
EVENTS = cast(Table, tables.ProcessedEventRow.__table__)
STATE = cast(Table, tables.StateRow.__table__)
CHALLENGES = cast(Table, tables.ChallengeRow.__table__)
DECISIONS = cast(Table, tables.DecisionRow.__table__)
EMBEDDINGS = cast(Table, tables.EmbeddingRow.__table__)
ASSURANCES = cast(Table, tables.AssuranceRow.__table__)
INSPECTORATE = cast(Table, tables.InspectorateStatusRow.__table__)

# rows per statement when inserting or filtering by many keys (well under every driver's limit)
CHUNK = 500


class Connected(Protocol):
    """What a SQL repository needs of its unit of work: the open transaction's connection."""

    @property
    def connection(self) -> Connection: ...


class SqlRepository:
    def __init__(self, uow: Connected) -> None:
        self._uow = uow

    @property
    def _db(self) -> Connection:
        return self._uow.connection

    @property
    def _postgres(self) -> bool:
        return self._db.dialect.name == "postgresql"

    def _insert(self, table: Table) -> Any:
        """The dialect's INSERT, which knows ON CONFLICT (the dialect's module loaded when first
        used: an SQLite `ncpi summary` never pays for PostgreSQL's)."""
        dialect = importlib.import_module(f"sqlalchemy.dialects.{'postgresql' if self._postgres else 'sqlite'}")
        return dialect.insert(table)

    def _insert_ignoring(self, table: Table, keys: Sequence[str], rows: Sequence[dict[str, Any]],
                         returning: str) -> list[Any]:
        """INSERT … ON CONFLICT (keys) DO NOTHING, many rows per round trip; returns the
        `returning` column of the rows that went in (a row whose key exists, even one being
        inserted by a concurrent transaction, is skipped, never an error)."""
        if not rows:
            return []
        stmt: Insert = (self._insert(table).on_conflict_do_nothing(index_elements=list(keys))
                        .returning(table.c[returning]))
        out: list[Any] = []
        for chunk in chunks(rows, CHUNK):
            # executemany: SQLAlchemy batches these into multi-row VALUES with RETURNING
            out += self._db.execute(stmt, list(chunk)).scalars().all()
        return out

    def _upsert(self, table: Table, keys: Sequence[str], values: dict[str, Any]) -> None:
        """INSERT, or UPDATE the other columns of the row with these keys."""
        stmt = self._insert(table).values(values)
        stmt = stmt.on_conflict_do_update(index_elements=list(keys),
                                          set_={c: stmt.excluded[c] for c in values if c not in keys})
        self._db.execute(stmt)

    def _locked(self, query: Select[Any], *, skip_locked: bool = False) -> Select[Any]:
        """FOR UPDATE on PostgreSQL; SQLite's transaction already holds the one write lock
        (BEGIN IMMEDIATE, see engine.py)."""
        if not self._postgres:
            return query
        return query.with_for_update(skip_locked=skip_locked)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def aware(value: Any) -> datetime | None:
    """A time computed in SQL (min, max) as an aware UTC datetime: on SQLite such a value loses
    its column type and comes back as text or a naive UTC value."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not a time: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
