"""Governance workflows: closure with evidence and sign-off, due-date changes, absences, history.

Each use case is a plain function taking a unit-of-work factory, the force config (people and
roles), the actor's Slack id and the time. It validates everything first, then writes in one unit
of work: the action row is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's `BEGIN
IMMEDIATE` serialises writers) and its `version` is bumped with a conditional UPDATE, so two
chairs clicking at once cannot both act. Every step is written to `audit` (who, when, from
where, why). The result says what happened and who must be told; nothing here talks to Slack.

Notice texts are plain, unescaped text: the adapter that posts them escapes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import select, update

from ncpi_core.config.schema import ACTION_ID_RE, ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.models import (
    CLOSED_STATUSES,
    RAG,
    Action,
    ActionStatus,
    Person,
    Role,
    Source,
    Update,
)
from ncpi_core.domain.pii import find_personal_data
from ncpi_core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PersonalDataRefused,
)
from ncpi_core.storage.repository import to_action
from ncpi_core.storage.tables import AbsenceRow, ActionRow, AuditRow, RequestRow, UpdateRow
from ncpi_core.storage.uow import UnitOfWork
from ncpi_core.usecases.services import covering_for

UowFactory = Callable[[], UnitOfWork]

MAX_TEXT = 3000  # what a Slack modal's plain_text_input accepts
NoticeKind = Literal["info", "review_closure", "review_due", "signoff"]

CLOSURE, DUE_CHANGE, SUPERSEDE = "closure", "due_change", "supersede"
PENDING, APPROVED, REJECTED, SIGNED_OFF, WITHDRAWN = "pending", "approved", "rejected", "signed_off", "withdrawn"


@dataclass(frozen=True)
class Notice:
    """One message someone must now receive. `kind` tells the adapter which buttons to add."""

    slack_user: str
    text: str
    kind: NoticeKind = "info"
    action_id: str | None = None


@dataclass
class Outcome:
    """What a workflow step did: a line for the actor, and who must be told."""

    message: str
    action: Action | None = None
    notify: list[Notice] = field(default_factory=list)
    request_id: int | None = None
    recommendation_complete: str | None = None  # the recommendation this step completed


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str | None  # person id (or 'system')
    who_name: str
    what: str  # short event name: proposed, approved, update, due changed, …
    detail: str  # plain text (user text included: escape before posting)
    source: str


# --- helpers ---------------------------------------------------------------------------------------
def _actor(config: ForceConfig, slack_user: str) -> Person:
    return permissions.require_person(config.person_by_slack(slack_user), slack_user)


def _name(config: ForceConfig, person_id: str | None) -> str:
    if not person_id:
        return ""
    p = config.person(person_id)
    return p.name if p else person_id


def _holders(config: ForceConfig, role: Role) -> list[Person]:
    return [p for p in config.persons() if role in p.roles]


def check_free_text(field_name: str, text: str, *, required: bool, example: str) -> str:
    """Strip, require, bound and guard one piece of free text; return it cleaned.

    Refusals name the field and the kind of personal data, never the text itself.
    """
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput(f"The {field_name} is missing.", f"For example: {example}")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"The {field_name} is {len(text):,} characters long.",
                           f"Please keep it under {MAX_TEXT:,} characters; link to a document for the detail.")
    findings = find_personal_data({field_name: text})
    if findings:
        raise PersonalDataRefused(
            "Nothing was saved: " + "; ".join(f.describe() for f in findings) + ".",
            "ncpi keeps action-plan progress only, never details of a child or a case. "
            "Please rephrase without them and send it again.")
    return text


_SAFE_ECHO = re.compile(r"[A-Za-z0-9./\-]{1,12}")


def parse_date(text: str | date, what: str = "date") -> date:
    """A date written YYYY-MM-DD (the form Slack users are told to use)."""
    if isinstance(text, date):
        return text
    raw = (text or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        # quote what was typed only when it is plainly harmless (no markup, no personal data)
        shown = f"'{raw}'" if _SAFE_ECHO.fullmatch(raw) else "given"
        raise InvalidInput(f"The {what} {shown} is not a date I can read.",
                           "Write it as YYYY-MM-DD, for example 2022-06-30.") from None


def _no_such_action(uow: UnitOfWork, action_id: str) -> NotFound:
    ids = uow.repo.action_ids()
    sample = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
    # echo the id only when it looks like one: what was typed may be markup or personal data
    shown = f"'{action_id}'" if ACTION_ID_RE.fullmatch(action_id) and len(action_id) <= 64 else "with that id"
    return NotFound(f"There is no action {shown} in the plan.",
                    f"Action ids look like {sample}." if ids else "No plan is loaded yet.")


def _lock_action(uow: UnitOfWork, action_id: str, expect: ActionStatus | None = None,
                 doing: str = "") -> ActionRow:
    """The action's row, locked for this transaction; NotFound names a few ids that exist.

    With `expect`, a row in any other status is refused with a message saying why `doing` it
    cannot be done now.
    """
    row = uow.repo.action_row(action_id, for_update=True)
    if row is None:
        match = [i for i in uow.repo.action_ids() if i.lower() == action_id.strip().lower()]
        if match:
            row = uow.repo.action_row(match[0], for_update=True)
    if row is None or not row.in_plan:
        raise _no_such_action(uow, action_id)
    if expect is not None and row.status != expect:
        raise _status_problem(row.id, row.status, doing)
    return row


def _set_status(uow: UnitOfWork, row: ActionRow, status: ActionStatus, **values: object) -> None:
    """Write a new status (and other columns) only if nobody changed the row since we read it."""
    s = uow.session
    assert s is not None
    seen = row.version
    result = s.execute(
        update(ActionRow).where(ActionRow.id == row.id, ActionRow.version == seen)
        .values(status=status.value, version=seen + 1, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(f"{row.id} was changed by someone else a moment ago.",
                                "Nothing was saved. Look at it again (`/ncpi history "
                                f"{row.id}`) and retry if it is still needed.")
    s.refresh(row)


def _require_owner_side(uow: UnitOfWork, person: Person, action: Action, today: date, what: str) -> None:
    if not permissions.may_update(person, action, covering_for(uow, person.id, today)):
        who = f"its owner ({action.owner})"
        if action.deputy:
            who += f", its deputy ({action.deputy})"
        raise PermissionDenied(f"Sorry, you cannot {what} {action.id}.",
                               f"Only {who}, someone covering for the owner, or a plan administrator can.")


def _require_role(person: Person, roles: tuple[Role, ...], what: str, config: ForceConfig) -> None:
    if person.has(*roles):
        return
    names = " or ".join(r.value.replace("_", " ") for r in roles)
    holders = [p.name for r in roles for p in _holders(config, r)]
    hint = f"Ask {' or '.join(dict.fromkeys(holders))}." if holders else "Nobody holds that role in ncpi.yaml."
    raise PermissionDenied(f"Sorry, only the {names} can {what}.", hint)


def _pending(uow: UnitOfWork, action_id: str, kind: str) -> RequestRow | None:
    s = uow.session
    assert s is not None
    return s.scalars(select(RequestRow).where(
        RequestRow.action_id == action_id, RequestRow.kind == kind, RequestRow.state == PENDING)
        .order_by(RequestRow.requested_at.desc(), RequestRow.id.desc())).first()


def _latest(uow: UnitOfWork, action_id: str, kind: str, state: str) -> RequestRow | None:
    s = uow.session
    assert s is not None
    return s.scalars(select(RequestRow).where(
        RequestRow.action_id == action_id, RequestRow.kind == kind, RequestRow.state == state)
        .order_by(RequestRow.decided_at.desc(), RequestRow.id.desc())).first()


def _owner_side_users(config: ForceConfig, action: Action, except_id: str | None = None) -> list[str]:
    users = []
    for pid in (action.owner, action.deputy):
        p = config.person(pid) if pid else None
        if p and p.id != except_id and p.slack_user not in users:
            users.append(p.slack_user)
    return users


def _tell(users: Sequence[str], text: str, kind: NoticeKind = "info",
          action_id: str | None = None, skip: str | None = None) -> list[Notice]:
    return [Notice(u, text, kind, action_id) for u in dict.fromkeys(users) if u != skip]


def _status_problem(action_id: str, status: str, wanted: str) -> InvalidTransition:
    said = {
        "open": (f"{action_id} is open: nobody has proposed it complete.",
                 f"The owner proposes it first with `/ncpi complete {action_id}` and a link to the evidence."),
        "proposed": (f"{action_id} is proposed complete and awaits the Silver chair's review.",
                     f"The Silver chair reviews it with `/ncpi approve {action_id}` or "
                     f"`/ncpi reject {action_id}` and a reason."),
        "accepted": (f"{action_id} was accepted by Silver and awaits Gold sign-off.",
                     f"The Gold chair closes it with `/ncpi signoff {action_id}`."),
        "closed": (f"{action_id} is already closed (signed off by Gold).",
                   "Nothing more is needed. Ask the Silver chair if it must be reopened."),
        "superseded": (f"{action_id} was superseded (closed without delivery).",
                       "Nothing more is needed. Ask the Silver chair if it must be reopened."),
    }
    message, hint = said.get(status, (f"{action_id} is {status}.", ""))
    return InvalidTransition(f"Cannot {wanted}: {message}", hint)


def _recommendation_complete(uow: UnitOfWork, rec_id: str) -> bool:
    s = uow.session
    assert s is not None
    statuses = s.scalars(select(ActionRow.status).where(
        ActionRow.recommendation_id == rec_id, ActionRow.in_plan)).all()
    return bool(statuses) and all(ActionStatus(st) in CLOSED_STATUSES for st in statuses)


# --- closure ---------------------------------------------------------------------------------------
def propose_complete(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str,
                     evidence: str, *, now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The owner (deputy, cover or admin) proposes an action complete, with evidence.

    open → proposed. The Silver chair is told (with Approve/Reject buttons).

    No Blue update is written here: Blue means "complete", and by the contract only Gold's
    sign-off makes an action complete; a Blue update now would show the action Blue in every
    summary before Silver or Gold had seen the evidence. The proposal lives in `requests` and
    `audit` (summaries show `proposed` as "awaiting Silver review"); sign-off appends the Blue
    update carrying the evidence.
    """
    person = _actor(config, slack_user)
    evidence = check_free_text("evidence", evidence, required=True,
                               example=f"`/ncpi complete {action_id} https://intranet/policy/123`")
    with uow_factory() as uow:
        row = _lock_action(uow, action_id)
        action = to_action(row)
        _require_owner_side(uow, person, action, today, "propose complete")
        if row.status != ActionStatus.OPEN:
            raise _status_problem(action.id, row.status, "propose it complete")
        req = RequestRow(action_id=action.id, kind=CLOSURE, state=PENDING, evidence=evidence, reason="",
                         requested_by=person.id, requested_at=now)
        uow.session.add(req)  # type: ignore[union-attr]
        _set_status(uow, row, ActionStatus.PROPOSED)
        uow.repo.audit(now, "action", action.id, "proposed", field="status", old="open", new="proposed",
                       actor=person.id, source=source.value, reason=f"evidence: {evidence}")
        uow.session.flush()  # type: ignore[union-attr]
        action = to_action(row)
        uow.commit()
    text = (f"{person.name} proposes {action.id} complete: {action.title}.\nEvidence: {evidence}\n"
            f"Approve with `/ncpi approve {action.id}` or reject with `/ncpi reject {action.id} <reason>`.")
    notify = _tell([p.slack_user for p in _holders(config, Role.SILVER_CHAIR)], text, "review_closure",
                   action.id, skip=slack_user)
    return Outcome(f"{action.id} is proposed complete; the Silver chair has been asked to review it.",
                   action, notify, req.id)


def approve(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str, *,
            now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair accepts a closure proposal: proposed → accepted; Gold chair asked to sign off."""
    person = _actor(config, slack_user)
    _require_role(person, (Role.SILVER_CHAIR,), "accept a closure", config)
    with uow_factory() as uow:
        row = _lock_action(uow, action_id, ActionStatus.PROPOSED, "approve")
        req = _pending(uow, row.id, CLOSURE)
        evidence = req.evidence if req else ""
        if req is not None:
            req.state, req.decided_by, req.decided_at = APPROVED, person.id, now
        _set_status(uow, row, ActionStatus.ACCEPTED)
        uow.repo.audit(now, "action", row.id, "approved", field="status", old="proposed", new="accepted",
                       actor=person.id, source=source.value)
        action = to_action(row)
        uow.commit()
    gold = (f"{person.name} accepted {action.id} as complete: {action.title}.\nEvidence: {evidence}\n"
            f"Sign it off with `/ncpi signoff {action.id}`.")
    notify = _tell([p.slack_user for p in _holders(config, Role.GOLD_CHAIR)], gold, "signoff", action.id,
                   skip=slack_user)
    notify += _tell(_owner_side_users(config, action),
                    f"{person.name} accepted {action.id} as complete; it now awaits Gold sign-off.",
                    action_id=action.id, skip=slack_user)
    return Outcome(f"{action.id} accepted; the Gold chair has been asked to sign it off.", action, notify,
                   req.id if req else None)


def reject(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str, reason: str, *,
           now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair sends a closure proposal back to the owner with a reason: proposed → open."""
    person = _actor(config, slack_user)
    _require_role(person, (Role.SILVER_CHAIR,), "reject a closure", config)
    reason = check_free_text("reason", reason, required=True,
                             example=f"`/ncpi reject {action_id} the dip-sample shows no change yet`")
    with uow_factory() as uow:
        row = _lock_action(uow, action_id, ActionStatus.PROPOSED, "reject")
        req = _pending(uow, row.id, CLOSURE)
        if req is not None:
            req.state, req.decided_by, req.decided_at, req.decision_reason = REJECTED, person.id, now, reason
        _set_status(uow, row, ActionStatus.OPEN)
        uow.repo.audit(now, "action", row.id, "rejected", field="status", old="proposed", new="open",
                       actor=person.id, source=source.value, reason=reason)
        action = to_action(row)
        uow.commit()
    notify = _tell(_owner_side_users(config, action),
                   f"{person.name} did not accept {action.id} as complete yet.\nReason: {reason}\n"
                   f"It stays open. Propose it again with `/ncpi complete {action.id}` and the evidence when ready.",
                   action_id=action.id, skip=slack_user)
    return Outcome(f"{action.id} sent back to its owner with your reason; it is open again.", action, notify,
                   req.id if req else None)


def signoff(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str, *,
            now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Gold chair signs off an accepted action: accepted → closed, with a Blue update carrying the evidence."""
    person = _actor(config, slack_user)
    _require_role(person, (Role.GOLD_CHAIR,), "sign off an action", config)
    with uow_factory() as uow:
        row = _lock_action(uow, action_id, ActionStatus.ACCEPTED, "sign off")
        req = _latest(uow, row.id, CLOSURE, APPROVED)
        evidence = req.evidence if req else ""
        if req is not None:
            req.state, req.signed_off_by, req.signed_off_at = SIGNED_OFF, person.id, now
        _set_status(uow, row, ActionStatus.CLOSED)
        uow.repo.audit(now, "action", row.id, "signed_off", field="status", old="accepted", new="closed",
                       actor=person.id, source=source.value)
        # One Blue update, so every reader of "latest update" agrees with the status and shows the evidence.
        steps = []
        if req is not None:
            steps.append(f"proposed by {_name(config, req.requested_by)} on {_local(req.requested_at, config)}")
            if req.decided_by and req.decided_at:
                steps.append(f"accepted by {_name(config, req.decided_by)} on {_local(req.decided_at, config)}")
        steps.append(f"signed off by {person.name} on {_local(now, config)}")
        uow.repo.add_update(Update(action_id=row.id, rag=RAG.BLUE, progress=100,
                                   narrative="Closed: " + "; ".join(steps) + ".", evidence=evidence,
                                   author=person.id, author_slack_user=slack_user, source=source,
                                   created_at=now))
        action = to_action(row)
        complete = _recommendation_complete(uow, action.recommendation_id)
        uow.commit()
    text = f"{person.name} signed off {action.id} ({action.title}); it is closed."
    if complete:
        text += f" All actions of {action.recommendation_id} are now closed: the recommendation is complete."
    users = _owner_side_users(config, action) + [p.slack_user for p in _holders(config, Role.SILVER_CHAIR)]
    notify = _tell(users, text, action_id=action.id, skip=slack_user)
    message = f"{action.id} signed off and closed."
    if complete:
        message += f" {action.recommendation_id} is complete: all its actions are closed or superseded."
    return Outcome(message, action, notify, req.id if req else None,
                   action.recommendation_id if complete else None)


def supersede(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str, reason: str, *,
              now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver or Gold chair closes an action without delivery, with a reason (→ superseded).

    Any pending closure or due-date request on it is withdrawn.
    """
    person = _actor(config, slack_user)
    _require_role(person, (Role.SILVER_CHAIR, Role.GOLD_CHAIR), "supersede an action", config)
    reason = check_free_text("reason", reason, required=True,
                             example=f"`/ncpi supersede {action_id} replaced by R3.4 after the review`")
    with uow_factory() as uow:
        row = _lock_action(uow, action_id)
        if ActionStatus(row.status) in CLOSED_STATUSES:
            raise _status_problem(row.id, row.status, "supersede")
        old = row.status
        s = uow.session
        assert s is not None
        # A closure awaiting Silver (pending) or Gold (approved), and a due change, are withdrawn.
        open_requests = [_pending(uow, row.id, CLOSURE), _pending(uow, row.id, DUE_CHANGE)]
        if row.status == ActionStatus.ACCEPTED:
            open_requests.append(_latest(uow, row.id, CLOSURE, APPROVED))
        for pending in filter(None, open_requests):
            pending.state, pending.decision_reason = WITHDRAWN, "the action was superseded"
            if pending.decided_by is None:
                pending.decided_by, pending.decided_at = person.id, now
        req = RequestRow(action_id=row.id, kind=SUPERSEDE, state=APPROVED, reason=reason,
                         requested_by=person.id, requested_at=now, decided_by=person.id, decided_at=now)
        s.add(req)
        _set_status(uow, row, ActionStatus.SUPERSEDED)
        uow.repo.audit(now, "action", row.id, "superseded", field="status", old=old, new="superseded",
                       actor=person.id, source=source.value, reason=reason)
        s.flush()
        action = to_action(row)
        complete = _recommendation_complete(uow, action.recommendation_id)
        uow.commit()
    notify = _tell(_owner_side_users(config, action),
                   f"{person.name} superseded {action.id} ({action.title}): it is closed without delivery "
                   f"and needs no more updates.\nReason: {reason}", action_id=action.id, skip=slack_user)
    message = f"{action.id} superseded: closed without delivery."
    if complete:
        message += f" {action.recommendation_id} is complete: all its actions are closed or superseded."
    return Outcome(message, action, notify, req.id, action.recommendation_id if complete else None)


def pending_review(uow_factory: UowFactory, action_id: str) -> Literal["closure", "due_change"] | None:
    """What on this action awaits the Silver chair: a closure proposal first, else a due change."""
    with uow_factory() as uow:
        row = uow.repo.action_row(action_id)
        if row is None:
            match = [i for i in uow.repo.action_ids() if i.lower() == action_id.strip().lower()]
            row = uow.repo.action_row(match[0]) if match else None
        if row is None:
            return None
        if row.status == ActionStatus.PROPOSED:
            return "closure"
        return "due_change" if _pending(uow, row.id, DUE_CHANGE) is not None else None


def _local(at: datetime, config: ForceConfig) -> str:
    return at.astimezone(config.tz).strftime("%d %b %Y")


# --- due dates -------------------------------------------------------------------------------------
def request_due_change(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str,
                       new_date: str | date, reason: str, *, now: datetime, today: date,
                       source: Source = Source.SLASH) -> Outcome:
    """The owner (deputy, cover or admin) asks to move the due date; the Silver chair is asked.

    A second request while one is pending replaces it (the first is withdrawn, and audited).
    """
    person = _actor(config, slack_user)
    new_due = parse_date(new_date, "new due date")
    if new_due <= today:
        raise InvalidInput(f"The new due date {new_due.isoformat()} is not in the future.",
                           f"Choose a date after {today.isoformat()}.")
    reason = check_free_text("reason", reason, required=True,
                             example=f"`/ncpi due {action_id} {(today + timedelta(days=30)).isoformat()} "
                                     "training slots delayed by the supplier`")
    with uow_factory() as uow:
        row = _lock_action(uow, action_id)
        action = to_action(row)
        _require_owner_side(uow, person, action, today, "move the due date of")
        if action.is_closed:
            raise _status_problem(action.id, row.status, "move its due date")
        if new_due == row.due:
            raise InvalidInput(f"{action.id} is already due on {new_due.isoformat()}.",
                               "Give a different date to ask for a change.")
        s = uow.session
        assert s is not None
        previous = _pending(uow, action.id, DUE_CHANGE)
        if previous is not None:
            previous.state, previous.decided_by, previous.decided_at = WITHDRAWN, person.id, now
            previous.decision_reason = "replaced by a newer request"
            uow.repo.audit(now, "action", action.id, "due_change_withdrawn", field="due",
                           new=previous.new_due, actor=person.id, source=source.value,
                           reason="replaced by a newer request")
        req = RequestRow(action_id=action.id, kind=DUE_CHANGE, state=PENDING, new_due=new_due, reason=reason,
                         requested_by=person.id, requested_at=now)
        s.add(req)
        # No status change, but bump the version so a concurrent decision on the old request fails.
        _set_status(uow, row, ActionStatus(row.status))
        uow.repo.audit(now, "action", action.id, "due_change_requested", field="due", old=row.due,
                       new=new_due, actor=person.id, source=source.value, reason=reason)
        s.flush()
        uow.commit()
    text = (f"{person.name} asks to move {action.id} ({action.title}) from {action.due.isoformat()} "
            f"to {new_due.isoformat()} (originally due {action.original_due.isoformat()}).\nReason: {reason}\n"
            f"Approve with `/ncpi approve {action.id} due` or reject with `/ncpi reject {action.id} due <reason>`.")
    notify = _tell([p.slack_user for p in _holders(config, Role.SILVER_CHAIR)], text, "review_due", action.id,
                   skip=slack_user)
    return Outcome(f"Asked the Silver chair to move {action.id} to {new_due.isoformat()} "
                   f"(now due {action.due.isoformat()}).", action, notify, req.id)


def approve_due_change(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str, *,
                       now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair approves the pending due change; `original_due` is kept, `due` changes."""
    person = _actor(config, slack_user)
    _require_role(person, (Role.SILVER_CHAIR,), "approve a due-date change", config)
    with uow_factory() as uow:
        row = _lock_action(uow, action_id)
        req = _pending(uow, row.id, DUE_CHANGE)
        if req is None or req.new_due is None:
            raise InvalidTransition(f"Nobody has asked to move the due date of {row.id}.",
                                    f"The owner asks first with `/ncpi due {row.id} YYYY-MM-DD` and a reason.")
        if req.new_due <= today:
            raise InvalidInput(f"The requested date {req.new_due.isoformat()} has already passed.",
                               f"Reject it with `/ncpi reject {row.id} due` and a reason, and ask the owner for a "
                               "new date.")
        old_due = row.due
        req.state, req.decided_by, req.decided_at = APPROVED, person.id, now
        _set_status(uow, row, ActionStatus(row.status), due=req.new_due)
        uow.repo.audit(now, "action", row.id, "due_changed", field="due", old=old_due, new=req.new_due,
                       actor=person.id, source=source.value, reason=req.reason)
        action = to_action(row)
        requester = config.person(req.requested_by)
        uow.commit()
    text = (f"{person.name} approved moving {action.id} to {action.due.isoformat()} "
            f"(was {old_due.isoformat()}; originally due {action.original_due.isoformat()}).")
    users = _owner_side_users(config, action) + ([requester.slack_user] if requester else [])
    return Outcome(f"{action.id} is now due {action.due.isoformat()} "
                   f"(originally {action.original_due.isoformat()}).", action,
                   _tell(users, text, action_id=action.id, skip=slack_user), req.id)


def reject_due_change(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str,
                      reason: str, *, now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """The Silver chair refuses the pending due change, with a reason; the date stays."""
    person = _actor(config, slack_user)
    _require_role(person, (Role.SILVER_CHAIR,), "reject a due-date change", config)
    reason = check_free_text("reason", reason, required=True,
                             example=f"`/ncpi reject {action_id} due the inspectorate expects it by then`")
    with uow_factory() as uow:
        row = _lock_action(uow, action_id)
        req = _pending(uow, row.id, DUE_CHANGE)
        if req is None:
            raise InvalidTransition(f"Nobody has asked to move the due date of {row.id}.",
                                    "There is nothing to reject.")
        req.state, req.decided_by, req.decided_at, req.decision_reason = REJECTED, person.id, now, reason
        _set_status(uow, row, ActionStatus(row.status))
        uow.repo.audit(now, "action", row.id, "due_change_rejected", field="due", old=row.due, new=req.new_due,
                       actor=person.id, source=source.value, reason=reason)
        action = to_action(row)
        requester = config.person(req.requested_by)
        asked = req.new_due
        uow.commit()
    text = (f"{person.name} did not agree to move {action.id} to {asked.isoformat() if asked else '?'}; "
            f"it stays due {action.due.isoformat()}.\nReason: {reason}")
    users = _owner_side_users(config, action) + ([requester.slack_user] if requester else [])
    return Outcome(f"Due-date change for {action.id} rejected; it stays due {action.due.isoformat()}.",
                   action, _tell(users, text, action_id=action.id, skip=slack_user), req.id)


# --- absence ---------------------------------------------------------------------------------------
def _resolve_person(config: ForceConfig, ref: str) -> Person | None:
    ref = ref.strip()
    if ref.startswith("<@") and ref.endswith(">"):
        ref = ref[2:-1].split("|", 1)[0]
    ref = ref.lstrip("@")
    return config.person_by_slack(ref) or config.person(ref)


def _absentee(config: ForceConfig, actor: Person, person_id: str | None, what: str, hint: str) -> Person:
    """Whose absence this is: the actor's own, or (for an administrator only) `person_id`'s."""
    if person_id is None or person_id == actor.id:
        return actor
    if not actor.has(Role.ADMIN):
        raise PermissionDenied(f"Sorry, only a plan administrator can {what}.", hint)
    found = config.person(person_id)
    if found is None:
        raise NotFound(f"'{person_id}' is not one of the people in ncpi.yaml.", "Use a person id from it.")
    return found


def set_away(uow_factory: UowFactory, config: ForceConfig, slack_user: str, start: str | date,
             end: str | date, deputy: str | None = None, *, person_id: str | None = None, now: datetime,
             today: date, source: Source = Source.SLASH) -> Outcome:
    """Record that a person is away from `start` to `end` (inclusive), optionally naming a deputy.

    `deputy` is a Slack mention (`<@U123|name>`), a Slack id or a person id from ncpi.yaml; None
    means each action's plan deputy covers. Only an administrator may record someone else's
    absence (`person_id`). An absence overlapping an earlier one replaces it.
    """
    actor = _actor(config, slack_user)
    person = _absentee(config, actor, person_id, "record someone else's absence",
                       "Record your own with `/ncpi away YYYY-MM-DD YYYY-MM-DD [@deputy]`.")
    first, last = parse_date(start, "start date"), parse_date(end, "end date")
    if last < first:
        raise InvalidInput(f"The end date {last.isoformat()} is before the start date {first.isoformat()}.",
                           "Give the first day away, then the last: `/ncpi away 2022-05-03 2022-05-17`.")
    if last < today:
        raise InvalidInput(f"{first.isoformat()} to {last.isoformat()} is wholly in the past.",
                           f"Give dates from {today.isoformat()} on.")
    cover: Person | None = None
    if deputy:
        cover = _resolve_person(config, deputy)
        if cover is None:
            raise NotFound("The deputy you named is not one of the people in this plan.",
                           "Name someone from ncpi.yaml with an @mention, or leave the deputy out "
                           "so each action's plan deputy covers.")
        if cover.id == person.id:
            raise InvalidInput("You cannot be your own deputy.", "Name someone else, or leave the deputy out.")
    with uow_factory() as uow:
        s = uow.session
        assert s is not None
        replaced = list(s.scalars(select(AbsenceRow).where(
            AbsenceRow.person == person.id, AbsenceRow.cancelled_at.is_(None),
            AbsenceRow.start <= last, AbsenceRow.end >= first).with_for_update()))
        for old in replaced:
            old.cancelled_at = now
            uow.repo.audit(now, "absence", str(old.id), "cancelled", actor=actor.id, source=source.value,
                           reason="replaced by a new absence")
        row = AbsenceRow(person=person.id, start=first, end=last, deputy=cover.id if cover else None,
                         created_by=actor.id, created_at=now)
        s.add(row)
        s.flush()
        uow.repo.audit(now, "absence", str(row.id), "away", field="person", new=person.id, actor=actor.id,
                       source=source.value,
                       reason=f"{first.isoformat()} to {last.isoformat()}"
                              + (f", deputy {cover.id}" if cover else ""))
        actions = [a for a in uow.repo.actions(owner=person.id) if not a.is_closed]
        uow.commit()
    window = f"from {first.isoformat()} to {last.isoformat()}"
    lines = [f"Noted: {'you are' if person == actor else person.name + ' is'} away {window}. "
             "No prompts or nudges go to you then."]
    if replaced:
        lines.append(f"This replaces {len(replaced)} earlier absence(s) overlapping these dates.")
    notify: list[Notice] = []
    covered: dict[str, list[str]] = {}
    uncovered = []
    for a in actions:
        who = cover.id if cover else a.deputy
        if who:
            covered.setdefault(who, []).append(a.id)
        else:
            uncovered.append(a.id)
    for who, ids in covered.items():
        lines.append(f"{_name(config, who)} will get the prompts for {', '.join(ids)}.")
        p = config.person(who)
        if p is not None:
            notify += _tell([p.slack_user], f"{person.name} is away {window}. You will get their prompts "
                                            f"for {', '.join(ids)} and may update them then.",
                            skip=slack_user if p.id == actor.id else None)
    if uncovered:
        lines.append(f"Nobody covers {', '.join(uncovered)} (no deputy in the plan): name one with "
                     "`/ncpi away FROM TO @deputy` if they need updates meanwhile.")
    return Outcome("\n".join(lines), None, notify, row.id)


def back(uow_factory: UowFactory, config: ForceConfig, slack_user: str, *, person_id: str | None = None,
         now: datetime, today: date, source: Source = Source.SLASH) -> Outcome:
    """End the person's current absence and cancel future ones.

    A future absence gets `cancelled_at`. One under way since before today is cut short to end
    yesterday rather than cancelled, so the record still says they were away on those days and
    nobody is nudged for that window after the event.
    """
    actor = _actor(config, slack_user)
    person = _absentee(config, actor, person_id, "end someone else's absence", "Use `/ncpi back` for your own.")
    with uow_factory() as uow:
        s = uow.session
        assert s is not None
        rows = list(s.scalars(select(AbsenceRow).where(
            AbsenceRow.person == person.id, AbsenceRow.cancelled_at.is_(None), AbsenceRow.end >= today)
            .with_for_update()))
        if not rows:
            raise InvalidTransition("You have no current or future absence recorded." if person == actor
                                    else f"{person.name} has no current or future absence recorded.",
                                    "Nothing to cancel. `/ncpi away FROM TO [@deputy]` records one.")
        deputies = set()
        for r in rows:
            if r.deputy:
                deputies.add(r.deputy)
            if r.start < today:
                uow.repo.audit(now, "absence", str(r.id), "ended", field="end", old=r.end,
                               new=today - timedelta(days=1), actor=actor.id, source=source.value,
                               reason="back early")
                r.end = today - timedelta(days=1)
            else:
                r.cancelled_at = now
                uow.repo.audit(now, "absence", str(r.id), "cancelled", actor=actor.id, source=source.value,
                               reason="back")
        uow.commit()
    notify = []
    for d in deputies:
        p = config.person(d)
        if p is not None:
            notify += _tell([p.slack_user], f"{person.name} is back; you no longer cover their actions.",
                            skip=slack_user)
    return Outcome(f"Welcome back: {len(rows)} absence(s) ended or cancelled; prompts come to "
                   f"{'you' if person == actor else person.name} again.", None, notify)


def absences_on(uow_factory: UowFactory, day: date) -> dict[str, str | None]:
    """Who is away on `day` (local date) → the deputy they named (None: each action's plan deputy)."""
    with uow_factory() as uow:
        s = uow.session
        assert s is not None
        rows = s.scalars(select(AbsenceRow).where(
            AbsenceRow.start <= day, AbsenceRow.end >= day, AbsenceRow.cancelled_at.is_(None))
            .order_by(AbsenceRow.created_at))
        return {r.person: r.deputy for r in rows}


# --- history ---------------------------------------------------------------------------------------
_EVENT_WORDS = {
    "created": "added to the plan", "changed": "changed", "dropped": "dropped from the plan file",
    "proposed": "proposed complete", "approved": "accepted by Silver", "rejected": "closure rejected",
    "signed_off": "signed off by Gold (closed)", "superseded": "superseded",
    "due_change_requested": "asked to move the due date", "due_changed": "due date changed",
    "due_change_rejected": "due-date change rejected", "due_change_withdrawn": "due-date request withdrawn",
}


def history(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str) -> list[HistoryEntry]:
    """The whole trail of an action in time order: audit rows and updates.

    Requests (closure, due change, supersede) appear through the audit row written at each of
    their steps, which carries the evidence or reason. Silver and Gold members, administrators
    and the action's owner and deputy may read it.
    """
    person = _actor(config, slack_user)
    with uow_factory() as uow:
        s = uow.session
        assert s is not None
        row = uow.repo.action_row(action_id)
        if row is None:
            match = [i for i in uow.repo.action_ids() if i.lower() == action_id.strip().lower()]
            row = uow.repo.action_row(match[0]) if match else None
        if row is None or not row.in_plan:
            raise _no_such_action(uow, action_id)
        if not (permissions.may_read_summary(person) or person.id in (row.owner, row.deputy)):
            raise PermissionDenied(f"Sorry, the history of {row.id} is for Silver and Gold members and its owner.",
                                   "Use `/ncpi my` to see your own actions.")
        entries: list[tuple[datetime, int, HistoryEntry]] = []
        for a in s.scalars(select(AuditRow).where(AuditRow.entity == "action", AuditRow.entity_id == row.id)
                           .order_by(AuditRow.at, AuditRow.id)):
            what = _EVENT_WORDS.get(a.event, a.event.replace("_", " "))
            if a.event == "changed" and a.field:
                detail = f"{a.field}: {a.old} → {a.new}"
            elif a.field == "due" and a.event != "due_change_withdrawn":
                detail = f"due {a.old} → {a.new}"
            else:
                detail = ""
            if a.reason:
                detail = f"{detail}; {a.reason}" if detail else a.reason
            entries.append((a.at, a.id, HistoryEntry(a.at, a.actor, _name(config, a.actor) or (a.actor or ""),
                                                     what, detail, a.source)))
        for u in s.scalars(select(UpdateRow).where(UpdateRow.action_id == row.id)
                           .order_by(UpdateRow.created_at, UpdateRow.id)):
            bits = [u.rag.upper() + (f" {u.progress}%" if u.progress is not None else "")]
            bits += [t for t in (u.narrative, f"blockers: {u.blockers}" if u.blockers else "",
                                 f"evidence: {u.evidence}" if u.evidence else "") if t]
            entries.append((u.created_at, 10**12 + u.id, HistoryEntry(
                u.created_at, u.author, _name(config, u.author) or (u.author or ""), "update",
                " — ".join(bits), u.source)))
    entries.sort(key=lambda e: (e[0], e[1]))
    return [e[2] for e in entries]


def check_can_propose(uow_factory: UowFactory, config: ForceConfig, slack_user: str, action_id: str, *,
                      today: date) -> Action:
    """Refuse early (before a form is opened) what `propose_complete` would refuse; return the action."""
    person = _actor(config, slack_user)
    with uow_factory() as uow:
        row = _lock_action(uow, action_id)
        action = to_action(row)
        _require_owner_side(uow, person, action, today, "propose complete")
    if action.status != ActionStatus.OPEN:
        raise _status_problem(action.id, action.status.value, "propose it complete")
    return action
