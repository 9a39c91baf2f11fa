"""`/healthz`: 200 with JSON once the database answers, is migrated and takes writes; 503 otherwise."""

from __future__ import annotations

import logging
from typing import Any

from ncpi_core.storage.engine import Engine
from ncpi_core.storage.health import probe

log = logging.getLogger(__name__)


def check(engine: Engine) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for a health probe; never raises, never names the database URL."""
    health = probe(engine)
    if not health.answering:
        log.warning("health check: database not answering (%s)", health.problem)
        return 503, {"status": "unavailable", "database": "not answering"}
    if not health.migrated:
        return 503, {"status": "unavailable", "database": "not migrated",
                     "hint": "run `ncpi db upgrade`", "revision": health.revision}
    if not health.writable:
        log.warning("health check: database answers but cannot be written (%s)", health.problem)
        return 503, {"status": "unavailable", "database": "read-only", "problem": health.problem,
                     "hint": "point NCPI_DATABASE_URL at a writable database"}
    return 200, {"status": "ok", "database": "ok", "revision": health.revision}
