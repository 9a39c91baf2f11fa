"""The storage port: what use cases may ask of storage, as abstract repositories and a unit of work.

Use cases import only this module (never `tables`, a session or SQLAlchemy). Two implementations
keep to it: `ncpi_core.storage.sql` (SQLite and PostgreSQL) and `ncpi_core.storage.memory` (an
in-memory fake for fast use-case tests). `tests/integration/test_repositories.py` runs the same
contract against all three.

Every method works inside the unit of work that owns the repository; nothing is stored unless the
use case calls `uow.commit()`.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any

from ncpi_core.domain.ledger import (
    Claim,
    DeliveryRecord,
    Kind,
    MessageRef,
    Owed,
    PromptRecord,
    Sent,
)
from ncpi_core.domain.models import Action, ActionStatus, Person, PlanInfo, Recommendation, Update
from ncpi_core.domain.records import Absence, AuditEntry, Request, RequestKind, RequestState
from ncpi_core.storage.base_records import (
    AssuranceRepository,
    ChallengeRepository,
    DecisionRepository,
    EmbeddingRepository,
    InspectorateRepository,
)

__all__ = ["AssuranceRepository", "ChallengeRepository", "DecisionRepository", "EmbeddingRepository",
           "InspectorateRepository"]  # part of this port


class PlanRepository(abc.ABC):
    """The plan: its title, recommendations and actions."""

    @abc.abstractmethod
    def info(self) -> PlanInfo | None: ...

    @abc.abstractmethod
    def loaded_at(self) -> datetime | None:
        """When the plan was last loaded (None: never)."""

    @abc.abstractmethod
    def save_info(self, info: PlanInfo, loaded_at: datetime) -> None: ...

    @abc.abstractmethod
    def recommendations(self, include_dropped: bool = False) -> list[Recommendation]:
        """In plan order (position, then id)."""

    @abc.abstractmethod
    def save_recommendation(self, rec: Recommendation) -> None:
        """Insert or replace by id."""

    @abc.abstractmethod
    def actions(self, include_dropped: bool = False, owner: str | None = None) -> list[Action]:
        """In plan order (the recommendation's position, the action's position, id)."""

    @abc.abstractmethod
    def action(self, action_id: str, *, for_update: bool = False) -> Action | None:
        """The action with exactly this id (dropped ones too); `for_update` locks its row
        until the unit of work ends (`SELECT … FOR UPDATE` on PostgreSQL)."""

    @abc.abstractmethod
    def resolve_action_id(self, typed: str) -> str | None:
        """The id of an action in the plan matching `typed` exactly, else ignoring case."""

    @abc.abstractmethod
    def action_ids(self) -> list[str]:
        """Ids of the actions in the plan, in plan order."""

    @abc.abstractmethod
    def add_action(self, action: Action) -> None: ...

    @abc.abstractmethod
    def change_action(self, action_id: str, expected_version: int, **values: Any) -> Action | None:
        """Write `values` (any Action field but id and version) and bump the version, only if
        the stored version is still `expected_version`; None when someone changed it meanwhile."""

    @abc.abstractmethod
    def statuses(self, recommendation_id: str) -> list[ActionStatus]:
        """The statuses of a recommendation's actions in the plan."""


class PeopleRepository(abc.ABC):
    """People as last synced from ncpi.yaml (inactive ones kept, to name their old updates)."""

    @abc.abstractmethod
    def all(self, include_inactive: bool = False) -> list[Person]:
        """Ordered by id."""

    @abc.abstractmethod
    def get(self, person_id: str) -> Person | None:
        """An active person."""

    @abc.abstractmethod
    def save(self, person: Person) -> None:
        """Insert or replace by id (`active` included)."""

    @abc.abstractmethod
    def names(self) -> dict[str, str]:
        """Every person id ever stored, active or not, to their name."""


class UpdateRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, update: Update, idempotency_key: str | None = None) -> Update | None:
        """Append an update and return it with its id; None (and nothing stored) when the
        key was used before (a re-delivered event)."""

    @abc.abstractmethod
    def latest(self, as_of: datetime | None = None,
               action_ids: Sequence[str] | None = None) -> dict[str, Update]:
        """The latest update of each action (as it stood at `as_of`), by action id; the cost
        follows the number of actions, not the length of the history."""

    @abc.abstractmethod
    def actions_updated_after(self, update_id: int | None) -> set[str]:
        """The actions of the updates whose id is above `update_id` (every action updated, if None)."""

    @abc.abstractmethod
    def for_action(self, action_id: str, limit: int | None = None) -> list[Update]:
        """Newest first."""

    @abc.abstractmethod
    def all(self, since: datetime | None = None, until: datetime | None = None) -> Iterator[Update]:
        """Oldest first, streamed (`since` exclusive, `until` inclusive)."""

    @abc.abstractmethod
    def wordless_since(self, as_of: datetime | None = None) -> dict[str, datetime]:
        """For each action whose latest update (as at `as_of`) says nothing — Green, no narrative,
        no evidence (`domain.verification.says_nothing`) — when that run of such updates began:
        the first update after the action's last one that said something (or its first update).
        A few index probes per action, whatever the history's length."""


class AuditRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, entry: AuditEntry) -> None: ...

    @abc.abstractmethod
    def trail(self, entity: str | None = None, entity_id: str | None = None) -> list[AuditEntry]:
        """Oldest first."""

    @abc.abstractmethod
    def changes_since(self, at: datetime, entity: str, fields: Sequence[str]) -> list[AuditEntry]:
        """Entries of `entity` after `at` that changed one of `fields`, newest first."""


class RequestRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, request: Request) -> Request:
        """Store a new request; returns it with its id."""

    @abc.abstractmethod
    def save(self, request: Request) -> None:
        """Write back the state and decision fields of a stored request."""

    @abc.abstractmethod
    def pending(self, action_id: str, kind: RequestKind) -> Request | None:
        """The newest pending request of that kind on the action."""

    @abc.abstractmethod
    def latest(self, action_id: str, kind: RequestKind, state: RequestState) -> Request | None:
        """The most recently decided request of that kind and state on the action."""

    @abc.abstractmethod
    def all_pending(self, kinds: Iterable[RequestKind]) -> list[Request]:
        """Every pending request of these kinds, oldest first."""


class AbsenceRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, absence: Absence) -> Absence:
        """Store; returns it with its id."""

    @abc.abstractmethod
    def save(self, absence: Absence) -> None:
        """Write back `end` and `cancelled_at`."""

    @abc.abstractmethod
    def active(self) -> list[Absence]:
        """Every absence not cancelled, oldest first."""

    @abc.abstractmethod
    def overlapping(self, person: str, first: date, last: date) -> list[Absence]:
        """The person's absences not cancelled that overlap first..last, locked for update."""

    @abc.abstractmethod
    def current_and_future(self, person: str, today: date) -> list[Absence]:
        """The person's absences not cancelled that end today or later, locked for update."""

    @abc.abstractmethod
    def on(self, day: date) -> list[Absence]:
        """Absences not cancelled that include `day`, oldest first."""

    @abc.abstractmethod
    def covered_by(self, deputy: str, day: date) -> set[str]:
        """People away on `day` who named `deputy` to cover."""


class LedgerRepository(abc.ABC):
    """The delivery ledger: one row per message owed, claimed with a lease, sent once."""

    @abc.abstractmethod
    def add_owed(self, owed: Sequence[Owed], now: datetime) -> int:
        """Insert the rows whose key is not yet in the ledger (a concurrent insert of the
        same key is ignored, never an error); returns how many were new."""

    @abc.abstractmethod
    def mark_stale(self, now: datetime) -> int:
        """Pending or failed rows whose expiry has passed become `stale`; returns how many."""

    @abc.abstractmethod
    def sent_facts(self, meeting_keys: Sequence[str], kinds: Iterable[Kind]) -> dict[str, Sent]:
        """What the ledger holds about deliveries of these kinds for these meetings, by key."""

    @abc.abstractmethod
    def claim_due(self, now: datetime, worker: str, lease_until: datetime, limit: int,
                  exclude_kinds: Iterable[Kind] = ()) -> list[Claim]:
        """Claim up to `limit` rows that are due (pending or failed and due, or `sending` past
        their lease), oldest due first: mark them `sending` under `worker` until `lease_until`
        and count the attempt. Rows another worker is claiming are skipped (SKIP LOCKED).
        The caller commits before sending anything."""

    @abc.abstractmethod
    def claim_keys(self, keys: Sequence[str], now: datetime, worker: str,
                   lease_until: datetime) -> list[Claim]:
        """Claim exactly these rows if they are pending and due (a workflow's notices, sent
        at once after its commit); rows already claimed or sent are left alone."""

    @abc.abstractmethod
    def still_mine(self, claim_id: int, worker: str) -> bool:
        """Whether `worker` still holds the row's lease (checked just before sending)."""

    @abc.abstractmethod
    def mark_sent(self, claim_id: int, worker: str, platform: str, where: MessageRef,
                  at: datetime) -> bool:
        """Record the send, if `worker` still holds the lease; False if another took it over."""

    @abc.abstractmethod
    def mark_done(self, claim_id: int, worker: str, state: str) -> bool:
        """End a claimed row as `skipped` or `stale`, if `worker` still holds the lease."""

    @abc.abstractmethod
    def mark_retry(self, claim_id: int, worker: str, retry_at: datetime, error: str, *,
                   outcome_unknown: bool = False, attempts: int | None = None) -> bool:
        """Release a claimed row to be tried again at `retry_at`. With `outcome_unknown` the
        row stays `sending` with no owner until then (whoever claims it next looks for it
        before sending); otherwise it becomes `failed`. `attempts` overrides the count (a
        refusal that was not the delivery's fault gives its attempt back)."""

    @abc.abstractmethod
    def mark_dead(self, claim_id: int, worker: str, error: str) -> bool:
        """Give up on a claimed row, if `worker` still holds the lease."""

    @abc.abstractmethod
    def action_of_message(self, platform: str, where: MessageRef) -> str | None:
        """The action of the prompt or nudge posted at `where` (a reply in its thread)."""

    @abc.abstractmethod
    def prompts_sent(self, until: datetime, *, sent_from: datetime | None = None,
                     action_ids: Collection[str] | None = None) -> list[PromptRecord]:
        """Every prompt sent up to `until`, with the first update to its action after it; only
        those sent at or after `sent_from`, or only those of `action_ids`, when given."""

    @abc.abstractmethod
    def get(self, key: str) -> DeliveryRecord | None: ...

    @abc.abstractmethod
    def records(self, kinds: Iterable[Kind] | None = None,
                states: Iterable[str] | None = None) -> list[DeliveryRecord]:
        """Rows in id order, optionally only of these kinds and states."""


class EventRepository(abc.ABC):
    @abc.abstractmethod
    def first_time(self, key: str, now: datetime) -> bool:
        """Record that an event was handled; False if it had been already (a re-delivery)."""


class StateRepository(abc.ABC):
    """Small named facts kept across restarts ('chart unavailable: said')."""

    @abc.abstractmethod
    def get(self, name: str) -> str | None: ...

    @abc.abstractmethod
    def put(self, name: str, value: str, now: datetime) -> None: ...

    @abc.abstractmethod
    def put_if_absent(self, name: str, value: str, now: datetime) -> bool:
        """Set the fact unless it is set; True if this call set it."""


class ConversationRepository(abc.ABC):
    """Where to reach someone on a platform: a direct conversation's id and, where the platform
    needs it, a reference to message them first (Teams' conversation reference)."""

    @abc.abstractmethod
    def get(self, platform: str, address: str) -> tuple[str, dict[str, Any] | None] | None:
        """(conversation id, reference) for a platform user id (or a channel address)."""

    @abc.abstractmethod
    def put(self, platform: str, address: str, conversation: str,
            reference: dict[str, Any] | None, now: datetime) -> None:
        """Insert or replace (a concurrent put of the same address is not an error)."""

    @abc.abstractmethod
    def addresses(self, platform: str) -> set[str]:
        """Every address with a stored conversation on `platform`."""

    @abc.abstractmethod
    def conversations(self, platform: str) -> dict[str, str]:
        """Every stored conversation on `platform`: address -> conversation id (one read for all)."""


@dataclass(frozen=True)
class DataVersion:
    """The newest id and time of each table a summary reads; any write changes it."""

    updates: int | None
    updates_at: datetime | None
    audit: int | None
    audit_at: datetime | None
    deliveries: int | None
    sent_at: datetime | None

    def settled_by(self, now: datetime) -> bool:
        """True when no row is newer than `now` (so reads 'up to now' see every row)."""
        return all(t is None or t <= now for t in (self.updates_at, self.audit_at, self.sent_at))


class UnitOfWork(abc.ABC):
    """`with uow_factory() as uow: …; uow.commit()` — nothing is stored unless commit() is reached.

    Errors of the database become `StorageUnavailable` (it did not answer) or `SchemaMissing`
    (`ncpi db upgrade` is needed) when the block is left.
    """

    plan: PlanRepository
    people: PeopleRepository
    updates: UpdateRepository
    audit: AuditRepository
    requests: RequestRepository
    absences: AbsenceRepository
    ledger: LedgerRepository
    events: EventRepository
    state: StateRepository
    conversations: ConversationRepository
    challenges: ChallengeRepository
    decisions: DecisionRepository
    embeddings: EmbeddingRepository
    assurances: AssuranceRepository
    inspectorate: InspectorateRepository

    @abc.abstractmethod
    def __enter__(self) -> UnitOfWork: ...

    @abc.abstractmethod
    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...

    def read_only(self) -> UnitOfWork:
        """Declare, before its first read, that this unit of work only reads (returns itself).

        SQLite then begins without taking its one write lock (a snapshot under WAL), so readers
        never queue behind writers or each other; elsewhere it changes nothing.
        """
        return self

    @abc.abstractmethod
    def data_version(self) -> DataVersion:
        """One cheap read (index lookups only) that changes whenever any row is written."""


# Makes a fresh unit of work per use case (the composition root holds one).
UowFactory = Callable[[], UnitOfWork]
