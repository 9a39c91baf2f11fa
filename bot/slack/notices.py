"""A workflow step's notices, sent at once after its commit; who could not be reached is said."""

from __future__ import annotations

import logging

from bot.slack.deps import Deps
from ncpi_core.domain.notices import Outcome
from ncpi_core.usecases.ledger import send_notices_now, send_now

log = logging.getLogger(__name__)


def send_notices(deps: Deps, outcome: Outcome) -> list[str]:
    """Send the notices the step queued, now; the names of those who could not be reached
    (`ncpi_core.usecases.ledger.send_notices_now`)."""
    return send_notices_now(deps.uow_factory, deps.config, deps.sender, outcome, deps.now())


def send_queued(deps: Deps, keys: list[str], what: str) -> None:
    """Send deliveries a use case queued (an update's answers to challenges), now; the tick sends
    whatever could not go."""
    if not keys:
        return
    try:
        send_now(deps.uow_factory, deps.config, deps.sender, keys, deps.now())
    except Exception:  # noqa: BLE001 - the ledger keeps them for the tick; the log has the cause
        log.warning("could not send the deliveries of %s now", what, exc_info=True)
