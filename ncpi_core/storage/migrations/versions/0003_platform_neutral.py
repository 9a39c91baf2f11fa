"""platform-neutral storage: identities per platform, recipients, message references, conversations

people.slack_user            -> people.identities {"slack": …}
updates.author_slack_user    -> updates.author_identity "slack:<id>"
deliveries.target            -> deliveries.recipient "person:<id>" | "body:silver" | "body:gold"
deliveries.slack_channel/_ts -> deliveries.platform 'slack', conversation, message_ref
  (and in payloads: a nudge's thread_channel/thread_ts -> thread_conversation/thread_message,
   a failure report's failed_target -> failed_recipient, the failed delivery's recipient)
dm_channels                  -> conversations (platform 'slack', address = the user id)

No row is lost. The downgrade is best effort: a body's channel id, a conversation on another
platform and a person's ids on other platforms have no place in the old schema.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

import ncpi_core.storage.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PLATFORM = "slack"  # the only platform before this revision
BATCH = 500

people = sa.table("people", sa.column("id", sa.String), sa.column("slack_user", sa.String),
                  sa.column("identities", sa.JSON(none_as_null=True)))
updates = sa.table("updates", sa.column("author_slack_user", sa.String),
                   sa.column("author_identity", sa.String))
deliveries = sa.table(
    "deliveries", sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("kind", sa.String),
    sa.column("person", sa.String), sa.column("target", sa.String), sa.column("recipient", sa.String),
    sa.column("slack_channel", sa.String), sa.column("slack_ts", sa.String), sa.column("platform", sa.String),
    sa.column("conversation", sa.String), sa.column("message_ref", sa.String),
    sa.column("payload", sa.JSON(none_as_null=True)))
dm_channels = sa.table("dm_channels", sa.column("slack_user", sa.String), sa.column("channel", sa.String),
                       sa.column("updated_at", ncpi_core.storage.tables.UTCDateTime(timezone=True)))
conversations = sa.table("conversations", sa.column("platform", sa.String), sa.column("address", sa.String),
                         sa.column("conversation", sa.String), sa.column("reference", sa.JSON),
                         sa.column("updated_at", ncpi_core.storage.tables.UTCDateTime(timezone=True)))


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i:i + BATCH]


def _write(table: sa.TableClause, key: str, rows: list[dict[str, Any]]) -> None:
    """UPDATE table SET … WHERE key = :_key, many rows per round trip."""
    if not rows:
        return
    names = [c for c in rows[0] if c != "_key"]
    stmt = table.update().where(table.c[key] == sa.bindparam("_key")).values(
        {c: sa.bindparam(f"v_{c}", type_=table.c[c].type) for c in names})
    for chunk in _chunks(rows):
        op.get_bind().execute(stmt, [{"_key": r["_key"], **{f"v_{c}": r[c] for c in names}} for r in chunk])


def recipient_of(kind: str, person: str | None, payload: dict[str, Any] | None) -> str:
    if person:
        return f"person:{person}"
    level = (payload or {}).get("level")
    if level in ("silver", "gold"):
        return f"body:{level}"
    return "body:gold" if kind == "gold_summary" else "body:silver"


def upgrade() -> None:
    conn = op.get_bind()

    # people: identities per platform
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identities", sa.JSON(), nullable=True))
    _write(people, "id", [{"_key": pid, "identities": {PLATFORM: user} if user else {}}
                          for pid, user in conn.execute(sa.select(people.c.id, people.c.slack_user))])
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("identities", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_people_slack_user"))
        batch_op.drop_column("slack_user")

    # updates: the account an update came from, as "platform:id"
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_identity", sa.String(length=200), nullable=True))
    conn.execute(updates.update().where(updates.c.author_slack_user.is_not(None))
                 .values(author_identity=sa.literal(f"{PLATFORM}:") + updates.c.author_slack_user))
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.drop_column("author_slack_user")

    # deliveries: addressed to a person or a body; where it went as (platform, conversation, message)
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("platform", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("conversation", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("message_ref", sa.String(length=200), nullable=True))
    rows = conn.execute(sa.select(deliveries.c.id, deliveries.c.key, deliveries.c.kind, deliveries.c.person,
                                  deliveries.c.payload, deliveries.c.slack_channel, deliveries.c.slack_ts)
                        .order_by(deliveries.c.id)).all()
    recipients = {r.key: recipient_of(r.kind, r.person, r.payload) for r in rows}
    _write(deliveries, "id", [
        {"_key": r.id, "recipient": recipients[r.key], "payload": _new_payload(r.payload, recipients),
         "platform": PLATFORM if (r.slack_channel or r.slack_ts) else None,
         "conversation": r.slack_channel, "message_ref": r.slack_ts} for r in rows])
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("recipient", existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_index("ix_deliveries_thread")
        batch_op.drop_column("slack_ts")
        batch_op.drop_column("slack_channel")
        batch_op.drop_column("target")
        batch_op.create_index("ix_deliveries_message", ["platform", "conversation", "message_ref"],
                              unique=False)

    # dm_channels -> conversations
    op.create_table(
        "conversations",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("conversation", sa.String(length=300), nullable=False),
        sa.Column("reference", sa.JSON(), nullable=True),
        sa.Column("updated_at", ncpi_core.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "address", name=op.f("pk_conversations")),
    )
    conn.execute(conversations.insert().from_select(
        ["platform", "address", "conversation", "updated_at"],
        sa.select(sa.literal(PLATFORM), dm_channels.c.slack_user, dm_channels.c.channel,
                  dm_channels.c.updated_at)))
    op.drop_table("dm_channels")


def _new_payload(payload: dict[str, Any] | None, recipients: dict[str, str]) -> dict[str, Any] | None:
    if payload is None:
        return None
    new = dict(payload)
    if "thread_channel" in new or "thread_ts" in new:
        new["thread_conversation"] = new.pop("thread_channel", None)
        new["thread_message"] = new.pop("thread_ts", None)
    if "failed_target" in new:
        failed = new.pop("failed_target")
        new["failed_recipient"] = recipients.get(str(new.get("failed_key")), failed)
    return new


def _old_payload(payload: dict[str, Any] | None,
                 identities: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    if payload is None:
        return None
    old = dict(payload)
    if "thread_conversation" in old or "thread_message" in old:
        old["thread_channel"] = old.pop("thread_conversation", None)
        old["thread_ts"] = old.pop("thread_message", None)
    if "failed_recipient" in old:
        old["failed_target"] = _old_target(str(old.pop("failed_recipient")), identities)
    return old


def downgrade() -> None:
    conn = op.get_bind()
    identities = {pid: ids or {} for pid, ids in conn.execute(sa.select(people.c.id, people.c.identities))}

    op.create_table(
        "dm_channels",
        sa.Column("slack_user", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("updated_at", ncpi_core.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("slack_user", name=op.f("pk_dm_channels")),
    )
    conn.execute(dm_channels.insert().from_select(
        ["slack_user", "channel", "updated_at"],
        sa.select(conversations.c.address, conversations.c.conversation, conversations.c.updated_at)
        .where(conversations.c.platform == PLATFORM)))
    op.drop_table("conversations")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("slack_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("slack_ts", sa.String(length=32), nullable=True))
    rows = conn.execute(sa.select(deliveries.c.id, deliveries.c.recipient, deliveries.c.platform,
                                  deliveries.c.conversation, deliveries.c.message_ref,
                                  deliveries.c.payload)).all()
    _write(deliveries, "id", [
        {"_key": r.id, "target": _old_target(r.recipient, identities)[:32],
         "slack_channel": r.conversation if r.platform == PLATFORM else None,
         "slack_ts": r.message_ref if r.platform == PLATFORM else None,
         "payload": _old_payload(r.payload, identities)} for r in rows])
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("target", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_index("ix_deliveries_message")
        batch_op.drop_column("message_ref")
        batch_op.drop_column("conversation")
        batch_op.drop_column("platform")
        batch_op.drop_column("recipient")
        batch_op.create_index("ix_deliveries_thread", ["slack_channel", "slack_ts"], unique=False)

    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_slack_user", sa.String(length=32), nullable=True))
    prefix = f"{PLATFORM}:"
    conn.execute(updates.update().where(updates.c.author_identity.like(f"{prefix}%"))
                 .values(author_slack_user=sa.func.substr(updates.c.author_identity, len(prefix) + 1)))
    with op.batch_alter_table("updates", schema=None) as batch_op:
        batch_op.drop_column("author_identity")

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slack_user", sa.String(length=32), nullable=True))
    _write(people, "id", [{"_key": pid, "slack_user": ids.get(PLATFORM, "")} for pid, ids in identities.items()])
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("slack_user", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column("identities")
        batch_op.create_index(batch_op.f("ix_people_slack_user"), ["slack_user"], unique=False)


def _old_target(recipient: str, identities: dict[str, dict[str, str]]) -> str:
    """A person's id on the old platform; a body keeps its recipient text (its channel id is in
    ncpi.yaml, not here)."""
    kind, _, value = recipient.partition(":")
    if kind == "person":
        return identities.get(value, {}).get(PLATFORM) or recipient
    return recipient
