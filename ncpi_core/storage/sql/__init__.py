"""The storage port on SQLite and PostgreSQL (SQLAlchemy Core): repositories and unit of work."""

from ncpi_core.storage.sql.uow import SqlUnitOfWork, SqlUowFactory

__all__ = ["SqlUnitOfWork", "SqlUowFactory"]
