"""The unit of work on SQLite or PostgreSQL: one transaction on one connection, committed on purpose.

The connection is opened on first use (inside the `with` block), so a database that does not
answer becomes `StorageUnavailable` like any other failure of the block.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError

from ncpi_core.storage.base import DataVersion, UnitOfWork
from ncpi_core.storage.engine import READ_ONLY
from ncpi_core.storage.errors import storage_error
from ncpi_core.storage.sql.common import AUDIT, DELIVERIES, UPDATES, aware
from ncpi_core.storage.sql.history import SqlAuditRepository, SqlUpdateRepository
from ncpi_core.storage.sql.keyed import (
    SqlConversationRepository,
    SqlEventRepository,
    SqlStateRepository,
)
from ncpi_core.storage.sql.ledger import SqlLedgerRepository
from ncpi_core.storage.sql.plan import SqlPeopleRepository, SqlPlanRepository
from ncpi_core.storage.sql.records import (
    SqlChallengeRepository,
    SqlDecisionRepository,
    SqlEmbeddingRepository,
)
from ncpi_core.storage.sql.scrutiny import SqlAssuranceRepository, SqlInspectorateRepository
from ncpi_core.storage.sql.workflow import SqlAbsenceRepository, SqlRequestRepository


class SqlUnitOfWork(UnitOfWork):
    """`with uow: …; uow.commit()` — nothing is stored unless commit() is reached."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._open = False
        self._read_only = False
        self._connection: Connection | None = None
        self.plan = SqlPlanRepository(self)
        self.people = SqlPeopleRepository(self)
        self.updates = SqlUpdateRepository(self)
        self.audit = SqlAuditRepository(self)
        self.requests = SqlRequestRepository(self)
        self.absences = SqlAbsenceRepository(self)
        self.ledger = SqlLedgerRepository(self)
        self.events = SqlEventRepository(self)
        self.state = SqlStateRepository(self)
        self.conversations = SqlConversationRepository(self)
        self.challenges = SqlChallengeRepository(self)
        self.decisions = SqlDecisionRepository(self)
        self.embeddings = SqlEmbeddingRepository(self)
        self.assurances = SqlAssuranceRepository(self)
        self.inspectorate = SqlInspectorateRepository(self)

    @property
    def connection(self) -> Connection:
        """The transaction's connection, opened (and the transaction begun) on first use."""
        if not self._open:
            raise RuntimeError("use the unit of work inside `with uow_factory() as uow:`")
        if self._connection is None:
            self._connection = self.engine.connect()
            if self._read_only:
                self._connection = self._connection.execution_options(**{READ_ONLY: True})
        return self._connection

    def read_only(self) -> SqlUnitOfWork:
        if self._connection is not None:
            raise RuntimeError("declare a unit of work read-only before its first read")
        self._read_only = True
        return self

    def __enter__(self) -> SqlUnitOfWork:
        if self._open:
            raise RuntimeError("this unit of work is already open; make a new one per use case")
        self._open = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        connection, self._connection, self._open = self._connection, None, False
        if connection is not None:
            try:
                connection.rollback()
            except DBAPIError:
                pass  # the connection is gone; nothing uncommitted was kept
            finally:
                connection.close()
        translated = storage_error(exc) if exc is not None else None
        if translated is not None:
            raise translated from exc

    def commit(self) -> None:
        if self._connection is not None:
            self._connection.commit()

    def rollback(self) -> None:
        if self._connection is not None:
            self._connection.rollback()

    def data_version(self) -> DataVersion:
        """The newest id and time of updates, audit and deliveries: one round trip, index lookups only."""
        audit_at = select(AUDIT.c.at).order_by(AUDIT.c.id.desc()).limit(1).scalar_subquery()
        row = self.connection.execute(select(
            select(func.max(UPDATES.c.id)).scalar_subquery(),
            select(func.max(UPDATES.c.created_at)).scalar_subquery(),
            select(func.max(AUDIT.c.id)).scalar_subquery(),
            audit_at,
            select(func.max(DELIVERIES.c.id)).scalar_subquery(),
            select(func.max(DELIVERIES.c.sent_at)).scalar_subquery(),
        )).one()
        return DataVersion(row[0], aware(row[1]), row[2], aware(row[3]), row[4], aware(row[5]))


class SqlUowFactory:
    """Makes a fresh unit of work per use case from one engine (the composition root holds it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)
