"""What a tick would send at a moment, worked out without writing anything (`--dry-run`)."""

from __future__ import annotations

from datetime import datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.deliveries import derive_owed, in_working_hours, window_meetings
from ncpi_core.domain.ledger import PERSONAL_KINDS, DeliveryState, Owed
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.ledger.record import read_facts

# a row in one of these states is finished, or in another worker's hands: a tick would not send it
_SETTLED = {DeliveryState.SENT.value, DeliveryState.SKIPPED.value, DeliveryState.STALE.value,
            DeliveryState.DEAD.value}


def would_send(uow_factory: UowFactory, config: ForceConfig, platform: str, now: datetime) -> list[Owed]:
    """The deliveries a tick at `now` would send on `platform`, in due order; reads only.

    What the ledger already holds as sent (or skipped, stale, given up) is left out, and so are
    messages to people outside working hours, as the tick would hold them back.
    """
    personal_ok = in_working_hours(now, config)
    with uow_factory() as uow:
        meetings = window_meetings(config, now)
        facts = read_facts(uow, config, [m.key for m in meetings])
        owed = derive_owed(config, facts, now, platform, meetings)
        out = []
        for o in owed:
            if o.expires_at is not None and o.expires_at <= now:
                continue
            if o.kind in PERSONAL_KINDS and not personal_ok:
                continue
            held = uow.ledger.get(o.key)
            if held is not None and held.state in _SETTLED:
                continue
            out.append(o)
    return sorted(out, key=lambda o: (o.due_at, o.key))
