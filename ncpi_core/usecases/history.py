"""An action's whole trail in time order: every audited step and every update.

Requests (closure, due change, supersede) appear through the audit entry written at each of
their steps, which carries the evidence or reason. Entries carry the facts (event codes, fields,
values); a front end words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.models import Action, Person, Update
from ncpi_core.errors import PermissionDenied
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.common import find_action, name_of


@dataclass(frozen=True)
class HistoryEntry:
    """One step of an action's trail: an audit entry (`event` as audited) or an update (`update`)."""

    at: datetime
    who: str | None  # person id (or 'system')
    who_name: str
    event: str  # created, changed, proposed, approved, due_changed, … or "update"
    source: str
    field: str | None = None
    old: str | None = None
    new: str | None = None
    reason: str | None = None  # user text included: escape before posting
    update: Update | None = None
    subject: str | None = None  # what an audited step was about: the action, or its recommendation


@dataclass(frozen=True)
class History:
    action: Action
    entries: list[HistoryEntry]


def history(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str) -> History:
    """The action and its whole trail, oldest first (at the same moment, a step before an update).

    Silver and Gold members, administrators and the action's owner and deputy may read it.

    Raises:
        NotFound: `action.not_found`. PermissionDenied: `history.readers_only`.
    """
    with uow_factory() as uow:
        action = find_action(uow, action_id)
        if not (permissions.may_read_summary(actor) or actor.id in (action.owner, action.deputy)):
            raise PermissionDenied("history.readers_only", action_id=action.id)
        # the action's own trail, and Gold's decisions on its recommendation (they concern it too)
        trail = uow.audit.trail("action", action.id) + [
            e for e in uow.audit.trail("recommendation", action.recommendation_id) if e.event == "decision"]
        steps = [HistoryEntry(at=a.at, who=a.actor, who_name=name_of(config, a.actor), event=a.event,
                              source=a.source, field=a.field, old=a.old, new=a.new, reason=a.reason,
                              subject=a.entity_id)
                 for a in sorted(trail, key=lambda e: (e.at, e.id or 0))]
        updates = [HistoryEntry(at=u.created_at, who=u.author, who_name=name_of(config, u.author), event="update",
                                source=u.source.value, update=u)
                   for u in reversed(uow.updates.for_action(action.id))]
    # a stable sort keeps the audit's own order, and puts steps before updates made at the same moment
    return History(action, sorted(steps + updates, key=lambda e: e.at))
