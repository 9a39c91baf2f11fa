"""A workflow step's notices, sent at once after its commit, whatever the platform."""

from __future__ import annotations

import logging
from datetime import datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.notices import Outcome
from ncpi_core.ports import DeliveryPort
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.ledger.tick import send_now

log = logging.getLogger(__name__)


def send_notices_now(uow_factory: UowFactory, config: ForceConfig, port: DeliveryPort, outcome: Outcome,
                     now: datetime) -> list[str]:
    """Send the notices the step queued, now; return the names of those who could not be reached.

    The step is already committed with its notices in the ledger: one that cannot go now is
    retried by the tick, and reported back to the person who acted, never undone.
    """
    keys = outcome.delivery_keys
    if not keys:
        return []
    try:
        failed = set(send_now(uow_factory, config, port, keys, now).failed_keys)
    except Exception:  # noqa: BLE001 - the ledger keeps them for the tick; the log has the cause
        log.warning("could not send the notices of %s now", outcome.code, exc_info=True)
        failed = set(keys)
    people = [config.person(n.person) for key, n in zip(keys, outcome.notices, strict=True) if key in failed]
    return list(dict.fromkeys(p.name for p in people if p is not None))
