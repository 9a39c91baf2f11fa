"""Use cases as plain functions: load the plan, record an update, read the plan's state.

Each takes what it needs (a unit of work, the config, `now`) and returns plain results; none
knows about Slack. Every write happens inside one unit of work and is committed once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import select

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain import permissions
from ncpi_core.domain.models import RAG, Action, Person, PlanInfo, Recommendation, Source, Update
from ncpi_core.domain.pii import find_personal_data
from ncpi_core.errors import InvalidInput, InvalidTransition, NotFound, PersonalDataRefused
from ncpi_core.storage.tables import AbsenceRow, ActionRow, PersonRow, PlanRow, RecommendationRow
from ncpi_core.storage.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]

MAX_TEXT = 3000  # Slack's plain_text_input limit: what a modal could have accepted


# --- loading the plan ------------------------------------------------------------------------------
@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0
    people_added: list[str] = field(default_factory=list)
    people_changed: list[str] = field(default_factory=list)

    @property
    def nothing_changed(self) -> bool:
        return not (self.added or self.changed or self.dropped or self.people_added or self.people_changed)

    def lines(self) -> list[str]:
        out = []
        if self.added:
            out.append(f"added {len(self.added)}: {', '.join(self.added)}")
        if self.changed:
            out.append(f"changed {len(self.changed)}: {', '.join(self.changed)}")
        if self.dropped:
            out.append(
                f"not in the file any more (kept with their history, hidden from summaries): "
                f"{', '.join(self.dropped)}"
            )
        if self.people_added or self.people_changed:
            out.append(f"people added {len(self.people_added)}, changed {len(self.people_changed)}")
        if self.nothing_changed:
            out.append(f"nothing changed ({self.unchanged} items already as in the file)")
        return out


def sync_people(config: ForceConfig, uow: UnitOfWork, now: datetime, actor: str = "system",
                report: LoadReport | None = None) -> LoadReport:
    """Make the people table match ncpi.yaml (people never deleted, only marked inactive)."""
    report = report or LoadReport()
    s = uow.session
    assert s is not None
    existing = {p.id: p for p in s.scalars(select(PersonRow))}
    for pc in config.people:
        roles = sorted(r.value for r in pc.roles)
        row = existing.pop(pc.id, None)
        if row is None:
            s.add(PersonRow(id=pc.id, name=pc.name, slack_user=pc.slack_user, roles=roles, active=True))
            uow.repo.audit(now, "person", pc.id, "created", actor=actor, source="cli")
            report.people_added.append(pc.id)
            continue
        changed = False
        for attr, new in (("name", pc.name), ("slack_user", pc.slack_user), ("roles", roles), ("active", True)):
            old = getattr(row, attr)
            if old != new:
                uow.repo.audit(now, "person", pc.id, "changed", field=attr, old=old, new=new, actor=actor,
                               source="cli")
                setattr(row, attr, new)
                changed = True
        if changed:
            report.people_changed.append(pc.id)
    for row in existing.values():
        if row.active:
            row.active = False
            uow.repo.audit(now, "person", row.id, "deactivated", actor=actor, source="cli",
                           reason="not in ncpi.yaml any more")
            report.people_changed.append(row.id)
    return report


def _apply(uow: UnitOfWork, row: object, entity: str, values: Mapping[str, object], now: datetime,
           actor: str, source: str) -> bool:
    changed = False
    for attr, new in values.items():
        old = getattr(row, attr)
        if old != new:
            uow.repo.audit(now, entity, row.id, "changed", field=attr, old=old, new=new,  # type: ignore[attr-defined]
                           actor=actor, source=source)
            setattr(row, attr, new)
            changed = True
    return changed


def load_plan(plan: PlanFile, config: ForceConfig, uow: UnitOfWork, now: datetime,
              actor: str = "system", source: str = "cli") -> LoadReport:
    """Create or sync the stored plan from a validated plan file, keeping every history.

    Titles, owners and dates are updated (each change audited); new items are added; items
    missing from the file are reported and marked out of the plan, never deleted. The caller
    commits. Loading the same file twice changes nothing.
    """
    report = sync_people(config, uow, now, actor)
    s = uow.session
    assert s is not None
    info = s.get(PlanRow, 1)
    if info is None:
        s.add(PlanRow(id=1, title=plan.plan.title, report=plan.plan.report, published=plan.plan.published,
                      loaded_at=now))
    else:
        _apply(uow, info, "plan", {"title": plan.plan.title, "report": plan.plan.report,
                                   "published": plan.plan.published}, now, actor, source)
        info.loaded_at = now
    recs = {r.id: r for r in s.scalars(select(RecommendationRow))}
    acts = {a.id: a for a in s.scalars(select(ActionRow))}
    seen_recs: set[str] = set()
    seen_acts: set[str] = set()
    for rpos, rec in enumerate(plan.recommendations):
        seen_recs.add(rec.id)
        values = {"title": rec.title, "text": rec.text, "category": rec.category.value, "due": rec.due,
                  "position": rpos, "in_plan": True}
        rrow = recs.get(rec.id)
        if rrow is None:
            s.add(RecommendationRow(id=rec.id, **values))
            uow.repo.audit(now, "recommendation", rec.id, "created", actor=actor, source=source)
            report.added.append(rec.id)
        elif _apply(uow, rrow, "recommendation", values, now, actor, source):
            report.changed.append(rec.id)
        else:
            report.unchanged += 1
        s.flush()
        for apos, act in enumerate(rec.actions):
            seen_acts.add(act.id)
            avalues = {"recommendation_id": rec.id, "title": act.title, "owner": act.owner,
                       "deputy": act.deputy, "due": act.due, "position": apos, "in_plan": True}
            arow = acts.get(act.id)
            if arow is None:
                s.add(ActionRow(id=act.id, original_due=act.due, status="open", version=1, **avalues))
                uow.repo.audit(now, "action", act.id, "created", actor=actor, source=source)
                report.added.append(act.id)
            elif _apply(uow, arow, "action", avalues, now, actor, source):
                arow.version += 1
                report.changed.append(act.id)
            else:
                report.unchanged += 1
    for rid, rrow in recs.items():
        if rid not in seen_recs and rrow.in_plan:
            rrow.in_plan = False
            uow.repo.audit(now, "recommendation", rid, "dropped", actor=actor, source=source,
                           reason="not in the plan file")
            report.dropped.append(rid)
    for aid, arow in acts.items():
        if aid not in seen_acts and arow.in_plan:
            arow.in_plan = False
            uow.repo.audit(now, "action", aid, "dropped", actor=actor, source=source,
                           reason="not in the plan file")
            report.dropped.append(aid)
    s.flush()
    return report


# --- the plan as it stands ---------------------------------------------------------------------
@dataclass
class PlanState:
    """Everything a summary needs, read in a handful of queries."""

    info: PlanInfo | None
    recommendations: list[Recommendation]
    actions: list[Action]
    latest: dict[str, Update]
    people: dict[str, Person]
    as_of: datetime

    def actions_of(self, rec_id: str) -> list[Action]:
        return [a for a in self.actions if a.recommendation_id == rec_id]

    def person_name(self, person_id: str | None) -> str:
        if person_id is None:
            return ""
        p = self.people.get(person_id)
        return p.name if p else person_id


def read_plan_state(uow: UnitOfWork, now: datetime, as_of: datetime | None = None) -> PlanState:
    """Read the plan with each action's latest update (as it stood at `as_of`, if given)."""
    repo = uow.repo
    return PlanState(
        info=repo.plan_info(),
        recommendations=repo.recommendations(),
        actions=repo.actions(),
        latest=repo.latest_updates(as_of=as_of),
        people={p.id: p for p in repo.people()},
        as_of=as_of or now,
    )


# --- recording an update -------------------------------------------------------------------------
class UpdateCommand(BaseModel):
    """One update as a person gave it, already parsed from whatever channel it came by."""

    action_id: str
    rag: RAG
    progress: int | None = Field(default=None, ge=0, le=100)
    narrative: str = ""
    blockers: str = ""
    evidence: str = ""
    slack_user: str
    source: Source
    idempotency_key: str | None = None


@dataclass
class Recorded:
    update: Update
    action: Action
    duplicate: bool = False  # True when this was a re-delivery and nothing new was stored


def find_action(uow: UnitOfWork, action_id: str) -> Action:
    """The action with this id, forgiving case; NotFound names a few ids that exist."""
    action = uow.repo.action(action_id)
    if action is None:
        ids = uow.repo.action_ids()
        match = [i for i in ids if i.lower() == action_id.strip().lower()]
        if match:
            action = uow.repo.action(match[0])
    if action is None or not action.in_plan:
        ids = uow.repo.action_ids()
        sample = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
        raise NotFound(f"There is no action '{action_id}' in the plan.",
                       f"Action ids look like {sample}." if ids else "No plan is loaded yet.")
    return action


def covering_for(uow: UnitOfWork, person_id: str, today: date) -> set[str]:
    """Owners who are away today and named this person as their deputy."""
    s = uow.session
    assert s is not None
    rows = s.scalars(select(AbsenceRow).where(
        AbsenceRow.deputy == person_id, AbsenceRow.start <= today, AbsenceRow.end >= today,
        AbsenceRow.cancelled_at.is_(None)))
    return {r.person for r in rows}


def person_name(uow: UnitOfWork, person_id: str) -> str:
    """A person's name for messages (their id if they are not in the people table)."""
    person = uow.repo.person(person_id)
    return person.name if person else person_id


def check_text(cmd: UpdateCommand) -> None:
    """Refuse overlong or personal text before anything is stored."""
    for name in ("narrative", "blockers", "evidence"):
        text = getattr(cmd, name)
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"The {name} is {len(text):,} characters long.",
                               f"Please keep it under {MAX_TEXT:,} characters (a short summary is best; "
                               "link to a document for the detail).")
    findings = find_personal_data({"narrative": cmd.narrative, "blockers": cmd.blockers,
                                   "evidence": cmd.evidence})
    if findings:
        raise PersonalDataRefused(
            "Nothing was saved: " + "; ".join(f.describe() for f in findings) + ".",
            "ncpi keeps action-plan progress only, never details of a child or a case. "
            "Please rephrase without them and send it again.",
        )


def record_update(cmd: UpdateCommand, uow_factory: UowFactory, now: datetime, today: date) -> Recorded:
    """Store one update after checking the person, the action and the text.

    A re-delivered Slack event (same idempotency key) stores nothing and returns `duplicate`.
    """
    check_text(cmd)
    with uow_factory() as uow:
        person = permissions.require_person(uow.repo.person_by_slack(cmd.slack_user), cmd.slack_user)
        action = find_action(uow, cmd.action_id)
        permissions.require_update(person, action, covering_for(uow, person.id, today),
                                   name_of=lambda pid: person_name(uow, pid))
        if action.is_closed:
            raise InvalidTransition(f"{action.id} is {action.status.value}; it takes no more updates.",
                                    "Ask the Silver chair if it needs reopening.")
        update = Update(action_id=action.id, rag=cmd.rag, progress=cmd.progress,
                        narrative=cmd.narrative.strip(), blockers=cmd.blockers.strip(),
                        evidence=cmd.evidence.strip(), author=person.id, author_slack_user=cmd.slack_user,
                        source=cmd.source, created_at=now)
        stored = uow.repo.add_update(update, cmd.idempotency_key)
        if stored is None:
            previous = uow.repo.updates_for(action.id, limit=1)
            return Recorded(update=previous[0] if previous else update, action=action, duplicate=True)
        uow.commit()
        return Recorded(update=stored, action=action)
