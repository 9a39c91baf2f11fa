"""The tick: claim what is due under a lease, send it once, and record what became of it.

`run_tick(uow_factory, config, port, now)` is the one entry point for `ncpi tick` and the
scheduler; `send_now` sends a workflow's notices at once. Exactly once across crashes, restarts
and replicas rests on three rules:
1. rows are inserted idempotently by key (a key already in the ledger is left alone);
2. a row is marked `sending` with a lease and committed BEFORE the chat platform is called
   (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite takes its one write lock at BEGIN);
3. a row found `sending` after its lease (a crash mid-send, or an answer lost to a 5xx) is first
   looked up by its key on the platform (`port.find_sent`), and only sent again if it is not there.
Every outcome is written only while this worker still holds the row's lease: a worker that
stalled past it leaves the row to whoever took it over.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.deliveries import in_working_hours
from ncpi_core.domain.ledger import PERSONAL_KINDS, Claim, DeliveryState, Kind, MessageRef
from ncpi_core.domain.summaries.chart import ChartDrawer
from ncpi_core.ports import DeliveryPort, Outgoing, SendFailed
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.ledger.content import ContentBuilder
from ncpi_core.usecases.ledger.record import derive_and_record, failure_reports
from ncpi_core.usecases.ledger.retry import LEASE, after_failure

log = logging.getLogger(__name__)
# Deliveries of one claimed batch are sent by this many threads: a send mostly waits on the
# platform (its round trip, a 429's Retry-After), so one at a time leaves the rate limit unused.
SENDERS = 4
ERROR_LENGTH = 1000  # of the last error kept on a row


@dataclass
class TickResult:
    inserted: int = 0
    sent: int = 0
    recovered: int = 0  # found already posted after a crash: marked sent, not sent again
    failed: int = 0  # will be retried
    dead: int = 0
    stale: int = 0
    skipped: int = 0  # no longer needed (the update arrived, the action closed)
    halted: int = 0  # failures that stop the tick: the platform unreachable, or refusing the app itself
    keys_sent: list[str] = field(default_factory=list)
    failed_keys: list[str] = field(default_factory=list)  # keys that did not go now (failed or dead)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int)}

    def add(self, other: TickResult) -> None:
        """Add the counts (and keys) of one delivery handled in a sender thread."""
        for k, v in vars(other).items():
            if isinstance(v, int):
                setattr(self, k, getattr(self, k) + v)
        self.keys_sent += other.keys_sent
        self.failed_keys += other.failed_keys


def new_worker_id() -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class _Sending:
    """What every delivery of one tick shares."""

    uow_factory: UowFactory
    config: ForceConfig
    port: DeliveryPort
    builder: ContentBuilder
    worker: str
    now: datetime


def run_tick(uow_factory: UowFactory, config: ForceConfig, port: DeliveryPort, now: datetime, *,
             worker: str | None = None, lease: timedelta = LEASE, batch: int = 10,
             limit: int = 1000, senders: int = SENDERS, draw_chart: ChartDrawer | None = None) -> TickResult:
    """Derive what is owed up to `now`, record it, then claim and send what is due, once.

    Args:
        uow_factory: makes a unit of work per transaction.
        config: the force's meetings, people, channels and timings.
        port: sends and finds messages on one platform (`port.platform`), or a fake in tests.
        now: aware UTC; also the clock of leases and retries.
        worker: this process's lease name (default: host, pid and a random suffix).
        lease: how long a claim is held before another worker may recover it.
        batch: rows claimed per transaction.
        limit: most rows handled in one tick (the rest wait for the next).
        senders: threads sending the rows of a batch at once (1: one after the other).
        draw_chart: draws the RAG chart attached to the Gold summary (None: no chart).

    Returns:
        Counts of what happened.
    """
    senders = max(1, min(senders, getattr(port, "max_in_flight", senders)))
    result = TickResult()
    result.inserted, result.stale = derive_and_record(uow_factory, config, port.platform, now)
    exclude = () if in_working_hours(now, config) else tuple(PERSONAL_KINDS)
    job = _Sending(uow_factory, config, port, ContentBuilder(uow_factory, config, now, draw_chart),
                   worker or new_worker_id(), now)
    handled = 0
    with ThreadPoolExecutor(max_workers=senders, thread_name_prefix="ncpi-send") if senders > 1 \
            else nullcontext() as pool:
        while handled < limit:
            with uow_factory() as uow:
                claims = uow.ledger.claim_due(now, job.worker, now + lease, limit=batch, exclude_kinds=exclude)
                uow.commit()
            if not claims:
                break
            handled += len(claims)
            if pool is None or len(claims) == 1:
                for claim in claims:  # every claimed row is resolved, even after a halt
                    _deliver(job, claim, result)
            else:
                job.builder.state  # noqa: B018 - read the plan once here, not once per thread
                for part in pool.map(lambda c: _deliver(job, c, TickResult()), claims):
                    result.add(part)  # in claim order: keys_sent stays in order
            if result.halted:
                # the platform is unreachable or refuses the app: the next tick tries again, instead
                # of every remaining delivery waiting out the same connection retries now
                log.warning("tick stopped early: the platform is unreachable or refusing the app; "
                            "the rest waits for the next tick")
                break
    return result


def send_now(uow_factory: UowFactory, config: ForceConfig, port: DeliveryPort, keys: Sequence[str],
             now: datetime, *, worker: str | None = None, lease: timedelta = LEASE) -> TickResult:
    """Send these ledger rows at once (a workflow's notices, just committed), if still pending and due.

    Rows another worker holds, or already sent, are left alone; a failure is recorded as the
    tick would (retry with backoff), so the tick sends whatever did not go now.

    Returns:
        What happened; `failed_keys` lists every key of `keys` that did not go now.
    """
    result = TickResult()
    if not keys:
        return result
    job = _Sending(uow_factory, config, port, ContentBuilder(uow_factory, config, now), worker or new_worker_id(),
                   now)
    with uow_factory() as uow:
        claims = uow.ledger.claim_keys(keys, now, job.worker, now + lease)
        uow.commit()
    for claim in claims:
        _deliver(job, claim, result)
    went = set(result.keys_sent)
    result.failed_keys = [k for k in dict.fromkeys(keys) if k not in went]
    return result


def _deliver(job: _Sending, claim: Claim, result: TickResult) -> TickResult:
    """Build, look for (after a crash) or send one claimed row, and record its outcome."""
    expired = claim.expires_at is not None and claim.expires_at <= job.now
    try:
        message: Outgoing | None = job.builder.build(claim)
    except Exception as exc:  # noqa: BLE001 - a rendering bug must not stop the other deliveries
        log.exception("could not build delivery %s", claim.key)
        _failed(job, claim, SendFailed(f"build: {exc}"), result)
        return result
    if claim.recover and message is not None:
        try:
            found = job.port.find_sent(message, since=claim.created_at - timedelta(days=1))
        except Exception as exc:  # noqa: BLE001 - cannot tell whether it went: look again later
            _failed(job, claim, SendFailed(f"lookup: {exc}", outcome_unknown=True), result)
            return result
        if found is not None:
            _sent(job, claim, found)
            result.recovered += 1
            return result
    if message is None or expired:
        # not wanted any more (the update came in, the action closed), or its moment passed
        state = DeliveryState.SKIPPED if message is None else DeliveryState.STALE
        _finish(job, claim, state)
        if message is None:
            result.skipped += 1
        else:
            result.stale += 1
        return result
    with job.uow_factory() as uow:  # a read: on SQLite it does not queue behind the other senders' writes
        mine = uow.read_only().ledger.still_mine(claim.id, job.worker)
    if not mine:
        # this worker stalled past its lease and another took the row over (and sends it)
        log.warning("delivery %s passed to another worker before it was sent; left to it", claim.key)
        return result
    try:
        ref = job.port.send(message)
    except SendFailed as exc:
        _failed(job, claim, exc, result)
        return result
    except Exception as exc:  # noqa: BLE001 - unknown outcome: look before sending again
        log.exception("sending %s failed", claim.key)
        _failed(job, claim, SendFailed(repr(exc), outcome_unknown=True), result)
        return result
    _sent(job, claim, ref)
    result.sent += 1
    result.keys_sent.append(claim.key)
    return result


def _finish(job: _Sending, claim: Claim, state: DeliveryState) -> None:
    with job.uow_factory() as uow:
        uow.ledger.mark_done(claim.id, job.worker, state.value)
        uow.commit()


def _sent(job: _Sending, claim: Claim, ref: MessageRef) -> None:
    with job.uow_factory() as uow:
        recorded = uow.ledger.mark_sent(claim.id, job.worker, job.port.platform, ref, job.now)
        uow.commit()
    if not recorded:
        log.warning("delivery %s was sent but its lease had passed to another worker", claim.key)


def _failed(job: _Sending, claim: Claim, exc: SendFailed, result: TickResult) -> None:
    error = exc.reason[:ERROR_LENGTH]
    fate = after_failure(exc, claim.attempts, job.now)
    if fate.halts:
        result.halted += 1
    result.failed_keys.append(claim.key)
    if fate.dead:
        log.error("delivery %s is dead after %d attempts: %s", claim.key, claim.attempts, error)
        _dead(job, claim, error)
        result.dead += 1
        return
    assert fate.retry_at is not None
    if exc.blocked:
        log.error("the platform refuses the bot (%s): nothing can be sent until its token or permissions "
                  "are fixed; %s will be tried again at %s", error, claim.key, fate.retry_at.isoformat())
    with job.uow_factory() as uow:
        uow.ledger.mark_retry(claim.id, job.worker, fate.retry_at, error, outcome_unknown=fate.outcome_unknown,
                              attempts=fate.attempts)
        uow.commit()
    result.failed += 1


def _dead(job: _Sending, claim: Claim, error: str) -> None:
    """Give up on the row and, in the same unit of work, owe the administrators a report of it."""
    with job.uow_factory() as uow:
        if uow.ledger.mark_dead(claim.id, job.worker, error) and claim.kind != Kind.FAILURE_REPORT.value:
            uow.ledger.add_owed(failure_reports(job.config, job.port.platform, claim, error, job.now), job.now)
        uow.commit()
