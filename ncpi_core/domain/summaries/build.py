"""Building a Silver or Gold summary from the plan as it stands: pure functions, no reads.

Give `build_summary` the plan (and, for "movement", the plan as it stood at the previous meeting)
and it returns a typed `Summary`. `ncpi_core.usecases.summaries.summary_now` reads the inputs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ncpi_core.config.schema import ACTION_ID_RE
from ncpi_core.domain.calendar import Cycle
from ncpi_core.domain.clocks import PlanClock
from ncpi_core.domain.deadlines import due_after_deadline, recommendation_overdue
from ncpi_core.domain.models import RAG, Action, ActionStatus, ItemType, Recommendation, Update
from ncpi_core.domain.participation import Participation
from ncpi_core.domain.plan_state import PlanState
from ncpi_core.domain.records import AuditEntry, Challenge
from ncpi_core.domain.summaries.exceptions import build_exceptions
from ncpi_core.domain.summaries.model import (
    FILTERS,
    ActionLine,
    ChallengeLine,
    CycleInfo,
    Decision,
    DecisionLine,
    EmbeddingLine,
    Level,
    Movement,
    RagChange,
    RecommendationLine,
    RollUp,
    ScrutinyLine,
    Summary,
)
from ncpi_core.domain.summaries.rollup import ROLLUP_RAG, counts, position, progress, rollup
from ncpi_core.domain.verification import Unverified
from ncpi_core.errors import InvalidInput, NotFound

RECOMMENDATION_SAMPLE = 10  # ids named when a recommendation is not found


def _local(dt: datetime | None, tz: ZoneInfo | None) -> datetime | None:
    if dt is None:
        return None
    return dt.astimezone(tz) if tz is not None else dt


def _action_line(a: Action, rec: Recommendation, latest: Update | None, state: PlanState, today: date,
                 opens_at: datetime | None, tz: ZoneInfo | None, unverified: Unverified | None,
                 challenge: Challenge | None) -> ActionLine:
    # Only open actions owe an update: a proposed or accepted one awaits review, not its owner.
    owes = a.status == ActionStatus.OPEN
    if latest is None:
        stale = owes
    else:
        stale = owes and opens_at is not None and latest.created_at < opens_at
    embedding = state.embeddings.get(a.id) if a.status == ActionStatus.EMBEDDED else None
    return ActionLine(
        id=a.id, recommendation_id=a.recommendation_id, title=a.title, owner=a.owner,
        owner_name=state.person_name(a.owner), deputy=a.deputy,
        deputy_name=state.person_name(a.deputy),
        due=a.due, original_due=a.original_due, overdue=a.is_overdue(today), status=a.status,
        rag=latest.rag if latest else None, progress=latest.progress if latest else None,
        narrative=latest.narrative if latest else "", blockers=latest.blockers if latest else "",
        evidence=latest.evidence if latest else "", updated_at=_local(latest.created_at if latest else None, tz),
        no_update_this_cycle=stale, recommendation_due=rec.due, beyond_deadline=due_after_deadline(a, rec.due),
        unverified=(replace(unverified, since=_local(unverified.since, tz) or unverified.since)
                    if unverified is not None and not a.is_closed and latest is not None
                    and latest.rag == RAG.GREEN else None),
        challenge=(ChallengeLine(challenge.id, challenge.question, challenge.asked_by,
                                 state.person_name(challenge.asked_by),
                                 _local(challenge.asked_at, tz) or challenge.asked_at)
                   if challenge is not None else None),
        embedding=(EmbeddingLine(embedding.impact, embedding.retested_on, state.person_name(embedding.embedded_by),
                                 _local(embedding.embedded_at, tz) or embedding.embedded_at)
                   if embedding is not None else None),
    )


def _recommendation_line(rec: Recommendation, actions: list[ActionLine], today: date) -> RecommendationLine:
    state = rollup(actions, rec.due, today)
    return RecommendationLine(
        id=rec.id, title=rec.title, text=rec.text, category=rec.category, due=rec.due,
        rag=ROLLUP_RAG[state], progress=progress(actions), counts=counts(actions),
        overdue=sum(a.overdue for a in actions), complete=state is RollUp.COMPLETE,
        position=position(actions, state), actions=actions, rollup=state,
        is_overdue=recommendation_overdue(rec.due, [a.status for a in actions], today),
        unverified=sum(1 for a in actions if a.unverified is not None),
        report=rec.report, type=rec.type.value, public_summary=rec.public_summary,
    )


def _scrutiny(state: PlanState, rec_id: str, tz: ZoneInfo | None) -> tuple[ScrutinyLine | None, ScrutinyLine | None]:
    """The PCC's current rating and the inspectorate's current status of a recommendation, as lines."""
    a, s = state.assurances.get(rec_id), state.inspectorate.get(rec_id)
    rated_on = (_local(a.rated_at, tz) or a.rated_at).date() if a is not None else None
    return (ScrutinyLine(a.rating.value, a.words, a.comment, state.person_name(a.rated_by), rated_on)
            if a is not None and rated_on is not None else None,
            ScrutinyLine(s.status.value, s.words, s.note, state.person_name(s.recorded_by), s.status_on)
            if s is not None else None)


def _decisions_since(state: PlanState, rec_ids: set[str], since: datetime | None, now: datetime,
                     tz: ZoneInfo | None) -> list[DecisionLine]:
    """Gold's decisions on the recommendations shown, recorded after `since` (all, with no previous meeting)."""
    return [DecisionLine(d.subject, d.recommendation_id, d.decision, d.rationale, state.person_name(d.decided_by),
                         _local(d.decided_at, tz) or d.decided_at)
            for d in state.decisions
            if d.recommendation_id in rec_ids and (since is None or d.decided_at > since) and d.decided_at <= now]


def _movement(lines: list[ActionLine], previous: PlanState | None, since: datetime | None,
              tz: ZoneInfo | None, decisions: list[DecisionLine]) -> Movement:
    no_update = [a.id for a in lines if a.no_update_this_cycle]
    if previous is None:
        return Movement(since=_local(since, tz), no_update=no_update, decisions=decisions)
    prev_actions = {a.id: a for a in previous.actions}
    prev_day = (since.astimezone(tz) if tz and since else (since or previous.as_of)).date()
    changes, newly_overdue, newly_closed, newly_embedded = [], [], [], []
    for a in lines:
        before = previous.latest.get(a.id)
        before_rag = before.rag if before else None
        if a.rag is not None and a.rag != before_rag:
            changes.append(RagChange(a.id, a.title, before_rag, a.rag))
        pa = prev_actions.get(a.id)
        if a.overdue and (pa is None or not pa.is_overdue(prev_day)):
            newly_overdue.append(a.id)
        if a.is_closed and (pa is None or not pa.is_closed):
            newly_closed.append(a.id)
        if a.status == ActionStatus.EMBEDDED and (pa is None or pa.status != ActionStatus.EMBEDDED):
            newly_embedded.append(a.id)
    return Movement(since=_local(since, tz), rag_changes=changes, newly_overdue=newly_overdue,
                    newly_closed=newly_closed, no_update=no_update, decisions=decisions,
                    newly_embedded=newly_embedded)


def _select(lines: list[ActionLine], only: str | None) -> list[ActionLine]:
    if only is None:
        return lines
    if only == "overdue":
        return [a for a in lines if a.overdue]
    if only == "missing":
        return [a for a in lines if a.no_update_this_cycle]
    return [a for a in lines if not a.is_closed and a.rag == RAG.RED]


def reports_of(recs: list[Recommendation]) -> list[str]:
    """The reports a plan's items come from, in plan order ('' — a plan of one report — left out)."""
    return list(dict.fromkeys(r.report for r in recs if r.report))


def _of_report_and_type(recs: list[Recommendation], report: str | None,
                        item_type: str | None) -> tuple[list[Recommendation], str | None, str | None]:
    """Only the items of `report` and of `item_type` (each matched ignoring case), with both as stored.

    Raises:
        NotFound: `summary.unknown_report` naming the `reports` there are.
        InvalidInput: `summary.unknown_type` naming the `types`.
    """
    if report is not None:
        known = {r.lower(): r for r in reports_of(recs)}
        wanted = report.strip().lower()
        if wanted not in known:
            raise NotFound("summary.unknown_report", typed=report if ACTION_ID_RE.fullmatch(report) else None,
                           reports=list(known.values()))
        report = known[wanted]
        recs = [r for r in recs if r.report == report]
    if item_type is not None:
        wanted = item_type.strip().lower().replace("-", "_").replace(" ", "_")
        if wanted not in {t.value for t in ItemType}:
            raise InvalidInput("summary.unknown_type", typed=item_type if ACTION_ID_RE.fullmatch(item_type) else None,
                               types=[t.value for t in ItemType])
        item_type = wanted
        recs = [r for r in recs if r.type.value == wanted]
    return recs, report, item_type


def _recommendations(state: PlanState, recommendation: str | None) -> list[Recommendation]:
    recs = list(state.recommendations)
    if recommendation is None:
        return recs
    wanted = recommendation.strip().lower()
    chosen = [r for r in recs if r.id.lower() == wanted]
    if not chosen:
        ids = [r.id for r in recs]
        raise NotFound("recommendation.not_found", typed=recommendation, ids=ids[:RECOMMENDATION_SAMPLE],
                       more=len(ids) > RECOMMENDATION_SAMPLE)
    return chosen


def build_summary(level: Level | str, state: PlanState, *, now: datetime, today: date,
                  cycle: Cycle | None = None, previous: PlanState | None = None,
                  recommendation: str | None = None, only: str | None = None,
                  force: str = "", tz: ZoneInfo | None = None, next_meeting: datetime | None = None,
                  previous_meeting_at: datetime | None = None,
                  decisions: list[Decision] | None = None,
                  participation: Participation | None = None,
                  unverified: dict[str, Unverified] | None = None, unverified_after: int = 1,
                  clocks: list[PlanClock] | None = None, report: str | None = None,
                  item_type: str | None = None) -> Summary:
    """Build the Silver or Gold summary of `state`.

    Args:
        level: "silver" (every action in detail) or "gold" (exceptions and a line per recommendation).
        state: the plan as it stands (`usecases.summaries.read_plan_state`), with its open challenges,
            decision log and embeddings.
        now: when the summary is made (shown in `tz`); today: the local date (for "overdue").
        cycle: the current update cycle: an action with no update since it opened is "missing".
        previous: the plan as it stood at the previous meeting, for "movement since".
        recommendation: only this recommendation (case-insensitive id, e.g. "R3" or "C6").
        only: "overdue", "missing" or "red" actions.
        decisions: what Gold is asked to decide besides sign-offs (pending requests).
        unverified: actions whose Green has had no words for more than `unverified_after` cycles
            (`domain.verification.unverified_greens`).
        clocks: the plan's clocks still running (shown in the Gold summary).
        report, item_type: only the items of this report (`VSA`) and of this type (`area_for_improvement`).

    Raises:
        NotFound: `recommendation.not_found` (with `typed`, a sample of `ids`, and `more`).
        InvalidInput: `summary.unknown_filter` (with `only` and the `filters` there are).
    """
    level = Level(level)
    if only is not None and only not in FILTERS:
        raise InvalidInput("summary.unknown_filter", only=only, filters=list(FILTERS))
    recs, report, item_type = _of_report_and_type(_recommendations(state, recommendation), report, item_type)
    opens_at = cycle.opens_at if cycle else None
    since = previous_meeting_at or (previous.as_of if previous else None)
    unverified = unverified or {}
    challenges: dict[str, Challenge] = {}
    for c in state.challenges:
        if c.is_open:
            challenges.setdefault(c.action_id, c)  # the oldest open one first
    rec_lines: list[RecommendationLine] = []
    for rec in recs:
        lines = [_action_line(a, rec, state.latest.get(a.id), state, today, opens_at, tz, unverified.get(a.id),
                              challenges.get(a.id))
                 for a in state.actions_of(rec.id) if a.in_plan]
        chosen = _select(lines, only)
        if only is not None and not chosen:
            continue
        # the roll-up is of the whole recommendation, even when only some actions are shown
        full = _recommendation_line(rec, lines, today)
        assurance, inspectorate = _scrutiny(state, rec.id, tz)
        rec_lines.append(replace(full, actions=chosen, assurance=assurance, inspectorate=inspectorate))
    shown = [a for r in rec_lines for a in r.actions]
    moved = _decisions_since(state, {r.id for r in rec_lines}, since, now, tz)
    return Summary(
        force=force, plan_title=state.info.title if state.info else "", level=level,
        generated_at=_local(now, tz) or now, today=today,
        cycle=CycleInfo(next_meeting=_local(next_meeting, tz),
                        silver_meeting=_local(cycle.meeting.starts_at, tz) if cycle else None,
                        asked_at=_local(opens_at, tz)),
        totals=counts(shown), recommendations=rec_lines,
        exceptions=build_exceptions(level, rec_lines, decisions or [], state.decisions, tz,
                                    inspectorate_tracked=bool(state.inspectorate)),
        movement=_movement(shown, previous, since, tz, moved),
        recommendation_filter=recommendation, only=only, participation=participation,
        clocks=list(clocks or []) if level is Level.GOLD else [], unverified_after=unverified_after,
        report_filter=report, type_filter=item_type,
    )


def rolled_back(state: PlanState, changes: list[AuditEntry]) -> PlanState:
    """The plan's actions with their status and due date as they stood before `changes`.

    Actions keep only their current status; the audit trail records every change (field, old,
    new). Undoing `changes` (newest first) gives the earlier position.
    """
    actions = {a.id: a for a in state.actions}
    for entry in changes:
        a = actions.get(entry.entity_id)
        if a is None or entry.old is None:
            continue
        try:
            if entry.field == "status":
                actions[a.id] = a.model_copy(update={"status": ActionStatus(entry.old)})
            elif entry.field == "due":
                actions[a.id] = a.model_copy(update={"due": date.fromisoformat(entry.old[:10])})
        except ValueError:
            continue  # an audit value we cannot read back: keep what we have
    return replace(state, actions=list(actions.values()))
