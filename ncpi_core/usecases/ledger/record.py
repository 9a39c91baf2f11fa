"""Recording what is owed: read the facts, derive the deliveries, insert them by key.

Rows are inserted idempotently (a key already in the ledger, or inserted meanwhile by another
replica, is left alone), so deriving twice, or on two replicas at once, owes each delivery once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.deliveries import Facts, derive_owed, window_meetings
from ncpi_core.domain.ledger import Claim, Kind, Owed, Recipient
from ncpi_core.domain.models import Role
from ncpi_core.storage.base import UnitOfWork, UowFactory

log = logging.getLogger(__name__)
FAILURE_REPORT_LIFE = timedelta(days=7)
# owed this long before it is first recorded: no tick ran when it fell due (ncpi was down, or starts
# for the first time), so it goes now as a catch-up, and the log says so
CATCH_UP_AFTER = timedelta(minutes=10)
KEY_LENGTH = 200  # the ledger's key column


def read_facts(uow: UnitOfWork, config: ForceConfig, meeting_keys: Sequence[str]) -> Facts:
    """The plan, people (ncpi.yaml), latest updates, absences, and the prompts and nudges sent for
    these meetings (a nudge is owed only after its prompt went, in that prompt's thread)."""
    ledger = uow.ledger.sent_facts(meeting_keys, (Kind.PROMPT, Kind.NUDGE)) if meeting_keys else {}
    info = uow.plan.info()
    return Facts(actions=uow.plan.actions(), people={p.id: p for p in config.persons()},
                 latest=uow.updates.latest(), absences=uow.absences.active(), ledger=ledger,
                 published=info.published if info is not None else None)


def derive_and_record(uow_factory: UowFactory, config: ForceConfig, platform: str,
                      now: datetime) -> tuple[int, int]:
    """Insert whatever is owed on `platform` up to `now`; mark what has expired stale.

    Returns:
        (rows inserted, rows marked stale).
    """
    with uow_factory() as uow:
        meetings = window_meetings(config, now)
        facts = read_facts(uow, config, [m.key for m in meetings])
        owed = derive_owed(config, facts, now, platform, meetings)
        late = [o for o in owed if o.due_at < now - CATCH_UP_AFTER and (o.expires_at is None or o.expires_at > now)]
        caught_up = uow.ledger.add_owed(late, now) if late else 0
        in_late = {id(o) for o in late}  # by identity: a list's `in` compared every pair (quadratic)
        inserted = caught_up + uow.ledger.add_owed([o for o in owed if id(o) not in in_late], now)
        stale = uow.ledger.mark_stale(now)
        uow.commit()
    if caught_up:
        log.warning("catching up: %d message(s) fell due more than %d minutes ago while no tick ran (ncpi "
                    "was stopped, or starts for the first time); they go now, messages to people within "
                    "working hours from the send time; what has expired is not sent", caught_up,
                    CATCH_UP_AFTER.total_seconds() // 60)
    return inserted, stale


def failure_reports(config: ForceConfig, platform: str, claim: Claim, error: str, now: datetime) -> list[Owed]:
    """One report to each administrator (reachable on `platform`) of a delivery given up on."""
    payload = {"failed_key": claim.key, "failed_kind": claim.kind, "failed_recipient": str(claim.recipient),
               "attempts": claim.attempts, "error": error[:500]}
    return [Owed(f"failure:{claim.key}:{admin.id}"[:KEY_LENGTH], Kind.FAILURE_REPORT, now,
                 now + FAILURE_REPORT_LIFE, Recipient.of_person(admin.id), person=admin.id, payload=payload)
            for admin in config.holders(Role.ADMIN) if admin.identity(platform) is not None]
