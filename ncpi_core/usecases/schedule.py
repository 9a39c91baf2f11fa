"""The delivery ledger and the tick: record what is owed, claim it with a lease, send it once.

`run_tick(uow_factory, config, port, now)` is the one entry point for `ncpi tick` and the
scheduler. Exactly once across crashes, restarts and replicas rests on three rules:
1. rows are inserted idempotently by key (INSERT … ON CONFLICT DO NOTHING);
2. a row is marked `sending` with a lease and committed BEFORE the chat platform is called
   (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite takes its one write lock at BEGIN);
3. a row found `sending` after its lease (a crash mid-send, or an answer lost to a 5xx) is first
   looked up by its key in the channel's history, and only sent again if it is not there.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.calendar import Cycle, current_cycle
from ncpi_core.domain.deliveries import (
    PERSONAL_KINDS,
    Absence,
    Facts,
    Kind,
    Owed,
    Sent,
    chase_key,
    derive_owed,
    in_working_hours,
    is_away,
    replied_since,
    responsible_for,
    wants_prompt,
    window_meetings,
)
from ncpi_core.domain.models import Action, Role
from ncpi_core.ports import (
    ChaseContent,
    Content,
    DeliveryPort,
    EscalationContent,
    FailureContent,
    GoldReminderContent,
    MissingLine,
    NudgeContent,
    Outgoing,
    PromptContent,
    SendFailed,
    SentRef,
    SummaryContent,
)
from ncpi_core.storage.tables import AbsenceRow, DeliveryRow, StateRow
from ncpi_core.storage.uow import UnitOfWork
from ncpi_core.usecases.plan import PlanState, read_plan_state

log = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]
MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)
BLOCKED_RETRY = timedelta(minutes=10)  # while Slack refuses the app itself (see _failed)
# Deliveries of one claimed batch are sent by this many threads: a send mostly waits on Slack
# (its round trip, a 429's Retry-After), so one at a time leaves the rate limit unused.
SENDERS = 4
RETRYABLE = ("pending", "failed")


@dataclass
class TickResult:
    inserted: int = 0
    sent: int = 0
    recovered: int = 0  # found already posted after a crash: marked sent, not sent again
    failed: int = 0  # will be retried
    dead: int = 0
    stale: int = 0
    skipped: int = 0  # no longer needed (the update arrived, the action closed)
    halted: int = 0  # failures that stop the tick: Slack unreachable, or refusing the app itself
    keys_sent: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int)}

    def add(self, other: TickResult) -> None:
        """Add the counts (and keys sent) of one delivery handled in a sender thread."""
        for k, v in vars(other).items():
            if isinstance(v, int):
                setattr(self, k, getattr(self, k) + v)
        self.keys_sent += other.keys_sent


@dataclass(frozen=True)
class Claim:
    id: int
    key: str
    kind: str
    target: str
    meeting: str | None
    action_id: str | None
    person: str | None
    payload: dict[str, Any]
    attempts: int
    recover: bool
    created_at: datetime
    expires_at: datetime | None


def new_worker_id() -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# --- reading and recording ---------------------------------------------------------------------
def read_facts(uow: UnitOfWork, meeting_keys: list[str]) -> Facts:
    s = uow.session
    assert s is not None
    absences = [Absence(r.person, r.start, r.end, r.deputy)
                for r in s.scalars(select(AbsenceRow).where(AbsenceRow.cancelled_at.is_(None)))]
    ledger: dict[str, Sent] = {}
    if meeting_keys:
        rows = s.execute(select(DeliveryRow.key, DeliveryRow.state, DeliveryRow.person, DeliveryRow.sent_at,
                                DeliveryRow.slack_channel, DeliveryRow.slack_ts).where(
            DeliveryRow.meeting.in_(meeting_keys), DeliveryRow.kind.in_([Kind.PROMPT.value, Kind.NUDGE.value])))
        ledger = {r.key: Sent(r.key, r.state, r.person, r.sent_at, r.slack_channel, r.slack_ts) for r in rows}
    return Facts(actions=uow.repo.actions(), people={p.id: p for p in uow.repo.people()},
                 latest=uow.repo.latest_updates(), absences=absences, ledger=ledger)


def record_owed(session: Session, owed: list[Owed], now: datetime) -> int:
    """Insert the rows not yet in the ledger; a concurrent insert of the same key is ignored."""
    if not owed:
        return 0
    keys = [o.key for o in owed]
    known: set[str] = set()
    for i in range(0, len(keys), 500):
        known |= set(session.scalars(select(DeliveryRow.key).where(DeliveryRow.key.in_(keys[i:i + 500]))))
    fresh = {o.key: o for o in owed if o.key not in known}
    if not fresh:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = [{"key": o.key, "kind": o.kind.value, "meeting": o.meeting, "action_id": o.action_id,
               "person": o.person, "target": o.target, "due_at": o.due_at, "expires_at": o.expires_at,
               "state": "pending", "attempts": 0, "created_at": now, "payload": o.payload}
              for o in fresh.values()]
    inserted = 0
    for i in range(0, len(values), 200):
        stmt = (insert(DeliveryRow).values(values[i:i + 200]).on_conflict_do_nothing(index_elements=["key"])
                .returning(DeliveryRow.id))
        inserted += len(session.execute(stmt).all())  # rowcount is -1 here on psycopg
    return inserted


def mark_stale(session: Session, now: datetime) -> int:
    """Pending rows whose moment has passed are recorded as stale, never sent."""
    result = session.execute(update(DeliveryRow).where(
        DeliveryRow.state.in_(RETRYABLE), DeliveryRow.expires_at.is_not(None), DeliveryRow.expires_at <= now,
    ).values(state="stale", lease_owner=None, lease_until=None).execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]


def claim_due(uow_factory: UowFactory, now: datetime, worker: str, *, lease: timedelta = LEASE,
              limit: int = 10, personal: bool = True) -> list[Claim]:
    """Claim up to `limit` due rows: mark them `sending` under this worker's lease and commit."""
    with uow_factory() as uow:
        s = uow.session
        assert s is not None
        q = select(DeliveryRow).where(or_(
            and_(DeliveryRow.state.in_(RETRYABLE), DeliveryRow.due_at <= now,
                 or_(DeliveryRow.next_attempt_at.is_(None), DeliveryRow.next_attempt_at <= now)),
            and_(DeliveryRow.state == "sending", DeliveryRow.lease_until <= now),
        ))
        if not personal:
            q = q.where(DeliveryRow.kind.not_in([k.value for k in PERSONAL_KINDS]))
        q = q.order_by(DeliveryRow.due_at, DeliveryRow.id).limit(limit)
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        claims = []
        for row in s.scalars(q).all():
            recover = row.state == "sending"
            row.state = "sending"
            row.lease_owner = worker
            row.lease_until = now + lease
            row.attempts += 1
            claims.append(Claim(row.id, row.key, row.kind, row.target, row.meeting, row.action_id, row.person,
                                dict(row.payload or {}), row.attempts, recover, row.created_at, row.expires_at))
        uow.commit()
    return claims


def _finish(uow_factory: UowFactory, claim: Claim, worker: str, **values: Any) -> bool:
    """Write the outcome if this worker still holds the lease (else another took over: leave it)."""
    with uow_factory() as uow:
        s = uow.session
        assert s is not None
        res = s.execute(update(DeliveryRow).where(
            DeliveryRow.id == claim.id, DeliveryRow.lease_owner == worker, DeliveryRow.state == "sending",
        ).values(**values).execution_options(synchronize_session=False))
        uow.commit()
        return bool(res.rowcount)  # type: ignore[attr-defined]


def _report_dead(session: Session, claim: Claim, error: str, now: datetime) -> None:
    from ncpi_core.storage.repository import Repository

    admins = [p for p in Repository(session).people() if p.has(Role.ADMIN)]
    owed = [Owed(f"failure:{claim.key}:{a.id}"[:200], Kind.FAILURE_REPORT, now, now + timedelta(days=7),
                 a.slack_user, person=a.id,
                 payload={"failed_key": claim.key, "failed_kind": claim.kind, "failed_target": claim.target,
                          "attempts": claim.attempts, "error": error[:500]})
            for a in admins]
    record_owed(session, owed, now)


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


# --- the tick --------------------------------------------------------------------------------------
def derive_and_record(uow_factory: UowFactory, config: ForceConfig, now: datetime) -> tuple[int, int]:
    """Insert whatever is owed up to `now`; mark what has expired stale. Returns (inserted, stale)."""
    with uow_factory() as uow:
        assert uow.session is not None
        meetings = window_meetings(config, now)
        facts = read_facts(uow, [m.key for m in meetings])
        inserted = record_owed(uow.session, derive_owed(config, facts, now, meetings), now)
        stale = mark_stale(uow.session, now)
        uow.commit()
    return inserted, stale


def run_tick(uow_factory: UowFactory, config: ForceConfig, port: DeliveryPort, now: datetime, *,
             worker: str | None = None, lease: timedelta = LEASE, batch: int = 10,
             limit: int = 1000, senders: int = SENDERS) -> TickResult:
    """Derive what is owed up to `now`, record it, then claim and send what is due, once.

    Args:
        uow_factory: makes a unit of work per transaction.
        config: the force's meetings, people's channels and timings.
        port: sends and finds messages (the Slack adapter, or a fake in tests).
        now: aware UTC; also the clock of leases and retries.
        worker: this process's lease name (default: host, pid and a random suffix).
        lease: how long a claim is held before another worker may recover it.
        batch: rows claimed per transaction.
        limit: most rows handled in one tick (the rest wait for the next).
        senders: threads sending the rows of a batch at once (1: one after the other).

    Returns:
        Counts of what happened.
    """
    worker = worker or new_worker_id()
    result = TickResult()
    result.inserted, result.stale = derive_and_record(uow_factory, config, now)
    personal = in_working_hours(now, config)
    builder = ContentBuilder(uow_factory, config, now)
    handled = 0
    with ThreadPoolExecutor(max_workers=senders, thread_name_prefix="ncpi-send") if senders > 1 \
            else nullcontext() as pool:
        while handled < limit:
            claims = claim_due(uow_factory, now, worker, lease=lease, limit=batch, personal=personal)
            if not claims:
                break
            handled += len(claims)
            if pool is None or len(claims) == 1:
                for claim in claims:
                    _deliver(uow_factory, port, builder, claim, worker, now, result)
                if result.halted:
                    break
                continue
            builder.state  # noqa: B018 - read the plan once here, not once per thread

            def one(claim: Claim) -> TickResult:
                part = TickResult()
                _deliver(uow_factory, port, builder, claim, worker, now, part)
                return part

            for part in pool.map(one, claims):  # in claim order: keys_sent stays in order
                result.add(part)
            if result.halted:
                # Slack is unreachable or refuses the app: the next tick tries again, instead of
                # every remaining delivery waiting out the same connection retries now
                log.warning("tick stopped early: Slack unreachable or refusing the app; "
                            "the rest waits for the next tick")
                break
    return result


def _deliver(uow_factory: UowFactory, port: DeliveryPort, builder: ContentBuilder, claim: Claim,
             worker: str, now: datetime, result: TickResult) -> None:
    expired = claim.expires_at is not None and claim.expires_at <= now
    try:
        message: Outgoing | None = builder.build(claim)
    except Exception as exc:  # noqa: BLE001 - a rendering bug must not stop the other deliveries
        log.exception("could not build delivery %s", claim.key)
        _failed(uow_factory, claim, worker, now, SendFailed(f"build: {exc}"), result)
        return
    if message is None and not claim.recover:
        _finish(uow_factory, claim, worker, state="skipped", lease_owner=None, lease_until=None)
        result.skipped += 1
        return
    if claim.recover and message is not None:
        try:
            found = port.find_sent(message, since=claim.created_at - timedelta(days=1))
        except Exception as exc:  # noqa: BLE001 - cannot tell whether it went: look again later
            _failed(uow_factory, claim, worker, now, SendFailed(f"lookup: {exc}", outcome_unknown=True), result)
            return
        if found is not None:
            _sent(uow_factory, claim, worker, now, found, result)
            result.recovered += 1
            return
    if message is None or expired:
        state = "skipped" if message is None else "stale"
        _finish(uow_factory, claim, worker, state=state, lease_owner=None, lease_until=None)
        if message is None:
            result.skipped += 1
        else:
            result.stale += 1
        return
    if not _still_mine(uow_factory, claim, worker):
        # this worker stalled past its lease and another took the row over (and sends it)
        log.warning("delivery %s passed to another worker before it was sent; left to it", claim.key)
        return
    try:
        ref = port.send(message)
    except SendFailed as exc:
        _failed(uow_factory, claim, worker, now, exc, result)
        return
    except Exception as exc:  # noqa: BLE001 - unknown outcome: look before sending again
        log.exception("sending %s failed", claim.key)
        _failed(uow_factory, claim, worker, now, SendFailed(repr(exc), outcome_unknown=True), result)
        return
    _sent(uow_factory, claim, worker, now, ref, result)
    result.sent += 1
    result.keys_sent.append(claim.key)


def _still_mine(uow_factory: UowFactory, claim: Claim, worker: str) -> bool:
    """Whether this worker still holds the row's lease, checked just before sending."""
    with uow_factory() as uow:
        s = uow.session
        assert s is not None
        owner = s.scalar(select(DeliveryRow.lease_owner).where(DeliveryRow.id == claim.id,
                                                               DeliveryRow.state == "sending"))
    return owner == worker


def _sent(uow_factory: UowFactory, claim: Claim, worker: str, now: datetime, ref: SentRef,
          result: TickResult) -> None:
    if not _finish(uow_factory, claim, worker, state="sent", slack_channel=ref.channel, slack_ts=ref.ts,
                   sent_at=now, lease_owner=None, lease_until=None, last_error=None):
        log.warning("delivery %s was sent but its lease had passed to another worker", claim.key)


def _failed(uow_factory: UowFactory, claim: Claim, worker: str, now: datetime, exc: SendFailed,
            result: TickResult) -> None:
    error = exc.reason[:1000]
    if exc.blocked or exc.unreachable:
        result.halted += 1
    if exc.blocked:
        # Slack refuses the app itself (token revoked, scope missing): every delivery waits, with
        # its attempts untouched, until a person fixes it; what expires meanwhile goes stale.
        log.error("Slack refuses the bot (%s): nothing can be sent until SLACK_BOT_TOKEN or the app's "
                  "scopes are fixed; %s will be tried again in %d minutes", error, claim.key,
                  BLOCKED_RETRY.seconds // 60)
        _finish(uow_factory, claim, worker, state="failed", next_attempt_at=now + BLOCKED_RETRY,
                attempts=max(0, claim.attempts - 1), lease_owner=None, lease_until=None, last_error=error)
        result.failed += 1
        return
    if exc.permanent or claim.attempts >= MAX_ATTEMPTS:
        log.error("delivery %s is dead after %d attempts: %s", claim.key, claim.attempts, error)
        _dead(uow_factory, claim, worker, now, error)
        result.dead += 1
        return
    retry_at = now + backoff(claim.attempts)
    if exc.outcome_unknown:
        # stay `sending` with no owner: whoever claims it after retry_at looks before resending
        _finish(uow_factory, claim, worker, lease_owner=None, lease_until=retry_at, last_error=error)
    else:
        _finish(uow_factory, claim, worker, state="failed", next_attempt_at=retry_at, lease_owner=None,
                lease_until=None, last_error=error)
    result.failed += 1


def _dead(uow_factory: UowFactory, claim: Claim, worker: str, now: datetime, error: str) -> None:
    with uow_factory() as uow:
        s = uow.session
        assert s is not None
        res = s.execute(update(DeliveryRow).where(
            DeliveryRow.id == claim.id, DeliveryRow.lease_owner == worker, DeliveryRow.state == "sending",
        ).values(state="dead", last_error=error, lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False))
        if res.rowcount and claim.kind != Kind.FAILURE_REPORT.value:  # type: ignore[attr-defined]
            _report_dead(s, claim, error, now)
        uow.commit()


# --- what each claimed row says ------------------------------------------------------------------
def meeting_time(meeting_key: str | None) -> datetime | None:
    """The start of a meeting from its key (`silver:20220308T1400Z`)."""
    if not meeting_key or ":" not in meeting_key:
        return None
    return datetime.strptime(meeting_key.split(":", 1)[1], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)


class ContentBuilder:
    """Turns a claimed row into the port's typed content, reading the plan once per tick.

    Returns None when the message is no longer wanted (the update came in, the action closed).
    """

    def __init__(self, uow_factory: UowFactory, config: ForceConfig, now: datetime) -> None:
        self.uow_factory = uow_factory
        self.config = config
        self.now = now
        self._state: PlanState | None = None
        self._summaries: dict[str, Any] = {}

    @property
    def state(self) -> PlanState:
        if self._state is None:
            with self.uow_factory() as uow:
                self._state = read_plan_state(uow, self.now)
        return self._state

    def _action(self, action_id: str | None) -> Action | None:
        action = next((a for a in self.state.actions if a.id == action_id), None)
        return action if action is not None and wants_prompt(action) else None

    def _waiting(self, action_id: str | None, opens_at: str | None) -> Action | None:
        """The action if it is still open and has had no update since `opens_at`."""
        action = self._action(action_id)
        if action is None:
            return None
        if opens_at and replied_since(action.id, datetime.fromisoformat(opens_at), self.state.latest):
            return None
        return action

    def summary(self, level: str) -> Any:
        if level not in self._summaries:
            from ncpi_core.domain.summaries import summary_now

            self._summaries[level] = summary_now(self.uow_factory, self.config, self.now, level)
        return self._summaries[level]

    def build(self, claim: Claim) -> Outgoing | None:
        content = self._content(Kind(claim.kind), claim)
        if content is None:
            return None
        p = claim.payload
        extra = self.chart_extra() if claim.kind == Kind.GOLD_SUMMARY.value else {}
        return Outgoing(key=claim.key, kind=claim.kind, target=claim.target,
                        to_user=claim.kind not in (Kind.SILVER_SUMMARY.value, Kind.GOLD_SUMMARY.value),
                        content=content, tz=self.config.tz, thread_channel=p.get("thread_channel"),
                        thread_ts=p.get("thread_ts"), extra=extra)

    def chart_extra(self) -> dict[str, Any]:
        """The RAG chart for the Gold summary post, or (once ever) a note that it is unavailable.

        The chart is an attachment to the owed message, not a delivery of its own: if drawing
        fails the summary still goes, and the note is said once (remembered in `app_state`).
        """
        from ncpi_core.reports.chart import ChartUnavailable, chart_data, render_chart_png

        try:
            png = render_chart_png(chart_data(self.uow_factory, self.config, self.now))
        except ChartUnavailable as exc:
            return {"chart_note": str(exc)} if self._first_time_noted("chart_unavailable_noted") else {}
        except Exception:  # noqa: BLE001 - a chart must never stop the summary itself
            log.exception("drawing the Gold chart failed; posting the summary without it")
            return {}
        return {"chart_png": png, "chart_name": f"rag-position-{self.now:%Y-%m-%d}.png"}

    def _first_time_noted(self, name: str) -> bool:
        with self.uow_factory() as uow:
            assert uow.session is not None
            if uow.session.get(StateRow, name) is not None:
                return False
            uow.session.add(StateRow(name=name, value="yes", updated_at=self.now))
            uow.commit()
        return True

    def _content(self, kind: Kind, claim: Claim) -> Content | None:
        p = claim.payload
        at = meeting_time(claim.meeting)
        st = self.state
        if kind is Kind.PROMPT:
            action = self._action(claim.action_id)
            if action is None or at is None:
                return None
            rec = next((r for r in st.recommendations if r.id == action.recommendation_id), None)
            owner = p.get("on_behalf_of")
            return PromptContent(action, rec, st.latest.get(action.id), at,
                                 at - timedelta(hours=self.config.timings.silver_summary_hours_before),
                                 st.person_name(owner) if owner else None)
        if kind is Kind.NUDGE:
            action = self._waiting(claim.action_id, p.get("opens_at"))
            if action is None or at is None:
                return None
            return NudgeContent(action, int(p.get("step", 1)), at, datetime.fromisoformat(p["opens_at"]))
        if kind is Kind.ESCALATION:
            by_person: dict[str, list[str]] = {}
            for m in p.get("missing", []):
                if self._waiting(m["action_id"], p.get("opens_at")) is not None:
                    by_person.setdefault(m["person"], []).append(m["action_id"])
            if not by_person or at is None:
                return None
            return EscalationContent(at, [MissingLine(st.person_name(who), _user(st, who), ids)
                                          for who, ids in sorted(by_person.items())])
        if kind in (Kind.SILVER_SUMMARY, Kind.GOLD_SUMMARY):
            level = "silver" if kind is Kind.SILVER_SUMMARY else "gold"
            return SummaryContent(level, at or self.now, self.summary(level))
        if kind is Kind.GOLD_REMINDER:
            actions = [a for a in (self._action(i) for i in p.get("action_ids", [])) if a is not None]
            if not actions or at is None:
                return None
            return GoldReminderContent(at, datetime.fromisoformat(p["updates_by"]), actions)
        if kind is Kind.CHASE:
            actions = [a for a in (self._waiting(i, p.get("opens_at")) for i in p.get("action_ids", []))
                       if a is not None]
            if not actions:
                return None
            return ChaseContent(at, actions, st.person_name(p.get("by")) if p.get("by") else None)
        return FailureContent(p.get("failed_key", ""), p.get("failed_kind", ""), p.get("failed_target", ""),
                              int(p.get("attempts", 0)), p.get("error", ""))


def _user(state: PlanState, person: str) -> str | None:
    p = state.people.get(person)
    return p.slack_user if p else None


# --- who owes an update, and chasing them ----------------------------------------------------------
@dataclass(frozen=True)
class Owing:
    person: str
    name: str
    slack_user: str | None
    actions: list[Action]
    away: bool = False


@dataclass(frozen=True)
class MissingReport:
    cycle: Cycle | None
    owing: list[Owing]


def open_cycle(config: ForceConfig, now: datetime) -> Cycle | None:
    """The cycle whose prompts have gone out and whose meeting has not yet started."""
    cycle = current_cycle(config, now)
    return cycle if cycle is not None and cycle.closes_at > now else None


def missing_updates(uow_factory: UowFactory, config: ForceConfig, now: datetime) -> MissingReport:
    """Who owes an update this cycle: open actions with no update since the cycle opened."""
    cycle = open_cycle(config, now)
    if cycle is None:
        return MissingReport(None, [])
    today = now.astimezone(config.tz).date()
    with uow_factory() as uow:
        facts = read_facts(uow, [])
    by_person: dict[str, list[Action]] = {}
    for a in facts.actions:
        if wants_prompt(a) and not replied_since(a.id, cycle.opens_at, facts.latest):
            by_person.setdefault(responsible_for(a, today, facts.absences), []).append(a)
    owing = []
    for who, actions in sorted(by_person.items()):
        p = facts.people.get(who)
        owing.append(Owing(who, p.name if p else who, p.slack_user if p else None, actions,
                           away=is_away(who, today, facts.absences)))
    return MissingReport(cycle, owing)


def request_chase(uow_factory: UowFactory, config: ForceConfig, now: datetime,
                  by: str | None) -> tuple[MissingReport, int]:
    """Queue a chase for everyone who owes an update now (not those away).

    One ledger row per person and minute: a double click queues once. The tick sends them.
    Returns the report and how many new rows were queued.
    """
    report = missing_updates(uow_factory, config, now)
    if report.cycle is None:
        return report, 0
    c = report.cycle
    owed = [Owed(chase_key(c.meeting.key, o.person, now), Kind.CHASE, now, c.closes_at, o.slack_user,
                 meeting=c.meeting.key, person=o.person,
                 payload={"action_ids": [a.id for a in o.actions], "opens_at": c.opens_at.isoformat(),
                          "by": by})
            for o in report.owing if o.slack_user and not o.away]
    with uow_factory() as uow:
        assert uow.session is not None
        n = record_owed(uow.session, owed, now)
        uow.commit()
    return report, n
