"""The governance records beside the plan, in SQL: challenges, Gold's decision log, embeddings."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Row, select, update

from ncpi_core.domain.records import Challenge, DecisionRecord, Embedding
from ncpi_core.storage import rules
from ncpi_core.storage.base import ChallengeRepository, DecisionRepository, EmbeddingRepository
from ncpi_core.storage.sql.common import CHALLENGES, DECISIONS, EMBEDDINGS, SqlRepository


def to_challenge(row: Row[Any]) -> Challenge:
    return Challenge(action_id=row.action_id, question=row.question, asked_by=row.asked_by, asked_at=row.asked_at,
                     update_id=row.update_id, answered_at=row.answered_at, answer_update_id=row.answer_update_id,
                     answered_by=row.answered_by, id=row.id)


def to_decision(row: Row[Any]) -> DecisionRecord:
    return DecisionRecord(subject=row.subject, recommendation_id=row.recommendation_id, decision=row.decision,
                          rationale=row.rationale, decided_by=row.decided_by, decided_at=row.decided_at,
                          source=row.source, id=row.id)


def to_embedding(row: Row[Any]) -> Embedding:
    return Embedding(action_id=row.action_id, impact=row.impact, retested_on=row.retested_on,
                     embedded_by=row.embedded_by, embedded_at=row.embedded_at, id=row.id)


class SqlChallengeRepository(SqlRepository, ChallengeRepository):
    def add(self, challenge: Challenge) -> Challenge:
        challenge.id = self._db.execute(CHALLENGES.insert().values(
            action_id=challenge.action_id, question=challenge.question, asked_by=challenge.asked_by,
            asked_at=rules.utc(challenge.asked_at), update_id=challenge.update_id,
            answered_at=challenge.answered_at, answer_update_id=challenge.answer_update_id,
            answered_by=challenge.answered_by).returning(CHALLENGES.c.id)).scalar_one()
        return challenge

    def save(self, challenge: Challenge) -> None:
        done = self._db.execute(update(CHALLENGES).where(CHALLENGES.c.id == challenge.id).values(
            answered_at=challenge.answered_at, answer_update_id=challenge.answer_update_id,
            answered_by=challenge.answered_by))
        if done.rowcount != 1:
            raise ValueError(f"no stored challenge {challenge.id}")

    def get(self, challenge_id: int) -> Challenge | None:
        row = self._db.execute(select(CHALLENGES).where(CHALLENGES.c.id == challenge_id)).first()
        return to_challenge(row) if row else None

    def open(self, action_id: str | None = None) -> list[Challenge]:
        q = select(CHALLENGES).where(CHALLENGES.c.answered_at.is_(None))
        if action_id is not None:
            q = q.where(CHALLENGES.c.action_id == action_id)
        return [to_challenge(r) for r in self._db.execute(q.order_by(CHALLENGES.c.asked_at, CHALLENGES.c.id))]


class SqlDecisionRepository(SqlRepository, DecisionRepository):
    def add(self, record: DecisionRecord) -> DecisionRecord:
        new_id = self._db.execute(DECISIONS.insert().values(
            subject=record.subject, recommendation_id=record.recommendation_id, decision=record.decision,
            rationale=record.rationale, decided_by=record.decided_by, decided_at=rules.utc(record.decided_at),
            source=record.source).returning(DECISIONS.c.id)).scalar_one()
        return dataclasses.replace(record, id=new_id, decided_at=rules.utc(record.decided_at))

    def all(self, recommendation_id: str | None = None) -> list[DecisionRecord]:
        q = select(DECISIONS)
        if recommendation_id is not None:
            q = q.where(DECISIONS.c.recommendation_id == recommendation_id)
        return [to_decision(r) for r in self._db.execute(q.order_by(DECISIONS.c.decided_at, DECISIONS.c.id))]


class SqlEmbeddingRepository(SqlRepository, EmbeddingRepository):
    def add(self, embedding: Embedding) -> Embedding:
        new_id = self._db.execute(EMBEDDINGS.insert().values(
            action_id=embedding.action_id, impact=embedding.impact, retested_on=embedding.retested_on,
            embedded_by=embedding.embedded_by, embedded_at=rules.utc(embedding.embedded_at))
            .returning(EMBEDDINGS.c.id)).scalar_one()
        return dataclasses.replace(embedding, id=new_id, embedded_at=rules.utc(embedding.embedded_at))

    def get(self, action_id: str) -> Embedding | None:
        row = self._db.execute(select(EMBEDDINGS).where(EMBEDDINGS.c.action_id == action_id)).first()
        return to_embedding(row) if row else None

    def all(self) -> dict[str, Embedding]:
        return {r.action_id: to_embedding(r)
                for r in self._db.execute(select(EMBEDDINGS).order_by(EMBEDDINGS.c.id))}
