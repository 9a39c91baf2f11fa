"""The retry policy: leases, backoff, and what a failed send means for its row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ncpi_core.ports import SendFailed

MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)  # how long a claim is held before another worker may recover it
BLOCKED_RETRY = timedelta(minutes=10)  # while the platform refuses the app itself


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … attempt, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class AfterFailure:
    """What becomes of a claimed row whose send failed.

    Attributes:
        dead: give up (retrying cannot help, or every attempt is used); the admins are told.
        retry_at: when to try again (unless dead).
        outcome_unknown: it may have been posted: stay `sending` with no owner until `retry_at`,
            so whoever claims it next looks for it before sending again.
        attempts: the attempt count to keep instead (a refusal of the app itself is not the
            delivery's fault, so its attempt is given back).
        halts: the rest of the tick waits for the next one (the platform is unreachable, or
            refuses the app: every other delivery would meet the same failure).
    """

    dead: bool
    retry_at: datetime | None = None
    outcome_unknown: bool = False
    attempts: int | None = None
    halts: bool = False


def after_failure(exc: SendFailed, attempts: int, now: datetime) -> AfterFailure:
    """Decide the fate of a row claimed for its `attempts`-th attempt whose send raised `exc`."""
    halts = exc.blocked or exc.unreachable
    if exc.blocked:
        # every delivery waits, with its attempts untouched, until a person fixes the app's token
        # or permissions; what expires meanwhile goes stale
        return AfterFailure(dead=False, retry_at=now + BLOCKED_RETRY, attempts=max(0, attempts - 1), halts=True)
    if exc.permanent or attempts >= MAX_ATTEMPTS:
        return AfterFailure(dead=True, halts=halts)
    return AfterFailure(dead=False, retry_at=now + backoff(attempts), outcome_unknown=exc.outcome_unknown,
                        halts=halts)
