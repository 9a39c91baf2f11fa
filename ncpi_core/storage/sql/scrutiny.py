"""Scrutiny from outside the force, in SQL: the PCC's assurance ratings and the inspectorate's trail."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Row, select

from ncpi_core.domain.scrutiny import (
    Assurance,
    AssuranceRecord,
    InspectorateRecord,
    InspectorateStatus,
)
from ncpi_core.storage import rules
from ncpi_core.storage.base import AssuranceRepository, InspectorateRepository
from ncpi_core.storage.sql.common import ASSURANCES, INSPECTORATE, SqlRepository


def to_assurance(row: Row[Any]) -> AssuranceRecord:
    return AssuranceRecord(recommendation_id=row.recommendation_id, rating=Assurance(row.rating),
                           comment=row.comment, rated_by=row.rated_by, rated_at=row.rated_at,
                           source=row.source, id=row.id)


def to_inspectorate(row: Row[Any]) -> InspectorateRecord:
    return InspectorateRecord(recommendation_id=row.recommendation_id, status=InspectorateStatus(row.status),
                              status_on=row.status_on, note=row.note, recorded_by=row.recorded_by,
                              recorded_at=row.recorded_at, source=row.source, id=row.id)


class SqlAssuranceRepository(SqlRepository, AssuranceRepository):
    def add(self, record: AssuranceRecord) -> AssuranceRecord:
        new_id = self._db.execute(ASSURANCES.insert().values(
            recommendation_id=record.recommendation_id, rating=record.rating.value, comment=record.comment,
            rated_by=record.rated_by, rated_at=rules.utc(record.rated_at),
            source=record.source).returning(ASSURANCES.c.id)).scalar_one()
        return dataclasses.replace(record, id=new_id, rated_at=rules.utc(record.rated_at))

    def all(self, recommendation_id: str | None = None) -> list[AssuranceRecord]:
        q = select(ASSURANCES)
        if recommendation_id is not None:
            q = q.where(ASSURANCES.c.recommendation_id == recommendation_id)
        return [to_assurance(r) for r in self._db.execute(q.order_by(ASSURANCES.c.rated_at, ASSURANCES.c.id))]


class SqlInspectorateRepository(SqlRepository, InspectorateRepository):
    def add(self, record: InspectorateRecord) -> InspectorateRecord:
        new_id = self._db.execute(INSPECTORATE.insert().values(
            recommendation_id=record.recommendation_id, status=record.status.value, status_on=record.status_on,
            note=record.note, recorded_by=record.recorded_by, recorded_at=rules.utc(record.recorded_at),
            source=record.source).returning(INSPECTORATE.c.id)).scalar_one()
        return dataclasses.replace(record, id=new_id, recorded_at=rules.utc(record.recorded_at))

    def all(self, recommendation_id: str | None = None) -> list[InspectorateRecord]:
        q = select(INSPECTORATE)
        if recommendation_id is not None:
            q = q.where(INSPECTORATE.c.recommendation_id == recommendation_id)
        return [to_inspectorate(r) for r in self._db.execute(
            q.order_by(INSPECTORATE.c.recorded_at, INSPECTORATE.c.id))]
