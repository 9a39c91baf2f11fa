"""`/healthz`: 200 with JSON once the database answers and is migrated, 503 otherwise."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ncpi_core.storage.migrate import current_revision, head_revision

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _head() -> str | None:
    return head_revision()


def check(engine: Engine) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for a health probe; never raises, never names the database URL."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        log.warning("health check: database not answering (%s)", type(exc).__name__)
        return 503, {"status": "unavailable", "database": "not answering"}
    if revision != _head():
        return 503, {"status": "unavailable", "database": "not migrated",
                     "hint": "run `ncpi db upgrade`", "revision": revision}
    return 200, {"status": "ok", "database": "ok", "revision": revision}
