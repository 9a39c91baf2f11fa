"""Workflow notices into the delivery ledger, in the same unit of work as the step they report.

A step's notices are ledger rows of kind `notice`, addressed to the person, due at once and
expiring after a week. Written with the state change and committed with it, they cannot be lost
by a crash after the commit: the front end sends them at once (`usecases.ledger.send_now`) and
the tick sends whatever that could not.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from ncpi_core.domain.ledger import Kind, Owed, Recipient
from ncpi_core.domain.notices import Notice
from ncpi_core.storage.base import UnitOfWork

NOTICE_LIFETIME = timedelta(days=7)  # after a week unsent, a notice is stale: the step is old news


def notice_key(person: str) -> str:
    """A new ledger key for one notice: `notice:<uuid4 hex>:<person>`."""
    return f"notice:{uuid.uuid4().hex}:{person}"


def notice_payload(notice: Notice) -> dict[str, object]:
    """What the ledger keeps of a notice: all a front end needs to word and send it."""
    return {"code": notice.code, "params": dict(notice.params), "kind": notice.kind,
            "action_id": notice.action_id}


def queue_notices(uow: UnitOfWork, notices: Sequence[Notice], now: datetime) -> list[str]:
    """Add one ledger row per notice (the caller commits); return their keys, in order."""
    owed = [Owed(key=notice_key(n.person), kind=Kind.NOTICE, due_at=now, expires_at=now + NOTICE_LIFETIME,
                 recipient=Recipient.of_person(n.person), action_id=n.action_id, person=n.person,
                 payload=notice_payload(n))
            for n in notices]
    if owed:
        uow.ledger.add_owed(owed, now)
    return [o.key for o in owed]
