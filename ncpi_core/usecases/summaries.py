"""Reading a summary now: the plan as it stands and as it stood, pending decisions, participation.

`summary_now` is what the summary posts, a chat front end's home view and `ncpi summary` call.
With a `SummaryCache` its inputs are kept until the data changes (`UnitOfWork.data_version`).

`summary_reads(...)` opens one unit of work and reads the data version once; within it a front end
asks for the recommendation ids (to read the words of its command), the summary, or the summary
*finished*: rendered by the front end's own function (a chat message and the file attached to it)
and kept whole, so a request that finds it is answered without building anything. A finished
rendering is kept per data version and per minute of `now`: every time a summary shows is to the
minute, so a kept one is word for word what a fresh build would say.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain import calendar
from ncpi_core.domain.clocks import running_clocks
from ncpi_core.domain.ledger import PromptRecord
from ncpi_core.domain.models import Body
from ncpi_core.domain.participation import (
    Participation,
    PromptSent,
    build_participation,
    cycle_label,
)
from ncpi_core.domain.plan_state import PlanState
from ncpi_core.domain.records import RequestKind
from ncpi_core.domain.scrutiny import current_statuses, latest_by_recommendation
from ncpi_core.domain.summaries.build import build_summary, rolled_back
from ncpi_core.domain.summaries.model import FILTERS, Decision, DecisionKind, Level, Summary
from ncpi_core.domain.verification import Unverified, unverified_greens
from ncpi_core.errors import NotFound
from ncpi_core.storage.base import DataVersion, UnitOfWork, UowFactory
from ncpi_core.usecases.summary_cache import SummaryCache, estimate_size

T = TypeVar("T")
# the words that narrow a summary to one report or one type of item (`report=VSA`), and the
# keyword of `summary_now` each one sets
NARROWING = {"report": "report", "type": "item_type"}
DECISION_REQUESTS = {RequestKind.DUE_CHANGE: DecisionKind.DUE_CHANGE, RequestKind.SUPERSEDE: DecisionKind.SUPERSEDE}


@dataclass
class SummaryAsk:
    """What the words after `summary` ask for: `gold R3 red post report=VSA type=cause_of_concern`."""

    level: str = "silver"
    recommendation: str | None = None
    only: str | None = None
    post: bool = False
    narrow: dict[str, str] = field(default_factory=dict)  # summary_now's report= and item_type=


def read_summary_words(words: list[str], recommendation_ids: list[str], usage: str) -> SummaryAsk:
    """The summary the words ask for, the same in every front end.

    Raises:
        NotFound: a word that is none of them (`usage` and some of the plan's ids go with it).
    """
    ask = SummaryAsk()
    recs = {rid.lower(): rid for rid in recommendation_ids}
    for word in words:
        low = word.lower()
        key, _, value = low.partition("=")
        if key in NARROWING and value:
            ask.narrow[NARROWING[key]] = word.partition("=")[2]
        elif low in ("silver", "gold"):
            ask.level = low
        elif low in FILTERS:
            ask.only = low
        elif low == "post":
            ask.post = True
        elif low in recs:
            ask.recommendation = recs[low]
        else:
            raise NotFound("summary.unknown_word", word=word, usage=usage, sample=", ".join(recommendation_ids[:4]))
    return ask


def read_plan_state(uow: UnitOfWork, now: datetime, as_of: datetime | None = None,
                    records: bool = True) -> PlanState:
    """The plan with each action's latest update (as it stood at `as_of`, if given) and people's names;
    with `records`, the open challenges, Gold's decision log, the embeddings, the runs of
    wordless Greens, the PCC's ratings and the inspectorate's statuses a summary shows beside them (a chart's past positions need none of these)."""
    state = PlanState(
        info=uow.plan.info(),
        recommendations=uow.plan.recommendations(),
        actions=uow.plan.actions(),
        latest=uow.updates.latest(as_of=as_of),
        people={p.id: p for p in uow.people.all()},
        as_of=as_of or now,
    )
    if records:
        state.challenges = uow.challenges.open()
        state.decisions = uow.decisions.all()
        state.embeddings = uow.embeddings.all()
        state.wordless_since = uow.updates.wordless_since(as_of=as_of)
        state.assurances = latest_by_recommendation(uow.assurances.all())
        state.inspectorate = current_statuses(uow.inspectorate.all())
    return state


def unverified_now(state: PlanState, config: ForceConfig, now: datetime) -> dict[str, Unverified]:
    """The actions whose Green has had no words for more than `unverified_green_after_cycles` cycles."""
    if not state.wordless_since:
        return {}
    first = min(state.wordless_since.values())
    openings = calendar.cycle_openings(config, first, now)
    return unverified_greens(state.wordless_since, openings, now, config.timings.unverified_green_after_cycles)


def statuses_as_of(uow: UnitOfWork, state: PlanState, as_of: datetime) -> PlanState:
    """`state` with each action's status and due date as they stood at `as_of` (from the audit trail)."""
    return rolled_back(state, uow.audit.changes_since(as_of, "action", ("status", "due")))


def pending_decisions(uow: UnitOfWork) -> list[Decision]:
    """Pending due-date changes and supersede requests, oldest first: Gold is asked to decide them."""
    out = []
    for r in uow.requests.all_pending(list(DECISION_REQUESTS)):
        if r.kind is RequestKind.DUE_CHANGE and r.new_due is None:
            continue
        out.append(Decision(r.action_id, DECISION_REQUESTS[r.kind], r.new_due, r.reason))
    return out


def prompts_up_to_date(uow: UnitOfWork, now: datetime, version: DataVersion | None,
                       kept: tuple[DataVersion, datetime, list[PromptRecord]] | None) -> list[PromptRecord]:
    """The prompts sent up to `now`, each with its first answer: read whole, or — from a list kept at
    an earlier version — only what can have changed since: the prompts sent since its newest send,
    and those of the actions updated since (an update is what answers a prompt)."""
    if kept is None or version is None or not _grows_from(kept[0], kept[1], version, now):
        return uow.ledger.prompts_sent(now)
    old_version, _, records = kept
    touched = uow.updates.actions_updated_after(old_version.updates) if version.updates != old_version.updates \
        else set()
    fresh: dict[int, PromptRecord] = {}
    if version.sent_at != old_version.sent_at:
        fresh.update((p.id, p) for p in uow.ledger.prompts_sent(now, sent_from=old_version.sent_at))
    if touched:
        fresh.update((p.id, p) for p in uow.ledger.prompts_sent(now, action_ids=touched))
    if not fresh:
        return records
    merged = [p for p in records if p.id not in fresh] + list(fresh.values())
    merged.sort(key=lambda p: (p.sent_at, p.id))
    return merged


def _grows_from(old: DataVersion, old_at: datetime, new: DataVersion, now: datetime) -> bool:
    """Whether a list read at `old` (for the moment `old_at`) can be brought up to `new` at `now` by
    reading only what came after: nothing went backwards (a database restored, rows removed), the
    moment did not go back, and the audit trail (plan loads, which may rewrite anything) is unchanged."""
    def ahead(a: Any, b: Any) -> bool:
        return a is None or (b is not None and b >= a)

    return (now >= old_at and old.audit == new.audit and ahead(old.updates, new.updates)
            and ahead(old.deliveries, new.deliveries) and ahead(old.sent_at, new.sent_at)
            and old.settled_by(old_at))


def participation_by_cycle(uow: UnitOfWork, config: ForceConfig, now: datetime,
                           prompts_sent: list[PromptRecord] | None = None) -> Participation:
    """Prompts sent up to `now` and, for each, the first update to its action after it (up to `now`)."""
    labels: dict[str, str] = {}
    prompts: list[PromptSent] = []
    updates: dict[str, list[datetime]] = {}
    for p in (prompts_sent if prompts_sent is not None else uow.ledger.prompts_sent(now)):
        label = labels.get(p.meeting) if p.meeting else None
        if label is None:
            label = cycle_label(p.meeting, p.sent_at, config.tz)
            if p.meeting:
                labels[p.meeting] = label
        prompts.append(PromptSent(p.person, p.action_id, p.sent_at, label))
        if p.answered_at is not None and p.answered_at <= now:
            updates.setdefault(p.action_id, []).append(p.answered_at)
    if not prompts:
        return Participation(rows=[])
    return build_participation(prompts, updates, uow.people.names())


def recommendation_ids(uow_factory: UowFactory) -> list[str]:
    """The ids of the plan's recommendations, in plan order (what a summary can be narrowed to)."""
    with uow_factory() as uow:
        return [r.id for r in uow.plan.recommendations()]


def summary_now(uow_factory: UowFactory, config: ForceConfig, now: datetime, level: Level | str,
                recommendation: str | None = None, only: str | None = None,
                cache: SummaryCache | None = None, report: str | None = None,
                item_type: str | None = None) -> Summary:
    """Read the plan and build the summary the bot would post at `now`.

    An empty database gives a Summary whose `empty` is True.

    Raises:
        NotFound, InvalidInput: an unknown recommendation, filter, report or type (see `build_summary`).
    """
    with summary_reads(uow_factory, config, now, cache) as reads:
        return reads.summary(level, recommendation, only, report=report, item_type=item_type)


class SummaryReads:
    """The reads of one summary request (see the module's docstring)."""

    def __init__(self, uow: UnitOfWork, config: ForceConfig, now: datetime, cache: SummaryCache | None) -> None:
        self.uow, self.config, self.now, self.cache = uow, config, now, cache
        self.version = uow.data_version() if cache is not None else None

    def _kept(self, key: tuple[Hashable, ...], build: Callable[[], T],
              size: Callable[[T], int] = estimate_size) -> T:
        if self.cache is None or self.version is None:
            return build()
        return self.cache.get((id(self.config), *key), self.version, self.now, build, size)

    def _state(self) -> PlanState:
        return replace(self._kept(("state",), lambda: read_plan_state(self.uow, self.now)), as_of=self.now)

    def _prompts(self) -> list[PromptRecord]:
        """The prompts sent, brought up to date from the list kept at an earlier version (if any)."""
        if self.cache is None or self.version is None:
            return self.uow.ledger.prompts_sent(self.now)
        key = (id(self.config), "prompts")
        kept = self.cache.last(key)
        return self._kept(("prompts",), lambda: prompts_up_to_date(self.uow, self.now, self.version, kept))

    def recommendation_ids(self) -> list[str]:
        """The plan's recommendation ids, in plan order (what a summary can be narrowed to)."""
        return [r.id for r in self._state().recommendations]

    def summary(self, level: Level | str, recommendation: str | None = None, only: str | None = None,
                report: str | None = None, item_type: str | None = None) -> Summary:
        """The summary at `now` (see `ncpi_core.usecases.summaries.summary_now`)."""
        level = Level(level)
        config, now, uow = self.config, self.now, self.uow
        body = Body.GOLD if level == Level.GOLD else Body.SILVER
        prev_meeting = calendar.previous_meeting(config, now, body)
        upcoming = calendar.next_meetings(config, now, count=1, body=body)
        state = self._state()
        previous = None
        if prev_meeting is not None and state.recommendations:
            at = prev_meeting.starts_at
            # the plan and people as read for now (the audit trail rolls statuses back); only the
            # latest updates as they stood at the meeting are read again
            previous = self._kept(("previous", at), lambda: statuses_as_of(uow, PlanState(
                info=state.info, recommendations=state.recommendations, actions=state.actions,
                latest=uow.updates.latest(as_of=at), people=state.people, as_of=at), at))
        decisions = self._kept(("decisions",), lambda: pending_decisions(uow)) if state.recommendations else []
        participation = (self._kept(("participation",), lambda: participation_by_cycle(
            uow, config, now, self._prompts())) if level == Level.SILVER and state.recommendations else None)
        today = now.astimezone(config.tz).date()
        return build_summary(
            level, state, now=now, today=today, cycle=calendar.current_cycle(config, now), previous=previous,
            recommendation=recommendation, only=only, force=config.force, tz=config.tz,
            next_meeting=upcoming[0].starts_at if upcoming else None,
            previous_meeting_at=prev_meeting.starts_at if prev_meeting else None,
            decisions=decisions, participation=participation,
            unverified=unverified_now(state, config, now),
            unverified_after=config.timings.unverified_green_after_cycles,
            clocks=running_clocks(state.info.published if state.info else None, today),
            report=report, item_type=item_type,
        )

    def finished(self, rendering: str, level: Level | str, recommendation: str | None, only: str | None,
                 render: Callable[[Summary], T], size: Callable[[T], int] = estimate_size,
                 report: str | None = None, item_type: str | None = None) -> T:
        """`render(summary)`, kept per data version and minute under the name `rendering`.

        Raises:
            NotFound, InvalidInput: an unknown recommendation or filter (never kept).
        """
        minute = self.now.astimezone(UTC).replace(second=0, microsecond=0)
        key: tuple[Any, ...] = ("finished", rendering, Level(level).value, recommendation, only, report,
                                item_type, minute)
        return self._kept(key, lambda: render(self.summary(level, recommendation, only, report, item_type)), size)


@contextmanager
def summary_reads(uow_factory: UowFactory, config: ForceConfig, now: datetime,
                  cache: SummaryCache | None = None) -> Iterator[SummaryReads]:
    """`with summary_reads(...) as reads: reads.finished(...)` — one unit of work, read only."""
    with uow_factory() as uow:
        yield SummaryReads(uow.read_only(), config, now, cache)
