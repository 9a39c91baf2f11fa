"""The governance records beside the plan, in memory: challenges, Gold's decision log, embeddings,
the PCC's assurance ratings and the inspectorate's status trail."""

from __future__ import annotations

import dataclasses

from ncpi_core.domain.records import Challenge, DecisionRecord, Embedding
from ncpi_core.domain.scrutiny import AssuranceRecord, InspectorateRecord
from ncpi_core.storage import rules
from ncpi_core.storage.base import (
    AssuranceRepository,
    ChallengeRepository,
    DecisionRepository,
    EmbeddingRepository,
    InspectorateRepository,
)
from ncpi_core.storage.memory_store import Tabled


def _utc_challenge(c: Challenge) -> Challenge:
    return dataclasses.replace(c, asked_at=rules.utc(c.asked_at),
                               answered_at=rules.utc(c.answered_at) if c.answered_at else None)


class MemoryChallengeRepository(ChallengeRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def add(self, challenge: Challenge) -> Challenge:
        t = self._uow.tables
        if challenge.action_id not in t.actions:
            raise ValueError(f"challenge on an unknown action {challenge.action_id}")
        challenge.id = t.next_id("challenges")
        t.challenges[challenge.id] = _utc_challenge(challenge)
        return challenge

    def save(self, challenge: Challenge) -> None:
        t = self._uow.tables
        if challenge.id is None or challenge.id not in t.challenges:
            raise ValueError(f"no stored challenge {challenge.id}")
        answered = _utc_challenge(challenge)
        t.challenges[challenge.id] = dataclasses.replace(
            t.challenges[challenge.id], answered_at=answered.answered_at,
            answer_update_id=answered.answer_update_id, answered_by=answered.answered_by)

    def get(self, challenge_id: int) -> Challenge | None:
        found = self._uow.tables.challenges.get(challenge_id)
        return dataclasses.replace(found) if found else None

    def open(self, action_id: str | None = None) -> list[Challenge]:
        rows = [c for c in self._uow.tables.challenges.values()
                if c.answered_at is None and (action_id is None or c.action_id == action_id)]
        return [dataclasses.replace(c) for c in sorted(rows, key=lambda c: (c.asked_at, c.id or 0))]


class MemoryDecisionRepository(DecisionRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def add(self, record: DecisionRecord) -> DecisionRecord:
        t = self._uow.tables
        if record.recommendation_id not in t.recommendations:
            raise ValueError(f"decision on an unknown recommendation {record.recommendation_id}")
        stored = dataclasses.replace(record, id=t.next_id("decisions"), decided_at=rules.utc(record.decided_at))
        t.decisions[stored.id or 0] = stored
        return stored

    def all(self, recommendation_id: str | None = None) -> list[DecisionRecord]:
        rows = [d for d in self._uow.tables.decisions.values()
                if recommendation_id is None or d.recommendation_id == recommendation_id]
        return sorted(rows, key=lambda d: (d.decided_at, d.id or 0))


class MemoryEmbeddingRepository(EmbeddingRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def add(self, embedding: Embedding) -> Embedding:
        t = self._uow.tables
        if embedding.action_id not in t.actions:
            raise ValueError(f"embedding of an unknown action {embedding.action_id}")
        if any(e.action_id == embedding.action_id for e in t.embeddings.values()):
            raise ValueError(f"{embedding.action_id} is already embedded")  # the unique key, as in SQL
        stored = dataclasses.replace(embedding, id=t.next_id("embeddings"),
                                     embedded_at=rules.utc(embedding.embedded_at))
        t.embeddings[stored.id or 0] = stored
        return stored

    def get(self, action_id: str) -> Embedding | None:
        return next((e for e in self._uow.tables.embeddings.values() if e.action_id == action_id), None)

    def all(self) -> dict[str, Embedding]:
        return {e.action_id: e for _, e in sorted(self._uow.tables.embeddings.items())}


class MemoryAssuranceRepository(AssuranceRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def add(self, record: AssuranceRecord) -> AssuranceRecord:
        t = self._uow.tables
        if record.recommendation_id not in t.recommendations:
            raise ValueError(f"assurance of an unknown recommendation {record.recommendation_id}")
        stored = dataclasses.replace(record, id=t.next_id("assurances"), rated_at=rules.utc(record.rated_at))
        t.assurances[stored.id or 0] = stored
        return stored

    def all(self, recommendation_id: str | None = None) -> list[AssuranceRecord]:
        rows = [a for a in self._uow.tables.assurances.values()
                if recommendation_id is None or a.recommendation_id == recommendation_id]
        return sorted(rows, key=lambda a: (a.rated_at, a.id or 0))


class MemoryInspectorateRepository(InspectorateRepository):
    def __init__(self, uow: Tabled) -> None:
        self._uow = uow

    def add(self, record: InspectorateRecord) -> InspectorateRecord:
        t = self._uow.tables
        if record.recommendation_id not in t.recommendations:
            raise ValueError(f"inspectorate status of an unknown recommendation {record.recommendation_id}")
        stored = dataclasses.replace(record, id=t.next_id("inspectorate"), recorded_at=rules.utc(record.recorded_at))
        t.inspectorate[stored.id or 0] = stored
        return stored

    def all(self, recommendation_id: str | None = None) -> list[InspectorateRecord]:
        rows = [s for s in self._uow.tables.inspectorate.values()
                if recommendation_id is None or s.recommendation_id == recommendation_id]
        return sorted(rows, key=lambda s: (s.recorded_at, s.id or 0))
