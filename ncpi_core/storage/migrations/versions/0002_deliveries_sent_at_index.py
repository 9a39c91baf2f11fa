"""index deliveries.sent_at (the newest send is part of a summary's data version)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 22:50:00
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_sent_at", ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_sent_at")
