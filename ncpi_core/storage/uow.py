"""Unit of work: one transaction, committed on purpose, rolled back on any error."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ncpi_core.errors import SchemaMissing, StorageUnavailable
from ncpi_core.storage.repository import Repository


def _missing_table(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "no such table" in text or "no such column" in text or (
        "does not exist" in text and ("relation" in text or "column" in text))


class UnitOfWork:
    """`with uow: ...; uow.commit()` — nothing is stored unless commit() is reached."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
        self.session: Session | None = None

    def __enter__(self) -> UnitOfWork:
        if self.session is not None:
            raise RuntimeError("this unit of work is already open; make a new one per use case")
        self.session = self._factory()
        self.repo = Repository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.session is not None
        try:
            self.session.rollback()
        except DBAPIError:
            pass  # the connection is gone; nothing was committed
        finally:
            self.session.close()
            self.session = None
        if isinstance(exc, DBAPIError) and _missing_table(exc):
            raise SchemaMissing("The database has no ncpi tables yet (or an older schema).",
                                "Run `ncpi db upgrade` first.") from exc
        if isinstance(exc, OperationalError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        ):
            raise StorageUnavailable(
                "The database did not answer.", "Please try again shortly."
            ) from exc

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()


class UowFactory:
    """Makes a fresh UnitOfWork per use case from one engine (the composition root holds it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine)
