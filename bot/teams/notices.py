"""A workflow step's notices, sent at once after its commit; who could not be reached is said."""

from __future__ import annotations

from bot.teams.deps import TeamsDeps
from ncpi_core.domain.notices import Outcome
from ncpi_core.usecases.ledger import send_notices_now


def send_notices(deps: TeamsDeps, outcome: Outcome) -> list[str]:
    """Send the notices the step queued, now; the names of those who could not be reached
    (`ncpi_core.usecases.ledger.send_notices_now`)."""
    return send_notices_now(deps.uow_factory, deps.config, deps.sender, outcome, deps.now())
