"""Who owes an update this cycle, and chasing them now (`missing` and `chase`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ncpi_core.config.schema import ForceConfig
from ncpi_core.domain import permissions
from ncpi_core.domain.calendar import Cycle, current_cycle
from ncpi_core.domain.deliveries import (
    chase_key,
    is_away,
    replied_since,
    responsible_for,
    wants_prompt,
)
from ncpi_core.domain.ledger import Kind, Owed, Recipient
from ncpi_core.domain.models import Action, Person, Role
from ncpi_core.storage.base import UowFactory
from ncpi_core.usecases.ledger.record import read_facts

CHASERS = (Role.SILVER_CHAIR, Role.ADMIN)


@dataclass(frozen=True)
class Owing:
    """Someone who owes updates this cycle (the owner, or the deputy covering while they are away)."""

    person: str
    name: str
    actions: list[Action]
    away: bool = False


@dataclass(frozen=True)
class MissingReport:
    cycle: Cycle | None  # None: no cycle is open just now
    owing: list[Owing]


@dataclass(frozen=True)
class ChaseResult:
    report: MissingReport
    chased: list[Owing]  # those a chase is queued for (this minute): not away, reachable on the platform
    queued: int  # rows newly queued (0 when the same people were already chased this minute)


def open_cycle(config: ForceConfig, now: datetime) -> Cycle | None:
    """The cycle whose prompts have gone out and whose meeting has not yet started."""
    cycle = current_cycle(config, now)
    return cycle if cycle is not None and cycle.closes_at > now else None


def _owing(uow_factory: UowFactory, config: ForceConfig, now: datetime) -> MissingReport:
    cycle = open_cycle(config, now)
    if cycle is None:
        return MissingReport(None, [])
    today = now.astimezone(config.tz).date()
    with uow_factory() as uow:
        facts = read_facts(uow, config, [])
    by_person: dict[str, list[Action]] = {}
    for a in facts.actions:
        if wants_prompt(a) and not replied_since(a.id, cycle.opens_at, facts.latest):
            by_person.setdefault(responsible_for(a, today, facts.absences), []).append(a)
    owing = []
    for who, actions in sorted(by_person.items()):
        p = facts.people.get(who)
        owing.append(Owing(who, p.name if p else who, actions, away=is_away(who, today, facts.absences)))
    return MissingReport(cycle, owing)


def missing_updates(uow_factory: UowFactory, config: ForceConfig, actor: Person, now: datetime) -> MissingReport:
    """Who owes an update this cycle: open actions with no update since the cycle opened.

    Raises:
        PermissionDenied: the actor does not read summaries (Silver and Gold members, admins).
    """
    permissions.require_read_summary(actor)
    return _owing(uow_factory, config, now)


def request_chase(uow_factory: UowFactory, config: ForceConfig, actor: Person, now: datetime,
                  platform: str) -> ChaseResult:
    """Queue a chase on `platform` for everyone who owes an update now (not those away).

    One ledger row per person and minute: a double click queues once. The tick sends them.

    Raises:
        PermissionDenied: the actor is neither the Silver chair nor an admin.
    """
    permissions.require_role(actor, CHASERS, "chase")
    report = _owing(uow_factory, config, now)
    if report.cycle is None:
        return ChaseResult(report, [], 0)
    c = report.cycle
    people = {p.id: p for p in config.persons()}
    chased = [o for o in report.owing
              if not o.away and o.person in people and people[o.person].identity(platform) is not None]
    owed = [Owed(chase_key(c.meeting.key, o.person, now), Kind.CHASE, now, c.closes_at, Recipient.of_person(o.person),
                 meeting=c.meeting.key, person=o.person,
                 payload={"action_ids": [a.id for a in o.actions], "opens_at": c.opens_at.isoformat(),
                          "by": actor.id})
             for o in chased]
    with uow_factory() as uow:
        queued = uow.ledger.add_owed(owed, now)
        uow.commit()
    return ChaseResult(report, chased, queued)
