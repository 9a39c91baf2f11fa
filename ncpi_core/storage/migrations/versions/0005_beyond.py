"""beyond the force: the PCC's assurance ratings and the inspectorate's status trail

assurances             the PCC's rating of a recommendation (assured, partly, not) with a comment
inspectorate_statuses  the inspectorate's own dated status of a recommendation, recorded by an admin
recommendations        + report (the report an item comes from, '' for a plan of one report) and
                         type (recommendation, area_for_improvement, cause_of_concern), and
                         public_summary (plain English the administrator marked publishable)

Every existing row is kept: existing recommendations become items of type `recommendation` of the
plan's one report (''). The downgrade drops the new tables and columns.

Revision ID: 0005_beyond
Revises: 0004_truth
Create Date: 2026-11-30 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ncpi_core.storage.tables

revision = "0005_beyond"
down_revision = "0004_truth"
branch_labels = None
depends_on = None


def _utc() -> ncpi_core.storage.tables.UTCDateTime:
    return ncpi_core.storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report", sa.String(length=32), server_default="", nullable=False))
        batch_op.add_column(sa.Column("type", sa.String(length=32), server_default="recommendation", nullable=False))
        batch_op.add_column(sa.Column("public_summary", sa.Text(), server_default="", nullable=False))

    op.create_table(
        "assurances",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recommendation_id", sa.String(length=64), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rated_by", sa.String(length=64), nullable=False),
        sa.Column("rated_at", _utc(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendations.id"],
                                name=op.f("fk_assurances_recommendation_id_recommendations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurances")),
    )
    with op.batch_alter_table("assurances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assurances_recommendation_id"), ["recommendation_id"], unique=False)

    op.create_table(
        "inspectorate_statuses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recommendation_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendations.id"],
                                name=op.f("fk_inspectorate_statuses_recommendation_id_recommendations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspectorate_statuses")),
    )
    with op.batch_alter_table("inspectorate_statuses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspectorate_statuses_recommendation_id"), ["recommendation_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inspectorate_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspectorate_statuses_recommendation_id"))
    op.drop_table("inspectorate_statuses")
    with op.batch_alter_table("assurances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assurances_recommendation_id"))
    op.drop_table("assurances")
    # SQLite (3.35 and later) drops a column in place: copying the table, as batch mode would, is refused
    # while the actions' foreign keys point at it
    with op.batch_alter_table("recommendations", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("public_summary")
        batch_op.drop_column("type")
        batch_op.drop_column("report")
