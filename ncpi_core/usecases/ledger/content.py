"""What each claimed row says: the port's typed content, built when the row is sent.

Content is built at send time, not when the row is recorded, so a prompt shows the latest update
and a nudge for an action that has since been updated (or closed) is not sent at all.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.clocks import plan_clocks
from ncpi_core.domain.deliveries import replied_since, wants_prompt
from ncpi_core.domain.ledger import Claim, Kind, MessageRef
from ncpi_core.domain.models import Action
from ncpi_core.domain.plan_state import PlanState
from ncpi_core.domain.summaries.chart import ChartDrawer, ChartUnavailable, describe_chart
from ncpi_core.domain.summaries.model import Level, Summary
from ncpi_core.ports import (
    ChallengeContent,
    ChaseContent,
    ClockReminderContent,
    Content,
    EscalationContent,
    FailureContent,
    GoldReminderContent,
    MissingLine,
    NoticeContent,
    NudgeContent,
    Outgoing,
    PromptContent,
    SummaryContent,
)
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.charts import chart_data
from ncpi_core.usecases.summaries import read_plan_state, summary_now

log = logging.getLogger(__name__)
CHART_NOTED = "chart_unavailable_noted"  # the one-off note that the chart cannot be drawn was said


def meeting_time(meeting_key: str | None) -> datetime | None:
    """The start of a meeting from its key (`silver:20220308T1400Z`)."""
    if not meeting_key or ":" not in meeting_key:
        return None
    return datetime.strptime(meeting_key.split(":", 1)[1], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)


def thread_of(payload: dict[str, Any]) -> MessageRef | None:
    """The thread a nudge replies in: its prompt's message."""
    conversation, message = payload.get("thread_conversation"), payload.get("thread_message")
    return MessageRef(conversation, message) if conversation and message else None


def notice_content(payload: dict[str, Any]) -> NoticeContent:
    """A workflow notice as its row keeps it: a code, JSON-plain params, its buttons and action."""
    return NoticeContent(code=payload["code"], params=dict(payload.get("params") or {}),
                         kind=payload.get("kind") or "info", action_id=payload.get("action_id"))


class ContentBuilder:
    """Turns a claimed row into an `Outgoing`, reading the plan at most once per tick.

    `build` returns None when the message is no longer wanted (the update came in, the action
    closed). Safe to share between the tick's sender threads.
    """

    def __init__(self, uow_factory: UowFactory, config: ForceConfig, now: datetime,
                 draw_chart: ChartDrawer | None = None) -> None:
        self.uow_factory = uow_factory
        self.config = config
        self.now = now
        self.draw_chart = draw_chart
        self._state: PlanState | None = None
        self._by_id: dict[str, Action] = {}  # the state's actions by id (a tick looks one up per message)
        self._summaries: dict[Level, Summary] = {}
        self._lock = threading.Lock()

    @property
    def state(self) -> PlanState:
        with self._lock:
            if self._state is None:
                with self.uow_factory() as uow:
                    self._state = read_plan_state(uow.read_only(), self.now, records=False)
                self._by_id = {a.id: a for a in self._state.actions}
            return self._state

    def action(self, action_id: str | None) -> Action | None:
        """The plan's action with this id (a lookup, not a scan of the plan)."""
        _ = self.state
        return self._by_id.get(action_id) if action_id is not None else None

    def summary(self, level: Level) -> Summary:
        with self._lock:
            if level not in self._summaries:
                self._summaries[level] = summary_now(self.uow_factory, self.config, self.now, level)
            return self._summaries[level]

    def build(self, claim: Claim) -> Outgoing | None:
        content = self._content(Kind(claim.kind), claim)
        if content is None:
            return None
        extra = self.chart_extra() if claim.kind == Kind.GOLD_SUMMARY.value else {}
        return Outgoing(key=claim.key, kind=claim.kind, recipient=claim.recipient, content=content,
                        tz=self.config.tz, thread=thread_of(claim.payload), extra=extra)

    def chart_extra(self) -> dict[str, Any]:
        """The RAG chart for the Gold summary post, or (once ever) a note that it is unavailable.

        The chart is an attachment to the owed message, not a delivery of its own: if drawing
        fails the summary still goes. `chart_note` is the error (a code) the front end words.
        """
        if self.draw_chart is None:
            return {}
        try:
            data = chart_data(self.uow_factory, self.config, self.now)
            png = self.draw_chart(data)
        except ChartUnavailable as exc:
            return {"chart_note": exc} if self._first_time_noted() else {}
        except Exception:  # noqa: BLE001 - a chart must never stop the summary itself
            log.exception("drawing the Gold chart failed; posting the summary without it")
            return {}
        return {"chart_png": png, "chart_name": f"rag-position-{self.now:%Y-%m-%d}.png",
                "chart_alt": describe_chart(data)}

    def _first_time_noted(self) -> bool:
        with self.uow_factory() as uow:
            first = uow.state.put_if_absent(CHART_NOTED, "yes", self.now)
            uow.commit()
        return first

    # --- the content of each kind ------------------------------------------------------------
    def _action(self, action_id: str | None) -> Action | None:
        action = self.action(action_id)
        return action if action is not None and wants_prompt(action) else None

    def _waiting(self, action_id: str | None, opens_at: str | None) -> Action | None:
        """The action if it is still open and has had no update since `opens_at`."""
        action = self._action(action_id)
        if action is None:
            return None
        if opens_at and replied_since(action.id, datetime.fromisoformat(opens_at), self.state.latest):
            return None
        return action

    def _content(self, kind: Kind, claim: Claim) -> Content | None:
        p = claim.payload
        if kind is Kind.NOTICE:
            return notice_content(p)
        if kind is Kind.FAILURE_REPORT:
            return FailureContent(p.get("failed_key", ""), p.get("failed_kind", ""), p.get("failed_recipient", ""),
                                  int(p.get("attempts", 0)), p.get("error", ""))
        at = meeting_time(claim.meeting)
        if kind in (Kind.SILVER_SUMMARY, Kind.GOLD_SUMMARY):
            level = Level.SILVER if kind is Kind.SILVER_SUMMARY else Level.GOLD
            return SummaryContent(level.value, at or self.now, self.summary(level))
        if kind is Kind.PROMPT:
            return self._prompt(claim, at)
        if kind is Kind.NUDGE:
            action = self._waiting(claim.action_id, p.get("opens_at"))
            if action is None or at is None:
                return None
            return NudgeContent(action, int(p.get("step", 1)), at, datetime.fromisoformat(p["opens_at"]))
        if kind is Kind.ESCALATION:
            return self._escalation(claim, at)
        if kind is Kind.GOLD_REMINDER:
            actions = [a for a in (self._action(i) for i in p.get("action_ids", [])) if a is not None]
            if not actions or at is None:
                return None
            return GoldReminderContent(at, datetime.fromisoformat(p["updates_by"]), actions)
        if kind is Kind.CHALLENGE:
            return self._challenge(claim)
        if kind is Kind.CLOCK_REMINDER:
            return self._clock(claim)
        return self._chase(claim, at)

    def _challenge(self, claim: Claim) -> ChallengeContent | None:
        """The question, if it is still open and its action still takes updates."""
        p = claim.payload
        with self.uow_factory() as uow:
            challenge = uow.challenges.get(int(p.get("challenge_id", 0)))
        action = self.action(claim.action_id)
        if challenge is None or not challenge.is_open or action is None or action.is_closed:
            return None
        owner = p.get("on_behalf_of")
        return ChallengeContent(action, challenge.question, self.state.person_name(challenge.asked_by),
                                challenge.asked_at, self.state.latest.get(action.id), int(challenge.id or 0),
                                self.state.person_name(owner) if owner else None)

    def _clock(self, claim: Claim) -> ClockReminderContent | None:
        """The clock, if the plan's publication date still gives it (a corrected date owes a new one)."""
        p = claim.payload
        info = self.state.info
        clock = next((c for c in plan_clocks(info.published if info else None)
                      if c.kind.value == p.get("clock") and c.due.isoformat() == p.get("due")), None)
        if clock is None:
            return None
        today: date = self.now.astimezone(self.config.tz).date()
        return ClockReminderContent(clock.kind.value, clock.due, clock.published, clock.days_left(today))

    def _prompt(self, claim: Claim, at: datetime | None) -> PromptContent | None:
        action = self._action(claim.action_id)
        if action is None or at is None:
            return None
        st = self.state
        rec = next((r for r in st.recommendations if r.id == action.recommendation_id), None)
        owner = claim.payload.get("on_behalf_of")
        updates_by = at - timedelta(hours=self.config.timings.silver_summary_hours_before)
        return PromptContent(action, rec, st.latest.get(action.id), at, updates_by,
                             st.person_name(owner) if owner else None)

    def _chase(self, claim: Claim, at: datetime | None) -> ChaseContent | None:
        p = claim.payload
        actions = [a for a in (self._waiting(i, p.get("opens_at")) for i in p.get("action_ids", []))
                   if a is not None]
        if not actions:
            return None
        return ChaseContent(at, actions, self.state.person_name(p["by"]) if p.get("by") else None)

    def _escalation(self, claim: Claim, at: datetime | None) -> EscalationContent | None:
        opens_at = claim.payload.get("opens_at")
        by_person: dict[str, list[str]] = {}
        for m in claim.payload.get("missing", []):
            if self._waiting(m["action_id"], opens_at) is not None:
                by_person.setdefault(m["person"], []).append(m["action_id"])
        if not by_person or at is None:
            return None
        return EscalationContent(at, [MissingLine(who, self.state.person_name(who), ids)
                                      for who, ids in sorted(by_person.items())])
