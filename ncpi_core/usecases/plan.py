"""The plan: load or sync it from a validated plan file, keep the people table in step with
ncpi.yaml, and read a person's actions (for `my` and Home).

People come from ncpi.yaml at run time; the `people` table is a copy synced here (by `ncpi plan
load` and at `ncpi run` start) so that reports can name people, never used to decide who may act.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ncpi_core.config.schema import ForceConfig, PlanFile
from ncpi_core.domain.deadlines import LateAction, late_actions
from ncpi_core.domain.models import Action, Person, PlanInfo, Recommendation, Update
from ncpi_core.domain.text import refuse_personal_data_in_plan
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.common import audit


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0
    people_added: list[str] = field(default_factory=list)
    people_changed: list[str] = field(default_factory=list)
    # actions planned to finish after their recommendation's deadline (loaded all the same)
    late: list[LateAction] = field(default_factory=list)

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
        return out + self.warnings()

    def warnings(self) -> list[str]:
        """One line per recommendation with actions due after its deadline, naming both dates."""
        by_rec: dict[str, list[LateAction]] = {}
        for late in self.late:
            by_rec.setdefault(late.recommendation_id, []).append(late)
        return [f"warning: {rid} is due {items[0].recommendation_due.isoformat()}, but "
                + ", ".join(f"{x.action_id} is due {x.due.isoformat()}" for x in items)
                + f": {'it' if len(items) == 1 else 'they'} cannot deliver {rid} by its deadline"
                for rid, items in by_rec.items()]


def _roles(person: Person) -> list[str]:
    return sorted(r.value for r in person.roles)


def sync_people(config: ForceConfig, uow: UnitOfWork, now: datetime, actor: str = "system",
                report: LoadReport | None = None) -> LoadReport:
    """Make the people table match ncpi.yaml (people never deleted, only marked inactive).

    Every change is audited field by field (name, identities, roles, active). The caller commits.
    """
    report = report or LoadReport()
    existing = {p.id: p for p in uow.people.all(include_inactive=True)}
    for person in config.persons():
        old = existing.pop(person.id, None)
        if old is None:
            uow.people.save(person)
            audit(uow, now, "person", person.id, "created", actor=actor, source="cli")
            report.people_added.append(person.id)
            continue
        changed = False
        for attr, before, after in (("name", old.name, person.name),
                                    ("identities", old.identities, person.identities),
                                    ("roles", _roles(old), _roles(person)), ("active", old.active, True)):
            if before != after:
                audit(uow, now, "person", person.id, "changed", field=attr, old=before, new=after, actor=actor,
                      source="cli")
                changed = True
        if changed:
            uow.people.save(person)
            report.people_changed.append(person.id)
    for gone in existing.values():
        if gone.active:
            uow.people.save(gone.model_copy(update={"active": False}))
            audit(uow, now, "person", gone.id, "deactivated", actor=actor, source="cli",
                  reason="not in ncpi.yaml any more")
            report.people_changed.append(gone.id)
    return report


def _differences(uow: UnitOfWork, entity: str, entity_id: str, old: Mapping[str, object],
                 new: Mapping[str, object], now: datetime, actor: str, source: str) -> dict[str, object]:
    """The values of `new` that differ from `old`, each change audited."""
    changes = {}
    for attr, after in new.items():
        before = old[attr]
        if before != after:
            audit(uow, now, entity, entity_id, "changed", field=attr, old=before, new=after, actor=actor,
                  source=source)
            changes[attr] = after
    return changes


# what a plan file says about an action (its status, original due date and version are the bot's)
SYNCED_ACTION_FIELDS = {"recommendation_id", "title", "owner", "deputy", "due", "position", "in_plan"}


def load_plan(plan: PlanFile, config: ForceConfig, uow: UnitOfWork, now: datetime,
              actor: str = "system", source: str = "cli") -> LoadReport:
    """Create or sync the stored plan from a validated plan file, keeping every history.

    Titles, owners and dates are updated (each change audited); new items are added; items
    missing from the file are reported and marked out of the plan, never deleted. The caller
    commits. Loading the same file twice changes nothing.

    Raises:
        PersonalDataRefused: `text.personal_data` when a title or text looks personal (nothing is changed).
    """
    refuse_personal_data_in_plan(plan)
    report = sync_people(config, uow, now, actor)
    report.late = late_actions((r.id, r.due, [(a.id, a.due) for a in r.actions]) for r in plan.recommendations)
    info = uow.plan.info()
    if info is not None:
        _differences(uow, "plan", "1", info.model_dump(include={"title", "report", "published"}),
                     plan.plan.model_dump(include={"title", "report", "published"}), now, actor, source)
    uow.plan.save_info(PlanInfo(title=plan.plan.title, report=plan.plan.report,
                                published=plan.plan.published), now)
    recs = {r.id: r for r in uow.plan.recommendations(include_dropped=True)}
    acts = {a.id: a for a in uow.plan.actions(include_dropped=True)}
    seen_recs: set[str] = set()
    seen_acts: set[str] = set()
    for rpos, rec in enumerate(plan.recommendations):
        seen_recs.add(rec.id)
        wanted = Recommendation(id=rec.id, title=rec.title, text=rec.text, category=rec.category, due=rec.due,
                                position=rpos, in_plan=True, report=rec.report, type=rec.type,
                                public_summary=rec.public_summary)
        stored = recs.get(rec.id)
        if stored is None:
            uow.plan.save_recommendation(wanted)
            audit(uow, now, "recommendation", rec.id, "created", actor=actor, source=source)
            report.added.append(rec.id)
        elif _differences(uow, "recommendation", rec.id, stored.model_dump(), wanted.model_dump(exclude={"id"}),
                          now, actor, source):
            uow.plan.save_recommendation(wanted)
            report.changed.append(rec.id)
        else:
            report.unchanged += 1
        for apos, act in enumerate(rec.actions):
            seen_acts.add(act.id)
            new = Action(id=act.id, recommendation_id=rec.id, title=act.title, owner=act.owner, deputy=act.deputy,
                         due=act.due, original_due=act.due, position=apos, in_plan=True)
            current = acts.get(act.id)
            if current is None:
                uow.plan.add_action(new)
                audit(uow, now, "action", act.id, "created", actor=actor, source=source)
                report.added.append(act.id)
            elif changes := _differences(uow, "action", act.id, current.model_dump(),
                                         new.model_dump(include=SYNCED_ACTION_FIELDS), now, actor, source):
                uow.plan.change_action(act.id, current.version, **changes)
                report.changed.append(act.id)
            else:
                report.unchanged += 1
    for rid, stored in recs.items():
        if rid not in seen_recs and stored.in_plan:
            uow.plan.save_recommendation(stored.model_copy(update={"in_plan": False}))
            audit(uow, now, "recommendation", rid, "dropped", actor=actor, source=source,
                  reason="not in the plan file")
            report.dropped.append(rid)
    for aid, current in acts.items():
        if aid not in seen_acts and current.in_plan:
            uow.plan.change_action(aid, current.version, in_plan=False)
            audit(uow, now, "action", aid, "dropped", actor=actor, source=source, reason="not in the plan file")
            report.dropped.append(aid)
    return report


# --- a person's actions (the plan as a whole, PlanState, is read with the summaries) ------------------
def actions_of(uow_factory: UowFactory, person_id: str) -> tuple[list[Action], dict[str, Update]]:
    """The actions a person owns or deputises for (in plan order), with their latest updates."""
    with uow_factory() as uow:
        actions = [a for a in uow.plan.actions() if person_id in (a.owner, a.deputy)]
        latest = uow.updates.latest(action_ids=[a.id for a in actions]) if actions else {}
    return actions, latest


def action_ids(uow_factory: UowFactory) -> list[str]:
    """The ids of the actions in the plan, in plan order."""
    with uow_factory() as uow:
        return uow.plan.action_ids()
