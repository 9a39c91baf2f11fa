"""What the governance use cases share: finding and locking an action, writing it back only if
nobody changed it meanwhile, the audit trail, who may act, dates, and addressing notices.

Every refusal here is an `ncpi_core.errors` type with a code and the facts its words need.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ncpi_core.config.schema import ACTION_ID_RE, ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.models import (
    CLOSED_STATUSES,
    COMPLETE_STATUSES,
    Action,
    ActionStatus,
    Person,
    Role,
)
from ncpi_core.domain.notices import Notice, NoticeKind
from ncpi_core.domain.records import AuditEntry
from ncpi_core.errors import InvalidInput, InvalidTransition, NotFound
from ncpi_core.storage.base import UnitOfWork

# the most ids a refusal lists as examples of what exists
SAMPLE_IDS = 5
# what was typed is echoed back only when it is plainly harmless (no markup, no personal data)
_SAFE_ECHO = re.compile(r"[A-Za-z0-9./\-]{1,12}")


# --- the action -------------------------------------------------------------------------------------
def no_such_action(uow: UnitOfWork, typed: str, *, echo: bool | None = None) -> NotFound:
    """`action.not_found`: names up to five ids that exist (`examples`, `more`).

    `action_id` is what was typed, or None when it should not be echoed: by default only when
    it looks like an id (what was typed may be markup or personal data).
    """
    ids = uow.plan.action_ids()
    if echo is None:
        echo = bool(ACTION_ID_RE.fullmatch(typed)) and len(typed) <= 64
    return NotFound("action.not_found", action_id=typed if echo else None, examples=ids[:SAMPLE_IDS],
                    more=len(ids) > SAMPLE_IDS)


def find_action(uow: UnitOfWork, typed: str, *, for_update: bool = False, echo: bool | None = None) -> Action:
    """The action in the plan with this id (exactly, else ignoring case), locked with `for_update`.

    Raises:
        NotFound: `action.not_found` (an action dropped from the plan counts as not found).
    """
    action_id = uow.plan.resolve_action_id(typed.strip())
    action = uow.plan.action(action_id, for_update=for_update) if action_id is not None else None
    if action is None or not action.in_plan:
        raise no_such_action(uow, typed, echo=echo)
    return action


def lock_action(uow: UnitOfWork, typed: str, expect: ActionStatus | None = None, doing: str = "") -> Action:
    """The action, its row locked until the unit of work ends.

    With `expect`, an action in any other status is refused (`action.wrong_status`) saying why
    `doing` (a step: propose, approve, reject, signoff, supersede, move_due) cannot be done now.
    """
    action = find_action(uow, typed, for_update=True)
    if expect is not None and action.status != expect:
        raise wrong_status(action.id, action.status, doing)
    return action


def change_action(uow: UnitOfWork, action: Action, **values: Any) -> Action:
    """Write `values` (and bump the version) only if nobody changed the action since it was read.

    Even with no values the version is bumped, so that a concurrent decision on the old state fails.

    Raises:
        InvalidTransition: `action.changed_meanwhile`; nothing is written.
    """
    changed = uow.plan.change_action(action.id, action.version, **values)
    if changed is None:
        raise InvalidTransition("action.changed_meanwhile", action_id=action.id)
    return changed


def wrong_status(action_id: str, status: ActionStatus | str, doing: str) -> InvalidTransition:
    """`action.wrong_status`: `doing` is not possible while the action is in `status`."""
    return InvalidTransition("action.wrong_status", action_id=action_id, status=str(status), doing=doing)


def recommendation_complete(uow: UnitOfWork, recommendation_id: str) -> bool:
    """True when every action of the recommendation in the plan is embedded or superseded."""
    statuses = uow.plan.statuses(recommendation_id)
    return bool(statuses) and all(s in COMPLETE_STATUSES for s in statuses)


def recommendation_delivered(uow: UnitOfWork, recommendation_id: str) -> bool:
    """True when every action of the recommendation in the plan is delivered, embedded or superseded."""
    statuses = uow.plan.statuses(recommendation_id)
    return bool(statuses) and all(s in CLOSED_STATUSES for s in statuses)


def audit(uow: UnitOfWork, at: datetime, entity: str, entity_id: str, event: str, *,
          field: str | None = None, old: object = None, new: object = None, actor: str | None = None,
          source: str = "system", reason: str | None = None) -> None:
    """Append one audit entry; `old` and `new` are kept as text (dates as YYYY-MM-DD)."""
    uow.audit.add(AuditEntry(at=at, entity=entity, entity_id=entity_id, event=event, field=field,
                             old=None if old is None else str(old), new=None if new is None else str(new),
                             actor=actor, source=source, reason=reason))


# --- who may act -------------------------------------------------------------------------------------
def covering_for(uow: UnitOfWork, person_id: str, today: date) -> set[str]:
    """Owners who are away today and named this person as their deputy."""
    return uow.absences.covered_by(person_id, today)


def require_owner_side(uow: UnitOfWork, person: Person, action: Action, today: date, what: str) -> None:
    """The owner, the deputy, someone covering for the owner, or an admin; else `action.not_owner`
    (`role.read_only` for an observer or the PCC's office)."""
    if person.read_only:
        raise permissions.read_only_refusal(person, what)
    if not permissions.may_update(person, action, covering_for(uow, person.id, today)):
        raise permissions.not_owner(action, what, cover=True)


def require_role(config: ForceConfig, person: Person, roles: tuple[Role, ...], what: str) -> None:
    """`role.required`, naming the people who hold the roles (whom to ask)."""
    holders = [p.name for r in roles for p in config.holders(r)]
    permissions.require_role(person, roles, what, holders=list(dict.fromkeys(holders)))


# --- people and notices ------------------------------------------------------------------------------
def name_of(config: ForceConfig, person_id: str | None) -> str:
    """A person's name from ncpi.yaml ('' for nobody, the id for someone not in it)."""
    if not person_id:
        return ""
    p = config.person(person_id)
    return p.name if p else person_id


def holders(config: ForceConfig, role: Role) -> list[str]:
    """Ids of the people holding `role`."""
    return [p.id for p in config.holders(role)]


def owner_side(config: ForceConfig, action: Action) -> list[str]:
    """The owner and the plan's deputy of an action (ids of people in ncpi.yaml)."""
    return [pid for pid in (action.owner, action.deputy) if pid and config.person(pid) is not None]


def tell(config: ForceConfig, people: Iterable[str], code: str, params: dict[str, Any],
         kind: NoticeKind = "info", action_id: str | None = None, skip: str | None = None) -> list[Notice]:
    """One notice per person (each once, in order), but `skip` (the person who acted) and anyone
    with no chat identity at all (no front end could reach them)."""
    notices = []
    for pid in dict.fromkeys(people):
        person = config.person(pid)
        if pid == skip or person is None or not person.identities:
            continue
        notices.append(Notice(pid, code, dict(params), kind, action_id))
    return notices


# --- dates ---------------------------------------------------------------------------------------------
def parse_date(text: str | date, what: str = "date") -> date:
    """A date written YYYY-MM-DD.

    Raises:
        InvalidInput: `date.unreadable` with `what` (date, new_due, start, end) and `typed`
            (None when what was typed is not plainly harmless to show again).
    """
    if isinstance(text, date):
        return text
    raw = (text or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("date.unreadable", what=what,
                           typed=raw if _SAFE_ECHO.fullmatch(raw) else None) from None


def local_day(at: datetime, config: ForceConfig) -> str:
    """A moment as the force's local day, e.g. '03 May 2022' (stored in the closing update)."""
    return at.astimezone(config.tz).strftime("%d %b %Y")
