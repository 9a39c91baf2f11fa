"""Delivered vs embedded: after a demonstration period, the Silver chair (or an administrator)
records the impact a delivered action has had, re-tested on a given day: the action is embedded.

Gold's sign-off makes an action *delivered* (status `closed`). `embed` makes it *embedded*, once,
no sooner than `timings.demonstration_period_days` after the sign-off; a recommendation is
complete only when every action is embedded or superseded. Validates first, then in one unit of
work locks the action, checks its version, stores the embedding, audits it and queues notices.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain.models import ActionStatus, Person, Role, Source
from ncpi_core.domain.notices import Outcome
from ncpi_core.domain.records import Embedding, RequestKind, RequestState
from ncpi_core.domain.text import check_free_text
from ncpi_core.errors import InvalidInput, InvalidTransition
from ncpi_core.storage.base import UnitOfWork, UowFactory
from ncpi_core.usecases.common import (
    audit,
    change_action,
    holders,
    lock_action,
    owner_side,
    parse_date,
    recommendation_complete,
    require_role,
    tell,
    wrong_status,
)
from ncpi_core.usecases.notices import queue_notices


def delivered_on(uow: UnitOfWork, config: ForceConfig, action_id: str) -> date | None:
    """The local day Gold signed the action off (None: not known, e.g. closed before sign-offs were kept)."""
    req = uow.requests.latest(action_id, RequestKind.CLOSURE, RequestState.SIGNED_OFF)
    at = req.signed_off_at if req is not None else None
    if at is None:
        at = next((e.at for e in reversed(uow.audit.trail("action", action_id)) if e.event == "signed_off"), None)
    return at.astimezone(config.tz).date() if at is not None else None


def embed(uow_factory: UowFactory, config: ForceConfig, actor: Person, action_id: str, impact: str,
          retested_on: str | date | None = None, *, now: datetime, today: date,
          source: Source = Source.SLASH) -> Outcome:
    """Record a delivered action's impact after the demonstration period: closed → embedded.

    Args:
        impact: the impact measure and its evidence (a link, a re-audit's result).
        retested_on: the day it was re-tested (YYYY-MM-DD; default today), not before delivery
            nor in the future.

    Raises:
        PermissionDenied: `role.required` (the Silver chair or an administrator).
        InvalidInput / PersonalDataRefused: the impact text; `date.unreadable`; `embed.retest_in_future`,
            `embed.retest_before_delivery`.
        NotFound: `action.not_found`.
        InvalidTransition: `action.wrong_status` (only a delivered action can be embedded);
            `embed.too_soon` (with `delivered`, `earliest` and `days`).
    """
    require_role(config, actor, (Role.SILVER_CHAIR, Role.ADMIN), "embed")
    impact = check_free_text("impact", impact, required=True, example="embed", action_id=action_id)
    retested = parse_date(retested_on, "retested_on") if retested_on else today
    if retested > today:
        raise InvalidInput("embed.retest_in_future", retested=retested.isoformat(), today=today.isoformat())
    period = config.timings.demonstration_period_days
    with uow_factory() as uow:
        action = lock_action(uow, action_id)
        if action.status != ActionStatus.CLOSED:
            raise wrong_status(action.id, action.status, "embed")
        delivered = delivered_on(uow, config, action.id)
        if delivered is not None and today < delivered + timedelta(days=period):
            raise InvalidTransition("embed.too_soon", action_id=action.id, delivered=delivered.isoformat(),
                                    earliest=(delivered + timedelta(days=period)).isoformat(), days=period)
        if delivered is not None and retested < delivered:
            raise InvalidInput("embed.retest_before_delivery", action_id=action.id, retested=retested.isoformat(),
                               delivered=delivered.isoformat())
        stored = uow.embeddings.add(Embedding(action.id, impact, retested, actor.id, now))
        action = change_action(uow, action, status=ActionStatus.EMBEDDED)
        audit(uow, now, "action", action.id, "embedded", field="status", old="closed", new="embedded",
              actor=actor.id, source=source.value, reason=f"impact: {impact} (re-tested {retested.isoformat()})")
        complete = recommendation_complete(uow, action.recommendation_id)
        facts = {"by": actor.name, "action_id": action.id, "title": action.title, "impact": impact,
                 "retested": retested.isoformat(), "recommendation_id": action.recommendation_id,
                 "complete": complete}
        notices = tell(config, owner_side(config, action) + holders(config, Role.GOLD_CHAIR), "embed.recorded",
                       facts, action_id=action.id, skip=actor.id)
        keys = queue_notices(uow, notices, now)
        uow.commit()
    return Outcome("embed.recorded", facts, action, notices, keys, stored.id,
                   action.recommendation_id if complete else None)
