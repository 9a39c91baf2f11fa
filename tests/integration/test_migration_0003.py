"""Migration 0003 (platform-neutral storage) on a database in use: every row of revision 0002
survives the upgrade, its values converted, on SQLite and PostgreSQL; the downgrade gives them back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ncpi_core.domain.ledger import MessageRef, Recipient
from ncpi_core.domain.models import Role
from ncpi_core.domain.records import RequestKind, RequestState
from ncpi_core.storage.engine import build_engine
from ncpi_core.storage.migrate import current_revision, downgrade, head_revision, upgrade
from ncpi_core.storage.sql import SqlUowFactory
from ncpi_core.storage.tables import Base, UTCDateTime
from tests.conftest import private_postgres_database

T0 = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
MEETING = "silver:20220308T1400Z"
GOLD = "gold:20220315T1000Z"

# revision 0002's tables, as far as this test writes them
old = sa.MetaData()
people = sa.Table("people", old, sa.Column("id", sa.String), sa.Column("name", sa.String),
                  sa.Column("slack_user", sa.String), sa.Column("roles", sa.JSON), sa.Column("active", sa.Boolean))
updates = sa.Table("updates", old, sa.Column("id", sa.Integer), sa.Column("action_id", sa.String),
                   sa.Column("rag", sa.String), sa.Column("progress", sa.Integer), sa.Column("narrative", sa.Text),
                   sa.Column("blockers", sa.Text), sa.Column("evidence", sa.Text), sa.Column("author", sa.String),
                   sa.Column("author_slack_user", sa.String), sa.Column("source", sa.String),
                   sa.Column("created_at", UTCDateTime), sa.Column("idempotency_key", sa.String))
deliveries = sa.Table(
    "deliveries", old, sa.Column("id", sa.Integer), sa.Column("key", sa.String), sa.Column("kind", sa.String),
    sa.Column("meeting", sa.String), sa.Column("action_id", sa.String), sa.Column("person", sa.String),
    sa.Column("target", sa.String), sa.Column("due_at", UTCDateTime), sa.Column("expires_at", UTCDateTime),
    sa.Column("state", sa.String), sa.Column("attempts", sa.Integer), sa.Column("next_attempt_at", UTCDateTime),
    sa.Column("lease_owner", sa.String), sa.Column("lease_until", UTCDateTime), sa.Column("last_error", sa.Text),
    sa.Column("slack_channel", sa.String), sa.Column("slack_ts", sa.String), sa.Column("sent_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime), sa.Column("payload", sa.JSON(none_as_null=True)))
dm_channels = sa.Table("dm_channels", old, sa.Column("slack_user", sa.String), sa.Column("channel", sa.String),
                       sa.Column("updated_at", UTCDateTime))
other_tables = {name: sa.Table(name, old, *cols) for name, cols in {
    "plan": (sa.Column("id", sa.Integer), sa.Column("title", sa.String), sa.Column("report", sa.String),
             sa.Column("published", sa.Date), sa.Column("loaded_at", UTCDateTime)),
    "recommendations": (sa.Column("id", sa.String), sa.Column("position", sa.Integer), sa.Column("title", sa.String),
                        sa.Column("text", sa.Text), sa.Column("category", sa.String), sa.Column("due", sa.Date),
                        sa.Column("in_plan", sa.Boolean)),
    "actions": (sa.Column("id", sa.String), sa.Column("recommendation_id", sa.String),
                sa.Column("position", sa.Integer), sa.Column("title", sa.String), sa.Column("owner", sa.String),
                sa.Column("deputy", sa.String), sa.Column("due", sa.Date), sa.Column("original_due", sa.Date),
                sa.Column("status", sa.String), sa.Column("in_plan", sa.Boolean), sa.Column("version", sa.Integer)),
    "audit": (sa.Column("at", UTCDateTime), sa.Column("entity", sa.String), sa.Column("entity_id", sa.String),
              sa.Column("event", sa.String), sa.Column("field", sa.String), sa.Column("old", sa.Text),
              sa.Column("new", sa.Text), sa.Column("actor", sa.String), sa.Column("source", sa.String),
              sa.Column("reason", sa.Text)),
    "requests": (sa.Column("action_id", sa.String), sa.Column("kind", sa.String), sa.Column("state", sa.String),
                 sa.Column("evidence", sa.Text), sa.Column("new_due", sa.Date), sa.Column("reason", sa.Text),
                 sa.Column("requested_by", sa.String), sa.Column("requested_at", UTCDateTime),
                 sa.Column("decided_by", sa.String), sa.Column("decided_at", UTCDateTime)),
    "absences": (sa.Column("person", sa.String), sa.Column("start", sa.Date), sa.Column("end", sa.Date),
                 sa.Column("deputy", sa.String), sa.Column("created_by", sa.String),
                 sa.Column("created_at", UTCDateTime), sa.Column("cancelled_at", UTCDateTime)),
    "processed_events": (sa.Column("key", sa.String), sa.Column("received_at", UTCDateTime)),
    "app_state": (sa.Column("name", sa.String), sa.Column("value", sa.Text), sa.Column("updated_at", UTCDateTime)),
}.items()}


def _delivery(i: int, key: str, kind: str, target: str, person: str | None, **kw: Any) -> dict[str, Any]:
    row = {"id": i, "key": key, "kind": kind, "meeting": MEETING, "action_id": None, "person": person,
           "target": target, "due_at": T0 + timedelta(minutes=i), "expires_at": T0 + timedelta(days=7),
           "state": "pending", "attempts": 0, "next_attempt_at": None, "lease_owner": None, "lease_until": None,
           "last_error": None, "slack_channel": None, "slack_ts": None, "sent_at": None,
           "created_at": T0, "payload": {}}
    return {**row, **kw}


SENT = {"state": "sent", "attempts": 1, "sent_at": T0 + timedelta(hours=1)}
DELIVERIES = [
    _delivery(1, "prompt:a", "prompt", "U0LEADA", "lead_a", action_id="R1.1", slack_channel="D0LEADA",
              slack_ts="1646125200.000100", payload={"opens_at": T0.isoformat()}, **SENT),
    _delivery(2, "nudge:a:1", "nudge", "U0LEADA", "lead_a", action_id="R1.1", slack_channel="D0LEADA",
              slack_ts="1646300000.000200", payload={"opens_at": T0.isoformat(), "step": 1,
                                                     "thread_channel": "D0LEADA", "thread_ts": "1646125200.000100"},
              **SENT),
    _delivery(3, "nudge:b:1", "nudge", "U0LEADB", "lead_b", action_id="R1.2",
              payload={"step": 1, "thread_channel": "D0LEADB", "thread_ts": "1646125201.000300"}),
    _delivery(4, "escalation:chair", "escalation", "U0CHAIR", "chair",
              payload={"missing": [{"action_id": "R1.2", "person": "lead_b"}]}),
    _delivery(5, "summary:silver", "silver_summary", "C0SILVER", None, payload={"level": "silver"},
              slack_channel="C0SILVER", slack_ts="1646400000.000400", **SENT),
    _delivery(6, "summary:gold", "gold_summary", "C0GOLD", None, meeting=GOLD, payload={"level": "gold"}),
    _delivery(7, "gold_reminder:lead_a", "gold_reminder", "U0LEADA", "lead_a", meeting=GOLD,
              payload={"action_ids": ["R1.1"], "updates_by": T0.isoformat()}),
    _delivery(8, "chase:lead_b", "chase", "U0LEADB", "lead_b", state="sending", attempts=2,
              lease_owner="host:1:abc", lease_until=T0 + timedelta(minutes=5), last_error="timeout",
              payload={"action_ids": ["R1.2"], "by": "chair"}),
    _delivery(9, "prompt:dead", "prompt", "U0GONE", "gone", action_id="R2.1", state="dead", attempts=6,
              last_error="user_not_found", payload=None),
    _delivery(10, "failure:prompt:dead:admin", "failure_report", "U0ADMIN", "admin", meeting=None,
              payload={"failed_key": "prompt:dead", "failed_kind": "prompt", "failed_target": "U0GONE",
                       "attempts": 6, "error": "user_not_found"}),
    _delivery(11, "summary:old", "silver_summary", "C0SILVER", None, state="failed", attempts=1,
              next_attempt_at=T0 + timedelta(minutes=30), payload={}),
]


def _fill(engine: sa.Engine) -> None:
    t = other_tables
    with engine.begin() as conn:
        conn.execute(t["plan"].insert(), [{"id": 1, "title": "Child protection plan", "report": "HMICFRS 2021",
                                           "published": date(2021, 11, 30), "loaded_at": T0}])
        conn.execute(people.insert(), [
            {"id": "lead_a", "name": "Lead A", "slack_user": "U0LEADA", "roles": ["bronze"], "active": True},
            {"id": "lead_b", "name": "Lead B", "slack_user": "U0LEADB", "roles": ["bronze"], "active": True},
            {"id": "chair", "name": "Chair", "slack_user": "U0CHAIR", "roles": ["silver_chair", "silver"],
             "active": True},
            {"id": "admin", "name": "Admin", "slack_user": "U0ADMIN", "roles": ["admin"], "active": True},
            {"id": "gone", "name": "Gone", "slack_user": "U0GONE", "roles": ["bronze"], "active": False}])
        conn.execute(t["recommendations"].insert(), [
            {"id": rid, "position": i, "title": f"Rec {rid}", "text": "", "category": "immediate",
             "due": date(2022, 6, 30), "in_plan": True} for i, rid in enumerate(("R1", "R2"))])
        conn.execute(t["actions"].insert(), [
            {"id": aid, "recommendation_id": aid[:2], "position": 0, "title": f"Do {aid}", "owner": owner,
             "deputy": None, "due": date(2022, 5, 31), "original_due": date(2022, 5, 31), "status": status,
             "in_plan": True, "version": version}
            for aid, owner, status, version in (("R1.1", "lead_a", "open", 1), ("R1.2", "lead_b", "proposed", 3),
                                                ("R2.1", "gone", "open", 1))])
        conn.execute(updates.insert(), [
            {"id": 1, "action_id": "R1.1", "rag": "amber", "progress": 40, "narrative": "slow", "blockers": "",
             "evidence": "", "author": "lead_a", "author_slack_user": "U0LEADA", "source": "dm",
             "created_at": T0 + timedelta(hours=2), "idempotency_key": "Ev1"},
            {"id": 2, "action_id": "R1.2", "rag": "green", "progress": None, "narrative": "imported",
             "blockers": "", "evidence": "", "author": None, "author_slack_user": None, "source": "import",
             "created_at": T0 - timedelta(days=30), "idempotency_key": None},
            {"id": 3, "action_id": "R1.1", "rag": "green", "progress": 60, "narrative": "thread", "blockers": "b",
             "evidence": "e", "author": "lead_a", "author_slack_user": "U0LEADA", "source": "thread",
             "created_at": T0 + timedelta(hours=3), "idempotency_key": "Ev2"}])
        conn.execute(t["audit"].insert(), [
            {"at": T0, "entity": "action", "entity_id": "R1.2", "event": "proposed", "field": "status",
             "old": "open", "new": "proposed", "actor": "lead_b", "source": "slash", "reason": "evidence: x"}])
        conn.execute(t["requests"].insert(), [
            {"action_id": "R1.2", "kind": "closure", "state": "pending", "evidence": "x", "new_due": None,
             "reason": "", "requested_by": "lead_b", "requested_at": T0, "decided_by": None, "decided_at": None}])
        conn.execute(t["absences"].insert(), [
            {"person": "lead_b", "start": date(2022, 3, 7), "end": date(2022, 3, 11), "deputy": "lead_a",
             "created_by": "lead_b", "created_at": T0, "cancelled_at": None}])
        conn.execute(deliveries.insert(), DELIVERIES)
        conn.execute(dm_channels.insert(), [
            {"slack_user": "U0LEADA", "channel": "D0LEADA", "updated_at": T0},
            {"slack_user": "U0CHAIR", "channel": "D0CHAIR", "updated_at": T0 + timedelta(days=1)}])
        conn.execute(t["processed_events"].insert(), [{"key": "Ev1", "received_at": T0}])
        conn.execute(t["app_state"].insert(), [{"name": "chart_unavailable_noted", "value": "yes",
                                                "updated_at": T0}])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def at_0002(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database at revision 0002 with rows in every table, as a force running ncpi has one."""
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path / 'old.db'}")
        upgrade(engine, "0002")
        _fill(engine)
        yield engine
        engine.dispose()
        return
    with private_postgres_database("ncpi_m", revision="0002") as url:
        engine = build_engine(url)
        _fill(engine)
        yield engine
        engine.dispose()


def _counts(engine: sa.Engine, names: list[str]) -> dict[str, int]:
    with engine.connect() as conn:
        return {n: conn.execute(sa.select(sa.func.count()).select_from(sa.table(n))).scalar_one() for n in names}


KEPT = ["plan", "people", "recommendations", "actions", "updates", "audit", "requests", "absences",
        "deliveries", "processed_events", "app_state"]


def test_upgrade_keeps_every_row_and_converts_it(at_0002: sa.Engine) -> None:
    before = _counts(at_0002, [*KEPT, "dm_channels"])
    upgrade(at_0002)
    assert current_revision(at_0002) == head_revision()  # 0003, and whatever follows it
    assert _counts(at_0002, [*KEPT, "conversations"]) == {**{n: before[n] for n in KEPT},
                                                          "conversations": before["dm_channels"]}
    with at_0002.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []

    with SqlUowFactory(at_0002)() as uow:
        people = {p.id: p for p in uow.people.all(include_inactive=True)}
        assert {pid: p.identities for pid, p in people.items()} == {
            "lead_a": {"slack": "U0LEADA"}, "lead_b": {"slack": "U0LEADB"}, "chair": {"slack": "U0CHAIR"},
            "admin": {"slack": "U0ADMIN"}, "gone": {"slack": "U0GONE"}}
        assert people["chair"].roles == frozenset({Role.SILVER_CHAIR, Role.SILVER}) and not people["gone"].active

        history = list(uow.updates.all())
        assert [(u.id, u.author, u.author_identity) for u in history] == [
            (2, None, None), (1, "lead_a", "slack:U0LEADA"), (3, "lead_a", "slack:U0LEADA")]
        assert history[2].blockers == "b" and history[1].created_at == T0 + timedelta(hours=2)
        assert uow.updates.add(history[1].model_copy(update={"id": None}), "Ev1") is None  # keys kept

        records = {r.key: r for r in uow.ledger.records()}
        assert [r.id for r in records.values()] == list(range(1, 12))
        person, silver, gold = Recipient.of_person, Recipient.of_body("silver"), Recipient.of_body("gold")
        assert {k: r.recipient for k, r in records.items()} == {
            "prompt:a": person("lead_a"), "nudge:a:1": person("lead_a"), "nudge:b:1": person("lead_b"),
            "escalation:chair": person("chair"), "summary:silver": silver, "summary:gold": gold,
            "gold_reminder:lead_a": person("lead_a"), "chase:lead_b": person("lead_b"),
            "prompt:dead": person("gone"), "failure:prompt:dead:admin": person("admin"), "summary:old": silver}
        assert {k: (r.platform, r.where) for k, r in records.items() if r.platform} == {
            "prompt:a": ("slack", MessageRef("D0LEADA", "1646125200.000100")),
            "nudge:a:1": ("slack", MessageRef("D0LEADA", "1646300000.000200")),
            "summary:silver": ("slack", MessageRef("C0SILVER", "1646400000.000400"))}
        assert records["nudge:a:1"].payload == {"opens_at": T0.isoformat(), "step": 1,
                                                "thread_conversation": "D0LEADA",
                                                "thread_message": "1646125200.000100"}
        assert records["nudge:b:1"].payload["thread_message"] == "1646125201.000300"
        assert records["failure:prompt:dead:admin"].payload == {
            "failed_key": "prompt:dead", "failed_kind": "prompt", "failed_recipient": "person:gone",
            "attempts": 6, "error": "user_not_found"}
        assert records["prompt:dead"].payload == {} and records["prompt:dead"].last_error == "user_not_found"
        for key, old_row in ((r["key"], r) for r in DELIVERIES):
            r = records[key]
            assert (r.kind, r.state, r.attempts, r.person, r.action_id, r.meeting, r.due_at, r.sent_at) == (
                old_row["kind"], old_row["state"], old_row["attempts"], old_row["person"], old_row["action_id"],
                old_row["meeting"], old_row["due_at"], old_row["sent_at"]), key
        assert uow.ledger.action_of_message("slack", MessageRef("D0LEADA", "1646300000.000200")) == "R1.1"
        assert [c.key for c in uow.ledger.claim_due(T0 + timedelta(hours=1), "w", T0 + timedelta(hours=2), 20)] == [
            "nudge:b:1", "escalation:chair", "summary:gold", "gold_reminder:lead_a", "chase:lead_b",
            "failure:prompt:dead:admin", "summary:old"]  # the lease of 8 ran out; 11's retry is due
        uow.rollback()

        assert uow.conversations.get("slack", "U0LEADA") == ("D0LEADA", None)
        assert uow.conversations.addresses("slack") == {"U0LEADA", "U0CHAIR"}
        assert not uow.events.first_time("Ev1", T0) and uow.state.get("chart_unavailable_noted") == "yes"
        info, action = uow.plan.info(), uow.plan.action("R1.2")
        assert info is not None and info.published == date(2021, 11, 30) and uow.plan.loaded_at() == T0
        assert action is not None and action.version == 3 and action.status == "proposed"
        assert [e.event for e in uow.audit.trail("action", "R1.2")] == ["proposed"]
        pending = uow.requests.pending("R1.2", RequestKind.CLOSURE)
        assert pending is not None and pending.state is RequestState.PENDING and pending.evidence == "x"
        assert uow.absences.covered_by("lead_a", date(2022, 3, 8)) == {"lead_b"}


def test_downgrade_gives_the_rows_back(at_0002: sa.Engine) -> None:
    before = _counts(at_0002, [*KEPT, "dm_channels"])
    upgrade(at_0002)
    downgrade(at_0002, "0002")
    assert current_revision(at_0002) == "0002"
    assert _counts(at_0002, [*KEPT, "dm_channels"]) == before
    with at_0002.connect() as conn:
        assert dict(conn.execute(sa.select(people.c.id, people.c.slack_user)).all())["chair"] == "U0CHAIR"
        assert sorted(conn.execute(sa.select(updates.c.id, updates.c.author_slack_user))) == [
            (1, "U0LEADA"), (2, None), (3, "U0LEADA")]
        rows = {r.key: r for r in conn.execute(sa.select(deliveries))}
        for old_row in DELIVERIES:
            r = rows[old_row["key"]]
            assert (r.slack_channel, r.slack_ts, r.payload) == (
                old_row["slack_channel"], old_row["slack_ts"], old_row["payload"]), r.key
        assert rows["prompt:a"].target == "U0LEADA"
        assert rows["summary:silver"].target == "body:silver"  # the channel id lives in ncpi.yaml
        assert sorted(conn.execute(sa.select(dm_channels.c.slack_user, dm_channels.c.channel))) == [
            ("U0CHAIR", "D0CHAIR"), ("U0LEADA", "D0LEADA")]
