"""each prompt keeps its first answer: deliveries.answered_at

Participation (the share of prompts answered and how fast) used to find each prompt's first answer
with one probe of `updates` per prompt ever sent, on every summary: work that grew with the plan's
age. The answer is now written once, on the prompt's row: when the prompt is recorded as sent (the
first update to its action at or after the send) and when an update arrives (the prompts of its
action sent before it and not answered earlier). The upgrade fills it for every prompt already sent,
in one statement; the downgrade drops the column (nothing else changes). `deliveries.action_id` is already
indexed, so marking an action's prompts answered reads only that action's rows.

Revision ID: 0006_perf
Revises: 0005_beyond
Create Date: 2026-11-30 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ncpi_core.storage.tables

revision = "0006_perf"
down_revision = "0005_beyond"
branch_labels = None
depends_on = None

# the same rule as the repositories': the earliest update to the action at or after the send
BACKFILL = """
UPDATE deliveries SET answered_at = (
    SELECT MIN(updates.created_at) FROM updates
    WHERE updates.action_id = deliveries.action_id AND updates.created_at >= deliveries.sent_at)
WHERE kind = 'prompt' AND sent_at IS NOT NULL AND action_id IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_at", ncpi_core.storage.tables.UTCDateTime(timezone=True),
                                      nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
