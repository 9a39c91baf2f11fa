"""summaries that tell the truth: challenges, Gold's decision log, embeddings

challenges  the Silver chair's question on an action's update, open until its owner answers
decisions   Gold's decision log: on a recommendation or an action, with rationale, who and when
embeddings  a delivered action made embedded: its impact measure and the day it was re-tested

New tables only (an action's status may now also read `embedded`, which fits its column): every
existing row is kept as it is. The downgrade drops the three tables and sets any embedded action
back to `closed` (delivered), which is what it was before.

Revision ID: 0004_truth
Revises: 0003
Create Date: 2026-12-02 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ncpi_core.storage.tables

revision = "0004_truth"
down_revision = "0003"
branch_labels = None
depends_on = None


def _utc() -> ncpi_core.storage.tables.UTCDateTime:
    return ncpi_core.storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(length=64), nullable=False),
        sa.Column("asked_at", _utc(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", _utc(), nullable=True),
        sa.Column("answer_update_id", sa.Integer(), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"], name=op.f("fk_challenges_action_id_actions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenges_action_id"), ["action_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("recommendation_id", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", _utc(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendations.id"],
                                name=op.f("fk_decisions_recommendation_id_recommendations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_decided_at"), ["decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_recommendation_id"), ["recommendation_id"], unique=False)

    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("retested_on", sa.Date(), nullable=False),
        sa.Column("embedded_by", sa.String(length=64), nullable=False),
        sa.Column("embedded_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"], name=op.f("fk_embeddings_action_id_actions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embeddings")),
        sa.UniqueConstraint("action_id", name=op.f("uq_embeddings_action_id")),
    )


def downgrade() -> None:
    actions = sa.table("actions", sa.column("status", sa.String))
    op.execute(actions.update().where(actions.c.status == "embedded").values(status="closed"))
    op.drop_table("embeddings")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_recommendation_id"))
        batch_op.drop_index(batch_op.f("ix_decisions_decided_at"))
    op.drop_table("decisions")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenges_action_id"))
    op.drop_table("challenges")
