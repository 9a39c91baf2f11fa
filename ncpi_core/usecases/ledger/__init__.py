"""The delivery ledger: record what is owed, claim it under a lease, send it once.

`run_tick` (the scheduler and `ncpi tick`) derives what is owed up to now, records it and sends
what is due; `send_now` sends a workflow's notices at once after its commit (the tick sends
whatever it could not), and `send_notices_now` says whom they could not reach. See `tick.py` for
the rules that make a delivery go exactly once.
"""

from ncpi_core.usecases.ledger.notify import send_notices_now
from ncpi_core.usecases.ledger.retry import LEASE, MAX_ATTEMPTS
from ncpi_core.usecases.ledger.tick import TickResult, new_worker_id, run_tick, send_now

__all__ = ["LEASE", "MAX_ATTEMPTS", "TickResult", "new_worker_id", "run_tick", "send_notices_now", "send_now"]
