"""SQLAlchemy 2.0 tables. Times are stored in UTC; updates and audit rows are append-only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite keeps no zone, so we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class PlanRow(Base):
    """The plan's title and report (one row, id 1)."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    report: Mapped[str] = mapped_column(String(300), default="")
    published: Mapped[date | None] = mapped_column(Date, nullable=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonRow(Base):
    """A person from ncpi.yaml, kept so stored rows and reports can name them."""

    __tablename__ = "people"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # platform -> that platform's id for them ({"teams": "29:…"}): opaque strings
    identities: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RecommendationRow(Base):
    __tablename__ = "recommendations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32))
    due: Mapped[date] = mapped_column(Date)
    in_plan: Mapped[bool] = mapped_column(Boolean, default=True)
    report: Mapped[str] = mapped_column(String(32), default="", server_default="")  # '' : a plan of one report
    type: Mapped[str] = mapped_column(String(32), default="recommendation", server_default="recommendation")
    public_summary: Mapped[str] = mapped_column(Text, default="", server_default="")  # marked publishable


class ActionRow(Base):
    __tablename__ = "actions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("recommendations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(64), index=True)
    deputy: Mapped[str | None] = mapped_column(String(64), nullable=True)
    due: Mapped[date] = mapped_column(Date)
    original_due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    in_plan: Mapped[bool] = mapped_column(Boolean, default=True)
    # optimistic-concurrency counter: a workflow step reads it and bumps it when it writes
    version: Mapped[int] = mapped_column(Integer, default=1)


class UpdateRow(Base):
    """One reply about one action; never changed or deleted."""

    __tablename__ = "updates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id"))
    rag: Mapped[str] = mapped_column(String(8))
    progress: Mapped[int | None] = mapped_column(Integer, nullable=True)
    narrative: Mapped[str] = mapped_column(Text, default="")
    blockers: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # "platform:id" of the account it came from, when known
    author_identity: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the platform's event / message / form id: a re-delivered event cannot store twice
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)

    __table_args__ = (
        # "latest update per action" walks this index backwards, not the whole history
        Index("ix_updates_action_latest", "action_id", "created_at", "id"),
        Index("ix_updates_created_at", "created_at"),
    )


class AuditRow(Base):
    """Every change to the plan and every workflow step: who, when, from where, why."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    entity: Mapped[str] = mapped_column(String(32))  # plan | recommendation | action | person | absence
    entity_id: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(48))  # created, changed, dropped, proposed, approved, ...
    field: Mapped[str | None] = mapped_column(String(48), nullable=True)
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)  # person id or 'system'
    source: Mapped[str] = mapped_column(String(16), default="system")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id", "at"),)


class RequestRow(Base):
    """A workflow request on an action: closure (proposed/accepted/signed off) or a due-date change."""

    __tablename__ = "requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # closure | due_change | supersede
    state: Mapped[str] = mapped_column(String(16))  # pending | approved | rejected | signed_off | withdrawn
    evidence: Mapped[str] = mapped_column(Text, default="")
    new_due: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    signed_off_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AbsenceRow(Base):
    """A person away from `start` to `end` (inclusive, local dates), optionally with a deputy."""

    __tablename__ = "absences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person: Mapped[str] = mapped_column(String(64), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    deputy: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeliveryRow(Base):
    """One message the bot owes, recorded before it is sent: the source of truth for 'sent once'."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # prompt | nudge | escalation | notice | ...
    meeting: Mapped[str | None] = mapped_column(String(64), nullable=True)  # Meeting.key
    action_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    person: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recipient: Mapped[str] = mapped_column(String(100))  # "person:<id>" or "body:silver" / "body:gold"
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|failed|dead|stale
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # where it went, once sent: the platform, its conversation and the message in it
    platform: Mapped[str | None] = mapped_column(String(16), nullable=True)
    conversation: Mapped[str | None] = mapped_column(String(300), nullable=True)
    message_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # a prompt's first answer (the earliest update to its action at or after the send), written
    # when either of the two is stored, so participation reads it instead of searching updates
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (
        Index("ix_deliveries_state_due", "state", "due_at"),
        # a reply in a message's thread finds the delivery (and its action) by where it went
        Index("ix_deliveries_message", "platform", "conversation", "message_ref"),
        # the newest send is part of a summary's data version (UnitOfWork.data_version)
        Index("ix_deliveries_sent_at", "sent_at"),
    )


class ConversationRow(Base):
    """Where to reach someone on a platform: a direct conversation's id (opening one is
    rate-limited) and, where the platform needs it, a reference to message them first."""

    __tablename__ = "conversations"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    address: Mapped[str] = mapped_column(String(200), primary_key=True)  # the platform's user id
    conversation: Mapped[str] = mapped_column(String(300))
    reference: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedEventRow(Base):
    """An event or interaction already handled (platforms re-deliver; we act once)."""

    __tablename__ = "processed_events"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StateRow(Base):
    """Small named facts the bot must remember across restarts (for example 'chart missing: said')."""

    __tablename__ = "app_state"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengeRow(Base):
    """The Silver chair's question on an action's update, open until the owner answers it."""

    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(64))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    update_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the update challenged
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_update_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class DecisionRow(Base):
    """Gold's decision log: a decision on a recommendation or an action, its rationale, who and when."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(64))  # the recommendation or action id
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("recommendations.id"), index=True)
    decision: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    source: Mapped[str] = mapped_column(String(16), default="system")


class EmbeddingRow(Base):
    """A delivered action made embedded: its impact measure and the day it was re-tested."""

    __tablename__ = "embeddings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id"), unique=True)
    impact: Mapped[str] = mapped_column(Text)
    retested_on: Mapped[date] = mapped_column(Date)
    embedded_by: Mapped[str] = mapped_column(String(64))
    embedded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssuranceRow(Base):
    """The PCC's assurance rating of a recommendation, with its comment: append-only (the newest is current)."""

    __tablename__ = "assurances"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("recommendations.id"), index=True)
    rating: Mapped[str] = mapped_column(String(16))  # assured | partly | not
    comment: Mapped[str] = mapped_column(Text)
    rated_by: Mapped[str] = mapped_column(String(64))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default="system")


class InspectorateStatusRow(Base):
    """The inspectorate's own dated status of a recommendation: append-only, a trail."""

    __tablename__ = "inspectorate_statuses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("recommendations.id"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    status_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default="system")
